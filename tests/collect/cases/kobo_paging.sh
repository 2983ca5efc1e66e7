# KoboToolbox v2: Token auth, server-capped pages followed through 'next', validation,
# personal data (hash and drop), incremental pulls on _submission_time, edits replace.
cp "$T/data/kobo.json" kobo.json
start_server --kobo-data kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
printf 'cle-de-hachage-test\n' > hash.key
chmod 600 hash.key
F="fetch --survey $SURVEYS/mini --store s.sqlite --platform kobo --url $BASE --survey-id aXyZ1 --page-size 100 --hash-key-file hash.key"
run 0 $F
expect_in err.txt "collect: fetched 7, new 5, updated 0, unchanged 0, rejected 2"
expect_eq "$(grep -c '/api/v2/assets/aXyZ1/data/' requests.log)" 3 "pages (server cap 3)"
expect_in requests.log "limit=100"
expect_in requests.log "start=6"
expect_eq "$(sql s.sqlite 'select id, reason from rejects order by id')" "4|region: unknown code '99'
7|effectif: value 1500 above maximum 1000" "rejects"
expect_eq "$(sql s.sqlite "select json_extract(data,'$.region'), json_extract(data,'$.secteur'), json_extract(data,'$.difficulte'), json_extract(data,'$.\"causes.cdt\"'), submitted from responses where id='2'")" "84|ph|0||2026-03-01T11:00:00" "values of 2"
# personal data: the FINESS number is hashed, the e-mail never stored
expect_eq "$(sql s.sqlite "select length(json_extract(data,'$.finess')) from responses where id='1'")" 64 "hash length"
expect_not_in s.sqlite "750000001"
expect_not_in s.sqlite "contact1@example.org"
expect_eq "$(grep -c 'Token kobo-test-token-123' requests.log)" 3 "token on every page"
expect_not_in err.txt "$KOBO_TOKEN"

# incremental: only what is new since the last submission time
python3 - <<'PY'
import json
s = json.load(open("kobo.json"))
s[4]["rh/effectif"] = "8"          # edited, same time as before: not seen again
s[6]["rh/effectif"] = "15"          # the latest one, corrected: seen again (>=)
n = dict(s[0]); n.update({"_id": 8, "_submission_time": "2026-03-05T08:00:00", "etab/region": "93"})
s.append(n)
json.dump(s, open("kobo.json", "w"))
PY
: > requests.log
run 0 $F
expect_in err.txt "collect: fetched 2, new 2, updated 0, unchanged 0, rejected 0"
expect_in requests.log "query=%7B%22_submission_time%22%3A%7B%22%24gte%22%3A%222026-03-04T12%3A00%3A00%22%7D%7D"
expect_eq "$(sql s.sqlite 'select id from rejects')" 4 "corrected reject gone, 4 stays"
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 7 "responses"
# --full finds the edit of submission 5
run 0 $F --full
expect_in err.txt "collect: fetched 8, new 0, updated 1, unchanged 6, rejected 1"
expect_eq "$(sql s.sqlite "select json_extract(data,'$.effectif') from responses where id='5'")" 8 "edited"
