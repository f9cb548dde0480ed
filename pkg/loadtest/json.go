package loadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// decodeJSON unmarshals doc into v (numbers as json.Number), turning syntax errors into
// positioned SyntaxErrors.
func decodeJSON(doc []byte, file string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return &SyntaxError{File: file, Line: LineOf(doc, int64(len(doc))), Msg: "truncated JSON (unexpected end of file)"}
		case errors.As(err, &se):
			return &SyntaxError{File: file, Line: LineOf(doc, se.Offset), Msg: "invalid JSON: " + se.Error()}
		case errors.As(err, &te):
			return &SyntaxError{File: file, Line: LineOf(doc, te.Offset), Key: te.Field, Msg: fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value)}
		}
		return &SyntaxError{File: file, Msg: "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &SyntaxError{File: file, Line: LineOf(doc, dec.InputOffset()), Msg: "unexpected data after the JSON document"}
	}
	return nil
}

// LineOf returns the 1-based line of byte offset off in doc.
func LineOf(doc []byte, off int64) int {
	off = max(0, min(off, int64(len(doc))))
	return bytes.Count(doc[:off], []byte("\n")) + 1
}

// jsonObj reads typed fields of a decoded JSON object (numbers as json.Number) with
// positioned errors; key is the object's path, for messages.
type jsonObj struct {
	file, key string
	m         map[string]any
}

func (o jsonObj) err(field, msg string) error {
	return &SyntaxError{File: o.file, Key: o.key + "." + field, Msg: msg}
}

func (o jsonObj) str(field string) string {
	s, _ := o.m[field].(string)
	return s
}

// child returns the object under field (empty when absent or not an object).
func (o jsonObj) child(field string) jsonObj {
	m, _ := o.m[field].(map[string]any)
	return jsonObj{file: o.file, key: o.key + "." + field, m: m}
}

// ms reads a latency (or a rate, or any other measure): a JSON number, or a string with
// a unit ("150ms", "1.5s"). Absent, null, "" and "N/A" are missing; anything else that is
// not a number under the rule (numbers.go) is an error.
func (o jsonObj) ms(field string) (float64, bool, error) {
	switch v := o.m[field].(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		f, err := parseNumber(v.String())
		if err != nil {
			return 0, false, o.err(field, err.Error())
		}
		return f, true, nil
	case string:
		if v == "" || v == "N/A" || v == "n/a" {
			return 0, false, nil
		}
		f, err := ParseMs(v)
		if err != nil {
			return 0, false, o.err(field, err.Error())
		}
		return f, true, nil
	default:
		return 0, false, o.err(field, fmt.Sprintf("want a number, got %v", v))
	}
}

// number reads a plain JSON number (absent and null are missing; a string, a negative
// number or anything else is an error).
func (o jsonObj) number(field string) (float64, bool, error) {
	switch v := o.m[field].(type) {
	case nil:
		return 0, false, nil
	case json.Number:
		f, err := parseNumber(v.String())
		if err != nil {
			return 0, false, o.err(field, err.Error())
		}
		return f, true, nil
	default:
		return 0, false, o.err(field, fmt.Sprintf("want a number, got %v", v))
	}
}

// numbers reads several plain numbers of summaries and keeps the first error, so that
// a reader can take them one after the other and check once.
type numbers struct{ err error }

func (n *numbers) get(o jsonObj, field string) (float64, bool) {
	v, ok, err := o.number(field)
	if err != nil && n.err == nil {
		n.err = err
	}
	return v, ok
}

// count reads a whole count; a missing one is an error when required.
func (o jsonObj) count(field string, required bool) (int64, error) {
	v, ok := o.m[field]
	if !ok || v == nil {
		if required {
			return 0, o.err(field, "missing")
		}
		return 0, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, o.err(field, fmt.Sprintf("want a count, got %v", v))
	}
	c, err := parseCount(n.String())
	if err != nil {
		return 0, o.err(field, err.Error())
	}
	return c, nil
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
		i = skipDigits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := skipDigits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := skipDigits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(b)
}

func skipDigits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// jsonFields is the allocation-free fast path of the NDJSON raw formats: it checks that
// line is one JSON object and stores in vals[i] the value of keys[i] as written (a string
// with its quotes, a number, a literal; nil when absent). ok is false whenever the line
// is not valid JSON or not plain enough to be read without decoding: a wanted string with
// escapes or non-ASCII, a key with escapes or non-ASCII, a key that differs from a wanted
// one only in case (encoding/json matches keys case-insensitively), a wanted key twice,
// or deep nesting. The caller then decodes the line with encoding/json.
func jsonFields(line []byte, keys []string, vals [][]byte) bool {
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return false
	}
	clear(vals)
	i = skipWS(line, i+1)
	if i < len(line) && line[i] == '}' {
		return skipWS(line, i+1) == len(line)
	}
	end, ok := jsonMembers(line, i, keys, vals)
	return ok && skipWS(line, end) == len(line)
}

// jsonMembers reads the members of an object from b[i] (a key) to its closing brace, as
// jsonFields does, and returns the offset just after the brace. vals must be clear.
func jsonMembers(b []byte, i int, keys []string, vals [][]byte) (int, bool) {
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end := stringEnd(b, i)
		if end < 0 {
			return 0, false
		}
		key := b[i+1 : end-1]
		if !plainASCII(key) {
			return 0, false
		}
		want := -1
		for k, w := range keys {
			if string(key) == w {
				want = k
			} else if len(key) == len(w) && bytes.EqualFold(key, []byte(w)) {
				return 0, false
			}
		}
		i = skipWS(b, end)
		if i >= len(b) || b[i] != ':' {
			return 0, false
		}
		i = skipWS(b, i+1)
		vEnd := skipValue(b, i, 0)
		if vEnd < 0 {
			return 0, false
		}
		if want >= 0 {
			v := b[i:vEnd]
			if vals[want] != nil || v[0] == '"' && !plainASCII(v[1:len(v)-1]) {
				return 0, false
			}
			vals[want] = v
		}
		i = skipWS(b, vEnd)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipWS(b, i+1)
		case i < len(b) && b[i] == '}':
			return i + 1, true
		default:
			return 0, false
		}
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the offset just after the JSON string starting at b[i] (a quote), or
// -1 when it is not a valid string.
func stringEnd(b []byte, i int) int {
	j := i + 1
	q := bytes.IndexByte(b[j:], '"')
	if q < 0 {
		return -1
	}
	if body := b[j : j+q]; bytes.IndexByte(body, '\\') < 0 {
		for _, c := range body {
			if c < 0x20 {
				return -1
			}
		}
		return j + q + 1
	}
	// Escapes: walk them (rare in the fast paths' inputs).
	for ; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return j + 1
		case c < 0x20:
			return -1
		case c == '\\':
			if j+1 >= len(b) {
				return -1
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+5 >= len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return -1
				}
				j += 5
			default:
				return -1
			}
		}
	}
	return -1
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// skipValue returns the offset just after the JSON value starting at b[i], or -1.
func skipValue(b []byte, i, depth int) int {
	if i >= len(b) || depth > 64 {
		return -1
	}
	switch c := b[i]; {
	case c == '"':
		return stringEnd(b, i)
	case c == '{' || c == '[':
		return skipContainer(b, i, depth)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '-' || c >= '0' && c <= '9':
		j := i + 1
		for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-') {
			j++
		}
		if !jsonNumber(b[i:j]) {
			return -1
		}
		return j
	}
	return -1
}

func literal(b []byte, i int, lit string) int {
	if !bytes.HasPrefix(b[i:], []byte(lit)) {
		return -1
	}
	return i + len(lit)
}

// skipContainer skips an object or an array.
func skipContainer(b []byte, i, depth int) int {
	closer, isObj := byte(']'), b[i] == '{'
	if isObj {
		closer = '}'
	}
	i = skipWS(b, i+1)
	if i < len(b) && b[i] == closer {
		return i + 1
	}
	for {
		if isObj {
			if i >= len(b) || b[i] != '"' {
				return -1
			}
			if i = stringEnd(b, i); i < 0 {
				return -1
			}
			if i = skipWS(b, i); i >= len(b) || b[i] != ':' {
				return -1
			}
			i = skipWS(b, i+1)
		}
		if i = skipValue(b, i, depth+1); i < 0 {
			return -1
		}
		i = skipWS(b, i)
		switch {
		case i < len(b) && b[i] == ',':
			i = skipWS(b, i+1)
		case i < len(b) && b[i] == closer:
			return i + 1
		default:
			return -1
		}
	}
}
