//go:build unix

package cli

import (
	"errors"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// processAlive reports whether the process pid still runs (signal 0 checks it without
// sending anything); a process of another user counts as alive.
func processAlive(pid int, _ time.Time) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// ignoreBrokenPipe makes a write to a closed stdout an error instead of a SIGPIPE that
// kills the process (exit status 141 in a shell: not the 0/1 contract).
func ignoreBrokenPipe() { signal.Ignore(syscall.SIGPIPE) }

// lock waits for an exclusive advisory lock on f (released when f is closed).
func lock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
