package report

import (
	"fmt"
	"strings"
)

// StepSummaryLimit is the most a GitHub Actions step summary may hold: GitHub drops a
// larger one (1 MiB), so perfgate keeps the report below it with room to spare.
const StepSummaryLimit = 1000 * 1000

// Fit returns the markdown md within limit bytes, for a step summary: when it is too
// long, its tables are cut to as many rows as fit — the failures table last — each cut
// table followed by a note saying how many rows are missing and where the whole report is
// (where). Text outside tables is kept.
func Fit(md string, limit int, where string) string {
	if len(md) <= limit {
		return md
	}
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	rows := func(cut int) string {
		return fmt.Sprintf("\n_… and %d more rows not shown: the report is too long for a step summary; the whole report is %s._\n", cut, where)
	}
	return FitBlocks("", "", SplitBlocks(lines, func(heading string, _ int) bool { return heading == FailuresHeading }), limit, CutNotes{
		Rows:    rows,
		AllRows: rows,
		Text:    fmt.Sprintf("\n\n_… cut here: the report is too long for a step summary; the whole report is %s._\n", where),
	})
}

// Block is a run of lines of a markdown document: text, or a table whose header and
// separator are in Text and whose rows are Rows.
type Block struct {
	Text, Rows []string
	Table      bool
	// Primary marks the main table (the failures): the last to be cut.
	Primary bool
}

// SplitBlocks splits markdown lines into text and tables; primary tells whether the
// table under heading (the last "#" line before it), the index-th table, is the main one.
func SplitBlocks(lines []string, primary func(heading string, index int) bool) []Block {
	var out []Block
	heading, tables := "", 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			heading = strings.TrimSpace(l)
		}
		if strings.HasPrefix(l, "|") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|-") {
			t := Block{Table: true, Text: lines[i : i+2], Primary: primary(heading, tables)}
			tables++
			for i += 2; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				t.Rows = append(t.Rows, lines[i])
			}
			out = append(out, t)
			i--
			continue
		}
		if len(out) == 0 || out[len(out)-1].Table {
			out = append(out, Block{})
		}
		out[len(out)-1].Text = append(out[len(out)-1].Text, l)
	}
	return out
}

// CutNotes are the notes FitBlocks writes where it cuts.
type CutNotes struct {
	Rows    func(cut int) string // after a table that lost cut rows and kept some
	AllRows func(cut int) string // instead of a table that lost all its rows
	Text    string               // after the whole, cut at the limit (the last resort)
}

// FitBlocks renders head, the blocks and foot within limit bytes (a byte count is never
// below the characters or UTF-16 units a service may count): when the whole does not
// fit, the tables other than the primary one are cut to as many rows as fit, each cut said
// by a note, then the primary table; when even that does not fit, the text is cut, on a
// character boundary.
func FitBlocks(head, foot string, blocks []Block, limit int, notes CutNotes) string {
	render := func(kPrimary, kOther int) string { return renderBlocks(head, foot, blocks, kPrimary, kOther, notes) }
	fits := func(s string) bool { return len(s) <= limit }
	most := 0
	for _, bl := range blocks {
		most = max(most, len(bl.Rows))
	}
	// The largest k for which render fits, given that k = 0 fits.
	largest := func(render func(k int) string) int {
		lo, hi := 0, most
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
	s := render(0, 0)
	cut := max(0, limit-len(notes.Text))
	for cut > 0 && cut < len(s) && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:min(cut, len(s))] + notes.Text
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// renderBlocks writes head, the blocks with at most kPrimary rows of the primary table
// and kOther rows of every other table, and foot.
func renderBlocks(head, foot string, blocks []Block, kPrimary, kOther int, notes CutNotes) string {
	var b strings.Builder
	b.WriteString(head)
	for _, bl := range blocks {
		k := kOther
		if bl.Primary {
			k = kPrimary
		}
		shown := bl.Rows[:min(k, len(bl.Rows))]
		if !bl.Table || len(shown) > 0 { // a table with no row left loses its header too
			for _, l := range bl.Text {
				b.WriteString(l + "\n")
			}
		}
		for _, l := range shown {
			b.WriteString(l + "\n")
		}
		switch cut := len(bl.Rows) - len(shown); {
		case cut > 0 && len(shown) == 0:
			b.WriteString(notes.AllRows(cut))
		case cut > 0:
			b.WriteString(notes.Rows(cut))
		}
	}
	b.WriteString(foot)
	return b.String()
}
