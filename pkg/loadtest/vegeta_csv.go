package loadtest

import (
	"fmt"
	"strings"
)

// detectVegetaCSV: no header; a Unix-ns timestamp (19 digits) and a status code first.
func detectVegetaCSV(s *sniff) bool {
	f := strings.Split(s.header(), ",")
	return len(f) >= 9 && len(f[0]) == 19 && isDigits(f[0]) && isDigits(f[1])
}

// readVegetaCSV reads vegeta encode --to csv in parallel chunks: no header; 12 columns
// since v12.8.0 (timestamp ns, code, latency ns, bytes out, bytes in, error, body, attack,
// seq, method, url, headers), 9 before (no method, url, headers: one endpoint,
// Options.Name). Quoted fields (error messages) go to encoding/csv.
func readVegetaCSV(in *Input, sink Sink) (Skips, error) {
	name := in.opt.name()
	shape := csvShape{delim: ',', need: 11}
	return readSamples(in, 1, csvCut(nil), csvSamples(shape, func(a *rawAgg, f *fields, line int) {
		vegetaCSVRecord(a, f, line, name)
	}), sink)
}

// vegetaCSVRecord reads one result of Vegeta's CSV.
func vegetaCSVRecord(a *rawAgg, f *fields, line int, defaultName string) {
	if f.n != 12 && f.n != 9 {
		a.skip(line, fmt.Sprintf("%d fields, want 12 (or 9 before v12.8.0)", f.n))
		return
	}
	var method, url []byte
	if f.n == 12 {
		method, url = f.at(9), f.at(10)
	}
	if ts, ok := whole(f.at(0)); !ok || !vegetaAdd(a, ts, f.at(1), f.at(2), method, url, defaultName) {
		a.skip(line, fmt.Sprintf("timestamp %q, code %q or latency %q is not an integer", f.at(0), f.at(1), f.at(2)))
	}
}

// isDigits reports a non-empty run of ASCII digits (of any length).
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
