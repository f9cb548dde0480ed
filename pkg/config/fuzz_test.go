package config

import "testing"

// FuzzParse: the configuration parser never panics; an error names the file.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"services:\n  api_gateway: [api, chat]\n  rag: query\n",
		"group_by: endpoint\nthresholds:\n  default: &d\n    p95_latency_ms: +25%\n  api: *d\n",
		"noise:\n  alpha: 0.01\n",
		"{\"services\": {\"a\": [\"x\"]}}",
		"services: [\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "p.yml")
		if err != nil {
			if len(err.Error()) < len("p.yml") || err.Error()[:len("p.yml")] != "p.yml" {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		c.Mapping("")
	})
}
