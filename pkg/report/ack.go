package report

import (
	"strings"

	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// AckExpired says that an acknowledgement no longer covers its failure.
func AckExpired(a *config.Ack) string {
	return "acknowledgement expired on " + a.Until.Format(config.AckDate)
}

// acknowledgedSection lists the failures that an unexpired acknowledgement covers:
// reported with the reason, the expiry and the tracking issue, but not failing.
func acknowledgedSection(b *strings.Builder, ev *threshold.Evaluation) {
	tableSection(b, AcknowledgedHeading, "Known regressions acknowledged in the configuration (`acknowledged:`): they do not fail the build until their acknowledgement expires (at the end of the Until day, UTC).",
		[]string{"Service", "Metric", "Expected", "Current", "Change", "Reason", "Until", "Issue"},
		rowsOf(filter(ev, threshold.Acknowledged), func(r threshold.Result) []string {
			reason, until, issue := "—", "—", "—"
			if a := r.Ack; a != nil {
				reason, until = Cell(a.Reason), a.Until.Format(config.AckDate)
				if a.Issue != "" {
					issue = Cell(a.Issue)
				}
			}
			return []string{Cell(r.Service), Cell(r.Metric), Expected(r), FormatValue(r.Current, r.HasCurrent), FormatChange(r), reason, until, issue}
		}))
}
