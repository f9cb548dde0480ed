package report

import (
	"testing"

	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// result evaluates one threshold on two one-service files, as compare-performance does.
func result(t *testing.T, expr string, base, cur *metrics.Service, noise bool) threshold.Result {
	t.Helper()
	set := &threshold.Set{WarnRatio: threshold.DefaultWarnRatio, Services: map[string][]threshold.Threshold{}}
	if err := set.ParseFlag("svc." + expr); err != nil {
		t.Fatal(err)
	}
	if noise {
		set.Noise = threshold.DefaultNoise
	}
	ev := threshold.Evaluate(&metrics.File{Services: []*metrics.Service{base}}, &metrics.File{Services: []*metrics.Service{cur}}, set)
	return ev.Results[0]
}

func svc(kv ...any) *metrics.Service {
	s := metrics.NewService("svc")
	for i := 0; i+1 < len(kv); i += 2 {
		s.Set(kv[i].(string), kv[i+1].(float64))
	}
	return s
}

// TestReasons: the verdict of each kind of threshold at each level, in words.
func TestReasons(t *testing.T) {
	t.Parallel()
	est := func(s *metrics.Service) *metrics.Service { s.Estimated = []string{metrics.P95Latency}; return s }
	zero := svc(metrics.AvgLatency, 150.0)
	zero.PythonZero = map[string]float64{metrics.P95Latency: 150}
	for _, tc := range []struct {
		name, expr string
		base, cur  *metrics.Service
		reason     string
		note       string
	}{
		{"relative fail", "p95_latency_ms=+50%", svc(metrics.P95Latency, 450.0), svc(metrics.P95Latency, 750.0), "+66.7% is beyond +50%", ""},
		{"relative warn", "p95_latency_ms=+50%", svc(metrics.P95Latency, 3000.0), svc(metrics.P95Latency, 4200.0), "+40.0% is beyond the warning level +37.5% of +50%", ""},
		{"relative pass down", "rps=-30%", svc(metrics.RPS, 50.0), svc(metrics.RPS, 45.0), "-10.0% is within -30%", ""},
		{"absolute fail", "error_rate_pct=+0.5", svc(metrics.ErrorRate, 0.5), svc(metrics.ErrorRate, 2.0), "+1.5 is beyond +0.5", ""},
		{"absolute pass", "error_rate_pct=+0.5", svc(metrics.ErrorRate, 0.5), svc(metrics.ErrorRate, 0.4), "-0.1 is within +0.5", ""},
		{"max fail", "sandbox_violations=max:0", svc(), svc("sandbox_violations", 1.0), "1 is above max 0", ""},
		{"min pass", "rps=min:10", svc(), svc(metrics.RPS, 12.5), "12.5 is within min 10", ""},
		{"python zero", "p95_latency_ms=+50%", svc(metrics.P95Latency, 210.0), zero, "not in the current results (0 next to an average of 150 ms: a percentile the Python scripts could not compute)", ""},
		{"neither", "qdrant_timeout_rate_pct=+0.1", svc(), svc(), "in neither the baseline nor the current results", ""},
		{"zero baseline", "p95_latency_ms=+50%", svc(metrics.P95Latency, 0.0), svc(metrics.P95Latency, 5.0), "relative threshold against a baseline of 0", ""},
		{"no average", "p95_latency_ms=+50%", est(svc(metrics.AvgLatency, 150.0, metrics.P95Latency, 210.0)), svc(metrics.P95Latency, 300.0),
			"estimated from the average on one side, and the current run has no average to estimate it alike from", ""},
		{"estimate vs measured", "p95_latency_ms=+50%", est(svc(metrics.AvgLatency, 46.958, metrics.P95Latency, 65.0)), svc(metrics.AvgLatency, 93.916, metrics.P95Latency, 120.0),
			"+101.5% is beyond +50%", "baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 93.92 (its measured 120 is not comparable with an estimate)"},
		{"estimate vs missing", "p95_latency_ms=+50%", est(svc(metrics.AvgLatency, 150.0, metrics.P95Latency, 210.0)), svc(metrics.AvgLatency, 200.0),
			"+33.3% is within +50%", "baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 200 (it had no p95)"},
		{"measured vs estimate", "p95_latency_ms=+50%", svc(metrics.AvgLatency, 100.0, metrics.P95Latency, 300.0), est(svc(metrics.AvgLatency, 150.0, metrics.P95Latency, 210.0)),
			"+50.0% is beyond the warning level +37.5% of +50%", "current run: an estimate from its average (no measured percentile); baseline: estimated alike from its average 100 (its measured 300 is not comparable with an estimate)"},
		{"both estimates", "p95_latency_ms=+50%", est(svc(metrics.AvgLatency, 100.0, metrics.P95Latency, 140.0)), est(svc(metrics.AvgLatency, 100.0, metrics.P95Latency, 140.0)),
			"+0.0% is within +50%", "both sides estimated from their averages (neither input had percentiles)"},
	} {
		r := result(t, tc.expr, tc.base, tc.cur, false)
		if got := Reason(r); got != tc.reason {
			t.Errorf("%s: Reason = %q, want %q", tc.name, got, tc.reason)
		}
		if got := EstimateNote(r); got != tc.note {
			t.Errorf("%s: EstimateNote = %q, want %q", tc.name, got, tc.note)
		}
	}
}

// TestEvidenceWords: each rule of the noise-aware mode, in words, with the reason of a
// failure it turned into a warning.
func TestEvidenceWords(t *testing.T) {
	t.Parallel()
	few := svc(metrics.P95Latency, 100.0, metrics.TotalRequests, 12.0)
	runs := svc(metrics.P95Latency, 100.0, metrics.TotalRequests, 500.0)
	runs.Runs = map[string][]float64{metrics.P95Latency: {100, 130, 115}}
	failing := func(p95, n, fails float64) *metrics.Service {
		return svc(metrics.P95Latency, p95, metrics.TotalRequests, n, metrics.TotalFailures, fails, metrics.ErrorRate, metrics.ErrorRatePct(int64(n), int64(fails)))
	}
	for _, tc := range []struct {
		name, expr       string
		base, cur        *metrics.Service
		evidence, reason string
	}{
		{"min_requests", "p95_latency_ms=+50%", few, svc(metrics.P95Latency, 300.0, metrics.TotalRequests, 12.0),
			"n 12 → 12; only 12 requests (min_requests 30)", "only 12 requests (min_requests 30) (the threshold alone would fail: +200.0% is beyond +50%)"},
		{"baseline runs", "p95_latency_ms=+50%", runs, svc(metrics.P95Latency, 155.0, metrics.TotalRequests, 500.0),
			"n 500 → 500; within noise: 155 is inside the 3 baseline runs' range [100, 130] widened by its spread 30", "within noise: 155 is inside the 3 baseline runs' range [100, 130] widened by its spread 30 (the threshold alone would fail: +55.0% is beyond +50%)"},
		{"no distribution", "p95_latency_ms=+50%", svc(metrics.P95Latency, 100.0, metrics.TotalRequests, 500.0), svc(metrics.P95Latency, 300.0, metrics.TotalRequests, 500.0),
			"n 500 → 500; no distribution on both sides: threshold alone", "+200.0% is beyond +50%"},
		{"error rate significant", "error_rate_pct=+2", failing(1, 1000, 5), failing(1, 1000, 80),
			"n 1000 → 1000; 5/1000 → 80/1000 failed, Fisher's exact test p = < 0.0001 < alpha 0.05", "+7.5 is beyond +2"},
		{"error rate within noise", "error_rate_pct=+2", failing(1, 40, 0), failing(1, 40, 2),
			"n 40 → 40; 0/40 → 2/40 failed, Fisher's exact test p = 0.2468; within noise: Fisher's exact test p = 0.2468 ≥ alpha 0.05", "within noise: Fisher's exact test p = 0.2468 ≥ alpha 0.05 (the threshold alone would fail: +5 is beyond +2)"},
	} {
		r := result(t, tc.expr, tc.base, tc.cur, true)
		if got := Evidence(r); got != tc.evidence {
			t.Errorf("%s: Evidence = %q, want %q", tc.name, got, tc.evidence)
		}
		if got := Reason(r); got != tc.reason {
			t.Errorf("%s: Reason = %q, want %q", tc.name, got, tc.reason)
		}
	}
}

// TestMinDeltaWords: min_delta (a per-threshold setting) in words.
func TestMinDeltaWords(t *testing.T) {
	t.Parallel()
	th, err := threshold.ParseChange(metrics.P95Latency, "+50%")
	if err != nil {
		t.Fatal(err)
	}
	th.MinDelta, th.HasMinDelta = 5, true
	set := &threshold.Set{WarnRatio: threshold.DefaultWarnRatio, Default: []threshold.Threshold{th}, Noise: threshold.DefaultNoise}
	base, cur := svc(metrics.P95Latency, 2.0, metrics.TotalRequests, 500.0), svc(metrics.P95Latency, 4.0, metrics.TotalRequests, 500.0)
	r := threshold.Evaluate(&metrics.File{Services: []*metrics.Service{base}}, &metrics.File{Services: []*metrics.Service{cur}}, set).Results[0]
	if got, want := Evidence(r), "n 500 → 500; a change of 2 is below min_delta 5"; got != want {
		t.Errorf("Evidence = %q, want %q", got, want)
	}
	if got, want := Reason(r), "a change of 2 is below min_delta 5 (the threshold alone would fail: +100.0% is beyond +50%)"; got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
}

// TestExceedanceWords: the exceedance test's evidence, counted exactly or bounded, with a
// sketch margin, significant or within noise.
func TestExceedanceWords(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		x    threshold.Exceedance
		sig  bool
		want string
	}{
		{threshold.Exceedance{Up: true, Pct: 95, V: 84, Margin: 1, K: 68, Nc: 198, Expected: 10.8, P: 4e-15}, true,
			"n 219 → 198; ≥ 68/198 current requests above the baseline p95 84 ms (10.8 expected if unchanged), p = 4e-15 < alpha 0.05/14 = 0.00357"},
		{threshold.Exceedance{Up: true, Pct: 95, V: 150, Margin: threshold.SketchMargin, K: 75, Nc: 150, Exact: true, Expected: 7.5, P: 1e-19}, true,
			"n 219 → 198; 75/150 current requests above the baseline p95 150 ms × 1.0202 (sketch error) (7.5 expected if unchanged), p = 1e-19 < alpha 0.05/14 = 0.00357"},
		{threshold.Exceedance{Pct: 50, V: 53, Margin: 1, K: 9, Nc: 100, Exact: true, Expected: 5.2, P: 0.08}, false,
			"n 219 → 198; 9/100 current requests below the baseline p50 53 ms (5.2 expected if unchanged), p = 0.08; within noise: exceedance test p = 0.08 ≥ alpha 0.05/14 = 0.00357"},
	} {
		x := tc.x
		r := threshold.Result{Status: threshold.Fail, Evidence: &threshold.Evidence{Rule: threshold.ExceedanceTest, Nb: 219, Nc: 198, Alpha: 0.05, Each: 0.05 / 14, P: x.P, Significant: tc.sig, Exceedance: &x}}
		if got := Evidence(r); got != tc.want {
			t.Errorf("Evidence =\n %q\nwant\n %q", got, tc.want)
		}
	}
	b := threshold.Broken{Service: "api_gateway", FailPct: 24.0 / 27 * 100, TooManyFail: true, Requests: 27, MinRequests: 30, TooFew: true}
	if got, want := BrokenNote(b), "api_gateway: the baseline had 88.9 % failures: its latencies describe errors, not the service; the baseline had only 27 requests (min_requests 30): too few to describe the service"; got != want {
		t.Errorf("BrokenNote = %q", got)
	}
}
