package loadtest

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func byKey(rows []Row) map[string]Row {
	m := map[string]Row{}
	for _, r := range rows {
		m[rowKey(r)] = r
	}
	return m
}

func q(t *testing.T, r Row, p float64) float64 {
	t.Helper()
	ns, ok := r.Samples.Quantile(p)
	if !ok {
		t.Fatalf("%s: no samples", rowKey(r))
	}
	return float64(ns) / 1e6
}

func TestJTLQuotingDelimitersAndSubResults(t *testing.T) {
	jtl := "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n" +
		"1718000000123,48,GET /api/users,200,OK,TG 1-1,text,true,,1532,141,1,1,https://x/api/users,45,0,12\n" +
		"1718000000180,5012,\"POST /api/login, v2\",Non HTTP response code: java.net.SocketTimeoutException,\"Non HTTP response message: Read timed out\",TG 1-2,text,false,\"Timeout, after 5s\nwhile \"\"reading\"\"\",2250,512,2,2,https://x/api/login,0,0,10\n" +
		"1718000000181,30,\"POST /api/login, v2-0\",200,OK,TG 1-2,text,true,,10,10,2,2,https://x/a,0,0,0\n" + // a sub-result of the row above
		"1718000000200,60,Login flow,200,\"Number of samples in transaction : 2, number of failing samples : 1\",TG 1-2,,false,,3782,653,2,2,null,45,0,22\n" +
		"1718000000300,52,GET /api/users,500,Internal Server Error,TG 1-1,text,false,,1532,141,1,1,https://x/api/users,45,0,0\n"
	rows, format, err := readAll(t, "r.jtl", jtl, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatJMeterCSV {
		t.Fatalf("format %q", format)
	}
	m := byKey(rows)
	if len(m) != 3 {
		t.Fatalf("rows %v", m)
	}
	login := m["POST /api/login, v2"]
	if login.Requests != 1 || login.Failures != 1 || login.AvgMs != 5012 {
		t.Errorf("login %+v", login)
	}
	users := m["GET /api/users"]
	if users.Requests != 2 || users.Failures != 1 || users.AvgMs != 50 || q(t, users, 0.5) != 48 || q(t, users, 1) != 52 {
		t.Errorf("users %+v", users)
	}
	if m["Login flow"].Requests != 1 {
		t.Errorf("transaction controller row %+v", m["Login flow"])
	}
	if !users.Span.OK || users.Span.StartNs != 1718000000123*1e6 || users.Span.EndNs != (1718000000300+52)*1e6 {
		t.Errorf("span %+v", users.Span)
	}

	// Semicolon and tab delimiters.
	for _, d := range []string{";", "\t"} {
		j := strings.ReplaceAll("timeStamp,elapsed,label,responseCode,success\n1718000000123,48,a;b\t,200,true\n", ",", d)
		j = strings.Replace(j, "a;b\t", `"a;b`+"\t"+`"`, 1)
		rows, _, err := readAll(t, "d.jtl", j, FormatAuto)
		if err != nil || len(rows) != 1 || rows[0].Name != "a;b\t" {
			t.Errorf("delimiter %q: %+v %v", d, rows, err)
		}
	}
}

func TestJTLHeaderlessAndCustomColumns(t *testing.T) {
	// 2.13's 12 default columns, no header (the real files in testdata/real are this).
	rows, format, err := readAll(t, "h.jtl", "1795774052363,33,GET /health,200,OK,AI suite users 1-3,text,true,165,3,3,33\n1795774052316,80,GET /health,500,Err,AI suite users 1-1,text,false,165,3,3,80\n", FormatAuto)
	if err != nil || format != FormatJMeterCSV || len(rows) != 1 || rows[0].Requests != 2 || rows[0].Failures != 1 {
		t.Fatalf("%q %+v %v", format, rows, err)
	}
	// A custom save configuration: --jtl-columns.
	in, err := Open(strings.NewReader("1795774052363|GET /x|true|33\n"), "c.jtl", Options{Format: FormatJMeterCSV, JTLColumns: []string{"timeStamp", "label", "success", "elapsed"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []Row
	if _, err := in.Rows(func(r Row) error { got = append(got, r); return nil }); err != nil || len(got) != 1 || got[0].AvgMs != 33 || got[0].Name != "GET /x" {
		t.Errorf("%+v %v", got, err)
	}
	// An unknown column count without --jtl-columns is an error that says what to do.
	_, _, err = readAll(t, "u.jtl", "1795774052363,33,GET /health,200,OK,x,text,true,165,3\n", FormatAuto)
	if err == nil || err.Error() != "u.jtl:1: JTL without a header and with 10 columns: no default column set has that many; give the columns with --jtl-columns" {
		t.Errorf("err %v", err)
	}
}

func TestMalformedRecordsAreSkippedAndCounted(t *testing.T) {
	const header = "timeStamp,elapsed,label,responseCode,success\n"
	in, err := Open(strings.NewReader(header+
		"1718000000123,48,GET /a,200,true\n"+
		"1718000000124,fast,GET /a,200,true\n"+ // non-numeric elapsed
		"1718000000125,48,GET /a\n"+ // wrong column count
		"1718000000126,50,GET /a,200,maybe\n"+
		"1718000000127,52,GET /a,200,false\n"+
		"1718000000128,5"), "m.jtl", Options{}) // truncated last line
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	skips, err := in.Rows(func(r Row) error { rows = append(rows, r); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Requests != 2 || rows[0].Failures != 1 {
		t.Errorf("rows %+v", rows)
	}
	if skips.Count != 4 || skips.First != `m.jtl:3: elapsed "fast" is not a duration in ms` {
		t.Errorf("skipped %+v", skips)
	}
	_, _, err = readAll(t, "bad.jtl", header+"1718000000124,fast,GET /a,200,true\n", FormatAuto)
	if err == nil || err.Error() != `bad.jtl: no usable sample: all 1 records malformed (first: bad.jtl:2: elapsed "fast" is not a duration in ms)` {
		t.Errorf("err %v", err)
	}
}

func TestJTLXMLAndStatistics(t *testing.T) {
	xmlJTL := `<?xml version="1.0" encoding="UTF-8"?>
<testResults version="1.2">
<httpSample t="48" it="0" lt="45" ct="12" ts="1718000000123" s="true" lb="GET /api/users" rc="200" rm="OK" tn="TG 1-1" dt="text" by="1532" sby="141" ng="1" na="1">
  <java.net.URL>https://example.com/api/users</java.net.URL>
</httpSample>
<sample t="60" it="0" lt="45" ct="22" ts="1718000000200" s="false" lb="Login flow" rc="200" rm="Number of samples in transaction : 2, number of failing samples : 1" tn="TG 1-2" dt="" by="3782" sby="653" ng="2" na="2">
  <httpSample t="20" ts="1718000000200" s="true" lb="GET /login" rc="200"/>
  <httpSample t="40" ts="1718000000220" s="false" lb="POST /login" rc="500"/>
  <assertionResult><name>Response Assertion</name><failure>true</failure></assertionResult>
</sample>
<httpSample t="52" ts="1718000000300" s="true" lb="GET /api/users" rc="200"/>
`
	rows, format, err := readAll(t, "r.xml", xmlJTL, FormatAuto) // no </testResults>: JMeter was killed
	if err != nil || format != FormatJMeterXML {
		t.Fatalf("%q %v", format, err)
	}
	m := byKey(rows)
	if len(m) != 2 || m["GET /api/users"].Requests != 2 || m["Login flow"].Failures != 1 || m["Login flow"].AvgMs != 60 {
		t.Errorf("nested sub-samples must not count: %+v", m)
	}

	stats := `{
  "Total": {"transaction": "Total", "sampleCount": 150, "errorCount": 2, "errorPct": 1.3333334, "meanResTime": 61.3, "medianResTime": 48.0, "minResTime": 21.0, "maxResTime": 488.0, "pct1ResTime": 92.0, "pct2ResTime": 140.0, "pct3ResTime": 310.49, "throughput": 5.01, "receivedKBytesPerSec": 5.12, "sentKBytesPerSec": 0.61},
  "GET /api/users": {"transaction": "GET /api/users", "sampleCount": 120, "errorCount": 0, "errorPct": 0.0, "meanResTime": 55.0, "medianResTime": 47.0, "minResTime": 21.0, "maxResTime": 300.0, "pct1ResTime": 80.0, "pct2ResTime": 120.0, "pct3ResTime": 250.0, "throughput": 4.0, "receivedKBytesPerSec": 4.0, "sentKBytesPerSec": 0.5}
}`
	rows, format, err = readAll(t, "statistics.json", stats, FormatAuto)
	if err != nil || format != FormatJMeterStatistics || len(rows) != 2 {
		t.Fatalf("%q %v %v", format, rows, err)
	}
	u := byKey(rows)["GET /api/users"]
	// rps over the test (150 / 5.01 s), as from a JTL of the run, not the label's own
	// throughput (4.0, over its own first to last sample)
	if u.Requests != 120 || u.MedianMs != 47 || math.Abs(u.RPS-120*5.01/150) > 1e-9 || len(u.Ladder) != 3 || u.Ladder[1] != (Point{95, 120}) || !byKey(rows)["Total"].Total {
		t.Errorf("%+v", u)
	}
}

// k6: one run written as NDJSON, CSV and the three summary shapes agrees on counts and
// averages. The run: GET /a 10, 20, 30 ms (one 500); POST /b 40, 60 ms.
var k6Points = []struct {
	method, name, status string
	ms                   float64
	failed               int
	time                 string
	unix                 string
}{
	{"GET", "/a", "200", 10, 0, "2024-06-10T08:13:21.000000000+02:00", "1718000001"},
	{"GET", "/a", "500", 20, 1, "2024-06-10T08:13:22.000000000+02:00", "1718000002"},
	{"POST", "/b", "200", 40, 0, "2024-06-10T08:13:23.000000000+02:00", "1718000003"},
	{"GET", "/a", "200", 30, 0, "2024-06-10T08:13:24.000000000+02:00", "1718000004"},
	{"POST", "/b", "200", 60, 0, "2024-06-10T08:13:25.000000000+02:00", "1718000005"},
}

func k6NDJSON() string {
	var b strings.Builder
	b.WriteString(`{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":null},"metric":"http_req_duration"}` + "\n")
	for _, p := range k6Points {
		tags := `{"expected_response":"true","group":"","method":"` + p.method + `","name":"` + p.name + `","proto":"HTTP/1.1","scenario":"default","status":"` + p.status + `","url":"` + p.name + `"}`
		b.WriteString(`{"metric":"http_reqs","type":"Point","data":{"time":"` + p.time + `","value":1,"tags":` + tags + "}}\n")
		b.WriteString(`{"metric":"http_req_duration","type":"Point","data":{"time":"` + p.time + `","value":` + ftoa(p.ms) + `,"tags":` + tags + "}}\n")
		b.WriteString(`{"type":"Point","data":{"time":"` + p.time + `","value":` + itoa(p.failed) + `,"tags":` + tags + `},"metric":"http_req_failed"}` + "\n")
	}
	return b.String()
}

func k6CSV() string {
	var b strings.Builder
	b.WriteString("metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata\n")
	for _, p := range k6Points {
		row := func(m string, v float64) {
			b.WriteString(m + "," + p.unix + "," + ftoa(v) + ",,,,true,," + p.method + "," + p.name + ",HTTP/1.1,default,," + p.status + ",,," + p.name + ",,\n")
		}
		row("http_reqs", 1)
		row("http_req_duration", p.ms)
		row("http_req_failed", float64(p.failed))
	}
	return b.String()
}

func ftoa(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func itoa(i int) string { return strconv.Itoa(i) }

func TestK6OutputsAgree(t *testing.T) {
	const handleSummary = `{"root_group": {"name": "", "path": "", "id": "d41d", "groups": [], "checks": []},
 "options": {"summaryTrendStats": ["avg","min","med","max","p(90)","p(95)","p(99)"]},
 "state": {"isStdOutTTY": false, "testRunDurationMs": 5000},
 "metrics": {
  "http_req_duration": {"type": "trend", "contains": "time", "values": {"avg": 32, "min": 10, "med": 30, "max": 60, "p(90)": 52, "p(95)": 56, "p(99)": 59.2}},
  "http_req_duration{name:/a}": {"type": "trend", "contains": "time", "values": {"avg": 20, "min": 10, "med": 20, "max": 30, "p(90)": 28, "p(95)": 29, "p(99)": 29.8}, "thresholds": {"p(95)<500": {"ok": true}}},
  "http_req_duration{name:/b}": {"type": "trend", "contains": "time", "values": {"avg": 50, "min": 40, "med": 50, "max": 60, "p(90)": 58, "p(95)": 59, "p(99)": 59.8}, "thresholds": {"p(95)<500": {"ok": true}}},
  "http_req_duration{name:/never}": {"type": "trend", "contains": "time", "values": {"avg": 0, "min": 0, "med": 0, "max": 0, "p(90)": 0, "p(95)": 0, "p(99)": 0}, "thresholds": {"p(95)<500": {"ok": true}}},
  "http_req_failed": {"type": "rate", "contains": "default", "values": {"rate": 0.2, "passes": 1, "fails": 4}},
  "http_req_failed{name:/a}": {"type": "rate", "contains": "default", "values": {"rate": 0.3333, "passes": 1, "fails": 2}, "thresholds": {"rate<0.5": {"ok": true}}},
  "http_req_failed{name:/b}": {"type": "rate", "contains": "default", "values": {"rate": 0, "passes": 0, "fails": 2}, "thresholds": {"rate<0.5": {"ok": true}}},
  "http_reqs": {"type": "counter", "contains": "default", "values": {"count": 5, "rate": 1}},
  "vus": {"type": "gauge", "contains": "default", "values": {"value": 1, "min": 1, "max": 1}}}}`
	const export = `{"root_group": {"name": "", "path": "", "id": "d41d", "groups": {}, "checks": {}},
 "metrics": {
  "http_req_duration": {"avg": 32, "min": 10, "med": 30, "max": 60, "p(90)": 52, "p(95)": 56, "thresholds": {"p(95)<500": false}},
  "http_req_failed": {"value": 0.2, "passes": 1, "fails": 4},
  "http_reqs": {"count": 5, "rate": 1}}}`
	const machine = `{"version": "1.0.0", "config": {"duration": 5, "execution": "local", "script": "x"},
 "metadata": {"generatedAt": "2026-01-05T10:00:00.123Z", "k6Version": "1.5.0"},
 "results": {"checks": {"metrics": [], "results": []}, "metrics": [
  {"name": "http_req_duration", "type": "trend", "contains": "time", "values": {"avg": 32, "max": 60, "med": 30, "min": 10, "p(90)": 52, "p(95)": 56}},
  {"name": "http_req_failed", "type": "rate", "contains": "default", "values": {"matches": 1, "total": 5, "rate": 0.2}},
  {"name": "http_reqs", "type": "counter", "contains": "default", "values": {"count": 5}}]}}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(k6NDJSON()))
	zw.Close()

	perEndpoint := func(name, content string, want Format) map[string]Row {
		rows, f, err := readAll(t, name, content, FormatAuto)
		if err != nil || f != want {
			t.Fatalf("%s: %q %v", name, f, err)
		}
		m := map[string]Row{}
		for _, r := range rows {
			m[r.Name] = r
		}
		return m
	}
	for _, c := range []struct {
		name, content string
		format        Format
	}{
		{"out.json", k6NDJSON(), FormatK6JSON},
		{"out.json.gz", gz.String(), FormatK6JSON},
		{"out.csv", k6CSV(), FormatK6CSV},
		{"summary.json", handleSummary, FormatK6Summary},
	} {
		m := perEndpoint(c.name, c.content, c.format)
		a, b := m["/a"], m["/b"]
		if len(m) != 2 || a.Requests != 3 || a.Failures != 1 || a.AvgMs != 20 || b.Requests != 2 || b.Failures != 0 || b.AvgMs != 50 || a.MinMs != 10 || b.MaxMs != 60 {
			t.Errorf("%s: /a %+v /b %+v", c.name, a, b)
		}
	}
	for _, c := range []struct{ name, content string }{{"export.json", export}, {"machine.json", machine}, {"summary.json", strings.Replace(handleSummary, "{name:/", "{other:/", -1)}} {
		m := perEndpoint(c.name, c.content, FormatK6Summary)
		all := m["all"]
		if len(m) != 1 || all.Requests != 5 || all.Failures != 1 || all.AvgMs != 32 || all.MedianMs != 30 || all.RPS != 1 {
			t.Errorf("%s: %+v", c.name, m)
		}
		if v, ok := At(all.Ladder, 95); !ok || v != 56 {
			t.Errorf("%s: ladder %v", c.name, all.Ladder)
		}
	}
}

func TestGatling(t *testing.T) {
	logs := map[string]string{
		"3.4-3.12": "RUN\tcomputerdatabase.BasicSimulation\tbasicsimulation\t1718000000000\t \t3.12.0\n" +
			"USER\tUsers\tSTART\t1718000000105\n" +
			"REQUEST\t\tHome\t1718000000110\t1718000000158\tOK\t \n" +
			"REQUEST\tSearch group,Sub\tSearch\t1718000000200\t1718000000412\tKO\tstatus.find.is(200), but actually found 500\n" +
			"REQUEST\t\tHome\t1718000000300\t1718000000330\tOK\t \n" +
			"GROUP\tSearch group\t1718000000190\t1718000000420\t212\tKO\n" +
			"USER\tUsers\tEND\t1718000000430\n",
		"3.0-3.3": "RUN\tx.Sim\tsim\t1718000000000\t \t3.3.1\n" +
			"REQUEST\t1\t\tHome\t1718000000110\t1718000000158\tOK\t \n" +
			"REQUEST\t2\tSearch group,Sub\tSearch\t1718000000200\t1718000000412\tKO\tboom\n" +
			"REQUEST\t1\t\tHome\t1718000000300\t1718000000330\tOK\t \n",
		"2.x": "RUN\tx.Sim\tsim\t1718000000000\t \t2.3.1\n" +
			"REQUEST\tUsers\t1\t\tHome\t1718000000110\t1718000000158\tOK\t \n" +
			"REQUEST\tUsers\t2\tSearch group,Sub\tSearch\t1718000000200\t1718000000412\tKO\tboom\textra\n" +
			"REQUEST\tUsers\t1\t\tHome\t1718000000300\t1718000000330\tOK\t \n",
	}
	for layout, log := range logs {
		rows, f, err := readAll(t, "simulation.log", log, FormatAuto)
		if err != nil || f != FormatGatlingLog {
			t.Fatalf("%s: %q %v", layout, f, err)
		}
		m := byKey(rows)
		home, search := m["Home"], m["Search group / Sub / Search"]
		if len(m) != 2 || home.Requests != 2 || home.AvgMs != 39 || search.Failures != 1 || search.MaxMs != 212 {
			t.Errorf("%s: %+v", layout, m)
		}
	}
	_, _, err := readAll(t, "simulation.log", "\x00\x00\x00\x00\x063.13.0", FormatAuto)
	if err == nil || err.Error() != "simulation.log: binary simulation.log (Gatling ≥ 3.13) is not supported; use the report's stats.json or Gatling < 3.13" {
		t.Errorf("binary log: %v", err)
	}
	for _, nul := range []string{"\x00\x00\x00\x00", "\x00\x00\x00\x00\x06abcdef", "GET,/a\x00,1\n"} {
		if _, _, err := readAll(t, "data.bin", nul, FormatAuto); err == nil || !strings.Contains(err.Error(), "data.bin: not a recognized format: binary data (NUL bytes)") {
			t.Errorf("%q: %v", nul, err)
		}
	}

	global := `{"name": "All Requests", "numberOfRequests": {"total": 150, "ok": 148, "ko": 2},
 "minResponseTime": {"total": 21, "ok": 21, "ko": 412}, "maxResponseTime": {"total": 488, "ok": 488, "ko": 5012},
 "meanResponseTime": {"total": 61, "ok": 59, "ko": 2712}, "standardDeviation": {"total": 40, "ok": 38, "ko": 2300},
 "percentiles1": {"total": 48, "ok": 48, "ko": 412}, "percentiles2": {"total": 62, "ok": 61, "ko": 5012},
 "percentiles3": {"total": 140, "ok": 138, "ko": 5012}, "percentiles4": {"total": 310, "ok": 300, "ko": 5012},
 "meanNumberOfRequestsPerSecond": {"total": 5.0, "ok": 4.93, "ko": 0.07}}`
	rows, f, err := readAll(t, "global_stats.json", global, FormatAuto)
	if err != nil || f != FormatGatlingStats || len(rows) != 1 {
		t.Fatalf("%q %v %v", f, rows, err)
	}
	if r := rows[0]; r.Name != "all" || r.Requests != 150 || r.Failures != 2 || r.MedianMs != 48 || r.RPS != 5 || r.Ladder[2] != (Point{95, 140}) {
		t.Errorf("%+v", r)
	}
	tree := `{"type": "GROUP", "name": "All Requests", "path": "", "pathFormatted": "group_missing-name", "stats": {"numberOfRequests": {"total": 3, "ok": 2, "ko": 1}},
 "contents": {
  "req_home-1": {"type": "REQUEST", "name": "Home", "path": "Home", "pathFormatted": "req_home-1", "stats": {"numberOfRequests": {"total": "1,234", "ok": "1,233", "ko": "1"}, "meanResponseTime": {"total": "40"}, "percentiles3": {"total": "-"}}},
  "group_search-2": {"type": "GROUP", "name": "Search", "path": "Search", "stats": {}, "contents": {
    "req_search-3": {"type": "REQUEST", "name": "Search", "path": "Search / Search", "stats": {"numberOfRequests": {"total": 2, "ok": 2, "ko": 0}, "percentiles3": {"total": 90}}}}}}}`
	rows, f, err = readAll(t, "stats.json", tree, FormatAuto)
	if err != nil || f != FormatGatlingStats {
		t.Fatalf("%q %v", f, err)
	}
	m := byKey(rows)
	if len(m) != 2 || m["Home"].Requests != 1234 || m["Home"].Failures != 1 || len(m["Home"].Ladder) != 0 || m["Search / Search"].Ladder[0] != (Point{95, 90}) {
		t.Errorf("%+v", m)
	}
}

func TestArtilleryLegacy(t *testing.T) {
	doc := `{"aggregate": {"timestamp": "2024-01-01T00:00:00Z", "scenariosCreated": 30, "scenariosCompleted": 28, "requestsCompleted": 146,
 "latency": {"min": 21.3, "max": 488.1, "median": 48.9, "p95": 140.2, "p99": 308}, "rps": {"count": 148, "mean": 4.93},
 "codes": {"200": 144, "500": 2}, "errors": {"ETIMEDOUT": 2}}, "intermediate": []}`
	rows, f, err := readAll(t, "report.json", doc, FormatAuto)
	if err != nil || f != FormatArtillery || len(rows) != 1 {
		t.Fatalf("%q %v %v", f, rows, err)
	}
	// 148 requests sent (rps.count): 146 completed, 2 timed out.
	if r := rows[0]; r.Requests != 148 || r.Failures != 4 || r.Timed != 146 || r.MedianMs != 48.9 || r.RPS != 4.93 || r.Ladder[1] != (Point{95, 140.2}) {
		t.Errorf("%+v", r)
	}
}

func TestHistogram(t *testing.T) {
	h := NewHistogram()
	for i := int64(1); i <= 10000; i++ {
		h.Record(i * 1000) // 1 µs … 10 ms, 10000 distinct values: beyond the exact limit
	}
	if h.Exact() {
		t.Fatal("10000 distinct values should be bucketed")
	}
	for _, p := range []float64{0.5, 0.9, 0.95, 0.99, 0.999, 1} {
		got, _ := h.Quantile(p)
		want := math.Ceil(p*10000) * 1000
		if rel := math.Abs(float64(got)-want) / want; rel > 0.001 {
			t.Errorf("p%v = %d, exact %v (%.4f%% off)", p*100, got, want, rel*100)
		}
	}
	// Merging keeps counts; merging two halves equals the whole.
	a, b, whole := NewHistogram(), NewHistogram(), NewHistogram()
	for i := int64(0); i < 20000; i++ {
		v := (i*7919)%50000*1000 + 17
		whole.Record(v)
		if i%2 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(b)
	for _, p := range []float64{0.01, 0.5, 0.95, 0.99} {
		x, _ := a.Quantile(p)
		y, _ := whole.Quantile(p)
		if x != y || a.Count() != whole.Count() {
			t.Errorf("p%v: merged %d, whole %d", p, x, y)
		}
	}
}

// TestTinyChunks: with blocks of a few hundred bytes, so that chunk cuts fall everywhere
// (between quoted records spanning lines, between a sample and its sub-results), the
// parallel readers give exactly what one chunk gives.
func TestTinyChunks(t *testing.T) {
	var jtl strings.Builder
	jtl.WriteString("timeStamp,elapsed,label,responseCode,success,failureMessage\n")
	for i := 0; i < 3000; i++ {
		switch i % 7 {
		case 0:
			fmt.Fprintf(&jtl, "%d,%d,\"POST /a, v2\",500,false,\"boom,\n\"\"again\"\"\"\n", 1718000000000+i, i%97)
		case 1:
			fmt.Fprintf(&jtl, "%d,%d,Flow,200,true,\n%d,3,Flow-0,200,true,\n%d,4,Flow-1,200,true,\n", 1718000000000+i, i%89, 1718000000000+i, 1718000000000+i)
		default:
			fmt.Fprintf(&jtl, "%d,%d,GET /b-%d,200,true,\n", 1718000000000+i, i%83, i%3)
		}
	}
	var nd strings.Builder
	for _, l := range strings.Split(benchNDJSONSmall(), "\n") {
		nd.WriteString(l + "\n")
	}
	for _, c := range []struct {
		name, data string
		format     Format
	}{{"jtl", jtl.String(), FormatJMeterCSV}, {"ndjson", nd.String(), FormatK6JSON}} {
		read := func(size int) map[string]Row {
			in, err := Open(strings.NewReader(c.data), c.name, Options{Format: c.format, chunkSize: size})
			if err != nil {
				t.Fatal(err)
			}
			out := map[string]Row{}
			if _, err := in.Rows(func(r Row) error {
				r.Samples, r.Line = nil, 0
				out[rowKey(r)] = r
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		whole := read(0)
		tiny := read(300)
		if !reflect.DeepEqual(whole, tiny) || len(whole) == 0 {
			t.Errorf("%s: tiny chunks differ:\n%v\n%v", c.name, whole, tiny)
		}
	}
}

func benchNDJSONSmall() string { return string(benchNDJSON(200 << 10)) }

// TestHistogramDenseArrays: whole and tenth milliseconds (kept in arrays) and other
// values (in the map) come out in one ascending order, merge exactly, and survive the
// switch to buckets.
func TestHistogramDenseArrays(t *testing.T) {
	vals := []int64{48_300_000, 3_000_000, 48_300_000, 1_234_567, 409_500_000, 409_600_000, 5_000_000_000, 100_000}
	a, b := NewHistogram(), NewHistogram()
	for i, v := range vals {
		if i%2 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	a.Merge(b)
	var got []int64
	a.Each(func(ns, c int64) {
		for ; c > 0; c-- {
			got = append(got, ns)
		}
	})
	want := []int64{100_000, 1_234_567, 3_000_000, 48_300_000, 48_300_000, 409_500_000, 409_600_000, 5_000_000_000}
	if !reflect.DeepEqual(got, want) || a.Count() != int64(len(vals)) {
		t.Errorf("Each: %v, want %v", got, want)
	}
	if q, _ := a.Quantile(0.5); q != 48_300_000 {
		t.Errorf("median %d", q)
	}
	for i := int64(0); i < 5000; i++ {
		a.Record(i*1000 + 7) // 5000 more distinct values: buckets
	}
	if a.Exact() || a.Count() != int64(len(vals))+5000 {
		t.Errorf("exact %v, count %d", a.Exact(), a.Count())
	}
	if q, _ := a.Quantile(1); q < 4_995_000_000 || q > 5_005_000_000 {
		t.Errorf("max %d after the switch to buckets", q)
	}
}
