package loadtest

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
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
// "Total". pct1/2/3 are the 90th/95th/99th percentiles (the dashboard's defaults,
// aggregate_rpt_pct1..3); the file does not name them, so when their values are out of
// order (custom settings) they are left out (Row.Unranked). The test duration is the
// dashboard's own: Total's sampleCount / throughput (its first start to last end), else
// the longest label's; every label's rps is its samples over it, as for a JTL of the same
// run (a label's own throughput is over its own first to last sample: a label that ran
// for the first 30 s of a 300 s test would show ten times its rate over the test).
func readJMeterStatistics(in *Input, sink Sink) (Skips, error) {
	var v map[string]map[string]any
	if err := decodeJSON(in.doc, in.File, &v); err != nil {
		return Skips{}, err
	}
	var rows []Row
	for i, k := range slices.Sorted(maps.Keys(v)) {
		row, err := jmeterStatisticsRow(jsonObj{file: in.File, key: k, m: v[k]}, k, i+1)
		if err != nil {
			return Skips{}, err
		}
		rows = append(rows, row)
	}
	if bad := unorderedPercentiles(rows); bad != "" {
		in.note("%s: the percentile settings of the dashboard (aggregate_rpt_pct1..3) are not the defaults 90/95/99, and the file does not name them: its percentiles are left out (no p95 or p99 from this file, and none estimated)", bad)
		for i := range rows {
			rows[i].Ladder, rows[i].Unranked = nil, true
		}
	}
	if sub, parent, n := dashboardSubResults(rows); n > 0 {
		in.note("labels named like JMeter sub-results (%d, e.g. %q of %q): the dashboard lists sub-results as labels of their own, while a JTL read with the default --jtl-subresults=fold counts them inside their parent; compare with a JTL read with --jtl-subresults=separate to count the same requests", n, sub, parent)
	}
	in.durationS = jmeterDuration(rows)
	if in.durationS == 0 {
		in.note("the test duration is unknown (no throughput in the Total row or any label): no rps, and compare-performance cannot check that the runs lasted about as long")
	}
	for i := range rows { // a label's throughput is over its own first to last sample
		r := &rows[i]
		r.RPS, r.HasRPS = 0, in.durationS > 0
		if r.HasRPS {
			r.RPS = float64(r.Requests) / in.durationS
		}
	}
	return Skips{}, sinkAll(rows, sink)
}

// jmeterStatisticsRow reads one label of statistics.json (k: its key; "Total" is the total).
func jmeterStatisticsRow(o jsonObj, k string, line int) (Row, error) {
	name := o.str("transaction")
	if name == "" {
		name = k
	}
	row := Row{Name: name, Line: line, Total: k == "Total"}
	var err error
	if row.Requests, err = o.count("sampleCount", true); err != nil {
		return row, err
	}
	if row.Failures, err = o.count("errorCount", false); err != nil {
		return row, err
	}
	if err := setLatencies(&row, o.ms, latencyKeys[string]{"meanResTime", "medianResTime", "minResTime", "maxResTime"}); err != nil {
		return row, err
	}
	if row.RPS, row.HasRPS, err = o.ms("throughput"); err != nil {
		return row, err
	}
	pcts := map[string]float64{"1": 90, "2": 95, "3": 99}
	var ladder []ladderPoint[string]
	for _, f := range slices.Sorted(maps.Keys(o.m)) {
		if m := pctResTime.FindStringSubmatch(f); m != nil {
			ladder = append(ladder, ladderPoint[string]{f, pcts[m[1]]})
		}
	}
	return row, addLadder(&row, o.ms, ladder)
}

// unorderedPercentiles returns, when a row's median, percentiles and maximum are not in
// ascending order (as the defaults 90/95/99 always are), a description of the first such
// row: the dashboard was made with other percentile settings.
func unorderedPercentiles(rows []Row) string {
	for _, r := range rows {
		if r.Requests == 0 {
			continue
		}
		prev, what := r.MinMs, "minResTime"
		if !r.HasMinMax {
			prev, what = 0, ""
		}
		steps := make([]Point, 0, len(r.Ladder)+2)
		if r.HasMedian {
			steps = append(steps, Point{50, r.MedianMs})
		}
		steps = append(steps, r.Ladder...)
		if r.HasMinMax {
			steps = append(steps, Point{100, r.MaxMs})
		}
		for _, p := range steps {
			name := jmeterStatName(p.Pct)
			if p.Ms < prev {
				return fmt.Sprintf("label %q: %s %s is below %s %s", r.Name, name, strconv.FormatFloat(p.Ms, 'f', -1, 64), what, strconv.FormatFloat(prev, 'f', -1, 64))
			}
			prev, what = p.Ms, name
		}
	}
	return ""
}

func jmeterStatName(pct float64) string {
	switch pct {
	case 50:
		return "medianResTime"
	case 90:
		return "pct1ResTime"
	case 95:
		return "pct2ResTime"
	case 99:
		return "pct3ResTime"
	}
	return "maxResTime"
}

// jmeterDuration is the test duration in seconds the dashboard implies: the Total row's
// sampleCount / throughput (throughput is samples over the first start to the last end),
// else the longest of the labels' (each over its own first start to last end); 0 when no
// row has a throughput.
func jmeterDuration(rows []Row) float64 {
	longest := 0.0
	for _, r := range rows {
		if !r.HasRPS || r.RPS <= 0 || r.Requests == 0 {
			continue
		}
		d := float64(r.Requests) / r.RPS
		if r.Total {
			return d
		}
		longest = max(longest, d)
	}
	return longest
}

// dashboardSubResults counts the labels named "<label>-<n>" (or "-<n>-<m>") whose root
// label is in the dashboard too, and returns the first such label, in order, and its root.
func dashboardSubResults(rows []Row) (sub, parent string, n int) {
	labels := map[string]bool{}
	for _, r := range rows {
		labels[r.Name] = !r.Total
	}
	for _, r := range rows {
		root := string(jtlRoot([]byte(r.Name)))
		if root != r.Name && labels[root] {
			if n == 0 {
				sub, parent = r.Name, root
			}
			n++
		}
	}
	return sub, parent, n
}
