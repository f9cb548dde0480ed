//go:build unix

package ghissue_test

import (
	"fmt"
	"syscall"
	"testing"
)

// refusedURL is an address on which every connection is refused and that no other test
// can take while this one runs: a socket bound to a loopback port but not listening.
// (A closed httptest server's port may be handed to the next server started, in this
// test or a parallel one, and then it answers.)
func refusedURL(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d/", sa.(*syscall.SockaddrInet4).Port)
}
