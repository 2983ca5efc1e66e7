# RemoteControl off or wrong URL: an HTML page or an empty body.
cp "$T/data/ls-small.json" ls.json
start_server --fixtures "$LS_FIXTURES" --ls-data ls.json --fault html
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 4 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215 --retries 0
expect_in err.txt "HTTP 500 (an HTML page: RemoteControl not enabled or wrong URL)"
stop_server
start_server --ls-data ls.json --fault emptybody
run 4 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
expect_in err.txt "RemoteControl not enabled or wrong URL (empty reply)"
expect_not_in err.txt "$LS_PASSWORD"
