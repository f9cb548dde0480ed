package loadtest

import (
	"math"
	"strings"
	"testing"
	"time"
)

// checkRows is the invariant of every reader: whatever the bytes, no panic, and every row
// it accepts holds finite, non-negative values with an ascending ladder.
func checkRows(t *testing.T, data string, format Format) {
	in, err := Open(strings.NewReader(data), "fuzz", Options{Format: format})
	if err != nil {
		return
	}
	_, _ = in.Rows(func(r Row) error {
		for _, v := range []float64{r.AvgMs, r.MedianMs, r.MinMs, r.MaxMs, r.RPS} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("row %+v holds %v", r, v)
			}
		}
		if r.Requests < 0 || r.Failures < 0 {
			t.Fatalf("negative count in %+v", r)
		}
		for i := 1; i < len(r.Ladder); i++ {
			if r.Ladder[i].Pct <= r.Ladder[i-1].Pct {
				t.Fatalf("ladder not ascending: %v", r.Ladder)
			}
		}
		for k, c := range r.Hist {
			if c < 0 || math.IsNaN(k) || math.IsInf(k, 0) || k < 0 {
				t.Fatalf("bad histogram bucket %v: %d", k, c)
			}
		}
		return nil
	})
}

func FuzzLocustStats(f *testing.F) {
	f.Add(mustRead(f, "seed/sample_results_stats.csv"))
	f.Add(mustRead(f, "seed/load_results_baseline_actual_stats.csv"))
	f.Add(mustRead(f, "locust/locust-2.12.1-baseline-run1_stats.csv"))
	f.Add("Type,Name,Request Count,Failure Count,Average Response Time,99.999\n\"None\",\"a,\"\"b\",1,0,1.5s,N/A\n")
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatLocustStats) })
}

func FuzzLocustHistory(f *testing.F) {
	// Small seeds (a few rows of the real files): whole files keep the fuzzer minimizing.
	const header = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size\n"
	f.Add(header + "1760680676,0,,Aggregated,0.000000,0.000000,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,0,0,0,0.0,0,0,0\n1760680677,1,,Aggregated,0.000000,0.000000,36,36,36,36,36,36,36,36,36,36,36,1,1,36,36.0,36,36,211.0\n")
	f.Add(header + "1795773925,5,GET,/api/items/{id},0.000000,0.000000,0,0,0,0,0,0,0,0,0,0,0,4,0,15,16.66876250001792,11.351066999964132,25.675341999999546,30.0\n1795773925,5,POST,/api/rag/query,0.000000,0.000000,0,0,0,0,0,0,0,0,0,0,0,3,0,86,98.51148433335766,79.46642800004611,130.0219009999637,186.66666666666666\n1795773926,5,,Aggregated,1.5,0.0,20,30,40,50,60,70,80,90,95,99,130,7,0,20,50.0,11.3,130.0,100.0\n")
	f.Add("Timestamp,User Count,Type,Name,Total Request Count,Total Failure Count,Total Average Response Time\n1,1,GET,/,3,1,5\n")
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatLocustHistory) })
}

func FuzzLocustJSON(f *testing.F) {
	f.Add(`[{"name":"/v1/chat/completions","method":"POST","last_request_timestamp":1795773965.0281432,"start_time":1795773945.532435,"num_requests":6,"num_none_requests":0,"num_failures":1,"total_response_time":540.85,"max_response_time":256.8,"min_response_time":35.5,"total_content_length":700,"response_times":{"91":3,"150.0":1,"74":2},"num_reqs_per_sec":{"1795773946":2,"1795773947":4},"num_fail_per_sec":{"1795773947":1}}]`)
	f.Add(`[{"name":"/","method":"GET","num_requests":2,"num_none_requests":1,"num_failures":0,"total_response_time":5,"max_response_time":5,"min_response_time":5,"response_times":{"5.0":1},"start_time":1,"last_request_timestamp":2}]`)
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatLocustJSON) })
}

func FuzzLocustWeb(f *testing.F) {
	f.Add(`{"stats":[{"name":"/","method":"GET","num_requests":3,"num_failures":1,"avg_response_time":"150ms","response_time_percentile_0.95":9,"ninetieth_response_time":8}]}`)
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatLocustWeb) })
}

func FuzzSummary(f *testing.F) {
	f.Add(mustRead(f, "seed/load_results_api_20251017_141452.json"))
	f.Add(`{"svc":{"requests":3,"failures":1,"average":"1.5s","p95":"2s"},"_meta":1}`)
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatSummary) })
}

func FuzzDetect(f *testing.F) {
	f.Add(mustRead(f, "seed/sample_metrics.json"))
	f.Add(mustRead(f, "seed/sample_results_stats.csv"))
	f.Add("\ufeff[1]")
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatAuto) })
}

func FuzzJMeterCSV(f *testing.F) {
	f.Add(mustRead(f, "real/jmeter-2.13-baseline-run1.jtl")[:4000])
	f.Add("timeStamp,elapsed,label,responseCode,success,failureMessage\n1718000000123,48,\"a,b\",200,false,\"x\ny\"\n")
	f.Add("timeStamp;elapsed;label;success\n2024/01/01 10:00:00.000;5;a;true\n")
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatJMeterCSV) })
}

func FuzzJMeterXML(f *testing.F) {
	f.Add(`<testResults><httpSample t="4" ts="1718000000123" s="true" lb="a"><httpSample t="1" ts="1" s="false" lb="b"/></httpSample></testResults>`)
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatJMeterXML) })
}

func FuzzJMeterStatistics(f *testing.F) {
	f.Add(`{"Total":{"transaction":"Total","sampleCount":2,"errorCount":1,"meanResTime":3,"pct1ResTime":4,"throughput":1}}`)
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatJMeterStatistics) })
}

func FuzzK6(f *testing.F) {
	// Seeds of a few hundred bytes: the fuzzer minimizes every new input it finds
	// interesting, at a cost that grows with the square of its length, and a seed of a
	// kilobyte or more leaves it minimizing instead of exploring.
	f.Add(k6TinyNDJSON)
	f.Add(k6TinyCSV)
	f.Add(`{"metrics":{"http_req_duration":{"avg":1,"p(95)":2},"http_reqs":{"count":3,"rate":1},"http_req_duration{name:x}":{"avg":1},"http_req_failed{name:x}":{"passes":1,"fails":1}}}`)
	f.Fuzz(func(t *testing.T, data string) {
		for _, format := range []Format{FormatK6JSON, FormatK6CSV, FormatK6Summary} {
			checkRows(t, data, format)
		}
	})
}

const (
	k6TinyNDJSON = `{"metric":"http_req_duration","type":"Point","data":{"time":"2024-06-10T08:13:21Z","value":12.5,"tags":{"method":"GET","name":"/a","status":"200"}}}
{"metric":"http_req_failed","type":"Point","data":{"time":"2024-06-10T08:13:22Z","value":1,"tags":{"method":"GET","name":"/a","status":"500"}}}
`
	k6TinyCSV = "metric_name,timestamp,metric_value,method,name,status\nhttp_req_duration,1718000001,12.5,GET,/a,200\nhttp_req_failed,1718000002,1,GET,/a,500\n"
)

// firstLines is the first n lines of s.
func firstLines(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}

func FuzzGatling(f *testing.F) {
	f.Add("RUN\tx\ty\t1\t \t3.12.0\nREQUEST\t\tHome\t1718000000110\t1718000000158\tOK\t \n")
	f.Add("a.Sim\tsim\tRUN\t1412610090000\t \t2.0\nScn\t1\tREQUEST\t\tHome\t1412610090110\t1412610090111\t1412610090150\t1412610090158\tKO\tboom\n")
	f.Add(`{"numberOfRequests":{"total":"1,2","ko":"-"},"percentiles1":{"total":3}}`)
	f.Fuzz(func(t *testing.T, data string) {
		checkRows(t, data, FormatGatlingLog)
		checkRows(t, data, FormatGatlingStats)
	})
}

func FuzzVegetaHey(f *testing.F) {
	f.Add(mustRead(f, "real/vegeta-12.13.0-baseline-run1-raw.csv")[:3000])
	f.Add(mustRead(f, "real/vegeta-12.13.0-baseline-run1-raw.jsonl")[:3000])
	f.Add(mustRead(f, "real/vegeta-12.13.0-baseline-run1-report.json"))
	f.Add(mustRead(f, "real/hey-0.1.4-v1-models-baseline-run1.csv")[:2000])
	f.Fuzz(func(t *testing.T, data string) {
		for _, format := range []Format{FormatVegetaCSV, FormatVegetaJSON, FormatVegetaReport, FormatHey} {
			checkRows(t, data, format)
		}
	})
}

func FuzzArtillery(f *testing.F) {
	// A few fields of the real 2.0.34 report (the whole file keeps the fuzzer minimizing).
	f.Add(`{"aggregate":{"counters":{"http.requests":750,"http.codes.200":742,"plugins.metrics-by-endpoint./health.codes.200":150,"http.codes.500":8},"firstMetricAt":1795775263105,"lastMetricAt":1795775278245,"summaries":{"http.response_time":{"min":0,"max":178,"count":750,"mean":45.4,"p50":43.4,"median":43.4,"p75":76,"p90":98.5,"p95":125.2,"p99":149.9,"p999":162.4},"plugins.metrics-by-endpoint.response_time./health":{"min":0,"max":19,"count":150,"mean":0.8,"p50":1,"median":1,"p75":1,"p90":1,"p95":1,"p99":3,"p999":10.1}}}}`)
	f.Add(`{"aggregate":{"latency":{"median":1,"p95":2},"requestsCompleted":3,"codes":{"500":1}}}`)
	f.Add(`{"aggregate":{"requestsCompleted":36,"latency":{"min":36.9,"max":135.9,"median":90.1,"p95":135.7,"p99":135.9},"rps":{"count":40,"mean":1.96},"errors":{"ETIMEDOUT":4},"codes":{"200":35,"500":1},"counters":{}}}`)
	f.Fuzz(func(t *testing.T, data string) { checkRows(t, data, FormatArtillery) })
}

// FuzzK6FastVsJSON: wherever the fast scanner accepts a line, encoding/json reads the
// same record from it (the two share one definition of a record).
func FuzzK6FastVsJSON(f *testing.F) {
	for _, l := range strings.Split(k6NDJSON(), "\n") {
		f.Add(l)
	}
	f.Add(`{"metric":"http_req_duration","type":"Point","data":{"time":"2024-06-10T08:13:21.5+02:00","value":1e3,"tags":{"name":"/a{id}","method":"GET","status":"0"},"metadata":{"vu":"1"}}}`)
	f.Fuzz(func(t *testing.T, line string) {
		fast, relevant, ok := scanK6([]byte(line))
		if !ok || !relevant {
			return
		}
		slow, rel2, err := decodeK6([]byte(line))
		if err != nil || !rel2 {
			t.Fatalf("fast path accepted %q, encoding/json: %v %v", line, rel2, err)
		}
		if fast.metric != slow.metric || fast.value != slow.value || fast.timeNs != slow.timeNs ||
			string(fast.method) != string(slow.method) || string(fast.name) != string(slow.name) || string(fast.status) != string(slow.status) {
			t.Fatalf("%q:\nfast %+v\njson %+v", line, fast, slow)
		}
	})
}

// FuzzJTLFastVsCSV: for a record without quotes, the fast field splitter and
// encoding/csv agree on the fields and on whether the record has the header's count.
func FuzzJTLFastVsCSV(f *testing.F) {
	f.Add("1718000000123,48,GET /api/users,200,OK,TG 1-1,text,true,,1532,141,1,1,https://x/api/users,45,0,12")
	f.Add("1,2,3")
	f.Add(",,,,,,,,,,,,,,,,")
	f.Fuzz(func(t *testing.T, rec string) {
		if strings.ContainsAny(rec, "\"\r\n") || rec == "" {
			return
		}
		cols := strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect", ",")
		l, _ := newJTLLayout("f", ',', cols)
		f := &fields{pos: make([]int, l.shape.need)}
		f.split([]byte(rec), ',')
		want := strings.Split(rec, ",")
		if f.n != len(want) {
			t.Fatalf("%q: fast %d fields, strings.Split %d", rec, f.n, len(want))
		}
		for i := 0; i < l.shape.need; i++ {
			if v := f.at(i); i < len(want) && string(v) != want[i] || i >= len(want) && v != nil {
				t.Fatalf("%q: field %d: fast %q", rec, i, v)
			}
		}
	})
}

func TestParseRFC3339(t *testing.T) {
	for _, s := range []string{"2024-06-10T08:13:21.123456789+02:00", "2026-11-27T10:26:17.221478655Z", "1999-12-31T23:59:59Z", "2024-02-29T00:00:00.5-05:30", "2024-06-10 08:13:21Z", "2023-02-29T00:00:00Z", "2024-06-10T08:13:21.Z"} {
		got, ok := parseRFC3339([]byte(s))
		want, err := time.Parse(time.RFC3339Nano, s)
		if ok != (err == nil) || (ok && got != want.UnixNano()) {
			t.Errorf("%s: %d %v; the time package: %v %v", s, got, ok, want, err)
		}
	}
}
