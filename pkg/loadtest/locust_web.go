package loadtest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// detectLocustWeb: an object with a "stats" list.
func detectLocustWeb(s *sniff) bool {
	_, ok := s.object()["stats"].([]any)
	return ok
}

// readLocustWeb reads the web UI's GET /stats/requests JSON ({"stats": [...]}, FORMATS §1.4).
func readLocustWeb(in *Input, sink Sink) (Skips, error) {
	var v struct {
		Stats []map[string]any `json:"stats"`
	}
	if err := decodeJSON(in.doc, in.File, &v); err != nil {
		return Skips{}, err
	}
	if len(v.Stats) == 0 {
		return Skips{}, &fileerr.Error{File: in.File, Key: "stats", Msg: "no stats entries"}
	}
	for i, e := range v.Stats {
		row, err := locustWebRow(jsonObj{file: in.File, key: fmt.Sprintf("stats[%d]", i), m: e}, i)
		if err != nil {
			return Skips{}, err
		}
		if err := sink(row); err != nil {
			return Skips{}, err
		}
	}
	return Skips{}, nil
}

func locustWebRow(o jsonObj, i int) (Row, error) {
	row := Row{Line: i + 1, Method: o.str("method"), Name: o.str("name")}
	row.Total = isTotalName(row.Name) && row.Method == ""
	var err error
	if row.Requests, err = o.count("num_requests", true); err != nil {
		return row, err
	}
	if row.Failures, err = o.count("num_failures", true); err != nil {
		return row, err
	}
	if err := setLatencies(&row, o.ms, latencyKeys[string]{"avg_response_time", "median_response_time", "min_response_time", "max_response_time"}); err != nil {
		return row, err
	}
	rpsKey := "total_rps"
	if _, ok := o.m[rpsKey]; !ok {
		rpsKey = "current_rps"
	}
	if row.RPS, row.HasRPS, err = o.ms(rpsKey); err != nil {
		return row, err
	}
	var ladder []ladderPoint[string]
	for _, k := range slices.Sorted(maps.Keys(o.m)) {
		if pct, ok := webPercentileKey(k); ok {
			ladder = append(ladder, ladderPoint[string]{k, pct})
		}
	}
	if err := addLadder(&row, o.ms, ladder); err != nil {
		return row, err
	}
	if row.Requests == 0 {
		row.HasAvg, row.HasMedian, row.HasMinMax, row.Ladder = false, false, false, nil
	}
	return row, nil
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
