package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutageFails: an Artillery 1.x run in which every request timed out (errors.ETIMEDOUT
// only, no response, every latency null) is an outage, not an unreadable file: 40
// requests, 100 % errors, latencies unknown. Against a healthy run the gate fails on the
// error rate and says that the latencies were not compared.
func TestOutageFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cur := filepath.Join(dir, "report.json")
	os.WriteFile(cur, []byte(`{"aggregate": {"timestamp": "2021-06-14T09:12:30.512Z", "scenariosCreated": 40, "scenariosCompleted": 0,
 "requestsCompleted": 0, "latency": {"min": null, "max": null, "median": null, "p95": null, "p99": null},
 "rps": {"count": 40, "mean": 1.96}, "scenarioDuration": {"min": null, "max": null, "median": null, "p95": null, "p99": null},
 "scenarioCounts": {"0": 40}, "errors": {"ETIMEDOUT": 40}, "codes": {}, "matches": 0, "customStats": {}, "counters": {},
 "phases": [{"duration": 20, "arrivalRate": 2}]}, "intermediate": []}`), 0o644)
	report := filepath.Join(dir, "r.md")
	r := runCompare(t, nil, "--group-by", "endpoint", "--report", report, td+"loadtest/artillery-1.7.9-report-etimedout.json", cur)
	md, _ := os.ReadFile(report)
	if r.code != 1 || !strings.Contains(string(md), "| all | error_rate_pct | 12.5 | 100 | +700.0% | ❌ Critical |") ||
		!strings.Contains(string(md), "| all | p95_latency_ms | 135.7 | — | not in the current results |") ||
		!strings.Contains(r.stderr, "every request failed without a latency recorded") {
		t.Errorf("exit %d\nstderr: %s\nreport: %s", r.code, r.stderr, md)
	}
}
