package loadtest

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// locustEntry is one serialized Locust StatsEntry (--json, --json-file; FORMATS §1.3).
type locustEntry struct {
	Name                 string         `json:"name"`
	Method               string         `json:"method"`
	LastRequestTimestamp *float64       `json:"last_request_timestamp"`
	StartTime            *float64       `json:"start_time"`
	NumRequests          float64        `json:"num_requests"`
	NumNoneRequests      float64        `json:"num_none_requests"`
	NumFailures          float64        `json:"num_failures"`
	TotalResponseTime    float64        `json:"total_response_time"`
	MaxResponseTime      *float64       `json:"max_response_time"`
	MinResponseTime      *float64       `json:"min_response_time"`
	ResponseTimes        map[string]any `json:"response_times"`
}

// readLocustJSON reads the list of raw StatsEntry dicts written by Locust --json. Percentiles
// are computed from the response_times histogram by the metrics package, the way Locust does;
// rps is num_requests over the span from the earliest start_time to the latest
// last_request_timestamp across entries (Locust's global duration).
func readLocustJSON(doc []byte, file string, sink Sink) error {
	var entries []locustEntry
	if err := decodeJSON(doc, file, &entries); err != nil {
		return err
	}
	if len(entries) == 0 {
		return &SyntaxError{File: file, Msg: "no stats entries (Locust writes [] when no request was made)"}
	}
	var start, end float64 = math.Inf(1), math.Inf(-1)
	for _, e := range entries {
		if e.StartTime != nil && *e.StartTime < start {
			start = *e.StartTime
		}
		if e.LastRequestTimestamp != nil && *e.LastRequestTimestamp > end {
			end = *e.LastRequestTimestamp
		}
	}
	for i, e := range entries {
		key := fmt.Sprintf("[%d]", i)
		bad := func(field, msg string) error {
			return &SyntaxError{File: file, Key: key + "." + field, Msg: msg}
		}
		for f, v := range map[string]float64{"num_requests": e.NumRequests, "num_none_requests": e.NumNoneRequests, "num_failures": e.NumFailures} {
			if v < 0 || v != math.Trunc(v) || v > 1<<53 {
				return bad(f, fmt.Sprintf("%v is not a whole count", v))
			}
		}
		row := Row{Method: e.Method, Name: e.Name, Line: i + 1, Requests: int64(e.NumRequests), Failures: int64(e.NumFailures)}
		row.Total = isTotalName(e.Name) && e.Method == ""
		if e.NumNoneRequests > 0 {
			row.Timed = row.Requests - int64(e.NumNoneRequests)
		}
		hist := make(map[float64]int64, len(e.ResponseTimes))
		var histN int64
		for k, v := range e.ResponseTimes {
			ms, err := parseNumber(k)
			if err != nil {
				return bad("response_times", fmt.Sprintf("bucket key %s", err))
			}
			c, err := jsonCount(v)
			if err != nil {
				return bad("response_times."+k, err.Error())
			}
			hist[ms] += c
			histN += c
		}
		if histN > row.Requests {
			return bad("response_times", fmt.Sprintf("histogram holds %d requests, the entry only %d", histN, row.Requests))
		}
		if histN > 0 {
			// Some requests may have been logged without a time (num_none_requests); the
			// histogram is what has a time.
			row.Timed = histN
			row.Hist = hist
			row.AvgMs, row.HasAvg = e.TotalResponseTime/float64(histN), true
			if e.MinResponseTime != nil && e.MaxResponseTime != nil {
				row.MinMs, row.MaxMs, row.HasMinMax = *e.MinResponseTime, *e.MaxResponseTime, true
			}
		}
		if end > start {
			row.RPS, row.HasRPS = float64(row.Requests)/(end-start), true
		}
		if err := sink(row); err != nil {
			return err
		}
	}
	return nil
}

func jsonCount(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want a count, got %v", v)
	}
	return parseCount(n.String())
}

// readLocustWeb reads the web UI's GET /stats/requests JSON ({"stats": [...]}, FORMATS §1.4).
func readLocustWeb(doc []byte, file string, sink Sink) error {
	var v struct {
		Stats []map[string]any `json:"stats"`
	}
	if err := decodeJSON(doc, file, &v); err != nil {
		return err
	}
	if len(v.Stats) == 0 {
		return &SyntaxError{File: file, Key: "stats", Msg: "no stats entries"}
	}
	for i, e := range v.Stats {
		o := jsonObj{file: file, key: fmt.Sprintf("stats[%d]", i), m: e}
		row := Row{Line: i + 1, Method: o.str("method"), Name: o.str("name")}
		row.Total = isTotalName(row.Name) && row.Method == ""
		var err error
		if row.Requests, err = o.count("num_requests", true); err != nil {
			return err
		}
		if row.Failures, err = o.count("num_failures", true); err != nil {
			return err
		}
		if row.AvgMs, row.HasAvg, err = o.ms("avg_response_time"); err != nil {
			return err
		}
		if row.MedianMs, row.HasMedian, err = o.ms("median_response_time"); err != nil {
			return err
		}
		var hasMin, hasMax bool
		if row.MinMs, hasMin, err = o.ms("min_response_time"); err != nil {
			return err
		}
		if row.MaxMs, hasMax, err = o.ms("max_response_time"); err != nil {
			return err
		}
		row.HasMinMax = hasMin && hasMax
		rpsKey := "total_rps"
		if _, ok := e[rpsKey]; !ok {
			rpsKey = "current_rps"
		}
		if row.RPS, row.HasRPS, err = o.ms(rpsKey); err != nil {
			return err
		}
		for k := range e {
			pct, ok := webPercentileKey(k)
			if !ok {
				continue
			}
			v, has, err := o.ms(k)
			if err != nil {
				return err
			}
			if has {
				row.Ladder = append(row.Ladder, Point{Pct: pct, Ms: v})
			}
		}
		row.Ladder = sortLadder(row.Ladder)
		if row.Requests == 0 {
			row.HasAvg, row.HasMedian, row.HasMinMax, row.Ladder = false, false, false, nil
		}
		if err := sink(row); err != nil {
			return err
		}
	}
	return nil
}

// webPercentileKey maps "response_time_percentile_0.95" (2.21+) and the older
// "ninetieth_response_time"/"ninety_ninth_response_time" to a percentile.
func webPercentileKey(k string) (float64, bool) {
	switch k {
	case "ninetieth_response_time":
		return 90, true
	case "ninety_ninth_response_time":
		return 99, true
	}
	s, ok := strings.CutPrefix(k, "response_time_percentile_")
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1 {
		return 0, false
	}
	return math.Round(f*1e6) / 1e4, true
}

// readSummary reads the per-service summary shape of the seed project:
// {"svc": {"name", "requests", "failures", "median", "average", "min", "max", "rps"}}.
// Optional "p50"/"p90"/"p95"/"p99" keys become percentile points.
func readSummary(doc []byte, file string, sink Sink) error {
	var v map[string]any
	if err := decodeJSON(doc, file, &v); err != nil {
		return err
	}
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		m, ok := v[k].(map[string]any)
		if !ok || strings.HasPrefix(k, "_") {
			continue // metadata
		}
		o := jsonObj{file: file, key: k, m: m}
		row := Row{Line: i + 1, Name: o.str("name"), Method: o.str("method")}
		if row.Name == "" {
			row.Name = k
		}
		row.Total = isTotalName(row.Name) || isTotalName(k)
		var err error
		if row.Requests, err = o.count("requests", true); err != nil {
			return err
		}
		if row.Failures, err = o.count("failures", false); err != nil {
			return err
		}
		if row.Failures > row.Requests {
			return &SyntaxError{File: file, Key: k + ".failures", Msg: fmt.Sprintf("%d failures out of %d requests", row.Failures, row.Requests)}
		}
		if row.Total {
			if err := sink(row); err != nil {
				return err
			}
			continue
		}
		if row.AvgMs, row.HasAvg, err = o.ms("average"); err != nil {
			return err
		}
		if row.MedianMs, row.HasMedian, err = o.ms("median"); err != nil {
			return err
		}
		var hasMin, hasMax bool
		if row.MinMs, hasMin, err = o.ms("min"); err != nil {
			return err
		}
		if row.MaxMs, hasMax, err = o.ms("max"); err != nil {
			return err
		}
		row.HasMinMax = hasMin && hasMax
		if row.RPS, row.HasRPS, err = o.ms("rps"); err != nil {
			return err
		}
		for _, p := range []float64{50, 90, 95, 99} {
			v, has, err := o.ms(fmt.Sprintf("p%g", p))
			if err != nil {
				return err
			}
			if has {
				row.Ladder = append(row.Ladder, Point{Pct: p, Ms: v})
			}
		}
		if err := sink(row); err != nil {
			return err
		}
	}
	return nil
}

// jsonObj reads typed fields of a decoded JSON object with positioned errors.
type jsonObj struct {
	file, key string
	m         map[string]any
}

func (o jsonObj) err(field, msg string) error {
	return &SyntaxError{File: o.file, Key: o.key + "." + field, Msg: msg}
}

func (o jsonObj) str(field string) string {
	s, _ := o.m[field].(string)
	return s
}

// ms reads a latency (or rate): a JSON number, or a string with a unit ("150ms", "1.5s").
func (o jsonObj) ms(field string) (float64, bool, error) {
	switch v := o.m[field].(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		f, err := parseNumber(v.String())
		if err != nil {
			return 0, false, o.err(field, err.Error())
		}
		return f, true, nil
	case string:
		if v == "" || strings.EqualFold(v, "N/A") {
			return 0, false, nil
		}
		f, err := ParseMs(v)
		if err != nil {
			return 0, false, o.err(field, err.Error())
		}
		return f, true, nil
	default:
		return 0, false, o.err(field, fmt.Sprintf("want a number, got %v", v))
	}
}

func (o jsonObj) count(field string, required bool) (int64, error) {
	v, ok := o.m[field]
	if !ok || v == nil {
		if required {
			return 0, o.err(field, "missing")
		}
		return 0, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, o.err(field, fmt.Sprintf("want a count, got %v", v))
	}
	c, err := parseCount(n.String())
	if err != nil {
		return 0, o.err(field, err.Error())
	}
	return c, nil
}
