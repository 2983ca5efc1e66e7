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
expect_in err.txt "source 'odk:1/f' in this store was fetched from 'http://127.0.0.1:$PORT', not 'http://localhost:$PORT'"
# scheme and port are part of the server: https, or another port of the same host, may be
# another server (refused before any request)
expect_eq "$(sql s.sqlite "select value from sync_state where key = 'identity'")" "odk|http://127.0.0.1:$PORT|1/f" "identity"
run 3 fetch $S --platform odk --url "https://127.0.0.1:$PORT" --survey-id 1/f
expect_in err.txt "collect: s.sqlite: source 'odk:1/f' in this store was fetched from 'http://127.0.0.1:$PORT', not 'https://127.0.0.1:$PORT': give this one its own name with --source NAME"
run 3 fetch $S --platform odk --url "http://127.0.0.1:8080" --survey-id 1/f
expect_in err.txt "not 'http://127.0.0.1:8080'"
run 3 fetch $S --platform odk --url "http://127.0.0.1" --survey-id 1/f
expect_in err.txt "not 'http://127.0.0.1'"
# a default port is no part of it: :80 is http://127.0.0.1 (the same refusal, same words)
run 3 fetch $S --platform odk --url "HTTP://127.0.0.1:80/" --survey-id 1/f
expect_in err.txt "not 'http://127.0.0.1'"
# the same ODK form on another port is a second source only under its own name
run 3 fetch $S --platform odk --url "http://127.0.0.1:8080" --survey-id 1/f --source odk:1/f
expect_eq "$(sql s.sqlite 'select count(*), count(distinct source) from responses')" "5|1" "nothing added"
# an identity written by the previous version (host and path, no scheme nor port) is the
# same source when host and path agree, and is then rewritten in full
sql s.sqlite "update sync_state set value = 'odk|127.0.0.1|1/f' where key = 'identity'"
run 3 fetch $S --platform odk --url "http://localhost:$PORT" --survey-id 1/f
expect_in err.txt "was fetched from '127.0.0.1', not 'http://localhost:$PORT'"
run 0 fetch $S --platform odk --url "$BASE" --survey-id 1/f
expect_eq "$(sql s.sqlite "select value from sync_state where key = 'identity'")" "odk|http://127.0.0.1:$PORT|1/f" "identity rewritten"
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
