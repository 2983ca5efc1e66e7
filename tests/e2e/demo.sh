#!/bin/sh
# End-to-end test: run scripts/demo into a temporary directory and check the
# tables and figures it produces (values, not only existence).
#   demo.sh <source dir> <build dir>
set -u
SRC=$1
BUILD=$2
OUT=$(mktemp -d "${TMPDIR:-/tmp}/vigie-e2e.XXXXXX")
trap 'rm -rf "$OUT"' EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

BUILD=$BUILD OUT=$OUT "$SRC/scripts/demo" >"$OUT.log" 2>&1
status=$?
cat "$OUT.log"
rm -f "$OUT.log"
[ "$status" = 0 ] || fail "scripts/demo exited with $status"

# At least one CSV table, one SVG and one PNG figure.
ls "$OUT"/tables/*.csv >/dev/null 2>&1 || fail "no CSV table under tables/"
ls "$OUT"/figures/*.svg >/dev/null 2>&1 || fail "no SVG figure under figures/"
ls "$OUT"/figures/*.png >/dev/null 2>&1 || fail "no PNG figure under figures/"
[ -f "$OUT/figures/index.html" ] || fail "no figures/index.html"

# The store holds every sample response and nothing twice.
n_sample=$(jq '.responses | length' "$OUT/sample/recrutement.limesurvey.json")
n_store=$(sqlite3 "$OUT/store/recrutement.sqlite" 'select count(*) from responses')
n_rej=$(sqlite3 "$OUT/store/recrutement.sqlite" 'select count(*) from rejects')
[ $((n_store + n_rej)) = "$n_sample" ] ||
    fail "store has $n_store responses + $n_rej rejects, sample has $n_sample"
n_distinct=$(sqlite3 "$OUT/store/recrutement.sqlite" 'select count(distinct id) from responses')
[ "$n_distinct" = "$n_store" ] || fail "duplicate response ids in the store"

# The difficulty share by region: one row per region, shares in [0,1], intervals around them,
# suppressed rows without values.
t="$OUT/tables/shortage.csv"
[ -f "$t" ] || fail "no tables/shortage.csv"
[ -f "$OUT/tables/shortage.meta.json" ] || fail "no tables/shortage.meta.json"
python3 - "$t" <<'PY' || exit 1
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))
        if r["indicator"] == "difficulty_share" and r["by"] == "region"]
if len(rows) < 10:
    sys.exit("FAIL: only %d difficulty_share rows by region" % len(rows))
for r in rows:
    if r["suppressed"] == "1":
        if r["estimate"] != "":
            sys.exit("FAIL: suppressed row with a value: %r" % r)
        continue
    e, lo, hi = float(r["estimate"]), float(r["ci_low"]), float(r["ci_high"])
    if not (0 <= lo <= e <= hi <= 1):
        sys.exit("FAIL: interval does not hold the estimate: %r" % r)
    if int(r["n"]) < 3:
        sys.exit("FAIL: a published cell has n < 3: %r" % r)
print("ok: %d region rows" % len(rows))
PY

# The PNG figures are real PNG files of print size.
for f in "$OUT"/figures/*.png; do
    head -c 8 "$f" | od -An -tx1 | tr -d ' \n' | grep -q '^89504e470d0a1a0a$' ||
        fail "$f is not a PNG"
done
echo "ok: demo end to end"
