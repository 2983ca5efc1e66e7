#!/bin/sh
# Benchmark of analyse against R's survey package and a plain read of the file.
#   bench/analyse/run.sh [N]        N establishment rows (default 1000000)
# Environment: BUILD (build directory, default build), WORK (scratch directory,
# default bench/analyse/work), REPS (runs of the fast commands, default 7), SKIP_R=1.
# Needs Rscript with survey and python3 (bench/tools/timeit.py times the commands).
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
    python3 "$SRC/bench/tools/timeit.py" "$WORK/time.txt" "$@" >"$tout"
    cat "$WORK/time.txt"
}
cat "$data" >/dev/null # warm the page cache
# The fast ones run REPS times, interleaved, and the median is kept: a single run of a
# 0.03 s command says more about the machine's mood than about the command.
REPS=${REPS:-7}
JOB="--survey $WORK/surveys/rb --data $data --var etp_vac_as --stat ratio --denominator etp_bud_as --by region --weights rake"
: >"$WORK/reps.txt"
i=0
while [ $i -lt "$REPS" ]; do
    echo "cat $(t /dev/null cat "$data")" >>"$WORK/reps.txt"
    echo "wc $(t /dev/null wc -l "$data")" >>"$WORK/reps.txt"
    # shellcheck disable=SC2086 # JOB is split on purpose (paths without spaces)
    echo "analyse $(t /dev/null "$BUILD/analyse/analyse" estimate -q $JOB -o "$WORK/analyse.csv")" >>"$WORK/reps.txt"
    # shellcheck disable=SC2086
    echo "rows $(t /dev/null "$BUILD/analyse/analyse" estimate -q --rows $JOB -o "$WORK/analyse-rows.csv")" >>"$WORK/reps.txt"
    i=$((i + 1))
done
# med NAME FIELD: median of field FIELD (2 = seconds, 3 = peak kB, 4 = CPU s) of NAME's runs
med() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$WORK/reps.txt" | sort -g |
        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
cat_s=$(med cat 2) wc_s=$(med wc 2)
an_s=$(med analyse 2) an_kb=$(med analyse 3) an_cpu=$(med analyse 4)
rows_s=$(med rows 2) rows_kb=$(med rows 3) rows_cpu=$(med rows 4)
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
echo "analyse (streamed): ${an_s} s (CPU ${an_cpu} s), peak RSS ${an_kb} kB"
echo "analyse --rows: ${rows_s} s (CPU ${rows_cpu} s), peak RSS ${rows_kb} kB"
echo "medians of $REPS interleaved runs; analyse / cat = $(awk -v a="$an_s" -v c="$cat_s" 'BEGIN { printf "%.1f", a / c }'), analyse / wc -l = $(awk -v a="$an_s" -v c="$wc_s" 'BEGIN { printf "%.1f", a / c }')"
python3 - "$WORK/analyse.csv" "$WORK/analyse-rows.csv" <<'PY'
import csv, sys
a, b = (list(csv.DictReader(open(p))) for p in sys.argv[1:3])
worst = max(abs(float(x[k]) - float(y[k])) / abs(float(y[k]))
            for x, y in zip(a, b) for k in ("estimate", "se", "ci_low", "ci_high"))
print("largest relative difference streamed vs --rows: %.2g" % worst)
PY
if [ "${SKIP_R:-0}" != 1 ]; then
    echo "R survey: ${r_s} s (CPU ${r_cpu} s; read.csv ${r_read} s, design + rake + svyby ${r_est} s), peak RSS ${r_kb} kB"
    echo "largest relative difference analyse vs R (estimates and SEs): $diff"
    python3 -c "print('ratios: R / analyse = %.0f (estimation alone: %.0f)' % ($r_s / $an_s, $r_est / $an_s))"
fi
