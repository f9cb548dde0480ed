package history

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/perfgate/perfgate/pkg/metrics"
	"github.com/perfgate/perfgate/pkg/threshold"
)

func file(t *testing.T, doc string) *metrics.File {
	t.Helper()
	f, err := metrics.Parse([]byte(doc), "m.json")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestNewEntryRoundTrip(t *testing.T) {
	t.Parallel()
	base := file(t, `{"api": {"p95_latency_ms": 100, "error_rate_pct": 0.5, "rps": 50, "total_requests": 1000, "total_failures": 5}}`)
	cur := file(t, `{"api": {"p95_latency_ms": 180, "error_rate_pct": 0.5, "rps": 50, "total_requests": 1000, "total_failures": 5}, "_perfgate": {"formats": ["locust-stats"]}}`)
	ev := threshold.Evaluate(base, cur, threshold.Builtin())
	e, err := NewEntry(Run{Number: 3, Time: "2026-11-28T10:00:00Z", Commit: "0123456789abcdef", RunURL: "https://github.com/o/r/actions/runs/9"}, "fail", ev, cur)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Write(&b, []Entry{e}); err != nil {
		t.Fatal(err)
	}
	want := `{"schema":"perfgate/history/v1","run":3,"time":"2026-11-28T10:00:00Z","commit":"0123456789abcdef","run_url":"https://github.com/o/r/actions/runs/9","verdict":"fail",` +
		`"services":{"api":{"error_rate_pct":{"baseline":0.5,"current":0.5,"threshold":"+0.5","status":"pass"},"p95_latency_ms":{"baseline":100,"current":180,"threshold":"+50%","status":"fail"},"rps":{"baseline":50,"current":50,"threshold":"-30%","status":"pass"}}},` +
		`"metrics":{"api":{"p95_latency_ms":180.0,"error_rate_pct":0.5,"rps":50.0,"total_requests":1000,"total_failures":5},"_perfgate":{"formats":["locust-stats"]}}}` + "\n"
	if got := b.String(); got != want {
		t.Errorf("line:\n got: %s\nwant: %s", got, want)
	}
	back, skipped, err := Read(strings.NewReader(b.String()), "h.jsonl")
	if err != nil || len(skipped) > 0 {
		t.Fatal(err, skipped)
	}
	if diff := cmp.Diff([]Entry{e}, back, cmp.AllowUnexported(Entry{})); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	f, err := back[0].File("h.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Service("api").Get(metrics.P95Latency); v != 180 {
		t.Errorf("metrics p95 = %v", v)
	}
	if back[0].Label() != "0123456" {
		t.Errorf("label %q", back[0].Label())
	}
}

// TestReadSkipsCorruptLines: corrupt lines are skipped and reported with their line;
// lines of another version of the layout (a newer perfgate sharing the file) are reported
// too, but kept, and written back byte for byte, in their place.
func TestReadSkipsCorruptLines(t *testing.T) {
	t.Parallel()
	const v9 = `{"schema":"perfgate/history/v9","run":3,"time":"t","verdict":"pass","services":{}, "new":  "field"}`
	const v10 = `{"schema":"perfgate/history/v10","run":7,"services":[{"name":"a"}]}`
	doc := `{"schema":"perfgate/history/v1","run":1,"time":"t","verdict":"pass","services":{}}

{"schema":"perfgate/history/v1","run":2,"time":"t","verdict":"pa` + "\n" + v9 + "\n" +
		`{"schema":"perfgate/history/v1","run":4,"time":"t","services":{}}` + "\n" +
		`{"schema":"perfgate/history/v1","run":5,"time":"t","verdict":"fail","services":{"a":{"rps":{"baseline":1,"current":2,"status":"sideways"}}}}` + "\n" +
		`{"schema":"perfgate/history/v1","run":6,"time":"t","verdict":"fail","services":{}}` + "\n" + v10 + "\n" +
		`{"schema":"someone/else/v1","run":8,"verdict":"pass"}`
	entries, skipped, err := Read(strings.NewReader(doc), "h.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var runs []string
	for _, e := range entries {
		runs = append(runs, fmt.Sprintf("%d %v", e.Run, e.Kept()))
	}
	if diff := cmp.Diff([]string{"1 false", "3 true", "6 false", "7 true"}, runs); diff != "" {
		t.Errorf("runs read (-want +got):\n%s", diff)
	}
	if NextRun(entries) != 8 || len(Passing(entries, 10)) != 1 {
		t.Errorf("next run %d, passing %v: kept lines count for numbering only", NextRun(entries), Passing(entries, 10))
	}
	var msgs []string
	for _, s := range skipped {
		msgs = append(msgs, fmt.Sprintf("%v kept=%v", s, s.Kept))
	}
	want := []string{
		"h.jsonl:3: not a history entry: unexpected end of JSON input kept=false",
		`h.jsonl:4: schema "perfgate/history/v9", want "perfgate/history/v1" kept=true`,
		"h.jsonl:5: no verdict kept=false",
		`h.jsonl:6: not a history entry: unknown status "sideways" kept=false`,
		`h.jsonl:8: schema "perfgate/history/v10", want "perfgate/history/v1" kept=true`,
		`h.jsonl:9: schema "someone/else/v1", want "perfgate/history/v1" kept=false`,
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	var b strings.Builder
	if err := Write(&b, entries); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 || lines[1] != v9 || lines[3] != v10 || !strings.Contains(lines[2], `"run":6`) {
		t.Errorf("rewritten:\n%s", b.String())
	}
}

func TestKeepAndPassing(t *testing.T) {
	t.Parallel()
	var entries []Entry
	verdicts := []string{"pass", "fail", "pass", "warning", "pass", "pass", "incomparable", "acknowledged", "pass"}
	for _, v := range verdicts {
		entries = Append(entries, Entry{Run: NextRun(entries), Verdict: v}, 7)
	}
	var runs []int
	for _, e := range entries {
		runs = append(runs, e.Run)
	}
	if diff := cmp.Diff([]int{3, 4, 5, 6, 7, 8, 9}, runs); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	runs = runs[:0]
	for _, e := range Passing(entries, 3) {
		runs = append(runs, e.Run)
	}
	if diff := cmp.Diff([]int{5, 6, 9}, runs); diff != "" {
		t.Errorf("last 3 passing (-want +got):\n%s", diff)
	}
	if got := (Entry{Run: 12}).Label(); got != "#12" {
		t.Errorf("label without commit: %q", got)
	}
}

// FuzzRead: any input reads without a panic; what was read writes and reads back equal.
func FuzzRead(f *testing.F) {
	f.Add(`{"schema":"perfgate/history/v1","run":1,"time":"2026-12-01T10:00:00Z","verdict":"pass","services":{"a":{"rps":{"baseline":1,"current":2,"threshold":"-30%","status":"pass"}}},"metrics":{"a":{"rps":2.0}}}` + "\n")
	f.Add(`{"schema":"perfgate/history/v1","run":2,"time":"t","commit":"abc","verdict":"fail","services":{}}` + "\n{\n\n")
	f.Add("not json\n{\"schema\": 1}\n")
	f.Fuzz(func(t *testing.T, doc string) {
		entries, _, err := Read(strings.NewReader(doc), "h.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := Write(&b, entries); err != nil {
			t.Fatal(err)
		}
		back, skipped, err := Read(&b, "h.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range skipped {
			if !s.Kept { // only lines of another version, kept as they were, are not read
				t.Fatalf("rewritten history does not read back: %v", s)
			}
		}
		if diff := cmp.Diff(entries, back, cmp.AllowUnexported(Entry{}), cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(compact(a), compact(b)) })); diff != "" {
			t.Errorf("round trip (-want +got):\n%s", diff)
		}
	})
}

func compact(b []byte) []byte {
	var c bytes.Buffer
	if json.Compact(&c, b) != nil {
		return b
	}
	return c.Bytes()
}
