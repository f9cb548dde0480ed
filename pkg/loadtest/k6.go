package loadtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// k6 raw outputs: http_req_duration points (ms) are the requests, keyed by the method
// and name tags; http_req_failed points (1 = failed) say which failed. When a run has no
// http_req_failed (response callback disabled), a status of 0 or ≥ 400 is a failure.
type k6Raw struct {
	agg       *rawAgg
	sawFailed bool
}

func newK6Raw(in *Input) *k6Raw {
	return &k6Raw{agg: newRawAgg(in.File)}
}

func (k *k6Raw) point(metric string, value float64, endNs int64, method, name, status string) {
	k.pointBytes(metric, value, endNs, method, []byte(name), []byte(status))
}

// pointBytes handles one point; the endpoint is (method, name).
func (k *k6Raw) pointBytes(metric string, value float64, endNs int64, method string, name, status []byte) {
	switch metric {
	case "http_req_duration":
		code, ok := parseDigits(status)
		lat := msToNs(value)
		k.agg.addBytes(method, name, lat, ok && (code == 0 || code >= 400), endNs-lat, endNs)
	case "http_req_failed":
		k.sawFailed = true
		if value != 0 {
			k.agg.endpoint(method, name).flagged++
		}
	}
}

func (k *k6Raw) emit(in *Input, sink Sink) error {
	if k.sawFailed {
		for _, e := range k.agg.eps {
			e.failures = min(e.flagged, e.n)
		}
	}
	// Endpoints seen only in http_req_failed points have no duration: not requests.
	for key, e := range k.agg.eps {
		if e.n == 0 {
			delete(k.agg.eps, key)
		}
	}
	order := k.agg.order[:0]
	for _, key := range k.agg.order {
		if _, ok := k.agg.eps[key]; ok {
			order = append(order, key)
		}
	}
	k.agg.order = order
	return k.agg.emit(in, sink)
}

// k6Time parses a k6 timestamp: RFC 3339 (NDJSON, CSV rfc3339*) or a Unix number whose
// digit count tells the unit (s, ms, µs, ns: the CSV time_format options).
func k6Time(s string) (int64, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixNano(), nil
	}
	if !isDigits(s) {
		return 0, fmt.Errorf("timestamp %q is neither RFC 3339 nor a Unix time", s)
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, err
	}
	switch {
	case len(s) <= 10:
		return v * 1e9, nil
	case len(s) <= 13:
		return v * 1e6, nil
	case len(s) <= 16:
		return v * 1e3, nil
	}
	return v, nil
}

func k6Name(tags map[string]string, def string) string {
	if n := tags["name"]; n != "" {
		return n
	}
	if u := tags["url"]; u != "" {
		return u
	}
	return def
}

// readK6CSV reads k6 --out csv (possibly gzipped); columns are looked up by name.
func readK6CSV(in *Input, sink Sink) error {
	t, err := newCSVTable(in.br, in.File)
	if err != nil {
		return err
	}
	iMetric, err := t.need([]string{"metric_name"})
	if err != nil {
		return err
	}
	iTS, err := t.need([]string{"timestamp"})
	if err != nil {
		return err
	}
	iVal, err := t.need([]string{"metric_value"})
	if err != nil {
		return err
	}
	iMethod, iName, iURL, iStatus := t.col([]string{"method"}), t.col([]string{"name"}), t.col([]string{"url"}), t.col([]string{"status"})
	k := newK6Raw(in)
	for {
		err := t.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var se *SyntaxError
			if errors.As(err, &se) {
				k.agg.skip(se.Line, se.Msg)
				continue
			}
			return err
		}
		m := t.cell(iMetric)
		if m != "http_req_duration" && m != "http_req_failed" {
			continue
		}
		v, err := strconv.ParseFloat(t.cell(iVal), 64)
		if err != nil || v < 0 || v > maxLatencyMs {
			k.agg.skip(t.line, fmt.Sprintf("metric_value %q is not a plausible number", t.cell(iVal)))
			continue
		}
		ts, err := k6Time(t.cell(iTS))
		if err != nil {
			k.agg.skip(t.line, err.Error())
			continue
		}
		name := t.cell(iName)
		if name == "" {
			name = t.cell(iURL)
		}
		if name == "" {
			name = in.opt.name()
		}
		k.point(m, v, ts, t.cell(iMethod), name, t.cell(iStatus))
	}
	return k.emit(in, sink)
}

var (
	k6Submetric = regexp.MustCompile(`^([^{]+)\{(.*)\}$`)
	k6Pct       = regexp.MustCompile(`^p\((\d+(?:\.\d+)?)\)$`)
)

// readK6Summary reads the three k6 summary shapes: --summary-export (flat values), the
// handleSummary data (values under "values") and the machine-readable summary of v1.5+
// (a metrics list). Per endpoint where the user declared name submetrics
// (http_req_duration{name:…}); otherwise the whole test as one row (Options.Name).
func readK6Summary(in *Input, sink Sink) error {
	var doc map[string]any
	if err := decodeJSON(in.doc, in.File, &doc); err != nil {
		return err
	}
	metrics := map[string]map[string]any{} // metric name → values
	var durationS float64
	if res, ok := doc["results"].(map[string]any); ok { // machine-readable v1.5+
		list, _ := res["metrics"].([]any)
		for _, e := range list {
			m, _ := e.(map[string]any)
			name, _ := m["name"].(string)
			vals, _ := m["values"].(map[string]any)
			if name != "" && vals != nil {
				metrics[name] = vals
			}
		}
		if cfg, ok := doc["config"].(map[string]any); ok {
			durationS, _ = num(cfg["duration"])
		}
	} else {
		ms, _ := doc["metrics"].(map[string]any)
		for name, e := range ms {
			m, _ := e.(map[string]any)
			if vals, ok := m["values"].(map[string]any); ok {
				metrics[name] = vals
			} else if m != nil {
				metrics[name] = m
			}
		}
		if st, ok := doc["state"].(map[string]any); ok {
			d, _ := num(st["testRunDurationMs"])
			durationS = d / 1000
		}
	}
	if metrics["http_req_duration"] == nil {
		return &SyntaxError{File: in.File, Key: "metrics.http_req_duration", Msg: "missing: no HTTP requests in this k6 summary"}
	}
	// Submetrics by name tag.
	type ep struct{ dur, reqs, failed map[string]any }
	eps := map[string]*ep{}
	for full, vals := range metrics {
		m := k6Submetric.FindStringSubmatch(full)
		if m == nil {
			continue
		}
		tags := map[string]string{}
		for _, kv := range strings.Split(m[2], ",") {
			k, v, ok := strings.Cut(kv, ":")
			if ok {
				tags[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
		name, ok := tags["name"]
		if !ok || len(tags) != 1 {
			continue // only pure name submetrics are endpoints
		}
		e := eps[name]
		if e == nil {
			e = &ep{}
			eps[name] = e
		}
		switch m[1] {
		case "http_req_duration":
			e.dur = vals
		case "http_reqs":
			e.reqs = vals
		case "http_req_failed":
			e.failed = vals
		}
	}
	rowFor := func(name string, dur, reqs, failed map[string]any, line int) (Row, bool, error) {
		row := Row{Name: name, Line: line}
		count, hasCount := num(reqs["count"])
		passes, hasPasses := num(failed["passes"])
		if !hasPasses {
			passes, hasPasses = num(failed["matches"]) // machine-readable: matches = failed
		}
		fails, hasFails := num(failed["fails"])
		total, hasTotal := num(failed["total"])
		switch {
		case hasCount:
		case hasPasses && hasFails:
			count, hasCount = passes+fails, true
		case hasTotal:
			count, hasCount = total, true
		default:
			if c, ok := num(dur["count"]); ok {
				count, hasCount = c, true
			}
		}
		if !hasCount {
			return row, false, nil
		}
		row.Requests = int64(count)
		if hasPasses {
			row.Failures = int64(passes)
		} else if rate, ok := num(failed["rate"]); ok {
			row.Failures = int64(rate*count + 0.5)
		} else if rate, ok := num(failed["value"]); ok {
			row.Failures = int64(rate*count + 0.5)
		}
		if row.Requests == 0 {
			return row, false, nil // a submetric observed only because a threshold names it
		}
		var ok bool
		row.AvgMs, row.HasAvg = num(dur["avg"])
		row.MedianMs, row.HasMedian = num(dur["med"])
		row.MinMs, ok = num(dur["min"])
		row.MaxMs, row.HasMinMax = num(dur["max"])
		row.HasMinMax = row.HasMinMax && ok
		for k, v := range dur {
			if m := k6Pct.FindStringSubmatch(k); m != nil {
				p, _ := strconv.ParseFloat(m[1], 64)
				if val, ok := num(v); ok && p > 0 && p <= 100 {
					row.Ladder = append(row.Ladder, Point{Pct: p, Ms: val})
				}
			}
		}
		if row.HasMedian {
			row.Ladder = append(row.Ladder, Point{Pct: 50, Ms: row.MedianMs})
		}
		row.Ladder = sortLadder(row.Ladder)
		if rate, ok := num(reqs["rate"]); ok && name != "" {
			row.RPS, row.HasRPS = rate, true
		} else if durationS > 0 {
			row.RPS, row.HasRPS = count/durationS, true
		}
		return row, true, nil
	}
	if len(eps) > 0 {
		line := 0
		for _, name := range sortedMapKeys(eps) {
			e := eps[name]
			if e.dur == nil {
				continue
			}
			line++
			row, ok, err := rowFor(name, e.dur, e.reqs, e.failed, line)
			if err != nil {
				return err
			}
			if ok {
				if err := sink(row); err != nil {
					return err
				}
			}
		}
		if line > 0 {
			return nil
		}
	}
	row, ok, err := rowFor(in.opt.name(), metrics["http_req_duration"], metrics["http_reqs"], metrics["http_req_failed"], 1)
	if err != nil {
		return err
	}
	if !ok {
		return &SyntaxError{File: in.File, Key: "metrics.http_reqs", Msg: "no request count (http_reqs) in this k6 summary"}
	}
	return sink(row)
}

// num reads a JSON number (json.Number or float64).
func num(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil && f >= 0
	case float64:
		return x, x >= 0
	}
	return 0, false
}
