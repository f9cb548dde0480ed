// Package runnersafe checks, in tests, that command output cannot be read by the GitHub
// Actions runner as a workflow command: endpoint names come from load-test files, and a
// name like "::stop-commands::x" or "##[add-mask]…" printed as is would command the runner.
package runnersafe

import (
	"regexp"
	"strings"
	"testing"
)

var own = regexp.MustCompile(`^::(error|warning|notice) title=[^:]*::`)

// Check fails on any line of out that holds "##[" (the legacy form matches anywhere in a
// line) or "::", except perfgate's own ::error/::warning/::notice annotations when annotations is
// true — whose message part must hold no marker either.
func Check(t testing.TB, out, what string, annotations bool) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "##[") {
			t.Errorf("%s line holds ##[: %q", what, line)
		}
		if m := own.FindString(line); annotations && m != "" {
			line = line[len(m):]
		}
		if strings.Contains(line, "::") {
			t.Errorf("%s line holds a workflow command: %q", what, line)
		}
	}
}
