#!/bin/sh
# Pay benchmark: `analyse gender` and `analyse pay` against R (lm + sandwich,
# and survey's svyby/svyquantile at sizes where R fits in memory) on the same
# employee files, in the same run. Results on stdout as a Markdown table.
#   bench/pay/run.sh [N ...]        (default: 1000000 10000000)
# Environment: BUILD (default build), WORK (default /tmp/vigie-bench-pay),
# R_MEM_KB (virtual memory cap for R, default 16000000: R is stopped with
# "cannot allocate" rather than the machine running out of memory),
# R_SURVEY_MAX (largest N for which R also runs survey, default 1000000).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORK=${WORK:-/tmp/vigie-bench-pay}
R_MEM_KB=${R_MEM_KB:-16000000}
R_SURVEY_MAX=${R_SURVEY_MAX:-1000000}
VIGIE_SURVEYS=$SRC/surveys
export VIGIE_SURVEYS
mkdir -p "$WORK"
[ $# -gt 0 ] || set -- 1000000 10000000

# run LABEL CMD...: wall and CPU seconds, peak resident memory (MB)
run() {
    label=$1
    shift
    if /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"; then
        read -r wall user sys rss <"$WORK/time"
        printf '| %s | %s | %.1f | %.1f | %d |\n' "$label" "$N" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" $((rss / 1024))
    else
        printf '| %s | %s | failed: %s | | |\n' "$label" "$N" "$(grep -v '^[[:space:]]' "$WORK/err" | tail -n 1)"
    fi
}

echo "| run | rows | wall s | CPU s | peak MB |"
echo "|---|---:|---:|---:|---:|"
for N in "$@"; do
    csv=$WORK/remuneration-$N.csv
    [ -f "$csv" ] || "$BUILD/sample/gensample" -q --survey remuneration --seed 2026 --n "$N" -o "$csv"
    size=$(($(wc -c <"$csv") / 1048576))
    echo "| (file: $size MB) | $N | | | |"
    run "analyse gender" "$BUILD/analyse/analyse" gender -q --survey remuneration --data "$csv" -o "$WORK/gender.csv"
    run "analyse gender --streaming" "$BUILD/analyse/analyse" gender -q --streaming --survey remuneration --data "$csv" -o "$WORK/gender-streaming.csv"
    run "analyse pay" "$BUILD/analyse/analyse" pay -q --survey remuneration --data "$csv" -o "$WORK/pay.csv"
    run "R lm + sandwich + tapply gaps" sh -c "ulimit -v $R_MEM_KB; Rscript '$SRC/bench/pay/bench_gender.R' '$csv'"
    if [ "$N" -le "$R_SURVEY_MAX" ]; then
        run "R lm + sandwich + survey svyby" sh -c "ulimit -v $R_MEM_KB; Rscript '$SRC/bench/pay/bench_gender.R' '$csv' survey"
    fi
done
