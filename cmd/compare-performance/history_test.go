package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/perfgate/perfgate/internal/extract"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
)

// demoRuns are the five runs of the history demo (make demo, step 6): the real Locust
// runs of testdata/locust replayed as five commits — three of the unchanged code (the
// baseline run's stats CSV, its --json output, the CSV again), then two of the regressed
// code (its --json output, its stats CSV).
var demoRuns = []string{
	"locust/locust-2.12.1-baseline-run1_stats.csv",
	"locust/locust-2.12.1-baseline-run1.json",
	"locust/locust-2.12.1-baseline-run1_stats.csv",
	"locust/locust-2.12.1-regressed-run1.json",
	"locust/locust-2.12.1-regressed-run1_stats.csv",
}

// demoCommit is the made-up commit of demo run i (1-based), as make demo sets it.
func demoCommit(i int) string {
	h := sha1.Sum([]byte(fmt.Sprintf("commit%d", i)))
	return hex.EncodeToString(h[:])
}

// fixedClock is 2026-12-01 10:00 UTC plus i hours.
func fixedClock(i int) time.Time { return time.Date(2026, 12, 1, 10+i, 0, 0, 0, time.UTC) }

func runCompareAt(t *testing.T, now time.Time, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, environment{Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return now }})
	return result{code, out.String(), errb.String()}
}

// historyRun is one compare of the demo sequence and what it wrote.
type historyRun struct {
	result
	report, summary string
	results         map[string]float64 // "service metric" → current, from --json
}

// fiveRuns runs the demo sequence with --history inside a simulated GitHub Actions job
// and returns every run's outputs and the history file.
func fiveRuns(t *testing.T, dir string) ([]historyRun, string) {
	t.Helper()
	base, _ := realPipeline(t, dir, "--group-by", "endpoint")
	hist := filepath.Join(dir, "perf-history.jsonl")
	var runs []historyRun
	for i, cur := range demoRuns {
		n := i + 1
		rep, js, sum := filepath.Join(dir, fmt.Sprintf("r%d.md", n)), filepath.Join(dir, fmt.Sprintf("r%d.json", n)), filepath.Join(dir, fmt.Sprintf("summary%d.md", n))
		env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": demoCommit(n), "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": fmt.Sprint(1000 + n), "GITHUB_STEP_SUMMARY": sum}
		r := runCompareAt(t, fixedClock(n), env, "--group-by", "endpoint", "--history", hist, "--report", rep, "--json", js, base, td+cur)
		md, _ := os.ReadFile(rep)
		s, _ := os.ReadFile(sum)
		hr := historyRun{result: r, report: string(md), summary: string(s), results: map[string]float64{}}
		var out struct {
			Results []struct {
				Service, Metric string
				Current         *float64
			}
		}
		b, _ := os.ReadFile(js)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("run %d: %v\n%s", n, err, r.stderr)
		}
		for _, x := range out.Results {
			if x.Current != nil {
				hr.results[x.Service+" "+x.Metric] = *x.Current
			}
		}
		runs = append(runs, hr)
	}
	return runs, hist
}

// TestHistoryFiveRuns: five compares with --history give five lines; the fifth report's
// trend charts hold all five runs' values (each run's own --json current value) against
// the baseline, labelled by short commit; the same charts reach the step summary.
func TestHistoryFiveRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runs, hist := fiveRuns(t, dir)
	var codes []int
	for _, r := range runs {
		codes = append(codes, r.code)
	}
	if diff := cmp.Diff([]int{0, 0, 0, 1, 1}, codes); diff != "" {
		t.Fatalf("exit codes (-want +got):\n%s", diff)
	}
	entries := checkHistoryLines(t, hist, runs)
	for i, r := range runs[:3] {
		if strings.Contains(r.report, report.TrendHeading) {
			t.Errorf("run %d (no failing or warning metric, or no earlier run) has a Trend section", i+1)
		}
	}
	fifth := runs[4]
	p, err := report.Parse([]byte(fifth.report), "r5.md")
	if err != nil {
		t.Fatal(err)
	}
	var charted []string
	for _, c := range p.Trend {
		charted = append(charted, c.Service+" "+c.Metric+" "+c.Status)
	}
	wantCharts := []string{"/api/rag/query p95_latency_ms fail", "/health rps fail", "/mcp/tools/execute p95_latency_ms fail", "/v1/chat/completions p95_latency_ms fail", "/v1/chat/completions error_rate_pct fail"}
	if diff := cmp.Diff(wantCharts, charted); diff != "" {
		t.Fatalf("charts (-want +got):\n%s", diff)
	}
	var labels []string
	for n := 1; n <= 5; n++ {
		labels = append(labels, fmt.Sprintf("%q", demoCommit(n)[:7]))
	}
	for _, c := range p.Trend {
		key := c.Service + " " + c.Metric
		var vals, base []string
		for _, r := range runs {
			vals = append(vals, report.FormatNumber(r.results[key]))
		}
		for _, e := range entries {
			m, _ := e.Get(c.Service, c.Metric)
			base = append(base, report.FormatNumber(*m.Baseline))
		}
		for _, line := range []string{
			"    x-axis [" + strings.Join(labels, ", ") + "]\n",
			"    line [" + strings.Join(vals, ", ") + "]\n",
			"    line [" + strings.Join(base, ", ") + "]\n",
		} {
			if !strings.Contains(c.Mermaid, line) {
				t.Errorf("%s: chart lacks %q:\n%s", key, line, c.Mermaid)
			}
		}
	}
	if !strings.Contains(fifth.report, "#### /v1/chat/completions · p95_latency_ms — fail\n\n```mermaid\n%%{init:") ||
		!strings.Contains(fifth.report, "    line [84, 83, 84, 130, 130]\n    line [84, 84, 84, 84, 84]\n```\n") {
		t.Errorf("chat p95 chart:\n%s", fifth.report)
	}
	// The step summary carries the same charts; the seed's sections come first.
	trend := fifth.report[strings.Index(fifth.report, report.TrendHeading):strings.Index(fifth.report, report.SummaryHeading)]
	if !strings.Contains(fifth.summary, trend) {
		t.Errorf("step summary lacks the Trend section")
	}
	if strings.Index(fifth.report, report.FailuresHeading) > strings.Index(fifth.report, report.TrendHeading) {
		t.Error("Trend before the seed's sections")
	}
}

// checkHistoryLines checks that the history has one line per run, each recording the
// run's time, commit, workflow run, verdict and values.
func checkHistoryLines(t *testing.T, hist string, runs []historyRun) []history.Entry {
	t.Helper()
	f, err := os.Open(hist)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, skipped, err := history.Read(f, hist)
	if err != nil || len(skipped) > 0 {
		t.Fatal(err, skipped)
	}
	b, _ := os.ReadFile(hist)
	if lines := strings.Count(string(b), "\n"); lines != len(runs) || len(entries) != len(runs) {
		t.Fatalf("history has %d lines, %d entries; want %d", lines, len(entries), len(runs))
	}
	for i, e := range entries {
		n := i + 1
		want := history.Entry{Schema: history.Schema, Run: n, Time: fixedClock(n).Format(history.TimeLayout), Commit: demoCommit(n),
			RunURL: fmt.Sprintf("https://github.com/o/r/actions/runs/%d", 1000+n), Verdict: []string{"pass", "pass", "pass", "fail", "fail"}[i]}
		got := e
		got.Services, got.Metrics = nil, nil
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(history.Entry{})); diff != "" || got.Kept() {
			t.Errorf("line %d (-want +got):\n%s", n, diff)
		}
		if m, ok := e.Get("/v1/chat/completions", metrics.P95Latency); !ok || *m.Current != runs[i].results["/v1/chat/completions p95_latency_ms"] {
			t.Errorf("line %d: chat p95 %+v, want %v", n, m, runs[i].results["/v1/chat/completions p95_latency_ms"])
		}
	}
	return entries
}

// TestHistoryFile: a missing file (and directory) is created; a corrupt line is skipped
// with a warning naming FILE:LINE and dropped on rewrite; --history-keep keeps the last N.
func TestHistoryFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hist := filepath.Join(dir, "cache", "h.jsonl")
	base, cur := td+"compare/examples_baseline.json", td+"compare/examples_current.json"
	rep := filepath.Join(dir, "r.md")
	const warnings = "⚠️ 2 metrics trending towards regression (warnings)\n"
	for n := 1; n <= 2; n++ {
		if r := runCompareAt(t, fixedClock(n), nil, "--history", hist, "--history-keep", "3", "--report", rep, base, cur); r.code != 1 || r.stderr != warnings {
			t.Fatalf("run %d: exit %d, stderr %q", n, r.code, r.stderr)
		}
	}
	b, _ := os.ReadFile(hist)
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	corrupt := lines[0] + "{\"schema\": \"perfgate/history/v1\", \"run\": 3, \"verd\n" + lines[1]
	os.WriteFile(hist, []byte(corrupt), 0o644)
	for n := 3; n <= 5; n++ {
		r := runCompareAt(t, fixedClock(n), nil, "--history", hist, "--history-keep", "3", "--report", rep, base, cur)
		want := warnings
		if n == 3 {
			want = "⚠️ compare-performance: " + hist + ":2: not a history entry: unexpected end of JSON input: line skipped (it is left out when the history is rewritten)\n" + warnings
		}
		if r.code != 1 || r.stderr != want {
			t.Fatalf("run %d: exit %d, stderr\n got: %q\nwant: %q", n, r.code, r.stderr, want)
		}
	}
	f, _ := os.Open(hist)
	defer f.Close()
	entries, skipped, err := history.Read(f, hist)
	if err != nil || len(skipped) > 0 {
		t.Fatal(err, skipped)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%d %s %s", e.Run, e.Time, e.Verdict))
	}
	want := []string{"3 2026-12-01T13:00:00Z fail", "4 2026-12-01T14:00:00Z fail", "5 2026-12-01T15:00:00Z fail"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("kept runs (-want +got):\n%s", diff)
	}
	// Without a commit the axis labels are run numbers; run 5 read runs 2–4.
	md, _ := os.ReadFile(rep)
	if !strings.Contains(string(md), `    x-axis ["#2", "#3", "#4", "#5"]`) {
		t.Errorf("labels by run number:\n%s", md)
	}
	if r := runCompareAt(t, fixedClock(6), nil, "--history", hist, "--history-keep", "0", "--report", rep, base, cur); r.code != 1 || r.stderr != "❌ compare-performance: --history-keep: want at least 1 run, got 0\n" {
		t.Errorf("--history-keep 0: %+v", r)
	}
	// --history naming a file that is no history (a typo): refused, left as it is, and
	// nothing else written.
	notes := filepath.Join(dir, "notes.md")
	os.WriteFile(notes, []byte("# Notes\n\nsome text\n"), 0o644)
	rep2 := filepath.Join(dir, "r2.md")
	r := runCompareAt(t, fixedClock(7), nil, "--history", notes, "--report", rep2, base, cur)
	got2, _ := os.ReadFile(notes)
	if _, err := os.Stat(rep2); r.code != 1 || string(got2) != "# Notes\n\nsome text\n" || err == nil ||
		!strings.HasPrefix(r.stderr, "❌ compare-performance: "+notes+" is not a perfgate history: none of its 2 lines is a run ("+notes+":1: not a history entry") {
		t.Errorf("exit %d, report written %v, file %q, stderr %s", r.code, err == nil, got2, r.stderr)
	}
}

// TestBaselineFromDemoHistory: extract-baselines --from-history --last 4 on the demo
// history takes its three passing runs only (the two regressed runs failed), and the
// regressed run still fails against that baseline.
func TestBaselineFromDemoHistory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	runs, hist := fiveRuns(t, dir)
	out := filepath.Join(dir, "from-history.json")
	var stdout, stderr bytes.Buffer
	if c := extract.RunBaselines([]string{"--from-history", hist, "--last", "4", out}, &stdout, &stderr, extract.Env{Now: func() time.Time { return fixedClock(6) }}); c != 0 {
		t.Fatalf("exit %d: %s", c, stderr.String())
	}
	if !strings.Contains(stderr.String(), "holds only 3 passing run(s), fewer than --last 4") {
		t.Errorf("stderr: %s", stderr.String())
	}
	b, _ := os.ReadFile(out)
	f, err := metrics.Parse(b, out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Services {
		for _, m := range []string{metrics.P95Latency, metrics.ErrorRate, metrics.RPS} {
			var vals []float64
			for _, r := range runs[:3] {
				vals = append(vals, r.results[s.Name+" "+m])
			}
			got, _ := s.Get(m)
			if diff := cmp.Diff(vals, s.Runs[m]); diff != "" || got != metrics.Median(vals) {
				t.Errorf("%s %s = %v, want the median of %v (-want +got runs):\n%s", s.Name, m, got, vals, diff)
			}
		}
	}
	r := runCompareAt(t, fixedClock(6), nil, "--group-by", "endpoint", "--report", filepath.Join(dir, "r.md"), out, td+demoRuns[4])
	if r.code != 1 || !strings.Contains(r.stdout, "| /v1/chat/completions | p95_latency_ms | 84 | 130 | +54.8% | ❌ Critical |") {
		t.Errorf("exit %d:\n%s", r.code, r.stdout)
	}
}

// TestHistoryKeepsNewerVersions: a history shared with a newer perfgate (another schema
// version) keeps that version's lines byte for byte, in place, when this one appends.
func TestHistoryKeepsNewerVersions(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hist := filepath.Join(dir, "h.jsonl")
	const newer = `{"schema":"perfgate/history/v2","run":1,"services":[{"name":"api","p95":120}]}`
	os.WriteFile(hist, []byte(newer+"\n"), 0o644)
	same := td + "seed/sample_baselines.json"
	r := runCompareAt(t, fixedClock(1), nil, "--history", hist, "--report", filepath.Join(dir, "r.md"), same, same)
	want := "⚠️ compare-performance: " + hist + `:1: schema "perfgate/history/v2", want "perfgate/history/v1": line of another perfgate version not read (kept as it is when the history is rewritten)` + "\n"
	if first, _, _ := strings.Cut(r.stderr, "\n"); r.code != 0 || first+"\n" != want {
		t.Fatalf("exit %d, stderr\n got: %q\nwant: %q", r.code, r.stderr, want)
	}
	b, _ := os.ReadFile(hist)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 2 || lines[0] != newer || !strings.HasPrefix(lines[1], `{"schema":"perfgate/history/v1","run":2,`) {
		t.Errorf("history:\n%s", b)
	}
}

// TestHistoryIsNoOtherOutput: --history naming the report's file would leave one of them
// lost; it is refused like --report and --json on one file. The same device twice
// (/dev/null) is no clash.
func TestHistoryIsNoOtherOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	same := filepath.Join(dir, "same.out")
	base, cur := td+"compare/examples_baseline.json", td+"compare/examples_current.json"
	r := runCompareAt(t, fixedClock(1), nil, "--report", same, "--history", same, base, cur)
	if _, err := os.Stat(same); r.code != 1 || err == nil || r.stderr != "❌ compare-performance: "+same+" is given as two outputs: each of --report, --json, --junit and --history needs its own file\n" {
		t.Errorf("exit %d, written %v, stderr %q", r.code, err == nil, r.stderr)
	}
	// A run that fails after reading the history (its report cannot be written) leaves no
	// empty history file behind.
	hist := filepath.Join(dir, "new.jsonl")
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, []byte("x"), 0o644)
	r = runCompareAt(t, fixedClock(1), nil, "--history", hist, "--report", filepath.Join(blocker, "r.md"), base, cur)
	if _, err := os.Stat(hist); r.code != 1 || err == nil {
		t.Errorf("failed run: exit %d, history left: %v", r.code, err == nil)
	}
	o := options{report: filepath.Join(dir, "r.md"), jsonOut: os.DevNull, junitOut: os.DevNull} // not run: nothing is written to /dev/null
	if msg := o.outputClash([]string{base, cur}); msg != "" {
		t.Errorf("/dev/null twice: %s", msg)
	}
}

// TestHistoryParallelRuns: eight runs appending to one history at once (parallel jobs
// sharing a cache) take turns on the file: eight lines, none lost.
func TestHistoryParallelRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hist := filepath.Join(dir, "h.jsonl")
	base, cur := td+"compare/examples_baseline.json", td+"compare/examples_current.json"
	var wg sync.WaitGroup
	for n := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runCompareAt(t, fixedClock(n+1), nil, "--history", hist, "--report", filepath.Join(dir, fmt.Sprintf("r%d.md", n)), base, cur)
		}()
	}
	wg.Wait()
	f, err := os.Open(hist)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	entries, skipped, err := history.Read(f, hist)
	runs := map[int]bool{}
	for _, e := range entries {
		runs[e.Run] = true
	}
	if err != nil || len(skipped) > 0 || len(entries) != 8 || len(runs) != 8 {
		t.Errorf("%d entries (%d run numbers), %d skipped, %v", len(entries), len(runs), len(skipped), err)
	}
}
