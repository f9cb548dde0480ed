package loadtest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"unicode/utf8"

	"github.com/perfgate/perfgate/pkg/fileerr"
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
			return &fileerr.Error{File: file, Line: LineOf(doc, int64(len(doc))), Msg: "truncated JSON (unexpected end of file)"}
		case errors.As(err, &se):
			return &fileerr.Error{File: file, Line: LineOf(doc, se.Offset), Msg: "invalid JSON: " + se.Error()}
		case errors.As(err, &te):
			return &fileerr.Error{File: file, Line: LineOf(doc, te.Offset), Key: te.Field, Msg: fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value)}
		}
		return &fileerr.Error{File: file, Msg: "invalid JSON: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &fileerr.Error{File: file, Line: LineOf(doc, dec.InputOffset()), Msg: "unexpected data after the JSON document"}
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
	return &fileerr.Error{File: o.file, Key: o.path(field), Msg: msg}
}

// path is the key of a field of the object: "metrics.http_reqs.count".
func (o jsonObj) path(field string) string {
	if o.key == "" {
		return field
	}
	return o.key + "." + field
}

func (o jsonObj) str(field string) string {
	s, _ := o.m[field].(string)
	return s
}

// child returns the object under field (empty when absent or not an object).
func (o jsonObj) child(field string) jsonObj {
	m, _ := o.m[field].(map[string]any)
	return jsonObj{file: o.file, key: o.path(field), m: m}
}

// ms reads a latency (or a rate, or any other measure): a JSON number, or a string with
// a unit ("150ms", "1.5s"). Absent, null, "" and "N/A" are missing; anything else that is
// not a number under the rule (numbers.go) is an error.
func (o jsonObj) ms(field string) (float64, bool, error) {
	v, ok := o.m[field].(string)
	if !ok {
		return o.number(field)
	}
	if v == "" || v == "N/A" || v == "n/a" {
		return 0, false, nil
	}
	f, err := ParseMs(v)
	if err != nil {
		return 0, false, o.err(field, err.Error())
	}
	return f, true, nil
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
	case string:
		return 0, false, o.err(field, fmt.Sprintf("want a number, got the string %q", shorten(v, 40)))
	default:
		return 0, false, o.err(field, fmt.Sprintf("want a number, got %s", jsonKind(v)))
	}
}

// jsonKind names the kind of a decoded JSON value for a message.
func jsonKind(v any) string {
	switch v.(type) {
	case bool:
		return fmt.Sprintf("%v", v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
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
// without escapes (anything else goes to encoding/json). Eight bytes at a time.
func plainASCII(b []byte) bool {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if below(x, 0x20)|x&swarHi|hasByte(x, '\\')|hasByte(x, 0x7f) != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

// SWAR (eight bytes in a uint64) tests; each is non-zero when some byte matches.
const swarLo, swarHi = 0x0101010101010101, 0x8080808080808080

// below tests for a byte < n (n <= 0x80).
func below(x uint64, n byte) uint64 { return (x - swarLo*uint64(n)) &^ x & swarHi }

// hasByte tests for a byte equal to c.
func hasByte(x uint64, c byte) uint64 {
	y := x ^ swarLo*uint64(c)
	return (y - swarLo) &^ y & swarHi
}

// asciiFold reports whether a and b (of equal length) are equal ignoring ASCII case.
func asciiFold(a []byte, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x != y && !(x|0x20 == y|0x20 && x|0x20 >= 'a' && x|0x20 <= 'z') {
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
			if len(key) != len(w) {
				continue
			}
			if string(key) == w {
				want = k
			} else if asciiFold(key, w) {
				return 0, false // encoding/json would match it
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
// -1 when it is not a valid string. It looks for the bytes that matter (quote,
// backslash, control) eight at a time.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); {
		j = nextSpecial(b, j)
		if j >= len(b) {
			return -1
		}
		switch b[j] {
		case '"':
			return j + 1
		case '\\':
			if j+1 >= len(b) {
				return -1
			}
			switch b[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				if j+5 >= len(b) || !isHex(b[j+2]) || !isHex(b[j+3]) || !isHex(b[j+4]) || !isHex(b[j+5]) {
					return -1
				}
				j += 6
			default:
				return -1
			}
		default:
			return -1 // a control byte
		}
	}
	return -1
}

// nextSpecial returns the index of the first quote, backslash or control byte of b from
// j on (len(b) when none).
func nextSpecial(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		// The lowest flagged byte is always a true match (borrows only flag bytes above one).
		if m := hasByte(x, '"') | hasByte(x, '\\') | below(x, 0x20); m != 0 {
			return j + bits.TrailingZeros64(m)/8
		}
	}
	for ; j < len(b); j++ {
		if c := b[j]; c == '"' || c == '\\' || c < 0x20 {
			return j
		}
	}
	return j
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

// jsonUnquote decodes a JSON string value (its quotes included) as encoding/json does,
// except that bytes that are not part of valid UTF-8 are kept as they are, where
// encoding/json makes each of them U+FFFD: a name that is not UTF-8 then reaches the
// accumulator as the file has it, to be escaped and noted there (encoding.go). ok is
// false when v is not a valid JSON string.
func jsonUnquote(v []byte) ([]byte, bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return nil, false
	}
	var out []byte
	for body := v[1 : len(v)-1]; len(body) > 0; {
		n := validPrefix(body)
		if n == 0 { // a byte that is not UTF-8: kept
			out, body = append(out, body[0]), body[1:]
			continue
		}
		var s string // an escape never spans such a byte: each valid run decodes alone
		if json.Unmarshal(append(append([]byte{'"'}, body[:n]...), '"'), &s) != nil {
			return nil, false
		}
		out, body = append(out, s...), body[n:]
	}
	return out, true
}

// validPrefix returns the length of the longest prefix of b that is valid UTF-8.
func validPrefix(b []byte) int {
	n := 0
	for n < len(b) {
		r, size := utf8.DecodeRune(b[n:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		n += size
	}
	return n
}
