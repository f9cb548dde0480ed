// Package compare implements compare-performance: evaluate current metrics against a
// baseline, write the seed's markdown report and the optional JSON/JUnit/CI outputs, and
// return the exit code of SPEC §10.
package compare

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// DefaultReport is where the report is written, as the Python script did.
const DefaultReport = "load-test-results/regression-analysis.md"

// Env is what the command takes from the process environment.
type Env struct {
	Getenv func(string) string
}

type options struct {
	input                                      cli.InputFlags
	report, config, jsonOut, junitOut, groupBy string
	thresholds                                 []string
	warnRatio                                  float64
	noGitHub, quiet, warnAsError, failOnMiss   bool
	noiseAware, strictComparability            bool
}

const usage = `Usage: compare-performance [flags] <baseline_file> <current_results_file>

Compares current metrics with a baseline (normalized JSON from perfgate or the Python
scripts, or raw load-test results), prints the markdown report and writes it to --report.

Exit status: 0 no critical failure; 1 critical failures (or warnings with --warn-as-error,
not-compared metrics with --fail-on-missing); 2 usage error, unreadable input, or nothing
comparable.

Flags:
`

// Run is compare-performance; it returns the exit code.
func Run(args []string, stdout, stderr io.Writer, env Env) int {
	const prog = "compare-performance"
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.StringVar(&o.report, "report", DefaultReport, "markdown report `file` (directory created)")
	fs.StringVar(&o.config, "config", "", "YAML or JSON configuration `file` (thresholds:, services:)")
	fs.Var((*cli.StringList)(&o.thresholds), "threshold", "override one threshold: `SERVICE.METRIC=EXPR` (+50%, -30%, +0.5, max:N, min:N, off; SERVICE default = every other service); repeatable")
	fs.Float64Var(&o.warnRatio, "warn-ratio", 0, "share of a threshold beyond which a change warns (default 0.75, or the config's)")
	fs.StringVar(&o.jsonOut, "json", "", "also write every result as JSON to `file`")
	fs.StringVar(&o.junitOut, "junit", "", "also write a JUnit XML `file` (one test case per metric)")
	fs.StringVar(&o.groupBy, "group-by", "", "for raw inputs: key rows by `service` or endpoint (as extract-metrics)")
	o.input.Bind(fs)
	fs.BoolVar(&o.noiseAware, "noise-aware", false, "fail a breached threshold only when the change is also significant given the samples (alpha 0.05, min_requests 30; a config noise: section sets them)")
	fs.BoolVar(&o.strictComparability, "strict-comparability", false, "exit 2 when the runs differ in load profile (users, duration, load tool)")
	fs.BoolVar(&o.noGitHub, "no-github", false, "inside GitHub Actions, write neither the step summary nor annotations")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the closing line")
	fs.BoolVar(&o.warnAsError, "warn-as-error", false, "exit 1 on warnings too")
	fs.BoolVar(&o.failOnMiss, "fail-on-missing", false, "exit 1 when a metric that has a threshold could not be compared")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "❌ %s: %s\n", prog, fmt.Sprintf(format, a...))
		return code
	}
	if len(pos) != 2 {
		fmt.Fprintf(stderr, "❌ %s: want 2 arguments, <baseline_file> <current_results_file>, got %d\nRun '%s -h' for usage.\n", prog, len(pos), prog)
		return cli.ExitUsage
	}
	if o.warnRatio < 0 || o.warnRatio > 1 {
		return fail(cli.ExitUsage, "--warn-ratio: want a number in (0, 1], got %g", o.warnRatio)
	}
	var cfg *config.Config
	if o.config != "" {
		if cfg, err = config.Load(o.config); err != nil {
			return fail(cli.ExitUsage, "%v", err)
		}
	}
	set := threshold.Builtin()
	if err := threshold.Apply(set, cfg); err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	for _, t := range o.thresholds {
		if err := set.ParseFlag(t); err != nil {
			return fail(cli.ExitUsage, "%v", err)
		}
	}
	if o.warnRatio > 0 {
		set.WarnRatio = o.warnRatio
	}
	if o.noiseAware && !set.Noise.Enabled {
		set.Noise = threshold.DefaultNoise
	}
	mapping, err := cfg.Mapping(o.groupBy)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}

	opt := metrics.Options{Format: loadtest.FormatAuto, Mapping: mapping, Name: o.input.Name, JTLColumns: o.input.Columns()}
	baseline, err := load(pos[0], "baseline", opt, stderr)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}
	current, err := load(pos[1], "current results", opt, stderr)
	if err != nil {
		return fail(cli.ExitUsage, "%v", err)
	}

	ev := threshold.Evaluate(baseline, current, set)
	ev.Comparability = append(comparability(baseline, current), threshold.BrokenBaseline(baseline, current, set.Noise)...)
	fails, warns, notCompared := ev.Count(threshold.Fail), ev.Count(threshold.Warn), ev.Count(threshold.NotCompared)

	// The verdict and its closing lines.
	code, verdict := cli.ExitOK, "pass"
	var closing []string
	mark := "✅"
	switch {
	case ev.Common == 0:
		code, verdict, mark = cli.ExitUsage, "incomparable", "❌"
		closing = append(closing, fmt.Sprintf("❌ Nothing comparable: no service in common (baseline: %s; current: %s)", names(baseline), names(current)))
	case ev.Compared() == 0:
		code, verdict, mark = cli.ExitUsage, "incomparable", "❌"
		closing = append(closing, fmt.Sprintf("❌ Nothing comparable: none of the %d metrics with a threshold could be compared (see \"Not Compared\" in the report)", notCompared))
	case o.strictComparability && len(ev.Comparability) > 0:
		code, verdict, mark = cli.ExitUsage, "incomparable", "❌"
		closing = append(closing, fmt.Sprintf("❌ Runs not comparable (--strict-comparability): %s", strings.Join(ev.Comparability, "; ")))
	case fails > 0:
		code, verdict, mark = cli.ExitFail, "fail", "❌"
		closing = append(closing, "❌ Critical performance regressions detected!")
	case warns > 0 && o.warnAsError:
		code, verdict, mark = cli.ExitFail, "fail", "❌"
		closing = append(closing, fmt.Sprintf("❌ %d performance warning%s, treated as failures (--warn-as-error)", warns, plural(warns)))
	case notCompared > 0 && o.failOnMiss:
		code, verdict, mark = cli.ExitFail, "fail", "❌"
		closing = append(closing, fmt.Sprintf("❌ %d metric%s with a threshold could not be compared (--fail-on-missing)", notCompared, plural(notCompared)))
	default:
		if warns > 0 {
			verdict = "warning"
			closing = append(closing, fmt.Sprintf("⚠️ %d metric%s trending towards regression (warnings)", warns, plural(warns)))
		}
		closing = append(closing, "✅ No critical performance regressions detected")
	}

	var md strings.Builder
	report.Markdown(&md, ev)
	if err := cli.WriteFileAtomic(o.report, func(w io.Writer) error { _, err := io.WriteString(w, md.String()); return err }); err != nil {
		return fail(cli.ExitUsage, "writing report %s: %v", o.report, err)
	}
	if o.jsonOut != "" {
		if err := cli.WriteFileAtomic(o.jsonOut, func(w io.Writer) error { return report.JSON(w, ev, verdict, code) }); err != nil {
			return fail(cli.ExitUsage, "writing %s: %v", o.jsonOut, err)
		}
	}
	if o.junitOut != "" {
		if err := cli.WriteFileAtomic(o.junitOut, func(w io.Writer) error { return report.JUnit(w, ev) }); err != nil {
			return fail(cli.ExitUsage, "writing %s: %v", o.junitOut, err)
		}
	}
	if env.Getenv != nil && env.Getenv("GITHUB_ACTIONS") == "true" && !o.noGitHub {
		if p := env.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
			if err := cli.AppendFile(p, md.String()+"\n"); err != nil {
				fmt.Fprintf(stderr, "⚠️ %s: could not append to $GITHUB_STEP_SUMMARY (%s): %v\n", prog, p, err)
			}
		}
		report.Annotations(stdout, ev)
	}

	if !o.quiet {
		fmt.Fprintf(stdout, "%s\n", md.String())
		fmt.Fprintf(stdout, "%s Report saved to: %s\n", mark, o.report)
		for _, l := range closing {
			fmt.Fprintln(stdout, l)
		}
	} else {
		fmt.Fprintln(stdout, closing[len(closing)-1])
	}
	if code == cli.ExitUsage {
		fmt.Fprintf(stderr, "%s\n", strings.Replace(closing[0], "❌ ", "❌ "+prog+": ", 1))
	}
	return code
}

// load reads one side. A raw result that maps to no service cannot be compared.
func load(path, what string, opt metrics.Options, stderr io.Writer) (*metrics.File, error) {
	f, info, err := metrics.Load([]string{path}, opt)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %v", what, err)
	}
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "⚠️ %s\n", n)
	}
	if len(info.Unmatched) > 0 {
		var eps []string
		for _, u := range info.Unmatched {
			eps = append(eps, u.Endpoint)
		}
		fmt.Fprintf(stderr, "⚠️ %s: %d endpoint(s) matched no service and were left out: %s\n", path, len(eps), strings.Join(eps, ", "))
	}
	if len(f.Services) == 0 {
		return nil, fmt.Errorf("reading %s: %s holds no service to compare", what, path)
	}
	return f, nil
}

// comparability lists how the two runs differ in load profile, where both files say:
// the users (baseline_users against the current run's users), the test duration (more
// than 2× apart) and the load tool.
func comparability(base, cur *metrics.File) []string {
	var out []string
	bs, okb := base.Source()
	cs, okc := cur.Source()
	bUsers := bs.Users
	for _, s := range base.Services {
		if s.BaselineUsers != nil {
			bUsers = int(*s.BaselineUsers)
			break
		}
	}
	if bUsers > 0 && okc && cs.Users > 0 && bUsers != cs.Users {
		out = append(out, fmt.Sprintf("users: the baseline ran %d, the current run %d", bUsers, cs.Users))
	}
	if okb && okc && bs.DurationS > 0 && cs.DurationS > 0 {
		if r := cs.DurationS / bs.DurationS; r > 2 || r < 0.5 {
			out = append(out, fmt.Sprintf("duration: the baseline ran %s s, the current run %s s (more than 2× apart)", metrics.FormatNumber(bs.DurationS), metrics.FormatNumber(cs.DurationS)))
		}
	}
	if okb && okc && len(bs.Formats) > 0 && len(cs.Formats) > 0 && tool(bs.Formats) != tool(cs.Formats) {
		out = append(out, fmt.Sprintf("load tool: the baseline comes from %s, the current run from %s; tools measure latency differently", strings.Join(bs.Formats, ", "), strings.Join(cs.Formats, ", ")))
	}
	return out
}

// tool names the load tools of formats ("locust-stats" → "locust").
func tool(formats []string) string {
	seen := map[string]bool{}
	var out []string
	for _, f := range formats {
		t, _, _ := strings.Cut(f, "-")
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "+")
}

func names(f *metrics.File) string {
	var out []string
	for _, s := range f.Services {
		out = append(out, s.Name)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
