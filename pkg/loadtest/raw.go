package loadtest

import (
	"fmt"
	"math"
	"sort"
)

// sample is one request of a raw-sample format. Every raw reader turns its records into
// samples; rawAgg is the one place that aggregates them.
type sample struct {
	method, name string
	latencyNs    int64
	failed       bool
	startNs      int64 // start of the request (Unix ns, or ns since the test start); 0 if unknown
	endNs        int64 // end of the request, same clock
}

// rawEndpoint accumulates the samples of one endpoint.
type rawEndpoint struct {
	method, name string
	n, failures  int64
	sumMs        float64
	min, max     int64
	hist         *Histogram
	start, end   int64
	hasSpan      bool
}

// rawAgg aggregates samples per (method, name) while a file streams, and counts the
// records it had to skip.
type rawAgg struct {
	file      string
	eps       map[string]*rawEndpoint
	order     []string
	skipped   int
	firstSkip string
}

func newRawAgg(file string) *rawAgg { return &rawAgg{file: file, eps: map[string]*rawEndpoint{}} }

func (a *rawAgg) add(s sample) {
	k := s.method + "\x00" + s.name
	e := a.eps[k]
	if e == nil {
		e = &rawEndpoint{method: s.method, name: s.name, hist: NewHistogram(), min: math.MaxInt64}
		a.eps[k] = e
		a.order = append(a.order, k)
	}
	e.n++
	if s.failed {
		e.failures++
	}
	e.sumMs += float64(s.latencyNs) / 1e6
	if s.latencyNs < e.min {
		e.min = s.latencyNs
	}
	if s.latencyNs > e.max {
		e.max = s.latencyNs
	}
	e.hist.Record(s.latencyNs)
	if s.startNs != 0 || s.endNs != 0 {
		if !e.hasSpan || s.startNs < e.start {
			e.start = s.startNs
		}
		if !e.hasSpan || s.endNs > e.end {
			e.end = s.endNs
		}
		e.hasSpan = true
	}
}

// skip records a malformed record that was left out.
func (a *rawAgg) skip(line int, msg string) {
	a.skipped++
	if a.firstSkip == "" {
		a.firstSkip = (&SyntaxError{File: a.file, Line: line, Msg: msg}).Error()
	}
}

// emit sends one row per endpoint, in name order. It fails when nothing usable remains.
func (a *rawAgg) emit(in *Input, sink Sink) error {
	in.Skipped, in.FirstSkip = a.skipped, a.firstSkip
	if len(a.eps) == 0 {
		if a.skipped > 0 {
			return &SyntaxError{File: a.file, Msg: fmt.Sprintf("no usable sample: all %d records malformed (first: %s)", a.skipped, a.firstSkip)}
		}
		return &SyntaxError{File: a.file, Msg: "no samples"}
	}
	sort.SliceStable(a.order, func(i, j int) bool { return a.order[i] < a.order[j] })
	for i, k := range a.order {
		e := a.eps[k]
		row := Row{Method: e.method, Name: e.name, Line: i + 1, Requests: e.n, Failures: e.failures,
			AvgMs: e.sumMs / float64(e.n), HasAvg: true,
			MinMs: float64(e.min) / 1e6, MaxMs: float64(e.max) / 1e6, HasMinMax: true,
			Samples: e.hist, SpanStartNs: e.start, SpanEndNs: e.end, HasSpan: e.hasSpan}
		if err := sink(row); err != nil {
			return err
		}
	}
	return nil
}

// maxLatencyMs bounds a plausible request duration (about 11.6 days); larger values
// are malformed records, and would not fit in nanoseconds anyway.
const maxLatencyMs = 1e9

// msToNs converts float milliseconds to integer nanoseconds.
func msToNs(ms float64) int64 { return int64(math.Round(ms * 1e6)) }
