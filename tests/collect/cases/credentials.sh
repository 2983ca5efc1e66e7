# Credentials file: refused unless 0600; keys per platform; credentials in the URL refused.
cp "$T/data/kobo.json" kobo.json
start_server --kobo-data kobo.json
printf '# vigie\nkobo_token = %s\n' "$KOBO_TOKEN" > creds
chmod 644 creds
run 2 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1 --credentials creds
expect_in err.txt "collect: creds: refused: readable by others (mode 0644); run 'chmod 600 creds'"
expect_eq "$(cat requests.log 2>/dev/null | wc -l)" 0 "no request"
chmod 600 creds
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1 --credentials creds
expect_in err.txt "collect: fetched 7, new 5"
run 2 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "http://u:pw@127.0.0.1:$PORT" --survey-id a1
expect_in err.txt "credentials in --url are refused"
run 2 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1
expect_in err.txt "no KoboToolbox credentials"
# ~/.netrc for LimeSurvey (HOME is the test directory)
printf 'machine 127.0.0.1 login %s password %s\n' "$LS_USER" "$LS_PASSWORD" > .netrc
chmod 600 .netrc
stop_server
start_server --ls-data "$T/data/ls-small.json"
run 0 fetch --survey "$SURVEYS/lsfix" --store l.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 7
expect_in err.txt "collect: fetched 5, new 5"
