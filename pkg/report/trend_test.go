package report

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

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
		{Service: name, Metric: "p95_latency_ms", Status: threshold.Fail, Labels: []string{"#1", "c0ffee0", "c0ffee0 #3", "c0ffee0 #4", "abcdef0"}, Values: []float64{100, 105, 120, 110, 180}, Baselines: []float64{100, 100, 100, 100, 100}},
		{Service: name, Metric: "sandbox_violations", Status: threshold.Fail, Labels: []string{"abcdef0"}, Values: []float64{2}},
	}
	if diff := cmp.Diff(want, tr.Charts); diff != "" {
		t.Fatalf("charts (-want +got):\n%s", diff)
	}
	wantMermaid := `%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": "#d62728, #7f7f7f"}}}}%%
xychart-beta
    title "GET /a#quot;b#96;c|d #35;1#59;e f · p95_latency_ms"
    x-axis ["#1", "c0ffee0", "c0ffee0 #3", "c0ffee0 #4", "abcdef0"]
    y-axis "p95_latency_ms (ms)"
    line [100, 105, 120, 110, 180]
    line [100, 100, 100, 100, 100]
`
	if got := tr.Charts[0].Mermaid(); got != wantMermaid {
		t.Errorf("mermaid:\n%s\nwant:\n%s", got, wantMermaid)
	}
	if strings.Contains(tr.Charts[1].Mermaid(), "line [2]\n    line") {
		t.Error("a bound without baseline got a baseline line")
	}
	// Rendered, then parsed back as create-regression-issue reads it.
	var md strings.Builder
	if err := MarkdownWith(&md, ev, tr); err != nil {
		t.Fatal(err)
	}
	p, err := Parse([]byte(md.String()), "r.md")
	if err != nil {
		t.Fatal(err)
	}
	wantParsed := []TrendChart{
		{Service: Cell(name), Metric: "p95_latency_ms", Status: "fail", Mermaid: wantMermaid},
		{Service: Cell(name), Metric: "sandbox_violations", Status: "fail", Mermaid: tr.Charts[1].Mermaid()},
	}
	if diff := cmp.Diff(wantParsed, p.Trend); diff != "" {
		t.Errorf("parsed (-want +got):\n%s", diff)
	}
	if len(p.Failures) != 2 {
		t.Errorf("failures parsed: %+v", p.Failures)
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
