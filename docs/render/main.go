// Command render renders every Mermaid chart of markdown files for real — the mermaid
// npm package in headless Chromium — and fails on a Mermaid syntax or render error, or
// when a rendered chart does not hold every point of its source. It writes a PNG
// screenshot of each chart (the README's picture is one). `make render` runs it on the
// demo's reports (CI runs it). A development tool, not one of perfgate's binaries.
//
// Usage:
//
//	go run ./docs/render -chromium /usr/bin/chromium -mermaid mermaid.min.js -out DIR FILE.md...
//
// Exit status: 0 every chart rendered; 1 anything else.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var r renderer
	fs.StringVar(&r.chromium, "chromium", "chromium", "Chromium `executable`")
	fs.StringVar(&r.mermaidJS, "mermaid", "", "the mermaid package's dist/mermaid.min.js `file`")
	fs.StringVar(&r.out, "out", "", "write a PNG screenshot of every chart into `dir`")
	timeout := fs.Duration("timeout", 2*time.Minute, "bound on each Chromium run")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if r.mermaidJS == "" || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "❌ render: want -mermaid FILE and at least one markdown file")
		return 1
	}
	r.timeout = *timeout
	var charts []chart
	for _, f := range fs.Args() {
		doc, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintf(stderr, "❌ render: %v\n", err)
			return 1
		}
		charts = append(charts, extract(string(doc), filepath.Base(f))...)
	}
	if len(charts) == 0 {
		fmt.Fprintln(stderr, "❌ render: no mermaid chart in the files")
		return 1
	}
	ctx := context.Background()
	// The renderer must see errors: a broken chart has to fail.
	if res, err := r.render(ctx, []chart{brokenChart}); err != nil || len(res) != 1 || res[0].Error == "" {
		fmt.Fprintf(stderr, "❌ render: a broken chart did not fail (%v, %+v): the renderer cannot be trusted\n", err, res)
		return 1
	}
	results, err := r.render(ctx, charts)
	if err != nil {
		fmt.Fprintf(stderr, "❌ render: %v\n", err)
		return 1
	}
	failed := 0
	for i, c := range charts {
		if msg := check(c, results[i]); msg != "" {
			failed++
			fmt.Fprintf(stdout, "❌ %s: %s\n", c.Name, msg)
			continue
		}
		line := fmt.Sprintf("✅ %s: rendered, %d line(s) of %d points, x axis %s … %s", c.Name, len(c.Lines), len(c.Labels), first(c.Labels), last(c.Labels))
		if r.out != "" {
			png, err := r.screenshot(ctx, c, i)
			if err != nil {
				fmt.Fprintf(stderr, "❌ render: %v\n", err)
				return 1
			}
			line += " → " + png
		}
		fmt.Fprintln(stdout, line)
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "❌ render: %d of %d charts failed\n", failed, len(charts))
		return 1
	}
	fmt.Fprintf(stdout, "✅ %d charts rendered by mermaid in %s without error\n", len(charts), r.chromium)
	return 0
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

func last(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}
