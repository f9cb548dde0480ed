package loadtest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// TestRunRule: the idle gaps that separate runs, on requests as load tests make them.
func TestRunRule(t *testing.T) {
	const s, minute, hour, day = int64(time.Second), int64(time.Minute), int64(time.Hour), 24 * int64(time.Hour)
	// burst: n requests of 50 ms from t0, one every step (ns), as one thread would make.
	burst := func(t0 int64, n int, step int64) [][2]int64 {
		var out [][2]int64
		for i := range n {
			st := t0 + int64(i)*step
			out = append(out, [2]int64{st, st + 50e6})
		}
		return out
	}
	cat := func(parts ...[][2]int64) [][2]int64 {
		var out [][2]int64
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	t0 := int64(1795774052316) * 1e6
	for _, tc := range []struct {
		name string
		reqs [][2]int64
		want []int64 // requests per run
	}{
		{"one loaded run", burst(t0, 1000, 10e6), []int64{1000}},
		{"two loaded runs two days apart", cat(burst(t0, 1000, 10e6), burst(t0+2*day, 500, 10e6)), []int64{1000, 500}},
		{"three runs hours and days apart", cat(burst(t0, 300, 10e6), burst(t0+3*day, 200, 10e6), burst(t0+3*day+2*hour, 100, 10e6)), []int64{300, 200, 100}},
		{"think times of 5 s are one run", burst(t0, 200, 5*s), []int64{200}},
		{"a 9 min pause in a 20 min run is not a gap between runs", cat(burst(t0, 60000, 10e6), burst(t0+10*minute+9*minute, 60000, 10e6)), []int64{120000}},
		{"a 2 min pause in 20 min of heavy traffic is not", cat(burst(t0, 60000, 10e6), burst(t0+10*minute+2*minute, 60000, 10e6)), []int64{120000}},
		{"two 15 s runs 3 min apart are two runs", cat(burst(t0, 100, 150e6), burst(t0+15*s+3*minute, 100, 150e6)), []int64{100, 100}},
		{"two 1 s bursts 9 min apart are two runs", cat(burst(t0, 100, 10e6), burst(t0+10*s+9*minute, 100, 10e6)), []int64{100, 100}},
		{"a 50 s pause between two 15 s runs is not (< 1 min)", cat(burst(t0, 100, 150e6), burst(t0+15*s+50*s, 100, 150e6)), []int64{200}},
		{"a 3 min pause between runs of 5 min is not (shorter than the runs)", cat(burst(t0, 3000, 100e6), burst(t0+5*minute+3*minute, 3000, 100e6)), []int64{6000}},
		{"a 2 min gap next to 10 s think times is not (< 20×)", cat(burst(t0, 6, 10*s), burst(t0+50*s+2*minute, 6, 10*s)), []int64{12}},
		{"paced every 2 min: one run", burst(t0, 10, 2*minute), []int64{10}},
		{"paced every 5 min with a 12 min hiccup: one run", cat(burst(t0, 10, 5*minute), burst(t0+45*minute+12*minute, 10, 5*minute)), []int64{20}},
		{"runs with 1 min think times, a day apart", cat(burst(t0, 30, minute), burst(t0+day, 30, minute)), []int64{30, 30}},
		{"a 15 min pause next to 1 min think times is not (< 20×)", cat(burst(t0, 30, minute), burst(t0+29*minute+15*minute, 30, minute)), []int64{60}},
		{"a 30 min gap next to 1 min think times is", cat(burst(t0, 30, minute), burst(t0+29*minute+30*minute, 30, minute)), []int64{30, 30}},
		{"single requests days apart", cat(burst(t0, 1, s), burst(t0+day, 1, s), burst(t0+2*day, 1, s)), []int64{1, 1, 1}},
		{"a last run of one request", cat(burst(t0, 1000, 10e6), burst(t0+day, 1, s)), []int64{1000, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Written in the order threads finish, and recorded by two workers as the
			// parallel reader does (every other chunk of 64 requests).
			var w [2]coverage
			for i, r := range tc.reqs {
				w[i/64%2].add(r[0], r[1])
			}
			w[0].merge(&w[1])
			runs := splitRuns(w[0].intervals(), nil)
			var got []int64
			for _, r := range runs {
				got = append(got, r.Requests)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("runs of %v requests, want %v (%+v)", got, tc.want, runs)
			}
		})
	}
}

// appendedJTLs builds, from the two real JMeter 2.13 runs, a JTL of two runs two days
// apart the way JMeter writes one when both runs use the same -l file: the second run's
// rows after the first's, without a header (JMeter appends to an existing file without
// writing the header again; 2.13 wrote none by default). It returns the file, the
// second run alone (the same rows), and the shift applied to it.
func appendedJTLs(t *testing.T) (both, second string, shift int64) {
	t.Helper()
	shift = 2 * 24 * 3600 * 1000 // two days, in ms
	first, regressed := mustRead(t, "real/jmeter-2.13-baseline-run1.jtl"), mustRead(t, "real/jmeter-2.13-regressed-run1.jtl")
	var b strings.Builder
	for _, l := range strings.SplitAfter(regressed, "\n") {
		if ts, rest, ok := strings.Cut(l, ","); ok {
			v, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			l = strconv.FormatInt(v+shift, 10) + "," + rest
		}
		b.WriteString(l)
	}
	return first + b.String(), b.String(), shift
}

// jtlToXML writes the rows of a JMeter 2.13 CSV JTL (its twelve default columns) as the
// samples of an XML JTL, with JMeter's attribute names and order.
func jtlToXML(t *testing.T, csvJTL string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(csvJTL), "\n") {
		f := strings.Split(l, ",")
		if len(f) != 12 {
			t.Fatalf("%q", l)
		}
		fmt.Fprintf(&b, "<httpSample t=\"%s\" it=\"0\" lt=\"%s\" ts=\"%s\" s=\"%s\" lb=\"%s\" rc=\"%s\" rm=\"%s\" tn=\"%s\" dt=\"%s\" by=\"%s\" ng=\"%s\" na=\"%s\"/>\n",
			f[1], f[11], f[0], f[7], f[2], f[3], f[4], f[5], f[6], f[8], f[9], f[10])
	}
	return b.String()
}

// TestAppendedRuns: a JTL of two appended runs (CSV as JMeter appends, CSV put together
// from two files with their headers, XML as JMeter appends: one root, the second run's
// samples after the first's) holds two runs; read with the last run's window, it gives
// exactly what the second run's own file gives.
func TestAppendedRuns(t *testing.T) {
	both, second, _ := appendedJTLs(t)
	const header = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency\n"
	firstRun := strings.TrimSuffix(both, second)
	const prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n"
	for _, tc := range []struct {
		name, file, alone string
	}{
		{"csv appended", both, second},
		{"csv put together with its headers", header + firstRun + header + second, header + second},
		{"xml appended", prolog + jtlToXML(t, both) + "</testResults>\n", prolog + jtlToXML(t, second) + "</testResults>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{0, 4096} {
				// A window of a few lines: chunks of about chunk bytes (a CSV JTL with a
				// thread name is cut only with jtlWindow lines on each side).
				opt := Options{chunkSize: chunk, jtlWindow: 4}
				in, rows, skips := readOpt(t, tc.file, opt)
				runs := in.Runs()
				if skips.Count != 0 || len(runs) != 2 || runs[0].Requests != 2041 || runs[1].Requests != 1344 {
					t.Fatalf("chunks of %d: runs %+v, skips %+v", chunk, runs, skips)
				}
				if len(rows) != 7 || byKey(rows)["GET /health"].Requests != 294+194 {
					t.Fatalf("chunks of %d: the whole file: %d rows, GET /health %+v", chunk, len(rows), byKey(rows)["GET /health"])
				}
				alone, want, _ := readOpt(t, tc.alone, opt)
				opt.Run = &runs[1]
				in2, last, _ := readOpt(t, tc.file, opt)
				if g, w := describe(last, Skips{}, nil, in2.Runs(), nil), describe(want, Skips{}, nil, alone.Runs(), nil); fmt.Sprint(g) != fmt.Sprint(w) {
					t.Fatalf("chunks of %d: the last run read from the file:\n%v\nwant (its own file):\n%v", chunk, g, w)
				}
				if r := alone.Runs(); len(r) != 1 || r[0].Span != runs[1].Span || r[0].Requests != runs[1].Requests {
					t.Errorf("chunks of %d: the second run alone %+v, in the file %+v", chunk, r, runs[1])
				}
				// Its reading skips the chunks of the first run: at most one chunk before
				// its first request is parsed again.
				if f := runs[1].from; chunk > 0 && (f.offset < int64(len(tc.file)-len(tc.alone))-2*int64(chunk) || f.offset > int64(len(tc.file)-len(tc.alone))) {
					t.Errorf("chunks of %d: the last run is read from offset %d, its first request is at %d", chunk, f.offset, len(tc.file)-len(tc.alone))
				}
			}
		})
	}
}

// TestRepeatedHeader: a header line again in the middle of a CSV JTL (files put together
// with cat) is left out when it names the same columns, and fails the read, naming its
// line, when it names others: the rows after it would be read with the wrong columns.
func TestRepeatedHeader(t *testing.T) {
	const h = "timeStamp,elapsed,label,success\n"
	same := h + "1718000000000,5,a,true\n" + h + "1718200000000,7,a,true\n"
	_, rows, skips := readOpt(t, same, Options{})
	if skips.Count != 0 || len(rows) != 1 || rows[0].Requests != 2 {
		t.Errorf("same header: %+v %+v", rows, skips)
	}
	other := h + "1718000000000,5,a,true\n" + "timeStamp,elapsed,success,label\n" + "1718200000000,7,true,a\n"
	in, err := Open(strings.NewReader(other), "results.jtl", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Rows(func(Row) error { return nil })
	var fe *fileerr.Error
	if !errors.As(err, &fe) || fe.Line != 3 || !strings.Contains(err.Error(), "a header line with other columns than the first") {
		t.Errorf("other header: %v", err)
	}
}

// TestXMLKilledThenAppended: JMeter appends to an XML JTL by trimming its
// "</testResults>"; when the previous run was killed there is none, and JMeter writes the
// XML declaration and the root's start tag again, right where the file ends (inside a
// sample's start tag, when it was killed writing one), then the new run. Both runs are
// read; a start tag cut short is skipped and said, as is one that ends the file.
func TestXMLKilledThenAppended(t *testing.T) {
	both, second, _ := appendedJTLs(t)
	firstRun := strings.TrimSuffix(both, second)
	const prolog = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n"
	first, run2 := prolog+jtlToXML(t, firstRun), prolog+jtlToXML(t, second)+"</testResults>\n"
	lastTag := strings.LastIndex(first, "<httpSample")
	cutTag := first[:lastTag+len(`<httpSample t="12" it="0" lt="1`)] // killed writing a start tag
	lines := strings.Count(first[:lastTag], "\n") + 1
	nested := strings.TrimSuffix(first, "/>\n") + ">\n  <httpSample t=\"1\" ts=\"1\" s=\"true\" lb=\"sub\"/>\n  <responseData class=\"java.lang.String\">abc"
	for _, tc := range []struct {
		name, file string
		runs       []int64
		skipLine   int
		skipMsg    string
	}{
		{"killed between samples", first + run2, []int64{2041, 1344}, 0, ""},
		{"killed inside a sample's body", nested + run2, []int64{2041, 1344}, 0, ""},
		{"killed writing a start tag", cutTag + run2, []int64{2040, 1344}, lines, "a sample cut short where the next run's XML declaration starts"},
		{"killed writing a start tag, nothing appended", cutTag, []int64{2040}, lines, "the file ends inside a sample (a run killed?)"},
		{"killed writing a start tag, with a line end", cutTag + "\n" + run2, []int64{2040, 1344}, lines, "a sample cut short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{0, 4096, 100} {
				in, _, skips := readOpt(t, tc.file, Options{chunkSize: chunk})
				var got []int64
				for _, r := range in.Runs() {
					got = append(got, r.Requests)
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.runs) {
					t.Fatalf("chunks of %d: runs of %v requests, want %v", chunk, got, tc.runs)
				}
				if tc.skipMsg == "" && skips.Count != 0 || tc.skipMsg != "" && (skips.Count != 1 || !strings.Contains(skips.First, fmt.Sprintf("results.jtl:%d: %s", tc.skipLine, tc.skipMsg))) {
					t.Fatalf("chunks of %d: skips %+v, want line %d: %q", chunk, skips, tc.skipLine, tc.skipMsg)
				}
				if len(tc.runs) < 2 {
					continue
				}
				runs := in.Runs()
				_, last, _ := readOpt(t, tc.file, Options{chunkSize: chunk, Run: &runs[1]})
				_, want, _ := readOpt(t, run2, Options{chunkSize: chunk})
				if g, w := describe(last, Skips{}, nil, nil, nil), describe(want, Skips{}, nil, nil, nil); fmt.Sprint(g) != fmt.Sprint(w) {
					t.Fatalf("chunks of %d: the last run read from the file:\n%v\nwant (its own file):\n%v", chunk, g, w)
				}
			}
		})
	}
}

// TestShortRunsApart: a short test run twice a few minutes apart (JMeter appending to the
// same JTL) is two runs; a pause of the same length in a longer run is not a gap between
// runs, and a note names it (rps counts it as test time).
func TestShortRunsApart(t *testing.T) {
	// jtl writes runs of n requests, one every step ms from start (ms after t0).
	jtl := func(runs ...[3]int64) string {
		var b strings.Builder
		b.WriteString("timeStamp,elapsed,label,threadName,success\n")
		for _, r := range runs {
			for i := range r[1] {
				fmt.Fprintf(&b, "%d,%d,GET /a,TG 1-%d,true\n", 1764583200000+r[0]+i*r[2], 150+i%60, i%4+1)
			}
		}
		return b.String()
	}
	for _, tc := range []struct {
		name string
		file string
		runs []int64
		note string
	}{
		{"two 10 s runs 3 min apart", jtl([3]int64{0, 70, 140}, [3]int64{190_000, 60, 140}), []int64{70, 60}, ""},
		{"a 2 min pause in 10 min of traffic", jtl([3]int64{0, 3000, 100}, [3]int64{420_000, 3000, 100}), []int64{6000},
			"results.jtl: no request in flight for 2 min (2025-12-01 10:05:00 to 2025-12-01 10:07:00), inside a run"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, _, _ := readOpt(t, tc.file, Options{})
			var got []int64
			for _, r := range in.Runs() {
				got = append(got, r.Requests)
			}
			notes := strings.Join(in.Notes(), "\n")
			if fmt.Sprint(got) != fmt.Sprint(tc.runs) || tc.note == "" && notes != "" || !strings.Contains(notes, tc.note) {
				t.Errorf("runs of %v requests, want %v; notes %q, want %q", got, tc.runs, notes, tc.note)
			}
		})
	}
}

// TestAppendedOtherColumns: a run appended to a CSV JTL with other settings (JMeter
// writes no header into an existing file: here an 18th column, the hostname) makes
// every record of the new run malformed. When they end the file and are many, the read
// fails naming the line where they begin (the figures would be the earlier runs'); a few
// malformed records, or many followed by samples, are skipped.
func TestAppendedOtherColumns(t *testing.T) {
	const header = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"
	rows := func(t0 int64, n int, extra string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "%d,%d,GET /a,200,OK,TG 1-%d,text,true,,1234,120,4,4,http://h/a,40,0,3%s\n", t0+int64(i)*100, 50+i%40, i%4+1, extra)
		}
		return b.String()
	}
	run1 := header + rows(1764583200000, 120, "")
	for _, tc := range []struct {
		name     string
		file     string
		errLine  int
		skipped  int
		requests int64
	}{
		{"a run with an 18th column appended", run1 + rows(1764756000000, 60, ",myhost"), 122, 0, 0},
		{"ten such records", run1 + rows(1764756000000, 10, ",myhost"), 122, 0, 0},
		{"nine: skipped", run1 + rows(1764756000000, 9, ",myhost"), 0, 9, 120},
		{"many in the middle: skipped", run1 + rows(1764583300000, 30, ",myhost") + rows(1764583400000, 5, ""), 0, 30, 125},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{0, 300, 4096} {
				in, err := Open(strings.NewReader(tc.file), "results.jtl", Options{chunkSize: chunk, jtlWindow: 4})
				if err != nil {
					t.Fatal(err)
				}
				var got []Row
				skips, err := in.Rows(func(r Row) error { got = append(got, r); return nil })
				var fe *fileerr.Error
				if tc.errLine > 0 {
					if !errors.As(err, &fe) || fe.Line != tc.errLine || !strings.Contains(err.Error(), "malformed (the first: 18 fields, want 17): a run appended with other settings") {
						t.Fatalf("chunks of %d: %v, want an error at line %d", chunk, err, tc.errLine)
					}
					continue
				}
				if err != nil || skips.Count != tc.skipped || sumRequests(got) != tc.requests {
					t.Fatalf("chunks of %d: %v, skips %+v, %d requests", chunk, err, skips, sumRequests(got))
				}
			}
		})
	}
}
