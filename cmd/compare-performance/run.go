package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// defaultReport is where the report is written, as the Python script did.
const defaultReport = "load-test-results/regression-analysis.md"

// environment is what the command takes from the process: the environment variables
// and the clock (for acknowledgements and the history).
type environment struct {
	Getenv func(string) string
	Now    func() time.Time
}

func (e environment) now() time.Time {
	if e.Now == nil {
		return time.Now()
	}
	return e.Now()
}

type options struct {
	input                                      cli.InputFlags
	report, config, jsonOut, junitOut, groupBy string
	thresholds                                 []string
	warnRatio                                  float64
	noGitHub, quiet, warnAsError, failOnMiss   bool
	noiseAware, strictComparability            bool
	history                                    string
	historyKeep                                int
}

var command = cli.Command{
	Name: "compare-performance",
	Help: `Usage: compare-performance [flags] <baseline_file> <current_results_file>

Compares current metrics with a baseline (normalized JSON from perfgate or the Python
scripts, or raw load-test results), prints the markdown report and writes it to --report.

With --history FILE the run is appended to a JSON Lines history and the report charts
the failing and warning metrics over the last runs. Failures that the configuration's
acknowledged: section covers (until a date at most 90 days ahead) are reported but do
not fail.

Exit status: 0 no critical failure; 1 anything else: critical failures (or warnings with
--warn-as-error, not-compared metrics with --fail-on-missing), a usage error, an
unreadable input, or nothing comparable — a gate that cannot judge never passes.

Flags:
`,
	ScriptUsage: `Usage: compare-performance <baseline_file> <current_results_file>

Example:
  compare-performance docs/performance-baselines.json load-results.json
`,
	Needs: map[string]string{"history-keep": "history"},
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.report, "report", defaultReport, "markdown report `file` (directory created)")
	fs.StringVar(&o.config, "config", "", "YAML or JSON configuration `file` (thresholds:, services:)")
	fs.Var((*cli.StringList)(&o.thresholds), "threshold", "override one threshold: `SERVICE.METRIC=EXPR` (+50%, -30%, +0.5, max:N, min:N, off; SERVICE default = every other service); repeatable")
	fs.Func("warn-ratio", "share `R` of a threshold beyond which a change warns, in (0, 1] (default 0.75, or the config's)", func(v string) error {
		r, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil || math.IsNaN(r) || r <= 0 || r > 1 {
			return fmt.Errorf("want a number in (0, 1], got %q", v)
		}
		o.warnRatio = r
		return nil
	})
	fs.StringVar(&o.jsonOut, "json", "", "also write every result as JSON to `file`")
	fs.StringVar(&o.junitOut, "junit", "", "also write a JUnit XML `file` (one test case per metric)")
	fs.StringVar(&o.groupBy, "group-by", "", "for raw inputs: key rows by `service` or endpoint (as extract-metrics)")
	o.input.Bind(fs)
	fs.BoolVar(&o.noiseAware, "noise-aware", false, "fail a breached threshold only when the change is also significant given the samples (alpha 0.05, min_requests 30; a config noise: section sets them)")
	fs.BoolVar(&o.strictComparability, "strict-comparability", false, "exit 1 when the runs differ in load profile (users, duration, load tool)")
	fs.BoolVar(&o.noGitHub, "no-github", false, "inside GitHub Actions, write neither the step summary nor annotations")
	fs.BoolVar(&o.quiet, "quiet", false, "print only the closing line")
	fs.BoolVar(&o.warnAsError, "warn-as-error", false, "exit 1 on warnings too")
	fs.BoolVar(&o.failOnMiss, "fail-on-missing", false, "exit 1 when a metric that has a threshold could not be compared, or a baseline service is not in the current results")
	fs.StringVar(&o.history, "history", "", "append this run to a JSON Lines history `file` (created if missing) and chart the failing and warning metrics over the last runs in the report")
	fs.IntVar(&o.historyKeep, "history-keep", history.DefaultKeep, "keep the last `N` runs in the --history file")
}

// run is compare-performance; it returns the exit code.
func run(args []string, stdout, stderr io.Writer, env environment) int {
	var o options
	pos, code, done := command.Parse(args, o.bind, stdout, stderr)
	if done {
		return code
	}
	if len(pos) != 2 {
		return command.BadArgs(stdout, stderr, "want 2 arguments, <baseline_file> <current_results_file>, got %d", len(pos))
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "❌ %s: %s\n", command.Name, cli.Sanitize(fmt.Sprintf(format, a...)))
		return cli.ExitFail
	}
	if msg := o.outputClash(pos); msg != "" {
		return fail("%s", msg)
	}
	set, mapping, cfg, err := o.thresholdSet(env.now())
	if err != nil {
		return fail("%v", err)
	}
	opt := metrics.Options{Format: loadtest.FormatAuto, Mapping: mapping, Name: o.input.Name, JTLColumns: o.input.Columns(), SubResults: loadtest.SubResults(o.input.JTLSubResults), AllRuns: o.input.AllRuns}
	var sides [2]*metrics.File
	var raw [2]bool
	var names [2][]string
	var notes []string
	for i, what := range []string{"baseline", "current results"} {
		if sides[i], raw[i], names[i], err = load(pos[i], what, opt, &notes, stdout, stderr); err != nil {
			return fail("%v", err)
		}
	}
	for _, t := range set.Unknown(sides[0], sides[1]) {
		hint := ""
		if s := threshold.Suggest(t.Metric); s != "" {
			hint = "; did you mean " + s + "?"
		}
		fmt.Fprintf(stderr, "❌ %s: %s: unknown metric %s: no perfgate metric has this name and neither file holds it, so the threshold would check nothing%s\n", command.Name, cli.Sanitize(t.Source), cli.Sanitize(t.Metric), hint)
		err = errors.New("unknown metric")
	}
	if err != nil {
		return cli.ExitFail
	}
	c := comparison{o: &o, env: env, cmd: o.command(args, pos), cfg: cfg, inputNotes: notes}
	if fromJMeter(sides[0]) || fromJMeter(sides[1]) {
		c.subResults = subResultNote(names[0], names[1])
	}
	c.cmd.BaselineRaw, c.cmd.CurrentRaw = raw[0], raw[1]
	return c.run(sides[0], sides[1], set, stdout, stderr)
}

// outputClash refuses outputs that would destroy an input (the two files, the config;
// by device and inode) or each other (--json equal to --report).
func (o *options) outputClash(pos []string) string {
	outs := []string{o.report, o.jsonOut, o.junitOut}
	for i, out := range outs {
		if out == "-" {
			return fmt.Sprintf("%s -: stdout carries the report and the verdict; give a file (or /dev/stdout, with --quiet)", []string{"--report", "--json", "--junit"}[i])
		}
	}
	if o.history == "-" || cli.IsStream(o.history) {
		return fmt.Sprintf("--history %s: a history is read, then rewritten with this run: give a file, not stdout, a device or a pipe", o.history)
	}
	if in, out, same := cli.SameFile(append(pos, o.config), append(outs, o.history)); same {
		return fmt.Sprintf("the output %s is the input %s: refusing to overwrite it", out, in)
	}
	outs = append(outs, o.history)
	for i, a := range outs {
		for _, b := range outs[i+1:] {
			if a != "" && b != "" && (a == b && !cli.IsStream(a) || sameExisting(a, b)) {
				return fmt.Sprintf("%s is given as two outputs: each of --report, --json, --junit and --history needs its own file", a)
			}
		}
	}
	return ""
}

// sameExisting tells whether two existing paths are the same file.
func sameExisting(a, b string) bool {
	_, _, same := cli.SameFile([]string{a}, []string{b})
	return same
}

// thresholdSet builds the thresholds from the built-in set, the config file and the
// flags, and the service mapping for raw inputs; it returns the configuration (nil
// without --config) for its acknowledged: entries, checked against today.
func (o *options) thresholdSet(now time.Time) (*threshold.Set, metrics.Mapping, *config.Config, error) {
	if o.historyKeep < 1 {
		return nil, metrics.Mapping{}, nil, fmt.Errorf("--history-keep: want at least 1 run, got %d", o.historyKeep)
	}
	var cfg *config.Config
	var err error
	if o.config != "" {
		if cfg, err = config.Load(o.config); err != nil {
			return nil, metrics.Mapping{}, nil, err
		}
		if err := cfg.CheckAcknowledged(now); err != nil {
			return nil, metrics.Mapping{}, nil, err
		}
	}
	set := threshold.Builtin()
	if err := threshold.Apply(set, cfg); err != nil {
		return nil, metrics.Mapping{}, nil, err
	}
	for _, t := range o.thresholds {
		if err := set.ParseFlag(t); err != nil {
			return nil, metrics.Mapping{}, nil, err
		}
	}
	if o.warnRatio > 0 {
		set.WarnRatio = o.warnRatio
	}
	if o.noiseAware && !set.Noise.Enabled {
		set.Noise = threshold.DefaultNoise
	}
	mapping, err := cfg.Mapping(o.groupBy)
	return set, mapping, cfg, err
}

// comparison is one run of the command once both sides are read.
type comparison struct {
	o   *options
	env environment
	cmd report.Command
	cfg *config.Config // nil without --config
	// inputNotes are what reading raw inputs found worth telling (appended runs, skipped
	// records, names that are not UTF-8): on stderr and in the report.
	inputNotes []string
	// subResults is the note on endpoints that differ only by a JMeter sub-result
	// suffix on the two sides ("" when none do).
	subResults string
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
	if o.input.JTLSubResults != "fold" {
		add("--jtl-subresults", o.input.JTLSubResults)
	}
	if o.input.AllRuns {
		c.InputArgs = append(c.InputArgs, "--all-runs")
	}
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
	gone := len(goneFromCurrent(ev))
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
	case gone > 0 && c.o.failOnMiss:
		return verdict{cli.ExitFail, "fail", fmt.Sprintf("❌ %d baseline service%s not in the current results (--fail-on-missing)", gone, plural(gone))}
	case warns > 0:
		return verdict{cli.ExitOK, "warning", "✅ No critical performance regressions detected"}
	case ev.Count(threshold.Acknowledged) > 0:
		return verdict{cli.ExitOK, "acknowledged", "✅ No critical performance regressions detected"}
	}
	return verdict{cli.ExitOK, "pass", "✅ No critical performance regressions detected"}
}

func (c *comparison) run(base, cur *metrics.File, set *threshold.Set, stdout, stderr io.Writer) int {
	o := c.o
	ev := threshold.Evaluate(base, cur, set)
	ev.Comparability = comparability(base, cur)
	ev.InputNotes = c.inputNotes
	if c.subResults != "" {
		ev.Comparability = append(ev.Comparability, c.subResults)
		fmt.Fprintf(stderr, "⚠️ %s: %s\n", command.Name, cli.Sanitize(c.subResults))
	}
	for _, b := range threshold.BrokenBaseline(base, cur, set.Noise) {
		ev.Comparability = append(ev.Comparability, report.BrokenNote(b))
	}
	var stale []*config.Ack
	if c.cfg != nil {
		stale = acknowledge(ev, c.cfg.Acknowledged, c.env.now())
	}
	v := c.verdict(ev, base, cur)
	var hist *runHistory
	var trend *report.Trend
	if o.history != "" {
		var err error
		if hist, err = c.readHistory(ev, v, cur, stderr); err != nil {
			fmt.Fprintf(stderr, "❌ %s: %v\n", command.Name, err)
			return cli.ExitFail
		}
		defer hist.close()
		trend = report.BuildTrend(ev, hist.past, hist.entry, hist.path)
	}
	var md strings.Builder
	report.Markdown(&md, ev, trend)
	if err := c.writeOutputs(ev, v, md.String(), hist, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "❌ %s: %v\n", command.Name, err)
		return cli.ExitFail
	}
	if c.cfg != nil {
		ackNotes(ev, stale, c.cfg.File, stderr)
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
// create-regression-issue can tell how to reproduce it), the machine outputs, the
// history with this run and, inside GitHub Actions, the step summary and annotations.
func (c *comparison) writeOutputs(ev *threshold.Evaluation, v verdict, md string, hist *runHistory, stdout, stderr io.Writer) error {
	o := c.o
	recorded := c.cmd
	recorded.Verdict = v.name
	file := md + "\n" + report.CommandComment(recorded)
	if err := cli.WriteFileAtomic(o.report, func(w io.Writer) error { _, err := io.WriteString(w, file); return err }); err != nil {
		return fmt.Errorf("writing report %s: %w", o.report, err)
	}
	if o.jsonOut != "" {
		if err := cli.WriteFileAtomic(o.jsonOut, func(w io.Writer) error { return report.JSON(w, ev, v.name, v.code, &c.cmd) }); err != nil {
			return fmt.Errorf("writing %s: %w", o.jsonOut, err)
		}
	}
	if o.junitOut != "" {
		if err := cli.WriteFileAtomic(o.junitOut, func(w io.Writer) error {
			return report.JUnit(w, ev, report.JUnitOptions{WarnAsError: o.warnAsError, FailOnMissing: o.failOnMiss, StrictComparability: o.strictComparability})
		}); err != nil {
			return fmt.Errorf("writing %s: %w", o.junitOut, err)
		}
	}
	if hist != nil {
		if err := hist.write(o.historyKeep); err != nil {
			return err
		}
	}
	getenv := c.env.Getenv
	if getenv == nil {
		return nil
	}
	if p := getenv("GITHUB_OUTPUT"); p != "" {
		if err := cli.AppendGitHubOutputs(p, c.stepOutputs(ev, v)...); err != nil {
			return fmt.Errorf("writing $GITHUB_OUTPUT (%s): %w", p, err)
		}
	}
	if getenv("GITHUB_ACTIONS") == "true" && !o.noGitHub {
		if p := getenv("GITHUB_STEP_SUMMARY"); p != "" {
			c.stepSummary(p, md, stderr)
		}
		report.Annotations(stderr, ev) // perfgate's own lines: stdout keeps the script's
	}
	return nil
}

// stepSummary appends the report to the step summary at path. GitHub drops a step
// summary over 1 MiB, what earlier steps wrote included: the tables are cut to fit in
// what is left, and with too little left the report is not added (stderr says so).
func (c *comparison) stepSummary(path, md string, stderr io.Writer) {
	left := report.StepSummaryLimit
	if st, err := os.Stat(path); err == nil {
		left -= int(st.Size())
	}
	const least = 2000 // the title, the Summary and a line on what was cut
	if left < least {
		fmt.Fprintf(stderr, "⚠️ %s: $GITHUB_STEP_SUMMARY (%s) is nearly full (GitHub drops a summary over 1 MiB): the report is not added to it; see %s\n", command.Name, path, c.o.report)
		return
	}
	summary := report.Fit(md, left-1, "`"+c.o.report+"` (upload it as an artifact)")
	if err := cli.AppendFile(path, summary+"\n"); err != nil {
		fmt.Fprintf(stderr, "⚠️ %s: could not append to $GITHUB_STEP_SUMMARY (%s): %v\n", command.Name, path, err)
	}
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
	if gone := goneFromCurrent(ev); len(gone) > 0 && ev.Common > 0 { // none in common: the verdict says so
		n := len(gone)
		if n > 5 {
			gone = append(gone[:5], fmt.Sprintf("and %d more", n-5))
		}
		fmt.Fprintf(stderr, "⚠️ %s: %d of the baseline's %d services %s not in the current results (%s): nothing of theirs is compared (--fail-on-missing fails on it)\n",
			command.Name, n, n+ev.Common, map[bool]string{true: "is", false: "are"}[n == 1], cli.Sanitize(strings.Join(gone, ", ")))
	}
	for _, u := range ev.Unused {
		fmt.Fprintf(stderr, "⚠️ %s: %s: no service %s in either file: its thresholds check nothing (a typo, or --group-by endpoint names?)\n", command.Name, cli.Sanitize(u.Source), cli.Sanitize(u.Service))
	}
	if n := ev.Count(threshold.Warn); n > 0 {
		fmt.Fprintf(stderr, "⚠️ %d metric%s trending towards regression (warnings)\n", n, plural(n))
	}
	var est []string
	for _, r := range ev.Results {
		if r.Estimate != nil && r.Status != threshold.NotCompared {
			est = append(est, cli.Sanitize(r.Service)+" "+r.Metric)
		}
	}
	if len(est) > 0 {
		fmt.Fprintf(stderr, "⚠️ %d percentile%s compared as estimates from the averages (int(1.4 × avg) for p95, int(1.7 × avg) for p99), because one side had no measured percentile (a baseline written by extract_baselines.py holds only estimates; an old-style Locust CSV has no percentiles): %s. Refresh the baseline with extract-baselines from a run with percentiles to compare measured ones.\n", len(est), plural(len(est)), strings.Join(est, ", "))
	}
}

// load reads one side and returns its names: the services, and the endpoints that
// service rules mapped to them when the side is raw results. A missing file gets
// compare_performance.py's line on stdout as well; a raw result that maps to no service
// cannot be compared. What reading found worth telling is printed on stderr and added
// to notes.
func load(path, what string, opt metrics.Options, notes *[]string, stdout, stderr io.Writer) (*metrics.File, bool, []string, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "❌ File not found: %s\n", path)
		return nil, false, nil, fmt.Errorf("reading %s: %s: no such file", what, path)
	}
	f, info, err := metrics.Load([]string{path}, opt)
	if err != nil {
		if looksJSON(path) {
			fmt.Fprintf(stdout, "❌ Invalid JSON in %s: %s\n", path, cli.Sanitize(err.Error()))
		}
		return nil, false, nil, fmt.Errorf("reading %s: %w", what, err)
	}
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "⚠️ %s\n", cli.Sanitize(n))
	}
	*notes = append(*notes, info.Notes...)
	if len(info.Unmatched) > 0 {
		var eps []string
		for _, u := range info.Unmatched {
			eps = append(eps, cli.Sanitize(u.Endpoint))
		}
		fmt.Fprintf(stderr, "⚠️ %s: %d endpoint(s) matched no service and were left out: %s\n", path, len(eps), strings.Join(eps, ", "))
	}
	if len(f.Services) == 0 {
		return nil, false, nil, fmt.Errorf("reading %s: %s holds no service to compare", what, path)
	}
	var names []string
	for _, s := range f.Services {
		names = append(names, s.Name)
	}
	for _, m := range info.Matched {
		names = append(names, m.Endpoint)
	}
	return f, info.Raw, names, nil
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
			out = append(out, fmt.Sprintf("duration: the baseline ran %s s, the current run %s s (more than 2× apart)", report.FormatNumber(bs.DurationS), report.FormatNumber(cs.DurationS)))
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
		t := loadtest.ToolOf(loadtest.Format(f))
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "+")
}

// goneFromCurrent are the baseline's services that the current results lack.
func goneFromCurrent(ev *threshold.Evaluation) []string {
	var out []string
	for _, m := range ev.Missing {
		if m.Side == threshold.BaselineOnly {
			out = append(out, m.Service)
		}
	}
	return out
}

func names(f *metrics.File) string {
	var out []string
	for _, s := range f.Services {
		out = append(out, cli.Sanitize(s.Name))
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
