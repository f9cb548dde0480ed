package loadtest

import "bytes"

// The cut of a CSV JTL with a threadName column. A sub-result row belongs to the last
// sample of its thread at most jtlWindow lines above it (jtlParents), and rows of other
// threads may stand between them, so a chunk may start at a line only where no thread's
// first sample below it, within the window, is a sub-result of one of that thread's
// samples above it, within the window. Then a chunk read alone tells every sub-result
// as a reading of the whole file does: a thread's first row in the chunk is no
// sub-result of an earlier row (by the check, or being more than jtlWindow lines below
// every earlier one), and its later rows are judged on rows of the chunk. The check
// needs only the block being cut: the lines above the block were checked when its
// start was cut.

// jtlCutTries is how many lines a cut tries, from the last one possible upwards,
// before it waits for more data.
const jtlCutTries = 128

// jtlEntry is a sample of the lines a cut looks at: its line (from the first looked
// at), label, whether the label is that of a sub-result ("…-<n>"), and the entry of the
// same thread before it (-1: none).
type jtlEntry struct {
	line  int
	label []byte
	sub   bool
	prev  int
}

// threadCut is the cut of a CSV JTL with a threadName column (see above), on lines that
// csvCut would also take (an even number of quotes before, no quote on either side).
// Usually the last window lines of the block hold no sub-result: the cut is before them.
func (l *jtlLayout) threadCut(b *block, eof bool) (int, bool) {
	buf := b.data
	if eof {
		return len(buf), false
	}
	end := bytes.LastIndexByte(buf, '\n') + 1 // whole lines only
	starts := lineStarts(buf[:end], 2*l.window+jtlCutTries)
	if len(starts) <= l.window {
		return -1, false
	}
	odd := quoteParity(buf, starts, end)
	if i := len(starts) - l.window; l.cutLine(buf, starts, odd, i) && !l.anySub(buf[starts[i]:end]) {
		return starts[i], false
	}
	first := 0
	for first < len(starts) && odd[first] {
		first++
	}
	if len(starts)-first <= l.window {
		return -1, false
	}
	ents := l.entries(buf[starts[first]:end])
	low := first + l.window // the lines above the block's first were checked by its cut
	if starts[first] == 0 {
		low = 1
	}
	for i := len(starts) - l.window; i >= low; i-- {
		if l.cutLine(buf, starts, odd, i) && safeCut(ents, i-first, l.window) {
			return starts[i], false
		}
	}
	return -1, false
}

// quoteParity tells, for each line start (and the end), whether an odd number of quotes
// precede it in buf: the lines that start a record are those after an even number.
func quoteParity(buf []byte, starts []int, end int) []bool {
	odd := make([]bool, len(starts)+1)
	odd[0] = bytes.Count(buf[:starts[0]], []byte{'"'})%2 == 1
	for i, s := range starts {
		e := end
		if i+1 < len(starts) {
			e = starts[i+1]
		}
		odd[i+1] = odd[i] != (bytes.Count(buf[s:e], []byte{'"'})%2 == 1)
	}
	return odd
}

// cutLine reports whether a chunk may start at line i of starts as csvCut would cut
// there: records start there and window lines below, and neither line i nor the one
// above it holds a quote.
func (l *jtlLayout) cutLine(buf []byte, starts []int, odd []bool, i int) bool {
	return i >= 1 && !odd[i] && !odd[min(i+l.window, len(starts))] &&
		bytes.IndexByte(buf[starts[i-1]:starts[i]], '"') < 0 && bytes.IndexByte(buf[starts[i]:lineEnd(buf, starts[i])], '"') < 0
}

// anySub reports whether a record of data (whole records) is a sample whose label is
// that of a sub-result ("…-<n>").
func (l *jtlLayout) anySub(data []byte) bool {
	sub := false
	l.shape.records(chunk{data: data}, func(f *fields, _ int) {
		if label := f.at(l.label); !sub && f.n == l.cols && len(jtlRoot(label)) < len(label) {
			sub = true
		}
	}, func(int, string) {})
	return sub
}

// lineStarts returns the offsets of the starts of the last n lines of data (whole
// lines), in order.
func lineStarts(data []byte, n int) []int {
	var out []int
	e := len(data)
	for len(out) < n && e > 0 {
		s := bytes.LastIndexByte(data[:e-1], '\n') + 1
		out = append(out, s)
		e = s
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// lineEnd is the offset of the end of the line starting at s.
func lineEnd(buf []byte, s int) int {
	if e := bytes.IndexByte(buf[s:], '\n'); e >= 0 {
		return s + e
	}
	return len(buf)
}

// entries reads the samples of data (whole records), as the chunk reader reads them.
func (l *jtlLayout) entries(data []byte) []jtlEntry {
	var out []jtlEntry
	last := map[string]*int{} // thread → its last entry
	l.shape.records(chunk{data: data}, func(f *fields, line int) {
		if f.n != l.cols {
			return
		}
		if _, err := parseJTLRec(f.at(l.ts), f.at(l.elapsed), f.at(l.ok)); err != nil {
			return
		}
		label, th := f.at(l.label), l.threadOf(f)
		prev := -1
		if at := last[string(th)]; at != nil {
			prev, *at = *at, len(out)
		} else {
			at = new(int)
			*at = len(out)
			last[string(th)] = at
		}
		out = append(out, jtlEntry{line, label, len(jtlRoot(label)) < len(label), prev})
	}, func(int, string) {})
	return out
}

// safeCut reports whether a chunk may start at line at (of the lines that ents were
// read from): no thread's first sample in the window lines from it is a sub-result
// of a sample of the same thread in the window lines above it.
func safeCut(ents []jtlEntry, at, window int) bool {
	k := 0 // the first entry at or below the line
	for k < len(ents) && ents[k].line < at {
		k++
	}
	for j := k; j < len(ents) && ents[j].line < at+window; j++ {
		r := ents[j]
		if !r.sub || r.prev >= k { // no sub-result, or not its thread's first
			continue
		}
		for m := r.prev; m >= 0 && ents[m].line >= at-window; m = ents[m].prev {
			if jtlSubResult(ents[m].label, r.label) {
				return false
			}
		}
	}
	return true
}
