package cli

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsInterspersed(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	token := fs.String("token", "", "")
	pos, err := ParseFlags(fs, []string{"report.md", "--token", "T", "extra", "--", "-not-a-flag"})
	if err != nil || *token != "T" || strings.Join(pos, "|") != "report.md|extra|-not-a-flag" {
		t.Errorf("%v %q %v", pos, *token, err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "out.json")
	if err := WriteFileAtomic(p, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(p, func(w io.Writer) error { io.WriteString(w, "half"); return io.ErrUnexpectedEOF })
	if err == nil {
		t.Fatal("the failing write reported no error")
	}
	b, _ := os.ReadFile(p)
	entries, _ := os.ReadDir(filepath.Dir(p))
	if string(b) != "new" || len(entries) != 1 {
		t.Errorf("content %q, %d entries: a failed write must leave the old file and no temporary", b, len(entries))
	}
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	if IsTerminal(&buf) || ProgressReader(&buf, time.Now) != nil {
		t.Error("a buffer is no terminal: no progress")
	}
	f, _ := os.CreateTemp(t.TempDir(), "x")
	defer f.Close()
	if IsTerminal(f) {
		t.Error("a regular file is no terminal")
	}
	clock := time.Unix(0, 0)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	p := &progress{r: strings.NewReader(strings.Repeat("x", 3<<20)), out: &buf, path: "big.jtl", size: 3 << 20, now: now, start: now()}
	io.Copy(io.Discard, p)
	out := buf.String()
	if !strings.Contains(out, "\r⏳ big.jtl: 3 of 3 MB (100%),") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output %q", out)
	}
}
