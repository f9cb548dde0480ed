// Package action tests perfgate's GitHub Action (action.yml at the repository root) and
// the workflow that uses it (.github/workflows/perfgate.yml): its tests read the real
// files, run every step's shell with bash in the Actions environment faked
// (GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_PATH, GITHUB_EVENT_PATH,
// RUNNER_TEMP, …; the GitHub API is pkg/ghissue/ghtest), and check outputs and exit codes.
// Steps that use other actions (actions/cache, actions/setup-go) are not run: Go is
// installed, and their inputs are checked to resolve.
package action
