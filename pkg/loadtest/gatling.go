package loadtest

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// maxEpochMs bounds epoch-millisecond timestamps so that they fit in nanoseconds.
const maxEpochMs = math.MaxInt64 / 1_000_000

// readGatlingLog reads the text simulation.log of Gatling 2.x–3.12 (tab separated). The
// layout is told by the REQUEST field count: 3.4–3.12 `REQUEST groups name start end
// status message`, 3.0–3.3 adds a user id before groups, 2.x a scenario and a user id.
// A request is keyed by its group path and name; KO is a failure.
func readGatlingLog(in *Input, sink Sink) error {
	sc := bufio.NewScanner(in.br)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	agg := newRawAgg(in.File)
	line := 0
	for sc.Scan() {
		line++
		f := strings.Split(strings.TrimRight(sc.Text(), "\r"), "\t")
		if f[0] != "REQUEST" {
			continue
		}
		var groups, name, start, end, status string
		switch {
		case len(f) == 7: // 3.4+
			groups, name, start, end, status = f[1], f[2], f[3], f[4], f[5]
		case len(f) == 8: // 3.0–3.3
			groups, name, start, end, status = f[2], f[3], f[4], f[5], f[6]
		case len(f) >= 9: // 2.x
			groups, name, start, end, status = f[3], f[4], f[5], f[6], f[7]
		default:
			agg.skip(line, fmt.Sprintf("REQUEST record with %d fields", len(f)))
			continue
		}
		s, err1 := strconv.ParseInt(start, 10, 64)
		e, err2 := strconv.ParseInt(end, 10, 64)
		if err1 != nil || err2 != nil || s < 0 || e < s || e > maxEpochMs {
			agg.skip(line, fmt.Sprintf("start %q / end %q are not epoch ms", start, end))
			continue
		}
		if status != "OK" && status != "KO" {
			agg.skip(line, fmt.Sprintf("status %q is neither OK nor KO", status))
			continue
		}
		key := name
		if groups != "" {
			key = strings.ReplaceAll(groups, ",", " / ") + " / " + name
		}
		agg.add(sample{name: key, latencyNs: (e - s) * 1e6, failed: status == "KO", startNs: s * 1e6, endNs: e * 1e6})
	}
	if err := sc.Err(); err != nil {
		return &SyntaxError{File: in.File, Line: line + 1, Msg: err.Error()}
	}
	return agg.emit(in, sink)
}

// readGatlingStats reads the report's js/global_stats.json (the whole run, one row named
// Options.Name) or js/stats.json (a tree: one row per request, named by its path).
// percentiles1..4 are Gatling's defaults, 50/75/95/99.
func readGatlingStats(in *Input, sink Sink) error {
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
		for _, k := range sortedMapKeys(contents) {
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
		return &SyntaxError{File: in.File, Key: "contents", Msg: "no REQUEST entries"}
	}
	return nil
}

func gatlingRow(file, name string, st map[string]any, line int) (Row, error) {
	row := Row{Name: name, Line: line}
	get := func(k string) (float64, bool, error) {
		o, _ := st[k].(map[string]any)
		switch v := o["total"].(type) {
		case nil:
			return 0, false, nil
		case string: // the non-raw stats: "1,234" or "-"
			if v == "-" || v == "" {
				return 0, false, nil
			}
			f, err := parseNumber(strings.ReplaceAll(v, ",", ""))
			if err != nil {
				return 0, false, &SyntaxError{File: file, Key: name + "." + k + ".total", Msg: err.Error()}
			}
			return f, true, nil
		default:
			f, ok := num(v)
			if !ok {
				return 0, false, &SyntaxError{File: file, Key: name + "." + k + ".total", Msg: fmt.Sprintf("want a number, got %v", v)}
			}
			return f, true, nil
		}
	}
	total, ok, err := get("numberOfRequests")
	if err != nil {
		return row, err
	}
	if !ok {
		return row, &SyntaxError{File: file, Key: name + ".numberOfRequests.total", Msg: "missing"}
	}
	row.Requests = int64(total)
	ko, _, err := countKO(st, file, name)
	if err != nil {
		return row, err
	}
	row.Failures = ko
	var hasMin, hasMax bool
	if row.AvgMs, row.HasAvg, err = get("meanResponseTime"); err != nil {
		return row, err
	}
	if row.MinMs, hasMin, err = get("minResponseTime"); err != nil {
		return row, err
	}
	if row.MaxMs, hasMax, err = get("maxResponseTime"); err != nil {
		return row, err
	}
	row.HasMinMax = hasMin && hasMax
	for i, p := range []float64{50, 75, 95, 99} {
		v, ok, err := get(fmt.Sprintf("percentiles%d", i+1))
		if err != nil {
			return row, err
		}
		if ok {
			row.Ladder = append(row.Ladder, Point{Pct: p, Ms: v})
			if p == 50 {
				row.MedianMs, row.HasMedian = v, true
			}
		}
	}
	if row.RPS, row.HasRPS, err = get("meanNumberOfRequestsPerSecond"); err != nil {
		return row, err
	}
	return row, nil
}

func countKO(st map[string]any, file, name string) (int64, bool, error) {
	o, _ := st["numberOfRequests"].(map[string]any)
	switch v := o["ko"].(type) {
	case nil:
		return 0, false, nil
	case string:
		if v == "-" {
			return 0, true, nil
		}
		c, err := parseCount(strings.ReplaceAll(v, ",", ""))
		if err != nil {
			return 0, false, &SyntaxError{File: file, Key: name + ".numberOfRequests.ko", Msg: err.Error()}
		}
		return c, true, nil
	default:
		f, ok := num(v)
		if !ok {
			return 0, false, &SyntaxError{File: file, Key: name + ".numberOfRequests.ko", Msg: fmt.Sprintf("want a count, got %v", v)}
		}
		return int64(f), true, nil
	}
}
