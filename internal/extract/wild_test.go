package extract

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingPercentileSaid: a percentile an input lacks next to others is left out and
// stderr says so (issue 17, item 1): k6's default summary has no p99; a JMeter dashboard
// with other percentile settings gives neither p95 nor p99. An estimate kept at the max
// says so.
func TestMissingPercentileSaid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, want string }{
		{"loadtest/k6-0.49-summary-export-default-trend-stats.json",
			"⚠️ all: p99_latency_ms left out: the input has p50, p90 and p95 but not p99; a percentile is estimated from the average only when an input has none (k6 reports p99 when --summary-trend-stats lists p(99)); a threshold on it is not compared (--fail-on-missing fails)\n"},
		{"loadtest/jmeter-5.6-statistics-pct-99-95-90.json",
			"⚠️ GET /api/users: p95_latency_ms and p99_latency_ms left out: the input holds percentiles, but none that gives it (a note above may say why); a percentile is estimated from the average only when an input has none; a threshold on it is not compared (--fail-on-missing fails)\n"},
		{"locust/locust-2.12.1-baseline-run1_stats_history.csv",
			"⚠️ /api/rag/query: the input has no percentiles; p95_latency_ms and p99_latency_ms estimated from the average (p95 = int(1.4 × avg), p99 = int(1.7 × avg)); p99 kept at the max 152.27, as no percentile exceeds the max nor falls below the median\n"},
	} {
		r := runCmd(t, false, "--group-by", "endpoint", td+tc.input, filepath.Join(t.TempDir(), "out.json"))
		if r.code != 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr:\n%s", tc.input, r.code, r.stderr)
		}
	}
}
