package threshold

import (
	"fmt"
	"math"

	"github.com/perfgate/perfgate/pkg/config"
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

// Level says how far the judged value went in the bad direction.
type Level int

// The levels of a compared metric.
const (
	Within      Level = iota // within the threshold: pass
	BeyondWarn               // beyond the warning level: warning
	BeyondLimit              // beyond the threshold: fail
)

// Skip says why a metric was not compared.
type Skip int

// The reasons a metric is not compared.
const (
	NotSkipped    Skip = iota
	InNeither          // the metric is on neither side
	NotInCurrent       // the current side lacks it
	NotInBaseline      // the baseline lacks it
	ZeroBaseline       // a relative threshold against a baseline of 0
	NoAverage          // one side is an estimate and the other has no average to estimate from
)

// Rule is what decided a verdict in the noise-aware mode.
type Rule int

// The rules of the noise-aware mode.
const (
	NoRule         Rule = iota
	MinRequests         // too few requests on a side: cannot fail
	MinDelta            // the change is below the threshold's min_delta
	BaselineRuns        // inside the multi-run baseline's range widened by its spread
	ThresholdOnly       // no test applies: the threshold alone (see Evidence.Alone)
	Significance        // a two-proportion test, or non-overlapping order-statistic intervals
	ExceedanceTest      // the exceedance test of a latency percentile
)

var ruleNames = [...]string{"", "min_requests", "min_delta", "baseline runs", "threshold", "significance", "exceedance test"}

// String names the rule as --json's decided_by does.
func (r Rule) String() string { return ruleNames[r] }

// MarshalText writes the rule's name.
func (r Rule) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// Alone says why no significance test applied (ThresholdOnly).
type Alone int

// Why the threshold alone decided.
const (
	BoundOnly       Alone = iota // a max/min bound on the current value
	NoFailureCounts              // an error rate without failure counts
	EstimatesOnly                // percentiles estimated from the averages
	NoDistribution               // no percentile ladder on both sides
)

// Result is the evaluation of one threshold of one service: numbers and reasons as
// data. pkg/report puts them into words.
type Result struct {
	Service     string
	Metric      string
	Baseline    float64
	Current     float64
	HasBaseline bool
	HasCurrent  bool
	Threshold   Threshold
	Status      Status

	// Value is what the threshold judged: the relative change as a fraction (Relative),
	// the difference in the metric's unit (Absolute), the current value (Max, Min).
	Value float64
	// Level is how far Value went; WarnLimit is the warning level that applied.
	Level     Level
	WarnLimit float64
	// Skip tells why a metric is NotCompared; PythonZero is, when a side held a
	// Python-written 0 for it, that side's average (ms), else 0.
	Skip       Skip
	PythonZero float64
	// Measured is, for a latency percentile that a side lacks although its input holds
	// others (k6's default summary has p90 and p95, no p99), the percentiles that side
	// holds, ascending: such a percentile is missing, never estimated.
	Measured []float64
	// Estimate is set when the values are percentiles estimated from the averages.
	Estimate *Estimate
	// Evidence is set in the noise-aware mode for failures and warnings; Downgraded
	// tells that it turned a threshold failure into a warning.
	Evidence   *Evidence
	Downgraded bool
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

// Decided is the rule that decided in the noise-aware mode (NoRule outside it).
func (r Result) Decided() Rule {
	if r.Evidence == nil {
		return NoRule
	}
	return r.Evidence.Rule
}

// Estimate says how a percentile estimated from the average was compared (README: "Estimated percentiles keep gating"):
// int(1.4 × avg) for p95, int(1.7 × avg) for p99.
type Estimate struct {
	// Both is true when both inputs held estimates only.
	Both bool
	// BaselineHeld is true when the baseline held the estimate and the current side was
	// estimated alike (false: the other way round).
	BaselineHeld bool
	// OtherAvg is the average the other side was estimated from; OtherMeasured its own
	// value, when it had one (HadOther).
	OtherAvg      float64
	OtherMeasured float64
	HadOther      bool
	// Bounded tells that the other side's estimate was brought within its median and
	// maximum (metrics.EstimateFrom).
	Bounded bool
}

// Evidence is what the noise-aware mode found for a failure or a warning.
type Evidence struct {
	Rule   Rule
	Nb, Nc float64 // requests on each side
	// ThresholdOnly: why no test applied.
	Alone Alone
	// MinRequests: the smaller side's requests and the guard.
	Few         float64
	MinRequests int64
	// MinDelta: the change and the guard.
	Delta, MinDelta float64
	// BaselineRuns: the runs' range and spread.
	Runs           int
	Lo, Hi, Spread float64
	// Tests: the report's alpha and the level of each test (Bonferroni), the p-value,
	// and whether the change is significant.
	Alpha, Each float64
	P           float64
	Significant bool
	Proportion  *Proportion
	Interval    *Interval
	Exceedance  *Exceedance
}

// Proportion is the error-rate test: failures and requests on each side, and the test
// that was used (Fisher's exact test or the pooled z-test).
type Proportion struct {
	Fb, Nb, Fc, Nc float64
	Test           string
}

// Interval is the order-statistic interval rule: the percentile, the confidence level
// (percent) and each side's interval (ms); Mixed tells that a ladder was a mixture of
// several rows' ladders, which is why the exceedance test did not apply.
type Interval struct {
	Pct, Confidence    float64
	Blo, Bhi, Clo, Chi float64
	Mixed              bool
}

// Exceedance is the outcome of the exceedance test of one latency percentile.
type Exceedance struct {
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
