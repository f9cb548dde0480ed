// Package report renders an evaluation: the seed's markdown report (byte for byte the
// layout other tools parse), JSON and JUnit files, and GitHub Actions annotations. It also
// parses reports back into rows (for create-regression-issue).
package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// Headings and fixed lines of the seed's report; parsers rely on them.
const (
	Title                = "## Performance Regression Analysis"
	FailuresHeading      = "### ❌ Failures (Action Required)"
	WarningsHeading      = "### ⚠️ Warnings (Monitor)"
	PassedHeadingFmt     = "### ✅ Passed (%d metrics within thresholds)"
	PassedLine           = "All measured metrics are within acceptable thresholds."
	NotComparedHeading   = "### ⏭️ Not Compared"
	EvidenceHeading      = "### 🔬 Evidence"
	EstimatedHeading     = "### 📐 Estimated Percentiles"
	ComparabilityHeading = "### ⚖️ Comparability"
	MissingHeading       = "### ❓ Services Not in Both Files"
	AcknowledgedHeading  = "### 🔕 Acknowledged"
	InputsHeading        = "### 📥 Inputs"
	SummaryHeading       = "## Summary"
	CriticalImpact       = "❌ Critical"
)

// FormatChange prints a relative change with one decimal and a sign ("+66.7%"), "∞"
// when the baseline is 0, and "n/a" when a side is missing.
func FormatChange(r threshold.Result) string {
	pct, inf, ok := r.Change()
	switch {
	case !ok:
		return "n/a"
	case inf:
		return "∞"
	}
	if math.Abs(pct) < 0.05 {
		pct = 0
	}
	return fmt.Sprintf("%+.1f%%", pct)
}

// FormatValue prints a value without needless decimals, or "—" when missing.
func FormatValue(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return FormatNumber(v)
}

// Expected is the report's "Expected" column: the baseline, or the bound of a
// max/min threshold when there is no baseline.
func Expected(r threshold.Result) string {
	if r.HasBaseline {
		return FormatNumber(r.Baseline)
	}
	switch r.Threshold.Kind {
	case threshold.Max:
		return "≤ " + FormatNumber(r.Threshold.Limit)
	case threshold.Min:
		return "≥ " + FormatNumber(r.Threshold.Limit)
	}
	return "—"
}

// Cell escapes text from the load test for a markdown table cell: pipes, newlines and
// backticks cannot break the table, and the GitHub Actions workflow-command markers "::"
// and "##[" are broken by a zero-width space, because the report is printed on stdout
// in CI logs that the runner parses.
func Cell(s string) string {
	return strings.TrimSpace(cli.BreakCommands(cellEscaper.Replace(s)))
}

var cellEscaper = strings.NewReplacer("\\", "\\\\", "|", "\\|", "\r\n", " ", "\n", " ", "\r", " ", "`", "\\`")

// Markdown writes the report in the seed's layout: failures, warnings, passed, then the
// sections perfgate adds (acknowledged, evidence, estimates, not compared, services on
// one side only, comparability, the Trend section of t — none when t is nil), then the
// summary.
func Markdown(w io.Writer, ev *threshold.Evaluation, t *Trend) error {
	var b strings.Builder
	b.WriteString(Title + "\n\n")
	seedSections(&b, ev)
	acknowledgedSection(&b, ev)
	evidenceSection(&b, ev)
	estimatedSection(&b, ev)
	notComparedSection(&b, ev)
	missingSection(&b, ev)
	comparabilitySection(&b, ev)
	inputsSection(&b, ev)
	trendSection(&b, t)
	summarySection(&b, ev)
	_, err := io.WriteString(w, b.String())
	return err
}

// tableSection writes a section made of a table: the heading, intro (when not empty),
// the header and separator of cols, the rows (their cells as given) and a blank line;
// nothing when there is no row.
func tableSection(b *strings.Builder, heading, intro string, cols []string, rows [][]string) {
	if len(rows) == 0 {
		return
	}
	b.WriteString(heading + "\n\n")
	if intro != "" {
		b.WriteString(intro + "\n\n")
	}
	b.WriteString("| " + strings.Join(cols, " | ") + " |\n|")
	for _, c := range cols {
		b.WriteString(strings.Repeat("-", len(c)+2) + "|")
	}
	b.WriteString("\n")
	for _, cells := range rows {
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
}

// rowsOf makes a table row of each result.
func rowsOf(rs []threshold.Result, cells func(r threshold.Result) []string) [][]string {
	out := make([][]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, cells(r))
	}
	return out
}

// seedSections writes the seed's failures, warnings and passed sections.
func seedSections(b *strings.Builder, ev *threshold.Evaluation) {
	tableSection(b, FailuresHeading, "", []string{"Service", "Metric", "Expected", "Current", "Change", "Impact"},
		rowsOf(filter(ev, threshold.Fail), func(r threshold.Result) []string {
			impact := CriticalImpact
			if r.Ack != nil {
				impact += " (" + AckExpired(r.Ack) + ")"
			}
			return []string{Cell(r.Service), Cell(r.Metric), Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), impact}
		}))
	tableSection(b, WarningsHeading, "", []string{"Service", "Metric", "Expected", "Current", "Change"},
		rowsOf(filter(ev, threshold.Warn), func(r threshold.Result) []string {
			return []string{Cell(r.Service), Cell(r.Metric), Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r)}
		}))
	if n := ev.Count(threshold.Pass); n > 0 {
		fmt.Fprintf(b, PassedHeadingFmt+"\n\n%s\n\n", n, PassedLine)
	}
}

func evidenceSection(b *strings.Builder, ev *threshold.Evaluation) {
	var evidence []threshold.Result
	for _, r := range ev.Results {
		if r.Evidence != nil {
			evidence = append(evidence, r)
		}
	}
	tableSection(b, EvidenceHeading, "", []string{"Service", "Metric", "Verdict", "Evidence", "Decided by"},
		rowsOf(evidence, func(r threshold.Result) []string {
			return []string{Cell(r.Service), Cell(r.Metric), r.Status.String(), Cell(Evidence(r)), fmt.Sprint(r.Decided())}
		}))
}

func notComparedSection(b *strings.Builder, ev *threshold.Evaluation) {
	tableSection(b, NotComparedHeading, "", []string{"Service", "Metric", "Expected", "Current", "Reason"},
		rowsOf(filter(ev, threshold.NotCompared), func(r threshold.Result) []string {
			return []string{Cell(r.Service), Cell(r.Metric), FormatValue(r.Baseline, r.HasBaseline), FormatValue(r.Current, r.HasCurrent), Cell(Reason(r))}
		}))
}

func missingSection(b *strings.Builder, ev *threshold.Evaluation) {
	var rows [][]string
	for _, m := range ev.Missing {
		note := "no current results for this service: it was not tested, or its name changed"
		if m.Side == threshold.CurrentOnly {
			note = "no baseline for this service: refresh the baseline to compare it"
		}
		rows = append(rows, []string{Cell(m.Service), fmt.Sprint(m.Side), note})
	}
	tableSection(b, MissingHeading, "", []string{"Service", "Present in", "Note"}, rows)
}

func comparabilitySection(b *strings.Builder, ev *threshold.Evaluation) {
	bulletSection(b, ComparabilityHeading, "The two runs may not be comparable; read the verdicts with care:", ev.Comparability)
}

// inputsSection tells how raw inputs were read, when reading found something worth
// telling: a file of several appended runs of which one was read, skipped records.
func inputsSection(b *strings.Builder, ev *threshold.Evaluation) {
	bulletSection(b, InputsHeading, "How the result files were read:", ev.InputNotes)
}

// bulletSection writes a heading, an intro and a bullet per item (none when no item);
// the items come from the input files (names, formats, paths) and are neutralized.
func bulletSection(b *strings.Builder, heading, intro string, items []string) {
	if len(items) == 0 {
		return
	}
	b.WriteString(heading + "\n\n" + intro + "\n\n")
	for _, it := range items {
		fmt.Fprintf(b, "- %s\n", cli.Sanitize(it))
	}
	b.WriteString("\n")
}

func summarySection(b *strings.Builder, ev *threshold.Evaluation) {
	b.WriteString(SummaryHeading + "\n\n")
	fmt.Fprintf(b, "- **Total Metrics**: %d\n", ev.Compared())
	fmt.Fprintf(b, "- **Failures**: %d\n", ev.Count(threshold.Fail))
	fmt.Fprintf(b, "- **Warnings**: %d\n", ev.Count(threshold.Warn))
	fmt.Fprintf(b, "- **Passed**: %d\n", ev.Count(threshold.Pass))
	if n := ev.Count(threshold.Acknowledged); n > 0 {
		fmt.Fprintf(b, "- **Acknowledged**: %d\n", n)
	}
	if n := ev.Count(threshold.NotCompared); n > 0 {
		fmt.Fprintf(b, "- **Not Compared**: %d\n", n)
	}
}

// estimatedSection lists the percentiles compared as estimates from the averages, so
// that nobody reads them as measured.
func estimatedSection(b *strings.Builder, ev *threshold.Evaluation) {
	var rows []threshold.Result
	for _, r := range ev.Results {
		if r.Estimate != nil && r.Status != threshold.NotCompared {
			rows = append(rows, r)
		}
	}
	tableSection(b, EstimatedHeading, "These rows compare estimates from the averages (p95 = int(1.4 × avg), p99 = int(1.7 × avg)), not measured percentiles. Refresh the baseline with `extract-baselines` to compare measured percentiles.",
		[]string{"Service", "Metric", "Expected", "Current", "Verdict", "How"},
		rowsOf(rows, func(r threshold.Result) []string {
			return []string{Cell(r.Service), Cell(r.Metric), FormatValue(r.Baseline, r.HasBaseline), FormatValue(r.Current, r.HasCurrent), r.Status.String(), Cell(EstimateNote(r))}
		}))
}

func filter(ev *threshold.Evaluation, s threshold.Status) []threshold.Result {
	var out []threshold.Result
	for _, r := range ev.Results {
		if r.Status == s {
			out = append(out, r)
		}
	}
	return out
}
