// Command check compares perfgate's normalized output with the naive reader's exact
// results: counts and failures equal, means equal up to float rounding (1e-9 relative),
// percentiles within 0.05 % (the histogram's stated error: a bucket's midpoint is within
// 0.05 % of every value in it; exact while an endpoint has at most 4096 distinct values).
// Percentiles the naive reader did not compute (Locust history) are not compared. It
// prints one line and exits 1 on any disagreement.
//
// Usage: check PERFGATE.json NAIVE.json
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
)

func main() {
	var raw map[string]json.RawMessage
	var nv map[string]map[string]float64
	read(os.Args[1], &raw)
	read(os.Args[2], &nv)
	pg := map[string]map[string]float64{}
	for k, v := range raw {
		var fields map[string]any
		if k[0] == '_' || json.Unmarshal(v, &fields) != nil {
			continue // metadata
		}
		pg[k] = map[string]float64{}
		for f, x := range fields {
			if n, ok := x.(float64); ok {
				pg[k][f] = n
			}
		}
	}
	var bad []string
	worst, compared := 0.0, 0
	for k, n := range nv {
		p, ok := pg[k]
		if !ok {
			bad = append(bad, "missing "+k)
			continue
		}
		if p["total_requests"] != n["count"] || p["total_failures"] != n["failures"] {
			bad = append(bad, fmt.Sprintf("%s: counts %v/%v vs %v/%v", k, p["total_requests"], p["total_failures"], n["count"], n["failures"]))
		}
		if rel(p["avg_latency_ms"], n["mean_ms"]) > 1e-9 {
			bad = append(bad, fmt.Sprintf("%s: mean %v vs %v", k, p["avg_latency_ms"], n["mean_ms"]))
		}
		for _, q := range [][2]string{{"median_latency_ms", "p50_ms"}, {"p95_latency_ms", "p95_ms"}, {"p99_latency_ms", "p99_ms"}} {
			want, ok := n[q[1]]
			if !ok {
				continue
			}
			compared++
			r := rel(p[q[0]], want)
			worst = math.Max(worst, r)
			if r > 0.0005 {
				bad = append(bad, fmt.Sprintf("%s: %s %v vs exact %v", k, q[0], p[q[0]], want))
			}
		}
	}
	if len(bad) > 0 || len(pg) != len(nv) {
		fmt.Printf("DISAGREE: %s (%d vs %d endpoints)\n", strings.Join(bad, "; "), len(pg), len(nv))
		os.Exit(1)
	}
	if compared == 0 {
		fmt.Printf("agree: %d endpoints, counts and means exact (no percentiles to compare)\n", len(nv))
		return
	}
	fmt.Printf("agree: %d endpoints, counts and means exact, percentiles within %.4f%%\n", len(nv), worst*100)
}

func rel(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / math.Max(math.Abs(b), 1e-12)
}

func read(path string, v any) {
	b, err := os.ReadFile(path)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if err := json.Unmarshal(b, v); err != nil {
		fmt.Println(path, err)
		os.Exit(1)
	}
}
