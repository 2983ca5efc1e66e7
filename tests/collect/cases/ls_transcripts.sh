# LimeSurvey RemoteControl with the recorded 6.4.2 transcripts: session, summary,
# export windows of 10 ids, release; the partial response 18 left out (--responses
# complete, the default) and tracked; then an incremental run that asks for 18 alone,
# then new and completed responses, then --full finding an edited one.
need_shared
cp "$LS_FIXTURES/export_responses.json.all.code.short.decoded.json" ls.json
start_server --fixtures "$LS_FIXTURES" --ls-data ls.json
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
F="fetch --survey $SURVEYS/lsfix --store s.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215 --page-size 10"

run 0 $F
expect_in err.txt "collect: fetched 25, new 24, updated 0, unchanged 0, rejected 0, partial 1 not stored (--responses all keeps them)"
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 24 "responses stored"
expect_eq "$(sql s.sqlite 'select count(*) from rejects')" 0 "no reject for a partial save"
expect_eq "$(sql s.sqlite "select value from sync_state where key='incomplete'")" 18 "partial response tracked"
expect_eq "$(sql s.sqlite "select source from responses group by source")" "limesurvey:364215" "source"
expect_eq "$(sql s.sqlite "select json_extract(data,'$.etp_bud_as'), json_extract(data,'$.\"causes.att\"'), json_extract(data,'$.opinion1') from responses where id='2'")" "6.5|1|1" "response 2"
expect_eq "$(sql s.sqlite "select submitted from responses where id='7'")" "2025-03-07T09:17:30" "submitted"
expect_eq "$(sql s.sqlite "select count(*) from responses where raw like '%TOKEN0000%'")" 0 "personal token kept in raw"
# the three recorded windows and one open-ended window that finds nothing more
expect_eq "$(grep -c '"export_responses' requests.log)" 4 "export calls"
expect_in requests.log 'short\",21,30]'
expect_in requests.log 'short\",31,null]'
expect_in requests.log 'release_session_key'
expect_not_in err.txt "$LS_PASSWORD"
expect_not_in s.sqlite "$LS_PASSWORD"
expect_not_in s.sqlite "SESSIONKEY_PLACEHOLDER"

# incremental: asks for the partial response 18 alone, then for anything past 25
: > requests.log
run 0 $F
expect_in err.txt "collect: fetched 1, new 0, updated 0, unchanged 0, rejected 0, partial 1 not stored"
expect_eq "$(grep -c '"export_responses' requests.log)" 2 "incremental export calls"
expect_in requests.log 'short\",18,18]'
expect_in requests.log 'short\",26,null]'

# 18 completed, 26 added, 5 edited (not seen without --full)
python3 - <<'PY'
import json
d = json.load(open("ls.json"))
r = {x["id"]: x for x in d["responses"]}
r[18].update({"submitdate": "2025-04-01 10:00:00", "lastpage": 1, "difficulte": "Y", "causes[SAL]": "Y"})
r[5]["commentaire"] = "Modifié"
new = dict(r[25]); new["id"] = 26; new["commentaire"] = "Nouvelle"
d["responses"].append(new)
json.dump(d, open("ls.json", "w"))
PY
run 0 $F
expect_in err.txt "collect: fetched 2, new 2, updated 0, unchanged 0, rejected 0"
expect_eq "$(sql s.sqlite "select value from sync_state where key='incomplete'")" "" "nothing left to track"
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 26 "after completion"
expect_eq "$(sql s.sqlite 'select count(*) from rejects')" 0 "rejects after completion"
run 0 $F --full
expect_in err.txt "collect: fetched 26, new 0, updated 1, unchanged 25, rejected 0"
expect_eq "$(sql s.sqlite "select json_extract(data,'$.commentaire') from responses where id='5'")" "Modifié" "edited response"
expect_eq "$(sql s.sqlite 'select count(*), count(distinct id) from responses')" "26|26" "no duplicates"

# --responses all: the partial save is stored, marked, and left out of exports by default
cp "$LS_FIXTURES/export_responses.json.all.code.short.decoded.json" ls.json
run 0 fetch --survey $SURVEYS/lsfix --store all.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215 --responses all
expect_in err.txt "collect: fetched 25, new 24, updated 0, unchanged 0, rejected 1"
expect_eq "$(sql all.sqlite 'select id, reason from rejects')" "18|difficulte: required answer missing" "a partial save is checked like the others"
run 2 fetch --survey $SURVEYS/lsfix --store all2.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215 --responses sometimes
expect_in err.txt "--responses: expected complete or all, not 'sometimes'"
if [ -e all2.sqlite ]; then fail "a usage error left a store file"; fi
