package stats

import (
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// exactTails returns P(X ≥ k), k = 0…n, for X ~ BetaBinomial(n, a, b) with whole a, b,
// in exact rational arithmetic: C(n, j)·B(j+a, n−j+b)/B(a, b) with
// B(x, y) = (x−1)!(y−1)!/(x+y−1)!.
func exactTails(n, a, b int64) []*big.Rat {
	fact := func(m int64) *big.Int { return new(big.Int).MulRange(1, m) }
	beta := func(x, y int64) *big.Rat {
		num := new(big.Int).Mul(fact(x-1), fact(y-1))
		return new(big.Rat).SetFrac(num, fact(x+y-1))
	}
	tails := make([]*big.Rat, n+2)
	tails[n+1] = new(big.Rat)
	for j := n; j >= 0; j-- {
		term := new(big.Rat).SetInt(new(big.Int).Binomial(n, j))
		term.Mul(term, beta(j+a, n-j+b))
		term.Quo(term, beta(a, b))
		tails[j] = term.Add(term, tails[j+1])
	}
	return tails
}

// exactExceedance is P(K ≥ k) by counting: of the C(nb+nc, nc) equally likely orders of
// nb baseline and nc current values, those where exactly j current values come after the
// s-th baseline value number C(s−1+nc−j, nc−j)·C(nb−s+j, j). This is the exchangeability
// argument itself, with no beta function in it.
func exactExceedance(k, nc, nb, s int64) *big.Rat {
	sum := new(big.Int)
	for j := max(k, 0); j <= nc; j++ {
		c := new(big.Int).Binomial(s-1+nc-j, nc-j)
		sum.Add(sum, c.Mul(c, new(big.Int).Binomial(nb-s+j, j)))
	}
	return new(big.Rat).SetFrac(sum, new(big.Int).Binomial(nb+nc, nc))
}

func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }

func closeRel(got, want, tol float64) bool {
	return got == want || math.Abs(got-want) <= tol*math.Abs(want)
}

// TestBetaBinomialExact checks every tail of small beta-binomials against exact rational
// arithmetic, and the exceedance p-value against the counting argument.
func TestBetaBinomialExact(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ n, a, b int64 }{
		{1, 1, 1}, {5, 1, 1}, {10, 2, 3}, {20, 6, 95}, {30, 1, 40}, {40, 12, 2}, {60, 3, 57}, {100, 6, 95},
	} {
		tails := exactTails(c.n, c.a, c.b)
		for k := int64(-1); k <= c.n+1; k++ {
			want := ratFloat(tails[min(max(k, 0), c.n+1)])
			if got := BetaBinomialUpper(k, c.n, float64(c.a), float64(c.b)); !closeRel(got, want, 1e-11) {
				t.Errorf("BetaBinomialUpper(%d, %d, %d, %d) = %.15g, want %.15g", k, c.n, c.a, c.b, got, want)
			}
		}
	}
	for _, c := range []struct{ nc, nb, p95 int64 }{{10, 10, 95}, {40, 25, 95}, {100, 100, 95}, {60, 80, 50}, {30, 200, 99}} {
		s := ExceedanceRank(c.nb, float64(c.p95)/100)
		for k := int64(0); k <= c.nc; k++ {
			want := ratFloat(exactExceedance(k, c.nc, c.nb, s))
			got, _ := Exceedance(k, c.nc, c.nb, s)
			if !closeRel(got, want, 1e-11) {
				t.Errorf("Exceedance(k=%d, nc=%d, nb=%d, s=%d) = %.15g, counting gives %.15g", k, c.nc, c.nb, s, got, want)
			}
		}
	}
	// The example: 48 of 100 current requests above the baseline p95 of 100.
	p, e := Exceedance(48, 100, 100, ExceedanceRank(100, 0.95))
	if want := ratFloat(exactExceedance(48, 100, 100, 95)); !closeRel(p, want, 1e-10) || math.Abs(e-600.0/101) > 1e-12 {
		t.Errorf("48/100 above p95: p %g (want %g), expected %g (want 5.94)", p, want, e)
	}
}

func TestExceedanceRank(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int64
		p    float64
		want int64
	}{{100, 0.95, 95}, {101, 0.95, 96}, {219, 0.95, 208}, {150, 0.95, 142}, {1, 0.95, 1}, {10, 0.5, 5}, {1000, 0.999, 999}, {0, 0.5, 1}} {
		if got := ExceedanceRank(c.n, c.p); got != c.want {
			t.Errorf("ExceedanceRank(%d, %v) = %d, want %d", c.n, c.p, got, c.want)
		}
	}
}

// TestExceedanceSimulation draws exchangeable samples (fixed seed) and compares the
// empirical tail of K with the p-value: equal for continuous values, and never below it
// (conservative) for values rounded to whole milliseconds, which have ties.
func TestExceedanceSimulation(t *testing.T) {
	t.Parallel()
	const nb, nc, reps = 60, 45, 8000
	s := ExceedanceRank(nb, 0.95)
	rng := rand.New(rand.NewPCG(13, 95))
	for _, rounded := range []bool{false, true} {
		counts := make([]int, nc+2)
		base := make([]float64, nb)
		for range reps {
			for i := range base {
				base[i] = draw(rng, rounded)
			}
			slices.Sort(base)
			v := base[s-1]
			k := 0
			for range nc {
				if draw(rng, rounded) > v {
					k++
				}
			}
			counts[k]++
		}
		tail := 0
		for k := nc; k >= 1; k-- {
			tail += counts[k]
			emp := float64(tail) / reps
			p, _ := Exceedance(int64(k), nc, nb, s)
			se := math.Sqrt(p*(1-p)/reps) + 1e-4
			if emp > p+4*se || (!rounded && emp < p-4*se) {
				t.Errorf("rounded=%v: P(K ≥ %d) empirical %.4f, formula %.4f", rounded, k, emp, p)
			}
		}
	}
}

// draw is a log-normal latency in ms (median 50), whole milliseconds when rounded.
func draw(rng *rand.Rand, rounded bool) float64 {
	v := 50 * math.Exp(0.5*rng.NormFloat64())
	if rounded {
		return math.Round(v)
	}
	return v
}

// TestBetaBinomialLarge: millions of requests, no overflow, the uniform case a = b = 1
// (P(X ≥ k) = (n−k+1)/(n+1)), consecutive tails differ by the pmf, and the far tail
// matches its normal approximation in size — in well under a second. At this n, lgamma
// of arguments near 10⁷ leaves about 8 exact digits: ample for a p-value.
func TestBetaBinomialLarge(t *testing.T) {
	t.Parallel()
	start := time.Now()
	const n = 5_000_000
	for _, k := range []int64{1, 2_500_000, n} {
		if got, want := BetaBinomialUpper(k, n, 1, 1), float64(n-k+1)/(n+1); !closeRel(got, want, 1e-7) {
			t.Errorf("uniform: P(X ≥ %d) = %g, want %g", k, got, want)
		}
	}
	a, b := 250_001.0, 4_750_000.0 // the p95 of 5 million baseline requests
	mean := n * a / (a + b)
	sd := math.Sqrt(n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1)))
	prev := 1.0
	for _, z := range []float64{-3, 0, 3, 8, 40} {
		k := int64(math.Ceil(mean + z*sd))
		lp := BetaBinomialLogUpper(k, n, a, b)
		p := math.Exp(lp)
		if math.IsNaN(lp) || lp > 0 || p > prev {
			t.Errorf("z=%v: ln p = %v (previous p %v)", z, lp, prev)
		}
		prev = p
		diff := p - BetaBinomialUpper(k+1, n, a, b)
		if pmf := math.Exp(betaBinomialLogPMF(k, n, a, b)); !closeRel(diff, pmf, 1e-3) && z < 8 {
			t.Errorf("z=%v: P(X ≥ k) − P(X ≥ k+1) = %g, pmf %g", z, diff, pmf)
		}
		if z == 3 && (p < 0.0005 || p > 0.003) {
			t.Errorf("3 sd above the mean: p = %g, want about 0.00135", p)
		}
	}
	if lp := BetaBinomialLogUpper(n, n, a, b); math.IsInf(lp, 0) || lp > -1e5 {
		t.Errorf("every request above the baseline p95: ln p = %v, want a finite, very negative log", lp)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v", d)
	}
	// a, b below 1 are summed directly.
	if got, want := BetaBinomialUpper(3, 10, 0.5, 0.5), direct(3, 10, 0.5, 0.5); !closeRel(got, want, 1e-12) {
		t.Errorf("a = b = 0.5: %v, want %v", got, want)
	}
}

func direct(k, n int64, a, b float64) float64 {
	s := 0.0
	for j := k; j <= n; j++ {
		s += math.Exp(betaBinomialLogPMF(j, n, a, b))
	}
	return s
}

// betaBinomialLogPMF is ln P(X = k) for X ~ BetaBinomial(n, a, b) (−Inf outside 0…n).
func betaBinomialLogPMF(k, n int64, a, b float64) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	return bbLogPMF(k, n, a, b)
}
