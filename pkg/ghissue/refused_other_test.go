//go:build !unix

package ghissue_test

import (
	"net"
	"testing"
)

// refusedURL is a loopback address nothing listens on (a listener opened and closed).
func refusedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/"
}
