// Command extract-baselines extracts performance baselines from a reference load-test run (docs/performance-baselines.json).
//
// Usage:
//
//	extract-baselines [flags] <input> [output]
//	extract-baselines [flags] -o <output> <input>...
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
	os.Exit(cli.Recover(os.Stderr, "extract-baselines", func() int { return extract.RunBaselines(os.Args[1:], os.Stdout, os.Stderr, extract.Env{Now: time.Now}) }))
}
