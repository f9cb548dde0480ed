package threshold

import (
	"cmp"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/stats"
)

// aaPairs is the number of A/A pairs per method, run and tool; `make aa` runs 1,000.
var aaPairs = flag.Int("aa.pairs", 15, "A/A pairs per method (bootstrap, random halves), run and tool")

// aaRequest is one request of a real run: its latency and whether it failed.
type aaRequest struct {
	ms     float64
	failed bool
}

// aaRun is one real run, per endpoint, with how perfgate sees that tool's latencies:
// exact (raw samples: exact counts) or Locust's percentile columns only (as in its
// _stats.csv).
type aaRun struct {
	tool, file string
	columns    bool
	names      []string
	endpoints  map[string][]aaRequest
}

// aaRuns are the shared runs with every request's latency. "Locust by service" groups
// the endpoints by the seed's service rules, so that each service's ladder is a mixture
// of Locust columns, and passes it through a normalized file, which does not record
// that: the exceedance test then decides on a mixture, the case the interval rule is
// kept for when perfgate knows.
var aaRuns = []struct {
	tool, file string
	columns    bool
}{
	{"Locust", "locust/locust-2.12.1-baseline-run1.json", true},
	{"Locust", "locust/locust-2.12.1-regressed-run1.json", true},
	{"Locust by service", "locust/locust-2.12.1-baseline-run1.json", true},
	{"Locust by service", "locust/locust-2.12.1-regressed-run1.json", true},
	{"JMeter", "real/jmeter-2.13-baseline-run1.jtl", false},
	{"JMeter", "real/jmeter-2.13-regressed-run1.jtl", false},
	{"Vegeta", "real/vegeta-12.13.0-baseline-run1-raw.csv", false},
	{"Vegeta", "real/vegeta-12.13.0-regressed-run1-raw.csv", false},
	{"hey", "real/hey-0.1.4-v1-models-baseline-run1.csv", false},
	{"hey", "real/hey-0.1.4-v1-models-regressed-run1.csv", false},
}

// loadAARun reads every request of a real run through perfgate's own readers: each
// endpoint's latencies from its raw samples or Locust's histogram. The readers keep
// failure counts, not which request failed, so the failures go to random requests of
// their endpoint; the halves and resamples stay exchangeable, which is all an A/A pair
// needs.
// rowKey identifies a row's endpoint: method and name.
func rowKey(r loadtest.Row) string { return strings.TrimSpace(r.Method + " " + r.Name) }

func loadAARun(t testing.TB, tool, file string, columns bool, rng *rand.Rand) *aaRun {
	fh, err := os.Open("../../testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	in, err := loadtest.Open(fh, file, loadtest.Options{Name: "models"})
	if err != nil {
		t.Fatal(err)
	}
	run := &aaRun{tool: tool, file: file, columns: columns, endpoints: map[string][]aaRequest{}}
	failures := map[string]int64{}
	_, err = in.Rows(func(r loadtest.Row) error {
		k := rowKey(r)
		if _, ok := run.endpoints[k]; !ok {
			run.names = append(run.names, k)
		}
		add := func(ms float64, c int64) {
			for range c {
				run.endpoints[k] = append(run.endpoints[k], aaRequest{ms: ms})
			}
		}
		switch {
		case r.Samples != nil:
			r.Samples.Each(func(ns, c int64) { add(float64(ns)/1e6, c) })
		case r.Hist != nil:
			for ms, c := range r.Hist {
				add(ms, c)
			}
		default:
			return fmt.Errorf("%s: no samples for %s", file, k)
		}
		failures[k] += r.Failures
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(run.names)
	for _, k := range run.names {
		reqs := run.endpoints[k]
		slices.SortFunc(reqs, func(a, b aaRequest) int { return cmp.Compare(a.ms, b.ms) }) // map order out
		for _, i := range rng.Perm(len(reqs))[:failures[k]] {
			reqs[i].failed = true
		}
	}
	return run
}

// aaRow is an endpoint's row as a reader gives it: raw samples (exact counts), or only
// Locust's percentile columns computed from the bucketed latencies the way Locust writes
// its _stats.csv. scale multiplies every latency.
func aaRow(name string, reqs []aaRequest, columns bool, scale float64) loadtest.Row {
	row := loadtest.Row{Name: name, HasAvg: true, HasMinMax: true, MinMs: 1e18}
	h := loadtest.NewHistogram()
	hist := map[float64]int64{}
	sum := 0.0
	for _, q := range reqs {
		ms := q.ms * scale
		row.Requests++
		if q.failed {
			row.Failures++
		}
		sum += ms
		row.MinMs, row.MaxMs = min(row.MinMs, ms), max(row.MaxMs, ms)
		h.Record(int64(ms*1e6 + 0.5))
		hist[ms]++
	}
	row.AvgMs = sum / float64(len(reqs))
	if !columns {
		row.Samples = h
		return row
	}
	for _, p := range []float64{50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100} {
		v, _ := metrics.LocustPercentile(hist, p/100)
		row.Ladder = append(row.Ladder, loadtest.Point{Pct: p, Ms: v})
	}
	row.MedianMs, row.HasMedian = metrics.LocustMedian(hist)
	return row
}

// aaService builds an endpoint's metrics as extract-metrics does.
func aaService(name string, reqs []aaRequest, columns bool, scale float64) *metrics.Service {
	var a metrics.Accumulator
	a.Add(aaRow(name, reqs, columns, scale))
	return a.Service(name)
}

// aaPair draws one A/A pair of a whole run: per endpoint, random halves of its requests
// or two bootstrap resamples of its size.
func aaPair(t testing.TB, run *aaRun, bootstrap bool, rng *rand.Rand) (base, cur *metrics.File) {
	byService := strings.HasSuffix(run.tool, "by service")
	var accs [2]map[string]*metrics.Accumulator
	var order []string
	base, cur = &metrics.File{}, &metrics.File{}
	for _, k := range run.names {
		reqs := run.endpoints[k]
		var x, y []aaRequest
		if bootstrap {
			x, y = make([]aaRequest, len(reqs)), make([]aaRequest, len(reqs))
			for i := range reqs {
				x[i], y[i] = reqs[rng.IntN(len(reqs))], reqs[rng.IntN(len(reqs))]
			}
		} else {
			for i, j := range rng.Perm(len(reqs)) {
				if i < len(reqs)/2 {
					x = append(x, reqs[j])
				} else {
					y = append(y, reqs[j])
				}
			}
		}
		if !byService {
			base.Services = append(base.Services, aaService(k, x, run.columns, 1))
			cur.Services = append(cur.Services, aaService(k, y, run.columns, 1))
			continue
		}
		_, path, _ := strings.Cut(k, " ")
		svc, ok := metrics.Mapping{}.ServiceFor(path)
		if !ok {
			continue
		}
		for i, side := range [][]aaRequest{x, y} {
			if accs[i] == nil {
				accs[i] = map[string]*metrics.Accumulator{}
			}
			if accs[i][svc] == nil {
				accs[i][svc] = &metrics.Accumulator{}
				if i == 0 {
					order = append(order, svc)
				}
			}
			accs[i][svc].Add(aaRow(k, side, run.columns, 1))
		}
	}
	if !byService {
		return base, cur
	}
	for _, svc := range order {
		base.Services = append(base.Services, accs[0][svc].Service(svc))
		cur.Services = append(cur.Services, accs[1][svc].Service(svc))
	}
	return roundTrip(t, base, "locust-stats"), roundTrip(t, cur, "locust-stats")
}

// stressSet tests every latency percentile that moves at all: median, p95 and p99 at
// +1 % without min_delta, so that the exceedance test decides nearly every pair.
func stressSet(t testing.TB) *Set {
	s := Builtin()
	for _, f := range []string{"default.median_latency_ms=+1%", "default.p95_latency_ms=+1%", "default.p99_latency_ms=+1%", "default.error_rate_pct=off", "default.rps=off"} {
		if err := s.ParseFlag(f); err != nil {
			t.Fatal(err)
		}
	}
	s.Noise = DefaultNoise
	return s
}

// aaTally counts, over A/A pairs, the pairs with a failure.
type aaTally struct {
	pairs, thresholdOnly, any, latency, stress int
}

func (a *aaTally) add(base, cur *metrics.File, issue, stress *Set) {
	a.pairs++
	plain := *issue
	plain.Noise = Noise{}
	if len(failures(Evaluate(base, cur, &plain))) > 0 {
		a.thresholdOnly++
	}
	any, lat := false, false
	for _, r := range Evaluate(base, cur, issue).Results {
		any = any || r.Status == Fail
		lat = lat || (r.Status == Fail && metrics.IsPercentile(r.Metric))
	}
	a.any += b2i(any)
	a.latency += b2i(lat)
	for _, r := range Evaluate(base, cur, stress).Results {
		if r.Status == Fail {
			a.stress++
			break
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestAAFalseAlarms: A/A pairs of every real run with raw samples or histograms —
// bootstrap resamples and random halves of the whole run, -aa.pairs of each per run
// (fixed seed; `make aa` runs 1,000) — compared noise-aware with the issue's thresholds
// (p95 +25 % with min_delta 5, error rate +2 points), and with every percentile at +1 %
// (stress). A failure in an A/A pair is a false alarm: the share of pairs with one must
// stay at or below alpha = 0.05 (tooMany), where the thresholds alone fail far more.
func TestAAFalseAlarms(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 13))
	issue, stress := realSet(t), stressSet(t)
	var total aaTally
	t.Logf("%-17s %-42s %-9s %6s %9s %8s %8s %8s", "tool", "run", "method", "pairs", "thr.alone", "any", "latency", "stress")
	for _, r := range aaRuns {
		run := loadAARun(t, r.tool, r.file, r.columns, rng)
		for _, bootstrap := range []bool{true, false} {
			var a aaTally
			for range *aaPairs {
				base, cur := aaPair(t, run, bootstrap, rng)
				a.add(base, cur, issue, stress)
			}
			method := "halves"
			if bootstrap {
				method = "bootstrap"
			}
			t.Logf("%-17s %-42s %-9s %6d %9d %8d %8d %8d", r.tool, r.file[strings.Index(r.file, "/")+1:], method, a.pairs, a.thresholdOnly, a.any, a.latency, a.stress)
			for what, n := range map[string]int{"any metric": a.any, "stress": a.stress} {
				if tooMany(n, a.pairs) {
					t.Errorf("%s %s %s: %s fails %d of %d A/A pairs, above alpha 0.05", r.tool, r.file, method, what, n, a.pairs)
				}
			}
			total.pairs += a.pairs
			total.thresholdOnly += a.thresholdOnly
			total.any += a.any
			total.latency += a.latency
			total.stress += a.stress
		}
	}
	t.Logf("all: %d pairs; thresholds alone fail %d (%.1f %%); noise-aware fails %d (%.2f %%), on latency %d (%.2f %%); stress %d (%.2f %%)",
		total.pairs, total.thresholdOnly, pct(total.thresholdOnly, total.pairs), total.any, pct(total.any, total.pairs), total.latency, pct(total.latency, total.pairs), total.stress, pct(total.stress, total.pairs))
	if total.thresholdOnly == 0 {
		t.Error("the thresholds alone never fail these pairs: the test shows nothing")
	}
	if tooMany(total.any, total.pairs) || tooMany(total.stress, total.pairs) {
		t.Errorf("over all pairs, more false alarms than alpha 0.05")
	}
}

// tooMany reports whether n false alarms in so many pairs exceed alpha = 0.05: from 100
// pairs on, the share itself; below (where one pair is already several percent), a count
// that a rate of 0.05 would reach with probability under 0.001.
func tooMany(n, pairs int) bool {
	if pairs >= 100 {
		return float64(n) > 0.05*float64(pairs)
	}
	return n > 0 && 1-stats.BinomCDF(int64(n-1), int64(pairs), 0.05) < 0.001
}

func pct(n, of int) float64 { return 100 * float64(n) / float64(of) }

// TestPower: how often a true 1.3× slowdown of every request is caught, with n = 100
// requests per endpoint on each side (bootstrap resamples of a real baseline run, the
// current side scaled), noise-aware with the issue's thresholds: by the exceedance test
// as compare reads the run (exact counts for raw samples), on the ladder of a normalized
// file, and by the interval rule it replaces; the ceiling is the share of pairs whose p95
// breaches +25 % at all. JMeter gives raw samples; Locust only its percentile columns.
func TestPower(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(2026, 130))
	set := realSet(t)
	type tally struct{ ceiling, direct, ladder, intervals int }
	for _, src := range []struct {
		tool, file, format string
		columns            bool
	}{
		{"JMeter", "real/jmeter-2.13-baseline-run1.jtl", "jmeter-csv", false},
		{"Locust", "locust/locust-2.12.1-baseline-run1.json", "locust-json", true},
	} {
		run := loadAARun(t, src.tool, src.file, src.columns, rng)
		got := map[string]*tally{}
		for _, k := range run.names {
			if strings.Contains(k, "chat") || strings.Contains(k, "rag/query") || strings.Contains(k, "mcp") {
				got[k] = &tally{}
			}
		}
		count := func(base, cur *metrics.File, s *Set, f func(*tally) *int) {
			for _, r := range Evaluate(base, cur, s).Results {
				if tl := got[r.Service]; tl != nil && r.Metric == metrics.P95Latency && r.Status == Fail {
					*f(tl)++
				}
			}
		}
		plain := *set
		plain.Noise = Noise{}
		for range *aaPairs {
			base, cur := &metrics.File{}, &metrics.File{}
			for _, k := range run.names {
				reqs := run.endpoints[k]
				x, y := make([]aaRequest, 100), make([]aaRequest, 100)
				for i := range x {
					x[i], y[i] = reqs[rng.IntN(len(reqs))], reqs[rng.IntN(len(reqs))]
				}
				base.Services = append(base.Services, aaService(k, x, src.columns, 1))
				cur.Services = append(cur.Services, aaService(k, y, src.columns, 1.3))
			}
			count(base, cur, &plain, func(tl *tally) *int { return &tl.ceiling })
			count(base, cur, set, func(tl *tally) *int { return &tl.direct })
			fb, fc := roundTrip(t, base, src.format), roundTrip(t, cur, src.format)
			count(fb, fc, set, func(tl *tally) *int { return &tl.ladder })
			for _, s := range append(fb.Services, fc.Services...) {
				s.LadderMixture = true // forces the interval rule, the one before the exceedance test
			}
			count(fb, fc, set, func(tl *tally) *int { return &tl.intervals })
		}
		n := float64(*aaPairs)
		gain := 0
		for _, k := range slices.Sorted(maps.Keys(got)) {
			tl := got[k]
			t.Logf("power at 1.3×, n = 100, %d pairs, %s %s p95: exceedance %.2f, on a file's ladder %.2f; intervals %.2f; ceiling %.2f",
				*aaPairs, src.tool, k, float64(tl.direct)/n, float64(tl.ladder)/n, float64(tl.intervals)/n, float64(tl.ceiling)/n)
			if tl.ladder > tl.direct || tl.direct > tl.ceiling || tl.ladder < tl.intervals {
				t.Errorf("%s %s: exceedance %d, ladder %d, intervals %d, ceiling %d", src.tool, k, tl.direct, tl.ladder, tl.intervals, tl.ceiling)
			}
			gain += tl.ladder - tl.intervals
		}
		if gain <= 0 {
			t.Errorf("%s: the exceedance test catches nothing more than the intervals", src.tool)
		}
	}
}

// roundTrip passes metrics through a normalized file, as extract-metrics writes it (with
// its metadata: a file without it is read as the Python scripts', whose p95/p99 may be
// estimates).
func roundTrip(t testing.TB, f *metrics.File, format string) *metrics.File {
	f.SetMeta(metrics.MetaKey, metrics.SourceMeta{Formats: []string{format}}.JSON())
	var b strings.Builder
	if err := metrics.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	g, err := metrics.Parse([]byte(b.String()), "pair.json")
	if err != nil {
		t.Fatal(err)
	}
	return g
}
