# The server forgets the session key: collect logs in again once and goes on.
need_shared
cp "$LS_FIXTURES/export_responses.json.all.code.short.decoded.json" ls.json
start_server --fixtures "$LS_FIXTURES" --ls-data ls.json --fault renew
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 0 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215 --page-size 10
expect_eq "$(grep -c '"get_session_key' requests.log)" 2 "logins"
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 24 "responses"
expect_in err.txt "fetched 25, new 24"
