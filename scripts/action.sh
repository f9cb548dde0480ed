#!/usr/bin/env bash
# The steps of perfgate's GitHub Action (action.yml): action.sh STEP, with the inputs in
# INPUT_* variables and the previous steps' outputs in PERFGATE_* variables. Each step
# writes its outputs to $GITHUB_OUTPUT. Runs with bash 3.2 (macOS) and Git Bash (Windows).
set -euo pipefail

die() { # one error annotation, exit 1
  echo "::error title=perfgate::$*"
  exit 1
}

# bool NAME VALUE: the value of a true/false input, or an error naming the input (on
# stderr, which $(bool …) does not capture; the runner reads commands there too).
bool() {
  case "$2" in
    true | True | TRUE) echo true ;;
    false | False | FALSE | '') echo false ;;
    *) die "input $1: want true or false, got '$2'" >&2 ;;
  esac
}

# sha256 of stdin, whichever tool the runner has.
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 | cut -d' ' -f1
  else openssl dgst -sha256 | sed 's/.*= //'
  fi
}

# locate checks the inputs before anything is built, tells whether a recent enough Go
# is installed, and names the binaries' folder and cache key after a hash of the action's sources.
step_locate() {
  case "${INPUT_FAIL_ON:-failure}" in
    failure | warning | never) ;;
    *) die "input fail-on: want failure, warning or never, got '${INPUT_FAIL_ON}'" ;;
  esac
  case "${INPUT_GROUP_BY:-}" in
    '' | service | endpoint) ;;
    *) die "input group-by: want service or endpoint, got '${INPUT_GROUP_BY}'" ;;
  esac
  case "${INPUT_COMMENT_KEY:-}" in
    *[!A-Za-z0-9._-]*) die "input comment-key: use letters, digits, '.', '_' or '-', got '${INPUT_COMMENT_KEY}'" ;;
  esac
  bool noise-aware "${INPUT_NOISE_AWARE:-}" >/dev/null
  bool comment-on-pr "${INPUT_COMMENT_ON_PR:-}" >/dev/null
  bool create-issue "${INPUT_CREATE_ISSUE:-}" >/dev/null

  local src hash go=false
  src="$GITHUB_ACTION_PATH"
  hash="$(cd "$src" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' \
    ! -path './testdata/*' ! -path './.git/*' | LC_ALL=C sort | while IFS= read -r f; do
      printf '%s\n' "$f"; cat "$f"
    done | sha256)"
  hash="${hash:0:16}"
  # An installed Go older than go.mod's would download the newer toolchain at every
  # build: then actions/setup-go installs (and caches) it instead.
  if command -v go >/dev/null 2>&1; then
    local have need
    have="$(cd / || exit; GOTOOLCHAIN=local go env GOVERSION 2>/dev/null)" || have=""
    have="${have#go}"
    need="$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$src/go.mod")"
    if [ -n "$have" ] && [ "$(printf '%s\n%s\n' "$need" "$have" | sort -V 2>/dev/null | head -n 1)" = "$need" ]; then
      go=true
    fi
  fi
  {
    echo "go=$go"
    echo "bin=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/perfgate-$hash/bin"
    echo "cache-key=perfgate-bin-${RUNNER_OS:-os}-${RUNNER_ARCH:-arch}-$hash"
    echo "version=${GITHUB_ACTION_REF:-dev+$hash}"
  } >>"$GITHUB_OUTPUT"
}

# build compiles the four binaries into $PERFGATE_BIN, unless they are there already
# (restored from the cache, or built by an earlier use of the action in this job), and
# puts them on the PATH of the job's later steps.
step_build() {
  local stamp="$PERFGATE_BIN/.perfgate-build"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$PERFGATE_KEY" ]; then
    echo "✅ perfgate binaries ready in $PERFGATE_BIN (restored: $PERFGATE_KEY)"
  else
    command -v go >/dev/null 2>&1 || die "Go is not installed and actions/setup-go did not run"
    mkdir -p "$PERFGATE_BIN"
    (cd "$GITHUB_ACTION_PATH" && CGO_ENABLED=0 go build -trimpath \
      -ldflags "-X github.com/perfgate/perfgate/pkg/cli.version=$PERFGATE_VERSION" \
      -o "$PERFGATE_BIN/" ./cmd/...)
    printf '%s' "$PERFGATE_KEY" >"$stamp"
    echo "✅ perfgate binaries built in $PERFGATE_BIN"
  fi
  "$PERFGATE_BIN/compare-performance" --version
  echo "$PERFGATE_BIN" >>"$GITHUB_PATH"
  echo "bin=$PERFGATE_BIN" >>"$GITHUB_OUTPUT"
}

# extract expands the results patterns (one per line) and writes the normalized metrics.
step_extract() {
  local dir="${INPUT_OUTPUT_DIR:-load-test-results}" pattern matched f g saved
  local files=() args=() extra=()
  local globstar=1
  shopt -s nullglob
  shopt -s globstar 2>/dev/null || globstar=0
  while IFS= read -r pattern || [ -n "$pattern" ]; do
    pattern="$(printf '%s' "$pattern" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
    [ -n "$pattern" ] || continue
    # Bash 3 (macOS's /bin/bash) has no globstar: ** would match one folder level only and
    # silently miss files deeper down.
    case "$pattern" in *'**'*) [ "$globstar" = 1 ] || die "input results: '$pattern' uses **, which needs bash 4 or later (this is bash $BASH_VERSION): install a newer bash (brew install bash) or list the folders" ;; esac
    matched=0
    # Word splitting on line breaks only, so that a path may hold spaces; globbing on.
    saved="$IFS"
    IFS=$'\n'
    for f in $pattern; do
      [ -f "$f" ] || continue
      matched=1
      # Patterns that overlap name a file twice: give it once (the binary refuses a file
      # given twice, which would count its requests twice).
      for g in ${files[@]+"${files[@]}"}; do
        if [ "$f" -ef "$g" ]; then continue 2; fi
      done
      files+=("$f")
    done
    IFS="$saved"
    [ "$matched" = 1 ] || die "input results: no file matches '$pattern' (in $(pwd))"
  done <<<"${INPUT_RESULTS:-}"
  [ "${#files[@]}" -gt 0 ] || die "input results is empty: give the load-test results file or a glob"
  [ -z "${INPUT_GROUP_BY:-}" ] || args+=(--group-by "$INPUT_GROUP_BY")
  [ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
  read -r -d '' -a extra <<<"${INPUT_EXTRACT_ARGS:-}" || true # words on every line (a YAML | block)
  mkdir -p "$dir"
  echo "📂 ${#files[@]} result file(s): ${files[*]}"
  "$PERFGATE_BIN/extract-metrics" ${args[@]+"${args[@]}"} ${extra[@]+"${extra[@]}"} -o "$dir/load-results.json" "${files[@]}"
  echo "metrics=$dir/load-results.json" >>"$GITHUB_OUTPUT"
}

# compare runs compare-performance and passes its outputs on. Its exit code is kept for
# the gate step: a regression must not stop the comment and the issue from being filed.
# Without a verdict (the comparison could not run) the step fails at once.
step_compare() {
  local dir="${INPUT_OUTPUT_DIR:-load-test-results}" line out code=0
  local args=() extra=()
  if [ ! -e "$INPUT_BASELINE" ]; then
    die "no baseline at '$INPUT_BASELINE' (in $(pwd)): create it from a reference run with extract-baselines (e.g. extract-baselines ${INPUT_GROUP_BY:+--group-by $INPUT_GROUP_BY }RESULTS $INPUT_BASELINE) and commit it, or set the baseline input"
  fi
  args=(--report "$dir/regression-analysis.md" --json "$dir/results.json" --junit "$dir/junit.xml")
  [ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
  [ -z "${INPUT_GROUP_BY:-}" ] || args+=(--group-by "$INPUT_GROUP_BY")
  [ "$(bool noise-aware "${INPUT_NOISE_AWARE:-}")" = false ] || args+=(--noise-aware)
  while IFS= read -r line || [ -n "$line" ]; do
    line="$(printf '%s' "$line" | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')"
    case "$line" in '' | '#'*) continue ;; esac
    args+=(--threshold "$line")
  done <<<"${INPUT_THRESHOLDS:-}"
  read -r -d '' -a extra <<<"${INPUT_COMPARE_ARGS:-}" || true # words on every line (a YAML | block)
  out="$(mktemp "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/perfgate-output.XXXXXX")"
  GITHUB_OUTPUT="$out" "$PERFGATE_BIN/compare-performance" "${args[@]}" ${extra[@]+"${extra[@]}"} "$INPUT_BASELINE" "$PERFGATE_METRICS" || code=$?
  if ! grep -q '^verdict=' "$out"; then
    rm -f "$out"
    die "compare-performance could not compare (exit $code): see its message above"
  fi
  cat "$out" >>"$GITHUB_OUTPUT"
  rm -f "$out"
  echo "exit-code=$code" >>"$GITHUB_OUTPUT"
}

# comment posts or updates the pull-request comment (on pull-request events only).
step_comment() {
  if [ "$(bool comment-on-pr "${INPUT_COMMENT_ON_PR:-}")" = false ]; then
    echo "pull-request comment: off (comment-on-pr: false)"
    return
  fi
  local args=(--pr-comment --soft-fail)
  [ -z "${INPUT_COMMENT_KEY:-}" ] || args+=(--comment-key "$INPUT_COMMENT_KEY")
  "$PERFGATE_BIN/create-regression-issue" "${args[@]}" "$PERFGATE_REPORT"
}

# issue opens a regression issue on failures or warnings.
step_issue() {
  if [ "$(bool create-issue "${INPUT_CREATE_ISSUE:-}")" = false ]; then
    echo "issue: off (create-issue: false)"
    return
  fi
  case "$PERFGATE_VERDICT" in
    fail | warning) "$PERFGATE_BIN/create-regression-issue" --soft-fail "$PERFGATE_REPORT" ;;
    *) echo "issue: none needed (verdict: $PERFGATE_VERDICT)" ;;
  esac
}

# gate fails the step as fail-on says.
step_gate() {
  local v="$PERFGATE_VERDICT" on="${INPUT_FAIL_ON:-failure}"
  local what="verdict $v: ${PERFGATE_FAILURES:-0} failure(s), ${PERFGATE_WARNINGS:-0} warning(s)"
  case "$v:$on" in
    fail:never | incomparable:never | warning:failure | warning:never | pass:*)
      echo "✅ perfgate: $what (fail-on: $on)" ;;
    incomparable:*) die "perfgate: nothing comparable — a gate that cannot judge does not pass (fail-on: $on)" ;;
    acknowledged:warning)
      if [ "${PERFGATE_WARNINGS:-0}" -gt 0 ]; then die "perfgate: $what (fail-on: $on)"; fi
      echo "✅ perfgate: $what; the failures are acknowledged in the configuration (fail-on: $on)" ;;
    acknowledged:*)
      echo "✅ perfgate: $what; the failures are acknowledged in the configuration (fail-on: $on)" ;;
    *) die "perfgate: $what (fail-on: $on)" ;;
  esac
}

case "${1:-}" in
  locate | build | extract | compare | comment | issue | gate) "step_$1" ;;
  *) echo "usage: action.sh locate|build|extract|compare|comment|issue|gate" >&2; exit 1 ;;
esac
