package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// detectVegetaJSON: a JSON line with Vegeta's seq and latency.
func detectVegetaJSON(s *sniff) bool {
	_, hasSeq := s.line["seq"]
	_, hasLatency := s.line["latency"]
	return hasSeq && hasLatency
}

// vegetaKeys are the keys of a Vegeta JSON result that perfgate reads.
var vegetaKeys = []string{"code", "timestamp", "latency", "method", "url"}

// readVegetaJSON reads vegeta encode --to json (one object per line) in parallel chunks:
// each line through jsonFields, the fast path, or encoding/json when it is not plain.
func readVegetaJSON(in *Input, sink Sink) (Skips, error) {
	name := in.opt.name()
	return readSamples(in, 1, lastLineCut, lineSamples(func(a *rawAgg, l []byte, n int) {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			return
		}
		var v [5][]byte
		if !jsonFields(l, vegetaKeys, v[:]) {
			var err error
			if v, err = decodeVegeta(l); err != nil {
				a.skip(n, "invalid JSON: "+err.Error())
				return
			}
		}
		vegetaJSONHit(a, n, v, name)
	}), sink)
}

// decodeVegeta is the fallback: the values of the same keys through encoding/json
// (which matches keys regardless of case and keeps the last of duplicates).
func decodeVegeta(l []byte) ([5][]byte, error) {
	var r struct {
		Code      json.RawMessage `json:"code"`
		Timestamp json.RawMessage `json:"timestamp"`
		Latency   json.RawMessage `json:"latency"`
		Method    json.RawMessage `json:"method"`
		URL       json.RawMessage `json:"url"`
	}
	err := json.Unmarshal(l, &r)
	return [5][]byte{r.Code, r.Timestamp, r.Latency, r.Method, r.URL}, err
}

// vegetaJSONHit aggregates a result from its values as written (code, timestamp,
// latency, method, url).
func vegetaJSONHit(a *rawAgg, line int, v [5][]byte, defaultName string) {
	code, ts, lat := v[0], v[1], v[2]
	if isNull(code) || isNull(lat) {
		a.skip(line, "no code or latency")
		return
	}
	if code[0] == '"' || lat[0] == '"' {
		a.skip(line, "code or latency is not a number")
		return
	}
	tsStr, ok1 := jsonString(ts)
	method, ok2 := jsonString(v[3])
	url, ok3 := jsonString(v[4])
	if !ok2 || !ok3 {
		a.skip(line, "method or url is not a string")
		return
	}
	tsNs, ok := parseRFC3339(tsStr)
	if !ok1 || !ok {
		a.skip(line, fmt.Sprintf("timestamp %s is not RFC 3339", ts))
		return
	}
	if !vegetaAdd(a, tsNs, code, lat, method, url, defaultName) {
		a.skip(line, fmt.Sprintf("code %s or latency %s is not a whole number of the right range", code, lat))
	}
}

func isNull(v []byte) bool { return len(v) == 0 || string(v) == "null" }

// jsonString returns the text of a JSON string value (absent and null are ""); ok is
// false for another kind of value. Plain strings are not copied; bytes that are not
// UTF-8 are kept (jsonUnquote).
func jsonString(v []byte) ([]byte, bool) {
	switch {
	case isNull(v):
		return nil, true
	case v[0] != '"':
		return nil, false
	case plainASCII(v[1 : len(v)-1]):
		return v[1 : len(v)-1], true
	}
	return jsonUnquote(v)
}
