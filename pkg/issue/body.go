package issue

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/report"
)

// Kind is the kind of regression issue.
type Kind int

// The two kinds of issue the seed opens.
const (
	Critical Kind = iota
	Warning
)

// Labels of the seed's issues.
var (
	CriticalLabels = []string{"performance", "regression", "automated", "priority-critical"}
	WarningLabels  = []string{"performance", "regression", "automated"}
)

// Title is the seed's issue title for n metrics.
func Title(k Kind, n int) string {
	if k == Critical {
		return fmt.Sprintf("🚨 Critical Performance Regression Detected (%d metrics)", n)
	}
	return fmt.Sprintf("⚠️ Performance Warning (%d metrics trending towards regression)", n)
}

// Context is what the body tells about where the results come from.
type Context struct {
	Now        time.Time
	RunURL     string // workflow run, inside GitHub Actions
	CommitURL  string
	Commit     string
	ReportPath string
}

var (
	mention   = regexp.MustCompile(`@([A-Za-z0-9_-])`)
	reference = regexp.MustCompile(`#([0-9])`)
)

// Safe neutralizes text from the load test for an issue body: it cannot break the table
// (pipes and backticks escaped, no newline) and mentions no one (@team, #123 get a
// zero-width space after the sign).
func Safe(cell string) string {
	s := report.Cell(strings.ReplaceAll(strings.ReplaceAll(cell, `\|`, "|"), "\\`", "`"))
	s = mention.ReplaceAllString(s, "@\u200b$1")
	return reference.ReplaceAllString(s, "#\u200b$1")
}

// Table renders the rows with the seed's header and separator rows.
func Table(k Kind, rows []report.Row) string {
	var b strings.Builder
	if k == Critical {
		b.WriteString("| Service | Metric | Expected | Current | Change | Impact |\n")
		b.WriteString("|---------|--------|----------|---------|--------|--------|\n")
	} else {
		b.WriteString("| Service | Metric | Expected | Current | Change |\n")
		b.WriteString("|---------|--------|----------|---------|--------|\n")
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |", Safe(r.Service), Safe(r.Metric), Safe(r.Expected), Safe(r.Current), Safe(r.Change))
		if k == Critical {
			b.WriteString(" " + report.CriticalImpact + " |")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func provenance(c Context) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Detected**: %s\n", c.Now.UTC().Format("2006-01-02 15:04:05 UTC"))
	if c.RunURL != "" {
		fmt.Fprintf(&b, "**Workflow run**: %s\n", c.RunURL)
	}
	if c.Commit != "" {
		if c.CommitURL != "" {
			fmt.Fprintf(&b, "**Commit**: [%s](%s)\n", short(c.Commit), c.CommitURL)
		} else {
			fmt.Fprintf(&b, "**Commit**: %s\n", short(c.Commit))
		}
	}
	return b.String()
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

// Body is the seed's issue body: timestamp, the table, details, investigation steps,
// commands (naming the Go binaries), the next-steps checklist and the footer.
func Body(k Kind, rows []report.Row, c Context) string {
	var b strings.Builder
	if k == Critical {
		b.WriteString("## 🚨 Critical Performance Regression\n\n")
		b.WriteString(provenance(c))
		fmt.Fprintf(&b, "\n### ❌ Failed Metrics (%d)\n\n", len(rows))
	} else {
		b.WriteString("## ⚠️ Performance Warning\n\n")
		b.WriteString(provenance(c))
		fmt.Fprintf(&b, "\n### ⚠️ Metrics Trending Towards Regression (%d)\n\n", len(rows))
	}
	b.WriteString(Table(k, rows))
	b.WriteString("\n### 📋 Details\n\n")
	if k == Critical {
		fmt.Fprintf(&b, "The latest load test exceeded the failure threshold of %d metric(s) compared with the baseline in `docs/performance-baselines.json`. ", len(rows))
		b.WriteString("Expected is the baseline value, Current the new run's value, Change the relative change.")
	} else {
		fmt.Fprintf(&b, "%d metric(s) moved towards their failure threshold (beyond the warning level) compared with the baseline. ", len(rows))
		b.WriteString("They do not fail the build yet; watch whether the trend continues.")
	}
	if c.ReportPath != "" {
		fmt.Fprintf(&b, " The full report is `%s`", c.ReportPath)
		if c.RunURL != "" {
			b.WriteString(" in the workflow run's artifacts and step summary")
		}
		b.WriteString(".")
	}
	b.WriteString("\n")
	if k == Critical {
		b.WriteString(`
### 🔍 Investigation Steps

1. Review the commits since the baseline for changes to the affected services.
2. Check the services' logs for errors, timeouts and retries during the load test.
3. Compare resource usage (CPU, memory, connection pools, queue depth) with the baseline run.
4. Re-run the load test to rule out a noisy runner before bisecting.
`)
	} else {
		b.WriteString(`
### 🔍 Monitoring Recommendations

1. Watch these metrics over the next runs: a steady trend matters more than one run.
2. Look for recent changes to the affected services that could explain the drift.
3. Check whether the test load or the environment changed since the baseline.
`)
	}
	b.WriteString("\n### 🛠️ Useful Commands\n\n```bash\n")
	b.WriteString("# Reproduce the comparison locally\n")
	b.WriteString("extract-metrics load_results_stats.csv load-results.json\n")
	b.WriteString("compare-performance docs/performance-baselines.json load-results.json\n\n")
	b.WriteString("# If the new performance is expected, refresh the baseline\n")
	b.WriteString("extract-baselines load_results_stats.csv docs/performance-baselines.json\n")
	b.WriteString("```\n")
	b.WriteString("\n### ✅ Next Steps\n\n")
	if k == Critical {
		b.WriteString("- [ ] Identify the change that caused the regression\n")
		b.WriteString("- [ ] Fix it, or document why the new performance is acceptable\n")
		b.WriteString("- [ ] Refresh the baseline if the change is intended\n")
		b.WriteString("- [ ] Confirm a green load test, then close this issue\n")
	} else {
		b.WriteString("- [ ] Review the trend in the next load tests\n")
		b.WriteString("- [ ] Investigate if the metrics keep degrading\n")
		b.WriteString("- [ ] Close this issue when the metrics are back to normal\n")
	}
	b.WriteString("\n---\n*🤖 Created automatically by perfgate `create-regression-issue` from the performance regression report.*\n")
	return b.String()
}

// UpdateComment is the comment added to an existing open issue of the same kind.
func UpdateComment(k Kind, rows []report.Row, c Context) string {
	var b strings.Builder
	if k == Critical {
		fmt.Fprintf(&b, "### 🔁 Still regressed: %d failing metric(s) in a new run\n\n", len(rows))
	} else {
		fmt.Fprintf(&b, "### 🔁 Still trending: %d warning(s) in a new run\n\n", len(rows))
	}
	b.WriteString(provenance(c))
	b.WriteString("\n")
	b.WriteString(Table(k, rows))
	return b.String()
}

// ResolvedComment is the comment on an issue closed by --close-resolved.
func ResolvedComment(k Kind, c Context) string {
	what := "no critical regression"
	if k == Warning {
		what = "no performance warning"
	}
	where := c.Now.UTC().Format("2006-01-02 15:04:05 UTC")
	if c.RunURL != "" {
		where = c.RunURL
	}
	return fmt.Sprintf("✅ Resolved in %s: the latest load test has %s. Closing automatically.\n", where, what)
}
