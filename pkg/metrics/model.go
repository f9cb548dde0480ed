// Package metrics is the normalized metrics model (README: "Normalized metrics"): per-service latency,
// error-rate and throughput figures, their JSON files, the mapping of endpoint rows to
// services, and the aggregation of several rows into one service.
package metrics

import (
	"math"
	"regexp"
	"strconv"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// Names of the standard fields, in the order the seed writes them. Latencies are
// milliseconds, error_rate_pct is a percentage (0–100), rps is requests per second.
const (
	AvgLatency    = "avg_latency_ms"
	MedianLatency = "median_latency_ms"
	P95Latency    = "p95_latency_ms"
	P99Latency    = "p99_latency_ms"
	MinLatency    = "min_latency_ms"
	MaxLatency    = "max_latency_ms"
	ErrorRate     = "error_rate_pct"
	RPS           = "rps"
	TotalRequests = "total_requests"
	TotalFailures = "total_failures"
)

// StandardFields lists the standard fields in file order.
var StandardFields = []string{AvgLatency, MedianLatency, P95Latency, P99Latency, MinLatency, MaxLatency, ErrorRate, RPS, TotalRequests, TotalFailures}

// Keys of a service object that are not numeric metrics.
const (
	keyBaselineUsers = "baseline_users"
	keyTimestamp     = "timestamp"
	keyEstimated     = "estimated"
	keyRuns          = "runs"
	keyPercentiles   = "percentiles"
)

// IsStandard reports whether name is one of StandardFields.
func IsStandard(name string) bool {
	for _, f := range StandardFields {
		if f == name {
			return true
		}
	}
	return false
}

// IsCount reports whether a field holds an integer count.
func IsCount(name string) bool { return name == TotalRequests || name == TotalFailures }

var percentileField = regexp.MustCompile(`^p\d+(_\d+)?_latency_ms$`)

// IsPercentile reports whether a field is a latency percentile (the median included).
func IsPercentile(name string) bool {
	return name == MedianLatency || percentileField.MatchString(name)
}

// Service is the normalized metrics of one service (or endpoint).
type Service struct {
	Name string

	values map[string]float64
	extra  []string // non-standard numeric fields, in input order

	// Estimated lists the fields estimated from the average because the input had no
	// percentile at all (p95 = int(1.4×avg), p99 = int(1.7×avg), within the median and
	// the maximum: EstimateFrom).
	Estimated []string
	// PythonZero gives, for a percentile the input held as 0 next to an average above
	// 1 ms (what the Python scripts wrote when they could not compute one), that average
	// in ms. Such a field is read as missing and not written.
	PythonZero map[string]float64

	// BaselineUsers is baseline_users of a baseline file (nil when absent).
	BaselineUsers *float64
	// Timestamp is the RFC 3339 time a baseline was extracted ("" when absent).
	Timestamp string
	// Runs holds, per metric, the value of each run a multi-run baseline was made of.
	Runs map[string][]float64
	// RunOrder is the order of the Runs keys.
	RunOrder []string
	// Ladder is the latency distribution as percentile → ms, ascending ("percentiles" in
	// the file): the tool's own columns, or every percent plus 99.9 and 99.99 where raw
	// samples or histograms exist. Nil when unknown.
	Ladder []loadtest.Point
	// LadderMixture is true when Ladder is the request-weighted mixture of several rows'
	// ladders (endpoints or load generators merged without raw samples or histograms):
	// its points bound the merged distribution but are not its order statistics. It is
	// not written to files, so it is known only for services built from result files in
	// this process.
	LadderMixture bool

	// The exact latency distribution, for CountAbove/CountBelow, when the service was
	// built in this process from raw samples (samples) or a tool's histogram (hist, ms →
	// count). Never written to files.
	samples *loadtest.Histogram
	hist    map[float64]int64

	other []kv // unknown non-numeric fields, passed through unchanged
}

// Latencies is the number of latencies in the exact distribution behind CountAbove and
// CountBelow; ok is false when there is none (a service read from a metrics file).
func (s *Service) Latencies() (n int64, ok bool) {
	switch {
	case s.samples != nil:
		return s.samples.Count(), true
	case s.hist != nil:
		for _, c := range s.hist {
			n += c
		}
		return n, true
	}
	return 0, false
}

// CountAbove returns how many requests took more than ms milliseconds, counted exactly
// from the raw samples or histogram the service was built from; ok is false when only
// the percentile ladder is known.
func (s *Service) CountAbove(ms float64) (n int64, ok bool) {
	switch {
	case s.samples != nil:
		return s.samples.Count() - s.samples.CountAtOrBelow(int64(math.Round(ms*1e6))), true
	case s.hist != nil:
		for v, c := range s.hist {
			if v > ms+1e-9 {
				n += c
			}
		}
		return n, true
	}
	return 0, false
}

// CountBelow returns how many requests took less than ms milliseconds, exactly as
// CountAbove.
func (s *Service) CountBelow(ms float64) (n int64, ok bool) {
	switch {
	case s.samples != nil:
		return s.samples.CountAtOrBelow(int64(math.Round(ms*1e6)) - 1), true
	case s.hist != nil:
		for v, c := range s.hist {
			if v < ms-1e-9 {
				n += c
			}
		}
		return n, true
	}
	return 0, false
}

// NewService returns an empty service.
func NewService(name string) *Service {
	return &Service{Name: name, values: map[string]float64{}}
}

// Get returns a metric and whether it is present.
func (s *Service) Get(name string) (float64, bool) {
	v, ok := s.values[name]
	return v, ok
}

// Set sets a metric; a non-standard name becomes an extra field.
func (s *Service) Set(name string, v float64) {
	if _, ok := s.values[name]; !ok && !IsStandard(name) {
		s.extra = append(s.extra, name)
	}
	s.values[name] = v
}

// Delete removes a metric.
func (s *Service) Delete(name string) {
	if _, ok := s.values[name]; !ok {
		return
	}
	delete(s.values, name)
	for i, e := range s.extra {
		if e == name {
			s.extra = append(s.extra[:i:i], s.extra[i+1:]...)
			break
		}
	}
}

// Names returns the present metric names: standard fields in seed order, then extras.
func (s *Service) Names() []string {
	var out []string
	for _, f := range StandardFields {
		if _, ok := s.values[f]; ok {
			out = append(out, f)
		}
	}
	return append(out, s.extra...)
}

// IsEstimated reports whether a field was estimated rather than measured.
func (s *Service) IsEstimated(name string) bool {
	for _, e := range s.Estimated {
		if e == name {
			return true
		}
	}
	return false
}

// File is a normalized metrics file: services in file order plus top-level metadata.
type File struct {
	Services []*Service
	// Meta holds top-level keys that are metadata ("_"-prefixed, or not objects), raw JSON.
	Meta []kv
}

// Service returns the named service or nil.
func (f *File) Service(name string) *Service {
	for _, s := range f.Services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// SetMeta sets a top-level metadata key to a raw JSON value.
func (f *File) SetMeta(key string, raw []byte) {
	for i := range f.Meta {
		if f.Meta[i].key == key {
			f.Meta[i].raw = raw
			return
		}
	}
	f.Meta = append(f.Meta, kv{key, raw})
}

// MetaValue returns the raw JSON of a top-level metadata key.
func (f *File) MetaValue(key string) ([]byte, bool) {
	for _, m := range f.Meta {
		if m.key == key {
			return m.raw, true
		}
	}
	return nil, false
}

type kv struct {
	key string
	raw []byte
}

// RoundPct rounds a percentage to 2 decimals the way Python's round(x, 2) does (on the
// exact binary value), as the seed's error_rate_pct.
func RoundPct(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 2, 64), 64)
	return v
}

// ErrorRatePct is failures/requests×100 rounded to 2 decimals; with no requests it is
// 100 when there were failures (Locust's fail_ratio) and 0 otherwise.
func ErrorRatePct(requests, failures int64) float64 {
	if requests == 0 {
		if failures > 0 {
			return 100
		}
		return 0
	}
	return RoundPct(float64(failures) / float64(requests) * 100)
}

// EstimateP95 and EstimateP99 are the seed's estimates from the average: int(1.4×avg)
// and int(1.7×avg).
func EstimateP95(avg float64) float64 { return math.Trunc(1.4 * avg) }

// EstimateP99 is int(1.7×avg); see EstimateP95.
func EstimateP99(avg float64) float64 { return math.Trunc(1.7 * avg) }

// EstimateFrom returns the seed's estimate of a p95/p99 field from the service's average
// (Estimator), brought within the service's median and maximum where they are known, so
// that no estimate breaks median ≤ p95 ≤ p99 ≤ max (int(1.7×avg) is above the maximum
// when the requests took about the same time); bounded tells that it was moved. ok is
// false for a field without an estimate or a service without an average.
func EstimateFrom(s *Service, field string) (v float64, bounded, ok bool) {
	estimate := Estimator(field)
	avg, hasAvg := s.Get(AvgLatency)
	if estimate == nil || !hasAvg {
		return 0, false, false
	}
	v = estimate(avg)
	if m, ok := s.Get(MedianLatency); ok && v < m {
		v, bounded = m, true
	}
	if m, ok := s.Get(MaxLatency); ok && v > m {
		v, bounded = m, true
	}
	return v, bounded, true
}

// Estimator returns the seed's estimate from the average for a percentile field that
// has one (p95, p99), else nil.
func Estimator(field string) func(avg float64) float64 {
	switch field {
	case P95Latency:
		return EstimateP95
	case P99Latency:
		return EstimateP99
	}
	return nil
}
