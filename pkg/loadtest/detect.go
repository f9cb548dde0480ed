package loadtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// Format names an input format; the names are the values of the --format flag.
type Format string

// The formats this package reads.
const (
	FormatAuto          Format = ""
	FormatLocustStats   Format = "locust-stats"   // Locust PREFIX_stats.csv / _requests.csv, every header generation
	FormatLocustHistory Format = "locust-history" // Locust PREFIX_stats_history.csv (last row per endpoint)
	FormatLocustJSON    Format = "locust-json"    // Locust --json / --json-file (StatsEntry list with histograms)
	FormatLocustWeb     Format = "locust-web"     // Locust web UI GET /stats/requests
	FormatSummary       Format = "summary"        // {"svc": {"name","requests","failures","median","average","min","max","rps"}}
	FormatNormalized    Format = "normalized"     // perfgate / Python-script normalized metrics (README, "Normalized metrics")

	FormatJMeterCSV        Format = "jmeter-csv"        // JMeter CSV JTL, with or without header
	FormatJMeterXML        Format = "jmeter-xml"        // JMeter XML JTL
	FormatJMeterStatistics Format = "jmeter-statistics" // JMeter dashboard statistics.json
	FormatK6Summary        Format = "k6-summary"        // k6 --summary-export / handleSummary data / new machine-readable summary
	FormatK6JSON           Format = "k6-json"           // k6 --out json (NDJSON)
	FormatK6CSV            Format = "k6-csv"            // k6 --out csv
	FormatGatlingLog       Format = "gatling-log"       // Gatling text simulation.log (2.x–3.12)
	FormatGatlingStats     Format = "gatling-stats"     // Gatling global_stats.json / stats.json (≤ 3.13.4)
	FormatVegetaReport     Format = "vegeta-report"     // vegeta report -type=json
	FormatVegetaCSV        Format = "vegeta-csv"        // vegeta encode --to csv
	FormatVegetaJSON       Format = "vegeta-json"       // vegeta encode --to json (NDJSON)
	FormatVegetaGob        Format = "vegeta-gob"        // vegeta attack's own output (gob), the default
	FormatHey              Format = "hey"               // hey -o csv
	FormatArtillery        Format = "artillery"         // artillery run --output (v2, and 1.x legacy)
)

// reader is one input format: its name, the load tool that writes it, how to recognize
// it and how to read it. Each format lives in its own file (locust_stats.go, hey.go…)
// with its Detect and Read functions.
type reader struct {
	Name Format
	Tool string // the load tool that writes the format
	Doc  bool   // a JSON document read whole (a summary); the other formats stream
	// Detect recognizes the format from the start of the input (see sniff).
	Detect func(s *sniff) bool
	// Read reads the input's rows into sink. Raw-sample formats report the malformed
	// records they skipped; the other formats fail on a malformed row instead.
	Read func(in *Input, sink Sink) (Skips, error)
}

// readers is the table of formats, in the order --format's help lists them; adding a
// format is one file and one row here. Detection takes the first row whose Detect
// matches; detectors are written so that no two of them match the same file (a test
// checks it on every fixture), so the order only matters for --format's help.
var readers = []reader{
	{FormatLocustStats, "locust", false, detectLocustStats, readLocustStats},
	{FormatLocustHistory, "locust", false, detectLocustHistory, readLocustHistory},
	{FormatLocustJSON, "locust", true, detectLocustJSON, readLocustJSON},
	{FormatLocustWeb, "locust", true, detectLocustWeb, readLocustWeb},
	{FormatSummary, "summary", true, detectSummary, readSummary},
	{FormatNormalized, "normalized", true, detectNormalized, nil}, // passed through by the metrics package
	{FormatJMeterCSV, "jmeter", false, detectJMeterCSV, readJMeterCSV},
	{FormatJMeterXML, "jmeter", false, detectJMeterXML, readJMeterXML},
	{FormatJMeterStatistics, "jmeter", true, detectJMeterStatistics, readJMeterStatistics},
	{FormatK6Summary, "k6", true, detectK6Summary, readK6Summary},
	{FormatK6JSON, "k6", false, detectK6JSON, readK6JSON},
	{FormatK6CSV, "k6", false, detectK6CSV, readK6CSV},
	{FormatGatlingLog, "gatling", false, detectGatlingLog, readGatlingLog},
	{FormatGatlingStats, "gatling", true, detectGatlingStats, readGatlingStats},
	{FormatVegetaReport, "vegeta", true, detectVegetaReport, readVegetaReport},
	{FormatVegetaCSV, "vegeta", false, detectVegetaCSV, readVegetaCSV},
	{FormatVegetaJSON, "vegeta", false, detectVegetaJSON, readVegetaJSON},
	{FormatVegetaGob, "vegeta", false, detectVegetaGob, readVegetaGob},
	{FormatHey, "hey", false, detectHey, readHey},
	{FormatArtillery, "artillery", true, detectArtillery, readArtillery},
}

func lookup(f Format) *reader {
	for i := range readers {
		if readers[i].Name == f {
			return &readers[i]
		}
	}
	return nil
}

// Formats returns every format name accepted by ParseFormat, in a stable order.
func Formats() []string {
	out := make([]string, len(readers))
	for i, r := range readers {
		out[i] = string(r.Name)
	}
	return out
}

// ParseFormat checks a --format value; "" and "auto" mean detection by content.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return FormatAuto, nil
	}
	if r := lookup(Format(s)); r != nil {
		return r.Name, nil
	}
	return "", fmt.Errorf("unknown format %q (known: auto, %s)", s, strings.Join(Formats(), ", "))
}

// ToolOf returns the load tool that writes format f: "locust" for "locust-stats", "k6"
// for "k6-json", "jmeter" for "jmeter-xml". For a name this package does not know (a file
// written by another version) it returns the name itself, so that two unknown formats
// never pass for the same tool.
func ToolOf(f Format) string {
	if r := lookup(f); r != nil {
		return r.Tool
	}
	return string(f)
}

// SketchPercentiles tells whether the percentiles a format holds are estimates of a
// sketch rather than computed from the samples: Artillery reports DDSketch quantiles
// (within 1 % relative error), which a comparison must allow for.
func SketchPercentiles(f Format) bool { return f == FormatArtillery }

// Input is an opened result file whose format is known.
type Input struct {
	File   string
	Format Format
	opt    Options
	br     *bufio.Reader // streamed formats: positioned at the start, BOM removed
	doc    []byte        // JSON documents: the whole document
	runs   []Run         // raw-sample formats with timestamps: the runs read (Runs)
	// escaped are the strings of a JSON document that were not UTF-8, escaped, with
	// their lines (encoding.go)
	escaped map[string]int

	notes     []string // what reading found worth telling (Notes)
	durationS float64  // the test duration the input states (DurationS)
}

// Notes returns what reading the input found worth telling the user, once Rows has
// returned: how a layout was read ("only Aggregated rows: …"), a figure that could not
// be derived, names that are not UTF-8. Each note is one line that starts with the file
// name (and the line, where there is one).
func (in *Input) Notes() []string { return in.notes }

// note adds a note about the whole file.
func (in *Input) note(format string, args ...any) {
	in.notes = append(in.notes, in.File+": "+fmt.Sprintf(format, args...))
}

// DurationS returns the test duration in seconds that the input itself states (a
// dashboard's own figure), once Rows has returned; 0 when it states none, and callers
// derive the duration from rates or time spans.
func (in *Input) DurationS() float64 { return in.durationS }

// Options adjusts how inputs are read.
type Options struct {
	// Format forces the format; FormatAuto detects it by content.
	Format Format
	// Name is the endpoint name of inputs that hold a single endpoint or only the whole
	// test (hey, Vegeta and k6 summaries, Vegeta results before 12.8, Artillery without
	// per-endpoint metrics, a Locust history without --csv-full-history). Default "all".
	Name string
	// JTLColumns is the column list of a JMeter CSV JTL written without a header.
	JTLColumns []string
	// SubResults says how JMeter sub-results are read (default: folded into their parent).
	SubResults SubResults
	// Run, when set, is one of the runs that Runs found on a first reading of the same
	// input: only its requests are read (those that start within its span), and the
	// chunks before its first request are not parsed.
	Run *Run

	chunkSize int // block size of the parallel readers (tests make it tiny); 0 is the default
	jtlWindow int // lines between a CSV JTL sub-result and its parent at most (tests make it tiny); 0 is jtlWindow
}

// SubResults says how the sub-results of a JMeter sample are read.
type SubResults string

// The ways of reading JMeter sub-results.
const (
	// SubResultsFold counts a sample once, with its sub-results inside it (JMeter's own
	// totals and perfgate's default): CSV rows "<label>-<n>" written after their parent
	// and nested XML samples are not counted again.
	SubResultsFold SubResults = "fold"
	// SubResultsSeparate counts every sub-result under its own label as well, as JMeter's
	// HTML dashboard (statistics.json) does.
	SubResultsSeparate SubResults = "separate"
)

// ParseSubResults checks a --jtl-subresults value ("" is fold).
func ParseSubResults(s string) (SubResults, error) {
	switch SubResults(s) {
	case "", SubResultsFold:
		return SubResultsFold, nil
	case SubResultsSeparate:
		return SubResultsSeparate, nil
	}
	return "", fmt.Errorf("want fold or separate, got %q", s)
}

func (o Options) separate() bool { return o.SubResults == SubResultsSeparate }

// Appends tells whether the tool that writes format f appends to an existing result file
// by default, so that one file may hold several runs: JMeter (-l without -f), for its
// CSV and XML JTLs. The other raw formats are written anew by each run.
func Appends(f Format) bool { return f == FormatJMeterCSV || f == FormatJMeterXML }

func (o Options) name() string {
	if o.Name == "" {
		return "all"
	}
	return o.Name
}

// pipeline is the parallel reading of the rest of a streamed input; for one run
// (Options.Run), from the chunk of its first request on.
func (in *Input) pipeline(firstLine int, cut cutFunc) pipeline {
	p := pipeline{r: in.br, size: in.opt.chunkSize, firstLine: firstLine, cut: cut}
	if r := in.opt.Run; r != nil && r.from.offset > 0 {
		if _, err := in.br.Discard(int(r.from.offset)); err != nil {
			p.r = errReader{fmt.Errorf("the file changed since it was first read: %w", err)}
		}
		p.firstLine = r.from.line
	}
	return p
}

// errReader is a reader that fails.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// maxJSONSize bounds the JSON documents read whole (summaries, not raw samples).
const maxJSONSize = 512 << 20

// Open reads enough of r to know its format (or checks the forced one) and returns an
// Input ready for Rows. file is used in messages only. Gzip-compressed input (k6 .gz
// outputs, or any other) is decompressed transparently.
func Open(r io.Reader, file string, opt Options) (*Input, error) {
	br, err := startOf(r, file)
	if err != nil {
		return nil, err
	}
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, fileerr.Wrap(file, err)
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &fileerr.Error{File: file, Msg: "file is empty"}
	}
	in := &Input{File: file, Format: opt.Format, opt: opt, br: br}
	s := newSniff(head)
	if in.Format == FormatAuto {
		if detectVegetaGob(s) { // the one binary format read
			in.Format = FormatVegetaGob
			return in, nil
		}
		if err := notText(head, file); err != nil {
			return nil, err
		}
		in.Format = detect(s, false)
	}
	if r := lookup(in.Format); in.Format != FormatAuto && (r == nil || !r.Doc) {
		return in, nil
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		if in.Format == FormatAuto {
			return nil, &fileerr.Error{File: file, Line: 1, Msg: fmt.Sprintf("unrecognized format (first line %q); use --format (known: %s)", shorten(strings.TrimSpace(s.first), 80), strings.Join(Formats(), ", "))}
		}
		return nil, &fileerr.Error{File: file, Line: 1, Msg: fmt.Sprintf("not a JSON document, as format %s requires", in.Format)}
	}
	if in.doc, err = readDocument(br, file); err != nil {
		return nil, err
	}
	if !utf8.Valid(in.doc) {
		in.doc, in.escaped = escapeInvalidJSON(in.doc)
	}
	in.br = nil
	if in.Format == FormatAuto {
		if err := decodeJSON(in.doc, file, &s.doc); err != nil {
			return nil, err
		}
		if in.Format = detect(s, true); in.Format == FormatAuto {
			return nil, &fileerr.Error{File: file, Msg: "unrecognized JSON format (not a Locust, k6, JMeter, Gatling, Vegeta or Artillery result, a per-service summary or normalized metrics); use --format"}
		}
	}
	return in, nil
}

// notText refuses binary input and UTF-16 text with a message that says what it is.
func notText(head []byte, file string) error {
	switch {
	case gatlingBinary(head):
		return &fileerr.Error{File: file, Msg: "binary simulation.log (Gatling ≥ 3.13) is not supported; use the report's stats.json or Gatling < 3.13"}
	case utf16Text(head):
		return &fileerr.Error{File: file, Msg: "the file is UTF-16 text (a Windows \"Unicode\" export); save it as UTF-8, e.g. iconv -f UTF-16 -t UTF-8"}
	case bytes.IndexByte(head[:min(len(head), 512)], 0x00) >= 0:
		return &fileerr.Error{File: file, Msg: fmt.Sprintf("not a recognized format: binary data (NUL bytes) in the first bytes; use --format (known: %s)", strings.Join(Formats(), ", "))}
	}
	return nil
}

// gatlingBinary tells whether head starts like Gatling ≥ 3.13's binary simulation.log:
// a Run record (header byte 0) whose first field, the Gatling version, is a Java string
// (big-endian int32 length, then that many bytes) such as "3.13.1".
func gatlingBinary(head []byte) bool {
	if len(head) < 5 || head[0] != 0x00 {
		return false
	}
	n := int(binary.BigEndian.Uint32(head[1:5]))
	if n < 3 || n > 32 || len(head) < 5+n {
		return false
	}
	v := head[5 : 5+n]
	return v[0] >= '1' && v[0] <= '9' && bytes.IndexByte(v, '.') > 0 && bytes.Trim(v, "0123456789.-ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == nil
}

// utf16Text tells whether head is UTF-16 text: a UTF-16 byte order mark, or ASCII
// characters each next to a NUL byte.
func utf16Text(head []byte) bool {
	if len(head) >= 2 && (head[0] == 0xff && head[1] == 0xfe || head[0] == 0xfe && head[1] == 0xff) {
		return true
	}
	if len(head) < 8 {
		return false
	}
	le, be := true, true
	for i := 0; i+1 < 8; i += 2 {
		le = le && head[i] >= 0x09 && head[i] < 0x7f && head[i+1] == 0
		be = be && head[i] == 0 && head[i+1] >= 0x09 && head[i+1] < 0x7f
	}
	return le || be
}

// startOf buffers r, decompressing gzip and dropping a UTF-8 byte order mark.
func startOf(r io.Reader, file string) (*bufio.Reader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &fileerr.Error{File: file, Msg: "bad gzip data: " + err.Error()}
		}
		br = bufio.NewReaderSize(gzipChecked{zr, file}, 256<<10)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	return br, nil
}

// gzipChecked makes a damaged gzip stream an error of its own: gzip reports a file cut
// short as io.ErrUnexpectedEOF, which the readers take for the end of a file still being
// written (a JMeter XML JTL of a running test); a truncated or corrupt archive is never
// read as complete.
type gzipChecked struct {
	zr   *gzip.Reader
	file string
}

func (g gzipChecked) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	switch {
	case err == nil || err == io.EOF:
		return n, err
	case errors.Is(err, io.ErrUnexpectedEOF):
		return n, &fileerr.Error{File: g.file, Msg: "gzip data cut short: the file is truncated (was the copy or download complete?)"}
	}
	return n, &fileerr.Error{File: g.file, Msg: "bad gzip data: " + err.Error()}
}

func readDocument(br *bufio.Reader, file string) ([]byte, error) {
	doc, err := io.ReadAll(io.LimitReader(br, maxJSONSize+1))
	if err != nil {
		return nil, fileerr.Wrap(file, err)
	}
	if len(doc) > maxJSONSize {
		return nil, &fileerr.Error{File: file, Msg: fmt.Sprintf("JSON document larger than %d MB", maxJSONSize>>20)}
	}
	return doc, nil
}

// sniff is what detection looks at: the start of the input, its first line and, for a
// JSON document, the whole document decoded.
type sniff struct {
	raw   []byte                     // the first bytes as they are (binary formats)
	first string                     // the first non-blank line, without its line end
	line  map[string]json.RawMessage // first as a JSON object (NDJSON), else nil
	doc   any                        // the whole document (maps, slices, json.Number), once read
	cols  map[string]bool            // first as CSV header cells (normCol), lazily
}

// newSniff prepares the detection of an input from its first bytes.
func newSniff(head []byte) *sniff {
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	line, _, _ := bytes.Cut(trimmed, []byte("\n"))
	s := &sniff{raw: head, first: strings.TrimRight(string(line), "\r")}
	if strings.HasPrefix(s.first, "{") && json.Unmarshal([]byte(s.first), &s.line) != nil {
		s.line = nil // a pretty-printed document
	}
	return s
}

// header returns the first line as a CSV header: "" when it is JSON.
func (s *sniff) header() string {
	if strings.HasPrefix(s.first, "{") || strings.HasPrefix(s.first, "[") {
		return ""
	}
	return s.first
}

// hasCols reports whether the header has all the given cells (normalized by normCol).
func (s *sniff) hasCols(cells ...string) bool {
	if s.cols == nil {
		s.cols = map[string]bool{}
		for _, c := range strings.Split(s.header(), ",") {
			s.cols[normCol(c)] = true
		}
	}
	for _, c := range cells {
		if !s.cols[c] {
			return false
		}
	}
	return true
}

// object returns the document as a JSON object (nil when it is something else).
func (s *sniff) object() map[string]any {
	m, _ := s.doc.(map[string]any)
	return m
}

// detect returns the first format whose detector matches (documents only when docs).
func detect(s *sniff, docs bool) Format {
	for _, r := range readers {
		if (!docs || r.Doc) && r.Detect(s) {
			return r.Name
		}
	}
	return FormatAuto
}

// Rows streams the rows of the input to sink and reports the malformed records a
// raw-sample reader skipped. It must not be used for FormatNormalized, whose document
// (Document) is interpreted by the metrics package.
//
// Names that are not UTF-8 reach sink with their invalid bytes as \xNN, and Notes says
// so; a raw-sample input with timestamps tells afterwards the runs it holds (Runs).
func (in *Input) Rows(sink Sink) (Skips, error) {
	r := lookup(in.Format)
	if r == nil || r.Read == nil {
		return Skips{}, fmt.Errorf("%s: format %q has no rows", in.File, in.Format)
	}
	names := utf8Names{file: in.File, bad: Row{Line: -1}, escaped: in.escaped}
	skips, err := r.Read(in, names.sink(sink))
	if err == nil {
		in.notes = append(in.notes, names.notes()...)
	}
	return skips, err
}

// Runs returns, after Rows, the runs that the requests of a raw-sample input form (see
// runs.go): several when the file holds runs appended hours or days apart, one for a
// single run, none for a summary format or samples without timestamps.
func (in *Input) Runs() []Run { return in.runs }

// Document returns the whole JSON document of a JSON-format input (nil for CSV formats).
func (in *Input) Document() []byte { return in.doc }

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// child returns m[k] as an object (nil when absent or not an object).
func child(m map[string]any, k string) map[string]any {
	v, _ := m[k].(map[string]any)
	return v
}
