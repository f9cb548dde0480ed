package metrics

import (
	"strings"
)

// Rule maps rows to a service: a row belongs to Service when its name contains one of
// Match (case-insensitive substring).
type Rule struct {
	Service string
	Match   []string
}

// DefaultRules are the seed's built-in rules; the first match wins.
var DefaultRules = []Rule{
	{Service: "api_gateway", Match: []string{"api", "gateway", "chat", "models"}},
	{Service: "rag_service", Match: []string{"rag", "query", "index"}},
	{Service: "mcp_server", Match: []string{"mcp", "tool"}},
}

// Mapping decides which key a row is aggregated under.
type Mapping struct {
	// ByEndpoint keys every row by its own name (--group-by endpoint) instead of Rules.
	ByEndpoint bool
	// Rules replace DefaultRules when non-nil.
	Rules []Rule
}

func (m Mapping) rules() []Rule {
	if m.Rules != nil {
		return m.Rules
	}
	return DefaultRules
}

// IsTotalName reports whether a row name denotes a total: Locust's "Aggregated"/"Total"
// rows always; with service rules, any name containing "total" (the seed's rule).
func (m Mapping) IsTotalName(name string) bool {
	if strings.EqualFold(name, "Aggregated") || strings.EqualFold(name, "Total") {
		return true
	}
	return !m.ByEndpoint && strings.Contains(strings.ToLower(name), "total")
}

// ServiceFor returns the service of a row name under the rules, and whether any matched.
func (m Mapping) ServiceFor(name string) (string, bool) {
	lower := strings.ToLower(name)
	for _, r := range m.rules() {
		for _, p := range r.Match {
			if p != "" && strings.Contains(lower, strings.ToLower(p)) {
				return r.Service, true
			}
		}
	}
	return "", false
}
