package metrics

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGapsInAFreshFile: Vegeta writes its output anew on each attack, so a file whose
// requests stand two hours apart (two attacks put together, a scenario that starts
// later) is read whole — every request counts — with rps over the time requests ran:
// spread over the idle two hours, it would be a hundredth of the real rate and fail an
// rps gate for nothing.
func TestGapsInAFreshFile(t *testing.T) {
	var csv strings.Builder
	const start = int64(1796171623000000000)
	for stretch, at := range []int64{start, start + 2*3600e9} {
		for i := range int64(100) { // 100 requests 100 ms apart: 10 rps for 9.9 s (+ 10 ms)
			fmt.Fprintf(&csv, "%d,200,10000000,0,15,,,,%d,GET,http://h/api/users,\n", at+i*100e6, int64(stretch)*100+i)
		}
	}
	path := filepath.Join(t.TempDir(), "results.csv")
	os.WriteFile(path, []byte(csv.String()), 0o644)
	for _, all := range []bool{false, true} {
		f, info, err := Load([]string{path}, Options{Mapping: Mapping{ByEndpoint: true}, AllRuns: all})
		if err != nil {
			t.Fatal(err)
		}
		s := f.Service("/api/users")
		if s == nil {
			t.Fatalf("services %v", names(f))
		}
		req, _ := s.Get(TotalRequests)
		rps, _ := s.Get(RPS)
		if want := 200 / (2 * 9.91); req != 200 || rps < want-1e-9 || rps > want+1e-9 {
			t.Errorf("all runs %v: %v requests, rps %v, want 200 and %v", all, req, rps, want)
		}
		want := "vegeta writes its output anew on each run, so the file is read as one test, with rps over the 20 s the requests ran, not the 2 h the file spans"
		if all {
			want = "reading all of them (--all-runs): rps over the 20 s they ran, not the 2 h the file spans"
		}
		if note := strings.Join(info.Notes, "\n"); !strings.Contains(note, want) {
			t.Errorf("notes: %s", note)
		}
	}
}

// TestInputGivenTwice: one file given twice, by its name and through a hard link, would
// count every request twice (rps doubled, a real drop hidden); it is refused.
func TestInputGivenTwice(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a_stats.csv")
	data, err := os.ReadFile(testdata("locust/locust-2.12.1-baseline-run1_stats.csv"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(a, data, 0o644)
	link := filepath.Join(dir, "b_stats.csv")
	if err := os.Link(a, link); err != nil {
		t.Skip(err)
	}
	for _, second := range []string{a, filepath.Join(dir, ".", "a_stats.csv"), link} {
		_, _, err := Load([]string{a, second}, Options{Mapping: Mapping{ByEndpoint: true}})
		if want := second + ": the same file as " + a + ", given twice: its requests would count twice"; err == nil || err.Error() != want {
			t.Errorf("got %v, want %s", err, want)
		}
	}
}
