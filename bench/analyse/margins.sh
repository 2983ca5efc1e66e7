#!/bin/sh
# Benchmark of calibration to a margins file against R's survey package.
#   bench/analyse/margins.sh [N]      N establishment rows (default 1000000)
# Environment: BUILD (default build), WORK (default bench/analyse/work), REPS (runs of
# analyse, default 3), SKIP_R=1. Uses the data file of run.sh (made by it when absent).
# The job: the vacancy rate of care assistants by region, stratified by the frame cells
# (fpc from a frame 1000 times the bundled one), raked to three margins, region, taille
# and type_etab (the last two outside the frame; counts: the frame's total shared as the
# sample is), with analyse --weights frame --margins (row engine: calibration is not
# streamed), and the same in R (margins.R) in the same run.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
N=${1:-1000000}
WORK=${WORK:-$SRC/bench/analyse/work}
data=$WORK/data-$N.csv
[ -f "$data" ] || SKIP_R=1 REPS=1 "$SRC/bench/analyse/run.sh" "$N" >/dev/null
[ -f "$WORK/surveys/rb/frame.csv" ] || SKIP_R=1 REPS=1 "$SRC/bench/analyse/run.sh" "$N" >/dev/null
python3 - "$data" "$WORK/surveys/rb/frame.csv" >"$WORK/margins.csv" <<'PY'
import csv, collections, sys
fr = list(csv.DictReader(open(sys.argv[2])))
tot = sum(float(r["etablissements"]) for r in fr)
reg = collections.Counter()
for r in fr:
    reg[r["region"]] += float(r["etablissements"])
seen = {"taille": collections.Counter(), "type_etab": collections.Counter()}
n = 0
for r in csv.DictReader(open(sys.argv[1])):
    n += 1
    for k in seen:
        seen[k][r[k]] += 1
print("variable,code,count")
for c in sorted(reg):
    print("region,%s,%.17g" % (c, reg[c]))
for k in seen:
    for c in sorted(seen[k]):
        print("%s,%s,%.17g" % (k, c, tot * seen[k][c] / n))
PY
t() {
    tout=$1
    shift
    python3 "$SRC/bench/tools/timeit.py" "$WORK/time.txt" "$@" >"$tout"
    cat "$WORK/time.txt"
}
cat "$data" >/dev/null
REPS=${REPS:-3}
JOB="--survey $WORK/surveys/rb --data $data --var etp_vac_as --stat ratio --denominator etp_bud_as --by region --weights frame --margins $WORK/margins.csv"
: >"$WORK/mreps.txt"
i=0
while [ $i -lt "$REPS" ]; do
    # shellcheck disable=SC2086
    echo "analyse $(t /dev/null "$BUILD/analyse/analyse" estimate -q $JOB -o "$WORK/analyse-margins.csv")" >>"$WORK/mreps.txt"
    i=$((i + 1))
done
med() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$WORK/mreps.txt" | sort -g |
        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
an_s=$(med analyse 2) an_kb=$(med analyse 3) an_cpu=$(med analyse 4)
echo "rows: $N; margins: region, taille, type_etab"
echo "analyse --margins (rake): ${an_s} s (CPU ${an_cpu} s), peak RSS ${an_kb} kB (median of $REPS)"
if [ "${SKIP_R:-0}" != 1 ]; then
    set -- $(t "$WORK/rm-times.txt" Rscript "$SRC/bench/analyse/margins.R" "$data" \
        "$WORK/surveys/rb/frame.csv" "$WORK/margins.csv" "$WORK/r-margins.csv")
    r_s=$1 r_kb=$2 r_cpu=$3
    r_read=$(sed -n 's/^read //p' "$WORK/rm-times.txt")
    r_est=$(sed -n 's/^estimate //p' "$WORK/rm-times.txt")
    echo "R survey: ${r_s} s (CPU ${r_cpu} s; read.csv ${r_read} s, design + rake + svyby ${r_est} s), peak RSS ${r_kb} kB"
    python3 - "$WORK/analyse-margins.csv" "$WORK/r-margins.csv" <<'PY'
import csv, sys
a = {r["group"]: r for r in csv.DictReader(open(sys.argv[1])) if r["by"] == "region"}
worst = 0.0
for r in csv.DictReader(open(sys.argv[2])):
    row = a[r["region"]]
    for mine, theirs in ((row["estimate"], r["etp_vac_as/etp_bud_as"]),
                         (row["se"], r["se.etp_vac_as/etp_bud_as"])):
        worst = max(worst, abs(float(mine) - float(theirs)) / abs(float(theirs)))
print("largest relative difference analyse vs R (estimates and SEs): %.2g" % worst)
PY
    python3 -c "print('ratios: R / analyse = %.0f wall, %.0f CPU (estimation alone: %.0f)' % ($r_s / $an_s, $r_cpu / $an_cpu, $r_est / $an_s))"
fi
