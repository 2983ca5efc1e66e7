# A survey without responses: 'No Data, could not get max id.' is zero responses.
need_shared
echo '{"responses": []}' > ls.json
start_server --fixtures "$LS_FIXTURES" --ls-data ls.json
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 0 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
expect_in err.txt "collect: fetched 0, new 0, updated 0, unchanged 0, rejected 0"
expect_in requests.log "release_session_key"
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 0 "responses"
