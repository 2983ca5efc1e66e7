# A redirect to another host never carries the credentials; one to the same host does.
cp "$T/data/kobo.json" kobo.json
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
start_server --kobo-data kobo.json
run 4 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo \
    --url "$BASE/redirect-other-host/api/v2/assets/a1/data/"
expect_in err.txt "HTTP 401: authentication failed, check the credentials: 'Invalid token.'"
expect_not_in err.txt "$KOBO_TOKEN"
python3 - "$PORT" <<'PY' || FAILED=1
import json, sys
port = sys.argv[1]
rows = [json.loads(l) for l in open("requests.log")]
first = [r for r in rows if r["host"] == "127.0.0.1:" + port]
other = [r for r in rows if r["host"] == "localhost:" + port]
assert first and first[0]["authorization"] == "Token kobo-test-token-123", first
assert other, "the redirect was not followed"
assert all(r["authorization"] is None for r in other), other
PY
: > requests.log
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo \
    --url "$BASE/redirect-same-host/api/v2/assets/a1/data/"
expect_in err.txt "collect: fetched 7, new 5"
# LimeSurvey: a POST redirect is refused with its target
start_server --ls-data "$T/data/ls-small.json"
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 4 fetch --survey "$SURVEYS/lsfix" --store l.sqlite --platform limesurvey \
    --url "$BASE/redirect-other-host/index.php/admin/remotecontrol" --survey-id 1
expect_in err.txt "server redirects to 'http://localhost:$PORT/index.php/admin/remotecontrol': use that address with --url"
expect_not_in err.txt "$LS_PASSWORD"
