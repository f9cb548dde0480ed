package loadtest

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"sync"
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
	firstLine int // 1-based line number of data[0] in the file
}

// defaultChunkSize is the size of the blocks read; Options.chunkSize overrides it (tests
// make chunks tiny so that cuts fall everywhere).
const defaultChunkSize = 1 << 20

// cutFunc returns how many bytes at the start of buf are whole records that may be
// processed on their own, or -1 when no cut is possible yet (more data is needed). buf
// always starts at a cut. At the end of the input (eof) the whole rest is usually the
// last chunk; a cut may instead stop the parallel reading (stop), leaving buf[n:] and
// the rest of the input to a sequential reader.
type cutFunc func(buf []byte, eof bool) (n int, stop bool)

// merger is an accumulator of one worker: it adds another worker's state to its own.
type merger[A any] interface{ merge(other A) }

// pipeline is where and how a parallel read runs.
type pipeline struct {
	r         io.Reader
	size      int // block size; 0 means defaultChunkSize
	firstLine int // line number of the first byte of r
	cut       cutFunc
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
	free := make(chan []byte, workers+2)
	for i := 0; i < workers+2; i++ {
		free <- make([]byte, 0, 2*size)
	}
	ch := make(chan chunk, 1)
	var wg sync.WaitGroup
	for w := range accs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range ch {
				parse(accs[w], c)
				free <- c.data[:0]
			}
		}()
	}
	left, err := feed(p, size, free, ch)
	close(ch)
	wg.Wait()
	for _, a := range accs[1:] {
		accs[0].merge(a)
	}
	return accs[0], left, err
}

// feed reads the input into the pooled buffers and sends chunks until the end of the
// input, a read error, or a stopping cut.
func feed(p pipeline, size int, free chan []byte, ch chan<- chunk) (*rest, error) {
	line := p.firstLine
	send := func(data []byte) {
		if len(data) > 0 {
			ch <- chunk{data: data, firstLine: line}
			line += bytes.Count(data, []byte{'\n'})
		}
	}
	buf := <-free
	for {
		if cap(buf)-len(buf) < size/2 { // a record longer than the buffer: grow it
			bigger := make([]byte, len(buf), 2*cap(buf))
			copy(bigger, buf)
			buf = bigger
		}
		n, err := io.ReadFull(p.r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return nil, err
		}
		c, stop := p.cut(buf, eof)
		if stop {
			tail := append([]byte(nil), buf[max(c, 0):]...)
			send(buf[:max(c, 0)])
			return &rest{r: io.MultiReader(bytes.NewReader(tail), p.r), line: line}, nil
		}
		if eof {
			send(buf)
			return nil, nil
		}
		if c > 0 {
			next := append((<-free)[:0], buf[c:]...)
			send(buf[:c])
			buf = next
		}
	}
}

// lastLineCut is the cut of line-oriented formats without quoting (NDJSON, logs): after
// the last newline.
func lastLineCut(buf []byte, eof bool) (int, bool) {
	if eof {
		return len(buf), false
	}
	return bytes.LastIndexByte(buf, '\n') + 1, false
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
