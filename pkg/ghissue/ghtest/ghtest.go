// Package ghtest is a fake of the GitHub REST API for tests, on an httptest server: the
// issue and comment endpoints perfgate uses (list issues and comments with Link
// pagination, create, comment, edit an issue or a comment), the token check, rate-limit
// headers, GitHub's 65,536-character body limit, a read-only token (a pull request from a
// fork), and scripted faults served before normal handling: error answers, hangs, rate
// limits, proxies' HTML pages, bodies that stall after the headers, and writes carried
// out whose answer is lost (CarriedOut). Issue and comment bodies are kept, so that a
// client can look for what it wrote.
package ghtest

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Server behaves like the GitHub REST API for the endpoints perfgate uses: list
// repository issues and an issue's comments (with Link pagination), create an issue,
// create, list and edit comments, edit an issue. It checks the token, records every
// request, and serves scripted faults first. Set Open, Comments, PerPage, ReadOnly and
// Faults before the first request.
type Server struct {
	t      testing.TB
	srv    *httptest.Server
	prefix string // "" for api.github.com, "/api/v3" for GitHub Enterprise Server
	// Token is the only token the server accepts.
	Token string
	// User is the login the token belongs to, the author of the comments it posts. Empty
	// (the default) is GitHub Actions' GITHUB_TOKEN: comments by github-actions[bot], and
	// GET /user answers 403 as it does for an integration's token.
	User string

	mu       sync.Mutex
	requests []Request
	// Open are the open issues, in listing order.
	Open []Issue
	next int // next issue number
	// PerPage is the largest page the server returns (default 100).
	PerPage int
	// Faults are served, in order, before normal handling; a fault with a Method waits
	// for a request of that method.
	Faults []Fault
	// Comments are the comments of each issue or pull request, by number, oldest first.
	Comments    map[int][]Comment
	nextComment int64
	// ReadOnly makes every write answer 403 "Resource not accessible by integration", as
	// GitHub does for the GITHUB_TOKEN of a pull request from a fork.
	ReadOnly bool
}

// MaxBody is GitHub's limit on the body of an issue or a comment, in characters.
const MaxBody = 65536

// Comment is a comment the server holds.
type Comment struct {
	ID   int64
	Body string
	// Author is the commenter's login ("" for the token's user, User); Human makes the
	// author a person (type User) rather than a bot.
	Author string
	Human  bool
}

// Request is a request the server received; Body is its decoded JSON body.
type Request struct {
	Method, Path, Query, Auth string
	Body                      map[string]any
}

// Issue is an issue the server holds; PR makes it a pull request (the issues list
// returns those too).
type Issue struct {
	Number int
	Title  string
	Labels []string
	PR     bool
	Body   string
}

// Fault is a scripted answer: a status with headers and body, or a request that hangs
// until the client gives up. The zero values of the other fields keep the plain
// behaviour: any method, answered at once, nothing carried out, a JSON body.
type Fault struct {
	Status  int
	Headers map[string]string
	Body    string
	Hang    bool
	// ContentType of Body (default "application/json; charset=utf-8").
	ContentType string
	// Method restricts the fault to requests of that method ("" any); requests of other
	// methods pass it by and are handled normally.
	Method string
	// CarryOut handles the request normally first (an issue or a comment is created), then
	// throws that answer away and answers the fault: a gateway that lost GitHub's answer.
	CarryOut bool
	// Delay waits before answering (or until the client gives up).
	Delay time.Duration
	// Stall sends the status and headers and the start of Body, then nothing more until
	// the client gives up: a body that stalls after the headers.
	Stall bool
}

// CarriedOut is a write that GitHub carries out but whose answer is lost: the request is
// handled (the issue or comment exists afterwards), then status is answered with an HTML
// error page, after delay (0: at once). Only the next request of method is affected.
func CarriedOut(method string, status int, delay time.Duration) Fault {
	return Fault{Method: method, CarryOut: true, Delay: delay, Status: status, ContentType: "text/html", Body: htmlPage(status)}
}

// HTMLError is an error answered by a proxy in front of the API: status with an HTML page.
func HTMLError(status int) Fault {
	return Fault{Status: status, ContentType: "text/html", Body: htmlPage(status)}
}

func htmlPage(status int) string {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	return "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text + "</h1></center>\r\n</body>\r\n</html>\r\n"
}

// StallAfterHeaders answers 200 with its headers and the first bytes of a JSON body, then
// stalls until the client gives up.
func StallAfterHeaders() Fault {
	return Fault{Status: http.StatusOK, Stall: true, Body: `[{"number": `}
}

// RetryAfterDate is a secondary rate limit (429) whose Retry-After is an HTTP date.
func RetryAfterDate(at time.Time) Fault {
	return Fault{Status: http.StatusTooManyRequests, Headers: map[string]string{"Retry-After": at.UTC().Format(http.TimeFormat)},
		Body: `{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`}
}

// SecondaryLimit is a secondary rate limit told only by the body of a 403 (no
// Retry-After, no X-RateLimit-Remaining: 0), as GitHub sometimes answers.
func SecondaryLimit() Fault {
	return Fault{Status: http.StatusForbidden, Body: `{"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 1234:5678.", "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`}
}

// New starts a fake API under prefix ("" or "/api/v3"), closed when the test ends.
func New(t testing.TB, prefix string) *Server {
	f := &Server{t: t, prefix: prefix, Token: "ghp_s3cretT0kenValue", next: 100, PerPage: 100, Comments: map[int][]Comment{}, nextComment: 9000}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// APIURL is the base URL to give the client.
func (f *Server) APIURL() string { return f.srv.URL + f.prefix + "/" }

// Requests returns the requests received so far.
func (f *Server) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Request(nil), f.requests...)
}

var (
	listPath        = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues$`)
	commentPath     = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)/comments$`)
	issuePath       = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/(\d+)$`)
	editCommentPath = regexp.MustCompile(`^/repos/([^/]+)/([^/]+)/issues/comments/(\d+)$`)
)

func (f *Server) serve(w http.ResponseWriter, r *http.Request) {
	rec := f.record(r)
	ft := f.takeFault(r.Method)
	if ft == nil {
		f.handle(w, r, rec)
		return
	}
	if ft.CarryOut {
		f.handle(httptest.NewRecorder(), r, rec)
	}
	if ft.Hang {
		<-r.Context().Done()
		return
	}
	if ft.Delay > 0 {
		select {
		case <-time.After(ft.Delay):
		case <-r.Context().Done():
			return
		}
	}
	for k, v := range ft.Headers {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", cmp.Or(ft.ContentType, "application/json; charset=utf-8"))
	w.WriteHeader(ft.Status)
	io.WriteString(w, ft.Body)
	if ft.Stall {
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		<-r.Context().Done()
	}
}

// record reads the request and records it.
func (f *Server) record(r *http.Request) Request {
	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization")}
	if b, _ := io.ReadAll(r.Body); len(b) > 0 {
		if err := json.Unmarshal(b, &rec.Body); err != nil {
			f.t.Errorf("request body is not JSON: %s", b)
		}
	}
	f.mu.Lock()
	f.requests = append(f.requests, rec)
	f.mu.Unlock()
	return rec
}

// takeFault removes and returns the first fault that applies to a request of method.
func (f *Server) takeFault(method string) *Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.Faults {
		if ft.Method == "" || ft.Method == method {
			f.Faults = append(f.Faults[:i:i], f.Faults[i+1:]...)
			return &ft
		}
	}
	return nil
}

// handle serves a request as the API does: the token, the prefix, the rate-limit headers,
// a read-only token, the body limit, then the endpoint.
func (f *Server) handle(w http.ResponseWriter, r *http.Request, rec Request) {
	if rec.Auth != "Bearer "+f.Token {
		f.jsonError(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, f.prefix)
	if !ok {
		f.t.Errorf("unexpected request outside %s: %s %s", f.prefix, r.Method, r.URL.Path)
		f.jsonError(w, http.StatusNotFound, "Not Found")
		return
	}
	w.Header().Set("X-RateLimit-Limit", "5000")
	w.Header().Set("X-RateLimit-Remaining", "4999")
	w.Header().Set("X-RateLimit-Reset", "1795800000")
	if f.ReadOnly && r.Method != http.MethodGet {
		f.jsonError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	if b, ok := rec.Body["body"].(string); ok && utf8.RuneCountInString(b) > MaxBody {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprintf(w, `{"message": "Validation Failed", "errors": [{"resource": "IssueComment", "code": "custom", "field": "body", "message": "body is too long (maximum is %d characters)"}], "documentation_url": "https://docs.github.com/rest"}`, MaxBody)
		return
	}
	f.route(w, r, rec, path)
}

// route serves the endpoint of path.
func (f *Server) route(w http.ResponseWriter, r *http.Request, rec Request, path string) {
	number := func(re *regexp.Regexp) int64 {
		n, _ := strconv.ParseInt(re.FindStringSubmatch(path)[3], 10, 64)
		return n
	}
	switch {
	case r.Method == http.MethodGet && path == "/user":
		f.user(w)
	case r.Method == http.MethodGet && listPath.MatchString(path):
		f.list(w, r)
	case r.Method == http.MethodPost && listPath.MatchString(path):
		f.createIssue(w, rec)
	case r.Method == http.MethodGet && commentPath.MatchString(path):
		f.listComments(w, r, int(number(commentPath)))
	case r.Method == http.MethodPost && commentPath.MatchString(path):
		f.createComment(w, int(number(commentPath)), rec)
	case r.Method == http.MethodPatch && editCommentPath.MatchString(path):
		f.editComment(w, number(editCommentPath), rec)
	case r.Method == http.MethodPatch && issuePath.MatchString(path):
		f.closeIssue(w, int(number(issuePath)))
	default:
		f.t.Errorf("unexpected request: %s %s", r.Method, r.URL.String())
		f.jsonError(w, http.StatusNotFound, "Not Found")
	}
}

func (f *Server) createComment(w http.ResponseWriter, n int, rec Request) {
	body, _ := rec.Body["body"].(string)
	f.mu.Lock()
	f.nextComment++
	c := Comment{ID: f.nextComment, Body: body, Author: f.User, Human: f.User != ""}
	f.Comments[n] = append(f.Comments[n], c)
	f.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(commentJSON(n, c))
}

func (f *Server) createIssue(w http.ResponseWriter, rec Request) {
	f.mu.Lock()
	f.next++
	n := f.next
	title, _ := rec.Body["title"].(string)
	body, _ := rec.Body["body"].(string)
	var labels []string
	for _, l := range rec.Body["labels"].([]any) {
		labels = append(labels, l.(string))
	}
	is := Issue{Number: n, Title: title, Labels: labels, Body: body}
	f.Open = append(f.Open, is)
	f.mu.Unlock()
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(f.issueJSON(is))
}

// closeIssue serves an edit of an issue (perfgate only closes them).
func (f *Server) closeIssue(w http.ResponseWriter, n int) {
	f.mu.Lock()
	var kept []Issue
	var found *Issue
	for i := range f.Open {
		if f.Open[i].Number == n {
			found = &f.Open[i]
			continue
		}
		kept = append(kept, f.Open[i])
	}
	f.Open = kept
	f.mu.Unlock()
	if found == nil {
		f.jsonError(w, http.StatusNotFound, "Not Found")
		return
	}
	json.NewEncoder(w).Encode(f.issueJSON(*found))
}

func (f *Server) editComment(w http.ResponseWriter, id int64, rec Request) {
	body, _ := rec.Body["body"].(string)
	f.mu.Lock()
	defer f.mu.Unlock()
	for n, cs := range f.Comments {
		for i := range cs {
			if cs[i].ID == id {
				cs[i].Body = body
				json.NewEncoder(w).Encode(commentJSON(n, cs[i]))
				return
			}
		}
	}
	f.jsonError(w, http.StatusNotFound, "Not Found")
}

func (f *Server) listComments(w http.ResponseWriter, r *http.Request, n int) {
	f.mu.Lock()
	cs := append([]Comment(nil), f.Comments[n]...)
	f.mu.Unlock()
	start, end := f.page(w, r, len(cs))
	out := []map[string]any{}
	for _, c := range cs[start:end] {
		out = append(out, commentJSON(n, c))
	}
	json.NewEncoder(w).Encode(out)
}

func commentJSON(n int, c Comment) map[string]any {
	login, typ := c.Author, "Bot"
	if c.Human {
		typ = "User"
	}
	if login == "" {
		login = "github-actions[bot]"
	}
	return map[string]any{"id": c.ID, "body": c.Body, "html_url": fmt.Sprintf("https://github.com/o/r/issues/%d#issuecomment-%d", n, c.ID),
		"user": map[string]any{"login": login, "type": typ}}
}

// user serves GET /user: the token's user, or 403 for GitHub Actions' token.
func (f *Server) user(w http.ResponseWriter) {
	if f.User == "" {
		f.jsonError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"login": f.User, "type": "User"})
}

// OpenIssues returns the open issues, in listing order.
func (f *Server) OpenIssues() []Issue {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Issue(nil), f.Open...)
}

// IssueComments returns the comments of an issue or pull request, oldest first.
func (f *Server) IssueComments(n int) []Comment {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Comment(nil), f.Comments[n]...)
}

func (f *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("state") != "open" {
		f.t.Errorf("list without state=open: %s", r.URL.RawQuery)
	}
	want := strings.Split(q.Get("labels"), ",")
	f.mu.Lock()
	var match []Issue
	for _, is := range f.Open {
		if hasAll(is.Labels, want) {
			match = append(match, is)
		}
	}
	f.mu.Unlock()
	start, end := f.page(w, r, len(match))
	out := []map[string]any{}
	for _, is := range match[start:end] {
		out = append(out, f.issueJSON(is))
	}
	json.NewEncoder(w).Encode(out)
}

// page serves one page of a list of n items as GitHub does (per_page, page, and the Link
// header with next/last/first/prev); it returns the items' index range.
func (f *Server) page(w http.ResponseWriter, r *http.Request, n int) (start, end int) {
	q := r.URL.Query()
	per := f.PerPage
	if pp, err := strconv.Atoi(q.Get("per_page")); err == nil && pp < per {
		per = pp
	}
	page := 1
	if p, err := strconv.Atoi(q.Get("page")); err == nil && p > 0 {
		page = p
	}
	last := max((n+per-1)/per, 1)
	start, end = min((page-1)*per, n), min(page*per, n)
	var links []string
	link := func(p int, rel string) {
		u := *r.URL
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		u.RawQuery = qq.Encode()
		links = append(links, fmt.Sprintf(`<%s%s>; rel="%s"`, f.srv.URL, u.RequestURI(), rel))
	}
	if page < last {
		link(page+1, "next")
		link(last, "last")
	}
	if page > 1 {
		link(1, "first")
		link(page-1, "prev")
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	return start, end
}

func (f *Server) issueJSON(is Issue) map[string]any {
	var labels []map[string]any
	for _, l := range is.Labels {
		labels = append(labels, map[string]any{"name": l})
	}
	m := map[string]any{"number": is.Number, "title": is.Title, "body": is.Body, "state": "open", "labels": labels,
		"html_url": fmt.Sprintf("https://github.com/o/r/issues/%d", is.Number)}
	if is.PR {
		m["pull_request"] = map[string]any{"url": "x"}
	}
	return m
}

func (f *Server) jsonError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"message": %q, "documentation_url": "https://docs.github.com/rest"}`, msg)
}

// Calls lists the requests received so far as "METHOD /path".
func (f *Server) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.requests {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
