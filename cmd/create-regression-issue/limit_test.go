package main

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
	"github.com/perfgate/perfgate/pkg/report"
)

// severeReport is a report of n failing endpoints with changes of many sizes, in no
// order: row 700 has a baseline of 0 (∞), row 1200 the largest change (+4000.0%), row 900
// a drop (-99.0%).
func severeReport(n int) string {
	var b strings.Builder
	b.WriteString(report.Title + "\n\n" + report.FailuresHeading + "\n\n| Service | Metric | Expected | Current | Change | Impact |\n|---------|--------|----------|---------|--------|--------|\n")
	for i := 0; i < n; i++ {
		expected, current, change := "100", "", fmt.Sprintf("+%d.0%%", 50+(i*7919)%1000)
		switch i {
		case 700:
			expected, change = "0", "∞"
		case 900:
			change = "-99.0%"
		case 1200:
			change = "+4000.0%"
		}
		current = strconv.Itoa(200 + i)
		fmt.Fprintf(&b, "| /api/v1/tenants/%06d/orders/search?include=items,customer | p95_latency_ms | %s | %s | %s | ❌ Critical |\n", i, expected, current, change)
	}
	fmt.Fprintf(&b, "\n%s\n\n- **Total Metrics**: %d\n- **Failures**: %d\n- **Warnings**: 0\n- **Passed**: 0\n", report.SummaryHeading, n, n)
	return b.String()
}

// TestIssueBodyWithinGitHubsLimit: 1,500 failing endpoints (about 170,000 characters of
// table) still file one issue — or one comment on the open issue — within 65,536
// characters (the fake API refuses longer bodies with 422, as GitHub does): the most
// severe rows first, then a note naming how many rows are left out and where they are;
// the title keeps the real count.
func TestIssueBodyWithinGitHubsLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		open    bool
		actions bool
		note    string // the note, %d for the rows left out
	}{
		{"new issue, in Actions", false, true, "\n_… and %d more rows: see the [workflow run](https://github.com/o/r/actions/runs/4242) / report artifact (`REPORT`). GitHub limits an issue body to 65,536 characters; the most severe rows are shown._\n"},
		{"new issue, outside Actions", false, false, "\n_… and %d more rows: see the report `REPORT`. GitHub limits an issue body to 65,536 characters; the most severe rows are shown._\n"},
		{"comment on the open issue", true, true, "\n_… and %d more rows: see the [workflow run](https://github.com/o/r/actions/runs/4242) / report artifact (`REPORT`). GitHub limits a comment to 65,536 characters; the most severe rows are shown._\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := ghtest.New(t, "")
			if tc.open {
				f.Open = []ghtest.Issue{{Number: 7, Title: openCritical7, Labels: criticalLabels}}
			}
			env := baseEnv(f)
			if tc.actions {
				env["GITHUB_ACTIONS"], env["GITHUB_RUN_ID"] = "true", "4242"
			}
			rep := writeReport(t, severeReport(1500))
			o := runIssue(t, env, rep)
			if o.code != 0 || o.stderr != "" {
				t.Fatalf("exit %d: %s", o.code, o.stderr)
			}
			var posted []ghtest.Request
			for _, r := range f.Requests() {
				if r.Method == "POST" {
					posted = append(posted, r)
				}
			}
			if len(posted) != 1 || len(f.OpenIssues()) != 1 || len(f.IssueComments(7)) != map[bool]int{true: 1}[tc.open] {
				t.Fatalf("requests %v, %d open issues, %d comments", f.Calls(), len(f.OpenIssues()), len(f.IssueComments(7)))
			}
			body := strings.ReplaceAll(posted[0].Body["body"].(string), rep, "REPORT")
			if n := len(body); n > ghtest.MaxBody {
				t.Errorf("%d bytes", n)
			}
			if !tc.open && (posted[0].Body["title"] != "🚨 Critical Performance Regression Detected (1500 metrics)" || !strings.Contains(body, "### Critical Failures (1500 metrics)\n")) {
				t.Errorf("title %q, or the heading lost the real count", posted[0].Body["title"])
			}
			checkSevereRows(t, body, tc.note)
		})
	}
}

// checkSevereRows checks the table rows of body: the ∞ row first, then the largest
// change, all in decreasing severity, followed by the note naming the rows left out.
func checkSevereRows(t *testing.T, body, note string) {
	t.Helper()
	var rows []string
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "| /api/v1/tenants/") {
			rows = append(rows, l)
		}
	}
	if len(rows) < 100 || len(rows) >= 1500 {
		t.Fatalf("%d rows shown", len(rows))
	}
	if !strings.Contains(rows[0], "/000700/") || !strings.Contains(rows[0], "| ∞ |") || !strings.Contains(rows[1], "/001200/") {
		t.Errorf("most severe rows not first:\n%s\n%s", rows[0], rows[1])
	}
	for i := 1; i < len(rows); i++ {
		ri, si := severity(strings.Split(rows[i-1], " | ")[4])
		rj, sj := severity(strings.Split(rows[i], " | ")[4])
		if rj > ri || (rj == ri && sj > si) {
			t.Fatalf("row %d is more severe than row %d:\n%s\n%s", i, i-1, rows[i], rows[i-1])
		}
	}
	want := fmt.Sprintf(note, 1500-len(rows))
	if !strings.Contains(body, rows[len(rows)-1]+"\n"+want) {
		t.Errorf("the note %q does not follow the last row", want)
	}
}

func TestSeverity(t *testing.T) {
	rows := []report.Row{{Change: "+66.7%"}, {Change: "n/a"}, {Change: "-99.0%"}, {Change: "∞"}, {Change: "+300.0%"}, {Change: "+66.7%", Service: "second"}}
	var got []string
	for _, r := range bySeverity(rows) {
		got = append(got, r.Change+r.Service)
	}
	if want := "∞ +300.0% -99.0% +66.7% +66.7%second n/a"; strings.Join(got, " ") != want {
		t.Errorf("got %s, want %s", strings.Join(got, " "), want)
	}
}
