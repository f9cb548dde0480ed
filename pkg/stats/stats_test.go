package stats

import (
	"math"
	"testing"
)

func TestBinomCDF(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		k, n int64
		p    float64
		want float64
	}{
		{5, 10, 0.5, 0.623046875}, // 638/1024
		{0, 10, 0.5, 1.0 / 1024},
		{2, 20, 0.05, 0.9245163262}, // textbook: P(X ≤ 2), n = 20, p = 0.05
		{9, 10, 0.5, 1023.0 / 1024},
	} {
		if got := BinomCDF(tc.k, tc.n, tc.p); math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("BinomCDF(%d, %d, %v) = %.10f, want %.10f", tc.k, tc.n, tc.p, got, tc.want)
		}
	}
	// The normal approximation takes over for large n and stays close.
	if got := BinomCDF(500000, 1000000, 0.5); math.Abs(got-0.5004) > 0.001 {
		t.Errorf("large n: %v", got)
	}
}

// Textbook order-statistic intervals: for the median of n = 100 at 95 % the interval
// runs from the 40th to the 61st order statistic; for n = 10 at 95 %, from the 2nd to
// the 9th (coverage 0.9785); for p95 of n = 1000, from the 936th to the 964th (checked
// with exact integer arithmetic).
func TestQuantileCI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		n      int64
		p      float64
		lo, hi int64
	}{
		{100, 0.5, 40, 61},
		{10, 0.5, 2, 9},
		{1000, 0.95, 936, 964},
	} {
		lo, hi, ok := QuantileCI(tc.n, tc.p, 0.05)
		if lo != tc.lo || hi != tc.hi || !ok {
			t.Errorf("QuantileCI(%d, %v) = %d, %d, %v; want %d, %d", tc.n, tc.p, lo, hi, ok, tc.lo, tc.hi)
		}
		// Coverage P(lo ≤ rank < hi) is at least 95 %.
		if cov := BinomCDF(hi-1, tc.n, tc.p) - BinomCDF(lo-1, tc.n, tc.p); cov < 0.95 {
			t.Errorf("n=%d p=%v: coverage %v", tc.n, tc.p, cov)
		}
	}
	if _, hi, ok := QuantileCI(20, 0.95, 0.05); ok || hi != 20 {
		t.Errorf("20 samples cannot bound p95 from above at 95 %%: hi %d ok %v", hi, ok)
	}
}

// Fisher's exact test against textbook tables: the lady tasting tea (3 of 4 right),
// one-sided p = 17/70; and Wikipedia's example [[1, 9], [11, 3]], whose table has
// probability 0.001346 and whose one-sided p-value (that table plus the more extreme
// one, [[0, 10], [12, 2]]) is 0.0013797 (checked with exact integer arithmetic).
func TestFisher(t *testing.T) {
	t.Parallel()
	if got := FisherGreater(3, 4, 1, 4); math.Abs(got-17.0/70) > 1e-12 {
		t.Errorf("tea tasting: %v, want %v", got, 17.0/70)
	}
	if got := FisherGreater(11, 14, 1, 10); math.Abs(got-0.0013797280926) > 1e-12 {
		t.Errorf("Wikipedia's table: %v, want 0.0013797280926", got)
	}
	if got := FisherGreater(0, 100, 5, 100); math.Abs(got-1) > 1e-12 {
		t.Errorf("fewer failures in group 1: %v, want 1", got)
	}
	if p, test := ProportionGreater(300, 20000, 200, 20000); test != "two-proportion z-test" || p > 1e-5 {
		t.Errorf("large samples: %v %s", p, test)
	}
	if p, test := ProportionGreater(5, 219, 18, 198); test != "Fisher's exact test" || p < 0.99 {
		t.Errorf("a decrease is not significant: %v %s", p, test)
	}
}
