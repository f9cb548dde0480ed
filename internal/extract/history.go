package extract

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
)

// historyArgs returns the output of extract-baselines --from-history: -o, else the one
// positional argument, else the default. There are no inputs besides the history.
func historyArgs(pos []string, out, def string) (string, error) {
	switch {
	case len(pos) > 1 || (len(pos) == 1 && out != ""):
		return "", fmt.Errorf("--from-history takes no input files, only [output] (or -o OUTPUT); got %d positional arguments", len(pos))
	case out != "":
		return out, nil
	case len(pos) == 1:
		return pos[0], nil
	}
	return def, nil
}

// historyRuns reads the history and returns the metrics of its last j.last runs whose
// verdict was pass, oldest first. Corrupt lines are skipped with a warning naming
// FILE:LINE; fewer passing runs than asked is a warning, none an error.
func (j *job) historyRuns(stderr io.Writer) ([]*metrics.File, error) {
	f, err := os.Open(j.history)
	if err != nil {
		return nil, fmt.Errorf("reading history %s: %w", j.history, err)
	}
	defer f.Close()
	entries, skipped, err := history.Read(f, j.history)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		fmt.Fprintf(stderr, "⚠️ %v: line skipped\n", s)
	}
	pass := history.Passing(entries, j.last)
	switch {
	case len(pass) == 0:
		return nil, errNothingMatched{fmt.Errorf("%s holds no run whose verdict was pass (%d runs read): nothing written, %s left unchanged", j.history, len(entries), displayPath(j.output))}
	case len(pass) < j.last:
		fmt.Fprintf(stderr, "⚠️ %s holds only %d passing run(s), fewer than --last %d: the baseline is made of those\n", j.history, len(pass), j.last)
	}
	j.picked = pass
	var runs []*metrics.File
	for _, e := range pass {
		m, err := e.File(fmt.Sprintf("%s (run %d)", j.history, e.Run))
		if err != nil {
			return nil, err
		}
		runs = append(runs, m)
	}
	return runs, nil
}

// printHistoryRuns says, on stderr, which runs of the history the baseline is made of.
func printHistoryRuns(stderr io.Writer, picked []history.Entry, file string) {
	var names []string
	for _, e := range picked {
		names = append(names, e.Label())
	}
	fmt.Fprintf(stderr, "📊 Each metric is the median of the last %d passing run(s) of %s (%s); the per-run values are kept under \"runs\"\n", len(picked), file, strings.Join(names, ", "))
}
