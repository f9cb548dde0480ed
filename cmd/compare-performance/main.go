// Command compare-performance compares current load-test metrics with a baseline,
// prints the markdown regression report and writes it (default
// load-test-results/regression-analysis.md).
//
// Usage:
//
//	compare-performance [flags] <baseline_file> <current_results_file>
//
// Run with -h for the flags. Exit status: 0 no critical failure; 1 critical failures;
// 2 usage error, unreadable input or nothing comparable.
package main

import (
	"os"

	"github.com/perfgate/perfgate/pkg/compare"
)

func main() { os.Exit(compare.Run(os.Args[1:], os.Stdout, os.Stderr, compare.Env{Getenv: os.Getenv})) }
