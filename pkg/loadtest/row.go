// Package loadtest reads the result files of load-testing tools and turns them into rows:
// one row per endpoint (or per sample for raw formats) with counts and latencies in
// milliseconds. It knows nothing about services or thresholds.
package loadtest

import (
	"sort"
)

// Point is one step of a percentile ladder: Pct percent of the requests took at most Ms
// milliseconds (Pct in 0–100).
type Point struct {
	Pct float64
	Ms  float64
}

// Row is one endpoint's figures as a tool reports them. Latencies are milliseconds.
// A field whose Has* flag is false was not in the input.
type Row struct {
	Method string // request type (GET, POST, custom); may be empty
	Name   string // endpoint name as the tool wrote it
	Line   int    // line (or entry index) in the file, for messages

	Requests int64 // includes failures
	Failures int64

	// Timed is the number of requests that carry a latency (Locust's num_requests minus
	// num_none_requests); AvgMs is averaged over them. Zero means "same as Requests".
	Timed int64

	AvgMs, MedianMs, MinMs, MaxMs float64
	HasAvg, HasMedian, HasMinMax  bool

	RPS    float64
	HasRPS bool

	// Ladder is the tool's own percentile columns, ascending by Pct.
	Ladder []Point
	// Unranked tells that the input holds percentiles whose ranks cannot be known (a
	// dashboard whose percentile settings are not the defaults): they are not in Ladder,
	// and no percentile of the row may be estimated from the average either.
	Unranked bool
	// Hist is an exact bucketed latency histogram (bucket value in ms → count), when the
	// tool provides one (Locust --json). Percentiles are then computed the tool's way.
	Hist map[float64]int64

	// Samples is the latency distribution of a raw-sample input (every request recorded);
	// percentiles are then nearest-rank over the samples.
	Samples *Histogram
	// Span is the first request start to the last request end of a raw-sample input;
	// rps is derived from the span of all raw inputs together.
	Span Span

	// Total marks the tool's own total row (Locust "Aggregated", old "Total").
	Total bool
}

// TimedRequests is the number of requests that the average and the distribution cover.
func (r *Row) TimedRequests() int64 {
	if r.Timed > 0 {
		return r.Timed
	}
	return r.Requests
}

// At returns the value of a ladder at exactly pct percent.
func At(ladder []Point, pct float64) (float64, bool) {
	for _, p := range ladder {
		if p.Pct == pct {
			return p.Ms, true
		}
	}
	return 0, false
}

// Span is the time that requests cover: the first start to the last end, in ns on the
// input's clock (Unix ns, or ns since the test start). The zero Span covers nothing.
type Span struct {
	StartNs, EndNs int64
	OK             bool
}

// Add widens the span to cover [startNs, endNs].
func (s *Span) Add(startNs, endNs int64) {
	if !s.OK || startNs < s.StartNs {
		s.StartNs = startNs
	}
	if !s.OK || endNs > s.EndNs {
		s.EndNs = endNs
	}
	s.OK = true
}

// Union widens s to cover o too.
func (s *Span) Union(o Span) {
	if o.OK {
		s.Add(o.StartNs, o.EndNs)
	}
}

// Sink receives rows as a reader produces them. Returning an error stops the reader.
type Sink func(Row) error

// sinkAll sends rows to sink in order, up to the first error.
func sinkAll(rows []Row, sink Sink) error {
	for _, r := range rows {
		if err := sink(r); err != nil {
			return err
		}
	}
	return nil
}

// Skips counts the malformed records that a raw-sample reader left out (see the rule
// for numbers in numbers.go); summary formats never skip, they fail.
type Skips struct {
	Count int    // records left out
	First string // the first of them in file order: "file:line: reason"
}

// sortLadder orders a ladder by percentile and drops duplicates (the first one wins).
func sortLadder(l []Point) []Point {
	sort.SliceStable(l, func(i, j int) bool { return l[i].Pct < l[j].Pct })
	out := l[:0]
	for i, p := range l {
		if i > 0 && p.Pct == out[len(out)-1].Pct {
			continue
		}
		out = append(out, p)
	}
	return out
}
