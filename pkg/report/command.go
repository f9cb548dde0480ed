package report

import (
	"encoding/json"
	"regexp"
	"strings"
)

// commandPrefix starts the hidden comment that records, at the end of a report file, the
// command line that wrote it; create-regression-issue reads it back to tell how to
// reproduce the comparison.
const commandPrefix = "<!-- perfgate:command "

// Command is the command line that produced a report, with what a reader needs to
// suggest the neighbouring commands.
type Command struct {
	Prog string   `json:"prog"`
	Args []string `json:"args"`
	// Baseline and Current are the two compared files, as given.
	Baseline string `json:"baseline"`
	Current  string `json:"current"`
	// BaselineRaw and CurrentRaw tell that a side was read from load-test results rather
	// than from normalized metrics.
	BaselineRaw bool `json:"baseline_raw,omitempty"`
	CurrentRaw  bool `json:"current_raw,omitempty"`
	// InputArgs are the flags that say how results are read and mapped (--group-by,
	// --config, --name, --jtl-columns, --jtl-subresults, --all-runs), as extract-metrics
	// takes them too.
	InputArgs []string `json:"input_args,omitempty"`
	// Verdict is the verdict of the comparison (pass, warning, acknowledged, fail or
	// incomparable), recorded in a markdown report's comment only: its summary cannot say
	// that a run was not judged.
	Verdict string `json:"verdict,omitempty"`
}

// CommandComment is the report's last line: an HTML comment (invisible when rendered)
// holding the command as JSON, whose encoder escapes "<" and ">" so that an argument
// cannot end the comment.
func CommandComment(c Command) string {
	if c.Args == nil {
		c.Args = []string{}
	}
	b, _ := json.Marshal(c)
	return commandPrefix + string(b) + " -->\n"
}

// parseCommand finds the command comment in a report line, if any.
func parseCommand(line string) (*Command, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), commandPrefix)
	if !ok {
		return nil, false
	}
	rest, ok = strings.CutSuffix(rest, "-->")
	if !ok {
		return nil, false
	}
	var c Command
	if json.Unmarshal([]byte(strings.TrimSpace(rest)), &c) != nil || c.Prog == "" {
		return nil, false
	}
	return &c, true
}

var shellSafe = regexp.MustCompile(`^[A-Za-z0-9_@%+=:,./-]+$`)

// ShellQuote quotes an argument for a POSIX shell when it needs it.
func ShellQuote(s string) string {
	if shellSafe.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Line is the command line, shell-quoted.
func (c *Command) Line() string { return ShellLine(c.Prog, c.Args...) }

// sideEffects are the flags of a command line that write files or act on CI (with
// whether they take a value); Reproduce leaves them out.
var sideEffects = map[string]bool{"report": true, "json": true, "junit": true, "history": true, "history-keep": true, "quiet": false, "no-github": false}

// Reproduce is the command line to run again by hand: the same inputs and thresholds,
// without the flags that write files (--report, --json, --junit, --history) or act on CI.
func (c *Command) Reproduce() string {
	var args []string
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		if a == "--" {
			args = append(args, c.Args[i:]...)
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takesValue, known := sideEffects[name]
		if !strings.HasPrefix(a, "-") || !known {
			args = append(args, a)
			continue
		}
		if takesValue && !hasValue {
			i++ // and its value
		}
	}
	return ShellLine(c.Prog, args...)
}

// ShellLine joins a program and its arguments into a shell command line, quoting the
// arguments that need it.
func ShellLine(prog string, args ...string) string {
	parts := []string{prog}
	for _, a := range args {
		parts = append(parts, ShellQuote(a))
	}
	return strings.Join(parts, " ")
}
