package cli

import (
	"fmt"
	"strings"
)

// Output is one step output for $GITHUB_OUTPUT.
type Output struct {
	Name, Value string
}

// GitHubOutputs formats outputs for the file named by $GITHUB_OUTPUT: "name=value" lines;
// a value with a line break is written in the runner's multi-line form
// ("name<<DELIM", the lines, "DELIM") with a delimiter that occurs in none of its lines.
// A name must be non-empty and hold no "=", "<" or line break.
func GitHubOutputs(outs ...Output) (string, error) {
	var b strings.Builder
	for _, o := range outs {
		if o.Name == "" || strings.ContainsAny(o.Name, "=<\r\n") {
			return "", fmt.Errorf("output name %q: want a non-empty name without =, < or a line break", o.Name)
		}
		if !strings.ContainsAny(o.Value, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", o.Name, o.Value)
			continue
		}
		delim := "PERFGATE_EOF"
		for n := 1; strings.Contains(o.Value, delim); n++ {
			delim = fmt.Sprintf("PERFGATE_EOF_%d", n)
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", o.Name, delim, o.Value, delim)
	}
	return b.String(), nil
}

// AppendGitHubOutputs appends outputs to the file at path ($GITHUB_OUTPUT).
func AppendGitHubOutputs(path string, outs ...Output) error {
	s, err := GitHubOutputs(outs...)
	if err != nil {
		return err
	}
	return AppendFile(path, s)
}
