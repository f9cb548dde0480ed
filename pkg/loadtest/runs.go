package loadtest

import (
	"cmp"
	"fmt"
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
// are the k longest for the largest k such that g_k ≥ RunGapRatio × g_{k+1} (g_{k+1} = 0
// when no gap is left) and each of the k gaps is at least RunGap, or at least
// ShortRunGap, as long as the runs it separates and RunGapRatio times their mean time
// between requests: a gap separates runs when it is at least twenty times as long as
// every gap left inside the runs, and either ten minutes or more, or a minute or more
// that is longer than the runs around it and far longer than their pacing (a short test
// run again a few minutes later). A loaded
// test has requests in flight all the time (no idle gap at all); a test with think times
// has short gaps, and its runs are separated only by far longer ones; a pause of a few
// minutes in a longer test does not cut it (an idle stretch of ShortRunGap or more left
// inside a run is named in a note: rps counts it as test time); a test paced at a request
// every few minutes stays one run, since its gaps are alike (one request every ten
// minutes or more is indistinguishable from runs of one request each, and is read so).
//
// Samples are parsed in parallel chunks and are not in time order (JMeter threads write
// a sample when it ends), so each worker keeps the time its requests cover as intervals
// (coverage) joined across idle gaps shorter than coverageRes — a gap that short never
// decides anything: against a gap of at least ShortRunGap it always passes the ratio —
// and the workers' intervals are merged at the end.

const (
	// RunGap is the idle gap that separates two runs whatever their length.
	RunGap = 10 * time.Minute
	// ShortRunGap is the shortest idle gap that can separate two runs: those shorter
	// than it, on both sides.
	ShortRunGap = time.Minute
	// RunGapRatio is how many times longer than every idle gap inside the runs a gap
	// between runs must be.
	RunGapRatio = 20
	// coverageRes: shorter idle gaps are not kept.
	coverageRes = int64(ShortRunGap / RunGapRatio)
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
	cur   interval // the interval being extended (n == 0: none yet)
	done  []interval
	limit int // how many intervals done holds before they are merged again
}

// compact merges the intervals once they are many: twice as many as the last merge
// left, so that intervals that do not merge (requests seconds apart) cost no sort each.
func (c *coverage) compact() {
	if len(c.done) >= max(coverageCompact, c.limit) {
		c.done = compactIntervals(c.done)
		c.limit = 2 * len(c.done)
	}
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
		c.compact()
	}
	c.cur = interval{start, end, 1}
}

// merge adds the intervals of another worker.
func (c *coverage) merge(o *coverage) {
	c.done = append(c.done, o.done...)
	if o.cur.n > 0 {
		c.done = append(c.done, o.cur)
	}
	c.compact()
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
	slices.SortFunc(iv, func(a, b interval) int { return cmp.Compare(a.lo, b.lo) })
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
	runs := groupRuns(iv, gaps, runCut(iv, gaps))
	slices.SortFunc(marks, func(a, b chunkMark) int { return cmp.Compare(a.offset, b.offset) })
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

// groupRuns joins the intervals into runs at the gaps shorter than cut.
func groupRuns(iv []interval, gaps []int64, cut int64) []Run {
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
	return runs
}

// runCut returns the length from which an idle gap separates runs (beyond every gap when
// none does).
func runCut(iv []interval, gaps []int64) int64 {
	sorted := slices.Clone(gaps)
	slices.SortFunc(sorted, func(a, b int64) int { return cmp.Compare(b, a) })
	none := int64(1) << 62
	for k := len(sorted) - 1; k >= 0; k-- { // the largest k first: the most runs
		next := int64(0)
		if k+1 < len(sorted) {
			next = sorted[k+1]
		}
		g := sorted[k]
		if g < int64(ShortRunGap) || g/RunGapRatio < next {
			continue
		}
		if shortGapsHold(groupRuns(iv, gaps, g), int64(RunGap)) {
			return g
		}
	}
	return none
}

// shortGapsHold reports whether every gap between the runs that is shorter than long is
// at least as long as the runs on both its sides, and at least RunGapRatio times their
// mean time between requests (a run of one request has none: no short gap ends it).
func shortGapsHold(runs []Run, long int64) bool {
	for i := 1; i < len(runs); i++ {
		g := runs[i].StartNs - runs[i-1].EndNs
		if g < long && (!shortOf(g, runs[i-1]) || !shortOf(g, runs[i])) {
			return false
		}
	}
	return true
}

// shortOf reports whether run r is short beside an idle gap g: it lasted no longer than
// g, and g is at least RunGapRatio times its mean time between requests.
func shortOf(g int64, r Run) bool {
	span := r.EndNs - r.StartNs
	return r.Requests >= 2 && span <= g && span/(r.Requests-1) <= g/RunGapRatio
}

// idleNote names the idle gaps of ShortRunGap or more that the runs keep inside (not
// taken as gaps between runs), if any: rps counts them as test time.
func idleNote(file string, iv []interval, runs []Run) (string, bool) {
	var longest [2]int64
	n := 0
	for i := 1; i < len(iv); i++ {
		lo, hi := iv[i-1].hi, iv[i].lo
		if hi-lo < int64(ShortRunGap) || !inRun(lo, hi, runs) {
			continue
		}
		n++
		if hi-lo > longest[1]-longest[0] {
			longest = [2]int64{lo, hi}
		}
	}
	if n == 0 {
		return "", false
	}
	more := ""
	if n > 1 {
		more = fmt.Sprintf(" (and %d shorter idle stretch%s of a minute or more)", n-1, map[bool]string{true: "", false: "es"}[n == 2])
	}
	at := func(ns int64) string { return time.Unix(0, ns).UTC().Format(time.DateTime) }
	return fmt.Sprintf("%s: no request in flight for %s (%s to %s)%s, inside a run: not a gap between runs (one is %d times every idle gap inside the runs, and %s or more, or %s or more and longer than the runs on both sides), so rps counts it as test time",
		file, idleLength(longest[1]-longest[0]), at(longest[0]), at(longest[1]), more, RunGapRatio, idleLength(int64(RunGap)), idleLength(int64(ShortRunGap))), true
}

// inRun reports whether lo–hi lies inside one of the runs.
func inRun(lo, hi int64, runs []Run) bool {
	for _, r := range runs {
		if r.StartNs <= lo && hi <= r.EndNs {
			return true
		}
	}
	return false
}

// idleLength writes a length of time for a note: "75 s", "3 min 5 s".
func idleLength(ns int64) string {
	sec := (ns + 5e8) / 1e9
	if sec < 120 {
		return fmt.Sprintf("%d s", sec)
	}
	if sec%60 == 0 {
		return fmt.Sprintf("%d min", sec/60)
	}
	return fmt.Sprintf("%d min %d s", sec/60, sec%60)
}
