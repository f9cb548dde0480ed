package loadtest

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Result is named as Vegeta's type, so that encoding/gob writes the stream vegeta attack
// writes (gob sends the type's name): the tests build gob files the way Vegeta does.
type Result vegetaResult

// encodeResults writes results as vegeta attack does: one gob encoder, Encode(&r) for
// each result.
func encodeResults(t testing.TB, rs ...Result) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := gob.NewEncoder(&b)
	for i := range rs {
		if err := enc.Encode(&rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestVegetaGobEqualsItsEncodings: the output of a real vegeta attack (v12.13.0, 60
// results: 200, 201, 404, 500 and timeouts, code 0) gives the same rows as vegeta encode
// --to csv and --to json of the same file: endpoints, counts, failures, every latency
// and the spans.
func TestVegetaGobEqualsItsEncodings(t *testing.T) {
	gobRows, in := readNotes(t, "loadtest/vegeta-12.13.0-attack.bin", Options{})
	if in.Format != FormatVegetaGob {
		t.Fatalf("format %s", in.Format)
	}
	want := map[string]int64{"GET /api/users": 15, "POST /api/orders": 15, "GET /api/slow": 15, "GET /api/missing": 15}
	got := map[string]int64{}
	for _, r := range gobRows {
		got[rowKey(r)] = r.Requests
	}
	if !cmp.Equal(got, want) {
		t.Errorf("requests per endpoint %v", got)
	}
	gobDesc := describe(gobRows, Skips{}, nil, nil, nil)
	for _, enc := range []string{"loadtest/vegeta-12.13.0-attack.csv", "loadtest/vegeta-12.13.0-attack.jsonl"} {
		rows, _ := readNotes(t, enc, Options{})
		if d := describe(rows, Skips{}, nil, nil, nil); !cmp.Equal(gobDesc, d, cmp.AllowUnexported(result{})) {
			t.Errorf("%s differs from the gob file:\n%s", enc, cmp.Diff(d.rows, gobDesc.rows))
		}
	}
	// 9 timeouts (code 0) on /api/slow, 15 404s, 3 500s: 27 failures.
	var failures int64
	for _, r := range gobRows {
		failures += r.Failures
	}
	if failures != 27 {
		t.Errorf("failures %d", failures)
	}
}

// TestVegetaGobWrittenLikeVegeta: results encoded with encoding/gob the way Vegeta does;
// results of Vegeta before 12.8 (no method, no URL) are the whole attack (--name); a
// file cut inside its last result keeps the results before it; two attacks appended to
// one file, corrupt data and a stream of another type are errors that say so.
func TestVegetaGobWrittenLikeVegeta(t *testing.T) {
	t0 := time.Unix(1718000000, 0)
	rs := []Result{
		{Attack: "a", Seq: 0, Code: 200, Timestamp: t0, Latency: 48 * time.Millisecond, Method: "GET", URL: "https://x/api/users?id=1", Body: []byte("ok"), Headers: map[string][]string{"Date": {"x"}}},
		{Attack: "a", Seq: 1, Code: 201, Timestamp: t0.Add(time.Second), Latency: 30 * time.Millisecond, Method: "POST", URL: "https://x/api/orders"},
		{Attack: "a", Seq: 2, Code: 0, Timestamp: t0.Add(2 * time.Second), Latency: 5 * time.Second, Method: "GET", URL: "https://x/api/users", Error: "timeout"},
	}
	data := encodeResults(t, rs...)
	rows, format, err := readAll(t, "r.bin", string(data), FormatAuto)
	if err != nil || format != FormatVegetaGob || len(rows) != 2 {
		t.Fatalf("%s %+v %v", format, rows, err)
	}
	m := byKey(rows)
	users := m["GET /api/users"]
	// The third result's code 0 is not in the stream (gob leaves zero fields out): it must
	// not keep the second's 201 (every result is decoded into a cleared struct).
	if users.Requests != 2 || users.Failures != 1 || users.Span != (Span{t0.UnixNano(), t0.Add(7 * time.Second).UnixNano(), true}) || q(t, users, 1) != 5000 {
		t.Errorf("users %+v", users)
	}
	if o := m["POST /api/orders"]; o.Requests != 1 || o.Failures != 0 {
		t.Errorf("orders %+v", o)
	}

	// Before 12.8: no Method, URL, Headers (a 500 and a 200).
	in, err := Open(bytes.NewReader(encodeOld(t, t0)), "old.bin", Options{Name: "checkout"})
	if err != nil {
		t.Fatal(err)
	}
	var got []Row
	if _, err := in.Rows(func(r Row) error { got = append(got, r); return nil }); err != nil || len(got) != 1 || got[0].Name != "checkout" || got[0].Failures != 1 {
		t.Errorf("before 12.8: %+v %v", got, err)
	}

	// Cut inside the last result: the first two are read, the third skipped and said.
	in, err = Open(bytes.NewReader(data[:len(data)-5]), "cut.bin", Options{})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	skips, err := in.Rows(func(r Row) error { got = append(got, r); return nil })
	if err != nil || len(got) != 2 || got[0].Requests != 1 || skips != (Skips{1, "cut.bin: result 3: the file ends inside it (an interrupted attack, or a copy cut short)"}) {
		t.Errorf("cut: %+v %+v %v", got, skips, err)
	}

	for _, tc := range []struct {
		data []byte
		err  string
	}{
		{append(append([]byte{}, data...), data...), "twice.bin: result 4: a second gob stream begins here: results of several attacks appended to one file (vegeta attack … >> file), which vegeta cannot read past either; give each attack's file"},
		{append(append([]byte{}, data[:len(data)-40]...), bytes.Repeat([]byte{0x7f}, 40)...), "twice.bin: result 3: not a Vegeta result: "},
	} {
		_, _, err := readAll(t, "twice.bin", string(tc.data), FormatAuto)
		if err == nil || !strings.HasPrefix(err.Error(), tc.err) {
			t.Errorf("got %v, want %s", err, tc.err)
		}
	}
	// A gob stream of another struct is not Vegeta's: not detected, and refused when
	// --format names it, as is a CSV encoding.
	type Other struct{ Attack string }
	var b bytes.Buffer
	_ = gob.NewEncoder(&b).Encode(Other{"x"})
	if _, err := Open(bytes.NewReader(b.Bytes()), "other.bin", Options{}); err == nil || !strings.Contains(err.Error(), "binary data (NUL bytes)") {
		t.Errorf("other gob: %v", err)
	}
	for _, data := range []string{b.String(), mustRead(t, "loadtest/vegeta-12.13.0-attack.csv")} {
		if _, _, err := readAll(t, "x", data, FormatVegetaGob); err == nil || err.Error() != "x: not the gob output of vegeta attack: it does not begin with the definition of Vegeta's Result" {
			t.Errorf("forced: %v", err)
		}
	}
}

// FuzzVegetaGob: whatever the bytes, no panic and sane rows; and the results counted per
// endpoint are those a plain gob decoding (a fresh struct per result) counts.
func FuzzVegetaGob(f *testing.F) {
	t0 := time.Unix(1718000000, 0)
	f.Add(encodeResults(f, Result{Code: 200, Timestamp: t0, Latency: 48e6, Method: "GET", URL: "https://x/a?b=1"},
		Result{Code: 0, Timestamp: t0.Add(1e9), Latency: 5e9, Method: "POST", URL: "https://x/a", Error: "timeout"}))
	f.Add(encodeResults(f, Result{Code: 404, Timestamp: t0, Latency: 1, Body: []byte("no"), Headers: map[string][]string{"A": {"b"}}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRows(t, string(data), FormatVegetaGob)
		in, err := Open(bytes.NewReader(data), "f", Options{Format: FormatVegetaGob})
		if err != nil {
			return
		}
		got := map[string]int64{}
		skips, err := in.Rows(func(r Row) error { got[rowKey(r)] += r.Requests; return nil })
		if err != nil {
			return
		}
		want := map[string]int64{}
		dec := gob.NewDecoder(bytes.NewReader(data))
		n := 0
		for {
			r := vegetaResult{Headers: map[string][]string{}} // never nil: see readVegetaGob
			err := dec.Decode(&r)
			if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			if err != nil {
				t.Fatalf("the reader accepted what gob refuses: %v", err)
			}
			n++
			if msg := vegetaGobAdd(newRawAgg("f"), &r, []byte("all")); msg != "" {
				continue
			}
			key := "all"
			if r.URL != "" {
				key = urlPath(r.URL)
			}
			if r.Method != "" {
				key = r.Method + " " + key
			}
			want[key]++
		}
		if !cmp.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Fatalf("per endpoint %v, plain decoding %v (%d results, skips %+v)", got, want, n, skips)
		}
	})
}

// straightGob reads data as readVegetaGob does without its fast path: encoding/gob, one
// result at a time.
func straightGob(data []byte) result {
	in, err := Open(bytes.NewReader(data), "f", Options{Format: FormatVegetaGob})
	if err != nil {
		return result{err: err.Error()}
	}
	var rows []Row
	names := utf8Names{file: in.File, bad: Row{Line: -1}}
	skips, err := readGob(in, names.sink(func(r Row) error { rows = append(rows, r); return nil }), false)
	if err == nil {
		in.notes = append(in.notes, names.notes()...)
	}
	return describe(rows, skips, err, in.Runs(), in.Notes())
}

// TestVegetaGobFastPathTaken: on the real attack and on results encoded like it, the
// header is recognized and every result is decoded directly: the parallel reading never
// stops, no message goes to encoding/gob.
func TestVegetaGobFastPathTaken(t *testing.T) {
	t0 := time.Unix(1718000000, 0)
	loc := time.FixedZone("", 5*3600+30*60)
	for name, data := range map[string][]byte{
		"real": []byte(mustRead(t, "loadtest/vegeta-12.13.0-attack.bin")),
		"encoded": encodeResults(t,
			Result{Attack: "a", Seq: 1, Code: 200, Timestamp: t0, Latency: 48e6, BytesOut: 10, BytesIn: 300, Body: []byte("{}"), Method: "GET", URL: "http://x/a", Headers: map[string][]string{"A": {"1", "2"}, "B": nil}},
			Result{Code: 503, Timestamp: t0.In(loc), Latency: 1, Error: "x", Method: "POST", URL: "http://x/b"},
			Result{Timestamp: t0.In(time.FixedZone("", 61)), Latency: 7}), // offset with seconds: time's version 2
		"before 12.8": encodeOld(t, t0),
	} {
		in, err := Open(bytes.NewReader(data), name, Options{})
		if err != nil {
			t.Fatal(err)
		}
		l, ok := gobLayoutOf(in.br)
		if !ok {
			t.Fatalf("%s: header not recognized", name)
		}
		b := &block{data: data[len(l.header):]}
		if n, stop := l.cut(b, true); stop || n != len(b.data) {
			t.Errorf("%s: cut at %d of %d, stop %v", name, n, len(b.data), stop)
		}
		c := chunk{data: b.data, firstLine: 1, marks: b.marks}
		fs := make([]gobFields, len(c.marks))
		if n := l.check(c, fs, newGobOrder(1)); n != len(fs) {
			t.Errorf("%s: checked %d of %d results", name, n, len(fs))
		}
		for i, f := range fs {
			if f.slow {
				t.Errorf("%s: result %d goes to encoding/gob", name, i+1)
			}
		}
		agree(t, string(data), FormatVegetaGob, straightGob(data), 0, 16, 100, 1000)
	}
}

// encodeOld encodes results as Vegeta before 12.8 wrote them: no Method, URL, Headers.
func encodeOld(t testing.TB, t0 time.Time) []byte {
	type Result struct {
		Attack    string
		Seq       uint64
		Code      uint16
		Timestamp time.Time
		Latency   time.Duration
		BytesOut  uint64
		BytesIn   uint64
		Error     string
		Body      []byte
	}
	var b bytes.Buffer
	enc := gob.NewEncoder(&b)
	for i, r := range []Result{{Code: 500, Timestamp: t0, Latency: time.Millisecond}, {Seq: 1, Code: 200, Timestamp: t0.Add(time.Second), Latency: 3, Body: []byte("x")}} {
		if err := enc.Encode(&r); err != nil {
			t.Fatal(i, err)
		}
	}
	return b.Bytes()
}

// TestVegetaGobFastEdges: what the fast path must hand to encoding/gob, or stop at, reads
// as the sequential reader reads it: skipped results (their messages), a cut last result,
// two attacks appended, a type defined after results, a message too large, corrupt
// values, a read error.
func TestVegetaGobFastEdges(t *testing.T) {
	t0 := time.Unix(1718000000, 0)
	rs := []Result{
		{Code: 200, Timestamp: t0, Latency: 48e6, Method: "GET", URL: "http://x/a"},
		{Code: 500, Timestamp: t0.Add(time.Second), Latency: -1, Method: "GET", URL: "http://x/a"}, // skipped: negative latency
		{Code: 200, Latency: 5, Method: "GET", URL: "http://x/a"},                                  // skipped: no timestamp
		{Code: 200, Timestamp: time.Date(2261, 12, 31, 23, 0, 0, 0, time.FixedZone("", 3600)), Latency: 5, URL: "http://x/c"},
		{Code: 200, Timestamp: time.Date(2262, 1, 1, 0, 30, 0, 0, time.FixedZone("", 3600)), Latency: 5, URL: "http://x/c"},
		{Code: 201, Timestamp: t0.Add(2 * time.Second), Latency: 30e6, Method: "\xffPOST", URL: "http://x/\xfeb"},
		{Code: 200, Timestamp: t0.Add(3 * time.Second), Latency: 1, Body: bytes.Repeat([]byte("b"), maxGobMessage)},
		{Code: 200, Timestamp: t0.Add(4 * time.Second), Latency: 2, URL: "http://x/a"},
	}
	full := encodeResults(t, rs...)
	small := encodeResults(t, rs[:6]...)
	cases := map[string][]byte{
		"all":      full,
		"small":    small,
		"cut":      small[:len(small)-3],
		"twice":    append(bytes.Clone(small), small...),
		"flipped":  flip(small, len(small)-20),
		"zeroed":   append(bytes.Clone(small[:len(small)-30]), make([]byte, 30)...),
		"typeDef":  append(bytes.Clone(small), encodeOther(t)...),
		"emptyMsg": append(bytes.Clone(small), 0, 3, 0xff, 0x80, 0x01),
	}
	// Messages of Result that encoding/gob fails on, between results: a field without its
	// value (gob's io.EOF: the sequential reader ends there, silently), a field number out
	// of range and a code above 65535 (errors), a timestamp that is not time's.
	header, msgs := gobMessages(t, small)
	for name, value := range map[string]string{"eofInside": "\x01", "fieldRange": "\x7f\x01", "codeRange": "\x03\xfd\x01\x00\x00", "badTime": "\x04\x03\x01\x02\x03"} {
		msg := append([]byte{byte(2 + len(value)), 0xff, 0x80}, value...)
		data := append(bytes.Clone(header), bytes.Join(msgs[:2], nil)...)
		data = append(append(data, msg...), bytes.Join(append(msgs[2:], msgs...), nil)...)
		cases[name] = data
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			agree(t, string(data), FormatVegetaGob, straightGob(data), 0, 16, 100, 1000)
		})
	}
	// A read error after the start that Open reads (64 KB), inside a result and between
	// two: the same error as encoding/gob's.
	var many []Result
	for i := range 200 {
		many = append(many, Result{Code: 200, Timestamp: t0.Add(time.Duration(i) * time.Second), Latency: 1e6, URL: "http://x/a", Body: bytes.Repeat([]byte("b"), 500)})
	}
	big := encodeResults(t, many...)
	_, bigMsgs := gobMessages(t, big)
	for _, at := range []int{len(big) - len(bigMsgs[0])*20 - 7, len(big) - len(bigMsgs[0])*20, len(big)} {
		want := straightGobFrom(t, failAt(big, at), false)
		if !strings.Contains(want, "result") || !strings.Contains(want, errDisk.Error()) { // not Open's error: the readers'
			t.Fatalf("read error at %d: %s", at, want)
		}
		for _, chunk := range []int{0, 1000} {
			if got := readFailing(t, big, at, chunk); got != want {
				t.Errorf("read error at %d, chunks of %d:\nfast:            %+v\nstraightforward: %+v", at, chunk, got, want)
			}
		}
	}
}

// gobMessages splits a stream of results into its header and its results' messages.
func gobMessages(t *testing.T, data []byte) (header []byte, msgs [][]byte) {
	in, err := Open(bytes.NewReader(data), "f", Options{})
	if err != nil {
		t.Fatal(err)
	}
	l, ok := gobLayoutOf(in.br)
	if !ok {
		t.Fatal("not a stream of results")
	}
	for rest := data[len(l.header):]; len(rest) > 0; {
		_, size, st := gobFrame(rest)
		if st != frameOK {
			t.Fatalf("message state %d", st)
		}
		msgs, rest = append(msgs, rest[:size]), rest[size:]
	}
	return l.header, msgs
}

// flip returns data with the byte at i inverted.
func flip(data []byte, i int) []byte {
	d := bytes.Clone(data)
	d[i] ^= 0xff
	return d
}

// encodeOther is a gob stream of another type, whose definition appended to a stream
// of results is a type defined after them.
func encodeOther(t *testing.T) []byte {
	var b bytes.Buffer
	type Other struct{ A, B int }
	if err := gob.NewEncoder(&b).Encode(Other{1, 2}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// failingReader returns data up to at, then an error.
type failingReader struct {
	data []byte
	at   int
}

var errDisk = errors.New("disk on fire")

func (f *failingReader) Read(p []byte) (int, error) {
	if f.at == 0 {
		return 0, errDisk
	}
	n := copy(p, f.data[:f.at])
	f.data, f.at = f.data[n:], f.at-n
	return n, nil
}

func failAt(data []byte, at int) io.Reader { return &failingReader{data: data, at: at} }

// straightGobFrom reads r with or without the fast path.
func straightGobFrom(t *testing.T, r io.Reader, fast bool) string {
	in, err := Open(r, "f", Options{Format: FormatVegetaGob})
	if err != nil {
		return err.Error()
	}
	var rows []Row
	skips, err := readGob(in, func(r Row) error { rows = append(rows, r); return nil }, fast)
	return fmt.Sprintf("%+v", describe(rows, skips, err, in.Runs(), in.Notes()))
}

func readFailing(t *testing.T, data []byte, at, chunk int) string {
	in, err := Open(failAt(data, at), "f", Options{Format: FormatVegetaGob, chunkSize: chunk})
	if err != nil {
		return err.Error()
	}
	var rows []Row
	skips, err := in.Rows(func(r Row) error { rows = append(rows, r); return nil })
	return fmt.Sprintf("%+v", describe(rows, skips, err, in.Runs(), in.Notes()))
}

// FuzzVegetaGobFast: the fast reader against encoding/gob alone (straightGob), at several
// chunk sizes: rows, skipped results, errors, notes and runs are the same. Each input is
// read as a stream (the fuzzer mutates encoded streams byte by byte), and as a recipe of
// results (gobRecipe) encoded by encoding/gob, then cut short, damaged at one byte, or
// followed by a second stream, as the recipe's last bytes say.
func FuzzVegetaGobFast(f *testing.F) {
	t0 := time.Unix(1718000000, 0)
	f.Add(encodeResults(f, Result{Code: 200, Timestamp: t0, Latency: 48e6, Method: "GET", URL: "https://x/a?b=1", Headers: map[string][]string{"A": {"b"}}},
		Result{Code: 0, Timestamp: t0.Add(1e9), Latency: 5e9, Method: "POST", URL: "https://x/a", Error: "timeout", Body: []byte("x")}))
	f.Add(encodeResults(f, Result{Code: 404, Timestamp: t0.In(time.FixedZone("", 61)), Latency: 1, Body: []byte("no")}))
	f.Add(encodeOld(f, t0))
	f.Add([]byte("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"))
	f.Add([]byte("\xff\x00\x10\x20\x30\x40\x50\x60\x70\x80\x90\xa0\xb0\xc0\xd0\xe0\xf0\x07\x17\x27\x37\x47\x57\x67\x77\x87\x97\xa7"))
	f.Fuzz(func(t *testing.T, data []byte) {
		agree(t, string(data), FormatVegetaGob, straightGob(data), 0, 16, 100)
		stream := encodeResults(t, gobRecipe(data)...)
		agree(t, string(stream), FormatVegetaGob, straightGob(stream), 0, 16, 100)
		if len(data) < 3 || len(stream) == 0 {
			return
		}
		at := int(data[len(data)-2])<<8 | int(data[len(data)-1])
		var damaged []byte
		switch data[len(data)-3] % 3 {
		case 0:
			damaged = stream[:at%(len(stream)+1)]
		case 1:
			damaged = flip(stream, at%len(stream))
			damaged[at%len(stream)] ^= data[len(data)-3] | 1
		case 2:
			damaged = append(bytes.Clone(stream), stream[:at%(len(stream)+1)]...)
		}
		agree(t, string(damaged), FormatVegetaGob, straightGob(damaged), 0, 16, 100)
	})
}

// gobRecipe makes results of the bytes, a few bytes a result: which fields are set, and
// values around what the readers check (codes, latencies, timestamps near the years
// read, in zones with odd offsets; URLs with and without a path; names that are not
// UTF-8; headers and bodies).
func gobRecipe(b []byte) []Result {
	next := func() int {
		if len(b) == 0 {
			return 0
		}
		c := b[0]
		b = b[1:]
		return int(c)
	}
	codes := []uint16{0, 200, 201, 302, 399, 400, 404, 500, 199, 65535}
	methods := []string{"", "GET", "POST", "\xffGET"}
	urls := []string{"", "http://x/a", "http://x/a?q=1", "http://x", "%zz", "http://x/\xfeb", "/p"}
	times := []time.Time{{}, time.Unix(1718000000, 0), time.Unix(1718000000, 999999999).UTC(),
		time.Date(1971, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1970, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2261, 12, 31, 23, 59, 59, 0, time.UTC), time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1971, 1, 1, 0, 30, 0, 0, time.FixedZone("", -3600)), time.Date(2261, 12, 31, 23, 30, 0, 0, time.FixedZone("", 3600)),
		time.Unix(1718000000, 5).In(time.FixedZone("", 61)), time.Unix(1718000000, 0).In(time.FixedZone("", -19*3600-59)),
		time.Date(2262, 4, 11, 23, 47, 16, 854775807, time.UTC), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)}
	lats := []int64{0, 1, 48e6, -1, maxLatencyMs * 1e6, maxLatencyMs*1e6 + 1, math.MaxInt64, math.MinInt64, 5e9}
	var rs []Result
	for len(b) > 3 && len(rs) < 40 {
		set, v := next(), next()
		r := Result{Seq: uint64(len(rs)), Code: codes[v%len(codes)], Method: methods[(v/10)%len(methods)]}
		v = next()
		r.URL, r.Timestamp = urls[v%len(urls)], times[(v/8)%len(times)]
		r.Latency = time.Duration(lats[next()%len(lats)])
		if set&1 != 0 {
			r.Timestamp = r.Timestamp.Add(time.Duration(next()) * time.Second)
			r.Latency += time.Duration(next())
		}
		if set&2 != 0 {
			r.Attack, r.Error, r.BytesIn, r.BytesOut = "a", "e", uint64(next())<<40, 1
		}
		if set&4 != 0 {
			r.Body = bytes.Repeat([]byte{'b'}, next()*next())
		}
		if set&8 != 0 {
			r.Headers = map[string][]string{"K": {"v", ""}, "": nil}
		}
		rs = append(rs, r)
	}
	return rs
}

// TestGobOrder: a chunk's wait ends once every earlier chunk is checked, in whatever
// order they finish; it returns the first result gob failed on; a worker's panic ends
// every wait.
func TestGobOrder(t *testing.T) {
	o := newGobOrder(1)
	waited := make(chan int)
	go func() { waited <- o.await(7) }() // the chunk of results 7…
	o.checked(4, 3)                      // results 4–6, before 1–3
	o.fail(5, io.EOF)
	o.fail(6, io.ErrUnexpectedEOF) // later: not the first
	select {
	case <-waited:
		t.Fatal("the wait ended before results 1–3 were checked")
	case <-time.After(20 * time.Millisecond):
	}
	o.checked(1, 3)
	if bad := <-waited; bad != 5 || o.err != io.EOF {
		t.Errorf("first failure %d (%v), want 5 (EOF)", bad, o.err)
	}
	if bad := newGobOrder(1).await(1); bad != math.MaxInt {
		t.Errorf("no failure: %d", bad)
	}
	o = newGobOrder(1)
	go func() { waited <- o.await(100) }()
	o.breaks()
	select {
	case <-waited:
	case <-time.After(5 * time.Second):
		t.Fatal("a panic did not end the wait")
	}
}
