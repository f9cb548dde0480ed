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
// extract_baselines.py always estimated them (SPEC §11.5). An estimate is then compared
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
	s := NewService(e.key)
	bad := func(field, msg string) error {
		return &loadtest.SyntaxError{File: file, Line: lineOfKey(doc, e.key, field), Key: fmt.Sprintf("%s.%s", e.key, field), Msg: msg}
	}
	for _, fl := range fields {
		raw := bytes.TrimSpace(fl.raw)
		switch fl.key {
		case keyTimestamp:
			if err := json.Unmarshal(raw, &s.Timestamp); err != nil {
				return nil, bad(fl.key, "want a string")
			}
			continue
		case keyEstimated:
			if err := json.Unmarshal(raw, &s.Estimated); err != nil {
				return nil, bad(fl.key, "want a list of field names")
			}
			continue
		case keyPercentiles:
			pts, err := orderedObject(raw, file, e.key+"."+keyPercentiles)
			if err != nil {
				return nil, err
			}
			for _, pt := range pts {
				pct, err1 := strconv.ParseFloat(pt.key, 64)
				var ms float64
				err2 := json.Unmarshal(pt.raw, &ms)
				if err1 != nil || err2 != nil || pct < 0 || pct > 100 || ms < 0 {
					return nil, bad(keyPercentiles+"."+pt.key, "want percentile → non-negative ms, e.g. \"95\": 120")
				}
				s.Ladder = append(s.Ladder, loadtest.Point{Pct: pct, Ms: ms})
			}
			sort.SliceStable(s.Ladder, func(i, j int) bool { return s.Ladder[i].Pct < s.Ladder[j].Pct })
			continue
		case keyRuns:
			runs, err := orderedObject(raw, file, e.key+".runs")
			if err != nil {
				return nil, err
			}
			s.Runs = map[string][]float64{}
			for _, r := range runs {
				var vals []float64
				if err := json.Unmarshal(r.raw, &vals); err != nil {
					return nil, bad("runs."+r.key, "want a list of numbers")
				}
				s.Runs[r.key] = vals
				s.RunOrder = append(s.RunOrder, r.key)
			}
			continue
		}
		if string(raw) == "null" {
			continue // missing
		}
		if raw[0] != '-' && (raw[0] < '0' || raw[0] > '9') {
			s.other = append(s.other, kv{fl.key, raw})
			continue
		}
		v, err := strconv.ParseFloat(string(raw), 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
			return nil, bad(fl.key, fmt.Sprintf("%s is not a number", raw))
		}
		if fl.key == keyBaselineUsers {
			s.BaselineUsers = &v
			continue
		}
		if v < 0 {
			return nil, bad(fl.key, fmt.Sprintf("%s is negative", raw))
		}
		if IsCount(fl.key) && v != math.Trunc(v) {
			return nil, bad(fl.key, fmt.Sprintf("%s is not a whole count", raw))
		}
		if fl.key == ErrorRate && v > 100 {
			return nil, bad(fl.key, fmt.Sprintf("%s is not a percentage (0–100)", raw))
		}
		s.Set(fl.key, v)
	}
	if req, ok := s.Get(TotalRequests); ok {
		if fail, ok := s.Get(TotalFailures); ok && fail > req {
			return nil, bad(TotalFailures, fmt.Sprintf("%g failures out of %g requests", fail, req))
		}
	}
	// Python-written 0.0 percentiles mean "could not compute".
	if avg, ok := s.Get(AvgLatency); ok && avg > 1 {
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
	return s, nil
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
			return &loadtest.SyntaxError{File: file, Line: loadtest.LineOf(doc, int64(len(doc))), Key: path, Msg: "truncated JSON (unexpected end of file)"}
		}
		if se, ok := err.(*json.SyntaxError); ok {
			off = se.Offset
		}
		return &loadtest.SyntaxError{File: file, Line: loadtest.LineOf(doc, off), Key: path, Msg: "invalid JSON: " + err.Error()}
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
		return nil, &loadtest.SyntaxError{File: file, Line: 1, Msg: where + " is not a JSON object"}
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
			return nil, &loadtest.SyntaxError{File: file, Line: loadtest.LineOf(doc, dec.InputOffset()), Key: joinKey(path, key), Msg: "duplicate key"}
		}
		seen[key] = true
		out = append(out, kv{key, raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fail(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &loadtest.SyntaxError{File: file, Line: loadtest.LineOf(doc, dec.InputOffset()), Msg: "unexpected data after the JSON object"}
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
	sep := func(indent string) {
		if !first {
			bw.WriteString(",")
		}
		first = false
		bw.WriteString("\n" + indent)
	}
	for _, s := range f.Services {
		sep("  ")
		writeString(bw, s.Name)
		bw.WriteString(": {")
		inner := true
		field := func(key string) {
			if !inner {
				bw.WriteString(",")
			}
			inner = false
			bw.WriteString("\n    ")
			writeString(bw, key)
			bw.WriteString(": ")
		}
		if s.BaselineUsers != nil {
			field(keyBaselineUsers)
			bw.WriteString(formatJSONNumber(*s.BaselineUsers, true))
		}
		for _, n := range s.Names() {
			v, _ := s.Get(n)
			field(n)
			bw.WriteString(formatJSONNumber(v, IsCount(n)))
		}
		if len(s.Estimated) > 0 {
			field(keyEstimated)
			b, _ := json.Marshal(s.Estimated)
			writeIndented(bw, b, "    ")
		}
		if len(s.Ladder) > 0 {
			field(keyPercentiles)
			bw.WriteString("{")
			for i, p := range s.Ladder {
				if i > 0 {
					bw.WriteString(",")
				}
				bw.WriteString("\n      ")
				writeString(bw, strconv.FormatFloat(p.Pct, 'f', -1, 64))
				bw.WriteString(": " + formatJSONNumber(p.Ms, false))
			}
			bw.WriteString("\n    }")
		}
		if len(s.Runs) > 0 {
			field(keyRuns)
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
		for _, o := range s.other {
			field(o.key)
			writeIndented(bw, o.raw, "    ")
		}
		if s.Timestamp != "" {
			field(keyTimestamp)
			writeString(bw, s.Timestamp)
		}
		if inner {
			bw.WriteString("}")
		} else {
			bw.WriteString("\n  }")
		}
	}
	for _, m := range f.Meta {
		sep("  ")
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
