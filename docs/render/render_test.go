package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests need no browser; make render runs the real thing.

func TestExtract(t *testing.T) {
	doc := "## Report\n\n#### svc · p95 — fail\n\n```mermaid\n%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#d62728, #7f7f7f\"}}}}%%\nxychart-beta\n    title \"a#quot;b #35;1#59; #38; · p95\"\n    x-axis [\"abc1234\", \"#2\", \"x, y\"]\n    line [1, 2.5, 3]\n    line [1, 1, 1]\n```\n\n```go\nnot a chart\n```\n"
	got := extract(doc, "r.md")
	want := []chart{{
		Name:    "r.md #1 svc · p95 — fail",
		Source:  "%%{init: {\"themeVariables\": {\"xyChart\": {\"plotColorPalette\": \"#d62728, #7f7f7f\"}}}}%%\nxychart-beta\n    title \"a#quot;b #35;1#59; #38; · p95\"\n    x-axis [\"abc1234\", \"#2\", \"x, y\"]\n    line [1, 2.5, 3]\n    line [1, 1, 1]\n",
		Title:   `a"b #1; & · p95`,
		Labels:  []string{"abc1234", "#2", "x, y"},
		Lines:   []int{3, 3},
		Palette: []string{"#d62728", "#7f7f7f"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestCheck(t *testing.T) {
	c := chart{Title: "t", Labels: []string{"a", "b"}, Lines: []int{2, 2}, Palette: []string{"#d62728", "#7f7f7f"}}
	ok := result{Title: "t", Labels: []string{"a", "b"}, Lines: []int{2, 2}, Strokes: []string{"#D62728", "#7f7f7f"}}
	if msg := check(c, ok); msg != "" {
		t.Errorf("a faithful drawing fails: %s", msg)
	}
	for _, tc := range []struct {
		name string
		r    result
		want string
	}{
		{"error", result{Error: "Parse error on line 2"}, "mermaid: Parse error on line 2"},
		{"missing point", result{Title: "t", Labels: []string{"a", "b"}, Lines: []int{1, 2}}, "drawn lines have [1 2] points, the source [2 2]"},
		{"missing line", result{Title: "t", Labels: []string{"a", "b"}, Lines: []int{2}}, "drawn lines have [2] points, the source [2 2]"},
		{"labels", result{Title: "t", Labels: []string{"a"}, Lines: []int{2, 2}}, `x axis shows ["a"], the source says ["a" "b"]`},
		{"title", result{Title: "t&amp;", Labels: []string{"a", "b"}, Lines: []int{2, 2}}, `title shows "t&amp;", the source says "t"`},
		{"colour", result{Title: "t", Labels: []string{"a", "b"}, Lines: []int{2, 2}, Strokes: []string{"#000"}}, "line 1 is drawn in #000, the palette says #d62728"},
	} {
		if got := check(c, tc.r); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	dom := `<html><body><pre id="status" style="display:none">[{"error":"","title":"a &amp; b","labels":["x"],"lines":[1],"strokes":["#d62728"]}]</pre></body></html>`
	got, err := parseStatus([]byte(dom), 1)
	if err != nil || len(got) != 1 || got[0].Title != "a & b" {
		t.Errorf("%+v %v", got, err)
	}
	for _, dom := range []string{"<html></html>", `<pre id="status">pending</pre>`} {
		if _, err := parseStatus([]byte(dom), 1); err == nil {
			t.Errorf("%s: no error", dom)
		}
	}
	if _, err := parseStatus([]byte(`<pre id="status">[]</pre>`), 1); err == nil || !strings.Contains(err.Error(), "reported 0 charts, want 1") {
		t.Errorf("count: %v", err)
	}
}
