#!/usr/bin/env bash
# make bench: perfgate's raw readers against the line-scan limit (wc -l), a naive Go
# reader (encoding/csv, encoding/json) and pandas, on the same generated files, in one
# run. Prints one markdown table and checks that perfgate agrees with the naive reader's
# exact results. Not part of make test: it writes several GB and takes minutes.
#
# Environment: SIZE (default 1GB) for the JTL and NDJSON files, BIG (default 4GB, 0 to
# skip) for the flat-memory check, DIR (default /tmp/perfgate-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${SIZE:-1GB}
BIG=${BIG:-4GB}
DIR=${DIR:-/tmp/perfgate-bench}
mkdir -p "$DIR" bench/.bin
go build -o bin/ ./cmd/...
go build -o bench/.bin/ ./bench/gen ./bench/naive ./bench/check

gen() { # kind size file
  [ -s "$3" ] || { echo "generating $3 ($2)…" >&2; bench/.bin/gen -kind "$1" -size "$2" -o "$3"; }
}
gen jtl "$SIZE" "$DIR/bench-$SIZE.jtl"
gen k6 "$SIZE" "$DIR/bench-$SIZE.ndjson"
[ "$BIG" = 0 ] || gen jtl "$BIG" "$DIR/bench-$BIG.jtl"

if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing python3-pandas…" >&2
  (apt-get update -qq && apt-get install -y -qq python3-pandas >/dev/null) || echo "pandas could not be installed; its column stays empty" >&2
fi

# measure LABEL CMD…: wall, user+sys, peak RSS via /usr/bin/time.
declare -A WALL CPU RSS
measure() {
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "$@" > "$DIR/$label.out" 2> "$DIR/$label.err" || { echo "$label failed:" >&2; cat "$DIR/$label.err" >&2; exit 1; }
  read -r w u s m < "$DIR/time.txt"
  WALL[$label]=$w; CPU[$label]=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}'); RSS[$label]=$((m / 1024))
}

mb() { echo $(( $(stat -c %s "$1") / 1048576 )); }
rate() { awk -v a="$1" -v b="${WALL[$2]}" 'BEGIN {printf "%.0f", a / b}'; }
ratio() { awk -v a="${WALL[$1]}" -v b="${WALL[$2]}" 'BEGIN {printf "%.1f", a / b}'; }

jtl="$DIR/bench-$SIZE.jtl"; nd="$DIR/bench-$SIZE.ndjson"
# Every tool reads from the page cache: warm it (and wc -l once) before measuring.
warm() { cat "$1" > /dev/null; wc -l "$1" > /dev/null; }
warm "$jtl"
measure wc_jtl wc -l "$jtl"
measure pg_jtl bin/extract-metrics --group-by endpoint -o "$DIR/pg_jtl.json" "$jtl"
warm "$jtl"
measure naive_jtl bench/.bin/naive -kind jtl "$jtl"
cp "$DIR/naive_jtl.out" "$DIR/naive_jtl.json"
agree_jtl=$(bench/.bin/check "$DIR/pg_jtl.json" "$DIR/naive_jtl.json") || { echo "$agree_jtl"; exit 1; }
pandas_jtl=""
if /usr/bin/python3 -c 'import pandas' 2>/dev/null; then
  warm "$jtl"
  measure pandas_jtl /usr/bin/python3 -c '
import sys, pandas as pd
df = pd.read_csv(sys.argv[1], usecols=["label", "elapsed", "success"])
g = df.groupby("label")
print(g["elapsed"].agg(["count", "mean"]).join(g["elapsed"].quantile([0.5, 0.95, 0.99]).unstack()))
print((~df["success"]).groupby(df["label"]).sum())
' "$jtl"
  pandas_jtl=$(ratio pandas_jtl pg_jtl)
fi
warm "$nd"
measure wc_nd wc -l "$nd"
measure pg_nd bin/extract-metrics --group-by endpoint -o "$DIR/pg_nd.json" "$nd"
measure naive_nd bench/.bin/naive -kind k6 "$nd"
cp "$DIR/naive_nd.out" "$DIR/naive_nd.json"
agree_nd=$(bench/.bin/check "$DIR/pg_nd.json" "$DIR/naive_nd.json") || { echo "$agree_nd"; exit 1; }
if [ "$BIG" != 0 ]; then
  warm "$DIR/bench-$BIG.jtl"
  measure pg_big bin/extract-metrics --group-by endpoint -o "$DIR/pg_big.json" "$DIR/bench-$BIG.jtl"
fi

# Small input: one Locust _stats.csv, median of 20 runs.
small=()
for i in $(seq 20); do
  s=$(date +%s%N); bin/extract-metrics -o "$DIR/small.json" testdata/locust/locust-2.12.1-baseline-run1_stats.csv >/dev/null 2>&1; e=$(date +%s%N)
  small+=($(( (e - s) / 1000 )))
done
small_med=$(printf '%s\n' "${small[@]}" | sort -n | sed -n 10p)

echo
echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(go version | cut -d' ' -f3)"
echo
echo "| input | tool | wall s | CPU s | MB/s | × wc -l | perfgate speed-up | peak RSS MB |"
echo "|---|---|---|---|---|---|---|---|"
row() { # label input-name tool file speedup
  echo "| $2 | $3 | ${WALL[$1]} | ${CPU[$1]} | $(rate "$(mb "$4")" "$1") | $5 | $6 | ${RSS[$1]} |"
}
row wc_jtl "JTL $(mb "$jtl") MB" "wc -l" "$jtl" 1 ""
row pg_jtl "" "perfgate extract-metrics" "$jtl" "$(ratio pg_jtl wc_jtl)" ""
row naive_jtl "" "naive Go (encoding/csv)" "$jtl" "$(ratio naive_jtl wc_jtl)" "$(ratio naive_jtl pg_jtl)×"
if [ -n "$pandas_jtl" ]; then row pandas_jtl "" "pandas read_csv + groupby" "$jtl" "$(ratio pandas_jtl wc_jtl)" "${pandas_jtl}×"; fi
row wc_nd "k6 NDJSON $(mb "$nd") MB" "wc -l" "$nd" 1 ""
row pg_nd "" "perfgate extract-metrics" "$nd" "$(ratio pg_nd wc_nd)" ""
row naive_nd "" "naive Go (encoding/json)" "$nd" "$(ratio naive_nd wc_nd)" "$(ratio naive_nd pg_nd)×"
[ "$BIG" = 0 ] || row pg_big "JTL $(mb "$DIR/bench-$BIG.jtl") MB" "perfgate extract-metrics" "$DIR/bench-$BIG.jtl" "" ""
echo
echo "Small input (Locust _stats.csv, 8 rows): median of 20 runs $((small_med / 1000)).$(printf '%03d' $((small_med % 1000))) ms"
echo "Agreement with the naive reader: JTL $agree_jtl; NDJSON $agree_nd"
