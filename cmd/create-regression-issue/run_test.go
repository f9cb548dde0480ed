package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/internal/docs"
	"github.com/perfgate/perfgate/internal/extract"
	"github.com/perfgate/perfgate/internal/golden"
	"github.com/perfgate/perfgate/internal/runnersafe"
	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
	"github.com/perfgate/perfgate/pkg/threshold"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const td = "../../testdata/"

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

type outcome struct {
	code           int
	stdout, stderr string
	sleeps         []time.Duration
}

func runIssue(t *testing.T, env map[string]string, args ...string) outcome {
	t.Helper()
	var out, errb bytes.Buffer
	var sleeps []time.Duration
	code := run(args, &out, &errb, environment{
		Getenv: func(k string) string { return env[k] },
		Now:    func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) error {
			sleeps = append(sleeps, d)
			return nil
		},
		Nonce: func() string { return "5eed" },
	})
	return outcome{code, out.String(), errb.String(), sleeps}
}

// reportFile writes a report produced by compare-performance's renderer format.
func writeReport(t *testing.T, content string) string {
	p := filepath.Join(t.TempDir(), "regression-analysis.md")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const failuresAndWarnings = `## Performance Regression Analysis

### ❌ Failures (Action Required)

| Service | Metric | Expected | Current | Change | Impact |
|---------|--------|----------|---------|--------|--------|
| api_gateway | p95_latency_ms | 450 | 750 | +66.7% | ❌ Critical |
| api_gateway | error_rate_pct | 0.5 | 2 | +300.0% | ❌ Critical |

### ⚠️ Warnings (Monitor)

| Service | Metric | Expected | Current | Change |
|---------|--------|----------|---------|--------|
| rag_service | p95_latency_ms | 3000 | 4200 | +40.0% |

### ✅ Passed (15 metrics within thresholds)

All measured metrics are within acceptable thresholds.

## Summary

- **Total Metrics**: 18
- **Failures**: 2
- **Warnings**: 1
- **Passed**: 15
`

const allPassed = `## Performance Regression Analysis

### ✅ Passed (18 metrics within thresholds)

All measured metrics are within acceptable thresholds.

## Summary

- **Total Metrics**: 18
- **Failures**: 0
- **Warnings**: 0
- **Passed**: 18
`

func baseEnv(f *ghtest.Server) map[string]string {
	return map[string]string{"GITHUB_TOKEN": f.Token, "GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": f.APIURL()}
}

func checkNoToken(t *testing.T, f *ghtest.Server, o outcome) {
	t.Helper()
	if strings.Contains(o.stdout+o.stderr, f.Token) {
		t.Errorf("the token appears in the output:\n%s\n%s", o.stdout, o.stderr)
	}
}

func TestCreateCriticalAndWarning(t *testing.T) {
	f := ghtest.New(t, "")
	env := baseEnv(f)
	out := filepath.Join(t.TempDir(), "github_output")
	env["GITHUB_OUTPUT"] = out
	env["GITHUB_ACTIONS"] = "true"
	env["GITHUB_SERVER_URL"] = "https://github.com"
	env["GITHUB_RUN_ID"] = "4242"
	env["GITHUB_SHA"] = "0123456789abcdef0123456789abcdef01234567"
	o := runIssue(t, env, writeReport(t, failuresAndWarnings), "--label", "team-perf", "--assignee", "octocat")
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	if diff := cmp.Diff([]string{"GET /repos/o/r/issues", "POST /repos/o/r/issues", "POST /repos/o/r/issues"}, f.Calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	list, crit, warn := f.Requests()[0], f.Requests()[1], f.Requests()[2]
	if list.Query != "labels=performance%2Cautomated%2Cregression&per_page=100&state=open" {
		t.Errorf("list query %q", list.Query)
	}
	for _, r := range f.Requests() {
		if r.Auth != "Bearer "+f.Token {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Auth)
		}
	}
	if crit.Body["title"] != "🚨 Critical Performance Regression Detected (2 metrics)" {
		t.Errorf("title %v", crit.Body["title"])
	}
	if diff := cmp.Diff([]any{"performance", "regression", "automated", "priority-critical", "team-perf"}, crit.Body["labels"]); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]any{"octocat"}, crit.Body["assignees"]); diff != "" {
		t.Errorf("assignees (-want +got):\n%s", diff)
	}
	body := crit.Body["body"].(string)
	for _, want := range []string{
		"| Service | Metric | Expected | Current | Change | Impact |\n|---------|--------|----------|---------|--------|--------|\n| api_gateway | p95_latency_ms | 450 | 750 | +66.7% | ❌ Critical |\n",
		"**Workflow run**: https://github.com/o/r/actions/runs/4242\n",
		"**Commit**: [0123456789ab](https://github.com/o/r/commit/0123456789abcdef0123456789abcdef01234567)\n",
		"## Performance Regression Alert\n\n**Timestamp**: 2026-11-27T10:00:00Z\n",
		"\n### Critical Failures (2 metrics)\n\n",
		"\n### Details\n\n", "\n### Investigation Steps\n\n", "\n### Baseline Comparison\n\n", "\n### Next Steps\n\n",
		"compare-performance docs/performance-baselines.json load-results.json",
		"- [ ] Identify the change that caused the regression",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("critical body lacks %q:\n%s", want, body)
		}
	}
	if warn.Body["title"] != "⚠️ Performance Warning (1 metrics trending towards regression)" {
		t.Errorf("warning title %v", warn.Body["title"])
	}
	if diff := cmp.Diff([]any{"performance", "regression", "automated", "team-perf"}, warn.Body["labels"]); diff != "" {
		t.Errorf("warning labels (-want +got):\n%s", diff)
	}
	if !strings.HasSuffix(body, "\n---\nAuto-generated by Performance Regression Detector\n") {
		t.Errorf("critical body does not end with the original footer:\n%s", body)
	}
	wbody := warn.Body["body"].(string)
	for _, want := range []string{"## Performance Warning\n\n**Timestamp**: 2026-11-27T10:00:00Z\n", "\n### Warnings (1 metrics)\n\n", "\n### Details\n\n",
		"\n### Monitoring Recommendations\n\n", "\n### Helpful Commands\n\n", "\n---\nAuto-generated by Performance Regression Detector\n"} {
		if !strings.Contains(wbody, want) {
			t.Errorf("warning body lacks %q:\n%s", want, wbody)
		}
	}
	// The original's order: each kind's found line, then its issue.
	wantOut := "📋 Parsing regression report: REPORT\n🚨 Found 2 critical failure(s)\n✅ Issue created: https://github.com/o/r/issues/101\n" +
		"⚠️ Found 1 warning(s)\n✅ Issue created: https://github.com/o/r/issues/102\n\n" +
		"📊 Summary:\n  - Repository: o/r\n  - Issues created: 2\n\n✅ Issues successfully created:\n" +
		"  - https://github.com/o/r/issues/101\n  - https://github.com/o/r/issues/102\n"
	if got := regexpReport(o.stdout); got != wantOut {
		t.Errorf("stdout\n got: %q\nwant: %q", got, wantOut)
	}
	gh, _ := os.ReadFile(out)
	if string(gh) != "issue-url=https://github.com/o/r/issues/101\nissue-number=101\nissue-urls=https://github.com/o/r/issues/101 https://github.com/o/r/issues/102\n" {
		t.Errorf("GITHUB_OUTPUT %q", gh)
	}
	checkNoToken(t, f, o)
}

func regexpReport(s string) string {
	lines := strings.SplitN(s, "\n", 2)
	if strings.HasPrefix(lines[0], "📋 Parsing regression report: ") {
		lines[0] = "📋 Parsing regression report: REPORT"
	}
	return strings.Join(lines, "\n")
}

func TestNothingToDo(t *testing.T) {
	f := ghtest.New(t, "")
	o := runIssue(t, baseEnv(f), writeReport(t, allPassed))
	if o.code != 0 || len(f.Calls()) != 0 {
		t.Errorf("exit %d, requests %v", o.code, f.Calls())
	}
	want := "✅ No critical failures detected\n✅ No warnings detected\n\n📊 Summary:\n  - Repository: o/r\n  - Issues created: 0\n✅ No issues needed to be created\n"
	if !strings.HasSuffix(o.stdout, want) {
		t.Errorf("stdout %q, want the original's ending %q", o.stdout, want)
	}
}

func TestExistingIssueOnPage2GetsAComment(t *testing.T) {
	f := ghtest.New(t, "")
	f.PerPage = 2
	f.Open = []ghtest.Issue{
		{Number: 1, Title: "PR", Labels: []string{"performance", "automated", "regression"}, PR: true},
		{Number: 2, Title: "⚠️ Performance Warning (3 metrics trending towards regression)", Labels: []string{"performance", "automated", "regression"}},
		{Number: 7, Title: "🚨 Critical Performance Regression Detected (1 metrics)", Labels: []string{"performance", "regression", "automated", "priority-critical"}},
	}
	o := runIssue(t, baseEnv(f), writeReport(t, failuresAndWarnings))
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	want := []string{"GET /repos/o/r/issues", "GET /repos/o/r/issues", "POST /repos/o/r/issues/7/comments", "POST /repos/o/r/issues/2/comments"}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if !strings.Contains(f.Requests()[1].Query, "page=2") {
		t.Errorf("second list request %q does not follow the Link to page 2", f.Requests()[1].Query)
	}
	comment := f.Requests()[2].Body["body"].(string)
	if !strings.Contains(comment, "### 🔁 Still regressed: 2 failing metric(s) in a new run") || !strings.Contains(comment, "|---------|--------|----------|---------|--------|--------|") {
		t.Errorf("comment:\n%s", comment)
	}
	if !strings.Contains(o.stdout, "♻️ Updated existing issue: https://github.com/o/r/issues/7\n") || !strings.Contains(o.stdout, "  - Issues created: 0\n  - Issues updated: 2\n") {
		t.Errorf("stdout:\n%s", o.stdout)
	}

	// --no-dedupe: new issues, no listing.
	f2 := ghtest.New(t, "")
	f2.Open = f.Open
	if o := runIssue(t, baseEnv(f2), writeReport(t, failuresAndWarnings), "--no-dedupe"); o.code != 0 {
		t.Fatal(o.stderr)
	}
	if diff := cmp.Diff([]string{"POST /repos/o/r/issues", "POST /repos/o/r/issues"}, f2.Calls()); diff != "" {
		t.Errorf("--no-dedupe requests (-want +got):\n%s", diff)
	}
}

func TestCloseResolved(t *testing.T) {
	f := ghtest.New(t, "")
	f.Open = []ghtest.Issue{
		{Number: 7, Title: "🚨 Critical Performance Regression Detected (1 metrics)", Labels: []string{"performance", "regression", "automated", "priority-critical"}},
		{Number: 8, Title: "unrelated", Labels: []string{"bug"}},
	}
	env := baseEnv(f)
	env["GITHUB_ACTIONS"] = "true"
	env["GITHUB_RUN_ID"] = "99"
	o := runIssue(t, env, writeReport(t, allPassed), "--close-resolved")
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	want := []string{"GET /repos/o/r/issues", "POST /repos/o/r/issues/7/comments", "PATCH /repos/o/r/issues/7"}
	if diff := cmp.Diff(want, f.Calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
	if got := f.Requests()[1].Body["body"]; got != "<!-- perfgate:critical-resolved:99-5eed -->\n✅ Resolved in https://github.com/o/r/actions/runs/99: the latest load test has no critical regression. Closing automatically.\n" {
		t.Errorf("comment %q", got)
	}
	if f.Requests()[2].Body["state"] != "closed" || f.Requests()[2].Body["state_reason"] != "completed" {
		t.Errorf("edit body %v", f.Requests()[2].Body)
	}
	if !strings.Contains(o.stdout, "🔒 Closed resolved issue: https://github.com/o/r/issues/7\n") {
		t.Errorf("stdout %s", o.stdout)
	}
}

func TestFaults(t *testing.T) {
	resetIn := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	for _, tc := range []struct {
		name    string
		faults  []ghtest.Fault
		args    []string
		code    int
		calls   int
		sleeps  []time.Duration
		stderr  string // substring
		prefix  string
		notJSON bool
	}{
		// A create answered 5xx is looked for (GET) before it is sent again.
		{name: "500 then 201: retried once", faults: []ghtest.Fault{{Status: 500, Body: `{"message": "Server Error"}`}}, args: []string{"--no-dedupe"}, code: 0, calls: 4, sleeps: []time.Duration{time.Second}},
		{name: "502 on every try", faults: []ghtest.Fault{{Method: "POST", Status: 502, Body: `{}`}, {Method: "POST", Status: 502, Body: `{}`}, {Method: "POST", Status: 502, Body: `{}`}}, args: []string{"--no-dedupe"}, code: 1, calls: 6, sleeps: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			stderr: "❌ create-regression-issue: creating the issue: GitHub API error 502 Bad Gateway: an application/json answer without a message (3 tries; none created: no issue carries this run's marker)\n"},
		{name: "403 rate limit resetting within --max-wait", faults: []ghtest.Fault{{Status: 403, Headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetIn(10 * time.Second)}, Body: `{"message": "API rate limit exceeded"}`}}, code: 0, calls: 4, sleeps: []time.Duration{11 * time.Second}},
		{name: "403 rate limit resetting beyond --max-wait", faults: []ghtest.Fault{{Status: 403, Headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": resetIn(time.Hour)}, Body: `{"message": "API rate limit exceeded"}`}}, code: 1, calls: 1, stderr: "❌ create-regression-issue: listing open issues: GitHub API rate limit exhausted (403); it resets at 2026-11-27 11:00:00 UTC (in 1h0m1s), beyond --max-wait 1m0s"},
		{name: "429 with Retry-After", faults: []ghtest.Fault{{Status: 429, Headers: map[string]string{"Retry-After": "5"}, Body: `{"message": "secondary rate limit"}`}}, code: 0, calls: 4, sleeps: []time.Duration{5 * time.Second}},
		{name: "Retry-After beyond --max-wait", faults: []ghtest.Fault{{Status: 403, Headers: map[string]string{"Retry-After": "600"}, Body: `{"message": "secondary rate limit"}`}}, code: 1, calls: 1, stderr: "listing open issues: GitHub API secondary rate limit (403): asked to retry after 10m0s, beyond --max-wait 1m0s"},
		{name: "401", faults: []ghtest.Fault{{Status: 401, Body: `{"message": "Bad credentials"}`}}, code: 1, calls: 1, stderr: "❌ create-regression-issue: listing open issues: token rejected (401 Bad credentials): check --token, GITHUB_TOKEN or GH_TOKEN\n"},
		{name: "401 with --soft-fail", faults: []ghtest.Fault{{Status: 401, Body: `{"message": "Bad credentials"}`}}, args: []string{"--soft-fail"}, code: 0, calls: 1, stderr: "⚠️ create-regression-issue: listing open issues: token rejected (401 Bad credentials): check --token, GITHUB_TOKEN or GH_TOKEN (--soft-fail: exiting 0)\n"},
		{name: "403 without rate limit", faults: []ghtest.Fault{{Status: 403, Body: `{"message": "Resource not accessible by integration"}`}}, code: 1, calls: 1, stderr: "token lacks issues:write on o/r (403 Resource not accessible by integration); in a pull request from a fork GITHUB_TOKEN is read-only"},
		{name: "404", faults: []ghtest.Fault{{Status: 404, Body: `{"message": "Not Found"}`}}, code: 1, calls: 1, stderr: "listing open issues: repository o/r not found or not visible to this token (404)\n"},
		{name: "422", faults: []ghtest.Fault{{Status: 422, Body: `{"message": "Validation Failed", "errors": [{"resource": "Issue", "field": "assignees", "code": "invalid", "message": "octocat is not assignable"}]}`}}, args: []string{"--no-dedupe"}, code: 1, calls: 1, stderr: "creating the issue: GitHub rejected the request (422): Validation Failed; octocat is not assignable\n"},
		{name: "server hangs: timeout", faults: []ghtest.Fault{{Hang: true}, {Hang: true}}, args: []string{"--timeout", "50ms", "--attempts", "2"}, code: 1, calls: 2, sleeps: []time.Duration{time.Second}, stderr: "listing open issues: GitHub API did not answer within 50ms (2 tries)\n"},
		{name: "malformed JSON", faults: []ghtest.Fault{{Status: 200, Body: `[{"number": 1, "title": `}}, code: 1, calls: 1, stderr: "listing open issues: GitHub API sent a response that is not the expected JSON"},
		{name: "GHES base URL", prefix: "/api/v3", code: 0, calls: 3},
		{name: "429 without Retry-After: GitHub's minute", faults: []ghtest.Fault{{Status: 429, Body: `{"message": "Too many requests"}`}}, code: 0, calls: 4, sleeps: []time.Duration{time.Minute}},
		{name: "429 without Retry-After beyond --max-wait", faults: []ghtest.Fault{{Status: 429, Body: `{"message": "Too many requests"}`}}, args: []string{"--max-wait", "30s"}, code: 1, calls: 1,
			stderr: "❌ create-regression-issue: listing open issues: GitHub API rate limit (429) without Retry-After or reset time: GitHub asks to wait at least 1m0s, beyond --max-wait 30s; retry after 2026-11-27 10:01:00 UTC\n"},
		{name: "Retry-After as an HTTP date", faults: []ghtest.Fault{ghtest.RetryAfterDate(now.Add(20 * time.Second))}, code: 0, calls: 4, sleeps: []time.Duration{20 * time.Second}},
		{name: "Retry-After as an HTTP date beyond --max-wait", faults: []ghtest.Fault{ghtest.RetryAfterDate(now.Add(time.Hour))}, code: 1, calls: 1,
			stderr: "listing open issues: GitHub API secondary rate limit (429): asked to retry after 1h0m0s, beyond --max-wait 1m0s; retry after 2026-11-27 11:00:00 UTC\n"},
		{name: "403 secondary limit told by the body", faults: []ghtest.Fault{ghtest.SecondaryLimit()}, code: 0, calls: 4, sleeps: []time.Duration{time.Minute}},
		{name: "5xx with an HTML page", faults: []ghtest.Fault{ghtest.HTMLError(502), ghtest.HTMLError(502), ghtest.HTMLError(502)}, code: 1, calls: 3, sleeps: []time.Duration{time.Second, 2 * time.Second},
			stderr: "❌ create-regression-issue: listing open issues: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”\n"},
		{name: "a body stalling after the headers is retried", faults: []ghtest.Fault{ghtest.StallAfterHeaders()}, args: []string{"--timeout", "1s"}, code: 0, calls: 4, sleeps: []time.Duration{time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, tc.prefix)
			f.Faults = tc.faults
			o := runIssue(t, baseEnv(f), append([]string{writeReport(t, failuresAndWarnings)}, tc.args...)...)
			if o.code != tc.code {
				t.Errorf("exit %d, want %d; stderr %s", o.code, tc.code, o.stderr)
			}
			if got := len(f.Calls()); got != tc.calls {
				t.Errorf("%d requests, want %d: %v", got, tc.calls, f.Calls())
			}
			if !cmp.Equal(o.sleeps, tc.sleeps) {
				t.Errorf("sleeps %v, want %v", o.sleeps, tc.sleeps)
			}
			if tc.stderr != "" && !strings.Contains(o.stderr, tc.stderr) {
				t.Errorf("stderr\n got: %q\nwant to contain: %q", o.stderr, tc.stderr)
			}
			if tc.stderr == "" && o.stderr != "" {
				t.Errorf("stderr %q", o.stderr)
			}
			if strings.Count(strings.TrimSpace(o.stderr), "\n") > 0 {
				t.Errorf("more than one line on stderr: %q", o.stderr)
			}
			if tc.prefix != "" {
				for _, c := range f.Calls() {
					if !strings.Contains(c, tc.prefix+"/repos/o/r/issues") {
						t.Errorf("request %s not under %s", c, tc.prefix)
					}
				}
			}
			checkNoToken(t, f, o)
		})
	}
}

func TestConfigurationErrors(t *testing.T) {
	rep := writeReport(t, failuresAndWarnings)
	const parsing = "📋 Parsing regression report: "
	for _, tc := range []struct {
		name           string
		env            map[string]string
		args           []string
		stdout, stderr string // stdout: the original script's lines
	}{
		{"no token", map[string]string{"GITHUB_REPOSITORY": "o/r"}, nil,
			"❌ Error: GitHub token not provided. Set GITHUB_TOKEN environment variable or pass --token argument\n",
			"❌ create-regression-issue: GitHub token not provided: use --token, or set GITHUB_TOKEN or GH_TOKEN\n"},
		{"no repository", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue"}, nil,
			"❌ Error: GITHUB_REPOSITORY environment variable not set\n   Set it to 'owner/repo' format (e.g., 'octo-org/octo-repo'), or pass --repo OWNER/NAME\n",
			"❌ create-regression-issue: no repository: set GITHUB_REPOSITORY or pass --repo OWNER/NAME\n"},
		{"bad repository", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue"}, []string{"--repo", "o/r/x"}, "", "❌ create-regression-issue: repository \"o/r/x\" is not of the form OWNER/NAME\n"},
		{"plain http API", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue", "GITHUB_REPOSITORY": "o/r"}, []string{"--api-url", "http://ghe.example.com/api/v3/"}, "", "❌ create-regression-issue: API URL \"http://ghe.example.com/api/v3/\": plain http is refused (the token would travel unencrypted); use https\n"},
		{"missing report", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue", "GITHUB_REPOSITORY": "o/r"}, []string{"--", "nope.md"},
			parsing + "nope.md\n❌ Regression report not found: nope.md\n", "❌ create-regression-issue: cannot read report nope.md: no such file or directory\n"},
		{"not a report", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue", "GITHUB_REPOSITORY": "o/r"}, []string{"--", td + "seed/sample_results_stats.csv"},
			parsing + td + "seed/sample_results_stats.csv\n", "❌ create-regression-issue: ../../testdata/seed/sample_results_stats.csv: not a regression report (no \"## Performance Regression Analysis\" heading)\n"},
		{"two reports", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue", "GITHUB_REPOSITORY": "o/r"}, []string{"--", rep, "other.md"}, "", "❌ create-regression-issue: want 1 argument, <regression_report_file>, got 2: REP other.md\n"},
		{"no report", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue", "GITHUB_REPOSITORY": "o/r"}, []string{"--"}, command.ScriptUsage, "❌ create-regression-issue: no report file given (run 'create-regression-issue -h' for the flags)\n"},
		{"bad flag", map[string]string{"GH_TOKEN": "ghp_s3cretT0kenValue", "GITHUB_REPOSITORY": "o/r"}, []string{"--attempts", "x"}, "", "❌ create-regression-issue: invalid value \"x\" for flag -attempts: parse error (run 'create-regression-issue -h' for usage)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if len(args) == 0 || args[0] != "--" {
				args = append([]string{rep}, args...)
			} else {
				args = args[1:]
			}
			o := runIssue(t, tc.env, args...)
			if o.code != 1 {
				t.Errorf("exit %d, want 1", o.code)
			}
			if got := strings.ReplaceAll(o.stderr, rep, "REP"); got != tc.stderr || strings.Contains(o.stderr, "ghp_s3cretT0kenValue") {
				t.Errorf("stderr\n got: %q\nwant: %q", got, tc.stderr)
			}
			if o.stdout != tc.stdout {
				t.Errorf("stdout\n got: %q\nwant: %q", o.stdout, tc.stdout)
			}
		})
	}
	// The token passed as a flag, after the report as the seed documents it, is honoured
	// and never printed, not even by -h.
	f := ghtest.New(t, "")
	o := runIssue(t, map[string]string{"GITHUB_REPOSITORY": "o/r", "GITHUB_API_URL": f.APIURL()}, rep, "--token", f.Token)
	if o.code != 0 || f.Requests()[0].Auth != "Bearer "+f.Token {
		t.Errorf("exit %d, auth %q, stderr %s", o.code, f.Requests()[0].Auth, o.stderr)
	}
	checkNoToken(t, f, o)
	h := runIssue(t, map[string]string{"GITHUB_TOKEN": f.Token}, "-h")
	if h.code != 0 || strings.Contains(h.stdout+h.stderr, f.Token) || !strings.Contains(h.stdout, "-close-resolved") {
		t.Errorf("-h: %+v", h)
	}
}

func TestDryRunGolden(t *testing.T) {
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "o/r", "GITHUB_RUN_ID": "7", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_SHA": "abc123", "GITHUB_TOKEN": "ghp_s3cretT0kenValue"}
	hostile := strings.Replace(failuresAndWarnings, "| api_gateway | error_rate_pct |", "| /api/a\\|b `x` @team #12 | error_rate_pct |", 1)
	rep := writeReport(t, hostile)
	o := runIssue(t, env, rep, "--dry-run", "--close-resolved", "--label", "perf-team")
	if o.code != 0 || o.stderr != "" {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	got := strings.ReplaceAll(o.stdout, rep, "REPORT")
	golden.Check(t, filepath.Join(td, "issue", "dry_run.golden"), got, *update)
	if strings.Contains(got, "ghp_s3cretT0kenValue") {
		t.Error("token in dry-run output")
	}
	if !strings.Contains(got, "| /api/a\\|b \\`x\\` @\u200bteam #\u200b12 | error_rate_pct |") {
		t.Error("hostile endpoint name not neutralized")
	}
}

// TestReportsParseAlike: our report, the Python script's (the seed doc's example, with its
// 2.0 and its seed metric names) and the --json results give the same rows.
func TestReportsParseAlike(t *testing.T) {
	for _, tc := range []struct{ file, golden string }{
		{"issue/perfgate_report.md", "issue/report.rows.golden"},
		{"issue/python_report.md", "issue/report.rows.golden"},      // same comparison, Python's formatting and seed metric names
		{"issue/perfgate_results.json", "issue/report.rows.golden"}, // the --json results of the same comparison
		{"issue/seed_doc_example.md", "issue/seed_doc_example.rows.golden"},
	} {
		doc, err := os.ReadFile(td + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		p, err := report.Parse(doc, tc.file)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, r := range p.Failures {
			b.WriteString("fail | " + strings.Join([]string{r.Service, r.Metric, r.Expected, r.Current, r.Change}, " | ") + "\n")
		}
		for _, r := range p.Warnings {
			b.WriteString("warn | " + strings.Join([]string{r.Service, r.Metric, r.Expected, r.Current, r.Change}, " | ") + "\n")
		}
		// Rewritten from our own reports; the others must parse to the same rows.
		golden.Check(t, td+tc.golden, b.String(), *update && (tc.file == "issue/perfgate_report.md" || tc.file == "issue/seed_doc_example.md"))
	}
}

// TestBodyFollowsTheReportsCommand: a report written by compare-performance records its
// command line; the issue body suggests that command and extract commands with the same
// --group-by, instead of hard-coded file names, and carries the noise-aware evidence.
func TestBodyFollowsTheReportsCommand(t *testing.T) {
	dir := t.TempDir()
	base, cur, rep := filepath.Join(dir, "base.json"), filepath.Join(dir, "cur.json"), filepath.Join(dir, "report with space.md")
	env := extract.Env{Now: func() time.Time { return now }}
	var sink bytes.Buffer
	if extract.RunBaselines([]string{"--group-by", "endpoint", td + "locust/locust-2.12.1-baseline-run1_stats.csv", base}, &sink, &sink, env) != 0 ||
		extract.RunMetrics([]string{"--group-by", "endpoint", td + "locust/locust-2.12.1-regressed-run1_stats.csv", cur}, &sink, &sink, env) != 0 {
		t.Fatal(sink.String())
	}
	// The report as compare-performance writes it, with its command line as the last line.
	opt := metrics.Options{Mapping: metrics.Mapping{ByEndpoint: true}}
	b, _, err := metrics.Load([]string{base}, opt)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := metrics.Load([]string{cur}, opt)
	if err != nil {
		t.Fatal(err)
	}
	set := threshold.Builtin()
	if err := set.ParseFlag("default.p95_latency_ms=+25%"); err != nil {
		t.Fatal(err)
	}
	set.Noise = threshold.DefaultNoise
	var md strings.Builder
	report.Markdown(&md, threshold.Evaluate(b, c, set), nil)
	args := []string{"--group-by", "endpoint", "--noise-aware", "--threshold", "default.p95_latency_ms=+25%", "--report", rep, base, cur}
	md.WriteString("\n" + report.CommandComment(report.Command{Prog: "compare-performance", Args: args, Baseline: base, Current: cur, InputArgs: []string{"--group-by", "endpoint"}}))
	if err := os.WriteFile(rep, []byte(md.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	o := runIssue(t, nil, rep, "--dry-run")
	if o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	for _, want := range []string{
		// To reproduce by hand: the report's inputs and thresholds, not its output files.
		"compare-performance --group-by endpoint --noise-aware --threshold default.p95_latency_ms=+25% " + base + " " + cur + "\n",
		"extract-baselines --group-by endpoint REFERENCE_RUN_RESULTS " + base + "\n",
		"Evidence (noise-aware mode):\n\n| Service | Metric | Evidence | Decided by |\n",
		"| /api/rag/query | p95_latency_ms | ",
	} {
		if !strings.Contains(o.stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, o.stdout)
		}
	}
	if strings.Contains(o.stdout, "load_results_stats.csv") {
		t.Errorf("hard-coded file names in the body:\n%s", o.stdout)
	}
	// The warning body's Helpful Commands follow the same command line.
	doc, _ := os.ReadFile(rep)
	parsed, err := report.Parse(doc, rep)
	if err != nil || parsed.Command == nil {
		t.Fatalf("%v: no command in the report", err)
	}
	w := body(warning, nil, issueContext{Now: now, ReportPath: rep, Command: parsed.Command})
	for _, want := range []string{"cat '" + rep + "'\n", "extract-metrics --group-by endpoint LOAD_TEST_RESULTS " + cur + "\n"} {
		if !strings.Contains(w, want) {
			t.Errorf("warning body lacks %q:\n%s", want, w)
		}
	}
	// A current side read raw by compare-performance is the extract input itself.
	raw := *parsed.Command
	raw.Current, raw.CurrentRaw = "results.jtl", true
	if got := commandsFor(issueContext{Command: &raw}).extract; got != "extract-metrics --group-by endpoint results.jtl load-results.json" {
		t.Errorf("extract line for raw results: %s", got)
	}
}

// TestUsageMatchesReadme: the flags the command defines are the ones its README section
// documents, no more, no fewer.
func TestUsageMatchesReadme(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var o options
	o.bind(fs)
	if msg, err := docs.CheckFlags("../../README.md", "create-regression-issue", fs); err != nil || msg != "" {
		t.Errorf("%v %s", err, msg)
	}
}

// TestHostileNamesInDryRun: a report whose endpoint names hold workflow commands (a
// hand-written or Python-written one, not escaped by compare-performance) prints bodies
// that the Actions runner cannot read as commands.
func TestHostileNamesInDryRun(t *testing.T) {
	hostile := strings.Replace(failuresAndWarnings, "| api_gateway | error_rate_pct |", "| ::stop-commands::tok ##[add-mask]x | error_rate_pct |", 1)
	o := runIssue(t, map[string]string{"GITHUB_REPOSITORY": "o/r"}, writeReport(t, hostile), "--dry-run")
	if o.code != 0 || !strings.Contains(o.stdout, "stop-commands") {
		t.Fatalf("exit %d: %s", o.code, o.stdout)
	}
	runnersafe.Check(t, o.stdout, "stdout", false)
	runnersafe.Check(t, o.stderr, "stderr", false)
}

// TestCloseResolvedOnlyWhenJudged: --close-resolved closes nothing when the report
// judged nothing (nothing comparable) and keeps the critical issue open while failures
// are only acknowledged; another bot's automated regression issue is never touched.
func TestCloseResolvedOnlyWhenJudged(t *testing.T) {
	open := []ghtest.Issue{
		{Number: 7, Title: "🚨 Critical Performance Regression Detected (1 metrics)", Labels: []string{"performance", "regression", "automated", "priority-critical"}},
		{Number: 9, Title: "Flaky test detected", Labels: []string{"automated", "regression"}},
	}
	incomparable := "## Performance Regression Analysis\n\n### ❓ Services Not in Both Files\n\n| Service | Present in | Note |\n|---------|------------|------|\n| a | baseline only | x |\n\n## Summary\n\n- **Total Metrics**: 0\n- **Failures**: 0\n- **Warnings**: 0\n- **Passed**: 0\n"
	strict := allPassed + "\n<!-- perfgate:command {\"prog\":\"compare-performance\",\"args\":[],\"baseline\":\"b\",\"current\":\"c\",\"verdict\":\"incomparable\"} -->\n"
	for name, doc := range map[string]string{"incomparable": incomparable, "acknowledged": acknowledgedOnly, "none compared": noneCompared, "recorded incomparable": strict} {
		f := ghtest.New(t, "")
		f.Open = open
		o := runIssue(t, baseEnv(f), writeReport(t, doc), "--close-resolved")
		if o.code != 0 {
			t.Fatalf("%s: exit %d: %s", name, o.code, o.stderr)
		}
		for _, c := range f.Calls() {
			if strings.HasPrefix(c, "PATCH") || strings.Contains(c, "/comments") {
				t.Errorf("%s: %s (nothing may be closed)", name, c)
			}
		}
	}
	f := ghtest.New(t, "")
	f.Open = open
	runIssue(t, baseEnv(f), writeReport(t, allPassed), "--close-resolved")
	if diff := cmp.Diff([]string{"GET /repos/o/r/issues", "POST /repos/o/r/issues/7/comments", "PATCH /repos/o/r/issues/7"}, f.Calls()); diff != "" {
		t.Errorf("all passed: requests (-want +got):\n%s", diff)
	}
}

// TestCutShortReport: a report without its Summary (cut short by a full disk or a killed
// step, or another file) is not a pass: exit 1, nothing filed — at every length, also
// where the failures table is still whole. A report that could not judge the run says so
// on stderr, never only "✅ No critical failures detected".
func TestCutShortReport(t *testing.T) {
	full, err := os.ReadFile(td + "issue/perfgate_report.md")
	if err != nil {
		t.Fatal(err)
	}
	cut := strings.Index(string(full), "## Summary")
	if cut < 0 {
		t.Fatal("no Summary in the fixture")
	}
	half := strings.LastIndex(string(full[:cut/2]), "\n") + 1 // a whole line (a cut row is a parse error)
	for _, n := range []int{60, half, cut} {
		rep := writeReport(t, string(full[:n]))
		o := runIssue(t, nil, rep, "--dry-run")
		if want := "❌ create-regression-issue: " + rep + " has no \"## Summary\" section: not a whole regression report (cut short, or another file?); nothing filed"; o.code != 1 || !strings.Contains(o.stderr, want) || strings.Contains(o.stdout, "✅") {
			t.Errorf("cut at %d: exit %d\nstdout: %s\nstderr: %s", n, o.code, o.stdout, o.stderr)
		}
	}
	const incomparable = "## Performance Regression Analysis\n\n## Summary\n\n- **Total Metrics**: 0\n- **Failures**: 0\n- **Warnings**: 0\n- **Passed**: 0\n"
	rep := writeReport(t, incomparable)
	if o := runIssue(t, nil, rep, "--dry-run"); !strings.Contains(o.stderr, rep+" could not judge the run (nothing comparable)") {
		t.Errorf("incomparable: exit %d\nstdout: %s\nstderr: %s", o.code, o.stdout, o.stderr)
	}
	// Incomparable under --strict-comparability, with failures: they are filed, and no
	// note says there is nothing to file.
	strict := writeReport(t, string(full)+"\n<!-- perfgate:command {\"prog\":\"compare-performance\",\"args\":[\"--strict-comparability\"],\"verdict\":\"incomparable\"} -->\n")
	if o := runIssue(t, nil, strict, "--dry-run"); o.code != 0 || strings.Contains(o.stderr, "could not judge") || !strings.Contains(o.stdout, "🚨 Found 3 critical failure(s)") {
		t.Errorf("strict: exit %d\nstdout: %s\nstderr: %s", o.code, o.stdout, o.stderr)
	}
}
