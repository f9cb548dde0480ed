// Package cli holds what the four commands share: the exit codes of the original scripts,
// usage errors, and atomic file writes.
package cli

import (
	"flag"
	"io"
	"os"
	"strings"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// Exit codes shared by every command: the original scripts' contract, 0 or 1 and
// nothing else. What went wrong is told on stderr, in the report and in the machine
// outputs, never by a third code.
const (
	// ExitOK means the command did its job (and, for compare-performance, found no
	// critical failure); -h and --version exit with it too.
	ExitOK = 0
	// ExitFail is every other outcome: a usage error, a missing, unreadable or bad input,
	// nothing matched, a critical regression or nothing comparable (compare-performance),
	// a GitHub API error (create-regression-issue).
	ExitFail = 1
)

// ParseFlags parses args with fs, allowing flags after positional arguments (as in
// `create-regression-issue report.md --token T`); "--" ends flag parsing. It returns the
// positional arguments in order.
func ParseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		// flag stops at "--" (consumed) or at the first non-flag argument.
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// InputFlags are the flags that adjust how load-test results are read, shared by the
// commands that read them.
type InputFlags struct {
	// Name names the endpoint of single-endpoint inputs (hey, whole-test summaries).
	Name string
	// JTLColumns is the comma-separated column list of a headerless JMeter CSV JTL.
	JTLColumns string
	// JTLSubResults is how JMeter sub-results are read: "fold" (into their parent, the
	// default) or "separate" (under their own labels, as JMeter's dashboard lists them).
	JTLSubResults string
	// AllRuns reads every run of a result file that holds several appended runs (by
	// default, the last one).
	AllRuns bool
}

// Bind registers --name, --jtl-columns, --jtl-subresults and --all-runs.
func (f *InputFlags) Bind(fs *flag.FlagSet) {
	fs.StringVar(&f.Name, "name", "all", "endpoint `name` for inputs that hold one endpoint or only the whole test (hey, Vegeta report, k6/Artillery summaries without per-endpoint data)")
	fs.StringVar(&f.JTLColumns, "jtl-columns", "", "comma-separated `columns` of a JMeter CSV JTL written without a header (default: by column count, JMeter's defaults)")
	f.JTLSubResults = "fold"
	fs.Func("jtl-subresults", "JMeter sub-results (`Label-0`, nested samples): fold (into their parent: JMeter's totals) or separate (under their own labels, as JMeter's dashboard and statistics.json list them) (default fold)", func(v string) error {
		s, err := loadtest.ParseSubResults(v)
		f.JTLSubResults = string(s)
		return err
	})
	fs.BoolVar(&f.AllRuns, "all-runs", false, "read every run of a result file that holds several appended runs (JMeter appends to its -l file), with rps over the time they ran; by default a JTL is read for its last run")
}

// Columns splits JTLColumns (nil when empty).
func (f *InputFlags) Columns() []string {
	if strings.TrimSpace(f.JTLColumns) == "" {
		return nil
	}
	var out []string
	for _, c := range strings.Split(f.JTLColumns, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// StringList is a repeatable string flag (--label a --label b).
type StringList []string

// String joins the values.
func (l *StringList) String() string { return strings.Join(*l, ",") }

// Set adds a value.
func (l *StringList) Set(v string) error { *l = append(*l, v); return nil }

// AppendFile appends s to the file at path, creating it (GitHub's $GITHUB_STEP_SUMMARY
// and $GITHUB_OUTPUT are appended to).
func AppendFile(path, s string) error {
	fh, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(fh, s); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}
