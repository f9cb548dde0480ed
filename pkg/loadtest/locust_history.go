package loadtest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

var (
	colTimestamp     = []string{"timestamp"}
	colTotalRequests = []string{"total request count", "# requests"}
	colTotalFailures = []string{"total failure count", "# failures"}
	colTotalMedian   = []string{"total median response time", "median response time"}
	colTotalAvg      = []string{"total average response time", "average response time"}
	colTotalMin      = []string{"total min response time", "min response time"}
	colTotalMax      = []string{"total max response time", "max response time"}
)

// detectLocustHistory: a header with a timestamp and a (total) request count.
func detectLocustHistory(s *sniff) bool {
	return s.hasCols("timestamp", "total request count") || s.hasCols("timestamp", "# requests")
}

// readLocustHistory reads PREFIX_stats_history.csv and emits, per (type, name), its last
// row's cumulative "Total ..." columns; rps is the request count over the time the file
// spans. By default Locust writes only the Aggregated rows (--csv-full-history adds the
// endpoints'): such a file is read as the whole test, one row named Options.Name (see
// historyFinish). The file is a summary (its last rows are the result), so a malformed
// row is an error, not a skip. A history written for hours with --csv-full-history is
// large: it is read in parallel chunks.
func readLocustHistory(in *Input, sink Sink) (Skips, error) {
	h, line, err := readCSVHeader(in.br, in.File, true)
	if err != nil {
		return Skips{}, err
	}
	c, err := h.needAll(colName, colTimestamp, colTotalRequests, colTotalFailures, colTotalAvg)
	if err != nil {
		return Skips{}, err
	}
	cols := historyCols{name: c[0], ts: c[1], req: c[2], fail: c[3], typ: h.col(colType...),
		lat:  latencyKeys[int]{avg: c[4], median: h.col(colTotalMedian...), min: h.col(colTotalMin...), max: h.col(colTotalMax...)},
		pcts: h.percentileColumns()}
	need := max(cols.name, cols.ts, cols.req, cols.fail, cols.typ, cols.lat.avg, cols.lat.median, cols.lat.min, cols.lat.max)
	for _, pc := range cols.pcts {
		need = max(need, pc.idx)
	}
	shape := csvShape{delim: ',', need: 1 + need, lazy: true}
	acc, _, err := parallel(in.pipeline(line, csvCut(nil)), func() *historyAcc { return &historyAcc{h: h, cols: cols, eps: map[string]*historyEntry{}} },
		func(a *historyAcc, c chunk) { a.parse(shape, c) })
	if err != nil {
		return Skips{}, fileerr.Wrap(in.File, err)
	}
	last, spanS, err := acc.last()
	if err != nil {
		return Skips{}, err
	}
	rows, note := historyFinish(last, spanS, cumulativeHistory(cols.pcts), in.opt.name())
	in.note("%s", note)
	return Skips{}, sinkAll(rows, sink)
}

// cumulativeHistory tells whether the percentile columns of a history without
// --csv-full-history hold the whole run's percentiles: Locust 1.2 and later write them
// so (StatsCSV._percentile_fields with use_current false); Locust 0.13.3–1.1, whose
// header has a 99.999 column, wrote the last 10 seconds'.
func cumulativeHistory(pcts []percentileColumn) bool {
	for _, pc := range pcts {
		if pc.pct == 99.999 {
			return false
		}
	}
	return len(pcts) > 0
}

// historyFinish turns the last row of each entry, in the order the entries appeared,
// into the rows the file stands for, and says how it read them. With endpoint rows
// (--csv-full-history), those and the total rows, without percentiles: a per-endpoint
// row's percentile columns cover the last 10 seconds only. With only total rows
// (Locust's default), the last Aggregated row as the whole test, named name, with its
// percentiles when cumulative.
func historyFinish(last []Row, spanS float64, cumulative bool, name string) ([]Row, string) {
	var total *Row
	endpoints := false
	for i := range last {
		if spanS > 0 {
			last[i].RPS, last[i].HasRPS = float64(last[i].Requests)/spanS, true
		}
		if !last[i].Total {
			endpoints = true
		} else if total == nil || last[i].Line > total.Line {
			total = &last[i]
		}
	}
	if endpoints || total == nil {
		for i := range last {
			last[i].Ladder = nil
		}
		return last, "history percentiles cover the last 10 s only, so p95/p99 are estimated; read the _stats.csv for real percentiles"
	}
	whole := *total
	whole.Method, whole.Name, whole.Total = "", name, false
	note := fmt.Sprintf("only Aggregated rows (Locust writes the endpoints' rows with --csv-full-history): read as the whole test, named %q (--name), from its last row, line %d; for per-endpoint figures give --csv-full-history's history or the _stats.csv", name, whole.Line)
	if !cumulative {
		whole.Ladder = nil
		note += "; its percentile columns cover the last 10 s only (Locust before 1.2), so p95/p99 are estimated"
	}
	return []Row{whole}, note
}

type historyCols struct {
	name, ts, req, fail, typ int
	lat                      latencyKeys[int]
	pcts                     []percentileColumn
}

// historyEntry is the last row of an endpoint so far, and where the endpoint first
// appeared (rows are emitted in that order). The latencies of a row are converted only
// when it is the endpoint's last row of a chunk (the others are checked, not converted:
// ParseFloat on Python's 17-digit floats is most of the work otherwise).
type historyEntry struct {
	firstLine int
	row       Row
	pending   historyRow // the last row of the chunk being parsed (line 0: none)
}

// historyRow is a row whose latency cells (avg, median, min, max) wait in the chunk.
type historyRow struct {
	line           int
	requests, fail int64
	lat            [4][]byte
	pct            [][]byte // a total row's percentile cells (historyCols.pcts)
}

// historyAcc is a worker's state: the last row per endpoint, the time span, the first error.
type historyAcc struct {
	h          *csvHeader
	cols       historyCols
	eps        map[string]*historyEntry
	touched    []*historyEntry // entries with a pending row
	rows       int
	first, end float64
	err        *fileerr.Error // the first error in file order
	scratch    []byte
}

// parse reads the rows of a chunk, then converts each endpoint's last one.
func (a *historyAcc) parse(shape csvShape, c chunk) {
	if a.err != nil && a.err.Line < c.firstLine {
		return // rows after an error do not matter
	}
	shape.records(c, a.record, a.fail)
	lat := [4]int{a.cols.lat.avg, a.cols.lat.median, a.cols.lat.min, a.cols.lat.max}
	for _, e := range a.touched {
		p := e.pending
		e.pending = historyRow{}
		if p.line < e.row.Line {
			continue
		}
		row := Row{Method: e.row.Method, Name: e.row.Name, Total: e.row.Total, Line: p.line, Requests: p.requests, Failures: p.fail}
		get := func(k int) (float64, bool, error) { return cellMs(a.h, p.line, lat[k], p.lat[k]) }
		if err := locustLatencies(&row, get, latencyKeys[int]{0, 1, 2, 3}); err != nil {
			a.failErr(err)
			continue
		}
		if err := a.ladder(&row, p); err != nil {
			a.failErr(err)
			continue
		}
		e.row = row
	}
	a.touched = a.touched[:0]
}

// ladder reads a total row's percentile cells (none for an entry without requests).
func (a *historyAcc) ladder(row *Row, p historyRow) error {
	if len(p.pct) == 0 || row.Requests == 0 {
		return nil
	}
	points := make([]ladderPoint[int], len(a.cols.pcts))
	for i, pc := range a.cols.pcts {
		points[i] = ladderPoint[int]{i, pc.pct}
	}
	return addLadder(row, func(i int) (float64, bool, error) { return cellMs(a.h, p.line, a.cols.pcts[i].idx, p.pct[i]) }, points)
}

func (a *historyAcc) fail(line int, msg string) {
	a.failErr(&fileerr.Error{File: a.h.file, Line: line, Msg: msg})
}

func (a *historyAcc) failErr(err error) {
	var se *fileerr.Error
	if !errors.As(err, &se) {
		se = &fileerr.Error{File: a.h.file, Msg: err.Error()}
	}
	if a.err == nil || se.Line < a.err.Line {
		a.err = se
	}
}

// record reads one history row: the timestamp and counts now, the latencies checked
// (converted at the end of the chunk if the row is its endpoint's last).
func (a *historyAcc) record(f *fields, line int) {
	if f.n != len(a.h.names) {
		a.fail(line, fmt.Sprintf("%d fields, the header has %d (truncated or malformed line)", f.n, len(a.h.names)))
		return
	}
	cell := func(i int) []byte {
		if i < 0 {
			return nil
		}
		return trimSpace(f.at(i))
	}
	ts, ok, err := cellNumber(a.h, line, a.cols.ts, cell(a.cols.ts))
	if err == nil && !ok {
		err = a.h.errAt(line, a.cols.ts, errors.New("empty timestamp"))
	}
	p := historyRow{line: line}
	if err == nil {
		p.requests, err = cellCount(a.h, line, a.cols.req, cell(a.cols.req))
	}
	if err == nil {
		p.fail, err = cellCount(a.h, line, a.cols.fail, cell(a.cols.fail))
	}
	for k, i := range [4]int{a.cols.lat.avg, a.cols.lat.median, a.cols.lat.min, a.cols.lat.max} {
		if p.lat[k] = cell(i); err == nil && !msValid(p.lat[k]) {
			_, _, err = cellMs(a.h, line, i, p.lat[k])
		}
	}
	if err != nil {
		a.failErr(err)
		return
	}
	e := a.entry(cell(a.cols.typ), cell(a.cols.name), line)
	if e.row.Total && len(a.cols.pcts) > 0 {
		p.pct = make([][]byte, len(a.cols.pcts))
		for k, pc := range a.cols.pcts {
			if p.pct[k] = cell(pc.idx); err == nil && !msValid(p.pct[k]) {
				_, _, err = cellMs(a.h, line, pc.idx, p.pct[k])
			}
		}
	}
	if err != nil {
		a.failErr(err)
		return
	}
	if a.rows == 0 || ts < a.first {
		a.first = ts
	}
	a.end = max(a.end, ts)
	a.rows++
	e.keep(p, a)
}

// entry finds (or creates) the entry of an endpoint.
func (a *historyAcc) entry(method, name []byte, line int) *historyEntry {
	k := append(append(append(a.scratch[:0], method...), 0), name...)
	a.scratch = k
	e := a.eps[string(k)]
	if e == nil {
		e = &historyEntry{firstLine: line, row: Row{Method: string(method), Name: string(name), Line: -1, Total: isTotalName(string(name))}}
		a.eps[string(k)] = e
	}
	return e
}

// keep makes p the entry's pending row if it is the latest.
func (e *historyEntry) keep(p historyRow, a *historyAcc) {
	if p.line > e.pending.line {
		if e.pending.line == 0 {
			a.touched = append(a.touched, e)
		}
		e.pending = p
	}
}

// msValid reports whether a latency cell is missing or a valid latency, converting it
// only when it is not a plain decimal (a unit, an exponent, a long mantissa).
func msValid(c []byte) bool {
	if missingCell(c) {
		return true
	}
	if len(c) <= 24 {
		digits, points := 0, 0
		for _, b := range c {
			switch {
			case b >= '0' && b <= '9':
				digits++
			case b == '.':
				points++
			}
		}
		if digits > 0 && points <= 1 && digits+points == len(c) {
			return true
		}
	}
	_, err := parseMs(c)
	return err == nil
}

func (a *historyAcc) merge(b *historyAcc) {
	for k, be := range b.eps {
		e := a.eps[k]
		switch {
		case e == nil:
			a.eps[k] = be
		case be.row.Line > e.row.Line:
			be.firstLine = min(be.firstLine, e.firstLine)
			a.eps[k] = be
		default:
			e.firstLine = min(e.firstLine, be.firstLine)
		}
	}
	if b.rows > 0 {
		if a.rows == 0 || b.first < a.first {
			a.first = b.first
		}
		a.end = max(a.end, b.end)
		a.rows += b.rows
	}
	if b.err != nil {
		a.failErr(b.err)
	}
}

// last returns the last row of each entry, in the order the entries first appeared, and
// the seconds the file spans (0 for a single timestamp).
func (a *historyAcc) last() ([]Row, float64, error) {
	if a.err != nil {
		return nil, 0, a.err
	}
	if a.rows == 0 {
		return nil, 0, &fileerr.Error{File: a.h.file, Msg: "header only, no data rows"}
	}
	entries := make([]*historyEntry, 0, len(a.eps))
	for _, e := range a.eps {
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(x, y *historyEntry) int { return cmp.Compare(x.firstLine, y.firstLine) })
	rows := make([]Row, len(entries))
	for i, e := range entries {
		rows[i] = e.row
	}
	return rows, a.end - a.first, nil
}
