# collect invite / remind against the recorded LimeSurvey 6.4.2 replies (launch transcripts,
# maxemails=2), served in order by the replay server:
# - invitations in six batches; the last says "0 left to send" although both of its mails
#   failed (an SMTP refusal ending in CRLF, a token not valid yet): the run counts them as
#   failed, reads the participants back and reports who is still not invited, exit 4;
# - completion read from the responses by token: ETAB10 (tid 11) has a complete response
#   but LimeSurvey's flag says "N" (add_response does not set it): left out of the
#   reminders, which then go by an explicit list;
# - --resend: the server answers "-2 left to send" (bEmail false); the list members it kept
#   back are reported, never asked again.
need_launch
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
script invite.script \
    invite_participants=invite_participants.batch_01 invite_participants=invite_participants.batch_02 \
    invite_participants=invite_participants.batch_03 invite_participants=invite_participants.batch_04 \
    invite_participants=invite_participants.batch_05 invite_participants=invite_participants.batch_06 \
    list_participants=list_participants.after_responses \
    export_responses_by_token=export_responses_by_token.json.two_tokens
start_server --fixtures "$LS_LAUNCH" --ls-script invite.script --ls-script-only
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 591732 --page-size 50"
run 4 invite --survey "$SURVEYS/mini" $U
expect_eq "$(cat err.txt)" "collect: batch 1: sent 2, failed 0, 10 left to send
collect: batch 2: sent 2, failed 0, 8 left to send
collect: batch 3: sent 2, failed 0, 6 left to send
collect: batch 4: sent 2, failed 0, 4 left to send
collect: batch 5: sent 2, failed 0, 2 left to send
collect: batch 6: sent 0, failed 2, 0 left to send
collect: warning: batch 6: 2 not sent (participant 15: SMTP Error: The following recipients failed: rejet.etab15@example.org: <rejet.etab15@example.org>: Recipient address rejected: User unknown)
collect: warning: participant 15 (rejet.etab15@example.org) is still not invited: its mail failed in this run
collect: warning: the server said 0 left to send; 1 participants are still not invited
collect: survey 591732: 2 invitations could not be sent (see the warnings above)
collect: invitations: sent 10, failed 2, left 1" "invite: six batches, the last one failing"
expect_not_in requests.log MISMATCH
expect_eq "$(grep -c '"served"' requests.log)" 8 "every recorded reply served"
# the completion check asks for complete responses of the tokens not flagged completed
expect_in requests.log '\"export_responses_by_token\",\"params\":[\"SESSIONKEY_PLACEHOLDER_32CHARS__\",591732,\"json\",[\"TOKEN_PH15_T001\",'
expect_in requests.log '\"ETAB16\"],\"fr\",\"complete\",\"code\",\"short\"]'

# reminders: tid 11 answered (response by token) though not flagged: an explicit list
# without it; each reply's participants leave the list; "No candidate tokens" ends it
script remind.script \
    list_participants=list_participants.after_responses \
    export_responses_by_token=export_responses_by_token.json.two_tokens \
    remind_participants=remind_participants.batch_01 remind_participants=remind_participants.batch_02 \
    remind_participants=remind_participants.batch_03 remind_participants=remind_participants.batch_04 \
    remind_participants=remind_participants.min_days_1_right_after_invite \
    list_participants=list_participants.after_reminders \
    export_responses_by_token=export_responses_by_token.json.two_tokens
start_server --fixtures "$LS_LAUNCH" --ls-script remind.script --ls-script-only
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 591732 --page-size 50"
run 0 remind --survey "$SURVEYS/mini" $U --min-days 1 --max-reminders 1
expect_eq "$(cat err.txt)" "collect: 1 participant answered (a complete response under their access code) but LimeSurvey does not mark them completed: they are left out of the reminders
collect: batch 1: sent 2, failed 0, 9 left to send
collect: batch 2: sent 2, failed 0, 7 left to send
collect: batch 3: sent 2, failed 0, 5 left to send
collect: batch 4: sent 2, failed 0, 3 left to send
collect: reminders: sent 8, failed 0, left 0" "remind by list"
expect_not_in requests.log MISMATCH
expect_in requests.log '\"remind_participants\",\"params\":[\"SESSIONKEY_PLACEHOLDER_32CHARS__\",591732,1,1,[1,2,3,4,5,6,9,12,13,14,16]]'
expect_in requests.log '\"remind_participants\",\"params\":[\"SESSIONKEY_PLACEHOLDER_32CHARS__\",591732,1,1,[1,14,16]]'

# --resend: "-2 left to send"; 9 of the list of 11 kept back by the server (maxemails 2)
script resend.script \
    list_participants=list_participants.after_responses \
    export_responses_by_token=export_responses_by_token.json.two_tokens \
    invite_participants=invite_participants.bemail_false_resends_to_already_invited \
    list_participants=list_participants.after_responses \
    export_responses_by_token=export_responses_by_token.json.two_tokens
start_server --fixtures "$LS_LAUNCH" --ls-script resend.script --ls-script-only
U="--platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 591732 --page-size 50"
run 4 invite --survey "$SURVEYS/mini" $U --resend --batch 20
expect_eq "$(cat err.txt)" "collect: batch 1: sent 2, failed 0, 9 left to send
collect: warning: batch 1: the server kept back 9 of 11: give a --batch no larger than its maxemails
collect: survey 591732: 9 invitations left unsent (see the warnings above)
collect: invitations: sent 2, failed 0, left 9" "resend"
expect_in requests.log '591732,[1,2,3,4,5,6,9,12,13,14,16],false]'
expect_not_in requests.log MISMATCH
