package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBaselineServicesGone: a current run that lost six of the baseline's seven endpoints
// is not a quiet pass: stderr names them, and --fail-on-missing fails on them even though
// every metric of the one endpoint left was compared.
func TestBaselineServicesGone(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := td + "locust/locust-2.12.1-baseline-run1_stats.csv"
	data, err := os.ReadFile(base)
	if err != nil {
		t.Fatal(err)
	}
	var cur strings.Builder
	for i, l := range strings.SplitAfter(string(data), "\n") {
		if i == 0 || strings.Contains(l, ",/health,") {
			cur.WriteString(l)
		}
	}
	current := filepath.Join(dir, "current_stats.csv")
	os.WriteFile(current, []byte(cur.String()), 0o644)
	report := filepath.Join(dir, "r.md")
	r := runCompare(t, nil, "--group-by", "endpoint", "--report", report, base, current)
	const warn = "⚠️ compare-performance: 6 of the baseline's 7 services are not in the current results (/api/items/{id}, /api/rag/index/status, /api/rag/query, /mcp/tools/execute, /v1/chat/completions, and 1 more): nothing of theirs is compared (--fail-on-missing fails on it)\n"
	if r.code != 0 || !strings.Contains(r.stderr, warn) {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
	}
	r = runCompare(t, nil, "--group-by", "endpoint", "--fail-on-missing", "--report", report, base, current)
	if r.code != 1 || !strings.Contains(r.stdout, "❌ 6 baseline services not in the current results (--fail-on-missing)") {
		t.Errorf("--fail-on-missing: exit %d, stdout:\n%s", r.code, r.stdout)
	}
}
