package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"os"
	"regexp"
	"strings"
)

// xsdSchema is the subset of XML Schema that Jenkins xUnit's junit-10.xsd uses: global
// elements (simple xs:string content, or a complex type with attributes and a content
// model of sequence/choice/element ref with min/maxOccurs), named complex types and
// string simple types restricted by a pattern. loadXSD refuses any other construct, so
// that a schema this checker cannot read is noticed rather than half-checked. It backs up
// xmllint (the real validator, run by the tests where installed: make test installs it).
type xsdSchema struct {
	elements map[string]*xsdType // global elements by name
	types    map[string]*xsdType // named complex types
	patterns map[string]*regexp.Regexp
}

type xsdType struct {
	simple  bool // xs:string content, no attributes, no children
	mixed   bool
	attrs   map[string]xsdAttr
	content *regexp.Regexp // over the child names, each written "<name>"
	typeRef string         // element declared with type="name" (resolved lazily)
}

type xsdAttr struct {
	typ      string
	required bool
}

// xsdNode is the schema document as a tree.
type xsdNode struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Children []xsdNode  `xml:",any"`
	Text     string     `xml:",chardata"`
}

func (n xsdNode) attr(name string) string {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

func loadXSD(path string) (*xsdSchema, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var root xsdNode
	if err := xml.Unmarshal(b, &root); err != nil {
		return nil, err
	}
	s := &xsdSchema{elements: map[string]*xsdType{}, types: map[string]*xsdType{}, patterns: map[string]*regexp.Regexp{}}
	for _, n := range root.Children {
		name := n.attr("name")
		switch n.XMLName.Local {
		case "simpleType":
			if len(n.Children) != 1 || n.Children[0].attr("base") != "xs:string" || len(n.Children[0].Children) != 1 || n.Children[0].Children[0].XMLName.Local != "pattern" {
				return nil, fmt.Errorf("simpleType %s: only a pattern restriction of xs:string is supported", name)
			}
			// XSD patterns match the whole value.
			s.patterns[name], err = regexp.Compile("^(?:" + n.Children[0].Children[0].attr("value") + ")$")
		case "complexType":
			s.types[name], err = complexType(n)
		case "element":
			s.elements[name], err = elementType(n)
		default:
			err = fmt.Errorf("unsupported top-level %s", n.XMLName.Local)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
	}
	return s, nil
}

func elementType(n xsdNode) (*xsdType, error) {
	switch t := n.attr("type"); {
	case t == "xs:string" && len(n.Children) == 0:
		return &xsdType{simple: true}, nil
	case t != "" && len(n.Children) == 0:
		return &xsdType{typeRef: t}, nil
	case t == "" && len(n.Children) == 1 && n.Children[0].XMLName.Local == "complexType":
		return complexType(n.Children[0])
	}
	return nil, fmt.Errorf("element %s: unsupported declaration", n.attr("name"))
}

func complexType(n xsdNode) (*xsdType, error) {
	t := &xsdType{mixed: n.attr("mixed") == "true", attrs: map[string]xsdAttr{}}
	model := ""
	for _, c := range n.Children {
		switch c.XMLName.Local {
		case "attribute":
			t.attrs[c.attr("name")] = xsdAttr{typ: c.attr("type"), required: c.attr("use") == "required"}
		case "sequence", "choice":
			if model != "" {
				return nil, fmt.Errorf("complexType %s: two content models", n.attr("name"))
			}
			var err error
			if model, err = particle(c); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("complexType %s: unsupported %s", n.attr("name"), c.XMLName.Local)
		}
	}
	t.content = regexp.MustCompile("^" + model + "$")
	return t, nil
}

// particle turns a content model into a regular expression over "<name>" tokens.
func particle(n xsdNode) (string, error) {
	var body string
	switch n.XMLName.Local {
	case "element":
		name := n.attr("ref")
		if name == "" {
			name = n.attr("name") // a local element: only xs:string ones occur in the subset
			if n.attr("type") != "xs:string" {
				return "", fmt.Errorf("local element %s: only type xs:string is supported", name)
			}
		}
		body = "<" + regexp.QuoteMeta(name) + ">"
	case "sequence", "choice":
		var parts []string
		for _, c := range n.Children {
			p, err := particle(c)
			if err != nil {
				return "", err
			}
			parts = append(parts, p)
		}
		sep := ""
		if n.XMLName.Local == "choice" {
			sep = "|"
		}
		body = strings.Join(parts, sep)
	default:
		return "", fmt.Errorf("unsupported particle %s", n.XMLName.Local)
	}
	lo, hi := n.attr("minOccurs"), n.attr("maxOccurs")
	if lo == "" {
		lo = "1"
	}
	switch hi {
	case "":
		hi = "1"
	case "unbounded":
		hi = ""
	}
	return fmt.Sprintf("(?:%s){%s,%s}", body, lo, hi), nil
}

// validate checks a document against the schema; it returns every violation found.
func (s *xsdSchema) validate(doc []byte) []string {
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var root xsdNode
	if err := dec.Decode(&root); err != nil {
		return []string{"not well-formed: " + err.Error()}
	}
	var errs []string
	s.check(root, root.XMLName.Local, &errs)
	return errs
}

// check validates one element and, recursively, its children.
func (s *xsdSchema) check(n xsdNode, path string, errs *[]string) {
	t, ok := s.elements[n.XMLName.Local]
	if !ok {
		*errs = append(*errs, path+": element not declared")
		return
	}
	if t.typeRef != "" {
		if t, ok = s.types[t.typeRef]; !ok {
			*errs = append(*errs, path+": unknown type")
			return
		}
	}
	if t.simple {
		if len(n.Attrs) > 0 || len(n.Children) > 0 {
			*errs = append(*errs, path+": a text-only element has attributes or children")
		}
		return
	}
	if !t.mixed && strings.TrimSpace(n.Text) != "" {
		*errs = append(*errs, path+": text inside an element whose type is not mixed")
	}
	for _, a := range n.Attrs {
		decl, ok := t.attrs[a.Name.Local]
		if !ok || a.Name.Space != "" {
			*errs = append(*errs, fmt.Sprintf("%s: attribute %q is not allowed", path, a.Name.Local))
			continue
		}
		if re, typed := s.patterns[decl.typ]; typed && !re.MatchString(a.Value) {
			*errs = append(*errs, fmt.Sprintf("%s: attribute %s=%q does not match %s", path, a.Name.Local, a.Value, decl.typ))
		}
	}
	for name, decl := range t.attrs {
		if decl.required && !hasAttr(n, name) {
			*errs = append(*errs, fmt.Sprintf("%s: required attribute %q is missing", path, name))
		}
	}
	var seq strings.Builder
	for _, c := range n.Children {
		seq.WriteString("<" + c.XMLName.Local + ">")
	}
	if t.content == nil || !t.content.MatchString(seq.String()) {
		*errs = append(*errs, fmt.Sprintf("%s: children %s do not fit the content model", path, seq.String()))
	}
	for i, c := range n.Children {
		s.check(c, fmt.Sprintf("%s/%s[%d]", path, c.XMLName.Local, i+1), errs)
	}
}

func hasAttr(n xsdNode, name string) bool {
	for _, a := range n.Attrs {
		if a.Name.Local == name {
			return true
		}
	}
	return false
}
