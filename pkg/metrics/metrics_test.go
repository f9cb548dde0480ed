package metrics

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

func testdata(rel string) string { return filepath.Join("..", "..", "testdata", rel) }

func load(t *testing.T, m Mapping, rel ...string) (*File, *Info) {
	t.Helper()
	var paths []string
	for _, r := range rel {
		paths = append(paths, testdata(r))
	}
	f, info, err := Load(paths, Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	return f, info
}

func values(s *Service) map[string]float64 {
	out := map[string]float64{}
	for _, n := range s.Names() {
		out[n], _ = s.Get(n)
	}
	return out
}

func TestSeedOldStyleCSV(t *testing.T) {
	t.Parallel()
	f, info := load(t, Mapping{}, "seed/sample_results_stats.csv")
	if got := names(f); !cmp.Equal(got, []string{"api_gateway", "rag_service", "mcp_server"}) {
		t.Fatalf("services %v", got)
	}
	api := f.Service("api_gateway")
	want := map[string]float64{
		TotalRequests: 1000, TotalFailures: 5, ErrorRate: 0.5, RPS: 50,
		AvgLatency: 150, MedianLatency: 120, MinLatency: 50, MaxLatency: 500,
		P95Latency: 210, P99Latency: 255, // int(1.4×150), int(1.7×150)
	}
	if diff := cmp.Diff(want, values(api)); diff != "" {
		t.Errorf("api_gateway (-want +got):\n%s", diff)
	}
	if !cmp.Equal(api.Estimated, []string{P95Latency, P99Latency}) {
		t.Errorf("estimated = %v", api.Estimated)
	}
	if info.Totals != 1 || len(info.Unmatched) != 0 {
		t.Errorf("totals %d, unmatched %v", info.Totals, info.Unmatched)
	}
}

func TestCurrentCSVAggregatesRowsOfOneService(t *testing.T) {
	t.Parallel()
	f, info := load(t, Mapping{}, "seed/load_results_baseline_actual_stats.csv")
	if len(f.Services) != 1 {
		t.Fatalf("services %v", names(f))
	}
	api := values(f.Service("api_gateway"))
	// /v1/chat/completions (24 req, 24 fail, avg 6.4583) + /v1/models (3 req, avg 1.6667).
	want := map[string]float64{
		TotalRequests: 27, TotalFailures: 24, ErrorRate: 88.89,
		AvgLatency: (24*6.458333333333333 + 3*1.6666666666666667) / 27,
		MinLatency: 1, MaxLatency: 36,
		RPS: 0.20474955992591717 + 0.025593694990739647,
		// Mixture: at 6 ms chat is at its 95 %, models at 100 %: (24×95 + 3×100)/27 = 95.6 % ≥ 95.
		P95Latency: 6,
		// At 6 ms the mixture is only at 95.6 %; the next step is 36 ms.
		P99Latency: 36,
		// At 5 ms: (24×50 + 3×100)/27 = 55.6 % ≥ 50; at 2 ms only 11.1 %.
		MedianLatency: 5,
	}
	if diff := cmp.Diff(want, api, cmp.Comparer(func(a, b float64) bool { return math.Abs(a-b) < 1e-9 })); diff != "" {
		t.Errorf("api_gateway (-want +got):\n%s", diff)
	}
	if math.Abs(api[AvgLatency]-5.93) > 0.005 || math.Abs(api[RPS]-0.2303) > 0.00005 {
		t.Errorf("avg %v rps %v", api[AvgLatency], api[RPS])
	}
	if diff := cmp.Diff([]Unmatched{{Endpoint: "GET /health", Requests: 5}}, info.Unmatched); diff != "" {
		t.Errorf("unmatched (-want +got):\n%s", diff)
	}

	f, info = load(t, Mapping{ByEndpoint: true}, "seed/load_results_baseline_actual_stats.csv")
	if got := names(f); !cmp.Equal(got, []string{"/health", "/v1/chat/completions", "/v1/models"}) {
		t.Errorf("endpoints %v", got)
	}
	chat := values(f.Service("/v1/chat/completions"))
	if chat[P95Latency] != 6 || chat[P99Latency] != 36 || chat[MedianLatency] != 5 || chat[ErrorRate] != 100 {
		t.Errorf("chat %v", chat)
	}
	if len(f.Service("/v1/chat/completions").Estimated) != 0 || len(info.Unmatched) != 0 {
		t.Errorf("nothing is estimated or unmatched by endpoint")
	}
}

// TestLocustJSONPercentilesMatchLocustReport checks the --json histogram percentiles
// against the HTML report Locust 2.12.1 wrote for the same run (its "Response Time
// Statistics" table), for every endpoint and every percentile column.
func TestLocustJSONPercentilesMatchLocustReport(t *testing.T) {
	t.Parallel()
	for _, run := range []string{"baseline", "regressed"} {
		html, err := os.ReadFile(testdata("locust/locust-2.12.1-" + run + "-run1.html"))
		if err != nil {
			t.Fatal(err)
		}
		table := locustHTMLPercentiles(t, string(html))
		if len(table) != 8 {
			t.Fatalf("%s: parsed %d rows of the HTML table", run, len(table))
		}
		doc, err := os.ReadFile(testdata("locust/locust-2.12.1-" + run + "-run1.json"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := loadtest.Open(bytes.NewReader(doc), "x.json", loadtest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		all := map[float64]int64{}
		check := func(key string, hist map[float64]int64) {
			want, ok := table[key]
			if !ok {
				t.Errorf("%s: %s not in the HTML report", run, key)
				return
			}
			for i, p := range []float64{0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0} {
				got, _ := LocustPercentile(hist, p)
				if got != want[i] {
					t.Errorf("%s %s p%v = %v, Locust reports %v", run, key, p*100, got, want[i])
				}
			}
		}
		_, err = in.Rows(func(r loadtest.Row) error {
			check(r.Method+" "+r.Name, r.Hist)
			for k, c := range r.Hist {
				all[k] += c
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		check(" Aggregated", all) // the merged histograms are Locust's Aggregated entry
	}
}

// locustHTMLPercentiles parses the legacy HTML report's percentile table:
// method, name, then the 50/60/70/80/90/95/99/100 %ile cells.
func locustHTMLPercentiles(t *testing.T, html string) map[string][]float64 {
	start := strings.Index(html, "Response Time Statistics")
	end := strings.Index(html, "Failures Statistics")
	if start < 0 || end < start {
		t.Fatal("no percentile table in the HTML report")
	}
	rowRe := regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`)
	cellRe := regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`)
	out := map[string][]float64{}
	for _, row := range rowRe.FindAllStringSubmatch(html[start:end], -1) {
		cells := cellRe.FindAllStringSubmatch(row[1], -1)
		if len(cells) != 10 {
			continue
		}
		var vals []float64
		for _, c := range cells[2:] {
			v, err := strconv.ParseFloat(strings.TrimSpace(c[1]), 64)
			if err != nil {
				t.Fatalf("cell %q", c[1])
			}
			vals = append(vals, v)
		}
		out[strings.TrimSpace(cells[0][1])+" "+strings.TrimSpace(cells[1][1])] = vals
	}
	return out
}

func TestLocustAlgorithmsHandChecked(t *testing.T) {
	t.Parallel()
	h := map[float64]int64{1: 1, 2: 1, 3: 1, 4: 1}
	// FORMATS §1.1: on {1,2,3,4} the 50% column is the upper middle value, the median the lower.
	if p, _ := LocustPercentile(h, 0.5); p != 3 {
		t.Errorf("p50 = %v, want 3", p)
	}
	if m, _ := LocustMedian(h); m != 2 {
		t.Errorf("median = %v, want 2", m)
	}
	if p, _ := LocustPercentile(h, 1); p != 4 {
		t.Errorf("p100 = %v, want 4", p)
	}
	// 20 requests: int(20×0.95) = 19 → the value whose rank (from the top) leaves ≤ 19 below.
	h = map[float64]int64{10: 18, 50: 1, 90: 1}
	if p, _ := LocustPercentile(h, 0.95); p != 90 {
		t.Errorf("p95 = %v, want 90", p)
	}
	if p, _ := LocustPercentile(h, 0.9); p != 50 {
		t.Errorf("p90 = %v, want 50", p)
	}
	if _, ok := LocustPercentile(map[float64]int64{}, 0.5); ok {
		t.Error("empty histogram has no percentile")
	}
	// The median is clamped to [min, max] like Locust's median_response_time.
	acc := &Accumulator{}
	acc.Add(loadtest.Row{Name: "/", Requests: 2, HasAvg: true, AvgMs: 47.75, HasMinMax: true, MinMs: 47.6, MaxMs: 47.9, Hist: map[float64]int64{48: 2}})
	if m, _ := acc.Service("x").Get(MedianLatency); m != 47.9 {
		t.Errorf("clamped median = %v, want 47.9 (the max)", m)
	}
}

func TestLocustJSONServicesMergeHistograms(t *testing.T) {
	t.Parallel()
	// Two endpoints of one service: percentiles come from the merged histogram, exactly.
	f, _ := load(t, Mapping{Rules: []Rule{{Service: "rag", Match: []string{"/api/rag/"}}}}, "locust/locust-2.12.1-baseline-run1.json")
	rag := f.Service("rag")
	if rag == nil || len(rag.Estimated) != 0 {
		t.Fatalf("rag = %+v", rag)
	}
	// /api/rag/query 133 + /api/rag/index/status 44 requests.
	if v, _ := rag.Get(TotalRequests); v != 177 {
		t.Errorf("requests %v", v)
	}
	// 95 % of 177 = 168.15 → int 168; the largest buckets: 150 (14), 140 (15)… so
	// p95 is the 150 ms bucket (177−14 = 163 ≤ 168).
	if v, _ := rag.Get(P95Latency); v != 150 {
		t.Errorf("p95 %v", v)
	}
}

func TestMergeSameEndpointAcrossFiles(t *testing.T) {
	t.Parallel()
	// Two load generators with identical results (the stats file and a copy of it): counts
	// and rps double, the mean and percentiles stay. (The same file given twice is refused:
	// TestInputGivenTwice.)
	one, _ := load(t, Mapping{ByEndpoint: true}, "locust/locust-2.12.1-baseline-run1_stats.csv")
	data, _ := os.ReadFile(testdata("locust/locust-2.12.1-baseline-run1_stats.csv"))
	copied := filepath.Join(t.TempDir(), "generator2_stats.csv")
	os.WriteFile(copied, data, 0o644)
	two, _, err := Load([]string{testdata("locust/locust-2.12.1-baseline-run1_stats.csv"), copied}, Options{Mapping: Mapping{ByEndpoint: true}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range one.Services {
		a, b := values(s), values(two.Service(s.Name))
		for _, n := range []string{TotalRequests, TotalFailures, RPS} {
			if math.Abs(b[n]-2*a[n]) > 1e-9 {
				t.Errorf("%s %s: %v, want %v", s.Name, n, b[n], 2*a[n])
			}
		}
		for _, n := range []string{AvgLatency, MedianLatency, P95Latency, P99Latency, MinLatency, MaxLatency, ErrorRate} {
			if math.Abs(b[n]-a[n]) > 1e-9 {
				t.Errorf("%s %s: %v, want %v", s.Name, n, b[n], a[n])
			}
		}
	}
}

func TestParsePythonWrittenFiles(t *testing.T) {
	t.Parallel()
	doc, _ := os.ReadFile(testdata("seed/sample_metrics_degraded.json"))
	f, err := Parse(doc, "degraded.json")
	if err != nil {
		t.Fatal(err)
	}
	api := f.Service("api_gateway")
	if _, ok := api.Get(P95Latency); ok {
		t.Error("a 0.0 p95 next to avg 200 must read as missing")
	}
	if api.PythonZero[P95Latency] != 200 {
		t.Errorf("Python zero next to the average %v", api.PythonZero)
	}
	if v, _ := api.Get(ErrorRate); v != 0.8 {
		t.Errorf("error rate %v", v)
	}

	doc, _ = os.ReadFile(testdata("seed/sample_baselines.json"))
	f, err = Parse(doc, "baselines.json")
	if err != nil {
		t.Fatal(err)
	}
	rag := f.Service("rag_service")
	if rag.BaselineUsers == nil || *rag.BaselineUsers != 1 || rag.Timestamp != "2025-10-17T04:40:26.871086Z" {
		t.Errorf("baseline fields %+v", rag)
	}
	if v, _ := rag.Get(P95Latency); v != 3500 {
		t.Errorf("p95 %v", v)
	}
}

func TestParseMetadataAndErrors(t *testing.T) {
	t.Parallel()
	f, err := Parse([]byte(`{"_meta": {"x": 1}, "version": 2, "svc": {"avg_latency_ms": 1.5, "p90_latency_ms": 0, "qdrant_timeout_rate_pct": 0.2, "note": "hi", "p95_latency_ms": null}}`), "m.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Services) != 1 || len(f.Meta) != 2 {
		t.Fatalf("services %v meta %d", names(f), len(f.Meta))
	}
	s := f.Service("svc")
	if got := s.Names(); !cmp.Equal(got, []string{AvgLatency, "qdrant_timeout_rate_pct"}) {
		t.Errorf("names %v (p90 0 next to avg 1.5 is missing, null is missing)", got)
	}
	for _, tc := range []struct{ doc, want string }{
		{`{"svc": {"total_requests": 1.5}}`, `m.json:1: svc.total_requests: 1.5 is not a whole count`},
		{"{\"svc\": {\n\"error_rate_pct\": 120}}", `m.json:2: svc.error_rate_pct: 120 is not a percentage (0–100)`},
		{`{"svc": {"rps": -1}}`, `m.json:1: svc.rps: -1 is negative`},
		{`{"svc": {"total_requests": 1, "total_failures": 2}}`, `m.json:1: svc.total_failures: 2 failures out of 1 requests`},
		{`{"svc": {"rps": 1}, "svc": {"rps": 2}}`, `m.json:1: svc: duplicate key`},
		{`{"svc": {"rps": 1}`, `m.json:1: truncated JSON (unexpected end of file)`},
		{`[1]`, `m.json:1: the file is not a JSON object`},
		{"{\"svc\": {\"avg_latency_ms\": 5,\n  \"p95_latency_ms\": \"abc\"}}", `m.json:2: svc.p95_latency_ms: "abc" is not a number`},
		{`{"svc": {"p90_latency_ms": true}}`, `m.json:1: svc.p90_latency_ms: true is not a number`},
		{`{"svc": {"total_requests": [1]}}`, `m.json:1: svc.total_requests: [1] is not a number`},
	} {
		_, err := Parse([]byte(tc.doc), "m.json")
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%s)\n got: %v\nwant: %s", tc.doc, err, tc.want)
		}
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	t.Parallel()
	f, _ := load(t, Mapping{}, "seed/sample_results_stats.csv")
	users := 3.0
	f.Services[0].BaselineUsers = &users
	f.Services[0].Timestamp = "2026-11-27T10:00:00Z"
	f.Services[0].Set("qdrant_timeout_rate_pct", 0.25)
	f.SetMeta("_source", []byte(`{"tool":"locust"}`))
	var buf bytes.Buffer
	if err := Write(&buf, f); err != nil {
		t.Fatal(err)
	}
	g, err := Parse(buf.Bytes(), "rt.json")
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	var again bytes.Buffer
	if err := Write(&again, g); err != nil {
		t.Fatal(err)
	}
	if buf.String() != again.String() {
		t.Errorf("write → read → write differs:\n%s\n---\n%s", buf.String(), again.String())
	}
	want := `{
  "api_gateway": {
    "baseline_users": 3,
    "avg_latency_ms": 150.0,
    "median_latency_ms": 120.0,
    "p95_latency_ms": 210.0,
    "p99_latency_ms": 255.0,
    "min_latency_ms": 50.0,
    "max_latency_ms": 500.0,
    "error_rate_pct": 0.5,
    "rps": 50.0,
    "total_requests": 1000,
    "total_failures": 5,
    "qdrant_timeout_rate_pct": 0.25,
    "estimated": [
      "p95_latency_ms",
      "p99_latency_ms"
    ],
    "timestamp": "2026-11-27T10:00:00Z"
  },`
	if !strings.HasPrefix(buf.String(), want) {
		t.Errorf("layout:\n%s", buf.String())
	}
}

func TestMedianOfRuns(t *testing.T) {
	t.Parallel()
	mk := func(p95, req float64) *File {
		s := NewService("api")
		s.Set(P95Latency, p95)
		s.Set(TotalRequests, req)
		return &File{Services: []*Service{s}}
	}
	got := MedianOfRuns([]*File{mk(100, 10), mk(300, 11), mk(120, 20), mk(110, 12)})
	s := got.Service("api")
	if v, _ := s.Get(P95Latency); v != 115 {
		t.Errorf("median p95 = %v, want 115", v)
	}
	if v, _ := s.Get(TotalRequests); v != 12 { // (11+12)/2 = 11.5 → 12
		t.Errorf("median requests = %v, want 12", v)
	}
	if !cmp.Equal(s.Runs[P95Latency], []float64{100, 300, 120, 110}) {
		t.Errorf("runs %v", s.Runs)
	}
}

func TestErrorRatePct(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		req, fail int64
		want      float64
	}{{1000, 5, 0.5}, {27, 24, 88.89}, {3, 1, 33.33}, {0, 0, 0}, {0, 2, 100}, {8, 1, 12.5}, {300, 1, 0.33}} {
		if got := ErrorRatePct(tc.req, tc.fail); got != tc.want {
			t.Errorf("ErrorRatePct(%d, %d) = %v, want %v", tc.req, tc.fail, got, tc.want)
		}
	}
}

func names(f *File) []string {
	var out []string
	for _, s := range f.Services {
		out = append(out, s.Name)
	}
	return out
}

// TestServiceTwice: computing a service's metrics changes nothing (a second call gives
// the same rps, not double).
func TestServiceTwice(t *testing.T) {
	t.Parallel()
	var a Accumulator
	a.Add(loadtest.Row{Name: "x", Requests: 10, AvgMs: 5, HasAvg: true, Span: loadtest.Span{StartNs: 0, EndNs: 2e9, OK: true}})
	a.Add(loadtest.Row{Name: "x", Requests: 5, AvgMs: 5, HasAvg: true, RPS: 1, HasRPS: true})
	a.SetSpan(2e9)
	first, _ := a.Service("x").Get(RPS)
	second, _ := a.Service("x").Get(RPS)
	if first != 6 || second != 6 {
		t.Errorf("rps %v then %v, want 6 both times (10 requests over 2 s plus 1)", first, second)
	}
}
