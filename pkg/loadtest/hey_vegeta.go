package loadtest

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// readHey reads hey -o csv: one row per transport-successful request, times in seconds.
// hey tests one URL per run, so every row is the endpoint named by Options.Name; a status
// of 400 or more is a failure. Requests that failed in transport are not in the file.
func readHey(in *Input, sink Sink) error {
	t, err := newCSVTable(in.br, in.File)
	if err != nil {
		return err
	}
	iRT, err := t.need([]string{"response-time"})
	if err != nil {
		return err
	}
	iCode, err := t.need([]string{"status-code"})
	if err != nil {
		return err
	}
	iOff := t.col([]string{"offset"})
	agg := newRawAgg(in.File)
	name := in.opt.name()
	for {
		err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				agg.skip(se.Line, se.Msg)
				continue
			}
			return err
		}
		rt, err1 := parseNumber(t.cell(iRT))
		code, err2 := strconv.Atoi(t.cell(iCode))
		off := 0.0
		var err3 error
		if iOff >= 0 {
			off, err3 = parseNumber(t.cell(iOff))
		}
		if err := errors.Join(err1, err2, err3); err != nil || rt*1000 > maxLatencyMs || off*1000 > maxLatencyMs {
			if err == nil {
				err = fmt.Errorf("response-time %q or offset %q is implausible", t.cell(iRT), t.cell(iOff))
			}
			agg.skip(t.line, strings.ReplaceAll(err.Error(), "\n", "; "))
			continue
		}
		lat := int64(math.Round(rt * 1e9))
		start := int64(math.Round(off * 1e9))
		agg.add(sample{name: name, latencyNs: lat, failed: code >= 400, startNs: start, endNs: start + lat})
	}
	return agg.emit(in, sink)
}

// vegetaHit is one Vegeta result, from either raw encoding.
type vegetaHit struct {
	code      int
	tsNs      int64
	latencyNs int64
	method    string
	rawURL    string
}

// sample keys a hit by method and URL path; success is a status of 200–399, code 0 is a
// transport error.
func (h vegetaHit) sample(defaultName string) sample {
	name := defaultName
	if h.rawURL != "" {
		name = h.rawURL
		if u, err := url.Parse(h.rawURL); err == nil && u.Path != "" {
			name = u.Path
		}
	}
	return sample{method: h.method, name: name, latencyNs: h.latencyNs, failed: h.code < 200 || h.code > 399,
		startNs: h.tsNs, endNs: h.tsNs + h.latencyNs}
}

// readVegetaCSV reads vegeta encode --to csv: no header; 12 columns since v12.8.0
// (timestamp ns, code, latency ns, bytes out, bytes in, error, body, attack, seq, method,
// url, headers), 9 before (no method, url, headers: one endpoint, Options.Name).
func readVegetaCSV(in *Input, sink Sink) error {
	cr := csv.NewReader(in.br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	agg := newRawAgg(in.File)
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				agg.skip(pe.Line, pe.Err.Error())
				continue
			}
			return csvErr(in.File, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) != 12 && len(rec) != 9 {
			agg.skip(line, fmt.Sprintf("%d fields, want 12 (or 9 before v12.8.0)", len(rec)))
			continue
		}
		ts, err1 := strconv.ParseInt(rec[0], 10, 64)
		code, err2 := strconv.Atoi(rec[1])
		lat, err3 := strconv.ParseInt(rec[2], 10, 64)
		if err := errors.Join(err1, err2, err3); err != nil || lat < 0 || lat > maxLatencyMs*1e6 {
			agg.skip(line, fmt.Sprintf("timestamp %q, code %q or latency %q is not an integer", rec[0], rec[1], rec[2]))
			continue
		}
		h := vegetaHit{code: code, tsNs: ts, latencyNs: lat}
		if len(rec) == 12 {
			h.method, h.rawURL = rec[9], rec[10]
		}
		agg.add(h.sample(in.opt.name()))
	}
	return agg.emit(in, sink)
}

// readVegetaJSON reads vegeta encode --to json: one JSON object per line.
func readVegetaJSON(in *Input, sink Sink) error {
	sc := bufio.NewScanner(in.br)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	agg := newRawAgg(in.File)
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var v struct {
			Code      *int    `json:"code"`
			Timestamp string  `json:"timestamp"`
			Latency   *int64  `json:"latency"`
			Method    string  `json:"method"`
			URL       string  `json:"url"`
			Seq       *uint64 `json:"seq"`
		}
		if err := json.Unmarshal(b, &v); err != nil {
			agg.skip(line, "invalid JSON: "+err.Error())
			continue
		}
		if v.Code == nil || v.Latency == nil || *v.Latency < 0 || *v.Latency > maxLatencyMs*1e6 {
			agg.skip(line, "no code or latency")
			continue
		}
		ts, err := time.Parse(time.RFC3339Nano, v.Timestamp)
		if err != nil {
			agg.skip(line, fmt.Sprintf("timestamp %q is not RFC 3339", v.Timestamp))
			continue
		}
		agg.add(vegetaHit{code: *v.Code, tsNs: ts.UnixNano(), latencyNs: *v.Latency, method: v.Method, rawURL: v.URL}.sample(in.opt.name()))
	}
	if err := sc.Err(); err != nil {
		return &SyntaxError{File: in.File, Line: line + 1, Msg: err.Error()}
	}
	return agg.emit(in, sink)
}

// readVegetaReport reads vegeta report -type=json (nanoseconds; one row for the whole
// attack, named by Options.Name). With -every the file holds several reports: the last
// one is final.
func readVegetaReport(in *Input, sink Sink) error {
	var r io.Reader = in.br
	if in.doc != nil {
		r = bytes.NewReader(in.doc)
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var last map[string]any
	for {
		var v map[string]any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			if last != nil && (errors.Is(err, io.ErrUnexpectedEOF)) {
				break // a report cut short while being written: the previous one stands
			}
			return &SyntaxError{File: in.File, Msg: "invalid JSON: " + err.Error()}
		}
		last = v
	}
	if last == nil {
		return &SyntaxError{File: in.File, Msg: "no report"}
	}
	o := jsonObj{file: in.File, key: "report", m: last}
	lat, _ := last["latencies"].(map[string]any)
	if lat == nil {
		return &SyntaxError{File: in.File, Key: "latencies", Msg: "missing"}
	}
	lo := jsonObj{file: in.File, key: "latencies", m: lat}
	ns := func(k string) (float64, bool, error) {
		v, ok, err := lo.ms(k)
		return v / 1e6, ok, err
	}
	row := Row{Name: in.opt.name(), Line: 1}
	var err error
	if row.Requests, err = o.count("requests", true); err != nil {
		return err
	}
	success, hasSuccess, err := o.ms("success")
	if err != nil {
		return err
	}
	if !hasSuccess || success > 1 {
		return &SyntaxError{File: in.File, Key: "success", Msg: "want a ratio between 0 and 1"}
	}
	row.Failures = row.Requests - int64(math.Round(success*float64(row.Requests)))
	if row.AvgMs, row.HasAvg, err = ns("mean"); err != nil {
		return err
	}
	if row.MedianMs, row.HasMedian, err = ns("50th"); err != nil {
		return err
	}
	var hasMin, hasMax bool
	if row.MinMs, hasMin, err = ns("min"); err != nil { // min and 90th since v12.8.0
		return err
	}
	if row.MaxMs, hasMax, err = ns("max"); err != nil {
		return err
	}
	row.HasMinMax = hasMin && hasMax
	for _, p := range []struct {
		key string
		pct float64
	}{{"50th", 50}, {"90th", 90}, {"95th", 95}, {"99th", 99}} {
		v, ok, err := ns(p.key)
		if err != nil {
			return err
		}
		if ok {
			row.Ladder = append(row.Ladder, Point{Pct: p.pct, Ms: v})
		}
	}
	if row.RPS, row.HasRPS, err = o.ms("rate"); err != nil {
		return err
	}
	return sink(row)
}
