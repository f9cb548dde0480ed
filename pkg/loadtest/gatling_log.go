package loadtest

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// detectGatlingLog: the record types of the text simulation.log, first on the line, or
// third (scenario, user id, RUN) in the logs of Gatling 2.0.0-RC1 to 2.1.7.
func detectGatlingLog(s *sniff) bool {
	for _, p := range []string{"RUN\t", "ASSERTION\t", "USER\t", "REQUEST\t"} {
		if strings.HasPrefix(s.first, p) {
			return true
		}
	}
	f := strings.Split(s.first, "\t")
	return len(f) == 6 && f[2] == "RUN" && len(f[3]) == 13 && isDigits(f[3])
}

// readGatlingLog reads the text simulation.log of Gatling 2.0–3.12 (tab separated, no
// quoting) in parallel chunks; see gatlingRecord for its layouts. A request is keyed by
// its group path and name; KO is a failure.
func readGatlingLog(in *Input, sink Sink) (Skips, error) {
	head, _ := in.br.Peek(64 << 10)
	if i := bytes.Index(head, []byte("\nACTION\t")); i >= 0 {
		return Skips{}, &fileerr.Error{File: in.File, Line: bytes.Count(head[:i+1], []byte("\n")) + 1,
			Msg: "an ACTION record: the simulation.log of Gatling 1.x, whose layout is not read (Gatling 2.0 and later write REQUEST records)"}
	}
	return readSamples(in, 1, lastLineCut, lineSamples(gatlingRecord), sink)
}

// gatlingTags are the record types that begin the lines of Gatling 2.0.0-M* and 2.2+.
var gatlingTags = []string{"RUN", "USER", "REQUEST", "GROUP", "ERROR", "ASSERTION", "SCENARIO"}

// gatlingRecord reads one line of simulation.log; only REQUEST records count. The
// layout of a REQUEST record is told by its fields:
//   - 3.4–3.12: REQUEST groups name start end status message (7 fields);
//   - 3.0–3.3: a user id before groups (8);
//   - 2.2–2.3: a scenario and a user id before groups (9, more with extra info);
//   - 2.0.0-M1–M3a (2013): REQUEST scenario userId groups name, then four timestamps —
//     request start, request end, response start, response end — status, message;
//   - 2.0.0-RC1–2.1.7 (2014–2015): the same fields with the record type third:
//     scenario userId REQUEST groups name … (FileDataWriter.scala at those tags).
//
// With four timestamps the response time is the response end less the request start,
// as Gatling's own reader of those versions computes it (Records.scala).
func gatlingRecord(a *rawAgg, l []byte, n int) {
	l = bytes.TrimRight(l, "\r")
	head := bytes.HasPrefix(l, []byte("REQUEST\t")) || string(l) == "REQUEST"
	if !head && !untagged(l) {
		return // another record of 2.2+ or 2.0.0-M*
	}
	t := tabLine{l: l}
	t.k = delimiters(l, '\t', t.pos[:])
	nf := t.k + 1
	if t.k == len(t.pos) {
		nf += bytes.Count(l[t.pos[t.k-1]+1:], []byte{'\t'})
	}
	if !head && (t.k < 2 || string(t.field(2)) != "REQUEST") {
		return // not a request of 2.0.0-RC1–2.1.7
	}
	g, four := gatlingLayout(nf, head, &t)
	if g == 0 {
		a.skip(n, fmt.Sprintf("REQUEST record with %d fields", nf))
		return
	}
	groups, name, start, end, status := t.field(g), t.field(g+1), t.field(g+2), t.field(g+3), t.field(g+4)
	if four {
		end, status = t.field(g+5), t.field(g+6)
	}
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

// untagged tells whether a line does not begin with a record type, as the lines of
// Gatling 2.0.0-RC1–2.1.7 do not.
func untagged(l []byte) bool {
	tag, _, ok := bytes.Cut(l, []byte{'\t'})
	return ok && !slices.Contains(gatlingTags, string(tag))
}

// gatlingLayout returns the index of the groups field of a REQUEST record of nf fields
// (0: no layout has that many), and whether the record has Gatling 2.0–2.1's four
// timestamps. head tells that the record type begins the line.
func gatlingLayout(nf int, head bool, t *tabLine) (g int, four bool) {
	switch {
	case !head: // 2.0.0-RC1–2.1.7
		if nf >= 11 {
			return 3, true
		}
	case nf == 7: // 3.4+
		return 1, false
	case nf == 8: // 3.0–3.3
		return 2, false
	case nf >= 11 && string(t.field(7)) != "OK" && string(t.field(7)) != "KO":
		return 3, true // 2.0.0-M*: a timestamp where 2.2 has its status
	case nf >= 9: // 2.2–2.3 (more fields: extra info)
		return 3, false
	}
	return 0, false
}

// tabLine is a line and the positions of its first tabs: field i lies between tab i-1
// and tab i (the last one found: to the end of the line).
type tabLine struct {
	l   []byte
	pos [11]int
	k   int // tabs found, at most len(pos)
}

func (t *tabLine) field(i int) []byte { // i ≤ len(pos)
	start := 0
	if i > 0 {
		start = t.pos[i-1] + 1
	}
	if i < t.k {
		return t.l[start:t.pos[i]]
	}
	return t.l[start:]
}
