package ghissue

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
)

// TestNeverSent: the errors that prove a request never left (no connection, no TLS) are
// told apart from those after which GitHub may have carried it out.
func TestNeverSent(t *testing.T) {
	t.Parallel()
	post := func(err error) error {
		return &url.Error{Op: "Post", URL: "https://api.github.com/repos/o/r/issues", Err: err}
	}
	for _, tc := range []struct {
		name  string
		err   error
		never bool
	}{
		{"unresolved", post(&net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "api.github.invalid", IsNotFound: true}}), true},
		{"refused", post(&net.OpError{Op: "dial", Net: "tcp", Err: fmt.Errorf("connect: %w", syscall.ECONNREFUSED)}), true},
		{"untrusted certificate", post(x509.UnknownAuthorityError{}), true},
		{"wrong host", post(x509.HostnameError{Host: "proxy"}), true},
		{"reset while reading", post(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), false},
		{"answer cut", post(io.ErrUnexpectedEOF), false},
		{"other", errors.New("x"), false},
	} {
		if got := neverSent(tc.err); got != tc.never {
			t.Errorf("%s: neverSent = %v, want %v", tc.name, got, tc.never)
		}
		if tc.never && uncertain(context.Background(), tc.err) {
			t.Errorf("%s: a request never sent is not uncertain", tc.name)
		}
	}
	if !uncertain(context.Background(), post(io.ErrUnexpectedEOF)) {
		t.Error("an answer cut short leaves unknown whether the create was carried out")
	}
}
