package loadtest

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/perfgate/perfgate/pkg/fileerr"
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
func readLocustJSON(in *Input, sink Sink) (Skips, error) {
	return Skips{}, locustJSONRows(in.doc, in.File, sink)
}

// detectLocustJSON: a list of entries with num_requests, or the empty list Locust writes
// when nothing was requested (Rows reports it).
func detectLocustJSON(s *sniff) bool {
	list, ok := s.doc.([]any)
	if !ok {
		return false
	}
	if len(list) == 0 {
		return true
	}
	m, _ := list[0].(map[string]any)
	_, ok = m["num_requests"]
	return ok
}

func locustJSONRows(doc []byte, file string, sink Sink) error {
	var entries []locustEntry
	if err := decodeJSON(doc, file, &entries); err != nil {
		return err
	}
	if len(entries) == 0 {
		return &fileerr.Error{File: file, Msg: "no stats entries (Locust writes [] when no request was made)"}
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
		row, err := locustEntryRow(e, i, file)
		if err != nil {
			return err
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

// locustEntryRow reads entry i; its numbers follow the rule (numbers.go): a negative or
// fractional count, or a negative time, is an error.
func locustEntryRow(e locustEntry, i int, file string) (Row, error) {
	key := fmt.Sprintf("[%d]", i)
	bad := func(field, msg string) error {
		return &fileerr.Error{File: file, Key: key + "." + field, Msg: msg}
	}
	for _, f := range []struct {
		name  string
		v     float64
		count bool
	}{{"num_requests", e.NumRequests, true}, {"num_none_requests", e.NumNoneRequests, true}, {"num_failures", e.NumFailures, true},
		{"total_response_time", e.TotalResponseTime, false}, {"min_response_time", deref(e.MinResponseTime), false}, {"max_response_time", deref(e.MaxResponseTime), false}} {
		switch {
		case f.v < 0:
			return Row{}, bad(f.name, fmt.Sprintf("%v is negative", f.v))
		case f.count && (f.v != math.Trunc(f.v) || f.v > 1<<53):
			return Row{}, bad(f.name, fmt.Sprintf("%v is not a whole count", f.v))
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
			return row, bad("response_times", fmt.Sprintf("bucket key %s", err))
		}
		c, err := jsonCount(v)
		if err != nil {
			return row, bad("response_times."+k, err.Error())
		}
		hist[ms] += c
		histN += c
	}
	if histN > row.Requests {
		return row, bad("response_times", fmt.Sprintf("histogram holds %d requests, the entry only %d", histN, row.Requests))
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
	return row, nil
}

func deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

func jsonCount(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want a count, got %v", v)
	}
	return parseCount(n.String())
}
