package action

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
)

// runnerTemp is RUNNER_TEMP, shared by every run of the action in this test binary as
// by the steps of one job: the binaries are built once, by the first run.
var runnerTemp string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "perfgate-action-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runnerTemp = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func loadAction(t *testing.T) *actionFile {
	t.Helper()
	var a actionFile
	readYAML(t, filepath.Join(repoRoot, "action.yml"), &a)
	return &a
}

// workspace is a checkout of this repository as a workflow sees it: testdata/ at the top.
func workspace(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(repoRoot, "testdata"), filepath.Join(dir, "testdata")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// env is how a case is run: the event, and the fake GitHub API when it needs one.
type env struct {
	event     map[string]any // the event payload; nil: a push
	eventName string         // default pull_request
	api       *ghtest.Server
	ws        string // workspace; "" for a fresh one
	vars      map[string]string
}

// eventEnv writes the event payload of a pull_request workflow run and returns the
// variables that point to it.
func eventEnv(t *testing.T, event map[string]any) map[string]string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "event.json")
	b, _ := json.Marshal(event)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return map[string]string{"GITHUB_EVENT_PATH": p, "GITHUB_EVENT_NAME": "pull_request"}
}

// runCase runs the action once in a fresh job.
func runCase(t *testing.T, a *actionFile, with map[string]string, e env) (actionRun, *job) {
	t.Helper()
	ws := e.ws
	if ws == "" {
		ws = workspace(t)
	}
	extra := map[string]string{"GITHUB_API_URL": "https://api.github.invalid/"}
	github := map[string]string{"action_path": repoRoot, "action_ref": "", "token": "ghs_unused", "repository": "o/r", "workspace": ws, "event_name": "push"}
	if e.api != nil {
		extra["GITHUB_API_URL"], github["token"] = e.api.APIURL(), e.api.Token
	}
	if e.event != nil {
		for k, v := range eventEnv(t, e.event) {
			extra[k] = v
		}
		if e.eventName != "" {
			extra["GITHUB_EVENT_NAME"] = e.eventName
		}
		github["event_name"] = extra["GITHUB_EVENT_NAME"]
	}
	for k, v := range e.vars {
		extra[k] = v
	}
	j := newJob(t, ws, runnerTemp, extra)
	return j.runAction(a, with, github), j
}

// TestActionFile checks action.yml's shape: a composite action whose run: steps are bash
// calling scripts/action.sh with the inputs in env: (never ${{ }} inside a script, where
// an input could inject shell), no if: on run: steps, only the two known actions used.
func TestActionFile(t *testing.T) {
	a := loadAction(t)
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q", a.Runs.Using)
	}
	for _, in := range []string{"results", "baseline", "config", "thresholds", "noise-aware", "group-by", "create-issue", "comment-on-pr", "fail-on", "token"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %s missing", in)
		}
	}
	for _, out := range []string{"verdict", "failures", "warnings", "report"} {
		if _, ok := a.Outputs[out]; !ok {
			t.Errorf("output %s missing", out)
		}
	}
	for name, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", name)
		}
	}
	seen := map[string]bool{}
	for _, s := range a.Runs.Steps {
		if s.ID != "" && seen[s.ID] {
			t.Errorf("step id %s twice", s.ID)
		}
		seen[s.ID] = true
		switch {
		case s.Uses == "actions/cache@v4" || s.Uses == "actions/setup-go@v5":
		case s.Uses != "":
			t.Errorf("step %q uses %s: the test does not know it", s.Name, s.Uses)
		case s.Shell != "bash" || s.If != "" || strings.Contains(s.Run, "${{"):
			t.Errorf("step %q: want shell: bash, no if:, no ${{ }} in run:", s.Name)
		case !strings.HasPrefix(strings.TrimSpace(s.Run), `"$GITHUB_ACTION_PATH/scripts/action.sh" `):
			t.Errorf("step %q: run: %q does not call scripts/action.sh", s.Name, s.Run)
		}
	}
	if fi, err := os.Stat(filepath.Join(repoRoot, "scripts/action.sh")); err != nil || fi.Mode()&0o111 == 0 {
		t.Errorf("scripts/action.sh is not an executable file: %v", err)
	}
}

var (
	regressed = "testdata/locust/locust-2.12.1-regressed-run1_stats.csv"
	unchanged = "testdata/locust/locust-2.12.1-baseline-run1_stats.csv"
	baseline  = "testdata/action/locust-baseline.json"
	// loose turns the regressed run's five failures into warnings.
	loose = "# p95 +55–60 % is beyond 0.75 × 70 %, not 70 %\ndefault.p95_latency_ms=+70%\n\n  default.error_rate_pct=+8\ndefault.rps=-40%\n"
)

// TestActionVerdictsAndFailOn runs the action on the real Locust runs for each verdict
// and each fail-on value, and checks its outputs and whether the job fails.
func TestActionVerdictsAndFailOn(t *testing.T) {
	a := loadAction(t)
	for _, tc := range []struct {
		name       string
		with       map[string]string
		verdict    string
		counts     [3]string // failures, warnings, passed
		failsOnAny map[string]bool
	}{
		{"pass", map[string]string{"results": unchanged}, "pass", [3]string{"0", "0", "21"}, map[string]bool{"failure": false, "warning": false, "never": false}},
		{"warning", map[string]string{"results": regressed, "thresholds": loose}, "warning", [3]string{"0", "5", "16"}, map[string]bool{"failure": false, "warning": true, "never": false}},
		{"fail", map[string]string{"results": regressed}, "fail", [3]string{"5", "0", "16"}, map[string]bool{"failure": true, "warning": true, "never": false}},
	} {
		for _, failOn := range []string{"failure", "warning", "never"} {
			t.Run(tc.name+"/fail-on="+failOn, func(t *testing.T) {
				with := map[string]string{"baseline": baseline, "group-by": "endpoint", "fail-on": failOn}
				for k, v := range tc.with {
					with[k] = v
				}
				r, j := runCase(t, a, with, env{})
				if r.ok == tc.failsOnAny[failOn] {
					t.Errorf("job succeeded: %v, want %v (failed step %q)\n%s", r.ok, !tc.failsOnAny[failOn], r.failed, j.log.String())
				}
				if !r.ok && r.failed != "gate" {
					t.Errorf("failed in step %q, want the gate\n%s", r.failed, j.log.String())
				}
				want := map[string]string{"verdict": tc.verdict, "failures": tc.counts[0], "warnings": tc.counts[1], "passed": tc.counts[2], "not-compared": "0",
					"report": "load-test-results/regression-analysis.md", "json": "load-test-results/results.json", "junit": "load-test-results/junit.xml",
					"metrics": "load-test-results/load-results.json", "comment-url": "", "issue-url": ""}
				if diff := cmp.Diff(want, r.outputs); diff != "" {
					t.Errorf("outputs (-want +got):\n%s\n%s", diff, j.log.String())
				}
				for _, f := range []string{want["report"], want["json"], want["junit"], want["metrics"]} {
					if fi, err := os.Stat(filepath.Join(j.workspace, f)); err != nil || fi.Size() == 0 {
						t.Errorf("%s not written: %v", f, err)
					}
				}
				summary, _ := os.ReadFile(j.summary)
				if !strings.Contains(string(summary), "## Performance Regression Analysis") {
					t.Errorf("step summary:\n%s", summary)
				}
			})
		}
	}
}

// TestActionBuildsAndPutsBinariesOnThePath: the build step compiles the four binaries
// from the action's checkout (once per job: a second use reuses them), prints their
// version and appends their folder to $GITHUB_PATH, so later steps can call them.
func TestActionBuildsAndPutsBinariesOnThePath(t *testing.T) {
	a := loadAction(t)
	r, j := runCase(t, a, map[string]string{"results": unchanged, "baseline": baseline, "group-by": "endpoint"}, env{})
	if !r.ok {
		t.Fatalf("failed in %s\n%s", r.failed, j.log.String())
	}
	bin := r.steps["build"].outputs["bin"]
	if bin == "" || bin != r.steps["locate"].outputs["bin"] || !strings.HasPrefix(bin, runnerTemp) {
		t.Fatalf("bin %q", bin)
	}
	path, _ := os.ReadFile(j.path)
	if strings.TrimSpace(string(path)) != bin {
		t.Errorf("$GITHUB_PATH: %q, want %s", path, bin)
	}
	key := r.steps["locate"].outputs["cache-key"]
	if !strings.HasPrefix(key, "perfgate-bin-Linux-X64-") || r.steps["locate"].outputs["go"] != "true" {
		t.Errorf("locate outputs: %v", r.steps["locate"].outputs)
	}
	if diff := cmp.Diff([]string{"actions/cache@v4 (if: true)", "actions/setup-go@v5 (if: false)"}, r.skipped); diff != "" {
		t.Errorf("uses: steps (-want +got): setup-go is not needed where Go is installed\n%s", diff)
	}
	version := "dev+" + strings.TrimPrefix(key, "perfgate-bin-Linux-X64-")
	for _, b := range []string{"extract-metrics", "extract-baselines", "compare-performance", "create-regression-issue"} {
		out, err := exec.Command(filepath.Join(bin, b), "--version").Output()
		if err != nil || strings.TrimSpace(string(out)) != b+" "+version {
			t.Errorf("%s --version: %q %v, want %s %s", b, out, err, b, version)
		}
	}
	outputs, ok := j.shell("a later step", "compare-performance --version\n", nil)
	if !ok || len(outputs) != 0 || !strings.Contains(j.log.String(), "compare-performance "+version) {
		t.Errorf("a later step could not call compare-performance from the PATH:\n%s", j.log.String())
	}
	if !strings.Contains(j.log.String(), "✅ perfgate binaries ready in "+bin) && !strings.Contains(j.log.String(), "✅ perfgate binaries built in "+bin) {
		t.Errorf("build step log:\n%s", j.log.String())
	}
	r2, j2 := runCase(t, a, map[string]string{"results": unchanged, "baseline": baseline, "group-by": "endpoint"}, env{})
	if !r2.ok || !strings.Contains(j2.log.String(), "✅ perfgate binaries ready in "+bin+" (restored: "+key+")") {
		t.Errorf("a second use in the job rebuilt the binaries:\n%s", j2.log.String())
	}
}

// TestActionSeveralResultFiles: a glob that matches several files (and a second pattern
// line) gives them all to extract-metrics -o, which merges them.
func TestActionSeveralResultFiles(t *testing.T) {
	a := loadAction(t)
	ws := workspace(t)
	os.MkdirAll(filepath.Join(ws, "gen 2"), 0o755)
	b, _ := os.ReadFile(filepath.Join(repoRoot, "testdata/seed/sample_results_stats.csv"))
	os.WriteFile(filepath.Join(ws, "gen 2", "run_stats.csv"), b, 0o644)
	// The last line names a file that the first already matched: it is read once.
	r, j := runCase(t, a, map[string]string{"results": "testdata/seed/sample_results_stats*.csv\n  gen 2/*_stats.csv  \ntestdata/seed/./sample_results_stats.csv", "baseline": "testdata/seed/sample_baselines.json", "fail-on": "never"}, env{ws: ws})
	if !r.ok {
		t.Fatalf("failed in %s\n%s", r.failed, j.log.String())
	}
	if !strings.Contains(j.log.String(), "📂 3 result file(s): testdata/seed/sample_results_stats.csv testdata/seed/sample_results_stats_degraded.csv gen 2/run_stats.csv\n") {
		t.Errorf("files:\n%s", j.log.String())
	}
	var m map[string]struct {
		Requests float64 `json:"total_requests"`
	}
	b, _ = os.ReadFile(filepath.Join(ws, r.outputs["metrics"]))
	if err := json.Unmarshal(b, &m); err != nil || m["api_gateway"].Requests != 3000 {
		t.Errorf("api_gateway of three files of 1,000 requests each: %+v %v", m["api_gateway"], err)
	}
}

// TestActionArgsOnSeveralLines: compare-args written as a YAML | block, one argument per
// line, are all passed (only the first line was): --warn-as-error on the second line
// turns the regressed run's warnings into a failure.
func TestActionArgsOnSeveralLines(t *testing.T) {
	a := loadAction(t)
	with := map[string]string{"baseline": baseline, "group-by": "endpoint", "results": regressed, "thresholds": loose,
		"compare-args": "--quiet\n--warn-as-error\n", "extract-args": "--name\nall\n"}
	r, j := runCase(t, a, with, env{})
	if r.ok || r.failed != "gate" || r.outputs["verdict"] != "fail" {
		t.Errorf("ok %v, failed in %q, verdict %q\n%s", r.ok, r.failed, r.outputs["verdict"], j.log.String())
	}
}

// TestActionGlobstar: ** matches folders at any depth; a bash without globstar (bash 3,
// macOS's /bin/bash — played here by a shopt that refuses it) fails on a ** pattern
// rather than matching one level only and silently missing files.
func TestActionGlobstar(t *testing.T) {
	a := loadAction(t)
	ws := workspace(t)
	os.MkdirAll(filepath.Join(ws, "out", "a", "b"), 0o755)
	b, _ := os.ReadFile(filepath.Join(repoRoot, "testdata/seed/sample_results_stats.csv"))
	os.WriteFile(filepath.Join(ws, "out", "a", "b", "deep_stats.csv"), b, 0o644)
	with := map[string]string{"results": "out/**/*_stats.csv", "baseline": "testdata/seed/sample_baselines.json", "fail-on": "never"}
	r, j := runCase(t, a, with, env{ws: ws})
	if !r.ok || !strings.Contains(j.log.String(), "📂 1 result file(s): out/a/b/deep_stats.csv\n") {
		t.Fatalf("ok %v, failed in %q\n%s", r.ok, r.failed, j.log.String())
	}
	bash3 := filepath.Join(t.TempDir(), "bash3.sh")
	os.WriteFile(bash3, []byte("shopt() { [ \"$2\" != globstar ] || return 1; builtin shopt \"$@\"; }\n"), 0o644)
	r, j = runCase(t, a, with, env{ws: ws, vars: map[string]string{"BASH_ENV": bash3}})
	if r.ok || r.failed != "extract" || !strings.Contains(j.log.String(), "::error title=perfgate::input results: 'out/**/*_stats.csv' uses **, which needs bash 4 or later") {
		t.Errorf("without globstar: ok %v, failed in %q\n%s", r.ok, r.failed, j.log.String())
	}
}

// TestActionIncomparable: nothing in common is the verdict incomparable; it fails the job
// unless fail-on is never.
func TestActionIncomparable(t *testing.T) {
	a := loadAction(t)
	for failOn, ok := range map[string]bool{"failure": false, "warning": false, "never": true} {
		r, j := runCase(t, a, map[string]string{"results": "testdata/compare/other_services.json", "baseline": "testdata/seed/sample_baselines.json", "fail-on": failOn}, env{})
		if r.outputs["verdict"] != "incomparable" || r.ok != ok || (!ok && (r.failed != "gate" || !strings.Contains(j.log.String(), "::error title=perfgate::perfgate: nothing comparable"))) {
			t.Errorf("fail-on %s: verdict %q, ok %v, failed %q\n%s", failOn, r.outputs["verdict"], r.ok, r.failed, j.log.String())
		}
	}
}

// TestActionErrors: what prevents a verdict fails the job at the step concerned with one
// error annotation, whatever fail-on says.
func TestActionErrors(t *testing.T) {
	a := loadAction(t)
	for _, tc := range []struct {
		name, step, msg string
		with            map[string]string
	}{
		{"no file matches", "extract", "::error title=perfgate::input results: no file matches 'testdata/nothing/*.csv'", map[string]string{"results": "testdata/nothing/*.csv"}},
		{"no baseline", "compare", "::error title=perfgate::no baseline at 'docs/performance-baselines.json'", map[string]string{"results": unchanged, "baseline": "docs/performance-baselines.json"}},
		{"bad fail-on", "locate", "::error title=perfgate::input fail-on: want failure, warning or never, got 'sometimes'", map[string]string{"results": unchanged, "fail-on": "sometimes"}},
		{"bad boolean", "locate", "::error title=perfgate::input noise-aware: want true or false, got 'yes'", map[string]string{"results": unchanged, "noise-aware": "yes"}},
		{"bad group-by", "locate", "::error title=perfgate::input group-by: want service or endpoint", map[string]string{"results": unchanged, "group-by": "url"}},
		{"compare cannot run", "compare", "::error title=perfgate::compare-performance could not compare (exit 1)", map[string]string{"results": unchanged, "compare-args": "--no-such-flag"}},
		{"bad threshold", "compare", "::error title=perfgate::compare-performance could not compare (exit 1)", map[string]string{"results": unchanged, "thresholds": "default.p95_latency_ms=fifty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			with := map[string]string{"baseline": baseline, "group-by": "endpoint", "fail-on": "never"}
			for k, v := range tc.with {
				with[k] = v
			}
			r, j := runCase(t, a, with, env{})
			if r.ok || r.failed != tc.step || !strings.Contains(j.log.String(), tc.msg) {
				t.Errorf("ok %v, failed in %q (want %s), message %q in:\n%s", r.ok, r.failed, tc.step, tc.msg, j.log.String())
			}
		})
	}
}

func pullRequest(n int, head string) map[string]any {
	return map[string]any{"pull_request": map[string]any{"number": n, "head": map[string]any{"repo": map[string]any{"full_name": head}}}}
}

// TestActionCommentAndIssue: on a pull request, the first run (a regression) posts the
// comment and opens the issue; the second (unchanged) edits the same comment and opens
// nothing; the outputs carry the URLs.
func TestActionCommentAndIssue(t *testing.T) {
	a := loadAction(t)
	f := ghtest.New(t, "")
	with := map[string]string{"results": regressed, "baseline": baseline, "group-by": "endpoint", "comment-on-pr": "true", "create-issue": "true"}
	r, j := runCase(t, a, with, env{event: pullRequest(42, "o/r"), api: f})
	if r.ok || r.failed != "gate" {
		t.Errorf("regression: ok %v, failed %q\n%s", r.ok, r.failed, j.log.String())
	}
	cs := f.IssueComments(42)
	if len(cs) != 1 || !strings.HasPrefix(cs[0].Body, "<!-- perfgate:pr-comment -->\n## ❌ Performance regression: 5 failures\n") {
		t.Fatalf("comments: %+v\n%s", cs, j.log.String())
	}
	commentURL := fmt.Sprintf("https://github.com/o/r/issues/42#issuecomment-%d", cs[0].ID)
	if r.outputs["comment-url"] != commentURL || r.outputs["issue-url"] != "https://github.com/o/r/issues/101" {
		t.Errorf("outputs: %v", r.outputs)
	}
	with["results"] = unchanged
	r, j = runCase(t, a, with, env{event: pullRequest(42, "o/r"), api: f})
	if !r.ok || r.outputs["comment-url"] != commentURL || r.outputs["issue-url"] != "" {
		t.Errorf("unchanged: ok %v, outputs %v\n%s", r.ok, r.outputs, j.log.String())
	}
	want := []string{
		"GET /user", "GET /repos/o/r/issues/42/comments", "POST /repos/o/r/issues/42/comments", // run 1: the comment,
		"GET /repos/o/r/issues", "POST /repos/o/r/issues", // and the critical issue
		"GET /user", "GET /repos/o/r/issues/42/comments", fmt.Sprintf("PATCH /repos/o/r/issues/comments/%d", cs[0].ID), // run 2: the same comment
	}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if cs := f.IssueComments(42); len(cs) != 1 || !strings.Contains(cs[0].Body, "## ✅ No performance regression: 21 metrics within thresholds") {
		t.Errorf("comment after the second run: %+v", cs)
	}
}

// TestActionForkPullRequest: a fork's read-only token cannot comment: the comment step
// warns once and the job's result is the gate's.
func TestActionForkPullRequest(t *testing.T) {
	a := loadAction(t)
	f := ghtest.New(t, "")
	f.ReadOnly = true
	r, j := runCase(t, a, map[string]string{"results": unchanged, "baseline": baseline, "group-by": "endpoint", "comment-on-pr": "true"}, env{event: pullRequest(7, "someone/fork"), api: f})
	log := j.log.String()
	if !r.ok || r.outputs["verdict"] != "pass" || r.outputs["comment-url"] != "" {
		t.Errorf("ok %v outputs %v\n%s", r.ok, r.outputs, log)
	}
	if strings.Count(log, "::warning title=create-regression-issue::") != 1 || !strings.Contains(log, "(this pull request comes from the fork someone/fork)") {
		t.Errorf("want one warning naming the fork:\n%s", log)
	}
}

// TestActionCommentOnPush: comment-on-pr on a push posts nothing and says so.
func TestActionCommentOnPush(t *testing.T) {
	a := loadAction(t)
	f := ghtest.New(t, "")
	r, j := runCase(t, a, map[string]string{"results": unchanged, "baseline": baseline, "group-by": "endpoint", "comment-on-pr": "true"}, env{event: map[string]any{"ref": "refs/heads/main"}, eventName: "push", api: f})
	if !r.ok || len(f.Calls()) != 0 || !strings.Contains(j.log.String(), "the push event is not about a pull request: no comment posted") {
		t.Errorf("ok %v calls %v\n%s", r.ok, f.Calls(), j.log.String())
	}
}

// TestActionSetsUpGoOnlyWhenNeeded: the locate step reports Go as usable only when the
// installed one is at least go.mod's version, so that actions/setup-go runs when Go is
// missing or too old (and only then).
func TestActionSetsUpGoOnlyWhenNeeded(t *testing.T) {
	a := loadAction(t)
	var locate step
	for _, s := range a.Runs.Steps {
		if s.ID == "locate" {
			locate = s
		}
	}
	for _, tc := range []struct {
		name, version string // "" : no go on the PATH
		usable        bool
	}{{"missing", "", false}, {"too old", "go1.20.3", false}, {"recent", "go1.26.9", true}} {
		t.Run(tc.name, func(t *testing.T) {
			bin := t.TempDir()
			if tc.version != "" {
				script := "#!/bin/sh\n[ \"$*\" = 'env GOVERSION' ] && [ \"$GOTOOLCHAIN\" = local ] && echo " + tc.version + "\n"
				os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755)
			}
			j := newJob(t, workspace(t), t.TempDir(), map[string]string{"PATH": bin + ":/usr/bin:/bin"})
			out, ok := j.shell("locate", locate.Run, map[string]string{"GITHUB_ACTION_PATH": repoRoot})
			if !ok || out["go"] != map[bool]string{true: "true", false: "false"}[tc.usable] {
				t.Errorf("ok %v, outputs %v\n%s", ok, out, j.log.String())
			}
			ctx := &exprCtx{steps: map[string]*stepResult{"locate": {outputs: out}, "cache": {outputs: map[string]string{}}}}
			if run, err := ctx.condition(a.Runs.Steps[2].If); err != nil || run == tc.usable || a.Runs.Steps[2].Uses != "actions/setup-go@v5" {
				t.Errorf("setup-go runs: %v (%v), want %v", run, err, !tc.usable)
			}
		})
	}
}

// TestActionAcknowledged: when every failure is acknowledged in the configuration, the
// verdict is acknowledged and the gate passes whatever fail-on says (no warnings).
func TestActionAcknowledged(t *testing.T) {
	a := loadAction(t)
	until := time.Now().UTC().AddDate(0, 0, 30).Format("2006-01-02")
	var cfg strings.Builder
	cfg.WriteString("acknowledged:\n")
	for _, m := range [][2]string{{"/api/rag/query", "p95_latency_ms"}, {"/health", "rps"}, {"/mcp/tools/execute", "p95_latency_ms"}, {"/v1/chat/completions", "p95_latency_ms"}, {"/v1/chat/completions", "error_rate_pct"}} {
		fmt.Fprintf(&cfg, "  - {service: %q, metric: %s, reason: known, until: %s}\n", m[0], m[1], until)
	}
	path := filepath.Join(t.TempDir(), "perfgate.yml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, failOn := range []string{"failure", "warning", "never"} {
		r, j := runCase(t, a, map[string]string{"results": regressed, "baseline": baseline, "group-by": "endpoint", "config": path, "fail-on": failOn}, env{})
		if !r.ok || r.outputs["verdict"] != "acknowledged" || !strings.Contains(j.log.String(), "the failures are acknowledged in the configuration") {
			t.Errorf("fail-on %s: ok %v, verdict %q\n%s", failOn, r.ok, r.outputs["verdict"], j.log.String())
		}
	}
}
