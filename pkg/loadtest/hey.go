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
	lat, start, code, err := heyNumbers(f.at(h.rt), offset, f.at(h.code))
	if err != nil {
		a.skip(line, err.Error())
		return
	}
	a.add(nil, h.name, lat, code >= 400, start, start+lat)
}

// heyNumbers reads a row's response time and offset (s, to ns) and status code.
func heyNumbers(rt, offset, code []byte) (latNs, startNs, c int64, err error) {
	lat, ok, err := secondsToNs(rt)
	if err != nil {
		return 0, 0, 0, err
	}
	start, okOff := int64(0), true
	if offset != nil {
		if start, okOff, err = secondsToNs(offset); err != nil {
			return 0, 0, 0, err
		}
	}
	if c, err = parseCount(code); err != nil {
		return 0, 0, 0, err
	}
	if !ok || !okOff {
		return 0, 0, 0, fmt.Errorf("response-time %q or offset %q is implausible", rt, offset)
	}
	return lat, start, c, nil
}

// secondsToNs converts a number of seconds to ns, as math.Round(v * 1e9); ok is false
// above the plausible latency (maxLatencyMs). A plain decimal with at most 9 decimals
// (hey writes 4) is converted exactly in integers, which gives the same: below the
// bound, the float product is within 0.25 of the exact integer.
func secondsToNs(text []byte) (ns int64, ok bool, err error) {
	t := trimSpace(text)
	if len(t) > 0 && len(t) <= 16 {
		var m int64
		point, plain := -1, true
		for i, c := range t {
			switch {
			case c >= '0' && c <= '9':
				m = m*10 + int64(c-'0')
			case c == '.' && point < 0:
				point = i
			default:
				plain = false
			}
		}
		decimals, digits := 0, len(t)
		if point >= 0 {
			decimals, digits = len(t)-1-point, len(t)-1
		}
		if plain && digits > 0 && decimals <= 9 {
			scale := int64(pow10[9-decimals])
			if m > maxLatencyMs*1e6/scale { // also keeps the product from overflowing
				return 0, false, nil
			}
			return m * scale, true, nil
		}
	}
	v, err := parseNumber(text)
	if err != nil {
		return 0, false, err
	}
	return int64(math.Round(v * 1e9)), v*1000 <= maxLatencyMs, nil
}
