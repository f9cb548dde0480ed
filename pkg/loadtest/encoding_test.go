package loadtest

import (
	"fmt"
	"strings"
	"testing"
)

// GBK bytes of names that a Locust test on a Chinese Windows would have: Locust opens its
// CSVs with open(path, "w") and no encoding, so Python writes them in the locale's code
// page (cp936, GBK), and csv.writer's "\r\n" through a text-mode file gives "\r\r\n".
const (
	gbkUsers  = "/api/\xd3\xc3\xbb\xa7" // /api/用户
	gbkOrders = "/api/\xb6\xa9\xb5\xa5" // /api/订单
	gbkLogin  = "\xb5\xc7\xc2\xbc"      // 登录
)

func TestNamesNotUTF8(t *testing.T) {
	locust := strings.ReplaceAll("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"+
		"GET,"+gbkUsers+",120,2,48,61.3,21,488,1254,4.01,0.06,48,55,62,68,92,140,250,310,490,490,490\n"+
		"GET,"+gbkOrders+",80,0,50,60.5,22,300,1254,2.67,0,50,55,60,66,90,120,200,280,300,300,300\n"+
		"POST,"+gbkLogin+",40,1,70,75.0,30,200,100,1.33,0.03,70,75,80,85,100,150,180,200,200,200,200\n"+
		",Aggregated,240,3,50,63.0,21,488,1000,8.01,0.09,50,56,62,68,92,140,250,310,490,490,490\n", "\n", "\r\r\n")
	jtl := "timeStamp,elapsed,label,success\n" +
		"1718000000000,5,GET /menu,true\n" +
		"1718000000010,7,GET /caf\xe9,true\n" + // Latin-1 é
		"1718000000020,9,GET /caf\xe8,false\n" + // Latin-1 è
		"1718000000030,4,GET /café,true\n" // UTF-8 é: a name of its own
	summary := "{\"svc\": {\"name\": \"" + gbkUsers + "\", \"requests\": 10, \"failures\": 0, \"median\": 5, \"average\": 6, \"min\": 1, \"max\": 9, \"rps\": 2}," +
		"\n\"svc2\": {\"name\": \"" + gbkOrders + "\", \"requests\": 4, \"failures\": 1, \"median\": 5, \"average\": 6, \"min\": 1, \"max\": 9, \"rps\": 1}}"
	vegeta := `{"seq":0,"code":200,"timestamp":"2026-11-27T10:26:17Z","latency":2000000,"method":"GET","url":"http://h/a"}` + "\n" +
		`{"seq":1,"code":200,"timestamp":"2026-11-27T10:26:18Z","latency":3000000,"method":"GET","url":"http://h` + gbkUsers + `"}` + "\n"
	k6 := `{"metric":"http_req_duration","type":"Point","data":{"time":"2024-06-10T08:13:21Z","value":5,"tags":{"method":"GET","name":"/health","status":"200"}}}` + "\n" +
		`{"metric":"http_req_duration","type":"Point","data":{"time":"2024-06-10T08:13:22Z","value":7,"tags":{"method":"GET","name":"` + gbkOrders + `","status":"200"}}}` + "\n"
	for _, tc := range []struct {
		name, file, content string
		format              Format
		want                []string // row keys, in order
		note                string
	}{
		{"Locust _stats.csv in GBK", "locust_stats.csv", locust, FormatLocustStats,
			[]string{`GET /api/\xd3\xc3\xbb\xa7`, `GET /api/\xb6\xa9\xb5\xa5`, `POST \xb5\xc7\xc2\xbc`, "Aggregated"},
			`locust_stats.csv:2: names that are not UTF-8 (the first: "GET /api/\xd3\xc3\xbb\xa7")`},
		{"JTL with Latin-1 labels", "r.jtl", jtl, FormatJMeterCSV,
			[]string{"GET /café", `GET /caf\xe8`, `GET /caf\xe9`, "GET /menu"},
			`r.jtl:3: names that are not UTF-8 (the first: "GET /caf\xe9")`},
		{"summary JSON", "s.json", summary, FormatSummary,
			[]string{`/api/\xd3\xc3\xbb\xa7`, `/api/\xb6\xa9\xb5\xa5`},
			`s.json:1: names that are not UTF-8 (the first: "/api/\xd3\xc3\xbb\xa7")`},
		{"Vegeta JSON (its fallback)", "v.json", vegeta, FormatVegetaJSON,
			[]string{"GET /a", `GET /api/\xd3\xc3\xbb\xa7`},
			`v.json:2: names that are not UTF-8 (the first: "/api/\xd3\xc3\xbb\xa7")`},
		{"k6 JSON (its fallback)", "k6.json", k6, FormatK6JSON,
			[]string{`GET /api/\xb6\xa9\xb5\xa5`, "GET /health"},
			`k6.json:2: names that are not UTF-8 (the first: "/api/\xb6\xa9\xb5\xa5")`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, chunk := range []int{0, 16} {
				in, err := Open(strings.NewReader(tc.content), tc.file, Options{chunkSize: chunk})
				if err != nil || in.Format != tc.format {
					t.Fatalf("%v %v", in, err)
				}
				var keys []string
				if _, err := in.Rows(func(r Row) error { keys = append(keys, rowKey(r)); return nil }); err != nil {
					t.Fatal(err)
				}
				if strings.Join(keys, " | ") != strings.Join(tc.want, " | ") {
					t.Errorf("chunks of %d: rows %q, want %q: two different names must stay two endpoints", chunk, keys, tc.want)
				}
				if n := in.Notes(); len(n) != 1 || !strings.HasPrefix(n[0], tc.note) || !strings.Contains(n[0], "iconv -f GBK -t UTF-8") {
					t.Errorf("chunks of %d: notes %q, want one starting %q", chunk, n, tc.note)
				}
			}
		})
	}
}

func TestEscapeInvalid(t *testing.T) {
	for in, want := range map[string]string{
		"plain":                   "plain",
		"café":                    "café",
		"caf\xe9":                 `caf\xe9`,
		"\xff\xfe":                `\xff\xfe`,
		"ok \xe2\x82 cut":         `ok \xe2\x82 cut`,          // a UTF-8 sequence cut short
		"\xd3\xc3" + "用" + "\xbb": `\xd3\xc3\xe7\x94\xa8\xbb`, // not UTF-8: every byte above 0x7F
	} {
		if got := escapeInvalid(in); got != want {
			t.Errorf("escapeInvalid(%q) = %q, want %q", in, got, want)
		}
	}
	doc, escaped := escapeInvalidJSON([]byte("{\n\"a\": \"x\xe9y\", \"b\": \"\\\"\xff\",\n\"c\": \"ok\"}"))
	if string(doc) != "{\n\"a\": \"x\\\\xe9y\", \"b\": \"\\\"\\\\xff\",\n\"c\": \"ok\"}" || fmt.Sprint(escaped) != `map[\"\xff:2 x\xe9y:2]` {
		t.Errorf("escapeInvalidJSON: %q %v", doc, escaped)
	}
}

// TestNotUTF8OutsideNames: bytes that are not UTF-8 in a string that is no name (a
// summary's other fields) are escaped like any, but the warning is about names only.
func TestNotUTF8OutsideNames(t *testing.T) {
	doc := "{\"svc\": {\"name\": \"/a\", \"comment\": \"caf\xe9\", \"requests\": 10, \"failures\": 0, \"median\": 5, \"average\": 6, \"min\": 1, \"max\": 9, \"rps\": 2}}"
	_, rows, _ := readOpt(t, doc, Options{})
	in, _ := Open(strings.NewReader(doc), "s.json", Options{})
	in.Rows(func(Row) error { return nil })
	if len(rows) != 1 || rows[0].Name != "/a" || len(in.Notes()) != 0 {
		t.Errorf("rows %+v, notes %q", rows, in.Notes())
	}
}
