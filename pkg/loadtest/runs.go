package loadtest

import (
	"slices"
	"time"
)

// Several runs in one file. JMeter appends to an existing result file by default (-l
// without -f, CSV and XML alike), so a JTL kept between runs holds every run one after
// the other, hours or days apart; spreading the requests over the whole file's span makes
// rps meaningless. The runs are told apart by idle gaps: stretches of time with no
// request in flight (between the end of every request so far and the start of the next).
//
// The rule: with the idle gaps sorted longest first, g1 ≥ g2 ≥ …, the gaps between runs
// are the k longest for the largest k such that g_k ≥ RunGap and g_k ≥ RunGapRatio ×
// g_{k+1} (g_{k+1} = 0 when no gap is left): a gap separates runs when it is at least ten
// minutes and at least twenty times as long as every gap left inside the runs. A loaded
// test has requests in flight all the time (no idle gap at all); a test with think times
// has short gaps, and its runs are separated only by far longer ones; a test paced at a
// request every few minutes stays one run, since its gaps are alike (one request every
// ten minutes or more is indistinguishable from runs of one request each, and is read so).
//
// Samples are parsed in parallel chunks and are not in time order (JMeter threads write
// a sample when it ends), so each worker keeps the time its requests cover as intervals
// (coverage) joined across idle gaps shorter than coverageRes — a gap that short never
// decides anything: against a gap of at least RunGap it always passes the ratio — and
// the workers' intervals are merged at the end.

const (
	// RunGap is the shortest idle gap that can separate two runs.
	RunGap = 10 * time.Minute
	// RunGapRatio is how many times longer than every idle gap inside the runs a gap
	// between runs must be.
	RunGapRatio = 20
	// coverageRes: shorter idle gaps are not kept.
	coverageRes = int64(RunGap / RunGapRatio)
	// coverageCompact is how many intervals a worker keeps before merging them.
	coverageCompact = 1024
)

// Run is one of the runs of a raw-sample input: from its first request start to its last
// request end (ns on the input's clock), and its requests. Options.Run reads it alone.
type Run struct {
	Span
	Requests int64
	from     chunkMark // where a reading of the run alone may start (offset 0: the start)
}

// chunkMark is a chunk of a parallel read: where it starts (byte offset in the parallel
// part of the input, and line) and the latest request start in it. A reading of one run
// skips the chunks before the first one that holds a request of the run: with runs
// appended one after the other, the earlier runs are not parsed again.
type chunkMark struct {
	offset   int64
	line     int
	maxStart int64
}

// interval is a stretch of covered time and the requests that started in it.
type interval struct{ lo, hi, n int64 }

// coverage is the time that the requests of one worker cover.
type coverage struct {
	cur  interval // the interval being extended (n == 0: none yet)
	done []interval
}

// add records a request from start to end (ns). Requests usually come in time order, so
// most extend the current interval.
func (c *coverage) add(start, end int64) {
	if c.cur.n > 0 && start <= c.cur.hi+coverageRes && end >= c.cur.lo-coverageRes {
		c.cur.lo = min(c.cur.lo, start)
		c.cur.hi = max(c.cur.hi, end)
		c.cur.n++
		return
	}
	c.open(start, end)
}

// open starts a new current interval.
func (c *coverage) open(start, end int64) {
	if c.cur.n > 0 {
		c.done = append(c.done, c.cur)
		if len(c.done) >= coverageCompact {
			c.done = compactIntervals(c.done)
		}
	}
	c.cur = interval{start, end, 1}
}

// merge adds the intervals of another worker.
func (c *coverage) merge(o *coverage) {
	c.done = append(c.done, o.done...)
	if o.cur.n > 0 {
		c.done = append(c.done, o.cur)
	}
	if len(c.done) >= coverageCompact {
		c.done = compactIntervals(c.done)
	}
}

// intervals returns the covered time as sorted intervals, each separated from the next
// by an idle gap longer than coverageRes.
func (c *coverage) intervals() []interval {
	all := slices.Clone(c.done)
	if c.cur.n > 0 {
		all = append(all, c.cur)
	}
	return compactIntervals(all)
}

// compactIntervals sorts intervals and joins those less than coverageRes apart.
func compactIntervals(iv []interval) []interval {
	slices.SortFunc(iv, func(a, b interval) int { return cmpInt64(a.lo, b.lo) })
	out := iv[:0]
	for _, v := range iv {
		if k := len(out) - 1; k >= 0 && v.lo <= out[k].hi+coverageRes {
			out[k].hi = max(out[k].hi, v.hi)
			out[k].n += v.n
			continue
		}
		out = append(out, v)
	}
	return out
}

// splitRuns groups the covered intervals into runs by the rule above; marks (the chunks
// read, any order) tell where each run's reading may start.
func splitRuns(iv []interval, marks []chunkMark) []Run {
	if len(iv) == 0 {
		return nil
	}
	gaps := make([]int64, 0, len(iv)-1)
	for i := 1; i < len(iv); i++ {
		gaps = append(gaps, iv[i].lo-iv[i-1].hi)
	}
	cut := runCut(gaps)
	var runs []Run
	for i, v := range iv {
		if i > 0 && gaps[i-1] < cut {
			r := &runs[len(runs)-1]
			r.EndNs = max(r.EndNs, v.hi)
			r.Requests += v.n
			continue
		}
		runs = append(runs, Run{Span: Span{StartNs: v.lo, EndNs: v.hi, OK: true}, Requests: v.n})
	}
	slices.SortFunc(marks, func(a, b chunkMark) int { return cmpInt64(a.offset, b.offset) })
	for i := range runs {
		for _, m := range marks {
			if m.maxStart >= runs[i].StartNs {
				runs[i].from = m
				break
			}
		}
	}
	return runs
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// runCut returns the length from which an idle gap separates runs (beyond every gap when
// none does).
func runCut(gaps []int64) int64 {
	sorted := slices.Clone(gaps)
	slices.SortFunc(sorted, func(a, b int64) int { return cmpInt64(b, a) })
	cut := int64(-1)
	for k, g := range sorted {
		next := int64(0)
		if k+1 < len(sorted) {
			next = sorted[k+1]
		}
		if g >= int64(RunGap) && g/RunGapRatio >= next {
			cut = g // a larger k wins: the shortest gap that still separates runs
		}
	}
	if cut < 0 {
		return int64(1) << 62
	}
	return cut
}
