package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// Value is a scalar as written in the file, with its line (for positioned errors).
type Value struct {
	Text string
	Line int
}

// Thresholds is the `thresholds:` section as written; the threshold package gives the
// values their meaning.
//
//	thresholds:
//	  warn_ratio: 0.75
//	  default:
//	    p95_latency_ms: +50%
//	  api_gateway:
//	    rps: {change: -30%, warn: -20%, min_delta: 5}
//	    sandbox_violations: {max: 0}
//	    qdrant_timeout_rate_pct: off
type Thresholds struct {
	// WarnRatio is warn_ratio, when set.
	WarnRatio *Value
	// Services are the service entries (and default) in file order.
	Services []ServiceThresholds
}

// ServiceThresholds are the thresholds of one service (or default).
type ServiceThresholds struct {
	Name    string
	Line    int
	Entries []ThresholdEntry
}

// ThresholdEntry is one metric's threshold: off, a change, or a max/min bound, with an
// optional warning level and min_delta.
type ThresholdEntry struct {
	Metric string
	Line   int // of the metric's key
	// Off switches the metric's threshold off.
	Off bool
	// Change is a change ("+50%", "-0.5"), the whole entry when written as a scalar;
	// Max and Min are bounds. Exactly one is set unless Off.
	Change, Max, Min *Value
	// Warn and MinDelta are optional.
	Warn, MinDelta *Value
	// Node is the entry's own position, for errors about the entry as a whole; Scalar
	// tells it was written as one value (off or a change), not as a mapping.
	Node   Value
	Scalar bool
}

// Noise is the `noise:` section: its presence switches the noise-aware mode on.
type Noise struct {
	Line               int
	Alpha, MinRequests *Value
}

// resolve follows a YAML alias (api_gateway: *defaults) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func value(n *yaml.Node) *Value { return &Value{Text: n.Value, Line: n.Line} }

// parseThresholds reads the section's structure; values are checked by the threshold
// package (Apply).
func parseThresholds(file string, n *yaml.Node) (*Thresholds, error) {
	n = resolve(n)
	if n.Kind != yaml.MappingNode {
		return nil, Errorf(file, n, "thresholds: want a mapping of service names (or default, warn_ratio) to metric thresholds")
	}
	t := &Thresholds{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if k.Value == "warn_ratio" {
			if v.Kind != yaml.ScalarNode {
				return nil, Errorf(file, v, "thresholds.warn_ratio: want a number in (0, 1], got a %s", kindName(v))
			}
			t.WarnRatio = value(v)
			continue
		}
		if v.Kind != yaml.MappingNode {
			return nil, Errorf(file, v, "thresholds.%s: want a mapping of metric to threshold, e.g. p95_latency_ms: +50%%", k.Value)
		}
		svc := ServiceThresholds{Name: k.Value, Line: k.Line}
		for j := 0; j+1 < len(v.Content); j += 2 {
			mk, mv := v.Content[j], resolve(v.Content[j+1])
			e, err := parseEntry(file, fmt.Sprintf("thresholds.%s.%s", k.Value, mk.Value), mv)
			if err != nil {
				return nil, err
			}
			e.Metric, e.Line = mk.Value, mk.Line
			svc.Entries = append(svc.Entries, e)
		}
		t.Services = append(t.Services, svc)
	}
	return t, nil
}

// parseEntry reads one metric's threshold: a scalar (off or a change) or a mapping.
func parseEntry(file, where string, n *yaml.Node) (ThresholdEntry, error) {
	e := ThresholdEntry{Node: Value{Text: where, Line: n.Line}}
	switch n.Kind {
	case yaml.ScalarNode:
		e.Scalar = true
		if n.Value == "off" {
			e.Off = true
		} else {
			e.Change = value(n)
		}
		return e, nil
	case yaml.MappingNode:
	default:
		return e, Errorf(file, n, "%s: want a change (+50%%), off, or a mapping with change/max/min and warn", where)
	}
	set := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		if v.Kind != yaml.ScalarNode {
			return e, Errorf(file, v, "%s.%s: want a value", where, k.Value)
		}
		slot := map[string]**Value{"change": &e.Change, "max": &e.Max, "min": &e.Min, "warn": &e.Warn, "min_delta": &e.MinDelta}[k.Value]
		if slot == nil {
			return e, Errorf(file, k, "%s: unknown key %q (known: change, max, min, warn, min_delta)", where, k.Value)
		}
		*slot = value(v)
		if k.Value == "change" || k.Value == "max" || k.Value == "min" {
			set++
		}
	}
	if set != 1 {
		return e, Errorf(file, n, "%s: want exactly one of change, max, min", where)
	}
	return e, nil
}

// parseNoise reads the `noise:` section: empty (the defaults) or alpha and min_requests.
func parseNoise(file string, n *yaml.Node) (*Noise, error) {
	n = resolve(n)
	out := &Noise{Line: n.Line}
	if n.Kind == yaml.ScalarNode && (n.Value == "" || n.Tag == "!!null") {
		return out, nil // "noise:" alone: the defaults
	}
	if n.Kind != yaml.MappingNode {
		return nil, Errorf(file, n, "noise: want a mapping with alpha and min_requests")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolve(n.Content[i+1])
		switch k.Value {
		case "alpha":
			out.Alpha = value(v)
		case "min_requests":
			out.MinRequests = value(v)
		default:
			return nil, Errorf(file, k, "noise: unknown key %q (known: alpha, min_requests)", k.Value)
		}
	}
	return out, nil
}
