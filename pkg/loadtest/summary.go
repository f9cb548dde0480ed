package loadtest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// normalizedFields are the field names that only normalized metrics files use.
var normalizedFields = []string{"avg_latency_ms", "median_latency_ms", "p95_latency_ms", "p99_latency_ms", "min_latency_ms", "max_latency_ms", "error_rate_pct", "total_requests", "total_failures"}

// serviceShape tells the per-service document shapes apart by the first entry (in key
// order) that looks like a service: normalized metrics have a normalized field, the
// summary a "requests" count. It returns "" for neither.
func serviceShape(doc map[string]any) Format {
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		m, ok := doc[k].(map[string]any)
		if !ok || strings.HasPrefix(k, "_") {
			continue
		}
		for _, f := range normalizedFields {
			if _, ok := m[f]; ok {
				return FormatNormalized
			}
		}
		if _, ok := m["requests"]; ok {
			return FormatSummary
		}
	}
	return ""
}

// detectSummary: the per-service summary shape of the seed project.
func detectSummary(s *sniff) bool { return serviceShape(s.object()) == FormatSummary }

// detectNormalized: perfgate's (or the Python scripts') normalized metrics; the metrics
// package reads them (Document).
func detectNormalized(s *sniff) bool { return serviceShape(s.object()) == FormatNormalized }

// readSummary reads the per-service summary shape of the seed project:
// {"svc": {"name", "requests", "failures", "median", "average", "min", "max", "rps"}}.
// Optional "p50"/"p90"/"p95"/"p99" keys become percentile points.
func readSummary(in *Input, sink Sink) (Skips, error) {
	var v map[string]any
	if err := decodeJSON(in.doc, in.File, &v); err != nil {
		return Skips{}, err
	}
	for i, k := range slices.Sorted(maps.Keys(v)) {
		m, ok := v[k].(map[string]any)
		if !ok || strings.HasPrefix(k, "_") {
			continue // metadata
		}
		row, err := summaryRow(jsonObj{file: in.File, key: k, m: m}, i)
		if err != nil {
			return Skips{}, err
		}
		if err := sink(row); err != nil {
			return Skips{}, err
		}
	}
	return Skips{}, nil
}

func summaryRow(o jsonObj, i int) (Row, error) {
	row := Row{Line: i + 1, Name: o.str("name"), Method: o.str("method")}
	if row.Name == "" {
		row.Name = o.key
	}
	row.Total = isTotalName(row.Name) || isTotalName(o.key)
	var err error
	if row.Requests, err = o.count("requests", true); err != nil {
		return row, err
	}
	if row.Failures, err = o.count("failures", false); err != nil {
		return row, err
	}
	if row.Failures > row.Requests {
		return row, &fileerr.Error{File: o.file, Key: o.key + ".failures", Msg: fmt.Sprintf("%d failures out of %d requests", row.Failures, row.Requests)}
	}
	if row.Total {
		return row, nil
	}
	if err := setLatencies(&row, o.ms, latencyKeys[string]{"average", "median", "min", "max"}); err != nil {
		return row, err
	}
	if row.RPS, row.HasRPS, err = o.ms("rps"); err != nil {
		return row, err
	}
	return row, addLadder(&row, o.ms, []ladderPoint[string]{{"p50", 50}, {"p90", 90}, {"p95", 95}, {"p99", 99}})
}
