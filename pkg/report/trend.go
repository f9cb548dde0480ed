package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// TrendHeading starts the Trend section; TrendChartPrefix each chart's heading.
const (
	TrendHeading     = "### 📈 Trend"
	TrendChartPrefix = "#### "
)

// TrendRuns is how many earlier runs a trend chart shows besides this one.
const TrendRuns = 20

// TrendMaxCharts bounds the charts of a report, so that an issue body built from it stays
// within GitHub's size limit; the metrics beyond it are named without a chart.
const TrendMaxCharts = 20

// Trend colours: the run's value in red, the baseline in grey (Mermaid's xychart has no
// legend, so the text under each heading says which is which).
const trendPalette = "#d62728, #7f7f7f"

// Trend is the Trend section: a chart per failing, warning or acknowledged metric over
// the last runs of the history.
type Trend struct {
	// History is the history file, as given.
	History string
	Charts  []Chart
}

// Chart is one metric of one service over the runs, oldest first.
type Chart struct {
	Service, Metric string
	// Status is the metric's status in this run.
	Status threshold.Status
	// Labels name the runs on the x axis: short commit, else #run.
	Labels []string
	// Values are the metric per run; Baselines the baseline each run was compared with
	// (nil when some run had none, e.g. a max/min bound).
	Values, Baselines []float64
}

// BuildTrend draws, for every failing, warning or acknowledged result of ev, its value
// over the last TrendRuns runs of past plus this run (now). Runs in which the metric was
// not compared are left out. It returns nil when past holds no run.
func BuildTrend(ev *threshold.Evaluation, past []history.Entry, now history.Entry, file string) *Trend {
	if len(past) == 0 {
		return nil
	}
	runs := append(append([]history.Entry(nil), history.Last(past, TrendRuns)...), now)
	labels := uniqueLabels(runs)
	t := &Trend{History: file}
	for _, r := range ev.Results {
		if r.Status != threshold.Fail && r.Status != threshold.Warn && r.Status != threshold.Acknowledged {
			continue
		}
		c := Chart{Service: r.Service, Metric: r.Metric, Status: r.Status}
		withBase := true
		for i, e := range runs {
			m, ok := e.Get(r.Service, r.Metric)
			if !ok || m.Current == nil {
				continue
			}
			c.Labels = append(c.Labels, labels[i])
			c.Values = append(c.Values, *m.Current)
			if m.Baseline == nil {
				withBase = false
			} else {
				c.Baselines = append(c.Baselines, *m.Baseline)
			}
		}
		if !withBase {
			c.Baselines = nil
		}
		t.Charts = append(t.Charts, c)
	}
	return t
}

// uniqueLabels names every run; a label seen before (a re-run of a commit) becomes the
// run number, so that no two points share a place on the axis and labels stay short.
func uniqueLabels(runs []history.Entry) []string {
	out := make([]string, len(runs))
	seen := map[string]bool{}
	for i, e := range runs {
		l := e.Label()
		if seen[l] {
			l = "#" + strconv.Itoa(e.Run)
		}
		for n := 2; seen[l]; n++ {
			l = fmt.Sprintf("%s (%d)", e.Label(), n)
		}
		seen[l] = true
		out[i] = l
	}
	return out
}

// ChartHeading is the heading line of a chart: "#### service · metric — status".
func ChartHeading(service, metric, status string) string {
	return fmt.Sprintf("%s%s · %s — %s", TrendChartPrefix, Cell(service), Cell(metric), status)
}

// trendSection writes the Trend section: a chart per metric compared in an earlier run
// too (at most TrendMaxCharts); the others are named without a chart.
func trendSection(b *strings.Builder, t *Trend) {
	if t == nil || len(t.Charts) == 0 {
		return
	}
	var drawn []Chart
	var first, more []string
	for _, c := range t.Charts {
		switch name := Cell(c.Service) + " " + Cell(c.Metric); {
		case len(c.Values) < 2:
			first = append(first, name)
		case len(drawn) == TrendMaxCharts:
			more = append(more, name)
		default:
			drawn = append(drawn, c)
		}
	}
	b.WriteString(TrendHeading + "\n\n")
	fmt.Fprintf(b, "The failing, warning and acknowledged metrics over the last runs recorded in `%s` (at most %d earlier runs and this one, the last point; x axis: short commit, or #run). Red: the run's value; grey: the baseline it was compared with.\n\n", Cell(t.History), TrendRuns)
	for _, c := range drawn {
		b.WriteString(ChartHeading(c.Service, c.Metric, c.Status.String()) + "\n\n")
		b.WriteString("```mermaid\n" + c.Mermaid() + "```\n\n")
	}
	if len(first) > 0 {
		fmt.Fprintf(b, "Not charted, no earlier run compared them: %s.\n\n", strings.Join(first, ", "))
	}
	if len(more) > 0 {
		fmt.Fprintf(b, "%d more metrics are not charted (at most %d charts): %s.\n\n", len(more), TrendMaxCharts, strings.Join(more, ", "))
	}
}

// Mermaid is the chart as a Mermaid xychart-beta line chart (without the code fence).
func (c Chart) Mermaid() string {
	var b strings.Builder
	// Mermaid does not turn crowded axis labels: from 11 runs on, the chart widens and
	// the labels get smaller.
	size := ""
	if n := len(c.Labels); n > 10 {
		size = fmt.Sprintf("\"xyChart\": {\"width\": %d, \"xAxis\": {\"labelFontSize\": 11}}, ", 60*n)
	}
	fmt.Fprintf(&b, "%%%%{init: {%s\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"%s\"}}}}%%%%\n", size, trendPalette)
	b.WriteString("xychart-beta\n")
	fmt.Fprintf(&b, "    title \"%s · %s\"\n", mermaidText(shorten(c.Service, 48)), mermaidText(c.Metric))
	quoted := make([]string, len(c.Labels))
	for i, l := range c.Labels {
		quoted[i] = `"` + mermaidText(l) + `"`
	}
	fmt.Fprintf(&b, "    x-axis [%s]\n", strings.Join(quoted, ", "))
	fmt.Fprintf(&b, "    y-axis \"%s\"\n", mermaidText(axisTitle(c.Metric)))
	fmt.Fprintf(&b, "    line [%s]\n", numbers(c.Values))
	if c.Baselines != nil {
		fmt.Fprintf(&b, "    line [%s]\n", numbers(c.Baselines))
	}
	return b.String()
}

// shorten cuts a name to n characters with "…" (the heading above the chart has it whole).
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// axisTitle names the metric's unit.
func axisTitle(metric string) string {
	switch {
	case strings.HasSuffix(metric, "_ms"):
		return metric + " (ms)"
	case strings.HasSuffix(metric, "_pct"):
		return metric + " (%)"
	case metric == metrics.RPS:
		return "rps (requests/s)"
	}
	return metric
}

func numbers(vals []float64) string {
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = FormatNumber(v)
	}
	return strings.Join(s, ", ")
}

// mermaidText makes text from the load test safe inside a quoted Mermaid string and a
// markdown code fence: line breaks become spaces; quotes and backticks (which would end
// the string or the fence) and the characters that Mermaid would read as an entity or
// as HTML ("#…;", "&", "<", ">") are written as Mermaid entity codes, so that the chart
// shows the name as it is. The workflow-command markers "::" and "##[" are broken too
// (the chart is printed on stdout with the report).
func mermaidText(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\r", " ", "\n", " ").Replace(s)
	if strings.ContainsAny(s, "\";`&<>") {
		s = mermaidEntities.Replace(s)
	}
	return cli.BreakCommands(s)
}

var mermaidEntities = strings.NewReplacer("#", "#35;", ";", "#59;", `"`, "#quot;", "`", "#96;", "&", "#38;", "<", "#60;", ">", "#62;")
