package loadtest

import (
	"math"
	"math/bits"
	"sort"
)

// Histogram records latencies (integer nanoseconds) for exact or near-exact percentiles
// with bounded memory. It keeps every distinct value exactly until there are more than
// exactLimit of them, then switches to log-linear buckets with 2048 sub-buckets per power
// of two (HdrHistogram-style, 3 significant digits): a bucket's midpoint is within 0.05 %
// of any value in it. Histograms merge exactly (counts add).
type Histogram struct {
	exact   map[int64]int64 // value → count, while small
	ms      []int64         // exact counts of whole milliseconds below msLimit (JMeter, Gatling), while small
	tenths  []int64         // exact counts of other tenths of a millisecond below msLimit/10 ms (hey), while small
	buckets []int64         // log-linear counts, once large
	n       int64
}

// msLimit bounds the arrays of whole and tenth milliseconds (32 KB of counts each).
const msLimit = 4096

const (
	exactLimit = 4096
	subBits    = 11
	subCount   = 1 << subBits // 2048
	halfCount  = subCount / 2
)

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram { return &Histogram{exact: map[int64]int64{}} }

// Count is the number of recorded values.
func (h *Histogram) Count() int64 { return h.n }

// Record adds one value (negative values count as 0).
func (h *Histogram) Record(ns int64) { h.RecordN(ns, 1) }

// RecordN adds a value c times.
func (h *Histogram) RecordN(ns, c int64) {
	if ns < 0 {
		ns = 0
	}
	h.n += c
	if h.exact != nil {
		switch {
		case ns%1e6 == 0 && ns < msLimit*1e6:
			h.ms = count(h.ms, ns/1e6, c)
			return
		case ns%1e5 == 0 && ns < msLimit*1e5:
			h.tenths = count(h.tenths, ns/1e5, c)
			return
		}
		h.exact[ns] += c
		if len(h.exact) > exactLimit {
			h.toBuckets()
		}
		return
	}
	i := bucketIndex(ns)
	if i >= len(h.buckets) {
		h.buckets = append(h.buckets, make([]int64, i+1-len(h.buckets))...)
	}
	h.buckets[i] += c
}

// count adds c at index i of a dense array, growing it.
func count(a []int64, i, c int64) []int64 {
	if i >= int64(len(a)) {
		a = append(a, make([]int64, i+1-int64(len(a))+int64(len(a)/2))...)
	}
	a[i] += c
	return a
}

func (h *Histogram) toBuckets() {
	m := h.exact
	h.exact = nil
	h.dense(func(v, c int64) { m[v] += c })
	h.ms, h.tenths = nil, nil
	for v, c := range m {
		i := bucketIndex(v)
		if i >= len(h.buckets) {
			h.buckets = append(h.buckets, make([]int64, i+1-len(h.buckets))...)
		}
		h.buckets[i] += c
	}
}

// Merge adds every value of o.
func (h *Histogram) Merge(o *Histogram) {
	if o == nil {
		return
	}
	if o.exact != nil {
		o.dense(h.RecordN)
		for v, c := range o.exact {
			h.RecordN(v, c)
		}
		return
	}
	if h.exact != nil {
		h.toBuckets()
	}
	if len(o.buckets) > len(h.buckets) {
		h.buckets = append(h.buckets, make([]int64, len(o.buckets)-len(h.buckets))...)
	}
	for i, c := range o.buckets {
		h.buckets[i] += c
	}
	h.n += o.n
}

// Exact reports whether every value is still kept exactly.
func (h *Histogram) Exact() bool { return h.exact != nil }

// bucketIndex maps a value to its log-linear bucket: values below 2048 have their own
// bucket; above, each power of two is split into 1024 buckets.
func bucketIndex(v int64) int {
	if v < subCount {
		return int(v)
	}
	shift := bits.Len64(uint64(v)) - subBits
	mant := v >> uint(shift) // in [1024, 2047]
	return subCount + (shift-1)*halfCount + int(mant-halfCount)
}

// bucketRange returns the lowest and highest value of bucket i.
func bucketRange(i int) (int64, int64) {
	if i < subCount {
		return int64(i), int64(i)
	}
	shift := (i-subCount)/halfCount + 1
	mant := int64((i-subCount)%halfCount + halfCount)
	lo := mant << uint(shift)
	return lo, lo + (int64(1) << uint(shift)) - 1
}

// value is a bucket's representative: its midpoint.
func bucketValue(i int) int64 {
	lo, hi := bucketRange(i)
	return lo + (hi-lo)/2
}

// dense calls f for the values of the dense arrays.
func (h *Histogram) dense(f func(ns, count int64)) {
	for i, c := range h.ms {
		if c > 0 {
			f(int64(i)*1e6, c)
		}
	}
	for i, c := range h.tenths {
		if c > 0 {
			f(int64(i)*1e5, c)
		}
	}
}

// Each calls f for every distinct value (or bucket midpoint) in ascending order.
func (h *Histogram) Each(f func(ns, count int64)) {
	if h.exact != nil {
		type vc struct{ v, c int64 }
		all := make([]vc, 0, len(h.exact))
		for v, c := range h.exact {
			all = append(all, vc{v, c})
		}
		h.dense(func(v, c int64) { all = append(all, vc{v, c}) })
		sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
		for _, x := range all {
			f(x.v, x.c)
		}
		return
	}
	for i, c := range h.buckets {
		if c > 0 {
			f(bucketValue(i), c)
		}
	}
}

// Quantile returns the nearest-rank p-quantile (p in 0–1) in nanoseconds: the smallest
// recorded value whose rank is at least ceil(p·n). It reports false when empty.
func (h *Histogram) Quantile(p float64) (int64, bool) {
	if h.n == 0 {
		return 0, false
	}
	rank := int64(math.Ceil(p * float64(h.n)))
	if rank < 1 {
		rank = 1
	}
	if rank > h.n {
		rank = h.n
	}
	var seen, out int64
	found := false
	h.Each(func(v, c int64) {
		if found {
			return
		}
		seen += c
		if seen >= rank {
			out, found = v, true
		}
	})
	return out, found
}

// CountAtOrBelow returns how many values are ≤ ns.
func (h *Histogram) CountAtOrBelow(ns int64) int64 {
	var n int64
	h.Each(func(v, c int64) {
		if v <= ns {
			n += c
		}
	})
	return n
}
