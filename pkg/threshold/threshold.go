// Package threshold holds the regression thresholds (built-in and configured) and
// evaluates a current metrics file against a baseline, metric by metric (README: "Thresholds and verdicts").
package threshold

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/metrics"
)

// Kind is the kind of a threshold.
type Kind int

// The kinds of threshold.
const (
	// Relative fails when the change relative to the baseline goes beyond Limit (a
	// fraction: 0.5 is 50 %) in the bad direction.
	Relative Kind = iota
	// Absolute fails when the difference to the baseline, in the metric's own unit
	// (percentage points for error_rate_pct), goes beyond Limit in the bad direction.
	Absolute
	// Max fails when the current value is above Limit (no baseline needed).
	Max
	// Min fails when the current value is below Limit (no baseline needed).
	Min
)

// Threshold is one rule for one metric.
type Threshold struct {
	Metric string
	Kind   Kind
	// Up is true when an increase is bad (latency, errors) and false when a decrease is
	// (rps). For Max it is true, for Min false.
	Up bool
	// Limit is the fail limit: a fraction (Relative), a difference (Absolute) or a bound.
	Limit float64
	// Warn is the warning limit in the same unit as Limit, when set explicitly; otherwise
	// the warning starts beyond WarnRatio × Limit (Relative, Absolute; bounds do not warn).
	Warn    float64
	HasWarn bool
	// Expr is the threshold as written, for reports ("+50%", "+0.5", "max 0").
	Expr string
	// MinDelta is, in the noise-aware mode, the smallest absolute change (metric unit)
	// that may fail: +100 % of 2 ms is not a regression worth failing a build.
	MinDelta    float64
	HasMinDelta bool
	// Source says where the threshold was set ("perfgate.yml:7:
	// thresholds.default.p95_latency_ms" or "--threshold default.rps=off"); "" for a
	// built-in one. File and Line are the configuration file's, when it came from there.
	Source string
	File   string
	Line   int
}

// Aliases maps the seed's metric names to the ones the metrics files hold.
var Aliases = map[string]string{
	"query_p95_ms": metrics.P95Latency,
	"tool_p95_ms":  metrics.P95Latency,
}

// CanonicalMetric resolves an alias.
func CanonicalMetric(name string) string {
	if c, ok := Aliases[name]; ok {
		return c
	}
	return name
}

// ParseChange parses a change threshold: "+50%" / "-30%" (relative) or "+0.5" / "-10"
// (absolute, in the metric's unit). The sign says which direction is bad and is required.
func ParseChange(metric, expr string) (Threshold, error) {
	e := strings.TrimSpace(expr)
	t := Threshold{Metric: metric, Expr: e}
	if e == "" || (e[0] != '+' && e[0] != '-') {
		return t, fmt.Errorf("%q: want a signed change such as +50%%, -30%%, +0.5 or -10 (the sign says which direction is a regression)", expr)
	}
	t.Up = e[0] == '+'
	body := strings.TrimSpace(e[1:])
	if s, ok := strings.CutSuffix(body, "%"); ok {
		t.Kind = Relative
		body = strings.TrimSpace(s)
	} else {
		t.Kind = Absolute
	}
	v, err := strconv.ParseFloat(body, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return t, fmt.Errorf("%q: %q is not a non-negative number", expr, body)
	}
	if t.Kind == Relative {
		v /= 100
	}
	t.Limit = v
	return t, nil
}

// ParseBound parses the value of a max/min bound.
func ParseBound(metric string, kind Kind, value string) (Threshold, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return Threshold{}, fmt.Errorf("%q is not a number", value)
	}
	t := Threshold{Metric: metric, Kind: kind, Limit: v, Up: kind == Max}
	if kind == Max {
		t.Expr = "max " + strconv.FormatFloat(v, 'f', -1, 64)
	} else {
		t.Expr = "min " + strconv.FormatFloat(v, 'f', -1, 64)
	}
	return t, nil
}

// ParseWarn parses a per-threshold warning limit, written like the threshold itself:
// "+30%" for a relative one, "+0.3" for an absolute one, a number for a bound.
func (t *Threshold) ParseWarn(expr string) error {
	e := strings.TrimSpace(expr)
	switch t.Kind {
	case Relative, Absolute:
		w, err := ParseChange(t.Metric, e)
		if err != nil {
			return err
		}
		if w.Kind != t.Kind || w.Up != t.Up {
			return fmt.Errorf("warn %q must have the same form and sign as the threshold %q", expr, t.Expr)
		}
		if w.Limit > t.Limit {
			return fmt.Errorf("warn %q is beyond the threshold %q", expr, t.Expr)
		}
		t.Warn = w.Limit
	default:
		v, err := strconv.ParseFloat(e, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("warn %q is not a number", expr)
		}
		if (t.Kind == Max && v > t.Limit) || (t.Kind == Min && v < t.Limit) {
			return fmt.Errorf("warn %q is beyond the bound %q", expr, t.Expr)
		}
		t.Warn = v
	}
	t.HasWarn = true
	return nil
}

func mustChange(metric, expr string) Threshold {
	t, err := ParseChange(metric, expr)
	if err != nil {
		panic(err)
	}
	return t
}

// DefaultWarnRatio is the share of a threshold beyond which a change warns.
const DefaultWarnRatio = 0.75

// Set is the complete threshold configuration.
type Set struct {
	// Services maps a service to its thresholds (in evaluation order). A service listed
	// here uses only these.
	Services map[string][]Threshold
	// Default applies to every service not in Services.
	Default []Threshold
	// WarnRatio is the share of a threshold beyond which a change warns.
	WarnRatio float64
	// Noise is the noise-aware mode (off by default: the seed's verdicts).
	Noise Noise
	// Named maps each service that the configuration or a flag names (but default) to
	// where it was named, so that a service in neither file can be reported.
	Named map[string]string
	// switchedOff are the configured "off" entries, checked like the others.
	switchedOff []Threshold
}

// Builtin returns the seed's thresholds with the metric names corrected (README: "Thresholds and verdicts").
func Builtin() *Set {
	p95 := mustChange(metrics.P95Latency, "+50%")
	errRate := mustChange(metrics.ErrorRate, "+0.5")
	rps := mustChange(metrics.RPS, "-30%")
	sandbox, _ := ParseBound("sandbox_violations", Max, "0")
	return &Set{
		Services: map[string][]Threshold{
			"api_gateway": {p95, errRate, rps},
			"rag_service": {p95, errRate, mustChange("qdrant_timeout_rate_pct", "+0.1")},
			"mcp_server":  {p95, errRate, sandbox},
		},
		Default:   []Threshold{p95, errRate, rps},
		WarnRatio: DefaultWarnRatio,
	}
}

// For returns the thresholds of a service.
func (s *Set) For(service string) []Threshold {
	if ts, ok := s.Services[service]; ok {
		return ts
	}
	return s.Default
}

// Override sets (or, with off, removes) the threshold of one metric for a service
// ("default" for the default). A service without its own list starts from the default.
func (s *Set) Override(service string, t Threshold, off bool) {
	if off && t.Source != "" {
		s.switchedOff = append(s.switchedOff, t)
	}
	var list []Threshold
	if service == "default" {
		list = s.Default
	} else if l, ok := s.Services[service]; ok {
		list = l
	} else {
		list = append([]Threshold(nil), s.Default...)
	}
	out := make([]Threshold, 0, len(list)+1)
	replaced := false
	for _, x := range list {
		if x.Metric == t.Metric {
			if !off && !replaced {
				out = append(out, t)
			}
			replaced = true
			continue
		}
		out = append(out, x)
	}
	if !replaced && !off {
		out = append(out, t)
	}
	if service == "default" {
		s.Default = out
	} else {
		s.Services[service] = out
	}
}

// ParseFlag parses a --threshold SERVICE.METRIC=EXPR override. EXPR is a change
// (+50%, -30%, +0.5), "max:N", "min:N" or "off". The service is everything before the
// last dot of the key, so endpoint names with dots work; "default" means every other service.
func (s *Set) ParseFlag(v string) error {
	key, expr, ok := strings.Cut(v, "=")
	i := strings.LastIndex(key, ".")
	if !ok || i <= 0 || i == len(key)-1 {
		return fmt.Errorf("--threshold %q: want SERVICE.METRIC=EXPR, e.g. api_gateway.p95_latency_ms=+25%%", v)
	}
	service, metric := key[:i], CanonicalMetric(key[i+1:])
	expr = strings.TrimSpace(expr)
	source := "--threshold " + v
	s.name(service, source)
	if expr == "off" {
		s.Override(service, Threshold{Metric: metric, Source: source}, true)
		return nil
	}
	var t Threshold
	var err error
	if b, ok := strings.CutPrefix(expr, "max:"); ok {
		t, err = ParseBound(metric, Max, b)
	} else if b, ok := strings.CutPrefix(expr, "min:"); ok {
		t, err = ParseBound(metric, Min, b)
	} else {
		t, err = ParseChange(metric, expr)
	}
	if err != nil {
		return fmt.Errorf("--threshold %q: %w", v, err)
	}
	t.Source = source
	s.Override(service, t, false)
	return nil
}

// name records that a service was named by the configuration or a flag.
func (s *Set) name(service, source string) {
	if service == "default" {
		return
	}
	if s.Named == nil {
		s.Named = map[string]string{}
	}
	if _, ok := s.Named[service]; !ok {
		s.Named[service] = source
	}
}

// knownExtras are metrics outside the normalized fields that the built-in thresholds
// name (the seed's).
var knownExtras = []string{"qdrant_timeout_rate_pct", "sandbox_violations"}

// Unknown returns the configured thresholds whose metric names nothing: not a normalized
// field, not a percentile (p90_latency_ms…), not a known extra, and in no service of the
// given files — a typo (p95_latncy_ms) that would silently disable a gate.
func (s *Set) Unknown(files ...*metrics.File) []Threshold {
	inFiles := map[string]bool{}
	for _, f := range files {
		for _, svc := range f.Services {
			for _, n := range svc.Names() {
				inFiles[n] = true
			}
		}
	}
	var out []Threshold
	seen := map[string]bool{}
	check := func(t Threshold) {
		m := t.Metric
		if t.Source == "" || seen[t.Source] || metrics.IsStandard(m) || metrics.IsPercentile(m) || slices.Contains(knownExtras, m) || inFiles[m] {
			return
		}
		seen[t.Source] = true
		out = append(out, t)
	}
	for _, t := range append(append([]Threshold{}, s.Default...), s.switchedOff...) {
		check(t)
	}
	for _, svc := range slices.Sorted(maps.Keys(s.Services)) {
		for _, t := range s.Services[svc] {
			check(t)
		}
	}
	return out
}

// UnusedService is a service that the configuration or a flag names but that is in
// neither file: its thresholds check nothing.
type UnusedService struct {
	Service string `json:"service"`
	Source  string `json:"source"`
}

// Unused returns the named services that are in none of the files, sorted.
func (s *Set) Unused(files ...*metrics.File) []UnusedService {
	var out []UnusedService
	for _, svc := range slices.Sorted(maps.Keys(s.Named)) {
		found := false
		for _, f := range files {
			found = found || f.Service(svc) != nil
		}
		if !found {
			out = append(out, UnusedService{svc, s.Named[svc]})
		}
	}
	return out
}

// Suggest returns the known metric name closest to a misspelled one ("" when none is
// close).
func Suggest(metric string) string {
	best, bestD := "", 3
	for _, k := range append(append([]string{}, metrics.StandardFields...), append(knownExtras, "p90_latency_ms", "p50_latency_ms", "p999_latency_ms")...) {
		if d := editDistance(metric, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
