#!/bin/sh
# Interval coverage, two ways (not part of the default test suite: slow).
#  1. tests/analyse/test_analyse_coverage: repeated stratified samples from a
#     fixed population, engine intervals vs population values (R reps).
#  2. The real pipeline on the generator: for S seeds, gensample draws 412
#     establishments of the recrutement survey, analyse shortage estimates, and
#     the generator's ground truth (truth.json "population") is checked against
#     the 95 % intervals of the national vacancy rates and difficulty share.
#   bench/analyse/coverage.sh [R] [S]      (defaults 5000 and 200)
# Environment: BUILD (build directory, default build).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
R=${1:-5000}
S=${2:-200}
"$BUILD/tests/analyse/test_analyse_coverage" "$R" | grep -E "^(coverage|  )"

work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-coverage.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
export VIGIE_SURVEYS="$SRC/surveys"
s=1
while [ "$s" -le "$S" ]; do
    "$BUILD/sample/gensample" -q --survey recrutement --seed "$s" --n 412 --format csv \
        -o "$work/raw.csv" --truth "$work/truth-$s.json"
    python3 "$SRC/bench/analyse/normalise.py" "$SRC/surveys/recrutement/survey.json" \
        <"$work/raw.csv" >"$work/data.csv"
    "$BUILD/analyse/analyse" shortage -q --survey recrutement --data "$work/data.csv" \
        --by region -o "$work/out-$s.csv"
    s=$((s + 1))
done
python3 - "$work" "$S" <<'PY'
import csv, json, sys
work, S = sys.argv[1], int(sys.argv[2])
hits, tot, bias = {}, {}, {}
for s in range(1, S + 1):
    truth = json.load(open("%s/truth-%d.json" % (work, s)))["population"]
    rows = {(r["indicator"], r["by"], r["group"]): r for r in csv.DictReader(open("%s/out-%d.csv" % (work, s)))}
    checks = [("difficulty_share", "", "", truth["difficulty_share"]),
              ("vacancy_rate", "", "", truth["vacancy_rate"]["all"])]
    checks += [("vacancy_rate", "family", f, truth["vacancy_rate"][f]) for f in ("as", "ide", "es", "aes")]
    for ind, by, g, t in checks:
        r = rows[(ind, by, g)]
        key = ind + (" " + g if g else "")
        lo, hi, est = float(r["ci_low"]), float(r["ci_high"]), float(r["estimate"])
        tot[key] = tot.get(key, 0) + 1
        hits[key] = hits.get(key, 0) + (lo <= t <= hi)
        bias[key] = bias.get(key, 0) + (est - t) / t / S
print("generator ground truth inside the 95 %% intervals, %d samples of 412 (seeds 1..%d):" % (S, S))
for k in tot:
    c = hits[k] / tot[k]
    print("  %-22s coverage %.3f (MC se %.3f), mean relative error of the estimate %+.4f"
          % (k, c, (0.95 * 0.05 / tot[k]) ** 0.5, bias[k]))
PY
