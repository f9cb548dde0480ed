package metrics

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// Parse reads a normalized metrics file (ours or the Python scripts'). Keys that start
// with "_" and values that are not objects are metadata. A percentile of 0 next to an
// average above 1 ms is what the Python scripts wrote when they could not compute it: it
// is recorded in Service.PythonZero, not kept as a value.
func Parse(doc []byte, file string) (*File, error) {
	top, err := orderedObject(doc, file, "")
	if err != nil {
		return nil, err
	}
	f := &File{}
	for _, e := range top {
		if strings.HasPrefix(e.key, "_") || !isObject(e.raw) {
			f.Meta = append(f.Meta, e)
			continue
		}
		s, err := parseService(doc, file, e)
		if err != nil {
			return nil, err
		}
		f.Services = append(f.Services, s)
	}
	if _, ours := f.MetaValue(MetaKey); !ours {
		markSeedEstimates(f)
	}
	return f, nil
}

// markSeedEstimates flags, in files not written by perfgate, the p95/p99 that are exactly
// the seed's estimates from the average (int(1.4×avg), int(1.7×avg)): the Python
// extract_baselines.py always estimated them (README "Differences", D5). An estimate is then compared
// only with an estimate, never with a measured percentile.
func markSeedEstimates(f *File) {
	for _, s := range f.Services {
		avg, ok := s.Get(AvgLatency)
		if !ok || avg <= 1 {
			continue
		}
		for _, q := range []struct {
			field    string
			estimate func(float64) float64
		}{{P95Latency, EstimateP95}, {P99Latency, EstimateP99}} {
			if v, ok := s.Get(q.field); ok && v == q.estimate(avg) && !s.IsEstimated(q.field) {
				s.Estimated = append(s.Estimated, q.field)
			}
		}
	}
}

func isObject(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 0 && t[0] == '{'
}

func parseService(doc []byte, file string, e kv) (*Service, error) {
	fields, err := orderedObject(e.raw, file, e.key)
	if err != nil {
		return nil, err
	}
	p := &serviceParser{doc: doc, file: file, key: e.key, s: NewService(e.key)}
	for _, fl := range fields {
		if err := p.field(fl.key, bytes.TrimSpace(fl.raw)); err != nil {
			return nil, err
		}
	}
	s := p.s
	if req, ok := s.Get(TotalRequests); ok {
		if fail, ok := s.Get(TotalFailures); ok && fail > req {
			return nil, p.bad(TotalFailures, fmt.Sprintf("%g failures out of %g requests", fail, req))
		}
	}
	s.dropPythonZeros()
	return s, nil
}

// serviceParser reads the fields of one service object.
type serviceParser struct {
	doc       []byte
	file, key string
	s         *Service
}

func (p *serviceParser) bad(field, msg string) error {
	return &fileerr.Error{File: p.file, Line: lineOfKey(p.doc, p.key, field), Key: fmt.Sprintf("%s.%s", p.key, field), Msg: msg}
}

// field reads one field: the metadata keys, the percentile ladder, the per-run values,
// and otherwise a number (non-numeric extra fields pass through untouched).
func (p *serviceParser) field(key string, raw []byte) error {
	s := p.s
	switch key {
	case keyTimestamp:
		if json.Unmarshal(raw, &s.Timestamp) != nil {
			return p.bad(key, "want a string")
		}
		return nil
	case keyEstimated:
		if json.Unmarshal(raw, &s.Estimated) != nil {
			return p.bad(key, "want a list of field names")
		}
		return nil
	case keyPercentiles:
		return p.ladder(raw)
	case keyRuns:
		return p.runs(raw)
	}
	if string(raw) == "null" {
		return nil // missing
	}
	if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
		if IsStandard(key) || IsPercentile(key) || key == keyBaselineUsers {
			return p.bad(key, fmt.Sprintf("%s is not a number", shortRaw(raw)))
		}
		s.other = append(s.other, kv{key, raw})
		return nil
	}
	return p.number(key, raw)
}

// shortRaw shortens a raw JSON value for a message.
func shortRaw(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "…"
	}
	return string(raw)
}

// number checks and sets a numeric field.
func (p *serviceParser) number(key string, raw []byte) error {
	v, err := strconv.ParseFloat(string(raw), 64)
	switch {
	case err != nil || math.IsInf(v, 0) || math.IsNaN(v):
		return p.bad(key, fmt.Sprintf("%s is not a number", raw))
	case key == keyBaselineUsers:
		p.s.BaselineUsers = &v
		return nil
	case v < 0:
		return p.bad(key, fmt.Sprintf("%s is negative", raw))
	case IsCount(key) && v != math.Trunc(v):
		return p.bad(key, fmt.Sprintf("%s is not a whole count", raw))
	case key == ErrorRate && v > 100:
		return p.bad(key, fmt.Sprintf("%s is not a percentage (0–100)", raw))
	}
	p.s.Set(key, v)
	return nil
}

// ladder reads "percentiles": {"95": 120, …}, sorted by percentile.
func (p *serviceParser) ladder(raw []byte) error {
	pts, err := orderedObject(raw, p.file, p.key+"."+keyPercentiles)
	if err != nil {
		return err
	}
	for _, pt := range pts {
		pct, err1 := strconv.ParseFloat(pt.key, 64)
		var ms float64
		err2 := json.Unmarshal(pt.raw, &ms)
		if err1 != nil || err2 != nil || pct < 0 || pct > 100 || ms < 0 {
			return p.bad(keyPercentiles+"."+pt.key, "want percentile → non-negative ms, e.g. \"95\": 120")
		}
		p.s.Ladder = append(p.s.Ladder, loadtest.Point{Pct: pct, Ms: ms})
	}
	sort.SliceStable(p.s.Ladder, func(i, j int) bool { return p.s.Ladder[i].Pct < p.s.Ladder[j].Pct })
	return nil
}

// runs reads "runs": {"metric": [run values…], …} of a multi-run baseline.
func (p *serviceParser) runs(raw []byte) error {
	runs, err := orderedObject(raw, p.file, p.key+".runs")
	if err != nil {
		return err
	}
	p.s.Runs = map[string][]float64{}
	for _, r := range runs {
		var vals []float64
		if json.Unmarshal(r.raw, &vals) != nil {
			return p.bad("runs."+r.key, "want a list of numbers")
		}
		p.s.Runs[r.key] = vals
		p.s.RunOrder = append(p.s.RunOrder, r.key)
	}
	return nil
}

// dropPythonZeros reads a 0 percentile next to an average above 1 ms as missing: the
// Python scripts wrote 0.0 when they could not compute one.
func (s *Service) dropPythonZeros() {
	avg, ok := s.Get(AvgLatency)
	if !ok || avg <= 1 {
		return
	}
	for _, n := range s.Names() {
		if v, _ := s.Get(n); v == 0 && IsPercentile(n) {
			s.Delete(n)
			if s.PythonZero == nil {
				s.PythonZero = map[string]float64{}
			}
			s.PythonZero[n] = avg
		}
	}
}

// lineOfKey finds the line of "field" inside the object of service key, for messages.
func lineOfKey(doc []byte, service, field string) int {
	sk, _ := json.Marshal(service)
	i := bytes.Index(doc, sk)
	if i < 0 {
		return 0
	}
	fk, _ := json.Marshal(field)
	j := bytes.Index(doc[i:], fk)
	if j < 0 {
		return loadtest.LineOf(doc, int64(i))
	}
	return loadtest.LineOf(doc, int64(i+j))
}

// orderedObject decodes a JSON object into its key/value pairs in document order.
func orderedObject(doc []byte, file, path string) ([]kv, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	fail := func(err error) error {
		off := dec.InputOffset()
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return &fileerr.Error{File: file, Line: loadtest.LineOf(doc, int64(len(doc))), Key: path, Msg: "truncated JSON (unexpected end of file)"}
		}
		if se, ok := err.(*json.SyntaxError); ok {
			off = se.Offset
		}
		return &fileerr.Error{File: file, Line: loadtest.LineOf(doc, off), Key: path, Msg: "invalid JSON: " + err.Error()}
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		where := "the file"
		if path != "" {
			where = path
		}
		return nil, &fileerr.Error{File: file, Line: 1, Msg: where + " is not a JSON object"}
	}
	var out []kv
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fail(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fail(err)
		}
		if seen[key] {
			return nil, &fileerr.Error{File: file, Line: loadtest.LineOf(doc, dec.InputOffset()), Key: joinKey(path, key), Msg: "duplicate key"}
		}
		seen[key] = true
		out = append(out, kv{key, raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &fileerr.Error{File: file, Line: loadtest.LineOf(doc, dec.InputOffset()), Msg: "unexpected data after the JSON object"}
	}
	return out, nil
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Write writes f as indented JSON (2 spaces) with a stable key order: services in order,
// in each the baseline_users, the standard fields in seed order, the extras, estimated,
// runs, other fields and timestamp; then the metadata keys.
func Write(w io.Writer, f *File) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("{")
	first := true
	sep := func() {
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n  ")
	}
	for _, s := range f.Services {
		sep()
		writeString(bw, s.Name)
		bw.WriteString(": {")
		sw := &serviceWriter{w: bw, first: true}
		sw.write(s)
		if sw.first {
			bw.WriteString("}")
		} else {
			bw.WriteString("\n  }")
		}
	}
	for _, m := range f.Meta {
		sep()
		writeString(bw, m.key)
		bw.WriteString(": ")
		writeIndented(bw, m.raw, "  ")
	}
	if first {
		bw.WriteString("}\n")
	} else {
		bw.WriteString("\n}\n")
	}
	return bw.Flush()
}

// serviceWriter writes the fields of one service object.
type serviceWriter struct {
	w     *bufio.Writer
	first bool
}

// key starts a field.
func (sw *serviceWriter) key(k string) {
	if !sw.first {
		sw.w.WriteString(",")
	}
	sw.first = false
	sw.w.WriteString("\n    ")
	writeString(sw.w, k)
	sw.w.WriteString(": ")
}

// write writes baseline_users, the standard fields in seed order, the extras,
// estimated, percentiles, runs, the passed-through fields and the timestamp.
func (sw *serviceWriter) write(s *Service) {
	bw := sw.w
	if s.BaselineUsers != nil {
		sw.key(keyBaselineUsers)
		bw.WriteString(formatJSONNumber(*s.BaselineUsers, true))
	}
	for _, n := range s.Names() {
		v, _ := s.Get(n)
		sw.key(n)
		bw.WriteString(formatJSONNumber(v, IsCount(n)))
	}
	if len(s.Estimated) > 0 {
		sw.key(keyEstimated)
		b, _ := json.Marshal(s.Estimated)
		writeIndented(bw, b, "    ")
	}
	if len(s.Ladder) > 0 {
		sw.key(keyPercentiles)
		sw.ladder(s.Ladder)
	}
	if len(s.Runs) > 0 {
		sw.key(keyRuns)
		sw.runs(s)
	}
	for _, o := range s.other {
		sw.key(o.key)
		writeIndented(bw, o.raw, "    ")
	}
	if s.Timestamp != "" {
		sw.key(keyTimestamp)
		writeString(bw, s.Timestamp)
	}
}

func (sw *serviceWriter) ladder(ladder []loadtest.Point) {
	bw := sw.w
	bw.WriteString("{")
	for i, p := range ladder {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n      ")
		writeString(bw, strconv.FormatFloat(p.Pct, 'f', -1, 64))
		bw.WriteString(": " + formatJSONNumber(p.Ms, false))
	}
	bw.WriteString("\n    }")
}

func (sw *serviceWriter) runs(s *Service) {
	bw := sw.w
	bw.WriteString("{")
	for i, k := range s.RunOrder {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n      ")
		writeString(bw, k)
		bw.WriteString(": [")
		for j, v := range s.Runs[k] {
			if j > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n        " + formatJSONNumber(v, IsCount(k)))
		}
		bw.WriteString("\n      ]")
	}
	bw.WriteString("\n    }")
}

func writeString(w *bufio.Writer, s string) {
	b, _ := json.Marshal(s)
	w.Write(b)
}

func writeIndented(w *bufio.Writer, raw []byte, prefix string) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, bytes.TrimSpace(raw), prefix, "  "); err != nil {
		w.Write(raw)
		return
	}
	w.Write(buf.Bytes())
}

// formatJSONNumber writes counts as integers and other values the way Python's json
// writes floats: integral values keep a ".0" (150.0), others their shortest form.
func formatJSONNumber(v float64, count bool) string {
	switch {
	case count && v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
