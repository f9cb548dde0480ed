// Package history is the run history that compare-performance keeps with --history: a
// JSON Lines file, one object per run, oldest first. Each line records when and where the
// run happened (UTC time, commit, workflow run), its verdict, per service the compared
// metrics with their status, and the run's normalized metrics, so that trend charts can
// be drawn and a baseline can be made from the last passing runs (extract-baselines
// --from-history). The file lives in the user's repository or CI cache: no server.
package history

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// Schema names the version of the line layout. Lines of another version (a newer perfgate
// sharing the file) are not read, but kept as they are when the file is rewritten.
const Schema = "perfgate/history/v1"

// schemaFamily starts the schema of every version of the layout.
const schemaFamily = "perfgate/history/"

// DefaultKeep is how many runs the file keeps unless told otherwise (--history-keep).
const DefaultKeep = 100

// TimeLayout is the layout of Entry.Time: RFC 3339 in UTC with a Z.
const TimeLayout = "2006-01-02T15:04:05Z"

// Entry is one run: one line of the file.
type Entry struct {
	Schema string `json:"schema"`
	// Run numbers the runs of the file: one more than the previous line's.
	Run int `json:"run"`
	// Time is when the comparison ran (TimeLayout).
	Time string `json:"time"`
	// Commit is $GITHUB_SHA, when set.
	Commit string `json:"commit,omitempty"`
	// RunURL is the workflow run, inside GitHub Actions.
	RunURL string `json:"run_url,omitempty"`
	// Verdict is compare-performance's: pass, warning, acknowledged, fail or incomparable.
	Verdict string `json:"verdict"`
	// Services holds, per service and metric, the compared values and the status.
	Services map[string]map[string]Metric `json:"services"`
	// Metrics is the run's normalized metrics file (the compared current side).
	Metrics json.RawMessage `json:"metrics,omitempty"`

	// kept is a line of another version of the layout, written back as it was; such an
	// entry has only its Run (when the line has one) and Schema.
	kept []byte
}

// Kept tells that the entry is a line of another version of the layout, kept verbatim:
// it has no verdict, services nor metrics.
func (e Entry) Kept() bool { return e.kept != nil }

// Metric is one compared metric of a run. Values are in the metric's unit; nil when
// that side had no value (a bound compares the current value only).
type Metric struct {
	Baseline  *float64         `json:"baseline"`
	Current   *float64         `json:"current"`
	Threshold string           `json:"threshold,omitempty"`
	Status    threshold.Status `json:"status"`
}

// Run describes where a run happened, for NewEntry.
type Run struct {
	Number int
	Time   string // TimeLayout
	Commit string
	RunURL string
}

// NewEntry records a comparison: every compared result (not-compared ones are left
// out) and the current side's metrics.
func NewEntry(run Run, verdict string, ev *threshold.Evaluation, current *metrics.File) (Entry, error) {
	e := Entry{Schema: Schema, Run: run.Number, Time: run.Time, Commit: run.Commit, RunURL: run.RunURL, Verdict: verdict, Services: map[string]map[string]Metric{}}
	for _, r := range ev.Results {
		if r.Status == threshold.NotCompared {
			continue
		}
		m := Metric{Threshold: r.Threshold.Expr, Status: r.Status}
		if r.HasBaseline {
			m.Baseline = ptr(r.Baseline)
		}
		if r.HasCurrent {
			m.Current = ptr(r.Current)
		}
		if e.Services[r.Service] == nil {
			e.Services[r.Service] = map[string]Metric{}
		}
		e.Services[r.Service][r.Metric] = m
	}
	if current != nil {
		var b bytes.Buffer
		if err := metrics.Write(&b, current); err != nil {
			return e, err
		}
		var c bytes.Buffer
		if err := json.Compact(&c, b.Bytes()); err != nil {
			return e, err
		}
		e.Metrics = c.Bytes()
	}
	return e, nil
}

func ptr(v float64) *float64 { return &v }

// File returns the run's normalized metrics; name says where they come from in errors.
func (e Entry) File(name string) (*metrics.File, error) {
	if len(e.Metrics) == 0 {
		return nil, fmt.Errorf("%s: run %d has no metrics", name, e.Run)
	}
	return metrics.Parse(e.Metrics, name)
}

// Get returns the compared metric of a service in this run.
func (e Entry) Get(service, metric string) (Metric, bool) {
	m, ok := e.Services[service][metric]
	return m, ok
}

// Label names the run on a chart axis: the short commit (7 characters), else #Run.
func (e Entry) Label() string {
	if len(e.Commit) >= 7 {
		return e.Commit[:7]
	}
	if e.Commit != "" {
		return e.Commit
	}
	return "#" + strconv.Itoa(e.Run)
}

// LineError is a line of the file that could not be read: it is skipped.
type LineError struct {
	Pos *fileerr.Error // the file, the line and what is wrong
	// Kept tells that the line is of another version of the layout: not read, but kept
	// when the file is rewritten. Other skipped lines are dropped then.
	Kept bool
}

// Error returns "file:line: message".
func (e *LineError) Error() string { return e.Pos.Error() }

// Unwrap returns the positioned error.
func (e *LineError) Unwrap() error { return e.Pos }

// Read reads a history file. A line that is not a history entry of this schema is
// skipped and reported in skipped (FILE:LINE), never fatal; blank lines are ignored. A
// line of another version of the layout is also in entries, Kept, so that Write keeps it.
// err is a read error of r.
func Read(r io.Reader, file string) (entries []Entry, skipped []*LineError, err error) {
	br := bufio.NewReader(r)
	for line := 1; ; line++ {
		b, rerr := br.ReadBytes('\n')
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return entries, skipped, fileerr.Wrap(file, rerr)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			e, msg := parseLine(t)
			if msg != "" {
				skipped = append(skipped, &LineError{Pos: fileerr.At(file, line, "%s", msg), Kept: e.Kept()})
			}
			if msg == "" || e.Kept() {
				entries = append(entries, e)
			}
		}
		if rerr != nil {
			return entries, skipped, nil
		}
	}
}

func parseLine(b []byte) (Entry, string) {
	var e Entry
	if err := json.Unmarshal(b, &e); err != nil {
		var head struct {
			Schema string `json:"schema"`
			Run    int    `json:"run"`
		}
		if json.Unmarshal(b, &head) == nil && head.Schema != Schema && strings.HasPrefix(head.Schema, schemaFamily) {
			return Entry{Schema: head.Schema, Run: head.Run, kept: append([]byte(nil), b...)}, fmt.Sprintf("schema %q, want %q", head.Schema, Schema)
		}
		return Entry{}, "not a history entry: " + err.Error()
	}
	switch {
	case e.Schema != Schema && strings.HasPrefix(e.Schema, schemaFamily):
		return Entry{Schema: e.Schema, Run: e.Run, kept: append([]byte(nil), b...)}, fmt.Sprintf("schema %q, want %q", e.Schema, Schema)
	case e.Schema != Schema:
		return e, fmt.Sprintf("schema %q, want %q", e.Schema, Schema)
	case e.Verdict == "":
		return e, "no verdict"
	}
	return e, ""
}

// Write writes the entries, one compact JSON object per line (names keep their "&",
// "<" and ">": no HTML escaping); a Kept entry is written back as it was read.
func Write(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, e := range entries {
		var err error
		if e.Kept() {
			_, err = fmt.Fprintf(bw, "%s\n", e.kept)
		} else {
			err = enc.Encode(e)
		}
		if err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Last returns the last n entries (all when there are fewer).
func Last(entries []Entry, n int) []Entry {
	if n >= 0 && len(entries) > n {
		return entries[len(entries)-n:]
	}
	return entries
}

// Append adds e after entries and keeps the last keep runs.
func Append(entries []Entry, e Entry, keep int) []Entry {
	out := append(append([]Entry(nil), entries...), e)
	return Last(out, keep)
}

// NextRun is the number of the run after entries: one more than the highest so far.
func NextRun(entries []Entry) int {
	n := 0
	for _, e := range entries {
		n = max(n, e.Run)
	}
	return n + 1
}

// Passing returns the last n entries whose verdict was pass, oldest first.
func Passing(entries []Entry, n int) []Entry {
	var out []Entry
	for i := len(entries) - 1; i >= 0 && len(out) < n; i-- {
		if entries[i].Verdict == "pass" {
			out = append(out, entries[i])
		}
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
