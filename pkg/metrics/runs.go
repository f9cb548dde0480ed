package metrics

import (
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// MedianOfRuns combines several runs of the same test into one robust baseline: per
// service and metric, the median across the runs that have it, with every run's value
// kept in Runs (in input order). Counts stay whole (the median is rounded half up).
// Services keep the order of their first appearance.
func MedianOfRuns(runs []*File) *File {
	out := &File{}
	var order []string
	seen := map[string]bool{}
	for _, r := range runs {
		for _, s := range r.Services {
			if !seen[s.Name] {
				seen[s.Name] = true
				order = append(order, s.Name)
			}
		}
	}
	for _, name := range order {
		var sides []*Service
		for _, r := range runs {
			if s := r.Service(name); s != nil {
				sides = append(sides, s)
			}
		}
		out.Services = append(out.Services, medianService(name, sides))
	}
	if meta, ok := runsSource(runs); ok {
		out.SetMeta(MetaKey, meta.JSON())
	}
	return out
}

// medianService is one service across the runs that have it: each field the median,
// with the run values kept; the ladder the per-percentile median.
func medianService(name string, runs []*Service) *Service {
	m := NewService(name)
	m.Runs = map[string][]float64{}
	var names []string
	have := map[string]bool{}
	for _, s := range runs {
		for _, n := range s.Names() {
			if !have[n] {
				have[n] = true
				names = append(names, n)
			}
		}
		for _, e := range s.Estimated {
			if !m.IsEstimated(e) {
				m.Estimated = append(m.Estimated, e)
			}
		}
	}
	m.Ladder = medianLadder(runs)
	for _, n := range names {
		var vals []float64
		for _, s := range runs {
			if v, ok := s.Get(n); ok {
				vals = append(vals, v)
			}
		}
		med := Median(vals)
		if IsCount(n) {
			med = math.Floor(med + 0.5)
		}
		m.Set(n, med)
		m.Runs[n] = vals
		m.RunOrder = append(m.RunOrder, n)
	}
	return m
}

// medianLadder is, per percentile, the median across the runs that have it.
func medianLadder(runs []*Service) []loadtest.Point {
	pcts := map[float64][]float64{}
	for _, s := range runs {
		for _, p := range s.Ladder {
			pcts[p.Pct] = append(pcts[p.Pct], p.Ms)
		}
	}
	var out []loadtest.Point
	for _, p := range slices.Sorted(maps.Keys(pcts)) {
		out = append(out, loadtest.Point{Pct: p, Ms: Median(pcts[p])})
	}
	return out
}

// runsSource is where the runs come from: every format, the median duration, and the
// users when every run recorded the same number.
func runsSource(runs []*File) (SourceMeta, bool) {
	var meta SourceMeta
	var durations []float64
	users := map[int]bool{}
	for _, r := range runs {
		src, ok := r.Source()
		if !ok {
			users[0] = true
			continue
		}
		meta.Formats = formatNames(append(toFormats(meta.Formats), toFormats(src.Formats)...))
		if src.DurationS > 0 {
			durations = append(durations, src.DurationS)
		}
		users[src.Users] = true
	}
	if len(durations) > 0 {
		meta.DurationS = Median(durations)
	}
	if len(users) == 1 {
		for u := range users {
			meta.Users = u // the same in every run (0: unknown)
		}
	}
	return meta, len(meta.Formats) > 0
}

func toFormats(names []string) []loadtest.Format {
	out := make([]loadtest.Format, len(names))
	for i, n := range names {
		out[i] = loadtest.Format(n)
	}
	return out
}

// Median returns the median of vals (the mean of the two middle values for an even count).
func Median(vals []float64) float64 {
	if len(vals) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), vals...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
