package cli

import (
	"fmt"
	"os"
	"path/filepath"
)

// LockFile takes an exclusive lock on the file at path, created empty when missing (and
// its folder), until release: two runs that read, change and rewrite the same file (a
// --history shared by parallel jobs) then take turns instead of losing one's change. The
// lock is advisory (flock on Unix; none elsewhere) and held on the file itself: since
// WriteFileAtomic replaces the file, a run that waited locks the new one.
func LockFile(path string) (release func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	for range 100 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			if f, err = os.Open(path); err != nil { // read-only: a lock needs no write access
				return nil, err
			}
		}
		if err := lock(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", path, err)
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return func() { f.Close() }, nil // closing releases the lock
		}
		f.Close() // replaced while this run waited: lock the file there now
	}
	return nil, fmt.Errorf("locking %s: it keeps being replaced", path)
}
