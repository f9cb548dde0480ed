// Command gen writes a deterministic load-test result file of about a given size for the
// benchmarks: a JMeter CSV JTL or a k6 --out json NDJSON file, 5 endpoints with a
// realistic latency spread (log-normal, a slow tail), about 1 % failures, and for the JTL
// some quoted failure messages with commas.
//
// Usage: gen -kind jtl|k6 -size 1GB -o FILE
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"
)

type endpoint struct {
	label, method, name string
	medianMs, sigma     float64
}

var endpoints = []endpoint{
	{"GET /health", "GET", "/health", 2, 0.4},
	{"GET /v1/models", "GET", "/v1/models", 5, 0.3},
	{"POST /v1/chat/completions", "POST", "/v1/chat/completions", 55, 0.35},
	{"POST /api/rag/query", "POST", "/api/rag/query", 100, 0.3},
	{"POST /mcp/tools/execute", "POST", "/mcp/tools/execute", 70, 0.3},
}

func main() {
	kind := flag.String("kind", "jtl", "jtl or k6")
	size := flag.String("size", "1GB", "approximate size: 512MB, 1GB, 4GB…")
	out := flag.String("o", "", "output file")
	flag.Parse()
	target, err := parseSize(*size)
	if err != nil || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: gen -kind jtl|k6 -size 1GB -o FILE")
		os.Exit(1)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(42, 7))
	var written int64
	ts := int64(1718000000000)
	if *kind == "jtl" {
		h := "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n"
		w.WriteString(h)
		written += int64(len(h))
	}
	var line []byte
	for i := 0; written < target; i++ {
		e := endpoints[rng.IntN(len(endpoints))]
		ms := e.medianMs * math.Exp(e.sigma*rng.NormFloat64())
		if rng.Float64() < 0.02 {
			ms *= 2 + 3*rng.Float64() // slow tail
		}
		failed := rng.Float64() < 0.01
		ts += int64(rng.IntN(3))
		thread := 1 + i%50
		line = line[:0]
		if *kind == "jtl" {
			el := int64(math.Round(ms))
			code, msg, success, fmsg := "200", "OK", "true", ""
			if failed {
				code, msg, success = "500", "Internal Server Error", "false"
				if i%3 == 0 {
					fmsg = `"Assertion failed: expected 200, got 500 (body: {""error"": ""boom, retry""})"`
				}
			}
			line = strconv.AppendInt(line, ts, 10)
			line = append(line, ',')
			line = strconv.AppendInt(line, el, 10)
			line = append(line, ',')
			line = append(line, e.label...)
			line = append(line, ',')
			line = append(line, code...)
			line = append(line, ',')
			line = append(line, msg...)
			line = append(line, ",AI suite users 1-"...)
			line = strconv.AppendInt(line, int64(thread), 10)
			line = append(line, ",text,"...)
			line = append(line, success...)
			line = append(line, ',')
			line = append(line, fmsg...)
			line = append(line, ",1532,141,50,50,http://127.0.0.1:18089"...)
			line = append(line, e.name...)
			line = append(line, ',')
			line = strconv.AppendInt(line, el-el/10, 10)
			line = append(line, ",0,"...)
			line = strconv.AppendInt(line, int64(rng.IntN(3)), 10)
			line = append(line, '\n')
		} else {
			t := time.UnixMilli(ts).UTC().Format("2006-01-02T15:04:05.000000000Z07:00")
			status := "200"
			fv := "0"
			if failed {
				status, fv = "500", "1"
			}
			tags := `{"expected_response":"` + strconv.FormatBool(!failed) + `","group":"","method":"` + e.method + `","name":"http://127.0.0.1:18089` + e.name + `","proto":"HTTP/1.1","scenario":"default","status":"` + status + `","url":"http://127.0.0.1:18089` + e.name + `"}`
			for _, m := range []struct{ metric, value string }{
				{"http_reqs", "1"},
				{"http_req_duration", strconv.FormatFloat(ms, 'f', 6, 64)},
				{"http_req_blocked", "0.001"},
				{"http_req_waiting", strconv.FormatFloat(ms*0.9, 'f', 6, 64)},
				{"http_req_failed", fv},
			} {
				line = append(line, `{"metric":"`+m.metric+`","type":"Point","data":{"time":"`+t+`","value":`+m.value+`,"tags":`+tags+"}}\n"...)
			}
		}
		w.Write(line)
		written += int64(len(line))
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	f.Close()
}

func parseSize(s string) (int64, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			mult, s = u.m, strings.TrimSuffix(s, u.suffix)
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	return int64(v * float64(mult)), err
}
