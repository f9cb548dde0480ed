package report

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/internal/golden"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func parse(t *testing.T, doc string) *metrics.File {
	t.Helper()
	f, err := metrics.Parse([]byte(doc), "m.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// entry records a comparison of cur against base as run n.
func entry(t *testing.T, n int, commit string, base, cur *metrics.File, set *threshold.Set) (history.Entry, *threshold.Evaluation) {
	t.Helper()
	ev := threshold.Evaluate(base, cur, set)
	e, err := history.NewEntry(history.Run{Number: n, Time: "2026-12-01T10:00:00Z", Commit: commit}, "x", ev, cur)
	if err != nil {
		t.Fatal(err)
	}
	return e, ev
}

func TestBuildTrend(t *testing.T) {
	t.Parallel()
	set := threshold.Builtin()
	set.Override("default", threshold.Threshold{Metric: "sandbox_violations", Kind: threshold.Max, Up: true, Limit: 0, Expr: "max 0"}, false)
	// A name that would break a Mermaid string, an entity, a table and a fence.
	name := "GET /a\"b`c|d #1;e\nf"
	base := parse(t, fmt.Sprintf(`{%q: {"p95_latency_ms": 100, "error_rate_pct": 1, "rps": 50}}`, name))
	var past []history.Entry
	for i, p95 := range []float64{100, 105, 120, 110} {
		cur := parse(t, fmt.Sprintf(`{%q: {"p95_latency_ms": %g, "error_rate_pct": 1, "rps": 50}}`, name, p95))
		commit := "c0ffee0" // a re-run of the same commit
		if i == 0 {
			commit = ""
		}
		e, _ := entry(t, i+1, commit, base, cur, set)
		past = append(past, e)
	}
	// This run: p95 fails, a bound without a baseline fails; the metric new in this run
	// has a single point.
	cur := parse(t, fmt.Sprintf(`{%q: {"p95_latency_ms": 180, "error_rate_pct": 1, "rps": 50, "sandbox_violations": 2}}`, name))
	now, ev := entry(t, 5, "abcdef0123456789", base, cur, set)
	tr := BuildTrend(ev, past, now, "h.jsonl")
	want := []Chart{
		{Service: name, Metric: "p95_latency_ms", Status: threshold.Fail, Labels: []string{"#1", "c0ffee0", "#3", "#4", "abcdef0"}, Values: []float64{100, 105, 120, 110, 180}, Baselines: []float64{100, 100, 100, 100, 100}},
		{Service: name, Metric: "sandbox_violations", Status: threshold.Fail, Labels: []string{"abcdef0"}, Values: []float64{2}},
	}
	if diff := cmp.Diff(want, tr.Charts); diff != "" {
		t.Fatalf("charts (-want +got):\n%s", diff)
	}
	wantMermaid := `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#d62728, #7f7f7f"}}}}%%
xychart-beta
    title "GET /a#quot;b#96;c|d #35;1#59;e f · p95_latency_ms"
    x-axis ["#1", "c0ffee0", "#3", "#4", "abcdef0"]
    y-axis "p95_latency_ms (ms)"
    line [100, 105, 120, 110, 180]
    line [100, 100, 100, 100, 100]
`
	if got := tr.Charts[0].Mermaid(); got != wantMermaid {
		t.Errorf("mermaid:\n%s\nwant:\n%s", got, wantMermaid)
	}
	if m := tr.Charts[1].Mermaid(); !strings.HasSuffix(m, "    line [2]\n") {
		t.Errorf("a bound without baseline got a baseline line:\n%s", m)
	}
	// Rendered, then parsed back as create-regression-issue reads it.
	var md strings.Builder
	if err := Markdown(&md, ev, tr); err != nil {
		t.Fatal(err)
	}
	p, err := Parse([]byte(md.String()), "r.md")
	if err != nil {
		t.Fatal(err)
	}
	wantParsed := []TrendChart{{Service: Cell(name), Metric: "p95_latency_ms", Status: "fail", Mermaid: wantMermaid}}
	if diff := cmp.Diff(wantParsed, p.Trend); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
	if len(p.Failures) != 2 {
		t.Errorf("failures parsed: %+v", p.Failures)
	}
	// A metric compared for the first time has no line to draw: named, not charted.
	if !strings.Contains(md.String(), "Not charted, no earlier run compared them: "+Cell(name)+" sandbox_violations.\n") {
		t.Errorf("single-point metric not named:\n%s", md.String())
	}
	// The section sits after the seed's sections, before the summary.
	s := md.String()
	if i, j, k := strings.Index(s, PassedLine), strings.Index(s, TrendHeading), strings.Index(s, SummaryHeading); !(0 < i && i < j && j < k) {
		t.Errorf("section order:\n%s", s)
	}
	// No earlier run: no section.
	if BuildTrend(ev, nil, now, "h.jsonl") != nil {
		t.Error("a trend without history")
	}
}

func TestTrendChartLimit(t *testing.T) {
	t.Parallel()
	tr := &Trend{History: "h.jsonl"}
	for i := 0; i < TrendMaxCharts+2; i++ {
		tr.Charts = append(tr.Charts, Chart{Service: fmt.Sprintf("s%02d", i), Metric: "rps", Status: threshold.Warn, Labels: []string{"#1", "#2"}, Values: []float64{1, 2}})
	}
	var b strings.Builder
	trendSection(&b, tr)
	if n := strings.Count(b.String(), "```mermaid"); n != TrendMaxCharts {
		t.Errorf("%d charts", n)
	}
	if !strings.Contains(b.String(), "2 more metrics are not charted (at most 20 charts): s20 rps, s21 rps.\n") {
		t.Errorf("no note on the metrics left out:\n%s", b.String())
	}
}

// TestTrendGolden writes a report whose Trend section has the hard cases: names that
// would break a Mermaid string, a table, a fence or be read as an entity; 20 earlier
// runs and re-runs of one commit; a bound without baseline (one line); a metric with a
// few points; small decimals; a metric new in this run. make render renders this file in
// Chromium.
func TestTrendGolden(t *testing.T) {
	t.Parallel()
	set := threshold.Builtin()
	set.Override("default", threshold.Threshold{Metric: "sandbox_violations", Kind: threshold.Max, Up: true, Limit: 0, Expr: "max 0"}, false)
	hostile := "POST /a\"b`c|d #1;e & <b>x</b> %% {y} [z] @team ```"
	doc := func(p95, errRate float64, extra string) *metrics.File {
		return parse(t, fmt.Sprintf(`{%q: {"p95_latency_ms": %g, "error_rate_pct": 0.1, "rps": 50}, "/v1/models": {"p95_latency_ms": 12, "error_rate_pct": %g, "rps": 20%s}}`, hostile, p95, errRate, extra))
	}
	base := doc(100, 0.05, "")
	var past []history.Entry
	for i := 0; i < 24; i++ {
		commit := fmt.Sprintf("%07x", 0xa11ce00+i/2) // every commit runs twice
		extra := ""
		if i >= 20 { // counted since run 21: a chart of 5 points, one line (no baseline)
			extra = `, "sandbox_violations": 0`
		}
		e, _ := entry(t, i+1, commit, base, doc(100+float64(i%5), 0.05+float64(i%3)/100, extra), set)
		past = append(past, e)
	}
	now, ev := entry(t, 25, "f00dfeed", base, doc(166.5, 0.45, `, "sandbox_violations": 3`), set)
	var md strings.Builder
	if err := Markdown(&md, ev, BuildTrend(ev, past, now, "perf-history.jsonl")); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "../../testdata/report/trend.golden.md", md.String(), *update)
}
