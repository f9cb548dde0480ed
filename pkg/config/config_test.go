package config

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/metrics"
)

func TestParseServices(t *testing.T) {
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
	if c.Thresholds == nil || c.Thresholds.Line != 7 {
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
	c, err := Parse([]byte(`{"services": {"api": ["api"]}, "group_by": "endpoint"}`), "c.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.GroupBy != "endpoint" || len(c.Services) != 1 {
		t.Errorf("%+v", c)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"unknown key", "services:\n  a: [x]\nservics:\n  b: [y]\n", `c.yml:3: unknown key "servics" (known: group_by, noise, services, thresholds)`},
		{"bad group_by", "group_by: method\n", `c.yml:1: group_by: want service or endpoint, got "method"`},
		{"services not a mapping", "services: [a, b]\n", "c.yml:1: services: want a mapping of service name to substrings, e.g. api_gateway: [api, chat]"},
		{"nested value", "services:\n  a:\n    - {x: 1}\n", "c.yml:3: services.a: want substrings, got a mapping"},
		{"empty substring", "services:\n  a: ['']\n", `c.yml:2: services.a: substring 1 is empty (it would match every row)`},
		{"duplicate service", "services:\n  a: x\n  a: y\n", `c.yml:3: services: duplicate service "a"`},
		{"duplicate section", "group_by: service\ngroup_by: endpoint\n", `c.yml:2: duplicate key "group_by"`},
		{"syntax", "services:\n  a: x\n  b: y: z\n", "c.yml:3: mapping values are not allowed in this context"},
		{"tab indentation", "services:\n\ta: x\n", "c.yml:2: found character that cannot start any token"},
		{"not a mapping", "- a\n", "c.yml:1: the configuration must be a mapping of sections (group_by, noise, services, thresholds)"},
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
