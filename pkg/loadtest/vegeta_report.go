package loadtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// detectVegetaReport: a JSON line with latencies (report -every writes one per line), or
// a document whose latencies have a 50th.
func detectVegetaReport(s *sniff) bool {
	if _, ok := s.line["latencies"]; ok {
		return true
	}
	_, ok := child(s.object(), "latencies")["50th"]
	return ok
}

// readVegetaReport reads vegeta report -type=json (nanoseconds; one row for the whole
// attack, named by Options.Name). With -every the file holds several reports: the last
// one is final.
func readVegetaReport(in *Input, sink Sink) (Skips, error) {
	last, err := lastVegetaReport(in)
	if err != nil {
		return Skips{}, err
	}
	o := jsonObj{file: in.File, key: "report", m: last}
	lat := o.child("latencies")
	if lat.m == nil {
		return Skips{}, &fileerr.Error{File: in.File, Key: "latencies", Msg: "missing"}
	}
	ns := func(k string) (float64, bool, error) {
		v, ok, err := lat.ms(k)
		return v / 1e6, ok, err
	}
	row := Row{Name: in.opt.name(), Line: 1}
	if row.Requests, err = o.count("requests", true); err != nil {
		return Skips{}, err
	}
	success, hasSuccess, err := o.ms("success")
	if err != nil {
		return Skips{}, err
	}
	if !hasSuccess || success > 1 {
		return Skips{}, &fileerr.Error{File: in.File, Key: "success", Msg: "want a ratio between 0 and 1"}
	}
	row.Failures = row.Requests - int64(math.Round(success*float64(row.Requests)))
	// min and 90th since v12.8.0
	if err := setLatencies(&row, ns, latencyKeys[string]{"mean", "50th", "min", "max"}); err != nil {
		return Skips{}, err
	}
	if err := addLadder(&row, ns, []ladderPoint[string]{{"50th", 50}, {"90th", 90}, {"95th", 95}, {"99th", 99}}); err != nil {
		return Skips{}, err
	}
	if row.RPS, row.HasRPS, err = o.ms("rate"); err != nil {
		return Skips{}, err
	}
	return Skips{}, sink(row)
}

// lastVegetaReport decodes the reports of the file and returns the last one; a report
// cut short while being written leaves the previous one standing.
func lastVegetaReport(in *Input) (map[string]any, error) {
	var r io.Reader = in.br
	if in.doc != nil {
		r = bytes.NewReader(in.doc)
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	var last map[string]any
	for {
		var v map[string]any
		err := dec.Decode(&v)
		if err == io.EOF {
			break
		}
		if err != nil {
			if last != nil && errors.Is(err, io.ErrUnexpectedEOF) {
				break
			}
			return nil, &fileerr.Error{File: in.File, Msg: "invalid JSON: " + err.Error()}
		}
		last = v
	}
	if last == nil {
		return nil, &fileerr.Error{File: in.File, Msg: "no report"}
	}
	return last, nil
}
