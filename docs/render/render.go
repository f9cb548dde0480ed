package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// chart is one Mermaid code block and what its source says the picture must hold.
type chart struct {
	// Name says where the chart is: file and the heading above it.
	Name   string
	Source string
	Title  string   // the title, entity codes decoded ("" when none)
	Labels []string // the x-axis labels, decoded
	Lines  []int    // the number of values of each line
	// Palette lists the line colours the source sets, if any.
	Palette []string
}

// result is what the page saw after rendering a chart with mermaid.
type result struct {
	Error   string   `json:"error"`
	Title   string   `json:"title"`
	Labels  []string `json:"labels"`
	Lines   []int    `json:"lines"`   // points of each drawn line
	Strokes []string `json:"strokes"` // colour of each drawn line
}

// brokenChart must fail: it proves that errors are seen.
var brokenChart = chart{Name: "self-check (a broken chart)", Source: "xychart-beta\n    title \"broken\n    x-axis [a, b\n    line [1, 2]\n"}

var (
	xAxis    = regexp.MustCompile(`^\s*x-axis\s*\[(.*)\]\s*$`)
	lineData = regexp.MustCompile(`^\s*line\s*(?:"[^"]*"\s*)?\[(.*)\]\s*$`)
	title    = regexp.MustCompile(`^\s*title\s+"([^"]*)"\s*$`)
	quoted   = regexp.MustCompile(`"([^"]*)"`)
	palette  = regexp.MustCompile(`"plotColorPalette":\s*"([^"]*)"`)
	entity   = regexp.MustCompile(`#(\w+);`)
)

// extract finds the ```mermaid blocks of a markdown document.
func extract(doc, file string) []chart {
	var out []chart
	heading := ""
	var src *strings.Builder
	for _, l := range strings.Split(strings.ReplaceAll(doc, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		switch {
		case src != nil && t == "```":
			out = append(out, parseChart(fmt.Sprintf("%s #%d %s", file, len(out)+1, heading), src.String()))
			src = nil
		case src != nil:
			src.WriteString(l + "\n")
		case t == "```mermaid":
			src = &strings.Builder{}
		case strings.HasPrefix(t, "#"):
			heading = strings.TrimSpace(strings.TrimLeft(t, "#"))
		}
	}
	return out
}

// parseChart reads the title, labels, lines and palette of an xychart source.
func parseChart(name, src string) chart {
	c := chart{Name: name, Source: src}
	for _, l := range strings.Split(src, "\n") {
		if m := title.FindStringSubmatch(l); m != nil {
			c.Title = decode(m[1])
		} else if m := xAxis.FindStringSubmatch(l); m != nil {
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				c.Labels = append(c.Labels, decode(q[1]))
			}
		} else if m := lineData.FindStringSubmatch(l); m != nil {
			c.Lines = append(c.Lines, len(strings.Split(m[1], ",")))
		} else if m := palette.FindStringSubmatch(l); m != nil {
			for _, p := range strings.Split(m[1], ",") {
				c.Palette = append(c.Palette, strings.TrimSpace(p))
			}
		}
	}
	return c
}

// decode replaces Mermaid's entity codes (#quot;, #35;) by their characters.
func decode(s string) string {
	return entity.ReplaceAllStringFunc(s, func(e string) string {
		name := e[1 : len(e)-1]
		if n, err := strconv.Atoi(name); err == nil {
			return string(rune(n))
		}
		if d := html.UnescapeString("&" + name + ";"); d != "&"+name+";" {
			return d
		}
		return e
	})
}

// check compares what was drawn with what the source says; "" when they agree.
func check(c chart, r result) string {
	switch {
	case r.Error != "":
		return "mermaid: " + r.Error
	case fmt.Sprint(r.Lines) != fmt.Sprint(c.Lines):
		return fmt.Sprintf("drawn lines have %v points, the source %v", r.Lines, c.Lines)
	case fmt.Sprintf("%q", r.Labels) != fmt.Sprintf("%q", c.Labels):
		return fmt.Sprintf("x axis shows %q, the source says %q", r.Labels, c.Labels)
	case c.Title != "" && r.Title != c.Title:
		return fmt.Sprintf("title shows %q, the source says %q", r.Title, c.Title)
	}
	for i, s := range r.Strokes {
		if i < len(c.Palette) && !strings.EqualFold(s, c.Palette[i]) {
			return fmt.Sprintf("line %d is drawn in %s, the palette says %s", i+1, s, c.Palette[i])
		}
	}
	return ""
}

// renderer runs Chromium on pages that render charts with the mermaid package.
type renderer struct {
	chromium, mermaidJS, out string
	timeout                  time.Duration
}

// render renders the charts on one page and returns what the page saw of each.
func (r *renderer) render(ctx context.Context, charts []chart) ([]result, error) {
	dir, err := os.MkdirTemp("", "perfgate-render-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	page, err := r.page(dir, charts)
	if err != nil {
		return nil, err
	}
	dom, err := r.chrome(ctx, dir, "--dump-dom", page)
	if err != nil {
		return nil, err
	}
	return parseStatus(dom, len(charts))
}

// screenshot writes a PNG of chart i alone into r.out and returns its path.
func (r *renderer) screenshot(ctx context.Context, c chart, i int) (string, error) {
	dir, err := os.MkdirTemp("", "perfgate-render-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	page, err := r.page(dir, []chart{c})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(r.out, 0o755); err != nil {
		return "", err
	}
	png, err := filepath.Abs(filepath.Join(r.out, fmt.Sprintf("chart-%02d-%s.png", i+1, slug(c.Name))))
	if err != nil {
		return "", err
	}
	// The chart at its own size (Mermaid's default 700×500, wider for many runs).
	w, h := 700, 500
	if m := widthRE.FindStringSubmatch(c.Source); m != nil {
		w, _ = strconv.Atoi(m[1])
	}
	size := fmt.Sprintf("--window-size=%d,%d", w+20, h+20)
	if _, err := r.chrome(ctx, dir, "--screenshot="+png, size, "--hide-scrollbars", page); err != nil {
		return "", err
	}
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		return "", fmt.Errorf("chromium wrote no screenshot %s: %v", png, err)
	}
	return png, nil
}

// chrome runs headless Chromium with a fresh profile and returns its stdout.
func (r *renderer) chrome(ctx context.Context, dir string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--virtual-time-budget=30000"}
	cmd := exec.CommandContext(ctx, r.chromium, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%s: %v\n%s", r.chromium, err, stderr.String())
	}
	return stdout.Bytes(), nil
}

// page writes the HTML page that renders the charts and returns its file URL.
func (r *renderer) page(dir string, charts []chart) (string, error) {
	js, err := filepath.Abs(r.mermaidJS)
	if err != nil {
		return "", err
	}
	var srcs []string
	for _, c := range charts {
		srcs = append(srcs, c.Source)
	}
	data, err := json.Marshal(srcs) // escapes <, > and &: no source can end the script
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "page.html")
	doc := strings.NewReplacer("MERMAID_URL", (&url.URL{Scheme: "file", Path: js}).String(), "CHARTS_JSON", string(data)).Replace(pageHTML)
	if err := os.WriteFile(p, []byte(doc), 0o644); err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: p}).String(), nil
}

var widthRE = regexp.MustCompile(`"width":\s*(\d+)`)

var statusRE = regexp.MustCompile(`(?s)<pre id="status"[^>]*>(.*?)</pre>`)

// parseStatus reads the page's verdicts from the dumped DOM.
func parseStatus(dom []byte, n int) ([]result, error) {
	m := statusRE.FindSubmatch(dom)
	if m == nil {
		return nil, fmt.Errorf("the page reported nothing (no status element in the DOM)")
	}
	text := html.UnescapeString(string(m[1]))
	var res []result
	if err := json.Unmarshal([]byte(text), &res); err != nil {
		return nil, fmt.Errorf("the page did not finish rendering (status %.200q): %v", text, err)
	}
	if len(res) != n {
		return nil, fmt.Errorf("the page reported %d charts, want %d", len(res), n)
	}
	return res, nil
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	s = strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

// pageHTML renders every chart with mermaid and writes, into #status, what it drew.
const pageHTML = `<!doctype html>
<html><head><meta charset="utf-8"><script src="MERMAID_URL"></script></head>
<body style="margin:0;background:#fff">
<div id="out" style="padding:10px"></div>
<pre id="status" style="display:none">pending</pre>
<script>
const charts = CHARTS_JSON;
mermaid.initialize({startOnLoad: false});
(async () => {
  const res = [];
  for (let i = 0; i < charts.length; i++) {
    const r = {error: "", title: "", labels: [], lines: [], strokes: []};
    try {
      await mermaid.parse(charts[i]);
      const {svg} = await mermaid.render("chart" + i, charts[i]);
      const div = document.createElement("div");
      div.innerHTML = svg;
      document.getElementById("out").appendChild(div);
      const el = div.querySelector("svg");
      if (!el || /Syntax error/i.test(el.textContent)) throw new Error("no chart drawn: " + (el ? el.textContent : "no svg"));
      el.querySelectorAll("g.plot > g").forEach(g => {
        const p = g.querySelector("path");
        r.lines.push(p ? (p.getAttribute("d").match(/[ML]/g) || []).length : 0);
        r.strokes.push(p ? p.getAttribute("stroke") : "");
      });
      el.querySelectorAll("g.bottom-axis g.label text").forEach(t => r.labels.push(t.textContent));
      const tt = el.querySelector("g.chart-title text");
      r.title = tt ? tt.textContent : "";
    } catch (e) {
      r.error = String((e && e.message) || e);
    }
    res.push(r);
  }
  document.getElementById("status").textContent = JSON.stringify(res);
})();
</script></body></html>
`
