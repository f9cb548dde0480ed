package metrics

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// independent is a straightforward per-endpoint computation from raw rows, written
// separately from the readers: sort + nearest-rank.
type independent struct {
	lat      map[string][]float64
	failures map[string]int64
}

func newIndependent() *independent {
	return &independent{lat: map[string][]float64{}, failures: map[string]int64{}}
}

func (x *independent) add(key string, ms float64, failed bool) {
	x.lat[key] = append(x.lat[key], ms)
	if failed {
		x.failures[key]++
	}
}

func nearestRank(sorted []float64, p float64) float64 {
	r := int(math.Ceil(p * float64(len(sorted))))
	if r < 1 {
		r = 1
	}
	return sorted[r-1]
}

// check compares every endpoint of f with the independent computation.
func (x *independent) check(t *testing.T, f *File) {
	t.Helper()
	if len(f.Services) != len(x.lat) {
		t.Errorf("%d endpoints, the raw rows have %d", len(f.Services), len(x.lat))
	}
	for key, l := range x.lat {
		s := f.Service(key)
		if s == nil {
			t.Errorf("endpoint %q missing; have %v", key, names(f))
			continue
		}
		sort.Float64s(l)
		sum := 0.0
		for _, v := range l {
			sum += v
		}
		want := map[string]float64{
			TotalRequests: float64(len(l)), TotalFailures: float64(x.failures[key]),
			ErrorRate:  ErrorRatePct(int64(len(l)), x.failures[key]),
			AvgLatency: sum / float64(len(l)), MinLatency: l[0], MaxLatency: l[len(l)-1],
			MedianLatency: nearestRank(l, 0.5), P95Latency: nearestRank(l, 0.95), P99Latency: nearestRank(l, 0.99),
		}
		got := values(s)
		for n, w := range want {
			if math.Abs(got[n]-w) > 1e-9*math.Max(1, math.Abs(w)) {
				t.Errorf("%s %s = %v, the raw rows give %v", key, n, got[n], w)
			}
		}
	}
}

func TestJMeterJTLMatchesRawRows(t *testing.T) {
	t.Parallel()
	for _, run := range []string{"baseline", "regressed"} {
		file := "real/jmeter-2.13-" + run + "-run1.jtl"
		x := newIndependent()
		fh, err := os.Open(testdata(file))
		if err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		var first, last float64
		for i, r := range recs { // 2.13: timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,...
			ts, _ := strconv.ParseFloat(r[0], 64)
			el, _ := strconv.ParseFloat(r[1], 64)
			x.add(r[2], el, r[7] == "false")
			if i == 0 || ts < first {
				first = ts
			}
			last = math.Max(last, ts+el)
		}
		f, _ := load(t, Mapping{ByEndpoint: true}, file)
		x.check(t, f)
		// rps: requests over the whole run (first start to last end).
		chat := f.Service("POST /v1/chat/completions")
		rps, _ := chat.Get(RPS)
		if want := float64(len(x.lat["POST /v1/chat/completions"])) / ((last - first) / 1000); math.Abs(rps-want) > 1e-9 {
			t.Errorf("%s chat rps %v, want %v", run, rps, want)
		}
	}
	// The README's hand-made table for the baseline: chat p95 80, rag query p95 147.
	f, _ := load(t, Mapping{ByEndpoint: true}, "real/jmeter-2.13-baseline-run1.jtl")
	for key, p95 := range map[string]float64{"POST /v1/chat/completions": 80, "POST /api/rag/query": 147, "GET /v1/models": 8, "GET /health": 3} {
		if v, _ := f.Service(key).Get(P95Latency); v != p95 {
			t.Errorf("%s p95 %v, want %v", key, v, p95)
		}
	}
}

func TestHeyMatchesRawRows(t *testing.T) {
	t.Parallel()
	for _, run := range []string{"baseline", "regressed"} {
		file := "real/hey-0.1.4-v1-models-" + run + "-run1.csv"
		x := newIndependent()
		fh, _ := os.Open(testdata(file))
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		var end float64
		for _, r := range recs[1:] {
			rt, _ := strconv.ParseFloat(r[0], 64)
			code, _ := strconv.Atoi(r[6])
			off, _ := strconv.ParseFloat(r[7], 64)
			x.lat["all"] = append(x.lat["all"], math.Round(rt*1e9)/1e6)
			if code >= 400 {
				x.failures["all"]++
			}
			end = math.Max(end, off+rt)
		}
		f, _ := load(t, Mapping{ByEndpoint: true}, file)
		x.check(t, f)
		if n := len(x.lat["all"]); (run == "baseline" && n != 10440) || (run == "regressed" && n != 6894) {
			t.Errorf("%s: %d rows", run, n)
		}
	}
}

func TestVegetaRawMatchesRawRows(t *testing.T) {
	t.Parallel()
	for _, run := range []string{"baseline", "regressed"} {
		x := newIndependent()
		fh, _ := os.Open(testdata("real/vegeta-12.13.0-" + run + "-run1-raw.csv"))
		recs, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			code, _ := strconv.Atoi(r[1])
			lat, _ := strconv.ParseInt(r[2], 10, 64)
			u, _ := url.Parse(r[10])
			x.add(u.Path, float64(lat)/1e6, code < 200 || code > 399)
		}
		for _, ext := range []string{"-raw.csv", "-raw.jsonl"} {
			f, _ := load(t, Mapping{ByEndpoint: true}, "real/vegeta-12.13.0-"+run+"-run1"+ext)
			x.check(t, f)
		}
	}
	// The same results as NDJSON, read independently too: seq, code and latency agree.
	fh, _ := os.Open(testdata("real/vegeta-12.13.0-baseline-run1-raw.jsonl"))
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	n := 0
	for sc.Scan() {
		var v struct {
			Timestamp time.Time
		}
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil || v.Timestamp.IsZero() {
			t.Fatalf("line %d: %v", n+1, err)
		}
		n++
	}
	if n != 500 {
		t.Errorf("%d lines", n)
	}
}

func TestVegetaReportAndArtilleryAsWritten(t *testing.T) {
	t.Parallel()
	f, _ := load(t, Mapping{ByEndpoint: true}, "real/vegeta-12.13.0-baseline-run1-report.json")
	want := map[string]float64{TotalRequests: 500, TotalFailures: 6, ErrorRate: 1.2, AvgLatency: 45.763818, MedianLatency: 39.743581,
		P95Latency: 133.624302, P99Latency: 149.367812, MinLatency: 0.525246, MaxLatency: 150.722614, RPS: 50.09617756229124}
	got := values(f.Service("all"))
	for n, w := range want {
		if math.Abs(got[n]-w) > 1e-9 {
			t.Errorf("vegeta report %s = %v, want %v", n, got[n], w)
		}
	}

	// Artillery: exactly the per-endpoint values the report holds.
	raw, _ := os.ReadFile(testdata("real/artillery-2.0.34-regressed-run1.json"))
	var doc struct {
		Aggregate struct {
			Counters                    map[string]float64
			Summaries                   map[string]map[string]float64
			FirstMetricAt, LastMetricAt float64
		}
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	f, _ = load(t, Mapping{ByEndpoint: true}, "real/artillery-2.0.34-regressed-run1.json")
	if len(f.Services) != 5 {
		t.Errorf("endpoints %v", names(f))
	}
	span := (doc.Aggregate.LastMetricAt - doc.Aggregate.FirstMetricAt) / 1000
	for _, s := range f.Services {
		sum := doc.Aggregate.Summaries["plugins.metrics-by-endpoint.response_time."+s.Name]
		var req, fail float64
		for k, v := range doc.Aggregate.Counters {
			if rest, ok := strings.CutPrefix(k, "plugins.metrics-by-endpoint."+s.Name+".codes."); ok {
				req += v
				if c, _ := strconv.Atoi(rest); c >= 400 {
					fail += v
				}
			}
		}
		// DDSketch quantiles are within 1 % of the truth, so one can lie past the exact max:
		// it is written as the max (no request took longer).
		want := map[string]float64{TotalRequests: req, TotalFailures: fail, AvgLatency: sum["mean"], MedianLatency: min(sum["median"], sum["max"]),
			P95Latency: min(sum["p95"], sum["max"]), P99Latency: min(sum["p99"], sum["max"]), MinLatency: sum["min"], MaxLatency: sum["max"], RPS: req / span}
		got := values(s)
		for n, w := range want {
			if math.Abs(got[n]-w) > 1e-9 {
				t.Errorf("artillery %s %s = %v, the report holds %v", s.Name, n, got[n], w)
			}
		}
	}
	chat := values(f.Service("/v1/chat/completions"))
	if chat[P95Latency] != 125.2 || chat[ErrorRate] != 6 {
		t.Errorf("chat %v", chat)
	}
}

// TestMergeHalvesOfAJTL: a JTL split in two files (two load generators) gives exactly what
// the whole file gives, wherever it is split (property test over split points).
func TestMergeHalvesOfAJTL(t *testing.T) {
	t.Parallel()
	whole, err := os.ReadFile(testdata("real/jmeter-2.13-regressed-run1.jtl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(whole), "\n")
	want, _ := load(t, Mapping{ByEndpoint: true}, "real/jmeter-2.13-regressed-run1.jtl")
	dir := t.TempDir()
	for _, cut := range []int{1, 7, len(lines) / 3, len(lines) / 2, len(lines) - 2} {
		a, b := filepath.Join(dir, "a.jtl"), filepath.Join(dir, "b.jtl")
		os.WriteFile(a, []byte(strings.Join(lines[:cut], "")), 0o644)
		os.WriteFile(b, []byte(strings.Join(lines[cut:], "")), 0o644)
		got, _, err := Load([]string{a, b}, Options{Mapping: Mapping{ByEndpoint: true}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Services) != len(want.Services) {
			t.Fatalf("cut %d: %v vs %v", cut, names(got), names(want))
		}
		for _, s := range want.Services {
			w, g := values(s), values(got.Service(s.Name))
			for n, v := range w {
				if math.Abs(g[n]-v) > 1e-9*math.Max(1, math.Abs(v)) {
					t.Errorf("cut %d: %s %s = %v, whole file %v", cut, s.Name, n, g[n], v)
				}
			}
		}
	}
}
