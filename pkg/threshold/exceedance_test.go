package threshold

import (
	"bytes"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
)

// realSet is the configuration: noise-aware, p95 +25 % with min_delta 5 ms and
// error rate +2 points for every endpoint, no rps check.
func realSet(t testing.TB) *Set {
	c, err := config.Parse([]byte("noise:\n  alpha: 0.05\nthresholds:\n  default:\n    p95_latency_ms: {change: +25%, min_delta: 5}\n    error_rate_pct: +2\n    rps: off\n"), "real.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := Builtin()
	if err := Apply(s, c); err != nil {
		t.Fatal(err)
	}
	return s
}

// loadReal reads a real result file by endpoint; asFile passes it through a normalized
// metrics file as extract-metrics writes it (only the ladder survives, no raw samples).
func loadReal(t testing.TB, path string, asFile bool) *metrics.File {
	f, _, err := metrics.Load([]string{"../../testdata/" + path}, metrics.Options{Format: loadtest.FormatAuto, Mapping: metrics.Mapping{ByEndpoint: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !asFile {
		return f
	}
	var b bytes.Buffer
	if err := metrics.Write(&b, f); err != nil {
		t.Fatal(err)
	}
	g, err := metrics.Parse(b.Bytes(), path+".json")
	if err != nil {
		t.Fatal(err)
	}
	return g
}

var realPairs = []struct {
	tool, baseline, current string
	slowed, unchanged       []string
}{
	{"Locust _stats.csv", "locust/locust-2.12.1-baseline-run1_stats.csv", "locust/locust-2.12.1-regressed-run1_stats.csv",
		[]string{"/v1/chat/completions", "/api/rag/query", "/mcp/tools/execute"}, []string{"/health", "/api/rag/index/status", "/api/items/{id}"}},
	{"Locust histograms", "locust/locust-2.12.1-baseline-run1.json", "locust/locust-2.12.1-regressed-run1.json",
		[]string{"/v1/chat/completions", "/api/rag/query", "/mcp/tools/execute"}, []string{"/health", "/api/rag/index/status", "/api/items/{id}"}},
	{"JMeter", "real/jmeter-2.13-baseline-run1.jtl", "real/jmeter-2.13-regressed-run1.jtl",
		[]string{"POST /v1/chat/completions", "POST /api/rag/query", "POST /mcp/tools/execute"}, []string{"GET /health", "GET /api/rag/index/status", "GET /api/items/{id}"}},
	{"Vegeta", "real/vegeta-12.13.0-baseline-run1-raw.csv", "real/vegeta-12.13.0-regressed-run1-raw.csv",
		[]string{"/v1/chat/completions", "/api/rag/query", "/mcp/tools/execute"}, []string{"/health"}},
	{"Artillery", "real/artillery-2.0.34-baseline-run1.json", "real/artillery-2.0.34-regressed-run1.json",
		[]string{"/v1/chat/completions", "/api/rag/query", "/mcp/tools/execute"}, []string{"/health"}},
}

// TestExceedanceRealPairs is the floor on the real A/B runs of every tool, both as
// compare-performance reads raw results (exact counts) and through normalized files
// (ladders only): the slowed chat, rag query and mcp tools endpoints fail on p95 by the
// exceedance test, and no unchanged endpoint fails on anything.
func TestExceedanceRealPairs(t *testing.T) {
	t.Parallel()
	for _, pair := range realPairs {
		for _, asFile := range []bool{false, true} {
			ev := Evaluate(loadReal(t, pair.baseline, asFile), loadReal(t, pair.current, asFile), realSet(t))
			p95 := map[string]Result{}
			failed := map[string]bool{}
			for _, r := range ev.Results {
				if r.Status == Fail {
					failed[r.Service] = true
				}
				if r.Metric == metrics.P95Latency {
					p95[r.Service] = r
				}
				if r.Evidence != nil && testing.Verbose() {
					t.Logf("%s (file %v) %s %s %s: %+v", pair.tool, asFile, r.Service, r.Metric, r.Status, *r.Evidence)
				}
			}
			for _, s := range pair.slowed {
				r := p95[s]
				if r.Status != Fail || r.Decided() != ExceedanceTest || r.Evidence.Exceedance == nil {
					t.Errorf("%s (file %v): slowed %s p95: %s by %q", pair.tool, asFile, s, r.Status, r.Decided())
					continue
				}
				x := r.Evidence.Exceedance
				exact := !asFile && !strings.HasPrefix(pair.tool, "Locust _") && pair.tool != "Artillery"
				if x.Exact != exact {
					t.Errorf("%s (file %v): %s counted exactly should be %v: %+v", pair.tool, asFile, s, exact, *x)
				}
				if sketch := x.Margin == SketchMargin; sketch != (pair.tool == "Artillery") {
					t.Errorf("%s: sketch margin %v: %+v", pair.tool, sketch, *x)
				}
			}
			for _, s := range pair.unchanged {
				if failed[s] {
					t.Errorf("%s (file %v): unchanged %s fails", pair.tool, asFile, s)
				}
			}
		}
	}
}

// TestCurrentBeyond checks the ladder rule and the exact counts, both ways.
func TestCurrentBeyond(t *testing.T) {
	t.Parallel()
	ladder := metrics.NewService("l")
	ladder.Set(metrics.TotalRequests, 100)
	ladder.Set(metrics.MinLatency, 3)
	ladder.Set(metrics.MaxLatency, 55)
	ladder.Ladder = []loadtest.Point{{Pct: 50, Ms: 10}, {Pct: 90, Ms: 20}, {Pct: 95, Ms: 30}, {Pct: 99, Ms: 40}, {Pct: 100, Ms: 50}}
	var samples []jtlSample
	for ms := int64(1); ms <= 100; ms++ {
		samples = append(samples, jtlSample{ms: ms})
	}
	exact := service("x", samples)
	for _, c := range []struct {
		s     *metrics.Service
		limit float64
		up    bool
		k     int64
		exact bool
	}{
		{ladder, 25, true, 5, false},   // 30 ms at p95: ranks 96…100 are above
		{ladder, 45, true, 1, false},   // only the p100 point (the maximum)
		{ladder, 52, true, 1, false},   // above the ladder: max_latency_ms 55 > 52
		{ladder, 60, true, 0, false},   // nothing above
		{ladder, 15, false, 50, false}, // 10 ms at p50: rank ⌊50·99/100⌋ + 1 = 50 and below
		{ladder, 5, false, 1, false},   // below the ladder: min_latency_ms 3 < 5
		{ladder, 2, false, 0, false},
		{exact, 90, true, 10, true},
		{exact, 90.5, true, 10, true},
		{exact, 11, false, 10, true},
	} {
		k, n, ex := currentBeyond(c.s, c.limit, c.up)
		if k != c.k || n != 100 || ex != c.exact {
			t.Errorf("%s beyond %v (up %v): %d/%d exact %v, want %d/100 exact %v", c.s.Name, c.limit, c.up, k, n, ex, c.k, c.exact)
		}
	}
}

// TestExceedanceBothWays: a current run much slower fails an upward p95 threshold, one
// much faster fails a downward p50 threshold (the mirror image); the run against itself
// passes both; one 4 % slower breaches +1 % but is within noise, and says so.
func TestExceedanceBothWays(t *testing.T) {
	t.Parallel()
	run := jtlSamples(t, "jmeter-2.13-baseline-run1.jtl")["POST /v1/chat/completions"]
	scaled := func(f float64) []jtlSample {
		out := make([]jtlSample, len(run))
		for i, s := range run {
			out[i] = jtlSample{ms: int64(float64(s.ms) * f), failed: s.failed}
		}
		return out
	}
	file := func(s []jtlSample) *metrics.File {
		return &metrics.File{Services: []*metrics.Service{service("chat", s)}}
	}
	set := func(expr, metric string) *Set { // one threshold: metric=expr
		s := Builtin()
		for _, f := range []string{"default.p95_latency_ms=off", "default.error_rate_pct=off", "default.rps=off", "default." + metric + "=" + expr} {
			if err := s.ParseFlag(f); err != nil {
				t.Fatal(err)
			}
		}
		s.Noise = DefaultNoise
		return s
	}
	for _, c := range []struct {
		name, metric, expr string
		factor             float64
		status             Status
		decided            Rule
		up                 bool
		pct, v             float64
	}{
		{"slower", metrics.P95Latency, "+10%", 1.5, Fail, ExceedanceTest, true, 95, 80},
		{"faster", metrics.MedianLatency, "-10%", 0.5, Fail, ExceedanceTest, false, 50, 53},
		{"same up", metrics.P95Latency, "+10%", 1, Pass, NoRule, false, 0, 0},
		{"same down", metrics.MedianLatency, "-10%", 1, Pass, NoRule, false, 0, 0},
		{"4 % slower", metrics.P95Latency, "+1%", 1.04, Warn, ExceedanceTest, true, 95, 80},
	} {
		ev := Evaluate(file(run), file(scaled(c.factor)), set(c.expr, c.metric))
		if len(ev.Results) != 1 {
			t.Fatalf("%s: %d results", c.name, len(ev.Results))
		}
		r := ev.Results[0]
		if r.Status != c.status || r.Decided() != c.decided {
			t.Errorf("%s: %s by %q", c.name, r.Status, r.Decided())
		}
		if c.decided == NoRule {
			continue
		}
		if x := r.Evidence.Exceedance; x == nil || x.Up != c.up || x.Pct != c.pct || x.V != c.v || r.Evidence.Significant != (c.status == Fail) {
			t.Errorf("%s: evidence %+v", c.name, r.Evidence)
		}
	}
}

// TestMixtureKeepsIntervals: with the seed's service rules, several Locust rows merge into
// one service whose ladder is a mixture, not order statistics: the intervals decide and
// the evidence says why. Endpoint rows and raw samples are not mixtures.
func TestMixtureKeepsIntervals(t *testing.T) {
	t.Parallel()
	load := func(path string, m metrics.Mapping) *metrics.File {
		f, _, err := metrics.Load([]string{"../../testdata/" + path}, metrics.Options{Mapping: m})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := load("locust/locust-2.12.1-baseline-run1_stats.csv", metrics.Mapping{})
	cur := load("locust/locust-2.12.1-regressed-run1_stats.csv", metrics.Mapping{})
	if api := base.Service("api_gateway"); api == nil || !api.LadderMixture {
		t.Fatalf("api_gateway merges several Locust rows but is not marked a mixture: %+v", api)
	}
	if mcp := base.Service("mcp_server"); mcp == nil || mcp.LadderMixture {
		t.Fatalf("mcp_server is one row, marked a mixture: %+v", mcp)
	}
	ev := Evaluate(base, cur, realSet(t))
	tested := map[Rule]bool{}
	for _, r := range ev.Results {
		if r.Metric != metrics.P95Latency || r.Evidence == nil || r.Decided() == MinRequests || r.Decided() == MinDelta {
			continue
		}
		mixture := base.Service(r.Service).LadderMixture
		tested[r.Decided()] = true
		intervals := r.Decided() == Significance && r.Evidence.Interval != nil && r.Evidence.Interval.Mixed && r.Evidence.Interval.Pct == 95
		if mixture != intervals || (!mixture && r.Decided() != ExceedanceTest) {
			t.Errorf("%s (mixture %v): %s by %q: %+v", r.Service, mixture, r.Status, r.Decided(), *r.Evidence)
		}
	}
	if !tested[Significance] || !tested[ExceedanceTest] {
		t.Errorf("want p95 breaches of both kinds, got %v", tested)
	}
	for _, f := range []*metrics.File{
		load("locust/locust-2.12.1-baseline-run1_stats.csv", metrics.Mapping{ByEndpoint: true}),
		load("real/jmeter-2.13-baseline-run1.jtl", metrics.Mapping{}),
	} {
		for _, s := range f.Services {
			if s.LadderMixture {
				t.Errorf("%s: marked a mixture", s.Name)
			}
		}
	}
}
