package main

import (
	"fmt"
	"io"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/config"
	"github.com/perfgate/perfgate/pkg/report"
	"github.com/perfgate/perfgate/pkg/threshold"
)

// acknowledge applies the configuration's acknowledged: entries to the failures of ev.
// A failure that an unexpired entry covers becomes Acknowledged (reported in its own
// section, not failing the build); one whose entry has expired stays a failure and
// its reason says so. It returns the entries that matched no failure (stale).
func acknowledge(ev *threshold.Evaluation, acks []config.Ack, now time.Time) (stale []*config.Ack) {
	for i := range acks {
		a := &acks[i]
		used := false
		for j := range ev.Results {
			r := &ev.Results[j]
			if r.Status != threshold.Fail || r.Service != a.Service || r.Metric != threshold.CanonicalMetric(a.Metric) {
				continue
			}
			used = true
			r.Ack = a
			if !a.Expired(now) {
				r.Status = threshold.Acknowledged
			}
		}
		if !used {
			stale = append(stale, a)
		}
	}
	return stale
}

// ackNotes tells on stderr which failures are acknowledged, which acknowledgements
// expired (their failures fail again) and which entries matched no failure (stale).
func ackNotes(ev *threshold.Evaluation, stale []*config.Ack, file string, stderr io.Writer) {
	for _, r := range ev.Results {
		if r.Ack == nil {
			continue
		}
		name := cli.Sanitize(r.Service) + " " + r.Metric
		if r.Status == threshold.Acknowledged {
			fmt.Fprintf(stderr, "🔕 %s fails (%s) but is acknowledged until %s (%s:%d: %s): it does not fail the build\n", name, report.FormatChange(r), r.Ack.Until.Format(config.AckDate), file, r.Ack.Line, cli.Sanitize(r.Ack.Reason))
		} else {
			fmt.Fprintf(stderr, "⚠️ %s: %s (%s:%d): it fails again\n", name, report.AckExpired(r.Ack), file, r.Ack.Line)
		}
	}
	for _, a := range stale {
		fmt.Fprintf(stderr, "⚠️ %s:%d: stale acknowledgement: %s %s matches no failing metric; remove it from the acknowledged: section\n", file, a.Line, cli.Sanitize(a.Service), cli.Sanitize(a.Metric))
	}
}
