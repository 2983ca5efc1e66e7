#!/bin/sh
# The tools on the malformed-CSV corpus (issue 11): `collect fetch --platform
# csv`, `analyse estimate` streamed and `--rows` each read every file of
# corpus/ the same way (the same estimates from the same records) or stop
# with the same error line (file, line, field, words) and exit 3.
# test_readers.c checks the readers' records one by one, the pay reader too.
# Env: COLLECT, ANALYSE (the binaries), VIGIE_SOURCE.
set -u
here=$(cd "$(dirname "$0")" && pwd)
survey="$VIGIE_SOURCE/tests/analyse/surveys/mini"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigie-readers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail=0
est() { # est <data> <out> [--rows]
    "$ANALYSE" estimate -q --survey "$survey" --data "$1" --var etp_vac_as --by region \
        --weights none -o "$2" ${3:-} 2>"$2.err"
}
strip() { # the message without the program and the file
    sed -e 's/^[a-z]*: //' -e 's#^[^ ]*corpus/[^:/ ]*\.csv:##' "$1"
}
for f in "$here"/corpus/*.csv; do
    name=$(basename "$f" .csv)
    "$COLLECT" fetch -q --survey "$survey" --store "$tmp/$name.sqlite" --platform csv \
        --url "file://$f" 2>"$tmp/c.err" >/dev/null
    c=$?
    est "$f" "$tmp/s.csv"; s=$?
    est "$f" "$tmp/r.csv" --rows; r=$?
    case $name in
    bad-*) want=3 ;;
    ok-*) want=0 ;;
    *) # edge cases (empty, header only): a refusal by each, worded its own way
        [ "$c" = 0 ] || [ "$c" = 3 ] || { echo "$name: collect exit $c"; fail=1; }
        [ "$s" = 3 ] && [ "$r" = 3 ] || { echo "$name: analyse exits $s $r"; fail=1; }
        continue ;;
    esac
    if [ "$c" != "$want" ] || [ "$s" != "$c" ] || [ "$r" != "$c" ]; then
        echo "$name: exits collect $c, streamed $s, rows $r (want $want)"
        cat "$tmp/c.err" "$tmp/s.csv.err" "$tmp/r.csv.err"
        fail=1
        continue
    fi
    if [ "$c" = 3 ]; then
        grep -v '^collect: fetched' "$tmp/c.err" | strip /dev/stdin >"$tmp/c.msg"
        strip "$tmp/s.csv.err" >"$tmp/s.msg"
        strip "$tmp/r.csv.err" >"$tmp/r.msg"
        if ! cmp -s "$tmp/c.msg" "$tmp/s.msg" || ! cmp -s "$tmp/c.msg" "$tmp/r.msg"; then
            echo "$name: different errors"
            cat "$tmp/c.msg" "$tmp/s.msg" "$tmp/r.msg"
            fail=1
        fi
        [ "$(wc -l <"$tmp/c.msg")" = 1 ] || { echo "$name: not one error line"; fail=1; }
    elif [ "$c" = 0 ]; then
        # what collect stored, exported and analysed, gives the file's own estimates
        "$COLLECT" export -q --survey "$survey" --store "$tmp/$name.sqlite" -o "$tmp/x.csv" ||
            { echo "$name: export failed"; fail=1; continue; }
        est "$tmp/x.csv" "$tmp/x-s.csv"
        est "$tmp/x.csv" "$tmp/x-r.csv" --rows
        if ! cmp -s "$tmp/s.csv" "$tmp/x-s.csv" || ! cmp -s "$tmp/r.csv" "$tmp/x-r.csv"; then
            echo "$name: different estimates"
            diff "$tmp/s.csv" "$tmp/x-s.csv"
            diff "$tmp/r.csv" "$tmp/x-r.csv"
            fail=1
        fi
    fi
done
exit $fail
