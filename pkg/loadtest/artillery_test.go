package loadtest

import (
	"math"
	"strings"
	"testing"
)

// TestArtilleryLegacyMean: a 1.x aggregate has no mean latency, but the intermediate
// reports list every completed request's latency (ns): the mean is theirs when they
// are as many as the completed requests (36 in the real-shaped report: 90.9347975 ms,
// summed independently), in 1.7's flat list or the older [timestamp, id, ns, code]
// tuples; a report whose lists are trimmed has no mean.
func TestArtilleryLegacyMean(t *testing.T) {
	rows, _ := readNotes(t, "loadtest/artillery-1.7.9-report-etimedout.json", Options{})
	if len(rows) != 1 || !rows[0].HasAvg || math.Abs(rows[0].AvgMs-90.9347975) > 1e-9 || rows[0].TimedRequests() != 36 {
		t.Errorf("%+v", rows)
	}
	const legacy = `{"aggregate": {"requestsCompleted": 3, "latency": {"min": 10, "max": 30, "median": 20, "p95": 30, "p99": 30},
 "rps": {"count": 3, "mean": 1}, "errors": {}, "codes": {"200": 3}},
 "intermediate": [{"latencies": [[1589190000000, "a1", 10000000, 200], [1589190000100, "a2", 20000000, 200]]},
  {"latencies": [[1589190001000, "a3", 33000000, 200]]}]}`
	for doc, want := range map[string]float64{legacy: 21, strings.Replace(legacy, `, [1589190000100, "a2", 20000000, 200]`, "", 1): -1} {
		in, err := Open(strings.NewReader(doc), "report.json", Options{})
		if err != nil {
			t.Fatal(err)
		}
		var got Row
		if _, err := in.Rows(func(r Row) error { got = r; return nil }); err != nil {
			t.Fatal(err)
		}
		if want < 0 && got.HasAvg || want >= 0 && (!got.HasAvg || math.Abs(got.AvgMs-want) > 1e-9) {
			t.Errorf("want %v: %+v", want, got)
		}
	}
}
