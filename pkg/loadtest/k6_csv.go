package loadtest

import (
	"fmt"
	"strings"
)

// detectK6CSV: k6's CSV header.
func detectK6CSV(s *sniff) bool {
	return strings.HasPrefix(s.header(), "metric_name,timestamp,metric_value")
}

// k6CSVCols is where a k6 CSV keeps what perfgate reads (columns depend on systemTags).
type k6CSVCols struct {
	cols                    int
	metric, ts, value       int
	method, name, url, code int
}

// readK6CSV reads k6 --out csv (possibly gzipped) in parallel chunks; columns are looked
// up by name.
func readK6CSV(in *Input, sink Sink) (Skips, error) {
	h, line, err := readCSVHeader(in.br, in.File, true)
	if err != nil {
		return Skips{}, err
	}
	c, err := h.needAll([]string{"metric_name"}, []string{"timestamp"}, []string{"metric_value"})
	if err != nil {
		return Skips{}, err
	}
	k := k6CSVCols{cols: len(h.names), metric: c[0], ts: c[1], value: c[2],
		method: h.col("method"), name: h.col("name"), url: h.col("url"), code: h.col("status")}
	shape := csvShape{delim: ',', need: 1 + max(k.metric, k.ts, k.value, k.method, k.name, k.url, k.code), lazy: true}
	if k.metric == 0 { // most rows are other metrics: only their fields are counted
		shape.keep = func(first []byte) bool {
			_, ok := k6Relevant(trimSpace(first))
			return ok
		}
	}
	return readSamples(in, line, csvCut(nil), csvSamples(shape, func(a *rawAgg, f *fields, line int) {
		k.record(a, f, line, in.opt.name())
	}), sink)
}

// record reads one k6 CSV record: a point of a relevant metric, or nothing.
func (k *k6CSVCols) record(a *rawAgg, f *fields, line int, defaultName string) {
	if f.n != k.cols {
		a.skip(line, fmt.Sprintf("%d fields, the header has %d (truncated or malformed line)", f.n, k.cols))
		return
	}
	cell := func(i int) []byte {
		if i < 0 {
			return nil
		}
		return trimSpace(f.at(i))
	}
	var p k6Point
	var ok bool
	if p.metric, ok = k6Relevant(cell(k.metric)); !ok {
		return
	}
	if p.value, ok = decimal(f.at(k.value)); !ok || p.value > maxLatencyMs {
		a.skip(line, fmt.Sprintf("metric_value %q is not a plausible number", cell(k.value)))
		return
	}
	var err error
	if p.timeNs, err = k6Time(cell(k.ts)); err != nil {
		a.skip(line, err.Error())
		return
	}
	p.method, p.name, p.status = cell(k.method), cell(k.name), cell(k.code)
	if len(p.name) == 0 {
		p.name = cell(k.url)
	}
	p.add(a, line, defaultName)
}
