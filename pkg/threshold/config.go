package threshold

import (
	"fmt"
	"math"
	"strconv"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/perfgate/perfgate/pkg/config"
)

// Apply merges the configuration's `thresholds:` section into s:
//
//	thresholds:
//	  warn_ratio: 0.75             # share of a threshold beyond which a change warns
//	  default:                     # every service without its own entry
//	    p95_latency_ms: +50%
//	  api_gateway:
//	    p95_latency_ms: +25%       # relative change (the sign: which way is bad)
//	    error_rate_pct: +0.5       # absolute change, in the metric's unit
//	    rps: {change: -30%, warn: -20%}
//	    sandbox_violations: {max: 0}
//	    qdrant_timeout_rate_pct: off
//
// Per metric, an entry replaces the built-in threshold; a service that has no built-in
// entry starts from the default. Errors name the line and the offending value.
func Apply(s *Set, c *config.Config) error {
	if err := ApplyNoise(s, c); err != nil {
		return err
	}
	if c == nil || c.Thresholds == nil {
		return nil
	}
	file := c.File
	if w := c.Thresholds.WarnRatio; w != nil {
		r, err := strconv.ParseFloat(w.Text, 64)
		if err != nil || math.IsNaN(r) || r <= 0 || r > 1 {
			return &fileerr.Error{File: file, Line: w.Line, Msg: fmt.Sprintf("thresholds.warn_ratio: want a number in (0, 1], got %q", w.Text)}
		}
		s.WarnRatio = r
	}
	for _, svc := range c.Thresholds.Services {
		s.name(svc.Name, fmt.Sprintf("%s:%d: thresholds.%s", file, svc.Line, svc.Name))
		for _, e := range svc.Entries {
			t, err := fromEntry(file, e)
			if err != nil {
				return err
			}
			t.Source, t.File, t.Line = fmt.Sprintf("%s:%d: %s", file, e.Line, e.Node.Text), file, e.Line
			s.Override(svc.Name, t, e.Off)
		}
	}
	return nil
}

// fromEntry gives a configured entry its meaning; errors point at the offending value.
func fromEntry(file string, e config.ThresholdEntry) (Threshold, error) {
	where, metric := e.Node.Text, CanonicalMetric(e.Metric)
	at := func(v *config.Value, format string, a ...any) error {
		return &fileerr.Error{File: file, Line: v.Line, Msg: fmt.Sprintf(format, a...)}
	}
	if e.Off {
		return Threshold{Metric: metric}, nil
	}
	var t Threshold
	var err error
	var v *config.Value
	switch {
	case e.Change != nil:
		v = e.Change
		t, err = ParseChange(metric, v.Text)
	case e.Max != nil:
		v = e.Max
		t, err = ParseBound(metric, Max, v.Text)
	default:
		v = e.Min
		t, err = ParseBound(metric, Min, v.Text)
	}
	if err != nil {
		if e.Scalar { // thresholds.x.m: +50%
			return t, at(v, "%s: %v", where, err)
		}
		return t, at(v, "%s.%s: %v", where, map[*config.Value]string{e.Change: "change", e.Max: "max", e.Min: "min"}[v], err)
	}
	if e.Warn != nil {
		if err := t.ParseWarn(e.Warn.Text); err != nil {
			return t, at(e.Warn, "%s.warn: %v", where, err)
		}
	}
	if e.MinDelta != nil {
		d, err := strconv.ParseFloat(e.MinDelta.Text, 64)
		if err != nil || math.IsNaN(d) || d < 0 {
			return t, at(e.MinDelta, "%s.min_delta: want a non-negative number in the metric's unit, got %q", where, e.MinDelta.Text)
		}
		t.MinDelta, t.HasMinDelta = d, true
	}
	return t, nil
}
