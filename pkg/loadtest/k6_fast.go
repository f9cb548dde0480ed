package loadtest

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strconv"
	"time"
)

// k6Rec is the one definition of a k6 raw record, produced by the fast scanner and by
// the encoding/json fallback alike.
type k6Rec struct {
	metric               string
	value                float64
	timeNs               int64
	method, name, status []byte
}

var (
	k6MetricPrefix = []byte(`{"metric":"`)
	k6PointMiddle  = []byte(`","type":"Point","data":{"time":"`)
	k6ValueKey     = []byte(`","value":`)
	k6TagsKey      = []byte(`,"tags":{`)
)

// scanK6 reads the lines k6 (≥ v0.4x key order) writes, without allocating:
// {"metric":"M","type":"Point","data":{"time":"T","value":V,"tags":{"k":"v",…}…}}.
// relevant is false for metrics perfgate does not use; ok is false when the line is not
// in that exact shape (older key order, escapes, null tags…): the caller then decodes it
// with encoding/json.
func scanK6(line []byte) (r k6Rec, relevant, ok bool) {
	if !bytes.HasPrefix(line, k6MetricPrefix) {
		return r, false, false
	}
	rest := line[len(k6MetricPrefix):]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return r, false, false
	}
	switch m := rest[:q]; string(m) {
	case "http_req_duration":
		r.metric = "http_req_duration"
	case "http_req_failed":
		r.metric = "http_req_failed"
	default:
		return r, false, bytes.IndexByte(m, '\\') < 0
	}
	rest = rest[q:]
	if !bytes.HasPrefix(rest, k6PointMiddle) {
		return r, false, false
	}
	rest = rest[len(k6PointMiddle):]
	q = bytes.IndexByte(rest, '"')
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
	v, err := strconv.ParseFloat(bytesString(rest[:c]), 64)
	if err != nil {
		return r, false, false
	}
	r.value = v
	rest = rest[c:]
	if !bytes.HasPrefix(rest, k6TagsKey) {
		return r, false, false
	}
	rest = rest[len(k6TagsKey):]
	var url []byte
	// "key":"value" pairs up to the closing brace; anything else goes to the fallback.
	for len(rest) > 0 && rest[0] != '}' {
		if rest[0] != '"' {
			return r, false, false
		}
		ke := bytes.IndexByte(rest[1:], '"')
		if ke < 0 {
			return r, false, false
		}
		key := rest[1 : 1+ke]
		rest = rest[2+ke:]
		if len(rest) < 2 || rest[0] != ':' || rest[1] != '"' {
			return r, false, false
		}
		ve := bytes.IndexByte(rest[2:], '"')
		if ve < 0 {
			return r, false, false
		}
		val := rest[2 : 2+ve]
		if !plainASCII(key) || !plainASCII(val) {
			return r, false, false
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
			return r, false, false
		}
	}
	if len(r.name) == 0 {
		r.name = url // as k6Name: the name tag, else the url tag
	}
	// After the tags: "}}}" or more keys of data (metadata), then the closing braces.
	if !bytes.Equal(rest, []byte("}}}")) && !(bytes.HasPrefix(rest, []byte(`},"`)) && bytes.HasSuffix(rest, []byte("}}")) && json.Valid(rest[2:])) {
		return r, false, false
	}
	return r, true, true
}

// plainASCII reports whether a JSON string body needs no decoding: printable ASCII
// without escapes (anything else goes to encoding/json).
func plainASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// jsonNumber reports whether b is a number in JSON's grammar (stricter than ParseFloat).
func jsonNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := i
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
		if i == j {
			return false
		}
	}
	return i == len(b)
}

// decodeK6 is the fallback: the same record through encoding/json.
func decodeK6(line []byte) (r k6Rec, relevant bool, err error) {
	var v struct {
		Type   string `json:"type"`
		Metric string `json:"metric"`
		Data   struct {
			Time  string            `json:"time"`
			Value *float64          `json:"value"`
			Tags  map[string]string `json:"tags"`
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
	r = k6Rec{metric: v.Metric, value: *v.Data.Value, timeNs: t, method: []byte(v.Data.Tags["method"]), status: []byte(v.Data.Tags["status"])}
	r.name = []byte(k6Name(v.Data.Tags, ""))
	return r, true, nil
}

type k6Error string

// Error returns the message.
func (e k6Error) Error() string { return string(e) }

const errNoValue = k6Error("point without a value")

// parseChunk aggregates the lines of a chunk.
func (k *k6Raw) parseChunk(c chunk, defaultName string) {
	data := c.data
	line := c.firstLine - 1
	for len(data) > 0 {
		line++
		var l []byte
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			l, data = data[:nl], data[nl+1:]
		} else {
			l, data = data, nil
		}
		l = bytes.TrimSpace(l)
		if len(l) == 0 {
			continue
		}
		r, relevant, ok := scanK6(l)
		if !ok {
			var err error
			if r, relevant, err = decodeK6(l); err != nil {
				k.agg.skip(line, "invalid k6 JSON line: "+err.Error())
				continue
			}
		}
		if !relevant {
			continue
		}
		if r.value < 0 || r.value > maxLatencyMs || r.value != r.value {
			k.agg.skip(line, "point without a plausible value")
			continue
		}
		name := r.name
		if len(name) == 0 {
			name = []byte(defaultName)
		}
		k.pointBytes(r.metric, r.value, r.timeNs, string(r.method), name, r.status)
	}
}

// readK6JSON reads k6 --out json (NDJSON, possibly gzipped) in parallel chunks.
func readK6JSON(in *Input, sink Sink) error {
	states := make([]*k6Raw, runtime.GOMAXPROCS(0))
	for i := range states {
		states[i] = newK6Raw(in)
	}
	if err := inParallel(in.br, len(states), 1, lastLineCut, func(w int, c chunk) { states[w].parseChunk(c, in.opt.name()) }); err != nil {
		return &SyntaxError{File: in.File, Msg: err.Error()}
	}
	k := states[0]
	for _, s := range states[1:] {
		k.agg.merge(s.agg)
		k.sawFailed = k.sawFailed || s.sawFailed
	}
	return k.emit(in, sink)
}

// parseRFC3339 parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM) to Unix ns without
// allocating; ok is false for anything else (the caller falls back to time.Parse).
func parseRFC3339(b []byte) (int64, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return slowRFC3339(b)
	}
	num := func(s []byte) (int, bool) {
		v := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(b[0:4])
	month, ok2 := num(b[5:7])
	day, ok3 := num(b[8:10])
	hour, ok4 := num(b[11:13])
	minute, ok5 := num(b[14:16])
	sec, ok6 := num(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return slowRFC3339(b) // anything unusual: let the time package decide
	}
	i := 19
	var frac int64
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return slowRFC3339(b)
		}
		digits := 0
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if digits < 9 {
				frac = frac*10 + int64(b[i]-'0')
				digits++
			}
		}
		for ; digits < 9; digits++ {
			frac *= 10
		}
	}
	var offset int64
	switch {
	case i == len(b)-1 && b[i] == 'Z':
	case i == len(b)-6 && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		oh, ok1 := num(b[i+1 : i+3])
		om, ok2 := num(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return slowRFC3339(b)
		}
		offset = int64(oh*3600+om*60) * 1e9
		if b[i] == '+' {
			offset = -offset
		}
	default:
		return slowRFC3339(b)
	}
	days := daysFromCivil(year, month, day)
	return (days*86400+int64(hour*3600+minute*60+sec))*1e9 + frac + offset, true
}

func slowRFC3339(b []byte) (int64, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return t.UnixNano(), true
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil is the number of days from 1970-01-01 to the given date (proleptic
// Gregorian; Howard Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}
