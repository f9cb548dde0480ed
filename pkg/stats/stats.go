// Package stats holds the distribution-free tests of the noise-aware mode: confidence
// intervals of a quantile from order statistics, and one-sided tests of two proportions
// (Fisher's exact test for small counts, the pooled z-test for large ones).
package stats

import (
	"math"
)

// BinomCDF is P(B ≤ k) for B ~ Binomial(n, p). It sums the terms exactly (in log space)
// up to n = 200000 and uses the normal approximation with continuity correction beyond.
func BinomCDF(k, n int64, p float64) float64 {
	switch {
	case k < 0:
		return 0
	case k >= n:
		return 1
	case p <= 0:
		return 1
	case p >= 1:
		return 0
	}
	if n > 200000 {
		mu, sd := float64(n)*p, math.Sqrt(float64(n)*p*(1-p))
		return normCDF((float64(k) + 0.5 - mu) / sd)
	}
	lp, lq := math.Log(p), math.Log1p(-p)
	lnN := lgamma(float64(n) + 1)
	sum := 0.0
	for i := int64(0); i <= k; i++ {
		sum += math.Exp(lnN - lgamma(float64(i)+1) - lgamma(float64(n-i)+1) + float64(i)*lp + float64(n-i)*lq)
	}
	return math.Min(sum, 1)
}

// QuantileCI returns the 1-based ranks (lo, hi) of the order statistics that bound the
// p-quantile of a sample of n with confidence at least 1−alpha (distribution-free):
// lo is the largest rank with P(B ≤ lo−1) ≤ alpha/2 and hi the smallest with
// P(B ≤ hi−1) ≥ 1−alpha/2, B ~ Binomial(n, p). Ranks are clamped to [1, n]; ok is false
// when n is too small for the interval to exist at that confidence.
func QuantileCI(n int64, p, alpha float64) (lo, hi int64, ok bool) {
	if n < 1 {
		return 0, 0, false
	}
	ok = true
	// lo: walk up from the expected rank while the lower tail stays within alpha/2.
	mid := int64(math.Floor(p * float64(n)))
	lo = mid
	for lo >= 1 && BinomCDF(lo-1, n, p) > alpha/2 {
		lo--
	}
	if lo < 1 {
		lo, ok = 1, false
	}
	hi = mid + 1
	for hi <= n && BinomCDF(hi-1, n, p) < 1-alpha/2 {
		hi++
	}
	if hi > n {
		hi, ok = n, false
	}
	return lo, hi, ok
}

// FisherGreater is the one-sided p-value of Fisher's exact test that the failure rate of
// group 1 (x1 failures out of n1) is greater than that of group 2 (x2 out of n2): the
// probability, under the hypergeometric distribution with the margins fixed, of at least
// x1 failures in group 1.
func FisherGreater(x1, n1, x2, n2 int64) float64 {
	k := x1 + x2 // failures in all
	n := n1 + n2
	if n == 0 || k == 0 {
		return 1
	}
	lnC := func(a, b int64) float64 { return lgamma(float64(a)+1) - lgamma(float64(b)+1) - lgamma(float64(a-b)+1) }
	denom := lnC(n, k)
	p := 0.0
	for x := x1; x <= min(k, n1); x++ {
		if k-x > n2 {
			continue
		}
		p += math.Exp(lnC(n1, x) + lnC(n2, k-x) - denom)
	}
	return math.Min(p, 1)
}

// ProportionGreater is the one-sided p-value that the rate of group 1 is greater than
// that of group 2: Fisher's exact test when any expected count is below 5 or the samples
// are small enough to sum exactly, else the pooled two-proportion z-test. It names the
// test used.
func ProportionGreater(x1, n1, x2, n2 int64) (p float64, test string) {
	if n1 == 0 || n2 == 0 {
		return 1, "no requests"
	}
	pool := float64(x1+x2) / float64(n1+n2)
	small := math.Min(float64(n1), float64(n2))*math.Min(pool, 1-pool) < 5
	if small || n1+n2 <= 20000 {
		return FisherGreater(x1, n1, x2, n2), "Fisher's exact test"
	}
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	if se == 0 {
		return 1, "two-proportion z-test"
	}
	z := (float64(x1)/float64(n1) - float64(x2)/float64(n2)) / se
	return 1 - normCDF(z), "two-proportion z-test"
}

func normCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}
