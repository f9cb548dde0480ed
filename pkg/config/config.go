// Package config loads the perfgate configuration file (YAML, or JSON): the service
// rules that map endpoint rows to services, the grouping, the acknowledged regressions,
// and the sections that other packages interpret (thresholds, noise). Unknown keys are
// errors that name the line.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"go.yaml.in/yaml/v3"

	"github.com/perfgate/perfgate/pkg/metrics"
)

// Config is a parsed configuration file. Zero values mean "not set": the built-in
// behaviour applies.
type Config struct {
	File string
	// Services replaces the built-in service rules, in file order (first match wins).
	Services []metrics.Rule
	// GroupBy is "service", "endpoint" or "" (not set).
	GroupBy string
	// Thresholds is the `thresholds:` section (nil when absent).
	Thresholds *Thresholds
	// Noise is the `noise:` section (nil when absent: the mode is off).
	Noise *Noise
	// Acknowledged lists the known regressions that do not fail the build until they
	// expire (check the expiry limit with CheckAcknowledged).
	Acknowledged []Ack
}

// Errorf returns a *fileerr.Error positioned at node n.
func Errorf(file string, n *yaml.Node, format string, args ...any) error {
	line := 0
	if n != nil {
		line = n.Line
	}
	return &fileerr.Error{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// sections are the top-level keys; each is handled below.
var sections = []string{"acknowledged", "group_by", "noise", "services", "thresholds"}

// Load reads and parses a configuration file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fileerr.Error{File: path, Err: err}
	}
	return Parse(data, path)
}

// Parse parses configuration data; file names it in errors.
func Parse(data []byte, file string) (*Config, error) {
	c := &Config{File: file}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(file, err)
	}
	if len(doc.Content) == 0 {
		return c, nil // empty file: all defaults
	}
	if err := duplicateKeys(file, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, Errorf(file, root, "the configuration must be a mapping of sections (%s)", strings.Join(sections, ", "))
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if err := c.section(file, k, v); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// duplicateKeys refuses a key given twice in any mapping of the document: YAML lets the
// last one win, so a second block (two "default:" under thresholds) would quietly
// replace or loosen the first.
func duplicateKeys(file string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		first := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Value == "<<" {
				continue // merge keys
			}
			if f, ok := first[k.Value]; ok {
				return Errorf(file, k, "duplicate key %q (first at line %d): YAML would keep only the last", k.Value, f.Line)
			}
			first[k.Value] = k
		}
	}
	for _, c := range n.Content {
		if err := duplicateKeys(file, c); err != nil {
			return err
		}
	}
	return nil
}

// section reads one top-level section.
func (c *Config) section(file string, k, v *yaml.Node) error {
	var err error
	switch k.Value {
	case "services":
		c.Services, err = parseServices(file, resolve(v))
	case "group_by":
		v = resolve(v)
		if v.Kind != yaml.ScalarNode || (v.Value != "service" && v.Value != "endpoint") {
			return Errorf(file, v, "group_by: want service or endpoint, got %q", v.Value)
		}
		c.GroupBy = v.Value
	case "thresholds":
		c.Thresholds, err = parseThresholds(file, v)
	case "noise":
		c.Noise, err = parseNoise(file, v)
	case "acknowledged":
		c.Acknowledged, err = parseAcknowledged(file, resolve(v))
	default:
		return Errorf(file, k, "unknown key %q (known: %s)", k.Value, strings.Join(sections, ", "))
	}
	return err
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// syntaxError turns "yaml: line 3: msg" into a positioned *Error.
func syntaxError(file string, err error) error {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &fileerr.Error{File: file, Line: line, Msg: m[2]}
	}
	return &fileerr.Error{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: "), Err: err}
}

// parseServices reads
//
//	services:
//	  api_gateway: [api, gateway]
//	  checkout: checkout      # a single substring
//
// in order; each value is a list of case-insensitive substrings of the row name.
func parseServices(file string, n *yaml.Node) ([]metrics.Rule, error) {
	if n.Kind != yaml.MappingNode {
		return nil, Errorf(file, n, "services: want a mapping of service name to substrings, e.g. api_gateway: [api, chat]")
	}
	var rules []metrics.Rule
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := strings.TrimSpace(k.Value)
		if name == "" || strings.HasPrefix(name, "_") {
			return nil, Errorf(file, k, "services: %q is not a usable service name (empty or starting with _)", k.Value)
		}
		if seen[name] {
			return nil, Errorf(file, k, "services: duplicate service %q", name)
		}
		seen[name] = true
		var match []string
		switch v.Kind {
		case yaml.ScalarNode:
			match = []string{v.Value}
		case yaml.SequenceNode:
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode {
					return nil, Errorf(file, e, "services.%s: want substrings, got a %s", name, kindName(e))
				}
				match = append(match, e.Value)
			}
		default:
			return nil, Errorf(file, v, "services.%s: want a list of substrings, got a %s", name, kindName(v))
		}
		for j, m := range match {
			if strings.TrimSpace(m) == "" {
				return nil, Errorf(file, v, "services.%s: substring %d is empty (it would match every row)", name, j+1)
			}
		}
		rules = append(rules, metrics.Rule{Service: name, Match: match})
	}
	if len(rules) == 0 {
		return nil, Errorf(file, n, "services: no service defined")
	}
	return rules, nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}

// Mapping returns the row mapping the configuration and the --group-by flag (which wins
// when set) ask for.
func (c *Config) Mapping(groupByFlag string) (metrics.Mapping, error) {
	g := groupByFlag
	if g == "" && c != nil {
		g = c.GroupBy
	}
	m := metrics.Mapping{}
	switch g {
	case "", "service":
	case "endpoint":
		m.ByEndpoint = true
	default:
		return m, fmt.Errorf("--group-by: want service or endpoint, got %q", g)
	}
	if c != nil {
		m.Rules = c.Services
	}
	return m, nil
}
