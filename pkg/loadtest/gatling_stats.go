package loadtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// readGatlingStats reads the report's js/global_stats.json (the whole run, one row named
// Options.Name) or js/stats.json (a tree: one row per request, named by its path).
// percentiles1..4 are Gatling's defaults, 50/75/95/99.
func readGatlingStats(in *Input, sink Sink) (Skips, error) {
	return Skips{}, gatlingStatsRows(in, sink)
}

// detectGatlingStats: global_stats.json (numberOfRequests) or stats.json (a GROUP tree).
func detectGatlingStats(s *sniff) bool {
	t := s.object()
	return child(t, "numberOfRequests") != nil || t["type"] == "GROUP" && child(t, "stats") != nil
}

func gatlingStatsRows(in *Input, sink Sink) error {
	var doc map[string]any
	if err := decodeJSON(in.doc, in.File, &doc); err != nil {
		return err
	}
	line := 0
	emit := func(name string, st map[string]any) error {
		line++
		row, err := gatlingRow(in.File, name, st, line)
		if err != nil {
			return err
		}
		return sink(row)
	}
	if _, ok := doc["numberOfRequests"]; ok { // global_stats.json
		return emit(in.opt.name(), doc)
	}
	var walk func(node map[string]any) error
	walk = func(node map[string]any) error {
		contents, _ := node["contents"].(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(contents)) {
			child, _ := contents[k].(map[string]any)
			if child == nil {
				continue
			}
			if child["type"] == "REQUEST" {
				st, _ := child["stats"].(map[string]any)
				name, _ := child["path"].(string)
				if name == "" {
					name, _ = child["name"].(string)
				}
				if st != nil {
					if err := emit(name, st); err != nil {
						return err
					}
				}
				continue
			}
			if err := walk(child); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(doc); err != nil {
		return err
	}
	if line == 0 {
		return &fileerr.Error{File: in.File, Key: "contents", Msg: "no REQUEST entries"}
	}
	return nil
}

func gatlingRow(file, name string, st map[string]any, line int) (Row, error) {
	row := Row{Name: name, Line: line}
	get := func(k string) (float64, bool, error) { return gatlingValue(file, name, st, k, "total") }
	total, ok, err := gatlingCount(file, name, st, "total")
	if err != nil {
		return row, err
	}
	if !ok {
		return row, &fileerr.Error{File: file, Key: name + ".numberOfRequests.total", Msg: "missing"}
	}
	row.Requests = total
	if row.Failures, _, err = gatlingCount(file, name, st, "ko"); err != nil {
		return row, err
	}
	// The median is the first percentile (Gatling's default 50th).
	if err := setLatencies(&row, get, latencyKeys[string]{"meanResponseTime", "percentiles1", "minResponseTime", "maxResponseTime"}); err != nil {
		return row, err
	}
	if err := addLadder(&row, get, []ladderPoint[string]{{"percentiles1", 50}, {"percentiles2", 75}, {"percentiles3", 95}, {"percentiles4", 99}}); err != nil {
		return row, err
	}
	if row.RPS, row.HasRPS, err = get("meanNumberOfRequestsPerSecond"); err != nil {
		return row, err
	}
	return row, nil
}

// gatlingValue reads st[k][sub]: a number, or the formatted string of the non-raw
// stats ("1,234"; "-" for none).
func gatlingValue(file, name string, st map[string]any, k, sub string) (float64, bool, error) {
	bad := func(msg string) error { return &fileerr.Error{File: file, Key: name + "." + k + "." + sub, Msg: msg} }
	var s string
	switch v := child(st, k)[sub].(type) {
	case nil:
		return 0, false, nil
	case string:
		if v == "-" || v == "" {
			return 0, false, nil
		}
		s = strings.ReplaceAll(v, ",", "")
	case json.Number:
		s = v.String()
	default:
		return 0, false, bad(fmt.Sprintf("want a number, got %v", v))
	}
	f, err := parseNumber(s)
	if err != nil {
		return 0, false, bad(err.Error())
	}
	return f, true, nil
}

// gatlingCount reads a count of numberOfRequests ("total", "ko").
func gatlingCount(file, name string, st map[string]any, sub string) (int64, bool, error) {
	f, ok, err := gatlingValue(file, name, st, "numberOfRequests", sub)
	if err != nil || !ok {
		return 0, ok, err
	}
	if f != math.Trunc(f) || f > 1<<53 {
		return 0, false, &fileerr.Error{File: file, Key: name + ".numberOfRequests." + sub, Msg: fmt.Sprintf("%v is not a whole count", f)}
	}
	return int64(f), true, nil
}
