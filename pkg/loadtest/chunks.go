package loadtest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// The raw-sample formats (a record per request, files of many GB) are all read in one
// shape: the input is read in blocks into a fixed pool of buffers and cut into chunks of
// whole records; one worker per core parses chunks into its own accumulator, with an
// allocation-free fast path per record and the straightforward parser (encoding/csv,
// encoding/json, encoding/xml) as the fallback for odd records; the accumulators are
// merged at the end. A format gives a cut (where a chunk may end) and the parse of one
// chunk; for the usual record shapes, csvSamples and lineSamples build the parse from
// the one function that reads a record.

// chunk is a run of whole records of a streamed file, handed to one worker.
type chunk struct {
	data      []byte
	firstLine int     // 1-based line number of data[0] in the file
	offset    int64   // byte offset of data[0] in the parallel part of the input
	marks     []int32 // what the cut noted in data (XML: where the samples' start tags are)
}

// block is a buffer of the pool: the bytes read, and the offsets that a cut notes on the
// way (the XML cut walks the markup anyway; with the offsets of the samples' start tags,
// workers need not walk it again).
type block struct {
	data  []byte
	marks []int32
}

// defaultChunkSize is the size of the blocks read; Options.chunkSize overrides it (tests
// make chunks tiny so that cuts fall everywhere).
const defaultChunkSize = 1 << 20

// cutFunc returns how many bytes at the start of b.data are whole records that may be
// processed on their own, or -1 when no cut is possible yet (more data is needed).
// b.data always starts at a cut; a cut may leave offsets in b.marks for the chunk's worker
// (those of b.data[:n] only). At the end of the input (eof) the whole rest is usually the last chunk; a
// cut may instead stop the parallel reading (stop), leaving b.data[n:] and the rest of
// the input to a sequential reader.
type cutFunc func(b *block, eof bool) (n int, stop bool)

// merger is an accumulator of one worker: it adds another worker's state to its own.
type merger[A any] interface{ merge(other A) }

// pipeline is where and how a parallel read runs.
type pipeline struct {
	r         io.Reader
	size      int // block size; 0 means defaultChunkSize
	firstLine int // line number of the first byte of r
	cut       cutFunc
	// records, when set, numbers the chunks by record instead of by line (a binary
	// format): it counts the records of a chunk, and firstLine is the number of the first.
	records func(c chunk) int
}

// rest is what a stopped parallel read leaves: the unread input from line on.
type rest struct {
	r    io.Reader
	line int
}

// parallel runs the shape: workers parse chunks into accumulators made by newAcc, merged
// into the first. Memory stays bounded: workers+2 buffers of about twice the block size
// circulate between the reader and the workers, and nothing else grows with the input.
// A non-nil rest means the cut stopped the parallel read.
func parallel[A merger[A]](p pipeline, newAcc func() A, parse func(A, chunk)) (A, *rest, error) {
	size := p.size
	if size <= 0 {
		size = defaultChunkSize
	}
	workers := runtime.GOMAXPROCS(0)
	accs := make([]A, workers)
	for i := range accs {
		accs[i] = newAcc()
	}
	pool := &blockPool{free: make(chan *block, workers+2), max: workers + 2, size: 2 * size}
	ch := make(chan sent, 1)
	var wg sync.WaitGroup
	var crash workerCrash
	for w := range accs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range ch {
				if !crash.happened() {
					crash.guard(c.firstLine, func() { parse(accs[w], c.chunk) })
				}
				c.blk.data, c.blk.marks = c.blk.data[:0], c.blk.marks[:0]
				pool.free <- c.blk
			}
		}()
	}
	left, err := feed(p, size, pool, ch)
	close(ch)
	wg.Wait()
	crash.raise()
	for _, a := range accs[1:] {
		accs[0].merge(a)
	}
	return accs[0], left, err
}

// WorkerPanic is a panic of a reader goroutine, raised again on the goroutine that called
// the reader: the command's recovery then reports it in one line (its Stack when asked
// for) instead of the process dying with every goroutine's trace.
type WorkerPanic struct {
	Value any
	Line  int // the first line of the chunk being read
	Stack []byte
}

// Error names the panic and where the input was being read.
func (p *WorkerPanic) Error() string {
	return fmt.Sprintf("%v (reading from line %d)", p.Value, p.Line)
}

// DebugStack is the stack of the goroutine that panicked.
func (p *WorkerPanic) DebugStack() []byte { return p.Stack }

// workerCrash keeps the first panic of the workers; the others go on draining chunks so
// that the feeding goroutine never blocks.
type workerCrash struct {
	mu  sync.Mutex
	p   *WorkerPanic
	hit atomic.Bool
}

func (c *workerCrash) happened() bool { return c.hit.Load() }

func (c *workerCrash) guard(line int, f func()) {
	defer func() {
		if r := recover(); r != nil {
			c.mu.Lock()
			if c.p == nil {
				c.p = &WorkerPanic{Value: r, Line: line, Stack: debug.Stack()}
			}
			c.mu.Unlock()
			c.hit.Store(true)
		}
	}()
	f()
}

// raise panics again, on the caller's goroutine, with the first worker panic.
func (c *workerCrash) raise() {
	if c.p != nil {
		panic(c.p)
	}
}

// sent is a chunk on its way to a worker, with the block it lives in (back to the pool
// after parsing).
type sent struct {
	chunk
	blk *block
}

// smallBlock is the capacity of the first buffer of a parallel read: a small input (the
// usual CI file, a fuzzer's input) costs that, not workers+2 buffers of twice the block size.
const smallBlock = 64 << 10

// blockPool hands out the buffers of a parallel read, made on demand, at most max: the
// first one small, the others of capacity size — and the first one too, once the input
// proved larger than it. Only the feeding goroutine calls get; workers return blocks to
// free, whose capacity is max.
type blockPool struct {
	free      chan *block
	made, max int
	size      int
	large     bool // the input did not fit in the first buffer
}

func (p *blockPool) get() *block {
	var b *block
	select {
	case b = <-p.free:
	default:
		switch {
		case p.made == 0:
			p.made++
			return &block{data: make([]byte, 0, min(p.size, smallBlock))}
		case p.made < p.max:
			p.made++
			return &block{data: make([]byte, 0, p.size)}
		}
		b = <-p.free
	}
	if p.large && cap(b.data) < p.size {
		b.data = make([]byte, 0, p.size)
	}
	return b
}

// feed reads the input into the pooled buffers and sends chunks until the end of the
// input, a read error, or a stopping cut.
func feed(p pipeline, size int, pool *blockPool, ch chan<- sent) (*rest, error) {
	line, offset := p.firstLine, int64(0)
	count := p.records
	if count == nil {
		count = func(c chunk) int { return bytes.Count(c.data, []byte{'\n'}) }
	}
	send := func(b *block, n int) {
		if n <= 0 {
			pool.free <- b
			return
		}
		c := sent{chunk{data: b.data[:n], firstLine: line, offset: offset, marks: b.marks}, b}
		line += count(c.chunk)
		offset += int64(n)
		ch <- c // the block belongs to the worker from here on
	}
	b := pool.get()
	for {
		if len(b.data) > 0 && cap(b.data)-len(b.data) < size/2 { // a record longer than the buffer: grow it
			bigger := make([]byte, len(b.data), 2*cap(b.data))
			copy(bigger, b.data)
			b.data = bigger
		}
		n, err := io.ReadFull(p.r, b.data[len(b.data):cap(b.data)])
		b.data = b.data[:len(b.data)+n]
		pool.large = pool.large || err == nil
		eof := err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return nil, err
		}
		b.marks = b.marks[:0]
		c, stop := p.cut(b, eof)
		switch {
		case stop:
			tail := append([]byte(nil), b.data[max(c, 0):]...)
			send(b, c)
			return &rest{r: io.MultiReader(bytes.NewReader(tail), p.r), line: line}, nil
		case eof:
			send(b, len(b.data))
			return nil, nil
		case c > 0:
			next := pool.get()
			next.data = append(next.data[:0], b.data[c:]...)
			send(b, c)
			b = next
		}
	}
}

// lastLineCut is the cut of line-oriented formats without quoting (NDJSON, logs): after
// the last newline.
func lastLineCut(b *block, eof bool) (int, bool) {
	if eof {
		return len(b.data), false
	}
	return bytes.LastIndexByte(b.data, '\n') + 1, false
}

// eachLine calls f for every line of a chunk, without its line end ("\n" or "\r\n").
func eachLine(c chunk, f func(line []byte, n int)) {
	data, n := c.data, c.firstLine
	for len(data) > 0 {
		var l []byte
		if nl := bytes.IndexByte(data, '\n'); nl >= 0 {
			l, data = data[:nl], data[nl+1:]
		} else {
			l, data = data, nil
		}
		if k := len(l); k > 0 && l[k-1] == '\r' {
			l = l[:k-1]
		}
		f(l, n)
		n++
	}
}
