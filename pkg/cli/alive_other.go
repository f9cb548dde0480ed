//go:build !unix

package cli

import "time"

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
