package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// Files that hold several runs. A raw-sample reader tells the runs its requests form
// (loadtest's runs.go: runs are told apart by long idle gaps: ten minutes or more, or a
// minute or more between short runs). JMeter
// appends every run to the same JTL by default, and the run just executed is the last
// one: a JTL of several runs is read again for its last run only, unless AllRuns, which
// reads every run and spreads the requests over the time the runs ran (the sum of their
// spans), not over the days between them. The other tools write their raw output anew on
// each run: a file of theirs with such gaps is still read whole (the gaps are named), with
// rps over the time the requests ran, not over the idle stretches.

// maxRunsNamed is how many runs a note lists before "and N more".
const maxRunsNamed = 6

// read reads the rows of one input into the builder, then closes it; a JTL of several
// runs is opened and read again for its last run. It notes the runs and the input's own
// notes on info.
func (b *builder) read(in *loadtest.Input, closer func(), opt Options, info *Info) (loadtest.Skips, error) {
	var rows []loadtest.Row
	collect := func(r loadtest.Row) error { rows = append(rows, r); return nil }
	skips, err := in.Rows(collect)
	closer()
	if err != nil {
		return skips, err
	}
	notes, runs := in.Notes(), in.Runs()
	if len(runs) > 1 {
		last := !opt.AllRuns && loadtest.Appends(in.Format)
		info.Notes = append(info.Notes, runsNote(b.path, in.Format, runs, opt.AllRuns, last))
		if last {
			io := opt.input()
			io.Format, io.Run = in.Format, &runs[len(runs)-1]
			again, closer, err := open(b.path, io, opt.Wrap)
			if err != nil {
				return skips, err
			}
			rows = rows[:0]
			skips, err = again.Rows(collect)
			closer()
			if err != nil {
				return skips, err
			}
			notes, runs = again.Notes(), runs[len(runs)-1:]
		}
		b.gapped = b.gapped || !last // several runs read together: rps over the time they ran
	}
	info.Notes = append(info.Notes, notes...)
	for _, r := range runs {
		b.runs = append(b.runs, r.Span)
	}
	for _, r := range rows {
		if err := b.add(r); err != nil {
			return skips, err
		}
	}
	return skips, nil
}

// activeNs is, when several runs were read together, the time that the runs of every raw
// input cover (their union), over which rps is taken; 0 otherwise.
func (b *builder) activeNs() int64 {
	if !b.gapped {
		return 0
	}
	spans := slices.Clone(b.runs)
	slices.SortFunc(spans, func(x, y loadtest.Span) int { return cmp.Compare(x.StartNs, y.StartNs) })
	var total int64
	var cur loadtest.Span
	for _, s := range spans {
		if cur.OK && s.StartNs <= cur.EndNs {
			cur.EndNs = max(cur.EndNs, s.EndNs)
			continue
		}
		if cur.OK {
			total += cur.EndNs - cur.StartNs
		}
		cur = s
	}
	if cur.OK {
		total += cur.EndNs - cur.StartNs
	}
	return total
}

// runsNote says what a file of several runs holds and which is read.
func runsNote(path string, f loadtest.Format, runs []loadtest.Run, all, last bool) string {
	var list []string
	var active int64
	for i, r := range runs {
		active += r.EndNs - r.StartNs
		if i < maxRunsNamed || i == len(runs)-1 {
			list = append(list, runDesc(r))
		} else if i == maxRunsNamed {
			list = append(list, fmt.Sprintf("… %d more", len(runs)-maxRunsNamed-1))
		}
	}
	whole := runs[len(runs)-1].EndNs - runs[0].StartNs
	head := fmt.Sprintf("%s holds %d runs appended (%s)", path, len(runs), strings.Join(list, "; "))
	switch {
	case last:
		return fmt.Sprintf("%s; reading the last one: %s (--all-runs reads them all)", head, runDesc(runs[len(runs)-1]))
	case all:
		return fmt.Sprintf("%s; reading all of them (--all-runs): rps over the %s they ran, not the %s the file spans", head, duration(active), duration(whole))
	}
	return fmt.Sprintf("%s: requests far apart in time (idle %s in all); %s writes its output anew on each run, so the file is read as one test, with rps over the %s the requests ran, not the %s the file spans",
		strings.Replace(head, " runs appended ", " stretches of requests ", 1), duration(whole-active), loadtest.ToolOf(f), duration(active), duration(whole))
}

// runDesc describes a run: when (on the input's clock) and its requests.
func runDesc(r loadtest.Run) string {
	start, end := time.Unix(0, r.StartNs).UTC(), time.Unix(0, r.EndNs).UTC()
	to := end.Format("15:04:05")
	if end.Format(time.DateOnly) != start.Format(time.DateOnly) {
		to = end.Format(time.DateTime)
	}
	return fmt.Sprintf("%s–%s, %d request%s", start.Format(time.DateTime), to, r.Requests, plural(r.Requests))
}

// duration writes a length of time for a note: "45 s", "30 min", "3 h 5 min", "2 d".
func duration(ns int64) string {
	d := time.Duration(ns).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int64(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int64(d/time.Minute))
	case d < 24*time.Hour:
		return joinUnits(int64(d/time.Hour), "h", int64(d%time.Hour/time.Minute), "min")
	}
	return joinUnits(int64(d/(24*time.Hour)), "d", int64(d%(24*time.Hour)/time.Hour), "h")
}

// joinUnits writes "3 h 5 min", or "3 h" when the second part is 0.
func joinUnits(a int64, ua string, b int64, ub string) string {
	if b == 0 {
		return fmt.Sprintf("%d %s", a, ua)
	}
	return fmt.Sprintf("%d %s %d %s", a, ua, b, ub)
}

func plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}
