package extract

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMissingPercentileSaid: a percentile an input lacks next to others is left out and
// stderr says so (issue 17, item 1): k6's default summary has no p99; a JMeter dashboard
// with other percentile settings gives neither p95 nor p99. An estimate kept at the max
// says so.
func TestMissingPercentileSaid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ input, want string }{
		{"loadtest/k6-0.49-summary-export-default-trend-stats.json",
			"⚠️ all: p99_latency_ms left out: the input has p50, p90 and p95 but not p99; a percentile is estimated from the average only when an input has none (k6's --summary-export and handleSummary data hold p(99) when --summary-trend-stats lists it); a threshold on it is not compared (--fail-on-missing fails)\n"},
		{"loadtest/jmeter-5.6-statistics-pct-99-95-90.json",
			"⚠️ GET /api/users: p95_latency_ms and p99_latency_ms left out: the input holds percentiles, but none that gives it (a note above may say why); a percentile is estimated from the average only when an input has none; a threshold on it is not compared (--fail-on-missing fails)\n"},
		{"locust/locust-2.12.1-baseline-run1_stats_history.csv",
			"⚠️ /api/rag/query: the input has no percentiles of the whole run; p95_latency_ms and p99_latency_ms estimated from the average (p95 = int(1.4 × avg), p99 = int(1.7 × avg)); p99 kept at the max 152.27, as no percentile exceeds the max nor falls below the median\n"},
	} {
		r := runCmd(t, false, "--group-by", "endpoint", td+tc.input, filepath.Join(t.TempDir(), "out.json"))
		if r.code != 0 || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%s: exit %d, stderr:\n%s", tc.input, r.code, r.stderr)
		}
	}
}

// appendedJTL writes, from the two real JMeter 2.13 runs, the JTL that JMeter leaves when
// both runs write to the same -l file two days apart: the second run's rows appended
// after the first's, no header (2.13 wrote none; JMeter never writes one when it
// appends). It returns that file and the second run's own file, moved by the same two
// days.
func appendedJTL(t *testing.T, dir string) (both, second string) {
	t.Helper()
	first, err := os.ReadFile(td + "real/jmeter-2.13-baseline-run1.jtl")
	if err != nil {
		t.Fatal(err)
	}
	regressed, err := os.ReadFile(td + "real/jmeter-2.13-regressed-run1.jtl")
	if err != nil {
		t.Fatal(err)
	}
	var moved strings.Builder
	for _, l := range strings.SplitAfter(string(regressed), "\n") {
		if ts, rest, ok := strings.Cut(l, ","); ok {
			v, err := strconv.ParseInt(ts, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			l = strconv.FormatInt(v+2*24*3600*1000, 10) + "," + rest
		}
		moved.WriteString(l)
	}
	return writeFile(t, dir, "results.jtl", string(first)+moved.String()), writeFile(t, dir, "second.jtl", moved.String())
}

// readMetrics reads a metrics file as JSON.
func readMetrics(t *testing.T, path string) map[string]map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestAppendedRuns: a JTL holding two runs two days apart is read for its last run —
// the very metrics of that run's own file, rps included — and says so on stderr;
// --all-runs reads both and takes rps over the time they ran.
func TestAppendedRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	both, second := appendedJTL(t, dir)
	outAlone, out := filepath.Join(dir, "alone.json"), filepath.Join(dir, "out.json")
	if r := runCmd(t, false, "--group-by", "endpoint", second, outAlone); r.code != 0 || r.stderr != "" {
		t.Fatalf("the second run alone: exit %d: %s", r.code, r.stderr)
	}
	r := runCmd(t, false, "--group-by", "endpoint", both, out)
	want := "⚠️ " + both + " holds 2 runs appended (2026-11-27 10:07:32–10:07:47, 2041 requests; 2026-11-29 10:07:48–10:08:03, 1344 requests); reading the last one: 2026-11-29 10:07:48–10:08:03, 1344 requests (--all-runs reads them all)\n"
	if r.code != 0 || r.stderr != want {
		t.Fatalf("exit %d, stderr\n%q\nwant\n%q", r.code, r.stderr, want)
	}
	got, _ := os.ReadFile(out)
	alone, _ := os.ReadFile(outAlone)
	if string(got) != string(alone) {
		t.Errorf("the last run read from the appended file differs from its own file:\n%s\nwant\n%s", got, alone)
	}
	if rps := readMetrics(t, out)["GET /health"]["rps"].(float64); math.Abs(rps-194/14.873) > 1e-9 {
		t.Errorf("rps %v, want 194 requests over 14.873 s", rps)
	}

	r = runCmd(t, true, "--group-by", "endpoint", "--all-runs", both, out)
	if r.code != 0 || !strings.Contains(r.stderr, "reading all of them (--all-runs): rps over the 30 s they ran, not the 2 d the file spans\n") {
		t.Fatalf("--all-runs: exit %d: %s", r.code, r.stderr)
	}
	m := readMetrics(t, out)
	health := m["GET /health"]
	if health["total_requests"].(float64) != 294+194 || math.Abs(health["rps"].(float64)-(294+194)/(14.696+14.873)) > 1e-9 {
		t.Errorf("--all-runs: GET /health %v requests, rps %v; want 488 over 14.696 + 14.873 s", health["total_requests"], health["rps"])
	}
}

// TestAppendedRunsXML: the same two runs in an XML JTL, as JMeter appends one (it cuts
// </testResults> and writes the new samples after the old ones, in the same root).
func TestAppendedRunsXML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	both, second := appendedJTL(t, dir)
	toXML := func(path string) string {
		b, _ := os.ReadFile(path)
		var x strings.Builder
		x.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n")
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			f := strings.Split(l, ",")
			fmt.Fprintf(&x, "<httpSample t=%q it=\"0\" lt=%q ts=%q s=%q lb=%q rc=%q rm=%q tn=%q dt=%q by=%q ng=%q na=%q/>\n", f[1], f[11], f[0], f[7], f[2], f[3], f[4], f[5], f[6], f[8], f[9], f[10])
		}
		x.WriteString("</testResults>\n")
		return writeFile(t, dir, filepath.Base(path)+".xml", x.String())
	}
	bothXML, secondXML := toXML(both), toXML(second)
	outAlone, out := filepath.Join(dir, "alone.json"), filepath.Join(dir, "out.json")
	runCmd(t, false, "--group-by", "endpoint", secondXML, outAlone)
	r := runCmd(t, false, "--group-by", "endpoint", bothXML, out)
	if r.code != 0 || !strings.Contains(r.stderr, "holds 2 runs appended (") || !strings.Contains(r.stderr, "reading the last one: 2026-11-29 10:07:48–10:08:03, 1344 requests") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(out)
	alone, _ := os.ReadFile(outAlone)
	if strings.Replace(string(got), "jmeter-xml", "", 1) != strings.Replace(string(alone), "jmeter-xml", "", 1) || len(got) == 0 {
		t.Errorf("the last run read from the appended XML differs from its own file:\n%s\nwant\n%s", got, alone)
	}
}

// TestLastRunOfOneRequest: a last run of a single request has an rps only when the
// request took time; one of 0 ms gives no rps at all, never an infinite one.
func TestLastRunOfOneRequest(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var jtl strings.Builder
	jtl.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
	for i := range 100 {
		fmt.Fprintf(&jtl, "%d,%d,GET /a,200,OK,TG 1-1,text,true,,100,10,1,1,https://x/a,5,0,1\n", 1718000000000+int64(i)*100, 20+i%7)
	}
	for _, tc := range []struct {
		elapsed string
		rps     any
	}{{"0", nil}, {"8", 125.0}} {
		in := writeFile(t, dir, "one"+tc.elapsed+".jtl", jtl.String()+"1718100000000,"+tc.elapsed+",GET /a,200,OK,TG 1-1,text,true,,100,10,1,1,https://x/a,5,0,1\n")
		out := filepath.Join(dir, "out"+tc.elapsed+".json")
		r := runCmd(t, false, "--group-by", "endpoint", in, out)
		if r.code != 0 || !strings.Contains(r.stderr, "reading the last one: 2024-06-11 10:00:00–10:00:00, 1 request (") {
			t.Fatalf("elapsed %s: exit %d: %s", tc.elapsed, r.code, r.stderr)
		}
		a := readMetrics(t, out)["GET /a"]
		if a["total_requests"].(float64) != 1 || a["rps"] != tc.rps {
			t.Errorf("elapsed %s: %v requests, rps %v; want 1, %v", tc.elapsed, a["total_requests"], a["rps"], tc.rps)
		}
	}
}

// TestGBKLocustNames: a Locust _stats.csv written on a Chinese Windows (GBK names, the
// "\r\r\n" of csv.writer through a text-mode file) keeps its two endpoints apart, with
// one warning naming the file and the line.
func TestGBKLocustNames(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := writeFile(t, dir, "gbk_stats.csv", strings.ReplaceAll("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"+
		"GET,/api/\xd3\xc3\xbb\xa7,120,2,48,61.3,21,488,1254,4.01,0.06,48,55,62,68,92,140,250,310,490,490,490\n"+ // /api/用户
		"GET,/api/\xb6\xa9\xb5\xa5,80,0,50,60.5,22,300,1254,2.67,0,50,55,60,66,90,120,200,280,300,300,300\n"+ // /api/订单
		",Aggregated,200,2,48,61,21,488,1254,6.68,0.06,48,55,62,68,92,140,250,310,490,490,490\n", "\n", "\r\r\n"))
	out := filepath.Join(dir, "out.json")
	r := runCmd(t, false, "--group-by", "endpoint", in, out)
	if r.code != 0 || strings.Count(r.stderr, "⚠️") != 1 || !strings.HasPrefix(r.stderr, "⚠️ "+in+`:2: names that are not UTF-8 (the first: "GET /api/\xd3\xc3\xbb\xa7")`) {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	m := readMetrics(t, out)
	users, orders := m[`/api/\xd3\xc3\xbb\xa7`], m[`/api/\xb6\xa9\xb5\xa5`]
	if len(m) != 3 || users["total_requests"] != 120.0 || orders["total_requests"] != 80.0 {
		t.Errorf("two GBK names must stay two endpoints: %v", m)
	}
}
