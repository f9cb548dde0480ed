package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/ghissue"
	"github.com/perfgate/perfgate/pkg/report"
)

// environment is what the command takes from the process, injected for tests.
type environment struct {
	Getenv    func(string) string
	Now       func() time.Time
	Sleep     func(context.Context, time.Duration) error
	Transport http.RoundTripper // nil: the default
	// Nonce returns a new random id (nil: 8 random bytes in hex).
	Nonce func() string
}

type options struct {
	token, repo, apiURL, commentKey           string
	prComment                                 bool
	pr                                        int
	labels, assignees                         []string
	dryRun, noDedupe, closeResolved, softFail bool
	maxWait, timeout                          time.Duration
	attempts                                  int
}

var command = cli.Command{
	Name: "create-regression-issue",
	Help: `Usage: create-regression-issue [flags] <regression_report_file> [--token TOKEN]

Reads the regression report written by compare-performance (markdown, or its --json
results) and opens the seed's GitHub issues: a critical one for failures, a warning one for
warnings. An open issue of the same kind gets a comment instead of a duplicate.

Token: --token, else GITHUB_TOKEN, else GH_TOKEN (needs issues: write).
Repository: --repo, else GITHUB_REPOSITORY. API: --api-url, else GITHUB_API_URL, else
https://api.github.com/ (GitHub Enterprise Server: https://HOST/api/v3/).

Exit status: 0 issues created or updated, or none needed (also on an API failure with
--soft-fail); 1 anything else: usage error, missing token, repository or report, GitHub
API error.

Flags:
`,
	ScriptUsage: `Usage: create-regression-issue <regression_report_file> [--token TOKEN]

Example:
  create-regression-issue load-test-results/regression-analysis.md
  create-regression-issue load-test-results/regression-analysis.md --token ghp_xxx
`,
}

func (o *options) bind(fs *flag.FlagSet) {
	fs.StringVar(&o.token, "token", "", "GitHub `token` (default: $GITHUB_TOKEN, then $GH_TOKEN)")
	fs.StringVar(&o.repo, "repo", "", "repository `OWNER/NAME` (default: $GITHUB_REPOSITORY)")
	fs.StringVar(&o.apiURL, "api-url", "", "REST API base `URL` (default: $GITHUB_API_URL, then https://api.github.com/)")
	fs.Var((*cli.StringList)(&o.labels), "label", "extra `label` on created issues (repeatable)")
	fs.Var((*cli.StringList)(&o.assignees), "assignee", "`login` to assign created issues to (repeatable)")
	fs.BoolVar(&o.dryRun, "dry-run", false, "print what would be created; needs no token and no network")
	fs.BoolVar(&o.noDedupe, "no-dedupe", false, "always open new issues, even when an open one of the same kind exists")
	fs.BoolVar(&o.closeResolved, "close-resolved", false, "comment on and close open automated issues of a kind the report no longer has")
	fs.BoolVar(&o.softFail, "soft-fail", false, "report GitHub API failures as a warning and exit 0")
	fs.DurationVar(&o.maxWait, "max-wait", 60*time.Second, "longest wait for a rate limit to reset before failing")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "bound on every API request")
	fs.IntVar(&o.attempts, "attempts", 3, "tries per request on 5xx answers, timeouts and network errors (a create is first looked for by its marker)")
	fs.BoolVar(&o.prComment, "pr-comment", false, "instead of issues, post the verdict and the report's tables as one pull-request comment, updated in place on later runs")
	fs.IntVar(&o.pr, "pr", 0, "pull request `number` for --pr-comment (default: pull_request.number of $GITHUB_EVENT_PATH)")
	fs.StringVar(&o.commentKey, "comment-key", "", "with --pr-comment, keep one comment per `key` (e.g. one per job of a matrix; letters, digits, . _ -)")
}

// run is create-regression-issue; it returns the exit code.
func run(args []string, stdout, stderr io.Writer, env environment) int {
	var o options
	pos, code, done := command.Parse(args, o.bind, stdout, stderr)
	if done {
		return code
	}
	if len(pos) == 0 {
		return command.BadArgs(stdout, stderr, "no report file given")
	}
	r := &runner{o: &o, env: env.withDefaults(), stdout: stdout, stderr: stderr}
	r.token = firstNonEmpty(o.token, r.env.Getenv("GITHUB_TOKEN"), r.env.Getenv("GH_TOKEN"))
	r.runID = runID(r.env)
	if len(pos) > 1 {
		return r.usage("want 1 argument, <regression_report_file>, got %d: %s", len(pos), strings.Join(pos, " "))
	}
	if code, ok := r.configure(); !ok {
		return code
	}
	rep, code, ok := r.readReport(pos[0])
	if !ok {
		return code
	}
	if o.prComment {
		return r.prComment(rep, pos[0])
	}
	return r.run(rep, pos[0])
}

func (e environment) withDefaults() environment {
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.Sleep == nil {
		e.Sleep = ghissue.SleepContext
	}
	if e.Nonce == nil {
		e.Nonce = func() string {
			b := make([]byte, 8)
			rand.Read(b)
			return hex.EncodeToString(b)
		}
	}
	return e
}

// runner is one run of the command once the flags are parsed.
type runner struct {
	o              *options
	env            environment
	stdout, stderr io.Writer
	token, repo    string
	apiURL         string
	doc            []byte // the report file
	runID          string // names this run in the markers of the bodies it posts
}

func (r *runner) redact(s string) string {
	if r.token != "" {
		s = strings.ReplaceAll(s, r.token, "***")
	}
	return s
}

// usage reports a usage error on stderr.
func (r *runner) usage(format string, a ...any) int {
	fmt.Fprintf(r.stderr, "❌ %s: %s\n", command.Name, r.redact(fmt.Sprintf(format, a...)))
	return cli.ExitFail
}

// configure checks the flags, the repository and the token, in the original script's
// order and with its lines on stdout for a missing repository or token.
func (r *runner) configure() (int, bool) {
	o := r.o
	if o.attempts < 1 || o.timeout <= 0 || o.maxWait < 0 {
		return r.usage("--attempts must be at least 1, --timeout positive, --max-wait not negative"), false
	}
	if o.commentKey != "" && !commentKeyPattern.MatchString(o.commentKey) {
		return r.usage("--comment-key %q: use 1 to 64 letters, digits, '.', '_' or '-'", o.commentKey), false
	}
	if !o.prComment && (o.pr != 0 || o.commentKey != "") {
		return r.usage("--pr and --comment-key go with --pr-comment"), false
	}
	r.repo = firstNonEmpty(o.repo, r.env.Getenv("GITHUB_REPOSITORY"))
	r.apiURL = firstNonEmpty(o.apiURL, r.env.Getenv("GITHUB_API_URL"), ghissue.DefaultAPIURL)
	if !o.dryRun && r.repo == "" {
		fmt.Fprintln(r.stdout, "❌ Error: GITHUB_REPOSITORY environment variable not set")
		fmt.Fprintln(r.stdout, "   Set it to 'owner/repo' format (e.g., 'octo-org/octo-repo'), or pass --repo OWNER/NAME")
		return r.usage("no repository: set GITHUB_REPOSITORY or pass --repo OWNER/NAME"), false
	}
	if !o.dryRun && r.token == "" {
		fmt.Fprintln(r.stdout, "❌ Error: GitHub token not provided. Set GITHUB_TOKEN environment variable or pass --token argument")
		return r.usage("GitHub token not provided: use --token, or set GITHUB_TOKEN or GH_TOKEN"), false
	}
	if r.repo != "" {
		if err := ghissue.ValidateRepo(r.repo); err != nil {
			return r.usage("%v", err), false
		}
	}
	if _, err := ghissue.ValidateAPIURL(r.apiURL); err != nil {
		return r.usage("%v", err), false
	}
	return 0, true
}

// readReport reads and parses the report, printing the original's first line.
func (r *runner) readReport(path string) (*report.Parsed, int, bool) {
	fmt.Fprintf(r.stdout, "📋 Parsing regression report: %s\n", path)
	doc, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(r.stdout, "❌ Regression report not found: %s\n", path)
		}
		return nil, r.usage("cannot read report %s: %v", path, err), false
	}
	rep, err := report.Parse(doc, path)
	if err != nil {
		return nil, r.usage("%v", err), false
	}
	if !rep.Summary.Known && rep.Summary.Verdict == "" {
		// compare_performance.py and compare-performance always end a report with its
		// Summary: without one, the tables above may be cut short too.
		return nil, r.usage("%s has no \"## Summary\" section: not a whole regression report (cut short, or another file?); nothing filed", path), false
	}
	r.doc = doc
	return rep, 0, true
}

// plan is one issue to open (or comment on).
type plan struct {
	kind   kind
	rows   []report.Row
	labels []string
}

// context tells the body where the results come from: inside GitHub Actions, the run
// and the commit.
func (r *runner) context(path string, rep *report.Parsed) issueContext {
	getenv := r.env.Getenv
	c := issueContext{Now: r.env.Now(), ReportPath: path, Command: rep.Command, Evidence: rep.Evidence, Trend: rep.Trend, Run: r.runID}
	if getenv("GITHUB_ACTIONS") != "true" {
		return c
	}
	server := firstNonEmpty(getenv("GITHUB_SERVER_URL"), "https://github.com")
	repo := getenv("GITHUB_REPOSITORY")
	if id := getenv("GITHUB_RUN_ID"); repo != "" && id != "" {
		c.RunURL = fmt.Sprintf("%s/%s/actions/runs/%s", server, repo, id)
	}
	if sha := getenv("GITHUB_SHA"); sha != "" {
		c.Commit = sha
		if repo != "" {
			c.CommitURL = fmt.Sprintf("%s/%s/commit/%s", server, repo, sha)
		}
	}
	return c
}

// run files the issues, printing the original script's lines in its order.
func (r *runner) run(rep *report.Parsed, path string) int {
	o := r.o
	ctx := r.context(path, rep)
	if verdictOf(rep) == "incomparable" && len(rep.Failures)+len(rep.Warnings) == 0 {
		fmt.Fprintf(r.stderr, "⚠️ %s: %s could not judge the run (nothing comparable): there is no regression to file, and no pass either; compare-performance failed the build for it\n", command.Name, path)
	}
	plans := []plan{{critical, rep.Failures, withExtra(criticalLabels, o.labels)}, {warning, rep.Warnings, withExtra(warningLabels, o.labels)}}
	if o.dryRun {
		return r.dryRun(rep, plans, ctx)
	}
	client, err := r.client()
	if err != nil {
		return r.usage("%v", err)
	}
	f := &filer{runner: r, client: client, ctx: ctx}
	if err := f.listOpen(len(rep.Failures)+len(rep.Warnings) > 0); err != nil {
		return r.apiFail(err)
	}
	for _, p := range plans {
		found(r.stdout, p)
		if len(p.rows) == 0 {
			continue
		}
		if err := f.file(p); err != nil {
			return r.apiFail(err)
		}
	}
	if o.closeResolved {
		if err := f.closeResolved(rep); err != nil {
			return r.apiFail(err)
		}
	}
	f.summary(r.repo)
	return cli.ExitOK
}

// client is the GitHub client the flags and the environment describe.
func (r *runner) client() (*ghissue.Client, error) {
	o := r.o
	return ghissue.New(ghissue.Config{
		Token: r.token, APIURL: r.apiURL, Repo: r.repo, Transport: r.env.Transport,
		Policy: ghissue.RetryPolicy{Attempts: o.attempts, Backoff: time.Second, MaxWait: o.maxWait, Timeout: o.timeout, Now: r.env.Now, Sleep: r.env.Sleep},
		Notice: func(msg string) { fmt.Fprintf(r.stderr, "⚠️ %s: %s\n", command.Name, r.redact(msg)) },
	})
}

// found prints the original's line for the rows of one kind.
func found(w io.Writer, p plan) {
	switch {
	case p.kind == critical && len(p.rows) > 0:
		fmt.Fprintf(w, "🚨 Found %d critical failure(s)\n", len(p.rows))
	case p.kind == critical:
		fmt.Fprintln(w, "✅ No critical failures detected")
	case len(p.rows) > 0:
		fmt.Fprintf(w, "⚠️ Found %d warning(s)\n", len(p.rows))
	default:
		fmt.Fprintln(w, "✅ No warnings detected")
	}
}

// apiFail reports a GitHub API failure: one line on stderr, exit 1, or with --soft-fail
// a warning and exit 0 (inside GitHub Actions a ::warning annotation, so that it shows on
// the run's page).
func (r *runner) apiFail(err error) int {
	msg := r.redact(err.Error())
	if r.o.softFail {
		line := fmt.Sprintf("⚠️ %s: %s (--soft-fail: exiting 0)", command.Name, msg)
		if r.env.Getenv("GITHUB_ACTIONS") == "true" {
			line = "::warning title=" + command.Name + "::" + strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(line)
		}
		fmt.Fprintln(r.stderr, line)
		return cli.ExitOK
	}
	fmt.Fprintf(r.stderr, "❌ %s: %s\n", command.Name, msg)
	return cli.ExitFail
}

func (r *runner) dryRun(rep *report.Parsed, plans []plan, ctx issueContext) int {
	w := r.stdout
	target := r.repo
	if target == "" {
		target = "OWNER/REPO"
	}
	for _, p := range plans {
		found(w, p)
	}
	fmt.Fprintf(w, "🔎 Dry run: nothing is sent to GitHub (%s)\n", target)
	for _, p := range plans {
		if len(p.rows) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n--- would create (or, with an open issue of the same kind, comment on) ---\n")
		fmt.Fprintf(w, "Title: %s\nLabels: %s\n", title(p.kind, len(p.rows)), strings.Join(p.labels, ", "))
		if len(r.o.assignees) > 0 {
			fmt.Fprintf(w, "Assignees: %s\n", strings.Join(r.o.assignees, ", "))
		}
		fmt.Fprintf(w, "Body:\n%s", body(p.kind, p.rows, ctx))
	}
	if r.o.closeResolved {
		for _, k := range resolvedKinds(rep) {
			fmt.Fprintf(w, "\n--- would close open automated %s issues with the comment ---\n%s", kindName(k), resolvedComment(k, ctx))
		}
	}
	return cli.ExitOK
}

// filer files issues through the API and remembers what it did.
type filer struct {
	*runner
	client                  *ghissue.Client
	ctx                     issueContext
	open                    []ghissue.Issue
	created, updated, close []string
	outputs                 []ghissue.Issue
}

func (f *filer) listOpen(needed bool) error {
	if (f.o.noDedupe || !needed) && !f.o.closeResolved {
		return nil
	}
	// perfgate's issues carry performance, regression and automated (another bot's
	// automated regression issues are not perfgate's to comment on or close).
	var err error
	f.open, err = f.client.ListOpen(context.Background(), []string{"performance", "automated", "regression"})
	return err
}

// file opens the issue of a plan, or comments on the newest open one of its kind.
func (f *filer) file(p plan) error {
	ctx := context.Background()
	if !f.o.noDedupe {
		if existing, ok := newestOfKind(f.open, p.kind); ok {
			if _, err := f.client.Comment(ctx, existing.Number, updateComment(p.kind, p.rows, f.ctx), updateMarker(p.kind, f.ctx.Run)); err != nil {
				return err
			}
			fmt.Fprintf(f.stdout, "♻️ Updated existing issue: %s\n", existing.URL)
			f.updated = append(f.updated, existing.URL)
			f.outputs = append(f.outputs, existing)
			return nil
		}
	}
	is, err := f.client.Create(ctx, ghissue.NewIssue{Title: title(p.kind, len(p.rows)), Body: body(p.kind, p.rows, f.ctx),
		Labels: p.labels, Assignees: f.o.assignees, Marker: issueMarker(p.kind, f.ctx.Run)})
	if err != nil {
		return err
	}
	fmt.Fprintf(f.stdout, "✅ Issue created: %s\n", is.URL)
	f.created = append(f.created, is.URL)
	f.outputs = append(f.outputs, is)
	return nil
}

func (f *filer) closeResolved(rep *report.Parsed) error {
	ctx := context.Background()
	for _, k := range resolvedKinds(rep) {
		for _, is := range f.open {
			if kindOf(is) != k {
				continue
			}
			if _, err := f.client.Comment(ctx, is.Number, resolvedComment(k, f.ctx), resolvedMarker(k, f.ctx.Run)); err != nil {
				return err
			}
			if err := f.client.Close(ctx, is.Number); err != nil {
				return err
			}
			fmt.Fprintf(f.stdout, "🔒 Closed resolved issue: %s\n", is.URL)
			f.close = append(f.close, is.URL)
		}
	}
	return nil
}

// summary prints the original's summary lines (plus perfgate's updated/closed counts) and
// writes $GITHUB_OUTPUT.
func (f *filer) summary(repo string) {
	w := f.stdout
	fmt.Fprintf(w, "\n📊 Summary:\n  - Repository: %s\n  - Issues created: %d\n", repo, len(f.created))
	if len(f.updated) > 0 {
		fmt.Fprintf(w, "  - Issues updated: %d\n", len(f.updated))
	}
	if len(f.close) > 0 {
		fmt.Fprintf(w, "  - Issues closed: %d\n", len(f.close))
	}
	switch {
	case len(f.created) > 0:
		fmt.Fprintf(w, "\n✅ Issues successfully created:\n")
		for _, u := range f.created {
			fmt.Fprintf(w, "  - %s\n", u)
		}
	case len(f.updated) == 0:
		fmt.Fprintln(w, "✅ No issues needed to be created")
	}
	if len(f.updated) > 0 {
		fmt.Fprintf(w, "\n♻️ Issues updated with a comment:\n")
		for _, u := range f.updated {
			fmt.Fprintf(w, "  - %s\n", u)
		}
	}
	p := f.env.Getenv("GITHUB_OUTPUT")
	if p == "" || len(f.outputs) == 0 {
		return
	}
	var urls []string
	for _, is := range f.outputs {
		urls = append(urls, is.URL)
	}
	out := fmt.Sprintf("issue-url=%s\nissue-number=%d\nissue-urls=%s\n", f.outputs[0].URL, f.outputs[0].Number, strings.Join(urls, " "))
	if err := cli.AppendFile(p, out); err != nil {
		fmt.Fprintf(f.stderr, "⚠️ %s: could not write $GITHUB_OUTPUT (%s): %v\n", command.Name, p, err)
	}
}

// kindOf tells the kind of an open automated regression issue.
func kindOf(is ghissue.Issue) kind {
	if is.HasLabel("priority-critical") || strings.HasPrefix(is.Title, "🚨") {
		return critical
	}
	return warning
}

// newestOfKind returns the most recent open issue of the kind.
func newestOfKind(open []ghissue.Issue, k kind) (ghissue.Issue, bool) {
	var same []ghissue.Issue
	for _, is := range open {
		if kindOf(is) == k {
			same = append(same, is)
		}
	}
	if len(same) == 0 {
		return ghissue.Issue{}, false
	}
	sort.Slice(same, func(i, j int) bool { return same[i].Number > same[j].Number })
	return same[0], true
}

// resolvedKinds are the kinds of issue the report shows resolved: none when it judged
// nothing (nothing comparable: a gate that cannot judge resolves nothing); critical when
// it has no failure, acknowledged ones included (they persist); warning when it has no
// warning.
func resolvedKinds(rep *report.Parsed) []kind {
	var out []kind
	if !judged(rep) {
		return nil
	}
	if len(rep.Failures) == 0 && !rep.Acknowledged {
		out = append(out, critical)
	}
	if len(rep.Warnings) == 0 {
		out = append(out, warning)
	}
	return out
}

// judged tells whether the report compared anything: it has failure or warning rows, or
// its verdict (recorded, or read from its summary) is not incomparable. A report without a
// summary or a verdict (hand-written) counts as judged only when it has rows.
func judged(rep *report.Parsed) bool {
	if !rep.Summary.Known && rep.Summary.Verdict == "" {
		return len(rep.Failures)+len(rep.Warnings) > 0
	}
	return verdictOf(rep) != "incomparable"
}

func kindName(k kind) string {
	if k == critical {
		return "critical"
	}
	return "warning"
}

func withExtra(base, extra []string) []string {
	out := append([]string(nil), base...)
	for _, l := range extra {
		dup := false
		for _, b := range out {
			if strings.EqualFold(b, l) {
				dup = true
			}
		}
		if !dup && strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

// runID names this run in the markers of the bodies it posts: inside GitHub Actions the
// workflow run and its attempt, then a random part (the jobs of a matrix share the run).
func runID(env environment) string {
	var parts []string
	if env.Getenv("GITHUB_ACTIONS") == "true" {
		for _, k := range []string{"GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT"} {
			if v := markerSafe.ReplaceAllString(env.Getenv(k), ""); v != "" {
				parts = append(parts, v)
			}
		}
	}
	return strings.Join(append(parts, markerSafe.ReplaceAllString(env.Nonce(), "")), "-")
}

var markerSafe = regexp.MustCompile(`[^A-Za-z0-9._]`)

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
