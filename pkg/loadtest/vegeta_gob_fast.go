package loadtest

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"math"
	"sync"
	"time"
)

// The fast reading of Vegeta's gob stream. encoding/gob decodes by reflection, one
// message after the other, about 2 µs a result. But a stream of vegeta attack holds one
// type: its first messages define Result (and the types of its fields), every other
// message is [length][type id of Result][value]. So the definitions at the start (the
// header) are read once and checked to be exactly what encoding/gob writes for Vegeta's
// Result, of any version (the field numbers come from the names the header lists); the
// messages after it are cut into chunks at their length prefixes, and workers decode the
// values directly (gob's struct encoding: field-number deltas, then each field as gob
// writes it) into the shape's accumulators (vegeta_gob_parallel.go).
//
// The results are always those of the sequential reader (readGobSequential). A value
// that the direct decoding (value) reads is one encoding/gob decodes without error to the
// same fields; any other message of Result is decoded by encoding/gob itself, with a
// decoder that has read the header as the sequential one has (decode). A stream whose
// header is anything else is read by the sequential reader alone.

// gobField is what a field of the stream's Result is to the fast path.
type gobField uint8

const (
	gobSkipUint  gobField = iota // Seq, BytesOut, BytesIn: an unsigned integer, not used
	gobSkipBytes                 // Attack, Error, Body: a length and bytes, not used
	gobCode                      // Code: an unsigned integer (uint16)
	gobLatency                   // Latency: a signed integer (ns)
	gobTimestamp                 // Timestamp: time.Time's GobEncode form, as bytes
	gobMethod                    // Method: a string
	gobURL                       // URL: a string
	gobHeaders                   // Headers: a map of strings to []string
)

// The type ids encoding/gob predefines, and stand-ins for the two types a stream defines.
const (
	gobIntID    = 2
	gobUintID   = 3
	gobBytesID  = 5
	gobStringID = 6
	gobTime     = -1 // a type with GobEncode (time.Time)
	gobHeader   = -2 // a map of string to a slice of string (http.Header)
	// gobFirstUserID is the first id a stream may define (encoding/gob refuses lower ones).
	gobFirstUserID = 64
)

// gobResultFields are the fields of Vegeta's Result, by name: what each is, and the type
// encoding/gob must have written for it (gob refuses other types, the sequential reader
// reports that).
var gobResultFields = map[string]struct {
	field gobField
	wire  int64
}{
	"Attack": {gobSkipBytes, gobStringID}, "Seq": {gobSkipUint, gobUintID}, "Code": {gobCode, gobUintID},
	"Timestamp": {gobTimestamp, gobTime}, "Latency": {gobLatency, gobIntID}, "BytesOut": {gobSkipUint, gobUintID},
	"BytesIn": {gobSkipUint, gobUintID}, "Error": {gobSkipBytes, gobStringID}, "Body": {gobSkipBytes, gobBytesID},
	"Method": {gobMethod, gobStringID}, "URL": {gobURL, gobStringID}, "Headers": {gobHeaders, gobHeader},
}

// maxGobMessage bounds the messages read in parallel: a larger one (a result with a
// large body) stops the parallel reading, the sequential reader reads it and the rest.
const maxGobMessage = 1 << 20

// gobLayout is what the fast path knows of a stream: the bytes of its header, the type
// id of its results, and what each field of Result is, by field number.
type gobLayout struct {
	header   []byte
	id       int64
	fields   []gobField
	decoders sync.Pool // of *gobDecoder that have read the header (decode)
	buffers  sync.Pool // of *[]gobFields, for the workers (parse)
}

// gobLayoutOf reads the header of a stream from the start of the input, without
// consuming it; ok only when it is exactly what encoding/gob writes for a struct of
// Result's fields (all or some of them), and a message follows it.
func gobLayoutOf(br *bufio.Reader) (*gobLayout, bool) {
	head, _ := br.Peek(64 << 10)
	defs := map[int64]gobWire{}
	off := 0
	for {
		msg, size, st := gobFrame(head[off:])
		if st != frameOK {
			return nil, false
		}
		id, k := gobInt(msg)
		if k == 0 {
			return nil, false
		}
		if id >= 0 { // the first result
			l := &gobLayout{header: bytes.Clone(head[:off]), id: id}
			return l, l.resolve(defs)
		}
		w, ok := parseGobWire(msg[k:])
		if _, dup := defs[-id]; !ok || dup || -id < gobFirstUserID {
			return nil, false
		}
		defs[-id] = w
		off += size
	}
}

// resolve maps the fields of the results' struct to gobFields, checking their types.
func (l *gobLayout) resolve(defs map[int64]gobWire) bool {
	st, ok := defs[l.id]
	if !ok || st.kind != gobStructT || len(st.fields) == 0 {
		return false
	}
	seen := map[string]bool{}
	for _, f := range st.fields {
		want, known := gobResultFields[f.name]
		if !known || seen[f.name] || gobWireOf(defs, f.id) != want.wire {
			return false
		}
		seen[f.name] = true
		l.fields = append(l.fields, want.field)
	}
	return true
}

// gobWireOf classifies a type id as gobResultFields does: a predefined id as it is, a
// type with GobEncode as gobTime, map[string][]string as gobHeader; 0 for anything else
// (a negative id among them).
func gobWireOf(defs map[int64]gobWire, id int64) int64 {
	if id < gobFirstUserID {
		return max(id, 0)
	}
	w := defs[id]
	switch w.kind {
	case gobGobEncoderT:
		return gobTime
	case gobMapT:
		if elem := defs[w.elem]; w.key == gobStringID && elem.kind == gobSliceT && elem.elem == gobStringID {
			return gobHeader
		}
	}
	return 0
}

// The kinds of type a stream defines (the field of gob's wireType that is set).
const (
	gobSliceT      = 1
	gobStructT     = 2
	gobMapT        = 3
	gobGobEncoderT = 4
)

// gobWire is a type definition of a stream: its kind, its fields (a struct), its key and
// element types (a map; a slice's element).
type gobWire struct {
	kind      int
	key, elem int64
	fields    []gobWireField
}

type gobWireField struct {
	name string
	id   int64
}

// parseGobWire reads a type definition (gob's wireType) as encoding/gob writes it: every
// struct ends with its terminator and the message with the definition. Anything else is
// refused (and the sequential reader reads the file).
func parseGobWire(b []byte) (gobWire, bool) {
	r := &gobReader{b: b, ok: true}
	var w gobWire
	r.fields(7, func(f int) {
		if w.kind != 0 {
			r.ok = false // two kinds
		}
		w.kind = f
		switch f {
		case gobSliceT:
			r.fields(2, func(g int) { r.common(g, &w.elem) })
		case gobStructT:
			r.fields(2, func(g int) {
				if g == 0 {
					r.commonType()
					return
				}
				for n := r.uint(); n > 0 && r.ok; n-- {
					var fl gobWireField
					r.fields(2, func(h int) {
						if h == 0 {
							fl.name = string(r.bytes())
						} else {
							fl.id = r.int()
						}
					})
					w.fields = append(w.fields, fl)
				}
			})
		case gobMapT:
			r.fields(3, func(g int) {
				switch g {
				case 0:
					r.commonType()
				case 1:
					w.key = r.int()
				default:
					w.elem = r.int()
				}
			})
		case gobGobEncoderT:
			r.fields(1, func(int) { r.commonType() })
		default:
			r.ok = false
		}
	})
	return w, r.ok && w.kind != 0 && len(r.b) == 0
}

// gobReader reads a type definition; ok turns false at the first thing it cannot read.
type gobReader struct {
	b  []byte
	ok bool
}

func (r *gobReader) uint() uint64 {
	v, k := gobUint(r.b)
	if k == 0 {
		r.ok = false
	}
	r.b = r.b[k:]
	return v
}

func (r *gobReader) int() int64 {
	v, k := gobInt(r.b)
	if k == 0 {
		r.ok = false
	}
	r.b = r.b[k:]
	return v
}

func (r *gobReader) bytes() []byte {
	n := r.uint()
	if n > uint64(len(r.b)) {
		r.ok = false
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// fields reads a struct of n fields up to its terminator, calling f with each field's
// number (whose value f reads).
func (r *gobReader) fields(n int, f func(field int)) {
	field := -1
	for r.ok {
		d := r.uint()
		if !r.ok || d == 0 {
			return
		}
		if d > uint64(n-1-field) {
			r.ok = false
			return
		}
		field += int(d)
		f(field)
	}
}

// common reads field g of a type whose field 0 is its CommonType and field 1 a type id
// (a slice's element, a map's element after its key), into id.
func (r *gobReader) common(g int, id *int64) {
	if g == 0 {
		r.commonType()
		return
	}
	*id = r.int()
}

// commonType reads a CommonType: the type's name and id, neither used (a struct field
// names the type it refers to by the id of the message that defines it).
func (r *gobReader) commonType() {
	r.fields(2, func(h int) {
		if h == 0 {
			r.bytes()
		} else {
			r.int()
		}
	})
}

// The states of a message at the start of some bytes (gobFrame).
const (
	frameOK    = iota
	frameShort // more bytes are needed
	frameBad   // a length encoding gob refuses, or a message too large for the fast path
)

// gobFrame finds the message at the start of b: its bytes after the length prefix, and
// its size with the prefix.
func gobFrame(b []byte) (msg []byte, size int, state int) {
	n, k := gobSmall(b, 0)
	if k < 0 {
		n, k = gobUintLong(b, 0)
	}
	switch {
	case k < 0 && (len(b) == 0 || b[0] >= 0x80 && -int(int8(b[0])) <= 8):
		return nil, 0, frameShort // none, or the prefix is cut
	case k < 0 || n > maxGobMessage:
		return nil, 0, frameBad
	case uint64(len(b)-k) < n:
		return nil, 0, frameShort
	}
	return b[k : k+int(n)], k + int(n), frameOK
}

// gobFields are the fields of a result that perfgate reads; absent ones are zero.
type gobFields struct {
	code        uint64
	lat         int64
	method, url []byte
	ts          []byte // the Timestamp as time.Time.MarshalBinary writes it; nil when absent
	slow        bool   // value could not read it: encoding/gob decodes it
}

// value decodes the value of a result message (after its type id) as encoding/gob does,
// into f. It is false when gob would not decode it without error to the same fields, or
// might not: a field number out of range, an integer, length or count that runs past the
// message or does not fit, a code above 65535, a timestamp that is not time's binary form.
// The fields are gob's struct encoding: each field's number as the delta from the
// previous one, then its value; zero fields are left out; a delta of 0 ends the value
// (gob ignores what follows), as does the end of the message. Every value begins with an
// unsigned integer: the value itself, or a length or count.
func (l *gobLayout) value(v []byte, f *gobFields) bool {
	*f = gobFields{}
	field, i := -1, 0
	for i < len(v) {
		d, j := gobSmall(v, i)
		if j < 0 {
			d, j = gobUintLong(v, i)
		}
		if j < 0 || d > uint64(len(l.fields)-1-field) {
			return false
		}
		if d == 0 {
			return true
		}
		field += int(d)
		u, k := gobSmall(v, j)
		if k < 0 {
			if u, k = gobUintLong(v, j); k < 0 {
				return false
			}
		}
		i = k
		switch kind := l.fields[field]; kind {
		case gobSkipUint:
		case gobCode:
			if u > math.MaxUint16 {
				return false
			}
			f.code = u
		case gobLatency:
			f.lat = int64(u>>1) ^ -int64(u&1) // gob's sign is the lowest bit
		case gobHeaders:
			if i = gobHeadersEnd(v, i, u); i < 0 {
				return false
			}
		default: // a string or []byte: u is its length
			if u > uint64(len(v)-i) {
				return false
			}
			s := v[i : i+int(u)]
			i += int(u)
			switch kind {
			case gobMethod:
				f.method = s
			case gobURL:
				f.url = s
			case gobTimestamp:
				if !(len(s) == 15 && s[0] == 1 || len(s) == 16 && s[0] == 2) { // time's versions
					return false
				}
				f.ts = s
			}
		}
	}
	return true
}

// gobSmall reads an unsigned integer of one byte (below 128) at b[i]: its value and the
// index after it; -1 when there is none, or a longer one (gobUintLong reads it).
func gobSmall(b []byte, i int) (uint64, int) {
	if uint(i) < uint(len(b)) && b[i] < 0x80 {
		return uint64(b[i]), i + 1
	}
	return 0, -1
}

// gobUintLong reads any unsigned integer at b[i] (gobUint): its value and the index
// after it, -1 when b does not hold one there.
func gobUintLong(b []byte, i int) (uint64, int) {
	if uint(i) >= uint(len(b)) {
		return 0, -1
	}
	if n := -int(int8(b[i])); n >= 1 && n <= 8 && len(b)-i > 8 { // the usual case: 8 bytes to load at once
		return binary.BigEndian.Uint64(b[i+1:]) >> (64 - 8*n), i + 1 + n
	}
	v, k := gobUint(b[i:])
	if k == 0 {
		return 0, -1
	}
	return v, i + k
}

// gobHeadersEnd skips the n entries of a map[string][]string at b[i:] (after its count),
// as encoding/gob reads them without error: each key (a length, then bytes), then its
// value (a count of strings, then each string as a length and bytes; gob fails on a
// string the message ends before). It returns the index after the map, or -1.
func gobHeadersEnd(b []byte, i int, n uint64) int {
	if n > uint64(len(b)) {
		return -1
	}
	var strs uint64 // strings of the current entry's value not yet skipped
	for n > 0 || strs > 0 {
		u, j := gobSmall(b, i) // the length of a key or of a value's string
		if j < 0 {
			if u, j = gobUintLong(b, i); j < 0 {
				return -1
			}
		}
		if u > uint64(len(b)-j) {
			return -1
		}
		i = j + int(u)
		if strs > 0 {
			strs--
			continue
		}
		n-- // a key: the count of its value's strings follows
		if strs, j = gobSmall(b, i); j < 0 {
			if strs, j = gobUintLong(b, i); j < 0 {
				return -1
			}
		}
		if strs > uint64(len(b)) {
			return -1
		}
		i = j
	}
	return i
}

// The local times of the timestamps Vegeta's readers accept (years 1971 to 2261, as
// vegetaGobAdd checks), in Unix seconds, and the seconds from year 1 (time's binary form)
// to 1970.
var (
	gobMinLocal = time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	gobEndLocal = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	gobYear1    = -time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
)

// add aggregates a result as vegetaGobAdd does, and is true; or is false, adding
// nothing, when vegetaGobAdd would skip it, or the timestamp is not an ordinary one
// (those go to encoding/gob and vegetaGobAdd, for their exact message).
func (f *gobFields) add(a *rawAgg, defaultName []byte) bool {
	if f.lat < 0 || f.lat > maxLatencyMs*1e6 || f.ts == nil {
		return false
	}
	t := f.ts
	sec := int64(uint64(t[1])<<56 | uint64(t[2])<<48 | uint64(t[3])<<40 | uint64(t[4])<<32 |
		uint64(t[5])<<24 | uint64(t[6])<<16 | uint64(t[7])<<8 | uint64(t[8]))
	nsec := int32(uint32(t[9])<<24 | uint32(t[10])<<16 | uint32(t[11])<<8 | uint32(t[12]))
	offset := int64(int16(uint16(t[13])<<8|uint16(t[14]))) * 60
	if t[0] == 2 {
		offset += int64(t[15])
	}
	if offset == -60 { // time's mark for UTC
		offset = 0
	}
	if nsec < 0 || nsec >= 1e9 || sec < gobYear1+gobMinLocal-1e6 || sec > gobYear1+gobEndLocal+1e6 {
		return false
	}
	unix := sec - gobYear1
	if local := unix + offset; local < gobMinLocal || local >= gobEndLocal {
		return false
	}
	start := unix*1e9 + int64(nsec)
	if start > math.MaxInt64-f.lat {
		return false
	}
	name := defaultName
	if len(f.url) > 0 {
		name = a.derive(f.url, urlPath)
	}
	a.add(f.method, name, f.lat, f.code < 200 || f.code > 399, start, start+f.lat)
	return true
}

// result returns the value of a message of Result, or false when the message is not
// one (another type id, a type definition).
func (l *gobLayout) result(msg []byte) ([]byte, bool) {
	u, k := gobSmall(msg, 0)
	if k < 0 {
		u, k = gobUintLong(msg, 0)
	}
	id := int64(u>>1) ^ -int64(u&1)
	return msg[max(k, 0):], k > 0 && id == l.id
}

// decode decodes one message of Result (with its length prefix) with encoding/gob, as
// the sequential reader does: with a decoder that has read the header (and other
// results: gob decodes each message on its own, with the types it has read).
func (l *gobLayout) decode(msg []byte, r *vegetaResult) error {
	d, _ := l.decoders.Get().(*gobDecoder)
	if d == nil {
		d = &gobDecoder{}
		d.in.Reset(append(bytes.Clone(l.header), msg...))
		d.dec = gob.NewDecoder(&d.in) // a bytes.Reader is an io.ByteReader: gob reads no further than it must
	} else {
		d.in.Reset(msg)
	}
	*r = vegetaResult{Headers: map[string][]string{}} // never nil: see gobResults
	err := d.dec.Decode(r)
	if err == nil && d.in.Len() == 0 {
		l.decoders.Put(d) // one that failed is dropped
	}
	return err
}

// gobDecoder is an encoding/gob decoder of a stream's results, and its input.
type gobDecoder struct {
	in  bytes.Reader
	dec *gob.Decoder
}
