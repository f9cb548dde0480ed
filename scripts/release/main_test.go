package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func stageDir(t *testing.T) string {
	dir := filepath.Join(t.TempDir(), "stage")
	os.MkdirAll(dir, 0o755)
	for name, content := range map[string]string{"extract-metrics": "ELF…", "compare-performance.exe": "MZ…", "README.md": "# perfgate\n"} {
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600)
	}
	return dir
}

var mtime = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

// TestTarGz: entries under the prefix, sorted, executables 0755, fixed time and owner;
// the same input packs to the same bytes.
func TestTarGz(t *testing.T) {
	dir := stageDir(t)
	a, b := filepath.Join(t.TempDir(), "a.tar.gz"), filepath.Join(t.TempDir(), "b.tar.gz")
	for _, p := range []string{a, b} {
		if err := TarGz(p, dir, "perfgate_v1_linux_amd64", mtime); err != nil {
			t.Fatal(err)
		}
	}
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if !bytes.Equal(ab, bb) {
		t.Error("two packs of the same files differ")
	}
	gz, err := gzip.NewReader(bytes.NewReader(ab))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var got []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(tr)
		got = append(got, h.Name+" "+os.FileMode(h.Mode).String()+" "+string(body))
		if !h.ModTime.Equal(mtime) || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: time %v uid %d gid %d", h.Name, h.ModTime, h.Uid, h.Gid)
		}
	}
	want := "perfgate_v1_linux_amd64/README.md -rw-r--r-- # perfgate\n|perfgate_v1_linux_amd64/compare-performance.exe -rwxr-xr-x MZ…|perfgate_v1_linux_amd64/extract-metrics -rwxr-xr-x ELF…"
	if strings.Join(got, "|") != want {
		t.Errorf("entries\n got %q\nwant %q", strings.Join(got, "|"), want)
	}
}

func TestZip(t *testing.T) {
	dir := stageDir(t)
	p := filepath.Join(t.TempDir(), "a.zip")
	if err := Zip(p, dir, "perfgate_v1_windows_amd64", mtime); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		body, _ := io.ReadAll(rc)
		rc.Close()
		got = append(got, f.Name+" "+f.Mode().String()+" "+string(body))
		if !f.Modified.Equal(mtime) {
			t.Errorf("%s: modified %v", f.Name, f.Modified)
		}
	}
	want := "perfgate_v1_windows_amd64/README.md -rw-r--r-- # perfgate\n|perfgate_v1_windows_amd64/compare-performance.exe -rwxr-xr-x MZ…|perfgate_v1_windows_amd64/extract-metrics -rwxr-xr-x ELF…"
	if strings.Join(got, "|") != want {
		t.Errorf("entries\n got %q\nwant %q", strings.Join(got, "|"), want)
	}
}

func TestWriteChecksums(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for _, n := range []string{"b.zip", "a.tar.gz"} {
		p := filepath.Join(dir, n)
		os.WriteFile(p, []byte(n), 0o644)
		files = append(files, p)
	}
	sums := filepath.Join(dir, "SHA256SUMS")
	if err := WriteChecksums(sums, files); err != nil {
		t.Fatal(err)
	}
	hash := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	got, _ := os.ReadFile(sums)
	if want := hash("a.tar.gz") + "  a.tar.gz\n" + hash("b.zip") + "  b.zip\n"; string(got) != want {
		t.Errorf("SHA256SUMS\n%s\nwant\n%s", got, want)
	}
}

func TestRunRefusesABadVersion(t *testing.T) {
	for _, args := range [][]string{{}, {"-version", "v1 2"}, {"-version", "-x"}, {"-version", "v1", "extra"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 1 || errb.Len() == 0 {
			t.Errorf("%q: exit %d, stderr %q", args, code, errb.String())
		}
	}
}

// TestCleanRefusesAForeignFolder: -out must be a release folder; a checkout is never
// emptied.
func TestCleanRefusesAForeignFolder(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	if err := clean(dir); err == nil || !strings.Contains(err.Error(), "holds go.mod") {
		t.Errorf("clean of a checkout: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Error("go.mod was deleted")
	}
	dist := filepath.Join(dir, "dist")
	os.MkdirAll(filepath.Join(dist, ".stage"), 0o755)
	os.WriteFile(filepath.Join(dist, "perfgate_v1_linux_amd64.tar.gz"), nil, 0o644)
	os.WriteFile(filepath.Join(dist, "SHA256SUMS"), nil, 0o644)
	if err := clean(dist); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dist); err == nil {
		t.Error("the release folder is still there")
	}
}
