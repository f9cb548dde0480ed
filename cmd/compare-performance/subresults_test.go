package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/perfgate/perfgate/internal/extract"
)

// jtlSample is one row of a CSV JTL.
type jtlSample struct {
	ts, elapsed int64
	label       string
	ok          bool
	bytes, sent int64
}

// subResultRun is a JMeter 5.x run whose HTTP sampler follows a redirect and loads an
// embedded resource: each sample of "GET /home" is written with its sub-results
// "GET /home-0" (the redirect) and "GET /home-1" (the page) right after it, as JMeter
// saves sub-results by default.
func subResultRun() []jtlSample {
	var out []jtlSample
	ts := int64(1764000000000)
	for i := range 60 {
		redirect, page := int64(15+i%5), int64(40+(i*7)%35)
		ok := i%20 != 7
		out = append(out,
			jtlSample{ts, redirect + page, "GET /home", ok, 9300, 400},
			jtlSample{ts, redirect, "GET /home-0", true, 300, 200},
			jtlSample{ts + redirect, page, "GET /home-1", ok, 9000, 200},
			jtlSample{ts + redirect + page + 3, 25 + int64(i%9), "POST /api/login", true, 500, 300})
		ts += 500
	}
	return out
}

func writeJTL(samples []jtlSample) string {
	var b strings.Builder
	b.WriteString("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n")
	for _, s := range samples {
		code, msg := "200", "OK"
		if !s.ok {
			code, msg = "500", "Internal Server Error"
		}
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,Thread Group 1-1,text,%t,,%d,%d,1,1,https://x/,%d,0,2\n", s.ts, s.elapsed, s.label, code, msg, s.ok, s.bytes, s.sent, s.elapsed/2)
	}
	return b.String()
}

// dashboardStatistics computes statistics.json from the samples as JMeter's report
// generator does (FORMATS §3.3): one entry per label, every row its own label
// (sub-results included), plus "Total"; percentiles by the LEGACY estimator (pos =
// p(n+1)/100, interpolated); throughput over the label's first start to last end.
func dashboardStatistics(samples []jtlSample) string {
	groups := map[string][]jtlSample{}
	for _, s := range samples {
		groups[s.label] = append(groups[s.label], s)
		groups["Total"] = append(groups["Total"], s)
	}
	stats := map[string]map[string]any{}
	for label, g := range groups {
		var el []float64
		var errs, start, end, bytes, sent int64 = 0, math.MaxInt64, 0, 0, 0
		sum := 0.0
		for _, s := range g {
			el = append(el, float64(s.elapsed))
			sum += float64(s.elapsed)
			if !s.ok {
				errs++
			}
			start, end = min(start, s.ts), max(end, s.ts+s.elapsed)
			bytes, sent = bytes+s.bytes, sent+s.sent
		}
		slices.Sort(el)
		pct := func(p float64) float64 {
			pos := p * float64(len(el)+1) / 100
			switch {
			case pos < 1:
				return el[0]
			case pos >= float64(len(el)):
				return el[len(el)-1]
			}
			f := math.Floor(pos)
			return el[int(f)-1] + (pos-f)*(el[int(f)]-el[int(f)-1])
		}
		secs := float64(end-start) / 1000
		stats[label] = map[string]any{"transaction": label, "sampleCount": len(g), "errorCount": errs, "errorPct": float64(errs) * 100 / float64(len(g)),
			"meanResTime": sum / float64(len(g)), "medianResTime": pct(50), "minResTime": el[0], "maxResTime": el[len(el)-1],
			"pct1ResTime": pct(90), "pct2ResTime": pct(95), "pct3ResTime": pct(99), "throughput": float64(len(g)) / secs,
			"receivedKBytesPerSec": float64(bytes) / secs / 1024, "sentKBytesPerSec": float64(sent) / secs / 1024}
	}
	b, _ := json.MarshalIndent(stats, "", "  ")
	return string(b)
}

// TestSubResultsNote: a baseline made from JMeter's dashboard (statistics.json, where
// sub-results are labels of their own) compared with a run extracted from a JTL (where
// perfgate folds them into their parent) gets a comparability note, in the report and on
// stderr, naming an example; reading the JTL with --jtl-subresults=separate compares like
// with like, and the note goes.
func TestSubResultsNote(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run := subResultRun()
	stats, jtl := filepath.Join(dir, "statistics.json"), filepath.Join(dir, "results.jtl")
	os.WriteFile(stats, []byte(dashboardStatistics(run)), 0o644)
	os.WriteFile(jtl, []byte(writeJTL(run)), 0o644)
	base, cur := filepath.Join(dir, "baseline.json"), filepath.Join(dir, "current.json")
	var sink strings.Builder
	env := extract.Env{Now: func() time.Time { return time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC) }}
	if c := extract.RunBaselines([]string{"--group-by", "endpoint", stats, base}, &sink, &sink, env); c != 0 {
		t.Fatalf("extract-baselines: %s", sink.String())
	}
	if c := extract.RunMetrics([]string{"--group-by", "endpoint", jtl, cur}, &sink, &sink, env); c != 0 {
		t.Fatalf("extract-metrics: %s", sink.String())
	}
	const note = "JMeter sub-results: the baseline has 2 endpoints that the other side has only without a -N suffix (e.g. `GET /home-0`, a sub-result of `GET /home`)"
	report := filepath.Join(dir, "r.md")
	for _, args := range [][]string{
		{base, cur},                           // both normalized
		{"--group-by", "endpoint", base, jtl}, // the JTL read by compare itself
	} {
		r := runCompare(t, nil, append(args, "--report", report)...)
		md, _ := os.ReadFile(report)
		if !strings.Contains(r.stderr, "⚠️ compare-performance: "+note) || !strings.Contains(string(md), "### ⚖️ Comparability") || !strings.Contains(string(md), note) {
			t.Errorf("%v: no note (exit %d)\nstderr: %s\nreport: %s", args, r.code, r.stderr, md)
		}
		if r := runCompare(t, nil, append(args, "--report", report, "--strict-comparability")...); r.code != 1 || !strings.Contains(r.stderr, "Runs not comparable (--strict-comparability): "+note) {
			t.Errorf("%v --strict-comparability: exit %d: %s", args, r.code, r.stderr)
		}
	}
	r := runCompare(t, nil, "--group-by", "endpoint", "--jtl-subresults=separate", base, jtl, "--report", report, "--threshold", "default.rps=off")
	md, _ := os.ReadFile(report)
	// p95 and error rate of the 4 endpoints, all in both files.
	if strings.Contains(r.stderr, "sub-results") || strings.Contains(string(md), "Comparability") || !strings.Contains(string(md), "- **Total Metrics**: 8\n") || strings.Contains(string(md), "Services Not in Both Files") {
		t.Errorf("--jtl-subresults=separate: exit %d\nstderr: %s\nreport: %s", r.code, r.stderr, md)
	}
	if r.code != 0 {
		t.Errorf("the same run on both sides, read like with like: exit %d\n%s", r.code, md)
	}
}

func TestSubResultNoteNames(t *testing.T) {
	for _, tc := range []struct {
		base, cur []string
		want      string
	}{
		{[]string{"GET /a", "GET /a-0", "GET /a-1"}, []string{"GET /a"}, "the baseline has 2 endpoints that the other side has only without a -N suffix (e.g. `GET /a-0`, a sub-result of `GET /a`)"},
		{[]string{"GET /a"}, []string{"GET /a", "GET /a-0-1"}, "the current run has 1 endpoint that the other side has only without a -N suffix (e.g. `GET /a-0-1`, a sub-result of `GET /a`)"},
		{[]string{"step-1", "step-2"}, []string{"step-1", "step-2"}, ""}, // names of their own on both sides
		{[]string{"GET /a-0"}, []string{"GET /b"}, ""},                   // no parent on the other side
		{[]string{"GET /a", "GET /a-x"}, []string{"GET /a"}, ""},
	} {
		got := subResultNote(tc.base, tc.cur)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%v / %v: %q, want %q", tc.base, tc.cur, got, tc.want)
		}
	}
}

// TestSubResultNoteOnlyJMeter: names like "/api/items-2" next to "/api/items" mean
// sub-results only in JMeter's output; between two Locust runs, a new endpoint of that
// name is just a new endpoint (and --strict-comparability must not fail on it).
func TestSubResultNoteOnlyJMeter(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
	row := func(name string) string {
		return "GET," + name + ",100,1,40,45.5,10.2,200.1,30,10.0,0.1,40,50,55,60,80,100,150,180,200,200,200\n"
	}
	base, cur := filepath.Join(dir, "base_stats.csv"), filepath.Join(dir, "cur_stats.csv")
	os.WriteFile(base, []byte(header+row("/api/items")+row("/api/orders")), 0o644)
	os.WriteFile(cur, []byte(header+row("/api/items")+row("/api/items-2")+row("/api/orders")), 0o644)
	r := runCompare(t, nil, "--group-by", "endpoint", "--strict-comparability", base, cur, "--report", filepath.Join(dir, "r.md"))
	if r.code != 0 || strings.Contains(r.stderr, "sub-result") {
		t.Errorf("exit %d, stderr: %s", r.code, r.stderr)
	}
}
