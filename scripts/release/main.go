// Command release cross-compiles the four binaries into release archives (make release).
//
// Usage:
//
//	go run ./scripts/release -version v1.2.3 [-out dist] [-mtime UNIX]
//
// For linux and darwin on amd64 and arm64 and for windows on amd64 it builds static
// binaries (CGO_ENABLED=0, -trimpath, the version injected into pkg/cli), packs each
// platform's binaries with README.md into perfgate_VERSION_OS_ARCH.tar.gz (.zip for
// windows), and writes SHA256SUMS (the format of sha256sum -c). The archives are
// reproducible: sorted entries, fixed owner and modification time (-mtime, default
// $SOURCE_DATE_EPOCH, else 0). Exit status: 0 written; 1 anything else.
package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Platforms are the release targets, GOOS/GOARCH.
var Platforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64"}

// Binaries are the commands under cmd/.
var Binaries = []string{"extract-metrics", "extract-baselines", "compare-performance", "create-regression-issue"}

const versionVar = "github.com/perfgate/perfgate/pkg/cli.version"

var versionPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+-]*$`)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	fs.SetOutput(stderr)
	version := fs.String("version", "", "release `version` (e.g. v1.2.3), injected into every binary")
	out := fs.String("out", "dist", "output `directory` (emptied first)")
	epoch, _ := strconv.ParseInt(os.Getenv("SOURCE_DATE_EPOCH"), 10, 64)
	mtime := fs.Int64("mtime", epoch, "modification time of the archive entries, in Unix seconds")
	if err := fs.Parse(args); err != nil {
		return 1
	}
	if !versionPattern.MatchString(*version) || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "release: want -version VERSION (letters, digits, . _ + -) and no arguments\n")
		return 1
	}
	if err := release(*version, *out, time.Unix(*mtime, 0).UTC(), stdout); err != nil {
		fmt.Fprintf(stderr, "release: %v\n", err)
		return 1
	}
	return 0
}

// clean empties out, which must be a release folder: missing, empty, or holding only
// what a release writes (archives, SHA256SUMS, the staging folder). Anything else — a
// checkout (-out .), a home folder — is refused, never deleted.
func clean(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		n := e.Name()
		if n != "SHA256SUMS" && n != ".stage" && !strings.HasSuffix(n, ".tar.gz") && !strings.HasSuffix(n, ".zip") {
			return fmt.Errorf("%s holds %s, which a release does not write: refusing to empty it (give -out a release folder)", out, n)
		}
	}
	return os.RemoveAll(out)
}

// release builds every platform into out and writes the checksums.
func release(version, out string, mtime time.Time, stdout io.Writer) error {
	if err := clean(out); err != nil {
		return err
	}
	stage := filepath.Join(out, ".stage")
	var archives []string
	for _, p := range Platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		name := fmt.Sprintf("perfgate_%s_%s_%s", version, goos, goarch)
		dir := filepath.Join(stage, name)
		if err := build(goos, goarch, version, dir); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if err := copyFile("README.md", filepath.Join(dir, "README.md")); err != nil {
			return err
		}
		archive := filepath.Join(out, name+".tar.gz")
		pack := TarGz
		if goos == "windows" {
			archive, pack = filepath.Join(out, name+".zip"), Zip
		}
		if err := pack(archive, dir, name, mtime); err != nil {
			return fmt.Errorf("packing %s: %w", archive, err)
		}
		archives = append(archives, archive)
		fmt.Fprintf(stdout, "%s\n", archive)
	}
	if err := os.RemoveAll(stage); err != nil {
		return err
	}
	sums := filepath.Join(out, "SHA256SUMS")
	if err := WriteChecksums(sums, archives); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", sums)
	return nil
}

// build cross-compiles the binaries of one platform into dir.
func build(goos, goarch, version, dir string) error {
	gobin := os.Getenv("GO")
	if gobin == "" {
		gobin = "go"
	}
	cmd := exec.Command(gobin, "build", "-trimpath", "-ldflags", "-s -w -X "+versionVar+"="+version, "-o", dir+string(filepath.Separator), "./cmd/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	for _, b := range Binaries {
		if goos == "windows" {
			b += ".exe"
		}
		if _, err := os.Stat(filepath.Join(dir, b)); err != nil {
			return fmt.Errorf("go build wrote no %s", b)
		}
	}
	return nil
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o644)
}

// entries lists the regular files of dir, sorted.
func entries(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, d := range des {
		if d.Type().IsRegular() {
			names = append(names, d.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// mode is an entry's permission: executables (no extension, or .exe) 0755, others 0644.
func mode(name string) int64 {
	if ext := filepath.Ext(name); ext == "" || ext == ".exe" {
		return 0o755
	}
	return 0o644
}

// TarGz packs the files of dir under the folder prefix into a gzip-compressed tar.
func TarGz(archive, dir, prefix string, mtime time.Time) error {
	return writeArchive(archive, dir, func(w io.Writer) (add func(string, []byte) error, done func() error) {
		gz, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		tw := tar.NewWriter(gz)
		add = func(n string, b []byte) error {
			h := &tar.Header{Name: prefix + "/" + n, Mode: mode(n), Size: int64(len(b)), ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX, Uname: "root", Gname: "root"}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			_, err := tw.Write(b)
			return err
		}
		done = func() error {
			if err := tw.Close(); err != nil {
				return err
			}
			return gz.Close()
		}
		return add, done
	})
}

// Zip packs the files of dir under the folder prefix into a zip archive.
func Zip(archive, dir, prefix string, mtime time.Time) error {
	return writeArchive(archive, dir, func(w io.Writer) (add func(string, []byte) error, done func() error) {
		zw := zip.NewWriter(w)
		add = func(n string, b []byte) error {
			h := &zip.FileHeader{Name: prefix + "/" + n, Method: zip.Deflate, Modified: mtime}
			h.SetMode(os.FileMode(mode(n)))
			f, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			_, err = f.Write(b)
			return err
		}
		return add, zw.Close
	})
}

// writeArchive creates the archive at path and adds every regular file of dir, in name
// order, through the archive writer that open makes of it.
func writeArchive(path, dir string, open func(io.Writer) (add func(name string, b []byte) error, done func() error)) error {
	names, err := entries(dir)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	add, done := open(f)
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil {
			err = add(n, b)
		}
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := done(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// WriteChecksums writes "HEX  NAME" lines (sha256sum's format) for the files, by base
// name, sorted.
func WriteChecksums(path string, files []string) error {
	var lines []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		h := sha256.New()
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return err
		}
		lines = append(lines, hex.EncodeToString(h.Sum(nil))+"  "+filepath.Base(f))
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i][66:] < lines[j][66:] })
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
