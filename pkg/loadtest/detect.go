package loadtest

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
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
	FormatNormalized    Format = "normalized"     // perfgate / Python-script normalized metrics (SPEC §3)

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
	FormatHey              Format = "hey"               // hey -o csv
	FormatArtillery        Format = "artillery"         // artillery run --output (v2, and 1.x legacy)
)

var formats = []Format{FormatLocustStats, FormatLocustHistory, FormatLocustJSON, FormatLocustWeb, FormatSummary, FormatNormalized,
	FormatJMeterCSV, FormatJMeterXML, FormatJMeterStatistics, FormatK6Summary, FormatK6JSON, FormatK6CSV,
	FormatGatlingLog, FormatGatlingStats, FormatVegetaReport, FormatVegetaCSV, FormatVegetaJSON, FormatHey, FormatArtillery}

// Formats returns every format name accepted by ParseFormat, in a stable order.
func Formats() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = string(f)
	}
	return out
}

// ParseFormat checks a --format value; "" and "auto" mean detection by content.
func ParseFormat(s string) (Format, error) {
	if s == "" || s == "auto" {
		return FormatAuto, nil
	}
	for _, f := range formats {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q (known: auto, %s)", s, strings.Join(Formats(), ", "))
}

// Input is an opened result file whose format is known.
type Input struct {
	File   string
	Format Format
	opt    Options
	br     *bufio.Reader // streamed formats: positioned at the start, BOM removed
	doc    []byte        // JSON documents: the whole document

	// Skipped counts malformed records that a raw-sample reader left out; FirstSkip
	// describes the first (file:line: reason). Set by Rows.
	Skipped   int
	FirstSkip string
}

// Options adjusts how inputs are read.
type Options struct {
	// Format forces the format; FormatAuto detects it by content.
	Format Format
	// Name is the endpoint name of inputs that hold a single endpoint or only the whole
	// test (hey, Vegeta and k6 summaries, Artillery without per-endpoint metrics).
	// Default "all".
	Name string
	// JTLColumns is the column list of a JMeter CSV JTL written without a header.
	JTLColumns []string
}

func (o Options) name() string {
	if o.Name == "" {
		return "all"
	}
	return o.Name
}

// maxJSONSize bounds the JSON documents read whole (summaries, not raw samples).
const maxJSONSize = 512 << 20

// Open reads enough of r to know its format (or checks the forced one) and returns an
// Input ready for Rows. file is used in messages only. Gzip-compressed input (k6 .gz
// outputs, or any other) is decompressed transparently.
func Open(r io.Reader, file string, opt Options) (*Input, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, &SyntaxError{File: file, Msg: "bad gzip data: " + err.Error()}
		}
		br = bufio.NewReaderSize(zr, 256<<10)
	}
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, err := br.Peek(64 << 10)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &SyntaxError{File: file, Msg: err.Error()}
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &SyntaxError{File: file, Msg: "file is empty"}
	}
	in := &Input{File: file, Format: opt.Format, opt: opt, br: br}
	if in.Format == FormatAuto {
		in.Format = detectStream(head, trimmed)
	}
	if in.Format == formatBinaryGatling {
		return nil, &SyntaxError{File: file, Msg: "binary simulation.log (Gatling ≥ 3.13) is not supported; use the report's stats.json or Gatling < 3.13"}
	}
	if in.Format == FormatAuto || isDocument(in.Format) {
		if trimmed[0] != '{' && trimmed[0] != '[' {
			if in.Format == FormatAuto {
				line, _, _ := bytes.Cut(trimmed, []byte("\n"))
				return nil, &SyntaxError{File: file, Line: 1, Msg: fmt.Sprintf("unrecognized format (first line %q); use --format (known: %s)", shorten(strings.TrimSpace(string(line)), 80), strings.Join(Formats(), ", "))}
			}
			return nil, &SyntaxError{File: file, Line: 1, Msg: fmt.Sprintf("not a JSON document, as format %s requires", in.Format)}
		}
		doc, err := io.ReadAll(io.LimitReader(br, maxJSONSize+1))
		if err != nil {
			return nil, &SyntaxError{File: file, Msg: err.Error()}
		}
		if len(doc) > maxJSONSize {
			return nil, &SyntaxError{File: file, Msg: fmt.Sprintf("JSON document larger than %d MB", maxJSONSize>>20)}
		}
		in.doc, in.br = doc, nil
		if in.Format == FormatAuto {
			if in.Format, err = detectJSON(doc, file); err != nil {
				return nil, err
			}
		}
	}
	return in, nil
}

// formatBinaryGatling is detected only to refuse it clearly.
const formatBinaryGatling Format = "gatling-binary"

// isDocument reports whether a format is a JSON document read whole (a summary, never
// raw samples); the others stream.
func isDocument(f Format) bool {
	switch f {
	case FormatLocustJSON, FormatLocustWeb, FormatSummary, FormatNormalized, FormatJMeterStatistics,
		FormatK6Summary, FormatGatlingStats, FormatVegetaReport, FormatArtillery:
		return true
	}
	return false
}

// detectStream recognizes the formats that stream (CSV, NDJSON, XML, text logs) from the
// first line; FormatAuto means "a JSON document, look at its structure".
func detectStream(head, trimmed []byte) Format {
	if head[0] == 0x00 {
		return formatBinaryGatling
	}
	line, _, _ := bytes.Cut(trimmed, []byte("\n"))
	first := strings.TrimRight(string(line), "\r")
	switch {
	case strings.HasPrefix(first, "<?xml") || strings.HasPrefix(first, "<testResults"):
		return FormatJMeterXML
	case strings.HasPrefix(first, "RUN\t") || strings.HasPrefix(first, "ASSERTION\t") || strings.HasPrefix(first, "USER\t") || strings.HasPrefix(first, "REQUEST\t"):
		return FormatGatlingLog
	case strings.HasPrefix(first, "{"):
		var obj map[string]json.RawMessage
		if json.Unmarshal([]byte(first), &obj) != nil {
			return FormatAuto // a pretty-printed document
		}
		_, hasType := obj["type"]
		_, hasMetric := obj["metric"]
		_, hasSeq := obj["seq"]
		_, hasLatency := obj["latency"]
		_, hasLatencies := obj["latencies"]
		switch {
		case hasType && (hasMetric || bytes.Contains(obj["type"], []byte(`"Metric"`))):
			return FormatK6JSON
		case hasSeq && hasLatency:
			return FormatVegetaJSON
		case hasLatencies:
			return FormatVegetaReport // one line per report; -every writes several
		}
		return FormatAuto
	case strings.HasPrefix(first, "["):
		return FormatAuto
	}
	return detectCSV(first)
}

// Rows streams the rows of the input to sink. It must not be used for FormatNormalized,
// whose document (Document) is interpreted by the metrics package.
func (in *Input) Rows(sink Sink) error {
	switch in.Format {
	case FormatJMeterCSV:
		return readJMeterCSV(in, sink)
	case FormatJMeterXML:
		return readJMeterXML(in, sink)
	case FormatJMeterStatistics:
		return readJMeterStatistics(in, sink)
	case FormatK6Summary:
		return readK6Summary(in, sink)
	case FormatK6JSON:
		return readK6JSON(in, sink)
	case FormatK6CSV:
		return readK6CSV(in, sink)
	case FormatGatlingLog:
		return readGatlingLog(in, sink)
	case FormatGatlingStats:
		return readGatlingStats(in, sink)
	case FormatVegetaReport:
		return readVegetaReport(in, sink)
	case FormatVegetaCSV:
		return readVegetaCSV(in, sink)
	case FormatVegetaJSON:
		return readVegetaJSON(in, sink)
	case FormatHey:
		return readHey(in, sink)
	case FormatArtillery:
		return readArtillery(in, sink)
	case FormatLocustStats:
		return readLocustStats(in.csvReader(), in.File, sink)
	case FormatLocustHistory:
		return readLocustHistory(in.csvReader(), in.File, sink)
	case FormatLocustJSON:
		return readLocustJSON(in.doc, in.File, sink)
	case FormatLocustWeb:
		return readLocustWeb(in.doc, in.File, sink)
	case FormatSummary:
		return readSummary(in.doc, in.File, sink)
	}
	return fmt.Errorf("%s: format %q has no rows", in.File, in.Format)
}

// Document returns the whole JSON document of a JSON-format input (nil for CSV formats).
func (in *Input) Document() []byte { return in.doc }

func (in *Input) csvReader() io.Reader {
	if in.br != nil {
		return in.br
	}
	return bytes.NewReader(in.doc)
}

func detectCSV(header string) Format {
	cols := map[string]bool{}
	for _, c := range strings.Split(header, ",") {
		cols[normCol(c)] = true
	}
	fields := strings.Split(header, ",")
	switch {
	case strings.HasPrefix(header, "response-time,DNS+dialup"):
		return FormatHey
	case strings.HasPrefix(header, "metric_name,timestamp,metric_value"):
		return FormatK6CSV
	case jtlHeader(header) != 0:
		return FormatJMeterCSV
	case len(fields) >= 9 && len(fields[0]) == 19 && isDigits(fields[0]) && isDigits(fields[1]):
		return FormatVegetaCSV
	case len(fields) >= 10 && len(fields[0]) == 13 && isDigits(fields[0]) && isDigits(fields[1]):
		return FormatJMeterCSV // JMeter < 3.0 wrote no header
	}
	switch {
	case cols["timestamp"] && (cols["total request count"] || cols["# requests"]):
		return FormatLocustHistory
	case cols["name"] && (cols["request count"] || cols["# requests"]):
		return FormatLocustStats
	}
	return FormatAuto
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// normCol normalizes a CSV header cell: quotes and spaces trimmed, lower case.
func normCol(c string) string {
	return strings.ToLower(strings.Trim(strings.TrimSpace(c), `"`))
}

// normalizedFields are the field names that only normalized metrics files use.
var normalizedFields = []string{"avg_latency_ms", "median_latency_ms", "p95_latency_ms", "p99_latency_ms", "min_latency_ms", "max_latency_ms", "error_rate_pct", "total_requests", "total_failures"}

func detectJSON(doc []byte, file string) (Format, error) {
	var v any
	if err := decodeJSON(doc, file, &v); err != nil {
		return FormatAuto, err
	}
	switch t := v.(type) {
	case []any:
		if len(t) == 0 {
			return FormatLocustJSON, nil // Locust writes [] when nothing was requested; Rows reports it
		}
		if m, ok := t[0].(map[string]any); ok {
			if _, ok := m["num_requests"]; ok {
				return FormatLocustJSON, nil
			}
		}
	case map[string]any:
		if _, ok := t["stats"].([]any); ok {
			return FormatLocustWeb, nil
		}
		if f := detectToolJSON(t); f != FormatAuto {
			return f, nil
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			m, ok := t[k].(map[string]any)
			if !ok || strings.HasPrefix(k, "_") {
				continue
			}
			for _, f := range normalizedFields {
				if _, ok := m[f]; ok {
					return FormatNormalized, nil
				}
			}
			if _, ok := m["requests"]; ok {
				return FormatSummary, nil
			}
		}
	}
	return FormatAuto, &SyntaxError{File: file, Msg: "unrecognized JSON format (not a Locust, k6, JMeter, Gatling, Vegeta or Artillery result, a per-service summary or normalized metrics); use --format"}
}

// detectToolJSON recognizes the JSON summaries of k6, JMeter, Gatling, Vegeta and
// Artillery by their structure (FORMATS §8).
func detectToolJSON(t map[string]any) Format {
	obj := func(m map[string]any, k string) map[string]any { v, _ := m[k].(map[string]any); return v }
	if agg := obj(t, "aggregate"); agg != nil {
		if obj(agg, "counters") != nil || obj(agg, "summaries") != nil || obj(agg, "latency") != nil {
			return FormatArtillery
		}
	}
	if m := obj(t, "metrics"); m != nil && (t["root_group"] != nil || obj(m, "http_req_duration") != nil || obj(m, "http_reqs") != nil) {
		return FormatK6Summary
	}
	if res := obj(t, "results"); res != nil && obj(t, "metadata") != nil {
		if _, ok := res["metrics"].([]any); ok {
			return FormatK6Summary
		}
	}
	if lat := obj(t, "latencies"); lat != nil {
		if _, ok := lat["50th"]; ok {
			return FormatVegetaReport
		}
	}
	if obj(t, "numberOfRequests") != nil || (t["type"] == "GROUP" && obj(t, "stats") != nil) {
		return FormatGatlingStats
	}
	for _, v := range t {
		if m, ok := v.(map[string]any); ok {
			if _, ok := m["sampleCount"]; ok {
				if _, ok := m["pct1ResTime"]; ok {
					return FormatJMeterStatistics
				}
			}
		}
	}
	return FormatAuto
}

// decodeJSON unmarshals doc into v, turning syntax errors into positioned SyntaxErrors.
func decodeJSON(doc []byte, file string, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return &SyntaxError{File: file, Line: LineOf(doc, int64(len(doc))), Msg: "truncated JSON (unexpected end of file)"}
		case errors.As(err, &se):
			return &SyntaxError{File: file, Line: LineOf(doc, se.Offset), Msg: "invalid JSON: " + se.Error()}
		case errors.As(err, &te):
			return &SyntaxError{File: file, Line: LineOf(doc, te.Offset), Key: te.Field, Msg: fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value)}
		}
		return &SyntaxError{File: file, Msg: "invalid JSON: " + err.Error()}
	}
	if tok, err := dec.Token(); err != io.EOF {
		off := dec.InputOffset()
		_ = tok
		return &SyntaxError{File: file, Line: LineOf(doc, off), Msg: "unexpected data after the JSON document"}
	}
	return nil
}

// LineOf returns the 1-based line of byte offset off in doc.
func LineOf(doc []byte, off int64) int {
	if off > int64(len(doc)) {
		off = int64(len(doc))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(doc[:off], []byte("\n")) + 1
}

func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
