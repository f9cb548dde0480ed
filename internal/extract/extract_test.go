package extract

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perfgate/perfgate/internal/docs"
	"github.com/perfgate/perfgate/internal/golden"
	"github.com/perfgate/perfgate/internal/runnersafe"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const td = "../../testdata/"

var fixedEnv = Env{Now: func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC) }}

type result struct {
	code           int
	stdout, stderr string
}

func runCmd(t *testing.T, baselines bool, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	var code int
	if baselines {
		code = RunBaselines(args, &out, &errb, fixedEnv)
	} else {
		code = RunMetrics(args, &out, &errb, fixedEnv)
	}
	return result{code, out.String(), errb.String()}
}

// TestGolden runs the commands in process on real inputs and compares exit code,
// stdout, stderr and the written file with testdata/extract/<case>.golden.
func TestGolden(t *testing.T) {
	t.Parallel()
	cfg := filepath.Join(t.TempDir(), "perfgate.yml")
	os.WriteFile(cfg, []byte("services:\n  inference: [chat, models]\n  retrieval: [rag]\n"), 0o644)
	for _, tc := range []struct {
		name      string
		baselines bool
		args      []string // OUT is replaced by the output path, CFG by the config file
	}{
		{"metrics_seed_old_csv", false, []string{td + "seed/sample_results_stats.csv", "OUT"}},
		{"metrics_seed_current_csv", false, []string{td + "seed/load_results_baseline_actual_stats.csv", "OUT"}},
		{"metrics_by_endpoint", false, []string{"--group-by", "endpoint", td + "seed/load_results_baseline_actual_stats.csv", "OUT"}},
		{"metrics_locust_json", false, []string{td + "locust/locust-2.12.1-baseline-run1.json", "-o", "OUT", "--group-by=endpoint"}},
		{"metrics_summary_json", false, []string{td + "seed/load_results_api_20251017_141452.json", "OUT"}},
		{"metrics_python_normalized", false, []string{td + "seed/sample_metrics_degraded.json", "OUT"}},
		{"metrics_history_aggregated_only", false, []string{td + "seed/load_results_baseline_actual_stats_history.csv", "OUT", "--group-by", "endpoint"}},
		{"metrics_history_full", false, []string{td + "locust/locust-2.12.1-regressed-run1_stats_history.csv", "OUT", "--group-by", "endpoint"}},
		{"metrics_config", false, []string{"--config", "CFG", td + "locust/locust-2.12.1-regressed-run1_stats.csv", "OUT"}},
		{"metrics_two_generators", false, []string{"-o", "OUT", td + "seed/sample_results_stats.csv", td + "seed/sample_results_stats_degraded.csv"}},
		{"baselines_seed_old_csv", true, []string{"--users", "5", td + "seed/sample_results_stats.csv", "OUT"}},
		{"baselines_seed_current_csv", true, []string{td + "seed/load_results_baseline_actual_stats.csv", "OUT"}},
		{"baselines_three_runs", true, []string{"--group-by", "endpoint", td + "locust/locust-2.12.1-baseline-run1_stats.csv", td + "locust/locust-2.12.1-regressed-run1_stats.csv", td + "locust/locust-2.12.1-baseline-run1.json", "-o", "OUT"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "out.json")
			var args []string
			for _, a := range tc.args {
				args = append(args, strings.NewReplacer("OUT", out, "CFG", cfg).Replace(a))
			}
			r := runCmd(t, tc.baselines, args...)
			written, _ := os.ReadFile(out)
			var b strings.Builder
			b.WriteString("$ " + strings.Join(tc.args, " ") + "\n")
			b.WriteString("exit: " + itoa(r.code) + "\n-- stdout --\n" + r.stdout + "-- stderr --\n" + r.stderr + "-- out.json --\n" + string(written))
			got := strings.ReplaceAll(strings.ReplaceAll(b.String(), out, "OUT"), cfg, "CFG")
			golden.Check(t, filepath.Join(td, "extract", tc.name+".golden"), got, *update)
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestBaselinesMatchMetrics: baselines and current metrics are computed alike (defect 4).
func TestBaselinesMatchMetrics(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"seed/sample_results_stats.csv", "seed/load_results_baseline_actual_stats.csv", "locust/locust-2.12.1-baseline-run1.json"} {
		dir := t.TempDir()
		m, b := filepath.Join(dir, "m.json"), filepath.Join(dir, "b.json")
		if r := runCmd(t, false, td+in, m); r.code != 0 {
			t.Fatalf("%s: %+v", in, r)
		}
		if r := runCmd(t, true, td+in, b); r.code != 0 {
			t.Fatalf("%s: %+v", in, r)
		}
		mb, _ := os.ReadFile(m)
		bb, _ := os.ReadFile(b)
		// The baseline is the metrics plus baseline_users first and timestamp last.
		stripped := strings.NewReplacer("    \"baseline_users\": 1,\n", "", ",\n    \"timestamp\": \"2026-11-27T10:00:00Z\"", "", ",\n    \"users\": 1\n", "\n").Replace(string(bb))
		if stripped != string(mb) {
			t.Errorf("%s: baseline values differ from metrics:\n%s\n---\n%s", in, bb, mb)
		}
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%,99%\r\n"
	empty := write("empty.csv", "")
	headerOnly := write("header.csv", header)
	missingCol := write("nocol.csv", "Type,Name,Request Count,Average Response Time\nGET,/api,1,2\n")
	nonNumeric := write("nan.csv", header+"GET,/api,1,0,5,five,1,9,0,1,0,5,9,9\r\n")
	truncated := write("trunc.json", "[{\"name\": \"/api\", \"num_requests\": 3,\n")
	nothing := write("health.csv", header+"GET,/health,5,0,10,10.2,9,11,0,1,0,10,11,11\r\n,Aggregated,5,0,10,10.2,9,11,0,1,0,10,11,11\r\n")
	badCfg := write("bad.yml", "services:\n  a: [x]\nthreshold:\n  x: 1\n")
	// stdout carries the original script's line where it printed one: extract_metrics.py
	// "❌ Error loading input file: …" for anything it could not load, extract_baselines.py
	// "❌ Stats file not found: …"; perfgate's own line is on stderr.
	const loadErr = "❌ Error loading input file: "
	for _, tc := range []struct {
		name           string
		baselines      bool
		args           []string
		code           int
		stdout, stderr string
	}{
		{"missing file", false, []string{filepath.Join(dir, "nope.csv")}, 1, loadErr + "[Errno 2] No such file or directory: 'DIR/nope.csv'\n", "❌ extract-metrics: DIR/nope.csv: no such file\n"},
		{"missing file (baselines)", true, []string{filepath.Join(dir, "nope.csv")}, 1, "❌ Stats file not found: DIR/nope.csv\n", "❌ extract-baselines: DIR/nope.csv: no such file\n"},
		{"directory", false, []string{dir}, 1, loadErr + "DIR: is a directory, not a result file\n", "❌ extract-metrics: DIR: is a directory, not a result file\n"},
		{"empty file", false, []string{empty}, 1, loadErr + "DIR/empty.csv: file is empty\n", "❌ extract-metrics: DIR/empty.csv: file is empty\n"},
		{"header only", false, []string{headerOnly}, 1, loadErr + "DIR/header.csv: header only, no data rows\n", "❌ extract-metrics: DIR/header.csv: header only, no data rows\n"},
		{"missing column", false, []string{missingCol}, 1, loadErr + "DIR/nocol.csv:1: missing column \"Failure Count\"\n", "❌ extract-metrics: DIR/nocol.csv:1: missing column \"Failure Count\"\n"},
		{"non-numeric cell", true, []string{nonNumeric}, 1, "", "❌ extract-baselines: DIR/nan.csv:2: column \"Average Response Time\": \"five\" is not a duration (want e.g. 150, 150ms or 1.5s)\n"},
		{"truncated json", false, []string{truncated}, 1, loadErr + "DIR/trunc.json:2: truncated JSON (unexpected end of file)\n", "❌ extract-metrics: DIR/trunc.json:2: truncated JSON (unexpected end of file)\n"},
		{"no arguments", false, nil, 1, metricsCommand.ScriptUsage, "❌ extract-metrics: no input file given (run 'extract-metrics -h' for the flags)\n"},
		{"no arguments (baselines)", true, nil, 1, baselinesCommand.ScriptUsage, "❌ extract-baselines: no input file given (run 'extract-baselines -h' for the flags)\n"},
		{"bad format", false, []string{"--format", "k7", empty}, 1, "", "❌ extract-metrics: --format: unknown format \"k7\" (known: auto, locust-stats, locust-history, locust-json, locust-web, summary, normalized, jmeter-csv, jmeter-xml, jmeter-statistics, k6-summary, k6-json, k6-csv, gatling-log, gatling-stats, vegeta-report, vegeta-csv, vegeta-json, vegeta-gob, hey, artillery)\n"},
		{"bad group-by", false, []string{"--group-by", "method", empty}, 1, "", "❌ extract-metrics: --group-by: want service or endpoint, got \"method\"\n"},
		{"bad users", true, []string{"--users", "0", empty}, 1, "", "❌ extract-baselines: --users: want a positive number of users, got 0\n"},
		{"bad config", false, []string{"--config", badCfg, empty}, 1, "", "❌ extract-metrics: DIR/bad.yml:3: unknown key \"threshold\" (known: acknowledged, group_by, noise, services, thresholds)\n"},
		{"unknown flag", false, []string{"--bogus", empty}, 1, "", "❌ extract-metrics: flag provided but not defined: -bogus (run 'extract-metrics -h' for usage)\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-")+".json")
			r := runCmd(t, tc.baselines, append(tc.args, "-o", out)...)
			if tc.args == nil {
				r = runCmd(t, tc.baselines)
			}
			if r.code != tc.code {
				t.Errorf("exit %d, want %d", r.code, tc.code)
			}
			if got := strings.ReplaceAll(r.stderr, dir, "DIR"); got != tc.stderr {
				t.Errorf("stderr\n got: %q\nwant: %q", got, tc.stderr)
			}
			if got := strings.ReplaceAll(r.stdout, dir, "DIR"); got != tc.stdout {
				t.Errorf("stdout\n got: %q\nwant: %q", got, tc.stdout)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("an output file was written")
			}
		})
	}

	t.Run("nothing matched keeps the existing baseline", func(t *testing.T) {
		base := filepath.Join(dir, "performance-baselines.json")
		orig, _ := os.ReadFile(td + "seed/sample_baselines.json")
		os.WriteFile(base, orig, 0o644)
		r := runCmd(t, true, nothing, base)
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		want := "⚠️ 1 endpoint(s) matched no service rule and were left out (--group-by endpoint keeps every endpoint; a --config services: section sets the rules):\n" +
			"⚠️   GET /health (5 requests)\n" +
			"❌ extract-baselines: no service could be extracted from DIR/health.csv: 1 endpoint(s) matched no service rule; nothing written, DIR/performance-baselines.json left unchanged; to key every endpoint by its own name, rerun: extract-baselines --group-by endpoint DIR/health.csv DIR/performance-baselines.json (or set your own rules in a --config services: section)\n"
		if got := strings.ReplaceAll(r.stderr, dir, "DIR"); got != want {
			t.Errorf("stderr\n got: %q\nwant: %q", got, want)
		}
		now, _ := os.ReadFile(base)
		if !bytes.Equal(now, orig) {
			t.Error("the existing baseline file was changed")
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp-") {
				t.Errorf("temporary file left behind: %s", e.Name())
			}
		}
	})

	t.Run("help and version", func(t *testing.T) {
		r := runCmd(t, false, "-h")
		if r.code != 0 || !strings.Contains(r.stdout, "Usage: extract-metrics") || !strings.Contains(r.stdout, "-group-by") || r.stderr != "" {
			t.Errorf("%+v", r)
		}
		r = runCmd(t, true, "--version")
		if r.code != 0 || !strings.HasPrefix(r.stdout, "extract-baselines ") || r.stderr != "" {
			t.Errorf("%+v", r)
		}
	})
}

func TestStdoutOutput(t *testing.T) {
	t.Parallel()
	r := runCmd(t, false, td+"seed/sample_results_stats.csv", "-o", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "{\n  \"api_gateway\": {") || !strings.Contains(r.stderr, "✅ Metrics extracted and saved to: stdout") {
		t.Errorf("%+v", r)
	}
}

// TestSplitArgs: the originals' positional form, <input> [output] — with two arguments
// the second is the output whatever its name or content; several inputs need -o.
func TestSplitArgs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		pos     []string
		o       string
		inputs  []string
		output  string
		wantErr bool
	}{
		{pos: []string{"a.csv"}, inputs: []string{"a.csv"}, output: "def.json"},
		{pos: []string{"a.csv", "new.json"}, inputs: []string{"a.csv"}, output: "new.json"},
		{pos: []string{"a.csv", "metrics.out"}, inputs: []string{"a.csv"}, output: "metrics.out"},
		{pos: []string{"a.csv", "b.csv"}, inputs: []string{"a.csv"}, output: "b.csv"},
		{pos: []string{"a.csv", "-"}, inputs: []string{"a.csv"}, output: "-"},
		{pos: []string{"a.csv", "b.csv", "c.json"}, wantErr: true},
		{pos: []string{"a.csv", "b.json"}, o: "x.json", inputs: []string{"a.csv", "b.json"}, output: "x.json"},
		{pos: nil, wantErr: true},
	} {
		in, out, err := splitArgs(tc.pos, tc.o, "def.json")
		if (err != nil) != tc.wantErr || strings.Join(in, "|") != strings.Join(tc.inputs, "|") || out != tc.output {
			t.Errorf("splitArgs(%v, %q) = %v, %q, %v", tc.pos, tc.o, in, out, err)
		}
	}
}

// TestSecondArgumentIsTheOutput runs the cases a migrating pipeline meets: an output
// named without .json, a stale load-results.json in the seed's per-service summary
// shape (overwritten, never merged in as an input), and the seed project's own nested
// docs/performance-baselines.json refreshed in place.
func TestSecondArgumentIsTheOutput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := td + "seed/sample_results_stats.csv"

	out := filepath.Join(dir, "metrics.out")
	if r := runCmd(t, false, in, out); r.code != 0 || !strings.Contains(r.stdout, "✅ Metrics extracted and saved to: "+out+"\n") {
		t.Fatalf("metrics.out: %+v", r)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), `"total_requests": 1000`) {
		t.Errorf("metrics.out holds %s", b)
	}

	stale := filepath.Join(dir, "load-results.json")
	summary, _ := os.ReadFile(td + "seed/load_results_api_20251017_141452.json")
	os.WriteFile(stale, summary, 0o644)
	r := runCmd(t, false, in, stale)
	got, _ := os.ReadFile(stale)
	if r.code != 0 || strings.Contains(string(got), `"requests"`) || !strings.Contains(r.stdout, "📊 Extracted metrics for 3 services:\n  - api_gateway: 1000 requests, 0.5% errors\n") {
		t.Errorf("the stale summary was not replaced by the new run alone: %+v\n%s", r, got)
	}

	docs := filepath.Join(dir, "docs")
	os.MkdirAll(docs, 0o755)
	base := filepath.Join(docs, "performance-baselines.json")
	seedBase, _ := os.ReadFile(td + "seed/sample_baselines.json")
	os.WriteFile(base, seedBase, 0o644)
	r = runCmd(t, true, td+"locust/locust-2.12.1-baseline-run1_stats.csv", base)
	got, _ = os.ReadFile(base)
	if r.code != 0 || !strings.Contains(string(got), `"total_requests": 623`) || strings.Contains(string(got), `"rag_service"`) {
		t.Errorf("the nested baseline was not replaced: %+v\n%s", r, got)
	}

	r = runCmd(t, false, in, stale, filepath.Join(dir, "third.json"))
	if r.code != 1 || !strings.Contains(r.stderr, "several inputs need -o OUTPUT") {
		t.Errorf("three positional arguments: %+v", r)
	}
}

// TestPyFloat: error rates print as Python's str(float) did in extract_metrics.py.
func TestPyFloat(t *testing.T) {
	t.Parallel()
	for v, want := range map[float64]string{0: "0.0", 0.5: "0.5", 1: "1.0", 2.72: "2.72", 88.89: "88.89", 100: "100.0", 0.01: "0.01", 0.00001: "1e-05", 1e16: "1e+16", 123456789: "123456789.0"} {
		if got := pyFloat(v); got != want {
			t.Errorf("pyFloat(%v) = %q, want %q", v, got, want)
		}
	}
}

// TestUsageMatchesReadme: the flags each command defines are the ones its README section
// documents, no more, no fewer.
func TestUsageMatchesReadme(t *testing.T) {
	t.Parallel()
	metricsFlags := flag.NewFlagSet("x", flag.ContinueOnError)
	var o options
	o.bind(metricsFlags, false)
	if msg, err := docs.CheckFlags("../../README.md", "extract-metrics", metricsFlags); err != nil || msg != "" {
		t.Errorf("%v %s", err, msg)
	}
	// extract-baselines has "the same flags as extract-metrics", plus its own table.
	all := flag.NewFlagSet("x", flag.ContinueOnError)
	o.bind(all, true)
	own := flag.NewFlagSet("x", flag.ContinueOnError)
	all.VisitAll(func(f *flag.Flag) {
		if metricsFlags.Lookup(f.Name) == nil {
			own.Var(f.Value, f.Name, f.Usage)
		}
	})
	if msg, err := docs.CheckFlags("../../README.md", "extract-baselines", own); err != nil || msg != "" {
		t.Errorf("%v %s", err, msg)
	}
}

// TestOutputIsAnInput: an output that is one of the inputs is refused before anything
// is read or written; the input is untouched.
func TestOutputIsAnInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	orig, _ := os.ReadFile(td + "seed/sample_results_stats.csv")
	os.WriteFile(in, orig, 0o644)
	for _, args := range [][]string{{"-o", in, in}, {in, filepath.Join(dir, ".", "in.csv")}} {
		r := runCmd(t, false, args...)
		if got, _ := os.ReadFile(in); r.code != 1 || !strings.Contains(r.stderr, "is the input") || string(got) != string(orig) {
			t.Errorf("%v: exit %d, stderr %q; input intact %v", args, r.code, r.stderr, string(got) == string(orig))
		}
	}
}

// TestHostileNames: endpoint names that hold workflow commands or line breaks reach
// stdout and stderr (the unmatched-endpoint warning, the service lines) neutralized.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "h_stats.csv")
	csv := "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%,99%\n" +
		"GET,\"/x ##[add-mask]secret\",5,0,10,10,9,11,0,1,0,10,11,11\n" +
		"GET,\"::stop-commands::tok\nen\",5,0,10,10,9,11,0,1,0,10,11,11\n" +
		"GET,/api/ok,5,0,10,10,9,11,0,1,0,10,11,11\n"
	os.WriteFile(in, []byte(csv), 0o644)
	for _, args := range [][]string{{in, filepath.Join(dir, "m.json")}, {"--group-by", "endpoint", in, filepath.Join(dir, "e.json")}} {
		r := runCmd(t, false, args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		runnersafe.Check(t, r.stdout, "stdout", false)
		runnersafe.Check(t, r.stderr, "stderr", false)
	}
}

// TestRowWithoutLatency: a row with requests but no latency value at all (every column
// N/A) is an error naming the file and the row; an existing baseline is untouched.
func TestRowWithoutLatency(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "blind_stats.csv")
	os.WriteFile(in, []byte("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%,99%\n"+
		"GET,/api/ok,10,0,5,5,4,6,0,1,0,5,6,6\n"+
		"GET,/api/a,100,0,N/A,N/A,N/A,N/A,0,N/A,N/A,N/A,N/A,N/A\n"), 0o644)
	base := filepath.Join(dir, "baseline.json")
	orig, _ := os.ReadFile(td + "seed/sample_baselines.json")
	os.WriteFile(base, orig, 0o644)
	r := runCmd(t, true, "--group-by", "endpoint", in, base)
	if got, _ := os.ReadFile(base); r.code != 1 || string(got) != string(orig) {
		t.Errorf("exit %d, baseline changed: %v", r.code, string(got) != string(orig))
	}
	if want := "❌ extract-baselines: " + in + ":3: /api/a has requests but no latency value at all (every latency value is empty, N/A or null) and not every request failed: nothing to compare\n"; r.stderr != want {
		t.Errorf("stderr\n got %q\nwant %q", r.stderr, want)
	}
}

// TestFirstRunMapping: with the built-in rules, stderr shows which endpoints went into
// each service (five, then "and N more"), so that a k6 run whose URLs all contain "api"
// folding into api_gateway is visible; stdout keeps the script's lines only.
func TestFirstRunMapping(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var csv strings.Builder
	csv.WriteString("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%,99%\r\n")
	for i, name := range []string{"/api/users", "/api/orders", "/api/cart", "/api/search?q=1", "/api/pay", "/api/login", "/api/logout", "/tools/run"} {
		csv.WriteString("GET," + name + "," + strconv.Itoa(10+i) + ",0,10,10,9,11,0,1,0,10,11,11\r\n")
	}
	in := filepath.Join(dir, "k6_stats.csv")
	os.WriteFile(in, []byte(csv.String()), 0o644)
	r := runCmd(t, false, in, filepath.Join(dir, "out.json"))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := "📋 Built-in service rules applied to DIR/k6_stats.csv (--group-by endpoint keeps every endpoint apart; a --config services: section sets your own rules):\n" +
		"📋   api_gateway ← 7 endpoints: GET /api/users (10 requests), GET /api/orders (11 requests), GET /api/cart (12 requests), GET /api/search?q=1 (13 requests), GET /api/pay (14 requests) and 2 more\n" +
		"📋   mcp_server ← 1 endpoint: GET /tools/run (17 requests)\n"
	if got := strings.ReplaceAll(r.stderr, dir, "DIR"); got != want {
		t.Errorf("stderr\n got: %q\nwant: %q", got, want)
	}
	if strings.Contains(r.stdout, "📋 Built-in") {
		t.Errorf("the mapping went to stdout: %s", r.stdout)
	}
	// Own rules or --group-by endpoint: no such note.
	for _, args := range [][]string{{"--group-by", "endpoint"}, {"--config", writeFile(t, dir, "c.yml", "services:\n  shop: [api]\n")}} {
		r := runCmd(t, false, append(args, "-o", filepath.Join(dir, "o.json"), in)...)
		if r.code != 0 || strings.Contains(r.stderr, "📋") {
			t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

// TestNothingMatchedSuggestsRerun: when no row matches a rule, the error names the
// command line to rerun with --group-by endpoint (the other flags kept, a --group-by
// service dropped), and that command works.
func TestNothingMatchedSuggestsRerun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := writeFile(t, dir, "health_stats.csv", "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%,99%\r\n"+
		"GET,/health,5,0,10,10.2,9,11,0,1,0,10,11,11\r\nGET,/login,7,0,10,10.2,9,11,0,1,0,10,11,11\r\n")
	out := filepath.Join(dir, "out.json")
	r := runCmd(t, false, "--group-by=service", "--users", "20", in, out)
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	_, rerun, ok := strings.Cut(strings.TrimSpace(r.stderr), "rerun: ")
	rerun, _, _ = strings.Cut(rerun, " (or set your own rules")
	if want := "extract-metrics --group-by endpoint --users 20 " + in + " " + out; !ok || rerun != want {
		t.Fatalf("suggested %q, want %q\n%s", rerun, want, r.stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("an output was written")
	}
	args := strings.Fields(rerun)[1:]
	if r := runCmd(t, false, args...); r.code != 0 || !strings.Contains(r.stdout, "📊 Extracted metrics for 2 services:") {
		t.Errorf("the suggested command: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestWithoutGroupBy(t *testing.T) {
	t.Parallel()
	got := withoutGroupBy([]string{"--group-by", "service", "a", "-group-by=x", "--users", "3", "-group-by", "y", "--", "--group-by", "z"})
	if want := "a|--users|3|--|--group-by|z"; strings.Join(got, "|") != want {
		t.Errorf("got %q, want %s", got, want)
	}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
