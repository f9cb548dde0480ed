// Command extract-metrics turns load-test results into normalized per-service metrics (load-results.json).
//
// Usage:
//
//	extract-metrics [flags] <input> [output]
//	extract-metrics [flags] -o <output> <input>...
//
// With two positional arguments the second is always the output. Run with -h for the
// flags. Exit status, as the Python script's: 0 written; 1 anything else (usage error,
// missing, unreadable or bad input, nothing matched).
package main

import (
	"os"
	"time"

	"github.com/perfgate/perfgate/internal/extract"
	"github.com/perfgate/perfgate/pkg/cli"
)

func main() {
	os.Exit(cli.Recover(os.Stderr, "extract-metrics", func() int { return extract.RunMetrics(os.Args[1:], os.Stdout, os.Stderr, extract.Env{Now: time.Now}) }))
}
