#!/usr/bin/env bash
# make bench: perfgate's raw readers against the line-scan limit (wc -l), a naive Go
# reader (bench/naive: encoding/csv, encoding/json, encoding/xml) and the tools' own
# reporters where the machine has them (vegeta report; pandas for the JTL), on the same
# generated files, in one run. Prints one markdown table and checks that perfgate agrees
# with the naive reader's exact results. Not part of make test: it writes several GB and
# takes minutes.
#
# Environment: SIZE (default 1GB) for every raw format, BIG (default 4GB, 0 to skip) for
# the flat-memory check on a JTL, KINDS (default: all), RUNS (default 3: perfgate and wc -l
# are timed RUNS times and the best run is kept; the slow readers once), DIR (default
# /tmp/perfgate-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1GB}
BIG=${BIG:-4GB}
RUNS=${RUNS:-3}
DIR=${DIR:-/tmp/perfgate-bench}
KINDS=${KINDS:-jtl jtl-xml k6 k6-csv vegeta-csv vegeta-json vegeta-gob hey gatling locust-history}
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$DIR" bench/.bin
go build -o bin/ ./cmd/...
go build -o bench/.bin/ ./bench/gen ./bench/naive ./bench/check

declare -A NAME=([jtl]="JMeter CSV JTL" [jtl-xml]="JMeter XML JTL" [k6]="k6 NDJSON" [k6-csv]="k6 CSV"
  [vegeta-csv]="Vegeta CSV" [vegeta-json]="Vegeta NDJSON" [vegeta-gob]="Vegeta gob (attack output)" [hey]="hey CSV" [gatling]="Gatling simulation.log"
  [locust-history]="Locust _stats_history.csv")
declare -A NAIVE=([jtl]="encoding/csv" [jtl-xml]="encoding/xml" [k6]="encoding/json" [k6-csv]="encoding/csv"
  [vegeta-csv]="encoding/csv" [vegeta-json]="encoding/json" [vegeta-gob]="encoding/gob" [hey]="encoding/csv" [gatling]="bufio + strings.Split"
  [locust-history]="encoding/csv")

gen() { # kind size file
  [ -s "$3" ] || { echo "generating $3 ($2)…" >&2; bench/.bin/gen -kind "$1" -size "$2" -o "$3"; }
}

# The tools' own reporters, when they can be had.
VEGETA=$(command -v vegeta || echo "$(go env GOPATH)/bin/vegeta")
if [ ! -x "$VEGETA" ]; then
  echo "installing vegeta v12.13.0…" >&2
  go install github.com/tsenart/vegeta/v12@v12.13.0 || echo "vegeta could not be installed; its rows stay out" >&2
fi
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing python3-pandas…" >&2
  (apt-get update -qq && apt-get install -y -qq python3-pandas >/dev/null) || echo "pandas could not be installed; its row stays out" >&2
fi

# measure LABEL RUNS CMD…: the best of RUNS runs by wall time: wall, user+sys, peak RSS
# (/usr/bin/time); the command's stdout goes to $DIR/LABEL.out.
declare -A WALL CPU RSS
measure() {
  local label=$1 runs=$2; shift 2
  WALL[$label]=""
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" > "$DIR/$label.out" 2> "$DIR/$label.err" || { echo "$label failed:" >&2; cat "$DIR/$label.err" >&2; exit 1; }
    read -r w u s m < "$DIR/time.txt"
    if [ -z "${WALL[$label]}" ] || awk -v a="$w" -v b="${WALL[$label]}" 'BEGIN {exit !(a < b)}'; then
      WALL[$label]=$w; CPU[$label]=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}'); RSS[$label]=$((m / 1024))
    fi
  done
}

mb() { echo $(( $(stat -c %s "$1") / 1048576 )); }
ratio() { awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" 'BEGIN {printf "%.1f", a / b}'; }
# Every tool reads from the page cache: warm it before measuring.
warm() { cat "$1" > /dev/null; }

ROWS=()
row() { # label input tool file wc-label speedup
  local mbs
  mbs=$(awk -v a="$(mb "$4")" -v b="${WALL[$1]}" 'BEGIN {printf "%.0f", a / b}')
  ROWS+=("| $2 | $3 | ${WALL[$1]} | ${CPU[$1]} | $mbs | $(ratio "$1" "$5") | $6 | ${RSS[$1]} |")
}

AGREE=()
for k in $KINDS; do
  f="$DIR/bench-$SIZE.$k"
  gen "$k" "$SIZE" "$f"
  warm "$f"
  measure "wc_$k" "$RUNS" wc -l "$f"
  measure "pg_$k" "$RUNS" bin/extract-metrics --group-by endpoint -o "$DIR/pg_$k.json" "$f"
  warm "$f"
  measure "naive_$k" 1 bench/.bin/naive -kind "$k" "$f"
  cp "$DIR/naive_$k.out" "$DIR/naive_$k.json"
  agree=$(bench/.bin/check "$DIR/pg_$k.json" "$DIR/naive_$k.json") || { echo "$k: $agree"; exit 1; }
  AGREE+=("${NAME[$k]}: $agree")
  row "wc_$k" "${NAME[$k]} $(mb "$f") MB" "wc -l" "$f" "wc_$k" ""
  row "pg_$k" "" "perfgate extract-metrics" "$f" "wc_$k" ""
  row "naive_$k" "" "naive Go (${NAIVE[$k]})" "$f" "wc_$k" "$(ratio "naive_$k" "pg_$k")×"
  if [[ $k == vegeta-* ]] && [ -x "$VEGETA" ]; then
    warm "$f"
    measure "tool_$k" 1 "$VEGETA" report -type=json "$f"
    row "tool_$k" "" "vegeta report -type=json" "$f" "wc_$k" "$(ratio "tool_$k" "pg_$k")×"
  fi
  if [ "$k" = jtl ] && /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
    warm "$f"
    measure "tool_$k" 1 /usr/bin/python3 -c '
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], usecols=["label", "elapsed", "success"])
g = df.groupby("label")
print(g["elapsed"].agg(["count", "mean"]).join(g["elapsed"].quantile([0.5, 0.95, 0.99]).unstack()))
print((~df["success"]).groupby(df["label"]).sum())
' "$f"
    row "tool_$k" "" "pandas read_csv + groupby" "$f" "wc_$k" "$(ratio "tool_$k" "pg_$k")×"
  fi
done
if [ "$BIG" != 0 ]; then
  f="$DIR/bench-$BIG.jtl"
  gen jtl "$BIG" "$f"
  warm "$f"
  measure "wc_big" 1 wc -l "$f"
  measure "pg_big" 1 bin/extract-metrics --group-by endpoint -o "$DIR/pg_big.json" "$f"
  row "wc_big" "JMeter CSV JTL $(mb "$f") MB" "wc -l" "$f" "wc_big" ""
  row "pg_big" "" "perfgate extract-metrics" "$f" "wc_big" ""
fi

# Small input: one Locust _stats.csv, median of 20 runs.
small=()
for _ in $(seq 20); do
  s=$(date +%s%N); bin/extract-metrics -o "$DIR/small.json" testdata/locust/locust-2.12.1-baseline-run1_stats.csv >/dev/null 2>&1; e=$(date +%s%N)
  small+=($(( (e - s) / 1000 )))
done
small_med=$(printf '%s\n' "${small[@]}" | sort -n | sed -n 10p)

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3); load average before the run: $LOAD"
echo
echo "| input | tool | wall s | CPU s | MB/s | × wc -l | perfgate speed-up | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
echo "Small input (Locust _stats.csv, 8 rows): median of 20 runs $((small_med / 1000)).$(printf '%03d' $((small_med % 1000))) ms"
echo "Agreement with the naive reader:"
printf -- '- %s\n' "${AGREE[@]}"
