package threshold

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/stats"
)

// SketchMargin is the factor between two quantile estimates of a sketch with 1 % relative
// accuracy (Artillery's DDSketch) beyond which the true values are surely ordered:
// (1 + 0.01) / (1 − 0.01) = 1.0202.
const SketchMargin = 1.0202

// sketchFormats are the input formats whose percentiles are sketch estimates.
var sketchFormats = []string{"artillery"}

// sketched reports whether a file's percentiles come from a sketch.
func sketched(f *metrics.File) bool {
	src, ok := f.Source()
	if !ok {
		return false
	}
	for _, fm := range src.Formats {
		if slices.Contains(sketchFormats, fm) {
			return true
		}
	}
	return false
}

// exceedance is the outcome of the exceedance test of one latency percentile.
type exceedance struct {
	Up       bool    // an increase is the regression: K counts slower requests
	Pct      float64 // the percentile (95 for p95)
	V        float64 // the baseline value at Pct, ms
	Margin   float64 // V is widened by this factor (sketches), else 1
	Nb, S    int64   // baseline requests and the conservative rank of V among them
	K, Nc    int64   // current requests beyond V (a lower bound unless Exact), of Nc
	Exact    bool    // K counted from raw samples or a histogram, not bounded by the ladder
	Expected float64 // E[K] if nothing changed
	P        float64 // P(K ≥ observed) if nothing changed
}

// exceedanceTest decides an upward (or, mirrored, downward) latency-percentile breach by
// the exceedance test.
func exceedanceTest(r *Result, b, c *metrics.Service, t Threshold, pct float64, n Noise, alpha float64, sketch bool) {
	x := measureExceedance(b, c, r.Baseline, pct, t.Up, sketch)
	r.Evidence += "; " + x.String()
	if x.P >= alpha {
		downgrade(r, "exceedance test", fmt.Sprintf("within noise: exceedance test %s ≥ %s", formatSmallP(x.P), formatAlpha(n.Alpha, alpha)))
		return
	}
	r.Evidence += " < " + formatAlpha(n.Alpha, alpha)
	r.Decided = "exceedance test"
}

// measureExceedance counts the current requests beyond the baseline's value v at percentile
// pct and computes the p-value of that count if nothing changed. Downward, everything is
// mirrored: requests below v, and v's rank counted from the top.
func measureExceedance(b, c *metrics.Service, v, pct float64, up, sketch bool) exceedance {
	x := exceedance{Up: up, Pct: pct, V: v, Margin: 1, Nb: baselineSize(b)}
	q := pct / 100
	if !up {
		q = 1 - q
	}
	x.S = stats.ExceedanceRank(x.Nb, q)
	limit := v
	if sketch {
		x.Margin = SketchMargin
		if up {
			limit *= SketchMargin
		} else {
			limit /= SketchMargin
		}
	}
	x.K, x.Nc, x.Exact = currentBeyond(c, limit, up)
	x.P, x.Expected = stats.Exceedance(x.K, x.Nc, x.Nb, x.S)
	return x
}

// baselineSize is the number of baseline requests the percentile was taken from: the
// exact distribution's, else total_requests; for a multi-run baseline the smallest run's
// (the least informative run, which errs on the safe side).
func baselineSize(b *metrics.Service) int64 {
	if n, ok := b.Latencies(); ok {
		return n
	}
	nb, _ := b.Get(metrics.TotalRequests)
	if runs := b.Runs[metrics.TotalRequests]; len(runs) > 0 {
		nb = slices.Min(runs)
	}
	return int64(nb)
}

// currentBeyond counts the current requests above limit (below, when !up): exactly from
// raw samples or a histogram, else a lower bound from the ladder. Upward, the ladder
// value at P is at most the order statistic of rank ⌊P·n/100⌋ + 1, so the smallest P
// whose value is above limit leaves at least n − min(⌊P·n/100⌋ + 1, n) + 1 requests above
// it; with no point above, max_latency_ms tells whether one request is. Downward, the
// value at P is at least the order statistic of rank ⌊P·(n−1)/100⌋ + 1, which bounds the
// requests below from the largest P whose value is below limit; else min_latency_ms.
func currentBeyond(c *metrics.Service, limit float64, up bool) (k, n int64, exact bool) {
	if n, ok := c.Latencies(); ok && n > 0 {
		if up {
			k, _ = c.CountAbove(limit)
		} else {
			k, _ = c.CountBelow(limit)
		}
		return k, n, true
	}
	total, _ := c.Get(metrics.TotalRequests)
	n = int64(total)
	if up {
		for _, pt := range c.Ladder {
			if pt.Ms > limit {
				return n - min(int64(math.Floor(pt.Pct*float64(n)/100+1e-9))+1, n) + 1, n, false
			}
		}
		if m, ok := c.Get(metrics.MaxLatency); ok && m > limit {
			return 1, n, false
		}
		return 0, n, false
	}
	for i := len(c.Ladder) - 1; i >= 0; i-- {
		if pt := c.Ladder[i]; pt.Ms < limit {
			return min(int64(math.Floor(pt.Pct*float64(n-1)/100+1e-9))+1, n), n, false
		}
	}
	if m, ok := c.Get(metrics.MinLatency); ok && m < limit {
		return 1, n, false
	}
	return 0, n, false
}

// String is the evidence: "≥ 68/198 current requests above the baseline p95 84 ms (10.8
// expected if unchanged), p = 3e-31" (no "≥" when counted exactly).
func (x exceedance) String() string {
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
		bound, x.K, x.Nc, dir, metrics.FormatNumber(x.Pct), metrics.FormatNumber(x.V), margin, strconv.FormatFloat(x.Expected, 'f', 1, 64), formatSmallP(x.P))
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
