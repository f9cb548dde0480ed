package loadtest

import (
	"bytes"
	"fmt"
	"testing"
)

// benchJTL builds an in-memory JTL of about size bytes, like bench/gen writes.
func benchJTL(size int) []byte {
	var b bytes.Buffer
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
	labels := []string{"GET /health", "GET /v1/models", "POST /v1/chat/completions", "POST /api/rag/query", "POST /mcp/tools/execute"}
	for i := 0; b.Len() < size; i++ {
		ok, msg := "true", ""
		if i%100 == 0 {
			ok, msg = "false", `"boom, retry"`
		}
		fmt.Fprintf(&b, "%d,%d,%s,200,OK,AI suite users 1-%d,text,%s,%s,1532,141,50,50,http://127.0.0.1:18089/x,%d,0,%d\n",
			1718000000000+int64(i), 3+(i*7919)%400, labels[i%5], i%50, ok, msg, 2+(i*31)%300, i%3)
	}
	return b.Bytes()
}

func benchNDJSON(size int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		tags := fmt.Sprintf(`{"expected_response":"true","group":"","method":"GET","name":"http://127.0.0.1:18089/e%d","proto":"HTTP/1.1","scenario":"default","status":"200","url":"http://127.0.0.1:18089/e%d"}`, i%5, i%5)
		for _, m := range []string{"http_reqs", "http_req_duration", "http_req_waiting", "http_req_failed"} {
			fmt.Fprintf(&b, `{"metric":"%s","type":"Point","data":{"time":"2024-06-10T08:13:21.%09dZ","value":%d.%06d,"tags":%s}}`+"\n", m, i%1000000000, 3+(i*7919)%400, i%1000000, tags)
		}
	}
	return b.Bytes()
}

func benchRead(b *testing.B, data []byte, f Format) {
	b.ResetTimer()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		in, err := Open(bytes.NewReader(data), "bench", Options{Format: f})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if _, err := in.Rows(func(Row) error { n++; return nil }); err != nil || n != 5 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkJTL and BenchmarkK6JSON measure the raw-sample readers (MB/s); bench/run.sh
// compares whole commands against wc -l, a naive reader and pandas.
func BenchmarkJTL(b *testing.B)    { benchRead(b, benchJTL(128<<20), FormatJMeterCSV) }
func BenchmarkK6JSON(b *testing.B) { benchRead(b, benchNDJSON(128<<20), FormatK6JSON) }
