package loadtest

import (
	"fmt"
	"math"
	"strconv"
)

// Every reader follows one rule for numbers. A number is a finite, non-negative decimal
// as the load tools write it: digits with an optional fraction and exponent ("48",
// "0.0483", "61.30423455714286", "1e-05"); ASCII spaces around it are ignored. A sign, "NaN",
// "Inf", hex, digit separators or an empty field make it bad. Where a whole number is
// needed (counts, status codes, epoch timestamps) a decimal must be integral ("12.0" is
// 12, "12.5" is bad). Latencies above maxLatencyMs are bad too.
//
// What a bad number does depends on the kind of file, never on the reader:
//   - in a raw-sample file (one record per request) the record is malformed: it is
//     skipped and counted (Skips), and the warning names the first one's file:line;
//   - in a summary file (one row per endpoint: the rows are the result) it is an error
//     that names the file, the line and the column or key.

// text is the two types a field comes as: a string (summaries, the encoding/csv
// fallback) or bytes of a chunk (the fast paths).
type text interface{ ~string | ~[]byte }

// isSpace reports the spaces ignored around a number or a CSV cell: ASCII white space.
func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

func trimSpace[T text](b T) T {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// decimal parses a number under the rule without allocating. It returns exactly what
// strconv.ParseFloat returns: with at most 15 significant digits and a small exponent,
// mantissa and power of ten are exact and one IEEE operation rounds correctly, as
// ParseFloat does; anything longer goes to ParseFloat itself.
func decimal[T text](b T) (float64, bool) {
	if v, ok := shortDecimal(b); ok {
		return v, true
	}
	b = trimSpace(b)
	var mant uint64
	sig, exp, digits, i := 0, 0, 0, 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		digits++
		if mant != 0 || b[i] != '0' {
			sig++
		}
		mant = mant*10 + uint64(b[i]-'0') // only used when sig <= 15
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			digits++
			if mant != 0 || b[i] != '0' {
				sig++
			}
			mant = mant*10 + uint64(b[i]-'0')
			exp--
		}
	}
	if digits == 0 {
		return 0, false
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		neg := i < len(b) && b[i] == '-'
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			i++
		}
		e, j := 0, i
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if e < 10000 {
				e = e*10 + int(b[i]-'0')
			}
		}
		if i == j {
			return 0, false
		}
		if neg {
			e = -e
		}
		exp += e
	}
	if i != len(b) {
		return 0, false
	}
	switch {
	case mant == 0 && sig == 0:
		return 0, true
	case sig <= 15 && exp >= 0 && exp <= 22:
		return float64(mant) * pow10[exp], true
	case sig <= 15 && exp < 0 && exp >= -22:
		return float64(mant) / pow10[-exp], true
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) {
		return 0, false
	}
	return v, true
}

// shortDecimal is decimal's fast path for what the tools mostly write: at most 15
// digits with an optional point ("48", "0.0483", "101.027131"), nothing else. The
// mantissa and the power of ten are exact, so one division rounds correctly.
func shortDecimal[T text](b T) (float64, bool) {
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var m uint64
	point := -1
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c >= '0' && c <= '9':
			m = m*10 + uint64(c-'0')
		case c == '.' && point < 0:
			point = i
		default:
			return 0, false
		}
	}
	switch {
	case point < 0:
		return float64(m), len(b) <= 15
	case len(b) == 1:
		return 0, false // "."
	}
	return float64(m) / pow10[len(b)-1-point], true
}

// whole parses a whole number under the rule: digits are read exactly (a Vegeta
// timestamp has 19), a decimal must be integral and at most 2^53.
func whole[T text](b T) (int64, bool) {
	b = trimSpace(b)
	if v, ok := digitsOnly(b); ok {
		return v, true
	}
	f, ok := decimal(b)
	if !ok || f != math.Trunc(f) || f > 1<<53 {
		return 0, false
	}
	return int64(f), true
}

// digitsOnly parses a run of ASCII digits that fits in an int64, eight digits at a time
// (epoch timestamps have 13 or 19).
func digitsOnly[T text](b T) (int64, bool) {
	n := len(b)
	if n == 0 || n > 19 {
		return 0, false
	}
	var v uint64
	i := 0
	for ; i+8 <= n; i += 8 {
		x := uint64(b[i]) | uint64(b[i+1])<<8 | uint64(b[i+2])<<16 | uint64(b[i+3])<<24 |
			uint64(b[i+4])<<32 | uint64(b[i+5])<<40 | uint64(b[i+6])<<48 | uint64(b[i+7])<<56
		if x&0xF0F0F0F0F0F0F0F0|(x+0x0606060606060606)&0xF0F0F0F0F0F0F0F0>>4 != 0x3333333333333333 {
			return 0, false // not eight digits
		}
		x = (x & 0x0F0F0F0F0F0F0F0F) * 2561 >> 8
		x = (x & 0x00FF00FF00FF00FF) * 6553601 >> 16
		x = (x & 0x0000FFFF0000FFFF) * 42949672960001 >> 32
		v = v*100000000 + x
	}
	for ; i < n; i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if v > math.MaxInt64 { // only 19 digits can overflow, and not past 2^64
		return 0, false
	}
	return int64(v), true
}

// parseNumber is decimal with an error for messages.
func parseNumber[T text](s T) (float64, error) {
	v, ok := decimal(s)
	if !ok {
		return 0, badNumber(s)
	}
	return v, nil
}

// badNumber says why s is not a number under the rule.
func badNumber[T text](s T) error {
	t := trimSpace(s)
	if len(t) > 0 && t[0] == '-' {
		if _, ok := decimal(t[1:]); ok {
			return fmt.Errorf("%q is negative", s)
		}
	}
	return fmt.Errorf("%q is not a number", s)
}

// parseCount parses a count: a whole number ("12.0" is accepted, "12.5" is not).
func parseCount[T text](s T) (int64, error) {
	if v, ok := whole(s); ok {
		return v, nil
	}
	if _, ok := decimal(s); ok {
		return 0, fmt.Errorf("%q is not a whole count", s)
	}
	return 0, badNumber(s)
}

// ParseMs parses a latency: "150" and "150ms" are 150 ms, "1.5s" is 1500 ms; "us"/"µs"
// and "ns" are accepted too. The number follows the rule above (no sign, NaN or Inf).
func ParseMs(s string) (float64, error) { return parseMs(s) }

func parseMs[T text](s T) (float64, error) {
	t := trimSpace(s)
	scale := 1.0
	// Longest suffixes first: "ms" must not be taken for "s" (defect 1 of the Python scripts).
	for _, u := range msUnits {
		if hasSuffix(t, u.suffix) {
			t = trimSpace(t[:len(t)-len(u.suffix)])
			scale = u.scale
			break
		}
	}
	v, ok := decimal(t)
	if !ok {
		return 0, fmt.Errorf("%q is not a duration (want e.g. 150, 150ms or 1.5s)", s)
	}
	return v * scale, nil
}

var msUnits = []struct {
	suffix string
	scale  float64
}{{"ms", 1}, {"us", 1e-3}, {"µs", 1e-3}, {"ns", 1e-6}, {"s", 1000}}

func hasSuffix[T text](b T, suffix string) bool {
	if len(b) < len(suffix) {
		return false
	}
	for i := 0; i < len(suffix); i++ {
		if b[len(b)-len(suffix)+i] != suffix[i] {
			return false
		}
	}
	return true
}

// maxLatencyMs bounds a plausible request duration (about 11.6 days); larger values
// are malformed records, and would not fit in nanoseconds anyway.
const maxLatencyMs = 1e9

// maxEpochMs bounds epoch-millisecond timestamps so that they fit in nanoseconds.
const maxEpochMs = math.MaxInt64 / 1_000_000

// msToNs converts float milliseconds to integer nanoseconds.
func msToNs(ms float64) int64 { return int64(math.Round(ms * 1e6)) }
