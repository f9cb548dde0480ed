package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
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
	// UnusedThresholds are the services that thresholds name but neither file has.
	UnusedThresholds []threshold.UnusedService `json:"unused_thresholds,omitempty"`
}

// JSONSummary counts the results.
type JSONSummary struct {
	Total       int `json:"total"`
	Failures    int `json:"failures"`
	Warnings    int `json:"warnings"`
	Passed      int `json:"passed"`
	NotCompared int `json:"not_compared"`
	// Acknowledged counts the failures an unexpired acknowledgement covers.
	Acknowledged int    `json:"acknowledged,omitempty"`
	Verdict      string `json:"verdict"`
	ExitCode     int    `json:"exit_code"`
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
	// Acknowledgement is the acknowledged: entry that matched the failure: it covers it
	// (status acknowledged) or it has expired (status fail).
	Acknowledgement *JSONAck `json:"acknowledgement,omitempty"`
}

// JSONAck is an acknowledged: entry of the configuration.
type JSONAck struct {
	Reason  string `json:"reason"`
	Until   string `json:"until"` // YYYY-MM-DD, the last day covered (UTC)
	Issue   string `json:"issue,omitempty"`
	Expired bool   `json:"expired"`
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
	rep := JSONReport{Schema: JSONSchemaID, Results: []JSONResult{}, Services: []JSONMissing{}, Command: cmd, UnusedThresholds: ev.Unused}
	rep.Summary = JSONSummary{
		Total: ev.Compared(), Failures: ev.Count(threshold.Fail), Warnings: ev.Count(threshold.Warn),
		Passed: ev.Count(threshold.Pass), NotCompared: ev.Count(threshold.NotCompared),
		Acknowledged: ev.Count(threshold.Acknowledged), Verdict: verdict, ExitCode: exitCode,
	}
	for _, r := range ev.Results {
		jr := JSONResult{Service: r.Service, Metric: r.Metric, Change: FormatChange(r), Threshold: r.Threshold.Expr, Status: r.Status,
			Reason: Reason(r), Evidence: Evidence(r), DecidedBy: r.Decided().String(), Estimated: r.Estimate != nil, EstimateNote: EstimateNote(r)}
		jr.Baseline = finite(r.Baseline, r.HasBaseline, &jr.Reason, "baseline")
		jr.Current = finite(r.Current, r.HasCurrent, &jr.Reason, "current value")
		if pct, inf, ok := r.Change(); ok && !inf {
			jr.ChangePct = finite(math.Round(pct*100)/100, true, &jr.Reason, "change")
		}
		if a := r.Ack; a != nil {
			jr.Acknowledgement = &JSONAck{Reason: a.Reason, Until: a.Until.Format(config.AckDate), Issue: a.Issue, Expired: r.Status != threshold.Acknowledged}
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

// finite is v for JSON, or null when unknown; JSON has no NaN or infinities, so such a
// value is null too and the reason says so.
func finite(v float64, ok bool, reason *string, what string) *float64 {
	if !ok {
		return nil
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		*reason += fmt.Sprintf(" (the %s, %v, is not a finite number)", what, v)
		return nil
	}
	return &v
}

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

// JUnitOptions are the flags of compare-performance that make more cases fail the gate;
// the JUnit file shows them failed too, so that it agrees with the exit code.
type JUnitOptions struct {
	WarnAsError   bool // --warn-as-error: a warning is a <failure>
	FailOnMissing bool // --fail-on-missing: a metric not compared, a baseline service missing, is a <failure>
	// StrictComparability (--strict-comparability): runs that differ in load profile are
	// an <error> case, as when nothing could be compared.
	StrictComparability bool
}

// JUnit writes one test case per metric — failures as <failure>, warnings as passed
// cases with a <system-out>, not-compared and acknowledged metrics as <skipped> — plus a
// skipped case per service present on one side only and, when nothing could be compared,
// an <error> case (a viewer must not show a gate that could not judge as green). With
// opt, warnings and missing metrics or services that fail the gate are <failure>s, and
// runs not comparable under --strict-comparability an <error>.
func JUnit(w io.Writer, ev *threshold.Evaluation, opt JUnitOptions) error {
	suite := junitSuite{Name: "performance-regression", Time: junitTime}
	for _, r := range ev.Results {
		c := junitCase{Name: JUnitName(r.Service, r.Metric), Classname: JUnitClassname(r.Service), Time: junitTime}
		reason := Reason(r)
		detail := fmt.Sprintf("%s %s: expected %s, current %s, change %s, threshold %s: %s",
			r.Service, r.Metric, Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), r.Threshold.Expr, reason)
		if ev := Evidence(r); ev != "" {
			detail += " [" + ev + "]"
		}
		switch r.Status {
		case threshold.Fail:
			c.Failure = &junitMessage{Message: reason, Type: "regression", Text: detail}
		case threshold.Warn:
			c.SystemOut = "warning: " + detail
			if opt.WarnAsError {
				c.Failure = &junitMessage{Message: reason + " (--warn-as-error)", Type: "warning", Text: detail}
			}
		case threshold.NotCompared:
			c.Skipped = &junitMessage{Message: reason}
			if opt.FailOnMissing {
				c.Skipped, c.Failure = nil, &junitMessage{Message: reason + " (--fail-on-missing)", Type: "not-compared", Text: detail}
			}
		case threshold.Acknowledged:
			c.Skipped = &junitMessage{Message: fmt.Sprintf("acknowledged until %s: %s", r.Ack.Until.Format(config.AckDate), r.Ack.Reason), Text: detail}
		}
		suite.add(c)
	}
	for _, m := range ev.Missing {
		side, note := "baseline", "no current results for this service: it was not tested, or its name changed"
		if m.Side == threshold.CurrentOnly {
			side, note = "current", "no baseline for this service: refresh the baseline to compare it"
		}
		c := junitCase{Name: JUnitName(m.Service, "present in "+side+" only"), Classname: JUnitClassname(m.Service), Time: junitTime, Skipped: &junitMessage{Message: note}}
		if opt.FailOnMissing && m.Side == threshold.BaselineOnly {
			c.Skipped, c.Failure = nil, &junitMessage{Message: note + " (--fail-on-missing)", Type: "not-compared"}
		}
		suite.add(c)
	}
	msg := ""
	switch {
	case ev.Common == 0:
		msg = "nothing comparable: the baseline and the current results have no service in common"
	case ev.Compared() == 0:
		msg = "nothing comparable: none of the metrics with a threshold could be compared"
	case opt.StrictComparability && len(ev.Comparability) > 0:
		msg = "runs not comparable (--strict-comparability): " + strings.Join(ev.Comparability, "; ")
	}
	if msg != "" {
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

// MaxAnnotations is how many annotations of each kind are printed: GitHub shows at most
// 10 per type per step, so the most severe come first and one more says how many are left.
const MaxAnnotations = 10

// Annotations writes GitHub Actions workflow commands: an ::error per failing metric, a
// ::warning per warning and a ::notice per acknowledged failure, the most severe first
// (how far beyond its threshold), at most MaxAnnotations of each, then one "… and N
// more". An annotation whose threshold comes from the configuration file points at its
// line there.
func Annotations(w io.Writer, ev *threshold.Evaluation) error {
	for _, kind := range []struct {
		status             threshold.Status
		cmd, title, plural string
	}{
		{threshold.Fail, "error", "Performance regression", "failing metrics"},
		{threshold.Warn, "warning", "Performance warning", "warning metrics"},
		{threshold.Acknowledged, "notice", "Acknowledged performance regression", "acknowledged metrics"},
	} {
		rows := bySeverity(filter(ev, kind.status))
		for i, r := range rows {
			if i == MaxAnnotations {
				msg := fmt.Sprintf("… and %d more %s: see the report (step summary or artifact)", len(rows)-i, kind.plural)
				if _, err := fmt.Fprintf(w, "::%s title=%s::%s\n", kind.cmd, escapeProperty(kind.title+"s"), escapeData(msg)); err != nil {
					return err
				}
				break
			}
			msg := fmt.Sprintf("%s %s: %s → %s (%s, threshold %s)", cli.BreakCommands(r.Service), cli.BreakCommands(r.Metric), Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), r.Threshold.Expr) + ackNote(r)
			if _, err := fmt.Fprintf(w, "::%s %s::%s\n", kind.cmd, annotationProperties(kind.title, r.Threshold), escapeData(msg)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ackNote tells, on an annotation, the acknowledgement that covers a failure or has
// expired.
func ackNote(r threshold.Result) string {
	switch {
	case r.Ack == nil:
		return ""
	case r.Status == threshold.Acknowledged:
		return fmt.Sprintf("; acknowledged until %s: %s", r.Ack.Until.Format(config.AckDate), cli.BreakCommands(r.Ack.Reason))
	}
	return "; " + AckExpired(r.Ack)
}

// annotationProperties are title= and, for a threshold set in the configuration file,
// file= and line=.
func annotationProperties(title string, t threshold.Threshold) string {
	p := "title=" + escapeProperty(title)
	if t.File != "" && t.Line > 0 {
		p += fmt.Sprintf(",file=%s,line=%d", escapeProperty(t.File), t.Line)
	}
	return p
}

// bySeverity orders results by how far beyond their threshold they went (the judged
// value over the limit), the farthest first; ties keep the report's order.
func bySeverity(rs []threshold.Result) []threshold.Result {
	sev := func(r threshold.Result) float64 {
		bad := r.Value
		switch r.Threshold.Kind {
		case threshold.Relative, threshold.Absolute:
			if !r.Threshold.Up {
				bad = -bad
			}
		case threshold.Min:
			bad = r.Threshold.Limit - r.Value
		case threshold.Max:
			bad = r.Value - r.Threshold.Limit
		}
		if r.Threshold.Limit == 0 {
			return math.Inf(1) * math.Copysign(1, bad)
		}
		return bad / math.Abs(r.Threshold.Limit)
	}
	out := append([]threshold.Result(nil), rs...)
	sort.SliceStable(out, func(i, j int) bool { return sev(out[i]) > sev(out[j]) })
	return out
}

// escapeData and escapeProperty follow the workflow-command encoding of the GitHub
// Actions toolkit (core/command.ts).
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
