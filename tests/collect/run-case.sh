#!/bin/sh
# Run one scripted network test of collect against the loopback test server.
#   run-case.sh <case.sh>
# Environment: COLLECT (binary), VIGIE_SOURCE (repo root), VIGIE_SHARED (../shared).
# The case script is sourced with the helpers below; exit 0 pass, 1 fail, 77 skip.
set -u
case_file=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
T="$VIGIE_SOURCE/tests/collect"
SURVEYS="$T/surveys"
LS_FIXTURES="${VIGIE_SHARED:-/nonexistent}/fixtures/limesurvey"
LS_LAUNCH="${VIGIE_SHARED:-/nonexistent}/fixtures/limesurvey-launch"
LC_ALL=C.UTF-8
TZ=UTC
export LC_ALL TZ

work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-collect.XXXXXX") || exit 1
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
cd "$work" || exit 1
# No credentials or netrc from the caller's environment.
HOME="$work"
export HOME
unset VIGIE_LIMESURVEY_USER VIGIE_LIMESURVEY_PASSWORD VIGIE_KOBO_TOKEN VIGIE_KOBO_USER \
      VIGIE_KOBO_PASSWORD VIGIE_ODK_EMAIL VIGIE_ODK_PASSWORD VIGIE_ODK_TOKEN VIGIE_HASH_KEY \
      NETRC http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY

# The test server's credentials (see server.py).
LS_USER=admin
LS_PASSWORD=s3cret-pass
KOBO_TOKEN=kobo-test-token-123

FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }

need_shared() {
    if [ ! -f "$LS_FIXTURES/README.md" ]; then
        echo "skip: needs ../shared/fixtures/limesurvey, which is absent"
        exit 77
    fi
}

need_launch() {
    if [ ! -f "$LS_LAUNCH/README.md" ]; then
        echo "skip: needs ../shared/fixtures/limesurvey-launch, which is absent"
        exit 77
    fi
}

# script FILE method=fixture ...: a replay script for server.py --ls-script
script() {
    out=$1
    shift
    : > "$out"
    for m in "$@"; do echo "${m%%=*} ${m#*=}.response.json" >> "$out"; done
}

stop_server() {
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; fi
    SERVER_PID=
}

# start_server [server.py options...]: sets PORT and BASE.
start_server() {
    stop_server
    rm -f port requests.log
    python3 "$T/server.py" --port-file port --log requests.log "$@" &
    SERVER_PID=$!
    i=0
    while [ ! -s port ]; do
        i=$((i + 1))
        if [ $i -gt 200 ]; then echo "FAIL: test server did not start"; exit 1; fi
        sleep 0.05
    done
    PORT=$(cat port)
    BASE="http://127.0.0.1:$PORT"
}


# run <expected exit> collect args...: stdout in out.txt, stderr in err.txt.
run() {
    want=$1
    shift
    "$COLLECT" "$@" >out.txt 2>err.txt
    got=$?
    if [ "$got" != "$want" ]; then
        fail "'collect $*' exited $got, expected $want"
        echo "--- stderr:"; cat err.txt
    fi
}

# sql FILE QUERY: rows as '|'-joined lines.
sql() {
    if command -v sqlite3 >/dev/null 2>&1; then
        sqlite3 -batch "$1" "$2"
        return
    fi
    python3 - "$1" "$2" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))
PY
}

expect_eq() {
    if [ "$1" != "$2" ]; then fail "$3: got '$1', expected '$2'"; fi
}

expect_in() { # expect_in FILE TEXT
    if ! grep -qF -- "$2" "$1"; then fail "'$1' lacks '$2'"; echo "--- $1:"; cat "$1"; fi
}

expect_not_in() { # expect_not_in FILE TEXT
    if grep -qF -- "$2" "$1"; then fail "'$1' contains '$2'"; fi
}

. "$case_file"
if [ "$FAILED" != 0 ]; then
    echo "--- last stderr:"; cat err.txt 2>/dev/null
    exit 1
fi
echo "ok $(basename "$case_file" .sh)"
exit 0
