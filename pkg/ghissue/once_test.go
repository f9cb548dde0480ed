package ghissue_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/ghissue"
	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
)

var now = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// recorded is a client of the fake API whose clock is fixed at now, whose sleeps are
// recorded, not slept, and whose notices are kept.
type recorded struct {
	*ghissue.Client
	sleeps  []time.Duration
	notices []string
}

func newRecorded(t *testing.T, f *ghtest.Server, p ghissue.RetryPolicy) *recorded {
	t.Helper()
	r := &recorded{}
	p.Now = func() time.Time { return now }
	p.Sleep = func(_ context.Context, d time.Duration) error { r.sleeps = append(r.sleeps, d); return nil }
	c, err := ghissue.New(ghissue.Config{Token: f.Token, APIURL: f.APIURL(), Repo: "o/r", Policy: p, Notice: func(s string) { r.notices = append(r.notices, s) }})
	if err != nil {
		t.Fatal(err)
	}
	r.Client = c
	return r
}

const marker = "<!-- perfgate:critical:4242-1 -->"

var labels = []string{"performance", "regression", "automated"}

// TestCreateAnsweredWithAnError: a create that GitHub carried out but answered 5xx, or
// whose answer timed out or stalled, is found by its marker instead of being sent again;
// one that was not carried out is sent again, a bounded number of times.
func TestCreateAnsweredWithAnError(t *testing.T) {
	const url101 = "https://github.com/o/r/issues/101"
	const html502 = "GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”"
	postFails := ghtest.Fault{Method: http.MethodPost, Status: 502, ContentType: "text/html", Body: "<html><head><title>502 Bad Gateway</title></head></html>"}
	for _, tc := range []struct {
		name    string
		faults  []ghtest.Fault
		timeout time.Duration
		marker  string
		calls   []string
		sleeps  []time.Duration
		issues  int
		err     string // the whole error, "" for none
		notice  string // the whole notice, "" for none
	}{
		{name: "created, then 502", faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)}, marker: marker,
			calls: []string{"POST", "GET", "GET"}, sleeps: []time.Duration{time.Second}, issues: 1,
			notice: "creating the issue: " + html502 + "; but the issue was created (found by this run's marker): " + url101},
		{name: "created, then 504 after a delay", faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 504, 20*time.Millisecond)}, timeout: 10 * time.Second, marker: marker,
			calls: []string{"POST", "GET", "GET"}, sleeps: []time.Duration{time.Second}, issues: 1,
			notice: "creating the issue: GitHub API error 504 Gateway Timeout: a text/html answer, not GitHub's JSON: “504 Gateway Timeout”; but the issue was created (found by this run's marker): " + url101},
		{name: "created, the answer timed out", faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 504, time.Minute)}, timeout: 2 * time.Second, marker: marker,
			calls: []string{"POST", "GET", "GET"}, sleeps: []time.Duration{time.Second}, issues: 1,
			notice: "creating the issue: GitHub API did not answer within 2s; but the issue was created (found by this run's marker): " + url101},
		{name: "created, the answer stalled after its headers", faults: []ghtest.Fault{{Method: http.MethodPost, CarryOut: true, Status: 201, Stall: true, Body: `{"number": `}}, timeout: 2 * time.Second, marker: marker,
			calls: []string{"POST", "GET", "GET"}, sleeps: []time.Duration{time.Second}, issues: 1,
			notice: "creating the issue: GitHub API did not answer within 2s; but the issue was created (found by this run's marker): " + url101},
		{name: "not created, then created", faults: []ghtest.Fault{postFails}, marker: marker,
			calls: []string{"POST", "GET", "GET", "POST"}, sleeps: []time.Duration{time.Second}, issues: 1},
		{name: "never created: bounded tries", faults: []ghtest.Fault{postFails, postFails, postFails, postFails}, marker: marker,
			calls: []string{"POST", "GET", "GET", "POST", "GET", "GET", "POST", "GET", "GET"}, sleeps: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
			err: "creating the issue: " + html502 + " (3 tries; none created: no issue carries this run's marker)"},
		{name: "without a marker: never sent twice", faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)},
			calls: []string{"POST"}, issues: 1, err: "creating the issue: " + html502},
		{name: "refused: not looked for", faults: []ghtest.Fault{{Method: http.MethodPost, Status: 422, Body: `{"message": "Validation Failed"}`}}, marker: marker,
			calls: []string{"POST"}, err: "creating the issue: GitHub rejected the request (422): Validation Failed"},
		{name: "rate limited: sent again at once", faults: []ghtest.Fault{{Method: http.MethodPost, Status: 429, Headers: map[string]string{"Retry-After": "3"}, Body: `{"message": "slow down"}`}}, marker: marker,
			calls: []string{"POST", "POST"}, sleeps: []time.Duration{3 * time.Second}, issues: 1},
		{name: "the lookup fails too", faults: []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0), {Status: 500, Body: `{"message": "boom"}`}, {Status: 500, Body: `{"message": "boom"}`}, {Status: 500, Body: `{"message": "boom"}`}}, marker: marker,
			calls: []string{"POST", "GET", "GET", "GET"}, sleeps: []time.Duration{time.Second, time.Second, 2 * time.Second}, issues: 1,
			err: "creating the issue: " + html502 + "; whether the issue was created is unknown: listing open issues: GitHub API error 500: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, "")
			f.PerPage = 2 // the lookup follows the pages
			for n := 1; n <= 3; n++ {
				f.Open = append(f.Open, ghtest.Issue{Number: n, Title: "older", Labels: labels, Body: "<!-- perfgate:critical:41-1 -->\nolder run"})
			}
			f.Faults = tc.faults
			c := newRecorded(t, f, ghissue.RetryPolicy{Attempts: 3, Backoff: time.Second, MaxWait: time.Minute, Timeout: tc.timeout})
			body := tc.marker + "\n## Performance Regression Alert\n"
			is, err := c.Create(context.Background(), ghissue.NewIssue{Title: "🚨 t", Body: body, Labels: labels, Marker: tc.marker})
			if got := errString(err); got != tc.err {
				t.Errorf("error\n got: %s\nwant: %s", got, tc.err)
			}
			if err == nil && is.URL != url101 {
				t.Errorf("issue %+v, want #101", is)
			}
			var methods []string
			for _, r := range f.Requests() {
				methods = append(methods, r.Method)
			}
			if diff := cmp.Diff(tc.calls, methods); diff != "" {
				t.Errorf("requests (-want +got); a lookup reads two pages:\n%s", diff)
			}
			if diff := cmp.Diff(tc.sleeps, c.sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
			if got := len(f.OpenIssues()) - 3; got != tc.issues {
				t.Errorf("%d issues created, want %d", got, tc.issues)
			}
			if diff := cmp.Diff(nonEmpty(tc.notice), c.notices); diff != "" {
				t.Errorf("notices (-want +got):\n%s", diff)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// TestCommentAnsweredWithAnError: a comment on an issue or a pull request that GitHub
// made but answered 502 is found among the comments (all pages) by its marker: one comment.
func TestCommentAnsweredWithAnError(t *testing.T) {
	for _, pr := range []bool{false, true} {
		t.Run("pull request="+strconv.FormatBool(pr), func(t *testing.T) {
			f := ghtest.New(t, "")
			for i := 1; i <= 150; i++ {
				f.Comments[7] = append(f.Comments[7], ghtest.Comment{ID: int64(i), Body: "chatter " + strconv.Itoa(i)})
			}
			f.Faults = []ghtest.Fault{ghtest.CarriedOut(http.MethodPost, 502, 0)}
			c := newRecorded(t, f, ghissue.RetryPolicy{Attempts: 3, Backoff: time.Second})
			const mark = "<!-- perfgate:critical-update:4242-1 -->"
			var url string
			var err error
			if pr {
				var cm ghissue.IssueComment
				cm, err = c.CommentOnPullRequest(context.Background(), 7, mark+"\nstill regressed", mark)
				url = cm.URL
			} else {
				url, err = c.Comment(context.Background(), 7, mark+"\nstill regressed", mark)
			}
			cs := f.IssueComments(7)
			if err != nil || len(cs) != 151 || url != "https://github.com/o/r/issues/7#issuecomment-"+strconv.FormatInt(cs[150].ID, 10) {
				t.Fatalf("%d comments, URL %s, error %v", len(cs), url, err)
			}
			want := []string{"POST /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments", "GET /repos/o/r/issues/7/comments"}
			if diff := cmp.Diff(want, f.Calls()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			what := "issue"
			if pr {
				what = "pull request"
			}
			if len(c.notices) != 1 || !strings.HasPrefix(c.notices[0], "commenting on "+what+" #7: GitHub API error 502 Bad Gateway") || !strings.HasSuffix(c.notices[0], "; but the comment was created (found by this run's marker): "+url) {
				t.Errorf("notices %q", c.notices)
			}
		})
	}
}

func TestHasMarker(t *testing.T) {
	for body, want := range map[string]bool{
		marker + "\n## x":                      true,
		"## x\n  " + marker + "  \r\nmore":     true,
		"quoted: " + marker:                    false,
		"<!-- perfgate:critical:4242-10 -->\n": false,
		"":                                     false,
	} {
		if got := ghissue.HasMarker(body, marker); got != want {
			t.Errorf("HasMarker(%q) = %v", body, got)
		}
	}
	if ghissue.HasMarker("\n", "") {
		t.Error("an empty marker matched")
	}
}
