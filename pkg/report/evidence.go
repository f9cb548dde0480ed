package report

import (
	"fmt"
	"strconv"

	"github.com/perfgate/perfgate/pkg/threshold"
)

// Evidence is the noise-aware mode's evidence for a failure or warning in words: the
// sample sizes, then the guard or the test that decided with its numbers ("" outside the
// mode).
func Evidence(r threshold.Result) string {
	e := r.Evidence
	if e == nil {
		return ""
	}
	s := fmt.Sprintf("n %s → %s", FormatNumber(e.Nb), FormatNumber(e.Nc))
	switch e.Rule {
	case threshold.MinRequests, threshold.MinDelta, threshold.BaselineRuns:
		return s + "; " + downgradeWhy(r)
	case threshold.ThresholdOnly:
		return s + "; " + aloneNote[e.Alone] + ": threshold alone"
	}
	s += "; " + testNumbers(e)
	if !e.Significant {
		return s + "; " + downgradeWhy(r)
	}
	if e.Interval != nil {
		return s
	}
	return s + " < " + formatAlpha(e.Alpha, e.Each)
}

var aloneNote = map[threshold.Alone]string{
	threshold.BoundOnly:       "a bound on the current value",
	threshold.NoFailureCounts: "no failure counts",
	threshold.EstimatesOnly:   "estimates from the averages, not order statistics",
	threshold.NoDistribution:  "no distribution on both sides",
}

// testNumbers is a test's observation: the failure counts and p-value, the two
// intervals, or the exceedance count.
func testNumbers(e *threshold.Evidence) string {
	switch {
	case e.Proportion != nil:
		p := e.Proportion
		return fmt.Sprintf("%s/%s → %s/%s failed, %s p = %s", FormatNumber(p.Fb), FormatNumber(p.Nb), FormatNumber(p.Fc), FormatNumber(p.Nc), p.Test, formatP(e.P))
	case e.Interval != nil:
		i := e.Interval
		note := ""
		if i.Mixed {
			note = "ladders mixed from several rows are not order statistics, so intervals: "
		}
		return fmt.Sprintf("%sp%s %s%% CI [%s, %s] → [%s, %s] ms", note, FormatNumber(i.Pct), FormatNumber(i.Confidence), FormatNumber(i.Blo), FormatNumber(i.Bhi), FormatNumber(i.Clo), FormatNumber(i.Chi))
	case e.Exceedance != nil:
		return exceedanceText(*e.Exceedance)
	}
	return ""
}

// downgradeWhy says why a breach is not a failure: a guard, or a test within noise.
func downgradeWhy(r threshold.Result) string {
	e := r.Evidence
	switch e.Rule {
	case threshold.MinRequests:
		return fmt.Sprintf("only %s requests (min_requests %d)", FormatNumber(e.Few), e.MinRequests)
	case threshold.MinDelta:
		return fmt.Sprintf("a change of %s is below min_delta %s", FormatNumber(e.Delta), FormatNumber(e.MinDelta))
	case threshold.BaselineRuns:
		return fmt.Sprintf("within noise: %s is inside the %d baseline runs' range [%s, %s] widened by its spread %s", FormatNumber(r.Current), e.Runs, FormatNumber(e.Lo), FormatNumber(e.Hi), FormatNumber(e.Spread))
	case threshold.ExceedanceTest:
		return fmt.Sprintf("within noise: exceedance test %s ≥ %s", formatSmallP(e.P), formatAlpha(e.Alpha, e.Each))
	}
	if e.Proportion != nil {
		return fmt.Sprintf("within noise: %s p = %s ≥ %s", e.Proportion.Test, formatP(e.P), formatAlpha(e.Alpha, e.Each))
	}
	return "within noise: the order-statistic intervals overlap"
}

// exceedanceText is "≥ 68/198 current requests above the baseline p95 84 ms (10.8
// expected if unchanged), p = 3e-31" (no "≥" when counted exactly).
func exceedanceText(x threshold.Exceedance) string {
	bound, dir, margin := "≥ ", "above", ""
	if x.Exact {
		bound = ""
	}
	if !x.Up {
		dir = "below"
	}
	if x.Margin != 1 {
		op := "×"
		if !x.Up {
			op = "÷"
		}
		margin = fmt.Sprintf(" %s %s (sketch error)", op, strconv.FormatFloat(x.Margin, 'f', -1, 64))
	}
	return fmt.Sprintf("%s%d/%d current requests %s the baseline p%s %s ms%s (%s expected if unchanged), %s",
		bound, x.K, x.Nc, dir, FormatNumber(x.Pct), FormatNumber(x.V), margin, strconv.FormatFloat(x.Expected, 'f', 1, 64), formatSmallP(x.P))
}

func formatAlpha(alpha, each float64) string {
	if each == alpha {
		return "alpha " + FormatNumber(alpha)
	}
	return fmt.Sprintf("alpha %s/%.0f = %s", FormatNumber(alpha), alpha/each, strconv.FormatFloat(each, 'g', 3, 64))
}

func formatP(p float64) string {
	if p < 0.0001 {
		return "< 0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// formatSmallP prints "p = " and a p-value with two significant digits, or with one as a
// power of ten below 0.001 ("p = 6e-13").
func formatSmallP(p float64) string {
	switch {
	case p < 1e-300:
		return "p < 1e-300"
	case p < 0.001:
		return "p = " + strconv.FormatFloat(p, 'e', 0, 64)
	}
	return "p = " + strconv.FormatFloat(p, 'g', 2, 64)
}
