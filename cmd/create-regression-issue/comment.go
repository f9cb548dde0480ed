package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/perfgate/perfgate/pkg/cli"
	"github.com/perfgate/perfgate/pkg/ghissue"
	"github.com/perfgate/perfgate/pkg/report"
)

// The sticky pull-request comment (--pr-comment): one comment per pull request (and per
// --comment-key), found again on later runs by its hidden first line and updated in place.

var commentKeyPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// marker is the hidden first line of perfgate's comment.
func marker(key string) string {
	if key == "" {
		return "<!-- perfgate:pr-comment -->"
	}
	return "<!-- perfgate:pr-comment key=" + key + " -->"
}

// prEvent is what perfgate reads of $GITHUB_EVENT_PATH.
type prEvent struct {
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			Repo *struct {
				FullName string `json:"full_name"`
			} `json:"repo"`
		} `json:"head"`
	} `json:"pull_request"`
	// Issue is set for issue_comment events; Issue.PullRequest when it is a pull request.
	Issue *struct {
		Number      int              `json:"number"`
		PullRequest *json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	// WorkflowRun is set for workflow_run events (the trusted second half of a fork's
	// pull request workflow): its pull requests, empty when the head is a fork.
	WorkflowRun *struct {
		PullRequests []struct {
			Number int `json:"number"`
		} `json:"pull_requests"`
	} `json:"workflow_run"`
}

// pullRequest finds the pull request to comment on: --pr, else $GITHUB_EVENT_PATH's
// pull_request.number (or an issue_comment event's pull request, or a workflow_run
// event's first pull request). fork names the head
// repository when it is not the base one. skip is true when the workflow event is not
// about a pull request: there is nothing to comment on.
func (r *runner) pullRequest() (n int, fork string, skip bool, err error) {
	if r.o.pr > 0 {
		return r.o.pr, "", false, nil
	}
	if r.o.pr < 0 {
		return 0, "", false, fmt.Errorf("--pr: want a pull request number, got %d", r.o.pr)
	}
	path := r.env.Getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return 0, "", false, fmt.Errorf("--pr-comment: no pull request: pass --pr N, or run in a GitHub Actions pull_request workflow ($GITHUB_EVENT_PATH is not set)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, "", false, fmt.Errorf("--pr-comment: reading $GITHUB_EVENT_PATH: %w", err)
	}
	var ev prEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		return 0, "", false, fmt.Errorf("--pr-comment: $GITHUB_EVENT_PATH %s: %w", path, err)
	}
	switch {
	case ev.PullRequest != nil && ev.PullRequest.Number > 0:
		if h := ev.PullRequest.Head.Repo; h != nil && !strings.EqualFold(h.FullName, r.repo) && r.repo != "" {
			fork = h.FullName
		}
		return ev.PullRequest.Number, fork, false, nil
	case ev.Issue != nil && ev.Issue.PullRequest != nil && ev.Issue.Number > 0:
		return ev.Issue.Number, "", false, nil
	case ev.WorkflowRun != nil && len(ev.WorkflowRun.PullRequests) > 0 && ev.WorkflowRun.PullRequests[0].Number > 0:
		return ev.WorkflowRun.PullRequests[0].Number, "", false, nil
	case ev.WorkflowRun != nil:
		// GitHub leaves pull_requests empty when the run's head is in a fork: the number
		// must come from the triggering workflow (an artifact), as --pr.
		return 0, "", false, fmt.Errorf("--pr-comment: the workflow_run event names no pull request (GitHub leaves it empty when the head branch is in a fork): pass --pr N, e.g. saved as an artifact by the pull_request workflow")
	}
	return 0, "", true, nil
}

// prComment creates or updates the sticky comment; it returns the exit code.
func (r *runner) prComment(rep *report.Parsed, path string) int {
	n, fork, skip, err := r.pullRequest()
	switch {
	case err != nil && !(r.o.dryRun && r.o.pr == 0):
		return r.usage("%v", err)
	case err != nil: // a dry run previews the comment anyway
		fmt.Fprintf(r.stderr, "⚠️ %s: %v (the same command without --dry-run fails)\n", command.Name, err)
	case skip:
		fmt.Fprintf(r.stderr, "ℹ️ %s: the %s event is not about a pull request: no comment posted\n", command.Name, firstNonEmpty(r.env.Getenv("GITHUB_EVENT_NAME"), "workflow"))
		return cli.ExitOK
	}
	mark := marker(r.o.commentKey)
	body := commentBody(rep, r.doc, r.context(path, rep), mark)
	if r.o.dryRun {
		target := firstNonEmpty(r.repo, "OWNER/REPO")
		pr := "#?"
		if n > 0 {
			pr = "#" + strconv.Itoa(n)
		}
		fmt.Fprintf(r.stdout, "🔎 Dry run: nothing is sent to GitHub (%s, pull request %s)\n\n--- would create, or update in place, the comment marked %s ---\n%s", target, pr, mark, body)
		return cli.ExitOK
	}
	client, err := r.client()
	if err != nil {
		return r.usage("%v", err)
	}
	ctx := context.Background()
	login, err := client.Login(ctx)
	if err != nil {
		return r.apiFail(forkNote(err, fork))
	}
	existing, err := client.PullRequestComments(ctx, n)
	if err != nil {
		return r.apiFail(forkNote(err, fork))
	}
	var cm ghissue.IssueComment
	verb := "created"
	if old, ok := marked(existing, mark, login); ok {
		verb = "updated"
		cm, err = client.EditComment(ctx, old.ID, body)
	} else {
		cm, err = client.CommentOnPullRequest(ctx, n, body, mark)
	}
	if err != nil {
		return r.apiFail(forkNote(err, fork))
	}
	fmt.Fprintf(r.stdout, "💬 Pull request comment %s: %s\n", verb, cm.URL)
	if p := r.env.Getenv("GITHUB_OUTPUT"); p != "" {
		if err := cli.AppendGitHubOutputs(p, cli.Output{Name: "comment-url", Value: cm.URL}, cli.Output{Name: "comment-id", Value: strconv.FormatInt(cm.ID, 10)}); err != nil {
			fmt.Fprintf(r.stderr, "⚠️ %s: could not write $GITHUB_OUTPUT (%s): %v\n", command.Name, p, err)
		}
	}
	return cli.ExitOK
}

// forkNote names the fork a pull request comes from in an API error.
func forkNote(err error, fork string) error {
	if fork == "" {
		return err
	}
	return fmt.Errorf("%w (this pull request comes from the fork %s)", err, fork)
}

// marked returns the oldest comment whose first line is the marker and that perfgate may
// have written: by the token's user (login), or, when the token does not tell who it is
// (GitHub Actions'), by a bot. Anyone can post the marker; a pull request's author must
// not be able to make perfgate edit their comment.
func marked(comments []ghissue.IssueComment, mark, login string) (ghissue.IssueComment, bool) {
	for _, c := range comments {
		if (login != "" && c.Author != login) || (login == "" && !c.Bot) {
			continue
		}
		first, _, _ := strings.Cut(strings.TrimLeft(c.Body, " \t\r\n"), "\n")
		if strings.TrimSpace(first) == mark {
			return c, true
		}
	}
	return ghissue.IssueComment{}, false
}

// verdictOf is the report's verdict: the one compare-performance recorded (in --json
// results or the markdown report's command comment), else from its rows and summary. A
// summary that counts metrics none of which was compared is incomparable: not a pass.
func verdictOf(rep *report.Parsed) string {
	s := rep.Summary
	switch {
	case s.Verdict != "":
		return s.Verdict
	case len(rep.Failures) > 0:
		return "fail"
	case len(rep.Warnings) > 0:
		return "warning"
	case s.Known && (s.Total == 0 || s.Passed+s.Failures+s.Warnings == 0 && s.NotCompared > 0):
		return "incomparable"
	case rep.Acknowledged:
		return "acknowledged"
	}
	return "pass"
}

// commentHeading says the verdict in one line.
func commentHeading(rep *report.Parsed) string {
	f, w := len(rep.Failures), len(rep.Warnings)
	switch verdictOf(rep) {
	case "fail":
		if f == 0 { // --warn-as-error or --fail-on-missing
			var why []string
			if w > 0 {
				why = append(why, count(w, "warning")+" (--warn-as-error)")
			}
			if n := rep.Summary.NotCompared; n > 0 {
				why = append(why, count(n, "metric")+" not compared (--fail-on-missing)")
			}
			if len(why) == 0 {
				why = append(why, "baseline services missing from the current results (--fail-on-missing)")
			}
			return "## ❌ Performance gate failed: no critical regression, but " + strings.Join(why, " and ")
		}
		if w > 0 {
			return fmt.Sprintf("## ❌ Performance regression: %s, %s", count(f, "failure"), count(w, "warning"))
		}
		return fmt.Sprintf("## ❌ Performance regression: %s", count(f, "failure"))
	case "warning":
		return fmt.Sprintf("## ⚠️ Performance warning: %s trending towards regression", count(w, "metric"))
	case "incomparable":
		return "## ❓ Performance not judged: nothing comparable"
	case "acknowledged":
		return "## ✅ No new performance regression: only acknowledged regressions (see \"Acknowledged\" below)"
	}
	if rep.Summary.Known {
		return fmt.Sprintf("## ✅ No performance regression: %s within thresholds", count(rep.Summary.Passed, "metric"))
	}
	return "## ✅ No performance regression"
}

func count(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// commentBody is the comment: the marker, the verdict, where the results come from, the
// report's sections (its tables, cut to fit GitHub's limit with a note), and a footer.
func commentBody(rep *report.Parsed, doc []byte, c issueContext, mark string) string {
	head := mark + "\n" + commentHeading(rep) + "\n\n" + provenance(c) + "\n"
	foot := "\n<sub>Posted by perfgate (`create-regression-issue --pr-comment`); this comment is updated in place on every run.</sub>\n"
	where := fmt.Sprintf("the report file `%s`", reportPath(c))
	if c.RunURL != "" {
		where = fmt.Sprintf("the [workflow run](%s)'s step summary and `%s`", c.RunURL, reportPath(c))
	}
	return report.FitBlocks(head, foot, reportBlocks(rep, doc), commentLimit, report.CutNotes{
		Rows: func(cut int) string {
			return fmt.Sprintf("\n_… and %d more rows not shown: GitHub limits a comment to 65,536 characters. The full report: %s._\n", cut, where)
		},
		AllRows: func(cut int) string {
			return fmt.Sprintf("_%d rows not shown: GitHub limits a comment to 65,536 characters. The full report: %s._\n", cut, where)
		},
		Text: fmt.Sprintf("\n\n_… cut: GitHub limits a comment to 65,536 characters. The full report: %s._\n", where),
	})
}

// mentionsNeutralized keeps text from the load test from notifying anyone.
func mentionsNeutralized(s string) string {
	s = mention.ReplaceAllString(s, "@\u200b$1")
	return reference.ReplaceAllString(s, "#\u200b$1")
}

// reportBlocks splits the report into blocks: the markdown report without its title
// and its hidden command line, or for a JSON report the failures and warnings tables
// and the summary built from it. Text from the load test is kept from mentioning anyone.
func reportBlocks(rep *report.Parsed, doc []byte) []report.Block {
	text := string(doc)
	if rep.Format == "json" {
		var b strings.Builder
		if len(rep.Failures) > 0 {
			b.WriteString(report.FailuresHeading + "\n\n" + table(critical, rep.Failures) + "\n")
		}
		if len(rep.Warnings) > 0 {
			b.WriteString(report.WarningsHeading + "\n\n" + table(warning, rep.Warnings) + "\n")
		}
		s := rep.Summary
		fmt.Fprintf(&b, "%s\n\n- **Total Metrics**: %d\n- **Failures**: %d\n- **Warnings**: %d\n- **Passed**: %d\n", report.SummaryHeading, s.Total, s.Failures, s.Warnings, s.Passed)
		if s.NotCompared > 0 {
			fmt.Fprintf(&b, "- **Not Compared**: %d\n", s.NotCompared)
		}
		text = b.String()
	}
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		t := strings.TrimSpace(l)
		if t == report.Title || strings.HasPrefix(t, "<!-- perfgate:command ") || (len(lines) == 0 && t == "") {
			continue
		}
		lines = append(lines, mentionsNeutralized(l))
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return report.SplitBlocks(lines, func(heading string, _ int) bool { return heading == report.FailuresHeading })
}
