# ODK Central: session from POST /v1/sessions, $top pages, @odata.nextLink followed
# exactly (opaque $skiptoken), groups flattened, __id as id, session closed.
cp "$T/data/odk.json" odk.json
start_server --odk-data odk.json
export VIGIE_ODK_EMAIL=staff@example.org VIGIE_ODK_PASSWORD=odk-pass-456
F="fetch --survey $SURVEYS/mini --store s.sqlite --platform odk --url $BASE --survey-id 1/f --page-size 2"
run 0 $F
expect_in err.txt "collect: fetched 5, new 5, updated 0, unchanged 0, rejected 0"
expect_eq "$(grep -c 'Submissions' requests.log)" 3 "pages"
expect_eq "$(grep -c 'skiptoken' requests.log)" 2 "pages by nextLink"
expect_in requests.log '"method": "DELETE", "path": "/v1/sessions/current"'
expect_eq "$(sql s.sqlite "select id, json_extract(data,'$.region'), json_extract(data,'$.solde'), submitted from responses order by id limit 2")" "uuid:0000-0001|84|-1.5|2026-04-01T10:00:00.000Z
uuid:0000-0002|93|-3|2026-04-02T10:00:00.000Z" "values"
expect_not_in s.sqlite "odk-pass-456"
expect_not_in s.sqlite "odk-session-token-789"
expect_not_in s.sqlite "p1@example.org"
# incremental: $filter on submissionDate/updatedAt; an edit comes back and replaces
python3 - <<'PY'
import json
r = json.load(open("odk.json"))
r[1]["rh"]["effectif"] = "99"
r[1]["__system"]["updatedAt"] = "2026-04-09T10:00:00.000Z"
json.dump(r, open("odk.json", "w"))
PY
: > requests.log
run 0 $F
expect_in err.txt "collect: fetched 2, new 0, updated 1, unchanged 1, rejected 0"
expect_in requests.log 'filter=__system%2FsubmissionDate%20ge%202026-04-05T10%3A00%3A00.000Z'
expect_eq "$(sql s.sqlite "select json_extract(data,'$.effectif') from responses where id='uuid:0000-0002'")" 99 "edit replaced"
expect_eq "$(sql s.sqlite 'select count(*), count(distinct id) from responses')" "5|5" "no duplicates"
# wrong password: exit 4, clear message, no secret
export VIGIE_ODK_PASSWORD=nope-000
run 4 $F
expect_in err.txt "login refused for 'staff@example.org': wrong e-mail or password (HTTP 401)"
expect_not_in err.txt "nope-000"
# a token given in the environment: no session opened or closed
unset VIGIE_ODK_EMAIL VIGIE_ODK_PASSWORD
export VIGIE_ODK_TOKEN=odk-session-token-789
: > requests.log
run 0 $F --full
expect_in err.txt "collect: fetched 5, new 0, updated 0, unchanged 5, rejected 0"
expect_not_in requests.log '"path": "/v1/sessions"'
expect_not_in requests.log '"method": "DELETE"'
