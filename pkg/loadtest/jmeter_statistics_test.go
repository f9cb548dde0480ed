package loadtest

import (
	"strings"
	"testing"
)

// TestDashboardSubResultsNoted: a dashboard lists sub-results (GET /home-0, -1 of GET
// /home) as labels; read as they are, they count requests that a JTL of the same run
// read with the default fold counts inside their parent, so a note says so (a baseline
// from the dashboard and a run from the JTL, grouped into services, would differ).
func TestDashboardSubResultsNoted(t *testing.T) {
	label := func(name string, n int) string {
		return `"` + name + `": {"transaction": "` + name + `", "sampleCount": ` + itoa(n) + `, "errorCount": 0, "meanResTime": 50, "medianResTime": 45, "minResTime": 10, "maxResTime": 200, "pct1ResTime": 90, "pct2ResTime": 120, "pct3ResTime": 180, "throughput": ` + itoa(n) + `}`
	}
	doc := "{" + strings.Join([]string{label("Total", 40), label("GET /home", 10), label("GET /home-0", 10), label("GET /home-1", 10), label("GET /step-2", 10)}, ",\n") + "}"
	in, err := Open(strings.NewReader(doc), "statistics.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Rows(func(Row) error { return nil }); err != nil {
		t.Fatal(err)
	}
	const want = `statistics.json: labels named like JMeter sub-results (2, e.g. "GET /home-0" of "GET /home"): the dashboard lists sub-results as labels of their own`
	if notes := strings.Join(in.Notes(), "\n"); !strings.Contains(notes, want) {
		t.Errorf("notes %q", notes)
	}
}
