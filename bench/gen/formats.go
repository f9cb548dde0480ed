package main

import (
	"bytes"
	"encoding/base64"
	"encoding/gob"
	"math"
	"strconv"
	"strings"
	"time"
)

// The record writers, one per kind: the shapes of the real files in testdata/real (and,
// for the formats without a real file, of the layouts their tools' source code writes).

const jtlHeader = "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"

func jtlRecord(b []byte, r request) []byte {
	el := int64(math.Round(r.ms))
	code, msg, success, fmsg := "200", "OK", "true", ""
	if r.failed {
		code, msg, success = "500", "Internal Server Error", "false"
		if r.i%3 == 0 {
			fmsg = `"Assertion failed: expected 200, got 500 (body: {""error"": ""boom, retry""})"`
		}
	}
	b = append(num(append(num(b, r.tsMs), ','), el), ',')
	b = append(b, r.e.label+","+code+","+msg+",AI suite users 1-"...)
	b = append(num(b, int64(1+r.i%50)), ",text,"+success+","+fmsg+",1532,141,50,50,"+host+r.e.name+","...)
	b = append(num(b, el-el/10), ",0,"...)
	return append(num(b, int64(r.i%3)), '\n')
}

// xmlRecord writes an httpSample with its URL (failures with an assertion result); every
// 20th request is a transaction controller's sample with two nested sub-samples.
func xmlRecord(b []byte, r request) []byte {
	el := int64(math.Round(r.ms))
	label := strings.ReplaceAll(r.e.label, "/v1/models", "/v1/models?limit=5&amp;sort=id")
	tag, code, msg, ok := "httpSample", "200", "OK", "true"
	if r.failed {
		code, msg, ok = "500", "Internal Server Error", "false"
	}
	if r.i%20 == 0 {
		tag, label = "sample", "Chat flow"
	}
	b = append(num(append(b, "<"+tag+" t=\""...), el), "\" it=\"0\" lt=\""...)
	b = append(num(b, el-el/10), "\" ct=\"2\" ts=\""...)
	b = append(num(b, r.tsMs), "\" s=\""+ok+"\" lb=\""+label+"\" rc=\""+code+"\" rm=\""+msg+"\" tn=\"AI suite users 1-"...)
	b = append(num(b, int64(1+r.i%50)), "\" dt=\"text\" by=\"1532\" sby=\"141\" ng=\"50\" na=\"50\">\n"...)
	if tag == "sample" {
		for k := 0; k < 2; k++ {
			b = append(num(append(b, "  <httpSample t=\""...), el/2), "\" ts=\""...)
			b = append(num(b, r.tsMs), "\" s=\"true\" lb=\""+r.e.label+"\" rc=\"200\" rm=\"OK\" by=\"766\">\n    <java.net.URL>"+host+r.e.name+"</java.net.URL>\n  </httpSample>\n"...)
		}
	} else {
		b = append(b, "  <java.net.URL>"+host+strings.ReplaceAll(r.e.name, "&", "&amp;")+"</java.net.URL>\n"...)
	}
	if r.failed {
		b = append(b, "  <assertionResult>\n    <name>Response Assertion</name>\n    <failure>true</failure>\n    <error>false</error>\n    <failureMessage>Test failed: code expected to equal /\n\n****** received  : [[[500]]]\n\n****** comparison: [[[200]]]\n\n/</failureMessage>\n  </assertionResult>\n"...)
	}
	return append(b, "</"+tag+">\n"...)
}

func k6Tags(r request) (tags, status string) {
	status = "200"
	if r.failed {
		status = "500"
	}
	return `{"expected_response":"` + strconv.FormatBool(!r.failed) + `","group":"","method":"` + r.e.method + `","name":"` + host + r.e.name +
		`","proto":"HTTP/1.1","scenario":"default","status":"` + status + `","url":"` + host + r.e.name + `"}`, status
}

func k6Metrics(r request) [5][2]string {
	fv := "0"
	if r.failed {
		fv = "1"
	}
	return [5][2]string{{"http_reqs", "1"}, {"http_req_duration", strconv.FormatFloat(r.ms, 'f', 6, 64)}, {"http_req_blocked", "0.001"},
		{"http_req_waiting", strconv.FormatFloat(r.ms*0.9, 'f', 6, 64)}, {"http_req_failed", fv}}
}

func k6Record(b []byte, r request) []byte {
	t := time.UnixMilli(r.tsMs).UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
	tags, _ := k6Tags(r)
	for _, m := range k6Metrics(r) {
		b = append(b, `{"metric":"`+m[0]+`","type":"Point","data":{"time":"`+t+`","value":`+m[1]+`,"tags":`+tags+"}}\n"...)
	}
	return b
}

const k6CSVHeader = "metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata\n"

func k6CSVRecord(b []byte, r request) []byte {
	_, status := k6Tags(r)
	for _, m := range k6Metrics(r) {
		v, _ := strconv.ParseFloat(m[1], 64)
		b = append(num(append(b, m[0]+","...), r.tsMs/1000), ',')
		b = append(fixed(b, v, 6), ",,,,"+strconv.FormatBool(!r.failed)+",,"+r.e.method+","+host+r.e.name+",HTTP/1.1,default,,"+status+",,,"+host+r.e.name+",,\n"...)
	}
	return b
}

var (
	vegetaBody    = base64.StdEncoding.EncodeToString([]byte(`{"object": "list", "data": [{"id": "llama-3-8b-instruct", "object": "model"}]}`))
	vegetaHeaders = base64.StdEncoding.EncodeToString([]byte("Content-Length: 16\r\nContent-Type: application/json\r\nDate: Fri, 27 Nov 2026 10:26:17 GMT\r\nServer: ai-suite-fake/1.0 Python/3.11.2\r\n\r\n"))
)

// vegetaResult is a result's code, error and body: a third of the failures are transport
// errors (code 0, an error with quotes and a comma), the others a 500.
func vegetaResult(r request) (code int, errMsg, body string) {
	switch {
	case r.failed && r.i%3 == 0:
		return 0, `Get "` + host + r.e.name + `": dial tcp 127.0.0.1:18089: connect: connection refused, retrying`, ""
	case r.failed:
		return 500, "500 Internal Server Error", vegetaBody
	}
	return 200, "", vegetaBody
}

func vegetaCSVRecord(b []byte, r request) []byte {
	code, errMsg, body := vegetaResult(r)
	if strings.ContainsAny(errMsg, `",`) {
		errMsg = `"` + strings.ReplaceAll(errMsg, `"`, `""`) + `"`
	}
	b = append(num(append(num(b, r.tsMs*1e6+int64(r.i%1e6)), ','), int64(code)), ',')
	b = append(num(b, int64(math.Round(r.ms*1e6))), ",0,296,"+errMsg+","+body+",,"...)
	b = append(num(b, int64(r.i)), ","+r.e.method+","+host+r.e.name+","+vegetaHeaders+"\n"...)
	return b
}

func vegetaJSONRecord(b []byte, r request) []byte {
	code, errMsg, body := vegetaResult(r)
	ts := time.Unix(0, r.tsMs*1e6+int64(r.i%1e6)).UTC().Format(time.RFC3339Nano)
	b = append(num(append(b, `{"attack":"","seq":`...), int64(r.i)), `,"code":`...)
	b = append(num(b, int64(code)), `,"timestamp":"`+ts+`","latency":`...)
	b = append(num(b, int64(math.Round(r.ms*1e6))), `,"bytes_out":0,"bytes_in":296,"error":`+strconv.Quote(errMsg)+`,"body":"`+body+`","method":"`+r.e.method+
		`","url":"`+host+r.e.name+`","headers":{"Server":["ai-suite-fake/1.0 Python/3.11.2"],"Date":["Fri, 27 Nov 2026 10:26:17 GMT"],"Content-Type":["application/json"],"Content-Length":["296"]}}`+"\n"...)
	return b
}

// Result is named and shaped as Vegeta's (lib/results.go, v12.13.0): gob writes the
// type's name, and vegeta attack writes its results with one gob encoder.
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
	Method    string
	URL       string
	Headers   map[string][]string
}

var (
	gobOut     bytes.Buffer
	gobEnc     = gob.NewEncoder(&gobOut)
	gobBody, _ = base64.StdEncoding.DecodeString(vegetaBody)
	gobHeaders = map[string][]string{"Server": {"ai-suite-fake/1.0 Python/3.11.2"}, "Date": {"Fri, 27 Nov 2026 10:26:17 GMT"}, "Content-Type": {"application/json"}, "Content-Length": {"296"}}
)

// vegetaGobRecord writes a result as vegeta attack does (the first one after the type
// definitions).
func vegetaGobRecord(b []byte, r request) []byte {
	code, errMsg, body := vegetaResult(r)
	res := Result{Seq: uint64(r.i), Code: uint16(code), Timestamp: time.Unix(0, r.tsMs*1e6+int64(r.i%1e6)), Latency: time.Duration(math.Round(r.ms * 1e6)),
		BytesIn: 296, Error: errMsg, Method: r.e.method, URL: host + r.e.name, Headers: gobHeaders}
	if body != "" {
		res.Body = gobBody
	}
	gobOut.Reset()
	if err := gobEnc.Encode(&res); err != nil {
		panic(err)
	}
	return append(b, gobOut.Bytes()...)
}

func heyRecord(b []byte, r request) []byte {
	s := r.ms / 1000
	code := "200"
	if r.failed {
		code = "503"
	}
	b = append(fixed(b, s, 4), ',')
	b = append(fixed(b, s*0.02, 4), ',')
	b = append(fixed(b, s*0.01, 4), ",0.0000,"...)
	b = append(fixed(b, s*0.9, 4), ',')
	b = append(fixed(b, s*0.05, 4), ","+code+","...)
	return append(fixed(b, float64(r.tsMs-1718000000000)/1000, 4), '\n')
}

func gatlingRecord(b []byte, r request) []byte {
	status, msg := "OK", " "
	if r.failed {
		status, msg = "KO", "status.find.in([200, 209], 304), found 500"
	}
	if r.i%50 == 0 {
		b = append(num(append(b, "USER\tUsers\tSTART\t"...), r.tsMs), '\n')
	}
	b = append(num(append(b, "REQUEST\t"+r.e.group+"\t"+r.e.label+"\t"...), r.tsMs), '\t')
	return append(num(b, r.tsMs+int64(math.Round(r.ms))), "\t"+status+"\t"+msg+"\n"...)
}

const locustHistoryHeader = "Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count,Total Median Response Time,Total Average Response Time,Total Min Response Time,Total Max Response Time,Total Average Content Size\n"

// history is the cumulative state of a Locust run, per endpoint and in total.
var history struct {
	n, fail       [6]int64
	sum, min, max [6]float64
}

// locustHistoryRecord writes one second of a --csv-full-history file: a row per endpoint
// and the Aggregated row, with the cumulative totals after about 100 more requests each.
func locustHistoryRecord(b []byte, r request) []byte {
	h := &history
	for k, e := range endpoints {
		for j := 0; j < 100; j++ {
			ms := e.medianMs * (0.5 + float64((r.i*31+j*17+k*7)%100)/100) * (1 + r.ms/1000)
			for _, x := range []int{k, 5} {
				if h.n[x] == 0 || ms < h.min[x] {
					h.min[x] = ms
				}
				h.n[x]++
				h.sum[x] += ms
				h.max[x] = math.Max(h.max[x], ms)
			}
			if (r.i+j)%97 == 0 {
				h.fail[k]++
				h.fail[5]++
			}
		}
	}
	for k := 0; k < 6; k++ {
		typ, name := "", "Aggregated"
		if k < 5 {
			typ, name = endpoints[k].method, endpoints[k].name
		}
		b = append(num(append(b, strconv.Itoa(1718000000+r.i)+",50,"+typ+","+name+","...), 100), ".000000,1.000000,"...)
		med := int64(h.sum[k] / float64(h.n[k]))
		for _, f := range []float64{1, 1.1, 1.2, 1.3, 1.5, 1.8, 2.1, 2.4, 3, 3.2, 3.5} {
			b = append(num(b, int64(float64(med)*f)), ',')
		}
		b = append(num(append(num(b, h.n[k]), ','), h.fail[k]), ',')
		b = append(num(b, med), ',')
		b = append(strconv.AppendFloat(b, h.sum[k]/float64(h.n[k]), 'g', -1, 64), ',')
		b = append(strconv.AppendFloat(b, h.min[k], 'g', -1, 64), ',')
		b = append(strconv.AppendFloat(b, h.max[k], 'g', -1, 64), ",1254.0\n"...)
	}
	return b
}
