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
	trendSection(&b, t)
	summarySection(&b, ev)
	_, err := io.WriteString(w, b.String())
	return err
}

// seedSections writes the seed's failures, warnings and passed sections.
func seedSections(b *strings.Builder, ev *threshold.Evaluation) {
	if fails := filter(ev, threshold.Fail); len(fails) > 0 {
		b.WriteString(FailuresHeading + "\n\n")
		b.WriteString("| Service | Metric | Expected | Current | Change | Impact |\n")
		b.WriteString("|---------|--------|----------|---------|--------|--------|\n")
		for _, r := range fails {
			impact := CriticalImpact
			if r.Ack != nil {
				impact += " (" + AckExpired(r.Ack) + ")"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", Cell(r.Service), Cell(r.Metric), Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), impact)
		}
		b.WriteString("\n")
	}
	if warns := filter(ev, threshold.Warn); len(warns) > 0 {
		b.WriteString(WarningsHeading + "\n\n")
		b.WriteString("| Service | Metric | Expected | Current | Change |\n")
		b.WriteString("|---------|--------|----------|---------|--------|\n")
		for _, r := range warns {
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Cell(r.Service), Cell(r.Metric), Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r))
		}
		b.WriteString("\n")
	}
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
	if len(evidence) == 0 {
		return
	}
	b.WriteString(EvidenceHeading + "\n\n")
	b.WriteString("| Service | Metric | Verdict | Evidence | Decided by |\n")
	b.WriteString("|---------|--------|---------|----------|------------|\n")
	for _, r := range evidence {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Cell(r.Service), Cell(r.Metric), r.Status, Cell(Evidence(r)), r.Decided())
	}
	b.WriteString("\n")
}

func notComparedSection(b *strings.Builder, ev *threshold.Evaluation) {
	nc := filter(ev, threshold.NotCompared)
	if len(nc) == 0 {
		return
	}
	b.WriteString(NotComparedHeading + "\n\n")
	b.WriteString("| Service | Metric | Expected | Current | Reason |\n")
	b.WriteString("|---------|--------|----------|---------|--------|\n")
	for _, r := range nc {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", Cell(r.Service), Cell(r.Metric), FormatValue(r.Baseline, r.HasBaseline), FormatValue(r.Current, r.HasCurrent), Cell(Reason(r)))
	}
	b.WriteString("\n")
}

func missingSection(b *strings.Builder, ev *threshold.Evaluation) {
	if len(ev.Missing) == 0 {
		return
	}
	b.WriteString(MissingHeading + "\n\n")
	b.WriteString("| Service | Present in | Note |\n")
	b.WriteString("|---------|------------|------|\n")
	for _, m := range ev.Missing {
		note := "no current results for this service: it was not tested, or its name changed"
		if m.Side == threshold.CurrentOnly {
			note = "no baseline for this service: refresh the baseline to compare it"
		}
		fmt.Fprintf(b, "| %s | %s | %s |\n", Cell(m.Service), m.Side, note)
	}
	b.WriteString("\n")
}

func comparabilitySection(b *strings.Builder, ev *threshold.Evaluation) {
	if len(ev.Comparability) == 0 {
		return
	}
	b.WriteString(ComparabilityHeading + "\n\n")
	b.WriteString("The two runs may not be comparable; read the verdicts with care:\n\n")
	for _, c := range ev.Comparability {
		fmt.Fprintf(b, "- %s\n", cli.Sanitize(c)) // names and formats come from the input files
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
	if len(rows) == 0 {
		return
	}
	b.WriteString(EstimatedHeading + "\n\n")
	b.WriteString("These rows compare estimates from the averages (p95 = int(1.4 × avg), p99 = int(1.7 × avg)), not measured percentiles. Refresh the baseline with `extract-baselines` to compare measured percentiles.\n\n")
	b.WriteString("| Service | Metric | Expected | Current | Verdict | How |\n")
	b.WriteString("|---------|--------|----------|---------|---------|-----|\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", Cell(r.Service), Cell(r.Metric), FormatValue(r.Baseline, r.HasBaseline), FormatValue(r.Current, r.HasCurrent), r.Status, Cell(EstimateNote(r)))
	}
	b.WriteString("\n")
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
