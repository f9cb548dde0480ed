package loadtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

const (
	artilleryEndpointSummary = "plugins.metrics-by-endpoint.response_time."
	artilleryEndpointCounter = "plugins.metrics-by-endpoint."
)

var (
	artilleryCodeSuffix  = regexp.MustCompile(`^(.*)\.codes\.(\d+)$`)
	artilleryErrorSuffix = regexp.MustCompile(`^(.*)\.errors\.(.+)$`)
)

// detectArtillery: an aggregate with counters or summaries (v2) or latency (1.x).
func detectArtillery(s *sniff) bool {
	agg := child(s.object(), "aggregate")
	return agg != nil && (child(agg, "counters") != nil || child(agg, "summaries") != nil || child(agg, "latency") != nil)
}

// artilleryTally counts the requests and failures of an endpoint.
type artilleryTally struct{ requests, failures int64 }

// readArtillery reads artillery run --output: v2 per endpoint from the
// metrics-by-endpoint plugin (summaries and codes/errors counters; names contain dots,
// so only the known prefixes and suffixes are matched), else the whole test; 1.x legacy
// reports as the whole test (artilleryV2 tells them apart). Latencies are what Artillery measures (time to first byte).
// Failures are 4xx/5xx responses plus transport errors; rps is requests over
// lastMetricAt − firstMetricAt.
func readArtillery(in *Input, sink Sink) (Skips, error) {
	var doc map[string]any
	if err := decodeJSON(in.doc, in.File, &doc); err != nil {
		return Skips{}, err
	}
	agg := jsonObj{file: in.File, key: "aggregate", m: child(doc, "aggregate")}
	counters, summaries := agg.child("counters"), agg.child("summaries")
	if summaries.m == nil {
		summaries = agg.child("histograms")
	}
	if !artilleryV2(agg, counters, summaries) {
		return Skips{}, readArtilleryLegacy(in, agg, doc["intermediate"], sink)
	}
	var nums numbers
	first, ok1 := nums.get(agg, "firstMetricAt")
	last, ok2 := nums.get(agg, "lastMetricAt")
	per, whole, err := artilleryTallies(counters)
	if err = firstErr(nums.err, err); err != nil {
		return Skips{}, err
	}
	spanS := 0.0
	if ok1 && ok2 && last > first {
		spanS = (last - first) / 1000
	}
	line := 0
	emit := func(name string, t artilleryTally, sum jsonObj) error {
		line++
		row := Row{Name: name, Line: line, Requests: max(t.requests, t.failures), Failures: t.failures}
		if err := artillerySummary(&row, sum); err != nil {
			return err
		}
		if spanS > 0 {
			row.RPS, row.HasRPS = float64(row.Requests)/spanS, true
		}
		return sink(row)
	}
	if len(per) > 0 {
		for _, name := range slices.Sorted(maps.Keys(per)) {
			if err := emit(name, *per[name], summaries.child(artilleryEndpointSummary+name)); err != nil {
				return Skips{}, err
			}
		}
		return Skips{}, nil
	}
	sum := summaries.child("http.response_time")
	if whole.requests == 0 && sum.m == nil {
		return Skips{}, &fileerr.Error{File: in.File, Key: "aggregate.counters", Msg: "no http.requests: no HTTP requests in this Artillery report"}
	}
	return Skips{}, emit(in.opt.name(), whole, sum)
}

// artilleryV2 tells a 2.x report from a 1.x one by the fields that carry data: 1.x has
// counters too (custom counters, "counters": {} when the script defines none), so a
// report is 2.x when it has summaries (histograms) or HTTP/virtual-user counters, or else
// when it lacks 1.x's latency and requestsCompleted.
func artilleryV2(agg, counters, summaries jsonObj) bool {
	if len(summaries.m) > 0 {
		return true
	}
	for k := range counters.m {
		if strings.HasPrefix(k, "http.") || strings.HasPrefix(k, "vusers.") || strings.HasPrefix(k, artilleryEndpointCounter) {
			return true
		}
	}
	_, latency := agg.m["latency"]
	_, completed := agg.m["requestsCompleted"]
	return !latency && !completed
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// artilleryTallies counts requests and failures per endpoint (the metrics-by-endpoint
// counters) and for the whole test.
func artilleryTallies(counters jsonObj) (map[string]*artilleryTally, artilleryTally, error) {
	per := map[string]*artilleryTally{}
	get := func(n string) *artilleryTally {
		if per[n] == nil {
			per[n] = &artilleryTally{}
		}
		return per[n]
	}
	var whole artilleryTally
	for _, k := range slices.Sorted(maps.Keys(counters.m)) {
		n, err := counters.count(k, true)
		if err != nil {
			return nil, whole, err
		}
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
	return per, whole, nil
}

// artillerySummary fills latencies from a summary {min, max, count, mean, p50, median,
// p75, p90, p95, p99, p999} (DDSketch, 1 % accuracy, rounded to 0.1 ms); nothing when
// there is none.
func artillerySummary(row *Row, sum jsonObj) error {
	if sum.m == nil {
		return nil
	}
	var nums numbers
	if c, ok := nums.get(sum, "count"); ok && c > 0 {
		row.Timed = int64(c)
	}
	get := func(k string) (float64, bool, error) { return sum.number(k) }
	median := "median"
	if sum.m[median] == nil {
		median = "p50"
	}
	if err := setLatencies(row, get, latencyKeys[string]{"mean", median, "min", "max"}); err != nil {
		return err
	}
	if err := addLadder(row, get, []ladderPoint[string]{{"p50", 50}, {"p75", 75}, {"p90", 90}, {"p95", 95}, {"p99", 99}, {"p999", 99.9}}); err != nil {
		return err
	}
	return nums.err
}

// readArtilleryLegacy reads the 1.x report: aggregate.latency {min, max, median, p95,
// p99}, rps {count, mean}, requestsCompleted, codes, errors; the whole test as one row.
// The requests are rps.count, every request sent (core/lib/stats2.js counts it at the
// request event): requestsCompleted counts the responses only, not the requests that
// ended in an error (ETIMEDOUT, ECONNREFUSED…), which errors counts. The latencies are
// of the completed requests.
func readArtilleryLegacy(in *Input, agg jsonObj, intermediate any, sink Sink) error {
	lat := agg.child("latency")
	if lat.m == nil {
		return &fileerr.Error{File: in.File, Key: "aggregate", Msg: "neither counters/summaries (v2) nor latency (1.x)"}
	}
	row := Row{Name: in.opt.name(), Line: 1}
	var nums numbers
	completed, _ := nums.get(agg, "requestsCompleted")
	sent, hasSent := nums.get(agg.child("rps"), "count")
	var responses int64
	codes := agg.child("codes")
	for _, k := range slices.Sorted(maps.Keys(codes.m)) {
		c, _ := nums.get(codes, k)
		responses += int64(c)
		if code, err := strconv.Atoi(k); err == nil && code >= 400 {
			row.Failures += int64(c)
		}
	}
	errs := agg.child("errors")
	var errored int64
	for _, k := range slices.Sorted(maps.Keys(errs.m)) {
		c, _ := nums.get(errs, k)
		errored += int64(c)
	}
	row.Failures += errored
	if !hasSent {
		sent = completed + float64(errored)
	}
	row.Requests = max(int64(sent), int64(completed), responses, row.Failures)
	if c := max(int64(completed), responses); c > 0 && c < row.Requests {
		row.Timed = c
	}
	if nums.err != nil {
		return nums.err
	}
	if row.Requests == 0 {
		return &fileerr.Error{File: in.File, Key: "aggregate.requestsCompleted", Msg: "no requests"}
	}
	get := func(k string) (float64, bool, error) { return lat.number(k) }
	if err := setLatencies(&row, get, latencyKeys[string]{"", "median", "min", "max"}); err != nil {
		return err
	}
	if err := addLadder(&row, get, []ladderPoint[string]{{"median", 50}, {"p95", 95}, {"p99", 99}}); err != nil {
		return err
	}
	row.RPS, row.HasRPS = nums.get(agg.child("rps"), "mean")
	if nums.err != nil {
		return nums.err
	}
	if mean, ok := artilleryLegacyMean(intermediate, row.TimedRequests()); ok && row.HasMedian {
		row.AvgMs, row.HasAvg = mean, true
	}
	if !row.HasMedian && (completed > 0 || responses > 0) {
		return &fileerr.Error{File: in.File, Key: "aggregate.latency", Msg: fmt.Sprintf("no latency figures (%d requests)", row.Requests)}
	}
	return sink(row) // no response at all (every request timed out): no latency, 100 % errors
}

// artilleryLegacyMean is the mean latency (ms) of a 1.x report, whose aggregate has no
// mean: from every latency the intermediate reports list (ns; a number, or [timestamp,
// id, ns, code] before 1.6), when they are as many as the requests timed (else false: a
// report whose intermediates were trimmed).
func artilleryLegacyMean(intermediate any, timed int64) (float64, bool) {
	reports, _ := intermediate.([]any)
	var sum float64
	var n int64
	for _, r := range reports {
		m, _ := r.(map[string]any)
		lats, _ := m["latencies"].([]any)
		for _, l := range lats {
			if t, ok := l.([]any); ok && len(t) >= 3 {
				l = t[2]
			}
			v, ok := l.(json.Number)
			f, err := v.Float64()
			if !ok || err != nil || f < 0 {
				return 0, false
			}
			sum += f
			n++
		}
	}
	if n == 0 || n != timed {
		return 0, false
	}
	return sum / float64(n) / 1e6, true
}
