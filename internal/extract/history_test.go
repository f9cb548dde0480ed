package extract

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/internal/golden"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// writeHistory writes a history of runs with the given verdicts and checkout p95s
// (error rate and counts follow the p95 so that every metric tells the runs apart), plus
// a corrupt line after the second run. users, when given, are the users each run recorded
// (extract-metrics --users).
func writeHistory(t *testing.T, path string, verdicts []string, p95s []float64, users ...int) {
	t.Helper()
	var lines strings.Builder
	for i, v := range verdicts {
		recorded := ""
		if len(users) > 0 {
			recorded = fmt.Sprintf(`, "users": %d`, users[i])
		}
		f, err := metrics.Parse([]byte(fmt.Sprintf(`{"checkout": {"p95_latency_ms": %g, "error_rate_pct": %g, "rps": 50, "total_requests": %d, "total_failures": 1}, "_perfgate": {"formats": ["locust-stats"], "duration_s": 60%s}}`, p95s[i], p95s[i]/100, int(p95s[i])*10, recorded)), "m.json")
		if err != nil {
			t.Fatal(err)
		}
		e, err := history.NewEntry(history.Run{Number: i + 1, Time: "2026-12-01T10:00:00Z", Commit: fmt.Sprintf("%02d00000", i+1)}, v, &threshold.Evaluation{}, f)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		if err := history.Write(&b, []history.Entry{e}); err != nil {
			t.Fatal(err)
		}
		lines.WriteString(b.String())
		if i == 1 {
			lines.WriteString("{\"schema\": \"perfgate/history/v1\", \"run\": \n")
		}
	}
	if err := os.WriteFile(path, []byte(lines.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFromHistory: --from-history --last 4 makes every metric the median of the last
// four runs whose verdict was pass — the failing, warning and acknowledged runs between
// them are left out — with the per-run values under "runs", oldest first.
func TestFromHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hist, out := filepath.Join(dir, "h.jsonl"), filepath.Join(dir, "b.json")
	verdicts := []string{"pass", "fail", "pass", "pass", "warning", "fail", "pass", "acknowledged", "pass"}
	p95s := []float64{100, 500, 120, 110, 300, 600, 130, 400, 140}
	writeHistory(t, hist, verdicts, p95s)
	r := runCmd(t, true, "--from-history", hist, "--last", "4", out)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	b, _ := os.ReadFile(out)
	f, err := metrics.Parse(b, out)
	if err != nil {
		t.Fatal(err)
	}
	s := f.Service("checkout")
	// Runs 3, 4, 7, 9: p95 120, 110, 130, 140 → median 125.
	for _, tc := range []struct {
		metric string
		want   float64
		runs   []float64
	}{
		{metrics.P95Latency, 125, []float64{120, 110, 130, 140}},
		{metrics.ErrorRate, 1.25, []float64{1.2, 1.1, 1.3, 1.4}},
		{metrics.TotalRequests, 1250, []float64{1200, 1100, 1300, 1400}},
	} {
		if got, _ := s.Get(tc.metric); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.metric, got, tc.want)
		}
		if diff := cmp.Diff(tc.runs, s.Runs[tc.metric]); diff != "" {
			t.Errorf("%s runs (-want +got):\n%s", tc.metric, diff)
		}
	}
	var got strings.Builder
	got.WriteString("exit: " + itoa(r.code) + "\n-- stdout --\n" + r.stdout + "-- stderr --\n" + r.stderr + "-- out.json --\n" + string(b))
	golden.Check(t, filepath.Join(td, "extract", "baselines_from_history.golden"), strings.ReplaceAll(got.String(), dir, "DIR"), *update)

	// Fewer passing runs than asked: those, with a warning; none: exit 1, nothing written.
	r = runCmd(t, true, "--from-history", hist, "--last", "9", "-o", out)
	if r.code != 0 || !strings.Contains(r.stderr, "holds only 5 passing run(s), fewer than --last 9") {
		t.Errorf("--last 9: %+v", r)
	}
	none := filepath.Join(dir, "none.jsonl")
	writeHistory(t, none, []string{"fail", "warning"}, []float64{1, 2})
	os.Remove(out)
	r = runCmd(t, true, "--from-history", none, out)
	if want := "❌ extract-baselines: " + none + " holds no run whose verdict was pass (2 runs read): nothing written, " + out + " left unchanged\n"; r.code != 1 || !strings.HasSuffix(r.stderr, want) {
		t.Errorf("no passing run: exit %d, stderr %q", r.code, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a baseline was written")
	}
	for _, args := range [][]string{
		{"--from-history", hist, "in.csv", "out.json"},
		{"--from-history", hist, "--last", "0"},
		{"--from-history", filepath.Join(dir, "missing.jsonl")},
	} {
		if r := runCmd(t, true, args...); r.code != 1 || r.stderr == "" {
			t.Errorf("%v: %+v", args, r)
		}
	}
}

// TestFromHistoryUsers: a baseline from history has the users its runs recorded when they
// all agree, --users when given, and no baseline_users (with a warning) otherwise — never
// a number no run had, which would make compare-performance flag the runs as incomparable.
func TestFromHistoryUsers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "b.json")
	verdicts, p95s := []string{"pass", "pass", "pass"}, []float64{100, 110, 120}
	for _, tc := range []struct {
		name  string
		users []int
		args  []string
		want  float64 // baseline_users; 0: absent
		warn  bool
	}{
		{"all recorded 50", []int{50, 50, 50}, nil, 50, false},
		{"--users overrides", []int{50, 50, 50}, []string{"--users", "7"}, 7, false},
		{"runs disagree", []int{50, 20, 50}, nil, 0, true},
		{"none recorded", nil, nil, 0, true},
		{"none recorded, --users", nil, []string{"--users", "30"}, 30, false},
		{"flags for result files", []int{50, 50, 50}, []string{"--group-by", "endpoint", "--name", "x"}, 50, false},
	} {
		hist := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".jsonl")
		writeHistory(t, hist, verdicts, p95s, tc.users...)
		r := runCmd(t, true, append(append([]string{"--from-history", hist}, tc.args...), "-o", out)...)
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", tc.name, r.code, r.stderr)
		}
		b, _ := os.ReadFile(out)
		f, err := metrics.Parse(b, out)
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		if u := f.Service("checkout").BaselineUsers; u != nil {
			got = *u
		}
		if got != tc.want || strings.Contains(r.stderr, "baseline_users left out") != tc.warn {
			t.Errorf("%s: baseline_users %v, want %v; stderr %q", tc.name, got, tc.want, r.stderr)
		}
		if ignored := strings.Contains(r.stderr, "⚠️ --group-by, --name: with --from-history these flags mean nothing"); ignored != (tc.name == "flags for result files") {
			t.Errorf("%s: stderr %q", tc.name, r.stderr)
		}
		if src, _ := f.Source(); src.Users != int(tc.want) {
			t.Errorf("%s: _perfgate.users %d, want %v", tc.name, src.Users, tc.want)
		}
	}
}
