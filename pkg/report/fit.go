package report

import (
	"fmt"
	"strings"
)

// StepSummaryLimit is the most a GitHub Actions step summary may hold: GitHub drops a
// larger one (1 MiB), so perfgate keeps the report below it with room to spare.
const StepSummaryLimit = 1000 * 1000

// Fit returns the markdown md within limit bytes: when it is too long, its tables are
// cut to as many rows as fit — the failures table last — each cut table followed by a
// note saying how many rows are missing and where the whole report is (where). Text
// outside tables is kept.
func Fit(md string, limit int, where string) string {
	if len(md) <= limit {
		return md
	}
	blocks := splitBlocks(md)
	most := 0
	for _, bl := range blocks {
		most = max(most, len(bl.rows))
	}
	render := func(kFail, kOther int) string { return renderBlocks(blocks, kFail, kOther, where) }
	fits := func(s string) bool { return len(s) <= limit }
	largest := func(r func(k int) string) int { // the largest k that fits, r(0) fitting
		lo, hi := 0, most
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if fits(r(mid)) {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		return lo
	}
	switch {
	case fits(render(most, 0)):
		return render(most, largest(func(k int) string { return render(most, k) }))
	case fits(render(0, 0)):
		return render(largest(func(k int) string { return render(k, 0) }), 0)
	}
	note := fmt.Sprintf("\n\n_… cut here: the report is too long for a step summary; the whole report is %s._\n", where)
	s := render(0, 0)
	cut := max(0, limit-len(note))
	for cut > 0 && cut < len(s) && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:min(cut, len(s))] + note
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// mdBlock is a run of lines of a markdown document: text, or a table whose header and
// separator are text and whose rows are rows.
type mdBlock struct {
	text     []string
	rows     []string
	table    bool
	failures bool // the seed's failures table: cut last
}

func splitBlocks(md string) []mdBlock {
	lines := strings.Split(strings.TrimSuffix(md, "\n"), "\n")
	var out []mdBlock
	heading := ""
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.HasPrefix(l, "#") {
			heading = strings.TrimSpace(l)
		}
		if strings.HasPrefix(l, "|") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "|-") {
			t := mdBlock{table: true, text: lines[i : i+2], failures: heading == FailuresHeading}
			for i += 2; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				t.rows = append(t.rows, lines[i])
			}
			out = append(out, t)
			i--
			continue
		}
		if len(out) == 0 || out[len(out)-1].table {
			out = append(out, mdBlock{})
		}
		out[len(out)-1].text = append(out[len(out)-1].text, l)
	}
	return out
}

// renderBlocks writes the blocks with at most kFail rows of the failures table and
// kOther rows of every other table.
func renderBlocks(blocks []mdBlock, kFail, kOther int, where string) string {
	var b strings.Builder
	for _, bl := range blocks {
		k := kOther
		if bl.failures {
			k = kFail
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
		if cut := len(bl.rows) - len(shown); cut > 0 {
			fmt.Fprintf(&b, "\n_… and %d more rows not shown: the report is too long for a step summary; the whole report is %s._\n", cut, where)
		}
	}
	return b.String()
}
