#!/bin/sh
# Benchmark of analyse against R's survey package and a plain read of the file.
#   bench/analyse/run.sh [N]        N establishment rows (default 1000000)
# Environment: BUILD (build directory, default build), WORK (scratch directory,
# default bench/analyse/work). Needs Rscript with survey, python3, /usr/bin/time.
# The job: vacancy rate of care assistants (etp_vac_as / etp_bud_as) by region,
# stratified by region with fpc from the frame, raked to the region and sector
# margins; the same in R (bench.R). Prints the timings and peak memory and the
# largest relative difference between the two sets of estimates and SEs.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
N=${1:-1000000}
WORK=${WORK:-$SRC/bench/analyse/work}
mkdir -p "$WORK/surveys/rb"
ln -sfn "$SRC/surveys/common" "$WORK/surveys/common"
cp "$SRC/surveys/recrutement/survey.json" "$WORK/surveys/rb/survey.json"
# a population 1000 times the bundled frame, so that a million rows are a sample of it
awk -F, 'NR == 1 { print; next } { print $1 "," $2 "," $3 * 1000 }' \
    "$SRC/surveys/recrutement/frame.csv" >"$WORK/surveys/rb/frame.csv"

data=$WORK/data-$N.csv
if [ ! -f "$data" ]; then
    "$BUILD/sample/gensample" -q --survey recrutement --seed 2026 --n "$N" --format csv \
        -o "$WORK/raw-$N.csv"
    python3 "$SRC/bench/analyse/normalise.py" "$SRC/surveys/recrutement/survey.json" \
        <"$WORK/raw-$N.csv" >"$data.tmp"
    mv "$data.tmp" "$data"
    rm -f "$WORK/raw-$N.csv"
fi

# t OUT CMD...: run CMD with its stdout in OUT, print "seconds peak-kB cpu-seconds"
t() {
    tout=$1
    shift
    /usr/bin/time -f "%e %M %U %S" -o "$WORK/time.txt" "$@" >"$tout"
    awk '{ printf "%s %s %.2f\n", $1, $2, $3 + $4 }' "$WORK/time.txt"
}
cat "$data" >/dev/null # warm the page cache
set -- $(t /dev/null cat "$data"); cat_s=$1 cat_kb=$2
set -- $(t /dev/null wc -l "$data"); wc_s=$1
set -- $(t /dev/null "$BUILD/analyse/analyse" estimate -q --survey "$WORK/surveys/rb" --data "$data" \
    --var etp_vac_as --stat ratio --denominator etp_bud_as --by region --weights rake \
    -o "$WORK/analyse.csv"); an_s=$1 an_kb=$2 an_cpu=$3
if [ "${SKIP_R:-0}" != 1 ]; then
    set -- $(t "$WORK/r-times.txt" Rscript "$SRC/bench/analyse/bench.R" "$data" \
        "$WORK/surveys/rb/frame.csv" "$WORK/r.csv"); r_s=$1 r_kb=$2 r_cpu=$3
    r_read=$(sed -n 's/^read //p' "$WORK/r-times.txt")
    r_est=$(sed -n 's/^estimate //p' "$WORK/r-times.txt")
    diff=$(python3 - "$WORK/analyse.csv" "$WORK/r.csv" <<'PY'
import csv, sys
a = {r["group"]: r for r in csv.DictReader(open(sys.argv[1])) if r["by"] == "region"}
worst = 0.0
for r in csv.DictReader(open(sys.argv[2])):
    row = a[r["region"]]
    for mine, theirs in ((row["estimate"], r["etp_vac_as/etp_bud_as"]),
                         (row["se"], r["se.etp_vac_as/etp_bud_as"])):
        worst = max(worst, abs(float(mine) - float(theirs)) / abs(float(theirs)))
print("%.2g" % worst)
PY
)
fi
echo "rows: $N ($(wc -c <"$data") bytes)"
echo "floor: cat ${cat_s} s, wc -l ${wc_s} s"
echo "analyse: ${an_s} s (CPU ${an_cpu} s), peak RSS ${an_kb} kB"
if [ "${SKIP_R:-0}" != 1 ]; then
    echo "R survey: ${r_s} s (CPU ${r_cpu} s; read.csv ${r_read} s, design + rake + svyby ${r_est} s), peak RSS ${r_kb} kB"
    echo "largest relative difference analyse vs R (estimates and SEs): $diff"
    python3 -c "print('ratios: R / analyse = %.0f (estimation alone: %.0f); analyse / cat = %.0f' % ($r_s / $an_s, $r_est / $an_s, $an_s / max($cat_s, 0.01)))"
fi
