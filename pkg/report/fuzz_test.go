package report

import (
	"strings"
	"testing"
)

// FuzzParse: the report parser never panics on any input, an error names the file, and
// no cell it returns holds an unescaped pipe (a row is split on every unescaped one).
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"## Performance Regression Analysis\n\n### ❌ Failures (Action Required)\n\n| Service | Metric | Expected | Current | Change | Impact |\n|---------|--------|----------|---------|--------|--------|\n| api | p95_latency_ms | 450 | 750 | +66.7% | ❌ Critical |\n",
		"## Performance Regression Analysis\n\n### ⚠️ Warnings (Monitor)\n\n| a\\|b | rps | 1.0 | 2.0 | +100.0% |\n\n### 🔬 Evidence\n\n| a | rps | fail | n 1 → 2 | threshold |\n<!-- perfgate:command {\"prog\":\"compare-performance\",\"args\":[]} -->\n",
		`{"schema": "perfgate/compare/v1", "results": [{"service": "a", "metric": "rps", "status": "fail", "baseline": 1, "current": null}]}`,
		"## Performance Regression Analysis\n### ❌ Failures\n| x |\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc, "r.md")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "r.md") {
				t.Fatalf("error without the file name: %v", err)
			}
			return
		}
		for _, r := range append(p.Failures, p.Warnings...) {
			for _, cell := range []string{r.Service, r.Metric, r.Expected, r.Current, r.Change} {
				if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(cell, `\\`, ""), `\|`, ""), "|") {
					t.Fatalf("cell %q holds an unescaped pipe", cell)
				}
			}
		}
	})
}
