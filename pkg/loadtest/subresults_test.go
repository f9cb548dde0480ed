package loadtest

import (
	"fmt"
	"strings"
	"testing"
)

// subResultsJTL is a CSV JTL as JMeter 5.x writes it when a sampler makes sub-results
// (a redirect and an embedded resource; the resource with its own redirect): the parent
// row, then its sub-results renamed "<label>-<n>" (and "<label>-<n>-<m>" below them),
// each row written when the parent sample ends. Three iterations of two threads.
func subResultsJTL() string {
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
	ts := int64(1718000000000)
	for i := range 6 {
		th := i%2 + 1
		ok := i != 4
		fmt.Fprintf(&b, "%d,120,GET /home,200,OK,TG 1-%d,text,%t,,9000,300,2,2,https://x/home,20,0,5\n", ts, th, ok)
		fmt.Fprintf(&b, "%d,20,GET /home-0,302,Found,TG 1-%d,text,true,,300,100,2,2,https://x/home,20,0,5\n", ts, th)
		fmt.Fprintf(&b, "%d,60,GET /home-1,200,OK,TG 1-%d,text,%t,,6000,100,2,2,https://x/home/,15,0,0\n", ts+20, th, ok)
		fmt.Fprintf(&b, "%d,40,GET /home-1-0,200,OK,TG 1-%d,text,true,,2700,100,2,2,https://x/app.js,10,0,0\n", ts+80, th)
		fmt.Fprintf(&b, "%d,30,POST /login,200,OK,TG 1-%d,text,true,,500,200,2,2,https://x/login,25,0,3\n", ts+130, th)
		ts += 1000
	}
	return b.String()
}

// The same samples in an XML JTL: sub-results nest in their parent.
func subResultsXML() string {
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n")
	ts := int64(1718000000000)
	for i := range 6 {
		th := i%2 + 1
		ok := i != 4
		fmt.Fprintf(&b, "<httpSample t=\"120\" it=\"0\" lt=\"20\" ct=\"5\" ts=\"%d\" s=\"%t\" lb=\"GET /home\" rc=\"200\" rm=\"OK\" tn=\"TG 1-%d\" dt=\"text\" by=\"9000\" sby=\"300\" ng=\"2\" na=\"2\">\n", ts, ok, th)
		fmt.Fprintf(&b, "  <httpSample t=\"20\" it=\"0\" lt=\"20\" ct=\"5\" ts=\"%d\" s=\"true\" lb=\"GET /home-0\" rc=\"302\" rm=\"Found\" tn=\"TG 1-%d\" dt=\"text\" by=\"300\" sby=\"100\" ng=\"2\" na=\"2\">\n    <java.net.URL>https://x/home</java.net.URL>\n  </httpSample>\n", ts, th)
		fmt.Fprintf(&b, "  <httpSample t=\"60\" it=\"0\" lt=\"15\" ct=\"0\" ts=\"%d\" s=\"%t\" lb=\"GET /home-1\" rc=\"200\" rm=\"OK\" tn=\"TG 1-%d\" dt=\"text\" by=\"6000\" sby=\"100\" ng=\"2\" na=\"2\">\n", ts+20, ok, th)
		fmt.Fprintf(&b, "    <httpSample t=\"40\" it=\"0\" lt=\"10\" ct=\"0\" ts=\"%d\" s=\"true\" lb=\"GET /home-1-0\" rc=\"200\" rm=\"OK\" tn=\"TG 1-%d\" dt=\"text\" by=\"2700\" sby=\"100\" ng=\"2\" na=\"2\"/>\n  </httpSample>\n", ts+80, th)
		fmt.Fprintf(&b, "  <java.net.URL>https://x/home</java.net.URL>\n</httpSample>\n")
		fmt.Fprintf(&b, "<httpSample t=\"30\" it=\"0\" lt=\"25\" ct=\"3\" ts=\"%d\" s=\"true\" lb=\"POST /login\" rc=\"200\" rm=\"OK\" tn=\"TG 1-%d\" dt=\"text\" by=\"500\" sby=\"200\" ng=\"2\" na=\"2\"/>\n", ts+130, th)
		ts += 1000
	}
	b.WriteString("</testResults>\n")
	return b.String()
}

// TestSubResults: folded (the default), a sample counts once with its sub-results inside
// it; separate, every sub-result counts under its own label too, as JMeter's dashboard
// lists them — in CSV and XML alike, read whole and in chunks that cut everywhere.
func TestSubResults(t *testing.T) {
	type ep struct {
		n, failed int64
		avg       float64
	}
	fold := map[string]ep{"GET /home": {6, 1, 120}, "POST /login": {6, 0, 30}}
	separate := map[string]ep{"GET /home": {6, 1, 120}, "GET /home-0": {6, 0, 20}, "GET /home-1": {6, 1, 60}, "GET /home-1-0": {6, 0, 40}, "POST /login": {6, 0, 30}}
	for _, file := range []struct{ name, content string }{{"csv", subResultsJTL()}, {"xml", subResultsXML()}} {
		for _, tc := range []struct {
			mode SubResults
			want map[string]ep
		}{{"", fold}, {SubResultsFold, fold}, {SubResultsSeparate, separate}} {
			for _, chunk := range []int{0, 64, 300} {
				in, rows, skips := readOpt(t, file.content, Options{SubResults: tc.mode, chunkSize: chunk})
				got := map[string]ep{}
				for _, r := range rows {
					got[r.Name] = ep{r.Requests, r.Failures, r.AvgMs}
				}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) || skips.Count != 0 {
					t.Errorf("%s %q, chunks of %d: %v (skips %+v), want %v", file.name, tc.mode, chunk, got, skips, tc.want)
				}
				if runs := in.Runs(); len(runs) != 1 || runs[0].Requests != sumRequests(rows) {
					t.Errorf("%s %q: runs %+v", file.name, tc.mode, runs)
				}
			}
		}
	}
}

// readOpt reads content with opt (its format detected) and fails the test on an error.
func readOpt(t *testing.T, content string, opt Options) (*Input, []Row, Skips) {
	t.Helper()
	in, err := Open(strings.NewReader(content), "results.jtl", opt)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	skips, err := in.Rows(func(r Row) error { rows = append(rows, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	return in, rows, skips
}

func sumRequests(rows []Row) int64 {
	var n int64
	for _, r := range rows {
		n += r.Requests
	}
	return n
}

func TestParseSubResults(t *testing.T) {
	for in, want := range map[string]SubResults{"": SubResultsFold, "fold": SubResultsFold, "separate": SubResultsSeparate} {
		if got, err := ParseSubResults(in); got != want || err != nil {
			t.Errorf("ParseSubResults(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseSubResults("split"); err == nil {
		t.Error("ParseSubResults(split): no error")
	}
}

// interleavedJTL is a CSV JTL of many threads as JMeter writes one: the writes of the
// threads are not synchronized with each other, so a row of another thread can land
// between a sample and its sub-results (each row is written whole). Thread k's
// sub-results of iteration i come after the rows of gap(i, k) other threads. With
// threadName false, the column is left out.
func interleavedJTL(threads, iterations int, gap func(i, k int) int, threadName bool) string {
	var b strings.Builder
	if threadName {
		b.WriteString("timeStamp,elapsed,label,responseCode,threadName,success,bytes\n")
	} else {
		b.WriteString("timeStamp,elapsed,label,responseCode,success,bytes\n")
	}
	row := func(ts int64, elapsed int, label string, k int) {
		th := ""
		if threadName {
			th = fmt.Sprintf("TG 1-%d,", k)
		}
		fmt.Fprintf(&b, "%d,%d,%s,200,%strue,100\n", ts, elapsed, label, th)
	}
	ts := int64(1718000000000)
	for i := range iterations {
		for k := 1; k <= threads; k++ {
			row(ts, 120, "Home", k)
			for j := range gap(i, k) {
				row(ts+5, 30, "Login", (k+j)%threads+1)
			}
			row(ts, 20, "Home-0", k)
			row(ts+20, 100, "Home-1", k)
			ts += 10
		}
	}
	return b.String()
}

// TestSubResultsInterleaved: in a CSV JTL with a threadName column, a sub-result is told
// by its thread even when other threads' rows stand between it and its parent, read
// whole and in chunks cut everywhere; a sub-result more than jtlWindow lines below its
// parent is a sample of its own.
func TestSubResultsInterleaved(t *testing.T) {
	gaps := func(i, k int) int { return (i*7 + k*3) % 5 }
	file := interleavedJTL(8, 200, gaps, true)
	logins := 0
	for i := range 200 {
		for k := 1; k <= 8; k++ {
			logins += gaps(i, k)
		}
	}
	for _, chunk := range []int{0, 300, 4096, 65536} {
		for _, mode := range []SubResults{SubResultsFold, SubResultsSeparate} {
			_, rows, skips := readOpt(t, file, Options{SubResults: mode, chunkSize: chunk})
			got := map[string]int64{}
			for _, r := range rows {
				got[r.Name] = r.Requests
			}
			want := map[string]int64{"Home": 1600, "Login": int64(logins)}
			if mode == SubResultsSeparate {
				want["Home-0"], want["Home-1"] = 1600, 1600
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || skips.Count != 0 {
				t.Errorf("%q, chunks of %d: %v, want %v", mode, chunk, got, want)
			}
		}
	}
	far := interleavedJTL(2, 1, func(int, int) int { return jtlWindow }, true)
	if _, rows, _ := readOpt(t, far, Options{}); len(rows) != 4 {
		t.Errorf("sub-results %d lines below their parent: %d endpoints, want Home, Home-0, Home-1, Login", jtlWindow+1, len(rows))
	}
	// Without the column, a sub-result is one only right after its parent, as before.
	plain := interleavedJTL(2, 3, func(i, k int) int { return k - 1 }, false)
	if _, rows, _ := readOpt(t, plain, Options{}); len(rows) != 4 || rows[0].Name != "Home" || rows[0].Requests != 6 {
		t.Errorf("without threadName: %+v", rows)
	}
}

// TestJTLParentsModes: the ring of last samples and the map by thread it becomes tell
// the same sub-results, on rows of many threads whose labels end in digits.
func TestJTLParentsModes(t *testing.T) {
	labels := []string{"a", "a-0", "a-1", "a-0-1", "b-1", "b-1-0", "b-2", "c"}
	ring, mapped := jtlParents{window: 8}, jtlParents{window: 8}
	mapped.threads = newJTLThreads(nil, 0)
	seed := uint32(7)
	for line := 1; line < 20000; line++ {
		seed = seed*1664525 + 1013904223
		th := []byte(fmt.Sprintf("TG 1-%d", seed>>8%13))
		label := []byte(labels[seed>>16%uint32(len(labels))])
		line += int(seed>>28) % 3 // multi-line records, skipped lines
		if a, b := ring.sub(th, label, line), mapped.sub(th, label, line); a != b {
			t.Fatalf("line %d, %s %s: ring %v, map %v", line, th, label, a, b)
		}
	}
	if ring.threads == nil {
		t.Errorf("the ring never became a map")
	}
}
