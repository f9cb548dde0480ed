package ghissue_test

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/ghissue"
	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
)

// TestRateLimitsAndOddAnswers: rate limits as GitHub documents them (Retry-After in
// seconds or as an HTTP date, else X-RateLimit-Reset when X-RateLimit-Remaining is 0,
// else at least a minute; a 403 that says "rate limit" is a secondary limit), a proxy's
// HTML error page, and a body that stalls after the headers, on a listing (a GET).
func TestRateLimitsAndOddAnswers(t *testing.T) {
	bare429 := ghtest.Fault{Status: 429, Body: `{"message": "Too many requests"}`}
	bodyOnly403 := ghtest.Fault{Status: 403, Body: `{"message": "You have exceeded a secondary rate limit."}`}
	for _, tc := range []struct {
		name   string
		faults []ghtest.Fault
		policy ghissue.RetryPolicy
		calls  int
		sleeps []time.Duration
		err    string
	}{
		{name: "429 without Retry-After: GitHub's minute", faults: []ghtest.Fault{bare429}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: 2 * time.Minute},
			calls: 2, sleeps: []time.Duration{time.Minute}},
		{name: "429 without Retry-After, --max-wait shorter than a minute", faults: []ghtest.Fault{bare429}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: 30 * time.Second},
			calls: 1, err: "listing open issues: GitHub API rate limit (429) without Retry-After or reset time: GitHub asks to wait at least 1m0s, beyond --max-wait 30s; retry after 2026-11-27 10:01:00 UTC"},
		{name: "429 on the last try", faults: []ghtest.Fault{bare429, bare429}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: 2 * time.Minute},
			calls: 2, sleeps: []time.Duration{time.Minute}, err: "listing open issues: GitHub API rate limit (429 Too many requests): still limited after the last try (--attempts); try again later"},
		{name: "Retry-After as an HTTP date", faults: []ghtest.Fault{ghtest.RetryAfterDate(now.Add(45 * time.Second))}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute},
			calls: 2, sleeps: []time.Duration{45 * time.Second}},
		{name: "Retry-After as an HTTP date beyond --max-wait", faults: []ghtest.Fault{ghtest.RetryAfterDate(now.Add(10 * time.Minute))}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute},
			calls: 1, err: "listing open issues: GitHub API secondary rate limit (429): asked to retry after 10m0s, beyond --max-wait 1m0s; retry after 2026-11-27 10:10:00 UTC"},
		{name: "Retry-After as a date in the past", faults: []ghtest.Fault{ghtest.RetryAfterDate(now.Add(-time.Hour))}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute},
			calls: 2, sleeps: []time.Duration{0}},
		{name: "Retry-After wins over X-RateLimit-Reset", faults: []ghtest.Fault{{Status: 403, Headers: map[string]string{"Retry-After": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "1795800000"}, Body: `{"message": "API rate limit exceeded"}`}},
			policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute}, calls: 2, sleeps: []time.Duration{5 * time.Second}},
		{name: "X-RateLimit-Remaining 0 without a reset: a minute", faults: []ghtest.Fault{{Status: 403, Headers: map[string]string{"X-RateLimit-Remaining": "0"}, Body: `{"message": "API rate limit exceeded"}`}},
			policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute}, calls: 2, sleeps: []time.Duration{time.Minute}},
		{name: "403 secondary limit told by the body", faults: []ghtest.Fault{ghtest.SecondaryLimit()}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute},
			calls: 2, sleeps: []time.Duration{time.Minute}},
		{name: "403 secondary limit on the last try", faults: []ghtest.Fault{bodyOnly403, bodyOnly403}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: time.Minute},
			calls: 2, sleeps: []time.Duration{time.Minute}, err: "listing open issues: GitHub API rate limit (403 You have exceeded a secondary rate limit.): still limited after the last try (--attempts); try again later"},
		{name: "403 secondary limit beyond --max-wait", faults: []ghtest.Fault{ghtest.SecondaryLimit()}, policy: ghissue.RetryPolicy{Attempts: 2, MaxWait: 10 * time.Second},
			calls: 1, err: "listing open issues: GitHub API rate limit (403) without Retry-After or reset time: GitHub asks to wait at least 1m0s, beyond --max-wait 10s; retry after 2026-11-27 10:01:00 UTC"},
		{name: "5xx with an HTML page", faults: []ghtest.Fault{ghtest.HTMLError(502), ghtest.HTMLError(502)}, policy: ghissue.RetryPolicy{Attempts: 2, Backoff: time.Second},
			calls: 2, sleeps: []time.Duration{time.Second}, err: "listing open issues: GitHub API error 502 Bad Gateway: a text/html answer, not GitHub's JSON: “502 Bad Gateway”"},
		{name: "5xx with a plain text body", faults: []ghtest.Fault{{Status: 503, ContentType: "text/plain", Body: "upstream connect error\nor disconnect/reset before headers"}}, policy: ghissue.RetryPolicy{Attempts: 1},
			calls: 1, err: "listing open issues: GitHub API error 503 Service Unavailable: a text/plain answer, not GitHub's JSON: “upstream connect error or disconnect/reset before headers”"},
		{name: "5xx without a content type", faults: []ghtest.Fault{{Status: 502, ContentType: " ", Body: "bad gateway"}}, policy: ghissue.RetryPolicy{Attempts: 1},
			calls: 1, err: "listing open issues: GitHub API error 502 Bad Gateway: an answer without a content type, not GitHub's JSON: “bad gateway”"},
		{name: "5xx with an empty body", faults: []ghtest.Fault{{Status: 500, ContentType: "text/html"}}, policy: ghissue.RetryPolicy{Attempts: 1},
			calls: 1, err: "listing open issues: GitHub API error 500 Internal Server Error: a text/html answer, not GitHub's JSON, and empty"},
		{name: "5xx with JSON without a message", faults: []ghtest.Fault{{Status: 500, Body: `{}`}}, policy: ghissue.RetryPolicy{Attempts: 1},
			calls: 1, err: "listing open issues: GitHub API error 500 Internal Server Error: an application/json answer without a message"},
		{name: "a body that stalls after the headers is retried", faults: []ghtest.Fault{ghtest.StallAfterHeaders()}, policy: ghissue.RetryPolicy{Attempts: 2, Backoff: time.Second, Timeout: time.Second}, // the retry must answer within it, also on a loaded CI machine
			calls: 2, sleeps: []time.Duration{time.Second}},
		{name: "a body that stalls on every try", faults: []ghtest.Fault{ghtest.StallAfterHeaders(), ghtest.StallAfterHeaders()}, policy: ghissue.RetryPolicy{Attempts: 2, Backoff: time.Second, Timeout: 50 * time.Millisecond},
			calls: 2, sleeps: []time.Duration{time.Second}, err: "listing open issues: GitHub API did not answer within 50ms (2 tries)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, "")
			f.Open = []ghtest.Issue{{Number: 3, Title: "t", Labels: []string{"automated"}}}
			f.Faults = tc.faults
			c := newRecorded(t, f, tc.policy)
			got, err := c.ListOpen(context.Background(), []string{"automated"})
			if errString(err) != tc.err {
				t.Errorf("error\n got: %v\nwant: %s", err, tc.err)
			}
			if err == nil && (len(got) != 1 || got[0].Number != 3) {
				t.Errorf("issues %+v", got)
			}
			if n := len(f.Calls()); n != tc.calls {
				t.Errorf("%d requests, want %d", n, tc.calls)
			}
			if diff := cmp.Diff(tc.sleeps, c.sleeps); diff != "" {
				t.Errorf("sleeps (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPatchIsRetried: an edit sets a field to a value and is repeated on a 5xx, unlike a
// create.
func TestPatchIsRetried(t *testing.T) {
	f := ghtest.New(t, "")
	f.Comments[7] = []ghtest.Comment{{ID: 1, Body: "old"}}
	f.Faults = []ghtest.Fault{ghtest.CarriedOut(http.MethodPatch, 502, 0)}
	c := newRecorded(t, f, ghissue.RetryPolicy{Attempts: 2, Backoff: time.Second})
	cm, err := c.EditComment(context.Background(), 1, "new")
	if err != nil || cm.Body != "new" || len(f.Calls()) != 2 || len(f.IssueComments(7)) != 1 {
		t.Errorf("%+v %v %v", cm, err, f.Calls())
	}
}

// TestCreateNeverSent: a create whose connection is never made (nothing listens, the name
// does not resolve) or whose TLS handshake fails reached nobody: it is sent again like a
// read, and when every try fails the error says so without looking for a marker — there is
// nothing that could have been created. (A name that does not resolve is the same
// case, TestNeverSent; tests do not ask DNS.)
func TestCreateNeverSent(t *testing.T) {
	t.Parallel()
	refused := refusedURL(t)
	plainTLS := httptest.NewUnstartedServer(http.NotFoundHandler()) // a certificate no one trusts
	plainTLS.Config.ErrorLog = log.New(io.Discard, "", 0)
	plainTLS.StartTLS()
	defer plainTLS.Close()
	for name, api := range map[string]string{
		"refused":    refused,
		"unknown CA": plainTLS.URL + "/",
	} {
		var sleeps []time.Duration
		var notices []string
		c, err := ghissue.New(ghissue.Config{Token: "t0ken", APIURL: api, Repo: "o/r", Notice: func(s string) { notices = append(notices, s) },
			Policy: ghissue.RetryPolicy{Attempts: 3, Backoff: time.Second, Timeout: 5 * time.Second,
				Sleep: func(_ context.Context, d time.Duration) error { sleeps = append(sleeps, d); return nil }}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Create(context.Background(), ghissue.NewIssue{Title: "t", Body: "b\n" + marker, Labels: labels, Marker: marker})
		if err == nil || strings.Contains(err.Error(), "marker") || strings.Contains(err.Error(), "t0ken") {
			t.Errorf("%s: %v", name, err)
		}
		if want := []time.Duration{time.Second, 2 * time.Second}; !cmp.Equal(sleeps, want) || len(notices) != 0 {
			t.Errorf("%s: sleeps %v (want %v: tried 3 times), notices %q, error %v", name, sleeps, want, notices, err)
		}
	}
}
