//go:build !unix

package cli

import (
	"os"
	"time"
)

// staleAfter is how old the temporary file of a process whose liveness cannot be checked
// must be to count as left behind (writes take milliseconds).
const staleAfter = 10 * time.Minute

// processAlive cannot check a process here: a temporary file counts as left behind once
// it is older than staleAfter.
func processAlive(_ int, modified time.Time) bool {
	return time.Since(modified) < staleAfter
}

// ignoreBrokenPipe does nothing where there is no SIGPIPE.
func ignoreBrokenPipe() {}

// lock does nothing where flock is not available: runs sharing a file are not serialized.
func lock(*os.File) error { return nil }
