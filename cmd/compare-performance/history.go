package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// runHistory is the --history file: the runs read from it and this run's entry, which
// is appended when the outputs are written.
type runHistory struct {
	path    string
	past    []history.Entry
	entry   history.Entry
	release func() // the lock on the file, held from the reading to the rewriting
	// created: the file did not exist and the lock created it empty; written: this run
	// was appended. A file created but not written is removed again (close).
	created, written bool
}

// close removes the file the lock created when the run was not written to it (a failed
// run leaves no empty history behind), then releases the lock.
func (h *runHistory) close() {
	if h.created && !h.written {
		if st, err := os.Stat(h.path); err == nil && st.Size() == 0 {
			os.Remove(h.path)
		}
	}
	h.release()
}

// readHistory reads the history file (a missing one is created later; a corrupt line
// is skipped with a warning naming FILE:LINE, a line of another perfgate version is not
// read but kept) and records this run.
func (c *comparison) readHistory(ev *threshold.Evaluation, v verdict, cur *metrics.File, stderr io.Writer) (*runHistory, error) {
	h := &runHistory{path: c.o.history}
	_, statErr := os.Stat(h.path)
	h.created = errors.Is(statErr, os.ErrNotExist)
	release, err := cli.LockFile(h.path)
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", h.path, err)
	}
	h.release = release
	ok := false
	defer func() {
		if !ok {
			h.close()
		}
	}()
	f, err := os.Open(h.path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, fmt.Errorf("reading history %s: %w", h.path, err)
	default:
		var skipped []*history.LineError
		h.past, skipped, err = history.Read(f, h.path)
		f.Close()
		if err != nil {
			return nil, err
		}
		if err := notHistory(h.path, h.past, skipped); err != nil {
			return nil, err
		}
		for _, s := range skipped {
			if s.Kept {
				fmt.Fprintf(stderr, "⚠️ %s: %v: line of another perfgate version not read (kept as it is when the history is rewritten)\n", command.Name, s)
				continue
			}
			fmt.Fprintf(stderr, "⚠️ %s: %v: line skipped (it is left out when the history is rewritten)\n", command.Name, s)
		}
	}
	run := history.Run{Number: history.NextRun(h.past), Time: c.env.now().UTC().Format(history.TimeLayout)}
	if getenv := c.env.Getenv; getenv != nil {
		run.Commit = getenv("GITHUB_SHA")
		server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID")
		if server == "" {
			server = "https://github.com"
		}
		if getenv("GITHUB_ACTIONS") == "true" && repo != "" && id != "" {
			run.RunURL = fmt.Sprintf("%s/%s/actions/runs/%s", server, repo, id)
		}
	}
	if h.entry, err = history.NewEntry(run, v.name, ev, cur); err != nil {
		return nil, fmt.Errorf("recording the run in %s: %w", h.path, err)
	}
	ok = true
	return h, nil
}

// notHistory refuses a file of which no line is a run (a mistyped --history naming
// another file): rewritten, it would be lost.
func notHistory(path string, past []history.Entry, skipped []*history.LineError) error {
	if len(past) > 0 || len(skipped) == 0 {
		return nil
	}
	for _, s := range skipped {
		if s.Kept {
			return nil
		}
	}
	return fmt.Errorf("%s is not a perfgate history: none of its %d lines is a run (%v); it is left as it is: give --history a new file or an existing history", path, len(skipped), skipped[0])
}

// write rewrites the history atomically with this run appended, keeping the last keep.
func (h *runHistory) write(keep int) error {
	all := history.Append(h.past, h.entry, keep)
	if err := cli.WriteFileAtomic(h.path, func(w io.Writer) error { return history.Write(w, all) }); err != nil {
		return fmt.Errorf("writing history %s: %w", h.path, err)
	}
	h.written = true
	return nil
}
