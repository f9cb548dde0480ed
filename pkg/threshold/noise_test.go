package threshold

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/loadtest"
	"github.com/perfgate/perfgate/pkg/metrics"
)

type jtlSample struct {
	ms     int64
	failed bool
}

// jtlSamples reads the real JMeter run's samples per label (2.13: no header).
func jtlSamples(t *testing.T, file string) map[string][]jtlSample {
	fh, err := os.Open("../../testdata/real/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	recs, err := csv.NewReader(fh).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]jtlSample{}
	for _, r := range recs {
		ms, _ := strconv.ParseInt(r[1], 10, 64)
		out[r[2]] = append(out[r[2]], jtlSample{ms, r[7] == "false"})
	}
	return out
}

// service builds a service's metrics from samples the way extract-metrics does.
func service(name string, samples []jtlSample) *metrics.Service {
	h := loadtest.NewHistogram()
	row := loadtest.Row{Name: name, Samples: h, HasAvg: true, HasMinMax: true, MinMs: 1e18}
	sum := 0.0
	for _, s := range samples {
		h.Record(s.ms * 1e6)
		row.Requests++
		if s.failed {
			row.Failures++
		}
		sum += float64(s.ms)
		row.MinMs = min(row.MinMs, float64(s.ms))
		row.MaxMs = max(row.MaxMs, float64(s.ms))
	}
	row.AvgMs = sum / float64(len(samples))
	var a metrics.Accumulator
	a.Add(row)
	return a.Service(name)
}

func aaSet(noise bool) *Set {
	s := Builtin()
	for _, f := range []string{"default.p95_latency_ms=+25%", "default.error_rate_pct=+2", "default.rps=off"} {
		if err := s.ParseFlag(f); err != nil {
			panic(err)
		}
	}
	if noise {
		s.Noise = DefaultNoise
	}
	return s
}

func failures(ev *Evaluation) []string {
	var out []string
	for _, r := range ev.Results {
		if r.Status == Fail {
			out = append(out, fmt.Sprintf("%s %s: %+v", r.Service, r.Metric, r.Evidence))
		}
	}
	return out
}

// TestAANoFalseAlarms: two halves of one run (odd and even samples), and 100 bootstrap
// resamples of one run per endpoint, compared noise-aware with p95 +25 % and error rate
// +2 points: no failure. The same pairs judged by the thresholds alone do fail.
func TestAANoFalseAlarms(t *testing.T) {
	t.Parallel()
	run := jtlSamples(t, "jmeter-2.13-baseline-run1.jtl")
	rng := rand.New(rand.NewPCG(2026, 11))
	labels := make([]string, 0, len(run))
	for l := range run {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	// Each pair is a whole run (every endpoint) against another, as a report compares.
	type runPair struct{ base, cur *metrics.File }
	halves := func(odd bool) runPair {
		p := runPair{&metrics.File{}, &metrics.File{}}
		for _, l := range labels {
			var a, b []jtlSample
			for i, s := range run[l] {
				if (i%2 == 0) != odd {
					a = append(a, s)
				} else {
					b = append(b, s)
				}
			}
			p.base.Services = append(p.base.Services, service(l, a))
			p.cur.Services = append(p.cur.Services, service(l, b))
		}
		return p
	}
	pairs := []runPair{halves(false), halves(true)}
	for i := 0; i < 100; i++ {
		p := runPair{&metrics.File{}, &metrics.File{}}
		for _, l := range labels {
			samples := run[l]
			x, y := make([]jtlSample, len(samples)), make([]jtlSample, len(samples))
			for j := range samples {
				x[j], y[j] = samples[rng.IntN(len(samples))], samples[rng.IntN(len(samples))]
			}
			p.base.Services = append(p.base.Services, service(l, x))
			p.cur.Services = append(p.cur.Services, service(l, y))
		}
		pairs = append(pairs, p)
	}
	thresholdOnly := 0
	for i, p := range pairs {
		if f := failures(Evaluate(p.base, p.cur, aaSet(true))); len(f) > 0 {
			t.Errorf("A/A pair %d fails in the noise-aware mode: %v", i, f)
		}
		thresholdOnly += len(failures(Evaluate(p.base, p.cur, aaSet(false))))
	}
	if thresholdOnly == 0 {
		t.Error("the thresholds alone never fail these A/A pairs: the test shows nothing")
	}
	t.Logf("A/A pairs failed by the thresholds alone: %d; by the noise-aware mode: 0", thresholdOnly)
}

func TestNoiseGuards(t *testing.T) {
	t.Parallel()
	p95, _ := ParseChange(metrics.P95Latency, "+50%")
	mk := func(n int, p95v float64) *metrics.Service {
		s := metrics.NewService("svc")
		s.Set(metrics.TotalRequests, float64(n))
		s.Set(metrics.P95Latency, p95v)
		return s
	}
	// Only 12 requests: cannot fail.
	r := evaluate(mk(12, 100), mk(12, 300), p95, DefaultWarnRatio)
	applyNoise(&r, mk(12, 100), mk(12, 300), p95, DefaultNoise, 0.05, false)
	if r.Status != Warn || !r.Downgraded || r.Decided() != MinRequests || r.Evidence.Few != 12 || r.Evidence.MinRequests != 30 {
		t.Errorf("min_requests: %+v", r)
	}
	// +100 % of 2 ms with min_delta 5.
	small := p95
	small.MinDelta, small.HasMinDelta = 5, true
	r = evaluate(mk(500, 2), mk(500, 4), small, DefaultWarnRatio)
	applyNoise(&r, mk(500, 2), mk(500, 4), small, DefaultNoise, 0.05, false)
	if r.Status != Warn || r.Decided() != MinDelta || r.Evidence.Delta != 2 || r.Evidence.MinDelta != 5 {
		t.Errorf("min_delta: %+v", r)
	}
	// A multi-run baseline: 155 is inside [100, 130] widened by 30.
	b := mk(500, 100)
	b.Runs = map[string][]float64{metrics.P95Latency: {100, 130, 115}}
	r = evaluate(b, mk(500, 155), p95, DefaultWarnRatio)
	applyNoise(&r, b, mk(500, 155), p95, DefaultNoise, 0.05, false)
	if e := r.Evidence; r.Status != Warn || r.Decided() != BaselineRuns || e.Runs != 3 || e.Lo != 100 || e.Hi != 130 || e.Spread != 30 {
		t.Errorf("runs: %+v", r)
	}
	// No ladder: the threshold alone decides, and says so.
	r = evaluate(mk(500, 100), mk(500, 300), p95, DefaultWarnRatio)
	applyNoise(&r, mk(500, 100), mk(500, 300), p95, DefaultNoise, 0.05, false)
	if r.Status != Fail || r.Decided() != ThresholdOnly || r.Evidence.Alone != NoDistribution {
		t.Errorf("no ladder: %+v", r)
	}
	// The config switches the mode on and sets min_delta per threshold.
	c, err := config.Parse([]byte("noise:\n  alpha: 0.01\n  min_requests: 50\nthresholds:\n  default:\n    p95_latency_ms: {change: +25%, min_delta: 5}\n"), "n.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := Builtin()
	if err := Apply(s, c); err != nil {
		t.Fatal(err)
	}
	if !s.Noise.Enabled || s.Noise.Alpha != 0.01 || s.Noise.MinRequests != 50 || !s.For("x")[0].HasMinDelta || s.For("x")[0].MinDelta != 5 {
		t.Errorf("config: %+v %+v", s.Noise, s.For("x")[0])
	}
	if _, err := config.Parse([]byte("noise:\n  alfa: 1\n"), "n.yml"); err == nil || err.Error() != `n.yml:2: noise: unknown key "alfa" (known: alpha, min_requests)` {
		t.Errorf("unknown noise key: %v", err)
	}
	c, _ = config.Parse([]byte("noise:\n  alpha: 0.7\n"), "n.yml")
	if err := Apply(Builtin(), c); err == nil || err.Error() != `n.yml:2: noise.alpha: want a significance level between 0 and 0.5, got "0.7"` {
		t.Errorf("bad alpha: %v", err)
	}
}

// TestBrokenBaseline: the seed's real run (27 requests, 24 failed) is no baseline; the
// check is part of the noise-aware mode only and names each reason.
func TestBrokenBaseline(t *testing.T) {
	t.Parallel()
	f, _, err := metrics.Load([]string{"../../testdata/seed/load_results_baseline_actual_stats.csv"}, metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Broken{{Service: "api_gateway", FailPct: 24.0 / 27 * 100, TooManyFail: true, Requests: 27, MinRequests: 30, TooFew: true}}
	if got := BrokenBaseline(f, f, DefaultNoise); !slices.Equal(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if got := BrokenBaseline(f, f, Noise{Enabled: true, Alpha: 0.05}); len(got) != 1 || got[0].TooFew {
		t.Errorf("min_requests 0: %+v", got)
	}
	if got := BrokenBaseline(f, f, Noise{}); got != nil {
		t.Errorf("outside the noise-aware mode: %+v", got)
	}
	if got := BrokenBaseline(f, &metrics.File{}, DefaultNoise); got != nil {
		t.Errorf("a service not compared: %+v", got)
	}
}
