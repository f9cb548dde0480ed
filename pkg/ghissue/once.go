package ghissue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Writes that create something (an issue, a comment) are POSTs: GitHub may carry one out
// and still answer 5xx, or the answer may be lost to a timeout or a broken connection.
// Sending it again blindly would then make a duplicate. Each body perfgate posts carries a
// marker line of its own (a hidden HTML comment naming the run); after such a failure the
// client looks for that marker before sending again.

// HasMarker reports whether one line of body, without its surrounding spaces, is marker.
func HasMarker(body, marker string) bool {
	if marker == "" {
		return false
	}
	for _, l := range strings.Split(body, "\n") {
		if strings.TrimSpace(l) == marker {
			return true
		}
	}
	return false
}

// write is a write that must not be repeated blindly.
type write struct {
	op, need string // what it does, for messages, and the permission it needs
	noun     string // what it creates: "issue", "comment"
	marker   string // the marker line of its body ("": never looked for, never repeated)
	// send carries the write out once; find looks for what an earlier send created, by
	// the marker, and returns its URL. Both keep their result for the caller.
	send func() error
	find func() (url string, found bool, err error)
}

// writeOnce sends w. When the send fails in a way that leaves unknown whether GitHub
// carried it out (a 5xx answer, a timeout, a broken connection, an unreadable answer), it
// waits (the policy's backoff, doubling), then looks for the marker: found, the write is
// done (and Notice says so); not found, it is sent again, up to the policy's attempts.
func (c *Client) writeOnce(ctx context.Context, w write) error {
	backoff := c.p.Backoff
	for attempt := 1; ; attempt++ {
		err := w.send()
		if err == nil {
			return nil
		}
		if w.marker == "" || !uncertain(ctx, err) {
			return c.explainNeeding(w.op, w.need, err)
		}
		if err := c.p.Sleep(ctx, backoff); err != nil {
			return c.explainNeeding(w.op, w.need, err)
		}
		backoff *= 2
		u, found, ferr := w.find()
		switch {
		case ferr != nil:
			return fmt.Errorf("%w; whether the %s was created is unknown: %w", c.explainNeeding(w.op, w.need, err), w.noun, ferr)
		case found:
			c.notice(fmt.Sprintf("%s; but the %s was created (found by this run's marker): %s", c.explainNeeding(w.op, w.need, err), w.noun, u))
			return nil
		case attempt >= c.p.Attempts:
			return fmt.Errorf("%w (%d tries; none created: no %s carries this run's marker)", c.explainNeeding(w.op, w.need, err), attempt, w.noun)
		}
	}
}

// uncertain tells whether a failed write may have been carried out all the same.
func uncertain(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var limited *RateLimitedError
	var er *github.ErrorResponse
	var ue *url.Error
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &rl), errors.As(err, &abuse), errors.As(err, &limited), neverSent(err):
		return false // refused, or never sent: not carried out
	case errors.As(err, &er):
		return er.Response != nil && er.Response.StatusCode >= 500
	case errors.As(err, &ue), errors.As(err, &syntax), errors.As(err, &typeErr), errors.Is(err, io.ErrUnexpectedEOF):
		return true // no answer (timeout, connection), or a 2xx answer that cannot be read
	}
	return false
}

func (c *Client) notice(msg string) {
	if c.onNotice != nil {
		c.onNotice(c.redact(msg))
	}
}
