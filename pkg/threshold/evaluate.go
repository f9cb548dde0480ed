package threshold

import (
	"math"

	"github.com/perfgate/perfgate/pkg/metrics"
)

// Side says where a service is present.
type Side string

// Where a service that is not on both sides is.
const (
	BaselineOnly Side = "baseline only"
	CurrentOnly  Side = "current only"
)

// MissingService is a service present on one side only.
type MissingService struct {
	Service string
	Side    Side
}

// Evaluation is the outcome of a comparison.
type Evaluation struct {
	Results  []Result
	Missing  []MissingService
	Common   int // services present on both sides
	WarnUsed float64
	// NoiseAware tells that the noise-aware mode decided.
	NoiseAware bool
	// Comparability lists the differences in load profile between the two runs and, in
	// the noise-aware mode, broken baselines (BrokenBaseline).
	Comparability []string
	// Unused are the services the thresholds name that neither file has.
	Unused []UnusedService
	// InputNotes are what reading raw inputs found worth telling (several runs appended
	// in one file and the one read, skipped records, names that are not UTF-8).
	InputNotes []string
}

// Count returns how many results have the status.
func (e *Evaluation) Count(s Status) int {
	n := 0
	for _, r := range e.Results {
		if r.Status == s {
			n++
		}
	}
	return n
}

// Compared is the number of metrics that got a verdict (pass, warning or fail).
func (e *Evaluation) Compared() int { return len(e.Results) - e.Count(NotCompared) }

// eps absorbs floating-point noise so that a change exactly at a limit is at it.
const eps = 1e-9

// Evaluate compares current against baseline with the thresholds of set. Services come
// in baseline order; for each, its thresholds in order.
func Evaluate(baseline, current *metrics.File, set *Set) *Evaluation {
	ev := &Evaluation{WarnUsed: set.WarnRatio, NoiseAware: set.Noise.Enabled, Unused: set.Unused(baseline, current)}
	type pair struct{ b, c *metrics.Service }
	var pairs []pair
	tests := 0
	for _, b := range baseline.Services {
		c := current.Service(b.Name)
		if c == nil {
			ev.Missing = append(ev.Missing, MissingService{b.Name, BaselineOnly})
			continue
		}
		ev.Common++
		pairs = append(pairs, pair{b, c})
		for _, t := range set.For(b.Name) {
			if testable(b, c, t) {
				tests++
			}
		}
	}
	// Noise-aware: alpha is shared among the tests of the comparison (Bonferroni).
	alpha := set.Noise.Alpha
	if tests > 1 {
		alpha /= float64(tests)
	}
	sketch := sketched(baseline) || sketched(current)
	for _, p := range pairs {
		for _, t := range set.For(p.b.Name) {
			r := evaluate(p.b, p.c, t, set.WarnRatio)
			if set.Noise.Enabled {
				applyNoise(&r, p.b, p.c, t, set.Noise, alpha, sketch)
			}
			ev.Results = append(ev.Results, r)
		}
	}
	for _, c := range current.Services {
		if baseline.Service(c.Name) == nil {
			ev.Missing = append(ev.Missing, MissingService{c.Name, CurrentOnly})
		}
	}
	return ev
}

func evaluate(b, c *metrics.Service, t Threshold, warnRatio float64) Result {
	r := Result{Service: b.Name, Metric: t.Metric, Threshold: t}
	r.Baseline, r.HasBaseline = b.Get(t.Metric)
	r.Current, r.HasCurrent = c.Get(t.Metric)
	skip := func(why Skip, zeroes ...*metrics.Service) Result {
		r.Status, r.Skip = NotCompared, why
		for _, s := range zeroes {
			if avg, ok := s.PythonZero[t.Metric]; ok && r.PythonZero == 0 {
				r.PythonZero = avg
			}
			if r.Measured == nil && metrics.IsPercentile(t.Metric) && len(s.Ladder) > 0 {
				for _, p := range s.Ladder {
					r.Measured = append(r.Measured, p.Pct)
				}
			}
		}
		return r
	}
	if !estimateLikeWithLike(&r, b, c) {
		return skip(NoAverage)
	}
	bound := t.Kind == Max || t.Kind == Min
	switch {
	case !r.HasCurrent && !r.HasBaseline && !bound:
		return skip(InNeither, b, c)
	case !r.HasCurrent:
		return skip(NotInCurrent, c)
	case !r.HasBaseline && !bound:
		return skip(NotInBaseline, b)
	case t.Kind == Relative && r.Baseline == 0:
		return skip(ZeroBaseline)
	}
	judge(&r, warnRatio)
	return r
}

// judge compares the judged value with the threshold: the change (or, for a bound, the
// current value) against the fail limit and the warning level.
func judge(r *Result, warnRatio float64) {
	t := r.Threshold
	switch t.Kind {
	case Relative:
		r.Value = (r.Current - r.Baseline) / math.Abs(r.Baseline)
	case Absolute:
		r.Value = r.Current - r.Baseline
	case Max, Min:
		r.Value = r.Current
	}
	r.WarnLimit = t.Warn
	if !t.HasWarn {
		r.WarnLimit = warnRatio * t.Limit
	}
	beyond := func(v, limit float64) bool { return v > limit+eps*math.Max(1, math.Abs(limit)) }
	switch {
	case t.Kind == Max:
		r.Level = level(r.Current > t.Limit, t.HasWarn && r.Current > r.WarnLimit)
	case t.Kind == Min:
		r.Level = level(r.Current < t.Limit, t.HasWarn && r.Current < r.WarnLimit)
	default:
		bad := r.Value // measured in the direction that is a regression
		if !t.Up {
			bad = -bad
		}
		r.Level = level(beyond(bad, t.Limit), beyond(bad, r.WarnLimit))
	}
	r.Status = [...]Status{Within: Pass, BeyondWarn: Warn, BeyondLimit: Fail}[r.Level]
}

func level(fail, warn bool) Level {
	switch {
	case fail:
		return BeyondLimit
	case warn:
		return BeyondWarn
	}
	return Within
}

// estimateLikeWithLike makes an estimated percentile comparable (README: "Estimated percentiles keep gating"): when one
// side's p95/p99 is the seed's estimate from the average (a baseline written by
// extract_baselines.py always has one) and the other side's is measured or missing, the
// other side is estimated the same way from its own average (within its median and
// maximum, as perfgate estimates: metrics.EstimateFrom), so that the comparison is
// estimate against estimate and keeps gating. It returns false when that is impossible
// (no average on the other side).
func estimateLikeWithLike(r *Result, b, c *metrics.Service) bool {
	if metrics.Estimator(r.Metric) == nil {
		return true
	}
	bEst, cEst := b.IsEstimated(r.Metric), c.IsEstimated(r.Metric)
	if !bEst && !cEst {
		return true
	}
	r.Estimate = &Estimate{Both: bEst && cEst, BaselineHeld: bEst}
	if bEst && cEst {
		return true
	}
	other, value, has := c, &r.Current, &r.HasCurrent
	if cEst {
		other, value, has = b, &r.Baseline, &r.HasBaseline
	}
	v, bounded, ok := metrics.EstimateFrom(other, r.Metric)
	if !ok {
		return false
	}
	r.Estimate.OtherAvg, _ = other.Get(metrics.AvgLatency)
	r.Estimate.OtherMeasured, r.Estimate.HadOther, r.Estimate.Bounded = *value, *has, bounded
	*value, *has = v, true
	return true
}
