package loadtest

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// detectJMeterXML: an XML declaration or a testResults root.
func detectJMeterXML(s *sniff) bool {
	return strings.HasPrefix(s.first, "<?xml") || strings.HasPrefix(s.first, "<testResults")
}

// readJMeterXML reads an XML JTL. Only the top-level httpSample/sample elements count:
// nested sub-samples are part of their parent. A file cut short (no </testResults>) is
// read up to where it ends. An XML declaration mid-file starts a new root: a run that
// JMeter appended after a killed one (see xmlTokens).
//
// The straightforward reader is encoding/xml (xmlTokens). The fast one reads the prolog
// and the root's start tag with encoding/xml, then the top-level elements in parallel
// chunks, cut between top-level elements by a sequential walk of the markup (walkXML)
// that checks tags, end tags and comments as it goes; each worker walks its chunks again
// and reads the attributes of the samples' start tags in place (sampleAttrs), with
// encoding/xml as the fallback for a tag it does not handle. From the first thing the
// walk does not handle (a processing instruction other than an XML declaration, a
// DOCTYPE inside the root, an end
// tag that does not match, the root's end, a file cut short), the rest of the file is
// read by encoding/xml, as if the whole file had been. Text and the attributes that are
// not read are not validated: a JTL whose response data holds characters XML forbids
// is read, where a validating parser would refuse the whole file.
func readJMeterXML(in *Input, sink Sink) (Skips, error) {
	root, ok := xmlProlog(in.br)
	agg := in.newRawAgg()
	var left *rest
	if ok {
		var err error
		agg, left, err = parallel(in.pipeline(1+bytes.Count(root.before, []byte{'\n'}), xmlCutter(in.opt.separate())), in.newRawAgg, parseXMLChunk)
		if err != nil {
			return Skips{}, fileerr.Wrap(in.File, err)
		}
		if agg.fatal.msg != "" {
			return Skips{}, &fileerr.Error{File: in.File, Line: agg.fatal.line, Msg: agg.fatal.msg}
		}
	} else {
		left = &rest{r: in.br, line: 1}
	}
	if left != nil {
		// encoding/xml reads the rest, primed with the root's start tag (on one line).
		var r io.Reader = left.r
		lineOff := left.line - 1
		if ok {
			tag := bytes.Map(func(c rune) rune {
				if c == '\n' || c == '\r' {
					return ' '
				}
				return c
			}, root.tag)
			r = io.MultiReader(bytes.NewReader(tag), r)
		}
		agg.at = math.MaxInt64 // after every chunk
		if err := xmlTokens(r, agg, lineOff, in.opt.separate()); err != nil {
			return Skips{}, err
		}
	}
	return in.emit(agg, sink)
}

// xmlRoot is what precedes the top-level elements: the prolog and the root's start tag.
type xmlRoot struct {
	before []byte // everything up to the end of the root's start tag
	tag    []byte // the root's start tag
}

// xmlProlog reads the prolog and the root's start tag with encoding/xml from the head of
// the input, and consumes them. ok is false (nothing consumed) when the head is unusual:
// a DOCTYPE, a self-closing root, an error, or no root in the first 256 KB.
func xmlProlog(br interface {
	Peek(int) ([]byte, error)
	Discard(int) (int, error)
}) (xmlRoot, bool) {
	head, _ := br.Peek(256 << 10)
	dec := xml.NewDecoder(bytes.NewReader(head))
	dec.Strict = false
	for {
		start := dec.InputOffset()
		tok, err := dec.RawToken()
		if err != nil {
			return xmlRoot{}, false
		}
		switch t := tok.(type) {
		case xml.Directive:
			return xmlRoot{}, false
		case xml.StartElement:
			end := dec.InputOffset()
			tag := head[start:end]
			if bytes.HasSuffix(tag, []byte("/>")) || strings.Contains(t.Name.Local, ":") || t.Name.Space != "" {
				return xmlRoot{}, false
			}
			root := xmlRoot{before: append([]byte(nil), head[:end]...), tag: append([]byte(nil), tag...)}
			br.Discard(int(end))
			return root, true
		}
	}
}

// xmlTokens is the straightforward reader: encoding/xml's tokens, counting the
// httpSample/sample elements at depth 2 (with separate, the nested ones too: sub-results
// under their own label). An XML declaration after an element is where JMeter appended
// a run to a file whose previous run was killed (it writes the declaration and the root
// again when it finds no end tag to trim): a new document starts there, read by a new
// decoder (what the killed run left open is abandoned). An error after some samples that
// is only the file ending early is the end of a file JMeter was killed while writing; a
// sample whose start tag it cuts is skipped and said. lineOff is added to line numbers
// (the rest of a file after the parallel part).
func xmlTokens(r io.Reader, agg *rawAgg, lineOff int, separate bool) error {
	tail := &lastTag{r: r}
	br := bufio.NewReader(tail) // a ByteReader: a decoder reads no further than its tokens
	for {
		dec := xml.NewDecoder(br)
		dec.Strict = false
		again, err := xmlDocument(dec, tail, agg, lineOff, separate)
		if !again {
			return err
		}
		line, _ := dec.InputPos()
		lineOff += line - 1
	}
}

// xmlDocument reads the tokens of one document; again reports that another document
// starts where it stopped (an XML declaration after an element).
func xmlDocument(dec *xml.Decoder, tail *lastTag, agg *rawAgg, lineOff int, separate bool) (again bool, err error) {
	depth, seen := 0, false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return false, nil
		}
		if err != nil {
			line, _ := dec.InputPos()
			if len(agg.eps) > 0 && (errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF")) {
				if tail.sample() && (depth == 1 || separate && depth > 1) {
					agg.skip(line+lineOff-tail.lines, "the file ends inside a sample (a run killed?)")
				}
				return false, nil // JMeter killed mid-write
			}
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				se.Line += lineOff
			}
			return false, &fileerr.Error{File: agg.file, Line: line + lineOff, Msg: "invalid XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.ProcInst:
			if t.Target == "xml" && seen {
				return true, nil
			}
		case xml.StartElement:
			depth++
			seen = true
			if (depth == 2 || separate && depth > 2) && (t.Name.Local == "httpSample" || t.Name.Local == "sample") {
				line, _ := dec.InputPos()
				a := map[string]string{}
				for _, at := range t.Attr {
					a[at.Name.Local] = at.Value
				}
				addJTLSample(agg, line+lineOff, a["ts"], a["t"], a["s"], a["lb"])
			}
		case xml.EndElement:
			depth--
		}
	}
}

// lastTag reads through to r and keeps the start of the last markup read ('<' on), the
// newlines after it, and whether a '>' closes it: where a file cut short ends.
type lastTag struct {
	r      io.Reader
	head   [12]byte
	n      int  // bytes of head kept
	closed bool // a '>' follows the last '<'
	lines  int  // newlines after the last '<'
}

func (t *lastTag) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	data := p[:n]
	if i := bytes.LastIndexByte(data, '<'); i >= 0 {
		t.n, t.closed, t.lines = 0, false, 0
		data = data[i:]
	}
	t.n += copy(t.head[t.n:], data)
	t.closed = t.closed || bytes.IndexByte(data, '>') >= 0
	t.lines += bytes.Count(data, []byte{'\n'})
	return n, err
}

// sample reports whether the input ends inside the start tag of a sample.
func (t *lastTag) sample() bool {
	h := t.head[:t.n]
	for _, name := range []string{"<httpSample", "<sample"} {
		if len(h) > len(name) && string(h[:len(name)]) == name && isXMLSpace(h[len(name)]) {
			return !t.closed
		}
	}
	return false
}

// declAccepted reports whether encoding/xml reads decl, an XML declaration, without an
// error (it refuses versions other than 1.0 and encodings other than UTF-8).
func declAccepted(decl []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(decl))
	dec.Strict = false
	tok, err := dec.RawToken()
	pi, ok := tok.(xml.ProcInst)
	return err == nil && ok && pi.Target == "xml"
}

// addJTLSample adds the sample of an XML JTL element from its attributes.
func addJTLSample[T text](agg *rawAgg, line int, ts, t, s, lb T) {
	r, err := parseJTLRec(ts, t, s)
	if err != nil {
		agg.skip(line, err.Error())
		return
	}
	agg.line = line
	agg.add(nil, []byte(lb), r.latNs, r.failed, r.tsNs, r.tsNs+r.latNs)
}

// xmlCut cuts where the walk of the block last was between top-level elements, noting
// the bounds of the samples' start tags in the block's marks (pairs of offsets). It stops
// the parallel read where the walk meets what it does not handle or the root's end, and
// at the end of the input: encoding/xml reads the rest, so that the end of the file (the
// root's end tag, or a file cut short) is handled exactly as the straightforward reader
// handles it.
func xmlCut(b *block, eof bool) (int, bool) { return xmlCutNested(b, eof, false) }

// xmlCutter is xmlCut, noting the nested samples' start tags too when separate.
func xmlCutter(separate bool) cutFunc {
	if !separate {
		return xmlCut
	}
	return func(b *block, eof bool) (int, bool) { return xmlCutNested(b, eof, true) }
}

func xmlCutNested(b *block, eof, nested bool) (int, bool) {
	if len(b.data) > math.MaxInt32 { // an element of 2 GB: the offsets would not fit
		return 0, true
	}
	safe, status := walkXML(b.data, nested, func(start, end int, name []byte) {
		if string(name) == "httpSample" || string(name) == "sample" || start == end && sampleNamePrefix(name) {
			b.marks = append(b.marks, int32(start), int32(end))
		}
	})
	for len(b.marks) > 0 && int(b.marks[len(b.marks)-2]) >= safe {
		b.marks = b.marks[:len(b.marks)-2] // the samples after the cut: the next block's
	}
	if eof || status == walkBad || status == walkRootEnd {
		return safe, true
	}
	if safe == 0 {
		return -1, false
	}
	return safe, false
}

// sampleNamePrefix reports whether name may be the start of a sample's element name
// (that of a start tag cut short).
func sampleNamePrefix(name []byte) bool {
	return len(name) > 0 && (strings.HasPrefix("httpSample", string(name)) || strings.HasPrefix("sample", string(name)))
}

// parseXMLChunk aggregates the samples of a chunk: the start tags the cut noted (an
// empty one is a start tag cut short by a new run's XML declaration). Line numbers (for
// messages) are counted only when a sample needs one.
func parseXMLChunk(a *rawAgg, c chunk) {
	line, counted := c.firstLine, 0
	lineOf := func(end int) int {
		line += bytes.Count(c.data[counted:end], []byte{'\n'})
		counted = end
		return line
	}
	var sa sampleAttrs
	a.startChunk(c)
	defer a.endChunk()
	for i := 0; i+1 < len(c.marks); i += 2 {
		start, end := int(c.marks[i]), int(c.marks[i+1])
		tag := c.data[start:end]
		if start == end {
			a.skip(lineOf(end), "a sample cut short where the next run's XML declaration starts (a run killed, then another appended)")
			continue
		}
		if !sa.read(tag) {
			xmlSampleFallback(a, lineOf(end), tag)
			continue
		}
		r, err := parseJTLRec(sa.vals[0], sa.vals[1], sa.vals[2])
		if err != nil {
			a.skip(lineOf(end), err.Error())
			continue
		}
		a.add(nil, sa.vals[3], r.latNs, r.failed, r.tsNs, r.tsNs+r.latNs)
	}
}

// xmlSampleFallback reads a sample's start tag with encoding/xml.
func xmlSampleFallback(a *rawAgg, line int, tag []byte) {
	dec := xml.NewDecoder(bytes.NewReader(tag))
	dec.Strict = false
	tok, err := dec.RawToken()
	if err != nil {
		var se *xml.SyntaxError
		if errors.As(err, &se) {
			se.Line += line - bytes.Count(tag, []byte{'\n'}) - 1
		}
		a.fail(line, "invalid XML: "+err.Error())
		return
	}
	t, ok := tok.(xml.StartElement)
	if !ok { // cannot happen: the walk saw a start tag
		a.fail(line, "invalid XML: not a start tag")
		return
	}
	attrs := map[string]string{}
	for _, at := range t.Attr {
		attrs[at.Name.Local] = at.Value
	}
	addJTLSample(a, line, attrs["ts"], attrs["t"], attrs["s"], attrs["lb"])
}
