// Command naive is the reference reader of the benchmarks: the straightforward way to
// aggregate a JTL (encoding/csv) or a k6 NDJSON file (encoding/json, line by line) per
// endpoint, keeping every latency for exact nearest-rank percentiles. It prints JSON:
// {"endpoint": {"count", "failures", "mean_ms", "p50_ms", "p95_ms", "p99_ms"}}.
//
// Usage: naive -kind jtl|k6 FILE
package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
)

type stats struct {
	lat      []float64
	failures int
}

type result struct {
	Count    int     `json:"count"`
	Failures int     `json:"failures"`
	Mean     float64 `json:"mean_ms"`
	P50      float64 `json:"p50_ms"`
	P95      float64 `json:"p95_ms"`
	P99      float64 `json:"p99_ms"`
}

func main() {
	kind := flag.String("kind", "jtl", "jtl or k6")
	flag.Parse()
	f, err := os.Open(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	eps := map[string]*stats{}
	get := func(k string) *stats {
		if eps[k] == nil {
			eps[k] = &stats{}
		}
		return eps[k]
	}
	if *kind == "jtl" {
		r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
		header, err := r.Read()
		if err != nil {
			panic(err)
		}
		idx := map[string]int{}
		for i, h := range header {
			idx[h] = i
		}
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				panic(err)
			}
			el, _ := strconv.ParseFloat(rec[idx["elapsed"]], 64)
			s := get(rec[idx["label"]])
			s.lat = append(s.lat, el)
			if rec[idx["success"]] == "false" {
				s.failures++
			}
		}
	} else {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		failed := map[string]int{}
		for sc.Scan() {
			var p struct {
				Metric string
				Type   string
				Data   struct {
					Value float64
					Tags  map[string]string
				}
			}
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				panic(err)
			}
			k := p.Data.Tags["name"]
			switch p.Metric {
			case "http_req_duration":
				s := get(k)
				s.lat = append(s.lat, p.Data.Value)
			case "http_req_failed":
				if p.Data.Value != 0 {
					failed[k]++
				}
			}
		}
		for k, n := range failed {
			get(k).failures = n
		}
	}
	out := map[string]result{}
	for k, s := range eps {
		sort.Float64s(s.lat)
		sum := 0.0
		for _, v := range s.lat {
			sum += v
		}
		rank := func(p float64) float64 {
			r := int(math.Ceil(p * float64(len(s.lat))))
			if r < 1 {
				r = 1
			}
			return s.lat[r-1]
		}
		out[k] = result{len(s.lat), s.failures, sum / float64(len(s.lat)), rank(0.5), rank(0.95), rank(0.99)}
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
