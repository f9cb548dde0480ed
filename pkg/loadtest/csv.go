package loadtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"regexp"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// csvShape is the record syntax of a CSV raw format (see records).
type csvShape struct {
	delim byte
	need  int  // fields the format reads: the first need of each record
	lazy  bool // encoding/csv's LazyQuotes for quoted records (Locust < 1.1 did not escape quotes)
	// keep, when set, tells from an unquoted record's first field whether the format
	// reads the record; when it does not (k6's other metrics), the record's fields are
	// only counted and rec gets the first one alone.
	keep func(first []byte) bool
}

// fields is a record split at its delimiters, read field by field: in place for an
// unquoted record (from the positions of its delimiters), or the fields encoding/csv
// returned for a quoted one.
type fields struct {
	n    int      // the record's number of fields
	rec  []byte   // an unquoted record
	pos  []int    // positions of its first delimiters (as many as the fields read need)
	k    int      // how many of pos are set
	list [][]byte // the fields of a quoted record (or the only one read), instead
	one  [1][]byte
}

// at returns field i (nil past the record's end). Only the fields the shape needs can
// be asked for.
func (f *fields) at(i int) []byte {
	if f.list != nil {
		if i < len(f.list) {
			return f.list[i]
		}
		return nil
	}
	start := 0
	if i > 0 {
		if i > f.k {
			return nil
		}
		start = f.pos[i-1] + 1
	}
	if i < f.k {
		return f.rec[start:f.pos[i]]
	}
	return f.rec[start:]
}

// split splits an unquoted record at delim: the positions of its first len(f.pos)
// delimiters, eight bytes at a time; the rest is only counted.
func (f *fields) split(rec []byte, delim byte) {
	f.rec, f.list = rec, nil
	f.k = delimiters(rec, delim, f.pos)
	f.n = f.k + 1
	if f.k == len(f.pos) && f.k > 0 {
		f.n += bytes.Count(rec[f.pos[f.k-1]+1:], []byte{delim})
	}
}

// records calls rec for every record of a chunk, with its fields (the first s.need can
// be read) and its first line. A line without a quote is split in place without
// allocating; a record with a quote, which may span lines, is read by encoding/csv
// exactly as a sequential encoding/csv reader would read it from there; a record
// encoding/csv rejects goes to bad. Blank lines are ignored, as encoding/csv ignores them.
func (s csvShape) records(c chunk, rec func(f *fields, line int), bad func(line int, msg string)) {
	f := &fields{pos: make([]int, s.need)}
	var fb csvFallback
	data, line := c.data, c.firstLine
	// The next quote in data (len(data) when none): a line before it has no quote, so the
	// quote check costs one search per quote, not one per line.
	nextQuote := quoteAt(data)
	for len(data) > 0 {
		nl := bytes.IndexByte(data, '\n')
		end := nl
		if nl < 0 {
			end = len(data)
		}
		if end < nextQuote || nextQuote == len(data) {
			r := data[:end]
			data = data[min(end+1, len(data)):]
			nextQuote -= min(end+1, nextQuote)
			line++
			if k := len(r); k > 0 && r[k-1] == '\r' {
				r = r[:k-1]
			}
			if len(r) > 0 {
				s.split(f, r)
				rec(f, line-1)
			}
			continue
		}
		list, used, err := fb.read(data, s.delim, s.lazy)
		if used <= 0 { // cannot happen (the line is not empty); never loop
			used = end + min(1, len(data)-end)
		}
		lines := bytes.Count(data[:used], []byte{'\n'})
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			bad(line+pe.Line-1, pe.Err.Error())
		case err != nil:
			bad(line, err.Error())
		default:
			f.n, f.list = len(list), make([][]byte, len(list))
			for i, v := range list {
				f.list[i] = []byte(v)
			}
			rec(f, line)
		}
		data = data[used:]
		line += max(lines, 1)
		nextQuote = quoteAt(data)
	}
}

// split splits an unquoted record, or only counts its fields when keep says the format
// does not read it.
func (s csvShape) split(f *fields, r []byte) {
	if s.keep != nil {
		first := r
		if i := bytes.IndexByte(r, s.delim); i >= 0 {
			first = r[:i]
		}
		if !s.keep(first) {
			f.one[0], f.list = first, f.one[:]
			f.n = bytes.Count(r, []byte{s.delim}) + 1
			return
		}
	}
	f.split(r, s.delim)
}

func quoteAt(d []byte) int {
	if q := bytes.IndexByte(d, '"'); q >= 0 {
		return q
	}
	return len(d)
}

// csvFallback reads single quoted records with encoding/csv, reusing its buffer.
type csvFallback struct {
	rd bytes.Reader
	br *bufio.Reader
}

// read reads the first record of data; used is how many bytes it took.
func (fb *csvFallback) read(data []byte, delim byte, lazy bool) (fields []string, used int, err error) {
	fb.rd.Reset(data)
	if fb.br == nil {
		fb.br = bufio.NewReaderSize(&fb.rd, 4096)
	} else {
		fb.br.Reset(&fb.rd)
	}
	cr := csv.NewReader(fb.br)
	cr.Comma = rune(delim)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = lazy
	fields, err = cr.Read()
	return fields, int(cr.InputOffset()), err
}

// delimiters stores the positions of the first len(pos) occurrences of d in b, eight
// bytes at a time (SWAR, with the exact zero-byte test: no false positives), and returns
// how many it found.
func delimiters(b []byte, d byte, pos []int) int {
	const lo7 = 0x7F7F7F7F7F7F7F7F
	pattern := uint64(d) * 0x0101010101010101
	n, i := 0, 0
	for ; i+8 <= len(b) && n < len(pos); i += 8 {
		y := binary.LittleEndian.Uint64(b[i:]) ^ pattern
		m := ^((y&lo7 + lo7) | y | lo7) // the high bit of each byte equal to d
		for m != 0 && n < len(pos) {
			pos[n] = i + bits.TrailingZeros64(m)/8
			n++
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

// csvCut is the cut of CSV bodies: after a line such that the number of quotes before it
// is even and the lines on both sides hold no quote, so that the cut is never inside a
// quoted field; ok (when not nil) must accept the two lines too.
func csvCut(ok func(prev, next []byte) bool) cutFunc {
	return func(b *block, eof bool) (int, bool) {
		buf := b.data
		if eof {
			return len(buf), false
		}
		next := bytes.LastIndexByte(buf, '\n') // the line after a cut must be complete
		if next < 0 {
			return -1, false
		}
		n := bytes.LastIndexByte(buf[:next], '\n')
		if n < 0 {
			return -1, false
		}
		before := bytes.Count(buf[:n], []byte{'"'})
		for tries := 0; n >= 0 && tries < 10000; tries++ {
			prevStart := bytes.LastIndexByte(buf[:n], '\n') + 1
			prev, nextLine := buf[prevStart:n], buf[n+1:next]
			if before%2 == 0 && bytes.IndexByte(prev, '"') < 0 && bytes.IndexByte(nextLine, '"') < 0 &&
				(ok == nil || ok(bytes.TrimSuffix(prev, []byte{'\r'}), bytes.TrimSuffix(nextLine, []byte{'\r'}))) {
				return n + 1, false
			}
			if prevStart == 0 {
				return -1, false
			}
			before -= bytes.Count(buf[prevStart-1:n], []byte{'"'})
			next, n = n, prevStart-1
		}
		return -1, false
	}
}

// csvHeader is the header of a CSV file: columns are looked up by name, never by
// position (tools add, remove and reorder columns between versions).
type csvHeader struct {
	file  string
	names []string
	index map[string]int // normCol(name) → first column with that name
}

func newCSVHeader(file string, names []string) *csvHeader {
	h := &csvHeader{file: file, names: make([]string, len(names)), index: map[string]int{}}
	for i, n := range names {
		n = strings.TrimPrefix(n, "\ufeff")
		h.names[i] = n
		if _, dup := h.index[normCol(n)]; !dup {
			h.index[normCol(n)] = i
		}
	}
	return h
}

// readCSVHeader reads the header record of a CSV raw format from br, which is left at the
// first data line; line is that line's number.
func readCSVHeader(br *bufio.Reader, file string, lazy bool) (h *csvHeader, line int, err error) {
	cr := csv.NewReader(br) // br is a large bufio.Reader: csv reads from it directly, no read-ahead
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = lazy
	names, err := cr.Read()
	if err == io.EOF {
		return nil, 0, &fileerr.Error{File: file, Msg: "file is empty"}
	}
	if err != nil {
		return nil, 0, csvErr(file, err)
	}
	last, _ := cr.FieldPos(len(names) - 1)
	return newCSVHeader(file, names), last + 1, nil
}

// col returns the index of the first present alias, or -1.
func (h *csvHeader) col(aliases ...string) int {
	for _, a := range aliases {
		if i, ok := h.index[a]; ok {
			return i
		}
	}
	return -1
}

// need is col for a required column.
func (h *csvHeader) need(aliases ...string) (int, error) {
	if i := h.col(aliases...); i >= 0 {
		return i, nil
	}
	return -1, &fileerr.Error{File: h.file, Line: 1, Msg: fmt.Sprintf("missing column %q", titleCase(aliases[0]))}
}

// needAll is need for several required columns (each a list of aliases), in order.
func (h *csvHeader) needAll(cols ...[]string) ([]int, error) {
	out := make([]int, len(cols))
	for i, c := range cols {
		var err error
		if out[i], err = h.need(c...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// percentileCol matches Locust percentile headers: "95%", "99.9%", and the 0.13–0.14
// header "99.999" that lacked its "%".
var percentileCol = regexp.MustCompile(`^(\d+(?:\.\d+)?)%$|^(99\.999)$`)

type percentileColumn struct {
	idx int
	pct float64
}

func (h *csvHeader) percentileColumns() []percentileColumn {
	var out []percentileColumn
	for i, name := range h.names {
		m := percentileCol.FindStringSubmatch(strings.TrimSpace(name))
		if m == nil {
			continue
		}
		s := m[1]
		if s == "" {
			s = m[2]
		}
		p, err := strconv.ParseFloat(s, 64)
		if err != nil || p <= 0 || p > 100 {
			continue
		}
		out = append(out, percentileColumn{i, p})
	}
	return out
}

// errAt is a problem with the value of column i at a line.
func (h *csvHeader) errAt(line, i int, err error) error {
	return &fileerr.Error{File: h.file, Line: line, Key: fmt.Sprintf("column %q", h.names[i]), Msg: err.Error()}
}

// normCol normalizes a CSV header cell: quotes and spaces trimmed, lower case.
func normCol(c string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(c), `"`))
}

func titleCase(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		if w != "" && w[0] >= 'a' && w[0] <= 'z' {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &fileerr.Error{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return fileerr.Wrap(file, err)
}

// csvTable reads a small CSV file with a header sequentially (the summary formats): rows
// with line numbers, cells by column.
type csvTable struct {
	*csvHeader
	r    *csv.Reader
	rec  []string
	line int
}

func newCSVTable(r io.Reader, file string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // Locust < 1.1 wrote quotes without escaping
	cr.ReuseRecord = true
	names, err := cr.Read()
	if err == io.EOF {
		return nil, &fileerr.Error{File: file, Msg: "file is empty"}
	}
	if err != nil {
		return nil, csvErr(file, err)
	}
	return &csvTable{csvHeader: newCSVHeader(file, names), r: cr}, nil
}

// next reads the next record; io.EOF at the end.
func (t *csvTable) next() error {
	rec, err := t.r.Read()
	if err != nil {
		if err == io.EOF {
			return err
		}
		return csvErr(t.file, err)
	}
	t.line, _ = t.r.FieldPos(0)
	if len(rec) != len(t.names) {
		return &fileerr.Error{File: t.file, Line: t.line, Msg: fmt.Sprintf("%d fields, the header has %d (truncated or malformed line)", len(rec), len(t.names))}
	}
	t.rec = rec
	return nil
}

// cell returns a cell without surrounding spaces ("" for the absent column -1).
func (t *csvTable) cell(i int) string {
	if i < 0 {
		return ""
	}
	return trimSpace(t.rec[i])
}

func (t *csvTable) count(i int) (int64, error) { return cellCount(t.csvHeader, t.line, i, t.cell(i)) }

func (t *csvTable) ms(i int) (float64, bool, error) { return cellMs(t.csvHeader, t.line, i, t.cell(i)) }

func (t *csvTable) number(i int) (float64, bool, error) {
	return cellNumber(t.csvHeader, t.line, i, t.cell(i))
}

// cellCount, cellMs and cellNumber read the cell of column i of a summary CSV (string or
// bytes) under the rule for numbers: a bad value is an error naming the line and column.
func cellCount[T text](h *csvHeader, line, i int, c T) (int64, error) {
	v, err := parseCount(c)
	if err != nil {
		return 0, h.errAt(line, i, err)
	}
	return v, nil
}

// cellMs reads an optional latency; "N/A" and "" (or an absent column) are missing.
func cellMs[T text](h *csvHeader, line, i int, c T) (float64, bool, error) {
	if i < 0 || missingCell(c) {
		return 0, false, nil
	}
	v, err := parseMs(c)
	if err != nil {
		return 0, false, h.errAt(line, i, err)
	}
	return v, true, nil
}

func cellNumber[T text](h *csvHeader, line, i int, c T) (float64, bool, error) {
	if i < 0 || missingCell(c) {
		return 0, false, nil
	}
	v, err := parseNumber(c)
	if err != nil {
		return 0, false, h.errAt(line, i, err)
	}
	return v, true, nil
}

// missingCell reports an empty cell or Locust's "N/A" (any case).
func missingCell[T text](c T) bool {
	c = trimSpace(c)
	return len(c) == 0 || len(c) == 3 && (c[0]|0x20) == 'n' && c[1] == '/' && (c[2]|0x20) == 'a'
}
