package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
)

// subResultNote says when one side has endpoints that the other has only without a
// "-N" suffix: JMeter sub-results ("Login-0", "Login-1" of "Login"), which JMeter's
// dashboard (statistics.json) lists as labels of their own and perfgate folds into
// their parent when it reads a JTL. Such sides do not count the same requests. base and
// cur are the names of each side (services, and endpoints of raw results); "" when no
// name is in that case.
func subResultNote(base, cur []string) string {
	b, c := nameSet(base), nameSet(cur)
	onlyB, exB := suffixed(b, c)
	onlyC, exC := suffixed(c, b)
	if onlyB+onlyC == 0 {
		return ""
	}
	side, n, ex := "the baseline", onlyB, exB
	if onlyB == 0 {
		side, n, ex = "the current run", onlyC, exC
	}
	return fmt.Sprintf("JMeter sub-results: %s has %d endpoint%s that the other side has only without a -N suffix (e.g. `%s`, a sub-result of `%s`): JMeter's dashboard (statistics.json) lists sub-results as labels of their own, perfgate folds them into their parent when it reads a JTL, so the two sides do not count the same requests; read the JTL with --jtl-subresults=separate (extract-metrics, extract-baselines, or compare-performance on the raw file) to compare like with like",
		side, n, plural(n), ex, root(ex))
}

// fromJMeter tells whether a side was read from JMeter's output (as its perfgate metadata
// records): endpoints named "X-1" next to "X" mean sub-results only there.
func fromJMeter(f *metrics.File) bool {
	src, ok := f.Source()
	return ok && slices.ContainsFunc(src.Formats, func(name string) bool {
		return loadtest.ToolOf(loadtest.Format(name)) == loadtest.ToolOf(loadtest.FormatJMeterCSV)
	})
}

func nameSet(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		m[n] = true
	}
	return m
}

// suffixed counts the names of a that other lacks but whose root ("Login" for
// "Login-0" or "Login-0-1") other has, and returns the first of them in sorted order.
func suffixed(a, other map[string]bool) (int, string) {
	var found []string
	for n := range a {
		if r := root(n); r != n && !other[n] && other[r] {
			found = append(found, n)
		}
	}
	if len(found) == 0 {
		return 0, ""
	}
	slices.Sort(found)
	return len(found), found[0]
}

// root strips the trailing "-<digits>" groups of a name.
func root(n string) string {
	for {
		i := strings.LastIndexByte(n, '-')
		if i <= 0 || i == len(n)-1 || strings.Trim(n[i+1:], "0123456789") != "" {
			return n
		}
		n = n[:i]
	}
}
