// Package extract implements the extract-metrics and extract-baselines commands: read
// load-test results, map rows to services, write normalized metrics (SPEC §1–§6).
package extract

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
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
}

func (o *options) bind(fs *flag.FlagSet, baselines bool) {
	fs.StringVar(&o.format, "format", "auto", "input format: auto, "+strings.Join(loadtest.Formats(), ", "))
	fs.StringVar(&o.groupBy, "group-by", "", "key rows by `service` (built-in or config rules; the default) or by endpoint name")
	fs.StringVar(&o.config, "config", "", "YAML or JSON configuration `file` (services: rules)")
	fs.StringVar(&o.output, "o", "", "output `file` (\"-\" for stdout); every positional argument is then an input")
	o.input.Bind(fs)
	if baselines {
		fs.IntVar(&o.users, "users", 1, "number of users of the reference run, stored as baseline_users")
	} else {
		fs.IntVar(&o.users, "users", 0, "number of users of the run, if known: compare-performance checks it against baseline_users")
	}
}

// RunMetrics is extract-metrics: it returns the exit code.
func RunMetrics(args []string, stdout, stderr io.Writer, env Env) int {
	return run("extract-metrics", args, stdout, stderr, env, false)
}

// RunBaselines is extract-baselines: it returns the exit code.
func RunBaselines(args []string, stdout, stderr io.Writer, env Env) int {
	return run("extract-baselines", args, stdout, stderr, env, true)
}

const metricsUsage = `Usage: extract-metrics [flags] <input> [output]
       extract-metrics [flags] -o <output> <input>...

Reads load-test results (Locust CSV/JSON, normalized JSON; detected by content) and
writes normalized per-service metrics (default output: load-results.json).
Several inputs (with -o) are merged: results of distributed load generators.

Exit status: 0 written, 1 no result (bad input, nothing matched), 2 usage error.

Flags:
`

const baselinesUsage = `Usage: extract-baselines [flags] <input> [output]
       extract-baselines [flags] <run1> <run2>... [output.json]
       extract-baselines [flags] -o <output> <run>...

Extracts performance baselines from a reference run, computed exactly like
extract-metrics, plus baseline_users and timestamp (default output:
docs/performance-baselines.json). Several runs give a per-metric median with the
per-run values kept. An existing baseline is never replaced by an empty one.

Exit status: 0 written, 1 no result (bad input, nothing matched), 2 usage error.

Flags:
`

func run(prog string, args []string, stdout, stderr io.Writer, env Env, baselines bool) int {
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	o.bind(fs, baselines)
	fs.Usage = func() {
		if baselines {
			fmt.Fprint(stderr, baselinesUsage)
		} else {
			fmt.Fprint(stderr, metricsUsage)
		}
		fs.PrintDefaults()
	}
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "❌ %s: %v\n", prog, err)
		return code
	}
	def := DefaultMetricsOutput
	if baselines {
		def = DefaultBaselineOutput
	}
	inputs, output, err := splitArgs(pos, o.output, def)
	if err != nil {
		fmt.Fprintf(stderr, "❌ %s: %v\n", prog, err)
		fmt.Fprintf(stderr, "Run '%s -h' for usage.\n", prog)
		return cli.ExitUsage
	}
	format, err := loadtest.ParseFormat(o.format)
	if err != nil {
		return fail(cli.ExitUsage, fmt.Errorf("--format: %v", err))
	}
	if (baselines && o.users < 1) || o.users < 0 {
		return fail(cli.ExitUsage, fmt.Errorf("--users: want a positive number of users, got %d", o.users))
	}
	var cfg *config.Config
	if o.config != "" {
		if cfg, err = config.Load(o.config); err != nil {
			return fail(cli.ExitUsage, err)
		}
	}
	mapping, err := cfg.Mapping(o.groupBy)
	if err != nil {
		return fail(cli.ExitUsage, err)
	}
	opt := metrics.Options{Format: format, Mapping: mapping, Name: o.input.Name, JTLColumns: o.input.Columns(), Wrap: cli.ProgressReader(stderr, env.Now)}

	// Messages go to stdout, unless stdout carries the JSON.
	msg := stdout
	if output == "-" {
		msg = stderr
	}

	var result *metrics.File
	if baselines && len(inputs) > 1 {
		var runs []*metrics.File
		for _, in := range inputs {
			f, info, err := metrics.Load([]string{in}, opt)
			if err != nil {
				return fail(cli.ExitFail, err)
			}
			report(stderr, f, info)
			if len(f.Services) == 0 {
				return fail(cli.ExitFail, nothingMatched(inputs[:1], info, output))
			}
			runs = append(runs, f)
		}
		result = metrics.MedianOfRuns(runs)
	} else {
		f, info, err := metrics.Load(inputs, opt)
		if err != nil {
			return fail(cli.ExitFail, err)
		}
		report(stderr, f, info)
		if len(f.Services) == 0 {
			return fail(cli.ExitFail, nothingMatched(inputs, info, output))
		}
		result = f
	}

	if src, ok := result.Source(); ok && o.users > 0 {
		src.Users = o.users
		result.SetMeta(metrics.MetaKey, src.JSON())
	}
	if baselines {
		users := float64(o.users)
		ts := env.Now().UTC().Format("2006-01-02T15:04:05Z")
		for _, s := range result.Services {
			s.BaselineUsers = &users
			s.Timestamp = ts
		}
	}

	if output == "-" {
		if err := metrics.Write(stdout, result); err != nil {
			return fail(cli.ExitFail, err)
		}
	} else if err := cli.WriteFileAtomic(output, func(w io.Writer) error { return metrics.Write(w, result) }); err != nil {
		return fail(cli.ExitFail, fmt.Errorf("writing %s: %v", output, err))
	}

	what := "metrics"
	if baselines {
		what = "baseline"
	}
	for _, s := range result.Services {
		req, _ := s.Get(metrics.TotalRequests)
		fmt.Fprintf(msg, "✅ Extracted %s for %s (%s requests)\n", what, s.Name, metrics.FormatNumber(req))
	}
	if baselines {
		fmt.Fprintf(msg, "\n✅ Baselines saved to: %s\n", displayPath(output))
		fmt.Fprintf(msg, "\n📊 Extracted %d service baseline%s", len(result.Services), plural(len(result.Services)))
		if len(inputs) > 1 {
			fmt.Fprintf(msg, " (median of %d runs)", len(inputs))
		}
		fmt.Fprintln(msg)
	} else {
		fmt.Fprintf(msg, "\n✅ Metrics saved to: %s\n", displayPath(output))
		fmt.Fprintf(msg, "\n📊 Extracted metrics for %d service%s\n", len(result.Services), plural(len(result.Services)))
	}
	return cli.ExitOK
}

func displayPath(p string) string {
	if p == "-" {
		return "stdout"
	}
	return p
}

// report prints, on stderr, the unmatched endpoints, the estimated fields and notes.
func report(stderr io.Writer, f *metrics.File, info *metrics.Info) {
	for _, n := range info.Notes {
		fmt.Fprintf(stderr, "⚠️ %s\n", n)
	}
	if len(info.Unmatched) > 0 {
		fmt.Fprintf(stderr, "⚠️ %d endpoint(s) matched no service rule and were left out (--group-by endpoint keeps every endpoint; a --config services: section sets the rules):\n", len(info.Unmatched))
		for _, u := range info.Unmatched {
			fmt.Fprintf(stderr, "⚠️   %s (%d requests)\n", u.Endpoint, u.Requests)
		}
	}
	for _, s := range f.Services {
		for _, n := range sortedKeys(s.Missing) {
			fmt.Fprintf(stderr, "⚠️ %s: %s left out: %s\n", s.Name, n, s.Missing[n])
		}
		if len(s.Estimated) > 0 {
			fmt.Fprintf(stderr, "⚠️ %s: the input has no percentiles; %s estimated from the average (p95 = int(1.4 × avg), p99 = int(1.7 × avg))\n", s.Name, strings.Join(s.Estimated, " and "))
		}
	}
}

func nothingMatched(inputs []string, info *metrics.Info, output string) error {
	why := "it has no endpoint rows"
	if n := len(info.Unmatched); n > 0 {
		why = fmt.Sprintf("%d endpoint(s) matched no service rule; try --group-by endpoint or a --config services: section", n)
	}
	return fmt.Errorf("no service could be extracted from %s: %s; nothing written, %s left unchanged", strings.Join(inputs, ", "), why, displayPath(output))
}

// splitArgs separates inputs from the output. With -o every positional argument is an
// input. Otherwise the seed's form <input> [output] holds: the last of several arguments
// is the output when it names a .json file that does not exist yet or holds normalized
// metrics; else every argument is an input and the default output is used.
func splitArgs(pos []string, out, def string) ([]string, string, error) {
	if len(pos) == 0 {
		return nil, "", cli.Usagef("no input file given")
	}
	if out != "" {
		return pos, out, nil
	}
	if len(pos) == 1 {
		return pos, def, nil
	}
	last := pos[len(pos)-1]
	if looksLikeOutput(last) {
		return pos[:len(pos)-1], last, nil
	}
	return pos, def, nil
}

func looksLikeOutput(path string) bool {
	if path == "-" {
		return true
	}
	if !strings.EqualFold(filepath.Ext(path), ".json") {
		return false
	}
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return true
	}
	if err != nil {
		return false
	}
	defer fh.Close()
	in, err := loadtest.Open(fh, path, loadtest.Options{})
	return err == nil && in.Format == loadtest.FormatNormalized
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
