# collect participants against the recorded LimeSurvey 6.4.2 participant transcripts:
# add_participants of the five recorded addresses is answered with the recorded body,
# byte for byte, and a second run's list_participants (asked exactly as recorded) too;
# the second run adds nobody; the store maps each member to the recorded tid and a fingerprint of its token
# (HMAC-SHA-256 under the fixed key 'vigie participant token'; the token itself is not kept).
need_shared
start_server --fixtures "$LS_FIXTURES" --ls-table empty
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
P="participants --survey $SURVEYS/mini --store s.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215 --id-attribute none --page-size 10 --members $T/data/members-recorded.csv"

run 0 $P
expect_eq "$(cat err.txt)" "collect: batch 1: added 5 of 5
collect: members 5, added 5, already participants 0, refused 0" "first run"
expect_eq "$(grep -c '"served": "add_participants.response.json"' requests.log)" 1 "recorded add_participants served"
# the request: the members' addresses and names, tokens made by the server
expect_in requests.log '{\"email\":\"token00000004@example.invalid\",\"firstname\":\"\",\"lastname\":\"Foyer de vie Les C\u00e8dres\",\"language\":\"fr\"},{\"email\":\"token00000005@example.invalid\",\"firstname\":\"\",\"lastname\":\"SESSAD Horizon\",\"language\":\"fr\"}],true]'
expect_eq "$(sql s.sqlite 'select member_id, tid, token_sha256, completed, json_extract(strata, "$.region"), json_extract(strata, "$.secteur") from participants order by tid')" "750000001|1|24f80778e64ed4de5ea9b396745bfdfb2b08ec63c9d6cf610556648761e4405f|N|11|pa
750000002|2|383938f60d2686ce4be480e369f49876a9e755416cb6cc2cee0bbe3cd7acbf86|N|11|ph
840000003|3|9cf6e43e832f13ad7e98b6bc6a88a3ca5b5529b286dd3ee59a236bd86dae634d|N|84|pa
840000004|4|c70aec45ec63e678167597685ebdaf8a31dbbdf748faef9a22a99c158a8a6d79|N|84|ph
930000005|5|29c29fd9e84b331845583086139cc3497d74b0d8df611fc0e3626578ce8893b0|N|93|ph" "mapping"
expect_eq "$(sql s.sqlite "select value from meta where key='participants_format'")" 1 "table format"

# again: the recorded list_participants answers, everybody is matched on e-mail
: > requests.log
run 0 $P
expect_eq "$(cat err.txt)" "collect: members 5, added 0, already participants 5, refused 0" "second run"
expect_eq "$(grep -c '"served": "list_participants.response.json"' requests.log)" 1 "recorded list_participants served"
expect_eq "$(grep -c 'add_participants' requests.log)" 0 "nothing added"
expect_eq "$(sql s.sqlite 'select count(*) from participants')" 5 "no duplicate"

# the password is sent in the login call only, and never shown or stored
expect_eq "$(grep -F "$LS_PASSWORD" requests.log | grep -Fvc '{\"method\":\"get_session_key\",\"params\":[\"admin\",')" 0 "password outside the login call"
expect_eq "$(grep -c get_session_key requests.log)" 1 "one login"
expect_not_in err.txt "$LS_PASSWORD"
expect_not_in s.sqlite "$LS_PASSWORD"
expect_not_in s.sqlite "SESSIONKEY_PLACEHOLDER"
