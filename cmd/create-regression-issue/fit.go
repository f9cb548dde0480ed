package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/report"
)

// GitHub refuses issue and comment bodies over 65,536 characters: an issue that is
// refused is never filed. Bodies that could be longer (the pull-request comment, issue
// bodies and the comments on an open issue) are cut to fit, table rows first, each cut
// said by a note.

// commentLimit is the longest body perfgate posts, in bytes: GitHub refuses bodies over
// 65,536 characters, and however it counts them (characters, UTF-16 units) a body's
// bytes are never fewer; 65,000 leaves a margin below it.
const commentLimit = 65000

// fitBody returns the body render makes of rows when it fits GitHub's limit; else the
// body of the rows ordered most severe first, cut to fit, its main table (the first one)
// followed by a note naming the rows left out and where they are. what is "an issue body"
// or "a comment"; titles and headings keep the real count.
func fitBody(rows []report.Row, what string, c issueContext, render func([]report.Row) string) string {
	s := render(rows)
	if len(s) <= commentLimit {
		return s
	}
	lines := strings.Split(strings.TrimSuffix(render(bySeverity(rows)), "\n"), "\n")
	where := fmt.Sprintf("see the report `%s`", reportPath(c))
	if c.RunURL != "" {
		where = fmt.Sprintf("see the [workflow run](%s) / report artifact (`%s`)", c.RunURL, reportPath(c))
	}
	limit := "GitHub limits " + what + " to 65,536 characters"
	return report.FitBlocks("", "", report.SplitBlocks(lines, func(_ string, i int) bool { return i == 0 }), commentLimit, report.CutNotes{
		Rows: func(cut int) string {
			return fmt.Sprintf("\n_… and %d more rows: %s. %s; the most severe rows are shown._\n", cut, where, limit)
		},
		AllRows: func(cut int) string { return fmt.Sprintf("_%d rows not shown: %s. %s._\n", cut, where, limit) },
		Text:    fmt.Sprintf("\n\n_… cut: %s. %s._\n", where, limit),
	})
}

// bySeverity returns the rows ordered most severe first by their Change cell: ∞ (a
// baseline of 0) first, then by the size of the change either way, then cells that are
// not a change (n/a); rows of equal severity keep their order.
func bySeverity(rows []report.Row) []report.Row {
	out := append([]report.Row(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool {
		ri, mi := severity(out[i].Change)
		rj, mj := severity(out[j].Change)
		if ri != rj {
			return ri > rj
		}
		return mi > mj
	})
	return out
}

// severity ranks a Change cell ("+66.7%", "-35.0%", "∞", "n/a"): 2 for ∞, 1 for a
// change (with its size), 0 for anything else.
func severity(change string) (rank int, size float64) {
	s := strings.TrimSpace(change)
	if strings.Contains(s, "∞") {
		return 2, 0
	}
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	switch {
	case err != nil || math.IsNaN(v):
		return 0, 0
	case math.IsInf(v, 0):
		return 2, 0
	}
	return 1, math.Abs(v)
}
