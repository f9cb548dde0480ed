package loadtest

import (
	"bytes"
	"unicode/utf8"
)

// The fast path of the XML JTL reader: a walk of the markup that keeps the element
// depth and checks the structure (names, quotes, matching end tags, comments), and an
// in-place reader of a sample's attributes. Anything else is left to encoding/xml.

type walkStatus int

const (
	walkDone       walkStatus = iota // the walk reached the end of the data
	walkIncomplete                   // the data ends inside an element or a tag: more is needed
	walkBad                          // markup the walk does not handle (or that is not XML)
	walkRootEnd                      // the root's end tag
)

type markup int

const (
	markIncomplete markup = iota
	markBad
	markStart // start tag
	markEmpty // empty-element tag (<x/>)
	markEnd   // end tag
	markSkip  // comment or CDATA section
)

// walkXML walks data, which starts inside the root between top-level elements. It calls
// onTop (when not nil) with the bounds and the name of every top-level start tag, and
// returns safe, the furthest offset at which the walk was between top-level elements
// with everything before it complete, and why it stopped.
func walkXML(data []byte, onTop func(start, end int, name []byte)) (safe int, status walkStatus) {
	var stack [32][]byte
	depth, pos := 0, 0 // depth counts the elements open below the root
	for {
		i := bytes.IndexByte(data[pos:], '<')
		if i < 0 {
			if depth > 0 {
				return safe, walkIncomplete
			}
			return len(data), walkDone // text between top-level elements is ignored
		}
		p := pos + i
		if depth == 0 {
			safe = p
		}
		kind, end, name := nextMarkup(data, p)
		switch kind {
		case markIncomplete:
			return safe, walkIncomplete
		case markBad:
			return safe, walkBad
		case markStart, markEmpty:
			if depth == 0 && onTop != nil {
				onTop(p, end, name)
			}
			if kind == markStart {
				if depth == len(stack) {
					return safe, walkBad
				}
				stack[depth] = name
				depth++
			}
		case markEnd:
			if depth == 0 {
				return safe, walkRootEnd
			}
			depth--
			if string(stack[depth]) != string(name) {
				return safe, walkBad
			}
		}
		pos = end
		if depth == 0 {
			safe = pos
		}
	}
}

// nextMarkup reads the markup at b[p] (a '<'): its kind, its end (just after it) and,
// for tags, the element name.
func nextMarkup(b []byte, p int) (kind markup, end int, name []byte) {
	if p+1 >= len(b) {
		return markIncomplete, 0, nil
	}
	switch b[p+1] {
	case '/':
		j := bytes.IndexByte(b[p:], '>')
		if j < 0 {
			return markIncomplete, 0, nil
		}
		name = b[p+2 : p+j]
		for len(name) > 0 && isXMLSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		if !xmlName(name) {
			return markBad, 0, nil
		}
		return markEnd, p + j + 1, name
	case '!':
		return skipMarkup(b, p)
	case '?':
		return markBad, 0, nil // a processing instruction inside the root: encoding/xml decides
	}
	n := p + 1
	for n < len(b) && nameByte(b[n]) {
		n++
	}
	if n >= len(b) {
		return markIncomplete, 0, nil
	}
	name = b[p+1 : n]
	if !xmlName(name) || !(isXMLSpace(b[n]) || b[n] == '/' || b[n] == '>') {
		return markBad, 0, nil
	}
	e := tagEnd(b, n)
	switch {
	case e == -1:
		return markIncomplete, 0, nil
	case e < 0:
		return markBad, 0, nil
	case b[e-2] == '/':
		return markEmpty, e, name
	}
	return markStart, e, name
}

// skipMarkup reads a comment or a CDATA section at b[p] ("<!").
func skipMarkup(b []byte, p int) (markup, int, []byte) {
	const comment, cdata = "<!--", "<![CDATA["
	rest := b[p:]
	switch {
	case bytes.HasPrefix(rest, []byte(comment)):
		k := bytes.Index(rest[len(comment):], []byte("--"))
		if k < 0 || len(comment)+k+2 >= len(rest) {
			return markIncomplete, 0, nil
		}
		if rest[len(comment)+k+2] != '>' {
			return markBad, 0, nil // "--" inside a comment
		}
		return markSkip, p + len(comment) + k + 3, nil
	case bytes.HasPrefix(rest, []byte(cdata)):
		k := bytes.Index(rest[len(cdata):], []byte("]]>"))
		if k < 0 {
			return markIncomplete, 0, nil
		}
		return markSkip, p + len(cdata) + k + 3, nil
	case len(rest) < len(cdata) && (bytes.HasPrefix([]byte(comment), rest) || bytes.HasPrefix([]byte(cdata), rest)):
		return markIncomplete, 0, nil
	}
	return markBad, 0, nil // a DOCTYPE or another declaration: encoding/xml decides
}

// tagEnd returns the offset just after the '>' that ends the tag whose attributes start
// at b[n], -1 when the data ends first, -2 when a '<' appears (never valid in a tag).
func tagEnd(b []byte, n int) int {
	j := bytes.IndexByte(b[n:], '>')
	if j < 0 {
		return -1
	}
	seg := b[n : n+j]
	// Usually no apostrophe and an even number of quotes: this '>' is outside any value.
	if bytes.IndexByte(seg, '\'') < 0 && bytes.Count(seg, []byte{'"'})%2 == 0 {
		if bytes.IndexByte(seg, '<') >= 0 {
			return -2
		}
		return n + j + 1
	}
	var q byte
	for k := n; k < len(b); k++ {
		switch c := b[k]; {
		case c == '<':
			return -2
		case q != 0:
			if c == q {
				q = 0
			}
		case c == '"' || c == '\'':
			q = c
		case c == '>':
			return k + 1
		}
	}
	return -1
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func nameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':'
}

// xmlName accepts the plain ASCII names the walk handles (no namespace prefix).
func xmlName(n []byte) bool {
	if len(n) == 0 || !(n[0] >= 'a' && n[0] <= 'z' || n[0] >= 'A' && n[0] <= 'Z' || n[0] == '_') {
		return false
	}
	for _, c := range n {
		if !nameByte(c) || c == ':' {
			return false
		}
	}
	return true
}

// sampleAttrs reads the attributes of a sample's start tag in place.
type sampleAttrs struct {
	vals [4][]byte // ts, t, s, lb: nil when absent
	buf  [4][]byte // decoded values with entities
}

var sampleAttrNames = [4]string{"ts", "t", "s", "lb"}

// read reads a start tag; false means the tag holds something encoding/xml must read
// (an attribute without a quoted value, a name with a namespace prefix, an entity other
// than the five predefined and character references, a carriage return, a non-ASCII or
// control byte in a value perfgate reads, an entity in one it does not).
func (sa *sampleAttrs) read(tag []byte) bool {
	sa.vals = [4][]byte{}
	i := 1
	for i < len(tag) && nameByte(tag[i]) {
		i++
	}
	for {
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		switch {
		case i >= len(tag):
			return false
		case tag[i] == '>' && i == len(tag)-1, tag[i] == '/' && i == len(tag)-2 && tag[i+1] == '>':
			return true
		}
		k := i
		for k < len(tag) && nameByte(tag[k]) {
			k++
		}
		name := tag[i:k]
		for k < len(tag) && isXMLSpace(tag[k]) {
			k++
		}
		if !xmlName(name) || k >= len(tag) || tag[k] != '=' {
			return false
		}
		for k++; k < len(tag) && isXMLSpace(tag[k]); k++ {
		}
		if k >= len(tag) || tag[k] != '"' && tag[k] != '\'' {
			return false
		}
		e := bytes.IndexByte(tag[k+1:], tag[k])
		if e < 0 {
			return false
		}
		val := tag[k+1 : k+1+e]
		if !sa.value(name, val) {
			return false
		}
		i = k + e + 2
	}
}

// value keeps the value of a wanted attribute (the last one wins, as in a map).
func (sa *sampleAttrs) value(name, val []byte) bool {
	for w, n := range sampleAttrNames {
		if string(name) != n {
			continue
		}
		v, ok := xmlUnescape(val, sa.buf[w][:0])
		if !ok {
			return false
		}
		if len(v) > 0 && &v[0] != &val[0] {
			sa.buf[w] = v
		}
		sa.vals[w] = v
		return true
	}
	return bytes.IndexByte(val, '&') < 0
}

// xmlUnescape decodes an attribute value as encoding/xml does: the five predefined
// entities and character references; ok is false for anything it leaves to encoding/xml
// (other entities, carriage returns, control and non-ASCII bytes, characters XML does
// not allow). Without entities it returns val itself; else the value appended to buf.
func xmlUnescape(val, buf []byte) ([]byte, bool) {
	amp := -1
	for i, c := range val {
		switch {
		case c == '&':
			if amp < 0 {
				amp = i
			}
		case c < 0x20 && c != '\t' && c != '\n', c >= 0x80:
			return nil, false
		}
	}
	if amp < 0 {
		return val, true
	}
	out := append(buf, val[:amp]...)
	for rest := val[amp:]; len(rest) > 0; {
		if rest[0] != '&' {
			j := bytes.IndexByte(rest, '&')
			if j < 0 {
				j = len(rest)
			}
			out, rest = append(out, rest[:j]...), rest[j:]
			continue
		}
		semi := bytes.IndexByte(rest, ';')
		if semi < 0 {
			return nil, false
		}
		r, ok := xmlEntity(rest[1:semi])
		if !ok {
			return nil, false
		}
		out, rest = utf8.AppendRune(out, r), rest[semi+1:]
	}
	return out, true
}

// xmlEntity decodes an entity name or character reference (without & and ;).
func xmlEntity(e []byte) (rune, bool) {
	switch string(e) {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if len(e) < 2 || e[0] != '#' {
		return 0, false
	}
	digits, base := e[1:], int64(10)
	if digits[0] == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 8 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		var d int64
		switch {
		case c >= '0' && c <= '9':
			d = int64(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = int64(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = int64(c-'A') + 10
		default:
			return 0, false
		}
		n = n*base + d
	}
	r := rune(n)
	if n > utf8.MaxRune {
		return 0, false
	}
	if r >= 0xD800 && r <= 0xDFFF {
		r = utf8.RuneError // string(rune(n)), as encoding/xml does
	}
	// The characters XML allows (encoding/xml refuses the others).
	ok := r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= utf8.MaxRune
	return r, ok
}
