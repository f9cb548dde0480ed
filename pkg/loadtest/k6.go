package loadtest

import (
	"fmt"
	"time"
)

// k6 raw outputs (--out json, --out csv): http_req_duration points (ms) are the requests,
// keyed by the method and name tags (the url tag when there is no name); http_req_failed
// points (1 = failed) say which failed. When a run has no http_req_failed (response
// callback disabled), a status of 0 or ≥ 400 is a failure.

// k6Point is one relevant point of a raw output, from either encoding.
type k6Point struct {
	metric               string // "http_req_duration" or "http_req_failed"
	value                float64
	timeNs               int64 // when the request ended
	method, name, status []byte
}

// k6Relevant returns the metric name when it is one the readers use.
func k6Relevant[T text](m T) (string, bool) {
	switch string(m) {
	case "http_req_duration":
		return "http_req_duration", true
	case "http_req_failed":
		return "http_req_failed", true
	}
	return "", false
}

// add aggregates the point of a record at line; name defaults to defaultName.
func (p *k6Point) add(a *rawAgg, line int, defaultName string) {
	if !(p.value >= 0 && p.value <= maxLatencyMs) { // also NaN
		a.skip(line, fmt.Sprintf("metric_value %v is not a plausible number", p.value))
		return
	}
	name := p.name
	if len(name) == 0 {
		name = []byte(defaultName)
	}
	if p.metric == "http_req_failed" {
		a.flag(p.method, name, p.value != 0)
		return
	}
	code, ok := digitsOnly(p.status)
	lat := msToNs(p.value)
	a.add(p.method, name, lat, ok && (code == 0 || code >= 400), p.timeNs-lat, p.timeNs)
}

// k6Time parses a k6 timestamp: RFC 3339 (NDJSON, CSV rfc3339*) or a Unix number whose
// digit count tells the unit (s, ms, µs, ns: the CSV time_format options).
func k6Time[T text](s T) (int64, error) {
	if v, ok := digitsOnly(s); ok {
		switch n := len(s); {
		case n <= 10:
			return v * 1e9, nil
		case n <= 13:
			return v * 1e6, nil
		case n <= 16:
			return v * 1e3, nil
		}
		return v, nil
	}
	if t, ok := parseRFC3339(s); ok {
		return t, nil
	}
	return 0, fmt.Errorf("timestamp %q is neither RFC 3339 nor a Unix time", s)
}

// parseRFC3339 parses YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM) to Unix ns without
// allocating; anything unusual goes to the time package.
func parseRFC3339[T text](b T) (int64, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' {
		return slowRFC3339(b)
	}
	year, ok1 := digitsOnly(b[0:4])
	month, ok2 := digitsOnly(b[5:7])
	day, ok3 := digitsOnly(b[8:10])
	hour, ok4 := digitsOnly(b[11:13])
	minute, ok5 := digitsOnly(b[14:16])
	sec, ok6 := digitsOnly(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || sec > 59 {
		return slowRFC3339(b)
	}
	frac, i, ok := fraction(b, 19)
	if !ok {
		return slowRFC3339(b)
	}
	var offset int64
	switch {
	case i == len(b)-1 && b[i] == 'Z':
	case i == len(b)-6 && (b[i] == '+' || b[i] == '-') && b[i+3] == ':':
		oh, ok1 := digitsOnly(b[i+1 : i+3])
		om, ok2 := digitsOnly(b[i+4 : i+6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return slowRFC3339(b)
		}
		offset = (oh*3600 + om*60) * 1e9
		if b[i] == '+' {
			offset = -offset
		}
	default:
		return slowRFC3339(b)
	}
	days := daysFromCivil(year, month, day)
	return (days*86400+hour*3600+minute*60+sec)*1e9 + frac + offset, true
}

// fraction reads an optional ".digits" at b[i] as nanoseconds (digits past the ninth
// are dropped, as the time package drops them).
func fraction[T text](b T, i int) (ns int64, next int, ok bool) {
	if i >= len(b) || b[i] != '.' {
		return 0, i, true
	}
	i++
	if i >= len(b) || b[i] < '0' || b[i] > '9' {
		return 0, i, false
	}
	digits := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if digits < 9 {
			ns = ns*10 + int64(b[i]-'0')
			digits++
		}
	}
	for ; digits < 9; digits++ {
		ns *= 10
	}
	return ns, i, true
}

func slowRFC3339[T text](b T) (int64, bool) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return 0, false
	}
	return t.UnixNano(), true
}

func daysIn(y, m int64) int64 {
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
func daysFromCivil(y, m, d int64) int64 {
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
	return era*146097 + doe - 719468
}
