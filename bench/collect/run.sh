#!/bin/sh
# Benchmark of `collect fetch` (run on demand, never by `make test`).
#
# 100,000 responses of the sample `recrutement` survey (made by gensample) are
# served by the loopback test server as LimeSurvey RemoteControl export windows
# of 1,000 ids (base64 JSON, as LimeSurvey sends them). Then, in the same run:
#   collect:  collect fetch (session, windows, decode, normalise, store in SQLite)
#   floor:    curl POSTing the same requests and receiving the same bytes, with
#             jq extracting the base64, base64 -d, jq parsing every response
# Wall time and peak RSS come from /usr/bin/time -v (the floor's RSS is the
# largest of its processes). Results go to stdout; bench/collect/README.md keeps them.
#   bench/collect/run.sh [BUILD_DIR] [N] [PAGE]
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
N=${2:-100000}
PAGE=${3:-1000}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
COLLECT=$BUILD/collect/collect
GENSAMPLE=$BUILD/sample/gensample
for t in "$COLLECT" "$GENSAMPLE"; do
    [ -x "$t" ] || { echo "bench: '$t' is not built (make build)" >&2; exit 1; }
done
for t in /usr/bin/time jq curl python3 base64; do
    command -v "$t" >/dev/null || { echo "bench: '$t' is missing (scripts/install-deps)" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-bench-collect.XXXXXX")
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
cd "$work"

"$GENSAMPLE" -q --survey recrutement --seed 2026 --n "$N" --format limesurvey -o ls.json --truth truth.json
python3 "$SRC/tests/collect/server.py" --port-file port --log /dev/null --ls-data ls.json &
server=$!
while [ ! -s port ]; do sleep 0.1; done
URL="http://127.0.0.1:$(cat port)/index.php/admin/remotecontrol"
export VIGIE_LIMESURVEY_USER=admin VIGIE_LIMESURVEY_PASSWORD=s3cret-pass

# The floor: the same requests with curl, parsed with jq.
cat > floor.sh <<'FLOOR'
set -eu
key=$(curl -s -H 'Content-Type: application/json' \
    -d '{"method":"get_session_key","params":["admin","s3cret-pass"],"id":1}' "$URL" | jq -r .result)
curl -s -H 'Content-Type: application/json' \
    -d "{\"method\":\"get_summary\",\"params\":[\"$key\",1,\"all\"],\"id\":2}" "$URL" >/dev/null
from=1
while [ "$from" -le "$N" ]; do
    to=$((from + PAGE - 1))
    curl -s --compressed -H 'Content-Type: application/json' \
        -d "{\"method\":\"export_responses\",\"params\":[\"$key\",1,\"json\",null,\"all\",\"code\",\"short\",$from,$to],\"id\":3}" \
        "$URL" | jq -r .result | base64 -d | jq -c '.responses[]' >/dev/null
    from=$((to + 1))
done
FLOOR
# The transfer alone (same requests, bodies thrown away): what the server and HTTP cost.
sed 's/| jq -r .result | base64 -d | jq -c .\.responses\[\]. >\/dev\/null/>\/dev\/null/' floor.sh > transfer.sh
grep -q 'jq -c' transfer.sh && { echo "bench: could not derive transfer.sh" >&2; exit 1; }
export URL N PAGE

# Warm-up: the server renders and caches every window once, outside the timings.
sh floor.sh

measure() { # label command...: prints "label wall_s rss_kb cpu_s"
    label=$1
    shift
    /usr/bin/time -v "$@" 2>time.txt >/dev/null || { cat time.txt >&2; exit 1; }
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' time.txt |
        awk -F: '{ if (NF == 3) print $1 * 3600 + $2 * 60 + $3; else print $1 * 60 + $2 }')
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' time.txt)
    cpu=$(sed -n 's/.*\(User\|System\) time (seconds): //p' time.txt | awk '{ s += $1 } END { print s }')
    echo "$label $wall $rss $cpu"
}

# Bytes on the wire: every window once more, with a session key.
key=$(curl -s -H 'Content-Type: application/json' \
    -d '{"method":"get_session_key","params":["admin","s3cret-pass"],"id":1}' "$URL" | jq -r .result)
bytes=0
from=1
while [ "$from" -le "$N" ]; do
    to=$((from + PAGE - 1))
    b=$(curl -s -H 'Content-Type: application/json' \
        -d "{\"method\":\"export_responses\",\"params\":[\"$key\",1,\"json\",null,\"all\",\"code\",\"short\",$from,$to],\"id\":3}" \
        "$URL" | wc -c)
    bytes=$((bytes + b))
    from=$((to + 1))
done
results=""
for round in 1 2 3; do
    rm -f s.sqlite s.sqlite-wal s.sqlite-shm
    c=$(measure collect "$COLLECT" fetch --quiet --survey recrutement --store s.sqlite \
        --platform limesurvey --url "$URL" --survey-id 1 --page-size "$PAGE")
    f=$(measure floor sh floor.sh)
    x=$(measure transfer sh transfer.sh)
    results="$results$c
$f
$x
"
done
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('s.sqlite').execute('select count(*) from responses').fetchone()[0])")
[ "$stored" = "$N" ] || { echo "bench: collect stored $stored responses, not $N" >&2; exit 1; }

report=$(printf '%s' "$results" | awk -v n="$N" -v page="$PAGE" -v bytes="$bytes" '
    { w[$1, ++k[$1]] = $2; c[$1, k[$1]] = $4; if ($3 > rss[$1]) rss[$1] = $3 }
    function median(name, arr,   i, j, t, a, m) {
        m = k[name]
        for (i = 1; i <= m; i++) a[i] = arr[name, i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return a[int((m + 1) / 2)]
    }
    END {
        cw = median("collect", w); fw = median("floor", w); xw = median("transfer", w)
        cc = median("collect", c); fc = median("floor", c); xc = median("transfer", c)
        printf "responses %d, windows of %d ids, %.1f MB of HTTP bodies\n", n, page, bytes / 1e6
        printf "%-14s median wall %6.2f s (%6.0f responses/s), CPU %6.2f s, peak RSS %5.1f MB\n", "collect fetch", cw, n / cw, cc, rss["collect"] / 1024
        printf "%-14s median wall %6.2f s (%6.0f responses/s), CPU %6.2f s, peak RSS %5.1f MB\n", "curl + jq", fw, n / fw, fc, rss["floor"] / 1024
        printf "%-14s median wall %6.2f s, CPU %6.2f s (the server and HTTP alone)\n", "curl only", xw, xc
        printf "ratio collect / floor: wall %.2f, CPU %.2f, peak RSS %.2f\n", cw / fw, cc / fc, rss["collect"] / rss["floor"]
    }')
{
    echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores"
    echo "$report"
    echo "raw (label, wall s, peak RSS kB, CPU s):"
    printf '%s' "$results"
}
