package loadtest

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// Column names of Locust CSVs across versions (FORMATS §1.2), normalized by normCol.
var (
	colType     = []string{"type", "method"}
	colName     = []string{"name"}
	colRequests = []string{"request count", "# requests"}
	colFailures = []string{"failure count", "# failures"}
	colMedian   = []string{"median response time"}
	colAvg      = []string{"average response time"}
	colMin      = []string{"min response time"}
	colMax      = []string{"max response time"}
	colRPS      = []string{"requests/s"}

	colTimestamp     = []string{"timestamp"}
	colTotalRequests = []string{"total request count", "# requests"}
	colTotalFailures = []string{"total failure count", "# failures"}
	colTotalMedian   = []string{"total median response time", "median response time"}
	colTotalAvg      = []string{"total average response time", "average response time"}
	colTotalMin      = []string{"total min response time", "min response time"}
	colTotalMax      = []string{"total max response time", "max response time"}
)

// percentileCol matches Locust percentile headers: "95%", "99.9%", and the 0.13–0.14
// header "99.999" that lacked its "%".
var percentileCol = regexp.MustCompile(`^(\d+(?:\.\d+)?)%$|^(99\.999)$`)

// csvTable reads a CSV file with a header, gives columns by name and rows with line numbers.
type csvTable struct {
	file   string
	r      *csv.Reader
	header []string
	index  map[string]int
	rec    []string
	line   int
}

func newCSVTable(r io.Reader, file string) (*csvTable, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true // Locust < 1.1 wrote quotes without escaping
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, &SyntaxError{File: file, Msg: "file is empty"}
	}
	if err != nil {
		return nil, csvErr(file, err)
	}
	t := &csvTable{file: file, r: cr, header: append([]string(nil), header...), index: map[string]int{}}
	for i, h := range t.header {
		h = strings.TrimPrefix(h, "\ufeff")
		t.header[i] = h
		if _, dup := t.index[normCol(h)]; !dup {
			t.index[normCol(h)] = i
		}
	}
	return t, nil
}

func csvErr(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &SyntaxError{File: file, Line: pe.Line, Msg: pe.Err.Error()}
	}
	return &SyntaxError{File: file, Msg: err.Error()}
}

// col returns the index of the first present alias, or -1.
func (t *csvTable) col(aliases []string) int {
	for _, a := range aliases {
		if i, ok := t.index[a]; ok {
			return i
		}
	}
	return -1
}

// need is col for a required column.
func (t *csvTable) need(aliases []string) (int, error) {
	if i := t.col(aliases); i >= 0 {
		return i, nil
	}
	return -1, &SyntaxError{File: t.file, Line: 1, Msg: fmt.Sprintf("missing column %q", titleCase(aliases[0]))}
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
	if len(rec) != len(t.header) {
		return &SyntaxError{File: t.file, Line: t.line, Msg: fmt.Sprintf("%d fields, the header has %d (truncated or malformed line)", len(rec), len(t.header))}
	}
	t.rec = rec
	return nil
}

func (t *csvTable) cell(i int) string {
	if i < 0 {
		return ""
	}
	return strings.TrimSpace(t.rec[i])
}

func (t *csvTable) errAt(i int, err error) error {
	return &SyntaxError{File: t.file, Line: t.line, Key: fmt.Sprintf("column %q", t.header[i]), Msg: err.Error()}
}

func (t *csvTable) count(i int) (int64, error) {
	v, err := parseCount(t.cell(i))
	if err != nil {
		return 0, t.errAt(i, err)
	}
	return v, nil
}

// ms reads an optional latency cell; "N/A" and "" are missing.
func (t *csvTable) ms(i int) (float64, bool, error) {
	c := t.cell(i)
	if i < 0 || c == "" || strings.EqualFold(c, "N/A") {
		return 0, false, nil
	}
	v, err := ParseMs(c)
	if err != nil {
		return 0, false, t.errAt(i, err)
	}
	return v, true, nil
}

func (t *csvTable) number(i int) (float64, bool, error) {
	c := t.cell(i)
	if i < 0 || c == "" || strings.EqualFold(c, "N/A") {
		return 0, false, nil
	}
	v, err := parseNumber(c)
	if err != nil {
		return 0, false, t.errAt(i, err)
	}
	return v, true, nil
}

type percentileColumn struct {
	idx int
	pct float64
}

func (t *csvTable) percentileColumns() []percentileColumn {
	var out []percentileColumn
	for i, h := range t.header {
		m := percentileCol.FindStringSubmatch(strings.TrimSpace(h))
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

// isTotalName reports whether a Locust row name is the tool's total row.
func isTotalName(name string) bool {
	return strings.EqualFold(name, "Aggregated") || strings.EqualFold(name, "Total")
}

// readLocustStats reads PREFIX_stats.csv (and the older PREFIX_requests.csv): one row per
// (type, name), percentiles from the percentile columns when present.
func readLocustStats(r io.Reader, file string, sink Sink) error {
	t, err := newCSVTable(r, file)
	if err != nil {
		return err
	}
	iName, err := t.need(colName)
	if err != nil {
		return err
	}
	iReq, err := t.need(colRequests)
	if err != nil {
		return err
	}
	iFail, err := t.need(colFailures)
	if err != nil {
		return err
	}
	iAvg, err := t.need(colAvg)
	if err != nil {
		return err
	}
	iType, iMed, iMin, iMax, iRPS := t.col(colType), t.col(colMedian), t.col(colMin), t.col(colMax), t.col(colRPS)
	pcols := t.percentileColumns()
	rows := 0
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		rows++
		row := Row{Method: t.cell(iType), Name: t.cell(iName), Line: t.line}
		if row.Method == "None" { // Locust 0.13–1.0 wrote the total row's type as None
			row.Method = ""
		}
		row.Total = isTotalName(row.Name)
		if row.Requests, err = t.count(iReq); err != nil {
			return err
		}
		if row.Failures, err = t.count(iFail); err != nil {
			return err
		}
		if row.Failures > row.Requests {
			return &SyntaxError{File: file, Line: t.line, Msg: fmt.Sprintf("%d failures out of %d requests (Locust counts failures among requests)", row.Failures, row.Requests)}
		}
		if err := t.latencies(&row, iAvg, iMed, iMin, iMax); err != nil {
			return err
		}
		if row.RPS, row.HasRPS, err = t.number(iRPS); err != nil {
			return err
		}
		for _, pc := range pcols {
			v, ok, err := t.ms(pc.idx)
			if err != nil {
				return err
			}
			if ok {
				row.Ladder = append(row.Ladder, Point{Pct: pc.pct, Ms: v})
			}
		}
		row.Ladder = sortLadder(row.Ladder)
		if err := sink(row); err != nil {
			return err
		}
	}
	if rows == 0 {
		return &SyntaxError{File: file, Msg: "header only, no data rows"}
	}
	return nil
}

func (t *csvTable) latencies(row *Row, iAvg, iMed, iMin, iMax int) error {
	var err error
	var hasMin, hasMax bool
	if row.AvgMs, row.HasAvg, err = t.ms(iAvg); err != nil {
		return err
	}
	if row.MedianMs, row.HasMedian, err = t.ms(iMed); err != nil {
		return err
	}
	if row.MinMs, hasMin, err = t.ms(iMin); err != nil {
		return err
	}
	if row.MaxMs, hasMax, err = t.ms(iMax); err != nil {
		return err
	}
	row.HasMinMax = hasMin && hasMax
	if row.Requests == 0 { // Locust writes 0 for every latency of an entry without requests
		row.HasAvg, row.HasMedian, row.HasMinMax = false, false, false
	}
	return nil
}

// readLocustHistory reads PREFIX_stats_history.csv and emits, per (type, name), its last
// row's cumulative "Total ..." columns. The percentile columns of per-endpoint history rows
// are a 10-second window (FORMATS §1.2), not the whole run, so they are not used.
// rps is the request count over the time the file spans.
func readLocustHistory(r io.Reader, file string, sink Sink) error {
	t, err := newCSVTable(r, file)
	if err != nil {
		return err
	}
	iName, err := t.need(colName)
	if err != nil {
		return err
	}
	iTS, err := t.need(colTimestamp)
	if err != nil {
		return err
	}
	iReq, err := t.need(colTotalRequests)
	if err != nil {
		return err
	}
	iFail, err := t.need(colTotalFailures)
	if err != nil {
		return err
	}
	iAvg, err := t.need(colTotalAvg)
	if err != nil {
		return err
	}
	iType, iMed, iMin, iMax := t.col(colType), t.col(colTotalMedian), t.col(colTotalMin), t.col(colTotalMax)

	last := map[string]Row{}
	var order []string
	var first, end float64
	rows := 0
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		ts, ok, err := t.number(iTS)
		if err != nil {
			return err
		}
		if !ok {
			return t.errAt(iTS, errors.New("empty timestamp"))
		}
		if rows == 0 || ts < first {
			first = ts
		}
		if ts > end {
			end = ts
		}
		rows++
		row := Row{Method: t.cell(iType), Name: t.cell(iName), Line: t.line}
		row.Total = isTotalName(row.Name)
		if row.Requests, err = t.count(iReq); err != nil {
			return err
		}
		if row.Failures, err = t.count(iFail); err != nil {
			return err
		}
		if err := t.latencies(&row, iAvg, iMed, iMin, iMax); err != nil {
			return err
		}
		k := row.Method + "\x00" + row.Name
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = row
	}
	if rows == 0 {
		return &SyntaxError{File: file, Msg: "header only, no data rows"}
	}
	for _, k := range order {
		row := last[k]
		if end > first {
			row.RPS, row.HasRPS = float64(row.Requests)/(end-first), true
		}
		if err := sink(row); err != nil {
			return err
		}
	}
	return nil
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
