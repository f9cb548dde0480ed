package metrics

import (
	"math"
	"sort"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// Accumulator merges rows into one set of metrics without ever overwriting: counts and
// rps add up, the mean is request-weighted, min/max are min/max, and percentiles come
// from the merged distribution — exact when every row carries a histogram, otherwise the
// request-weighted mixture of the rows' percentile ladders.
type Accumulator struct {
	requests, failures int64
	timed              int64
	latSum             float64
	avgMissing         bool
	min, max           float64
	hasMinMax          bool
	minMaxMissing      bool
	rps                float64
	rpsSeen            bool
	rpsMissing         bool
	parts              []part

	// Raw-sample rows carry a time span instead of an rps: their requests are divided by
	// the span of all raw inputs together (SetSpan).
	spanRequests int64
	span         loadtest.Span
	globalSpanNs int64
}

// part is one contributing row's distribution.
type part struct {
	weight    float64
	ladder    []loadtest.Point
	hist      map[float64]int64   // Locust's bucketed histogram
	samples   *loadtest.Histogram // raw samples
	median    float64
	hasMedian bool
	// measured tells that the row's input holds percentiles (a ladder beyond the median,
	// raw samples, a histogram, or percentiles of unknown rank): none of it is estimated.
	measured bool
}

// Add merges one row.
func (a *Accumulator) Add(r loadtest.Row) {
	a.requests += r.Requests
	a.failures += r.Failures
	if r.Requests == 0 {
		return
	}
	t := r.TimedRequests()
	if r.HasAvg {
		a.latSum += r.AvgMs * float64(t)
		a.timed += t
	} else {
		a.avgMissing = true
	}
	if r.HasMinMax {
		a.addMinMax(r.MinMs, r.MaxMs)
	} else {
		a.minMaxMissing = true
	}
	switch {
	case r.HasRPS:
		a.rps += r.RPS
		a.rpsSeen = true
	case r.Span.OK:
		a.spanRequests += r.Requests
		a.span.Union(r.Span)
	default:
		a.rpsMissing = true
	}
	a.parts = append(a.parts, part{weight: float64(t), ladder: r.Ladder, hist: r.Hist, samples: r.Samples, median: r.MedianMs, hasMedian: r.HasMedian, measured: measuresPercentiles(r)})
}

// measuresPercentiles tells whether a row's input holds any percentile besides the
// median: then a percentile it lacks is missing, never estimated (README: "Normalized
// metrics").
func measuresPercentiles(r loadtest.Row) bool {
	if r.Samples != nil || r.Hist != nil || r.Unranked {
		return true
	}
	for _, p := range r.Ladder {
		if p.Pct != 50 {
			return true
		}
	}
	return false
}

// Merge adds everything of b to a.
func (a *Accumulator) Merge(b *Accumulator) {
	a.requests += b.requests
	a.failures += b.failures
	a.timed += b.timed
	a.latSum += b.latSum
	a.avgMissing = a.avgMissing || b.avgMissing
	if b.hasMinMax {
		a.addMinMax(b.min, b.max)
	}
	a.minMaxMissing = a.minMaxMissing || b.minMaxMissing
	a.rps += b.rps
	a.rpsSeen = a.rpsSeen || b.rpsSeen
	a.rpsMissing = a.rpsMissing || b.rpsMissing
	a.parts = append(a.parts, b.parts...)
	a.spanRequests += b.spanRequests
	a.span.Union(b.span)
}

func (a *Accumulator) addMinMax(lo, hi float64) {
	if !a.hasMinMax || lo < a.min {
		a.min = lo
	}
	if !a.hasMinMax || hi > a.max {
		a.max = hi
	}
	a.hasMinMax = true
}

// rpsTotal is the rows' rps plus the raw-sample rows' requests spread over the span of
// all raw inputs; false when a row had neither.
func (a *Accumulator) rpsTotal() (float64, bool) {
	rps, seen, missing := a.rps, a.rpsSeen, a.rpsMissing
	if a.spanRequests > 0 {
		if a.globalSpanNs > 0 {
			rps += float64(a.spanRequests) / (float64(a.globalSpanNs) / 1e9)
			seen = true
		} else {
			missing = true
		}
	}
	return rps, seen && !missing
}

// Span returns the time span covered by the raw-sample rows added so far.
func (a *Accumulator) Span() loadtest.Span { return a.span }

// SetSpan sets the span (ns) of all raw inputs together, over which the requests of
// raw-sample rows are spread to give their rps.
func (a *Accumulator) SetSpan(ns int64) { a.globalSpanNs = ns }

// Requests is the number of requests added so far.
func (a *Accumulator) Requests() int64 { return a.requests }

// Service computes the metrics; it changes nothing, so it may be called again. A
// percentile that the rows do not provide is left out. Only when no row holds any
// percentile at all (the median aside) are p95/p99 estimated from the average, within
// the median and the maximum (EstimateFrom), and listed in Estimated (README: "Normalized
// metrics").
func (a *Accumulator) Service(name string) *Service {
	s := NewService(name)
	s.Set(TotalRequests, float64(a.requests))
	s.Set(TotalFailures, float64(a.failures))
	s.Set(ErrorRate, ErrorRatePct(a.requests, a.failures))
	if rps, ok := a.rpsTotal(); ok {
		s.Set(RPS, rps)
	}
	if a.requests == 0 || len(a.parts) == 0 {
		return s
	}
	hasAvg := !a.avgMissing && a.timed > 0
	if hasAvg {
		s.Set(AvgLatency, a.latSum/float64(a.timed))
	}
	if a.hasMinMax && !a.minMaxMissing {
		s.Set(MinLatency, a.min)
		s.Set(MaxLatency, a.max)
	}
	if m, ok := a.median(); ok {
		s.Set(MedianLatency, m)
	}
	s.Ladder = a.ladder()
	if h, ok := a.allSamples(); ok {
		s.samples = h
	} else if h, ok := a.allHist(); ok {
		s.hist = h
	} else {
		s.LadderMixture = len(a.parts) > 1 && len(s.Ladder) > 0
	}
	measured := false
	for _, p := range a.parts {
		measured = measured || p.measured
	}
	for _, q := range []struct {
		field string
		pct   float64
	}{{P95Latency, 95}, {P99Latency, 99}} {
		if v, ok := a.percentile(q.pct); ok {
			s.Set(q.field, v)
		} else if !measured && hasAvg {
			v, _, _ := EstimateFrom(s, q.field)
			s.Set(q.field, v)
			s.Estimated = append(s.Estimated, q.field)
		}
	}
	clampToMax(s)
	return s
}

// clampToMax keeps the median, the percentiles and the ladder at or below the maximum: a
// tool that rounds its percentiles (Locust: to whole ms, two significant digits above
// 100 ms) or a histogram bucket can put one just past the exact max (a p99 of 7 over a
// max of 6.66), which no request took. The rounding error is all it moves.
func clampToMax(s *Service) {
	hi, ok := s.Get(MaxLatency)
	if !ok {
		return
	}
	for _, f := range []string{MedianLatency, P95Latency, P99Latency} {
		if v, ok := s.Get(f); ok && v > hi {
			s.Set(f, hi)
		}
	}
	for i, p := range s.Ladder {
		s.Ladder[i].Ms = min(p.Ms, hi)
	}
}

// fineLadder are the percentiles kept where the whole distribution is known: every
// percent, 99.9 and 99.99.
var fineLadder = func() []float64 {
	var out []float64
	for p := 1; p <= 99; p++ {
		out = append(out, float64(p))
	}
	return append(out, 99.9, 99.99)
}()

// ladder is the distribution as percentile points: fine where raw samples or
// histograms exist, else the percentiles every part has (a single row's own columns).
func (a *Accumulator) ladder() []loadtest.Point {
	var out []loadtest.Point
	if h, ok := a.allSamples(); ok {
		for _, p := range fineLadder {
			if v, ok := sampleQuantile(h, p/100); ok {
				out = append(out, loadtest.Point{Pct: p, Ms: v})
			}
		}
		return out
	}
	if h, ok := a.allHist(); ok {
		for _, p := range fineLadder {
			if v, ok := LocustPercentile(h, p/100); ok {
				out = append(out, loadtest.Point{Pct: p, Ms: v})
			}
		}
		return out
	}
	if len(a.parts) == 0 {
		return nil
	}
	for _, pt := range a.parts[0].ladder {
		if v, ok := mixture(a.parts, pt.Pct); ok {
			out = append(out, loadtest.Point{Pct: pt.Pct, Ms: v})
		}
	}
	return out
}

func (a *Accumulator) allHist() (map[float64]int64, bool) {
	if len(a.parts) == 1 && a.parts[0].hist != nil {
		return a.parts[0].hist, true
	}
	merged := map[float64]int64{}
	for _, p := range a.parts {
		if p.hist == nil {
			return nil, false
		}
		for k, c := range p.hist {
			merged[k] += c
		}
	}
	return merged, true
}

// allSamples merges the raw-sample histograms when every part has one.
func (a *Accumulator) allSamples() (*loadtest.Histogram, bool) {
	if len(a.parts) == 1 && a.parts[0].samples != nil {
		return a.parts[0].samples, true
	}
	merged := loadtest.NewHistogram()
	for _, p := range a.parts {
		if p.samples == nil {
			return nil, false
		}
		merged.Merge(p.samples)
	}
	return merged, true
}

// sampleQuantile is the nearest-rank quantile of raw samples, in ms.
func sampleQuantile(h *loadtest.Histogram, p float64) (float64, bool) {
	ns, ok := h.Quantile(p)
	return float64(ns) / 1e6, ok
}

func (a *Accumulator) median() (float64, bool) {
	if h, ok := a.allSamples(); ok {
		return sampleQuantile(h, 0.5)
	}
	if h, ok := a.allHist(); ok {
		m, ok := LocustMedian(h)
		if ok && a.hasMinMax { // Locust clamps its median to [min, max]
			m = math.Min(math.Max(m, a.min), a.max)
		}
		return m, ok
	}
	if len(a.parts) == 1 {
		p := a.parts[0]
		return p.median, p.hasMedian
	}
	// The mixture of the rows' own medians (Locust's median column is the lower middle
	// value, not the 50% column), so that merging identical rows changes nothing.
	medians := make([]part, len(a.parts))
	for i, p := range a.parts {
		medians[i] = p
		if p.hist == nil && p.samples == nil {
			if !p.hasMedian {
				return 0, false
			}
			medians[i].ladder = withPoint(p.ladder, loadtest.Point{Pct: 50, Ms: p.median})
		}
	}
	return mixture(medians, 50)
}

func (a *Accumulator) percentile(pct float64) (float64, bool) {
	if h, ok := a.allSamples(); ok {
		return sampleQuantile(h, pct/100)
	}
	if h, ok := a.allHist(); ok {
		return LocustPercentile(h, pct/100)
	}
	return mixture(a.parts, pct)
}

// mixture returns the pct-th percentile of the request-weighted mixture of the parts'
// distributions: the smallest value v with Σ wᵢ·Fᵢ(v) / Σ wᵢ ≥ pct, where Fᵢ is the step
// CDF of part i's ladder (or its exact histogram). It is known only when every part has a
// point at exactly pct (or a histogram); for a single part it returns that point.
func mixture(parts []part, pct float64) (float64, bool) {
	var cands []float64
	var total float64
	for _, p := range parts {
		switch {
		case p.samples != nil:
			p.samples.Each(func(ns, _ int64) { cands = append(cands, float64(ns)/1e6) })
		case p.hist != nil:
			for k := range p.hist {
				cands = append(cands, k)
			}
		default:
			if _, ok := loadtest.At(p.ladder, pct); !ok {
				return 0, false
			}
			for _, pt := range p.ladder {
				cands = append(cands, pt.Ms)
			}
		}
		total += p.weight
	}
	if total == 0 || len(cands) == 0 {
		return 0, false
	}
	sort.Float64s(cands)
	for _, v := range cands {
		var f float64
		for _, p := range parts {
			f += p.weight * p.cdf(v)
		}
		if f/total >= pct-1e-9 {
			return v, true
		}
	}
	return cands[len(cands)-1], true
}

// cdf returns the percentage (0–100) of the part's requests at or below v.
func (p part) cdf(v float64) float64 {
	if p.samples != nil {
		n := p.samples.Count()
		if n == 0 {
			return 0
		}
		return float64(p.samples.CountAtOrBelow(int64(math.Round(v*1e6)))) / float64(n) * 100
	}
	if p.hist != nil {
		var n, below int64
		for k, c := range p.hist {
			n += c
			if k <= v {
				below += c
			}
		}
		if n == 0 {
			return 0
		}
		return float64(below) / float64(n) * 100
	}
	f := 0.0
	for _, pt := range p.ladder {
		if pt.Ms <= v && pt.Pct > f {
			f = pt.Pct
		}
	}
	return f
}

// withPoint returns a copy of l with p set (replacing a point at the same percentile).
func withPoint(l []loadtest.Point, p loadtest.Point) []loadtest.Point {
	out := []loadtest.Point{p}
	for _, q := range l {
		if q.Pct != p.Pct {
			out = append(out, q)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pct < out[j].Pct })
	return out
}

// LocustPercentile computes a percentile (p in 0–1) of a bucketed histogram exactly as
// Locust's calculate_response_time_percentile does: walking the buckets from the largest,
// it returns the first bucket at which the requests not yet counted are at most
// int(n·p). It reports false for an empty histogram.
func LocustPercentile(hist map[float64]int64, p float64) (float64, bool) {
	keys, n := sortedKeys(hist)
	if n == 0 {
		return 0, false
	}
	target := int64(float64(n) * p) // Python int() truncates, on the same IEEE product
	var processed int64
	for i := len(keys) - 1; i >= 0; i-- {
		processed += hist[keys[i]]
		if n-processed <= target {
			return keys[i], true
		}
	}
	return keys[0], true
}

// LocustMedian computes Locust's median_from_dict: the lower middle value of the
// bucketed histogram (the caller clamps it to [min, max] as Locust does).
func LocustMedian(hist map[float64]int64) (float64, bool) {
	keys, n := sortedKeys(hist)
	if n == 0 {
		return 0, false
	}
	pos := float64(n-1) / 2
	for _, k := range keys {
		if pos < float64(hist[k]) {
			return k, true
		}
		pos -= float64(hist[k])
	}
	return keys[len(keys)-1], true
}

func sortedKeys(hist map[float64]int64) ([]float64, int64) {
	keys := make([]float64, 0, len(hist))
	var n int64
	for k, c := range hist {
		if c > 0 {
			keys = append(keys, k)
			n += c
		}
	}
	sort.Float64s(keys)
	return keys, n
}
