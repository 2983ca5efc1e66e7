# A server slower than --timeout: exit 4 with a clear message, then resume after a kill.
cp "$T/data/kobo.json" kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
start_server --kobo-data kobo.json --fault slow=3
run 4 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1 --timeout 0.5 --retries 1 --retry-delay 0.05
expect_in err.txt "no complete reply within 0.5 s"
expect_in err.txt "(gave up after 2 attempts)"
