package loadtest

import (
	"fmt"
	"math"
	"math/bits"
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
	flagged      int64  // requests flagged failed by a separate record (k6 http_req_failed)
	sumHi, sumLo uint64 // exact 128-bit sum of the latencies in ns: the mean does not depend on the order
	min, max     int64
	hist         *Histogram
	span         Span
}

// rawAgg aggregates samples per (method, name) while a file streams, and counts the
// records it had to skip.
type rawAgg struct {
	file      string
	eps       map[string]*rawEndpoint
	order     []string
	skipped   int
	firstSkip string
	skipLine  int
	scratch   []byte
	recent    [8]*rawEndpoint // the last endpoints used: most rows hit one, no hashing
	next      int
}

func newRawAgg(file string) *rawAgg { return &rawAgg{file: file, eps: map[string]*rawEndpoint{}} }

func (a *rawAgg) add(s sample) {
	a.addBytes(s.method, []byte(s.name), s.latencyNs, s.failed, s.startNs, s.endNs)
}

// endpoint finds (or creates) an endpoint without allocating when it exists.
func (a *rawAgg) endpoint(method string, name []byte) *rawEndpoint {
	for _, e := range a.recent {
		if e != nil && e.name == string(name) && e.method == method {
			return e
		}
	}
	k := append(append(append(a.scratch[:0], method...), 0), name...)
	a.scratch = k
	e := a.eps[string(k)]
	if e == nil {
		e = &rawEndpoint{method: method, name: string(name), hist: NewHistogram(), min: math.MaxInt64}
		a.eps[string(k)] = e
		a.order = append(a.order, string(k))
	}
	a.recent[a.next%len(a.recent)] = e
	a.next++
	return e
}

// addBytes is add for readers that hold the name as bytes (the hot paths).
func (a *rawAgg) addBytes(method string, name []byte, latencyNs int64, failed bool, startNs, endNs int64) {
	e := a.endpoint(method, name)
	e.n++
	if failed {
		e.failures++
	}
	var carry uint64
	e.sumLo, carry = bits.Add64(e.sumLo, uint64(latencyNs), 0)
	e.sumHi += carry
	if latencyNs < e.min {
		e.min = latencyNs
	}
	if latencyNs > e.max {
		e.max = latencyNs
	}
	e.hist.Record(latencyNs)
	if startNs != 0 || endNs != 0 {
		e.span.Add(startNs, endNs)
	}
}

// merge adds everything of b (another worker's state over other records) to a.
func (a *rawAgg) merge(b *rawAgg) {
	for _, k := range b.order {
		be := b.eps[k]
		e := a.eps[k]
		if e == nil {
			a.eps[k] = be
			a.order = append(a.order, k)
			continue
		}
		e.n += be.n
		e.failures += be.failures
		e.flagged += be.flagged
		var carry uint64
		e.sumLo, carry = bits.Add64(e.sumLo, be.sumLo, 0)
		e.sumHi += be.sumHi + carry
		e.min = min(e.min, be.min)
		e.max = max(e.max, be.max)
		e.hist.Merge(be.hist)
		e.span.Union(be.span)
	}
	a.skipped += b.skipped
	if b.firstSkip != "" && (a.firstSkip == "" || b.skipLine < a.skipLine) {
		a.firstSkip, a.skipLine = b.firstSkip, b.skipLine
	}
}

// skip records a malformed record that was left out.
func (a *rawAgg) skip(line int, msg string) {
	a.skipped++
	if a.firstSkip == "" || line < a.skipLine {
		a.firstSkip, a.skipLine = (&SyntaxError{File: a.file, Line: line, Msg: msg}).Error(), line
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
		sumNs := float64(e.sumHi)*(1<<64) + float64(e.sumLo)
		row := Row{Method: e.method, Name: e.name, Line: i + 1, Requests: e.n, Failures: e.failures,
			AvgMs: sumNs / 1e6 / float64(e.n), HasAvg: true,
			MinMs: float64(e.min) / 1e6, MaxMs: float64(e.max) / 1e6, HasMinMax: true,
			Samples: e.hist, Span: e.span}
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
