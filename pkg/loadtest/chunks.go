package loadtest

import (
	"bytes"
	"errors"
	"io"
	"sync"
)

// chunk is a run of whole records of a streamed file, handed to one worker.
type chunk struct {
	data      []byte
	firstLine int // 1-based line number of data[0] in the file
}

// chunkSize is the size of the blocks read (a variable so that tests can make chunks tiny).
var chunkSize = 1 << 20

// cutFunc returns how many bytes at the start of buf are whole records that may be
// processed on their own, or -1 when no cut is possible yet (more data is needed).
type cutFunc func(buf []byte) int

// inParallel reads r in blocks straight into pooled buffers, cuts them into chunks of
// whole records with cut, and has the workers process them, each with its own state;
// nothing is shared between workers, so the caller merges their states at the end. At
// EOF the rest of the data is the last chunk. Memory stays bounded: a few buffers of
// about chunkSize are in flight.
func inParallel(r io.Reader, workers, firstLine int, cut cutFunc, work func(worker int, c chunk)) error {
	// A fixed set of buffers circulates between the reader and the workers: no garbage.
	free := make(chan []byte, workers+2)
	for i := 0; i < workers+2; i++ {
		free <- make([]byte, 0, 2*chunkSize)
	}
	ch := make(chan chunk, 1)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for c := range ch {
				work(w, c)
				free <- c.data[:0]
			}
		}(w)
	}
	line := firstLine
	send := func(data []byte) {
		ch <- chunk{data: data, firstLine: line}
		line += bytes.Count(data, []byte{'\n'})
	}
	buf := <-free
	var readErr error
	for {
		if cap(buf)-len(buf) < chunkSize/2 { // a record longer than the buffer: grow it
			bigger := make([]byte, len(buf), 2*cap(buf))
			copy(bigger, buf)
			buf = bigger
		}
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		eof := err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			readErr = err
			break
		}
		if eof {
			if len(buf) > 0 {
				send(buf)
			}
			break
		}
		if c := cut(buf); c > 0 {
			next := append((<-free)[:0], buf[c:]...)
			send(buf[:c])
			buf = next
		}
	}
	close(ch)
	wg.Wait()
	return readErr
}

// lastLineCut is the cut of line-oriented formats without quoting (NDJSON, logs): after
// the last newline.
func lastLineCut(buf []byte) int {
	if i := bytes.LastIndexByte(buf, '\n'); i >= 0 {
		return i + 1
	}
	return -1
}
