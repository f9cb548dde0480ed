package cli

import (
	"fmt"
	"io"
	"os"
	"time"
)

// ProgressThreshold is the input size above which progress is shown on a terminal.
const ProgressThreshold = 100 << 20

// IsTerminal reports whether w is a character device (an interactive terminal). CI logs
// and pipes are not.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// ProgressReader returns a wrapper for inputs larger than ProgressThreshold that
// reports bytes read and the rate on out, at most four times a second; nil when out is
// not a terminal, so that nothing reaches CI logs or stdout.
func ProgressReader(out io.Writer, now func() time.Time) func(path string, size int64, r io.Reader) io.Reader {
	if !IsTerminal(out) {
		return nil
	}
	return func(path string, size int64, r io.Reader) io.Reader {
		if size < ProgressThreshold {
			return r
		}
		return &progress{r: r, out: out, path: path, size: size, now: now, start: now()}
	}
}

type progress struct {
	r           io.Reader
	out         io.Writer
	path        string
	size, read  int64
	now         func() time.Time
	start, last time.Time
	done        bool
}

// Read reads from the wrapped reader and reports progress.
func (p *progress) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.read += int64(n)
	t := p.now()
	if err == io.EOF && !p.done {
		p.done = true
		p.print(t)
		fmt.Fprintln(p.out)
	} else if t.Sub(p.last) >= 250*time.Millisecond {
		p.last = t
		p.print(t)
	}
	return n, err
}

func (p *progress) print(t time.Time) {
	secs := t.Sub(p.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.read) / secs / (1 << 20)
	}
	fmt.Fprintf(p.out, "\r⏳ %s: %d of %d MB (%d%%), %.0f MB/s ", p.path, p.read>>20, p.size>>20, p.read*100/p.size, rate)
}
