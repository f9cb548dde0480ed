package stats

import "math"

// ExceedanceRank is the conservative rank s = ⌊p·(n−1)⌋ + 1 of a p-quantile (p in 0–1)
// among n values: every usual definition of the sample quantile (nearest rank ⌈p·n⌉,
// Locust's ⌊p·n⌋ + 1, the linear interpolation between ranks ⌊p·(n−1)⌋ + 1 and
// ⌊p·(n−1)⌋ + 2, DDSketch's ⌊p·(n−1)⌋ + 1) is at or above the s-th smallest value. It is
// clamped to [1, n] (1 when n < 1).
func ExceedanceRank(n int64, p float64) int64 {
	if n < 1 {
		return 1
	}
	s := int64(math.Floor(p*float64(n-1)+1e-9)) + 1
	return min(max(s, 1), n)
}

// Exceedance is the exceedance test of a quantile. v is the s-th smallest of nb baseline
// values and k is how many of nc current values are above v. When the nb + nc values are
// exchangeable (nothing changed), whatever their distribution, k follows the
// beta-binomial distribution BetaBinomial(nc, nb − s + 1, s). Exceedance returns the
// one-sided p-value P(K ≥ k) and the expected count nc·(nb − s + 1)/(nb + 1).
// Ties only make the test conservative (counting "above v" strictly).
func Exceedance(k, nc, nb, s int64) (p, expected float64) {
	if nb < 1 || nc < 1 || s < 1 || s > nb {
		return 1, 0
	}
	a, b := float64(nb-s+1), float64(s)
	return BetaBinomialUpper(k, nc, a, b), float64(nc) * a / (a + b)
}

// BetaBinomialUpper is the upper tail P(X ≥ k) of X ~ BetaBinomial(n, a, b):
// Σ_{j ≥ k} C(n, j) · B(j + a, n − j + b) / B(a, b). See BetaBinomialLogUpper.
func BetaBinomialUpper(k, n int64, a, b float64) float64 {
	return math.Exp(BetaBinomialLogUpper(k, n, a, b))
}

// BetaBinomialLogUpper is ln P(X ≥ k) for X ~ BetaBinomial(n, a, b), a, b > 0, computed in
// log space without overflow for n up to millions (−Inf when k > n, 0 when k ≤ 0).
//
// For a, b ≥ 1 the distribution is log-concave: the term ratio
// t(j+1)/t(j) = (n−j)(j+a) / ((j+1)(n−j−1+b)) falls as j grows. One term is computed with
// lgamma and the others by that ratio, summed from the largest term outward and stopped
// once the geometric bound on the rest is below 1e-17 of the sum: O(√n) terms near the
// mode. When k is below the mode, the tail is 1 − P(X ≤ k−1), whose terms fall from k−1
// down. Other a, b are summed directly (O(n) lgamma calls) with log-sum-exp.
func BetaBinomialLogUpper(k, n int64, a, b float64) float64 {
	switch {
	case k <= 0:
		return 0
	case k > n:
		return math.Inf(-1)
	case a < 1 || b < 1:
		return bbLogUpperDirect(k, n, a, b)
	}
	if k == n || bbRatio(k, n, a, b) <= 1 {
		// At or past the mode: the terms fall from k upward.
		return bbLogPMF(k, n, a, b) + math.Log(bbSumFalling(k, n, a, b, 1))
	}
	// Below the mode: the terms of P(X ≤ k−1) fall from k−1 downward.
	lower := math.Exp(bbLogPMF(k-1, n, a, b)) * bbSumFalling(k-1, n, a, b, -1)
	if lower >= 1 {
		return bbLogUpperDirect(k, n, a, b)
	}
	return math.Log1p(-lower)
}

func bbLogPMF(k, n int64, a, b float64) float64 {
	fk, fn := float64(k), float64(n)
	lnC := lgamma(fn+1) - lgamma(fk+1) - lgamma(fn-fk+1)
	return lnC + lbeta(fk+a, fn-fk+b) - lbeta(a, b)
}

func lbeta(x, y float64) float64 { return lgamma(x) + lgamma(y) - lgamma(x+y) }

// bbRatio is t(j+1)/t(j), for 0 ≤ j < n.
func bbRatio(j, n int64, a, b float64) float64 {
	fj, fn := float64(j), float64(n)
	return (fn - fj) * (fj + a) / ((fj + 1) * (fn - fj - 1 + b))
}

// bbSumFalling sums t(j)/t(k) for j = k, k+dir, … while the terms fall (a, b ≥ 1 and k at
// the side of the mode where they do), until the rest is negligible.
func bbSumFalling(k, n int64, a, b float64, dir int64) float64 {
	sum, t := 1.0, 1.0
	for j := k; ; {
		var r float64
		if dir > 0 {
			if j >= n {
				break
			}
			r = bbRatio(j, n, a, b)
		} else {
			if j <= 0 {
				break
			}
			r = 1 / bbRatio(j-1, n, a, b)
		}
		t *= r
		j += dir
		sum += t
		// The ratios keep falling, so the rest is below t·r/(1−r).
		if r < 1 && t*r/(1-r) < sum*1e-17 {
			break
		}
	}
	return sum
}

// bbLogUpperDirect sums every term from k to n in log space (log-sum-exp).
func bbLogUpperDirect(k, n int64, a, b float64) float64 {
	top := math.Inf(-1)
	for j := k; j <= n; j++ {
		top = math.Max(top, bbLogPMF(j, n, a, b))
	}
	sum := 0.0
	for j := k; j <= n; j++ {
		sum += math.Exp(bbLogPMF(j, n, a, b) - top)
	}
	return math.Min(top+math.Log(sum), 0)
}
