package loadtest

import (
	"maps"
	"strings"
	"testing"
)

// TestK6SummaryIncompleteEndpoints: k6 writes a name submetric only for a threshold that
// names it, so a summary often describes some endpoints, or some of their figures, only.
// Per-endpoint rows are read only when they describe every request with its failures;
// otherwise the whole test is read and a note says why (an endpoint left out, or a 0 %
// error rate where the failures are unknown, would be a wrong number).
func TestK6SummaryIncompleteEndpoints(t *testing.T) {
	const head = `{"root_group": {"name": "", "path": "", "id": "d41d", "groups": {}, "checks": {}},
 "metrics": {
  "http_req_duration": {"avg": 120.5, "min": 20.1, "med": 100.2, "max": 900.3, "p(90)": 200.4, "p(95)": 300.6},
  "http_reqs": {"count": 1000, "rate": 33.3}`
	const users = `,
  "http_req_duration{name:users}": {"avg": 110, "min": 20.1, "med": 95, "max": 800, "p(90)": 190, "p(95)": 280, "thresholds": {"p(95)<400": false}}`
	const usersCount = `,
  "http_reqs{name:users}": {"count": 600, "rate": 20}`
	const orders = `,
  "http_req_duration{name:orders}": {"avg": 135.25, "min": 30, "med": 110, "max": 900.3, "p(90)": 210, "p(95)": 320},
  "http_reqs{name:orders}": {"count": 400, "rate": 13.3}`
	const never = `,
  "http_req_duration{name:never}": {"avg": 0, "min": 0, "med": 0, "max": 0, "p(90)": 0, "p(95)": 0}`
	failed := func(passes int) string {
		return `,
  "http_req_failed": {"passes": ` + itoa(passes) + `, "fails": ` + itoa(1000-passes) + `, "value": ` + ftoa(float64(passes)/1000) + `}`
	}
	const usersFailed = `,
  "http_req_failed{name:users}": {"passes": 6, "fails": 594, "value": 0.01}`
	const ordersFailed = `,
  "http_req_failed{name:orders}": {"passes": 4, "fails": 396, "value": 0.01}`
	whole := map[string]int64{"all": 1000}
	for _, tc := range []struct {
		name, body string
		want       map[string]int64 // requests by row name
		failures   int64            // of the first row by name
		note       string
	}{
		{"complete", users + usersCount + usersFailed + orders + ordersFailed + never + failed(10), map[string]int64{"orders": 400, "users": 600}, 4, ""},
		{"no failure submetric, none failed", users + usersCount + orders + never + failed(0), map[string]int64{"orders": 400, "users": 600}, 0, ""},
		{"no failure submetric", users + usersCount + orders + ordersFailed + failed(100), whole, 100,
			`"users" has no failure count (http_req_failed{name:users}) while the test has failures`},
		{"duration only", users + failed(10), whole, 10, `"users" has no request count (http_reqs{name:users})`},
		{"some endpoints", users + usersCount + usersFailed + failed(10), whole, 10, "the endpoints' submetrics count 600 of the test's 1000 requests"},
		{"no submetric", failed(10), whole, 10, ""},
		{"k6 before 0.31: no http_req_failed at all", users + usersCount + orders, map[string]int64{"orders": 400, "users": 600}, 0,
			"no http_req_failed metric (k6 before 0.31 has none): the failures are unknown and counted as 0"},
	} {
		in, err := Open(strings.NewReader(head+tc.body+"}}"), "summary.json", Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := map[string]int64{}
		var first Row
		_, err = in.Rows(func(r Row) error {
			if len(got) == 0 {
				first = r
			}
			got[r.Name] = r.Requests
			return nil
		})
		if err != nil || !maps.Equal(got, tc.want) || first.Failures != tc.failures {
			t.Errorf("%s: rows %v, first %+v, %v", tc.name, got, first, err)
		}
		notes := strings.Join(in.Notes(), "\n")
		prefix := "summary.json: per-endpoint figures incomplete: "
		if strings.HasPrefix(tc.note, "no http_req_failed") {
			prefix = "summary.json: "
		}
		if tc.note == "" && notes != "" || tc.note != "" && notes != prefix+tc.note && !strings.HasPrefix(notes, prefix+tc.note+" (") {
			t.Errorf("%s: notes %q", tc.name, notes)
		}
	}
}

// TestK6SummaryNumberAsString: a count written as a string is an error that says so,
// naming the file and the key.
func TestK6SummaryNumberAsString(t *testing.T) {
	doc := `{"metrics": {"http_req_duration": {"avg": 1, "min": 1, "med": 1, "max": 1, "p(90)": 1, "p(95)": 1}, "http_reqs": {"count": "1000"}}}`
	in, err := Open(strings.NewReader(doc), "summary.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = in.Rows(func(Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), `summary.json: metrics.http_reqs.count: want a number, got the string "1000"`) {
		t.Errorf("got %v", err)
	}
}
