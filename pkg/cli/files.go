package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WriteFileAtomic writes the bytes produced by write to path: first into a temporary
// file beside the target, then renamed over it, so that readers never see a half-written
// file and a failed write leaves any existing file untouched. Parent directories are
// created. A path that is a symbolic link is written through to its target (the link
// stays a link), and an existing file keeps its permissions. Temporary files carry the
// writer's process id; those of a process that is gone (a killed run) are removed by the
// next write of the same target. The process's stdout and stderr (/dev/stdout, …) are
// written through its own descriptors, and a path that is no regular file (/dev/null, a
// named pipe, a terminal) in place, as the Python scripts' open() did: they cannot be
// replaced, nor should they be.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	if IsStream(path) {
		return writeInPlace(path, write)
	}
	target, err := linkTarget(path)
	if err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(target); err == nil {
		mode = st.Mode().Perm()
	}
	removeStaleTemps(dir, base)
	tmp, err := os.OpenFile(filepath.Join(dir, tempName(base)), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(name, mode); err != nil {
		return err
	}
	if err := os.Rename(name, target); err != nil {
		return err
	}
	ok = true
	return nil
}

// openDescriptor returns the process's stdout or stderr when path names it
// (/dev/stdout, /dev/fd/1, /proc/self/fd/2, …): written through the descriptor the
// process already has, the output lands where the rest of its output goes — after it, in
// a file redirected with > or >>, never renamed over it or truncated. Else nil.
func openDescriptor(path string) *os.File {
	if path == "" {
		return nil
	}
	switch filepath.Clean(path) {
	case "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1":
		return os.Stdout
	case "/dev/stderr", "/dev/fd/2", "/proc/self/fd/2":
		return os.Stderr
	}
	return nil
}

// writeInPlace writes to a stream (IsStream): the process's own stdout or stderr through
// its descriptor, whatever it is; a device or a pipe opened for writing.
func writeInPlace(path string, write func(io.Writer) error) error {
	if f := openDescriptor(path); f != nil {
		return write(f)
	}
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// linkTarget follows symbolic links from path to the file they name (which need not
// exist yet); a path that is no link is returned as is.
func linkTarget(path string) (string, error) {
	for range 40 {
		st, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) || (err == nil && st.Mode()&fs.ModeSymlink == 0) {
			return path, nil
		}
		if err != nil {
			return "", err
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links", path)
}

// tempPrefix starts the name of every temporary file of target base.
func tempPrefix(base string) string { return "." + base + ".perfgate-" }

func tempName(base string) string {
	var r [4]byte
	rand.Read(r[:])
	return tempPrefix(base) + strconv.Itoa(os.Getpid()) + "-" + hex.EncodeToString(r[:]) + ".tmp"
}

// minStaleAge is how old a temporary file must be before it may count as left behind:
// writes take milliseconds, so an older one is no write in progress.
const minStaleAge = time.Minute

// removeStaleTemps removes the temporary files of base left by processes that are gone.
func removeStaleTemps(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tempPrefix(base)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || !strings.HasSuffix(rest, ".tmp") {
			continue
		}
		pidText, _, _ := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		info, ierr := e.Info()
		if err != nil || ierr != nil || time.Since(info.ModTime()) < minStaleAge {
			continue // a write in progress, maybe in another PID namespace (a container)
		}
		// Left behind when its process is gone, or when it carries this process's id (a
		// container's PIDs repeat from run to run; this process writes only fresh files).
		if pid == os.Getpid() || !processAlive(pid, info.ModTime()) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// SameFile reports the first output that is the same file as an input (compared by
// device and inode, not by name): writing it would destroy the input.
func SameFile(inputs, outputs []string) (in, out string, same bool) {
	for _, o := range outputs {
		if o == "" || o == "-" || openDescriptor(o) != nil {
			continue // stdout is written through, never replaced
		}
		ost, err := os.Stat(o)
		if err != nil || !ost.Mode().IsRegular() {
			continue // missing, or a device or pipe (/dev/null twice is no clash)
		}
		for _, i := range inputs {
			if ist, err := os.Stat(i); err == nil && os.SameFile(ist, ost) {
				return i, o, true
			}
		}
	}
	return "", "", false
}

// IsStream tells whether path is the process's stdout or stderr, or an existing file that
// is no regular file nor a folder (a device, a pipe): written in place, it cannot be read
// back.
func IsStream(path string) bool {
	if openDescriptor(path) != nil {
		return true
	}
	st, err := os.Stat(path)
	return err == nil && !st.Mode().IsRegular() && !st.IsDir()
}
