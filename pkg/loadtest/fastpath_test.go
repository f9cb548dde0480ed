package loadtest

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// The fast paths against the straightforward readers: on any input that the
// straightforward parser (encoding/csv, encoding/json, encoding/xml) reads without a
// syntax error, the parallel reader — fast path, fallback, chunking, merging — gives the
// same rows and the same skipped records. The straightforward readers below read the
// whole input sequentially and share only the record definitions (the functions that
// turn a record's fields into a sample) with the fast paths.

// result is what a reader gives: rows with their latency distributions listed, the
// skipped records, or an error.
type result struct {
	rows  []string
	skips Skips
	err   string
	runs  string // the runs the input holds and its notes
}

func describe(rows []Row, skips Skips, err error, runs []Run, notes []string) result {
	r := result{skips: skips, runs: fmt.Sprintf("%q", notes)}
	for _, run := range runs { // where a reading of a run may start depends on the chunks
		r.runs += fmt.Sprintf(" %+v %d", run.Span, run.Requests)
	}
	if err != nil {
		r.err = err.Error()
		r.skips, r.runs = Skips{}, ""
	}
	for _, row := range rows {
		var dist strings.Builder
		if row.Samples != nil {
			row.Samples.Each(func(ns, c int64) { fmt.Fprintf(&dist, "%d×%d ", ns, c) })
		}
		row.Samples = nil
		r.rows = append(r.rows, fmt.Sprintf("%+v %s", row, dist.String()))
	}
	return r
}

// fastRows reads data with the reader of opt.Format in blocks of chunk bytes (0: the
// default).
func fastRows(t *testing.T, data string, opt Options, chunk int) result {
	t.Helper()
	opt.chunkSize = chunk
	in, err := Open(strings.NewReader(data), "f", opt)
	if err != nil {
		return result{err: err.Error()}
	}
	var rows []Row
	skips, err := in.Rows(func(r Row) error { rows = append(rows, r); return nil })
	return describe(rows, skips, err, in.Runs(), in.Notes())
}

// agree checks that the fast reader, with default and with tiny chunks, gives want.
func agree(t *testing.T, data string, f Format, want result, chunks ...int) {
	t.Helper()
	agreeWith(t, data, Options{Format: f}, want, chunks...)
}

// agreeWith is agree with options.
func agreeWith(t *testing.T, data string, opt Options, want result, chunks ...int) {
	t.Helper()
	if len(chunks) == 0 {
		chunks = []int{0, 16, 100}
	}
	for _, chunk := range chunks {
		got := fastRows(t, data, opt, chunk)
		if got.err != want.err || got.skips != want.skips || got.runs != want.runs || strings.Join(got.rows, "\n") != strings.Join(want.rows, "\n") {
			t.Fatalf("%q, chunks of %d:\nfast:            %+v\nstraightforward: %+v", data, chunk, got, want)
		}
	}
}

// TestFastPathsOnFiles: the real result files (and fixtures made from them) give what
// the straightforward readers give, whole and cut into small chunks everywhere.
func TestFastPathsOnFiles(t *testing.T) {
	for _, c := range []struct {
		file     string
		format   Format
		straight func(string) result
	}{
		{"real/jmeter-2.13-baseline-run1.jtl", FormatJMeterCSV, func(d string) result { return straightJTL(t, d) }},
		{"real/jmeter-2.13-regressed-run1.jtl", FormatJMeterCSV, func(d string) result { return straightJTL(t, d) }},
		{"loadtest/jmeter-2.13-baseline-run1-first400.xml", FormatJMeterXML, straightXML}, // made from the JTL: nested samples, entities, comments, shuffled attributes
		{"real/vegeta-12.13.0-baseline-run1-raw.csv", FormatVegetaCSV, straightVegetaCSV},
		{"real/vegeta-12.13.0-regressed-run1-raw.jsonl", FormatVegetaJSON, straightVegetaJSON},
		{"real/hey-0.1.4-v1-models-baseline-run1.csv", FormatHey, straightHey},
		{"loadtest/k6-synthetic-out.csv", FormatK6CSV, func(d string) result { return straightK6CSV(t, d) }},
		{"loadtest/gatling-3.12-synthetic-simulation.log", FormatGatlingLog, straightGatling},
		{"locust/locust-2.12.1-baseline-run1_stats_history.csv", FormatLocustHistory, straightHistory},
	} {
		t.Run(c.file, func(t *testing.T) {
			data := mustRead(t, c.file)
			if in, err := Open(strings.NewReader(data), c.file, Options{}); err != nil || in.Format != c.format {
				t.Fatalf("detected as %v (%v)", in, err)
			}
			want := c.straight(data)
			if want.err != "" || len(want.rows) == 0 {
				t.Fatalf("straightforward reader: %+v", want)
			}
			agree(t, data, c.format, want, 0, 997, 4096)
		})
	}
	k6 := strings.Repeat(k6NDJSON(), 20)
	agree(t, k6, FormatK6JSON, straightK6JSON(k6), 0, 997)
}

// aggResult is the result of a straightforward reader that aggregates into a rawAgg.
func aggResult(a *rawAgg) result {
	var rows []Row
	skips, err := a.emit(func(r Row) error { rows = append(rows, r); return nil })
	var notes []string
	if a.enc.msg != "" {
		notes = append(notes, encodingNote(a.file, a.enc.knownLine(), a.enc.msg))
	}
	runs := splitRuns(a.cov.intervals(), nil)
	if note, ok := idleNote(a.file, a.cov.intervals(), runs); ok {
		notes = append(notes, note)
	}
	return describe(rows, skips, err, runs, notes)
}

// csvValid reports whether encoding/csv reads data without any error (strict quotes):
// the inputs on which the readers must agree.
func csvValid(data string, delim rune) bool {
	cr := csv.NewReader(strings.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	_, err := cr.ReadAll()
	return err == nil
}

// csvRecordsOf reads data sequentially with encoding/csv and calls rec for every record
// from line from on, with the first need fields as bytes.
func csvRecordsOf(data string, delim rune, lazy bool, from, need int, rec func(f *fields, line int)) {
	cr := csv.NewReader(strings.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = lazy
	for {
		r, err := cr.Read()
		if err != nil {
			return // only valid inputs are compared
		}
		line, _ := cr.FieldPos(0)
		if line < from {
			continue
		}
		f := &fields{n: len(r), list: make([][]byte, len(r))}
		for i, v := range r {
			f.list[i] = []byte(v)
		}
		rec(f, line)
	}
}

func FuzzJMeterCSVFast(f *testing.F) {
	f.Add("1718000000123,48,GET /a,true\n1718000000124,50,\"GET /a\",false\n1718000000125,5,GET /a-0,true\n")
	f.Add("1718000000123,48,\"x,\n\"\"y\",true\r\n1,2,b,true\n\n1,x,b,true\n1,2,b\n")
	f.Add("1,2,Flow,true\n1,3,Flow-0,true\n1,4,Flow-1,false\n2,5,b,maybe\n")
	f.Add("1718000000000,5,a,true\n1718000000001,3,a-0,true\n1718000000001,2,a-0-1,true\ntimeStamp,elapsed,label,success\n1718200000000,7,a,true\n") // two runs, the header again
	f.Add("1718000000000,5,a,true\ntimeStamp,elapsed,success,label\n1718200000000,7,true,a\n")
	// With a thread name (five fields): sub-results after other threads' rows.
	f.Add("1,5,a,T1,true\n1,3,b,T2,true\n1,2,a-0,T1,true\n2,1,b-0,T2,true\n2,4,a-1,T1,false\n3,5,a,T2,true\n3,1,a-0,T2,true\n")
	f.Add("1,5,a,T1,true\n1,3,b,T2,true\n1,3,c,T3,true\n1,3,c,T4,true\n1,3,c,T5,true\n1,2,a-0,T1,true\n1,2,\"a-1\",T1,true\n")
	f.Fuzz(func(t *testing.T, body string) {
		header, window := "timeStamp,elapsed,label,success\n", 0
		if first, _, _ := strings.Cut(body, "\n"); strings.Count(first, ",") == 4 {
			header, window = "timeStamp,elapsed,label,threadName,success\n", 3
		}
		data := header + body
		if csvValid(data, ',') {
			agreeWith(t, data, Options{Format: FormatJMeterCSV, jtlWindow: window}, straightJTLWith(t, data, false, window))
			agreeWith(t, data, Options{Format: FormatJMeterCSV, SubResults: SubResultsSeparate, jtlWindow: window}, straightJTLWith(t, data, true, window))
		}
	})
}

// straightJTL reads a CSV JTL (comma-delimited, with a header or 2.x's twelve default
// columns) with encoding/csv.
func straightJTL(t *testing.T, data string) result { return straightJTLWith(t, data, false, 0) }

// straightJTLWith is straightJTL, with sub-results under their own labels when separate,
// and at most window lines below their parent (0: jtlWindow).
func straightJTLWith(t *testing.T, data string, separate bool, window int) result {
	cols, from := jtlDefaultColumns[12], 1
	if strings.HasPrefix(data, "timeStamp") {
		h, _, _ := strings.Cut(data, "\n")
		cols, from = strings.Split(h, ","), 2
	}
	l, err := newJTLLayout("f", ',', cols)
	if err != nil {
		t.Fatal(err)
	}
	l.separate = separate
	if window > 0 {
		l.window = window
	}
	a := newRawAgg("f")
	p := jtlParents{window: l.window}
	a.startChunk(chunk{}) // the whole file, one chunk
	csvRecordsOf(data, ',', false, from, l.shape.need, func(f *fields, line int) { a.line = line; l.record(a, f, line, &p) })
	a.endChunk()
	if err := l.tailError(a); err != nil {
		return result{err: err.Error()}
	}
	return aggResult(a)
}

func FuzzVegetaCSVFast(f *testing.F) {
	f.Add("1795775177221478655,200,2231698,0,16,,e30=,,0,GET,http://h:1/health,\n1795775177221478656,0,5,0,0,\"dial, \"\"x\"\"\",,,1,GET,http://h:1/a?q=1,\n")
	f.Add("1795775177221478655,500,7,0,16,,,,0\n1795775177221478655,200,-7,0,16,,,,0\n1,2\n")
	f.Fuzz(func(t *testing.T, data string) {
		if csvValid(data, ',') && detectVegetaCSV(newSniff([]byte(strings.TrimLeft(data, " \t\r\n")))) {
			agree(t, data, FormatVegetaCSV, straightVegetaCSV(data))
		}
	})
}

func straightVegetaCSV(data string) result {
	a := newRawAgg("f")
	csvRecordsOf(data, ',', false, 1, 11, func(f *fields, line int) { a.line = line; vegetaCSVRecord(a, f, line, "all") })
	return aggResult(a)
}

func FuzzHeyFast(f *testing.F) {
	f.Add("0.0050,0.0011,0.0000,0.0002,0.0036,0.0001,200,0.0096\n0.0063,0.0010,0.0000,0.0000,0.0050,0.0002,503,0.0102\n")
	f.Add("x,1,1,1,1,1,200,1\n0.5,1,1,1,1,1,200\n 0.25 ,1,1,1,1,1,200.0,1e-3\n")
	f.Fuzz(func(t *testing.T, body string) {
		data := "response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n" + body
		if csvValid(data, ',') {
			agree(t, data, FormatHey, straightHey(data))
		}
	})
}

func straightHey(data string) result {
	a := newRawAgg("f")
	h := heyCols{cols: 8, rt: 0, code: 6, off: 7, name: []byte("all")}
	csvRecordsOf(data, ',', true, 2, 8, func(f *fields, line int) { a.line = line; h.record(a, f, line) })
	return aggResult(a)
}

func FuzzK6CSVFast(f *testing.F) {
	f.Add("http_req_duration,1718000001,48.012300,GET,/a,200\nhttp_req_failed,1718000001,1.000000,GET,/a,500\nvus,1718000001,1,,,\n")
	f.Add("http_req_duration,2024-06-10T08:13:21.5Z,NaN,POST,\"/b,c\",0\nhttp_req_duration,1718000001000,5,,,\n")
	f.Fuzz(func(t *testing.T, body string) {
		data := "metric_name,timestamp,metric_value,method,name,status\n" + body
		if csvValid(data, ',') {
			agree(t, data, FormatK6CSV, straightK6CSV(t, data))
		}
	})
}

// straightK6CSV reads a k6 CSV with encoding/csv; columns from the header.
func straightK6CSV(t *testing.T, data string) result {
	h, _, _ := strings.Cut(data, "\n")
	hdr := newCSVHeader("f", strings.Split(h, ","))
	k := k6CSVCols{cols: len(hdr.names), metric: hdr.col("metric_name"), ts: hdr.col("timestamp"), value: hdr.col("metric_value"),
		method: hdr.col("method"), name: hdr.col("name"), url: hdr.col("url"), code: hdr.col("status")}
	if k.metric < 0 || k.ts < 0 || k.value < 0 {
		t.Fatalf("header %q", h)
	}
	a := newRawAgg("f")
	csvRecordsOf(data, ',', true, 2, len(hdr.names), func(f *fields, line int) { a.line = line; k.record(a, f, line, "all") })
	return aggResult(a)
}

// FuzzK6JSONFast: whole files through the parallel reader against encoding/json line by
// line (decodeK6 alone).
func FuzzK6JSONFast(f *testing.F) {
	for _, l := range strings.Split(k6NDJSON(), "\n")[:4] {
		f.Add(l + "\n")
	}
	f.Add(`{"metric":"http_req_duration","type":"Point","data":{"time":"2024-06-10T08:13:21Z","value":5,"tags":{"name":"/a"},"metadata":{"vu":"1"}}}` + "\n" +
		`{"metric":"http_req_failed","type":"Point","data":{"time":"2024-06-10T08:13:21Z","value":1,"tags":{"name":"/a"}}}` + "\n")
	f.Fuzz(func(t *testing.T, data string) {
		if detectK6JSON(newSniff([]byte(strings.TrimLeft(data, " \t\r\n")))) {
			agree(t, data, FormatK6JSON, straightK6JSON(data))
		}
	})
}

func straightK6JSON(data string) result {
	a := newRawAgg("f")
	for n, l := range strings.Split(data, "\n") {
		l := bytes.TrimSpace([]byte(l))
		if len(l) == 0 {
			continue
		}
		if m, known := k6LineMetric(l); known {
			if _, relevant := k6Relevant(m); !relevant {
				continue // lines of metrics perfgate does not read are not validated
			}
		}
		a.line = n + 1
		p, relevant, err := decodeK6(l)
		if err != nil {
			a.skip(n+1, "invalid k6 JSON line: "+err.Error())
		} else if relevant {
			p.add(a, n+1, "all")
		}
	}
	return aggResult(a)
}

// FuzzVegetaJSONFast: whole files through the parallel reader against encoding/json
// line by line; and wherever jsonFields reads a line, encoding/json reads the same values.
func FuzzVegetaJSONFast(f *testing.F) {
	f.Add(`{"attack":"","seq":0,"code":200,"timestamp":"2026-11-27T10:26:17.221478655Z","latency":2231698,"bytes_out":0,"bytes_in":16,"error":"","body":"e30=","method":"GET","url":"http://h:1/health","headers":{"Server":["x"]}}` + "\n")
	f.Add(`{"seq":1,"latency":5,"code":null,"timestamp":"2026-11-27T10:26:17Z"}` + "\n" + `{"seq":2,"Latency":5,"latency":7,"code":500,"timestamp":"2026-11-27T10:26:17Z","url":"/a\u00e9"}` + "\n")
	f.Fuzz(func(t *testing.T, data string) {
		if !detectVegetaJSON(newSniff([]byte(strings.TrimLeft(data, " \t\r\n")))) {
			return
		}
		for _, l := range strings.Split(data, "\n") {
			l := bytes.TrimSpace([]byte(l))
			slow, err := decodeVegeta(l)
			var fast [5][]byte
			if jsonFields(l, vegetaKeys, fast[:]) && (err != nil || fmt.Sprintf("%q", fast) != fmt.Sprintf("%q", slow)) {
				t.Fatalf("%q: jsonFields %q, encoding/json %q %v", l, fast, slow, err)
			}
		}
		agree(t, data, FormatVegetaJSON, straightVegetaJSON(data))
	})
}

func straightVegetaJSON(data string) result {
	a := newRawAgg("f")
	for n, l := range strings.Split(data, "\n") {
		l := bytes.TrimSpace([]byte(l))
		if len(l) == 0 {
			continue
		}
		a.line = n + 1
		v, err := decodeVegeta(l)
		if err != nil {
			a.skip(n+1, "invalid JSON: "+err.Error())
			continue
		}
		vegetaJSONHit(a, n+1, v, "all")
	}
	return aggResult(a)
}

func FuzzGatlingFast(f *testing.F) {
	f.Add("RUN\tx\ty\t1\t \t3.12.0\nREQUEST\tG1,Sub\tHome\t1718000000110\t1718000000158\tOK\t \nREQUEST\t\tHome\t2\t1\tKO\tx\n")
	f.Add("REQUEST\t1\t\tHome\t1\t3\tKO\tboom\r\nREQUEST\tUsers\t1\t\tHome\t1\t30\tOK\t \textra\nREQUEST\tx\n")
	f.Add("RUN\t20130710094944\tsim\t \nREQUEST\tScn\t1\t\tHome\t1373442584110\t1373442584111\t1373442584150\t1373442584158\tOK\t \nREQUEST\tScn\t2\tG\tHome\t5\t6\t7\t4\tKO\tx\textra\n")
	f.Add("RUN\t20130628083320\tmysim\t \nACTION\tScn\t1\tlogin\t1\t2\t3\t4\tKO\t \n")
	f.Add("a.Sim\tsim\tRUN\t1412610090000\t \t2.0\nScn\t1\tUSER\tSTART\t1\t0\nScn\t1\tREQUEST\t\tHome\t1412610090110\t1412610090111\t1412610090150\t1412610090158\tKO\tboom\nScn\t1\tREQUEST\tG\tx\nGROUP\t1\tREQUEST\t1\t2\t3\tOK\n")
	f.Fuzz(func(t *testing.T, data string) {
		if !detectGatlingLog(newSniff([]byte(strings.TrimLeft(data, " \t\r\n")))) {
			return
		}
		agree(t, data, FormatGatlingLog, straightGatling(data))
	})
}

// straightGatling reads a simulation.log with strings.Split, as the reader did before
// it was parallel; only the rule for numbers is shared.
func straightGatling(data string) result {
	if i := strings.Index(data[:min(len(data), 64<<10)], "\nACTION\t"); i >= 0 {
		return result{err: fmt.Sprintf("f:%d: an ACTION record: the simulation.log of Gatling 1.x, whose layout is not read (Gatling 2.0 and later write REQUEST records)", strings.Count(data[:i+1], "\n")+1)}
	}
	a := newRawAgg("f")
	tags := map[string]bool{"RUN": true, "USER": true, "REQUEST": true, "GROUP": true, "ERROR": true, "ASSERTION": true, "SCENARIO": true}
	for n, l := range strings.Split(data, "\n") {
		f := strings.Split(strings.TrimRight(l, "\r"), "\t")
		third := f[0] != "REQUEST" && len(f) > 2 && f[2] == "REQUEST" && !tags[f[0]] // 2.0.0-RC1–2.1.7
		if f[0] != "REQUEST" && !third {
			continue
		}
		g := map[int]int{7: 1, 8: 2}[len(f)]
		four := len(f) >= 11 && (third || f[7] != "OK" && f[7] != "KO")
		if len(f) >= 9 && !third || four {
			g = 3
		} else if third {
			g = 0
		}
		if g == 0 {
			a.skip(n+1, fmt.Sprintf("REQUEST record with %d fields", len(f)))
			continue
		}
		start, end, status := f[g+2], f[g+3], f[g+4]
		if four { // request start … response end
			end, status = f[g+5], f[g+6]
		}
		s, ok1 := whole(start)
		e, ok2 := whole(end)
		if !ok1 || !ok2 || e < s || e > maxEpochMs {
			a.skip(n+1, fmt.Sprintf("start %q / end %q are not epoch ms", start, end))
			continue
		}
		if status != "OK" && status != "KO" {
			a.skip(n+1, fmt.Sprintf("status %q is neither OK nor KO", status))
			continue
		}
		key := f[g+1]
		if f[g] != "" {
			key = strings.ReplaceAll(f[g], ",", " / ") + " / " + key
		}
		a.line = n + 1
		a.add(nil, []byte(key), (e-s)*1e6, status == "KO", s*1e6, e*1e6)
	}
	return aggResult(a)
}

// FuzzJMeterXMLFast: on well-formed XML (what a strict encoding/xml decoder reads to
// the end), the parallel reader gives what encoding/xml's tokens give.
func FuzzJMeterXMLFast(f *testing.F) {
	f.Add(`<testResults><httpSample t="4" ts="1718000000123" s="true" lb="a"><httpSample t="1" ts="1" s="false" lb="b"/></httpSample></testResults>`)
	f.Add("<?xml version=\"1.0\"?>\n<testResults version=\"1.2\">\n<sample lb='q&amp;&#x41;' s=\"false\" t=\"7\" ts=\"2\"><!-- <x> --><![CDATA[<y>]]></sample>\n<httpSample t=\"x\" ts=\"3\" s=\"true\" lb=\"bad\"/>\n</testResults>\n")
	f.Add("<?xml version=\"1.0\"?>\n<testResults>\n<httpSample t=\"5\" ts=\"1\" s=\"true\" lb=\"a\"/>\n<httpSample t=\"6\" ts=\"1\" s=\"true\" lb=\"a\"/>\n")
	f.Add("<testResults>\n<sample t=\"9\" ts=\"1718000000000\" s=\"true\" lb=\"a\"><httpSample t=\"4\" ts=\"1718000000000\" s=\"true\" lb=\"a-0\"><httpSample t=\"1\" ts=\"1718000000001\" s=\"false\" lb=\"a-0-0\"/></httpSample></sample>\n<httpSample t=\"6\" ts=\"1718200000000\" s=\"true\" lb=\"a\"/>\n</testResults>\n")
	f.Add("<testResults>\n<httpSample t=\"5\" ts=\"1718000000000\" s=\"true\" lb=\"a\"/>\n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n<httpSample t=\"6\" ts=\"1718200000000\" s=\"true\" lb=\"a\"/>\n</testResults></testResults>\n") // a run appended after one killed (balanced to be well-formed)
	f.Fuzz(func(t *testing.T, data string) {
		if xmlWellFormed(data) && detectJMeterXML(newSniff([]byte(strings.TrimLeft(data, " \t\r\n")))) {
			agree(t, data, FormatJMeterXML, straightXML(data))
			agreeWith(t, data, Options{Format: FormatJMeterXML, SubResults: SubResultsSeparate}, straightXMLWith(data, true))
			// The run killed (no end tag), then itself appended as JMeter appends it.
			if end := strings.LastIndex(data, "</"); end > 0 {
				again := data
				if !strings.HasPrefix(again, "<?xml ") {
					again = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + again
				}
				appended := data[:end] + again
				agree(t, appended, FormatJMeterXML, straightXML(appended))
			}
		}
	})
}

// straightXML reads an XML JTL with encoding/xml's tokens.
func straightXML(data string) result { return straightXMLWith(data, false) }

// straightXMLWith is straightXML, with nested samples under their own labels when
// separate.
func straightXMLWith(data string, separate bool) result {
	a := newRawAgg("f")
	if err := xmlTokens(strings.NewReader(data), a, 0, separate); err != nil {
		return result{err: err.Error()}
	}
	return aggResult(a)
}

// xmlWellFormed reports whether a strict encoding/xml decoder reads data to the end.
func xmlWellFormed(data string) bool {
	dec := xml.NewDecoder(strings.NewReader(data))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
}

// FuzzLocustHistoryFast: the parallel history reader against the sequential one it
// replaced (csvTable, row by row).
func FuzzLocustHistoryFast(f *testing.F) {
	f.Add("1,1,GET,/,5,9,3,1,5,1,9\n2,1,GET,/,6,9,4,1,6,1,9\n2,1,,Aggregated,6,9,4,1,6,1,9\n")
	f.Add("1,1,GET,\"/a,b\",N/A,N/A,3,1,5,N/A,9\n3,1,GET,\"/a,b\",5,5,5,0,5ms,1,9\n")
	f.Add("1,1,GET,/,5,9,3,x,5,1,9\n")
	f.Add("1,0,,Aggregated,N/A,N/A,0,0,0,0,0\n2,1,,Aggregated,5,9,3,1,5,1,9\n3,1,,Aggregated,5,x,4,1,6,1,9\n4,1,,Aggregated,6,9,4,1,6,1,9\n")
	f.Fuzz(func(t *testing.T, body string) {
		const header = "Timestamp,User Count,Type,Name,50%,95%,Total Request Count,Total Failure Count,Total Average Response Time,Total Min Response Time,Total Max Response Time\n"
		data := header + body
		if csvValid(data, ',') {
			agree(t, data, FormatLocustHistory, straightHistory(data))
		}
	})
}

func straightHistory(data string) result {
	var rows []Row
	names := utf8Names{file: "f", bad: Row{Line: -1}}
	note, err := historyStraight(data, names.sink(func(r Row) error { rows = append(rows, r); return nil }))
	var notes []string // the reader's own note, then the names' (as Rows adds them)
	if err == nil {
		notes = append([]string{"f: " + note}, names.notes()...)
	}
	return describe(rows, Skips{}, err, nil, notes)
}

// historyStraight is the sequential history reader (csvTable), as it was before it was
// parallel, and the note that reading it gives.
func historyStraight(data string, sink Sink) (string, error) {
	t, err := newCSVTable(strings.NewReader(data), "f")
	if err != nil {
		return "", err
	}
	c, err := t.needAll(colName, colTimestamp, colTotalRequests, colTotalFailures, colTotalAvg)
	if err != nil {
		return "", err
	}
	lat := latencyKeys[int]{avg: c[4], median: t.col(colTotalMedian...), min: t.col(colTotalMin...), max: t.col(colTotalMax...)}
	var ladder []ladderPoint[int]
	for _, pc := range t.percentileColumns() {
		ladder = append(ladder, ladderPoint[int]{pc.idx, pc.pct})
	}
	last, order := map[string]Row{}, []string{}
	var first, end float64
	rows := 0
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return "", err
		}
		ts, ok, err := t.number(c[1])
		if err == nil && !ok {
			err = t.errAt(t.line, c[1], errors.New("empty timestamp"))
		}
		if err != nil {
			return "", err
		}
		if rows == 0 || ts < first {
			first = ts
		}
		end = max(end, ts)
		rows++
		row := Row{Method: t.cell(t.col(colType...)), Name: t.cell(c[0]), Line: t.line}
		row.Total = isTotalName(row.Name)
		if row.Requests, err = t.count(c[2]); err != nil {
			return "", err
		}
		if row.Failures, err = t.count(c[3]); err != nil {
			return "", err
		}
		if err := locustLatencies(&row, t.ms, lat); err != nil {
			return "", err
		}
		if row.Total {
			var probe Row // every percentile cell of a total row is checked
			if err := addLadder(&probe, t.ms, ladder); err != nil {
				return "", err
			}
			if row.Requests > 0 {
				row.Ladder = probe.Ladder
			}
		}
		k := row.Method + "\x00" + row.Name
		if _, seen := last[k]; !seen {
			order = append(order, k)
		}
		last[k] = row
	}
	if rows == 0 {
		return "", &fileerr.Error{File: "f", Msg: "header only, no data rows"}
	}
	var out []Row
	for _, k := range order {
		out = append(out, last[k])
	}
	out, note := historyFinish(out, end-first, cumulativeHistory(t.percentileColumns()), "all")
	for _, row := range out {
		if err := sink(row); err != nil {
			return "", err
		}
	}
	return note, nil
}

// FuzzSampleAttrs: wherever the in-place attribute reader reads a start tag, encoding/xml
// reads the same values from it; when encoding/xml refuses the tag, it reads the same
// values from the tag reduced to the attributes perfgate reads (the others are not
// validated).
func FuzzSampleAttrs(f *testing.F) {
	f.Add(`<httpSample t="48" ts="1718000000123" s="true" lb="GET /a?x=1&amp;y=&#x41;&#66;" rm='it"s'>`)
	f.Add(`<sample lb = 'a' lb="b" t="1"/>`)
	f.Add(`<httpSample t="5" 1bad="x" lb="a"/>`)
	f.Fuzz(func(t *testing.T, tag string) {
		var sa sampleAttrs
		if !strings.HasPrefix(tag, "<") {
			return
		}
		kind, end, _ := nextMarkup([]byte(tag), 0) // the reader gets the start tags the walk found
		if kind != markStart && kind != markEmpty || end != len(tag) || !sa.read([]byte(tag)) {
			return
		}
		want, err := xmlAttrs(tag)
		if err != nil {
			if want, err = xmlAttrs(readAttrsOnly(tag)); err != nil {
				t.Fatalf("%q: read by the fast path; encoding/xml refuses it, even reduced: %v", tag, err)
			}
		}
		for i, n := range sampleAttrNames {
			if string(sa.vals[i]) != want[n] {
				t.Fatalf("%q: %s = %q, encoding/xml %q", tag, n, sa.vals[i], want[n])
			}
		}
	})
}

// xmlAttrs reads the attributes of a start tag with encoding/xml (the last of a name wins).
func xmlAttrs(tag string) (map[string]string, error) {
	dec := xml.NewDecoder(strings.NewReader(tag))
	dec.Strict = false
	tok, err := dec.RawToken()
	if err != nil {
		return nil, err
	}
	st, ok := tok.(xml.StartElement)
	if !ok {
		return nil, errors.New("not a start tag")
	}
	m := map[string]string{}
	for _, a := range st.Attr {
		m[a.Name.Local] = a.Value
	}
	return m, nil
}

var xmlAttr = regexp.MustCompile(`([^\s="'/<>]+)\s*=\s*("[^"]*"|'[^']*')`)

// readAttrsOnly reduces a start tag to its name and the attributes perfgate reads.
func readAttrsOnly(tag string) string {
	name := tag[1:strings.IndexAny(tag+" ", " \t\r\n/>")]
	out := "<" + name
	for _, m := range xmlAttr.FindAllStringSubmatch(tag[1+len(name):], -1) {
		if m[1] == "ts" || m[1] == "t" || m[1] == "s" || m[1] == "lb" {
			out += " " + m[1] + "=" + m[2]
		}
	}
	return out + "/>"
}

// FuzzDecimal: the rule's number parser returns exactly what strconv.ParseFloat returns
// for the numbers it accepts, and accepts no sign, NaN, Inf or hex.
func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"48", "0.0483", "61.30423455714286", "1e-05", " 7 ", "1234567890123456789", ".5", "5.", "-1", "NaN", "0x10", "1_0", "+3", "9007199254740993", "1e400"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := decimal(s)
		if !ok {
			return
		}
		trimmed := strings.Trim(s, " \t\n\v\f\r") // the ASCII white space the rule ignores
		if !decimalGrammar.MatchString(trimmed) {
			t.Fatalf("%q accepted", s)
		}
		want, err := parseFloatRef(trimmed)
		if err != nil || want != v {
			t.Fatalf("%q: decimal %v, ParseFloat %v %v", s, v, want, err)
		}
		if b, okb := decimal([]byte(s)); b != v || !okb {
			t.Fatalf("%q: string and bytes differ", s)
		}
	})
}

var decimalGrammar = regexp.MustCompile(`^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

func parseFloatRef(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err == nil && math.IsInf(v, 0) {
		err = errors.New("out of range")
	}
	return v, err
}

// TestFastPathsTakeRealRecords: the fast paths do read the records of real files (not
// merely fall back to the straightforward parsers).
func TestFastPathsTakeRealRecords(t *testing.T) {
	xmlDoc := mustRead(t, "loadtest/jmeter-2.13-baseline-run1-first400.xml")
	root := strings.Index(xmlDoc, "<testResults")
	body := xmlDoc[root+strings.Index(xmlDoc[root:], ">")+1:]
	samples, read := 0, 0
	var sa sampleAttrs
	safe, status := walkXML([]byte(body), false, func(start, end int, name []byte) {
		samples++
		if sa.read([]byte(body[start:end])) {
			read++
		}
	})
	if status != walkRootEnd || safe != strings.Index(body, "</testResults>") || samples != 400 || read != 400 {
		t.Errorf("XML walk: status %d at %d of %d, %d samples, %d read in place", status, safe, len(body), samples, read)
	}
	for i, l := range strings.Split(strings.TrimSpace(mustRead(t, "real/vegeta-12.13.0-baseline-run1-raw.jsonl")), "\n") {
		var v [5][]byte
		if !jsonFields([]byte(l), vegetaKeys, v[:]) {
			t.Errorf("vegeta line %d not read in place", i+1)
		}
	}
	for _, l := range strings.Split(string(benchNDJSON(64<<10)), "\n") {
		if _, _, ok := scanK6([]byte(l)); !ok && l != "" {
			t.Errorf("k6 line not read in place: %s", l)
		}
	}
}

// FuzzDigits: digitsOnly (eight digits at a time) agrees with strconv.ParseInt on runs of
// digits, and refuses everything else.
func FuzzDigits(f *testing.F) {
	for _, s := range []string{"0", "1718000000123", "1795775177221478655", "9223372036854775807", "9223372036854775808", "12345678x", "/", ":", "00000000000000000001", "", "１"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := digitsOnly(s)
		want, err := strconv.ParseInt(s, 10, 64)
		digits := s != "" && strings.Trim(s, "0123456789") == ""
		if ok != (digits && err == nil && len(s) <= 19) || ok && v != want {
			t.Fatalf("%q: %d %v, ParseInt %d %v", s, v, ok, want, err)
		}
		if b, okb := digitsOnly([]byte(s)); b != v || okb != ok {
			t.Fatalf("%q: string and bytes differ", s)
		}
	})
}

// FuzzSecondsToNs: the integer conversion of hey's seconds is math.Round(v*1e9) exactly,
// and both paths agree on what is a number and what is plausible.
func FuzzSecondsToNs(f *testing.F) {
	for _, s := range []string{"0.0483", "0.1010", "999999.9999", "1000000.000000001", "1e-3", "0.000000001", "12.3456789012", " 5 ", ".", "5.", ".5", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ns, ok, err := secondsToNs([]byte(s))
		v, valid := decimal(s)
		if (err == nil) != valid {
			t.Fatalf("%q: err %v, decimal %v", s, err, valid)
		}
		if !valid {
			return
		}
		if want := v*1000 <= maxLatencyMs; ok != want && math.Abs(v-1e6) > 1e-6 {
			t.Fatalf("%q: plausible %v, float %v", s, ok, want)
		}
		if ok && ns != int64(math.Round(v*1e9)) {
			t.Fatalf("%q: %d, math.Round %d", s, ns, int64(math.Round(v*1e9)))
		}
	})
}
