package loadtest

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"fmt"
	"io"
	"math/bits"
	"runtime"
	"strconv"
	"strings"
)

// jtlLayout is where a CSV JTL keeps the four fields perfgate needs.
type jtlLayout struct {
	file                   string
	delim                  byte
	cols                   int
	ts, elapsed, label, ok int
	max                    int
}

func newJTLLayout(file string, delim rune, cols []string) (*jtlLayout, error) {
	if delim >= 0x80 || delim == '"' || delim == '\n' || delim == '\r' {
		return nil, &SyntaxError{File: file, Line: 1, Msg: fmt.Sprintf("delimiter %q is not a single-byte character", delim)}
	}
	l := &jtlLayout{file: file, delim: byte(delim), cols: len(cols), ts: -1, elapsed: -1, label: -1, ok: -1}
	for i, c := range cols {
		switch c {
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
			return nil, &SyntaxError{File: file, Line: 1, Msg: fmt.Sprintf("JTL without a %q column", c.name)}
		}
	}
	l.max = max(l.ts, l.elapsed, l.label, l.ok)
	return l, nil
}

// fields returns the four fields of an unquoted record; ok is false when the record
// does not have the header's number of fields.
func (l *jtlLayout) fields(rec []byte) (ts, elapsed, label, success []byte, ok bool) {
	var pos [64]int
	if l.max >= len(pos) {
		return l.fieldsSlow(rec)
	}
	n := delimiters(rec, l.delim, pos[:l.max+1])
	if n < l.max {
		return nil, nil, nil, nil, false
	}
	field := func(i int) []byte {
		start := 0
		if i > 0 {
			start = pos[i-1] + 1
		}
		if i < n {
			return rec[start:pos[i]]
		}
		return rec[start:]
	}
	total := n + 1 // fields found so far (the last one may run to the end)
	if n == l.max+1 {
		total += bytes.Count(rec[pos[l.max]+1:], []byte{l.delim})
	}
	return field(l.ts), field(l.elapsed), field(l.label), field(l.ok), total == l.cols
}

// fieldsSlow serves layouts whose needed fields are beyond the 64th column.
func (l *jtlLayout) fieldsSlow(rec []byte) (ts, elapsed, label, success []byte, ok bool) {
	f := bytes.Split(rec, []byte{l.delim})
	if len(f) != l.cols {
		return nil, nil, nil, nil, false
	}
	return f[l.ts], f[l.elapsed], f[l.label], f[l.ok], true
}

// delimiters stores the positions of the first len(pos) occurrences of d in b, eight
// bytes at a time (SWAR), and returns how many it found.
func delimiters(b []byte, d byte, pos []int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	pattern := uint64(d) * lo
	n, i := 0, 0
	for ; i+8 <= len(b) && n < len(pos); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:]) ^ pattern
		m := (x - lo) &^ x & hi // high bits of the bytes equal to d (a borrow can add false ones above a true one)
		for m != 0 && n < len(pos) {
			k := bits.TrailingZeros64(m) / 8
			if b[i+k] == d { // guard against the rare borrow false positive
				pos[n] = i + k
				n++
			}
			m &= m - 1
		}
	}
	for ; i < len(b) && n < len(pos); i++ {
		if b[i] == d {
			pos[n] = i
			n++
		}
	}
	return n
}

// jtlRec is the one definition of a JTL record, shared by the fast path, the CSV
// fallback for quoted records and the XML reader.
type jtlRec struct {
	tsNs, latNs int64
	failed      bool
}

// parseJTLRec parses the fields of a record: elapsed is the total time in ms, timeStamp
// the start (epoch ms or a date), success the failure flag.
func parseJTLRec(ts, elapsed, success []byte) (jtlRec, error) {
	var r jtlRec
	el, ok := parseDigits(elapsed)
	if ok {
		r.latNs = el * 1e6
	} else {
		f, err := strconv.ParseFloat(strings.TrimSpace(bytesString(elapsed)), 64)
		if err != nil || f < 0 || f != f || f > maxLatencyMs {
			return r, fmt.Errorf("elapsed %q is not a duration in ms", elapsed)
		}
		r.latNs = msToNs(f)
	}
	if r.latNs > maxLatencyMs*1e6 {
		return r, fmt.Errorf("elapsed %q is not a duration in ms", elapsed)
	}
	if v, ok := parseDigits(ts); ok && v < maxEpochMs {
		r.tsNs = v * 1e6
	} else {
		var err error
		if r.tsNs, err = jtlTimestamp(string(ts)); err != nil {
			return r, err
		}
	}
	switch {
	case bytes.Equal(success, []byte("true")):
	case bytes.Equal(success, []byte("false")):
		r.failed = true
	default:
		return r, fmt.Errorf("success %q is neither true nor false", success)
	}
	return r, nil
}

// parseDigits parses a plain non-negative integer of at most 18 digits.
func parseDigits(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	return v, true
}

// parseChunk aggregates the records of a chunk. Records without quotes take the fast
// path; a record with a quote (possibly spanning lines) is read by encoding/csv.
func (l *jtlLayout) parseChunk(c chunk, agg *rawAgg) {
	data := c.data
	line := c.firstLine
	var parent []byte
	// The next quote in data (len(data) when none): a line before it has no quote, so
	// the quote check costs one search per quote, not one per line.
	quoteAt := func(d []byte) int {
		if q := bytes.IndexByte(d, '"'); q >= 0 {
			return q
		}
		return len(d)
	}
	nextQuote := quoteAt(data)
	for len(data) > 0 {
		var rec []byte
		recLine := line
		nl := bytes.IndexByte(data, '\n')
		if nextQuote < 0 {
			nextQuote = quoteAt(data)
		}
		noQuote := nl >= 0 && nl < nextQuote
		if noQuote {
			rec, data = data[:nl], data[nl+1:]
			nextQuote -= nl + 1
			line++
		} else {
			var lines int
			before := len(data)
			rec, data, lines = l.nextRecord(data)
			nextQuote -= before - len(data)
			line += lines
		}
		if n := len(rec); n > 0 && rec[n-1] == '\r' {
			rec = rec[:n-1]
		}
		if len(rec) == 0 {
			continue
		}
		var ts, el, label, succ []byte
		if noQuote || bytes.IndexByte(rec, '"') < 0 {
			var ok bool
			if ts, el, label, succ, ok = l.fields(rec); !ok {
				agg.skip(recLine, fmt.Sprintf("%d fields, want %d", bytes.Count(rec, []byte{l.delim})+1, l.cols))
				continue
			}
		} else {
			cr := csv.NewReader(bytes.NewReader(rec))
			cr.Comma = rune(l.delim)
			cr.FieldsPerRecord = -1
			f, err := cr.Read()
			if err != nil {
				agg.skip(recLine, strings.TrimPrefix(err.Error(), "record on line 1: "))
				continue
			}
			if len(f) != l.cols {
				agg.skip(recLine, fmt.Sprintf("%d fields, want %d", len(f), l.cols))
				continue
			}
			ts, el, label, succ = []byte(f[l.ts]), []byte(f[l.elapsed]), []byte(f[l.label]), []byte(f[l.ok])
		}
		r, err := parseJTLRec(ts, el, succ)
		if err != nil {
			agg.skip(recLine, err.Error())
			continue
		}
		if jtlSubResultBytes(parent, label) {
			continue
		}
		parent = label
		agg.addBytes("", label, r.latNs, r.failed, r.tsNs, r.tsNs+r.latNs)
	}
}

// nextRecord splits the first record off data: up to a newline outside quotes. It
// returns the record, the rest and the number of lines the record took.
func (l *jtlLayout) nextRecord(data []byte) (rec, rest []byte, lines int) {
	end := 0
	quotes := 0
	for {
		nl := bytes.IndexByte(data[end:], '\n')
		if nl < 0 {
			return data, nil, 1
		}
		quotes += bytes.Count(data[end:end+nl], []byte{'"'})
		end += nl + 1
		lines++
		if quotes%2 == 0 {
			return data[:end-1], data[end:], lines
		}
	}
}

// cut chooses where a chunk may end: after a line such that the quote count before it is
// even, the lines on both sides hold no quote, and the next line is not a sub-result of
// the previous one (JMeter writes sub-results right after their parent), so that every
// chunk starts with a top-level record and workers need nothing from each other.
func (l *jtlLayout) cut(buf []byte) int {
	next := bytes.LastIndexByte(buf, '\n') // the line after a cut must be complete
	if next < 0 {
		return -1
	}
	n := bytes.LastIndexByte(buf[:next], '\n')
	if n < 0 {
		return -1
	}
	before := bytes.Count(buf[:n], []byte{'"'})
	for tries := 0; n >= 0 && tries < 10000; tries++ {
		prevStart := bytes.LastIndexByte(buf[:n], '\n') + 1
		prev, nextLine := buf[prevStart:n], buf[n+1:next]
		if before%2 == 0 && bytes.IndexByte(prev, '"') < 0 && bytes.IndexByte(nextLine, '"') < 0 {
			_, _, pl, _, ok1 := l.fields(bytes.TrimSuffix(prev, []byte{'\r'}))
			_, _, nl, _, ok2 := l.fields(bytes.TrimSuffix(nextLine, []byte{'\r'}))
			if ok1 && ok2 && !jtlSubResultBytes(pl, nl) && !sameBase(pl, nl) {
				return n + 1
			}
		}
		if prevStart == 0 {
			return -1
		}
		before -= bytes.Count(buf[prevStart-1:n], []byte{'"'})
		next, n = n, prevStart-1
	}
	return -1
}

// jtlSubResultBytes reports whether label is a sub-result of parent ("<parent>-<n>",
// which JMeter writes right after the parent when saving sub-results), without allocating.
func jtlSubResultBytes(parent, label []byte) bool {
	if len(parent) == 0 || len(label) <= len(parent)+1 || !bytes.HasPrefix(label, parent) || label[len(parent)] != '-' {
		return false
	}
	_, ok := parseDigits(label[len(parent)+1:])
	return ok
}

// sameBase reports whether a and b are both "<base>-<n>" with the same base: siblings
// among the sub-results of one parent.
func sameBase(a, b []byte) bool {
	i, j := bytes.LastIndexByte(a, '-'), bytes.LastIndexByte(b, '-')
	if i <= 0 || j <= 0 || !bytes.Equal(a[:i], b[:j]) {
		return false
	}
	_, ok1 := parseDigits(a[i+1:])
	_, ok2 := parseDigits(b[j+1:])
	return ok1 && ok2
}

// readJTLChunks runs the parallel JTL reader over the rest of the input.
func readJTLChunks(in *Input, r io.Reader, l *jtlLayout, firstLine int) (*rawAgg, error) {
	aggs := make([]*rawAgg, runtime.GOMAXPROCS(0))
	for i := range aggs {
		aggs[i] = newRawAgg(in.File)
	}
	err := inParallel(r, len(aggs), firstLine, l.cut, func(w int, c chunk) { l.parseChunk(c, aggs[w]) })
	if err != nil {
		return nil, &SyntaxError{File: in.File, Msg: err.Error()}
	}
	total := aggs[0]
	for _, a := range aggs[1:] {
		total.merge(a)
	}
	return total, nil
}
