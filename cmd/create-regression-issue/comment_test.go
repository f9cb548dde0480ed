package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
	"github.com/perfgate/perfgate/pkg/report"
)

const warningsOnly = `## Performance Regression Analysis

### ⚠️ Warnings (Monitor)

| Service | Metric | Expected | Current | Change |
|---------|--------|----------|---------|--------|
| rag_service | p95_latency_ms | 3000 | 4200 | +40.0% |

### ✅ Passed (17 metrics within thresholds)

All measured metrics are within acceptable thresholds.

## Summary

- **Total Metrics**: 18
- **Failures**: 0
- **Warnings**: 1
- **Passed**: 17
`

// prEnv is the environment of a pull_request workflow run against the fake API.
func prEnv(t *testing.T, f *ghtest.Server, event any) map[string]string {
	t.Helper()
	env := baseEnv(f)
	dir := t.TempDir()
	b, _ := json.Marshal(event)
	env["GITHUB_EVENT_PATH"] = filepath.Join(dir, "event.json")
	os.WriteFile(env["GITHUB_EVENT_PATH"], b, 0o644)
	env["GITHUB_EVENT_NAME"] = "pull_request"
	env["GITHUB_OUTPUT"] = filepath.Join(dir, "github_output")
	env["GITHUB_ACTIONS"] = "true"
	env["GITHUB_SERVER_URL"] = "https://github.com"
	env["GITHUB_RUN_ID"] = "4242"
	env["GITHUB_SHA"] = "0123456789abcdef0123456789abcdef01234567"
	return env
}

func prEvent42(repo string) map[string]any {
	return map[string]any{"pull_request": map[string]any{"number": 42, "head": map[string]any{"repo": map[string]any{"full_name": repo}}}}
}

// TestPRCommentIsSticky: the first run posts one comment (one POST); the second run,
// with another verdict, edits that same comment (one PATCH, no new POST), leaving the
// other comments alone. On GitHub Enterprise Server's /api/v3 prefix.
func TestPRCommentIsSticky(t *testing.T) {
	f := ghtest.New(t, "/api/v3")
	f.Comments[42] = []ghtest.Comment{{ID: 1, Body: "LGTM"}, {ID: 2, Body: "<!-- perfgate:pr-comment key=other-job -->\n## ✅ another job's comment"}}
	env := prEnv(t, f, prEvent42("o/r"))

	o := runIssue(t, env, "--pr-comment", writeReport(t, failuresAndWarnings))
	if o.code != 0 {
		t.Fatalf("first run: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	if diff := cmp.Diff([]string{"GET /api/v3/user", "GET /api/v3/repos/o/r/issues/42/comments", "POST /api/v3/repos/o/r/issues/42/comments"}, f.Calls()); diff != "" {
		t.Errorf("first run requests (-want +got):\n%s", diff)
	}
	cs := f.IssueComments(42)
	if len(cs) != 3 {
		t.Fatalf("%d comments after the first run, want 3", len(cs))
	}
	first := cs[2]
	for _, want := range []string{"<!-- perfgate:pr-comment -->\n## ❌ Performance regression: 2 failures, 1 warning\n",
		"**Workflow run**: https://github.com/o/r/actions/runs/4242\n",
		"| api_gateway | p95_latency_ms | 450 | 750 | +66.7% | ❌ Critical |\n",
		"| rag_service | p95_latency_ms | 3000 | 4200 | +40.0% |\n", "- **Failures**: 2\n"} {
		if !strings.Contains(first.Body, want) {
			t.Errorf("first comment lacks %q:\n%s", want, first.Body)
		}
	}
	url := fmt.Sprintf("https://github.com/o/r/issues/42#issuecomment-%d", first.ID)
	if !strings.Contains(o.stdout, "💬 Pull request comment created: "+url+"\n") {
		t.Errorf("stdout: %s", o.stdout)
	}

	o = runIssue(t, env, "--pr-comment", writeReport(t, allPassed))
	if o.code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	calls := f.Calls()[3:]
	if diff := cmp.Diff([]string{"GET /api/v3/user", "GET /api/v3/repos/o/r/issues/42/comments", "PATCH /api/v3/repos/o/r/issues/comments/" + strconv.FormatInt(first.ID, 10)}, calls); diff != "" {
		t.Errorf("second run requests (-want +got): one PATCH of the same comment, no POST\n%s", diff)
	}
	cs = f.IssueComments(42)
	if len(cs) != 3 || cs[0].Body != "LGTM" || !strings.HasPrefix(cs[1].Body, "<!-- perfgate:pr-comment key=other-job -->") || cs[2].ID != first.ID {
		t.Fatalf("comments after the second run: %+v", cs)
	}
	if !strings.HasPrefix(cs[2].Body, "<!-- perfgate:pr-comment -->\n## ✅ No performance regression: 18 metrics within thresholds\n") || strings.Contains(cs[2].Body, "❌ Critical") {
		t.Errorf("updated comment:\n%s", cs[2].Body)
	}
	if !strings.Contains(o.stdout, "💬 Pull request comment updated: "+url+"\n") {
		t.Errorf("stdout: %s", o.stdout)
	}
	out, _ := os.ReadFile(env["GITHUB_OUTPUT"])
	want := fmt.Sprintf("comment-url=%s\ncomment-id=%d\n", url, first.ID)
	if string(out) != want+want {
		t.Errorf("$GITHUB_OUTPUT:\n%s\nwant twice:\n%s", out, want)
	}
	checkNoToken(t, f, o)
}

// TestPRCommentFindsItsCommentOnAnyPage: the marked comment on the third page of the
// pull request's comments is found and edited.
func TestPRCommentFindsItsCommentOnAnyPage(t *testing.T) {
	f := ghtest.New(t, "")
	f.PerPage = 100
	for i := 1; i <= 250; i++ {
		body := "chatter " + strconv.Itoa(i)
		if i == 230 {
			body = "<!-- perfgate:pr-comment key=matrix-1 -->\n## old"
		}
		f.Comments[7] = append(f.Comments[7], ghtest.Comment{ID: int64(i), Body: body})
	}
	env := prEnv(t, f, map[string]any{"action": "synchronize"})
	o := runIssue(t, env, "--pr-comment", "--pr", "7", "--comment-key", "matrix-1", writeReport(t, warningsOnly))
	if o.code != 0 {
		t.Fatalf("exit %d\n%s", o.code, o.stderr)
	}
	want := []string{"GET /user", "GET /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments", "PATCH /repos/o/r/issues/comments/230"}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := f.IssueComments(7)[229].Body; !strings.HasPrefix(got, "<!-- perfgate:pr-comment key=matrix-1 -->\n## ⚠️ Performance warning: 1 metric trending towards regression\n") {
		t.Errorf("comment 230:\n%s", got)
	}
}

// TestPRCommentFromAFork: the read-only token of a fork's pull request gets a 403 on
// the POST: with --soft-fail one warning (an annotation in Actions) and exit 0, without
// it exit 1; both name the cause and the fork.
func TestPRCommentFromAFork(t *testing.T) {
	for _, soft := range []bool{true, false} {
		t.Run("soft-fail="+strconv.FormatBool(soft), func(t *testing.T) {
			f := ghtest.New(t, "")
			f.ReadOnly = true
			env := prEnv(t, f, prEvent42("contributor/r"))
			args := []string{"--pr-comment", writeReport(t, failuresAndWarnings)}
			if soft {
				args = append(args, "--soft-fail")
			}
			o := runIssue(t, env, args...)
			wantCode, prefix := 1, "❌ create-regression-issue: "
			if soft {
				wantCode, prefix = 0, "::warning title=create-regression-issue::⚠️ create-regression-issue: "
			}
			if o.code != wantCode {
				t.Errorf("exit %d, want %d", o.code, wantCode)
			}
			if strings.Count(o.stderr, "\n") != 1 || !strings.HasPrefix(o.stderr, prefix+"commenting on pull request #42: token cannot comment on pull requests of o/r (403 Resource not accessible by integration)") ||
				!strings.Contains(o.stderr, "(this pull request comes from the fork contributor/r)") {
				t.Errorf("stderr, want one line naming the cause and the fork:\n%s", o.stderr)
			}
			if diff := cmp.Diff([]string{"GET /user", "GET /repos/o/r/issues/42/comments", "POST /repos/o/r/issues/42/comments"}, f.Calls()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			checkNoToken(t, f, o)
		})
	}
}

// bigReport is a report with many failing endpoints and many not-compared metrics.
func bigReport(fails, notCompared int) string {
	var b strings.Builder
	b.WriteString(report.Title + "\n\n" + report.FailuresHeading + "\n\n| Service | Metric | Expected | Current | Change | Impact |\n|---------|--------|----------|---------|--------|--------|\n")
	for i := 0; i < fails; i++ {
		fmt.Fprintf(&b, "| /api/v1/tenants/%06d/orders/search?include=items,customer | p95_latency_ms | 100 | 200 | +100.0%% | ❌ Critical |\n", i)
	}
	b.WriteString("\n" + report.NotComparedHeading + "\n\n| Service | Metric | Expected | Current | Reason |\n|---------|--------|----------|---------|--------|\n")
	for i := 0; i < notCompared; i++ {
		fmt.Fprintf(&b, "| /api/v1/tenants/%06d/orders/search?include=items,customer | p99_latency_ms | — | 12 | not in the baseline |\n", i)
	}
	fmt.Fprintf(&b, "\n%s\n\n- **Total Metrics**: %d\n- **Failures**: %d\n- **Warnings**: 0\n- **Passed**: 0\n- **Not Compared**: %d\n", report.SummaryHeading, fails, fails, notCompared)
	return b.String()
}

// TestPRCommentWithinGitHubsLimit: a report far over 65,536 characters becomes a comment
// within the limit (the fake API refuses longer bodies as GitHub does): the not-compared
// table is cut first, then the failures, each with a note naming the missing rows.
func TestPRCommentWithinGitHubsLimit(t *testing.T) {
	for _, tc := range []struct {
		name                string
		fails, notCompared  int
		keptFails, keptNots func(int) bool
	}{
		{"other tables cut first", 300, 3000, func(n int) bool { return n == 300 }, func(n int) bool { return n > 0 && n < 3000 }},
		{"then the failures", 3000, 3000, func(n int) bool { return n > 0 && n < 3000 }, func(n int) bool { return n == 0 }},
		{"fits whole", 10, 10, func(n int) bool { return n == 10 }, func(n int) bool { return n == 10 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, "")
			env := prEnv(t, f, prEvent42("o/r"))
			doc := bigReport(tc.fails, tc.notCompared)
			o := runIssue(t, env, "--pr-comment", writeReport(t, doc))
			if o.code != 0 {
				t.Fatalf("exit %d\n%s", o.code, o.stderr)
			}
			body := f.IssueComments(42)[0].Body
			if n := len(body); n > ghtest.MaxBody {
				t.Fatalf("%d bytes", n)
			}
			fails, nots := strings.Count(body, "| p95_latency_ms |"), strings.Count(body, "| p99_latency_ms |")
			if !tc.keptFails(fails) || !tc.keptNots(nots) {
				t.Errorf("kept %d failure rows and %d not-compared rows (of %d and %d)", fails, nots, tc.fails, tc.notCompared)
			}
			for kept, all := range map[int]int{fails: tc.fails, nots: tc.notCompared} {
				note := fmt.Sprintf("_… and %d more rows not shown: GitHub limits a comment to 65,536 characters. The full report: the [workflow run](https://github.com/o/r/actions/runs/4242)'s step summary and `", all-kept)
				if kept == 0 {
					note = fmt.Sprintf("_%d rows not shown: GitHub limits a comment to 65,536 characters.", all)
				}
				if (kept < all) != strings.Contains(body, note) {
					t.Errorf("%d of %d rows kept; note %q present: %v", kept, all, note, strings.Contains(body, note))
				}
			}
			if nots == 0 && strings.Contains(body, "| Service | Metric | Expected | Current | Reason |") {
				t.Error("a table with no row left kept its header")
			}
			if tc.fails == 300 && len(body) < commentLimit-200 {
				t.Errorf("only %d bytes: the cut keeps as many rows as fit", len(body))
			}
		})
	}
}

// TestPRCommentTarget: --pr wins over the event; an event that is not about a pull
// request posts nothing and exits 0; without --pr and outside Actions it is a usage error.
func TestPRCommentTarget(t *testing.T) {
	f := ghtest.New(t, "")
	env := prEnv(t, f, map[string]any{"ref": "refs/heads/main"})
	env["GITHUB_EVENT_NAME"] = "push"
	o := runIssue(t, env, "--pr-comment", writeReport(t, allPassed))
	if o.code != 0 || o.stderr != "ℹ️ create-regression-issue: the push event is not about a pull request: no comment posted\n" || len(f.Calls()) != 0 {
		t.Errorf("push event: exit %d, stderr %q, calls %v", o.code, o.stderr, f.Calls())
	}
	o = runIssue(t, env, "--pr-comment", "--pr", "9", writeReport(t, allPassed))
	if o.code != 0 || len(f.IssueComments(9)) != 1 {
		t.Errorf("--pr 9: exit %d %s, comments %v", o.code, o.stderr, f.IssueComments(9))
	}
	issueComment := prEnv(t, f, map[string]any{"issue": map[string]any{"number": 11, "pull_request": map[string]any{"url": "x"}}})
	if o = runIssue(t, issueComment, "--pr-comment", writeReport(t, allPassed)); o.code != 0 || len(f.IssueComments(11)) != 1 {
		t.Errorf("issue_comment on a pull request: exit %d %s", o.code, o.stderr)
	}
	workflowRun := prEnv(t, f, map[string]any{"workflow_run": map[string]any{"pull_requests": []any{map[string]any{"number": 13}}}})
	workflowRun["GITHUB_EVENT_NAME"] = "workflow_run"
	if o = runIssue(t, workflowRun, "--pr-comment", writeReport(t, allPassed)); o.code != 0 || len(f.IssueComments(13)) != 1 {
		t.Errorf("workflow_run of a pull request: exit %d %s", o.code, o.stderr)
	}
	forkRun := prEnv(t, f, map[string]any{"workflow_run": map[string]any{"pull_requests": []any{}}})
	forkRun["GITHUB_EVENT_NAME"] = "workflow_run"
	calls := len(f.Calls())
	if o = runIssue(t, forkRun, "--pr-comment", writeReport(t, allPassed)); o.code != 1 || !strings.Contains(o.stderr, "names no pull request") || len(f.Calls()) != calls {
		t.Errorf("workflow_run of a fork's pull request: exit %d, stderr %q", o.code, o.stderr)
	}
	outside := baseEnv(f)
	o = runIssue(t, outside, "--pr-comment", writeReport(t, allPassed))
	if o.code != 1 || !strings.Contains(o.stderr, "--pr-comment: no pull request: pass --pr N") {
		t.Errorf("outside Actions: exit %d, stderr %q", o.code, o.stderr)
	}
	for _, bad := range [][]string{{"--pr", "3"}, {"--comment-key", "a b", "--pr-comment"}, {"--pr-comment", "--pr", "-1"}} {
		if o := runIssue(t, outside, append(bad, writeReport(t, allPassed))...); o.code != 1 {
			t.Errorf("%v: exit %d", bad, o.code)
		}
	}
}

// noneCompared is a report whose every metric with a threshold could not be compared.
const noneCompared = "## Performance Regression Analysis\n\n### ⏭️ Not Compared\n\n| Service | Metric | Reason |\n|---|---|---|\n| api | p95_latency_ms | no requests in the current run |\n\n## Summary\n\n- **Total Metrics**: 1\n- **Failures**: 0\n- **Warnings**: 0\n- **Passed**: 0\n- **Not Compared**: 1\n"

// acknowledgedOnly is a report whose only regression is acknowledged.
var acknowledgedOnly = strings.Replace(allPassed, "## Summary", report.AcknowledgedHeading+"\n\n| Service | Metric | Expected | Current | Change | Reason | Until | Issue |\n|---|---|---|---|---|---|---|---|\n| api | p95_latency_ms | 1 | 2 | +100.0% | known | 2027-01-15 | — |\n\n## Summary", 1)

// TestPRCommentBody: the heading says the verdict; the report's sections follow without
// its title and hidden command line; names cannot mention anyone; a JSON report works.
func TestPRCommentBody(t *testing.T) {
	ctx := issueContext{Now: now, ReportPath: "load-test-results/regression-analysis.md"}
	hostile := strings.Replace(failuresAndWarnings, "| rag_service |", "| @team #12 |", 1) + "\n<!-- perfgate:command {\"prog\":\"compare-performance\",\"args\":[],\"baseline\":\"b\",\"current\":\"c\"} -->\n"
	for _, tc := range []struct{ name, doc, heading string }{
		{"fail", hostile, "## ❌ Performance regression: 2 failures, 1 warning"},
		{"warning", warningsOnly, "## ⚠️ Performance warning: 1 metric trending towards regression"},
		{"pass", allPassed, "## ✅ No performance regression: 18 metrics within thresholds"},
		{"incomparable", "## Performance Regression Analysis\n\n## Summary\n\n- **Total Metrics**: 0\n- **Failures**: 0\n- **Warnings**: 0\n- **Passed**: 0\n", "## ❓ Performance not judged: nothing comparable"},
		{"none compared", noneCompared, "## ❓ Performance not judged: nothing comparable"},
		{"recorded incomparable", allPassed + "\n<!-- perfgate:command {\"prog\":\"compare-performance\",\"args\":[\"--strict-comparability\"],\"baseline\":\"b\",\"current\":\"c\",\"verdict\":\"incomparable\"} -->\n", "## ❓ Performance not judged: nothing comparable"},
		{"acknowledged", acknowledgedOnly, "## ✅ No new performance regression: only acknowledged regressions (see \"Acknowledged\" below)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := report.Parse([]byte(tc.doc), "r.md")
			if err != nil {
				t.Fatal(err)
			}
			body := commentBody(rep, []byte(tc.doc), ctx, marker(""))
			want := "<!-- perfgate:pr-comment -->\n" + tc.heading + "\n\n**Timestamp**: 2026-11-27T10:00:00Z\n\n"
			if !strings.HasPrefix(body, want) {
				t.Errorf("body starts\n%q\nwant\n%q", body[:min(len(body), len(want)+40)], want)
			}
			if strings.Contains(body, report.Title) || strings.Contains(body, "perfgate:command") || strings.Contains(body, "@team") || strings.Contains(body, "#12") {
				t.Errorf("title, command line or a mention left in:\n%s", body)
			}
			if !strings.Contains(body, "## Summary\n") || !strings.HasSuffix(body, "updated in place on every run.</sub>\n") {
				t.Errorf("summary or footer missing:\n%s", body)
			}
		})
	}
	js := `{"schema": "perfgate/compare/v1", "summary": {"total": 9, "failures": 1, "warnings": 0, "passed": 8, "not_compared": 0, "verdict": "fail", "exit_code": 1},
	  "results": [{"service": "api_gateway", "metric": "p95_latency_ms", "baseline": 450, "current": 750, "change": "+66.7%", "status": "fail"}]}`
	rep, err := report.Parse([]byte(js), "r.json")
	if err != nil {
		t.Fatal(err)
	}
	body := commentBody(rep, []byte(js), ctx, marker("k"))
	warnAsError, _ := report.Parse([]byte(strings.Replace(strings.Replace(js, `"status": "fail"`, `"status": "warning"`, 1), `"failures": 1, "warnings": 0`, `"failures": 0, "warnings": 1`, 1)), "r.json")
	if h := commentHeading(warnAsError); h != "## ❌ Performance gate failed: no critical regression, but 1 warning (--warn-as-error)" {
		t.Errorf("verdict fail without failures: %s", h)
	}
	// --fail-on-missing on baseline services the run lacks: every metric compared passed.
	gone, _ := report.Parse([]byte(strings.Replace(js, `"failures": 1, "warnings": 0, "passed": 8`, `"failures": 0, "warnings": 0, "passed": 9`, 1)), "r.json")
	gone.Failures = nil
	if h := commentHeading(gone); h != "## ❌ Performance gate failed: no critical regression, but baseline services missing from the current results (--fail-on-missing)" {
		t.Errorf("verdict fail for missing services: %s", h)
	}
	for _, want := range []string{"<!-- perfgate:pr-comment key=k -->\n## ❌ Performance regression: 1 failure\n", "| api_gateway | p95_latency_ms | 450 | 750 | +66.7% | ❌ Critical |\n", "- **Passed**: 8\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("JSON report's comment lacks %q:\n%s", want, body)
		}
	}
}

// TestPRCommentDryRun prints the comment and sends nothing (no token needed).
func TestPRCommentDryRun(t *testing.T) {
	o := runIssue(t, map[string]string{}, "--pr-comment", "--dry-run", "--pr", "5", writeReport(t, warningsOnly))
	if o.code != 0 || !strings.Contains(o.stdout, "🔎 Dry run: nothing is sent to GitHub (OWNER/REPO, pull request #5)\n") || !strings.Contains(o.stdout, "<!-- perfgate:pr-comment -->\n## ⚠️ Performance warning") {
		t.Errorf("exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
	// Without a pull request the preview is still printed, and stderr warns that the real
	// run would fail.
	o = runIssue(t, map[string]string{}, "--pr-comment", "--dry-run", writeReport(t, warningsOnly))
	if o.code != 0 || !strings.Contains(o.stdout, "pull request #?") || !strings.Contains(o.stderr, "--pr-comment: no pull request: pass --pr N") || !strings.Contains(o.stderr, "(the same command without --dry-run fails)") {
		t.Errorf("no pull request: exit %d\n%s%s", o.code, o.stdout, o.stderr)
	}
}

// TestPRCommentNotTakenOver: anyone can post perfgate's marker in a pull request; a
// comment by a person is never edited — perfgate posts its own and edits that one later
// (by the token's user when GET /user tells who it is, else by a bot).
func TestPRCommentNotTakenOver(t *testing.T) {
	for _, user := range []string{"", "perf-ci"} { // GitHub Actions' token; a personal token
		f := ghtest.New(t, "")
		f.User = user
		f.Comments[42] = []ghtest.Comment{{ID: 1, Body: "<!-- perfgate:pr-comment -->\n## ✅ all fine, trust me", Author: "mallory", Human: true}}
		env := baseEnv(f)
		for run := range 2 {
			if o := runIssue(t, env, "--pr-comment", "--pr", "42", writeReport(t, failuresAndWarnings)); o.code != 0 {
				t.Fatalf("user %q run %d: exit %d %s", user, run, o.code, o.stderr)
			}
		}
		cs := f.IssueComments(42)
		if len(cs) != 2 || cs[0].Body != "<!-- perfgate:pr-comment -->\n## ✅ all fine, trust me" || !strings.Contains(cs[1].Body, "❌ Performance regression") {
			t.Errorf("user %q: comments %+v", user, cs)
		}
		var posts, patches int
		for _, c := range f.Calls() {
			posts += strings.Count(c, "POST ")
			patches += strings.Count(c, "PATCH /repos/o/r/issues/comments/")
		}
		if posts != 1 || patches != 1 {
			t.Errorf("user %q: %d POST, %d PATCH; want one of each (its own comment, then edited)", user, posts, patches)
		}
	}
}
