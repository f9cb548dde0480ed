// Command compare-performance compares current load-test metrics with a baseline,
// prints the markdown regression report and writes it (default
// load-test-results/regression-analysis.md).
//
// Usage:
//
//	compare-performance [flags] <baseline_file> <current_results_file>
//
// Run with -h for the flags. Exit status, as the Python script's: 0 no critical failure;
// 1 anything else — critical failures, a usage error, an unreadable input, or nothing
// comparable (a gate that cannot judge never passes).
package main

import (
	"os"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
)

func main() {
	os.Exit(cli.Recover(os.Stderr, "compare-performance", func() int {
		return run(os.Args[1:], os.Stdout, os.Stderr, environment{Getenv: os.Getenv, Now: time.Now})
	}))
}
