package metrics

import (
	"math"
	"sort"
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
		m := NewService(name)
		m.Runs = map[string][]float64{}
		var names []string
		have := map[string]bool{}
		for _, r := range runs {
			s := r.Service(name)
			if s == nil {
				continue
			}
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
		for _, n := range names {
			var vals []float64
			for _, r := range runs {
				if s := r.Service(name); s != nil {
					if v, ok := s.Get(n); ok {
						vals = append(vals, v)
					}
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
		out.Services = append(out.Services, m)
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
