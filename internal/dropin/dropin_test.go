package dropin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// ref is the recording of the Python scripts: one folder per invocation with
// command.txt, exit_code, stdout.txt and files/ (see its README.md).
const ref = "../../testdata/python-reference"

// inputs are the folders the recorded invocations took their input files from (the
// seed project's files and the real Locust runs).
var inputs = []string{"../../testdata/seed", "../../testdata/locust"}

var bin string // the four binaries, built once

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "perfgate-dropin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = dir
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../../cmd/...")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the binaries: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// edit is an intended difference in stdout: the Python lines py are printed as goLines,
// for the reason why (a number of the README's "Differences from the Python scripts").
type edit struct {
	py, goLines []string
	why         string
}

// fileDiff is an intended difference in a written JSON file: key is "svc.field" (that
// value differs), "svc.*" (the service's values differ: at least one does), "+svc" (only
// perfgate writes the service) or "-svc" (only the script wrote it).
type fileDiff struct{ key, why string }

type expectation struct {
	stdout []edit
	files  map[string][]fileDiff // by path relative to the working directory
}

// Intended differences, case by case. A case not listed must match exactly.
var expected = map[string]expectation{
	"compare-performance--sample_baselines--sample_metrics": {stdout: []edit{
		{py: []string{"### ✅ Passed (5 metrics within thresholds)"}, goLines: []string{"### ✅ Passed (7 metrics within thresholds)"},
			why: "D5, D6: p95 0.0 (a percentile the script could not compute) is not compared as -100%; the baselines' p95 estimates are compared with the current averages estimated alike; rag_service/mcp_server p95 exist under their real name"},
		{py: []string{"All measured metrics are within acceptable thresholds.", ""}, goLines: append([]string{"All measured metrics are within acceptable thresholds.", ""},
			estimatedSection("| api_gateway | p95_latency_ms | 210 | 210 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 150 (it had no p95) |",
				"| rag_service | p95_latency_ms | 3500 | 3500 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 2500 (it had no p95) |",
				"| mcp_server | p95_latency_ms | 4900 | 4900 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 3500 (it had no p95) |")...),
			why: "D5, D14: percentiles compared as estimates are marked so in their own section"},
		{py: []string{"## Summary"}, goLines: append(notCompared(), "## Summary"), why: "D6, D14: metrics with a threshold that could not be compared are listed, never silently skipped"},
		{py: []string{"- **Total Metrics**: 5"}, goLines: []string{"- **Total Metrics**: 7"}, why: "D5, D6"},
		{py: []string{"- **Passed**: 5"}, goLines: []string{"- **Passed**: 7", "- **Not Compared**: 2"}, why: "D5, D6, D14"},
	}},
	"compare-performance--sample_baselines--sample_metrics_degraded": {stdout: []edit{
		{py: []string{
			"| api_gateway | error_rate_pct | 0.5 | 0.8 | +60.0% | ❌ Critical |",
			"| rag_service | error_rate_pct | 0.4 | 1.0 | +150.0% | ❌ Critical |",
			"| mcp_server | error_rate_pct | 0.0 | 0.33 | ∞ | ❌ Critical |",
		}, goLines: []string{"| rag_service | error_rate_pct | 0.4 | 1 | +150.0% | ❌ Critical |"},
			why: "D6: +0.5 points is absolute (+0.3 and +0.33 points pass, +0.6 fails); D13: 1, not 1.0"},
		{py: []string{"### ✅ Passed (2 metrics within thresholds)"}, goLines: []string{"### ✅ Passed (6 metrics within thresholds)"}, why: "D5, D6"},
		{py: []string{"All measured metrics are within acceptable thresholds.", ""}, goLines: append([]string{"All measured metrics are within acceptable thresholds.", ""},
			estimatedSection("| api_gateway | p95_latency_ms | 210 | 280 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 200 (it had no p95) |",
				"| rag_service | p95_latency_ms | 3500 | 4200 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 3000 (it had no p95) |",
				"| mcp_server | p95_latency_ms | 4900 | 5600 | pass | baseline: an estimate from its average (no measured percentile); current run: estimated alike from its average 4000 (it had no p95) |")...),
			why: "D5, D14"},
		{py: []string{"## Summary"}, goLines: append(notCompared(), "## Summary"), why: "D6, D14"},
		{py: []string{"- **Total Metrics**: 5", "- **Failures**: 3"}, goLines: []string{"- **Total Metrics**: 7", "- **Failures**: 1"}, why: "D5, D6"},
		{py: []string{"- **Passed**: 2"}, goLines: []string{"- **Passed**: 6", "- **Not Compared**: 2"}, why: "D5, D6, D14"},
	}},
	"extract-baselines--load_results_api_20251017_141452": {
		stdout: []edit{
			{py: []string{"⚠️  No data found for service: api_gateway (pattern: Aggregated)", "⏳ Baseline data not available for api_gateway (will add in future phases)"},
				goLines: []string{"✅ Extracted baseline for api_gateway", "✅ Extracted baseline for rag_service"}, why: "D4, D12: every service, computed like extract-metrics"},
			{py: []string{"📊 Extracted 0 service baselines"}, goLines: []string{"📊 Extracted 2 service baselines", "", "📋 Services included:", "  - api_gateway", "  - rag_service"}, why: "D4"},
		},
		files: map[string][]fileDiff{"docs/performance-baselines.json": {{"+api_gateway", "D4"}, {"+rag_service", "D4"}}},
	},
	"extract-baselines--load_results_baseline_actual_stats": {files: map[string][]fileDiff{"docs/performance-baselines.json": {
		{"api_gateway.*", "D4: the script took the Aggregated row, which holds /health too (no service rule matches it); p95/p99 were estimates although the CSV has percentiles (D5)"}}}},
	"extract-baselines--locust-2.12.1-baseline-run1_stats":               locustBaseline,
	"extract-baselines--locust-2.12.1-regressed-run1_stats":              locustBaseline,
	"extract-baselines--sample_results_stats":                            seedBaseline,
	"extract-baselines--sample_results_stats_degraded":                   seedBaseline,
	"extract-metrics--load_results_api_20251017_141452":                  summaryShape,
	"extract-metrics-default-output--load_results_api_20251017_141452":   summaryShape,
	"extract-metrics--load_results_baseline_actual_stats":                actualStats,
	"extract-metrics-default-output--load_results_baseline_actual_stats": actualStats,
	"extract-metrics--locust-2.12.1-baseline-run1_stats":                 locustMetrics("89", "623", "1.12"),
	"extract-metrics--locust-2.12.1-regressed-run1_stats":                locustMetrics("81", "596", "3.19"),
	"extract-metrics--sample_results_stats":                              oldCSV,
	"extract-metrics--sample_results_stats_degraded":                     oldCSV,
	"extract-metrics-default-output--sample_results_stats":               oldCSV,
	"extract-metrics-default-output--sample_results_stats_degraded":      oldCSV,
}

var (
	locustBaseline = expectation{
		stdout: []edit{
			{py: []string{"✅ Extracted baseline for api_gateway"}, goLines: []string{"✅ Extracted baseline for api_gateway", "✅ Extracted baseline for mcp_server"}, why: "D4: every service, not only api_gateway"},
			{py: []string{"📊 Extracted 1 service baselines"}, goLines: []string{"📊 Extracted 2 service baselines"}, why: "D4"},
			{py: []string{"  - api_gateway"}, goLines: []string{"  - api_gateway", "  - mcp_server"}, why: "D4"},
		},
		files: map[string][]fileDiff{"docs/performance-baselines.json": {
			{"api_gateway.*", "D4: the script took the Aggregated row (every endpoint, /health and mcp included) and estimated p95/p99 (D5)"},
			{"+mcp_server", "D4"},
		}},
	}
	seedBaseline = expectation{
		stdout: []edit{
			{py: []string{"⚠️  No data found for service: api_gateway (pattern: Aggregated)", "⏳ Baseline data not available for api_gateway (will add in future phases)"},
				goLines: []string{"✅ Extracted baseline for api_gateway", "✅ Extracted baseline for rag_service", "✅ Extracted baseline for mcp_server"}, why: "D4: an old-style CSV (no Aggregated row) gave an empty baseline"},
			{py: []string{"📊 Extracted 0 service baselines"}, goLines: []string{"📊 Extracted 3 service baselines", "", "📋 Services included:", "  - api_gateway", "  - rag_service", "  - mcp_server"}, why: "D4"},
		},
		files: map[string][]fileDiff{"docs/performance-baselines.json": {{"+api_gateway", "D4"}, {"+rag_service", "D4"}, {"+mcp_server", "D4"}}},
	}
	summaryShape = expectation{
		stdout: []edit{{
			py:      []string{"📊 Extracted metrics for 3 services:", "  - api_gateway: 0 requests, 0% errors", "  - rag_service: 0 requests, 0% errors", "  - total: 0 requests, 0% errors"},
			goLines: []string{"📊 Extracted metrics for 2 services:", "  - api_gateway: 1500 requests, 1.0% errors", "  - rag_service: 300 requests, 0.33% errors"},
			why:     "D12: the per-service summary is normalized; its total is not a service",
		}},
		files: map[string][]fileDiff{"load-results.json": {{"api_gateway.*", "D12"}, {"rag_service.*", "D12"}, {"-total", "D12"}}},
	}
	actualStats = expectation{
		stdout: []edit{{py: []string{"  - api_gateway: 3 requests, 0.0% errors"}, goLines: []string{"  - api_gateway: 27 requests, 88.89% errors"},
			why: "D2: the chat, models and rag rows of api_gateway are aggregated; the script kept the last row"}},
		files: map[string][]fileDiff{"load-results.json": {{"api_gateway.*", "D2"}}},
	}
	oldCSV = expectation{files: map[string][]fileDiff{"load-results.json": {
		{"api_gateway.p95_latency_ms", "D5: estimated (and marked so) instead of 0"}, {"api_gateway.p99_latency_ms", "D5"},
		{"rag_service.p95_latency_ms", "D5"}, {"rag_service.p99_latency_ms", "D5"},
		{"mcp_server.p95_latency_ms", "D5"}, {"mcp_server.p99_latency_ms", "D5"},
	}}}
)

func locustMetrics(pyReq, goReq, goErr string) expectation {
	return expectation{
		stdout: []edit{{py: []string{"  - api_gateway: " + pyReq + " requests, 0.0% errors"}, goLines: []string{"  - api_gateway: " + goReq + " requests, " + goErr + "% errors"},
			why: "D2: every endpoint of api_gateway is aggregated; the script kept the last one (/v1/models)"}},
		files: map[string][]fileDiff{"load-results.json": {{"api_gateway.*", "D2"}}},
	}
}

func estimatedSection(rows ...string) []string {
	out := []string{"### 📐 Estimated Percentiles", "",
		"These rows compare estimates from the averages (p95 = int(1.4 × avg), p99 = int(1.7 × avg)), not measured percentiles. Refresh the baseline with `extract-baselines` to compare measured percentiles.", "",
		"| Service | Metric | Expected | Current | Verdict | How |", "|---------|--------|----------|---------|---------|-----|"}
	return append(append(out, rows...), "")
}

func notCompared() []string {
	return []string{"### ⏭️ Not Compared", "", "| Service | Metric | Expected | Current | Reason |", "|---------|--------|----------|---------|--------|",
		"| rag_service | qdrant_timeout_rate_pct | — | — | in neither the baseline nor the current results |",
		"| mcp_server | sandbox_violations | — | — | not in the current results |", ""}
}

// TestPythonReference replays every recorded invocation against the binaries.
func TestPythonReference(t *testing.T) {
	statSources(t)
	cases, err := os.ReadDir(ref)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		seen[c.Name()] = true
		t.Run(c.Name(), func(t *testing.T) { replay(t, filepath.Join(ref, c.Name()), expected[c.Name()]) })
	}
	for name := range expected {
		if !seen[name] {
			t.Errorf("expectation for %s, which is not a recorded case", name)
		}
	}
}

// statSources looks at every Go source file of the module. The binaries are built by a
// subprocess, which go test's result cache cannot see; it does log the files a test
// looks at and reuses a cached result only while those are unchanged, so a change to any
// command's code re-runs this test.
func statSources(t *testing.T) {
	err := filepath.WalkDir("../..", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".go") || d.Name() == "go.mod") {
			_, err = os.Stat(p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func replay(t *testing.T, dir string, exp expectation) {
	cmdline := strings.Fields(readFile(t, filepath.Join(dir, "command.txt")))
	wantCode, _ := strconv.Atoi(strings.TrimSpace(readFile(t, filepath.Join(dir, "exit_code"))))
	work := t.TempDir()
	before := copyInputs(t, cmdline[1:], work)

	cmd := exec.Command(filepath.Join(bin, cmdline[0]), cmdline[1:]...)
	cmd.Dir = work
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + work}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != wantCode {
		t.Errorf("exit %d, the script's %d\nstderr: %s", code, wantCode, stderr.String())
	}

	want := applyEdits(t, scriptNamesToBinaries(readFile(t, filepath.Join(dir, "stdout.txt"))), exp.stdout)
	if got := stdout.String(); got != want {
		t.Errorf("stdout differs from the script's (with the intended differences applied):\n--- got ---\n%s--- want ---\n%s", got, want)
	}
	checkFiles(t, filepath.Join(dir, "files"), work, before, exp.files, stdout.String())
}

var scriptName = regexp.MustCompile(`python scripts/([a-z_]+)\.py`)

// scriptNamesToBinaries names the binaries where the scripts' usage named the scripts.
func scriptNamesToBinaries(s string) string {
	return scriptName.ReplaceAllStringFunc(s, func(m string) string {
		return strings.ReplaceAll(scriptName.FindStringSubmatch(m)[1], "_", "-")
	})
}

// applyEdits replaces each edit's Python lines, found in order, by perfgate's.
func applyEdits(t *testing.T, text string, edits []edit) string {
	t.Helper()
	lines := strings.Split(text, "\n")
	from := 0
	for _, e := range edits {
		i := indexLines(lines, e.py, from)
		if i < 0 {
			t.Errorf("intended difference (%s): the script's lines %q are not in its stdout", e.why, e.py)
			continue
		}
		lines = slices.Concat(lines[:i], e.goLines, lines[i+len(e.py):])
		from = i + len(e.goLines)
	}
	return strings.Join(lines, "\n")
}

func indexLines(lines, block []string, from int) int {
	for i := from; i+len(block) <= len(lines); i++ {
		if slices.Equal(lines[i:i+len(block)], block) {
			return i
		}
	}
	return -1
}

// copyInputs copies the files the command names into the working directory, as the
// recording did, and returns the set of files present before the run.
func copyInputs(t *testing.T, args []string, work string) map[string]bool {
	before := map[string]bool{}
	for _, a := range args {
		for _, d := range inputs {
			b, err := os.ReadFile(filepath.Join(d, a))
			if err != nil {
				continue
			}
			if err := os.WriteFile(filepath.Join(work, a), b, 0o644); err != nil {
				t.Fatal(err)
			}
			before[a] = true
			break
		}
	}
	return before
}

// checkFiles: the binary writes exactly the files the script wrote, at the same paths;
// JSON files hold the same services and values but for the intended differences; the
// report file is the report printed on stdout plus perfgate's hidden command line (D14).
func checkFiles(t *testing.T, refFiles, work string, before map[string]bool, diffs map[string][]fileDiff, stdout string) {
	t.Helper()
	want := walk(t, refFiles, nil)
	got := walk(t, work, before)
	if !slices.Equal(got, want) {
		t.Fatalf("files written: %q, the script wrote %q", got, want)
	}
	for _, rel := range want {
		gotB, _ := os.ReadFile(filepath.Join(work, rel))
		refB, _ := os.ReadFile(filepath.Join(refFiles, rel))
		switch {
		case strings.HasSuffix(rel, ".json"):
			compareJSON(t, rel, refB, gotB, diffs[rel])
		case strings.HasSuffix(rel, ".md"):
			end := strings.Index(stdout, "\n✅ Report saved to:")
			if end < 0 || !strings.HasPrefix(string(gotB), stdout[:end]+"\n<!-- perfgate:command ") {
				t.Errorf("%s is not the printed report plus the command comment:\n%s", rel, gotB)
			}
		}
	}
}

func walk(t *testing.T, root string, skip map[string]bool) []string {
	var out []string
	if _, err := os.Stat(root); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if !skip[rel] {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// compareJSON computes which services and values differ from the script's file and
// checks that exactly the intended ones do. Perfgate's additions (metadata keys,
// estimated, percentiles, runs) and the baselines' timestamp are not compared.
func compareJSON(t *testing.T, rel string, refB, gotB []byte, intended []fileDiff) {
	t.Helper()
	var py, ours map[string]json.RawMessage
	if err := json.Unmarshal(refB, &py); err != nil {
		t.Fatalf("%s (script): %v", rel, err)
	}
	if err := json.Unmarshal(gotB, &ours); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	actual := map[string]bool{}
	for _, s := range union(py, ours) {
		switch _, inPy := py[s]; {
		case strings.HasPrefix(s, "_"):
		case !inPy:
			actual["+"+s] = true
		case ours[s] == nil:
			actual["-"+s] = true
		default:
			for _, f := range differingFields(py[s], ours[s]) {
				actual[s+"."+f] = true
			}
		}
	}
	for _, d := range intended {
		svc, wild := strings.CutSuffix(d.key, ".*")
		if wild {
			any := false
			for k := range actual {
				if strings.HasPrefix(k, svc+".") {
					delete(actual, k)
					any = true
				}
			}
			if !any {
				t.Errorf("%s: intended difference %s (%s): every value is the script's", rel, d.key, d.why)
			}
			continue
		}
		if !actual[d.key] {
			t.Errorf("%s: intended difference %s (%s) is not there", rel, d.key, d.why)
		}
		delete(actual, d.key)
	}
	for k := range actual {
		t.Errorf("%s: %s differs from the script's file, and no intended difference says why", rel, k)
	}
}

func union(a, b map[string]json.RawMessage) []string {
	var out []string
	for k := range a {
		out = append(out, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// differingFields lists the script's fields whose value perfgate does not write the same.
func differingFields(pyRaw, oursRaw json.RawMessage) []string {
	var py, ours map[string]any
	json.Unmarshal(pyRaw, &py)
	json.Unmarshal(oursRaw, &ours)
	var out []string
	for f, v := range py {
		if f == "timestamp" {
			continue
		}
		o, ok := ours[f]
		a, an := v.(float64)
		b, bn := o.(float64)
		switch {
		case !ok:
			out = append(out, f)
		case an && bn:
			if math.Abs(a-b) > 1e-9*math.Max(1, math.Abs(a)) {
				out = append(out, f)
			}
		case fmt.Sprint(v) != fmt.Sprint(o):
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOnlyZeroOrOne: the originals exit 0 or 1 and nothing else (the original scripts' contract). The exit
// codes are defined once, in pkg/cli, and every main returns its run function's code.
func TestOnlyZeroOrOne(t *testing.T) {
	src := readFile(t, "../../pkg/cli/cli.go")
	consts := regexp.MustCompile(`(?m)^\s*(Exit\w+)\s*=\s*(\d+)`).FindAllStringSubmatch(src, -1)
	if len(consts) != 2 || consts[0][1] != "ExitOK" || consts[0][2] != "0" || consts[1][1] != "ExitFail" || consts[1][2] != "1" {
		t.Errorf("pkg/cli defines exit codes %v, want only ExitOK = 0 and ExitFail = 1", consts)
	}
	exits := regexp.MustCompile(`os\.Exit\(|\breturn\s+[2-9]\s*$|log\.Fatal`)
	for _, dir := range []string{"../../cmd", "../../pkg", "../../internal"} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			for i, line := range strings.Split(readFile(t, p), "\n") {
				if m := exits.FindString(line); m != "" && !(m == "os.Exit(" && strings.Contains(p, "/cmd/") && regexp.MustCompile(`^\s*os\.Exit\(cli\.Recover\(os\.Stderr, "[a-z-]+", func\(\) int \{`).MatchString(line)) {
					t.Errorf("%s:%d: %s", p, i+1, strings.TrimSpace(line))
				}
			}
			return nil
		})
	}
	// Every error path of the four binaries, run for real: exit 1, never 2.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.yml"), []byte("nope: [\n"), 0o644)
	for _, args := range [][]string{
		{"extract-metrics"}, {"extract-metrics", "--bogus", "x"}, {"extract-metrics", "nope.csv"}, {"extract-metrics", "--format", "k7", "x"},
		{"extract-metrics", "--config", "bad.yml", "x"}, {"extract-metrics", "a", "b", "c"},
		{"extract-baselines"}, {"extract-baselines", "nope.csv"}, {"extract-baselines", "--users", "0", "x"},
		{"compare-performance"}, {"compare-performance", "a.json"}, {"compare-performance", "nope.json", "nope2.json"}, {"compare-performance", "--warn-ratio", "2", "a", "b"},
		{"create-regression-issue"}, {"create-regression-issue", "report.md"}, {"create-regression-issue", "--dry-run", "nope.md"}, {"create-regression-issue", "--attempts", "0", "r.md"},
	} {
		cmd := exec.Command(filepath.Join(bin, args[0]), args[1:]...)
		cmd.Dir = dir
		cmd.Env = []string{"HOME=" + dir}
		out, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%v: %v, want exit status 1\n%s", args, err, out)
		}
	}
	for _, args := range [][]string{{"extract-metrics", "-h"}, {"extract-baselines", "--help"}, {"compare-performance", "--version"}, {"create-regression-issue", "-h"}} {
		if out, err := exec.Command(filepath.Join(bin, args[0]), args[1:]...).CombinedOutput(); err != nil {
			t.Errorf("%v: %v, want exit status 0\n%s", args, err, out)
		}
	}
}

// TestClosedStdout: a pipeline whose reader goes away (`| true`, `| head -1`) does not
// kill the binary with SIGPIPE: it finishes its job and exits 0 or 1.
func TestClosedStdout(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"sample_baselines.json", "sample_metrics_degraded.json"} {
		b, _ := os.ReadFile(filepath.Join("../../testdata/seed", n))
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	cmd := exec.Command("bash", "-c", filepath.Join(bin, "compare-performance")+` sample_baselines.json sample_metrics_degraded.json | true; echo "${PIPESTATUS[0]}"`)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(out)); got != "1" {
		t.Errorf("exit status %s with a closed stdout, want 1 (a critical regression; 141 is SIGPIPE)", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "load-test-results", "regression-analysis.md")); err != nil {
		t.Errorf("the report was not written: %v", err)
	}
}
