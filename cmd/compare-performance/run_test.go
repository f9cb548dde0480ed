package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/internal/docs"
	"github.com/perfgate/perfgate/internal/extract"
	"github.com/perfgate/perfgate/internal/golden"
	"github.com/perfgate/perfgate/internal/runnersafe"
	"github.com/perfgate/perfgate/pkg/report"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const td = "../../testdata/"

type result struct {
	code           int
	stdout, stderr string
}

func runCompare(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb, environment{Getenv: func(k string) string { return env[k] }})
	return result{code, out.String(), errb.String()}
}

// realPipeline runs extract-baselines and extract-metrics on the real Locust CSVs.
func realPipeline(t *testing.T, dir string, groupBy ...string) (string, string) {
	base, cur := filepath.Join(dir, "baseline.json"), filepath.Join(dir, "current.json")
	env := extract.Env{Now: func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) }}
	var sink bytes.Buffer
	if c := extract.RunBaselines(append(groupBy, td+"locust/locust-2.12.1-baseline-run1_stats.csv", base), &sink, &sink, env); c != 0 {
		t.Fatalf("extract-baselines: %d %s", c, sink.String())
	}
	if c := extract.RunMetrics(append(groupBy, td+"locust/locust-2.12.1-regressed-run1_stats.csv", cur), &sink, &sink, env); c != 0 {
		t.Fatalf("extract-metrics: %d %s", c, sink.String())
	}
	return base, cur
}

// TestGolden compares exit code, stdout, stderr and every written file with
// testdata/compare/<case>.golden.
func TestGolden(t *testing.T) {
	t.Parallel()
	pipeDir := t.TempDir()
	pBase, pCur := realPipeline(t, pipeDir, "--group-by", "endpoint")
	cfg := filepath.Join(pipeDir, "perfgate.yml")
	os.WriteFile(cfg, []byte("thresholds:\n  default:\n    p95_latency_ms: +25%\n    error_rate_pct: +2\n    rps: off\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string // REPORT, JSON, JUNIT, PBASE, PCUR, CFG are replaced
		env  map[string]string
	}{
		{"seed_degraded", []string{td + "seed/sample_baselines.json", td + "seed/sample_metrics_degraded.json", "--report", "REPORT", "--json", "JSON", "--junit", "JUNIT"}, nil},
		{"seed_examples", []string{td + "compare/examples_baseline.json", td + "compare/examples_current.json", "--report", "REPORT", "--json", "JSON", "--junit", "JUNIT"}, nil},
		{"seed_no_change", []string{td + "seed/sample_baselines.json", td + "seed/sample_baselines.json", "--report", "REPORT"}, nil},
		{"warnings_only", []string{"--report", "REPORT", td + "compare/examples_baseline.json", td + "compare/warnings_current.json"}, nil},
		{"warn_as_error", []string{"--warn-as-error", "--quiet", "--report", "REPORT", td + "compare/examples_baseline.json", td + "compare/warnings_current.json"}, nil},
		{"fail_on_missing", []string{"--fail-on-missing", "--quiet", "--report", "REPORT", td + "seed/sample_baselines.json", td + "seed/sample_baselines.json"}, nil},
		{"locust_pipeline", []string{"PBASE", "PCUR", "--report", "REPORT", "--junit", "JUNIT"}, nil},
		{"locust_pipeline_config", []string{"--config", "CFG", "PBASE", "PCUR", "--report", "REPORT"}, nil},
		{"raw_inputs", []string{"--group-by", "endpoint", td + "locust/locust-2.12.1-baseline-run1.json", td + "locust/locust-2.12.1-regressed-run1.json", "--report", "REPORT", "--threshold", "default.p95_latency_ms=+25%"}, nil},
		{"no_common_service", []string{td + "seed/sample_baselines.json", td + "compare/other_services.json", "--report", "REPORT"}, nil},
		{"nothing_comparable", []string{td + "seed/sample_metrics.json", td + "seed/sample_metrics_degraded.json", "--report", "REPORT", "--threshold", "default.error_rate_pct=off", "--threshold", "default.rps=off", "--threshold", "api_gateway.error_rate_pct=off", "--threshold", "api_gateway.rps=off", "--threshold", "rag_service.error_rate_pct=off", "--threshold", "mcp_server.error_rate_pct=off"}, nil},
		{"github_actions", []string{td + "compare/examples_baseline.json", td + "compare/examples_current.json", "--report", "REPORT", "--quiet"}, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "SUMMARY", "GITHUB_OUTPUT": "OUTPUT"}},
		{"noise_aware", []string{"--noise-aware", "--threshold", "default.p95_latency_ms=+25%", "--threshold", "default.error_rate_pct=+2", "--threshold", "default.rps=off", "PBASE", "PCUR", "--report", "REPORT", "--json", "JSON"}, nil},
		{"hostile_names", []string{td + "compare/hostile_names.json", td + "compare/hostile_names_current.json", "--report", "REPORT"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{"REPORT": filepath.Join(dir, "out", "regression-analysis.md"), "JSON": filepath.Join(dir, "results.json"), "JUNIT": filepath.Join(dir, "junit.xml"), "SUMMARY": filepath.Join(dir, "step-summary.md"), "OUTPUT": filepath.Join(dir, "github-output")}
			repl := strings.NewReplacer("REPORT", files["REPORT"], "JSON", files["JSON"], "JUNIT", files["JUNIT"], "PBASE", pBase, "PCUR", pCur, "CFG", cfg, "SUMMARY", files["SUMMARY"], "OUTPUT", files["OUTPUT"])
			var args []string
			for _, a := range tc.args {
				args = append(args, repl.Replace(a))
			}
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = repl.Replace(v)
			}
			r := runCompare(t, env, args...)
			var b strings.Builder
			b.WriteString("$ compare-performance " + strings.Join(tc.args, " ") + "\nexit: " + string(rune('0'+r.code)) + "\n-- stdout --\n" + r.stdout + "-- stderr --\n" + r.stderr)
			for _, k := range []string{"REPORT", "JSON", "JUNIT", "SUMMARY", "OUTPUT"} {
				if content, err := os.ReadFile(files[k]); err == nil {
					b.WriteString("-- " + k + " --\n" + string(content))
				}
			}
			got := strings.NewReplacer(files["REPORT"], "REPORT", pipeDir, "PIPE", dir, "DIR").Replace(b.String())
			golden.Check(t, filepath.Join(td, "compare", tc.name+".golden"), got, *update)
		})
	}
}

// TestSeedExamples checks the seed README's rows literally.
func TestSeedExamples(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rep := filepath.Join(dir, "r.md")
	r := runCompare(t, nil, td+"compare/examples_baseline.json", td+"compare/examples_current.json", "--report", rep)
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	md, _ := os.ReadFile(rep)
	for _, line := range []string{
		"| api_gateway | p95_latency_ms | 450 | 750 | +66.7% | ❌ Critical |",
		"| api_gateway | error_rate_pct | 0.5 | 2 | +300.0% | ❌ Critical |",
		"| mcp_server | sandbox_violations | 0 | 1 | ∞ | ❌ Critical |",
		"| api_gateway | rps | 50 | 37.5 | -25.0% |",
		"| rag_service | p95_latency_ms | 3000 | 4200 | +40.0% |",
	} {
		if !strings.Contains(string(md), line+"\n") {
			t.Errorf("report lacks %q:\n%s", line, md)
		}
	}
	// compare_performance.py's ending: ✅ whatever the verdict, a blank line, the verdict.
	if !strings.HasSuffix(r.stdout, "- **Passed**: 4\n\n✅ Report saved to: "+rep+"\n\n❌ Critical performance regressions detected!\n") {
		t.Errorf("closing lines: %q", r.stdout)
	}
}

func TestLocustPipelineVerdict(t *testing.T) {
	t.Parallel()
	// Checked by hand against testdata/real/README.md: chat, rag query and mcp p95
	// rose 1.55–1.6× (fail); chat's error rate went 2.28% → 9.09% (fail); /health lost a
	// third of its request rate in the closed workload (fail under the seed's rps −30%);
	// /v1/models p95 12 → 14 (+16.7%) stays within +50%.
	base, cur := realPipeline(t, t.TempDir(), "--group-by", "endpoint")
	jsonOut := filepath.Join(t.TempDir(), "r.json")
	r := runCompare(t, nil, base, cur, "--report", filepath.Join(t.TempDir(), "r.md"), "--json", jsonOut)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stdout)
	}
	var rep struct {
		Results []struct{ Service, Metric, Status string }
	}
	b, _ := os.ReadFile(jsonOut)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	var fails []string
	for _, x := range rep.Results {
		if x.Status == "fail" {
			fails = append(fails, x.Service+" "+x.Metric)
		}
	}
	want := "/api/rag/query p95_latency_ms|/health rps|/mcp/tools/execute p95_latency_ms|/v1/chat/completions p95_latency_ms|/v1/chat/completions error_rate_pct"
	if strings.Join(fails, "|") != want {
		t.Errorf("failures\n got: %s\nwant: %s", strings.Join(fails, "|"), want)
	}
}

// TestJUnitShape validates the JUnit file against the common schema's structure:
// testsuites > testsuite > testcase, required attributes, consistent counts.
func TestJUnitShape(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "j.xml")
	runCompare(t, nil, td+"seed/sample_baselines.json", td+"seed/sample_metrics_degraded.json", "--report", filepath.Join(dir, "r.md"), "--junit", out)
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	type msg struct {
		Message *string `xml:"message,attr"`
	}
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Tests   *int     `xml:"tests,attr"`
		Fails   *int     `xml:"failures,attr"`
		Skipped *int     `xml:"skipped,attr"`
		Suites  []struct {
			Name     *string `xml:"name,attr"`
			Tests    *int    `xml:"tests,attr"`
			Failures *int    `xml:"failures,attr"`
			Errors   *int    `xml:"errors,attr"`
			Skipped  *int    `xml:"skipped,attr"`
			Cases    []struct {
				Name      *string `xml:"name,attr"`
				Classname *string `xml:"classname,attr"`
				Failure   *msg    `xml:"failure"`
				Skipped   *msg    `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests == nil || doc.Fails == nil || len(doc.Suites) != 1 {
		t.Fatalf("testsuites attributes or suites missing:\n%s", b)
	}
	s := doc.Suites[0]
	if s.Name == nil || s.Tests == nil || s.Failures == nil || s.Errors == nil || s.Skipped == nil {
		t.Fatal("testsuite lacks a required attribute")
	}
	fails, skipped := 0, 0
	for _, c := range s.Cases {
		if c.Name == nil || c.Classname == nil {
			t.Fatal("testcase lacks name or classname")
		}
		if c.Failure != nil {
			fails++
			if c.Failure.Message == nil {
				t.Error("failure without message")
			}
		}
		if c.Skipped != nil {
			skipped++
		}
	}
	if *s.Tests != len(s.Cases) || *s.Failures != fails || *s.Skipped != skipped || *doc.Tests != *s.Tests || fails != 1 || skipped != 2 {
		t.Errorf("counts: tests %d/%d failures %d/%d skipped %d/%d", *s.Tests, len(s.Cases), *s.Failures, fails, *s.Skipped, skipped)
	}
}

// TestUsageErrors: every error exits 1 (the originals' contract), says what is wrong on
// stderr and writes no report; where compare_performance.py printed a line on stdout
// (its usage, "❌ File not found: …", "❌ Invalid JSON in …"), so does the binary.
func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	badCfg := filepath.Join(dir, "c.yml")
	os.WriteFile(badCfg, []byte("thresholds:\n  default:\n    p95_latency_ms: fifty\n"), 0o644)
	badJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(badJSON, []byte("{\"api_gateway\": {\"p95_latency_ms\": 1,\n"), 0o644)
	rep := filepath.Join(dir, "never.md")
	for _, tc := range []struct {
		name           string
		args           []string
		stdout, stderr string
	}{
		{"one argument", []string{td + "seed/sample_baselines.json"}, command.ScriptUsage, "❌ compare-performance: want 2 arguments, <baseline_file> <current_results_file>, got 1 (run 'compare-performance -h' for the flags)\n"},
		{"three arguments", []string{td + "seed/sample_baselines.json", td + "seed/sample_metrics.json", "extra.json"}, command.ScriptUsage, "❌ compare-performance: want 2 arguments, <baseline_file> <current_results_file>, got 3 (run 'compare-performance -h' for the flags)\n"},
		{"missing baseline", []string{filepath.Join(dir, "nope.json"), td + "seed/sample_metrics.json"}, "❌ File not found: DIR/nope.json\n", "❌ compare-performance: reading baseline: DIR/nope.json: no such file\n"},
		{"missing current", []string{td + "seed/sample_baselines.json", td + "compare/examples_baseline.json.truncated"}, "❌ File not found: ../../testdata/compare/examples_baseline.json.truncated\n", "❌ compare-performance: reading current results: ../../testdata/compare/examples_baseline.json.truncated: no such file\n"},
		{"invalid JSON", []string{td + "seed/sample_baselines.json", badJSON}, "❌ Invalid JSON in DIR/bad.json: DIR/bad.json:2: truncated JSON (unexpected end of file)\n", "❌ compare-performance: reading current results: DIR/bad.json:2: truncated JSON (unexpected end of file)\n"},
		{"bad threshold", []string{"--threshold", "api_gateway.p95_latency_ms=50%", td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: --threshold \"api_gateway.p95_latency_ms=50%\": \"50%\": want a signed change such as +50%, -30%, +0.5 or -10 (the sign says which direction is a regression)\n"},
		{"bad config", []string{"--config", badCfg, td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: DIR/c.yml:3: thresholds.default.p95_latency_ms: \"fifty\": want a signed change such as +50%, -30%, +0.5 or -10 (the sign says which direction is a regression)\n"},
		{"bad warn ratio", []string{"--warn-ratio", "1.5", td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: invalid value \"1.5\" for flag -warn-ratio: want a number in (0, 1], got \"1.5\" (run 'compare-performance -h' for usage)\n"},
		{"warn ratio 0", []string{"--warn-ratio", "0", td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: invalid value \"0\" for flag -warn-ratio: want a number in (0, 1], got \"0\" (run 'compare-performance -h' for usage)\n"},
		{"warn ratio NaN", []string{"--warn-ratio", "NaN", td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: invalid value \"NaN\" for flag -warn-ratio: want a number in (0, 1], got \"NaN\" (run 'compare-performance -h' for usage)\n"},
		{"warn ratio negative", []string{"--warn-ratio=-0.5", td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: invalid value \"-0.5\" for flag -warn-ratio: want a number in (0, 1], got \"-0.5\" (run 'compare-performance -h' for usage)\n"},
		{"unknown flag", []string{"--bogus", td + "seed/sample_baselines.json", td + "seed/sample_metrics.json"}, "", "❌ compare-performance: flag provided but not defined: -bogus (run 'compare-performance -h' for usage)\n"},
		{"raw input mapping to nothing", []string{td + "seed/sample_baselines.json", td + "seed/load_results_baseline_actual_stats_history.csv"}, "", "⚠️ ../../testdata/seed/load_results_baseline_actual_stats_history.csv: only Aggregated rows (Locust writes the endpoints' rows with --csv-full-history): read as the whole test, named \"all\" (--name), from its last row, line 112; for per-endpoint figures give --csv-full-history's history or the _stats.csv\n⚠️ ../../testdata/seed/load_results_baseline_actual_stats_history.csv: 1 endpoint(s) matched no service and were left out: all\n❌ compare-performance: reading current results: ../../testdata/seed/load_results_baseline_actual_stats_history.csv holds no service to compare\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCompare(t, nil, append(tc.args, "--report", rep)...)
			if r.code != 1 {
				t.Errorf("exit %d, want 1", r.code)
			}
			if got := strings.ReplaceAll(r.stderr, dir, "DIR"); got != tc.stderr {
				t.Errorf("stderr\n got: %q\nwant: %q", got, tc.stderr)
			}
			if got := strings.ReplaceAll(r.stdout, dir, "DIR"); got != tc.stdout {
				t.Errorf("stdout\n got: %q\nwant: %q", got, tc.stdout)
			}
			if _, err := os.Stat(rep); err == nil {
				t.Error("a report was written")
			}
		})
	}
	if r := runCompare(t, nil, "-h"); r.code != 0 || !strings.Contains(r.stdout, "-fail-on-missing") || r.stderr != "" {
		t.Errorf("-h: %+v", r)
	}
	if r := runCompare(t, nil, "--version"); r.code != 0 || !strings.HasPrefix(r.stdout, "compare-performance ") {
		t.Errorf("--version: %+v", r)
	}
}

// TestNoiseAwareRealRuns is the pipeline on the real runs of testdata/real, noise-aware,
// with p95 +25 % and error rate +2 points for every endpoint: every endpoint the server
// slowed (chat, rag query, mcp tools) fails, none of the unchanged ones (health, index
// status, items) does — in the Locust pair and in the JMeter pair.
func TestNoiseAwareRealRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "perfgate.yml")
	os.WriteFile(cfg, []byte("noise:\n  alpha: 0.05\nthresholds:\n  default:\n    p95_latency_ms: +25%\n    error_rate_pct: +2\n    rps: off\n"), 0o644)
	env := extract.Env{Now: func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) }}
	for _, pair := range []struct {
		baseline, current string
		slowed, unchanged []string
	}{
		{"locust/locust-2.12.1-baseline-run1_stats.csv", "locust/locust-2.12.1-regressed-run1_stats.csv",
			[]string{"/v1/chat/completions", "/api/rag/query", "/mcp/tools/execute"},
			[]string{"/health", "/api/rag/index/status", "/api/items/{id}"}},
		{"real/jmeter-2.13-baseline-run1.jtl", "real/jmeter-2.13-regressed-run1.jtl",
			[]string{"POST /v1/chat/completions", "POST /api/rag/query", "POST /mcp/tools/execute"},
			[]string{"GET /health", "GET /api/rag/index/status", "GET /api/items/{id}"}},
	} {
		base, cur := filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json")
		var sink bytes.Buffer
		if c := extract.RunBaselines([]string{"--group-by", "endpoint", td + pair.baseline, base}, &sink, &sink, env); c != 0 {
			t.Fatal(sink.String())
		}
		if c := extract.RunMetrics([]string{"--group-by", "endpoint", td + pair.current, cur}, &sink, &sink, env); c != 0 {
			t.Fatal(sink.String())
		}
		jsonOut := filepath.Join(dir, "r.json")
		r := runCompare(t, nil, "--config", cfg, base, cur, "--report", filepath.Join(dir, "r.md"), "--json", jsonOut)
		if r.code != 1 {
			t.Fatalf("%s: exit %d\n%s", pair.baseline, r.code, r.stdout)
		}
		var rep struct {
			Results []struct{ Service, Metric, Status, Evidence, Decided_By string }
		}
		b, _ := os.ReadFile(jsonOut)
		json.Unmarshal(b, &rep)
		failed := map[string]bool{}
		for _, x := range rep.Results {
			if x.Status == "fail" {
				failed[x.Service] = true
				if x.Evidence == "" || (x.Decided_By != "significance" && x.Decided_By != "exceedance test") {
					t.Errorf("%s %s fails without significance evidence: %+v", x.Service, x.Metric, x)
				}
			}
		}
		for _, s := range pair.slowed {
			if !failed[s] {
				t.Errorf("%s: slowed endpoint %s does not fail", pair.baseline, s)
			}
		}
		for _, s := range pair.unchanged {
			if failed[s] {
				t.Errorf("%s: unchanged endpoint %s fails", pair.baseline, s)
			}
		}
		if !strings.Contains(r.stdout, "### 🔬 Evidence\n\n| Service | Metric | Verdict | Evidence | Decided by |") {
			t.Errorf("no evidence section:\n%s", r.stdout)
		}
	}
}

func TestComparabilityGuard(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base, cur := filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json")
	env := extract.Env{Now: time.Now}
	var sink bytes.Buffer
	extract.RunBaselines([]string{"--users", "1", "--group-by", "endpoint", td + "locust/locust-2.12.1-baseline-run1_stats.csv", base}, &sink, &sink, env)
	extract.RunMetrics([]string{"--users", "10", "--group-by", "endpoint", td + "real/vegeta-12.13.0-regressed-run1-raw.csv", cur}, &sink, &sink, env)
	r := runCompare(t, nil, base, cur, "--report", filepath.Join(dir, "r.md"), "--quiet")
	md, _ := os.ReadFile(filepath.Join(dir, "r.md"))
	for _, want := range []string{"### ⚖️ Comparability", "- users: the baseline ran 1, the current run 10", "- load tool: the baseline comes from locust-stats, the current run from vegeta-csv"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
	if strings.Contains(r.stdout, "not comparable") {
		t.Errorf("without --strict-comparability the differences only warn: %q", r.stdout)
	}
	r = runCompare(t, nil, base, cur, "--report", filepath.Join(dir, "r.md"), "--strict-comparability")
	if r.code != 1 || !strings.Contains(r.stderr, "Runs not comparable (--strict-comparability): users: the baseline ran 1, the current run 10") {
		t.Errorf("strict: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestPythonBaselineEstimates: a baseline written by the Python extract_baselines.py holds
// p95/p99 estimated from the average without saying so; perfgate recognizes them, so an
// old-style CSV (estimated alike) is compared with them, and real percentiles are not.
func TestPythonBaselineEstimates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cur := filepath.Join(dir, "c.json")
	var sink bytes.Buffer
	if c := extract.RunMetrics([]string{td + "seed/sample_results_stats_degraded.csv", cur}, &sink, &sink, extract.Env{Now: time.Now}); c != 0 {
		t.Fatal(sink.String())
	}
	jsonOut := filepath.Join(dir, "r.json")
	runCompare(t, nil, td+"seed/sample_baselines.json", cur, "--report", filepath.Join(dir, "r.md"), "--json", jsonOut)
	b, _ := os.ReadFile(jsonOut)
	var rep struct {
		Results []struct {
			Service, Metric, Status, Change string
		}
	}
	json.Unmarshal(b, &rep)
	got := map[string]string{}
	for _, r := range rep.Results {
		got[r.Service+" "+r.Metric] = r.Status + " " + r.Change
	}
	// api_gateway p95: int(1.4×150) = 210 → int(1.4×200) = 280, +33.3 % (within +50 %,
	// below the 37.5 % warning level): compared, not "not compared".
	if got["api_gateway p95_latency_ms"] != "pass +33.3%" || got["rag_service p95_latency_ms"] != "pass +20.0%" {
		t.Errorf("estimates against estimates: %v", got)
	}
}

// TestPythonBaselineAgainstRealPercentiles: a measured current p95 against a baseline's
// seed estimate is compared estimate against estimate (the current side estimated from
// its average), marked as such, never skipped.
func TestPythonBaselineAgainstRealPercentiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cur := filepath.Join(dir, "c.json")
	// A current run with real percentiles, keyed like the seed's services.
	os.WriteFile(cur, []byte(`{"api_gateway": {"avg_latency_ms": 160, "p95_latency_ms": 300, "error_rate_pct": 0.5, "rps": 50, "total_requests": 1000, "total_failures": 5}, "_perfgate": {"formats": ["locust-stats"]}}`), 0o644)
	jsonOut := filepath.Join(dir, "r.json")
	r := runCompare(t, nil, td+"seed/sample_baselines.json", cur, "--report", filepath.Join(dir, "r.md"), "--json", jsonOut)
	// int(1.4 × 150) = 210 against int(1.4 × 160) = 224: +6.7 %, a pass.
	for _, want := range []string{"### 📐 Estimated Percentiles", "| api_gateway | p95_latency_ms | 210 | 224 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 160 (its measured 300 is not comparable with an estimate) |"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "Refresh the baseline with extract-baselines from a run with percentiles") {
		t.Errorf("no hint on stderr: %q", r.stderr)
	}
	b, _ := os.ReadFile(jsonOut)
	if !strings.Contains(string(b), `"estimated": true`) {
		t.Errorf("--json does not mark the estimate:\n%s", b)
	}
}

// TestKeptPythonBaselineStillGates is the migration path of issue 10: the team keeps the
// docs/performance-baselines.json that extract_baselines.py wrote (recorded in
// testdata/python-reference), switches the other steps to the binaries, and the service
// gets 2× slower — every latency column of the real Locust run doubled. The gate must
// fail with p95 among the failures, not pass with p95 "not compared".
func TestKeptPythonBaselineStillGates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	doubled := filepath.Join(dir, "doubled_stats.csv")
	writeDoubledLatencies(t, td+"locust/locust-2.12.1-baseline-run1_stats.csv", doubled)
	cur := filepath.Join(dir, "load-results.json")
	var sink bytes.Buffer
	if c := extract.RunMetrics([]string{doubled, cur}, &sink, &sink, extract.Env{Now: time.Now}); c != 0 {
		t.Fatal(sink.String())
	}
	pyBase := td + "python-reference/extract-baselines--locust-2.12.1-baseline-run1_stats/files/docs/performance-baselines.json"
	jsonOut := filepath.Join(dir, "r.json")
	r := runCompare(t, nil, pyBase, cur, "--report", filepath.Join(dir, "r.md"), "--json", jsonOut)
	if r.code != 1 || !strings.HasSuffix(r.stdout, "\n❌ Critical performance regressions detected!\n") {
		t.Fatalf("a 2× slowdown against the kept Python baseline: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	var rep struct {
		Results []struct {
			Service, Metric, Status string
			Estimated               bool
		}
	}
	b, _ := os.ReadFile(jsonOut)
	json.Unmarshal(b, &rep)
	found := false
	for _, x := range rep.Results {
		if x.Service == "api_gateway" && x.Metric == "p95_latency_ms" {
			found = x.Status == "fail" && x.Estimated
		}
	}
	if !found {
		t.Errorf("api_gateway p95 is not an estimated failure:\n%s", b)
	}
}

// writeDoubledLatencies copies a Locust _stats.csv with every latency column (median,
// average, min, max and the percentile columns) doubled.
func writeDoubledLatencies(t *testing.T, in, out string) {
	t.Helper()
	f, err := os.Open(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for j, h := range rows[0] {
		if !strings.HasSuffix(h, "Response Time") && !strings.HasSuffix(h, "%") {
			continue
		}
		for _, row := range rows[1:] {
			if v, err := strconv.ParseFloat(row[j], 64); err == nil {
				row[j] = strconv.FormatFloat(2*v, 'f', -1, 64)
			}
		}
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.WriteAll(rows)
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestUsageMatchesReadme: the flags the command defines are the ones its README section
// documents, no more, no fewer.
func TestUsageMatchesReadme(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	var o options
	o.bind(fs)
	if msg, err := docs.CheckFlags("../../README.md", "compare-performance", fs); err != nil || msg != "" {
		t.Errorf("%v %s", err, msg)
	}
}

// TestBrokenBaselineFlagged: noise-aware, a baseline with 88.9 % failures and 27 requests
// is flagged in the Comparability section; without the mode nothing changes.
func TestBrokenBaselineFlagged(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := td + "seed/load_results_baseline_actual_stats.csv"
	want := "- api_gateway: the baseline had 88.9 % failures: its latencies describe errors, not the service; the baseline had only 27 requests (min_requests 30): too few to describe the service\n"
	if r := runCompare(t, nil, "--noise-aware", in, in, "--report", filepath.Join(dir, "r.md")); !strings.Contains(r.stdout, "### ⚖️ Comparability\n\nThe two runs may not be comparable; read the verdicts with care:\n\n"+want) {
		t.Errorf("noise-aware: no broken-baseline line:\n%s", r.stdout)
	}
	if r := runCompare(t, nil, in, in, "--report", filepath.Join(dir, "r.md")); strings.Contains(r.stdout, "Comparability") {
		t.Errorf("default mode flags the baseline:\n%s", r.stdout)
	}
}

// TestOutputIsAnInput: --report (or --json, --junit) naming an input is refused before
// anything is written: the baseline does not become markdown.
func TestOutputIsAnInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := filepath.Join(dir, "baseline.json")
	orig, _ := os.ReadFile(td + "seed/sample_baselines.json")
	os.WriteFile(base, orig, 0o644)
	for _, flag := range []string{"--report", "--json", "--junit"} {
		r := runCompare(t, nil, flag, base, base, td+"seed/sample_metrics.json")
		if got, _ := os.ReadFile(base); r.code != 1 || !strings.Contains(r.stderr, "is the input") || string(got) != string(orig) {
			t.Errorf("%s: exit %d, stderr %q", flag, r.code, r.stderr)
		}
	}
}

// TestHostileNamesCannotCommandTheRunner: endpoint names come from load-test files. A
// name holding a workflow command ("##[…]" anywhere in a line, "::cmd::" at its start) or
// a line break must not reach stdout or stderr in a form the GitHub Actions runner would
// execute — through the report, the annotations, and the warnings.
func TestHostileNamesCannotCommandTheRunner(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hostile := []string{"/a ##[add-mask]secret", "::stop-commands::token", "/b\n::set-output name=x::1", "/c ::error::pwned"}
	var base, cur strings.Builder
	base.WriteString("{")
	cur.WriteString("{")
	for i, n := range hostile {
		name, _ := json.Marshal(n)
		if i > 0 {
			base.WriteString(",")
			cur.WriteString(",")
		}
		fmt.Fprintf(&base, "%s: {\"p95_latency_ms\": 100, \"error_rate_pct\": 0, \"rps\": 10}", name)
		fmt.Fprintf(&cur, "%s: {\"p95_latency_ms\": 300, \"error_rate_pct\": 0, \"rps\": 10}", name)
	}
	// One service on a side only (named on stdout as "No baseline found").
	cur.WriteString(`, "::warning::only-current": {"p95_latency_ms": 1}}`)
	base.WriteString("}")
	bp, cp := filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json")
	os.WriteFile(bp, []byte(base.String()), 0o644)
	os.WriteFile(cp, []byte(cur.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "other.json"), []byte(`{"::set-output name=x::y\n##[add-mask]z": {"p95_latency_ms": 1}}`), 0o644)
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md")}
	hist := filepath.Join(dir, "history.jsonl")
	// Failures; warnings and broken baselines (noise-aware: too few requests); the trend
	// charts of a history (second run); a report with no service in common.
	for _, mode := range [][]string{nil, {"--noise-aware"}, {"--history", hist}, {"--history", hist}} {
		r := runCompare(t, env, append([]string{bp, cp, "--report", filepath.Join(dir, "r.md")}, mode...)...)
		if !strings.Contains(r.stdout+r.stderr, "::error title=") && !strings.Contains(r.stdout+r.stderr, "::warning title=") {
			t.Fatalf("%v: no annotation printed:\n%s", mode, r.stdout)
		}
		runnersafe.Check(t, r.stdout, "stdout", true)
		runnersafe.Check(t, r.stderr, "stderr", true)
	}
	if r := runCompare(t, env, bp, filepath.Join(dir, "other.json"), "--report", filepath.Join(dir, "r.md")); true {
		runnersafe.Check(t, r.stdout, "stdout", true)
		runnersafe.Check(t, r.stderr, "stderr", true)
	}
}

// TestThresholdsThatNameNothing: a misspelled metric in the config or a flag is an error
// naming it and where it was set; a service in neither file is named on stderr and in
// --json; a YAML alias is a valid way to share thresholds.
func TestThresholdsThatNameNothing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := func(body string) string {
		p := filepath.Join(dir, "perfgate.yml")
		os.WriteFile(p, []byte(body), 0o644)
		return p
	}
	base, cur := td+"seed/sample_baselines.json", td+"seed/sample_metrics.json"
	rep := filepath.Join(dir, "r.md")
	r := runCompare(t, nil, "--config", cfg("thresholds:\n  default:\n    p95_latncy_ms: +25%\n"), base, cur, "--report", rep)
	want := "❌ compare-performance: " + dir + "/perfgate.yml:3: thresholds.default.p95_latncy_ms: unknown metric p95_latncy_ms: no perfgate metric has this name and neither file holds it, so the threshold would check nothing; did you mean p95_latency_ms?\n"
	if r.code != 1 || r.stderr != want {
		t.Errorf("config typo: exit %d\n got %q\nwant %q", r.code, r.stderr, want)
	}
	r = runCompare(t, nil, "--threshold", "api_gateway.eror_rate_pct=off", base, cur, "--report", rep)
	if r.code != 1 || !strings.Contains(r.stderr, "--threshold api_gateway.eror_rate_pct=off: unknown metric eror_rate_pct") || !strings.Contains(r.stderr, "did you mean error_rate_pct?") {
		t.Errorf("flag typo: exit %d %q", r.code, r.stderr)
	}
	// A metric of the files' own (an extra field) is known.
	if r = runCompare(t, nil, "--threshold", "rag_service.qdrant_timeout_rate_pct=+0.1", base, cur, "--report", rep); r.code != 0 {
		t.Errorf("known extra: exit %d %q", r.code, r.stderr)
	}
	jsonOut := filepath.Join(dir, "r.json")
	r = runCompare(t, nil, "--config", cfg("thresholds:\n  default: &std\n    p95_latency_ms: +25%\n  api_gatway: *std\n"), base, cur, "--report", rep, "--json", jsonOut)
	b, _ := os.ReadFile(jsonOut)
	if r.code != 0 || !strings.Contains(r.stderr, "perfgate.yml:4: thresholds.api_gatway: no service api_gatway in either file") || !strings.Contains(string(b), `"unused_thresholds": [`) {
		t.Errorf("unused service (alias accepted): exit %d %q\n%s", r.code, r.stderr, b)
	}
}

// parseGitHubOutput reads a $GITHUB_OUTPUT file the way the runner does: name=value
// lines and name<<DELIM … DELIM blocks.
func parseGitHubOutput(t *testing.T, path string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(lines[i], "=")
		if !ok {
			t.Fatalf("%s: line %q is neither name=value nor name<<DELIM", path, lines[i])
		}
		out[name] = val
	}
	return out
}

// TestGitHubOutput: with $GITHUB_OUTPUT set (inside or outside GitHub Actions, and with
// --no-github too), compare appends the verdict, the counts and the paths for later steps.
func TestGitHubOutput(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base, cur string
		extra           []string
		code            int
		want            map[string]string
	}{
		{"pass", "seed/sample_baselines.json", "seed/sample_baselines.json", nil, 0,
			map[string]string{"verdict": "pass", "failures": "0", "warnings": "0", "passed": "7", "not_compared": "2", "total": "7"}},
		{"warning", "compare/examples_baseline.json", "compare/warnings_current.json", []string{"--no-github"}, 0,
			map[string]string{"verdict": "warning", "failures": "0", "warnings": "1", "passed": "8", "not_compared": "0", "total": "9"}},
		{"fail", "compare/examples_baseline.json", "compare/examples_current.json", []string{"--json", "JSON", "--junit", "JUNIT"}, 1,
			map[string]string{"verdict": "fail", "failures": "3", "warnings": "2", "passed": "4", "not_compared": "0", "total": "9", "json": "JSON", "junit": "JUNIT"}},
		{"warn as error", "compare/examples_baseline.json", "compare/warnings_current.json", []string{"--warn-as-error"}, 1,
			map[string]string{"verdict": "fail", "failures": "0", "warnings": "1", "passed": "8", "not_compared": "0", "total": "9"}},
		{"incomparable", "seed/sample_baselines.json", "compare/other_services.json", nil, 1,
			map[string]string{"verdict": "incomparable", "failures": "0", "warnings": "0", "passed": "0", "not_compared": "0", "total": "0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "github_output")
			os.WriteFile(out, []byte("earlier=kept\n"), 0o644)
			rep := filepath.Join(dir, "report dir", "regression-analysis.md")
			repl := strings.NewReplacer("JSON", filepath.Join(dir, "r.json"), "JUNIT", filepath.Join(dir, "j.xml"))
			args := []string{td + tc.base, td + tc.cur, "--report", rep}
			for _, a := range tc.extra {
				args = append(args, repl.Replace(a))
			}
			r := runCompare(t, map[string]string{"GITHUB_OUTPUT": out}, args...)
			if r.code != tc.code {
				t.Fatalf("exit %d, want %d\n%s", r.code, tc.code, r.stderr)
			}
			want := map[string]string{"earlier": "kept", "report": rep}
			for k, v := range tc.want {
				want[k] = repl.Replace(v)
			}
			if diff := cmp.Diff(want, parseGitHubOutput(t, out)); diff != "" {
				t.Errorf("$GITHUB_OUTPUT (-want +got):\n%s", diff)
			}
			// The markdown report records the verdict too, for create-regression-issue.
			doc, _ := os.ReadFile(rep)
			if parsed, err := report.Parse(doc, rep); err != nil || parsed.Summary.Verdict != tc.want["verdict"] {
				t.Errorf("the report records verdict %q (%v), want %q", parsed.Summary.Verdict, err, tc.want["verdict"])
			}
		})
	}
	// Outside any workflow nothing is written.
	if r := runCompare(t, nil, td+"seed/sample_baselines.json", td+"seed/sample_baselines.json", "--report", filepath.Join(t.TempDir(), "r.md")); r.code != 0 {
		t.Fatalf("exit %d", r.code)
	}
}

// TestManyFailuresWithinGitHubsLimits: 5,000 failing endpoints inside GitHub Actions
// print the 10 most severe ::error annotations and one with the count of the rest, and a
// step summary cut below GitHub's 1 MiB; the report file keeps every row.
func TestManyFailuresWithinGitHubsLimits(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var base, cur strings.Builder
	base.WriteString("{")
	cur.WriteString("{")
	for i := range 5000 {
		sep := ","
		if i == 0 {
			sep = ""
		}
		name := fmt.Sprintf("/api/%05d/%s", i, strings.Repeat("x", 200))
		fmt.Fprintf(&base, "%s%q: {\"p95_latency_ms\": 100, \"error_rate_pct\": 0, \"rps\": 10}", sep, name)
		fmt.Fprintf(&cur, "%s%q: {\"p95_latency_ms\": %d, \"error_rate_pct\": 0, \"rps\": 10}", sep, name, 200+i)
	}
	base.WriteString("}")
	cur.WriteString("}")
	bp, cp, rep, summary := filepath.Join(dir, "b.json"), filepath.Join(dir, "c.json"), filepath.Join(dir, "r.md"), filepath.Join(dir, "summary.md")
	os.WriteFile(bp, []byte(base.String()), 0o644)
	os.WriteFile(cp, []byte(cur.String()), 0o644)
	r := runCompare(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}, bp, cp, "--report", rep, "--quiet")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	errors := strings.Count(r.stderr, "::error ")
	if errors != 11 || !strings.Contains(r.stderr, "/api/04999/") || !strings.Contains(r.stderr, "… and 4990 more failing metrics") || strings.Contains(r.stdout, "::error") {
		t.Errorf("%d ::error lines on stderr; want the 10 most severe (04999 first) and one more, none on stdout:\n%.600s", errors, r.stderr)
	}
	s, _ := os.ReadFile(summary)
	full, _ := os.ReadFile(rep)
	if len(s) > 1<<20 || !strings.Contains(string(s), "more rows not shown") || strings.Count(string(full), "| ❌ Critical |") != 5000 {
		t.Errorf("summary %d bytes (limit 1 MiB), report rows %d", len(s), strings.Count(string(full), "| ❌ Critical |"))
	}
	// An earlier step filled 600 KB of the summary: the report fits in what is left.
	earlier := strings.Repeat("earlier step's line\n", 30000)
	os.WriteFile(summary, []byte(earlier), 0o644)
	runCompare(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}, bp, cp, "--report", rep, "--quiet")
	s, _ = os.ReadFile(summary)
	if len(s) > report.StepSummaryLimit || !strings.HasPrefix(string(s), earlier) || !strings.Contains(string(s), "more rows not shown") {
		t.Errorf("after 600 KB of an earlier step: %d bytes (limit %d)", len(s), report.StepSummaryLimit)
	}
	// Full: the report is left out, and stderr says so.
	os.WriteFile(summary, []byte(strings.Repeat("x", report.StepSummaryLimit-100)), 0o644)
	r = runCompare(t, map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}, bp, cp, "--report", rep, "--quiet")
	if s, _ = os.ReadFile(summary); len(s) != report.StepSummaryLimit-100 || !strings.Contains(r.stderr, "is nearly full") {
		t.Errorf("a full summary: %d bytes, stderr %.300s", len(s), r.stderr)
	}
}

// TestOutputsClash: --report onto the --config file, or two outputs onto one file, are
// refused before anything is written.
func TestOutputsClash(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "perfgate.yml")
	os.WriteFile(cfg, []byte("thresholds:\n  default:\n    rps: off\n"), 0o644)
	base, cur := td+"seed/sample_baselines.json", td+"seed/sample_metrics.json"
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", cfg, "--report", cfg}, "is the input " + cfg},
		{[]string{"--report", filepath.Join(dir, "x"), "--json", filepath.Join(dir, "x")}, "is given as two outputs"},
		{[]string{"--report", filepath.Join(dir, "r.md"), "--json", "-"}, "--json -: stdout carries the report and the verdict; give a file (or /dev/stdout, with --quiet)"},
		{[]string{"--report", filepath.Join(dir, "r.md"), "--history", "/dev/stdout"}, "--history /dev/stdout: a history is read, then rewritten with this run: give a file, not stdout, a device or a pipe"},
		{[]string{"--report", filepath.Join(dir, "r.md"), "--history", "-"}, "--history -: a history is read"},
	} {
		r := runCompare(t, nil, append(tc.args, base, cur)...)
		if got, _ := os.ReadFile(cfg); r.code != 1 || !strings.Contains(r.stderr, tc.want) || !strings.HasPrefix(string(got), "thresholds:") {
			t.Errorf("%v: exit %d %q", tc.args, r.code, r.stderr)
		}
	}
}
