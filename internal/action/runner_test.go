package action

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// repoRoot is the action's own checkout: ${{ github.action_path }}.
var repoRoot, _ = filepath.Abs("../..")

// actionFile is action.yml.
type actionFile struct {
	Name, Description, Author string
	Branding                  struct{ Icon, Color string }
	Inputs                    map[string]actionInput
	Outputs                   map[string]struct{ Description, Value string }
	Runs                      struct {
		Using string
		Steps []step
	}
}

type actionInput struct {
	Description string
	Required    bool
	Default     string
}

// step is a step of a composite action or of a workflow job.
type step struct {
	Name, ID, If, Uses, Shell, Run string
	With, Env                      map[string]string
	ContinueOnError                bool `yaml:"continue-on-error"`
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// stepResult is what later expressions see of a step.
type stepResult struct {
	outputs map[string]string
	outcome string // success, failure or skipped
}

// exprCtx resolves ${{ }} expressions: context references (inputs.*, github.*, runner.*,
// env.*, steps.ID.outputs.*, steps.ID.outcome), quoted literals, ==, !=, &&, || and the
// status functions. Anything else fails the test: an expression this harness cannot
// evaluate is not silently taken as empty.
type exprCtx struct {
	inputs, github, runner, env map[string]string
	steps                       map[string]*stepResult
	failed                      bool // a previous step failed (for success()/failure())
}

var exprPattern = regexp.MustCompile(`\$\{\{\s*(.*?)\s*\}\}`)

// interpolate replaces every ${{ }} of s by its value.
func (c *exprCtx) interpolate(s string) (string, error) {
	var err error
	out := exprPattern.ReplaceAllStringFunc(s, func(m string) string {
		v, e := c.value(exprPattern.FindStringSubmatch(m)[1])
		if e != nil && err == nil {
			err = e
		}
		return v
	})
	return out, err
}

var refPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)

// value evaluates a reference or a quoted literal.
func (c *exprCtx) value(e string) (string, error) {
	e = strings.TrimSpace(e)
	if strings.HasPrefix(e, "'") && strings.HasSuffix(e, "'") && len(e) >= 2 {
		return strings.ReplaceAll(e[1:len(e)-1], "''", "'"), nil
	}
	if !refPattern.MatchString(e) {
		return "", fmt.Errorf("expression %q: not supported by the test harness", e)
	}
	parts := strings.Split(e, ".")
	lookup := func(m map[string]string, k string) (string, error) {
		if m == nil {
			return "", fmt.Errorf("expression %q: context not available here", e)
		}
		return m[k], nil
	}
	switch {
	case parts[0] == "inputs" && len(parts) == 2:
		if _, ok := c.inputs[parts[1]]; !ok {
			return "", fmt.Errorf("expression %q: no such input", e)
		}
		return c.inputs[parts[1]], nil
	case parts[0] == "github" && len(parts) == 2:
		return lookup(c.github, parts[1])
	case parts[0] == "runner" && len(parts) == 2:
		return lookup(c.runner, parts[1])
	case parts[0] == "env" && len(parts) == 2:
		return lookup(c.env, parts[1])
	case parts[0] == "steps" && len(parts) >= 3:
		s, ok := c.steps[parts[1]]
		if !ok {
			return "", fmt.Errorf("expression %q: no step %s before this one", e, parts[1])
		}
		if parts[2] == "outputs" && len(parts) == 4 {
			return s.outputs[parts[3]], nil
		}
		if (parts[2] == "outcome" || parts[2] == "conclusion") && len(parts) == 3 {
			return s.outcome, nil
		}
	}
	return "", fmt.Errorf("expression %q: not supported by the test harness", e)
}

// condition evaluates an if: (with or without ${{ }}); empty means success().
func (c *exprCtx) condition(s string) (bool, error) {
	s = strings.TrimSpace(s)
	if m := exprPattern.FindStringSubmatch(s); m != nil && m[0] == s {
		s = m[1]
	}
	if s == "" {
		s = "success()"
	}
	for _, or := range strings.Split(s, "||") {
		all := true
		for _, and := range strings.Split(or, "&&") {
			ok, err := c.atom(strings.TrimSpace(and))
			if err != nil {
				return false, err
			}
			all = all && ok
		}
		if all {
			return true, nil
		}
	}
	return false, nil
}

func (c *exprCtx) atom(a string) (bool, error) {
	switch a {
	case "always()":
		return true, nil
	case "success()":
		return !c.failed, nil
	case "failure()":
		return c.failed, nil
	}
	for _, op := range []string{"!=", "=="} {
		if l, r, ok := strings.Cut(a, op); ok {
			lv, err := c.value(l)
			if err != nil {
				return false, err
			}
			rv, err := c.value(r)
			if err != nil {
				return false, err
			}
			return (lv == rv) == (op == "=="), nil
		}
	}
	return false, fmt.Errorf("condition %q: not supported by the test harness", a)
}

// job is one job's faked runner: its workspace, temp folder, the files behind
// GITHUB_PATH, GITHUB_STEP_SUMMARY and GITHUB_ENV, and the base environment.
type job struct {
	t                   *testing.T
	workspace, temp     string
	path, summary, envf string
	base                map[string]string
	log                 strings.Builder
}

// newJob fakes a job of a pull_request (or other) workflow run in workspace.
func newJob(t *testing.T, workspace, temp string, extra map[string]string) *job {
	t.Helper()
	j := &job{t: t, workspace: workspace, temp: temp}
	files := t.TempDir()
	j.path, j.summary, j.envf = filepath.Join(files, "path"), filepath.Join(files, "summary.md"), filepath.Join(files, "env")
	for _, p := range []string{j.path, j.summary, j.envf} {
		os.WriteFile(p, nil, 0o644)
	}
	j.base = map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": workspace, "RUNNER_TEMP": temp,
		"RUNNER_OS": "Linux", "RUNNER_ARCH": "X64", "GITHUB_REPOSITORY": "o/r", "GITHUB_SERVER_URL": "https://github.com",
		"GITHUB_RUN_ID": "4242", "GITHUB_SHA": "0123456789abcdef0123456789abcdef01234567", "GITHUB_EVENT_NAME": "push",
		"GITHUB_PATH": j.path, "GITHUB_STEP_SUMMARY": j.summary, "GITHUB_ENV": j.envf,
	}
	// What a runner has besides: the tools, and Go's own settings.
	for _, k := range []string{"PATH", "HOME", "TMPDIR", "GOPATH", "GOCACHE", "GOMODCACHE", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN", "GOENV"} {
		if v, ok := os.LookupEnv(k); ok {
			j.base[k] = v
		}
	}
	for k, v := range extra {
		j.base[k] = v
	}
	return j
}

// shell runs one run: step with bash as Actions does (bash --noprofile --norc -eo
// pipefail FILE), with a fresh $GITHUB_OUTPUT; it returns the step's outputs and whether
// it succeeded.
func (j *job) shell(name, script string, env map[string]string) (map[string]string, bool) {
	j.t.Helper()
	dir := j.t.TempDir()
	file, out := filepath.Join(dir, "step.sh"), filepath.Join(dir, "github_output")
	os.WriteFile(file, []byte(script), 0o755)
	os.WriteFile(out, nil, 0o644)
	vars := map[string]string{}
	for k, v := range j.base {
		vars[k] = v
	}
	// Folders appended to $GITHUB_PATH come first in later steps' PATH.
	if b, _ := os.ReadFile(j.path); len(b) > 0 {
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		for i := len(lines) - 1; i >= 0; i-- {
			vars["PATH"] = lines[i] + string(os.PathListSeparator) + vars["PATH"]
		}
	}
	for k, v := range env {
		vars[k] = v
	}
	vars["GITHUB_OUTPUT"] = out
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-eo", "pipefail", file)
	cmd.Dir = j.workspace
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b, err := cmd.CombinedOutput()
	fmt.Fprintf(&j.log, "--- %s (exit %v)\n%s", name, exitCode(err), b)
	outputs, perr := parseOutputFile(out)
	if perr != nil {
		j.t.Errorf("%s: %v", name, perr)
	}
	return outputs, err == nil
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// parseOutputFile reads a $GITHUB_OUTPUT file as the runner does.
func parseOutputFile(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	text := strings.TrimSuffix(string(b), "\n")
	if text == "" {
		return out, nil
	}
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok && !strings.Contains(name, "=") {
			var val []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				val = append(val, lines[i])
			}
			if i == len(lines) {
				return nil, fmt.Errorf("%s: delimiter %s never closed", path, delim)
			}
			out[name] = strings.Join(val, "\n")
			continue
		}
		name, val, ok := strings.Cut(lines[i], "=")
		if !ok {
			return nil, fmt.Errorf("%s: line %q is neither name=value nor name<<DELIM", path, lines[i])
		}
		out[name] = val
	}
	return out, nil
}

// actionRun is the result of running the composite action once.
type actionRun struct {
	ok      bool              // every step succeeded
	failed  string            // the id or name of the step that failed
	outputs map[string]string // the action's outputs
	steps   map[string]*stepResult
	skipped []string // uses: steps not run (with their if: value)
}

// runAction runs action.yml's steps with the given inputs (the with: of the calling
// step) in the job; github holds the github context.
func (j *job) runAction(a *actionFile, with, github map[string]string) actionRun {
	j.t.Helper()
	ctx := &exprCtx{inputs: map[string]string{}, github: github, runner: map[string]string{"temp": j.temp, "os": "Linux", "arch": "X64"}, steps: map[string]*stepResult{}}
	for name, in := range a.Inputs {
		v, err := ctx.interpolate(in.Default)
		if err != nil {
			j.t.Fatalf("input %s default: %v", name, err)
		}
		ctx.inputs[name] = v
	}
	for name, v := range with {
		if _, ok := a.Inputs[name]; !ok {
			j.t.Fatalf("input %q is not one of action.yml's", name)
		}
		ctx.inputs[name] = v
	}
	for name, in := range a.Inputs {
		if in.Required && strings.TrimSpace(ctx.inputs[name]) == "" {
			j.t.Fatalf("required input %q not given", name)
		}
	}
	res := actionRun{ok: true, steps: ctx.steps}
	for i, s := range a.Runs.Steps {
		id := s.ID
		if id == "" {
			id = fmt.Sprintf("__step%d", i)
		}
		if s.Uses != "" {
			run, err := ctx.condition(s.If)
			for k, v := range s.With {
				if _, err := ctx.interpolate(v); err != nil {
					j.t.Errorf("step %q with.%s: %v", s.Name, k, err)
				}
			}
			if err != nil {
				j.t.Errorf("step %q if: %v", s.Name, err)
			}
			res.skipped = append(res.skipped, fmt.Sprintf("%s (if: %v)", s.Uses, run))
			ctx.steps[id] = &stepResult{outputs: map[string]string{}, outcome: "skipped"}
			continue
		}
		env := map[string]string{"GITHUB_ACTION_PATH": github["action_path"], "GITHUB_ACTION_REF": github["action_ref"]}
		for k, v := range s.Env {
			val, err := ctx.interpolate(v)
			if err != nil {
				j.t.Fatalf("step %q env.%s: %v", s.Name, k, err)
			}
			env[k] = val
		}
		outputs, ok := j.shell(s.Name, s.Run, env)
		ctx.steps[id] = &stepResult{outputs: outputs, outcome: map[bool]string{true: "success", false: "failure"}[ok]}
		if !ok {
			res.ok, res.failed = false, id
			break
		}
	}
	for _, s := range a.Runs.Steps { // steps after a failure do not run
		if _, ran := ctx.steps[s.ID]; s.ID != "" && !ran {
			ctx.steps[s.ID] = &stepResult{outputs: map[string]string{}, outcome: "skipped"}
		}
	}
	res.outputs = map[string]string{}
	for name, o := range a.Outputs {
		v, err := ctx.interpolate(o.Value)
		if err != nil {
			j.t.Errorf("output %s: %v", name, err)
		}
		res.outputs[name] = v
	}
	return res
}
