#!/bin/sh
# Run one golden end-to-end case directory (see tests/README.md).
#   run-case.sh <case-dir>
# Environment: COLLECT, ANALYSE, PLOT, GENSAMPLE = paths of the binaries;
# VIGIE_SURVEYS = the surveys directory; VIGIE_SHARED = ../shared (may be absent).
# Exit 0 = pass, 1 = fail, 77 = skipped.
set -u
case_dir=$(cd "$1" && pwd) || exit 1
name=$(basename "$case_dir")

LC_ALL=C
TZ=UTC
export LC_ALL TZ

if [ -f "$case_dir/needs-shared" ] && [ ! -d "${VIGIE_SHARED:-/nonexistent}/fixtures" ]; then
    echo "skip: $name needs ../shared/fixtures, which is absent"
    exit 77
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-case.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
if [ -d "$case_dir/files" ]; then
    cp -R "$case_dir/files/." "$work/"
fi
cd "$work" || exit 1

# Tool names in cmd are replaced by the binaries under test.
collect() { ${VALGRIND_CMD:-} "$COLLECT" "$@"; }
analyse() { ${VALGRIND_CMD:-} "$ANALYSE" "$@"; }
plot() { ${VALGRIND_CMD:-} "$PLOT" "$@"; }
gensample() { ${VALGRIND_CMD:-} "$GENSAMPLE" "$@"; }
if [ "${VALGRIND:-0}" = 1 ]; then
    VALGRIND_CMD="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite"
fi
[ -f "$case_dir/env" ] && . "$case_dir/env"

stdin=/dev/null
[ -f "$case_dir/stdin" ] && stdin="$case_dir/stdin"
. "$case_dir/cmd" <"$stdin" >"$work/.actual-stdout" 2>"$work/.actual-stderr"
status=$?

fail=0
want_exit=0
[ -f "$case_dir/expected-exit" ] && want_exit=$(cat "$case_dir/expected-exit")
if [ "$status" != "$want_exit" ]; then
    echo "FAIL $name: exit status $status, expected $want_exit"
    fail=1
fi
if [ -f "$case_dir/expected-stdout" ]; then
    if ! diff -u "$case_dir/expected-stdout" "$work/.actual-stdout"; then
        echo "FAIL $name: stdout differs"
        fail=1
    fi
fi
if [ -f "$case_dir/expected-stderr" ]; then
    if ! diff -u "$case_dir/expected-stderr" "$work/.actual-stderr"; then
        echo "FAIL $name: stderr differs"
        fail=1
    fi
fi
if [ -f "$case_dir/check" ]; then
    if ! CASE_DIR="$case_dir" sh "$case_dir/check"; then
        echo "FAIL $name: check script failed"
        fail=1
    fi
fi
if [ "$fail" != 0 ]; then
    echo "--- stderr was:"
    cat "$work/.actual-stderr"
    exit 1
fi
echo "ok $name"
exit 0
