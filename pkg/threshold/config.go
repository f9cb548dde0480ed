package threshold

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

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
	n := c.Thresholds
	file := c.File
	if n.Kind != yaml.MappingNode {
		return config.Errorf(file, n, "thresholds: want a mapping of service names (or default, warn_ratio) to metric thresholds")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Value == "warn_ratio" {
			r, err := strconv.ParseFloat(v.Value, 64)
			if v.Kind != yaml.ScalarNode || err != nil || r <= 0 || r > 1 {
				return config.Errorf(file, v, "thresholds.warn_ratio: want a number in (0, 1], got %q", v.Value)
			}
			s.WarnRatio = r
			continue
		}
		if v.Kind != yaml.MappingNode {
			return config.Errorf(file, v, "thresholds.%s: want a mapping of metric to threshold, e.g. p95_latency_ms: +50%%", k.Value)
		}
		s.name(k.Value, fmt.Sprintf("%s:%d: thresholds.%s", file, k.Line, k.Value))
		for j := 0; j+1 < len(v.Content); j += 2 {
			mk, mv := v.Content[j], resolve(v.Content[j+1])
			metric := CanonicalMetric(mk.Value)
			where := fmt.Sprintf("thresholds.%s.%s", k.Value, mk.Value)
			t, off, err := parseEntry(file, where, metric, mv)
			if err != nil {
				return err
			}
			t.Source, t.File, t.Line = fmt.Sprintf("%s:%d: %s", file, mk.Line, where), file, mk.Line
			s.Override(k.Value, t, off)
		}
	}
	return nil
}

// resolve follows a YAML alias (api_gateway: *defaults) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func parseEntry(file, where, metric string, n *yaml.Node) (Threshold, bool, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Value == "off" {
			return Threshold{Metric: metric}, true, nil
		}
		t, err := ParseChange(metric, n.Value)
		if err != nil {
			return t, false, config.Errorf(file, n, "%s: %v", where, err)
		}
		return t, false, nil
	case yaml.MappingNode:
	default:
		return Threshold{}, false, config.Errorf(file, n, "%s: want a change (+50%%), off, or a mapping with change/max/min and warn", where)
	}
	var t Threshold
	var warn *yaml.Node
	var minDelta *float64
	set := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if v.Kind != yaml.ScalarNode {
			return t, false, config.Errorf(file, v, "%s.%s: want a value", where, k.Value)
		}
		var err error
		switch k.Value {
		case "change":
			t, err = ParseChange(metric, v.Value)
			set++
		case "max":
			t, err = ParseBound(metric, Max, v.Value)
			set++
		case "min":
			t, err = ParseBound(metric, Min, v.Value)
			set++
		case "warn":
			warn = v
		case "min_delta":
			d, err := strconv.ParseFloat(v.Value, 64)
			if err != nil || d < 0 {
				return t, false, config.Errorf(file, v, "%s.min_delta: want a non-negative number in the metric's unit, got %q", where, v.Value)
			}
			minDelta = &d
		default:
			return t, false, config.Errorf(file, k, "%s: unknown key %q (known: change, max, min, warn, min_delta)", where, k.Value)
		}
		if err != nil {
			return t, false, config.Errorf(file, v, "%s.%s: %v", where, k.Value, err)
		}
	}
	if set != 1 {
		return t, false, config.Errorf(file, n, "%s: want exactly one of change, max, min", where)
	}
	if warn != nil {
		if err := t.ParseWarn(warn.Value); err != nil {
			return t, false, config.Errorf(file, warn, "%s.warn: %v", where, err)
		}
	}
	if minDelta != nil {
		t.MinDelta, t.HasMinDelta = *minDelta, true
	}
	return t, false, nil
}
