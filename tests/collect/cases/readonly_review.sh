# Review states (ODK reviewState, Kobo validation status) are stored with each response;
# those the review rejected are left out of export and status counts by default; the
# readers (export, status) open the store read-only: a store the user cannot write, in a
# directory they cannot write, is exported and counted.
python3 - "$T/data/odk.json" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
o[0]["__system"]["reviewState"] = "rejected"
o[1]["__system"]["reviewState"] = "hasIssues"
o[2]["__system"]["reviewState"] = "approved"
json.dump(o, open("odk.json", "w"))
PY
start_server --odk-data odk.json
export VIGIE_ODK_EMAIL=staff@example.org VIGIE_ODK_PASSWORD=odk-pass-456
mkdir ro
run 0 fetch --survey "$SURVEYS/mini" --store ro/s.sqlite --platform odk --url "$BASE" --survey-id 1/f
expect_eq "$(sql ro/s.sqlite "select id, review from responses where review is not null order by id")" "uuid:0000-0001|rejected
uuid:0000-0002|hasissues
uuid:0000-0003|approved" "review states stored"
run 0 export --survey "$SURVEYS/mini" --store ro/s.sqlite
expect_eq "$(($(wc -l < out.txt) - 1))" 4 "exported without the rejected one"
expect_not_in out.txt "uuid:0000-0001"
run 0 export --survey "$SURVEYS/mini" --store ro/s.sqlite --include-rejected
expect_eq "$(($(wc -l < out.txt) - 1))" 5 "exported with --include-rejected"
run 0 status --survey "$SURVEYS/mini" --store ro/s.sqlite
expect_in out.txt "Réponses complètes 5 (dont rejetées à la relecture 1, à revoir 1), partielles 0, refusées par la définition 0"
# read-only: another user's store in a directory they cannot write
as_reader() { "$@"; }
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    chmod 755 . ro
    chmod 644 ro/s.sqlite
    as_reader() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
else
    chmod 444 ro/s.sqlite
    chmod 555 ro
fi
ls ro > before.txt
as_reader "$COLLECT" export --survey "$SURVEYS/mini" --store ro/s.sqlite -o - >out.txt 2>err.txt
expect_eq "$?" 0 "export of a read-only store"
expect_eq "$(($(wc -l < out.txt) - 1))" 4 "rows exported from a read-only store"
as_reader "$COLLECT" status --survey "$SURVEYS/mini" --store ro/s.sqlite >out.txt 2>err.txt
expect_eq "$?" 0 "status of a read-only store"
expect_in out.txt "Réponses complètes 5"
ls ro > after.txt
expect_eq "$(cat after.txt)" "$(cat before.txt)" "no file added beside a read-only store"
chmod 755 ro
# a missing store is not created by a reader
run 3 export --survey "$SURVEYS/mini" --store nothere.sqlite
if [ -e nothere.sqlite ]; then fail "export created a store"; fi
