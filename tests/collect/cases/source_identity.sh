# One source, one name: the documented spellings of an ODK form, of a LimeSurvey URL and
# of a Kobo asset are one source in the store; a second name for a source already stored
# and one name for two servers are refused (exit 3); a source named by an earlier version
# (its URL) is continued under that name.
cp "$T/data/odk.json" odk.json
cp "$T/data/kobo.json" kobo.json
start_server --odk-data odk.json --kobo-data kobo.json
export VIGIE_ODK_EMAIL=staff@example.org VIGIE_ODK_PASSWORD=odk-pass-456 VIGIE_KOBO_TOKEN=$KOBO_TOKEN
S="--survey $SURVEYS/mini --store s.sqlite"
run 0 fetch $S --platform odk --url "$BASE" --survey-id 1/f
expect_in err.txt "collect: fetched 5, new 5"
# the form's OData address, with and without a trailing slash, upper-case host
run 0 fetch $S --platform odk --url "$BASE/v1/projects/1/forms/f.svc" --full
expect_in err.txt "collect: fetched 5, new 0, updated 0, unchanged 5"
run 0 fetch $S --platform odk --url "http://127.0.0.1:$PORT/" --survey-id 1/f --full
expect_in err.txt "collect: fetched 5, new 0, updated 0, unchanged 5"
expect_eq "$(sql s.sqlite 'select distinct source from responses')" "odk:1/f" "one source"
# a second name for the same source
run 3 fetch $S --platform odk --url "$BASE" --survey-id 1/f --source autre
expect_in err.txt "this source is already in the store as 'odk:1/f' (its responses would be stored twice): run with --source 'odk:1/f'"
# the same name from another server
run 3 fetch $S --platform odk --url "http://localhost:$PORT" --survey-id 1/f
expect_in err.txt "source 'odk:1/f' in this store was fetched from '127.0.0.1', not 'localhost'"
expect_eq "$(sql s.sqlite 'select count(*), count(distinct source) from responses')" "5|1" "nothing added"
# Kobo: the server and uid, or the full data address
run 0 fetch --survey "$SURVEYS/mini" --store k.sqlite --platform kobo --url "$BASE" --survey-id a1
run 0 fetch --survey "$SURVEYS/mini" --store k.sqlite --platform kobo --url "$BASE/api/v2/assets/a1/data/" --full
expect_eq "$(sql k.sqlite 'select distinct source from responses')" "kobo:a1" "one Kobo source"
# a store from an earlier version, where the .svc spelling was the source's name
sql s.sqlite "update responses set source = '$BASE/v1/projects/1/forms/f.svc'; delete from sync_state"
run 0 fetch $S --platform odk --url "$BASE" --survey-id 1/f --full
expect_in err.txt "collect: continuing source '$BASE/v1/projects/1/forms/f.svc'"
expect_in err.txt "collect: fetched 5, new 0, updated 0, unchanged 5"
expect_eq "$(sql s.sqlite 'select count(distinct source) from responses')" 1 "legacy name continued"
