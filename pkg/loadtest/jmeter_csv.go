package loadtest

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// Default CSV JTL column sets by column count, for files written without a header
// (JMeter < 3.0 did not write one by default). The first eight columns are the same in all.
var jtlDefaultColumns = map[int][]string{
	12: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency", ","),                                           // 2.x defaults (e.g. 2.13)
	13: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,grpThreads,allThreads,Latency", ","),                            // 2.x with failureMessage
	15: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,grpThreads,allThreads,Latency,IdleTime,Connect", ","),           // 3.0
	16: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,Latency,IdleTime,Connect", ","), // 3.1–3.x
	17: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect", ","),
}

// detectJMeterCSV: a JTL header, or a headerless JTL (JMeter < 3.0): an epoch-ms
// timestamp and a number first.
func detectJMeterCSV(s *sniff) bool {
	h := s.header()
	if jtlHeader(h) != 0 {
		return true
	}
	fields := strings.Split(h, ",")
	return len(fields) >= 10 && len(fields[0]) == 13 && isDigits(fields[0]) && isDigits(fields[1])
}

// jtlHeader returns the delimiter of a JTL header line, or 0 when the line is not one.
// Like JMeter, the delimiter is the first non-word character after the first name.
func jtlHeader(line string) rune {
	if !strings.HasPrefix(line, "timeStamp") && !strings.HasPrefix(line, "elapsed") {
		return 0
	}
	var delim rune
	for _, r := range line {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			delim = r
			break
		}
	}
	if delim == 0 || !strings.Contains(line, "elapsed") || !strings.Contains(line, "label") {
		return 0
	}
	return delim
}

// headerlessDelimiter finds the delimiter after the leading epoch-ms timestamp.
func headerlessDelimiter(line string) rune {
	for _, r := range line {
		if r < '0' || r > '9' {
			return r
		}
	}
	return ','
}

// readJMeterCSV reads a CSV JTL: header or not, any single-character delimiter, quoted
// fields with delimiters, quotes and newlines. Sub-result rows are not counted twice.
// Malformed records are skipped and reported. The records are parsed in parallel chunks.
func readJMeterCSV(in *Input, sink Sink) (Skips, error) {
	cols, delim, firstLine, err := jtlColumns(in)
	if err != nil {
		return Skips{}, err
	}
	l, err := newJTLLayout(in.File, delim, cols)
	if err != nil {
		return Skips{}, err
	}
	l.separate = in.opt.separate()
	if in.opt.jtlWindow > 0 {
		l.window = in.opt.jtlWindow
	}
	agg, _, err := parallel(in.pipeline(firstLine, l.cut()), in.newRawAgg, l.parse)
	if err != nil {
		return Skips{}, fileerr.Wrap(in.File, err)
	}
	if err := l.tailError(agg); err != nil {
		return Skips{}, err
	}
	return in.emit(agg, sink)
}

// jtlMalformedTail is how many malformed records at the end of a CSV JTL, after its
// last sample, fail the read: JMeter appending a run with other settings to the file
// (another column saved) writes no header, and every record of the new run is
// malformed. Fewer are skipped like other malformed records (a run killed mid-line).
const jtlMalformedTail = 10

// tailError fails the read when the file ends with jtlMalformedTail malformed records
// or more after its last sample: the figures would be those of the runs before, said to
// be the file's.
func (l *jtlLayout) tailError(a *rawAgg) error {
	if a.fatal.msg != "" {
		return nil // reported by emit
	}
	n, first := a.malformedTail()
	if n < jtlMalformedTail {
		return nil
	}
	return &fileerr.Error{File: a.file, Line: first.line, Msg: fmt.Sprintf("the records from this line to the end of the file (%d) are malformed (the first: %s): a run appended with other settings (JMeter writes no header into an existing file)? Split the file at this line, or run JMeter with -f to overwrite its results", n, first.msg)}
}

// jtlColumns reads the header (or picks the columns of a headerless file) and returns
// the columns, the delimiter and the first data line.
func jtlColumns(in *Input) (cols []string, delim rune, firstLine int, err error) {
	head, _ := in.br.Peek(64 << 10)
	first, _, _ := strings.Cut(string(head), "\n")
	first = strings.TrimRight(first, "\r")
	delim = jtlHeader(first)
	hasHeader := delim != 0
	if !hasHeader {
		delim = headerlessDelimiter(first)
	}
	parseLine := func(line string) ([]string, error) {
		cr := csv.NewReader(strings.NewReader(line))
		cr.Comma = delim
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		return cr.Read()
	}
	switch {
	case hasHeader:
		line, err := in.br.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, 0, 0, fileerr.Wrap(in.File, err)
		}
		h, err := parseLine(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return nil, 0, 0, &fileerr.Error{File: in.File, Line: 1, Msg: err.Error()}
		}
		for _, c := range h {
			cols = append(cols, strings.Trim(strings.TrimSpace(c), `"`))
		}
		return cols, delim, 2, nil
	case len(in.opt.JTLColumns) > 0:
		return in.opt.JTLColumns, delim, 1, nil
	}
	f, err := parseLine(first) // headerless: the column count picks the version's default set
	if err != nil {
		return nil, 0, 0, &fileerr.Error{File: in.File, Line: 1, Msg: err.Error()}
	}
	set, ok := jtlDefaultColumns[len(f)]
	if !ok {
		return nil, 0, 0, &fileerr.Error{File: in.File, Line: 1, Msg: fmt.Sprintf("JTL without a header and with %d columns: no default column set has that many; give the columns with --jtl-columns", len(f))}
	}
	return set, delim, 1, nil
}

// jtlLayout is where a CSV JTL keeps the four fields perfgate needs.
type jtlLayout struct {
	shape                  csvShape
	cols                   int
	ts, elapsed, label, ok int
	thread                 int      // the threadName column, -1 when none
	window                 int      // lines between a sub-result and its parent at most (jtlWindow)
	names                  []string // the columns
	separate               bool     // sub-results count under their own label
}

func newJTLLayout(file string, delim rune, cols []string) (*jtlLayout, error) {
	if delim >= 0x80 || delim == '"' || delim == '\n' || delim == '\r' {
		return nil, &fileerr.Error{File: file, Line: 1, Msg: fmt.Sprintf("delimiter %q is not a single-byte character", delim)}
	}
	l := &jtlLayout{cols: len(cols), ts: -1, elapsed: -1, label: -1, ok: -1, thread: -1, window: jtlWindow, names: cols}
	for i, c := range cols {
		switch c {
		case "threadName":
			l.thread = i
		case "timeStamp":
			l.ts = i
		case "elapsed":
			l.elapsed = i
		case "label":
			l.label = i
		case "success":
			l.ok = i
		}
	}
	for _, c := range []struct {
		name string
		i    int
	}{{"timeStamp", l.ts}, {"elapsed", l.elapsed}, {"label", l.label}, {"success", l.ok}} {
		if c.i < 0 {
			return nil, &fileerr.Error{File: file, Line: 1, Msg: fmt.Sprintf("JTL without a %q column", c.name)}
		}
	}
	l.shape = csvShape{delim: byte(delim), need: 1 + max(l.ts, l.elapsed, l.label, l.ok, l.thread)}
	return l, nil
}

// parse aggregates the samples of a chunk. A chunk starts where no sub-result's parent
// lies before it (see cut), so sub-results are recognized within the chunk.
func (l *jtlLayout) parse(a *rawAgg, c chunk) {
	p := jtlParents{window: l.window}
	a.startChunk(c)
	l.shape.records(c, func(f *fields, line int) { a.line = line; l.record(a, f, line, &p) }, a.skip)
	a.endChunk()
}

// record reads one sample; p holds the samples before it that sub-results may belong
// to. Sub-results are left out unless the layout keeps them separate.
func (l *jtlLayout) record(a *rawAgg, f *fields, line int, p *jtlParents) {
	if f.n != l.cols {
		l.bad(a, f, line, fmt.Sprintf("%d fields, want %d", f.n, l.cols))
		return
	}
	r, err := parseJTLRec(f.at(l.ts), f.at(l.elapsed), f.at(l.ok))
	if err != nil {
		l.bad(a, f, line, err.Error())
		return
	}
	label := f.at(l.label)
	if p.sub(l.threadOf(f), label, line) && !l.separate {
		return
	}
	a.add(nil, label, r.latNs, r.failed, r.tsNs, r.tsNs+r.latNs)
}

// threadOf is the thread name of a record, nil when the file has no threadName column.
func (l *jtlLayout) threadOf(f *fields) []byte {
	if l.thread < 0 {
		return nil
	}
	if t := f.at(l.thread); t != nil {
		return t
	}
	return []byte{}
}

// jtlWindow is how many lines after its parent a sub-result row may come in a CSV JTL
// with a threadName column. JMeter writes a sample's sub-results right after it, from
// the sample's thread, but the writes of the threads are not synchronized with each
// other: rows of other threads can land between a parent and its sub-results.
const jtlWindow = 256

// jtlParents tells sub-results from samples. Without a thread name (a file without
// the column), a sub-result is "<parent>-<n>" right after its parent (or after its
// parent's other sub-results): the last sample before it. With one, it is
// "<parent>-<n>" after the last sample of its own thread, at most window lines below.
//
// The last samples of the threads are kept in a ring, cheap to write, and looked up
// (going up the ring) only for labels ending in a digit; when such look-ups cost much
// (labels ending in digits, many threads), the ring becomes a map by thread.
type jtlParents struct {
	window int    // jtlWindow (tests make it smaller)
	last   []byte // without a thread name: the label of the last sample
	// The last samples that are no sub-results, in a ring: more than window of them, so
	// that the last one of a thread within window lines is there.
	ring    []jtlTop
	n       int // how many were written to the ring
	scanned int // ring entries looked at so far
	threads *jtlThreads
}

// jtlTop is a sample that is no sub-result: its thread, label and line.
type jtlTop struct {
	thread, label []byte
	line          int
}

// jtlRingBudget is how many ring entries a chunk's look-ups may go through before the
// ring becomes a map.
const jtlRingBudget = 1 << 14

// sub reports whether the record of label at line, of thread (nil: none), is a
// sub-result, and notes it as its thread's last sample when it is not. Labels are the
// chunk's bytes (or a quoted record's own): they stay while the chunk is read.
func (p *jtlParents) sub(thread, label []byte, line int) bool {
	switch {
	case thread == nil:
		if jtlSubResult(p.last, label) {
			return true
		}
		p.last = label
		return false
	case p.threads != nil:
		return p.threads.sub(thread, label, line, p.window)
	}
	if k := len(label); k > 0 && label[k-1] >= '0' && label[k-1] <= '9' && p.n > 0 {
		if top := p.lastOf(thread, line); top != nil && jtlSubResult(top.label, label) {
			return true
		}
	}
	if p.ring == nil {
		size := 1
		for size <= p.window {
			size *= 2
		}
		p.ring = make([]jtlTop, size)
	}
	p.ring[p.n&(len(p.ring)-1)] = jtlTop{thread, label, line}
	p.n++
	if p.scanned > jtlRingBudget {
		p.threads = newJTLThreads(p.ring, p.n)
	}
	return false
}

// lastOf returns the last sample of a thread in the window lines above line (nil: none).
func (p *jtlParents) lastOf(thread []byte, line int) *jtlTop {
	mask := len(p.ring) - 1
	for i := p.n - 1; i >= 0 && i >= p.n-len(p.ring); i-- {
		p.scanned++
		e := &p.ring[i&mask]
		if line-e.line > p.window {
			return nil
		}
		if string(e.thread) == string(thread) {
			return e
		}
	}
	return nil
}

// jtlThreads is the last sample of each thread, by thread name: a cache by a cheap
// hash of the name, then a map.
type jtlThreads struct {
	cache [1024]*jtlTop
	m     map[string]*jtlTop
}

// newJTLThreads makes the map from the ring (n entries written).
func newJTLThreads(ring []jtlTop, n int) *jtlThreads {
	t := &jtlThreads{m: map[string]*jtlTop{}}
	for i := max(0, n-len(ring)); i < n; i++ {
		e := ring[i&(len(ring)-1)]
		*t.of(e.thread) = e
	}
	return t
}

// sub is jtlParents.sub with the map.
func (t *jtlThreads) sub(thread, label []byte, line, window int) bool {
	e := t.of(thread)
	if e.label != nil && line-e.line <= window && jtlSubResult(e.label, label) {
		return true
	}
	e.label, e.line = label, line
	return false
}

// of finds (or creates) the entry of a thread, without allocating when it exists.
func (t *jtlThreads) of(name []byte) *jtlTop {
	slot := &t.cache[threadHash(name)&(len(t.cache)-1)]
	if e := *slot; e != nil && string(e.thread) == string(name) {
		return e
	}
	e := t.m[string(name)]
	if e == nil {
		e = &jtlTop{thread: append([]byte(nil), name...)}
		t.m[string(name)] = e
	}
	*slot = e
	return e
}

// threadHash is a cheap hash of a thread name: its length and last eight bytes (where
// JMeter's names differ: "Thread Group 1-17"), the top bits of a multiplication.
func threadHash(name []byte) int {
	var x uint64
	if n := len(name); n >= 8 {
		x = binary.LittleEndian.Uint64(name[n-8:])
	} else {
		for _, c := range name {
			x = x<<8 | uint64(c)
		}
	}
	return int(((x ^ uint64(len(name))) * 0x9E3779B97F4A7C15) >> 54)
}

// bad handles a record that is not a sample: a header line again (files of several runs
// put together, each with its header) is left out when it names the same columns and
// fails the read when it names others (the rows after it would be misread); anything
// else is a malformed record, skipped.
func (l *jtlLayout) bad(a *rawAgg, f *fields, line int, msg string) {
	if first := string(f.at(0)); first != l.names[0] && first != "timeStamp" && first != "elapsed" {
		a.skip(line, msg)
		return
	}
	for _, i := range []int{l.ts, l.elapsed, l.label, l.ok} {
		if f.n != l.cols || string(f.at(i)) != l.names[i] {
			a.fail(line, fmt.Sprintf("a header line with other columns than the first (%d fields, want %d: %s, …): results written with other settings were put together in this file; split it", f.n, l.cols, strings.Join(l.names[:min(3, len(l.names))], ",")))
			return
		}
	}
}

// cut is where a chunk may start: never between a sample and its sub-results. Without
// a thread name it is csvCut where, in addition, both lines are samples (records that
// are read, not skipped: a skipped record is no parent) and the next line is not a
// sub-result of the previous one (JMeter writes sub-results right after their parent),
// so that every chunk starts with a top-level sample. With one, see threadCut.
func (l *jtlLayout) cut() cutFunc {
	if l.thread >= 0 {
		return l.threadCut
	}
	f := &fields{pos: make([]int, l.shape.need)}
	label := func(line []byte) ([]byte, bool) {
		f.split(line, l.shape.delim)
		if f.n != l.cols {
			return nil, false
		}
		_, err := parseJTLRec(f.at(l.ts), f.at(l.elapsed), f.at(l.ok))
		return f.at(l.label), err == nil
	}
	return csvCut(func(prev, next []byte) bool {
		pl, ok1 := label(prev)
		nl, ok2 := label(next)
		return ok1 && ok2 && !jtlSubResult(pl, nl) && !sameBase(pl, nl)
	})
}

// sameBase reports whether a and b are both "<base>-<n>…" with the same base: among the
// sub-results (and their sub-results) of one parent.
func sameBase(a, b []byte) bool {
	ra, rb := jtlRoot(a), jtlRoot(b)
	return len(ra) > 0 && len(ra) < len(a) && len(rb) < len(b) && bytes.Equal(ra, rb)
}
