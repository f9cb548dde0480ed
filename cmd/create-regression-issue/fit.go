package main

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/perfgate/perfgate/pkg/report"
)

// GitHub refuses issue and comment bodies over 65,536 characters: an issue that is
// refused is never filed. Bodies that could be longer (the pull-request comment, issue
// bodies and the comments on an open issue) are cut to fit, table rows first, each cut
// said by a note.

// commentLimit is the longest body perfgate posts, in characters: GitHub refuses bodies
// over 65,536; the margin covers counting differences (a character outside the Basic
// Multilingual Plane counts twice in UTF-16).
const commentLimit = 65000

// fitRune cuts s to at most n characters.
func fitRune(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}

// block is a run of markdown lines: text, or a table (its header and separator in text,
// then its rows).
type block struct {
	text    []string
	rows    []string
	table   bool
	primary bool // the main table (the failures): the last to be cut
}

// splitBlocks splits markdown lines into text and tables; primary tells whether the
// table under heading (the last "#" line before it), the index-th table, is the main one.
func splitBlocks(lines []string, primary func(heading string, index int) bool) []block {
	var out []block
	heading, tables := "", 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			heading = strings.TrimSpace(l)
		}
		if strings.HasPrefix(l, "|") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|-") {
			t := block{table: true, text: lines[i : i+2], primary: primary(heading, tables)}
			tables++
			for i += 2; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				t.rows = append(t.rows, lines[i])
			}
			out = append(out, t)
			i--
			continue
		}
		if len(out) == 0 || out[len(out)-1].table {
			out = append(out, block{})
		}
		out[len(out)-1].text = append(out[len(out)-1].text, l)
	}
	return out
}

// cutNotes are the notes fitBlocks writes where it cuts.
type cutNotes struct {
	rows    func(cut int) string // after a table that lost cut rows and kept some
	allRows func(cut int) string // instead of a table that lost all its cut rows
	text    string               // after the whole, cut at the limit (the last resort)
}

// fitBlocks renders head, the blocks and foot within commentLimit characters: when the
// whole does not fit, the tables other than the primary one are cut to as many rows as
// fit (each cut table followed by a note saying how many rows are missing and where the
// full report is), then the primary table; when even that does not fit, the text is cut.
func fitBlocks(head, foot string, blocks []block, notes cutNotes) string {
	render := func(kPrimary, kOther int) string {
		var b strings.Builder
		b.WriteString(head)
		for _, bl := range blocks {
			k := kOther
			if bl.primary {
				k = kPrimary
			}
			shown := bl.rows[:min(k, len(bl.rows))]
			if !bl.table || len(shown) > 0 { // a table with no row left loses its header too
				for _, l := range bl.text {
					b.WriteString(l + "\n")
				}
			}
			for _, l := range shown {
				b.WriteString(l + "\n")
			}
			switch cut := len(bl.rows) - len(shown); {
			case cut > 0 && len(shown) == 0:
				b.WriteString(notes.allRows(cut))
			case cut > 0:
				b.WriteString(notes.rows(cut))
			}
		}
		b.WriteString(foot)
		return b.String()
	}
	fits := func(s string) bool { return utf8.RuneCountInString(s) <= commentLimit }
	most := 0
	for _, bl := range blocks {
		most = max(most, len(bl.rows))
	}
	// The largest k for which render fits, given that k = 0 fits.
	largest := func(render func(k int) string) int {
		lo, hi := 0, most // render(lo) fits
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fits(render(mid)) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	switch {
	case fits(render(most, most)):
		return render(most, most)
	case fits(render(most, 0)):
		return render(most, largest(func(k int) string { return render(most, k) }))
	case fits(render(0, 0)):
		return render(largest(func(k int) string { return render(k, 0) }), 0)
	}
	return fitRune(render(0, 0), commentLimit-utf8.RuneCountInString(notes.text)) + notes.text
}

// fitBody returns the body render makes of rows when it fits GitHub's limit; else the
// body of the rows ordered most severe first, cut to fit, its main table (the first one)
// followed by a note naming the rows left out and where they are. what is "an issue body"
// or "a comment"; titles and headings keep the real count.
func fitBody(rows []report.Row, what string, c issueContext, render func([]report.Row) string) string {
	s := render(rows)
	if utf8.RuneCountInString(s) <= commentLimit {
		return s
	}
	lines := strings.Split(strings.TrimSuffix(render(bySeverity(rows)), "\n"), "\n")
	where := fmt.Sprintf("see the report `%s`", reportPath(c))
	if c.RunURL != "" {
		where = fmt.Sprintf("see the [workflow run](%s) / report artifact (`%s`)", c.RunURL, reportPath(c))
	}
	limit := "GitHub limits " + what + " to 65,536 characters"
	return fitBlocks("", "", splitBlocks(lines, func(_ string, i int) bool { return i == 0 }), cutNotes{
		rows: func(cut int) string {
			return fmt.Sprintf("\n_… and %d more rows: %s. %s; the most severe rows are shown._\n", cut, where, limit)
		},
		allRows: func(cut int) string { return fmt.Sprintf("_%d rows not shown: %s. %s._\n", cut, where, limit) },
		text:    fmt.Sprintf("\n\n_… cut: %s. %s._\n", where, limit),
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
