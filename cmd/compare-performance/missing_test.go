package main

import (
	"fmt"
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

// TestInputNotesInReport: how a raw input was read (here a JTL of two runs appended two
// days apart, of which the last is read) is in the report's Inputs section, not only on
// stderr: whoever reads the report, the step summary or the issue sees it.
func TestInputNotesInReport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var jtl strings.Builder
	jtl.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,Latency\n")
	for _, start := range []int64{1764583200000, 1764583200000 + 2*86400000} {
		for i := range int64(20) {
			fmt.Fprintf(&jtl, "%d,%d,GET /a,200,OK,t 1-1,text,true,100,%d\n", start+i*100, 40+i, 30+i)
		}
	}
	in := filepath.Join(dir, "results.jtl")
	os.WriteFile(in, []byte(jtl.String()), 0o644)
	report := filepath.Join(dir, "r.md")
	r := runCompare(t, nil, "--group-by", "endpoint", "--report", report, in, in)
	md, _ := os.ReadFile(report)
	want := "### 📥 Inputs\n\nHow the result files were read:\n\n- " + in + " holds 2 runs appended ("
	if r.code != 0 || !strings.Contains(string(md), want) || !strings.Contains(string(md), "reading the last one: 2025-12-03 10:00:00–10:00:01, 20 requests") {
		t.Errorf("exit %d\n%s", r.code, md)
	}
}
