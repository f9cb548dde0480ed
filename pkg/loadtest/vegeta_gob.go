package loadtest

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// vegetaResult has the fields of Vegeta's Result (lib/results.go, v12.13.0) under the
// same names and types; gob matches fields by name, so results of Vegeta before 12.8
// (no Method, URL, Headers) decode too. Headers is http.Header's type, which gob sees as
// map[string][]string (net/http is not imported for its name).
type vegetaResult struct {
	Attack    string
	Seq       uint64
	Code      uint16
	Timestamp time.Time
	Latency   time.Duration
	BytesOut  uint64
	BytesIn   uint64
	Error     string
	Body      []byte
	Method    string
	URL       string
	Headers   map[string][]string
}

// gobResultType is how a gob stream of Vegeta's results begins, after the message length
// and the (negative) type id: the definition of a struct (wireType field 3, StructT)
// whose CommonType has the name "Result", then its id.
var gobResultType = []byte("\x03\x01\x01\x06Result\x01")

// detectVegetaGob: the output of vegeta attack (its default encoding, a gob stream of
// Result): the first message defines a struct named Result whose first field is Attack.
func detectVegetaGob(s *sniff) bool {
	b := s.raw
	n, k := gobUint(b)
	if k == 0 || n == 0 || n > 1<<16 {
		return false
	}
	b = b[k:]
	id, k := gobInt(b)
	if k == 0 || id >= 0 || !bytes.HasPrefix(b[k:], gobResultType) {
		return false
	}
	b = b[k+len(gobResultType):]
	own, k := gobInt(b) // CommonType.Id: the type's own id
	if k == 0 || own != -id {
		return false
	}
	b = b[k:]
	if !bytes.HasPrefix(b, []byte("\x00\x01")) { // end of CommonType; Field []fieldType
		return false
	}
	count, k := gobUint(b[2:])
	return k > 0 && count >= 9 && bytes.HasPrefix(b[2+k:], []byte("\x01\x06Attack"))
}

// gobUint reads an unsigned integer as gob writes it (one byte below 128, else the
// negated byte count and the big-endian bytes); k is the bytes it took, 0 when b does not
// hold one.
func gobUint(b []byte) (v uint64, k int) {
	if len(b) == 0 {
		return 0, 0
	}
	if b[0] < 0x80 {
		return uint64(b[0]), 1
	}
	n := -int(int8(b[0]))
	if n > 8 || len(b) < 1+n {
		return 0, 0
	}
	for _, c := range b[1 : 1+n] {
		v = v<<8 | uint64(c)
	}
	return v, 1 + n
}

// gobInt reads a signed integer as gob writes it: the unsigned value with the sign in its
// lowest bit (complemented when set).
func gobInt(b []byte) (int64, int) {
	u, k := gobUint(b)
	if u&1 != 0 {
		return ^int64(u >> 1), k
	}
	return int64(u >> 1), k
}

// readVegetaGob reads the results of vegeta attack as it writes them by default: a gob
// stream of Result. Results are keyed by method and URL path like the CSV and JSON
// encodings (Options.Name before Vegeta 12.8, whose results have no URL); 200–399
// succeed, code 0 is a transport error. A file cut inside its last result (an attack
// interrupted) is read up to it and that result counted as skipped; a stream that does
// not decode, or a second stream appended to the first, is an error. A stream that
// begins as encoding/gob writes Vegeta's results is read in parallel (vegeta_gob_fast.go);
// any other, by encoding/gob alone (readGobSequential), with the same results.
func readVegetaGob(in *Input, sink Sink) (Skips, error) { return readGob(in, sink, true) }

// readGob is readVegetaGob, with the fast path or (fast false, the tests' reference)
// without.
func readGob(in *Input, sink Sink, fast bool) (Skips, error) {
	if head, _ := in.br.Peek(512); !detectVegetaGob(&sniff{raw: head}) { // --format vegeta-gob
		return Skips{}, &fileerr.Error{File: in.File, Msg: "not the gob output of vegeta attack: it does not begin with the definition of Vegeta's Result"}
	}
	if l, ok := gobLayoutOf(in.br); ok && fast {
		return readGobFast(in, l, sink)
	}
	return readGobSequential(in, sink)
}

// readGobSequential decodes the stream with encoding/gob, one result at a time (constant
// memory, one core): the reader whose results the fast path reproduces.
func readGobSequential(in *Input, sink Sink) (Skips, error) {
	a := in.newRawAgg()
	if err := gobResults(a, gob.NewDecoder(in.br), in.File, 1, []byte(in.opt.name())); err != nil {
		return Skips{}, err
	}
	return in.emit(a, sink)
}

// gobResults decodes results with dec up to the end of its input into a, numbering them
// from n (for the messages), and fails as readVegetaGob says.
func gobResults(a *rawAgg, dec *gob.Decoder, file string, n int, name []byte) error {
	// Headers is never nil: gob makes a nil map with the size the stream claims, unbounded
	// (a damaged count would take all memory), while it fills an existing map entry by
	// entry, and stops at the end of the data.
	r := vegetaResult{Headers: map[string][]string{}}
	for ; ; n++ {
		body, headers := r.Body[:0], r.Headers
		clear(headers)
		r = vegetaResult{Body: body, Headers: headers} // gob leaves out zero fields: reset
		if err := dec.Decode(&r); err != nil {
			return gobEnd(a, file, n, err)
		}
		if msg := vegetaGobAdd(a, &r, name); msg != "" {
			a.skip(0, fmt.Sprintf("result %d: %s", n, msg))
		}
	}
}

// gobEnd is the end of the reading at result n, on which gob returned err: the end of
// the input (io.EOF), a result cut short (counted as skipped), or an error (gobError).
func gobEnd(a *rawAgg, file string, n int, err error) error {
	switch {
	case err == io.EOF:
		return nil
	case errors.Is(err, io.ErrUnexpectedEOF):
		a.skip(0, fmt.Sprintf("result %d: the file ends inside it (an interrupted attack, or a copy cut short)", n))
		return nil
	}
	return gobError(file, n, err)
}

// gobError is a result that does not decode: the file name, the result's number and
// gob's message (a type defined again after results: two attacks appended, said so).
func gobError(file string, n int, err error) error {
	var fe *fileerr.Error
	if errors.As(err, &fe) { // the gzip layer's own error
		return fe
	}
	msg := "not a Vegeta result: " + strings.TrimPrefix(err.Error(), "gob: ")
	if n > 1 && strings.Contains(err.Error(), "duplicate type") {
		msg = "a second gob stream begins here: results of several attacks appended to one file (vegeta attack … >> file), which vegeta cannot read past either; give each attack's file"
	}
	return &fileerr.Error{File: file, Key: fmt.Sprintf("result %d", n), Msg: msg, Err: err}
}

// vegetaGobAdd aggregates a result, or says why it is malformed.
func vegetaGobAdd(a *rawAgg, r *vegetaResult, defaultName []byte) string {
	lat := int64(r.Latency)
	if lat < 0 || lat > maxLatencyMs*1e6 {
		return fmt.Sprintf("latency %d ns is negative or implausible", lat)
	}
	if y := r.Timestamp.Year(); y < 1971 || y > 2261 {
		return fmt.Sprintf("timestamp %s is out of range", r.Timestamp.Format(time.RFC3339))
	}
	start := r.Timestamp.UnixNano()
	if start > math.MaxInt64-lat {
		return "timestamp plus latency overflows"
	}
	name := defaultName
	if r.URL != "" {
		name = a.derive([]byte(r.URL), urlPath)
	}
	a.add([]byte(r.Method), name, lat, r.Code < 200 || r.Code > 399, start, start+lat)
	return ""
}
