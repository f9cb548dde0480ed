package threshold

import (
	"fmt"
	"math"
	"strings"

	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/metrics"
)

// Status is the verdict of one metric.
type Status int

// The verdicts.
const (
	Pass Status = iota
	Warn
	Fail
	NotCompared
	// Acknowledged is a failure that an unexpired entry of the configuration's
	// acknowledged: section covers: reported, but it does not fail the build.
	Acknowledged
)

var statusNames = [...]string{"pass", "warning", "fail", "not_compared", "acknowledged"}

// String names the status: pass, warning, fail, not_compared, acknowledged.
func (s Status) String() string { return statusNames[s] }

// MarshalText writes the status as its name.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status name.
func (s *Status) UnmarshalText(b []byte) error {
	for i, n := range statusNames {
		if n == string(b) {
			*s = Status(i)
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", b)
}

// Result is the evaluation of one threshold of one service.
type Result struct {
	Service     string
	Metric      string
	Baseline    float64
	Current     float64
	HasBaseline bool
	HasCurrent  bool
	Threshold   Threshold
	Status      Status
	Reason      string
	// Evidence and Decided are set in the noise-aware mode for failures and warnings:
	// the sample sizes and interval or p-value, and the rule that decided
	// ("significance", "min_requests", "min_delta", "baseline runs", "threshold").
	Evidence string
	Decided  string
	// Estimated tells that the two values are percentiles estimated from the averages
	// (int(1.4 × avg) for p95, int(1.7 × avg) for p99) because one side had no measured
	// percentile; EstimateNote says how each side was obtained.
	Estimated    bool
	EstimateNote string
	// Ack is the acknowledged: entry that matched this failure: it covers an
	// Acknowledged result; on a Fail result it has expired.
	Ack *config.Ack
}

// Change returns the relative change in percent; inf is true when the baseline is 0
// and the current value is not; ok is false when a side is missing.
func (r Result) Change() (pct float64, inf, ok bool) {
	if !r.HasBaseline || !r.HasCurrent {
		return 0, false, false
	}
	if r.Baseline == 0 {
		if r.Current == 0 {
			return 0, false, true
		}
		return math.Inf(1), true, true
	}
	return (r.Current - r.Baseline) / math.Abs(r.Baseline) * 100, false, true
}

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
	ev := &Evaluation{WarnUsed: set.WarnRatio, NoiseAware: set.Noise.Enabled}
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
	notCompared := func(reason string) Result {
		r.Status, r.Reason = NotCompared, reason
		return r
	}
	if reason := estimateLikeWithLike(&r, b, c); reason != "" {
		return notCompared(reason)
	}
	bound := t.Kind == Max || t.Kind == Min
	switch {
	case !r.HasCurrent && !r.HasBaseline && !bound:
		return notCompared("in neither the baseline nor the current results" + why(b, c, t.Metric))
	case !r.HasCurrent:
		return notCompared("not in the current results" + why(c, nil, t.Metric))
	case !r.HasBaseline && !bound:
		return notCompared("not in the baseline" + why(b, nil, t.Metric))
	}

	// value is the change (or, for a bound, the current value) as shown; bad is the same
	// measured in the direction that is a regression.
	var value float64
	var show func(float64) string
	switch t.Kind {
	case Relative:
		if r.Baseline == 0 {
			return notCompared("relative threshold against a baseline of 0")
		}
		value = (r.Current - r.Baseline) / math.Abs(r.Baseline)
		show = func(v float64) string { return fmt.Sprintf("%+.1f%%", v*100) }
	case Absolute:
		value = r.Current - r.Baseline
		show = signed
	case Max, Min:
		value = r.Current
		show = metrics.FormatNumber
	}
	bad := value
	if !t.Up && (t.Kind == Relative || t.Kind == Absolute) {
		bad = -value
	}
	limit := t.Limit
	warn := t.Warn
	if !t.HasWarn {
		warn = warnRatio * limit
	}
	actual := show(value)
	switch t.Kind {
	case Relative, Absolute:
		switch {
		case bad > limit+eps*math.Max(1, math.Abs(limit)):
			r.Status, r.Reason = Fail, fmt.Sprintf("%s is beyond %s", actual, t.Expr)
		case bad > warn+eps*math.Max(1, math.Abs(warn)):
			r.Status, r.Reason = Warn, fmt.Sprintf("%s is beyond the warning level %s of %s", actual, signedLimit(t, warn), t.Expr)
		default:
			r.Status, r.Reason = Pass, fmt.Sprintf("%s is within %s", actual, t.Expr)
		}
	case Max:
		switch {
		case r.Current > limit:
			r.Status, r.Reason = Fail, fmt.Sprintf("%s is above %s", actual, t.Expr)
		case t.HasWarn && r.Current > warn:
			r.Status, r.Reason = Warn, fmt.Sprintf("%s is above the warning level %s (%s)", actual, metrics.FormatNumber(warn), t.Expr)
		default:
			r.Status, r.Reason = Pass, fmt.Sprintf("%s is within %s", actual, t.Expr)
		}
	case Min:
		switch {
		case r.Current < limit:
			r.Status, r.Reason = Fail, fmt.Sprintf("%s is below %s", actual, t.Expr)
		case t.HasWarn && r.Current < warn:
			r.Status, r.Reason = Warn, fmt.Sprintf("%s is below the warning level %s (%s)", actual, metrics.FormatNumber(warn), t.Expr)
		default:
			r.Status, r.Reason = Pass, fmt.Sprintf("%s is within %s", actual, t.Expr)
		}
	}
	return r
}

// estimateLikeWithLike makes an estimated percentile comparable (SPEC §10a): when one
// side's p95/p99 is the seed's estimate from the average (a baseline written by
// extract_baselines.py always has one) and the other side's is measured or missing, the
// other side is estimated the same way from its own average, so that the comparison is
// estimate against estimate and keeps gating. It returns a reason when that is
// impossible (no average on the other side).
func estimateLikeWithLike(r *Result, b, c *metrics.Service) string {
	estimate := metrics.Estimator(r.Metric)
	if estimate == nil {
		return ""
	}
	bEst, cEst := b.IsEstimated(r.Metric), c.IsEstimated(r.Metric)
	if !bEst && !cEst {
		return ""
	}
	r.Estimated = true
	if bEst && cEst {
		r.EstimateNote = "both sides estimated from their averages (neither input had percentiles)"
		return ""
	}
	other, side, value, has := c, "current run", &r.Current, &r.HasCurrent
	if cEst {
		other, side, value, has = b, "baseline", &r.Baseline, &r.HasBaseline
	}
	avg, ok := other.Get(metrics.AvgLatency)
	if !ok {
		return fmt.Sprintf("estimated from the average on one side, and the %s has no average to estimate it alike from", side)
	}
	had := "it had no " + short(r.Metric)
	if *has {
		had = "its measured " + metrics.FormatNumber(*value) + " is not comparable with an estimate"
	}
	*value, *has = estimate(avg), true
	est := "baseline"
	if cEst {
		est = "current run"
	}
	r.EstimateNote = fmt.Sprintf("%s: an estimate from its average (no measured percentile); %s: estimated alike from its average %s (%s)", est, side, metrics.FormatNumber(avg), had)
	return ""
}

// short is a metric's short name (p95_latency_ms → p95).
func short(metric string) string {
	s, _, _ := strings.Cut(metric, "_")
	return s
}

// why adds the recorded reason a field is missing (e.g. a Python-written 0.0), if any.
func why(a, b *metrics.Service, metric string) string {
	for _, s := range []*metrics.Service{a, b} {
		if s != nil && s.Missing[metric] != "" {
			return " (" + s.Missing[metric] + ")"
		}
	}
	return ""
}

func signed(v float64) string {
	s := metrics.FormatNumber(math.Abs(v))
	if v < 0 && s != "0" {
		return "-" + s
	}
	return "+" + s
}

func signedLimit(t Threshold, v float64) string {
	sign := "+"
	if !t.Up {
		sign = "-"
	}
	if t.Kind == Relative {
		return sign + metrics.FormatNumber(v*100) + "%"
	}
	return sign + metrics.FormatNumber(v)
}
