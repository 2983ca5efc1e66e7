# collect invite / remind: mail batches looped until "0 left to send" (the server sends 3
# per call), "Error: No candidate tokens" on a second run (nobody invited twice), reminders,
# the store's mail state and `collect status` per stratum; then a failing address, a server
# that makes no progress, an HTML page, a wrong password, and no participant table.
start_server --ls-table empty
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215"
sed '/fail@/d' "$T/data/members6.csv" > members.csv
printf '930000007,MAS Les Ajoncs,mas@ajoncs.example.org,93,ph\n' >> members.csv
run 0 participants --survey "$SURVEYS/mini" --store s.sqlite $U --members members.csv -q
expect_eq "$(cat err.txt)" "" "participants quiet"

: > requests.log
run 0 invite --survey "$SURVEYS/mini" --store s.sqlite $U
expect_eq "$(cat err.txt)" "collect: batch 1: sent 3, failed 0, 3 left to send
collect: batch 2: sent 3, failed 0, 0 left to send
collect: invitations: sent 6, failed 0, left 0" "invite"
expect_eq "$(grep -c '"invite_participants' requests.log)" 2 "two invite calls"
expect_in requests.log '\"invite_participants\",\"params\":[\"RENEWEDKEY_2_xxxxxxxxxxxxxxxxxxx\",364215,null,true]'
expect_eq "$(sql s.sqlite "select count(*) from participants where sent = '2026-01-05 10:00'")" 6 "store: sent"

: > requests.log
run 0 invite --survey "$SURVEYS/mini" --store s.sqlite $U
expect_eq "$(cat err.txt)" "collect: nobody to invite: every participant with a valid e-mail was invited already (--resend invites them again)
collect: invitations: sent 0, failed 0, left 0" "invite again"
expect_eq "$(grep -c '"invite_participants' requests.log)" 1 "one call"

: > requests.log
run 0 remind --survey "$SURVEYS/mini" --store s.sqlite $U --max-reminders 2
expect_eq "$(cat err.txt)" "collect: batch 1: sent 3, failed 0, 3 left to send
collect: batch 2: sent 3, failed 0, 0 left to send
collect: reminders: sent 6, failed 0, left 0" "remind"
expect_in requests.log '\"remind_participants\",\"params\":[\"RENEWEDKEY_4_xxxxxxxxxxxxxxxxxxx\",364215,7,2,false]'
run 0 remind --survey "$SURVEYS/mini" --store s.sqlite $U --min-days 3
expect_in err.txt "collect: nobody to remind:"
expect_eq "$(sql s.sqlite "select sum(reminders), count(*) from participants")" "6|6" "store: reminders"

run 0 status --survey "$SURVEYS/mini" --store s.sqlite --format csv --lang en
expect_eq "$(cat out.txt)" "region,secteur,responses,population,response_rate,participants,invited,reminded,completed
11,pa,0,10,0.0000,1,1,1,0
11,ph,0,5,0.0000,1,1,1,0
84,pa,0,8,0.0000,1,1,1,0
84,ph,0,4,0.0000,0,0,0,0
93,pa,0,6,0.0000,1,1,1,0
93,ph,0,2,0.0000,2,2,2,0
total,,0,35,0.0000,6,6,6,0" "status with participants"
# --resend: explicit lists, each once
: > requests.log
run 0 invite --survey "$SURVEYS/mini" --store s.sqlite $U --resend --batch 3
expect_eq "$(cat err.txt)" "collect: batch 1: sent 3, failed 0, 3 left to send
collect: batch 2: sent 3, failed 0, 0 left to send
collect: invitations: sent 6, failed 0, left 0" "resend"
expect_in requests.log '364215,[4,5,6],false]'

# the password only in the login calls
expect_eq "$(grep -F "$LS_PASSWORD" requests.log | grep -Fvc '{\"method\":\"get_session_key\",\"params\":[\"admin\",')" 0 "password outside the login call"
expect_not_in s.sqlite "$LS_PASSWORD"

# an address the server cannot mail: reported, counted once, exit 4
start_server --ls-table empty --fault mailfail
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215"
run 0 participants --survey "$SURVEYS/mini" --store f.sqlite $U --members "$T/data/members6.csv" -q
run 4 invite --survey "$SURVEYS/mini" --store f.sqlite $U
expect_eq "$(cat err.txt)" "collect: batch 1: sent 3, failed 0, 3 left to send
collect: batch 2: sent 2, failed 1, 0 left to send
collect: warning: batch 2: 1 not sent (participant 4: SMTP Error: Could not connect to SMTP host.)
collect: warning: participant 4 (fail@cedres.example.org) is still not invited: its mail failed in this run
collect: warning: the server said 0 left to send; 1 participants are still not invited
collect: survey 364215: 1 invitations could not be sent (see the warnings above)
collect: invitations: sent 5, failed 1, left 1" "failing address"
expect_eq "$(sql f.sqlite "select member_id, sent from participants where sent = 'N'")" "840000004|N" "store: unsent"

# a server that says "3 left to send" and mails nobody: stopped, exit 4
start_server --ls-table empty --fault stuck
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215"
run 4 remind --survey "$SURVEYS/mini" $U
expect_eq "$(cat err.txt)" "collect: batch 1: sent 0, failed 0, 3 left to send
collect: $BASE/index.php/admin/remotecontrol: the server mailed nobody but says 3 left to send; stopped
collect: reminders: sent 0, failed 0, left 3" "stuck"
expect_eq "$(grep -c remind_participants requests.log)" 1 "one call only"

# no participant table
start_server
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215"
run 4 invite --survey "$SURVEYS/mini" $U
expect_in err.txt "collect: $BASE/index.php/admin/remotecontrol: invite_participants: survey 364215: Error: No survey participants table (run 'collect participants' first)"

# an HTML page instead of RemoteControl
start_server --fault html
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215"
run 4 invite --survey "$SURVEYS/mini" $U --retries 0
expect_eq "$(cat err.txt)" "collect: $BASE/index.php/admin/remotecontrol: HTTP 500 (an HTML page: RemoteControl not enabled or wrong URL)" "html"

# a wrong password: refused at login, never shown
start_server --ls-table empty
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215"
VIGIE_LIMESURVEY_PASSWORD=wrong-pass-789 run 4 remind --survey "$SURVEYS/mini" $U
expect_eq "$(cat err.txt)" "collect: $BASE/index.php/admin/remotecontrol: login refused for user 'admin': Invalid user name or password" "wrong password"
expect_eq "$(grep -c remind_participants requests.log)" 0 "nothing sent after a refused login"
# no credentials at all: usage error, nothing sent
unset VIGIE_LIMESURVEY_PASSWORD
: > requests.log
run 2 invite --survey "$SURVEYS/mini" $U
expect_in err.txt "no LimeSurvey credentials"
expect_eq "$(cat requests.log | wc -l)" 0 "no request without credentials"
