# Wrong password: exit 4, a clear message, no password anywhere, no store file left.
need_shared
cp "$LS_FIXTURES/export_responses.json.all.code.short.decoded.json" ls.json
start_server --fixtures "$LS_FIXTURES" --ls-data ls.json
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=Wrong-Pass-777
run 4 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
expect_in err.txt "login refused for user 'admin': Invalid user name or password"
expect_not_in err.txt "Wrong-Pass-777"
if [ -e s.sqlite ]; then fail "a failed login left a store file"; fi
# no credentials at all: usage error, no request sent
unset VIGIE_LIMESURVEY_PASSWORD
: > requests.log
run 2 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
expect_in err.txt "no LimeSurvey credentials"
expect_eq "$(wc -l < requests.log)" 0 "requests without credentials"
if [ -e s.sqlite ]; then fail "a usage error left a store file"; fi
# an existing store is left as it was (not removed)
export VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 0 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
export VIGIE_LIMESURVEY_PASSWORD=Wrong-Pass-777
run 4 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
expect_eq "$(sql s.sqlite 'select count(*) from responses')" 24 "responses kept"
expect_not_in s.sqlite "Wrong-Pass-777"
