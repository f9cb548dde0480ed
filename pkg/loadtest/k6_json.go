package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// detectK6JSON: a JSON line with a type and a metric (a Point or Metric line).
func detectK6JSON(s *sniff) bool {
	_, hasType := s.line["type"]
	_, hasMetric := s.line["metric"]
	return hasType && (hasMetric || bytes.Contains(s.line["type"], []byte(`"Metric"`)))
}

// readK6JSON reads k6 --out json (NDJSON, possibly gzipped) in parallel chunks: each line
// through scanK6, the fast path, or encoding/json (decodeK6) when it is not in k6's usual
// shape.
func readK6JSON(in *Input, sink Sink) (Skips, error) {
	name := in.opt.name()
	return readSamples(in, 1, lastLineCut, lineSamples(func(a *rawAgg, l []byte, n int) {
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			return
		}
		p, relevant, ok := scanK6(l)
		if !ok {
			var err error
			if p, relevant, err = decodeK6(l); err != nil {
				a.skip(n, "invalid k6 JSON line: "+err.Error())
				return
			}
		}
		if relevant {
			p.add(a, n, name)
		}
	}), sink)
}

var (
	k6MetricPrefix = []byte(`{"metric":"`)
	k6PointMiddle  = []byte(`","type":"Point","data":{"time":"`)
	k6ValueKey     = []byte(`","value":`)
	k6TagsKey      = []byte(`,"tags":{`)
	k6DataKeys     = []string{"time", "value", "tags"}
)

// scanK6 reads the lines k6 (≥ v0.4x key order) writes, without allocating:
// {"metric":"M","type":"Point","data":{"time":"T","value":V,"tags":{"k":"v",…}…}}.
// relevant is false for metrics perfgate does not use; ok is false when the line is not
// in that exact shape (older key order, escapes, null tags…): the caller then decodes it
// with encoding/json.
func scanK6(line []byte) (r k6Point, relevant, ok bool) {
	if !bytes.HasPrefix(line, k6MetricPrefix) {
		return r, false, false
	}
	m, known := k6LineMetric(line)
	if !known {
		return r, false, false
	}
	if r.metric, relevant = k6Relevant(m); !relevant {
		return r, false, true // a metric perfgate does not read: the line is not validated
	}
	rest := line[len(k6MetricPrefix)+len(m):]
	if !bytes.HasPrefix(rest, k6PointMiddle) {
		return r, false, false
	}
	rest = rest[len(k6PointMiddle):]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return r, false, false
	}
	t, tok := parseRFC3339(rest[:q])
	if !tok {
		return r, false, false
	}
	r.timeNs = t
	rest = rest[q:]
	if !bytes.HasPrefix(rest, k6ValueKey) {
		return r, false, false
	}
	rest = rest[len(k6ValueKey):]
	c := bytes.IndexByte(rest, ',')
	if c < 0 {
		return r, false, false
	}
	if !jsonNumber(rest[:c]) {
		return r, false, false
	}
	v, err := strconv.ParseFloat(string(rest[:c]), 64)
	if err != nil {
		return r, false, false
	}
	r.value = v
	rest = rest[c:]
	if !bytes.HasPrefix(rest, k6TagsKey) {
		return r, false, false
	}
	rest, ok = scanK6Tags(rest[len(k6TagsKey):], &r)
	if !ok || !k6Tail(rest) {
		return r, false, false
	}
	return r, true, true
}

// scanK6Tags reads the "key":"value" pairs of the tags up to their closing brace (the
// rest starts there); anything else goes to the fallback. The name is the name tag, else
// the url tag.
func scanK6Tags(rest []byte, r *k6Point) ([]byte, bool) {
	var url []byte
	for len(rest) > 0 && rest[0] != '}' {
		if rest[0] != '"' {
			return nil, false
		}
		ke := bytes.IndexByte(rest[1:], '"')
		if ke < 0 {
			return nil, false
		}
		key := rest[1 : 1+ke]
		rest = rest[2+ke:]
		if len(rest) < 2 || rest[0] != ':' || rest[1] != '"' {
			return nil, false
		}
		ve := bytes.IndexByte(rest[2:], '"')
		if ve < 0 {
			return nil, false
		}
		val := rest[2 : 2+ve]
		if !plainASCII(key) || !plainASCII(val) {
			return nil, false
		}
		switch string(key) {
		case "method":
			r.method = val
		case "name":
			r.name = val
		case "status":
			r.status = val
		case "url":
			url = val
		}
		rest = rest[3+ve:]
		switch {
		case len(rest) > 1 && rest[0] == ',' && rest[1] == '"':
			rest = rest[1:]
		case len(rest) > 0 && rest[0] == '}':
		default:
			return nil, false
		}
	}
	if len(r.name) == 0 {
		r.name = url
	}
	return rest, true
}

// k6Tail checks what follows the tags: "}}}", or more members of data (metadata) that
// do not hide another time, value or tags, then the closing braces.
func k6Tail(rest []byte) bool {
	if bytes.Equal(rest, []byte("}}}")) {
		return true
	}
	if !bytes.HasPrefix(rest, []byte(`},"`)) || !bytes.HasSuffix(rest, []byte("}}")) {
		return false
	}
	var v [3][]byte
	end, ok := jsonMembers(rest, 2, k6DataKeys, v[:])
	return ok && end == len(rest)-1 && v[0] == nil && v[1] == nil && v[2] == nil
}

// k6LineMetric returns the metric name of a line in k6's key order ({"metric":"M",…),
// when it is plain (no escape); known is false otherwise.
func k6LineMetric(line []byte) (m []byte, known bool) {
	if !bytes.HasPrefix(line, k6MetricPrefix) {
		return nil, false
	}
	rest := line[len(k6MetricPrefix):]
	q := bytes.IndexByte(rest, '"')
	if q < 0 || bytes.IndexByte(rest[:q], '\\') >= 0 {
		return nil, false
	}
	return rest[:q], true
}

// decodeK6 is the fallback: the same record through encoding/json (tags that are not UTF-8
// kept as they are, see jsonUnquote).
func decodeK6(line []byte) (r k6Point, relevant bool, err error) {
	var v struct {
		Type   string `json:"type"`
		Metric string `json:"metric"`
		Data   struct {
			Time  string                     `json:"time"`
			Value *float64                   `json:"value"`
			Tags  map[string]json.RawMessage `json:"tags"`
		} `json:"data"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return r, false, err
	}
	if v.Type != "Point" || (v.Metric != "http_req_duration" && v.Metric != "http_req_failed") {
		return r, false, nil
	}
	if v.Data.Value == nil {
		return r, false, errNoValue
	}
	t, err := k6Time(v.Data.Time)
	if err != nil {
		return r, false, err
	}
	tags := map[string][]byte{}
	for k, raw := range v.Data.Tags {
		if tags[k], err = k6Tag(k, raw); err != nil {
			return r, false, err
		}
	}
	name := tags["name"]
	if len(name) == 0 {
		name = tags["url"]
	}
	r = k6Point{metric: v.Metric, value: *v.Data.Value, timeNs: t, method: tags["method"], name: name, status: tags["status"]}
	return r, true, nil
}

// k6Tag reads a tag's value: a string (null is empty).
func k6Tag(k string, raw json.RawMessage) ([]byte, error) {
	if isNull(raw) {
		return nil, nil
	}
	s, ok := jsonUnquote(raw)
	if !ok {
		return nil, fmt.Errorf("tag %q: %s is not a string", k, shorten(string(raw), 40))
	}
	return s, nil
}

type k6Error string

// Error returns the message.
func (e k6Error) Error() string { return string(e) }

const errNoValue = k6Error("point without a value")
