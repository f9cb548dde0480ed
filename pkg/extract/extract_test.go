package extract

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		{"baselines_three_runs", true, []string{"--group-by", "endpoint", td + "locust/locust-2.12.1-baseline-run1_stats.csv", td + "locust/locust-2.12.1-regressed-run1_stats.csv", td + "locust/locust-2.12.1-baseline-run1.json", "OUT"}},
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
			golden := filepath.Join(td, "extract", tc.name+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("output differs from %s:\n--- got ---\n%s\n--- want ---\n%s", golden, got, want)
			}
		})
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

// TestBaselinesMatchMetrics: baselines and current metrics are computed alike (defect 4).
func TestBaselinesMatchMetrics(t *testing.T) {
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
	for _, tc := range []struct {
		name      string
		baselines bool
		args      []string
		code      int
		stderr    string
	}{
		{"missing file", false, []string{filepath.Join(dir, "nope.csv")}, 1, "❌ extract-metrics: DIR/nope.csv: no such file\n"},
		{"directory", false, []string{dir}, 1, "❌ extract-metrics: DIR: is a directory, not a result file\n"},
		{"empty file", false, []string{empty}, 1, "❌ extract-metrics: DIR/empty.csv: file is empty\n"},
		{"header only", false, []string{headerOnly}, 1, "❌ extract-metrics: DIR/header.csv: header only, no data rows\n"},
		{"missing column", false, []string{missingCol}, 1, "❌ extract-metrics: DIR/nocol.csv:1: missing column \"Failure Count\"\n"},
		{"non-numeric cell", true, []string{nonNumeric}, 1, "❌ extract-baselines: DIR/nan.csv:2: column \"Average Response Time\": \"five\" is not a duration (want e.g. 150, 150ms or 1.5s)\n"},
		{"truncated json", false, []string{truncated}, 1, "❌ extract-metrics: DIR/trunc.json:2: truncated JSON (unexpected end of file)\n"},
		{"no arguments", false, nil, 2, "❌ extract-metrics: no input file given\nRun 'extract-metrics -h' for usage.\n"},
		{"bad format", false, []string{"--format", "k7", empty}, 2, "❌ extract-metrics: --format: unknown format \"k7\" (known: auto, locust-stats, locust-history, locust-json, locust-web, summary, normalized, jmeter-csv, jmeter-xml, jmeter-statistics, k6-summary, k6-json, k6-csv, gatling-log, gatling-stats, vegeta-report, vegeta-csv, vegeta-json, hey, artillery)\n"},
		{"bad group-by", false, []string{"--group-by", "method", empty}, 2, "❌ extract-metrics: --group-by: want service or endpoint, got \"method\"\n"},
		{"bad users", true, []string{"--users", "0", empty}, 2, "❌ extract-baselines: --users: want a positive number of users, got 0\n"},
		{"bad config", false, []string{"--config", badCfg, empty}, 2, "❌ extract-metrics: DIR/bad.yml:3: unknown key \"threshold\" (known: group_by, noise, services, thresholds)\n"},
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
			if r.stdout != "" {
				t.Errorf("stdout: %q", r.stdout)
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
			"❌ extract-baselines: no service could be extracted from DIR/health.csv: 1 endpoint(s) matched no service rule; try --group-by endpoint or a --config services: section; nothing written, DIR/performance-baselines.json left unchanged\n"
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

	t.Run("help", func(t *testing.T) {
		r := runCmd(t, false, "-h")
		if r.code != 0 || !strings.Contains(r.stderr, "Usage: extract-metrics") || !strings.Contains(r.stderr, "-group-by") {
			t.Errorf("%+v", r)
		}
		if r := runCmd(t, false, "--bogus"); r.code != 2 {
			t.Errorf("unknown flag: exit %d", r.code)
		}
	})
}

func TestStdoutOutput(t *testing.T) {
	r := runCmd(t, false, td+"seed/sample_results_stats.csv", "-o", "-")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "{\n  \"api_gateway\": {") || !strings.Contains(r.stderr, "✅ Metrics saved to: stdout") {
		t.Errorf("%+v", r)
	}
}

func TestSplitArgs(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "old.json")
	b, _ := os.ReadFile(td + "seed/sample_metrics.json")
	os.WriteFile(existing, b, 0o644)
	locustJSON := td + "locust/locust-2.12.1-baseline-run1.json"
	for _, tc := range []struct {
		pos     []string
		o       string
		inputs  []string
		output  string
		wantErr bool
	}{
		{pos: []string{"a.csv"}, inputs: []string{"a.csv"}, output: "def.json"},
		{pos: []string{"a.csv", "new.json"}, inputs: []string{"a.csv"}, output: "new.json"},
		{pos: []string{"a.csv", existing}, inputs: []string{"a.csv"}, output: existing},
		{pos: []string{"a.csv", "b.csv"}, inputs: []string{"a.csv", "b.csv"}, output: "def.json"},
		{pos: []string{"a.csv", locustJSON}, inputs: []string{"a.csv", locustJSON}, output: "def.json"},
		{pos: []string{"a.csv", "b.csv", "-"}, inputs: []string{"a.csv", "b.csv"}, output: "-"},
		{pos: []string{"a.csv", "b.json"}, o: "x.json", inputs: []string{"a.csv", "b.json"}, output: "x.json"},
		{pos: nil, wantErr: true},
	} {
		in, out, err := splitArgs(tc.pos, tc.o, "def.json")
		if (err != nil) != tc.wantErr || strings.Join(in, "|") != strings.Join(tc.inputs, "|") || out != tc.output {
			t.Errorf("splitArgs(%v, %q) = %v, %q, %v", tc.pos, tc.o, in, out, err)
		}
	}
}
