package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/perfgate/perfgate/pkg/threshold"
)

func TestFormatChange(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base, cur  float64
		hasB, hasC bool
		want       string
	}{
		{450, 750, true, true, "+66.7%"},
		{3000, 4200, true, true, "+40.0%"},
		{0.5, 2, true, true, "+300.0%"},
		{100, 75, true, true, "-25.0%"},
		{0, 1, true, true, "∞"},
		{0, 0, true, true, "+0.0%"},
		{100, 100.01, true, true, "+0.0%"},
		{100, 99.99, true, true, "+0.0%"}, // never "-0.0%"
		{100, 0, false, true, "n/a"},
	} {
		r := threshold.Result{Baseline: tc.base, Current: tc.cur, HasBaseline: tc.hasB, HasCurrent: tc.hasC}
		if got := FormatChange(r); got != tc.want {
			t.Errorf("%v → %v: %q, want %q", tc.base, tc.cur, got, tc.want)
		}
	}
	if FormatValue(math.Pi, true) != "3.14" || FormatValue(450, true) != "450" || FormatValue(0, false) != "—" {
		t.Error("FormatValue")
	}
}

func TestCellAndParse(t *testing.T) {
	t.Parallel()
	if got := Cell("a|b\n`c`\\"); got != "a\\|b \\`c\\`\\\\" {
		t.Errorf("Cell: %q", got)
	}
	// A service name with an escaped pipe stays one cell when parsed back.
	md := "## Performance Regression Analysis\r\n\r\n### ❌ Failures (Action Required)\r\n\r\n| Service | Metric | Expected | Current | Change | Impact |\r\n|---|---|---|---|---|---|\r\n| " + Cell("a|b") + " | p95_latency_ms | 1 | 2 | +100.0% | ❌ Critical |\r\n"
	p, err := Parse([]byte(md), "r.md")
	if err != nil || len(p.Failures) != 1 || p.Failures[0].Service != `a\|b` || p.Failures[0].Current != "2" {
		t.Errorf("%+v %v", p, err)
	}
	for _, tc := range []struct{ doc, want string }{
		{"", "r.md: file is empty"},
		{"# something else\n", `r.md: not a regression report (no "## Performance Regression Analysis" heading)`},
		{"## Performance Regression Analysis\n\n### ⚠️ Warnings (Monitor)\n\n| a | b |\n", "r.md:5: table row with 2 cells, want at least 5 (Service, Metric, Expected, Current, Change)"},
		{`{"schema": "other"}`, `r.md: not a perfgate JSON report (schema "other", want "perfgate/compare/v1")`},
	} {
		if _, err := Parse([]byte(tc.doc), "r.md"); err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%q): %v, want %s", tc.doc, err, tc.want)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	p95, _ := threshold.ParseChange("p95_latency_ms", "+50%")
	ev := &threshold.Evaluation{Results: []threshold.Result{
		{Service: "api", Metric: "p95_latency_ms", Baseline: 450, Current: 750, HasBaseline: true, HasCurrent: true, Threshold: p95, Status: threshold.Fail, Value: 2.0 / 3, Level: threshold.BeyondLimit},
		{Service: "api", Metric: "p99_latency_ms", Threshold: p95, Status: threshold.NotCompared, Skip: threshold.NotInCurrent},
	}}
	var b bytes.Buffer
	cmd := &Command{Prog: "compare-performance", Args: []string{"--group-by", "endpoint", "b.json", "c.json"}, Baseline: "b.json", Current: "c.json", InputArgs: []string{"--group-by", "endpoint"}}
	if err := JSON(&b, ev, "fail", 1, cmd); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"baseline": null`) || !strings.Contains(b.String(), `"change_pct": 66.67`) {
		t.Errorf("JSON:\n%s", b.String())
	}
	p, err := Parse(b.Bytes(), "r.json")
	if err != nil || len(p.Failures) != 1 || p.Failures[0].Change != "+66.7%" || p.Format != "json" || p.Command == nil || p.Command.Line() != "compare-performance --group-by endpoint b.json c.json" {
		t.Errorf("%+v %v", p, err)
	}
}

// TestCommandComment: the command line survives the round trip through the report's
// hidden comment, including arguments that could end an HTML comment or need quoting.
func TestCommandComment(t *testing.T) {
	t.Parallel()
	c := Command{Prog: "compare-performance", Args: []string{"--config", "my cfg.yml", "a-->b.json", "it's.json"}, Baseline: "a-->b.json", Current: "it's.json", InputArgs: []string{"--config", "my cfg.yml"}}
	line := CommandComment(c)
	if strings.Count(line, "-->") != 1 || !strings.HasSuffix(line, " -->\n") {
		t.Fatalf("an argument ends the comment early: %q", line)
	}
	doc := "## Performance Regression Analysis\n\n## Summary\n\n- **Total Metrics**: 0\n\n" + line
	p, err := Parse([]byte(doc), "r.md")
	if err != nil || p.Command == nil {
		t.Fatalf("%v %+v", err, p)
	}
	if got, want := p.Command.Line(), `compare-performance --config 'my cfg.yml' 'a-->b.json' 'it'\''s.json'`; got != want {
		t.Errorf("Line() = %s, want %s", got, want)
	}
}

// TestJSONNoInfinities: a value that is not finite is null in --json, with the reason
// saying so, and the document stays valid JSON.
func TestJSONNoInfinities(t *testing.T) {
	t.Parallel()
	p95, _ := threshold.ParseChange("p95_latency_ms", "+50%")
	ev := &threshold.Evaluation{Results: []threshold.Result{
		{Service: "api", Metric: "p95_latency_ms", Baseline: 450, Current: math.Inf(1), HasBaseline: true, HasCurrent: true, Threshold: p95, Status: threshold.Fail, Value: math.Inf(1), Level: threshold.BeyondLimit},
	}}
	var b bytes.Buffer
	if err := JSON(&b, ev, "fail", 1, nil); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b.String())
	}
	if !strings.Contains(b.String(), `"current": null`) || !strings.Contains(b.String(), "the current value, +Inf, is not a finite number") {
		t.Errorf("JSON:\n%s", b.String())
	}
}

// TestAnnotationsCapped: GitHub shows 10 annotations per type per step: the 10 most
// severe failures come first, then one annotation with the count of the others; a
// threshold from the configuration file points at its line.
func TestAnnotationsCapped(t *testing.T) {
	t.Parallel()
	p95, _ := threshold.ParseChange("p95_latency_ms", "+50%")
	cfg := p95
	cfg.File, cfg.Line = "perfgate.yml", 7
	ev := &threshold.Evaluation{}
	for i := 1; i <= 25; i++ {
		th := p95
		if i == 3 {
			th = cfg
		}
		v := float64(i) // service s<i> went i × 100 % up: s25 is the most severe
		ev.Results = append(ev.Results, threshold.Result{Service: fmt.Sprintf("s%d", i), Metric: "p95_latency_ms", Baseline: 100, Current: 100 * (1 + v), HasBaseline: true, HasCurrent: true,
			Threshold: th, Status: threshold.Fail, Value: v, Level: threshold.BeyondLimit})
	}
	var b bytes.Buffer
	if err := Annotations(&b, ev); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 11 || !strings.Contains(lines[0], "::s25 p95_latency_ms") || !strings.Contains(lines[9], "::s16 p95_latency_ms") {
		t.Fatalf("want the 10 most severe then one more:\n%s", b.String())
	}
	if lines[10] != "::error title=Performance regressions::… and 15 more failing metrics: see the report (step summary or artifact)" {
		t.Errorf("last line %q", lines[10])
	}
	ev.Results[2].Value = 100 // s3 now the most severe: its annotation points at the config
	b.Reset()
	Annotations(&b, ev)
	if !strings.HasPrefix(b.String(), "::error title=Performance regression,file=perfgate.yml,line=7::s3 ") {
		t.Errorf("no file/line: %s", strings.SplitN(b.String(), "\n", 2)[0])
	}
}

func TestParseSummary(t *testing.T) {
	t.Parallel()
	md := "## Performance Regression Analysis\n\n## Summary\n\n- **Total Metrics**: 9\n- **Failures**: 3\n- **Warnings**: 2\n- **Passed**: 4\n- **Not Compared**: 1\n"
	p, err := Parse([]byte(md), "r.md")
	if err != nil || p.Summary != (Summary{Known: true, Total: 9, Failures: 3, Warnings: 2, Passed: 4, NotCompared: 1}) {
		t.Errorf("%+v %v", p.Summary, err)
	}
	p, _ = Parse([]byte("## Performance Regression Analysis\n"), "r.md")
	if p.Summary.Known {
		t.Errorf("a report without a summary: %+v", p.Summary)
	}
	var b bytes.Buffer
	JSON(&b, &threshold.Evaluation{}, "incomparable", 1, nil)
	if p, err := Parse(b.Bytes(), "r.json"); err != nil || p.Summary != (Summary{Known: true, Verdict: "incomparable"}) {
		t.Errorf("%+v %v", p.Summary, err)
	}
}

// TestFitStepSummary: a report with 20,000 failing endpoints is cut below the step
// summary limit, the failures table last, with notes saying how many rows are missing.
func TestFitStepSummary(t *testing.T) {
	t.Parallel()
	p95, _ := threshold.ParseChange("p95_latency_ms", "+50%")
	ev := &threshold.Evaluation{Common: 40000}
	for i := range 20000 {
		name := fmt.Sprintf("/api/endpoint/%05d/with/a/rather/long/path/to/make/the/report/big", i)
		ev.Results = append(ev.Results,
			threshold.Result{Service: name, Metric: "p95_latency_ms", Baseline: 100, Current: 300, HasBaseline: true, HasCurrent: true, Threshold: p95, Status: threshold.Fail, Value: 2, Level: threshold.BeyondLimit},
			threshold.Result{Service: name, Metric: "p99_latency_ms", Threshold: p95, Status: threshold.NotCompared, Skip: threshold.NotInCurrent})
	}
	var b strings.Builder
	Markdown(&b, ev, nil)
	full := b.String()
	if len(full) <= StepSummaryLimit {
		t.Fatalf("the test report is only %d bytes", len(full))
	}
	got := Fit(full, StepSummaryLimit, "the artifact r.md")
	if len(got) > StepSummaryLimit || !strings.HasPrefix(got, Title+"\n\n"+FailuresHeading) {
		t.Fatalf("%d bytes, starts %q", len(got), got[:80])
	}
	for _, want := range []string{"more rows not shown: the report is too long for a step summary; the whole report is the artifact r.md._", SummaryHeading, "- **Failures**: 20000"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if strings.Contains(got, NotComparedHeading) && strings.Count(got, "| p99_latency_ms |") > 0 && strings.Count(got, "| p95_latency_ms |") < 20000 {
		t.Error("the failures table was cut before the others")
	}
	if Fit("short", 100, "x") != "short" {
		t.Error("a report within the limit changed")
	}
}

// TestFitBlocksCountsBytes: names of four-byte characters (emoji count 1 character, 2
// UTF-16 units, 4 bytes) still fit a limit in bytes, whole characters only, even when
// only the text can be cut.
func TestFitBlocksCountsBytes(t *testing.T) {
	t.Parallel()
	lines := []string{"# 🚀 heading", "", "| Service | Change |", "|---|---|"}
	for i := range 2000 {
		lines = append(lines, fmt.Sprintf("| %s%d | +%d%% |", strings.Repeat("🐢", 20), i, i))
	}
	notes := CutNotes{
		Rows:    func(cut int) string { return fmt.Sprintf("_… %d more_\n", cut) },
		AllRows: func(cut int) string { return fmt.Sprintf("_%d not shown_\n", cut) },
		Text:    "\n_… cut_\n",
	}
	blocks := SplitBlocks(lines, func(string, int) bool { return true })
	for _, limit := range []int{65000, 1000, 20} {
		got := FitBlocks("", "", blocks, limit, notes)
		if len(got) > limit || !utf8.ValidString(got) {
			t.Errorf("limit %d: %d bytes, valid UTF-8 %v", limit, len(got), utf8.ValidString(got))
		}
	}
	got := FitBlocks("", "", blocks, 65000, notes)
	kept := strings.Count(got, "🐢🐢|") + strings.Count(got, "| 🐢")
	if !strings.Contains(got, fmt.Sprintf("_… %d more_", 2000-kept)) || kept < 600 {
		t.Errorf("kept %d rows; tail %q", kept, got[len(got)-40:])
	}
	if got := FitBlocks("", "", SplitBlocks([]string{strings.Repeat("é", 100)}, func(string, int) bool { return false }), 51, notes); got != strings.Repeat("é", 20)+notes.Text {
		t.Errorf("text cut: %q", got)
	}
}

// TestReproduce: the command to run again by hand keeps the inputs and thresholds and
// drops what writes files or acts on CI, in every flag form.
func TestReproduce(t *testing.T) {
	c := Command{Prog: "compare-performance", Args: []string{"--report", "r.md", "--json=r.json", "-junit", "j.xml", "--history", "h.jsonl", "--history-keep", "5", "--quiet", "--no-github",
		"--group-by", "endpoint", "--threshold", "default.rps=off", "b.json", "c.json"}}
	if got, want := c.Reproduce(), "compare-performance --group-by endpoint --threshold default.rps=off b.json c.json"; got != want {
		t.Errorf("Reproduce() = %s, want %s", got, want)
	}
}
