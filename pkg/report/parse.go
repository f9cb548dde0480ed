package report

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/perfgate/perfgate/pkg/threshold"
)

// Row is one failing or warning row of a report, cells as written (markdown-escaped).
type Row struct {
	Service, Metric, Expected, Current, Change string
}

// EvidenceRow is one row of the noise-aware Evidence section, cells as written.
type EvidenceRow struct {
	Service, Metric, Verdict, Evidence, DecidedBy string
}

// Parsed is what create-regression-issue needs of a report.
type Parsed struct {
	Failures []Row
	Warnings []Row
	Evidence []EvidenceRow
	// Command is the command line that wrote the report, when it says (perfgate's
	// reports end with it as a hidden comment).
	Command *Command
	// Format is "markdown" or "json".
	Format string
	// Trend holds the charts of the report's Trend section (markdown reports only).
	Trend []TrendChart
	// Summary holds the report's counts, when it has them.
	Summary Summary
	// Acknowledged tells that the report has acknowledged failures (regressions that
	// persist, though they do not fail the build).
	Acknowledged bool
}

// TrendChart is one chart of a report's Trend section: its heading's service and metric
// (as written, markdown-escaped), the metric's status in that run, and the Mermaid
// source between the code fences.
type TrendChart struct {
	Service, Metric, Status string
	Mermaid                 string
}

// Summary is the report's "## Summary" (markdown) or "summary" (JSON).
type Summary struct {
	// Known tells that the report had a summary.
	Known bool
	// Total counts the compared metrics.
	Total, Failures, Warnings, Passed, NotCompared int
	// Verdict is pass, warning, acknowledged, fail or incomparable, as compare-performance
	// recorded it (in the JSON results, or a markdown report's command comment); "" for a
	// report that does not say (the Python script's).
	Verdict string
}

// summaryLine is a "- **Total Metrics**: 9" bullet of the Summary section.
var summaryLine = regexp.MustCompile(`^- \*\*([A-Za-z ]+)\*\*: (\d+)$`)

// addSummary reads one Summary bullet.
func (s *Summary) addSummary(line string) {
	m := summaryLine.FindStringSubmatch(line)
	if m == nil {
		return
	}
	n, _ := strconv.Atoi(m[2])
	field := map[string]*int{"Total Metrics": &s.Total, "Failures": &s.Failures, "Warnings": &s.Warnings, "Passed": &s.Passed, "Not Compared": &s.NotCompared}[m[1]]
	if field != nil {
		*field = n
		s.Known = true
	}
}

// Parse reads a regression report: the markdown that compare-performance (or the Python
// compare script, same layout) writes, or the --json results; detected by content.
func Parse(doc []byte, file string) (*Parsed, error) {
	t := bytes.TrimSpace(bytes.TrimPrefix(doc, []byte("\ufeff")))
	if len(t) == 0 {
		return nil, fileerr.At(file, 0, "file is empty")
	}
	if t[0] == '{' {
		return parseJSON(t, file)
	}
	return parseMarkdown(string(t), file)
}

func parseMarkdown(doc, file string) (*Parsed, error) {
	p := &Parsed{Format: "markdown"}
	lines := strings.Split(strings.ReplaceAll(doc, "\r\n", "\n"), "\n")
	titled, evidence, summary := false, false, false
	var section *[]Row
	var trend trendParser
	for i, line := range lines {
		if trend.line(line) {
			continue
		}
		l := strings.TrimSpace(line)
		if c, ok := parseCommand(l); ok {
			p.Command, p.Summary.Verdict = c, c.Verdict
			continue
		}
		switch {
		case l == Title:
			titled = true
			continue
		case strings.HasPrefix(l, "#"):
			section, evidence, summary = nil, l == EvidenceHeading, l == SummaryHeading
			p.Acknowledged = p.Acknowledged || l == AcknowledgedHeading
			if strings.HasPrefix(l, "### ") && strings.Contains(l, "Failures") {
				section = &p.Failures
			} else if strings.HasPrefix(l, "### ") && strings.Contains(l, "Warnings") {
				section = &p.Warnings
			}
			continue
		}
		if summary {
			p.Summary.addSummary(l)
			continue
		}
		if (section == nil && !evidence) || !strings.HasPrefix(l, "|") {
			continue
		}
		cells := splitRow(l)
		if len(cells) > 0 && (cells[0] == "Service" || strings.Trim(cells[0], "-: ") == "") {
			continue // header or separator
		}
		if evidence {
			if len(cells) >= 5 {
				p.Evidence = append(p.Evidence, EvidenceRow{cells[0], cells[1], cells[2], cells[3], cells[4]})
			}
			continue
		}
		if len(cells) < 5 {
			return nil, fileerr.At(file, i+1, "table row with %d cells, want at least 5 (Service, Metric, Expected, Current, Change)", len(cells))
		}
		*section = append(*section, Row{Service: cells[0], Metric: threshold.CanonicalMetric(cells[1]), Expected: normNumber(cells[2]), Current: normNumber(cells[3]), Change: cells[4]})
	}
	if !titled {
		return nil, fileerr.At(file, 0, "not a regression report (no %q heading)", Title)
	}
	p.Trend = trend.charts
	return p, nil
}

// trendParser collects the charts of the Trend section: "#### service · metric —
// status" headings, each followed by a mermaid code block.
type trendParser struct {
	in, code bool
	cur      *TrendChart
	src      strings.Builder
	charts   []TrendChart
}

// line consumes a line of the report when it belongs to the Trend section.
func (t *trendParser) line(raw string) bool {
	l := strings.TrimSpace(raw)
	switch {
	case t.code && l == "```":
		t.code = false
		if t.cur != nil {
			t.cur.Mermaid = t.src.String()
			t.charts = append(t.charts, *t.cur)
			t.cur = nil
		}
	case t.code:
		t.src.WriteString(strings.TrimRight(raw, "\r") + "\n")
	case l == TrendHeading:
		t.in = true
	case !t.in:
		return false
	case strings.HasPrefix(l, TrendChartPrefix):
		t.cur = parseChartHeading(strings.TrimPrefix(l, TrendChartPrefix))
	case l == "```mermaid":
		t.code = true
		t.src.Reset()
	case strings.HasPrefix(l, "#"):
		t.in, t.cur = false, nil
		return false
	}
	return true
}

// parseChartHeading reads "service · metric — status" (nil when it is not one).
func parseChartHeading(h string) *TrendChart {
	rest, status, ok1 := cutLast(h, " — ")
	service, metric, ok2 := cutLast(rest, " · ")
	if !ok1 || !ok2 {
		return nil
	}
	return &TrendChart{Service: service, Metric: metric, Status: status}
}

func cutLast(s, sep string) (before, after string, ok bool) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+len(sep):], true
}

// splitRow splits a markdown table row on the pipes that are not escaped.
func splitRow(l string) []string {
	l = strings.TrimPrefix(strings.TrimSpace(l), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(l); i++ {
		switch {
		case l[i] == '\\' && i+1 < len(l):
			cur.WriteByte(l[i])
			cur.WriteByte(l[i+1])
			i++
		case l[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(l[i])
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		cells = append(cells, rest)
	}
	return cells
}

func parseJSON(doc []byte, file string) (*Parsed, error) {
	var rep JSONReport
	if err := json.Unmarshal(doc, &rep); err != nil {
		return nil, &fileerr.Error{File: file, Msg: "not a perfgate JSON report: " + err.Error(), Err: err}
	}
	if rep.Schema != JSONSchemaID {
		return nil, fileerr.At(file, 0, "not a perfgate JSON report (schema %q, want %q)", rep.Schema, JSONSchemaID)
	}
	sum := rep.Summary
	p := &Parsed{Format: "json", Summary: Summary{Known: true, Total: sum.Total, Failures: sum.Failures, Warnings: sum.Warnings, Passed: sum.Passed, NotCompared: sum.NotCompared, Verdict: sum.Verdict},
		Acknowledged: sum.Acknowledged > 0}
	for _, r := range rep.Results {
		row := Row{Service: Cell(r.Service), Metric: Cell(r.Metric), Expected: num(r.Baseline), Current: num(r.Current), Change: r.Change}
		switch r.Status {
		case threshold.Fail:
			p.Failures = append(p.Failures, row)
		case threshold.Warn:
			p.Warnings = append(p.Warnings, row)
		}
		if r.Evidence != "" && (r.Status == threshold.Fail || r.Status == threshold.Warn) {
			p.Evidence = append(p.Evidence, EvidenceRow{row.Service, row.Metric, r.Status.String(), Cell(r.Evidence), r.DecidedBy})
		}
	}
	p.Command = rep.Command
	return p, nil
}

// normNumber prints numeric cells the way perfgate does ("2.0" from the Python script
// becomes "2"), so that both reports give the same rows.
func normNumber(c string) string {
	v, err := strconv.ParseFloat(c, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return c
	}
	return FormatNumber(v)
}

func num(v *float64) string {
	if v == nil {
		return "—"
	}
	return FormatNumber(*v)
}
