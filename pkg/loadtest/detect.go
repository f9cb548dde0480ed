package loadtest

import (
	"bufio"
	"bytes"
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
)

var formats = []Format{FormatLocustStats, FormatLocustHistory, FormatLocustJSON, FormatLocustWeb, FormatSummary, FormatNormalized}

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
	br     *bufio.Reader // CSV formats: positioned at the start, BOM removed
	doc    []byte        // JSON formats: the whole document
}

// maxJSONSize bounds the JSON documents read whole (summaries, not raw samples).
const maxJSONSize = 512 << 20

// Open reads enough of r to know its format (or checks the forced one) and returns an
// Input ready for Rows. file is used in messages only.
func Open(r io.Reader, file string, force Format) (*Input, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		br.Discard(3)
	}
	head, err := br.Peek(4096)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, &SyntaxError{File: file, Msg: err.Error()}
	}
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &SyntaxError{File: file, Msg: "file is empty"}
	}
	in := &Input{File: file, Format: force}
	if trimmed[0] == '{' || trimmed[0] == '[' || isJSONFormat(force) {
		doc, err := io.ReadAll(io.LimitReader(br, maxJSONSize+1))
		if err != nil {
			return nil, &SyntaxError{File: file, Msg: err.Error()}
		}
		if len(doc) > maxJSONSize {
			return nil, &SyntaxError{File: file, Msg: fmt.Sprintf("JSON document larger than %d MB", maxJSONSize>>20)}
		}
		in.doc = doc
		if force == FormatAuto {
			if in.Format, err = detectJSON(doc, file); err != nil {
				return nil, err
			}
		}
		return in, nil
	}
	in.br = br
	if force == FormatAuto {
		line, _, _ := bytes.Cut(head, []byte("\n"))
		in.Format = detectCSV(string(line))
		if in.Format == FormatAuto {
			return nil, &SyntaxError{File: file, Line: 1, Msg: fmt.Sprintf("unrecognized format (header %q); use --format (known: %s)", shorten(strings.TrimSpace(string(line)), 80), strings.Join(Formats(), ", "))}
		}
	}
	return in, nil
}

func isJSONFormat(f Format) bool {
	switch f {
	case FormatLocustJSON, FormatLocustWeb, FormatSummary, FormatNormalized:
		return true
	}
	return false
}

// Rows streams the rows of the input to sink. It must not be used for FormatNormalized,
// whose document (Document) is interpreted by the metrics package.
func (in *Input) Rows(sink Sink) error {
	switch in.Format {
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
	switch {
	case cols["timestamp"] && (cols["total request count"] || cols["# requests"]):
		return FormatLocustHistory
	case cols["name"] && (cols["request count"] || cols["# requests"]):
		return FormatLocustStats
	}
	return FormatAuto
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
		if s, ok := t["stats"].([]any); ok {
			_ = s
			return FormatLocustWeb, nil
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
	return FormatAuto, &SyntaxError{File: file, Msg: "unrecognized JSON format (not Locust --json, /stats/requests, a per-service summary or normalized metrics); use --format"}
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
