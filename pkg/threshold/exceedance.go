package threshold

import (
	"math"
	"slices"

	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/stats"
)

// SketchMargin is the factor between two quantile estimates of a sketch with 1 % relative
// accuracy (Artillery's DDSketch) beyond which the true values are surely ordered:
// (1 + 0.01) / (1 − 0.01) = 1.0202.
const SketchMargin = 1.0202

// sketched reports whether a file's percentiles come from a sketch.
func sketched(f *metrics.File) bool {
	src, ok := f.Source()
	if !ok {
		return false
	}
	for _, fm := range src.Formats {
		if loadtest.SketchPercentiles(loadtest.Format(fm)) {
			return true
		}
	}
	return false
}

// exceedanceTest decides an upward (or, mirrored, downward) latency-percentile breach by
// the exceedance test.
func exceedanceTest(r *Result, b, c *metrics.Service, t Threshold, pct float64, sketch bool) {
	x := measureExceedance(b, c, r.Baseline, pct, t.Up, sketch)
	r.Evidence.Exceedance = &x
	decide(r, ExceedanceTest, x.P, x.P < r.Evidence.Each)
}

// measureExceedance counts the current requests beyond the baseline's value v at percentile
// pct and computes the p-value of that count if nothing changed. Downward, everything is
// mirrored: requests below v, and v's rank counted from the top.
func measureExceedance(b, c *metrics.Service, v, pct float64, up, sketch bool) Exceedance {
	x := Exceedance{Up: up, Pct: pct, V: v, Margin: 1, Nb: baselineSize(b)}
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
