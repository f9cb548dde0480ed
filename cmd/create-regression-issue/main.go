// Command create-regression-issue opens (or updates) GitHub issues about the performance
// regressions in a report written by compare-performance.
//
// Usage:
//
//	create-regression-issue [flags] <regression_report_file> [--token TOKEN]
//
// Run with -h for the flags. Exit status: 0 issues created/updated, or none needed;
// 1 GitHub API error; 2 usage error, unreadable report, missing token or repository.
package main

import (
	"os"
	"time"

	"github.com/perfgate/perfgate/pkg/issue"
)

func main() {
	os.Exit(issue.Run(os.Args[1:], os.Stdout, os.Stderr, issue.Env{Getenv: os.Getenv, Now: time.Now}))
}
