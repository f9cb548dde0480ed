package loadtest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// detectK6Summary: the metrics of --summary-export or handleSummary data, or the
// machine-readable summary of v1.5+ (results.metrics and metadata).
func detectK6Summary(s *sniff) bool {
	t := s.object()
	if m := child(t, "metrics"); m != nil && (t["root_group"] != nil || child(m, "http_req_duration") != nil || child(m, "http_reqs") != nil) {
		return true
	}
	if res := child(t, "results"); res != nil && child(t, "metadata") != nil {
		_, ok := res["metrics"].([]any)
		return ok
	}
	return false
}

var (
	k6Submetric = regexp.MustCompile(`^([^{]+)\{(.*)\}$`)
	k6Pct       = regexp.MustCompile(`^p\((\d+(?:\.\d+)?)\)$`)
)

// k6Trio is what a k6 summary says of one endpoint (or the whole test): the values of
// http_req_duration, http_reqs and http_req_failed.
type k6Trio struct{ dur, reqs, failed jsonObj }

// readK6Summary reads the three k6 summary shapes: --summary-export (flat values), the
// handleSummary data (values under "values") and the machine-readable summary of v1.5+
// (a metrics list). Per endpoint where the user declared name submetrics
// (http_req_duration{name:…}); otherwise the whole test as one row (Options.Name).
func readK6Summary(in *Input, sink Sink) (Skips, error) {
	var doc map[string]any
	if err := decodeJSON(in.doc, in.File, &doc); err != nil {
		return Skips{}, err
	}
	metrics, durationS, err := k6Metrics(jsonObj{file: in.File, m: doc})
	if err != nil {
		return Skips{}, err
	}
	if metrics["http_req_duration"].m == nil {
		return Skips{}, &fileerr.Error{File: in.File, Key: "metrics.http_req_duration", Msg: "missing: no HTTP requests in this k6 summary"}
	}
	whole := k6Trio{metrics["http_req_duration"], metrics["http_reqs"], metrics["http_req_failed"]}
	rows, why, err := k6EndpointRows(k6Endpoints(metrics), whole, durationS)
	if err != nil {
		return Skips{}, err
	}
	if why != "" {
		in.note("per-endpoint figures incomplete: %s (k6 writes a name submetric only for a threshold that names it: give every endpoint thresholds on http_req_duration, http_reqs and http_req_failed{name:…}); read as the whole test, named %q (--name)", why, in.opt.name())
	}
	if whole.failed.m == nil {
		in.note("no http_req_failed metric (k6 before 0.31 has none): the failures are unknown and counted as 0")
	}
	if rows != nil {
		return Skips{}, sinkAll(rows, sink)
	}
	row, ok, err := k6SummaryRow(in.opt.name(), whole, durationS, 1)
	if err != nil {
		return Skips{}, err
	}
	if !ok {
		return Skips{}, &fileerr.Error{File: in.File, Key: "metrics.http_reqs", Msg: "no request count (http_reqs) in this k6 summary"}
	}
	return Skips{}, sink(row)
}

// k6EndpointRows makes the rows of the endpoints that name submetrics describe
// (http_req_duration{name:…}), when they describe every request completely: each
// endpoint's request count and failures known (its failures may be inferred only when
// the whole test has none) and the counts adding up to the whole test's. Otherwise it
// returns no rows and why not ("" when there is no name submetric at all), and the
// summary is read as the whole test: endpoints left out silently, or a 0 % error rate
// where the failures are unknown, would be wrong numbers.
func k6EndpointRows(eps map[string]*k6Trio, whole k6Trio, durationS float64) ([]Row, string, error) {
	wholeCount, hasWhole, err := k6Count(whole)
	if err != nil {
		return nil, "", err
	}
	noFailures := k6NoFailures(whole)
	var rows []Row
	var sum int64
	for _, name := range slices.Sorted(maps.Keys(eps)) {
		e := *eps[name]
		if e.dur.m == nil {
			continue
		}
		count, ok, err := k6Count(e)
		switch {
		case err != nil:
			return nil, "", err
		case ok && count == 0 || !ok && k6NoSample(e.dur):
			continue // observed only because a threshold names it
		case !ok:
			return nil, fmt.Sprintf("%q has no request count (http_reqs{name:%s})", name, name), nil
		}
		if e.failed.m == nil && whole.failed.m != nil && !noFailures { // (no http_req_failed at all: k6 before 0.31, said by the caller)
			return nil, fmt.Sprintf("%q has no failure count (http_req_failed{name:%s}) while the test has failures", name, name), nil
		}
		row, _, err := k6SummaryRow(name, e, durationS, len(rows)+1)
		if err != nil {
			return nil, "", err
		}
		rows = append(rows, row)
		sum += row.Requests
	}
	if len(rows) == 0 || !hasWhole || sum == int64(wholeCount) {
		return rows, "", nil
	}
	return nil, fmt.Sprintf("the endpoints' submetrics count %d of the test's %d requests", sum, int64(wholeCount)), nil
}

// k6Count is the request count of an endpoint or of the whole test: http_reqs' count, else
// http_req_failed's passes + fails (or total), else http_req_duration's count.
func k6Count(t k6Trio) (float64, bool, error) {
	var nums numbers
	if c, ok := nums.get(t.reqs, "count"); ok || nums.err != nil {
		return c, ok, nums.err
	}
	passes, hasPasses := nums.get(t.failed, "passes")
	if !hasPasses {
		passes, hasPasses = nums.get(t.failed, "matches") // machine-readable: matches = failed
	}
	fails, hasFails := nums.get(t.failed, "fails")
	if hasPasses && hasFails {
		return passes + fails, true, nums.err
	}
	if total, ok := nums.get(t.failed, "total"); ok {
		return total, true, nums.err
	}
	c, ok := nums.get(t.dur, "count")
	return c, ok, nums.err
}

// k6NoSample tells whether a trend has no sample: k6 writes every value of an empty trend
// as 0.
func k6NoSample(dur jsonObj) bool {
	for k := range dur.m {
		if f, ok, _ := dur.number(k); ok && f != 0 {
			return false
		}
	}
	return true
}

// k6NoFailures tells whether the whole test's http_req_failed shows no failure at all.
func k6NoFailures(whole k6Trio) bool {
	var nums numbers
	for _, k := range []string{"passes", "matches", "rate", "value"} {
		if v, ok := nums.get(whole.failed, k); ok && nums.err == nil {
			return v == 0
		}
	}
	return false
}

// k6Metrics returns the values of every metric of a summary (by metric name) and the
// test's duration in seconds (0 when unknown).
func k6Metrics(doc jsonObj) (map[string]jsonObj, float64, error) {
	metrics := map[string]jsonObj{}
	var nums numbers
	var durationS float64
	if res := doc.child("results"); res.m != nil { // machine-readable v1.5+
		list, _ := res.m["metrics"].([]any)
		for _, e := range list {
			m, _ := e.(map[string]any)
			name, _ := m["name"].(string)
			if vals := child(m, "values"); name != "" && vals != nil {
				metrics[name] = jsonObj{file: doc.file, key: "results.metrics." + name + ".values", m: vals}
			}
		}
		durationS, _ = nums.get(doc.child("config"), "duration")
		return metrics, durationS, nums.err
	}
	ms := doc.child("metrics")
	for name := range ms.m {
		m := ms.child(name)
		if vals := m.child("values"); vals.m != nil {
			metrics[name] = vals
		} else if m.m != nil {
			metrics[name] = m
		}
	}
	d, _ := nums.get(doc.child("state"), "testRunDurationMs")
	return metrics, d / 1000, nums.err
}

// k6Endpoints gathers the pure name submetrics (http_req_duration{name:/a}…) by name.
func k6Endpoints(metrics map[string]jsonObj) map[string]*k6Trio {
	eps := map[string]*k6Trio{}
	for full, vals := range metrics {
		m := k6Submetric.FindStringSubmatch(full)
		if m == nil {
			continue
		}
		tags := map[string]string{}
		for _, kv := range strings.Split(m[2], ",") {
			if k, v, ok := strings.Cut(kv, ":"); ok {
				tags[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
		name, ok := tags["name"]
		if !ok || len(tags) != 1 {
			continue // only pure name submetrics are endpoints
		}
		e := eps[name]
		if e == nil {
			e = &k6Trio{}
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
	return eps
}

// k6SummaryRow makes the row of an endpoint; ok is false when it has no request (a
// submetric observed only because a threshold names it).
func k6SummaryRow(name string, t k6Trio, durationS float64, line int) (Row, bool, error) {
	row := Row{Name: name, Line: line}
	count, hasCount, err := k6Count(t)
	if err != nil || !hasCount {
		return row, false, err
	}
	var nums numbers
	passes, hasPasses := nums.get(t.failed, "passes")
	if !hasPasses {
		passes, hasPasses = nums.get(t.failed, "matches") // machine-readable: matches = failed
	}
	row.Requests = int64(count)
	if hasPasses {
		row.Failures = int64(passes)
	} else if rate, ok := nums.get(t.failed, "rate"); ok {
		row.Failures = int64(rate*count + 0.5)
	} else if rate, ok := nums.get(t.failed, "value"); ok {
		row.Failures = int64(rate*count + 0.5)
	}
	if nums.err != nil || row.Requests == 0 {
		return row, false, nums.err
	}
	get := func(k string) (float64, bool, error) { return t.dur.number(k) }
	if err := setLatencies(&row, get, latencyKeys[string]{"avg", "med", "min", "max"}); err != nil {
		return row, false, err
	}
	var ladder []ladderPoint[string]
	for _, k := range slices.Sorted(maps.Keys(t.dur.m)) {
		if m := k6Pct.FindStringSubmatch(k); m != nil {
			if p, _ := strconv.ParseFloat(m[1], 64); p > 0 && p <= 100 {
				ladder = append(ladder, ladderPoint[string]{k, p})
			}
		}
	}
	if row.HasMedian {
		ladder = append(ladder, ladderPoint[string]{"med", 50})
	}
	if err := addLadder(&row, get, ladder); err != nil {
		return row, false, err
	}
	if rate, ok := nums.get(t.reqs, "rate"); ok && name != "" {
		row.RPS, row.HasRPS = rate, true
	} else if durationS > 0 {
		row.RPS, row.HasRPS = count/durationS, true
	}
	return row, true, nums.err
}
