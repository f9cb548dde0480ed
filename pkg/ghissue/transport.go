// Package ghissue is perfgate's only user of go-github: it finds, creates, comments on
// and closes regression issues, with bounded retries for transient failures and one clear
// message for every other failure. The token never appears in its errors.
package ghissue

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy bounds the retries of the transport.
type RetryPolicy struct {
	// Attempts is the maximum number of tries of one request (at least 1).
	Attempts int
	// Backoff is the wait before the second try; it doubles for each further one.
	Backoff time.Duration
	// MaxWait is the longest the transport waits for a rate limit to reset (primary:
	// X-RateLimit-Reset; secondary: Retry-After). Longer waits fail at once.
	MaxWait time.Duration
	// Timeout bounds every single try (0: none).
	Timeout time.Duration
	// Now and Sleep are the clock, injected by tests.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

// RateLimitedError is returned when a rate limit resets later than MaxWait allows.
type RateLimitedError struct {
	Reset   time.Time     // when the primary limit resets (zero for a secondary limit)
	Wait    time.Duration // how long the server asked to wait
	MaxWait time.Duration
	Status  int
}

// Error says when the limit resets and that it is beyond --max-wait.
func (e *RateLimitedError) Error() string {
	if !e.Reset.IsZero() {
		return fmt.Sprintf("GitHub API rate limit exhausted (%d); it resets at %s (in %s), beyond --max-wait %s", e.Status, e.Reset.UTC().Format("2006-01-02 15:04:05 UTC"), e.Wait.Round(time.Second), e.MaxWait)
	}
	return fmt.Sprintf("GitHub API secondary rate limit (%d): asked to retry after %s, beyond --max-wait %s", e.Status, e.Wait.Round(time.Second), e.MaxWait)
}

// TimeoutError is returned when every try of a request ran out of time.
type TimeoutError struct {
	Timeout  time.Duration
	Attempts int
}

// Error says how long each try waited.
func (e *TimeoutError) Error() string {
	return fmt.Sprintf("GitHub API did not answer within %s (%d tries)", e.Timeout, e.Attempts)
}

// retryTransport retries 5xx answers and network errors with exponential backoff,
// waits for rate limits when they reset soon enough, and bounds every try by a timeout.
type retryTransport struct {
	base http.RoundTripper
	p    RetryPolicy
}

// RoundTrip sends req, retrying as the policy says.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	backoff := t.p.Backoff
	var lastErr error
	for attempt := 1; ; attempt++ {
		if attempt > 1 && req.Body != nil {
			if req.GetBody == nil {
				return nil, lastErr
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		resp, err := t.try(req)
		last := attempt >= t.p.Attempts
		if err != nil {
			if req.Context().Err() != nil {
				return nil, err
			}
			lastErr = err
			if last {
				var te *TimeoutError
				if errors.As(err, &te) {
					te.Attempts = attempt
				}
				return nil, err
			}
			if err := t.p.Sleep(req.Context(), backoff); err != nil {
				return nil, err
			}
			backoff *= 2
			continue
		}
		wait, limited, rerr := t.rateLimitWait(resp)
		switch {
		case rerr != nil:
			drain(resp)
			return nil, rerr
		case limited:
			if last {
				return resp, nil
			}
			drain(resp)
			if err := t.p.Sleep(req.Context(), wait); err != nil {
				return nil, err
			}
		case resp.StatusCode >= 500:
			if last {
				return resp, nil
			}
			drain(resp)
			if err := t.p.Sleep(req.Context(), backoff); err != nil {
				return nil, err
			}
			backoff *= 2
		default:
			return resp, nil
		}
	}
}

// try sends one request bounded by the timeout; the timeout also covers reading the body.
func (t *retryTransport) try(req *http.Request) (*http.Response, error) {
	if t.p.Timeout <= 0 {
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), t.p.Timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		if ctx.Err() == context.DeadlineExceeded && req.Context().Err() == nil {
			return nil, &TimeoutError{Timeout: t.p.Timeout, Attempts: 1}
		}
		return nil, err
	}
	resp.Body = &cancelBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

// Close closes the body and releases the try's timeout.
func (b *cancelBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// rateLimitWait tells whether resp is a rate limit to wait for, and how long. A primary
// limit is a 403/429 with X-RateLimit-Remaining: 0 (wait until X-RateLimit-Reset); a
// secondary limit is a 403/429 with Retry-After. Waits beyond MaxWait are errors.
func (t *retryTransport) rateLimitWait(resp *http.Response) (time.Duration, bool, error) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false, nil
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		secs, err := strconv.Atoi(ra)
		if err != nil || secs < 0 {
			return 0, false, nil
		}
		wait := time.Duration(secs) * time.Second
		if wait > t.p.MaxWait {
			return 0, false, &RateLimitedError{Wait: wait, MaxWait: t.p.MaxWait, Status: resp.StatusCode}
		}
		return wait, true, nil
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
		if err != nil {
			return 0, false, nil
		}
		at := time.Unix(reset, 0)
		wait := at.Sub(t.p.Now())
		if wait < 0 {
			wait = 0
		}
		wait += time.Second // the reset is in whole seconds
		if wait > t.p.MaxWait {
			return 0, false, &RateLimitedError{Reset: at, Wait: wait, MaxWait: t.p.MaxWait, Status: resp.StatusCode}
		}
		return wait, true, nil
	}
	return 0, false, nil
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
}

// SleepContext waits for d or until ctx is done.
func SleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
