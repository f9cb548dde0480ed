package loadtest

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// rawEndpoint accumulates the samples (requests) of one endpoint of a raw-sample file.
type rawEndpoint struct {
	method, name string
	n, failures  int64
	flagged      int64  // requests flagged failed by a separate record (k6 http_req_failed)
	sumHi, sumLo uint64 // exact 128-bit sum of the latencies in ns: the mean does not depend on the order
	min, max     int64
	hist         *Histogram
	span         Span
}

// rawAgg aggregates the samples of a raw-sample file per (method, name), and counts the
// records it had to skip. Each worker of the parallel reader has its own; merge joins them.
type rawAgg struct {
	file    string
	eps     map[string]*rawEndpoint
	order   []string
	skipped int
	first   skipAt // the first skipped record in file order
	fatal   skipAt // the first record that fails the whole read, in file order (XML)

	// flags: failures come from separate records (k6 http_req_failed) once one is seen.
	flags bool

	scratch []byte            // endpoint keys
	name    []byte            // names a reader composes (Gatling's group path)
	cache   [64]*rawEndpoint  // endpoints by a cheap hash of the name: most rows hit, no map
	derived map[string][]byte // names derived from a field (a Vegeta URL's path), by field

	cov    coverage // the time the requests cover, to tell appended runs apart (runs.go)
	window Span     // when OK, only the requests that start within it are read
	line   int      // the line of the record being read (0: unknown), for enc
	enc    skipAt   // the first record whose endpoint name is not UTF-8 (msg: the name)
	// at is the offset of the chunk being read: of two records on one line (XML samples)
	// in two chunks, the first in the file is the one of the lower offset.
	at int64
	// chunk is the chunk being read (its latest request start so far); marks, the chunks
	// read (runs.go).
	chunk chunkMark
	marks []chunkMark
	// tail is, for the chunk being read, the malformed records after its last sample;
	// tails, those of the chunks read (malformedTail).
	tail  chunkTail
	tails []chunkTail
}

// chunkTail is what a chunk ends with: whether it holds a sample, and the malformed
// records after its last one (all of them without a sample): how many, and the first.
type chunkTail struct {
	offset  int64
	samples bool
	bad     int
	first   skipAt
}

// skipAt is a skipped record: where (line, then the offset of its chunk), and why.
type skipAt struct {
	line int
	off  int64
	msg  string
}

// before tells whether s comes before o in the file (o empty: always).
func (s skipAt) before(o skipAt) bool {
	return s.msg != "" && (o.msg == "" || s.line < o.line || s.line == o.line && s.off < o.off)
}

// unknownLine orders a record of unknown line after the others.
const unknownLine = math.MaxInt

// knownLine is the line, 0 when unknown.
func (s skipAt) knownLine() int {
	if s.line == unknownLine {
		return 0
	}
	return s.line
}

func newRawAgg(file string) *rawAgg { return &rawAgg{file: file, eps: map[string]*rawEndpoint{}} }

// endpoint finds (or creates) an endpoint without allocating when it exists: first in a
// small cache indexed by the name's length and last bytes, then in the map.
func (a *rawAgg) endpoint(method, name []byte) *rawEndpoint {
	h := len(name) + len(method)<<3
	if n := len(name); n > 0 {
		h += int(name[n-1])*7 + int(name[n/2])*13
	}
	slot := &a.cache[h&(len(a.cache)-1)]
	if e := *slot; e != nil && e.name == string(name) && e.method == string(method) {
		return e
	}
	k := append(append(append(a.scratch[:0], method...), 0), name...)
	a.scratch = k
	e := a.eps[string(k)]
	if e == nil {
		e = &rawEndpoint{method: a.text(method), name: a.text(name), hist: NewHistogram(), min: math.MaxInt64}
		a.eps[string(k)] = e
		a.order = append(a.order, string(k))
	}
	*slot = e
	return e
}

// text is a name of the file as a string: invalid UTF-8 is escaped (escapeInvalid), and
// the first record with such a name is noted for the warning.
func (a *rawAgg) text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	s := escapeInvalid(string(b))
	line := a.line
	if line <= 0 {
		line = unknownLine
	}
	if at := (skipAt{line, a.at, s}); at.before(a.enc) {
		a.enc = at
	}
	return s
}

// add records one request: its latency, whether it failed, and when it started and
// ended on the input's clock (both 0 when unknown). Outside the window (when set) a
// request is left out.
func (a *rawAgg) add(method, name []byte, latencyNs int64, failed bool, startNs, endNs int64) {
	a.chunk.maxStart = max(a.chunk.maxStart, startNs)
	a.tail.samples = true
	if a.tail.bad != 0 {
		a.tail.bad, a.tail.first = 0, skipAt{}
	}
	if a.window.OK && (startNs < a.window.StartNs || startNs > a.window.EndNs) {
		return
	}
	e := a.endpoint(method, name)
	e.n++
	if failed {
		e.failures++
	}
	var carry uint64
	e.sumLo, carry = bits.Add64(e.sumLo, uint64(latencyNs), 0)
	e.sumHi += carry
	e.min = min(e.min, latencyNs)
	e.max = max(e.max, latencyNs)
	e.hist.Record(latencyNs)
	if startNs != 0 || endNs != 0 {
		e.span.Add(startNs, endNs)
		a.cov.add(startNs, endNs)
	}
}

// flag records a separate failure record of an endpoint (k6 http_req_failed: failed
// tells its value). Once a file has such records, they alone count failures.
func (a *rawAgg) flag(method, name []byte, failed bool) {
	a.flags = true
	if failed {
		a.endpoint(method, name).flagged++
	}
}

// derive returns the name derived from a field by f (e.g. a URL's path), computing it
// once per distinct field: no allocation for fields seen before.
func (a *rawAgg) derive(field []byte, f func(string) string) []byte {
	if v, ok := a.derived[string(field)]; ok {
		return v
	}
	v := []byte(f(string(field)))
	if a.derived == nil {
		a.derived = map[string][]byte{}
	}
	if len(a.derived) < 4096 {
		a.derived[string(field)] = v
	}
	return v
}

// skip records a malformed record that was left out.
func (a *rawAgg) skip(line int, msg string) {
	a.skipped++
	if a.tail.bad++; a.tail.bad == 1 {
		a.tail.first = skipAt{line, a.at, msg}
	}
	if at := (skipAt{line, a.at, msg}); at.before(a.first) {
		a.first = at
	}
}

// fail records a record that makes the whole read fail (the earliest one is reported).
func (a *rawAgg) fail(line int, msg string) {
	if at := (skipAt{line, a.at, msg}); at.before(a.fatal) {
		a.fatal = at
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
	a.flags = a.flags || b.flags
	a.cov.merge(&b.cov)
	a.marks = append(a.marks, b.marks...)
	a.tails = append(a.tails, b.tails...)
	if b.enc.before(a.enc) {
		a.enc = b.enc
	}
	a.skipped += b.skipped
	if b.fatal.before(a.fatal) {
		a.fatal = b.fatal
	}
	if b.first.before(a.first) {
		a.first = b.first
	}
}

// emit sends one row per endpoint, in key order, and reports the skipped records. It
// fails when nothing usable remains.
func (a *rawAgg) emit(sink Sink) (Skips, error) {
	if a.fatal.msg != "" {
		return Skips{}, &fileerr.Error{File: a.file, Line: a.fatal.line, Msg: a.fatal.msg}
	}
	var skips Skips
	if a.skipped > 0 {
		skips = Skips{Count: a.skipped, First: (&fileerr.Error{File: a.file, Line: a.first.line, Msg: a.first.msg}).Error()}
	}
	var keys []string
	for _, k := range a.order {
		e := a.eps[k]
		if e.n == 0 {
			continue // seen only in failure records: no request
		}
		if a.flags {
			e.failures = min(e.flagged, e.n)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		if skips.Count > 0 {
			return skips, &fileerr.Error{File: a.file, Msg: fmt.Sprintf("no usable sample: all %d records malformed (first: %s)", skips.Count, skips.First)}
		}
		return skips, &fileerr.Error{File: a.file, Msg: "no samples"}
	}
	slices.SortStableFunc(keys, cmp.Compare)
	for i, k := range keys {
		e := a.eps[k]
		sumNs := float64(e.sumHi)*(1<<64) + float64(e.sumLo)
		row := Row{Method: e.method, Name: e.name, Line: i + 1, Requests: e.n, Failures: e.failures,
			AvgMs: sumNs / 1e6 / float64(e.n), HasAvg: true,
			MinMs: float64(e.min) / 1e6, MaxMs: float64(e.max) / 1e6, HasMinMax: true,
			Samples: e.hist, Span: e.span}
		if err := sink(row); err != nil {
			return skips, err
		}
	}
	return skips, nil
}

// readSamples is the reader of every raw-sample format: the parallel shape over the rest
// of the input (from line firstLine on), one rawAgg per worker, then one row per endpoint.
func readSamples(in *Input, firstLine int, cut cutFunc, parse func(*rawAgg, chunk), sink Sink) (Skips, error) {
	agg, _, err := parallel(in.pipeline(firstLine, cut), in.newRawAgg, parse)
	if err != nil {
		return Skips{}, fileerr.Wrap(in.File, err)
	}
	return in.emit(agg, sink)
}

// newRawAgg is a worker's accumulator for the input (its run's window applied).
func (in *Input) newRawAgg() *rawAgg {
	a := newRawAgg(in.File)
	if in.opt.Run != nil {
		a.window = in.opt.Run.Span
	}
	return a
}

// startChunk and endChunk bracket the reading of a chunk: where it starts, for the
// order of messages (at) and the runs' resume points (marks).
func (a *rawAgg) startChunk(c chunk) {
	a.at = c.offset
	a.chunk = chunkMark{offset: c.offset, line: c.firstLine, maxStart: math.MinInt64}
	a.tail = chunkTail{offset: c.offset}
}

func (a *rawAgg) endChunk() {
	if a.chunk.maxStart != math.MinInt64 {
		a.marks = append(a.marks, a.chunk)
	}
	a.tails = append(a.tails, a.tail)
}

// malformedTail returns the malformed records after the last sample of the chunks read
// (none when no chunk holds a sample): how many, and the first.
func (a *rawAgg) malformedTail() (int, skipAt) {
	slices.SortFunc(a.tails, func(x, y chunkTail) int { return cmp.Compare(x.offset, y.offset) })
	n, first := 0, skipAt{}
	for i := len(a.tails) - 1; i >= 0; i-- {
		t := a.tails[i]
		n += t.bad
		if t.bad > 0 {
			first = t.first
		}
		if t.samples {
			return n, first
		}
	}
	return 0, skipAt{}
}

// emit sends the rows of the merged accumulator and keeps on the input what the rows do
// not say: the runs the samples form, and a note when names are not UTF-8.
func (in *Input) emit(agg *rawAgg, sink Sink) (Skips, error) {
	skips, err := agg.emit(sink)
	if err != nil {
		return skips, err
	}
	iv := agg.cov.intervals()
	in.runs = splitRuns(iv, agg.marks)
	if agg.enc.msg != "" {
		in.notes = append(in.notes, encodingNote(in.File, agg.enc.knownLine(), agg.enc.msg))
	}
	if note, ok := idleNote(in.File, iv, in.runs); ok {
		in.notes = append(in.notes, note)
	}
	return skips, nil
}

// lineSamples builds the chunk parse of a line-oriented raw format (NDJSON, logs) from
// the one function it writes: record reads a line (without its line end) into samples,
// skips, or ignores it. Blank lines are ignored.
func lineSamples(record func(a *rawAgg, line []byte, n int)) func(*rawAgg, chunk) {
	return func(a *rawAgg, c chunk) {
		a.startChunk(c)
		eachLine(c, func(l []byte, n int) {
			if len(l) > 0 {
				a.line = n
				record(a, l, n)
			}
		})
		a.endChunk()
	}
}

// csvSamples builds the chunk parse of a CSV raw format from the one function it writes:
// record reads a record's fields into samples, or skips it. Splitting is the shape's:
// in place for unquoted records, encoding/csv for quoted ones.
func csvSamples(s csvShape, record func(a *rawAgg, f *fields, line int)) func(*rawAgg, chunk) {
	return func(a *rawAgg, c chunk) {
		a.startChunk(c)
		s.records(c, func(f *fields, line int) { a.line = line; record(a, f, line) }, a.skip)
		a.endChunk()
	}
}
