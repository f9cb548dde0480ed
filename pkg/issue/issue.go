// Package issue implements create-regression-issue: read a regression report and open,
// update or close the seed's GitHub issues about it (SPEC §9).
package issue

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/ghissue"
	"github.com/perfgate/perfgate/pkg/report"
)

// Env is what the command takes from the process, injected for tests.
type Env struct {
	Getenv    func(string) string
	Now       func() time.Time
	Sleep     func(context.Context, time.Duration) error
	Transport http.RoundTripper // nil: the default
}

type options struct {
	token, repo, apiURL                       string
	labels, assignees                         []string
	dryRun, noDedupe, closeResolved, softFail bool
	maxWait, timeout                          time.Duration
	attempts                                  int
}

const usage = `Usage: create-regression-issue [flags] <regression_report_file> [--token TOKEN]

Reads the regression report written by compare-performance (markdown, or its --json
results) and opens the seed's GitHub issues: a critical one for failures, a warning one for
warnings. An open issue of the same kind gets a comment instead of a duplicate.

Token: --token, else GITHUB_TOKEN, else GH_TOKEN (needs issues: write).
Repository: --repo, else GITHUB_REPOSITORY. API: --api-url, else GITHUB_API_URL, else
https://api.github.com/ (GitHub Enterprise Server: https://HOST/api/v3/).

Exit status: 0 issues created/updated, or none needed; 1 GitHub API error (0 with
--soft-fail); 2 usage error, unreadable report, missing token or repository.

Flags:
`

// Run is create-regression-issue; it returns the exit code.
func Run(args []string, stdout, stderr io.Writer, env Env) int {
	const prog = "create-regression-issue"
	fs := flag.NewFlagSet(prog, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
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
	fs.IntVar(&o.attempts, "attempts", 3, "tries per request on 5xx and network errors")
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	pos, err := cli.ParseFlags(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	getenv := env.Getenv
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	token := firstNonEmpty(o.token, getenv("GITHUB_TOKEN"), getenv("GH_TOKEN"))
	redact := func(s string) string {
		if token != "" {
			s = strings.ReplaceAll(s, token, "***")
		}
		return s
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "❌ %s: %s\n", prog, redact(fmt.Sprintf(format, a...)))
		return cli.ExitUsage
	}
	if len(pos) != 1 {
		return usageErr("want 1 argument, <regression_report_file>, got %d (run '%s -h' for usage)", len(pos), prog)
	}
	if o.attempts < 1 || o.timeout <= 0 || o.maxWait < 0 {
		return usageErr("--attempts must be at least 1, --timeout positive, --max-wait not negative")
	}
	repo := firstNonEmpty(o.repo, getenv("GITHUB_REPOSITORY"))
	apiURL := firstNonEmpty(o.apiURL, getenv("GITHUB_API_URL"), ghissue.DefaultAPIURL)
	if !o.dryRun {
		if token == "" {
			return usageErr("GitHub token not provided: use --token, or set GITHUB_TOKEN or GH_TOKEN")
		}
		if repo == "" {
			return usageErr("GITHUB_REPOSITORY environment variable not set: use --repo OWNER/NAME")
		}
	}
	if repo != "" {
		if err := ghissue.ValidateRepo(repo); err != nil {
			return usageErr("%v", err)
		}
	}
	if _, err := ghissue.ValidateAPIURL(apiURL); err != nil {
		return usageErr("%v", err)
	}

	path := pos[0]
	doc, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return usageErr("cannot read report %s: %v", path, err)
	}
	fmt.Fprintf(stdout, "📋 Parsing regression report: %s\n", path)
	rep, err := report.Parse(doc, path)
	if err != nil {
		return usageErr("%v", err)
	}
	if n := len(rep.Failures); n > 0 {
		fmt.Fprintf(stdout, "🚨 Found %d critical failure(s)\n", n)
	}
	if n := len(rep.Warnings); n > 0 {
		fmt.Fprintf(stdout, "⚠️ Found %d warning(s)\n", n)
	}
	if len(rep.Failures) == 0 && len(rep.Warnings) == 0 && !o.closeResolved {
		fmt.Fprintln(stdout, "✅ No failures or warnings in the report: no issue needed")
		return cli.ExitOK
	}

	now := time.Now
	if env.Now != nil {
		now = env.Now
	}
	ctxInfo := Context{Now: now(), ReportPath: path}
	if getenv("GITHUB_ACTIONS") == "true" {
		server := firstNonEmpty(getenv("GITHUB_SERVER_URL"), "https://github.com")
		if r, id := getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); r != "" && id != "" {
			ctxInfo.RunURL = fmt.Sprintf("%s/%s/actions/runs/%s", server, r, id)
		}
		if sha := getenv("GITHUB_SHA"); sha != "" {
			ctxInfo.Commit = sha
			if r := getenv("GITHUB_REPOSITORY"); r != "" {
				ctxInfo.CommitURL = fmt.Sprintf("%s/%s/commit/%s", server, r, sha)
			}
		}
	}

	type plan struct {
		kind   Kind
		rows   []report.Row
		labels []string
	}
	var plans []plan
	if len(rep.Failures) > 0 {
		plans = append(plans, plan{Critical, rep.Failures, withExtra(CriticalLabels, o.labels)})
	}
	if len(rep.Warnings) > 0 {
		plans = append(plans, plan{Warning, rep.Warnings, withExtra(WarningLabels, o.labels)})
	}

	if o.dryRun {
		target := repo
		if target == "" {
			target = "OWNER/REPO"
		}
		fmt.Fprintf(stdout, "🔎 Dry run: nothing is sent to GitHub (%s)\n", target)
		for _, p := range plans {
			fmt.Fprintf(stdout, "\n--- would create (or, with an open issue of the same kind, comment on) ---\n")
			fmt.Fprintf(stdout, "Title: %s\nLabels: %s\n", Title(p.kind, len(p.rows)), strings.Join(p.labels, ", "))
			if len(o.assignees) > 0 {
				fmt.Fprintf(stdout, "Assignees: %s\n", strings.Join(o.assignees, ", "))
			}
			fmt.Fprintf(stdout, "Body:\n%s", Body(p.kind, p.rows, ctxInfo))
		}
		if o.closeResolved {
			for _, k := range resolvedKinds(rep) {
				fmt.Fprintf(stdout, "\n--- would close open automated %s issues with the comment ---\n%s", kindName(k), ResolvedComment(k, ctxInfo))
			}
		}
		return cli.ExitOK
	}

	sleep := env.Sleep
	if sleep == nil {
		sleep = ghissue.SleepContext
	}
	client, err := ghissue.New(ghissue.Config{
		Token: token, APIURL: apiURL, Repo: repo, Transport: env.Transport,
		Policy: ghissue.RetryPolicy{Attempts: o.attempts, Backoff: time.Second, MaxWait: o.maxWait, Timeout: o.timeout, Now: now, Sleep: sleep},
	})
	if err != nil {
		return usageErr("%v", err)
	}
	apiFail := func(err error) int {
		msg := redact(err.Error())
		if o.softFail {
			fmt.Fprintf(stderr, "⚠️ %s: %s (--soft-fail: exiting 0)\n", prog, msg)
			return cli.ExitOK
		}
		fmt.Fprintf(stderr, "❌ %s: %s\n", prog, msg)
		return cli.ExitFail
	}

	ctx := context.Background()
	var open []ghissue.Issue
	if !o.noDedupe || o.closeResolved {
		if open, err = client.ListOpen(ctx, []string{"automated", "regression"}); err != nil {
			return apiFail(err)
		}
	}
	var created, updated, closed []string
	var outputs []ghissue.Issue
	for _, p := range plans {
		if !o.noDedupe {
			if existing, ok := newestOfKind(open, p.kind); ok {
				if _, err := client.Comment(ctx, existing.Number, UpdateComment(p.kind, p.rows, ctxInfo)); err != nil {
					return apiFail(err)
				}
				fmt.Fprintf(stdout, "♻️ Updated existing issue: %s\n", existing.URL)
				updated = append(updated, existing.URL)
				outputs = append(outputs, existing)
				continue
			}
		}
		is, err := client.Create(ctx, Title(p.kind, len(p.rows)), Body(p.kind, p.rows, ctxInfo), p.labels, o.assignees)
		if err != nil {
			return apiFail(err)
		}
		fmt.Fprintf(stdout, "✅ Issue created: %s\n", is.URL)
		created = append(created, is.URL)
		outputs = append(outputs, is)
	}
	if o.closeResolved {
		for _, k := range resolvedKinds(rep) {
			for _, is := range open {
				if kindOf(is) != k {
					continue
				}
				if _, err := client.Comment(ctx, is.Number, ResolvedComment(k, ctxInfo)); err != nil {
					return apiFail(err)
				}
				if err := client.Close(ctx, is.Number); err != nil {
					return apiFail(err)
				}
				fmt.Fprintf(stdout, "🔒 Closed resolved issue: %s\n", is.URL)
				closed = append(closed, is.URL)
			}
		}
	}

	fmt.Fprintf(stdout, "\n📊 Summary:\n  - Repository: %s\n  - Issues created: %d\n", repo, len(created))
	if len(updated) > 0 {
		fmt.Fprintf(stdout, "  - Issues updated: %d\n", len(updated))
	}
	if len(closed) > 0 {
		fmt.Fprintf(stdout, "  - Issues closed: %d\n", len(closed))
	}
	if len(created) > 0 {
		fmt.Fprintf(stdout, "\n✅ Issues successfully created:\n")
		for _, u := range created {
			fmt.Fprintf(stdout, "  - %s\n", u)
		}
	}
	if p := getenv("GITHUB_OUTPUT"); p != "" && len(outputs) > 0 {
		var urls []string
		for _, is := range outputs {
			urls = append(urls, is.URL)
		}
		out := fmt.Sprintf("issue-url=%s\nissue-number=%d\nissue-urls=%s\n", outputs[0].URL, outputs[0].Number, strings.Join(urls, " "))
		if err := cli.AppendFile(p, out); err != nil {
			fmt.Fprintf(stderr, "⚠️ %s: could not write $GITHUB_OUTPUT (%s): %v\n", prog, p, err)
		}
	}
	return cli.ExitOK
}

// kindOf tells the kind of an open automated regression issue.
func kindOf(is ghissue.Issue) Kind {
	if is.HasLabel("priority-critical") || strings.HasPrefix(is.Title, "🚨") {
		return Critical
	}
	return Warning
}

// newestOfKind returns the most recent open issue of the kind.
func newestOfKind(open []ghissue.Issue, k Kind) (ghissue.Issue, bool) {
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

func resolvedKinds(rep *report.Parsed) []Kind {
	var out []Kind
	if len(rep.Failures) == 0 {
		out = append(out, Critical)
	}
	if len(rep.Warnings) == 0 {
		out = append(out, Warning)
	}
	return out
}

func kindName(k Kind) string {
	if k == Critical {
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

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
