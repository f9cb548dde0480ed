package loadtest

import (
	"bytes"
	"encoding/binary"
	"math/bits"
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
	markDecl  // an XML declaration (<?xml …?>): a new document starts (a run appended)
	markCut   // a tag cut short by an XML declaration: end is where the declaration starts
)

// walkXML walks data, which starts inside the root between top-level elements. It calls
// onTop (when not nil) with the bounds and the name of every top-level start tag (with
// nested, of every start tag), and returns safe, the furthest offset at which the walk
// was between top-level elements with everything before it complete, and why it stopped.
//
// An XML declaration is where JMeter appended a run to a file whose previous run was
// killed (no end tag to trim): whatever was open is abandoned, and the new root's start
// tag is passed over. A start tag cut short by it is passed to onTop with start == end
// (a sample lost; with nested, at any depth).
func walkXML(data []byte, nested bool, onTop func(start, end int, name []byte)) (safe int, status walkStatus) {
	var stack [32][]byte
	depth, pos := 0, 0 // depth counts the elements open below the root
	needRoot := false  // after a declaration, before the new root's start tag
	for {
		i := bytes.IndexByte(data[pos:], '<')
		if i < 0 {
			if depth > 0 || needRoot {
				return safe, walkIncomplete
			}
			return len(data), walkDone // text between top-level elements is ignored
		}
		p := pos + i
		if depth == 0 && !needRoot {
			safe = p
		}
		kind, end, name := nextMarkup(data, p)
		switch kind {
		case markIncomplete:
			return safe, walkIncomplete
		case markBad:
			return safe, walkBad
		case markDecl:
			depth, needRoot = 0, true
		case markCut:
			if (depth == 0 || nested) && onTop != nil && name != nil {
				onTop(p, p, name)
			}
		case markStart, markEmpty:
			if needRoot {
				if kind == markEmpty {
					return safe, walkBad // a root without samples: encoding/xml decides
				}
				needRoot = false
				break
			}
			if (depth == 0 || nested) && onTop != nil {
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
				if needRoot {
					return safe, walkBad
				}
				return safe, walkRootEnd
			}
			depth--
			if string(stack[depth]) != string(name) {
				return safe, walkBad
			}
		}
		pos = end
		if depth == 0 && !needRoot {
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
		if k := bytes.IndexByte(name, '<'); k >= 0 {
			return cutBy(b, p+2+k, nil) // an end tag cut short
		}
		for len(name) > 0 && isXMLSpace(name[len(name)-1]) {
			name = name[:len(name)-1]
		}
		return markEnd, p + j + 1, name // checked against the start tag's name
	case '!':
		return skipMarkup(b, p)
	case '?':
		return xmlDecl(b, p)
	}
	n := p + 1
	for n < len(b) && xmlNameChar[b[n]] {
		n++
	}
	if n >= len(b) {
		return markIncomplete, 0, nil
	}
	name = b[p+1 : n]
	if c := b[p+1]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
		return markBad, 0, nil // not a name
	}
	if b[n] == '<' {
		return cutBy(b, n, name)
	}
	if !(isXMLSpace(b[n]) || b[n] == '/' || b[n] == '>') {
		return markBad, 0, nil // a name with a namespace prefix
	}
	e := tagEnd(b, n)
	switch {
	case e == -1:
		return markIncomplete, 0, nil
	case e < 0:
		return cutBy(b, n+bytes.IndexByte(b[n:], '<'), name)
	case b[e-2] == '/':
		return markEmpty, e, name
	}
	return markStart, e, name
}

// isDeclStart reports whether b starts with an XML declaration: "<?xml" and a space.
func isDeclStart(b []byte) bool {
	return len(b) > 5 && string(b[:5]) == "<?xml" && isXMLSpace(b[5])
}

// cutBy reads the markup whose tag or name was cut at b[at] (a '<'): a tag cut short
// where JMeter wrote an XML declaration (a run killed while writing it, then another
// appended) is markCut, ending there; anything else is not XML (markBad).
func cutBy(b []byte, at int, name []byte) (markup, int, []byte) {
	switch rest := b[at:]; {
	case isDeclStart(rest):
		return markCut, at, name
	case len(rest) < 6 && bytes.HasPrefix([]byte("<?xml "), rest):
		return markIncomplete, 0, nil
	}
	return markBad, 0, nil
}

// xmlDecl reads the processing instruction at b[p] ("<?"): an XML declaration, which
// encoding/xml accepts (version 1.0, UTF-8), is markDecl; any other is left to
// encoding/xml (markBad).
func xmlDecl(b []byte, p int) (markup, int, []byte) {
	if !isDeclStart(b[p:]) {
		if len(b)-p < 6 && bytes.HasPrefix([]byte("<?xml "), b[p:]) {
			return markIncomplete, 0, nil
		}
		return markBad, 0, nil
	}
	k := bytes.Index(b[p:], []byte("?>"))
	if k < 0 {
		return markIncomplete, 0, nil
	}
	end := p + k + 2
	if !declAccepted(b[p:end]) {
		return markBad, 0, nil
	}
	return markDecl, end, nil
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
	for i < len(tag) && xmlNameChar[tag[i]] {
		i++
	}
	if bytes.IndexByte(tag, '\'') >= 0 {
		return sa.readQuotes(tag, i)
	}
	// Only double quotes: the values are between the quotes, found eight bytes at a time.
	amp := bytes.IndexByte(tag, '&') >= 0
	const lo7 = 0x7F7F7F7F7F7F7F7F
	prev, open, first := i, -1, true
	for j := i; j < len(tag); j += 8 {
		var m uint64 // the high bit of each byte that is a quote
		if j+8 <= len(tag) {
			y := binary.LittleEndian.Uint64(tag[j:]) ^ 0x2222222222222222
			m = ^((y&lo7 + lo7) | y | lo7)
		} else {
			for k := j; k < len(tag); k++ {
				if tag[k] == '"' {
					m |= 0x80 << (8 * (k - j))
				}
			}
		}
		for ; m != 0; m &= m - 1 {
			q := j + bits.TrailingZeros64(m)/8
			if open < 0 {
				open = q
				continue
			}
			if !sa.attr(tag[prev:open], tag[open+1:q], first, amp) {
				return false
			}
			prev, open, first = q+1, -1, false
		}
	}
	return open < 0 && tagClose(tag[prev:])
}

// attr reads one attribute: what precedes its value (seg: spaces, the name, "=") and
// the value.
func (sa *sampleAttrs) attr(seg, val []byte, first, amp bool) bool {
	var name []byte
	switch n := len(seg); {
	case (n == 3 || n == 4) && seg[0] == ' ' && seg[n-1] == '=' && isLetter(seg[1]) && isLetter(seg[n-2]):
		name = seg[1 : n-1] // the usual " t=", " ts=" (JMeter's names have two letters)
	case longName(seg):
		return !amp || bytes.IndexByte(val, '&') < 0 // not read: not checked further
	default:
		var ok bool
		if name, ok = attrName(seg, first); !ok {
			return false
		}
	}
	return sa.value(name, val, amp)
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

// longName reports the usual " name=" before a value, with a single name of three
// characters or more: an attribute perfgate does not read (its name is not checked
// further: any bytes but space and "=").
func longName(seg []byte) bool {
	n := len(seg)
	if n <= 4 || !isXMLSpace(seg[0]) || seg[n-1] != '=' {
		return false
	}
	for _, c := range seg[1 : n-1] {
		if c == '=' || isXMLSpace(c) {
			return false
		}
	}
	return true
}

// attrName reads what precedes a value: spaces (required before the first attribute),
// the name, "=" (with spaces around it).
func attrName(seg []byte, first bool) ([]byte, bool) {
	j := 0
	for j < len(seg) && isXMLSpace(seg[j]) {
		j++
	}
	if first && j == 0 || j >= len(seg) || !(seg[j] >= 'a' && seg[j] <= 'z' || seg[j] >= 'A' && seg[j] <= 'Z' || seg[j] == '_') {
		return nil, false
	}
	start := j
	for j < len(seg) && xmlNameChar[seg[j]] {
		j++
	}
	name := seg[start:j]
	for j < len(seg) && isXMLSpace(seg[j]) {
		j++
	}
	if j >= len(seg) || seg[j] != '=' {
		return nil, false
	}
	for j++; j < len(seg) && isXMLSpace(seg[j]); j++ {
	}
	return name, j == len(seg)
}

// tagClose reports whether rest is the end of a start tag: spaces, then ">" or "/>".
func tagClose(rest []byte) bool {
	for len(rest) > 0 && isXMLSpace(rest[0]) {
		rest = rest[1:]
	}
	return string(rest) == ">" || string(rest) == "/>"
}

// readQuotes is read for tags with single-quoted values: one attribute after the other.
func (sa *sampleAttrs) readQuotes(tag []byte, i int) bool {
	amp := bytes.IndexByte(tag, '&') >= 0
	for first := true; ; first = false {
		k := i
		for k < len(tag) && tag[k] != '=' && tag[k] != '>' && tag[k] != '"' && tag[k] != '\'' {
			k++
		}
		if k >= len(tag) || tag[k] != '=' {
			return tagClose(tag[i:]) // no more attributes
		}
		for k++; k < len(tag) && isXMLSpace(tag[k]); k++ {
		}
		if k >= len(tag) || tag[k] != '"' && tag[k] != '\'' {
			return false
		}
		name, ok := attrName(tag[i:k], first)
		e := quoteEnd(tag, k+1, tag[k])
		if !ok || e < 0 || !sa.value(name, tag[k+1:e], amp) {
			return false
		}
		i = e + 1
	}
}

// quoteEnd returns the index of the quote q that closes a value starting at b[i], or -1.
func quoteEnd(b []byte, i int, q byte) int {
	for j := i; j < len(b) && j < i+16; j++ { // most values are short: no call
		if b[j] == q {
			return j
		}
	}
	if i+16 >= len(b) {
		return -1
	}
	if e := bytes.IndexByte(b[i+16:], q); e >= 0 {
		return i + 16 + e
	}
	return -1
}

// xmlNameChar marks the bytes of the plain ASCII names the walk handles (no ':').
var xmlNameChar = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
	}
	return t
}()

// value keeps the value of a wanted attribute (the last one wins, as in a map). amp
// tells whether the tag has an ampersand at all.
func (sa *sampleAttrs) value(name, val []byte, amp bool) bool {
	var w int
	switch string(name) {
	case "ts":
		w = 0
	case "t":
		w = 1
	case "s":
		w = 2
	case "lb":
		w = 3
	default:
		return !amp || bytes.IndexByte(val, '&') < 0
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

// xmlUnescape decodes an attribute value as encoding/xml does: the five predefined
// entities and character references; ok is false for anything it leaves to encoding/xml
// (other entities, carriage returns, control and non-ASCII bytes, characters XML does
// not allow). Without entities it returns val itself; else the value appended to buf.
func xmlUnescape(val, buf []byte) ([]byte, bool) {
	i := 0
	for ; i+8 <= len(val); i += 8 { // plain runs of eight bytes: nothing to decode
		x := binary.LittleEndian.Uint64(val[i:])
		if below(x, 0x20)|x&swarHi|hasByte(x, '&') != 0 {
			break
		}
	}
	if i == len(val) {
		return val, true
	}
	amp := -1
	for ; i < len(val); i++ {
		switch c := val[i]; {
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
