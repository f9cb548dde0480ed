package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// defaultReport is where the report is written, as the Python script did.
const defaultReport = "load-test-results/regression-analysis.md"

// environment is what the command takes from the process environment.
type environment struct {
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

var command = cli.Command{
	Name: "compare-performance",
	Help: `Usage: compare-performance [flags] <baseline_file> <current_results_file>

Compares current metrics with a baseline (normalized JSON from perfgate or the Python
scripts, or raw load-test results), prints the markdown report and writes it to --report.

Exit status: 0 no critical failure; 1 anything else: critical failures (or warnings with
--warn-as-error, not-compared metrics with --fail-on-missing), a usage error, an
unreadable input, or nothing comparable — a gate that cannot judge never passes.

Flags:
`,
	ScriptUsage: `Usage: compare-performance <baseline_file> <current_results_file>

Example:
  compare-performance docs/performance-baselines.json load-results.json
`,
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.report, "report", defaultReport, "markdown report `file` (directory created)")
	fs.StringVar(&o.config, "config", "", "YAML or JSON configuration `file` (thresholds:, services:)")
	fs.Var((*cli.StringList)(&o.thresholds), "threshold", "override one threshold: `SERVICE.METRIC=EXPR` (+50%, -30%, +0.5, max:N, min:N, off; SERVICE default = every other service); repeatable")
	fs.Float64Var(&o.warnRatio, "warn-ratio", 0, "share of a threshold beyond which a change warns (default 0.75, or the config's)")
	fs.StringVar(&o.jsonOut, "json", "", "also write every result as JSON to `file`")
	fs.StringVar(&o.junitOut, "junit", "", "also write a JUnit XML `file` (one test case per metric)")
	fs.StringVar(&o.groupBy, "group-by", "", "for raw inputs: key rows by `service` or endpoint (as extract-metrics)")
	o.input.Bind(fs)
	fs.BoolVar(&o.noiseAware, "noise-aware", false, "fail a breached threshold only when the change is also significant given the samples (alpha 0.05, min_requests 30; a config noise: section sets them)")
	fs.BoolVar(&o.strictComparability, "strict-comparability", false, "exit 1 when the runs differ in load profile (users, duration, load tool)")
	fs.BoolVar(&o.noGitHub, "no-github", false, "inside GitHub Actions, write neither the step summary nor annotations")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the closing line")
	fs.BoolVar(&o.warnAsError, "warn-as-error", false, "exit 1 on warnings too")
	fs.BoolVar(&o.failOnMiss, "fail-on-missing", false, "exit 1 when a metric that has a threshold could not be compared")
}

// run is compare-performance; it returns the exit code.
func run(args []string, stdout, stderr io.Writer, env environment) int {
	fs := flag.NewFlagSet(command.Name, flag.ContinueOnError)
	var o options
	o.bind(fs)
	pos, code, done := command.Parse(fs, args, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 2 {
		return command.BadArgs(stdout, stderr, "want 2 arguments, <baseline_file> <current_results_file>, got %d", len(pos))
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "❌ %s: %s\n", command.Name, fmt.Sprintf(format, a...))
		return cli.ExitFail
	}
	set, mapping, err := o.thresholdSet()
	if err != nil {
		return fail("%v", err)
	}
	opt := metrics.Options{Format: loadtest.FormatAuto, Mapping: mapping, Name: o.input.Name, JTLColumns: o.input.Columns()}
	var sides [2]*metrics.File
	var raw [2]bool
	for i, what := range []string{"baseline", "current results"} {
		if sides[i], raw[i], err = load(pos[i], what, opt, stdout, stderr); err != nil {
			return fail("%v", err)
		}
	}
	c := comparison{o: &o, env: env, cmd: o.command(args, pos)}
	c.cmd.BaselineRaw, c.cmd.CurrentRaw = raw[0], raw[1]
	return c.run(sides[0], sides[1], set, stdout, stderr)
}

// thresholdSet builds the thresholds from the built-in set, the config file and the
// flags, and the service mapping for raw inputs.
func (o *options) thresholdSet() (*threshold.Set, metrics.Mapping, error) {
	if o.warnRatio < 0 || o.warnRatio > 1 {
		return nil, metrics.Mapping{}, fmt.Errorf("--warn-ratio: want a number in (0, 1], got %g", o.warnRatio)
	}
	var cfg *config.Config
	var err error
	if o.config != "" {
		if cfg, err = config.Load(o.config); err != nil {
			return nil, metrics.Mapping{}, err
		}
	}
	set := threshold.Builtin()
	if err := threshold.Apply(set, cfg); err != nil {
		return nil, metrics.Mapping{}, err
	}
	for _, t := range o.thresholds {
		if err := set.ParseFlag(t); err != nil {
			return nil, metrics.Mapping{}, err
		}
	}
	if o.warnRatio > 0 {
		set.WarnRatio = o.warnRatio
	}
	if o.noiseAware && !set.Noise.Enabled {
		set.Noise = threshold.DefaultNoise
	}
	mapping, err := cfg.Mapping(o.groupBy)
	return set, mapping, err
}

// comparison is one run of the command once both sides are read.
type comparison struct {
	o   *options
	env environment
	cmd report.Command
}

// command records the command line for the report and the --json output.
func (o *options) command(args, pos []string) report.Command {
	c := report.Command{Prog: command.Name, Args: args, Baseline: pos[0], Current: pos[1]}
	add := func(flag, v string) {
		if v != "" {
			c.InputArgs = append(c.InputArgs, flag, v)
		}
	}
	add("--group-by", o.groupBy)
	add("--config", o.config)
	if o.input.Name != "all" {
		add("--name", o.input.Name)
	}
	add("--jtl-columns", o.input.JTLColumns)
	return c
}

// verdict is the outcome: exit code, the --json verdict and the closing line on stdout.
type verdict struct {
	code    int
	name    string
	closing string
}

func (c *comparison) verdict(ev *threshold.Evaluation, base, cur *metrics.File) verdict {
	fails, warns, notCompared := ev.Count(threshold.Fail), ev.Count(threshold.Warn), ev.Count(threshold.NotCompared)
	switch {
	case ev.Common == 0:
		return verdict{cli.ExitFail, "incomparable", fmt.Sprintf("❌ Nothing comparable: no service in common (baseline: %s; current: %s)", names(base), names(cur))}
	case ev.Compared() == 0:
		return verdict{cli.ExitFail, "incomparable", fmt.Sprintf("❌ Nothing comparable: none of the %d metrics with a threshold could be compared (see \"Not Compared\" in the report)", notCompared)}
	case c.o.strictComparability && len(ev.Comparability) > 0:
		return verdict{cli.ExitFail, "incomparable", fmt.Sprintf("❌ Runs not comparable (--strict-comparability): %s", strings.Join(ev.Comparability, "; "))}
	case fails > 0:
		return verdict{cli.ExitFail, "fail", "❌ Critical performance regressions detected!"}
	case warns > 0 && c.o.warnAsError:
		return verdict{cli.ExitFail, "fail", fmt.Sprintf("❌ %d performance warning%s, treated as failures (--warn-as-error)", warns, plural(warns))}
	case notCompared > 0 && c.o.failOnMiss:
		return verdict{cli.ExitFail, "fail", fmt.Sprintf("❌ %d metric%s with a threshold could not be compared (--fail-on-missing)", notCompared, plural(notCompared))}
	case warns > 0:
		return verdict{cli.ExitOK, "warning", "✅ No critical performance regressions detected"}
	}
	return verdict{cli.ExitOK, "pass", "✅ No critical performance regressions detected"}
}

func (c *comparison) run(base, cur *metrics.File, set *threshold.Set, stdout, stderr io.Writer) int {
	o := c.o
	ev := threshold.Evaluate(base, cur, set)
	ev.Comparability = append(comparability(base, cur), threshold.BrokenBaseline(base, cur, set.Noise)...)
	v := c.verdict(ev, base, cur)
	var md strings.Builder
	report.Markdown(&md, ev)
	if err := c.writeOutputs(ev, v, md.String(), stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "❌ %s: %v\n", command.Name, err)
		return cli.ExitFail
	}
	hints(ev, stderr)
	if o.quiet {
		fmt.Fprintln(stdout, v.closing)
	} else {
		// compare_performance.py's lines: a warning per service without baseline, the
		// report, the saved file, a blank line and the verdict.
		for _, m := range ev.Missing {
			if m.Side == threshold.CurrentOnly {
				fmt.Fprintf(stdout, "⚠️  No baseline found for service: %s\n", cli.Sanitize(m.Service))
			}
		}
		fmt.Fprintf(stdout, "%s\n", md.String())
		fmt.Fprintf(stdout, "✅ Report saved to: %s\n", o.report)
		fmt.Fprintf(stdout, "\n%s\n", v.closing)
	}
	if v.code != cli.ExitOK && v.name == "incomparable" {
		fmt.Fprintf(stderr, "%s\n", strings.Replace(v.closing, "❌ ", "❌ "+command.Name+": ", 1))
	}
	return v.code
}

// writeOutputs writes the report (with the command line as a hidden comment, so that
// create-regression-issue can tell how to reproduce it), the machine outputs and, inside
// GitHub Actions, the step summary and annotations.
func (c *comparison) writeOutputs(ev *threshold.Evaluation, v verdict, md string, stdout, stderr io.Writer) error {
	o := c.o
	file := md + "\n" + report.CommandComment(c.cmd)
	if err := cli.WriteFileAtomic(o.report, func(w io.Writer) error { _, err := io.WriteString(w, file); return err }); err != nil {
		return fmt.Errorf("writing report %s: %v", o.report, err)
	}
	if o.jsonOut != "" {
		if err := cli.WriteFileAtomic(o.jsonOut, func(w io.Writer) error { return report.JSON(w, ev, v.name, v.code, &c.cmd) }); err != nil {
			return fmt.Errorf("writing %s: %v", o.jsonOut, err)
		}
	}
	if o.junitOut != "" {
		if err := cli.WriteFileAtomic(o.junitOut, func(w io.Writer) error { return report.JUnit(w, ev) }); err != nil {
			return fmt.Errorf("writing %s: %v", o.junitOut, err)
		}
	}
	getenv := c.env.Getenv
	if getenv == nil {
		return nil
	}
	if p := getenv("GITHUB_OUTPUT"); p != "" {
		if err := cli.AppendGitHubOutputs(p, c.stepOutputs(ev, v)...); err != nil {
			return fmt.Errorf("writing $GITHUB_OUTPUT (%s): %v", p, err)
		}
	}
	if getenv("GITHUB_ACTIONS") == "true" && !o.noGitHub {
		if p := getenv("GITHUB_STEP_SUMMARY"); p != "" {
			if err := cli.AppendFile(p, md+"\n"); err != nil {
				fmt.Fprintf(stderr, "⚠️ %s: could not append to $GITHUB_STEP_SUMMARY (%s): %v\n", command.Name, p, err)
			}
		}
		report.Annotations(stdout, ev)
	}
	return nil
}

// stepOutputs are the lines for $GITHUB_OUTPUT, so that later workflow steps can act on
// the verdict: verdict (pass, warning, fail, incomparable), the counts, and the paths of
// the report and of the machine outputs that were asked for.
func (c *comparison) stepOutputs(ev *threshold.Evaluation, v verdict) []cli.Output {
	n := func(s threshold.Status) string { return strconv.Itoa(ev.Count(s)) }
	outs := []cli.Output{
		{Name: "verdict", Value: v.name},
		{Name: "failures", Value: n(threshold.Fail)},
		{Name: "warnings", Value: n(threshold.Warn)},
		{Name: "passed", Value: n(threshold.Pass)},
		{Name: "not_compared", Value: n(threshold.NotCompared)},
		{Name: "total", Value: strconv.Itoa(ev.Compared())},
		{Name: "report", Value: c.o.report},
	}
	if c.o.jsonOut != "" {
		outs = append(outs, cli.Output{Name: "json", Value: c.o.jsonOut})
	}
	if c.o.junitOut != "" {
		outs = append(outs, cli.Output{Name: "junit", Value: c.o.junitOut})
	}
	return outs
}

// hints prints perfgate's own notes on stderr: warnings that do not fail the build, and
// percentiles compared as estimates.
func hints(ev *threshold.Evaluation, stderr io.Writer) {
	if n := ev.Count(threshold.Warn); n > 0 {
		fmt.Fprintf(stderr, "⚠️ %d metric%s trending towards regression (warnings)\n", n, plural(n))
	}
	var est []string
	for _, r := range ev.Results {
		if r.Estimated && r.Status != threshold.NotCompared {
			est = append(est, cli.Sanitize(r.Service)+" "+r.Metric)
		}
	}
	if len(est) > 0 {
		fmt.Fprintf(stderr, "⚠️ %d percentile%s compared as estimates from the averages (int(1.4 × avg) for p95, int(1.7 × avg) for p99), because one side had no measured percentile (a baseline written by extract_baselines.py holds only estimates; an old-style Locust CSV has no percentiles): %s. Refresh the baseline with extract-baselines from a run with percentiles to compare measured ones.\n", len(est), plural(len(est)), strings.Join(est, ", "))
	}
}

// load reads one side. A missing file gets compare_performance.py's line on stdout as
// well; a raw result that maps to no service cannot be compared.
func load(path, what string, opt metrics.Options, stdout, stderr io.Writer) (*metrics.File, bool, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "❌ File not found: %s\n", path)
		return nil, false, fmt.Errorf("reading %s: %s: no such file", what, path)
	}
	f, info, err := metrics.Load([]string{path}, opt)
	if err != nil {
		if looksJSON(path) {
			fmt.Fprintf(stdout, "❌ Invalid JSON in %s: %v\n", path, err)
		}
		return nil, false, fmt.Errorf("reading %s: %v", what, err)
	}
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "⚠️ %s\n", n)
	}
	if len(info.Unmatched) > 0 {
		var eps []string
		for _, u := range info.Unmatched {
			eps = append(eps, cli.Sanitize(u.Endpoint))
		}
		fmt.Fprintf(stderr, "⚠️ %s: %d endpoint(s) matched no service and were left out: %s\n", path, len(eps), strings.Join(eps, ", "))
	}
	if len(f.Services) == 0 {
		return nil, false, fmt.Errorf("reading %s: %s holds no service to compare", what, path)
	}
	return f, info.Raw, nil
}

// looksJSON tells whether a file starts like a JSON document (compare_performance.py
// read only JSON and said "Invalid JSON" when it could not).
func looksJSON(path string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(fh, head)
	t := bytes.TrimLeft(bytes.TrimPrefix(head[:n], []byte("\xef\xbb\xbf")), " \t\r\n")
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
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
