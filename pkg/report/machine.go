package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/perfgate/perfgate/pkg/threshold"
)

// JSONReport is the --json output (schema in README).
type JSONReport struct {
	Schema   string        `json:"schema"`
	Summary  JSONSummary   `json:"summary"`
	Results  []JSONResult  `json:"results"`
	Services []JSONMissing `json:"services_not_in_both"`
	// Comparability lists differences in load profile between the runs and, noise-aware,
	// broken baselines (may be empty).
	Comparability []string `json:"comparability,omitempty"`
	// Command is the command line that wrote the results.
	Command *Command `json:"command,omitempty"`
}

// JSONSummary counts the results.
type JSONSummary struct {
	Total       int    `json:"total"`
	Failures    int    `json:"failures"`
	Warnings    int    `json:"warnings"`
	Passed      int    `json:"passed"`
	NotCompared int    `json:"not_compared"`
	Verdict     string `json:"verdict"`
	ExitCode    int    `json:"exit_code"`
}

// JSONResult is one metric of one service. Missing values are null.
type JSONResult struct {
	Service   string           `json:"service"`
	Metric    string           `json:"metric"`
	Baseline  *float64         `json:"baseline"`
	Current   *float64         `json:"current"`
	ChangePct *float64         `json:"change_pct"`
	Change    string           `json:"change"`
	Threshold string           `json:"threshold"`
	Status    threshold.Status `json:"status"`
	Reason    string           `json:"reason"`
	Evidence  string           `json:"evidence,omitempty"`
	DecidedBy string           `json:"decided_by,omitempty"`
	// Estimated is true when both values are percentiles estimated from the averages
	// (see EstimateNote) rather than measured.
	Estimated    bool   `json:"estimated,omitempty"`
	EstimateNote string `json:"estimate_note,omitempty"`
}

// JSONMissing is a service present on one side only.
type JSONMissing struct {
	Service   string `json:"service"`
	PresentIn string `json:"present_in"`
}

// JSONSchemaID names the version of the --json layout.
const JSONSchemaID = "perfgate/compare/v1"

// JSON writes the machine-readable results. verdict and exitCode are the command's, cmd
// its command line (may be nil).
func JSON(w io.Writer, ev *threshold.Evaluation, verdict string, exitCode int, cmd *Command) error {
	rep := JSONReport{Schema: JSONSchemaID, Results: []JSONResult{}, Services: []JSONMissing{}, Command: cmd}
	rep.Summary = JSONSummary{
		Total: ev.Compared(), Failures: ev.Count(threshold.Fail), Warnings: ev.Count(threshold.Warn),
		Passed: ev.Count(threshold.Pass), NotCompared: ev.Count(threshold.NotCompared),
		Verdict: verdict, ExitCode: exitCode,
	}
	for _, r := range ev.Results {
		jr := JSONResult{Service: r.Service, Metric: r.Metric, Change: FormatChange(r), Threshold: r.Threshold.Expr, Status: r.Status, Reason: r.Reason, Evidence: r.Evidence, DecidedBy: r.Decided, Estimated: r.Estimated, EstimateNote: r.EstimateNote}
		if r.HasBaseline {
			jr.Baseline = ptr(r.Baseline)
		}
		if r.HasCurrent {
			jr.Current = ptr(r.Current)
		}
		if pct, inf, ok := r.Change(); ok && !inf {
			jr.ChangePct = ptr(math.Round(pct*100) / 100)
		}
		rep.Results = append(rep.Results, jr)
	}
	for _, m := range ev.Missing {
		side := "baseline"
		if m.Side == threshold.CurrentOnly {
			side = "current"
		}
		rep.Services = append(rep.Services, JSONMissing{Service: m.Service, PresentIn: side})
	}
	rep.Comparability = ev.Comparability
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}

func ptr(v float64) *float64 { return &v }

// The JUnit layout is the one Jenkins' xUnit plugin validates against (junit-10.xsd,
// copied under testdata/junit): <testsuites> carries name, time, tests, failures and
// errors only (no skipped); <testsuite> adds skipped; every suite and case has a time.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Time     string       `xml:"time,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Time     string      `xml:"time,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Error     *junitMessage `xml:"error,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// junitTime is the time of every suite and case: a comparison takes no measurable time,
// and a fixed value keeps the file deterministic.
const junitTime = "0"

// JUnitClassname is the classname of a service's test cases: "perfgate." and the service
// with its dots replaced by "_", because Jenkins splits a classname at its last dot into
// package and class (an endpoint such as "/api/v1.2/x" must not become packages).
func JUnitClassname(service string) string {
	return "perfgate." + strings.ReplaceAll(service, ".", "_")
}

// JUnitName is the name of a metric's test case; it says service and metric, because
// viewers list cases by name.
func JUnitName(service, metric string) string {
	return service + ": " + metric
}

// JUnit writes one test case per metric — failures as <failure>, warnings as passed
// cases with a <system-out>, not-compared metrics as <skipped> — plus a skipped case per
// service present on one side only and, when nothing could be compared, an <error> case
// (a viewer must not show a gate that could not judge as green).
func JUnit(w io.Writer, ev *threshold.Evaluation) error {
	suite := junitSuite{Name: "performance-regression", Time: junitTime}
	for _, r := range ev.Results {
		c := junitCase{Name: JUnitName(r.Service, r.Metric), Classname: JUnitClassname(r.Service), Time: junitTime}
		detail := fmt.Sprintf("%s %s: expected %s, current %s, change %s, threshold %s: %s",
			r.Service, r.Metric, Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), r.Threshold.Expr, r.Reason)
		if r.Evidence != "" {
			detail += " [" + r.Evidence + "]"
		}
		switch r.Status {
		case threshold.Fail:
			c.Failure = &junitMessage{Message: r.Reason, Type: "regression", Text: detail}
		case threshold.Warn:
			c.SystemOut = "warning: " + detail
		case threshold.NotCompared:
			c.Skipped = &junitMessage{Message: r.Reason}
		}
		suite.add(c)
	}
	for _, m := range ev.Missing {
		side, note := "baseline", "no current results for this service: it was not tested, or its name changed"
		if m.Side == threshold.CurrentOnly {
			side, note = "current", "no baseline for this service: refresh the baseline to compare it"
		}
		suite.add(junitCase{Name: JUnitName(m.Service, "present in "+side+" only"), Classname: JUnitClassname(m.Service), Time: junitTime, Skipped: &junitMessage{Message: note}})
	}
	if ev.Compared() == 0 {
		msg := "nothing comparable: none of the metrics with a threshold could be compared"
		if ev.Common == 0 {
			msg = "nothing comparable: the baseline and the current results have no service in common"
		}
		suite.add(junitCase{Name: "perfgate: verdict", Classname: "perfgate", Time: junitTime, Error: &junitMessage{Message: msg, Type: "incomparable"}})
	}
	doc := junitSuites{Name: "perfgate", Time: junitTime, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// add appends a case and counts it.
func (s *junitSuite) add(c junitCase) {
	s.Tests++
	switch {
	case c.Failure != nil:
		s.Failures++
	case c.Error != nil:
		s.Errors++
	case c.Skipped != nil:
		s.Skipped++
	}
	s.Cases = append(s.Cases, c)
}

// Annotations writes one GitHub Actions workflow command per failing (::error) and
// warning (::warning) metric.
func Annotations(w io.Writer, ev *threshold.Evaluation) error {
	for _, r := range ev.Results {
		var cmd string
		switch r.Status {
		case threshold.Fail:
			cmd = "error"
		case threshold.Warn:
			cmd = "warning"
		default:
			continue
		}
		title := "Performance regression"
		if r.Status == threshold.Warn {
			title = "Performance warning"
		}
		msg := fmt.Sprintf("%s %s: %s → %s (%s, threshold %s)", r.Service, r.Metric, Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), r.Threshold.Expr)
		if _, err := fmt.Fprintf(w, "::%s title=%s::%s\n", cmd, escapeProperty(title), escapeData(msg)); err != nil {
			return err
		}
	}
	return nil
}

// escapeData and escapeProperty follow the workflow-command encoding of the GitHub
// Actions toolkit (core/command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
