#!/bin/sh
# Benchmark of an incremental LimeSurvey fetch (run on demand, never by `make test`).
#
# N responses (default 10,000) of the sample `recrutement` survey, 1 % of them
# partial saves (submitdate null) spread through the ids, served by the loopback
# test server as LimeSurvey export windows. In the same run: a first fetch into
# a new store, then a second fetch of the unchanged survey; the server counts the
# bytes of every reply body. Target (issue 10): the second fetch transfers under
# 5 % of the bytes of the first.
#   bench/collect/incremental.sh [BUILD_DIR] [N] [PAGE]
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
N=${2:-10000}
PAGE=${3:-500}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
COLLECT=$BUILD/collect/collect
GENSAMPLE=$BUILD/sample/gensample
for t in "$COLLECT" "$GENSAMPLE"; do
    [ -x "$t" ] || { echo "bench: '$t' is not built (make build)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench-incr.XXXXXX")
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
cd "$work"
"$GENSAMPLE" -q --survey recrutement --seed 2026 --n "$N" --format limesurvey -o ls.json --truth truth.json
python3 - <<'PY'
import json
d = json.load(open("ls.json"))
for r in d["responses"]:
    if int(r["id"]) % 100 == 37:
        r["submitdate"] = None
json.dump(d, open("ls.json", "w"))
PY
python3 "$SRC/tests/collect/server.py" --port-file port --log /dev/null --ls-data ls.json --bytes-log bytes &
server=$!
while [ ! -s port ]; do sleep 0.1; done
URL="http://127.0.0.1:$(cat port)/index.php/admin/remotecontrol"
export VIGIE_LIMESURVEY_USER=admin VIGIE_LIMESURVEY_PASSWORD=s3cret-pass
run() { # label: one fetch, prints "label bytes requests seconds"
    : > bytes
    t0=$(date +%s.%N)
    "$COLLECT" fetch --quiet --survey recrutement --store s.sqlite --platform limesurvey \
        --url "$URL" --survey-id 1 --page-size "$PAGE"
    t1=$(date +%s.%N)
    awk -v l="$1" -v t0="$t0" -v t1="$t1" '{ s += $1; n++ } END { printf "%s %d %d %.2f\n", l, s, n, t1 - t0 }' bytes
}
first=$(run first)
second=$(run second)
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('s.sqlite').execute('select count(*) from responses').fetchone()[0])")
echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores"
echo "responses $N ($((N / 100)) partial, ids % 100 = 37), windows of $PAGE ids, stored $stored"
printf '%s\n%s\n' "$first" "$second" | awk '
    { b[NR] = $2; printf "%-7s fetch: %10d bytes in %4d replies, %6.2f s\n", $1, $2, $3, $4 }
    END { printf "second / first: %.2f %% of the bytes (target: under 5 %%)\n", 100 * b[2] / b[1] }'
