package loadtest

import (
	"errors"
	"strings"
	"testing"
)

type countAcc struct{ lines int }

func (a *countAcc) merge(b *countAcc) { a.lines += b.lines }

// TestWorkerPanicRaisedOnTheCaller: a reader bug that panics inside a worker goroutine
// does not kill the process from that goroutine (where no recovery can catch it): the
// first panic is raised again on the caller's goroutine, naming the line of its chunk,
// after every other chunk was drained (the reader never blocks).
func TestWorkerPanicRaisedOnTheCaller(t *testing.T) {
	t.Parallel()
	input := strings.Repeat("ok\n", 5000) + "boom\n" + strings.Repeat("ok\n", 5000)
	p := pipeline{r: strings.NewReader(input), size: 64, firstLine: 1, cut: lastLineCut}
	var got any
	func() {
		defer func() { got = recover() }()
		parallel(p, func() *countAcc { return &countAcc{} }, func(a *countAcc, c chunk) {
			eachLine(c, func(line []byte, n int) {
				if string(line) == "boom" {
					panic(errors.New("index out of range"))
				}
				a.lines++
			})
		})
	}()
	wp, ok := got.(*WorkerPanic)
	if !ok {
		t.Fatalf("recovered %#v, want a *WorkerPanic", got)
	}
	if !strings.HasPrefix(wp.Error(), "index out of range (reading from line ") || len(wp.DebugStack()) == 0 {
		t.Errorf("%v; stack %d bytes", wp, len(wp.DebugStack()))
	}
	// A chunk holds whole lines, so the chunk that panicked starts at or before line 5001.
	if wp.Line < 4990 || wp.Line > 5001 {
		t.Errorf("chunk line %d, want just before 5001", wp.Line)
	}
}
