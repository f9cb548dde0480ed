package metrics

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/perfgate/perfgate/pkg/fileerr"

	"github.com/perfgate/perfgate/pkg/loadtest"
)

// Options controls how result files become services.
type Options struct {
	Format  loadtest.Format // forced input format; FormatAuto detects
	Mapping Mapping
	// Name names the endpoint of single-endpoint inputs (hey, whole-test summaries).
	Name string
	// JTLColumns is the column list of headerless JMeter CSV JTLs with custom settings.
	JTLColumns []string
	// SubResults says how JMeter sub-results are read (default: folded into their parent).
	SubResults loadtest.SubResults
	// AllRuns reads every run of a file that holds several (appended.go) and takes rps
	// over the time they ran; by default a JTL is read for its last run only.
	AllRuns bool
	// Wrap, when set, wraps every opened file (e.g. to show progress on a terminal).
	Wrap func(path string, size int64, r io.Reader) io.Reader
}

func (o Options) input() loadtest.Options {
	return loadtest.Options{Format: o.Format, Name: o.Name, JTLColumns: o.JTLColumns, SubResults: o.SubResults}
}

// Unmatched is an endpoint that no rule mapped to a service.
type Unmatched struct {
	Endpoint string
	Requests int64
}

// Matched is an endpoint that a service rule mapped to Service.
type Matched struct {
	Service, Endpoint string
	Requests          int64
}

// Info tells what Load saw besides the metrics, for messages.
type Info struct {
	Formats   []loadtest.Format // per input
	DurationS float64           // the test duration, where derivable (raw spans, Locust rps)
	Unmatched []Unmatched
	Totals    int  // total rows skipped (Aggregated, Total)
	Raw       bool // inputs were load-test results (false: a normalized file passed through)
	Notes     []string

	// Matched are, with service rules, the endpoints of each service in input order.
	Matched []Matched
}

// Load reads one or more result files and returns their metrics. Raw results are merged
// per endpoint across files and then mapped to services; a normalized file is passed
// through after validation and must be the only input. An error names the file and the
// line or key. A result with no service is not an error here: callers decide.
func Load(paths []string, opt Options) (*File, *Info, error) {
	info := &Info{}
	b := newBuilder(opt.Mapping)
	var normalized *File
	if err := givenTwice(paths); err != nil {
		return nil, nil, err
	}
	for _, path := range paths {
		in, closer, err := open(path, opt.input(), opt.Wrap)
		if err != nil {
			return nil, nil, err
		}
		info.Formats = append(info.Formats, in.Format)
		b.path = path
		if in.Format == loadtest.FormatNormalized {
			closer()
			if len(paths) > 1 {
				return nil, nil, fileerr.At(path, 0, "a normalized metrics file cannot be combined with other inputs; give it alone")
			}
			if normalized, err = Parse(in.Document(), path); err != nil {
				return nil, nil, err
			}
			continue
		}
		skips, err := b.read(in, closer, opt, info)
		if err != nil {
			return nil, nil, err
		}
		b.statedS = max(b.statedS, in.DurationS())
		if skips.Count > 0 {
			info.Notes = append(info.Notes, fmt.Sprintf("%s: skipped %d malformed record(s); first: %s", path, skips.Count, skips.First))
		}
	}
	if normalized != nil {
		return normalized, info, nil
	}
	info.Raw = true
	f, err := b.file(info)
	if err != nil {
		return nil, nil, err
	}
	f.SetMeta(MetaKey, SourceMeta{Formats: formatNames(info.Formats), DurationS: info.DurationS}.JSON())
	return f, info, nil
}

// MetaKey is the top-level metadata key perfgate writes: where the metrics come from.
const MetaKey = "_perfgate"

// SourceMeta describes the run a metrics file comes from, for the comparability checks.
type SourceMeta struct {
	Formats   []string `json:"formats"`              // input formats (the load tool)
	DurationS float64  `json:"duration_s,omitempty"` // test duration in seconds, where derivable
	Users     int      `json:"users,omitempty"`      // concurrent users, where known (--users)
}

// JSON encodes the metadata.
func (m SourceMeta) JSON() []byte {
	b, _ := json.Marshal(m)
	return b
}

// Source reads the _perfgate metadata of a file (ok false when absent or unreadable).
func (f *File) Source() (SourceMeta, bool) {
	var m SourceMeta
	raw, ok := f.MetaValue(MetaKey)
	if !ok || json.Unmarshal(raw, &m) != nil {
		return m, false
	}
	return m, true
}

func formatNames(fs []loadtest.Format) []string {
	var out []string
	for _, f := range fs {
		dup := false
		for _, o := range out {
			dup = dup || o == string(f)
		}
		if !dup {
			out = append(out, string(f))
		}
	}
	return out
}

// open opens a path for reading with clear messages for the usual mistakes.
func open(path string, opt loadtest.Options, wrap func(string, int64, io.Reader) io.Reader) (*loadtest.Input, func(), error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, &fileerr.Error{File: path, Msg: "no such file", Err: err}
	case err != nil:
		return nil, nil, &fileerr.Error{File: path, Err: unwrapPathError(err)}
	case st.IsDir():
		return nil, nil, fileerr.At(path, 0, "is a directory, not a result file")
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, &fileerr.Error{File: path, Err: unwrapPathError(err)}
	}
	var r io.Reader = fh
	if wrap != nil {
		r = wrap(path, st.Size(), fh)
	}
	in, err := loadtest.Open(r, path, opt)
	if err != nil {
		fh.Close()
		return nil, nil, err
	}
	return in, func() { fh.Close() }, nil
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// builder accumulates rows per endpoint, then maps endpoints to services.
type builder struct {
	mapping   Mapping
	endpoints map[string]*endpoint
	order     []string
	totals    int
	path      string  // the input being read
	statedS   float64 // the longest test duration an input states itself (seconds)

	runs []loadtest.Span // the runs of the raw inputs read (one per single-run input)
	// gapped: an input of several runs was read whole with AllRuns: rps is then taken
	// over the time the runs cover, not over their whole span.
	gapped bool
}

type endpoint struct {
	method, name string
	acc          Accumulator
	// blind is where the first row with requests but no latency value at all was read.
	blind string
}

func newBuilder(m Mapping) *builder {
	return &builder{mapping: m, endpoints: map[string]*endpoint{}}
}

func (b *builder) add(r loadtest.Row) error {
	if r.Total || b.mapping.IsTotalName(r.Name) {
		b.totals++
		return nil
	}
	k := r.Method + "\x00" + r.Name
	e := b.endpoints[k]
	if e == nil {
		e = &endpoint{method: r.Method, name: r.Name}
		b.endpoints[k] = e
		b.order = append(b.order, k)
	}
	if e.blind == "" && r.Requests > 0 && !r.HasAvg && !r.HasMedian && !r.HasMinMax && len(r.Ladder) == 0 && r.Hist == nil && r.Samples == nil {
		e.blind = fmt.Sprintf("%s:%d", b.path, r.Line)
	}
	e.acc.Add(r)
	return nil
}

// file maps the endpoints to keys and computes each key's metrics. With service rules the
// services come in rule order; by endpoint, keys are sorted. An endpoint name used with
// several methods is keyed "METHOD name" so that the endpoints stay apart.
func (b *builder) file(info *Info) (*File, error) {
	info.Totals = b.totals
	g := b.group(info)
	spanNs := g.duration(info, b.statedS, b.activeNs())
	f := &File{}
	for _, k := range g.keys {
		if spanNs > 0 {
			g.accs[k].SetSpan(spanNs)
		}
		s := g.accs[k].Service(k)
		if err := blind(k, s, g.blindAt[k]); err != nil {
			return nil, err
		}
		if outage(s) {
			info.Notes = append(info.Notes, fmt.Sprintf("%s: every request failed without a latency recorded (an outage, or every request timed out): error rate 100 %%, latency metrics left out", k))
		}
		f.Services = append(f.Services, s)
	}
	return f, nil
}

// grouped are the endpoints merged per key.
type grouped struct {
	accs    map[string]*Accumulator
	keys    []string
	blindAt map[string]string // per key, the first row without any latency value
}

// group merges the endpoints per key (service or endpoint), listing on info the
// endpoints no service rule matched.
func (b *builder) group(info *Info) grouped {
	g := grouped{accs: map[string]*Accumulator{}, blindAt: map[string]string{}}
	methods := map[string]map[string]bool{}
	for _, k := range b.order {
		e := b.endpoints[k]
		if methods[e.name] == nil {
			methods[e.name] = map[string]bool{}
		}
		methods[e.name][e.method] = true
	}
	for _, k := range b.order {
		e := b.endpoints[k]
		if e.acc.Requests() == 0 && e.acc.failures == 0 {
			continue
		}
		key := e.name
		if !b.mapping.ByEndpoint {
			svc, ok := b.mapping.ServiceFor(e.name)
			if !ok {
				info.Unmatched = append(info.Unmatched, Unmatched{Endpoint: strings.TrimSpace(e.method + " " + e.name), Requests: e.acc.Requests()})
				continue
			}
			key = svc
			info.Matched = append(info.Matched, Matched{Service: svc, Endpoint: strings.TrimSpace(e.method + " " + e.name), Requests: e.acc.Requests()})
		} else if len(methods[e.name]) > 1 && e.method != "" {
			key = e.method + " " + e.name
		}
		if g.accs[key] == nil {
			g.accs[key] = &Accumulator{}
			g.keys = append(g.keys, key)
		}
		g.accs[key].Merge(&e.acc)
		if g.blindAt[key] == "" {
			g.blindAt[key] = e.blind
		}
	}
	b.sortKeys(g.keys)
	return g
}

// sortKeys orders endpoint keys by name and services by their rules.
func (b *builder) sortKeys(keys []string) {
	if b.mapping.ByEndpoint {
		sort.Strings(keys)
		return
	}
	rank := map[string]int{}
	for i, r := range b.mapping.rules() {
		if _, ok := rank[r.Service]; !ok {
			rank[r.Service] = i
		}
	}
	sort.SliceStable(keys, func(i, j int) bool { return rank[keys[i]] < rank[keys[j]] })
}

// duration sets the test duration on info: the one an input states (statedS, e.g. a
// JMeter dashboard's), else rows with an rps give it as requests/rps (Locust's rps is
// requests over the global duration); raw-sample rows through their span, or activeNs
// when not zero (the time that several runs read together covered), which it returns
// (ns, 0 when none): their rps is spread over it.
func (g grouped) duration(info *Info, statedS float64, activeNs int64) int64 {
	var reqs int64
	var rps float64
	for _, k := range g.keys {
		a := g.accs[k]
		if a.rpsSeen && !a.rpsMissing {
			reqs += a.requests - a.spanRequests
			rps += a.rps
		}
	}
	if rps > 0 {
		info.DurationS = float64(reqs) / rps
	}
	if statedS > 0 {
		info.DurationS = statedS
	}
	var all loadtest.Span
	for _, a := range g.accs {
		all.Union(a.Span())
	}
	spanNs := all.EndNs - all.StartNs
	if activeNs > 0 {
		spanNs = activeNs
	}
	if !all.OK || spanNs <= 0 {
		return 0 // no raw sample, or a single instant (one request of no duration): no rps
	}
	info.DurationS = float64(spanNs) / 1e9
	return spanNs
}

// givenTwice refuses an input given twice (by any name: a link, another path): its
// requests would count twice, doubling the rps.
func givenTwice(paths []string) error {
	seen := make([]os.FileInfo, len(paths))
	for i, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			continue // open says why
		}
		for j := range i {
			if seen[j] != nil && os.SameFile(seen[j], st) {
				return fileerr.At(p, 0, "the same file as %s, given twice: its requests would count twice", paths[j])
			}
		}
		seen[i] = st
	}
	return nil
}

// blind refuses a service with requests but no latency value at all (every latency
// value empty, N/A or null): written as is, it would make an empty baseline that gates
// nothing. A service whose every request failed is kept (outage). The error names the
// first such row (where).
func blind(key string, s *Service, where string) error {
	if req, _ := s.Get(TotalRequests); req == 0 || outage(s) || hasLatency(s) {
		return nil
	}
	return fmt.Errorf("%s: %s has requests but no latency value at all (every latency value is empty, N/A or null) and not every request failed: nothing to compare", where, key)
}

// outage tells whether every request of a service failed and none has a latency: no
// request was answered in time (a service down, every request timed out). Its error rate
// says so; its latencies are unknown.
func outage(s *Service) bool {
	req, _ := s.Get(TotalRequests)
	fail, _ := s.Get(TotalFailures)
	return req > 0 && fail == req && !hasLatency(s)
}

func hasLatency(s *Service) bool {
	for _, n := range []string{AvgLatency, MedianLatency, P95Latency, P99Latency, MinLatency, MaxLatency} {
		if _, ok := s.Get(n); ok {
			return true
		}
	}
	return false
}
