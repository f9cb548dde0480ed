package loadtest

import (
	"maps"
	"regexp"
	"slices"
)

// detectJMeterStatistics: an object of labels whose entries have a sampleCount and the
// dashboard's pct1ResTime.
func detectJMeterStatistics(s *sniff) bool {
	for _, v := range s.object() {
		if m, ok := v.(map[string]any); ok {
			_, count := m["sampleCount"]
			_, pct := m["pct1ResTime"]
			if count && pct {
				return true
			}
		}
	}
	return false
}

var pctResTime = regexp.MustCompile(`^pct([123])ResTime$`)

// readJMeterStatistics reads the dashboard's statistics.json: one entry per label plus
// "Total". pct1/2/3 are the 90th/95th/99th percentiles (the dashboard's defaults).
func readJMeterStatistics(in *Input, sink Sink) (Skips, error) {
	var v map[string]map[string]any
	if err := decodeJSON(in.doc, in.File, &v); err != nil {
		return Skips{}, err
	}
	pcts := map[string]float64{"1": 90, "2": 95, "3": 99}
	for i, k := range slices.Sorted(maps.Keys(v)) {
		o := jsonObj{file: in.File, key: k, m: v[k]}
		name := o.str("transaction")
		if name == "" {
			name = k
		}
		row := Row{Name: name, Line: i + 1, Total: k == "Total"}
		var err error
		if row.Requests, err = o.count("sampleCount", true); err != nil {
			return Skips{}, err
		}
		if row.Failures, err = o.count("errorCount", false); err != nil {
			return Skips{}, err
		}
		if err := setLatencies(&row, o.ms, latencyKeys[string]{"meanResTime", "medianResTime", "minResTime", "maxResTime"}); err != nil {
			return Skips{}, err
		}
		if row.RPS, row.HasRPS, err = o.ms("throughput"); err != nil {
			return Skips{}, err
		}
		var ladder []ladderPoint[string]
		for _, f := range slices.Sorted(maps.Keys(v[k])) {
			if m := pctResTime.FindStringSubmatch(f); m != nil {
				ladder = append(ladder, ladderPoint[string]{f, pcts[m[1]]})
			}
		}
		if err := addLadder(&row, o.ms, ladder); err != nil {
			return Skips{}, err
		}
		if err := sink(row); err != nil {
			return Skips{}, err
		}
	}
	return Skips{}, nil
}
