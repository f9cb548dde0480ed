package ghissue_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/ghissue"
	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
)

// client returns a client of the fake API whose sleeps are recorded, not slept.
func client(t *testing.T, f *ghtest.Server, p ghissue.RetryPolicy) (*ghissue.Client, *[]time.Duration) {
	t.Helper()
	var sleeps []time.Duration
	p.Sleep = func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }
	c, err := ghissue.New(ghissue.Config{Token: f.Token, APIURL: f.APIURL(), Repo: "o/r", Policy: p})
	if err != nil {
		t.Fatal(err)
	}
	return c, &sleeps
}

func TestListOpenFollowsEveryPage(t *testing.T) {
	f := ghtest.New(t, "/api/v3") // GitHub Enterprise Server's prefix
	f.PerPage = 2
	for n := 1; n <= 5; n++ {
		f.Open = append(f.Open, ghtest.Issue{Number: n, Title: "t" + strconv.Itoa(n), Labels: []string{"automated", "regression"}, PR: n == 2})
	}
	f.Open = append(f.Open, ghtest.Issue{Number: 9, Title: "other", Labels: []string{"automated"}})
	c, _ := client(t, f, ghissue.RetryPolicy{Attempts: 1})
	got, err := c.ListOpen(context.Background(), []string{"automated", "regression"})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, is := range got {
		numbers = append(numbers, is.Number)
	}
	if diff := cmp.Diff([]int{1, 3, 4, 5}, numbers); diff != "" {
		t.Errorf("issues (-want +got), pull requests and other labels left out:\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /api/v3/repos/o/r/issues", "GET /api/v3/repos/o/r/issues", "GET /api/v3/repos/o/r/issues"}, f.Calls()); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestCreateCommentClose(t *testing.T) {
	f := ghtest.New(t, "")
	c, _ := client(t, f, ghissue.RetryPolicy{Attempts: 1})
	ctx := context.Background()
	is, err := c.Create(ctx, ghissue.NewIssue{Title: "🚨 title", Body: "body", Labels: []string{"performance", "automated"}, Assignees: []string{"octocat"}})
	if err != nil || is.Number != 101 || is.URL != "https://github.com/o/r/issues/101" || !is.HasLabel("AUTOMATED") {
		t.Fatalf("%+v %v", is, err)
	}
	if _, err := c.Comment(ctx, is.Number, "again", ""); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(ctx, is.Number); err != nil {
		t.Fatal(err)
	}
	reqs := f.Requests()
	if diff := cmp.Diff(map[string]any{"title": "🚨 title", "body": "body", "labels": []any{"performance", "automated"}, "assignees": []any{"octocat"}}, reqs[0].Body); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
	if reqs[1].Body["body"] != "again" || reqs[2].Method != "PATCH" || reqs[2].Body["state"] != "closed" || reqs[2].Body["state_reason"] != "completed" {
		t.Errorf("comment/close requests: %+v", reqs[1:])
	}
	for _, r := range reqs {
		if r.Auth != "Bearer "+f.Token {
			t.Errorf("%s %s: Authorization %q", r.Method, r.Path, r.Auth)
		}
	}
}

func TestRetriesAndLimits(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults []ghtest.Fault
		policy ghissue.RetryPolicy
		err    string
		sleeps []time.Duration
	}{
		{"5xx then success", []ghtest.Fault{{Status: 502, Body: `{}`}, {Status: 503, Body: `{}`}}, ghissue.RetryPolicy{Attempts: 3, Backoff: time.Second}, "", []time.Duration{time.Second, 2 * time.Second}},
		{"5xx on every try", []ghtest.Fault{{Status: 500, Body: `{}`}, {Status: 500, Body: `{}`}}, ghissue.RetryPolicy{Attempts: 2, Backoff: time.Second}, "listing open issues: GitHub API error 500", []time.Duration{time.Second}},
		{"Retry-After within max wait", []ghtest.Fault{{Status: 429, Headers: map[string]string{"Retry-After": "7"}, Body: `{"message": "slow down"}`}}, ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute}, "", []time.Duration{7 * time.Second}},
		{"401 names the cause, never the token", []ghtest.Fault{{Status: 401, Body: `{"message": "Bad credentials ghp_s3cretT0kenValue"}`}}, ghissue.RetryPolicy{Attempts: 3}, "listing open issues: token rejected (401 Bad credentials ***)", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, "")
			f.Faults = tc.faults
			c, sleeps := client(t, f, tc.policy)
			_, err := c.ListOpen(context.Background(), []string{"automated"})
			if (err == nil) != (tc.err == "") || (err != nil && !strings.HasPrefix(err.Error(), tc.err)) {
				t.Errorf("error %v, want %q", err, tc.err)
			}
			if diff := cmp.Diff(tc.sleeps, *sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrimaryRateLimitWithDefaultClock: a policy without a clock uses the real one (a
// nil Now must not crash when a primary rate limit asks to wait).
func TestPrimaryRateLimitWithDefaultClock(t *testing.T) {
	f := ghtest.New(t, "")
	reset := strconv.FormatInt(time.Now().Add(2*time.Second).Unix(), 10)
	f.Faults = []ghtest.Fault{{Status: 403, Headers: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}, Body: `{"message": "API rate limit exceeded"}`}}
	c, sleeps := client(t, f, ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute})
	if _, err := c.ListOpen(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	if len(*sleeps) != 1 || (*sleeps)[0] <= 0 || (*sleeps)[0] > 4*time.Second {
		t.Errorf("waited %v for a reset 2 s away", *sleeps)
	}
}

func TestPullRequestComments(t *testing.T) {
	f := ghtest.New(t, "/api/v3") // GitHub Enterprise Server's prefix
	f.PerPage = 2
	c, _ := client(t, f, ghissue.RetryPolicy{Attempts: 1})
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 5; i++ {
		cm, err := c.CommentOnPullRequest(ctx, 7, "comment "+strconv.Itoa(i), "")
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, cm.ID)
	}
	edited, err := c.EditComment(ctx, ids[3], "edited")
	if err != nil || edited.ID != ids[3] || edited.Body != "edited" || edited.URL != "https://github.com/o/r/issues/7#issuecomment-"+strconv.FormatInt(ids[3], 10) {
		t.Fatalf("%+v %v", edited, err)
	}
	got, err := c.PullRequestComments(ctx, 7)
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, cm := range got {
		bodies = append(bodies, cm.Body)
	}
	if diff := cmp.Diff([]string{"comment 0", "comment 1", "comment 2", "edited", "comment 4"}, bodies); diff != "" {
		t.Errorf("comments over 3 pages (-want +got):\n%s", diff)
	}
	calls := f.Calls()
	if diff := cmp.Diff([]string{"PATCH /api/v3/repos/o/r/issues/comments/" + strconv.FormatInt(ids[3], 10), "GET /api/v3/repos/o/r/issues/7/comments", "GET /api/v3/repos/o/r/issues/7/comments", "GET /api/v3/repos/o/r/issues/7/comments"}, calls[5:]); diff != "" {
		t.Errorf("requests (-want +got):\n%s", diff)
	}
}

func TestPullRequestCommentErrors(t *testing.T) {
	f := ghtest.New(t, "")
	f.ReadOnly = true
	c, _ := client(t, f, ghissue.RetryPolicy{Attempts: 3})
	ctx := context.Background()
	_, err := c.CommentOnPullRequest(ctx, 7, "x", "")
	want := "commenting on pull request #7: token cannot comment on pull requests of o/r (403 Resource not accessible by integration): the job needs `permissions: pull-requests: write`; in a pull request from a fork GITHUB_TOKEN is read-only whatever the permissions — comment from a workflow_run workflow, or use --soft-fail"
	if err == nil || err.Error() != want {
		t.Errorf("read-only token: %v\nwant %s", err, want)
	}
	if n := len(f.Calls()); n != 1 {
		t.Errorf("a 403 that is no rate limit was retried: %d requests", n)
	}
	c, _ = client(t, ghtest.New(t, ""), ghissue.RetryPolicy{Attempts: 1})
	_, err = c.CommentOnPullRequest(ctx, 7, strings.Repeat("é", ghtest.MaxBody+1), "")
	if err == nil || !strings.Contains(err.Error(), "(422): Validation Failed; body is too long (maximum is 65536 characters)") {
		t.Errorf("body over the limit: %v", err)
	}
	if _, err := c.CommentOnPullRequest(ctx, 7, strings.Repeat("é", ghtest.MaxBody), ""); err != nil {
		t.Errorf("body at the limit: %v", err)
	}
}
