package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/perfgate/perfgate/internal/golden"
)

const ackConfig = `thresholds:
  default:
    rps: off
acknowledged:
  - service: checkout
    metric: p95_latency_ms
    reason: known slow query, fix in progress
    until: 2027-01-15
    issue: https://github.com/o/r/issues/7
  - service: search
    metric: tool_p95_ms      # the seed's alias of p95_latency_ms
    reason: reindexing
    until: 2027-01-10
`

// TestAcknowledged: before its until day is over (fixed clock), checkout's failing p95
// is reported in the Acknowledged section, counts as acknowledged in --json and exits
// 0; search's entry matches no failure and is named as stale. The day after, the
// failure fails again and says that the acknowledgement expired.
func TestAcknowledged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, cur, cfg := filepath.Join(dir, "base.json"), filepath.Join(dir, "cur.json"), filepath.Join(dir, "perfgate.yml")
	os.WriteFile(base, []byte(`{"checkout": {"p95_latency_ms": 450, "error_rate_pct": 0.5, "total_requests": 1000, "total_failures": 5},
 "search": {"p95_latency_ms": 100, "error_rate_pct": 0.1, "total_requests": 1000, "total_failures": 1}}`), 0o644)
	os.WriteFile(cur, []byte(`{"checkout": {"p95_latency_ms": 750, "error_rate_pct": 0.5, "total_requests": 1000, "total_failures": 5},
 "search": {"p95_latency_ms": 105, "error_rate_pct": 0.1, "total_requests": 1000, "total_failures": 1}}`), 0o644)
	os.WriteFile(cfg, []byte(ackConfig), 0o644)
	for _, tc := range []struct {
		name    string
		now     time.Time
		code    int
		verdict string
		status  string
	}{
		{"acknowledged", time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), 0, "acknowledged", "acknowledged"},
		{"acknowledged_last_day", time.Date(2027, 1, 15, 23, 59, 0, 0, time.UTC), 0, "acknowledged", "acknowledged"},
		{"acknowledgement_expired", time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC), 1, "fail", "fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			rep, js, junit := filepath.Join(out, "r.md"), filepath.Join(out, "r.json"), filepath.Join(out, "j.xml")
			args := []string{"--config", cfg, "--report", rep, "--json", js, "--junit", junit, base, cur}
			r := runCompareAt(t, tc.now, map[string]string{"GITHUB_ACTIONS": "true"}, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", r.code, tc.code, r.stdout, r.stderr)
			}
			var got struct {
				Summary struct {
					Verdict      string
					Acknowledged int
				}
				Results []struct {
					Service, Metric, Status, Reason string
					Acknowledgement                 *struct {
						Reason, Until, Issue string
						Expired              bool
					}
				}
			}
			b, _ := os.ReadFile(js)
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			c := got.Results[0]
			if got.Summary.Verdict != tc.verdict || c.Service != "checkout" || c.Status != tc.status || c.Acknowledgement == nil || c.Acknowledgement.Until != "2027-01-15" || c.Acknowledgement.Expired != (tc.code == 1) {
				t.Errorf("--json: %s", b)
			}
			if tc.code == 0 && !strings.Contains(r.stdout, "### 🔕 Acknowledged\n") {
				t.Errorf("no Acknowledged section:\n%s", r.stdout)
			}
			if tc.code == 1 && (!strings.Contains(r.stderr, "⚠️ checkout p95_latency_ms: acknowledgement expired on 2027-01-15 (") || !strings.HasSuffix(c.Reason, "; acknowledgement expired on 2027-01-15")) {
				t.Errorf("expiry not said:\n%s\n%s", r.stderr, c.Reason)
			}
			if !strings.Contains(r.stderr, "perfgate.yml:10: stale acknowledgement: search tool_p95_ms matches no failing metric") {
				t.Errorf("stale entry not named:\n%s", r.stderr)
			}
			if tc.name == "acknowledged_last_day" {
				return
			}
			var s strings.Builder
			s.WriteString("$ compare-performance " + strings.Join(args, " ") + "\nexit: " + string(rune('0'+r.code)) + "\n-- stdout --\n" + r.stdout + "-- stderr --\n" + r.stderr)
			for _, f := range []string{rep, js, junit} {
				b, _ := os.ReadFile(f)
				s.WriteString("-- " + filepath.Base(f) + " --\n" + string(b))
			}
			golden.Check(t, filepath.Join(td, "compare", tc.name+".golden"), strings.NewReplacer(out, "OUT", dir, "DIR").Replace(s.String()), *update)
		})
	}
}

// TestAcknowledgedTooFarAhead: an until more than 90 days ahead is refused.
func TestAcknowledgedTooFarAhead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "perfgate.yml")
	os.WriteFile(cfg, []byte(ackConfig), 0o644)
	rep := filepath.Join(dir, "r.md")
	r := runCompareAt(t, time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC), nil, "--config", cfg, "--report", rep, td+"seed/sample_baselines.json", td+"seed/sample_metrics.json")
	want := "❌ compare-performance: " + cfg + ":5: acknowledged[0]: until 2027-01-15 is 106 days ahead; an acknowledgement may last at most 90 days (until 2026-12-30 at the latest): fix the regression or acknowledge it again later\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("exit %d, stderr\n got: %q\nwant: %q", r.code, r.stderr, want)
	}
	if _, err := os.Stat(rep); err == nil {
		t.Error("a report was written")
	}
}
