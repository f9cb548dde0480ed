package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMissingPercentileNotCompared: k6's default summary has p90 and p95 but no p99. A
// p99 threshold is then not compared, with the reason (never an invented int(1.7 × avg)),
// and --fail-on-missing fails (issue 17, item 1); p95, error rate and rps pass.
func TestMissingPercentileNotCompared(t *testing.T) {
	t.Parallel()
	k6 := td + "loadtest/k6-0.49-summary-export-default-trend-stats.json"
	const row = "| all | p99_latency_ms | — | — | in neither the baseline nor the current results (the input has p50, p90 and p95 but not p99; a percentile is estimated from the average only when an input has none) |\n"
	for _, tc := range []struct {
		flags []string
		code  int
		last  string
	}{
		{nil, 0, "✅ No critical performance regressions detected\n"},
		{[]string{"--fail-on-missing"}, 1, "❌ 1 metric with a threshold could not be compared (--fail-on-missing)\n"},
	} {
		rep := filepath.Join(t.TempDir(), "r.md")
		args := append([]string{"--group-by", "endpoint", "--threshold", "default.p99_latency_ms=+20%", "--report", rep}, tc.flags...)
		r := runCompare(t, nil, append(args, k6, k6)...)
		md, _ := os.ReadFile(rep)
		if r.code != tc.code || !strings.HasSuffix(r.stdout, tc.last) || !strings.Contains(string(md), row) || !strings.Contains(string(md), "### ✅ Passed (3 metrics within thresholds)") {
			t.Errorf("%v: exit %d\n%s\n%s", tc.flags, r.code, r.stdout, md)
		}
	}
}
