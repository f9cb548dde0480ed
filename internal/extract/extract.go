// Package extract implements the extract-metrics and extract-baselines commands: read
// load-test results, map rows to services, write normalized metrics (README: extract-metrics, extract-baselines).
package extract

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
)

// Env is what the commands take from the process, injected for tests.
type Env struct {
	Now func() time.Time
}

// Default output paths, as the Python scripts had them.
const (
	DefaultMetricsOutput  = "load-results.json"
	DefaultBaselineOutput = "docs/performance-baselines.json"
)

type options struct {
	input   cli.InputFlags
	format  string
	groupBy string
	config  string
	output  string
	users   int
	// fromHistory and last: extract-baselines --from-history FILE --last N.
	fromHistory string
	last        int
	flags       *flag.FlagSet // to tell whether --users was given
}

func (o *options) bind(fs *flag.FlagSet, baselines bool) {
	o.flags = fs
	fs.StringVar(&o.format, "format", "auto", "input format: auto, "+strings.Join(loadtest.Formats(), ", "))
	fs.StringVar(&o.groupBy, "group-by", "", "key rows by `service` (built-in or config rules; the default) or by endpoint name")
	fs.StringVar(&o.config, "config", "", "YAML or JSON configuration `file` (services: rules)")
	fs.StringVar(&o.output, "o", "", "output `file` (\"-\" for stdout); every positional argument is then an input")
	o.input.Bind(fs)
	if baselines {
		fs.IntVar(&o.users, "users", 1, "number of users of the reference run, stored as baseline_users (with --from-history, default: the users the runs recorded)")
		fs.StringVar(&o.fromHistory, "from-history", "", "make the baseline from a compare-performance --history `file` instead of inputs: each metric is the median of the last --last runs whose verdict was pass")
		fs.IntVar(&o.last, "last", 5, "with --from-history: how many of the last passing runs (`N`) make the baseline")
	} else {
		fs.IntVar(&o.users, "users", 0, "number of users of the run, if known: compare-performance checks it against baseline_users")
	}
}

// RunMetrics is extract-metrics: it returns the exit code.
func RunMetrics(args []string, stdout, stderr io.Writer, env Env) int {
	return run(metricsCommand, args, stdout, stderr, env, false)
}

// RunBaselines is extract-baselines: it returns the exit code.
func RunBaselines(args []string, stdout, stderr io.Writer, env Env) int {
	return run(baselinesCommand, args, stdout, stderr, env, true)
}

var metricsCommand = cli.Command{
	Name: "extract-metrics",
	Help: `Usage: extract-metrics [flags] <input> [output]
       extract-metrics [flags] -o <output> <input>...

Reads load-test results and writes normalized per-service metrics (default output:
load-results.json). The format is detected by content: Locust CSV/JSON, JMeter CSV/XML
JTL and statistics.json, k6 summaries and --out json/csv, Gatling simulation.log and
stats, Vegeta report/CSV/JSON, hey CSV, Artillery reports, normalized JSON.
With two positional arguments the second is always the output, whatever its name.
Several inputs need -o: they are merged (results of distributed load generators).

Exit status: 0 written; 1 anything else (usage error, missing or bad input, nothing
matched) — nothing is written then.

Flags:
`,
	ScriptUsage: `Usage: extract-metrics <input_file> [output_file]

Example:
  extract-metrics load_results_stats.csv load-results.json
  extract-metrics locust_results.json load-results.json
`,
}

var baselinesCommand = cli.Command{
	Name: "extract-baselines",
	Help: `Usage: extract-baselines [flags] <input> [output]
       extract-baselines [flags] -o <output> <run>...
       extract-baselines --from-history FILE [--last N] [output]

Extracts performance baselines from a reference run, computed exactly like
extract-metrics, plus baseline_users and timestamp (default output:
docs/performance-baselines.json). With two positional arguments the second is always
the output. Several runs need -o: each metric is then the median across the runs, with
the per-run values kept. --from-history makes it from the last N runs whose verdict was
pass in a compare-performance --history file, the same way. An existing baseline is
never replaced by an empty one.

Exit status: 0 written; 1 anything else (usage error, missing or bad input, nothing
matched) — nothing is written then.

Flags:
`,
	ScriptUsage: `Usage: extract-baselines <stats_csv_file> [output_file]

Example:
  extract-baselines load_results_stats.csv docs/performance-baselines.json
`,
	Needs: map[string]string{"last": "from-history"},
}

func run(cmd cli.Command, args []string, stdout, stderr io.Writer, env Env, baselines bool) int {
	var o options
	pos, code, done := cmd.Parse(args, func(fs *flag.FlagSet) { o.bind(fs, baselines) }, stdout, stderr)
	if done {
		return code
	}
	if len(pos) == 0 && o.fromHistory == "" {
		return cmd.BadArgs(stdout, stderr, "no input file given")
	}
	def := DefaultMetricsOutput
	if baselines {
		def = DefaultBaselineOutput
	}
	var inputs []string
	var output string
	var err error
	if o.fromHistory != "" {
		output, err = historyArgs(pos, o.output, def)
	} else {
		inputs, output, err = splitArgs(pos, o.output, def)
	}
	if err != nil {
		fmt.Fprintf(stderr, "❌ %s: %s\n", cmd.Name, cli.Sanitize(err.Error()))
		return cli.ExitFail
	}
	j, err := o.job(inputs, output, baselines, stderr, env)
	if err != nil {
		fmt.Fprintf(stderr, "❌ %s: %s\n", cmd.Name, cli.Sanitize(err.Error()))
		return cli.ExitFail
	}
	j.rerun = report.ShellLine(cmd.Name, append([]string{"--group-by", "endpoint"}, withoutGroupBy(args)...)...)
	return j.run(cmd.Name, stdout, stderr)
}

// job is one extraction: what to read, how to map it and where to write it.
type job struct {
	inputs    []string
	output    string
	baselines bool
	users     int
	opt       metrics.Options
	now       func() time.Time
	// history and last: the baseline is the median of the last passing runs of a
	// compare-performance --history file (inputs is then empty).
	history string
	last    int
	picked  []history.Entry // the runs the baseline was made of
	// usersGiven tells that --users was on the command line: a baseline from history
	// otherwise takes the users its runs recorded.
	usersGiven bool
	// rerun is the command line again with --group-by endpoint, suggested when no row
	// matched a service rule.
	rerun string
	// configPath is the --config file ("" without): never an output.
	configPath string
}

// job checks the flags and turns them into a job.
func (o *options) job(inputs []string, output string, baselines bool, stderr io.Writer, env Env) (*job, error) {
	format, err := loadtest.ParseFormat(o.format)
	if err != nil {
		return nil, fmt.Errorf("--format: %w", err)
	}
	if (baselines && o.users < 1) || o.users < 0 {
		return nil, fmt.Errorf("--users: want a positive number of users, got %d", o.users)
	}
	if o.last < 1 && baselines {
		return nil, fmt.Errorf("--last: want at least 1 run, got %d", o.last)
	}
	var cfg *config.Config
	if o.config != "" {
		if cfg, err = config.Load(o.config); err != nil {
			return nil, err
		}
	}
	mapping, err := cfg.Mapping(o.groupBy)
	if err != nil {
		return nil, err
	}
	opt := metrics.Options{Format: format, Mapping: mapping, Name: o.input.Name, JTLColumns: o.input.Columns(), SubResults: loadtest.SubResults(o.input.JTLSubResults), AllRuns: o.input.AllRuns, Wrap: cli.ProgressReader(stderr, env.Now)}
	j := &job{inputs: inputs, output: output, baselines: baselines, users: o.users, opt: opt, now: env.Now, history: o.fromHistory, last: o.last, configPath: o.config}
	var inputFlags []string
	o.flags.Visit(func(f *flag.Flag) {
		j.usersGiven = j.usersGiven || f.Name == "users"
		switch f.Name {
		case "group-by", "format", "name", "jtl-columns", "jtl-subresults", "all-runs":
			inputFlags = append(inputFlags, "--"+f.Name)
		}
	})
	if o.fromHistory != "" && len(inputFlags) > 0 {
		fmt.Fprintf(stderr, "⚠️ %s: with --from-history these flags mean nothing (the history holds the services as they were compared, not result files to read): ignored\n", strings.Join(inputFlags, ", "))
	}
	return j, nil
}

// run reads, writes and reports; it returns the exit code.
func (j *job) run(prog string, stdout, stderr io.Writer) int {
	// Messages go to stdout, unless stdout carries the JSON.
	msg := stdout
	if j.output == "-" {
		msg = stderr
	}
	if code, missing := j.checkInputs(prog, msg, stderr); missing {
		return code
	}
	inputs := j.inputs
	if j.history != "" {
		inputs = append(inputs, j.history)
	}
	if in, out, same := cli.SameFile(append(inputs, j.configPath), []string{j.output}); same { // the history and the config are inputs too
		fmt.Fprintf(stderr, "❌ %s: the output %s is the input %s: refusing to overwrite it\n", prog, out, in)
		return cli.ExitFail
	}
	result, err := j.extract(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "❌ %s: %s\n", prog, cli.Sanitize(err.Error()))
		if _, none := err.(errNothingMatched); !none && !j.baselines {
			fmt.Fprintf(msg, "❌ Error loading input file: %s\n", cli.Sanitize(err.Error()))
		}
		return cli.ExitFail
	}
	if j.output == "-" {
		err = metrics.Write(stdout, result)
	} else {
		err = cli.WriteFileAtomic(j.output, func(w io.Writer) error { return metrics.Write(w, result) })
	}
	if err != nil {
		fmt.Fprintf(stderr, "❌ %s: writing %s: %v\n", prog, displayPath(j.output), err)
		return cli.ExitFail
	}
	if j.baselines {
		printBaselines(msg, stderr, result, j.output, len(j.inputs))
		if j.history != "" {
			printHistoryRuns(stderr, j.picked, j.history)
		}
	} else {
		printMetrics(msg, result, j.output)
	}
	return cli.ExitOK
}

// checkInputs refuses a missing input before anything is read, with the original
// script's line on stdout (extract_metrics.py: "❌ Error loading input file: [Errno 2] …",
// extract_baselines.py: "❌ Stats file not found: …") and perfgate's on stderr.
func (j *job) checkInputs(prog string, msg, stderr io.Writer) (int, bool) {
	for _, in := range j.inputs {
		_, err := os.Stat(in)
		if err == nil {
			continue
		}
		if !errors.Is(err, os.ErrNotExist) {
			return 0, false // the reader names the problem
		}
		if j.baselines {
			fmt.Fprintf(msg, "❌ Stats file not found: %s\n", in)
		} else {
			fmt.Fprintf(msg, "❌ Error loading input file: [Errno 2] No such file or directory: '%s'\n", in)
		}
		fmt.Fprintf(stderr, "❌ %s: %s: no such file\n", prog, in)
		return cli.ExitFail, true
	}
	return 0, false
}

// errNothingMatched wraps the error of an input that mapped to no service (not a load
// error: the file was read).
type errNothingMatched struct{ error }

// extract reads the inputs: one run (several files merged), or for a baseline of several
// runs, the per-metric median of the runs.
func (j *job) extract(stderr io.Writer) (*metrics.File, error) {
	if j.history != "" {
		runs, err := j.historyRuns(stderr)
		if err != nil {
			return nil, err
		}
		return j.baseline(metrics.MedianOfRuns(runs), stderr), nil
	}
	groups := [][]string{j.inputs}
	if j.baselines && len(j.inputs) > 1 {
		groups = groups[:0]
		for _, in := range j.inputs {
			groups = append(groups, []string{in})
		}
	}
	var runs []*metrics.File
	for _, g := range groups {
		f, info, err := metrics.Load(g, j.opt)
		if err != nil {
			return nil, err
		}
		if j.opt.Mapping.Rules == nil && !j.opt.Mapping.ByEndpoint {
			printMapping(stderr, g, info.Matched)
		}
		printNotes(stderr, f, info)
		if len(f.Services) == 0 {
			return nil, errNothingMatched{nothingMatched(g, info, j.output, j.rerun)}
		}
		runs = append(runs, f)
	}
	result := runs[0]
	if len(runs) > 1 {
		result = metrics.MedianOfRuns(runs)
	}
	return j.baseline(result, stderr), nil
}

// baseline records the run's users and, for a baseline, baseline_users and timestamp. A
// baseline made from history takes the users its runs recorded (all the same), unless
// --users says otherwise; when they did not record one, baseline_users is left out rather
// than set to a number no run had.
func (j *job) baseline(result *metrics.File, stderr io.Writer) *metrics.File {
	users := j.users
	src, known := result.Source()
	if j.history != "" && !j.usersGiven {
		users = 0
		if known {
			users = src.Users
		}
		if users == 0 {
			fmt.Fprintf(stderr, "⚠️ the runs of %s do not record one number of users (none recorded, or not all the same: extract-metrics --users N records it): baseline_users left out; pass --users N to set it\n", j.history)
		}
	}
	if known && users > 0 {
		src.Users = users
		result.SetMeta(metrics.MetaKey, src.JSON())
	}
	if j.baselines {
		ts := j.now().UTC().Format("2006-01-02T15:04:05Z")
		for _, s := range result.Services {
			if users > 0 {
				u := float64(users)
				s.BaselineUsers = &u
			}
			s.Timestamp = ts
		}
	}
	return result
}

// printMetrics prints extract_metrics.py's lines: the saved file, then one line per
// service with its requests and error rate (Python's float formatting).
func printMetrics(w io.Writer, f *metrics.File, output string) {
	fmt.Fprintf(w, "✅ Metrics extracted and saved to: %s\n", displayPath(output))
	fmt.Fprintf(w, "\n📊 Extracted metrics for %d services:\n", len(f.Services))
	for _, s := range f.Services {
		req, _ := s.Get(metrics.TotalRequests)
		rate, _ := s.Get(metrics.ErrorRate)
		fmt.Fprintf(w, "  - %s: %s requests, %s%% errors\n", cli.Sanitize(s.Name), report.FormatNumber(req), pyFloat(rate))
	}
}

// printBaselines prints extract_baselines.py's lines: one per service, the saved file,
// the count and the services included. The median-of-runs note is perfgate's: stderr.
func printBaselines(w, stderr io.Writer, f *metrics.File, output string, runs int) {
	for _, s := range f.Services {
		fmt.Fprintf(w, "✅ Extracted baseline for %s\n", cli.Sanitize(s.Name))
	}
	fmt.Fprintf(w, "\n✅ Baselines saved to: %s\n", displayPath(output))
	fmt.Fprintf(w, "📊 Extracted %d service baselines\n", len(f.Services))
	fmt.Fprintf(w, "\n📋 Services included:\n")
	for _, s := range f.Services {
		fmt.Fprintf(w, "  - %s\n", cli.Sanitize(s.Name))
	}
	if runs > 1 {
		fmt.Fprintf(stderr, "📊 Each metric is the median of %d runs; the per-run values are kept under \"runs\"\n", runs)
	}
}

func displayPath(p string) string {
	if p == "-" {
		return "stdout"
	}
	return p
}

// printNotes prints, on stderr, the unmatched endpoints, the estimated fields and notes.
func printNotes(stderr io.Writer, f *metrics.File, info *metrics.Info) {
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "⚠️ %s\n", cli.Sanitize(n))
	}
	if len(info.Unmatched) > 0 {
		fmt.Fprintf(stderr, "⚠️ %d endpoint(s) matched no service rule and were left out (--group-by endpoint keeps every endpoint; a --config services: section sets the rules):\n", len(info.Unmatched))
		for _, u := range info.Unmatched {
			fmt.Fprintf(stderr, "⚠️   %s (%d requests)\n", cli.Sanitize(u.Endpoint), u.Requests)
		}
	}
	for _, s := range f.Services {
		for _, n := range slices.Sorted(maps.Keys(s.PythonZero)) {
			fmt.Fprintf(stderr, "⚠️ %s: %s left out: %s\n", cli.Sanitize(s.Name), n, report.PythonZeroNote(s.PythonZero[n]))
		}
		if len(s.Estimated) > 0 {
			fmt.Fprintf(stderr, "⚠️ %s: the input has no percentiles of the whole run; %s estimated from the average (p95 = int(1.4 × avg), p99 = int(1.7 × avg))%s\n", cli.Sanitize(s.Name), strings.Join(s.Estimated, " and "), boundedNote(s))
		}
		if n := missingPercentiles(s, info.Formats); n != "" && info.Raw {
			fmt.Fprintf(stderr, "⚠️ %s: %s\n", cli.Sanitize(s.Name), n)
		}
	}
}

// boundedNote says which estimates were brought within the median and the maximum
// (metrics.EstimateFrom): "; p99 kept at the max 244.62".
func boundedNote(s *metrics.Service) string {
	var out []string
	for _, f := range s.Estimated {
		v, _ := s.Get(f)
		avg, _ := s.Get(metrics.AvgLatency)
		if est := metrics.Estimator(f); est == nil || est(avg) == v {
			continue
		}
		short, _, _ := strings.Cut(f, "_")
		bound := "max"
		if m, _ := s.Get(metrics.MaxLatency); v != m {
			bound = "median"
		}
		out = append(out, fmt.Sprintf("%s kept at the %s %s", short, bound, report.FormatNumber(v)))
	}
	if len(out) == 0 {
		return ""
	}
	return "; " + strings.Join(out, ", ") + ", as no percentile exceeds the max nor falls below the median"
}

// missingPercentiles says which of p95/p99 a service lacks although it has an average:
// its input holds other percentiles, and a percentile is estimated only when an input
// has none (README: "Normalized metrics").
func missingPercentiles(s *metrics.Service, formats []loadtest.Format) string {
	var missing []string
	for _, f := range []string{metrics.P95Latency, metrics.P99Latency} {
		if _, ok := s.Get(f); !ok {
			missing = append(missing, f)
		}
	}
	if _, ok := s.Get(metrics.AvgLatency); !ok || len(missing) == 0 {
		return ""
	}
	why := "the input holds percentiles, but none that gives it (a note above may say why); a percentile is estimated from the average only when an input has none"
	if len(s.Ladder) > 0 {
		pcts := make([]float64, len(s.Ladder))
		for i, p := range s.Ladder {
			pcts[i] = p.Pct
		}
		why = report.MeasuredNote(missing, pcts)
	}
	if slices.Contains(formats, loadtest.FormatK6Summary) && slices.Contains(missing, metrics.P99Latency) {
		why += " (k6's --summary-export and handleSummary data hold p(99) when --summary-trend-stats lists it)"
	}
	return fmt.Sprintf("%s left out: %s; a threshold on it is not compared (--fail-on-missing fails)", strings.Join(missing, " and "), why)
}

func nothingMatched(inputs []string, info *metrics.Info, output, rerun string) error {
	if n := len(info.Unmatched); n > 0 {
		return fmt.Errorf("no service could be extracted from %s: %d endpoint(s) matched no service rule; nothing written, %s left unchanged; to key every endpoint by its own name, rerun: %s (or set your own rules in a --config services: section)", strings.Join(inputs, ", "), n, displayPath(output), rerun)
	}
	return fmt.Errorf("no service could be extracted from %s: it has no endpoint rows; nothing written, %s left unchanged", strings.Join(inputs, ", "), displayPath(output))
}

// withoutGroupBy returns args without their --group-by flag (all its spellings).
func withoutGroupBy(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(out, args[i:]...)
		case a == "--group-by" || a == "-group-by":
			i++ // and its value
		case strings.HasPrefix(a, "--group-by=") || strings.HasPrefix(a, "-group-by="):
		default:
			out = append(out, a)
		}
	}
	return out
}

// mappingShown is how many endpoints are named per service before "and N more".
const mappingShown = 5

// printMapping tells on stderr which endpoints the built-in (seed) rules put into each
// service, so that a run whose URLs all contain "api" folding into one api_gateway is
// visible on the first run. Inputs that are already per service (every row named as its
// service, like the seed's sample files) need no such note.
func printMapping(stderr io.Writer, inputs []string, matched []metrics.Matched) {
	renamed := false
	for _, m := range matched {
		renamed = renamed || m.Endpoint != m.Service
	}
	if !renamed {
		return
	}
	var order []string
	by := map[string][]metrics.Matched{}
	for _, m := range matched {
		if by[m.Service] == nil {
			order = append(order, m.Service)
		}
		by[m.Service] = append(by[m.Service], m)
	}
	fmt.Fprintf(stderr, "📋 Built-in service rules applied to %s (--group-by endpoint keeps every endpoint apart; a --config services: section sets your own rules):\n", strings.Join(inputs, ", "))
	for _, svc := range order {
		var names []string
		for i, m := range by[svc] {
			if i == mappingShown {
				names[len(names)-1] += fmt.Sprintf(" and %d more", len(by[svc])-mappingShown)
				break
			}
			names = append(names, fmt.Sprintf("%s (%d requests)", cli.Sanitize(m.Endpoint), m.Requests))
		}
		fmt.Fprintf(stderr, "📋   %s ← %d endpoint%s: %s\n", cli.Sanitize(svc), len(by[svc]), plural(len(by[svc])), strings.Join(names, ", "))
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// splitArgs separates inputs from the output, as the Python scripts did: <input> [output]
// — with two positional arguments the second is always the output, whatever its name or
// content. Several inputs need -o, and with -o every positional argument is an input.
func splitArgs(pos []string, out, def string) ([]string, string, error) {
	switch {
	case len(pos) == 0:
		return nil, "", errors.New("no input file given")
	case out != "":
		return pos, out, nil
	case len(pos) == 1:
		return pos, def, nil
	case len(pos) == 2:
		return pos[:1], pos[1], nil
	}
	return nil, "", fmt.Errorf("%d positional arguments: <input> [output] takes at most two; several inputs need -o OUTPUT (e.g. -o %s %s)", len(pos), def, strings.Join(pos, " "))
}

// pyFloat formats a float the way Python's str() does ("0.0", "2.72", "1e-05"): the
// original scripts printed error rates so.
func pyFloat(v float64) string {
	if v == 0 {
		return "0.0"
	}
	if e := math.Floor(math.Log10(math.Abs(v))); math.IsNaN(e) || e < -4 || e >= 16 {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}
