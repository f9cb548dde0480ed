package loadtest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Tests of result files as real teams write them (issue 17): each file in
// testdata/loadtest is built the way the tool writes it (see testdata/loadtest/README.md).

// readNotes opens a file of testdata and returns its rows and the reader's notes.
func readNotes(t *testing.T, rel string, opt Options) ([]Row, *Input) {
	t.Helper()
	in, err := Open(strings.NewReader(mustRead(t, rel)), rel, opt)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	if _, err := in.Rows(func(r Row) error { rows = append(rows, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return rows, in
}

// TestK6SummaryDefaultTrendStats: k6's default summaryTrendStats are avg, min, med, max,
// p(90), p(95): the ladder holds the median, p90 and p95, and no p99.
func TestK6SummaryDefaultTrendStats(t *testing.T) {
	rows, in := readNotes(t, "loadtest/k6-0.49-summary-export-default-trend-stats.json", Options{})
	if in.Format != FormatK6Summary || len(rows) != 1 {
		t.Fatalf("%s: %+v", in.Format, rows)
	}
	r := rows[0]
	want := Row{Name: "all", Line: 1, Requests: 150, Failures: 2, AvgMs: 61.2, MedianMs: 48.1, MinMs: 21.03, MaxMs: 488.2,
		HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 4.998, HasRPS: true,
		Ladder: []Point{{50, 48.1}, {90, 92.5}, {95, 140.7}}}
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}
}

// TestJMeterStatisticsOneSamplePerLabel: five labels of one sample each over a 92 s run.
// Each label's throughput is 1 / its own elapsed time, so Σ requests / Σ throughput is
// 0.16 s; the dashboard's own figure, Total's sampleCount / throughput, is 92 s.
func TestJMeterStatisticsOneSamplePerLabel(t *testing.T) {
	rows, in := readNotes(t, "loadtest/jmeter-5.6-statistics-one-sample-per-label.json", Options{})
	if in.Format != FormatJMeterStatistics || len(rows) != 6 {
		t.Fatalf("%s: %d rows", in.Format, len(rows))
	}
	if d := in.DurationS(); d < 91.999999 || d > 92.000001 {
		t.Errorf("duration %v s, want 92", d)
	}
	if len(in.Notes()) != 0 {
		t.Errorf("notes %q", in.Notes())
	}
	cart := byKey(rows)["GET /api/cart"]
	if cart.Requests != 1 || cart.Failures != 1 || cart.AvgMs != 210 || !cmp.Equal(cart.Ladder, []Point{{90, 210}, {95, 210}, {99, 210}}) {
		t.Errorf("cart %+v", cart)
	}

	// Without the Total row, the longest label: 1 sample / 2.94 per s = 0.34 s. Without
	// any throughput, the duration is unknown and a note says so.
	doc := mustRead(t, "loadtest/jmeter-5.6-statistics-one-sample-per-label.json")
	total := strings.Index(doc, `  "Total" : {`)
	end := strings.Index(doc[total:], "},\n") + total + 3
	in, err := Open(strings.NewReader(doc[:total]+doc[end:]), "nototal.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Rows(func(Row) error { return nil }); err != nil || in.DurationS() != 0.34 {
		t.Errorf("without Total: %v s, %v", in.DurationS(), err)
	}
	noRate := strings.NewReplacer(`"throughput" : `, `"throughputX" : `).Replace(doc)
	in, err = Open(strings.NewReader(noRate), "norate.json", Options{})
	if err != nil {
		t.Fatal(err)
	}
	withRPS := 0
	if _, err := in.Rows(func(r Row) error {
		if r.HasRPS {
			withRPS++
		}
		return nil
	}); err != nil || in.DurationS() != 0 || withRPS != 0 ||
		!cmp.Equal(in.Notes(), []string{"norate.json: the test duration is unknown (no throughput in the Total row or any label): no rps, and compare-performance cannot check that the runs lasted about as long"}) {
		t.Errorf("without throughput: %v s, %d rows with rps, notes %q, %v", in.DurationS(), withRPS, in.Notes(), err)
	}
}

// TestJMeterStatisticsCustomPercentiles: a dashboard made with aggregate_rpt_pct1=99,
// pct2=95, pct3=90: read as 90/95/99 its p99 would be below its p95. The percentiles are
// left out, the row marked Unranked (nothing estimated from it), and a note says why.
func TestJMeterStatisticsCustomPercentiles(t *testing.T) {
	rows, in := readNotes(t, "loadtest/jmeter-5.6-statistics-pct-99-95-90.json", Options{})
	for _, r := range rows {
		if len(r.Ladder) != 0 || !r.Unranked || !r.HasMedian {
			t.Errorf("%s: ladder %v, unranked %v", r.Name, r.Ladder, r.Unranked)
		}
	}
	want := []string{`loadtest/jmeter-5.6-statistics-pct-99-95-90.json: label "GET /api/users": pct3ResTime 115.00000000000001 is below pct2ResTime 120: the percentile settings of the dashboard (aggregate_rpt_pct1..3) are not the defaults 90/95/99, and the file does not name them: its percentiles are left out (no p95 or p99 from this file, and none estimated)`}
	if !cmp.Equal(in.Notes(), want) {
		t.Errorf("notes %q", in.Notes())
	}
}

// TestArtillery1xTimeouts: Artillery 1.x counts a request that timed out in errors
// (ETIMEDOUT) and not in requestsCompleted; rps.count is every request sent. 40 sent, 36
// completed (one HTTP 500), 4 timed out: 5 failures of 40 requests.
func TestArtillery1xTimeouts(t *testing.T) {
	rows, in := readNotes(t, "loadtest/artillery-1.7.9-report-etimedout.json", Options{})
	if in.Format != FormatArtillery || len(rows) != 1 {
		t.Fatalf("%s: %+v", in.Format, rows)
	}
	want := Row{Name: "all", Line: 1, Requests: 40, Failures: 5, Timed: 36, AvgMs: rows[0].AvgMs, MedianMs: 90.1, MinMs: 36.9, MaxMs: 135.9,
		HasAvg: true, HasMedian: true, HasMinMax: true, RPS: 1.96, HasRPS: true, // the mean: TestArtilleryLegacyMean
		Ladder: []Point{{50, 90.1}, {95, 135.7}, {99, 135.9}}}
	if diff := cmp.Diff(want, rows[0]); diff != "" {
		t.Errorf("row (-want +got):\n%s", diff)
	}
}

// TestArtillery1xEmptyCounters: Artillery 1.x writes "counters": {} (custom counters)
// in every report since 2018; a report is told 2.x or 1.x by the fields that carry
// data, not by the counters key. A 2.x report with no HTTP counters and no summaries is
// still 2.x (no 1.x latency), and says it has no requests.
func TestArtillery1xEmptyCounters(t *testing.T) {
	rows, _ := readNotes(t, "loadtest/artillery-1.7.9-report-empty-counters.json", Options{Name: "checkout"})
	if len(rows) != 1 || rows[0].Name != "checkout" || rows[0].Requests != 60 || rows[0].Failures != 1 || rows[0].MedianMs != 95 {
		t.Errorf("%+v", rows)
	}
	for _, tc := range []struct{ doc, err string }{
		{`{"aggregate": {"counters": {}, "rates": {}, "summaries": {}, "firstMetricAt": 1, "lastMetricAt": 2}}`, "v2.json: aggregate.counters: no http.requests: no HTTP requests in this Artillery report"},
		{`{"aggregate": {"counters": {"vusers.created": 3}, "latency": {}, "summaries": {}}}`, "v2.json: aggregate.counters: no http.requests: no HTTP requests in this Artillery report"},
		{`{"aggregate": {"counters": {}, "latency": {"min": null, "max": null}, "requestsCompleted": 0, "rps": {"count": 0, "mean": 0}, "codes": {}, "errors": {}}}`, "v2.json: aggregate.requestsCompleted: no requests"},
	} {
		if _, _, err := readAll(t, "v2.json", tc.doc, FormatAuto); err == nil || err.Error() != tc.err {
			t.Errorf("%s: %v, want %s", tc.doc, err, tc.err)
		}
	}
}

// TestLocustHistoryAggregatedOnly: without --csv-full-history Locust writes only the
// Aggregated rows; the last one is the whole test (--name, default "all"), with its
// cumulative percentile columns (Locust ≥ 1.2), and a note says how it was read.
func TestLocustHistoryAggregatedOnly(t *testing.T) {
	rows, in := readNotes(t, "loadtest/locust-2.24-default_stats_history.csv", Options{})
	if in.Format != FormatLocustHistory || len(rows) != 1 {
		t.Fatalf("%s: %+v", in.Format, rows)
	}
	r := rows[0]
	if r.Name != "all" || r.Method != "" || r.Total || r.Line != 33 || r.Requests != 246 || r.Failures != 4 ||
		r.MedianMs != 36 || r.MaxMs != 399.62035546481263 || r.RPS != 246.0/31 {
		t.Errorf("%+v", r)
	}
	if p95, _ := At(r.Ladder, 95); p95 != 60 || len(r.Ladder) != 11 {
		t.Errorf("ladder %v", r.Ladder)
	}
	want := []string{`loadtest/locust-2.24-default_stats_history.csv: only Aggregated rows (Locust writes the endpoints' rows with --csv-full-history): read as the whole test, named "all" (--name), from its last row, line 33; for per-endpoint figures give --csv-full-history's history or the _stats.csv`}
	if !cmp.Equal(in.Notes(), want) {
		t.Errorf("notes %q", in.Notes())
	}

	// The seed project's history (Locust 2.x, one user, 110 s): the last row, named by --name.
	rows, _ = readNotes(t, "seed/load_results_baseline_actual_stats_history.csv", Options{Name: "api"})
	if len(rows) != 1 || rows[0].Name != "api" || rows[0].Requests != 30 || rows[0].Failures != 22 || !cmp.Equal(rows[0].Ladder,
		[]Point{{50, 5}, {66, 5}, {75, 6}, {80, 9}, {90, 11}, {95, 11}, {98, 36}, {99, 36}, {99.9, 36}, {99.99, 36}, {100, 36}}) {
		t.Errorf("seed history %+v", rows)
	}

	// Locust 1.0–1.1 (a 99.999% column) wrote the last 10 seconds' percentiles: not used.
	const old = `"Timestamp","User Count","Type","Name","Requests/s","Failures/s","50%","95%","99%","99.999%","100%","Total Request Count","Total Failure Count","Total Median Response Time","Total Average Response Time","Total Min Response Time","Total Max Response Time","Total Average Content Size"` + "\n" +
		`"1600000000","5","","Aggregated",2.00,0.00,20,35,40,40,40,10,0,20,21,10,40,100` + "\n" +
		`"1600000004","5","","Aggregated",2.10,0.00,22,30,30,30,30,14,1,21,22,10,40,100` + "\n"
	in, err := Open(strings.NewReader(old), "old.csv", Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []Row
	if _, err := in.Rows(func(r Row) error { got = append(got, r); return nil }); err != nil || len(got) != 1 || got[0].Ladder != nil || got[0].Requests != 14 || got[0].RPS != 3.5 ||
		len(in.Notes()) != 1 || !strings.HasSuffix(in.Notes()[0], "; its percentile columns cover the last 10 s only (Locust before 1.2), so p95/p99 are estimated") {
		t.Errorf("1.1 history %+v %q %v", got, in.Notes(), err)
	}
}

// TestGatling20Logs: Gatling 2.0's logs have four timestamps per request (request start
// and end, response start and end); 2.0.0-M* begin the line with the record type,
// 2.0.0-RC1–2.1.7 put it third. The response time is the response end less the request
// start, as Gatling's reader of those versions computed it.
func TestGatling20Logs(t *testing.T) {
	for _, file := range []string{"loadtest/gatling-2.0.0-M3a-simulation.log", "loadtest/gatling-2.0.3-simulation.log"} {
		rows, in := readNotes(t, file, Options{})
		if in.Format != FormatGatlingLog {
			t.Fatalf("%s: %s", file, in.Format)
		}
		got := map[string][]float64{}
		failures := map[string]int64{}
		for _, r := range rows {
			for _, p := range []float64{0, 0.5, 1} {
				got[r.Name] = append(got[r.Name], q(t, r, p))
			}
			failures[r.Name] = r.Failures
			if r.Requests != map[string]int64{"Home": 3, "Search group / Search": 2, "Search group / Select": 1}[r.Name] {
				t.Errorf("%s: %s %d requests", file, r.Name, r.Requests)
			}
		}
		want := map[string][]float64{"Home": {40, 48, 120}, "Search group / Search": {88, 88, 212}, "Search group / Select": {55, 55, 55}}
		if !cmp.Equal(got, want) || failures["Search group / Search"] != 1 || failures["Home"] != 0 {
			t.Errorf("%s: min/median/max %v, failures %v", file, got, failures)
		}
	}
}
