package loadtest

import (
	"bytes"
	"fmt"
	"strings"
)

// detectGatlingLog: the record types of the text simulation.log.
func detectGatlingLog(s *sniff) bool {
	for _, p := range []string{"RUN\t", "ASSERTION\t", "USER\t", "REQUEST\t"} {
		if strings.HasPrefix(s.first, p) {
			return true
		}
	}
	return false
}

// readGatlingLog reads the text simulation.log of Gatling 2.x–3.12 (tab separated, no
// quoting) in parallel chunks. The layout is told by the REQUEST field count: 3.4–3.12
// `REQUEST groups name start end status message`, 3.0–3.3 adds a user id before groups,
// 2.x a scenario and a user id. A request is keyed by its group path and name; KO is a
// failure.
func readGatlingLog(in *Input, sink Sink) (Skips, error) {
	return readSamples(in, 1, lastLineCut, lineSamples(gatlingRecord), sink)
}

// gatlingRecord reads one line of simulation.log; only REQUEST records count.
func gatlingRecord(a *rawAgg, l []byte, n int) {
	l = bytes.TrimRight(l, "\r")
	if !bytes.HasPrefix(l, []byte("REQUEST\t")) && string(l) != "REQUEST" {
		return
	}
	var pos [8]int
	k := delimiters(l, '\t', pos[:])
	nf := k + 1
	if k == len(pos) {
		nf += bytes.Count(l[pos[k-1]+1:], []byte{'\t'})
	}
	field := func(i int) []byte { // i < 8
		start := 0
		if i > 0 {
			start = pos[i-1] + 1
		}
		if i < k {
			return l[start:pos[i]]
		}
		return l[start:]
	}
	var g int // index of the groups field
	switch {
	case nf == 7: // 3.4+
		g = 1
	case nf == 8: // 3.0–3.3
		g = 2
	case nf >= 9: // 2.x
		g = 3
	default:
		a.skip(n, fmt.Sprintf("REQUEST record with %d fields", nf))
		return
	}
	groups, name, start, end, status := field(g), field(g+1), field(g+2), field(g+3), field(g+4)
	s, ok1 := whole(start)
	e, ok2 := whole(end)
	if !ok1 || !ok2 || e < s || e > maxEpochMs {
		a.skip(n, fmt.Sprintf("start %q / end %q are not epoch ms", start, end))
		return
	}
	if string(status) != "OK" && string(status) != "KO" {
		a.skip(n, fmt.Sprintf("status %q is neither OK nor KO", status))
		return
	}
	key := name
	if len(groups) > 0 {
		a.name = a.name[:0]
		for rest := groups; ; { // the group path: commas become " / "
			i := bytes.IndexByte(rest, ',')
			if i < 0 {
				a.name = append(a.name, rest...)
				break
			}
			a.name = append(append(a.name, rest[:i]...), " / "...)
			rest = rest[i+1:]
		}
		a.name = append(append(a.name, " / "...), name...)
		key = a.name
	}
	a.add(nil, key, (e-s)*1e6, string(status) == "KO", s*1e6, e*1e6)
}
