package config

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/metrics"
)

func TestParseServices(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`# perfgate.yml
group_by: service
services:
  checkout: [cart, "pay"]
  search: query
thresholds:
  default:
    p95_latency_ms: +50%
`), "perfgate.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := []metrics.Rule{{Service: "checkout", Match: []string{"cart", "pay"}}, {Service: "search", Match: []string{"query"}}}
	if diff := cmp.Diff(want, c.Services); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if c.Thresholds == nil || len(c.Thresholds.Services) != 1 || c.Thresholds.Services[0].Name != "default" ||
		len(c.Thresholds.Services[0].Entries) != 1 || *c.Thresholds.Services[0].Entries[0].Change != (Value{"+50%", 8}) {
		t.Errorf("thresholds section not kept: %+v", c.Thresholds)
	}
	m, err := c.Mapping("")
	if err != nil || m.ByEndpoint || len(m.Rules) != 2 {
		t.Errorf("mapping %+v, %v", m, err)
	}
	if m, _ := c.Mapping("endpoint"); !m.ByEndpoint {
		t.Error("--group-by endpoint must win over the file")
	}
}

func TestParseJSON(t *testing.T) {
	t.Parallel()
	c, err := Parse([]byte(`{"services": {"api": ["api"]}, "group_by": "endpoint"}`), "c.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.GroupBy != "endpoint" || len(c.Services) != 1 {
		t.Errorf("%+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown key", "services:\n  a: [x]\nservics:\n  b: [y]\n", `c.yml:3: unknown key "servics" (known: acknowledged, group_by, noise, services, thresholds)`},
		{"bad group_by", "group_by: method\n", `c.yml:1: group_by: want service or endpoint, got "method"`},
		{"services not a mapping", "services: [a, b]\n", "c.yml:1: services: want a mapping of service name to substrings, e.g. api_gateway: [api, chat]"},
		{"nested value", "services:\n  a:\n    - {x: 1}\n", "c.yml:3: services.a: want substrings, got a mapping"},
		{"empty substring", "services:\n  a: ['']\n", `c.yml:2: services.a: substring 1 is empty (it would match every row)`},
		{"duplicate service", "services:\n  a: x\n  a: y\n", `c.yml:3: duplicate key "a" (first at line 2): YAML would keep only the last`},
		{"duplicate section", "group_by: service\ngroup_by: endpoint\n", `c.yml:2: duplicate key "group_by" (first at line 1): YAML would keep only the last`},
		{"duplicate threshold", "thresholds:\n  default:\n    p95_latency_ms: +20%\n    p95_latency_ms: +80%\n", `c.yml:4: duplicate key "p95_latency_ms" (first at line 3): YAML would keep only the last`},
		{"duplicate threshold block", "thresholds:\n  default:\n    p95_latency_ms: +20%\n  checkout:\n    rps: -10%\n  default:\n    error_rate_pct: +1\n", `c.yml:6: duplicate key "default" (first at line 2): YAML would keep only the last`},
		{"syntax", "services:\n  a: x\n  b: y: z\n", "c.yml:3: mapping values are not allowed in this context"},
		{"tab indentation", "services:\n\ta: x\n", "c.yml:2: found character that cannot start any token"},
		{"not a mapping", "- a\n", "c.yml:1: the configuration must be a mapping of sections (acknowledged, group_by, noise, services, thresholds)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), "c.yml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
	if _, err := Load("does-not-exist.yml"); err == nil || err.Error() != "does-not-exist.yml: no such file or directory" {
		t.Errorf("Load of a missing file: %v", err)
	}
	if c, err := Parse(nil, "empty.yml"); err != nil || c.Services != nil {
		t.Errorf("an empty file means defaults: %+v %v", c, err)
	}
}

func TestParseAcknowledged(t *testing.T) {
	t.Parallel()
	doc := `acknowledged:
  - service: checkout
    metric: p95_latency_ms
    reason: known slow query, fix in progress
    until: 2027-01-15          # required
    issue: https://github.com/o/r/issues/7
  - {service: search, metric: tool_p95_ms, reason: reindexing, until: "2027-01-10"}
`
	c, err := Parse([]byte(doc), "c.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := []Ack{
		{Service: "checkout", Metric: "p95_latency_ms", Reason: "known slow query, fix in progress", Until: time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), Issue: "https://github.com/o/r/issues/7", Line: 2},
		{Service: "search", Metric: "tool_p95_ms", Reason: "reindexing", Until: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC), Line: 7},
	}
	if diff := cmp.Diff(want, c.Acknowledged); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The until day is covered in full (UTC); the next day it has expired.
	a := c.Acknowledged[0]
	for _, tc := range []struct {
		now     time.Time
		expired bool
	}{
		{time.Date(2027, 1, 14, 12, 0, 0, 0, time.UTC), false},
		{time.Date(2027, 1, 15, 23, 59, 59, 0, time.UTC), false},
		{time.Date(2027, 1, 16, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2027, 1, 16, 0, 30, 0, 0, time.FixedZone("CET", 3600)), false}, // 23:30 UTC on the 15th
	} {
		if got := a.Expired(tc.now); got != tc.expired {
			t.Errorf("Expired(%v) = %v, want %v", tc.now, got, tc.expired)
		}
	}
	// At most 90 days ahead of today.
	if err := c.CheckAcknowledged(time.Date(2026, 10, 17, 8, 0, 0, 0, time.UTC)); err != nil {
		t.Errorf("90 days ahead is allowed: %v", err)
	}
	err = c.CheckAcknowledged(time.Date(2026, 10, 16, 8, 0, 0, 0, time.UTC))
	if want := "c.yml:2: acknowledged[0]: until 2027-01-15 is 91 days ahead; an acknowledgement may last at most 90 days (until 2027-01-14 at the latest): fix the regression or acknowledge it again later"; err == nil || err.Error() != want {
		t.Errorf("\n got: %v\nwant: %s", err, want)
	}
}

func TestParseAcknowledgedErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, doc, want string }{
		{"not a list", "acknowledged: {service: a}\n", "c.yml:1: acknowledged: want a list of entries with service, metric, reason, until, issue"},
		{"no until", "acknowledged:\n  - service: a\n    metric: rps\n    reason: r\n", "c.yml:2: acknowledged[0]: until is required (an acknowledgement always expires: a date at most 90 days ahead)"},
		{"no reason", "acknowledged:\n  - {service: a, metric: rps, until: 2027-01-01}\n", "c.yml:2: acknowledged[0]: reason is required"},
		{"bad date", "acknowledged:\n  - service: a\n    metric: rps\n    reason: r\n    until: next week\n", `c.yml:5: acknowledged[0].until: want a date YYYY-MM-DD, got "next week"`},
		{"unknown key", "acknowledged:\n  - service: a\n    metrc: rps\n", `c.yml:3: acknowledged[0]: unknown key "metrc" (known: service, metric, reason, until, issue)`},
		{"empty value", "acknowledged:\n  - service: ''\n", "c.yml:2: acknowledged[0].service: want a non-empty value"},
		{"duplicate", "acknowledged:\n  - {service: a, metric: rps, reason: r, until: 2027-01-01}\n  - {service: a, metric: rps, reason: s, until: 2027-01-02}\n", "c.yml:3: acknowledged[1]: a rps is already acknowledged at line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), "c.yml")
			if err == nil || err.Error() != tc.want {
				t.Errorf("\n got: %v\nwant: %s", err, tc.want)
			}
		})
	}
}
