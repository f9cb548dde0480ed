package main

import (
	"bufio"
	"encoding/csv"
	"encoding/gob"
	"encoding/json"
	"encoding/xml"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// csvRows calls row for every record after the header, with the columns by name.
func csvRows(r io.Reader, header bool, row func(rec []string, col map[string]int) error) error {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<20))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	col := map[string]int{}
	if header {
		h, err := cr.Read()
		if err != nil {
			return err
		}
		for i, name := range h {
			col[name] = i
		}
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := row(rec, col); err != nil {
			return err
		}
	}
}

// lines calls f with every non-empty line.
func lines(r io.Reader, f func(line []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if len(sc.Bytes()) > 0 {
			if err := f(sc.Bytes()); err != nil {
				return err
			}
		}
	}
	return sc.Err()
}

func readJTL(r io.Reader, eps endpoints) error {
	return csvRows(r, true, func(rec []string, col map[string]int) error {
		el, err := strconv.ParseFloat(rec[col["elapsed"]], 64)
		eps.add(rec[col["label"]], el, rec[col["success"]] == "false")
		return err
	})
}

// readXML counts the top-level samples (depth 2) of an XML JTL.
func readXML(r io.Reader, eps endpoints) error {
	dec := xml.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	depth := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				a := map[string]string{}
				for _, at := range t.Attr {
					a[at.Name.Local] = at.Value
				}
				el, err := strconv.ParseFloat(a["t"], 64)
				if err != nil {
					return err
				}
				eps.add(a["lb"], el, a["s"] == "false")
			}
		case xml.EndElement:
			depth--
		}
	}
}

func readK6(r io.Reader, eps endpoints) error {
	failed := map[string]int{}
	err := lines(r, func(l []byte) error {
		var p struct {
			Metric string
			Data   struct {
				Value float64
				Tags  map[string]string
			}
		}
		if err := json.Unmarshal(l, &p); err != nil {
			return err
		}
		k6Point(eps, failed, p.Metric, p.Data.Tags["name"], p.Data.Value)
		return nil
	})
	for k, n := range failed {
		eps.get(k).failures = n
	}
	return err
}

// k6Point counts a duration point as a request and a failed point as a failure.
func k6Point(eps endpoints, failed map[string]int, metric, name string, v float64) {
	switch metric {
	case "http_req_duration":
		eps.add(name, v, false)
	case "http_req_failed":
		if v != 0 {
			failed[name]++
		}
	}
}

func readK6CSV(r io.Reader, eps endpoints) error {
	failed := map[string]int{}
	err := csvRows(r, true, func(rec []string, col map[string]int) error {
		v, err := strconv.ParseFloat(rec[col["metric_value"]], 64)
		k6Point(eps, failed, rec[col["metric_name"]], rec[col["name"]], v)
		return err
	})
	for k, n := range failed {
		eps.get(k).failures = n
	}
	return err
}

// vegetaHit counts a Vegeta result by URL path; 200–399 succeed.
func vegetaHit(eps endpoints, rawURL string, code int, latencyNs int64) {
	u, err := url.Parse(rawURL)
	name := rawURL
	if err == nil && u.Path != "" {
		name = u.Path
	}
	eps.add(name, float64(latencyNs)/1e6, code < 200 || code > 399)
}

func readVegetaCSV(r io.Reader, eps endpoints) error {
	return csvRows(r, false, func(rec []string, _ map[string]int) error {
		code, err1 := strconv.Atoi(rec[1])
		lat, err2 := strconv.ParseInt(rec[2], 10, 64)
		vegetaHit(eps, rec[10], code, lat)
		if err1 != nil {
			return err1
		}
		return err2
	})
}

func readVegetaJSON(r io.Reader, eps endpoints) error {
	return lines(r, func(l []byte) error {
		var v struct {
			Code    int
			Latency int64
			URL     string
		}
		err := json.Unmarshal(l, &v)
		vegetaHit(eps, v.URL, v.Code, v.Latency)
		return err
	})
}

// readVegetaGob decodes vegeta attack's gob stream, a fresh struct per result.
func readVegetaGob(r io.Reader, eps endpoints) error {
	dec := gob.NewDecoder(bufio.NewReaderSize(r, 1<<20))
	for {
		var v struct {
			Code    uint16
			Latency time.Duration
			URL     string
		}
		if err := dec.Decode(&v); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		vegetaHit(eps, v.URL, int(v.Code), int64(v.Latency))
	}
}

func readHey(r io.Reader, eps endpoints) error {
	return csvRows(r, true, func(rec []string, col map[string]int) error {
		rt, err1 := strconv.ParseFloat(rec[col["response-time"]], 64)
		code, err2 := strconv.Atoi(rec[col["status-code"]])
		eps.add("all", rt*1000, code >= 400)
		if err1 != nil {
			return err1
		}
		return err2
	})
}

// readGatling counts the REQUEST records of a 3.4+ simulation.log by group path and name.
func readGatling(r io.Reader, eps endpoints) error {
	return lines(r, func(l []byte) error {
		f := strings.Split(string(l), "\t")
		if f[0] != "REQUEST" {
			return nil
		}
		start, err1 := strconv.ParseInt(f[3], 10, 64)
		end, err2 := strconv.ParseInt(f[4], 10, 64)
		key := f[2]
		if f[1] != "" {
			key = strings.ReplaceAll(f[1], ",", " / ") + " / " + key
		}
		eps.add(key, float64(end-start), f[5] == "KO")
		if err1 != nil {
			return err1
		}
		return err2
	})
}

// readHistory keeps the totals of the last row of each endpoint of a Locust history.
func readHistory(r io.Reader, eps endpoints) error {
	return csvRows(r, true, func(rec []string, col map[string]int) error {
		if rec[col["Name"]] == "Aggregated" {
			return nil
		}
		n, err1 := strconv.Atoi(rec[col["Total Request Count"]])
		fails, err2 := strconv.Atoi(rec[col["Total Failure Count"]])
		avg, err3 := strconv.ParseFloat(rec[col["Total Average Response Time"]], 64)
		eps.get(rec[col["Name"]]).total = &result{Count: n, Failures: fails, Mean: avg}
		for _, err := range []error{err1, err2, err3} {
			if err != nil {
				return err
			}
		}
		return nil
	})
}
