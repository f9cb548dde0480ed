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

// readJMeterCSV reads a CSV JTL: header or not, any single-character delimiter, quoted
// fields with delimiters, quotes and newlines. Sub-result rows are not counted twice.
// Malformed records are skipped and reported. The records are parsed in parallel chunks.
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
	parseLine := func(line string) ([]string, error) {
		cr := csv.NewReader(strings.NewReader(line))
		cr.Comma = delim
		cr.FieldsPerRecord = -1
		cr.LazyQuotes = true
		return cr.Read()
	}
	var cols []string
	firstLine := 1
	switch {
	case hasHeader:
		line, err := br.ReadString('\n')
		if err != nil && err != io.EOF {
			return &SyntaxError{File: in.File, Msg: err.Error()}
		}
		h, err := parseLine(strings.TrimRight(line, "\r\n"))
		if err != nil {
			return &SyntaxError{File: in.File, Line: 1, Msg: err.Error()}
		}
		for _, c := range h {
			cols = append(cols, strings.Trim(strings.TrimSpace(c), `"`))
		}
		firstLine = 2
	case len(in.opt.JTLColumns) > 0:
		cols = in.opt.JTLColumns
	default: // headerless: the column count picks the version's default set
		f, err := parseLine(first)
		if err != nil {
			return &SyntaxError{File: in.File, Line: 1, Msg: err.Error()}
		}
		set, ok := jtlDefaultColumns[len(f)]
		if !ok {
			return &SyntaxError{File: in.File, Line: 1, Msg: fmt.Sprintf("JTL without a header and with %d columns: no default column set has that many; give the columns with --jtl-columns", len(f))}
		}
		cols = set
	}
	layout, err := newJTLLayout(in.File, delim, cols)
	if err != nil {
		return err
	}
	agg, err := readJTLChunks(in, br, layout, firstLine)
	if err != nil {
		return err
	}
	return agg.emit(in, sink)
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
				a := map[string]string{}
				for _, at := range t.Attr {
					a[at.Name.Local] = at.Value
				}
				r, err := parseJTLRec([]byte(a["ts"]), []byte(a["t"]), []byte(a["s"]))
				if err != nil {
					agg.skip(line, err.Error())
				} else {
					agg.addBytes("", []byte(a["lb"]), r.latNs, r.failed, r.tsNs, r.tsNs+r.latNs)
				}
			}
		case xml.EndElement:
			depth--
		}
	}
	return agg.emit(in, sink)
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
