// Command gen writes a deterministic load-test result file of about a given size for the
// benchmarks, in the raw format of one tool: 5 endpoints with a realistic latency spread
// (log-normal, a slow tail), about 1 % failures, and the odd records real files have
// (quoted failure messages with commas, transport errors, nested samples, entities).
//
// Usage: gen -kind KIND -size 1GB -o FILE
//
// Kinds: jtl (JMeter CSV JTL), jtl-xml (JMeter XML JTL), k6 (k6 --out json), k6-csv,
// vegeta-csv, vegeta-json (vegeta encode), vegeta-gob (vegeta attack's own output), hey
// (hey -o csv), gatling (simulation.log),
// locust-history (Locust _stats_history.csv with --csv-full-history).
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
)

type endpoint struct {
	label, method, name, group string
	medianMs, sigma            float64
}

var endpoints = []endpoint{
	{"GET /health", "GET", "/health", "Probe", 2, 0.4},
	{"GET /v1/models", "GET", "/v1/models", "Browse", 5, 0.3},
	{"POST /v1/chat/completions", "POST", "/v1/chat/completions", "Chat", 55, 0.35},
	{"POST /api/rag/query", "POST", "/api/rag/query", "Chat,Retrieval", 100, 0.3},
	{"POST /mcp/tools/execute", "POST", "/mcp/tools/execute", "", 70, 0.3},
}

const host = "http://127.0.0.1:18089"

// request is one generated request.
type request struct {
	i      int
	e      endpoint
	ms     float64 // latency
	failed bool
	tsMs   int64 // start, epoch ms
}

// writer appends the records of a request to line (head is written once, first).
type writer struct {
	head   string
	record func(line []byte, r request) []byte
}

var kinds = map[string]writer{
	"jtl":            {jtlHeader, jtlRecord},
	"jtl-xml":        {"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testResults version=\"1.2\">\n", xmlRecord},
	"k6":             {"", k6Record},
	"k6-csv":         {k6CSVHeader, k6CSVRecord},
	"vegeta-csv":     {"", vegetaCSVRecord},
	"vegeta-json":    {"", vegetaJSONRecord},
	"vegeta-gob":     {"", vegetaGobRecord},
	"hey":            {"response-time,DNS+dialup,DNS,Request-write,Response-delay,Response-read,status-code,offset\n", heyRecord},
	"gatling":        {"RUN\tai.suite.LoadSimulation\tloadsimulation\t1718000000000\t \t3.12.0\n", gatlingRecord},
	"locust-history": {locustHistoryHeader, locustHistoryRecord},
}

func main() {
	kind := flag.String("kind", "jtl", "jtl, jtl-xml, k6, k6-csv, vegeta-csv, vegeta-json, vegeta-gob, hey, gatling or locust-history")
	size := flag.String("size", "1GB", "approximate size: 512MB, 1GB, 4GB…")
	out := flag.String("o", "", "output file")
	flag.Parse()
	target, err := parseSize(*size)
	w, ok := kinds[*kind]
	if err != nil || *out == "" || !ok {
		fmt.Fprintln(os.Stderr, "usage: gen -kind KIND -size 1GB -o FILE")
		os.Exit(1)
	}
	if err := generate(*out, target, w); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func generate(path string, target int64, w writer) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(42, 7))
	bw.WriteString(w.head)
	written := int64(len(w.head))
	ts := int64(1718000000000)
	var line []byte
	for i := 0; written < target; i++ {
		e := endpoints[rng.IntN(len(endpoints))]
		ms := e.medianMs * math.Exp(e.sigma*rng.NormFloat64())
		if rng.Float64() < 0.02 {
			ms *= 2 + 3*rng.Float64() // slow tail
		}
		ts += int64(rng.IntN(3))
		line = w.record(line[:0], request{i: i, e: e, ms: ms, failed: rng.Float64() < 0.01, tsMs: ts})
		bw.Write(line)
		written += int64(len(line))
	}
	if strings.HasPrefix(w.head, "<?xml") {
		bw.WriteString("</testResults>\n")
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
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

// num appends an integer.
func num(b []byte, v int64) []byte { return strconv.AppendInt(b, v, 10) }

// fixed appends a float with d decimals.
func fixed(b []byte, v float64, d int) []byte { return strconv.AppendFloat(b, v, 'f', d, 64) }
