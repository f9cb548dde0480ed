package loadtest

import (
	"fmt"
	"io"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"
)

// Column names of Locust CSVs across versions (FORMATS §1.2), normalized by normCol.
var (
	colType     = []string{"type", "method"}
	colName     = []string{"name"}
	colRequests = []string{"request count", "# requests"}
	colFailures = []string{"failure count", "# failures"}
	colMedian   = []string{"median response time"}
	colAvg      = []string{"average response time"}
	colMin      = []string{"min response time"}
	colMax      = []string{"max response time"}
	colRPS      = []string{"requests/s"}
)

// detectLocustStats: a header with a name and a request count that is not a history's.
func detectLocustStats(s *sniff) bool {
	return (s.hasCols("name", "request count") || s.hasCols("name", "# requests")) && !detectLocustHistory(s)
}

// isTotalName reports whether a Locust row name is the tool's total row.
func isTotalName(name string) bool {
	return strings.EqualFold(name, "Aggregated") || strings.EqualFold(name, "Total")
}

// readLocustStats reads PREFIX_stats.csv (and the older PREFIX_requests.csv): one row per
// (type, name), percentiles from the percentile columns when present.
func readLocustStats(in *Input, sink Sink) (Skips, error) {
	t, err := newCSVTable(in.br, in.File)
	if err != nil {
		return Skips{}, err
	}
	c, err := t.needAll(colName, colRequests, colFailures, colAvg)
	if err != nil {
		return Skips{}, err
	}
	iName, iReq, iFail, iAvg := c[0], c[1], c[2], c[3]
	lat := latencyKeys[int]{avg: iAvg, median: t.col(colMedian...), min: t.col(colMin...), max: t.col(colMax...)}
	iType, iRPS := t.col(colType...), t.col(colRPS...)
	var ladder []ladderPoint[int]
	for _, pc := range t.percentileColumns() {
		ladder = append(ladder, ladderPoint[int]{pc.idx, pc.pct})
	}
	rows := 0
	for {
		if err := t.next(); err == io.EOF {
			break
		} else if err != nil {
			return Skips{}, err
		}
		rows++
		row := Row{Method: t.cell(iType), Name: t.cell(iName), Line: t.line}
		if row.Method == "None" { // Locust 0.13–1.0 wrote the total row's type as None
			row.Method = ""
		}
		row.Total = isTotalName(row.Name)
		if row.Requests, row.Failures, err = t.counts(iReq, iFail); err != nil {
			return Skips{}, err
		}
		if err := locustLatencies(&row, t.ms, lat); err != nil {
			return Skips{}, err
		}
		if row.RPS, row.HasRPS, err = t.number(iRPS); err != nil {
			return Skips{}, err
		}
		if err := addLadder(&row, t.ms, ladder); err != nil {
			return Skips{}, err
		}
		if err := sink(row); err != nil {
			return Skips{}, err
		}
	}
	if rows == 0 {
		return Skips{}, &fileerr.Error{File: in.File, Msg: "header only, no data rows"}
	}
	return Skips{}, nil
}

// counts reads the request and failure counts of a Locust row.
func (t *csvTable) counts(iReq, iFail int) (int64, int64, error) {
	req, err := t.count(iReq)
	if err != nil {
		return 0, 0, err
	}
	fail, err := t.count(iFail)
	if err != nil {
		return 0, 0, err
	}
	if fail > req {
		return 0, 0, &fileerr.Error{File: t.file, Line: t.line, Msg: fmt.Sprintf("%d failures out of %d requests (Locust counts failures among requests)", fail, req)}
	}
	return req, fail, nil
}

// locustLatencies is setLatencies for Locust rows, which hold 0 in every latency column
// of an entry without requests: those are missing, not zero.
func locustLatencies[K any](row *Row, get func(K) (float64, bool, error), k latencyKeys[K]) error {
	if err := setLatencies(row, get, k); err != nil {
		return err
	}
	if row.Requests == 0 {
		row.HasAvg, row.HasMedian, row.HasMinMax = false, false, false
	}
	return nil
}
