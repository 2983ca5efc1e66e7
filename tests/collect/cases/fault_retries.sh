# 429 with Retry-After, 500 then success, 500 for ever (bounded attempts, exit 4).
cp "$T/data/kobo.json" kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
start_server --kobo-data kobo.json --fault 429once
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1
expect_in err.txt "collect: fetched 7, new 5, updated 0, unchanged 0, rejected 2"
expect_eq "$(grep -c '/data/' requests.log)" 4 "requests: 429, then 3 pages"
stop_server

cp "$T/data/plain.csv" plain.csv
start_server --plain-dir . --fault 500once
run 0 fetch --survey "$SURVEYS/mini" --store p.sqlite --platform csv --url "$BASE/plain/plain.csv" --retry-delay 0.05
expect_in err.txt "collect: fetched 3, new 2"
expect_eq "$(grep -c 'plain.csv' requests.log)" 2 "requests: 500, then the file"
stop_server

start_server --plain-dir . --fault 500always
run 4 fetch --survey "$SURVEYS/mini" --store p.sqlite --platform csv --url "$BASE/plain/plain.csv" --retries 2 --retry-delay 0.05
expect_in err.txt "collect: $BASE/plain/plain.csv: HTTP 500 (gave up after 3 attempts)"
expect_in err.txt "collect: fetched 0, new 0, updated 0, unchanged 0, rejected 0"
expect_eq "$(grep -c 'plain.csv' requests.log)" 3 "bounded attempts"
expect_eq "$(sql p.sqlite 'select count(*) from responses')" 2 "what was stored is kept"
