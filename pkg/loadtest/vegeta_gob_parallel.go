package loadtest

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"io"
	"math"
	"sync"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// The parallel reading of a gob stream whose header gobLayoutOf recognized (see
// vegeta_gob_fast.go). The cut only frames messages: it marks where each one starts and
// stops before a message that is not a value of Result (a type defined after results: a
// second stream appended), one whose length gob refuses or the fast path does not take,
// and one the input ends inside; the sequential reader reads from there. Workers decode
// the values, each message on its own: directly, or with encoding/gob when the direct
// decoding cannot. When gob fails on a message, the reading ends there as the sequential
// one's would (an error, or a result cut short counted as skipped, or the end of the
// input for gob's io.EOF): so no result after it may count. A worker therefore checks its
// whole chunk first, then waits until every earlier chunk is checked (gobOrder) before it
// aggregates, leaving out what comes after the first message gob fails on.

// cut is the chunk cut: after the last whole message of b, marking where each starts.
func (l *gobLayout) cut(b *block, eof bool) (int, bool) {
	off := 0
	for off < len(b.data) {
		msg, size, st := gobFrame(b.data[off:])
		if st == frameShort && !eof {
			break
		}
		if _, ok := l.result(msg); st != frameOK || !ok {
			return off, true
		}
		b.marks = append(b.marks, int32(off))
		off += size
	}
	return off, false
}

// gobOrder is what the workers of one reading share: which results are checked, and the
// first result encoding/gob fails on.
type gobOrder struct {
	mu      sync.Mutex
	changed *sync.Cond
	next    int         // the results before next are all checked
	done    map[int]int // the chunks checked after next: their first result → their results
	broken  bool        // a worker panicked: nobody waits any more
	bad     int         // the first result gob fails on (0: none)
	err     error       // gob's error on it
}

func newGobOrder(first int) *gobOrder {
	o := &gobOrder{next: first, done: map[int]int{}}
	o.changed = sync.NewCond(&o.mu)
	return o
}

// checked records that the n results from first on are checked.
func (o *gobOrder) checked(first, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.done[first] = n
	for c, ok := o.done[o.next]; ok; c, ok = o.done[o.next] {
		delete(o.done, o.next)
		o.next += c
	}
	o.changed.Broadcast()
}

// breaks ends every wait: a worker panicked, the chunks after it may never be checked
// (the panic is raised again once the workers are done).
func (o *gobOrder) breaks() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.broken = true
	o.changed.Broadcast()
}

// fail records that gob fails on result n with err.
func (o *gobOrder) fail(n int, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bad == 0 || n < o.bad {
		o.bad, o.err = n, err
	}
}

// await waits until every result before first is checked, and returns the first result
// gob fails on (math.MaxInt when none so far: then none before the end of the caller's
// chunk, which is checked too).
func (o *gobOrder) await(first int) int {
	o.mu.Lock()
	defer o.mu.Unlock()
	for o.next < first && !o.broken {
		o.changed.Wait()
	}
	if o.bad == 0 {
		return math.MaxInt
	}
	return o.bad
}

// parse returns the workers' parse of a chunk: check every message (decoding it), wait
// for the earlier chunks, aggregate the results before the first one gob fails on.
func (l *gobLayout) parse(o *gobOrder, defaultName []byte) func(*rawAgg, chunk) {
	return func(a *rawAgg, c chunk) {
		finished := false
		defer func() {
			if !finished {
				o.breaks()
			}
		}()
		buf, _ := l.buffers.Get().(*[]gobFields)
		if buf == nil || cap(*buf) < len(c.marks) {
			buf = &[]gobFields{}
			*buf = make([]gobFields, len(c.marks))
		}
		defer l.buffers.Put(buf)
		fs := (*buf)[:len(c.marks)]
		good := l.check(c, fs, o)
		bad := o.await(c.firstLine)
		a.startChunk(c)
		for i := 0; i < good && c.firstLine+i < bad; i++ {
			if !fs[i].slow && fs[i].add(a, defaultName) {
				continue
			}
			var r vegetaResult
			m := c.marks[i]
			_, size, _ := gobFrame(c.data[m:])
			if err := l.decode(c.data[m:int(m)+size], &r); err != nil {
				panic(fmt.Sprintf("result %d: encoding/gob fails on a message it decoded before: %v", c.firstLine+i, err))
			}
			if msg := vegetaGobAdd(a, &r, defaultName); msg != "" {
				a.skip(0, fmt.Sprintf("result %d: %s", c.firstLine+i, msg))
			}
		}
		a.endChunk()
		finished = true
	}
}

// check decodes the messages of a chunk into fs, directly or (marked slow) with
// encoding/gob, up to the first one gob fails on (recorded on o); it returns how many it
// decoded, and records the chunk checked.
func (l *gobLayout) check(c chunk, fs []gobFields, o *gobOrder) int {
	defer o.checked(c.firstLine, len(c.marks))
	var r vegetaResult
	for i, m := range c.marks {
		msg, size, _ := gobFrame(c.data[m:])
		v, _ := l.result(msg)
		if l.value(v, &fs[i]) {
			continue
		}
		if err := l.decode(c.data[m:int(m)+size], &r); err != nil {
			o.fail(c.firstLine+i, err)
			return i
		}
		fs[i].slow = true
	}
	return len(c.marks)
}

// heldErr passes reads through up to the first error other than io.EOF, which it reports
// as the end of the input, and returns from then on: the parallel reading ends there, and
// the sequential reader of the rest meets the error where encoding/gob would have.
type heldErr struct {
	r   io.Reader
	err error
}

func (h *heldErr) Read(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.r.Read(p)
	if err != nil && err != io.EOF {
		h.err = err
		return n, io.EOF
	}
	return n, err
}

// readGobFast reads a stream whose header l describes: the results in parallel, then,
// when the parallel reading stopped or the input failed, the rest sequentially.
func readGobFast(in *Input, l *gobLayout, sink Sink) (Skips, error) {
	name := []byte(in.opt.name())
	if _, err := in.br.Discard(len(l.header)); err != nil {
		return Skips{}, fileerr.Wrap(in.File, err) // cannot happen: the header was peeked
	}
	p := in.pipeline(1, l.cut)
	held := &heldErr{r: p.r}
	p.r = held
	sent := 0 // the results sent to the workers
	p.records = func(c chunk) int { sent += len(c.marks); return len(c.marks) }
	o := newGobOrder(p.firstLine)
	a, left, err := parallel(p, in.newRawAgg, l.parse(o, name))
	if err != nil { // cannot happen: heldErr ends the input at an error
		return Skips{}, fileerr.Wrap(in.File, err)
	}
	a.at = math.MaxInt64 // what follows comes after every chunk
	switch {
	case o.bad > 0: // the reading ends there, as encoding/gob's does
		if err := gobEnd(a, in.File, o.bad, o.err); err != nil {
			return Skips{}, err
		}
	case left != nil || held.err != nil:
		r := io.Reader(held)
		if left != nil {
			r = left.r
		}
		dec := gob.NewDecoder(io.MultiReader(bytes.NewReader(l.header), r))
		if err := gobResults(a, dec, in.File, p.firstLine+sent, name); err != nil {
			return Skips{}, err
		}
	}
	return in.emit(a, sink)
}
