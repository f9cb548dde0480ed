package loadtest

import (
	"fmt"
	"math"
	"strings"
)

// detectHey: hey's CSV header.
func detectHey(s *sniff) bool { return strings.HasPrefix(s.header(), "response-time,DNS+dialup") }

// readHey reads hey -o csv in parallel chunks: one row per transport-successful request,
// times in seconds. hey tests one URL per run, so every row is the endpoint named by
// Options.Name; a status of 400 or more is a failure. Requests that failed in transport
// are not in the file.
func readHey(in *Input, sink Sink) (Skips, error) {
	h, line, err := readCSVHeader(in.br, in.File, true)
	if err != nil {
		return Skips{}, err
	}
	c, err := h.needAll([]string{"response-time"}, []string{"status-code"})
	if err != nil {
		return Skips{}, err
	}
	hc := heyCols{cols: len(h.names), rt: c[0], code: c[1], off: h.col("offset"), name: []byte(in.opt.name())}
	shape := csvShape{delim: ',', need: 1 + max(hc.rt, hc.code, hc.off), lazy: true}
	return readSamples(in, line, csvCut(nil), csvSamples(shape, hc.record), sink)
}

// heyCols is where a hey CSV keeps what perfgate reads, and the endpoint's name.
type heyCols struct {
	cols, rt, code, off int
	name                []byte
}

// record reads one row of hey's CSV.
func (h *heyCols) record(a *rawAgg, f *fields, line int) {
	if f.n != h.cols {
		a.skip(line, fmt.Sprintf("%d fields, the header has %d (truncated or malformed line)", f.n, h.cols))
		return
	}
	var offset []byte
	if h.off >= 0 {
		offset = f.at(h.off)
	}
	rt, off, code, err := heyNumbers(f.at(h.rt), offset, f.at(h.code))
	if err != nil {
		a.skip(line, err.Error())
		return
	}
	lat := int64(math.Round(rt * 1e9))
	start := int64(math.Round(off * 1e9))
	a.add(nil, h.name, lat, code >= 400, start, start+lat)
}

// heyNumbers reads a row's response time and offset (s) and status code.
func heyNumbers(rt, offset, code []byte) (float64, float64, int64, error) {
	r, err := parseNumber(rt)
	if err != nil {
		return 0, 0, 0, err
	}
	var off float64
	if offset != nil {
		if off, err = parseNumber(offset); err != nil {
			return 0, 0, 0, err
		}
	}
	c, err := parseCount(code)
	if err != nil {
		return 0, 0, 0, err
	}
	if r*1000 > maxLatencyMs || off*1000 > maxLatencyMs {
		return 0, 0, 0, fmt.Errorf("response-time %q or offset %q is implausible", rt, offset)
	}
	return r, off, c, nil
}
