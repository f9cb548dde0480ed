package threshold

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

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
	if n.Kind == yaml.ScalarNode && (n.Value == "" || n.Tag == "!!null") {
		return nil // "noise:" alone: the defaults
	}
	if n.Kind != yaml.MappingNode {
		return config.Errorf(c.File, n, "noise: want a mapping with alpha and min_requests")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "alpha":
			a, err := strconv.ParseFloat(v.Value, 64)
			if err != nil || a <= 0 || a >= 0.5 {
				return config.Errorf(c.File, v, "noise.alpha: want a significance level between 0 and 0.5, got %q", v.Value)
			}
			s.Noise.Alpha = a
		case "min_requests":
			m, err := strconv.ParseInt(v.Value, 10, 64)
			if err != nil || m < 0 {
				return config.Errorf(c.File, v, "noise.min_requests: want a non-negative whole number, got %q", v.Value)
			}
			s.Noise.MinRequests = m
		default:
			return config.Errorf(c.File, k, "noise: unknown key %q (known: alpha, min_requests)", k.Value)
		}
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
	nb, _ := b.Get(metrics.TotalRequests)
	nc, _ := c.Get(metrics.TotalRequests)
	r.Evidence = fmt.Sprintf("n %s → %s", metrics.FormatNumber(nb), metrics.FormatNumber(nc))
	if n.MinRequests > 0 && (int64(nb) < n.MinRequests || int64(nc) < n.MinRequests) {
		few := math.Min(nb, nc)
		downgrade(r, "min_requests", fmt.Sprintf("only %s requests (min_requests %d)", metrics.FormatNumber(few), n.MinRequests))
		return
	}
	if t.HasMinDelta && r.HasBaseline && math.Abs(r.Current-r.Baseline) < t.MinDelta {
		downgrade(r, "min_delta", fmt.Sprintf("a change of %s is below min_delta %s", metrics.FormatNumber(math.Abs(r.Current-r.Baseline)), metrics.FormatNumber(t.MinDelta)))
		return
	}
	if runs := b.Runs[t.Metric]; len(runs) >= 2 {
		lo, hi := runs[0], runs[0]
		for _, v := range runs {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		spread := hi - lo
		if r.Current >= lo-spread && r.Current <= hi+spread {
			downgrade(r, "baseline runs", fmt.Sprintf("within noise: %s is inside the %d baseline runs' range [%s, %s] widened by its spread %s", metrics.FormatNumber(r.Current), len(runs), metrics.FormatNumber(lo), metrics.FormatNumber(hi), metrics.FormatNumber(spread)))
			return
		}
	}
	pct, isPct := metricPercentile(t.Metric)
	switch {
	case t.Kind != Relative && t.Kind != Absolute:
		r.Decided = "threshold"
		r.Evidence += "; a bound on the current value: threshold alone"
	case t.Metric == metrics.ErrorRate:
		errorRateTest(r, b, c, t, n, alpha)
	case r.Estimated:
		r.Decided = "threshold"
		r.Evidence += "; estimates from the averages, not order statistics: threshold alone"
	case !isPct || len(b.Ladder) == 0 || len(c.Ladder) == 0 || nb == 0 || nc == 0:
		r.Decided = "threshold"
		r.Evidence += "; no distribution on both sides: threshold alone"
	case b.LadderMixture || c.LadderMixture:
		intervalTest(r, b, c, t, pct, alpha, "ladders mixed from several rows are not order statistics, so intervals: ")
	default:
		exceedanceTest(r, b, c, t, pct, n, alpha, sketch)
	}
}

// downgrade records the rule that decided and why; a failure becomes a warning.
func downgrade(r *Result, rule, why string) {
	r.Decided = rule
	r.Evidence += "; " + why
	if r.Status == Fail {
		r.Status = Warn
		r.Reason = why + " (the threshold alone would fail: " + r.Reason + ")"
	}
}

// errorRateTest is the one-sided two-proportion test of an error-rate breach.
func errorRateTest(r *Result, b, c *metrics.Service, t Threshold, n Noise, alpha float64) {
	nb, _ := b.Get(metrics.TotalRequests)
	nc, _ := c.Get(metrics.TotalRequests)
	fb, okb := b.Get(metrics.TotalFailures)
	fc, okc := c.Get(metrics.TotalFailures)
	if !okb || !okc || nb == 0 || nc == 0 {
		r.Decided = "threshold"
		r.Evidence += "; no failure counts: threshold alone"
		return
	}
	x1, n1, x2, n2 := int64(fc), int64(nc), int64(fb), int64(nb)
	if !t.Up {
		x1, n1, x2, n2 = x2, n2, x1, n1
	}
	p, test := stats.ProportionGreater(x1, n1, x2, n2)
	r.Evidence += fmt.Sprintf("; %s/%s → %s/%s failed, %s p = %s", metrics.FormatNumber(fb), metrics.FormatNumber(nb), metrics.FormatNumber(fc), metrics.FormatNumber(nc), test, formatP(p))
	if p >= alpha {
		downgrade(r, "significance", fmt.Sprintf("within noise: %s p = %s ≥ %s", test, formatP(p), formatAlpha(n.Alpha, alpha)))
		return
	}
	r.Evidence += fmt.Sprintf(" < %s", formatAlpha(n.Alpha, alpha))
	r.Decided = "significance"
}

// intervalTest is the rule for ladders that are not order statistics: the
// distribution-free confidence intervals of the percentile on both sides must not
// overlap. note starts the evidence.
func intervalTest(r *Result, b, c *metrics.Service, t Threshold, pct, alpha float64, note string) {
	nb, _ := b.Get(metrics.TotalRequests)
	nc, _ := c.Get(metrics.TotalRequests)
	blo, bhi, _ := quantileInterval(b.Ladder, int64(nb), pct/100, alpha)
	clo, chi, _ := quantileInterval(c.Ladder, int64(nc), pct/100, alpha)
	r.Evidence += fmt.Sprintf("; %sp%s %s%% CI [%s, %s] → [%s, %s] ms", note, metrics.FormatNumber(pct), metrics.FormatNumber(100*(1-alpha)), metrics.FormatNumber(blo), metrics.FormatNumber(bhi), metrics.FormatNumber(clo), metrics.FormatNumber(chi))
	significant := clo > bhi
	if !t.Up {
		significant = chi < blo
	}
	if !significant {
		downgrade(r, "significance", "within noise: the order-statistic intervals overlap")
		return
	}
	r.Decided = "significance"
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

func formatAlpha(alpha, each float64) string {
	if each == alpha {
		return "alpha " + metrics.FormatNumber(alpha)
	}
	return fmt.Sprintf("alpha %s/%.0f = %s", metrics.FormatNumber(alpha), alpha/each, strconv.FormatFloat(each, 'g', 3, 64))
}

func formatP(p float64) string {
	if p < 0.0001 {
		return "< 0.0001"
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}

// BrokenBaseline lists, in the noise-aware mode, the services of the comparison whose
// baseline cannot describe the service: more than half of its requests failed (its
// latencies then describe errors), or it has fewer than min_requests requests. Outside
// the mode it returns nothing. The lines go to the report's Comparability section.
func BrokenBaseline(baseline, current *metrics.File, n Noise) []string {
	if !n.Enabled {
		return nil
	}
	var out []string
	for _, b := range baseline.Services {
		if current.Service(b.Name) == nil {
			continue
		}
		req, okr := b.Get(metrics.TotalRequests)
		var why []string
		rate, ok := b.Get(metrics.ErrorRate)
		if fails, okf := b.Get(metrics.TotalFailures); okr && okf && req > 0 {
			rate, ok = fails/req*100, true
		}
		if ok && rate > 50 {
			why = append(why, fmt.Sprintf("the baseline had %s %% failures: its latencies describe errors, not the service", strconv.FormatFloat(rate, 'f', 1, 64)))
		}
		if okr && n.MinRequests > 0 && int64(req) < n.MinRequests {
			why = append(why, fmt.Sprintf("the baseline had only %s requests (min_requests %d): too few to describe the service", metrics.FormatNumber(req), n.MinRequests))
		}
		if len(why) > 0 {
			out = append(out, b.Name+": "+strings.Join(why, "; "))
		}
	}
	return out
}
