# A reply cut mid-body (Content-Length longer than the body) is retried; for ever
# cut, exit 4 with the pages already committed kept. Invalid JSON: exit 4.
cp "$T/data/kobo.json" kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
start_server --kobo-data kobo.json --fault cutonce
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1 --retry-delay 0.05
expect_in err.txt "collect: fetched 7, new 5"
stop_server
start_server --kobo-data kobo.json --fault cutalways
run 4 fetch --survey "$SURVEYS/mini" --store c.sqlite --platform kobo --url "$BASE" --survey-id a1 --retries 1 --retry-delay 0.05
expect_in err.txt "reply cut short"
expect_in err.txt "(gave up after 2 attempts)"
if [ -e c.sqlite ]; then fail "nothing committed, yet a store file was left"; fi
stop_server
start_server --kobo-data kobo.json --fault badjson
run 4 fetch --survey "$SURVEYS/mini" --store b.sqlite --platform kobo --url "$BASE" --survey-id a1
expect_in err.txt "invalid JSON in reply"
expect_in err.txt "collect: $BASE/api/v2/assets/a1/data/?format=json&limit=500&start=0:1:"
stop_server
cp "$T/data/page2.json" page2.json
start_server --plain-dir . --fault badjson
run 4 fetch --survey "$SURVEYS/mini" --store b.sqlite --platform json --url "$BASE/plain/page2.json"
expect_in err.txt "invalid JSON in reply"
