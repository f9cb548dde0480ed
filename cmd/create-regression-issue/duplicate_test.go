package main

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
)

const openCritical7 = "🚨 Critical Performance Regression Detected (1 metrics)"

// runMarker is the first line of a body posted by the run 4242, attempt 2.
var runMarker = regexp.MustCompile(`^<!-- perfgate:(critical|warning)(-update|-resolved)?:4242-2-5eed -->\n`)

var postHTML502 = ghtest.Fault{Method: http.MethodPost, Status: 502, ContentType: "text/html", Body: "<html><head><title>502 Bad Gateway</title></head></html>"}

// TestLostAnswerMakesNoDuplicate: a create or a comment that GitHub carried out but
// answered 502 (or whose answer timed out) is found by this run's marker: exactly one
// issue or comment, exit 0, and stderr says what happened. A create that is never carried
// out is tried --attempts times, then exit 1 with one clear line.
func TestLostAnswerMakesNoDuplicate(t *testing.T) {
	for _, tc := range []struct {
		name      string
		open      bool // an open critical issue #7 exists
		report    string
		args      []string
		faults    []ghtest.Fault
		calls     []string
		code      int
		stderr    string
		issues    int // open issues afterwards
		comments7 int // comments on #7 (the issue, or with --pr 7 the pull request)
	}{
		{name: "create answered 502", report: failuresAndWarnings, faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)},
			calls: []string{"GET /repos/o/r/issues", "POST /repos/o/r/issues", "GET /repos/o/r/issues", "POST /repos/o/r/issues"}, issues: 2,
			stderr: "⚠️ create-regression-issue: creating the issue: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”; but the issue was created (found by this run's marker): https://github.com/o/r/issues/101\n"},
		{name: "create answered 504 after the timeout", report: failuresAndWarnings, args: []string{"--timeout", "2s"}, faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 504, time.Minute)},
			calls: []string{"GET /repos/o/r/issues", "POST /repos/o/r/issues", "GET /repos/o/r/issues", "POST /repos/o/r/issues"}, issues: 2,
			stderr: "⚠️ create-regression-issue: creating the issue: GitHub API did not answer within 2s; but the issue was created (found by this run's marker): https://github.com/o/r/issues/101\n"},
		{name: "comment answered 502", open: true, report: failuresAndWarnings, faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)},
			calls: []string{"GET /repos/o/r/issues", "POST /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments", "POST /repos/o/r/issues"}, issues: 2, comments7: 1,
			stderr: "⚠️ create-regression-issue: commenting on issue #7: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”; but the comment was created (found by this run's marker): https://github.com/o/r/issues/7#issuecomment-9001\n"},
		{name: "resolved comment answered 502", open: true, report: allPassed, args: []string{"--close-resolved"}, faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)},
			calls: []string{"GET /repos/o/r/issues", "POST /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments", "PATCH /repos/o/r/issues/7"}, comments7: 1,
			stderr: "⚠️ create-regression-issue: commenting on issue #7: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”; but the comment was created (found by this run's marker): https://github.com/o/r/issues/7#issuecomment-9001\n"},
		{name: "pull-request comment answered 502", report: failuresAndWarnings, args: []string{"--pr-comment", "--pr", "7"}, faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)},
			calls: []string{"GET /user", "GET /repos/o/r/issues/7/comments", "POST /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments"}, comments7: 1,
			stderr: "⚠️ create-regression-issue: commenting on pull request #7: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”; but the comment was created (found by this run's marker): https://github.com/o/r/issues/7#issuecomment-9001\n"},
		{name: "create never carried out", report: failuresAndWarnings, args: []string{"--attempts", "2"}, code: 1,
			faults: []ghtest.Fault{postHTML502, postHTML502, postHTML502},
			calls:  []string{"GET /repos/o/r/issues", "POST /repos/o/r/issues", "GET /repos/o/r/issues", "POST /repos/o/r/issues", "GET /repos/o/r/issues"},
			stderr: "❌ create-regression-issue: creating the issue: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway” (2 tries; none created: no issue carries this run's marker)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, "")
			if tc.open {
				f.Open = []ghtest.Issue{{Number: 7, Title: openCritical7, Labels: criticalLabels}}
			}
			f.Faults = tc.faults
			env := baseEnv(f)
			env["GITHUB_ACTIONS"], env["GITHUB_RUN_ID"], env["GITHUB_RUN_ATTEMPT"] = "true", "4242", "2"
			o := runIssue(t, env, append([]string{writeReport(t, tc.report)}, tc.args...)...)
			if o.code != tc.code || o.stderr != tc.stderr {
				t.Errorf("exit %d, want %d; stderr\n got: %q\nwant: %q", o.code, tc.code, o.stderr, tc.stderr)
			}
			if diff := cmp.Diff(tc.calls, f.Calls()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if n, c := len(f.OpenIssues()), len(f.IssueComments(7)); n != tc.issues || c != tc.comments7 {
				t.Errorf("%d open issues (want %d), %d comments on #7 (want %d)", n, tc.issues, c, tc.comments7)
			}
			for _, r := range f.Requests() {
				if b, ok := r.Body["body"].(string); ok && !runMarker.MatchString(b) && !strings.HasPrefix(b, marker("")+"\n") {
					t.Errorf("%s %s: body without this run's marker:\n%s", r.Method, r.Path, b)
				}
			}
			checkNoToken(t, f, o)
		})
	}
}
