package loadtest

import (
	"bytes"
	"encoding/gob"
	"errors"
	"io"
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

	// Before 12.8: no Method, URL, Headers.
	var b bytes.Buffer
	{
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
		if err := gob.NewEncoder(&b).Encode(&Result{Code: 500, Timestamp: t0, Latency: time.Millisecond}); err != nil {
			t.Fatal(err)
		}
	}
	in, err := Open(bytes.NewReader(b.Bytes()), "old.bin", Options{Name: "checkout"})
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
	b.Reset()
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
