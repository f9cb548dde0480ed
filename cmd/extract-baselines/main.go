// Command extract-baselines extracts performance baselines from a reference load-test run (docs/performance-baselines.json).
//
// Usage:
//
//	extract-baselines [flags] <input> [output]
//	extract-baselines [flags] -o <output> <input>...
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
	os.Exit(extract.RunBaselines(os.Args[1:], os.Stdout, os.Stderr, extract.Env{Now: time.Now}))
}
