package loadtest

import (
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Default CSV JTL column sets by column count, for files written without a header
// (JMeter < 3.0 did not write one by default). The first eight columns are the same in all.
var jtlDefaultColumns = map[int][]string{
	12: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency", ","),                                           // 2.x defaults (e.g. 2.13)
	13: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,grpThreads,allThreads,Latency", ","),                            // 2.x with failureMessage
	15: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,grpThreads,allThreads,Latency,IdleTime,Connect", ","),           // 3.0
	16: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,Latency,IdleTime,Connect", ","), // 3.1–3.x
	17: strings.Split("timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect", ","),
}

// jtlHeader returns the delimiter of a JTL header line, or 0 when the line is not one.
// Like JMeter, the delimiter is the first non-word character after the first name.
func jtlHeader(line string) rune {
	if !strings.HasPrefix(line, "timeStamp") && !strings.HasPrefix(line, "elapsed") {
		return 0
	}
	var delim rune
	for _, r := range line {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			delim = r
			break
		}
	}
	if delim == 0 || !strings.Contains(line, "elapsed") || !strings.Contains(line, "label") {
		return 0
	}
	return delim
}

// headerlessDelimiter finds the delimiter after the leading epoch-ms timestamp.
func headerlessDelimiter(line string) rune {
	for _, r := range line {
		if r < '0' || r > '9' {
			return r
		}
	}
	return ','
}

// jtlRecord is one JTL sample, the same for the CSV and the XML readers.
type jtlRecord struct {
	label, responseMessage string
	elapsedMs              float64
	tsNs                   int64
	success                bool
}

// jtlSubResult reports whether label is a sub-result of parent ("<parent>-<n>", which
// JMeter writes right after the parent when saving sub-results).
func jtlSubResult(parent, label string) bool {
	if parent == "" || len(label) <= len(parent)+1 || !strings.HasPrefix(label, parent) || label[len(parent)] != '-' {
		return false
	}
	return isDigits(label[len(parent)+1:])
}

// jtlSample turns a record into a sample: elapsed is the total time, timeStamp the start
// (jmeter.properties ships sampleresult.timestamp.start=true).
func jtlSample(r jtlRecord) sample {
	lat := msToNs(r.elapsedMs)
	start := r.tsNs
	return sample{name: r.label, latencyNs: lat, failed: !r.success, startNs: start, endNs: start + lat}
}

// readJMeterCSV streams a CSV JTL: header or not, any single-character delimiter, quoted
// fields with delimiters, quotes and newlines. Sub-result rows are not counted twice.
// Malformed rows are skipped and reported.
func readJMeterCSV(in *Input, sink Sink) error {
	br := in.br
	head, _ := br.Peek(64 << 10)
	first, _, _ := strings.Cut(string(head), "\n")
	first = strings.TrimRight(first, "\r")
	delim := jtlHeader(first)
	hasHeader := delim != 0
	if !hasHeader {
		delim = headerlessDelimiter(first)
	}
	cr := csv.NewReader(br)
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var cols []string
	if hasHeader {
		h, err := cr.Read()
		if err != nil {
			return csvErr(in.File, err)
		}
		for _, c := range h {
			cols = append(cols, strings.Trim(strings.TrimSpace(c), `"`))
		}
	} else if len(in.opt.JTLColumns) > 0 {
		cols = in.opt.JTLColumns
	}
	idx := map[string]int{}
	need := func() error {
		for i, c := range cols {
			idx[c] = i
		}
		for _, c := range []string{"timeStamp", "elapsed", "label", "success"} {
			if _, ok := idx[c]; !ok {
				return &SyntaxError{File: in.File, Line: 1, Msg: fmt.Sprintf("JTL without a %q column", c)}
			}
		}
		return nil
	}
	if cols != nil {
		if err := need(); err != nil {
			return err
		}
	}
	agg := newRawAgg(in.File)
	parent := ""
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				agg.skip(pe.Line, pe.Err.Error())
				continue
			}
			return csvErr(in.File, err)
		}
		line, _ := cr.FieldPos(0)
		if cols == nil { // headerless: the column count picks the version's default set
			set, ok := jtlDefaultColumns[len(rec)]
			if !ok {
				return &SyntaxError{File: in.File, Line: line, Msg: fmt.Sprintf("JTL without a header and with %d columns: no default column set has that many; give the columns with --jtl-columns", len(rec))}
			}
			cols = set
			if err := need(); err != nil {
				return err
			}
		}
		if len(rec) != len(cols) {
			agg.skip(line, fmt.Sprintf("%d fields, want %d", len(rec), len(cols)))
			continue
		}
		r, err := jtlParse(rec, idx)
		if err != nil {
			agg.skip(line, err.Error())
			continue
		}
		if jtlSubResult(parent, r.label) {
			continue
		}
		parent = r.label
		agg.add(jtlSample(r))
	}
	return agg.emit(in, sink)
}

func jtlParse(rec []string, idx map[string]int) (jtlRecord, error) {
	var r jtlRecord
	r.label = rec[idx["label"]]
	el, err := strconv.ParseFloat(strings.TrimSpace(rec[idx["elapsed"]]), 64)
	if err != nil || el < 0 || math.IsNaN(el) || el > maxLatencyMs {
		return r, fmt.Errorf("elapsed %q is not a duration in ms", rec[idx["elapsed"]])
	}
	r.elapsedMs = el
	if r.tsNs, err = jtlTimestamp(rec[idx["timeStamp"]]); err != nil {
		return r, err
	}
	switch strings.TrimSpace(rec[idx["success"]]) {
	case "true":
		r.success = true
	case "false":
	default:
		return r, fmt.Errorf("success %q is neither true nor false", rec[idx["success"]])
	}
	if i, ok := idx["responseMessage"]; ok {
		r.responseMessage = rec[i]
	}
	return r, nil
}

// jtlTimestamp parses epoch milliseconds (to Unix ns, exactly), or a few common
// timestamp_format patterns (local time is taken as UTC: only differences matter).
func jtlTimestamp(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if v, err := strconv.ParseInt(s, 10, 64); err == nil && v >= 0 && v < math.MaxInt64/1_000_000 {
		return v * 1e6, nil
	}
	if v, err := strconv.ParseFloat(s, 64); err == nil && v >= 0 && v < math.MaxInt64/1e6 {
		return msToNs(v), nil
	}
	for _, layout := range []string{"2006/01/02 15:04:05.000", "2006-01-02 15:04:05.000", "2006/01/02 15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), nil
		}
	}
	return 0, fmt.Errorf("timeStamp %q is neither epoch ms nor a known date format", s)
}

// readJMeterXML streams an XML JTL. Only the top-level httpSample/sample elements count:
// nested sub-samples are part of their parent. A file cut short (no </testResults>) is read
// up to where it ends.
func readJMeterXML(in *Input, sink Sink) error {
	dec := xml.NewDecoder(in.br)
	dec.Strict = false
	agg := newRawAgg(in.File)
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			line, _ := dec.InputPos()
			if len(agg.eps) > 0 && (errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF")) {
				break // JMeter killed mid-write
			}
			return &SyntaxError{File: in.File, Line: line, Msg: "invalid XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && (t.Name.Local == "httpSample" || t.Name.Local == "sample") {
				line, _ := dec.InputPos()
				r, err := jtlXMLRecord(t)
				if err != nil {
					agg.skip(line, err.Error())
				} else {
					agg.add(jtlSample(r))
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	return agg.emit(in, sink)
}

func jtlXMLRecord(t xml.StartElement) (jtlRecord, error) {
	a := map[string]string{}
	for _, at := range t.Attr {
		a[at.Name.Local] = at.Value
	}
	rec := []string{a["ts"], a["t"], a["lb"], a["s"], a["rm"]}
	return jtlParse(rec, map[string]int{"timeStamp": 0, "elapsed": 1, "label": 2, "success": 3, "responseMessage": 4})
}

var pctResTime = regexp.MustCompile(`^pct([123])ResTime$`)

// readJMeterStatistics reads the dashboard's statistics.json: one entry per label plus
// "Total". pct1/2/3 are the 90th/95th/99th percentiles (the dashboard's defaults).
func readJMeterStatistics(in *Input, sink Sink) error {
	var v map[string]map[string]any
	if err := decodeJSON(in.doc, in.File, &v); err != nil {
		return err
	}
	keys := sortedMapKeys(v)
	pcts := map[string]float64{"1": 90, "2": 95, "3": 99}
	for i, k := range keys {
		o := jsonObj{file: in.File, key: k, m: v[k]}
		name := o.str("transaction")
		if name == "" {
			name = k
		}
		row := Row{Name: name, Line: i + 1, Total: k == "Total"}
		var err error
		if row.Requests, err = o.count("sampleCount", true); err != nil {
			return err
		}
		if row.Failures, err = o.count("errorCount", false); err != nil {
			return err
		}
		if row.AvgMs, row.HasAvg, err = o.ms("meanResTime"); err != nil {
			return err
		}
		if row.MedianMs, row.HasMedian, err = o.ms("medianResTime"); err != nil {
			return err
		}
		var hasMin, hasMax bool
		if row.MinMs, hasMin, err = o.ms("minResTime"); err != nil {
			return err
		}
		if row.MaxMs, hasMax, err = o.ms("maxResTime"); err != nil {
			return err
		}
		row.HasMinMax = hasMin && hasMax
		if row.RPS, row.HasRPS, err = o.ms("throughput"); err != nil {
			return err
		}
		for f := range v[k] {
			if m := pctResTime.FindStringSubmatch(f); m != nil {
				val, ok, err := o.ms(f)
				if err != nil {
					return err
				}
				if ok {
					row.Ladder = append(row.Ladder, Point{Pct: pcts[m[1]], Ms: val})
				}
			}
		}
		row.Ladder = sortLadder(row.Ladder)
		if err := sink(row); err != nil {
			return err
		}
	}
	return nil
}
