package loadtest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/google/go-cmp/cmp"
)

func TestParseMs(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
	}{
		{"150ms", 150}, // defect 1 of the Python scripts: parsed as 0
		{"1.5s", 1500},
		{"150", 150},
		{" 150 ms ", 150},
		{"47.6", 47.6},
		{"250us", 0.25},
		{"250µs", 0.25},
		{"1500000ns", 1.5},
		{"0", 0},
	} {
		got, err := ParseMs(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseMs(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "ms", "fast", "-5", "NaN", "Inf", "1.5h", "1,5s"} {
		if v, err := ParseMs(bad); err == nil {
			t.Errorf("ParseMs(%q) = %v, want an error", bad, v)
		}
	}
}

// readAll opens content as a file and collects its rows.
// rowKey identifies a row's endpoint: method and name.
func rowKey(r Row) string {
	if r.Method == "" {
		return r.Name
	}
	return r.Method + " " + r.Name
}

func readAll(t *testing.T, name, content string, force Format) ([]Row, Format, error) {
	t.Helper()
	in, err := Open(strings.NewReader(content), name, Options{Format: force})
	if err != nil {
		return nil, FormatAuto, err
	}
	var rows []Row
	_, err = in.Rows(func(r Row) error { rows = append(rows, r); return nil })
	return rows, in.Format, err
}

func TestLocustStatsHeaderGenerations(t *testing.T) {
	for _, tc := range []struct {
		name    string
		content string
		want    []Row
	}{{
		name: "current (1.1+), CRLF, quoted name with comma, N/A",
		content: "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\r\n" +
			"GET,\"/search?q=a,b\",120,2,48,61.3,21.03,488.2,1254.0,4.01,0.06,48,55,62,68,92,140,250,310,490,490,490\r\n" +
			"GET,/idle,0,0,0,0.0,0,0,0.0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\r\n" +
			",Aggregated,120,2,48,61.3,21.03,488.2,1254.0,4.01,0.06,48,55,62,68,92,140,250,310,490,490,490\r\n",
		want: []Row{
			{Method: "GET", Name: "/search?q=a,b", Line: 2, Requests: 120, Failures: 2, AvgMs: 61.3, MedianMs: 48, MinMs: 21.03, MaxMs: 488.2, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 4.01, HasRPS: true,
				Ladder: []Point{{50, 48}, {66, 55}, {75, 62}, {80, 68}, {90, 92}, {95, 140}, {98, 250}, {99, 310}, {99.9, 490}, {99.99, 490}, {100, 490}}},
			{Method: "GET", Name: "/idle", Line: 3, RPS: 0, HasRPS: true},
			{Name: "Aggregated", Line: 4, Requests: 120, Failures: 2, AvgMs: 61.3, MedianMs: 48, MinMs: 21.03, MaxMs: 488.2, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 4.01, HasRPS: true, Total: true,
				Ladder: []Point{{50, 48}, {66, 55}, {75, 62}, {80, 68}, {90, 92}, {95, 140}, {98, 250}, {99, 310}, {99.9, 490}, {99.99, 490}, {100, 490}}},
		},
	}, {
		name: "old seed style without percentiles, Total row",
		content: "Name,# requests,# failures,Median response time,Average response time,Min response time,Max response time,Average Content Length,Requests/s\n" +
			"api_gateway,1000,5,120,150,50,500,1024,50\n" +
			"Total,1000,5,120,150,50,500,1024,50\n",
		want: []Row{
			{Name: "api_gateway", Line: 2, Requests: 1000, Failures: 5, AvgMs: 150, MedianMs: 120, MinMs: 50, MaxMs: 500, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 50, HasRPS: true},
			{Name: "Total", Line: 3, Requests: 1000, Failures: 5, AvgMs: 150, MedianMs: 120, MinMs: 50, MaxMs: 500, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 50, HasRPS: true, Total: true},
		},
	}, {
		name: "0.13.3-0.14 quoted header with 99.999 lacking %, None type",
		content: `"Type","Name","# requests","# failures","Median response time","Average response time","Min response time","Max response time","Average Content Size","Requests/s","Requests Failed/s","50%","95%","99%","99.999","100%"` + "\n" +
			`"GET","/",10,0,20,21,10,40,100,1.00,0.00,20,35,40,40,40` + "\n" +
			`"None","Aggregated",10,0,20,21,10,40,100,1.00,0.00,20,35,40,40,40` + "\n",
		want: []Row{
			{Method: "GET", Name: "/", Line: 2, Requests: 10, AvgMs: 21, MedianMs: 20, MinMs: 10, MaxMs: 40, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 1, HasRPS: true,
				Ladder: []Point{{50, 20}, {95, 35}, {99, 40}, {99.999, 40}, {100, 40}}},
			{Name: "Aggregated", Line: 3, Requests: 10, AvgMs: 21, MedianMs: 20, MinMs: 10, MaxMs: 40, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 1, HasRPS: true, Total: true,
				Ladder: []Point{{50, 20}, {95, 35}, {99, 40}, {99.999, 40}, {100, 40}}},
		},
	}, {
		name: "custom percentile columns and a BOM",
		content: "\ufeffType,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,97.5%,99.95%\n" +
			"POST,/login,30,0,110,118.2,87.11,201.5,88.0,1.0,0.0,190,200\n",
		want: []Row{
			{Method: "POST", Name: "/login", Line: 2, Requests: 30, AvgMs: 118.2, MedianMs: 110, MinMs: 87.11, MaxMs: 201.5, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 1, HasRPS: true,
				Ladder: []Point{{97.5, 190}, {99.95, 200}}},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			rows, format, err := readAll(t, "stats.csv", tc.content, FormatAuto)
			if err != nil {
				t.Fatal(err)
			}
			if format != FormatLocustStats {
				t.Errorf("format = %q, want %q", format, FormatLocustStats)
			}
			if diff := cmp.Diff(tc.want, rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLocustHistoryLastRowPerEndpoint(t *testing.T) {
	rows, format, err := readAll(t, "h.csv", mustRead(t, "locust/locust-2.12.1-baseline-run1_stats_history.csv"), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatLocustHistory {
		t.Fatalf("format = %q", format)
	}
	got := map[string]Row{}
	for _, r := range rows {
		got[rowKey(r)] = r
	}
	// The last rows of the file (timestamp 1795773943) hold the cumulative totals; the file
	// spans 1795773924..1795773943 = 19 s.
	chat := got["POST /v1/chat/completions"]
	if chat.Requests != 219 || chat.Failures != 5 || chat.AvgMs != 55.770588374433075 || chat.MedianMs != 54 || chat.MinMs != 22.171798000044873 || chat.MaxMs != 170.8355279999978 {
		t.Errorf("chat = %+v", chat)
	}
	if want := 219.0 / 19; math.Abs(chat.RPS-want) > 1e-12 {
		t.Errorf("chat rps = %v, want %v", chat.RPS, want)
	}
	if len(chat.Ladder) != 0 {
		t.Errorf("history percentiles are a 10 s window and must not be used, got %v", chat.Ladder)
	}
	if !got["Aggregated"].Total || len(got) != 8 {
		t.Errorf("want 7 endpoints + Aggregated, got %d rows", len(got))
	}
}

func TestLocustJSONRows(t *testing.T) {
	rows, format, err := readAll(t, "l.json", `[
 {"name": "/", "method": "GET", "last_request_timestamp": 1718000029.5, "start_time": 1718000000.0, "num_requests": 4,
  "num_none_requests": 0, "num_failures": 1, "total_response_time": 10.0, "max_response_time": 4.2, "min_response_time": 0.9,
  "total_content_length": 1, "response_times": {"1": 1, "2": 1, "3": 1, "4": 1}, "num_reqs_per_sec": {}, "num_fail_per_sec": {}},
 {"name": "/slow", "method": "POST", "last_request_timestamp": 1718000030.0, "start_time": 1718000005.0, "num_requests": 2,
  "num_none_requests": 0, "num_failures": 0, "total_response_time": 260.0, "max_response_time": 151, "min_response_time": 109,
  "total_content_length": 1, "response_times": {"110.0": 1, "150.0": 1}, "num_reqs_per_sec": {}, "num_fail_per_sec": {}}
]`, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatLocustJSON {
		t.Fatalf("format = %q", format)
	}
	want := []Row{
		{Method: "GET", Name: "/", Line: 1, Requests: 4, Failures: 1, Timed: 4, AvgMs: 2.5, HasAvg: true, MinMs: 0.9, MaxMs: 4.2, HasMinMax: true, RPS: 4.0 / 30, HasRPS: true, Hist: map[float64]int64{1: 1, 2: 1, 3: 1, 4: 1}},
		{Method: "POST", Name: "/slow", Line: 2, Requests: 2, Timed: 2, AvgMs: 130, HasAvg: true, MinMs: 109, MaxMs: 151, HasMinMax: true, RPS: 2.0 / 30, HasRPS: true, Hist: map[float64]int64{110: 1, 150: 1}},
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestLocustWebAndSummary(t *testing.T) {
	rows, format, err := readAll(t, "web.json", `{"stats": [
	  {"method": "GET", "name": "/", "num_requests": 10, "num_failures": 1, "min_response_time": 21.0, "max_response_time": 88.5,
	   "current_rps": 1.5, "avg_response_time": 40.5, "median_response_time": 38, "total_rps": 2.5,
	   "response_time_percentile_0.95": 80, "response_time_percentile_0.99": 88, "avg_content_length": 10},
	  {"method": "", "name": "Aggregated", "num_requests": 10, "num_failures": 1, "min_response_time": 21.0, "max_response_time": 88.5,
	   "current_rps": 1.5, "avg_response_time": 40.5, "median_response_time": 38, "total_rps": 2.5}],
	 "errors": [], "total_rps": 2.5, "fail_ratio": 0.1, "user_count": 3}`, FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatLocustWeb || len(rows) != 2 || !rows[1].Total {
		t.Fatalf("format %q, rows %+v", format, rows)
	}
	want := Row{Method: "GET", Name: "/", Line: 1, Requests: 10, Failures: 1, AvgMs: 40.5, MedianMs: 38, MinMs: 21, MaxMs: 88.5, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 2.5, HasRPS: true, Ladder: []Point{{95, 80}, {99, 88}}}
	if diff := cmp.Diff(want, rows[0]); diff != "" {
		t.Errorf("web row (-want +got):\n%s", diff)
	}

	rows, format, err = readAll(t, "summary.json", mustRead(t, "seed/load_results_api_20251017_141452.json"), FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if format != FormatSummary || len(rows) != 3 {
		t.Fatalf("format %q, %d rows", format, len(rows))
	}
	api := Row{Name: "api_gateway", Line: 1, Requests: 1500, Failures: 15, AvgMs: 180, MedianMs: 150, MinMs: 50, MaxMs: 750, HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 35, HasRPS: true}
	if diff := cmp.Diff(api, rows[0]); diff != "" {
		t.Errorf("summary row (-want +got):\n%s", diff)
	}
	if !rows[2].Total || rows[2].Name != "Total" {
		t.Errorf("the \"total\" entry must be a total row: %+v", rows[2])
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Format
	}{
		{"seed/sample_results_stats.csv", FormatLocustStats},
		{"seed/load_results_baseline_actual_stats.csv", FormatLocustStats},
		{"seed/load_results_baseline_actual_stats_history.csv", FormatLocustHistory},
		{"seed/sample_metrics.json", FormatNormalized},
		{"seed/sample_baselines.json", FormatNormalized},
		{"seed/load_results_api_20251017_141452.json", FormatSummary},
		{"locust/locust-2.12.1-baseline-run1.json", FormatLocustJSON},
		{"locust/locust-2.12.1-baseline-run1_stats.csv", FormatLocustStats},
	} {
		in, err := Open(strings.NewReader(mustRead(t, tc.file)), tc.file, Options{})
		if err != nil {
			t.Errorf("%s: %v", tc.file, err)
			continue
		}
		if in.Format != tc.want {
			t.Errorf("%s: format %q, want %q", tc.file, in.Format, tc.want)
		}
	}
}

func TestBadInput(t *testing.T) {
	const header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%\n"
	for _, tc := range []struct {
		name, content string
		force         Format
		want          string // the whole message
	}{
		{"empty", "", FormatAuto, "in.csv: file is empty"},
		{"blank", " \n\n", FormatAuto, "in.csv: file is empty"},
		{"header only", header, FormatAuto, "in.csv: header only, no data rows"},
		{"missing column", "Type,Name,Request Count,Average Response Time\nGET,/,1,2\n", FormatAuto, `in.csv:1: missing column "Failure Count"`},
		{"non-numeric count", header + "GET,/,12x,0,1,1,1,1,1,1,0,1,1\n", FormatAuto, `in.csv:2: column "Request Count": "12x" is not a number`},
		{"non-numeric latency", header + "GET,/,12,0,1,fast,1,1,1,1,0,1,1\n", FormatAuto, `in.csv:2: column "Average Response Time": "fast" is not a duration (want e.g. 150, 150ms or 1.5s)`},
		{"truncated line", header + "GET,/,12,0,1,1,1,1,1,1,0,1,1\nGET,/b,3,0,1\n", FormatAuto, "in.csv:3: 5 fields, the header has 13 (truncated or malformed line)"},
		{"failures above requests", header + "GET,/,1,2,1,1,1,1,1,1,0,1,1\n", FormatAuto, "in.csv:2: 2 failures out of 1 requests (Locust counts failures among requests)"},
		{"unknown csv", "a,b,c\n1,2,3\n", FormatAuto, `in.csv:1: unrecognized format (first line "a,b,c"); use --format (known: locust-stats, locust-history, locust-json, locust-web, summary, normalized, jmeter-csv, jmeter-xml, jmeter-statistics, k6-summary, k6-json, k6-csv, gatling-log, gatling-stats, vegeta-report, vegeta-csv, vegeta-json, vegeta-gob, hey, artillery)`},
		{"truncated json", "[{\"name\": \"/\",\n \"num_requests\": 3", FormatAuto, "in.csv:2: truncated JSON (unexpected end of file)"},
		{"json syntax", "{\"a\": {\"requests\": 1,}}", FormatAuto, "in.csv:1: invalid JSON: invalid character '}' looking for beginning of object key string"},
		{"unknown json", `{"hello": "world"}`, FormatAuto, "in.csv: unrecognized JSON format (not a Locust, k6, JMeter, Gatling, Vegeta or Artillery result, a per-service summary or normalized metrics); use --format"},
		{"locust json wrong type", `[{"name": "/", "num_requests": "many"}]`, FormatAuto, "in.csv:1: num_requests: want float64, got JSON string"},
		{"empty locust json", `[]`, FormatAuto, "in.csv: no stats entries (Locust writes [] when no request was made)"},
		{"forced format mismatch", "Name,x\n1,2\n", FormatLocustStats, `in.csv:1: missing column "Request Count"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readAll(t, "in.csv", tc.content, tc.force)
			if err == nil {
				t.Fatal("no error")
			}
			var se *fileerr.Error
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a *fileerr.Error", err)
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func mustRead(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDetectorsExclusive: on every fixture, exactly one detector matches (so the order of
// the table only matters for --format's help), and it is the format Open detects.
func TestDetectorsExclusive(t *testing.T) {
	var files []string
	for _, dir := range []string{"real", "locust", "seed", "loadtest", "compare", "issue"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "testdata", dir, "*"))
		files = append(files, m...)
	}
	extra := map[string]string{"k6.ndjson": k6NDJSON(), "k6.csv": k6CSV(), "jtl.xml": `<?xml version="1.0"?><testResults></testResults>`}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err == nil && !strings.HasSuffix(f, ".golden") && !strings.HasSuffix(f, ".md") && !strings.HasSuffix(f, ".html") {
			extra[f] = string(b)
		}
	}
	checked := map[Format]int{}
	for name, data := range extra {
		in, err := Open(strings.NewReader(data), name, Options{})
		if err != nil {
			continue // not a result file (failures.csv, exceptions.csv…)
		}
		checked[in.Format]++
		s := newSniff([]byte(strings.TrimLeft(data, " \t\r\n")))
		if r := lookup(in.Format); r.Doc && in.Document() != nil {
			if err := decodeJSON(in.Document(), name, &s.doc); err != nil {
				t.Fatal(err)
			}
		}
		var matched []Format
		for _, r := range readers {
			if r.Detect(s) {
				matched = append(matched, r.Name)
			}
		}
		if len(matched) != 1 || matched[0] != in.Format {
			t.Errorf("%s: detected as %s; detectors matching: %v", name, in.Format, matched)
		}
	}
	if len(checked) < 12 {
		t.Errorf("only %d formats among the fixtures: %v", len(checked), checked)
	}
}

// TestToolOf: every format names its tool (the prefix of its name, as the comparability
// check has read it so far); an unknown name is its own tool.
func TestToolOf(t *testing.T) {
	for _, f := range Formats() {
		prefix, _, _ := strings.Cut(f, "-")
		if got := ToolOf(Format(f)); got != prefix {
			t.Errorf("ToolOf(%q) = %q, want %q", f, got, prefix)
		}
	}
	if got := ToolOf("gatling-binary-v4"); got != "gatling-binary-v4" {
		t.Errorf("unknown format: %q", got)
	}
}

// TestDamagedGzip: a gzip archive cut short (a copy or download that did not finish) or
// corrupt is an error naming the file, for every format — never half the requests read
// as a whole run.
func TestDamagedGzip(t *testing.T) {
	t.Parallel()
	files := []string{
		"../../testdata/real/jmeter-2.13-baseline-run1.jtl",
		"../../testdata/loadtest/jmeter-2.13-baseline-run1-first400.xml",
		"../../testdata/real/vegeta-12.13.0-baseline-run1-raw.jsonl",
		"../../testdata/real/vegeta-12.13.0-baseline-run1-raw.csv",
		"../../testdata/real/hey-0.1.4-v1-models-baseline-run1.csv",
		"../../testdata/loadtest/k6-synthetic-out.csv",
		"../../testdata/loadtest/gatling-3.12-synthetic-simulation.log",
		"../../testdata/locust/locust-2.12.1-baseline-run1_stats.csv",
		"../../testdata/locust/locust-2.12.1-baseline-run1_stats_history.csv",
		"../../testdata/real/artillery-2.0.34-baseline-run1.json",
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(raw)
		zw.Close()
		whole := z.Bytes()
		corrupt := append([]byte(nil), whole...)
		corrupt[len(corrupt)-6] ^= 0xff // the CRC-32 of the trailer
		for name, data := range map[string][]byte{"cut": whole[:len(whole)*2/3], "trailer cut": whole[:len(whole)-4], "corrupt": corrupt} {
			want := "r.gz: gzip data cut short: the file is truncated"
			if name == "corrupt" {
				want = "r.gz: bad gzip data: gzip: invalid checksum"
			}
			in, err := Open(bytes.NewReader(data), "r.gz", Options{})
			if err == nil {
				_, err = in.Rows(func(Row) error { return nil })
			}
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("%s, %s: %v", filepath.Base(f), name, err)
			}
		}
	}
}

// TestUTF16Text: a file saved as UTF-16 says so instead of "unrecognized format".
func TestUTF16Text(t *testing.T) {
	t.Parallel()
	text := "timeStamp,elapsed,label\n"
	var le, be []byte
	for _, c := range []byte(text) {
		le, be = append(le, c, 0), append(be, 0, c)
	}
	for name, data := range map[string][]byte{"LE with BOM": append([]byte{0xff, 0xfe}, le...), "LE": le, "BE": be} {
		if _, err := Open(bytes.NewReader(data), "r.jtl", Options{}); err == nil || !strings.Contains(err.Error(), "r.jtl: the file is UTF-16 text") {
			t.Errorf("%s: %v", name, err)
		}
	}
}
