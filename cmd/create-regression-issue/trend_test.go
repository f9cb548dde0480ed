package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/internal/golden"
	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
	"github.com/perfgate/perfgate/pkg/history"
	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/report"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// trendReport writes a report with a Trend section, as compare-performance --history
// does: two earlier runs of the seed examples without the regression, then this one.
func trendReport(t *testing.T) string {
	t.Helper()
	load := func(name string) *metrics.File {
		f, _, err := metrics.Load([]string{td + name}, metrics.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base, cur := load("compare/examples_baseline.json"), load("compare/examples_current.json")
	// The hostile name is neutralized in headings; inside the Mermaid code block a
	// mention notifies no one.
	for _, f := range []*metrics.File{base, cur} {
		f.Service("api_gateway").Name = "@team/api"
	}
	var past []history.Entry
	for n := 1; n <= 2; n++ {
		e, err := history.NewEntry(history.Run{Number: n, Time: "2026-11-2" + fmt.Sprint(n) + "T10:00:00Z", Commit: fmt.Sprintf("%07d0000", n)}, "pass", threshold.Evaluate(base, base, threshold.Builtin()), base)
		if err != nil {
			t.Fatal(err)
		}
		past = append(past, e)
	}
	ev := threshold.Evaluate(base, cur, threshold.Builtin())
	this, err := history.NewEntry(history.Run{Number: 3, Time: "2026-11-27T10:00:00Z", Commit: "abcdef0123"}, "fail", ev, cur)
	if err != nil {
		t.Fatal(err)
	}
	var md strings.Builder
	report.Markdown(&md, ev, report.BuildTrend(ev, past, this, "perf-history.jsonl"))
	return writeReport(t, md.String())
}

// TestTrendInIssueBody: the report's Trend charts reach the issue body (each issue its
// own kind's charts) and the comment on an existing issue, byte for byte.
func TestTrendInIssueBody(t *testing.T) {
	rep := trendReport(t)
	doc, _ := os.ReadFile(rep)
	parsed, err := report.Parse(doc, rep)
	if err != nil || len(parsed.Trend) != 5 {
		t.Fatalf("%v: %d charts", err, len(parsed.Trend))
	}
	f := ghtest.New(t, "")
	if o := runIssue(t, baseEnv(f), rep); o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	bodies := map[string]string{}
	for _, r := range f.Requests() {
		if r.Method == "POST" {
			bodies[r.Body["title"].(string)] = r.Body["body"].(string)
		}
	}
	crit, warn := bodies["🚨 Critical Performance Regression Detected (3 metrics)"], bodies["⚠️ Performance Warning (2 metrics trending towards regression)"]
	for _, c := range parsed.Trend {
		block := "```mermaid\n" + c.Mermaid + "```\n"
		inCrit, inWarn := strings.Contains(crit, block), strings.Contains(warn, block)
		if inCrit != (c.Status == "fail") || inWarn != (c.Status == "warning") {
			t.Errorf("%s %s (%s): in critical body %v, in warning body %v", c.Service, c.Metric, c.Status, inCrit, inWarn)
		}
	}
	if !strings.Contains(crit, "#### @\u200bteam/api · p95_latency_ms — fail\n") || strings.Contains(crit, "#### @team") {
		t.Errorf("heading not neutralized:\n%s", crit)
	}
	golden.Check(t, filepath.Join(td, "issue", "trend_body.golden"), strings.ReplaceAll(crit, rep, "REPORT"), *update)

	// An open issue of the same kind gets the charts in the comment.
	f2 := ghtest.New(t, "")
	f2.Open = []ghtest.Issue{{Number: 7, Title: "🚨 Critical Performance Regression Detected (1 metrics)", Labels: []string{"performance", "regression", "automated", "priority-critical"}}}
	if o := runIssue(t, baseEnv(f2), rep); o.code != 0 {
		t.Fatalf("exit %d: %s", o.code, o.stderr)
	}
	comment := f2.Requests()[1].Body["body"].(string)
	if !strings.Contains(comment, report.TrendHeading) || !strings.Contains(comment, "```mermaid\n"+parsed.Trend[0].Mermaid+"```\n") {
		t.Errorf("comment lacks the trend:\n%s", comment)
	}
}
