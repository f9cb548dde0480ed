// Command create-regression-issue opens (or updates) GitHub issues about the performance
// regressions in a report written by compare-performance.
//
// Usage:
//
//	create-regression-issue [flags] <regression_report_file> [--token TOKEN]
//
// Run with -h for the flags. Exit status, as the Python script's: 0 issues created or
// updated, or none needed; 1 anything else — a usage error, a missing token, repository
// or report, a GitHub API error.
package main

import (
	"os"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
)

func main() {
	os.Exit(cli.Recover(os.Stderr, "create-regression-issue", func() int {
		return run(os.Args[1:], os.Stdout, os.Stderr, environment{Getenv: os.Getenv, Now: time.Now})
	}))
}
