package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/threshold"
)

// This file holds every word the report says about a verdict: pkg/threshold returns
// numbers and reasons as data, and the renderers (markdown, JSON, JUnit, annotations, the
// issue body) take their text from here.

// FormatNumber prints a number without needless decimals: 450, 0.5, 2.02 (at most 2
// decimals, README: "The report").
func FormatNumber(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// Reason says why a metric got its status: "+66.7% is beyond +50%", "not in the current
// results", "only 12 requests (min_requests 30) (the threshold alone would fail: …)".
func Reason(r threshold.Result) string {
	if r.Status == threshold.NotCompared {
		return skipReason(r)
	}
	base := thresholdReason(r)
	if r.Downgraded {
		return downgradeWhy(r) + " (the threshold alone would fail: " + base + ")"
	}
	if r.Ack != nil && r.Status == threshold.Fail {
		base += "; " + AckExpired(r.Ack)
	}
	return base
}

func skipReason(r threshold.Result) string {
	why := ""
	switch {
	case r.PythonZero > 0:
		why = " (" + PythonZeroNote(r.PythonZero) + ")"
	case len(r.Measured) > 0:
		why = " (" + MeasuredNote([]string{r.Metric}, r.Measured) + ")"
	}
	switch r.Skip {
	case threshold.InNeither:
		return "in neither the baseline nor the current results" + why
	case threshold.NotInCurrent:
		return "not in the current results" + why
	case threshold.NotInBaseline:
		return "not in the baseline" + why
	case threshold.ZeroBaseline:
		return "relative threshold against a baseline of 0"
	case threshold.NoAverage:
		_, other := estimateSides(r.Estimate)
		return fmt.Sprintf("estimated from the average on one side, and the %s has no average to estimate it alike from", other)
	}
	return ""
}

// MeasuredNote explains percentiles (metric names) missing from an input that holds
// others (pcts): the tool did not report them, and perfgate estimates a percentile from
// the average only for an input without any.
func MeasuredNote(metrics []string, pcts []float64) string {
	short := make([]string, len(metrics))
	for i, m := range metrics {
		short[i], _, _ = strings.Cut(m, "_")
	}
	return fmt.Sprintf("the input has %s but not %s; a percentile is estimated from the average only when an input has none", PctList(pcts), strings.Join(short, " or "))
}

// PctList names percentiles as "p50, p90 and p95".
func PctList(pcts []float64) string {
	names := make([]string, len(pcts))
	for i, p := range pcts {
		names[i] = "p" + strconv.FormatFloat(p, 'f', -1, 64)
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// PythonZeroNote explains a percentile read as missing: the 0 the Python scripts wrote
// next to an average (ms) when they could not compute it.
func PythonZeroNote(avg float64) string {
	return fmt.Sprintf("0 next to an average of %s ms: a percentile the Python scripts could not compute", FormatNumber(avg))
}

// thresholdReason compares the judged value with the threshold in words.
func thresholdReason(r threshold.Result) string {
	t := r.Threshold
	var actual, warn string
	switch t.Kind {
	case threshold.Relative:
		actual, warn = fmt.Sprintf("%+.1f%%", r.Value*100), signedLimit(t, r.WarnLimit)
	case threshold.Absolute:
		actual, warn = signed(r.Value), signedLimit(t, r.WarnLimit)
	default:
		actual, warn = FormatNumber(r.Value), FormatNumber(r.WarnLimit)
	}
	over, under := "beyond", "beyond"
	switch t.Kind {
	case threshold.Max:
		over = "above"
	case threshold.Min:
		over = "below"
	}
	switch r.Level {
	case threshold.BeyondLimit:
		return fmt.Sprintf("%s is %s %s", actual, over, t.Expr)
	case threshold.BeyondWarn:
		if t.Kind == threshold.Relative || t.Kind == threshold.Absolute {
			return fmt.Sprintf("%s is %s the warning level %s of %s", actual, under, warn, t.Expr)
		}
		return fmt.Sprintf("%s is %s the warning level %s (%s)", actual, over, warn, t.Expr)
	}
	return fmt.Sprintf("%s is within %s", actual, t.Expr)
}

func signed(v float64) string {
	s := FormatNumber(math.Abs(v))
	if v < 0 && s != "0" {
		return "-" + s
	}
	return "+" + s
}

func signedLimit(t threshold.Threshold, v float64) string {
	sign := "+"
	if !t.Up {
		sign = "-"
	}
	if t.Kind == threshold.Relative {
		return sign + FormatNumber(v*100) + "%"
	}
	return sign + FormatNumber(v)
}

// EstimateNote says how the two estimates of a percentile were obtained ("" when the
// values are measured).
func EstimateNote(r threshold.Result) string {
	e := r.Estimate
	if e == nil || r.Skip == threshold.NoAverage {
		return ""
	}
	if e.Both {
		return "both sides estimated from their averages (neither input had percentiles)"
	}
	held, other := estimateSides(e)
	short, _, _ := strings.Cut(r.Metric, "_")
	had := "it had no " + short
	if e.HadOther {
		had = "its measured " + FormatNumber(e.OtherMeasured) + " is not comparable with an estimate"
	}
	bounded := ""
	if e.Bounded {
		bounded = ", kept within its median and max"
	}
	return fmt.Sprintf("%s: an estimate from its average (no measured percentile); %s: estimated alike from its average %s%s (%s)", held, other, FormatNumber(e.OtherAvg), bounded, had)
}

// estimateSides names the side that held the estimate and the side estimated alike.
func estimateSides(e *threshold.Estimate) (held, other string) {
	if e != nil && !e.BaselineHeld {
		return "current run", "baseline"
	}
	return "baseline", "current run"
}

// BrokenNote says why a baseline cannot describe its service (Comparability section).
func BrokenNote(b threshold.Broken) string {
	var why []string
	if b.TooManyFail {
		why = append(why, fmt.Sprintf("the baseline had %s %% failures: its latencies describe errors, not the service", strconv.FormatFloat(b.FailPct, 'f', 1, 64)))
	}
	if b.TooFew {
		why = append(why, fmt.Sprintf("the baseline had only %s requests (min_requests %d): too few to describe the service", FormatNumber(b.Requests), b.MinRequests))
	}
	return Cell(b.Service) + ": " + strings.Join(why, "; ")
}
