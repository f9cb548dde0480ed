package loadtest

import (
	"bytes"
	"fmt"
	"time"
)

// jtlRec is the one definition of a JMeter sample, shared by the CSV and XML readers,
// their fast paths and their fallbacks alike.
type jtlRec struct {
	tsNs, latNs int64
	failed      bool
}

// parseJTLRec reads the fields of a sample: elapsed is the total time in ms, timeStamp
// the start (epoch ms or a date), success the failure flag ("true" or "false").
func parseJTLRec[T text](ts, elapsed, success T) (jtlRec, error) {
	var r jtlRec
	if v, ok := digitsOnly(elapsed); ok && v <= maxLatencyMs {
		r.latNs = v * 1e6
	} else if f, ok := decimal(elapsed); ok && f <= maxLatencyMs {
		r.latNs = msToNs(f)
	} else {
		return r, fmt.Errorf("elapsed %q is not a duration in ms", elapsed)
	}
	if v, ok := digitsOnly(ts); ok && v < maxEpochMs {
		r.tsNs = v * 1e6
	} else {
		var err error
		if r.tsNs, err = jtlTimestamp(string(ts)); err != nil {
			return r, err
		}
	}
	switch string(success) {
	case "true":
	case "false":
		r.failed = true
	default:
		return r, fmt.Errorf("success %q is neither true nor false", success)
	}
	return r, nil
}

// jtlTimestamp parses epoch milliseconds (to Unix ns), or a few common timestamp_format
// patterns (local time is taken as UTC: only differences matter).
func jtlTimestamp(s string) (int64, error) {
	if v, ok := decimal(s); ok && v < maxEpochMs {
		return msToNs(v), nil
	}
	t := trimSpace(s)
	for _, layout := range []string{"2006/01/02 15:04:05.000", "2006-01-02 15:04:05.000", "2006/01/02 15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano} {
		if v, err := time.Parse(layout, t); err == nil {
			return v.UnixNano(), nil
		}
	}
	return 0, fmt.Errorf("timeStamp %q is neither epoch ms nor a known date format", s)
}

// jtlSubResult reports whether label is a sub-result of parent: "<parent>-<n>", which
// JMeter (since 5.0) writes right after the parent when saving sub-results, or a
// sub-result of one ("<parent>-<n>-<m>", written after it), without allocating.
func jtlSubResult(parent, label []byte) bool {
	if len(parent) == 0 || len(label) <= len(parent)+1 || string(label[:len(parent)]) != string(parent) || label[len(parent)] != '-' {
		return false
	}
	return len(jtlRoot(label[len(parent):])) == 0
}

// jtlRoot returns label without its trailing "-<n>" groups: the label of the top-level
// sample that it would be a sub-result of.
func jtlRoot(label []byte) []byte {
	for {
		i := bytes.LastIndexByte(label, '-')
		if i < 0 || i == len(label)-1 {
			return label
		}
		if _, ok := digitsOnly(label[i+1:]); !ok {
			return label
		}
		label = label[:i]
	}
}
