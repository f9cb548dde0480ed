package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"go.yaml.in/yaml/v3"
)

// Ack is one entry of the acknowledged: section: a known regression that is reported
// but does not fail the build until it expires.
//
//	acknowledged:
//	  - service: checkout
//	    metric: p95_latency_ms
//	    reason: known slow query, fix in progress
//	    until: 2027-01-15          # required: an acknowledgement always expires
//	    issue: https://github.com/o/r/issues/7
type Ack struct {
	Service string
	// Metric is as written (the seed's aliases such as tool_p95_ms are resolved by the
	// threshold package when matching).
	Metric string
	Reason string
	// Until is the last day (UTC) the acknowledgement covers; from the next day on the
	// failure fails again.
	Until time.Time
	// Issue is a link to the issue that tracks the regression ("" when not given).
	Issue string
	// Line is where the entry starts in the configuration file.
	Line int
}

// AckDate is the layout of until: dates.
const AckDate = "2006-01-02"

// MaxAckDays is how far ahead of today an acknowledgement may expire at most.
const MaxAckDays = 90

// Expired reports whether the acknowledgement no longer covers a failure at now: the
// day after Until has begun (UTC).
func (a Ack) Expired(now time.Time) bool {
	return !now.UTC().Before(a.Until.AddDate(0, 0, 1))
}

// ackKeys are the keys of an entry; all but issue are required.
var ackKeys = []string{"service", "metric", "reason", "until", "issue"}

// parseAcknowledged reads the acknowledged: list. Every entry needs service, metric,
// reason and until (a date); issue is optional. A service and metric may be listed once.
func parseAcknowledged(file string, n *yaml.Node) ([]Ack, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, Errorf(file, n, "acknowledged: want a list of entries with %s", strings.Join(ackKeys, ", "))
	}
	var out []Ack
	seen := map[[2]string]int{}
	for i, e := range n.Content {
		where := fmt.Sprintf("acknowledged[%d]", i)
		if e.Kind != yaml.MappingNode {
			return nil, Errorf(file, e, "%s: want a mapping with %s", where, strings.Join(ackKeys, ", "))
		}
		a, err := parseAck(file, where, e)
		if err != nil {
			return nil, err
		}
		key := [2]string{a.Service, a.Metric}
		if line, dup := seen[key]; dup {
			return nil, Errorf(file, e, "%s: %s %s is already acknowledged at line %d", where, a.Service, a.Metric, line)
		}
		seen[key] = a.Line
		out = append(out, a)
	}
	return out, nil
}

func parseAck(file, where string, e *yaml.Node) (Ack, error) {
	a := Ack{Line: e.Line}
	got := map[string]bool{}
	for j := 0; j+1 < len(e.Content); j += 2 {
		k, v := e.Content[j], e.Content[j+1]
		if v.Kind != yaml.ScalarNode || strings.TrimSpace(v.Value) == "" {
			return a, Errorf(file, v, "%s.%s: want a non-empty value", where, k.Value)
		}
		if got[k.Value] {
			return a, Errorf(file, k, "%s: duplicate key %q", where, k.Value)
		}
		got[k.Value] = true
		val := strings.TrimSpace(v.Value)
		switch k.Value {
		case "service":
			a.Service = val
		case "metric":
			a.Metric = val
		case "reason":
			a.Reason = val
		case "issue":
			a.Issue = val
		case "until":
			t, err := time.Parse(AckDate, val)
			if err != nil {
				return a, Errorf(file, v, "%s.until: want a date YYYY-MM-DD, got %q", where, v.Value)
			}
			a.Until = t
		default:
			return a, Errorf(file, k, "%s: unknown key %q (known: %s)", where, k.Value, strings.Join(ackKeys, ", "))
		}
	}
	for _, k := range ackKeys[:4] {
		if !got[k] {
			msg := "%s: %s is required"
			if k == "until" {
				msg += " (an acknowledgement always expires: a date at most 90 days ahead)"
			}
			return a, Errorf(file, e, msg, where, k)
		}
	}
	return a, nil
}

// CheckAcknowledged refuses an acknowledgement that expires more than MaxAckDays days
// after today (UTC), so that nobody can silence a regression for good. Entries already
// expired are fine here: they fail again when compared.
func (c *Config) CheckAcknowledged(now time.Time) error {
	if c == nil {
		return nil
	}
	y, m, d := now.UTC().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	limit := today.AddDate(0, 0, MaxAckDays)
	for i, a := range c.Acknowledged {
		if a.Until.After(limit) {
			days := int(a.Until.Sub(today).Hours() / 24)
			return &fileerr.Error{File: c.File, Line: a.Line, Msg: fmt.Sprintf("acknowledged[%d]: until %s is %d days ahead; an acknowledgement may last at most %d days (until %s at the latest): fix the regression or acknowledge it again later",
				i, a.Until.Format(AckDate), days, MaxAckDays, limit.Format(AckDate))}
		}
	}
	return nil
}
