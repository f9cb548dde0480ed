package action

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/perfgate/perfgate/pkg/ghissue/ghtest"
)

// workflowFile is a workflow, as far as this repository's uses it.
type workflowFile struct {
	Name        string
	On          map[string]any `yaml:"on"`
	Permissions map[string]string
	Jobs        map[string]struct {
		Name   string
		RunsOn string `yaml:"runs-on"`
		Steps  []step
	}
}

// runJob runs a workflow job's steps: run: steps with bash, uses: ./ through the
// composite action, other uses: steps (checkout, upload-artifact) not at all. It returns
// whether the job succeeded.
func (j *job) runJob(steps []step, a *actionFile, github map[string]string) bool {
	j.t.Helper()
	ctx := &exprCtx{github: github, runner: map[string]string{"temp": j.temp, "os": "Linux", "arch": "X64"}, steps: map[string]*stepResult{}}
	for i, s := range steps {
		id := s.ID
		if id == "" {
			id = fmt.Sprintf("__step%d", i)
		}
		run, err := ctx.condition(s.If)
		if err != nil {
			j.t.Fatalf("step %q if: %v", s.Name, err)
		}
		res := &stepResult{outputs: map[string]string{}, outcome: "skipped"}
		ctx.steps[id] = res
		if !run {
			continue
		}
		with := map[string]string{}
		for k, v := range s.With {
			if with[k], err = ctx.interpolate(v); err != nil {
				j.t.Fatalf("step %q with.%s: %v", s.Name, k, err)
			}
		}
		ok := true
		switch {
		case s.Uses == "./":
			r := j.runAction(a, with, github)
			res.outputs, ok = r.outputs, r.ok
		case s.Uses == "actions/checkout@v4" || s.Uses == "actions/upload-artifact@v4":
		case s.Uses != "":
			j.t.Fatalf("step %q uses %s: the test does not know it", s.Name, s.Uses)
		default:
			if s.Shell != "bash" {
				j.t.Errorf("step %q: want shell: bash", s.Name)
			}
			env := map[string]string{}
			for k, v := range s.Env {
				if env[k], err = ctx.interpolate(v); err != nil {
					j.t.Fatalf("step %q env.%s: %v", s.Name, k, err)
				}
			}
			_, ok = j.shell(s.Name, s.Run, env)
		}
		res.outcome = map[bool]string{true: "success", false: "failure"}[ok]
		if !ok && !s.ContinueOnError {
			ctx.failed = true
		}
	}
	return !ctx.failed
}

// TestWorkflow runs every job of .github/workflows/perfgate.yml on a pull request, with
// the GitHub API faked: each job's own check of the verdict passes, and the jobs' sticky
// comments (one per comment-key) are posted.
func TestWorkflow(t *testing.T) {
	a := loadAction(t)
	var wf workflowFile
	readYAML(t, filepath.Join(repoRoot, ".github/workflows/perfgate.yml"), &wf)
	if wf.Permissions["pull-requests"] != "write" || wf.Permissions["issues"] != "write" {
		t.Errorf("permissions: %v", wf.Permissions)
	}
	var names []string
	for n := range wf.Jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "regressed unchanged warnings" {
		t.Fatalf("jobs: %v", names)
	}
	f := ghtest.New(t, "")
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			ws := workspace(t)
			extra := eventEnv(t, pullRequest(3, "o/r"))
			extra["GITHUB_API_URL"] = f.APIURL()
			j := newJob(t, ws, runnerTemp, extra)
			github := map[string]string{"action_path": repoRoot, "action_ref": "", "token": f.Token, "repository": "o/r", "workspace": ws, "event_name": "pull_request"}
			if !j.runJob(wf.Jobs[n].Steps, a, github) {
				t.Errorf("job %s failed:\n%s", n, j.log.String())
			}
		})
	}
	keys := map[string]bool{}
	if n := len(f.IssueComments(3)); n != 2 {
		t.Errorf("%d comments, want one per comment-key", n)
	}
	for _, c := range f.IssueComments(3) {
		first, _, _ := strings.Cut(c.Body, "\n")
		keys[first] = true
	}
	for _, k := range []string{"<!-- perfgate:pr-comment key=regressed -->", "<!-- perfgate:pr-comment key=unchanged -->"} {
		if !keys[k] {
			t.Errorf("no comment %s; comments: %v", k, keys)
		}
	}
}
