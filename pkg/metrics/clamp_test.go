package metrics

import "testing"

// TestNoPercentileAboveMax: Locust rounds its percentile columns (to whole ms below 100 ms),
// so the real run's /health has a 99% column of 7 over a max of 6.66 ms; no request took 7
// ms, and p99, the ladder and the median stay at or below the max, for every endpoint
// of the real Locust and Artillery runs.
func TestNoPercentileAboveMax(t *testing.T) {
	for _, file := range []string{"locust/locust-2.12.1-baseline-run1_stats.csv", "real/artillery-2.0.34-baseline-run1.json"} {
		f, _ := load(t, Mapping{ByEndpoint: true}, file)
		for _, s := range f.Services {
			hi, ok := s.Get(MaxLatency)
			if !ok {
				t.Fatalf("%s %s: no max", file, s.Name)
			}
			for _, n := range []string{MedianLatency, P95Latency, P99Latency} {
				if v, _ := s.Get(n); v > hi {
					t.Errorf("%s %s: %s %v above the max %v", file, s.Name, n, v, hi)
				}
			}
			for _, p := range s.Ladder {
				if p.Ms > hi {
					t.Errorf("%s %s: p%v %v above the max %v", file, s.Name, p.Pct, p.Ms, hi)
				}
			}
		}
		if file[0] == 'l' {
			h := f.Service("/health")
			if p99, _ := h.Get(P99Latency); p99 != 6.660590000024058 {
				t.Errorf("/health p99 %v, want the max 6.660590000024058", p99)
			}
		}
	}
}
