package ghissue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

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
}

// Client files regression issues in one repository.
type Client struct {
	gh          *github.Client
	owner, name string
	token       string
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
	return &Client{gh: gh, owner: owner, name: name, token: cfg.Token}, nil
}

// Issue is an issue as perfgate needs it.
type Issue struct {
	Number int
	URL    string
	Title  string
	Labels []string
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
	i := Issue{Number: gi.GetNumber(), URL: gi.GetHTMLURL(), Title: gi.GetTitle()}
	for _, l := range gi.Labels {
		i.Labels = append(i.Labels, l.GetName())
	}
	return i
}

// ListOpen returns every open issue (not pull request) carrying all the labels, across
// all pages.
func (c *Client) ListOpen(ctx context.Context, labels []string) ([]Issue, error) {
	opts := &github.IssueListByRepoOptions{State: "open", Labels: labels, ListOptions: github.ListOptions{PerPage: 100}}
	var out []Issue
	for {
		page, resp, err := c.gh.Issues.ListByRepo(ctx, c.owner, c.name, opts)
		if err != nil {
			return nil, c.explain("listing open issues", err)
		}
		for _, gi := range page {
			if gi.IsPullRequest() {
				continue
			}
			out = append(out, fromGitHub(gi))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Create opens an issue.
func (c *Client) Create(ctx context.Context, title, body string, labels, assignees []string) (Issue, error) {
	req := &github.IssueRequest{Title: &title, Body: &body, Labels: &labels}
	if len(assignees) > 0 {
		req.Assignees = &assignees
	}
	gi, _, err := c.gh.Issues.Create(ctx, c.owner, c.name, req)
	if err != nil {
		return Issue{}, c.explain("creating the issue", err)
	}
	return fromGitHub(gi), nil
}

// Comment adds a comment to an issue and returns the comment's URL.
func (c *Client) Comment(ctx context.Context, number int, body string) (string, error) {
	cm, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.name, number, &github.IssueComment{Body: &body})
	if err != nil {
		return "", c.explain(fmt.Sprintf("commenting on issue #%d", number), err)
	}
	return cm.GetHTMLURL(), nil
}

// IssueComment is a comment on an issue or a pull request.
type IssueComment struct {
	ID   int64
	URL  string
	Body string
}

func fromGitHubComment(cm *github.IssueComment) IssueComment {
	return IssueComment{ID: cm.GetID(), URL: cm.GetHTMLURL(), Body: cm.GetBody()}
}

// PullRequestComments returns every comment of pull request number's conversation (the
// issue comments, not review comments), oldest first, across all pages.
func (c *Client) PullRequestComments(ctx context.Context, number int) ([]IssueComment, error) {
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	var out []IssueComment
	for {
		page, resp, err := c.gh.Issues.ListComments(ctx, c.owner, c.name, number, opts)
		if err != nil {
			return nil, c.explainNeeding(fmt.Sprintf("listing the comments of pull request #%d", number), pullRequestsWrite, err)
		}
		for _, cm := range page {
			out = append(out, fromGitHubComment(cm))
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// CommentOnPullRequest adds a comment to pull request number's conversation.
func (c *Client) CommentOnPullRequest(ctx context.Context, number int, body string) (IssueComment, error) {
	cm, _, err := c.gh.Issues.CreateComment(ctx, c.owner, c.name, number, &github.IssueComment{Body: &body})
	if err != nil {
		return IssueComment{}, c.explainNeeding(fmt.Sprintf("commenting on pull request #%d", number), pullRequestsWrite, err)
	}
	return fromGitHubComment(cm), nil
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
		switch er.Response.StatusCode {
		case http.StatusUnauthorized:
			msg = "token rejected (401 " + er.Message + "): check --token, GITHUB_TOKEN or GH_TOKEN"
		case http.StatusForbidden:
			msg = forbidden(repo, need, er.Message)
		case http.StatusNotFound:
			msg = fmt.Sprintf("repository %s not found or not visible to this token (404)", repo)
		case http.StatusUnprocessableEntity, http.StatusGone:
			msg = fmt.Sprintf("GitHub rejected the request (%d): %s", er.Response.StatusCode, validation(er))
		default:
			msg = fmt.Sprintf("GitHub API error %d: %s", er.Response.StatusCode, er.Message)
		}
	case errors.As(err, &syntax), errors.As(err, &typeErr), errors.Is(err, io.ErrUnexpectedEOF):
		msg = "GitHub API sent a response that is not the expected JSON: " + err.Error()
	default:
		msg = "cannot reach the GitHub API: " + err.Error()
	}
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, "***")
	}
	return fmt.Errorf("%s: %s", op, msg)
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
