package metrics

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// TestPercentileEstimatedOnlyWithoutAny: p95/p99 are estimated from the average only when
// an input has no percentile at all; a percentile missing next to others is left out,
// and an estimate never breaks median ≤ p95 ≤ p99 ≤ max (issue 17, item 1).
func TestPercentileEstimatedOnlyWithoutAny(t *testing.T) {
	t.Parallel()
	// k6's default summary: p90 and p95, no p99. int(1.7 × 61.2) = 104 would be below
	// its p95 of 140.7.
	f, _ := load(t, Mapping{ByEndpoint: true}, "loadtest/k6-0.49-summary-export-default-trend-stats.json")
	k6 := f.Service("all")
	if p95, _ := k6.Get(P95Latency); p95 != 140.7 {
		t.Errorf("k6 p95 %v, want 140.7", p95)
	}
	if p99, ok := k6.Get(P99Latency); ok || len(k6.Estimated) != 0 {
		t.Errorf("k6 p99 %v (estimated %v): want it missing", p99, k6.Estimated)
	}
	if !cmp.Equal(k6.Ladder, []loadtest.Point{{Pct: 50, Ms: 48.1}, {Pct: 90, Ms: 92.5}, {Pct: 95, Ms: 140.7}}) {
		t.Errorf("k6 ladder %v", k6.Ladder)
	}

	// JMeter's dashboard with other percentile settings: its percentiles are of unknown
	// rank, so neither p95 nor p99 is known, and neither is estimated.
	f, _ = load(t, Mapping{ByEndpoint: true}, "loadtest/jmeter-5.6-statistics-pct-99-95-90.json")
	for _, s := range f.Services {
		_, has95 := s.Get(P95Latency)
		_, has99 := s.Get(P99Latency)
		if has95 || has99 || len(s.Estimated) != 0 {
			t.Errorf("%s: p95 %v p99 %v estimated %v", s.Name, has95, has99, s.Estimated)
		}
	}

	// Gatling's stats.json has percentiles 50/75/95/99 (its defaults): all measured.
	acc := &Accumulator{}
	acc.Add(loadtest.Row{Name: "x", Requests: 10, HasAvg: true, AvgMs: 61, HasMedian: true, MedianMs: 48, HasMinMax: true, MinMs: 21, MaxMs: 488,
		Ladder: []loadtest.Point{{Pct: 50, Ms: 48}, {Pct: 75, Ms: 62}, {Pct: 95, Ms: 140}, {Pct: 99, Ms: 310}}})
	if s := acc.Service("x"); len(s.Estimated) != 0 || !has(s, P95Latency, 140) || !has(s, P99Latency, 310) {
		t.Errorf("gatling-like: %v, estimated %v", values(s), s.Estimated)
	}

	// No percentile at all (the seed's old-style Locust CSV; a k6 summary with only
	// avg/min/med/max): estimated, within the median and the maximum. Requests that took
	// about the same time: int(1.7 × 100) = 170 is above the max 105, so p99 is 105;
	// int(1.4 × 100) = 140 too.
	for _, ladder := range [][]loadtest.Point{nil, {{Pct: 50, Ms: 100}}} {
		acc = &Accumulator{}
		acc.Add(loadtest.Row{Name: "x", Requests: 10, HasAvg: true, AvgMs: 100, HasMedian: true, MedianMs: 100, HasMinMax: true, MinMs: 95, MaxMs: 105, Ladder: ladder})
		s := acc.Service("x")
		if !has(s, P95Latency, 105) || !has(s, P99Latency, 105) || !cmp.Equal(s.Estimated, []string{P95Latency, P99Latency}) {
			t.Errorf("ladder %v: %v, estimated %v", ladder, values(s), s.Estimated)
		}
	}
	// A median above int(1.4 × avg) (most requests slow, a few very fast): p95 is the median.
	acc = &Accumulator{}
	acc.Add(loadtest.Row{Name: "x", Requests: 10, HasAvg: true, AvgMs: 50, HasMedian: true, MedianMs: 90, HasMinMax: true, MinMs: 1, MaxMs: 100})
	if s := acc.Service("x"); !has(s, P95Latency, 90) || !has(s, P99Latency, 90) {
		t.Errorf("median bound: %v", values(s))
	}
	if v, bounded, ok := EstimateFrom(acc.Service("x"), P99Latency); v != 90 || !bounded || !ok {
		t.Errorf("EstimateFrom = %v, %v, %v", v, bounded, ok)
	}
}

func has(s *Service, field string, want float64) bool {
	v, ok := s.Get(field)
	return ok && v == want
}

// TestJMeterStatisticsDuration: the duration recorded for the comparability check is the
// dashboard's own (92 s), not Σ requests / Σ per-label throughput (0.16 s).
func TestJMeterStatisticsDuration(t *testing.T) {
	t.Parallel()
	f, info := load(t, Mapping{ByEndpoint: true}, "loadtest/jmeter-5.6-statistics-one-sample-per-label.json")
	if info.DurationS < 91.999999 || info.DurationS > 92.000001 {
		t.Errorf("duration %v s, want 92", info.DurationS)
	}
	if src, ok := f.Source(); !ok || src.DurationS != info.DurationS {
		t.Errorf("_perfgate %+v", src)
	}
	if len(f.Services) != 5 {
		t.Errorf("services %v", names(f))
	}
}

// TestArtillery1xErrorRate: the error rate of an Artillery 1.x report with timeouts is
// failures over every request sent (rps.count): 5 of 40, not 5 of the 36 completed.
func TestArtillery1xErrorRate(t *testing.T) {
	t.Parallel()
	f, _ := load(t, Mapping{ByEndpoint: true}, "loadtest/artillery-1.7.9-report-etimedout.json")
	want := map[string]float64{TotalRequests: 40, TotalFailures: 5, ErrorRate: 12.5, RPS: 1.96, AvgLatency: 90.9347975,
		MedianLatency: 90.1, P95Latency: 135.7, P99Latency: 135.9, MinLatency: 36.9, MaxLatency: 135.9}
	if diff := cmp.Diff(want, values(f.Service("all"))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
