package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"runtime/debug"
	"slices"
	"strings"
)

// version is the release version, set at build time with
// -ldflags "-X github.com/perfgate/perfgate/pkg/cli.version=v1.2.3"; when empty, the
// module version and VCS revision recorded by the Go toolchain are used.
var version string

// Version is the version line every binary prints for --version:
// "prog VERSION (REVISION[, modified])".
func Version(prog string) string {
	v, rev, dirty := version, "", false
	if info, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = info.Main.Version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	var extra []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		extra = append(extra, rev)
	}
	if dirty {
		extra = append(extra, "modified")
	}
	if len(extra) == 0 {
		return prog + " " + v
	}
	return fmt.Sprintf("%s %s (%s)", prog, v, strings.Join(extra, ", "))
}

// Command describes one binary for Parse: its name, the help printed by -h (followed by
// the flag list) and the original script's usage block, printed on stdout when the
// positional arguments are wrong, as the script did.
type Command struct {
	Name string
	// Help is the text printed by -h before the flags.
	Help string
	// ScriptUsage is the Python script's usage block with the script named by the binary.
	ScriptUsage string
	// Needs maps a flag to the flag without which it means nothing ("last" needs
	// "from-history"): given alone, it is a usage error rather than silently ignored.
	Needs map[string]string
}

// Parse parses args with the flags bind registers (flags may follow positional
// arguments). -h/--help prints the help on stdout and --version the version line; both
// end the command with ExitOK (done is true). A bad flag is one line on stderr and
// ExitFail.
func (c Command) Parse(args []string, bind func(*flag.FlagSet), stdout, stderr io.Writer) (pos []string, code int, done bool) {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	bind(fs)
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	pos, err := ParseFlags(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		c.PrintHelp(fs, stdout)
		return nil, ExitOK, true
	case err != nil:
		fmt.Fprintf(stderr, "❌ %s: %v (run '%s -h' for usage)\n", c.Name, err, c.Name)
		return nil, ExitFail, true
	case *showVersion:
		fmt.Fprintln(stdout, Version(c.Name))
		return nil, ExitOK, true
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, name := range slices.Sorted(maps.Keys(c.Needs)) {
		if need := c.Needs[name]; set[name] && !set[need] {
			fmt.Fprintf(stderr, "❌ %s: --%s means nothing without --%s (run '%s -h' for usage)\n", c.Name, name, need, c.Name)
			return nil, ExitFail, true
		}
	}
	return pos, ExitOK, false
}

// PrintHelp writes the help and the flag list.
func (c Command) PrintHelp(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprint(w, c.Help)
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// BadArgs reports wrong positional arguments the way the original script did (its
// usage block on stdout) plus one line on stderr saying what is wrong; it returns
// ExitFail.
func (c Command) BadArgs(stdout, stderr io.Writer, format string, a ...any) int {
	fmt.Fprint(stdout, c.ScriptUsage)
	fmt.Fprintf(stderr, "❌ %s: %s (run '%s -h' for the flags)\n", c.Name, fmt.Sprintf(format, a...), c.Name)
	return ExitFail
}

// Sanitize makes text that comes from load-test files (endpoint names) safe to print
// on a line of stdout or stderr in CI: line breaks are shown escaped, and the GitHub
// Actions workflow-command markers "::" and "##[" are broken by a zero-width space so
// the runner cannot read a name as a command.
func Sanitize(s string) string {
	return BreakCommands(lineBreaks.Replace(s))
}

var lineBreaks = strings.NewReplacer("\r", `\r`, "\n", `\n`)

// BreakCommands breaks the GitHub Actions workflow-command markers "::" and "##[" with a
// zero-width space (":::" becomes ":\u200b:\u200b:", leaving no "::"), and shows control
// characters other than tab and line breaks as \xNN (an ESC from a name would reach a
// terminal or a CI log as an escape sequence: colours, a cleared line).
func BreakCommands(s string) string {
	if strings.ContainsFunc(s, isControl) {
		var b strings.Builder
		for _, r := range s {
			if isControl(r) {
				fmt.Fprintf(&b, `\x%02X`, r)
			} else {
				b.WriteRune(r)
			}
		}
		s = b.String()
	}
	for strings.Contains(s, "::") {
		s = strings.ReplaceAll(s, "::", ":\u200b:")
	}
	return strings.ReplaceAll(s, "##[", "#\u200b#[")
}

// isControl tells the C0 and C1 control characters and DEL, but tab and line breaks.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r < 0xa0)
}

// Recover runs a command and returns its exit code. A panic is a bug, never a user's
// mistake: it is reported on w as one line naming the program (no Go stack trace; with
// PERFGATE_DEBUG set in the environment the stack follows, for a bug report) and exits 1
// like every other failure — Go's own exit status for a panic, 2, is not part of the
// original scripts' contract. A closed stdout (`| head`) does not kill the program with
// SIGPIPE either: the write fails and the command ends with its own exit code.
func Recover(w io.Writer, prog string, run func() int) (code int) {
	ignoreBrokenPipe()
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(w, "❌ %s: internal error: %v (this is a bug; please report it, with the stack printed when PERFGATE_DEBUG=1)\n", prog, r)
			if os.Getenv("PERFGATE_DEBUG") != "" {
				if ds, ok := r.(interface{ DebugStack() []byte }); ok { // a panic raised again from another goroutine
					w.Write(ds.DebugStack())
				}
				w.Write(debug.Stack())
			}
			code = ExitFail
		}
	}()
	return run()
}
