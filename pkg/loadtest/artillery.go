package loadtest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

const (
	artilleryEndpointSummary = "plugins.metrics-by-endpoint.response_time."
	artilleryEndpointCounter = "plugins.metrics-by-endpoint."
)

var (
	artilleryCodeSuffix  = regexp.MustCompile(`^(.*)\.codes\.(\d+)$`)
	artilleryErrorSuffix = regexp.MustCompile(`^(.*)\.errors\.(.+)$`)
)

// readArtillery reads artillery run --output: v2 per endpoint from the
// metrics-by-endpoint plugin (summaries and codes/errors counters; names contain dots,
// so only the known prefixes and suffixes are matched), else the whole test; 1.x legacy
// reports as the whole test. Latencies are what Artillery measures (time to first byte).
// Failures are 4xx/5xx responses plus transport errors; rps is requests over
// lastMetricAt − firstMetricAt.
func readArtillery(in *Input, sink Sink) error {
	var doc map[string]any
	if err := decodeJSON(in.doc, in.File, &doc); err != nil {
		return err
	}
	agg, _ := doc["aggregate"].(map[string]any)
	counters, _ := agg["counters"].(map[string]any)
	summaries, _ := agg["summaries"].(map[string]any)
	if summaries == nil {
		summaries, _ = agg["histograms"].(map[string]any)
	}
	if counters == nil && summaries == nil {
		return readArtilleryLegacy(in, agg, sink)
	}
	first, ok1 := num(agg["firstMetricAt"])
	last, ok2 := num(agg["lastMetricAt"])
	spanS := 0.0
	if ok1 && ok2 && last > first {
		spanS = (last - first) / 1000
	}
	type tally struct{ requests, failures int64 }
	per := map[string]*tally{}
	get := func(n string) *tally {
		if per[n] == nil {
			per[n] = &tally{}
		}
		return per[n]
	}
	var whole tally
	for k, v := range counters {
		c, ok := num(v)
		if !ok {
			return &SyntaxError{File: in.File, Key: "aggregate.counters." + k, Msg: "want a count"}
		}
		n := int64(c)
		if rest, ok := strings.CutPrefix(k, artilleryEndpointCounter); ok && !strings.HasPrefix(rest, "response_time.") {
			if m := artilleryCodeSuffix.FindStringSubmatch(rest); m != nil {
				code, _ := strconv.Atoi(m[2])
				t := get(m[1])
				t.requests += n
				if code >= 400 {
					t.failures += n
				}
			} else if m := artilleryErrorSuffix.FindStringSubmatch(rest); m != nil {
				t := get(m[1])
				t.requests += n
				t.failures += n
			}
			continue
		}
		switch {
		case k == "http.requests":
			whole.requests = n
		case strings.HasPrefix(k, "http.codes."):
			if code, err := strconv.Atoi(strings.TrimPrefix(k, "http.codes.")); err == nil && code >= 400 {
				whole.failures += n
			}
		case strings.HasPrefix(k, "errors."):
			whole.failures += n
		}
	}
	line := 0
	emit := func(name string, t tally, sum map[string]any) error {
		line++
		row := Row{Name: name, Line: line, Requests: t.requests, Failures: t.failures}
		if row.Failures > row.Requests {
			row.Requests = row.Failures
		}
		if sum != nil {
			artillerySummary(&row, sum)
		}
		if spanS > 0 {
			row.RPS, row.HasRPS = float64(row.Requests)/spanS, true
		}
		return sink(row)
	}
	if len(per) > 0 {
		for _, name := range sortedMapKeys(per) {
			sum, _ := summaries[artilleryEndpointSummary+name].(map[string]any)
			if err := emit(name, *per[name], sum); err != nil {
				return err
			}
		}
		return nil
	}
	sum, _ := summaries["http.response_time"].(map[string]any)
	if whole.requests == 0 && sum == nil {
		return &SyntaxError{File: in.File, Key: "aggregate.counters", Msg: "no http.requests: no HTTP requests in this Artillery report"}
	}
	return emit(in.opt.name(), whole, sum)
}

// artillerySummary fills latencies from a summary {min, max, count, mean, p50, median,
// p75, p90, p95, p99, p999} (DDSketch, 1 % accuracy, rounded to 0.1 ms).
func artillerySummary(row *Row, sum map[string]any) {
	if c, ok := num(sum["count"]); ok && c > 0 {
		row.Timed = int64(c)
	}
	row.AvgMs, row.HasAvg = num(sum["mean"])
	row.MedianMs, row.HasMedian = num(sum["median"])
	if !row.HasMedian {
		row.MedianMs, row.HasMedian = num(sum["p50"])
	}
	mn, ok1 := num(sum["min"])
	mx, ok2 := num(sum["max"])
	row.MinMs, row.MaxMs, row.HasMinMax = mn, mx, ok1 && ok2
	for _, p := range []struct {
		key string
		pct float64
	}{{"p50", 50}, {"p75", 75}, {"p90", 90}, {"p95", 95}, {"p99", 99}, {"p999", 99.9}} {
		if v, ok := num(sum[p.key]); ok {
			row.Ladder = append(row.Ladder, Point{Pct: p.pct, Ms: v})
		}
	}
}

// readArtilleryLegacy reads the 1.x report: aggregate.latency {min, max, median, p95,
// p99}, requestsCompleted, codes, errors, rps.mean; the whole test as one row.
func readArtilleryLegacy(in *Input, agg map[string]any, sink Sink) error {
	lat, _ := agg["latency"].(map[string]any)
	if lat == nil {
		return &SyntaxError{File: in.File, Key: "aggregate", Msg: "neither counters/summaries (v2) nor latency (1.x)"}
	}
	row := Row{Name: in.opt.name(), Line: 1}
	completed, _ := num(agg["requestsCompleted"])
	codes, _ := agg["codes"].(map[string]any)
	errs, _ := agg["errors"].(map[string]any)
	var responses int64
	for k, v := range codes {
		c, _ := num(v)
		responses += int64(c)
		if code, err := strconv.Atoi(k); err == nil && code >= 400 {
			row.Failures += int64(c)
		}
	}
	for _, v := range errs {
		c, _ := num(v)
		row.Failures += int64(c)
	}
	row.Requests = int64(completed)
	if row.Requests < responses {
		row.Requests = responses
	}
	if transport := row.Failures; row.Requests < transport {
		row.Requests = transport
	}
	if row.Requests == 0 {
		return &SyntaxError{File: in.File, Key: "aggregate.requestsCompleted", Msg: "no requests"}
	}
	row.MedianMs, row.HasMedian = num(lat["median"])
	mn, ok1 := num(lat["min"])
	mx, ok2 := num(lat["max"])
	row.MinMs, row.MaxMs, row.HasMinMax = mn, mx, ok1 && ok2
	for _, p := range []struct {
		key string
		pct float64
	}{{"median", 50}, {"p95", 95}, {"p99", 99}} {
		if v, ok := num(lat[p.key]); ok {
			row.Ladder = append(row.Ladder, Point{Pct: p.pct, Ms: v})
		}
	}
	if rps, ok := agg["rps"].(map[string]any); ok {
		row.RPS, row.HasRPS = num(rps["mean"])
	}
	if !row.HasMedian {
		return &SyntaxError{File: in.File, Key: "aggregate.latency", Msg: fmt.Sprintf("no latency figures (%d requests)", row.Requests)}
	}
	return sink(row)
}
