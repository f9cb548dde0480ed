package threshold

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/metrics"
)

func svc(name string, kv ...any) *metrics.Service {
	s := metrics.NewService(name)
	for i := 0; i+1 < len(kv); i += 2 {
		s.Set(kv[i].(string), toF(kv[i+1]))
	}
	return s
}

func toF(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	}
	panic(v)
}

func one(t *testing.T, th string, base, cur float64) Result {
	t.Helper()
	var tr Threshold
	var err error
	switch {
	case strings.HasPrefix(th, "max:"):
		tr, err = ParseBound("m", Max, th[4:])
	case strings.HasPrefix(th, "min:"):
		tr, err = ParseBound("m", Min, th[4:])
	default:
		tr, err = ParseChange("m", th)
	}
	if err != nil {
		t.Fatal(err)
	}
	return evaluate(svc("s", "m", base), svc("s", "m", cur), tr, DefaultWarnRatio)
}

// TestVerdictBoundaries: exactly at the threshold passes, just above fails; exactly at the
// warning level passes, just above warns — in both directions and for every kind.
func TestVerdictBoundaries(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		threshold string
		base, cur float64
		want      Status
	}{
		// The seed README's examples.
		{"p95 450→750 (+66.7%)", "+50%", 450, 750, Fail},
		{"p95 3000→4200 (+40%)", "+50%", 3000, 4200, Warn},
		{"p95 +30%", "+50%", 1000, 1300, Pass},
		{"error rate 0.5→2.0 (+1.5 points)", "+0.5", 0.5, 2.0, Fail},
		{"rps -25%", "-30%", 100, 75, Warn},
		{"rps -35%", "-30%", 100, 65, Fail},
		{"sandbox violations 0→1", "max:0", 0, 1, Fail},
		{"sandbox violations 0→0", "max:0", 0, 0, Pass},
		// Relative, increase is bad: fail limit +50%, warn level +37.5%.
		{"at +50%", "+50%", 450, 675, Warn}, // exactly at the fail limit is no failure; it is beyond the warning level
		{"just above +50%", "+50%", 450, 675.01, Fail},
		{"at +37.5%", "+50%", 400, 550, Pass},
		{"just above +37.5%", "+50%", 400, 550.01, Warn},
		{"improvement", "+50%", 400, 100, Pass},
		// Relative, decrease is bad.
		{"at -30%", "-30%", 100, 70, Warn},
		{"just below -30%", "-30%", 100, 69.99, Fail},
		{"at -22.5%", "-30%", 100, 77.5, Pass},
		{"just below -22.5%", "-30%", 100, 77.49, Warn},
		{"rps up", "-30%", 100, 500, Pass},
		// Absolute, in the metric's unit.
		{"at +0.5 points", "+0.5", 0.5, 1.0, Warn},
		{"just above +0.5 points", "+0.5", 0.5, 1.0001, Fail},
		{"at +0.375 points", "+0.5", 0.5, 0.875, Pass},
		{"just above +0.375 points", "+0.5", 0.5, 0.8751, Warn},
		{"absolute from 0", "+0.5", 0, 0.3, Pass},
		{"absolute decrease bad", "-10", 100, 90, Warn},
		{"absolute decrease beyond", "-10", 100, 89.9, Fail},
		// Bounds need no baseline and do not warn unless told.
		{"at max", "max:500", 100, 500, Pass},
		{"above max", "max:500", 100, 500.1, Fail},
		{"at min", "min:10", 50, 10, Pass},
		{"below min", "min:10", 50, 9.9, Fail},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := one(t, tc.threshold, tc.base, tc.cur)
			if r.Status != tc.want {
				t.Errorf("%s: %v → %v is %v (level %v, value %v), want %v", tc.threshold, tc.base, tc.cur, r.Status, r.Level, r.Value, tc.want)
			}
		})
	}
}

func TestExplicitWarn(t *testing.T) {
	t.Parallel()
	tr, _ := ParseChange("m", "+50%")
	if err := tr.ParseWarn("+10%"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		cur  float64
		want Status
	}{{110, Pass}, {111, Warn}, {150, Warn}, {151, Fail}} {
		if r := evaluate(svc("s", "m", 100), svc("s", "m", tc.cur), tr, DefaultWarnRatio); r.Status != tc.want {
			t.Errorf("100→%v: %v, want %v", tc.cur, r.Status, tc.want)
		}
	}
	b, _ := ParseBound("m", Max, "500")
	if err := b.ParseWarn("400"); err != nil {
		t.Fatal(err)
	}
	if r := evaluate(svc("s"), svc("s", "m", 450), b, DefaultWarnRatio); r.Status != Warn || r.HasBaseline {
		t.Errorf("450 against max 500 warn 400: %+v", r)
	}
	for _, bad := range []struct{ th, warn string }{{"+50%", "+60%"}, {"+50%", "-10%"}, {"+50%", "+0.2"}} {
		tr, _ := ParseChange("m", bad.th)
		if err := tr.ParseWarn(bad.warn); err == nil {
			t.Errorf("warn %s for %s accepted", bad.warn, bad.th)
		}
	}
}

func TestNotCompared(t *testing.T) {
	t.Parallel()
	base := svc("api", metrics.AvgLatency, 150, metrics.P95Latency, 210, "zero", 0, metrics.P99Latency, 255)
	base.Estimated = []string{metrics.P99Latency}
	cur := svc("api", metrics.AvgLatency, 200, "zero", 5, metrics.P99Latency, 300)
	cur.PythonZero = map[string]float64{metrics.P95Latency: 200}
	p95, _ := ParseChange(metrics.P95Latency, "+50%")
	zero, _ := ParseChange("zero", "+50%")
	absent, _ := ParseChange("qdrant_timeout_rate_pct", "+0.1")
	for _, tc := range []struct {
		th         Threshold
		skip       Skip
		pythonZero float64
	}{
		{p95, NotInCurrent, 200},
		{zero, ZeroBaseline, 0},
		{absent, InNeither, 0},
	} {
		r := evaluate(base, cur, tc.th, DefaultWarnRatio)
		if r.Status != NotCompared || r.Skip != tc.skip || r.PythonZero != tc.pythonZero {
			t.Errorf("%s: %v skip %v (Python zero %v), want not compared, %v (%v)", tc.th.Metric, r.Status, r.Skip, r.PythonZero, tc.skip, tc.pythonZero)
		}
	}
}

// TestEstimatesComparedLikeWithLike: an estimated percentile (a Python-written baseline)
// is compared with the other side estimated alike from its average, never skipped
// (README: "Estimated percentiles keep gating").
func TestEstimatesComparedLikeWithLike(t *testing.T) {
	t.Parallel()
	p95, _ := ParseChange(metrics.P95Latency, "+50%")
	p99, _ := ParseChange(metrics.P99Latency, "+50%")
	estimated := func(s *metrics.Service, fields ...string) *metrics.Service { s.Estimated = fields; return s }
	for _, tc := range []struct {
		name      string
		base, cur *metrics.Service
		th        Threshold
		status    Status
		b, c      float64
		est       Estimate
	}{
		// int(1.4 × 46.958) = 65 against a current average doubled to 93.9: int(131.46) = 131.
		{"python baseline vs measured", estimated(svc("api", metrics.AvgLatency, 46.958, metrics.P95Latency, 65), metrics.P95Latency),
			svc("api", metrics.AvgLatency, 93.916, metrics.P95Latency, 120), p95, Fail, 65, 131,
			Estimate{BaselineHeld: true, OtherAvg: 93.916, OtherMeasured: 120, HadOther: true}},
		{"python baseline vs missing", estimated(svc("api", metrics.AvgLatency, 150, metrics.P95Latency, 210), metrics.P95Latency),
			svc("api", metrics.AvgLatency, 200), p95, Pass, 210, 280,
			Estimate{BaselineHeld: true, OtherAvg: 200}},
		{"measured baseline vs estimated current", svc("api", metrics.AvgLatency, 100, metrics.P99Latency, 300),
			estimated(svc("api", metrics.AvgLatency, 150, metrics.P99Latency, 255), metrics.P99Latency), p99, Warn, 170, 255,
			Estimate{OtherAvg: 100, OtherMeasured: 300, HadOther: true}},
		{"both estimated", estimated(svc("api", metrics.AvgLatency, 100, metrics.P95Latency, 140), metrics.P95Latency),
			estimated(svc("api", metrics.AvgLatency, 100, metrics.P95Latency, 140), metrics.P95Latency), p95, Pass, 140, 140,
			Estimate{Both: true, BaselineHeld: true}},
	} {
		r := evaluate(tc.base, tc.cur, tc.th, DefaultWarnRatio)
		if r.Status != tc.status || r.Estimate == nil || r.Baseline != tc.b || r.Current != tc.c || *r.Estimate != tc.est {
			t.Errorf("%s: %v %v → %v estimate %+v\nwant %v %v → %v %+v", tc.name, r.Status, r.Baseline, r.Current, r.Estimate, tc.status, tc.b, tc.c, tc.est)
		}
	}
	// Nothing to estimate from: not compared, with the reason.
	r := evaluate(estimated(svc("api", metrics.AvgLatency, 150, metrics.P95Latency, 210), metrics.P95Latency), svc("api", metrics.P95Latency, 300), p95, DefaultWarnRatio)
	if r.Status != NotCompared || r.Skip != NoAverage || !r.Estimate.BaselineHeld {
		t.Errorf("no average: %v %v %+v", r.Status, r.Skip, r.Estimate)
	}
}

func TestEvaluateServicesAndOrder(t *testing.T) {
	t.Parallel()
	base := &metrics.File{Services: []*metrics.Service{
		svc("mcp_server", metrics.P95Latency, 100, metrics.ErrorRate, 0),
		svc("gone", metrics.P95Latency, 1),
		svc("api_gateway", metrics.P95Latency, 450, metrics.ErrorRate, 0.5, metrics.RPS, 50),
	}}
	cur := &metrics.File{Services: []*metrics.Service{
		svc("api_gateway", metrics.P95Latency, 750, metrics.ErrorRate, 2.0, metrics.RPS, 45),
		svc("mcp_server", metrics.P95Latency, 100, metrics.ErrorRate, 0, "sandbox_violations", 1),
		svc("new", metrics.P95Latency, 1),
	}}
	ev := Evaluate(base, cur, Builtin())
	var got []string
	for _, r := range ev.Results {
		got = append(got, r.Service+" "+r.Metric+" "+r.Status.String())
	}
	want := []string{
		"mcp_server p95_latency_ms pass", "mcp_server error_rate_pct pass", "mcp_server sandbox_violations fail",
		"api_gateway p95_latency_ms fail", "api_gateway error_rate_pct fail", "api_gateway rps pass",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]MissingService{{"gone", BaselineOnly}, {"new", CurrentOnly}}, ev.Missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if ev.Common != 2 || ev.Compared() != 6 || ev.Count(Fail) != 3 {
		t.Errorf("common %d compared %d fails %d", ev.Common, ev.Compared(), ev.Count(Fail))
	}
}

func TestBuiltinNamesMetricsThatExist(t *testing.T) {
	t.Parallel()
	// Defect 6: rag_service/mcp_server thresholds named query_p95_ms/tool_p95_ms.
	for svc, ts := range Builtin().Services {
		if ts[0].Metric != metrics.P95Latency || ts[1].Metric != metrics.ErrorRate || ts[1].Kind != Absolute {
			t.Errorf("%s: %+v", svc, ts[:2])
		}
	}
}

func TestConfigAndFlags(t *testing.T) {
	t.Parallel()
	c, err := config.Parse([]byte(`thresholds:
  warn_ratio: 0.5
  default:
    p95_latency_ms: +25%
    rps: off
  api_gateway:
    error_rate_pct: {change: +1, warn: +0.2}
  checkout:
    query_p95_ms: {max: 800, warn: 600}
`), "perfgate.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := Builtin()
	if err := Apply(s, c); err != nil {
		t.Fatal(err)
	}
	if err := s.ParseFlag("/v1/chat.completions.p99_latency_ms=+40%"); err != nil {
		t.Fatal(err)
	}
	exprs := func(svc string) []string {
		var out []string
		for _, t := range s.For(svc) {
			out = append(out, t.Metric+" "+t.Expr)
		}
		return out
	}
	if s.WarnRatio != 0.5 {
		t.Errorf("warn ratio %v", s.WarnRatio)
	}
	for _, tc := range []struct {
		svc  string
		want []string
	}{
		{"other", []string{"p95_latency_ms +25%", "error_rate_pct +0.5"}},
		{"api_gateway", []string{"p95_latency_ms +50%", "error_rate_pct +1", "rps -30%"}},
		{"checkout", []string{"p95_latency_ms max 800", "error_rate_pct +0.5"}},
		{"/v1/chat.completions", []string{"p95_latency_ms +25%", "error_rate_pct +0.5", "p99_latency_ms +40%"}},
	} {
		if diff := cmp.Diff(tc.want, exprs(tc.svc)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.svc, diff)
		}
	}
	for _, tc := range []struct{ doc, want string }{
		{"thresholds:\n  default:\n    p95_latency_ms: 50%\n", `perfgate.yml:3: thresholds.default.p95_latency_ms: "50%": want a signed change such as +50%, -30%, +0.5 or -10 (the sign says which direction is a regression)`},
		{"thresholds:\n  default:\n    p95_latency_ms: +fast%\n", `perfgate.yml:3: thresholds.default.p95_latency_ms: "+fast%": "fast" is not a non-negative number`},
		{"thresholds:\n  api:\n    rps: {change: -30%, wran: -20%}\n", `perfgate.yml:3: thresholds.api.rps: unknown key "wran" (known: change, max, min, warn, min_delta)`},
		{"thresholds:\n  api:\n    rps: {max: 1, min: 0}\n", `perfgate.yml:3: thresholds.api.rps: want exactly one of change, max, min`},
		{"thresholds:\n  warn_ratio: 2\n", `perfgate.yml:2: thresholds.warn_ratio: want a number in (0, 1], got "2"`},
		{"thresholds:\n  api: +50%\n", `perfgate.yml:2: thresholds.api: want a mapping of metric to threshold, e.g. p95_latency_ms: +50%`},
		{"thresholds:\n  api:\n    rps:\n      change: -30%\n      warn: -40%\n", `perfgate.yml:5: thresholds.api.rps.warn: warn "-40%" is beyond the threshold "-30%"`},
	} {
		// The structure is checked when the file is read, the values when applied.
		c, err := config.Parse([]byte(tc.doc), "perfgate.yml")
		if err == nil {
			err = Apply(Builtin(), c)
		}
		if err == nil || err.Error() != tc.want {
			t.Errorf("\n got: %v\nwant: %s", err, tc.want)
		}
	}
	for _, bad := range []string{"p95=+50%", "api.p95_latency_ms", "api.=+5%", "api.rps=30%", "api.rps=max:x"} {
		if err := Builtin().ParseFlag(bad); err == nil {
			t.Errorf("--threshold %q accepted", bad)
		}
	}
}

// TestNoiseAwareEstimates: in the noise-aware mode an estimate from the average is
// judged by its threshold alone (it is no order statistic), and says so.
func TestNoiseAwareEstimates(t *testing.T) {
	t.Parallel()
	base := svc("api", metrics.AvgLatency, 46.958, metrics.P95Latency, 65, metrics.TotalRequests, 829)
	base.Estimated = []string{metrics.P95Latency}
	cur := svc("api", metrics.AvgLatency, 93.916, metrics.P95Latency, 120, metrics.TotalRequests, 623)
	set := &Set{WarnRatio: DefaultWarnRatio, Noise: DefaultNoise, Default: []Threshold{mustChange(metrics.P95Latency, "+50%")}}
	ev := Evaluate(&metrics.File{Services: []*metrics.Service{base}}, &metrics.File{Services: []*metrics.Service{cur}}, set)
	r := ev.Results[0]
	if r.Status != Fail || r.Decided() != ThresholdOnly || r.Evidence.Alone != EstimatesOnly {
		t.Errorf("%v %v %+v", r.Status, r.Decided(), r.Evidence)
	}
}
