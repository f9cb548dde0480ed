package threshold

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/stats"
)

// Noise configures the noise-aware mode: a threshold breach fails only when it is also
// significant given the samples, else it is a warning that says why.
type Noise struct {
	Enabled bool
	// Alpha is the significance level (default 0.05).
	Alpha float64
	// MinRequests is the number of requests below which a service's metric cannot fail,
	// only warn (default 30).
	MinRequests int64
}

// DefaultNoise is the noise-aware mode with its defaults (--noise-aware).
var DefaultNoise = Noise{Enabled: true, Alpha: 0.05, MinRequests: 30}

// ApplyNoise reads the configuration's `noise:` section, which switches the mode on:
//
//	noise:
//	  alpha: 0.05        # significance level
//	  min_requests: 30   # below this a metric cannot fail, only warn
func ApplyNoise(s *Set, c *config.Config) error {
	if c == nil || c.Noise == nil {
		return nil
	}
	n := c.Noise
	s.Noise = DefaultNoise
	if v := n.Alpha; v != nil {
		a, err := strconv.ParseFloat(v.Text, 64)
		if err != nil || math.IsNaN(a) || a <= 0 || a >= 0.5 {
			return &fileerr.Error{File: c.File, Line: v.Line, Msg: fmt.Sprintf("noise.alpha: want a significance level between 0 and 0.5, got %q", v.Text)}
		}
		s.Noise.Alpha = a
	}
	if v := n.MinRequests; v != nil {
		m, err := strconv.ParseInt(v.Text, 10, 64)
		if err != nil || m < 0 {
			return &fileerr.Error{File: c.File, Line: v.Line, Msg: fmt.Sprintf("noise.min_requests: want a non-negative whole number, got %q", v.Text)}
		}
		s.Noise.MinRequests = m
	}
	return nil
}

var percentileMetric = regexp.MustCompile(`^p(\d+(?:_\d+)?)_latency_ms$`)

// metricPercentile tells which percentile a latency metric is (median = 50).
func metricPercentile(metric string) (float64, bool) {
	if metric == metrics.MedianLatency {
		return 50, true
	}
	m := percentileMetric.FindStringSubmatch(metric)
	if m == nil {
		return 0, false
	}
	p, err := strconv.ParseFloat(strings.ReplaceAll(m[1], "_", "."), 64)
	return p, err == nil && p > 0 && p <= 100
}

// applyNoise turns a failure that the samples cannot support into a warning, and records
// the evidence of every failure and warning: the guards first (min_requests, min_delta,
// the baseline runs' range), then the significance test the data allows.
//
// alpha is the level of each test, already divided among the tests of the comparison
// (Bonferroni), so that the whole report raises a false alarm with probability at most
// Noise.Alpha. sketch tells that a side's percentiles are sketch estimates (Artillery).
func applyNoise(r *Result, b, c *metrics.Service, t Threshold, n Noise, alpha float64, sketch bool) {
	if r.Status != Fail && r.Status != Warn {
		return
	}
	e := &Evidence{Alpha: n.Alpha, Each: alpha}
	e.Nb, _ = b.Get(metrics.TotalRequests)
	e.Nc, _ = c.Get(metrics.TotalRequests)
	r.Evidence = e
	if guarded(r, b, t, n) {
		return
	}
	pct, isPct := metricPercentile(t.Metric)
	switch {
	case t.Kind != Relative && t.Kind != Absolute:
		e.Rule, e.Alone = ThresholdOnly, BoundOnly
	case t.Metric == metrics.ErrorRate:
		errorRateTest(r, b, c, t)
	case r.Estimate != nil:
		e.Rule, e.Alone = ThresholdOnly, EstimatesOnly
	case !isPct || len(b.Ladder) == 0 || len(c.Ladder) == 0 || e.Nb == 0 || e.Nc == 0:
		e.Rule, e.Alone = ThresholdOnly, NoDistribution
	case b.LadderMixture || c.LadderMixture:
		intervalTest(r, b, c, t, pct)
	default:
		exceedanceTest(r, b, c, t, pct, sketch)
	}
}

// guarded applies the guards: below min_requests, below min_delta or inside the
// multi-run baseline's range a breach cannot fail. It reports whether one applied.
func guarded(r *Result, b *metrics.Service, t Threshold, n Noise) bool {
	e := r.Evidence
	if n.MinRequests > 0 && (int64(e.Nb) < n.MinRequests || int64(e.Nc) < n.MinRequests) {
		e.Few, e.MinRequests = math.Min(e.Nb, e.Nc), n.MinRequests
		downgrade(r, MinRequests)
		return true
	}
	if t.HasMinDelta && r.HasBaseline && math.Abs(r.Current-r.Baseline) < t.MinDelta {
		e.Delta, e.MinDelta = math.Abs(r.Current-r.Baseline), t.MinDelta
		downgrade(r, MinDelta)
		return true
	}
	if runs := b.Runs[t.Metric]; len(runs) >= 2 {
		lo, hi := slices.Min(runs), slices.Max(runs)
		spread := hi - lo
		if r.Current >= lo-spread && r.Current <= hi+spread {
			e.Runs, e.Lo, e.Hi, e.Spread = len(runs), lo, hi, spread
			downgrade(r, BaselineRuns)
			return true
		}
	}
	return false
}

// downgrade records the rule that decided; a failure becomes a warning.
func downgrade(r *Result, rule Rule) {
	r.Evidence.Rule = rule
	if r.Status == Fail {
		r.Status, r.Downgraded = Warn, true
	}
}

// decide records a test's outcome: a breach that is not significant is within noise.
func decide(r *Result, rule Rule, p float64, significant bool) {
	r.Evidence.P, r.Evidence.Significant = p, significant
	if !significant {
		downgrade(r, rule)
		return
	}
	r.Evidence.Rule = rule
}

// errorRateTest is the one-sided two-proportion test of an error-rate breach.
func errorRateTest(r *Result, b, c *metrics.Service, t Threshold) {
	e := r.Evidence
	fb, okb := b.Get(metrics.TotalFailures)
	fc, okc := c.Get(metrics.TotalFailures)
	if !okb || !okc || e.Nb == 0 || e.Nc == 0 {
		e.Rule, e.Alone = ThresholdOnly, NoFailureCounts
		return
	}
	x1, n1, x2, n2 := int64(fc), int64(e.Nc), int64(fb), int64(e.Nb)
	if !t.Up {
		x1, n1, x2, n2 = x2, n2, x1, n1
	}
	p, test := stats.ProportionGreater(x1, n1, x2, n2)
	e.Proportion = &Proportion{Fb: fb, Nb: e.Nb, Fc: fc, Nc: e.Nc, Test: test}
	decide(r, Significance, p, p < e.Each)
}

// intervalTest is the rule for ladders that are mixtures of several rows' ladders, not
// order statistics: the distribution-free confidence intervals of the percentile on both
// sides must not overlap.
func intervalTest(r *Result, b, c *metrics.Service, t Threshold, pct float64) {
	e := r.Evidence
	blo, bhi, _ := quantileInterval(b.Ladder, int64(e.Nb), pct/100, e.Each)
	clo, chi, _ := quantileInterval(c.Ladder, int64(e.Nc), pct/100, e.Each)
	e.Interval = &Interval{Pct: pct, Confidence: 100 * (1 - e.Each), Blo: blo, Bhi: bhi, Clo: clo, Chi: chi, Mixed: true}
	significant := clo > bhi
	if !t.Up {
		significant = chi < blo
	}
	r.Evidence.Significant = significant
	if !significant {
		downgrade(r, Significance)
		return
	}
	e.Rule = Significance
}

// quantileInterval maps the distribution-free rank interval of the p-quantile of n
// samples through a side's percentile ladder, conservatively: the lower rank down to the
// ladder point at or below it, the upper rank up to the point at or above it (a coarse
// ladder widens the interval, never narrows it).
func quantileInterval(ladder []loadtest.Point, n int64, p, alpha float64) (lo, hi float64, ok bool) {
	rl, rh, ok := stats.QuantileCI(n, p, alpha)
	return ladderBelow(ladder, float64(rl)/float64(n)*100), ladderAbove(ladder, float64(rh)/float64(n)*100), ok
}

// ladderAbove is the value of the first ladder point at or above pct (the last point
// beyond the ladder).
func ladderAbove(ladder []loadtest.Point, pct float64) float64 {
	for _, pt := range ladder {
		if pt.Pct >= pct-1e-9 {
			return pt.Ms
		}
	}
	return ladder[len(ladder)-1].Ms
}

// ladderBelow is the value of the last ladder point at or below pct; below the ladder,
// 0 (nothing is known of the lower values).
func ladderBelow(ladder []loadtest.Point, pct float64) float64 {
	v := 0.0
	for _, pt := range ladder {
		if pt.Pct > pct+1e-9 {
			break
		}
		v = pt.Ms
	}
	return v
}

// testable reports whether a metric can get a significance test from the data.
func testable(b, c *metrics.Service, t Threshold) bool {
	if t.Kind != Relative && t.Kind != Absolute {
		return false
	}
	if t.Metric == metrics.ErrorRate {
		_, okb := b.Get(metrics.TotalFailures)
		_, okc := c.Get(metrics.TotalFailures)
		return okb && okc
	}
	_, isPct := metricPercentile(t.Metric)
	return isPct && len(b.Ladder) > 0 && len(c.Ladder) > 0
}

// Broken is a baseline service that cannot describe the service: more than half of its
// requests failed (FailPct, its latencies then describe errors), or it has fewer than
// MinRequests requests (TooFew).
type Broken struct {
	Service     string
	FailPct     float64
	TooManyFail bool
	Requests    float64
	MinRequests int64
	TooFew      bool
}

// BrokenBaseline lists, in the noise-aware mode, the services of the comparison whose
// baseline is Broken; outside the mode it returns nothing. The report's Comparability
// section names them.
func BrokenBaseline(baseline, current *metrics.File, n Noise) []Broken {
	if !n.Enabled {
		return nil
	}
	var out []Broken
	for _, b := range baseline.Services {
		if current.Service(b.Name) == nil {
			continue
		}
		x := Broken{Service: b.Name, MinRequests: n.MinRequests}
		req, okr := b.Get(metrics.TotalRequests)
		rate, ok := b.Get(metrics.ErrorRate)
		if fails, okf := b.Get(metrics.TotalFailures); okr && okf && req > 0 {
			rate, ok = fails/req*100, true
		}
		x.FailPct, x.TooManyFail = rate, ok && rate > 50
		x.Requests, x.TooFew = req, okr && n.MinRequests > 0 && int64(req) < n.MinRequests
		if x.TooManyFail || x.TooFew {
			out = append(out, x)
		}
	}
	return out
}
