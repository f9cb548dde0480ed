package metrics

import (
	"bytes"
	"testing"
)

// FuzzNormalized: the normalized-JSON reader never panics, and what it accepts survives
// a write-then-read round trip unchanged.
func FuzzNormalized(f *testing.F) {
	for _, seed := range []string{
		`{"api_gateway": {"avg_latency_ms": 150.0, "p95_latency_ms": 210, "error_rate_pct": 0.5, "rps": 50, "total_requests": 1000, "total_failures": 5}}`,
		`{"svc": {"avg_latency_ms": 5, "p95_latency_ms": 0.0, "estimated": ["p99_latency_ms"], "percentiles": {"50": 4, "95": 9}}, "_perfgate": {"formats": ["k6-json"]}}`,
		`{"b": {"baseline_users": 1, "rps": 2, "runs": {"rps": [1, 3]}, "timestamp": "2026-11-27T10:00:00Z", "note": "x"}}`,
		`{"x": {"p95_latency_ms": "abc"}}`,
		`{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		first, err := Parse(doc, "f.json")
		if err != nil {
			return
		}
		var b bytes.Buffer
		if err := Write(&b, first); err != nil {
			t.Fatalf("writing what was read: %v", err)
		}
		second, err := Parse(b.Bytes(), "f.json")
		if err != nil {
			t.Fatalf("reading what was written: %v\n%s", err, b.String())
		}
		var again bytes.Buffer
		Write(&again, second)
		if !bytes.Equal(b.Bytes(), again.Bytes()) {
			t.Fatalf("round trip changed the file:\n%s\n---\n%s", b.String(), again.String())
		}
	})
}
