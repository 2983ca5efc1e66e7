#!/bin/sh
# Pay benchmark: `analyse gender` and `analyse pay` against R (lm + sandwich,
# and survey's svyby/svyquantile at sizes where R fits in memory) on the same
# employee files, in the same run. Results on stdout as a Markdown table,
# then the ratios of this run.
#   bench/pay/run.sh [N ...]        (default: 1000000 10000000)
# Environment: BUILD (default build), WORK (default /tmp/vigie-bench-pay),
# REPEAT (runs of each analyse command, the median is shown; default 3),
# R_MEM_KB (virtual memory cap for R, default 16000000: R is stopped with
# "cannot allocate" rather than the machine running out of memory),
# R_SURVEY_MAX (largest N for which R also runs survey, default 1000000): the iid
# survey script and the design-based one (bench_gender_design.R: svydesign(ids =
# ~employeur) + svyby + svycontrast + svyquantile + svyglm, the job `analyse gender` does
# by default), each against `analyse gender` of the same run.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
WORK=${WORK:-/tmp/vigie-bench-pay}
REPEAT=${REPEAT:-3}
R_MEM_KB=${R_MEM_KB:-16000000}
R_SURVEY_MAX=${R_SURVEY_MAX:-1000000}
VIGIE_SURVEYS=$SRC/surveys
export VIGIE_SURVEYS
mkdir -p "$WORK"
[ $# -gt 0 ] || set -- 1000000 10000000

# run TIMES LABEL CMD...: median over TIMES runs of the wall and CPU (user +
# system) seconds, peak resident memory (MB); the CPU median also in $CPU.
run() {
    times=$1
    label=$2
    shift 2
    : >"$WORK/times"
    k=0
    while [ "$k" -lt "$times" ]; do
        if ! /usr/bin/time -f "%e %U %S %M" -o "$WORK/time" "$@" >"$WORK/out" 2>"$WORK/err"; then
            printf '| %s | %s | failed: %s | | |\n' "$label" "$N" "$(grep -v '^[[:space:]]' "$WORK/err" | tail -n 1)"
            CPU=0
            return 0
        fi
        awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 }' "$WORK/time" >>"$WORK/times"
        k=$((k + 1))
    done
    mid=$(((times + 1) / 2))
    wall=$(sort -n -k1,1 "$WORK/times" | sed -n "${mid}p" | cut -d' ' -f1)
    CPU=$(sort -n -k2,2 "$WORK/times" | sed -n "${mid}p" | cut -d' ' -f2)
    rss=$(sort -n -k3,3 "$WORK/times" | tail -n 1 | cut -d' ' -f3)
    printf '| %s | %s | %s | %s | %d |\n' "$label" "$N" "$wall" "$CPU" $((rss / 1024))
}

ratios=""
echo "| run | rows | wall s | CPU s | peak MB |"
echo "|---|---:|---:|---:|---:|"
for N in "$@"; do
    csv=$WORK/remuneration-$N.csv
    [ -f "$csv" ] || "$BUILD/sample/gensample" -q --survey remuneration --seed 2026 --n "$N" -o "$csv"
    size=$(($(wc -c <"$csv") / 1048576))
    echo "| (file: $size MB) | $N | | | |"
    run "$REPEAT" "analyse gender (median of $REPEAT)" "$BUILD/analyse/analyse" gender -q --survey remuneration --data "$csv" -o "$WORK/gender.csv"
    gender=$CPU
    run "$REPEAT" "analyse gender --streaming (median of $REPEAT)" "$BUILD/analyse/analyse" gender -q --streaming --survey remuneration --data "$csv" -o "$WORK/gender-streaming.csv"
    run "$REPEAT" "analyse pay (median of $REPEAT)" "$BUILD/analyse/analyse" pay -q --survey remuneration --data "$csv" -o "$WORK/pay.csv"
    run 1 "R lm + sandwich + tapply gaps" sh -c "ulimit -v $R_MEM_KB; Rscript '$SRC/bench/pay/bench_gender.R' '$csv'"
    ratios="$ratios$(awk -v n="$N" -v a="$gender" -v r="$CPU" 'BEGIN { if (a > 0 && r > 0) printf "%s rows: R lm + tapply / analyse gender = %.1fx CPU\\n", n, r / a }')"
    if [ "$N" -le "$R_SURVEY_MAX" ]; then
        run 1 "R lm + sandwich + survey svyby" sh -c "ulimit -v $R_MEM_KB; Rscript '$SRC/bench/pay/bench_gender.R' '$csv' survey"
        ratios="$ratios$(awk -v n="$N" -v a="$gender" -v r="$CPU" 'BEGIN { if (a > 0 && r > 0) printf "%s rows: R survey / analyse gender = %.1fx CPU\\n", n, r / a }')"
        run 1 "R design: svydesign + svyby + svycontrast + svyquantile + svyglm" sh -c "ulimit -v $R_MEM_KB; Rscript '$SRC/bench/pay/bench_gender_design.R' '$csv'"
        ratios="$ratios$(awk -v n="$N" -v a="$gender" -v r="$CPU" 'BEGIN { if (a > 0 && r > 0) printf "%s rows: R design / analyse gender (design) = %.1fx CPU\\n", n, r / a }')"
    fi
done
echo
printf '%b' "$ratios"
