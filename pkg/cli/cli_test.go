package cli

import (
	"bytes"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseFlagsInterspersed(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	token := fs.String("token", "", "")
	pos, err := ParseFlags(fs, []string{"report.md", "--token", "T", "extra", "--", "-not-a-flag"})
	if err != nil || *token != "T" || strings.Join(pos, "|") != "report.md|extra|-not-a-flag" {
		t.Errorf("%v %q %v", pos, *token, err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

func TestCommandParse(t *testing.T) {
	t.Parallel()
	c := Command{Name: "x", Help: "Usage: x [flags] <in>\n\nFlags:\n", ScriptUsage: "Usage: x <input_file>\n"}
	bind := func(fs *flag.FlagSet) { fs.String("o", "", "output `file`") }
	for _, tc := range []struct {
		args           []string
		code           int
		done           bool
		stdout, stderr string
	}{
		{[]string{"in.csv", "-o", "out"}, 0, false, "", ""},
		{[]string{"-h"}, 0, true, "Usage: x [flags] <in>\n\nFlags:\n  -o file\n    \toutput file\n  -version\n    \tprint the version and exit\n", ""},
		{[]string{"--bogus"}, 1, true, "", "❌ x: flag provided but not defined: -bogus (run 'x -h' for usage)\n"},
		{[]string{"-o"}, 1, true, "", "❌ x: flag needs an argument: -o (run 'x -h' for usage)\n"},
	} {
		var out, errb bytes.Buffer
		_, code, done := c.Parse(tc.args, bind, &out, &errb)
		if code != tc.code || done != tc.done || out.String() != tc.stdout || errb.String() != tc.stderr {
			t.Errorf("%v: code %d done %v\nstdout %q\nstderr %q", tc.args, code, done, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if _, code, done := c.Parse([]string{"--version"}, bind, &out, &errb); code != 0 || !done || !strings.HasPrefix(out.String(), "x ") {
		t.Errorf("--version: %d %v %q", code, done, out.String())
	}
	out.Reset()
	errb.Reset()
	if code := c.BadArgs(&out, &errb, "no input file given"); code != 1 || out.String() != c.ScriptUsage || errb.String() != "❌ x: no input file given (run 'x -h' for the flags)\n" {
		t.Errorf("BadArgs: %d %q %q", code, out.String(), errb.String())
	}
}

func TestRecover(t *testing.T) {
	t.Parallel()
	var errb bytes.Buffer
	if code := Recover(&errb, "x", func() int { return 0 }); code != 0 || errb.Len() != 0 {
		t.Errorf("no panic: %d %q", code, errb.String())
	}
	var nothing []int
	code := Recover(&errb, "x", func() int { return nothing[len(os.Args)] })
	if code != ExitFail || !strings.HasPrefix(errb.String(), "❌ x: internal error: runtime error: index out of range") || strings.Count(errb.String(), "\n") != 1 {
		t.Errorf("panic: exit %d, stderr %q: want one line, no stack trace", code, errb.String())
	}
}

func TestSanitize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/api/items":                             "/api/items",
		"a\nb\r\nc":                              `a\nb\r\nc`,
		"::set-output name=x::1":                 ":\u200b:set-output name=x:\u200b:1",
		"x ##[warning]pwned":                     "x #\u200b#[warning]pwned",
		"::add-mask::secret\n::stop-commands::t": ":\u200b:add-mask:\u200b:secret\\n:\u200b:stop-commands:\u200b:t",
		"a:::b ::::c":                            "a:\u200b:\u200b:b :\u200b:\u200b:\u200b:c",
	} {
		if got := Sanitize(in); got != want || strings.Contains(got, "::") {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWriteThroughSymlink: a baseline that is a symbolic link stays a link; its target
// gets the new content and keeps its permissions.
func TestWriteThroughSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	target := filepath.Join(dir, "shared", "baseline.json")
	os.MkdirAll(filepath.Dir(target), 0o755)
	os.WriteFile(target, []byte("old"), 0o640)
	os.Chmod(target, 0o640)
	link := filepath.Join(dir, "baseline.json")
	if err := os.Symlink("shared/baseline.json", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Lstat(link)
	got, _ := os.ReadFile(target)
	tst, _ := os.Stat(target)
	if st.Mode()&os.ModeSymlink == 0 || string(got) != "new" || tst.Mode().Perm() != 0o640 {
		t.Errorf("link mode %v, target %q mode %v: want the link kept, the target written with 0640", st.Mode(), got, tst.Mode().Perm())
	}
	// A dangling link: its target is created.
	dangling := filepath.Join(dir, "dangling.json")
	os.Symlink("made/later.json", dangling)
	if err := WriteFileAtomic(dangling, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "made", "later.json")); err != nil || string(b) != "x" {
		t.Errorf("dangling link target: %q %v", b, err)
	}
}

// TestStaleTemporariesRemoved: the temporary file of a killed writer (its process is
// gone) is removed by the next write of the same target; one of a live writer is not.
func TestStaleTemporariesRemoved(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	gone := exec.Command(os.Args[0], "-test.run=^$") // this test binary, running no test
	if err := gone.Run(); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, tempPrefix("out.json")+strconv.Itoa(gone.Process.Pid)+"-00000000.tmp")
	live := filepath.Join(dir, tempPrefix("out.json")+strconv.Itoa(os.Getppid())+"-00000000.tmp")
	other := filepath.Join(dir, tempPrefix("other.json")+strconv.Itoa(gone.Process.Pid)+"-00000000.tmp")
	mine := filepath.Join(dir, tempPrefix("out.json")+strconv.Itoa(os.Getpid())+"-00000000.tmp") // a container's earlier run with this pid
	fresh := filepath.Join(dir, tempPrefix("out.json")+strconv.Itoa(gone.Process.Pid)+"-11111111.tmp")
	old := time.Now().Add(-2 * minStaleAge)
	for _, p := range []string{stale, live, other, mine, fresh} {
		os.WriteFile(p, []byte("half"), 0o600)
		if p != fresh { // fresh: a write in progress in another PID namespace
			os.Chtimes(p, old, old)
		}
	}
	if err := WriteFileAtomic(out, func(w io.Writer) error { _, err := io.WriteString(w, "{}"); return err }); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{stale, mine} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s: the killed writer's temporary file is still there", filepath.Base(p))
		}
	}
	for _, p := range []string{live, other, fresh} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed: %v", filepath.Base(p), err)
		}
	}
}

// TestSameFile: an output that is an input under another name (a relative path, a hard
// link, a symbolic link) is found by device and inode.
func TestSameFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("x"), 0o644)
	hard := filepath.Join(dir, "hard.csv")
	os.Link(in, hard)
	sym := filepath.Join(dir, "sym.json")
	os.Symlink("in.csv", sym)
	for _, out := range []string{in, filepath.Join(dir, ".", "in.csv"), hard, sym} {
		if _, _, same := SameFile([]string{in}, []string{"", "-", out}); !same {
			t.Errorf("%s is the input, not found", out)
		}
	}
	if _, _, same := SameFile([]string{in}, []string{filepath.Join(dir, "new.json")}); same {
		t.Error("a new file is not an input")
	}
}

func TestGitHubOutputs(t *testing.T) {
	t.Parallel()
	got, err := GitHubOutputs(Output{"verdict", "fail"}, Output{"report", "a b/r.md"}, Output{"odd", "one\nPERFGATE_EOF\ntwo"}, Output{"empty", ""})
	want := "verdict=fail\nreport=a b/r.md\nodd<<PERFGATE_EOF_1\none\nPERFGATE_EOF\ntwo\nPERFGATE_EOF_1\nempty=\n"
	if err != nil || got != want {
		t.Errorf("got %q, %v\nwant %q", got, err, want)
	}
	for _, bad := range []string{"", "a=b", "a\nb", "x<<y"} {
		if _, err := GitHubOutputs(Output{bad, "v"}); err == nil {
			t.Errorf("name %q accepted", bad)
		}
	}
	p := filepath.Join(t.TempDir(), "out")
	os.WriteFile(p, []byte("before=1\n"), 0o644)
	if err := AppendGitHubOutputs(p, Output{"a", "1"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "before=1\na=1\n" {
		t.Errorf("appended: %q", b)
	}
}

// TestNeeds: a flag that means nothing without another is a usage error when given
// alone, not silently ignored.
func TestNeeds(t *testing.T) {
	c := Command{Name: "x", Needs: map[string]string{"last": "from-history"}}
	bind := func(fs *flag.FlagSet) {
		fs.Int("last", 5, "")
		fs.String("from-history", "", "")
	}
	var out, errb strings.Builder
	if _, code, done := c.Parse([]string{"--last", "3", "in.csv"}, bind, &out, &errb); !done || code != ExitFail || errb.String() != "❌ x: --last means nothing without --from-history (run 'x -h' for usage)\n" {
		t.Errorf("alone: done %v, exit %d, %q", done, code, errb.String())
	}
	errb.Reset()
	if pos, _, done := c.Parse([]string{"--last", "3", "--from-history", "h.jsonl", "out.json"}, bind, &out, &errb); done || len(pos) != 1 || errb.Len() > 0 {
		t.Errorf("with --from-history: done %v, %v, %q", done, pos, errb.String())
	}
}

// TestControlCharactersShown: an ESC or another control character in a name reaches a
// CI log as an escape sequence (a cleared line hides the one before); it is shown as
// \xNN, tab kept, line breaks escaped.
func TestControlCharactersShown(t *testing.T) {
	got := Sanitize("GET /a\x1b[2K\x01\x7f\u0085b\tc\nd::e")
	if want := "GET /a\\x1B[2K\\x01\\x7F\\x85b\tc\\nd:\u200b:e"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
