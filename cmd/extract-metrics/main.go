// Command extract-metrics turns load-test results into normalized per-service metrics (load-results.json).
//
// Usage:
//
//	extract-metrics [flags] <input> [output]
//	extract-metrics [flags] -o <output> <input>...
//
// Run with -h for the flags. Exit status: 0 written; 1 could not produce a result
// (missing, unreadable or bad input, nothing matched); 2 usage error.
package main

import (
	"os"
	"time"

	"github.com/perfgate/perfgate/pkg/extract"
)

func main() {
	os.Exit(extract.RunMetrics(os.Args[1:], os.Stdout, os.Stderr, extract.Env{Now: time.Now}))
}
