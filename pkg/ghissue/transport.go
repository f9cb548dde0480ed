// Package ghissue is perfgate's only user of go-github: it finds, creates, comments on
// and closes regression issues, with bounded retries for transient failures and one clear
// message for every other failure. The token never appears in its errors.
//
// Reads and edits are retried on 5xx answers, timeouts (the body's included) and network
// errors; rate limits are waited for as GitHub documents them, within RetryPolicy.MaxWait.
// Creates (an issue, a comment) are never sent twice blindly: after an answer that leaves
// unknown whether GitHub carried one out, the client looks for the marker line of its body
// first (see Client.Create). A create whose connection was never made (a name that does not
// resolve, a refused connection, a failed TLS handshake) reached nobody and is sent again.
package ghissue

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// RetryPolicy bounds the retries of the transport.
type RetryPolicy struct {
	// Attempts is the maximum number of tries of one request (at least 1).
	Attempts int
	// Backoff is the wait before the second try; it doubles for each further one.
	Backoff time.Duration
	// MaxWait is the longest the transport waits for a rate limit to reset (Retry-After,
	// else X-RateLimit-Reset, else GitHub's minute). Longer waits fail at once.
	MaxWait time.Duration
	// Timeout bounds every single try, reading the answer's body included (0: none).
	Timeout time.Duration
	// Now and Sleep are the clock, injected by tests.
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error
}

// MinRateLimitWait is GitHub's guidance for a rate limit that says neither when to retry
// (Retry-After) nor when it resets (X-RateLimit-Reset): wait at least a minute.
const MinRateLimitWait = time.Minute

// maxAnswer bounds the body of one answer, in bytes: the largest page perfgate lists (100
// issues or comments of up to 65,536 characters) fits well.
const maxAnswer = 64 << 20

// RateLimitedError is returned when a rate limit asks to wait longer than MaxWait allows.
type RateLimitedError struct {
	Status  int
	Primary bool          // X-RateLimit-Remaining: 0 (else a secondary limit)
	Reset   time.Time     // when the limit resets, or when the server allows a retry
	Wait    time.Duration // how long that is from now
	MaxWait time.Duration
	// Guessed is set when the answer told neither Retry-After nor a reset time: Wait is
	// then GitHub's guidance, MinRateLimitWait.
	Guessed bool
}

// Error says when the limit resets and that it is beyond --max-wait.
func (e *RateLimitedError) Error() string {
	at := e.Reset.UTC().Format("2006-01-02 15:04:05 UTC")
	switch {
	case e.Guessed:
		return fmt.Sprintf("GitHub API rate limit (%d) without Retry-After or reset time: GitHub asks to wait at least %s, beyond --max-wait %s; retry after %s", e.Status, e.Wait, e.MaxWait, at)
	case e.Primary:
		return fmt.Sprintf("GitHub API rate limit exhausted (%d); it resets at %s (in %s), beyond --max-wait %s", e.Status, at, e.Wait.Round(time.Second), e.MaxWait)
	}
	return fmt.Sprintf("GitHub API secondary rate limit (%d): asked to retry after %s, beyond --max-wait %s; retry after %s", e.Status, e.Wait.Round(time.Second), e.MaxWait, at)
}

// TimeoutError is returned when every try of a request ran out of time.
type TimeoutError struct {
	Timeout  time.Duration
	Attempts int
}

// Error says how long each try waited.
func (e *TimeoutError) Error() string {
	if e.Attempts <= 1 {
		return fmt.Sprintf("GitHub API did not answer within %s", e.Timeout)
	}
	return fmt.Sprintf("GitHub API did not answer within %s (%d tries)", e.Timeout, e.Attempts)
}

// retryTransport bounds every try by a timeout (the body included), waits for rate limits
// when they reset soon enough, and retries 5xx answers, timeouts and network errors with
// exponential backoff — but only for requests that can be repeated safely. A POST
// (creating an issue or a comment) may have been carried out before a 5xx answer, a
// timeout or a broken connection: it is not retried here (the client looks for what it
// may have created first); a rate-limit refusal, a connection never made or a failed TLS
// handshake is retried, since nothing was done. The
// PATCH requests perfgate sends set fields to values and can be repeated.
type retryTransport struct {
	base http.RoundTripper
	p    RetryPolicy
}

// RoundTrip sends req, retrying as the policy says.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	repeatable := req.Method != http.MethodPost
	backoff := t.p.Backoff
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			var err error
			if req, err = rewind(req); err != nil {
				return nil, err
			}
		}
		last := attempt >= t.p.Attempts
		resp, err := t.try(req)
		if err != nil {
			var te *TimeoutError
			if errors.As(err, &te) {
				te.Attempts = attempt
			}
			if req.Context().Err() != nil || !(repeatable || neverSent(err)) || last {
				return nil, err
			}
			if err := t.p.Sleep(req.Context(), backoff); err != nil {
				return nil, err
			}
			backoff *= 2
			continue
		}
		wait, limited, err := t.rateLimitWait(resp)
		var pause time.Duration
		switch {
		case err != nil:
			return nil, err
		case limited && !last:
			pause = wait
		case resp.StatusCode >= 500 && repeatable && !last:
			pause, backoff = backoff, backoff*2
		default:
			return resp, nil
		}
		if err := t.p.Sleep(req.Context(), pause); err != nil {
			return nil, err
		}
	}
}

// neverSent tells whether err proves that the request never reached GitHub: the
// connection was never made (a name that does not resolve, a refused connection, any
// failed dial) or its TLS handshake failed, before a byte of the request was sent. Such a
// request, a create included, can be sent again safely.
func neverSent(err error) bool {
	var op *net.OpError
	var dns *net.DNSError
	var verify *tls.CertificateVerificationError
	var header tls.RecordHeaderError
	var authority x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &op) && op.Op == "dial", errors.As(err, &dns), errors.Is(err, syscall.ECONNREFUSED):
		return true
	case errors.As(err, &verify), errors.As(err, &header), errors.As(err, &authority), errors.As(err, &host), errors.As(err, &invalid):
		return true
	}
	return false
}

// rewind returns req ready to be sent again, its body from the start.
func rewind(req *http.Request) (*http.Request, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	if req.GetBody == nil {
		return nil, fmt.Errorf("%s %s: the request cannot be sent again", req.Method, req.URL.Path)
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Body = body
	return req, nil
}

// try sends one request bounded by the timeout and reads the whole answer within it, so
// that a body that stalls after the headers is a timeout like a server that never answers.
func (t *retryTransport) try(req *http.Request) (*http.Response, error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if t.p.Timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, t.p.Timeout)
	}
	defer cancel()
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err == nil {
		err = buffer(resp)
	}
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) && req.Context().Err() == nil {
			return nil, &TimeoutError{Timeout: t.p.Timeout, Attempts: 1}
		}
		return nil, err
	}
	return resp, nil
}

// buffer reads the body of resp into memory.
func buffer(resp *http.Response) error {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	switch {
	case err != nil:
		return fmt.Errorf("reading the answer (%s): %w", resp.Status, err)
	case len(b) > maxAnswer:
		return fmt.Errorf("the answer (%s) is over %d MiB", resp.Status, maxAnswer>>20)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return nil
}

// rateLimitWait tells whether resp is a rate limit to wait for, and how long, as GitHub
// documents it. A rate limit is a 429, or a 403 with X-RateLimit-Remaining: 0 (primary),
// a Retry-After, or a message saying "rate limit" (secondary). The wait is Retry-After
// (seconds or an HTTP date), else until X-RateLimit-Reset when X-RateLimit-Remaining is
// 0, else MinRateLimitWait. A wait beyond MaxWait is a *RateLimitedError.
func (t *retryTransport) rateLimitWait(resp *http.Response) (time.Duration, bool, error) {
	if !isRateLimit(resp) {
		return 0, false, nil
	}
	now := t.p.Now()
	e := &RateLimitedError{Status: resp.StatusCode, MaxWait: t.p.MaxWait, Primary: resp.Header.Get("X-RateLimit-Remaining") == "0"}
	reset, resetErr := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
	if at, ok := retryAfter(resp.Header.Get("Retry-After"), now); ok {
		e.Reset, e.Wait = at, max(at.Sub(now), 0)
	} else if e.Primary && resetErr == nil {
		e.Reset = time.Unix(reset, 0)
		e.Wait = max(e.Reset.Sub(now), 0) + time.Second // the reset is in whole seconds
	} else {
		e.Guessed, e.Wait, e.Reset = true, MinRateLimitWait, now.Add(MinRateLimitWait)
	}
	if e.Wait > t.p.MaxWait {
		return 0, false, e
	}
	return e.Wait, true, nil
}

// isRateLimit tells whether resp refuses the request because of a rate limit.
func isRateLimit(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusForbidden:
		if resp.Header.Get("X-RateLimit-Remaining") == "0" || resp.Header.Get("Retry-After") != "" {
			return true
		}
		return saysRateLimit(resp)
	}
	return false
}

// saysRateLimit tells whether the (buffered) body of resp speaks of a rate limit, as the
// message of GitHub's secondary limits does.
func saysRateLimit(resp *http.Response) bool {
	b, _ := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return strings.Contains(strings.ToLower(string(b)), "rate limit")
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return time.Time{}, false
		}
		return now.Add(time.Duration(secs) * time.Second), true
	}
	at, err := http.ParseTime(v)
	return at, err == nil
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
