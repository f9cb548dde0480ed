//go:build unix

package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteToPipe: an output that is a named pipe (like /dev/stdout in a pipeline; a
// device such as /dev/null takes the same path, not tested here: a failure as root would
// replace the machine's /dev/null) is written in place: the reader gets the bytes and the pipe stays a pipe
// (a rename over it would leave the reader waiting for ever).
func TestWriteToPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "out")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes here:", err)
	}
	got := make(chan string)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- string(b)
	}()
	if err := WriteFileAtomic(fifo, func(w io.Writer) error { _, err := io.WriteString(w, "{}\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if s := <-got; s != "{}\n" {
		t.Errorf("the reader got %q", s)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("%s is no longer a pipe: %v %v", fifo, st.Mode(), err)
	}
}

// TestWriteToStdout: /dev/stdout is the process's own stdout, written through its
// descriptor: redirected with >> to a file, the output is appended after what the file
// held, and the file is neither truncated nor replaced (a rename over it lost both the
// earlier log and what the process printed afterwards).
func TestWriteToStdout(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log.txt")
	os.WriteFile(log, []byte("earlier\n"), 0o644)
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	before, _ := f.Stat()
	saved := os.Stdout
	os.Stdout = f
	err = WriteFileAtomic("/dev/stdout", func(w io.Writer) error { _, err := io.WriteString(w, "report\n"); return err })
	fmt.Fprintln(os.Stdout, "verdict")
	os.Stdout = saved
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(log)
	after, _ := os.Stat(log)
	if string(got) != "earlier\nreport\nverdict\n" || !os.SameFile(before, after) {
		t.Errorf("log %q, same file %v", got, os.SameFile(before, after))
	}
	if !IsStream("/dev/stdout") || IsStream(log) || IsStream(filepath.Dir(log)) {
		t.Error("IsStream")
	}
}
