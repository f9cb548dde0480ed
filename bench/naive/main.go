// Command naive is the reference reader of the benchmarks: the straightforward way to
// aggregate a raw load-test result per endpoint with the standard library (encoding/csv,
// encoding/json, encoding/xml, line by line), keeping every latency for exact nearest-rank
// percentiles. It prints JSON: {"endpoint": {"count", "failures", "mean_ms", "p50_ms",
// "p95_ms", "p99_ms"}} (no percentiles for a Locust history, whose rows are totals).
//
// Usage: naive -kind KIND FILE (the kinds of bench/gen)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// stats is what the reader collects per endpoint: every latency (ms) and the failures;
// totals are set instead by readers of summary rows (Locust history).
type stats struct {
	lat      []float64
	failures int
	total    *result
}

type result struct {
	Count    int      `json:"count"`
	Failures int      `json:"failures"`
	Mean     float64  `json:"mean_ms"`
	P50      *float64 `json:"p50_ms,omitempty"`
	P95      *float64 `json:"p95_ms,omitempty"`
	P99      *float64 `json:"p99_ms,omitempty"`
}

// endpoints collects stats by endpoint key.
type endpoints map[string]*stats

func (e endpoints) get(k string) *stats {
	if e[k] == nil {
		e[k] = &stats{}
	}
	return e[k]
}

func (e endpoints) add(k string, ms float64, failed bool) {
	s := e.get(k)
	s.lat = append(s.lat, ms)
	if failed {
		s.failures++
	}
}

var readers = map[string]func(io.Reader, endpoints) error{
	"jtl": readJTL, "jtl-xml": readXML, "k6": readK6, "k6-csv": readK6CSV, "vegeta-csv": readVegetaCSV,
	"vegeta-json": readVegetaJSON, "vegeta-gob": readVegetaGob, "hey": readHey, "gatling": readGatling, "locust-history": readHistory,
}

func main() {
	kind := flag.String("kind", "jtl", "the kind of file (see bench/gen)")
	flag.Parse()
	read, ok := readers[*kind]
	if !ok || flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: naive -kind KIND FILE")
		os.Exit(1)
	}
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	eps := endpoints{}
	if err := read(f, eps); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out := map[string]result{}
	for k, s := range eps {
		out[k] = summarize(s)
	}
	json.NewEncoder(os.Stdout).Encode(out)
}

// summarize sorts the latencies: count, mean and exact nearest-rank percentiles.
func summarize(s *stats) result {
	if s.total != nil {
		return *s.total
	}
	sort.Float64s(s.lat)
	sum := 0.0
	for _, v := range s.lat {
		sum += v
	}
	rank := func(p float64) *float64 {
		r := max(int(math.Ceil(p*float64(len(s.lat)))), 1)
		return &s.lat[r-1]
	}
	return result{len(s.lat), s.failures, sum / float64(len(s.lat)), rank(0.5), rank(0.95), rank(0.99)}
}
