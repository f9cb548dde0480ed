package ghissue

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-github/v62/github"
	"golang.org/x/oauth2"
)

// DefaultAPIURL is the public GitHub REST API.
const DefaultAPIURL = "https://api.github.com/"

// Config configures a Client.
type Config struct {
	Token  string
	APIURL string // REST API base; GitHub Enterprise Server: https://HOST/api/v3/
	Repo   string // owner/name
	Policy RetryPolicy
	// Transport is the underlying HTTP transport (nil: http.DefaultTransport).
	Transport http.RoundTripper
	// Notice receives one line (the token redacted) when a write that GitHub answered
	// with an error turns out to have been carried out (nil: dropped).
	Notice func(string)
}

// Client files regression issues in one repository.
type Client struct {
	gh          *github.Client
	owner, name string
	token       string
	p           RetryPolicy
	onNotice    func(string)
}

var repoPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)

// ValidateRepo checks an owner/name repository reference.
func ValidateRepo(repo string) error {
	if !repoPattern.MatchString(repo) || strings.HasSuffix(repo, "/.") || strings.HasSuffix(repo, "/..") {
		return fmt.Errorf("repository %q is not of the form OWNER/NAME", repo)
	}
	return nil
}

// ValidateAPIURL checks the API base URL: https, or http on a loopback address only
// (test servers). It returns the URL with a trailing slash.
func ValidateAPIURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("API URL %q is not an absolute http(s) URL", raw)
	}
	switch u.Scheme {
	case "https":
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("API URL %q: plain http is refused (the token would travel unencrypted); use https", raw)
		}
	default:
		return nil, fmt.Errorf("API URL %q is not an http(s) URL", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// New returns a client for cfg.Repo; it validates the repository and the API URL.
func New(cfg Config) (*Client, error) {
	if err := ValidateRepo(cfg.Repo); err != nil {
		return nil, err
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	base, err := ValidateAPIURL(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	p := cfg.Policy
	if p.Attempts < 1 {
		p.Attempts = 1
	}
	if p.Sleep == nil {
		p.Sleep = SleepContext
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	tr := cfg.Transport
	if tr == nil {
		tr = http.DefaultTransport
	}
	httpClient := &http.Client{Transport: &oauth2.Transport{
		Source: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.Token}),
		Base:   &retryTransport{base: tr, p: p},
	}}
	gh := github.NewClient(httpClient)
	gh.BaseURL = base
	gh.UploadURL = base
	owner, name, _ := strings.Cut(cfg.Repo, "/")
	return &Client{gh: gh, owner: owner, name: name, token: cfg.Token, p: p, onNotice: cfg.Notice}, nil
}

// Issue is an issue as perfgate needs it.
type Issue struct {
	Number int
	URL    string
	Title  string
	Labels []string
	Body   string
}

// HasLabel reports whether the issue carries the label.
func (i Issue) HasLabel(l string) bool {
	for _, x := range i.Labels {
		if strings.EqualFold(x, l) {
			return true
		}
	}
	return false
}

func fromGitHub(gi *github.Issue) Issue {
	i := Issue{Number: gi.GetNumber(), URL: gi.GetHTMLURL(), Title: gi.GetTitle(), Body: gi.GetBody()}
	for _, l := range gi.Labels {
		i.Labels = append(i.Labels, l.GetName())
	}
	return i
}

// ListOpen returns every open issue (not pull request) carrying all the labels, across
// all pages.
func (c *Client) ListOpen(ctx context.Context, labels []string) ([]Issue, error) {
	var out []Issue
	err := c.eachOpen(ctx, labels, func(is Issue) bool { out = append(out, is); return true })
	return out, err
}

// eachOpen calls fn with every open issue (not pull request) carrying all the labels,
// page after page, until fn returns false.
func (c *Client) eachOpen(ctx context.Context, labels []string, fn func(Issue) bool) error {
	opts := &github.IssueListByRepoOptions{State: "open", Labels: labels, ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, c.owner, c.name, opts)
		if err != nil {
			return c.explain("listing open issues", err)
		}
		for _, gi := range page {
			if !gi.IsPullRequest() && !fn(fromGitHub(gi)) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			return nil
		}
		opts.Page = resp.NextPage
	}
}

// NewIssue is an issue to open.
type NewIssue struct {
	Title, Body       string
	Labels, Assignees []string
	// Marker is a line of Body that no other issue carries, e.g. a hidden HTML comment
	// naming the run and the kind of issue (see Create).
	Marker string
}

// Create opens an issue. When GitHub answers 5xx, or the answer is lost (a timeout, a
// broken connection), the issue may exist all the same: Create then lists the open issues
// carrying the issue's labels for one whose body has the marker line before sending the
// issue again (up to the policy's attempts, with its backoff). Found, it is the created
// issue, and Config.Notice is told. Without a marker such a failure is not retried.
func (c *Client) Create(ctx context.Context, ni NewIssue) (Issue, error) {
	req := &github.IssueRequest{Title: &ni.Title, Body: &ni.Body, Labels: &ni.Labels}
	if len(ni.Assignees) > 0 {
		req.Assignees = &ni.Assignees
	}
	var is Issue
	err := c.writeOnce(ctx, write{op: "creating the issue", need: issuesWrite, noun: "issue", marker: ni.Marker,
		send: func() error {
			gi, _, err := c.gh.Issues.Create(ctx, c.owner, c.name, req)
			if err == nil {
				is = fromGitHub(gi)
			}
			return err
		},
		find: func() (string, bool, error) {
			found := false
			err := c.eachOpen(ctx, ni.Labels, func(x Issue) bool {
				if HasMarker(x.Body, ni.Marker) {
					is, found = x, true
				}
				return !found
			})
			return is.URL, found, err
		},
	})
	return is, err
}

// Comment adds a comment to an issue and returns the comment's URL. A comment that GitHub
// answered 5xx or whose answer was lost is looked for among the issue's comments by its
// marker line before it is sent again, as Create does.
func (c *Client) Comment(ctx context.Context, number int, body, marker string) (string, error) {
	cm, err := c.comment(ctx, number, body, marker, fmt.Sprintf("commenting on issue #%d", number), fmt.Sprintf("issue #%d", number), issuesWrite)
	return cm.URL, err
}

// comment adds a comment to the conversation of issue or pull request number.
func (c *Client) comment(ctx context.Context, number int, body, marker, op, what, need string) (IssueComment, error) {
	var cm IssueComment
	err := c.writeOnce(ctx, write{op: op, need: need, noun: "comment", marker: marker,
		send: func() error {
			gc, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.name, number, &github.IssueComment{Body: &body})
			if err == nil {
				cm = fromGitHubComment(gc)
			}
			return err
		},
		find: func() (string, bool, error) {
			found := false
			err := c.eachComment(ctx, number, what, need, func(x IssueComment) bool {
				if HasMarker(x.Body, marker) {
					cm, found = x, true
				}
				return !found
			})
			return cm.URL, found, err
		},
	})
	return cm, err
}

// IssueComment is a comment on an issue or a pull request.
type IssueComment struct {
	ID   int64
	URL  string
	Body string
	// Author is the commenter's login; Bot tells it is a bot (an app or GitHub Actions),
	// which people cannot post as.
	Author string
	Bot    bool
}

func fromGitHubComment(cm *github.IssueComment) IssueComment {
	return IssueComment{ID: cm.GetID(), URL: cm.GetHTMLURL(), Body: cm.GetBody(), Author: cm.GetUser().GetLogin(), Bot: cm.GetUser().GetType() == "Bot"}
}

// Login returns the login of the token's user, or "" when the API does not tell (GitHub
// Actions' token is an integration's: GET /user is not accessible to it).
func (c *Client) Login(ctx context.Context) (string, error) {
	u, resp, err := c.gh.Users.Get(ctx, "")
	if resp != nil && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusNotFound) {
		return "", nil
	}
	if err != nil {
		return "", c.explain("asking whose the token is", err)
	}
	return u.GetLogin(), nil
}

// PullRequestComments returns every comment of pull request number's conversation (the
// issue comments, not review comments), oldest first, across all pages.
func (c *Client) PullRequestComments(ctx context.Context, number int) ([]IssueComment, error) {
	var out []IssueComment
	err := c.eachComment(ctx, number, fmt.Sprintf("pull request #%d", number), pullRequestsWrite, func(cm IssueComment) bool { out = append(out, cm); return true })
	return out, err
}

// eachComment calls fn with every comment of the conversation of issue or pull request
// number (what names it in errors), oldest first, page after page, until fn returns false.
func (c *Client) eachComment(ctx context.Context, number int, what, need string, fn func(IssueComment) bool) error {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.name, number, opts)
		if err != nil {
			return c.explainNeeding("listing the comments of "+what, need, err)
		}
		for _, cm := range page {
			if !fn(fromGitHubComment(cm)) {
				return nil
			}
		}
		if resp.NextPage == 0 {
			return nil
		}
		opts.Page = resp.NextPage
	}
}

// CommentOnPullRequest adds a comment to pull request number's conversation; a comment
// that GitHub answered 5xx or whose answer was lost is looked for by its marker line
// before it is sent again, as Create does.
func (c *Client) CommentOnPullRequest(ctx context.Context, number int, body, marker string) (IssueComment, error) {
	return c.comment(ctx, number, body, marker, fmt.Sprintf("commenting on pull request #%d", number), fmt.Sprintf("pull request #%d", number), pullRequestsWrite)
}

// EditComment replaces the body of the comment id (of an issue or a pull request).
func (c *Client) EditComment(ctx context.Context, id int64, body string) (IssueComment, error) {
	cm, _, err := c.gh.Issues.EditComment(ctx, c.owner, c.name, id, &github.IssueComment{Body: &body})
	if err != nil {
		return IssueComment{}, c.explainNeeding(fmt.Sprintf("updating comment %d", id), pullRequestsWrite, err)
	}
	return fromGitHubComment(cm), nil
}

// Close closes an issue as completed.
func (c *Client) Close(ctx context.Context, number int) error {
	state, reason := "closed", "completed"
	_, _, err := c.gh.Issues.Edit(ctx, c.owner, c.name, number, &github.IssueRequest{State: &state, StateReason: &reason})
	if err != nil {
		return c.explain(fmt.Sprintf("closing issue #%d", number), err)
	}
	return nil
}

// The permissions the token needs, as the 403 message tells them.
const (
	issuesWrite       = "issues: write"
	pullRequestsWrite = "pull-requests: write"
)

// explain turns an API failure into one line naming the cause; the token is redacted.
func (c *Client) explain(op string, err error) error {
	return c.explainNeeding(op, issuesWrite, err)
}

// explainNeeding is explain for an operation that needs the permission need.
func (c *Client) explainNeeding(op, need string, err error) error {
	repo := c.owner + "/" + c.name
	var msg string
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	var er *github.ErrorResponse
	var limited *RateLimitedError
	var timeout *TimeoutError
	var syntax *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &limited):
		msg = limited.Error()
	case errors.As(err, &timeout):
		msg = timeout.Error()
	case errors.As(err, &rl):
		msg = fmt.Sprintf("GitHub API rate limit exhausted; it resets at %s", rl.Rate.Reset.UTC().Format("2006-01-02 15:04:05 UTC"))
	case errors.As(err, &abuse):
		msg = "GitHub API secondary rate limit hit; try again later"
	case errors.As(err, &er) && er.Response != nil:
		msg = errorAnswer(repo, need, er)
	case errors.As(err, &syntax), errors.As(err, &typeErr), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "GitHub API sent a response that is not the expected JSON: " + err.Error()
	default:
		msg = "cannot reach the GitHub API: " + err.Error()
	}
	return fmt.Errorf("%s: %s", op, c.redact(msg))
}

// redact hides the token in s.
func (c *Client) redact(s string) string {
	if c.token != "" {
		s = strings.ReplaceAll(s, c.token, "***")
	}
	return s
}

// errorAnswer explains an error answer of the API.
func errorAnswer(repo, need string, er *github.ErrorResponse) string {
	status := er.Response.StatusCode
	switch {
	case status == http.StatusUnauthorized:
		return "token rejected (401 " + er.Message + "): check --token, GITHUB_TOKEN or GH_TOKEN"
	case status == http.StatusTooManyRequests || status == http.StatusForbidden && strings.Contains(strings.ToLower(er.Message), "rate limit"):
		return fmt.Sprintf("GitHub API rate limit (%d %s): still limited after the last try (--attempts); try again later", status, cmp.Or(er.Message, http.StatusText(status)))
	case status == http.StatusForbidden:
		return forbidden(repo, need, er.Message)
	case status == http.StatusNotFound:
		return fmt.Sprintf("repository %s not found or not visible to this token (404)", repo)
	case status == http.StatusUnprocessableEntity, status == http.StatusGone:
		return fmt.Sprintf("GitHub rejected the request (%d): %s", status, validation(er))
	case er.Message == "":
		return fmt.Sprintf("GitHub API error %d %s: %s", status, http.StatusText(status), withoutMessage(er.Response))
	}
	return fmt.Sprintf("GitHub API error %d: %s", status, er.Message)
}

// withoutMessage describes an error answer without GitHub's JSON message (a proxy's or a
// load balancer's page): its content type and its title or first words.
func withoutMessage(resp *http.Response) string {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var b []byte
	if resp.Body != nil {
		b, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<16))
		resp.Body = io.NopCloser(bytes.NewReader(b))
	}
	article := "a "
	if mt != "" && strings.ContainsRune("aeiou", rune(mt[0])) {
		article = "an "
	}
	switch {
	case mt == "":
		mt = "an answer without a content type"
	case strings.HasSuffix(mt, "json"):
		return article + mt + " answer without a message"
	default:
		mt = article + mt + " answer"
	}
	if text := pageText(b); text != "" {
		return fmt.Sprintf("%s, not GitHub's JSON: “%s”", mt, text)
	}
	return mt + ", not GitHub's JSON, and empty"
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// pageText is the title of an HTML page, else its text, on one line of at most 100
// characters, unable to command the Actions runner ("::" and "##[" broken).
func pageText(b []byte) string {
	s := string(b)
	if m := htmlTitle.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	s = strings.Join(strings.Fields(htmlTag.ReplaceAllString(s, " ")), " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, s)
	s = strings.NewReplacer("::", ":\u200b:", "##[", "#\u200b#[").Replace(s)
	if r := []rune(s); len(r) > 100 {
		s = string(r[:100]) + "…"
	}
	return s
}

// forbidden explains a 403 that is not a rate limit: the token may not write.
func forbidden(repo, need, apiMsg string) string {
	if need == pullRequestsWrite {
		return fmt.Sprintf("token cannot comment on pull requests of %s (403 %s): the job needs `permissions: pull-requests: write`; in a pull request from a fork GITHUB_TOKEN is read-only whatever the permissions — comment from a workflow_run workflow, or use --soft-fail", repo, apiMsg)
	}
	return fmt.Sprintf("token lacks issues:write on %s (403 %s); in a pull request from a fork GITHUB_TOKEN is read-only — give the job `permissions: issues: write`, run it on push, or use --soft-fail", repo, apiMsg)
}

func validation(er *github.ErrorResponse) string {
	parts := []string{er.Message}
	for _, e := range er.Errors {
		d := e.Message
		if d == "" {
			d = strings.TrimSpace(e.Resource + " " + e.Field + " " + e.Code)
		}
		if d != "" {
			parts = append(parts, d)
		}
	}
	return strings.Join(parts, "; ")
}
