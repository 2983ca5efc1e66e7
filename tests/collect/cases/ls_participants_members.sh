# collect participants with an Excel-France member list (BOM, ';', CRLF, a quoted ';',
# a sector code in capitals): dry run (nothing added, nothing stored), then the
# participant table created with attribute_1 holding the member id and attribute_2/3 the
# strata (named first in the survey's attribute descriptions), a re-run that adds
# nobody, a new member added alone, and a member whose e-mail changed matched on its id.
start_server
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
cp "$T/data/members.csv" members.csv
P="participants --survey $SURVEYS/mini --store s.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215 --members members.csv"

run 0 $P --dry-run
expect_eq "$(cat out.txt)" "id,name,email,region,secteur
750000001,EHPAD Les Tilleuls,direction@tilleuls.example.org,11,pa
750000002,IME Arc-en-ciel,contact@arcenciel.example.org,11,ph
840000003,Résidence du Parc; annexe,accueil@parc.example.org,84,pa
930000004,'=SESSAD Horizon,sessad@horizon.example.org,93,ph" "dry-run list"
expect_eq "$(cat err.txt)" "collect: survey 364215 has no participant table: it would be created
collect: dry run: members 4, would add 4, already participants 0" "dry-run summary"
expect_eq "$(grep -c 'add_participants\|activate_tokens' requests.log)" 0 "dry run sends nothing"
if [ -e s.sqlite ]; then fail "dry run made a store"; fi

run 0 $P
expect_eq "$(cat err.txt)" "collect: survey 364215: participant table created with attribute_1 (member id), attribute_2 (region), attribute_3 (secteur)
collect: batch 1: added 4 of 4
collect: members 4, added 4, already participants 0, refused 0" "first run"
expect_in requests.log '{\"method\":\"set_survey_properties\",\"params\":[\"RENEWEDKEY_2_xxxxxxxxxxxxxxxxxxx\",364215,{\"attributedescriptions\":\"{\\\"attribute_1\\\":{\\\"cpdbmap\\\":\\\"\\\",\\\"description\\\":\\\"member_id\\\"'
expect_in requests.log '{\"method\":\"activate_tokens\",\"params\":[\"RENEWEDKEY_2_xxxxxxxxxxxxxxxxxxx\",364215,[1,2,3]]'
expect_in requests.log '{\"email\":\"contact@arcenciel.example.org\",\"firstname\":\"\",\"lastname\":\"IME Arc-en-ciel\",\"language\":\"fr\",\"attribute_1\":\"750000002\",\"attribute_2\":\"11\",\"attribute_3\":\"ph\"}'
expect_eq "$(sql s.sqlite 'select source, member_id, name, email, strata, tid, token_sha256, sent, reminders, completed from participants order by member_id')" "limesurvey:364215|750000001|EHPAD Les Tilleuls|direction@tilleuls.example.org|{\"region\":\"11\",\"secteur\":\"pa\"}|1|24f80778e64ed4de5ea9b396745bfdfb2b08ec63c9d6cf610556648761e4405f|||N
limesurvey:364215|750000002|IME Arc-en-ciel|contact@arcenciel.example.org|{\"region\":\"11\",\"secteur\":\"ph\"}|2|383938f60d2686ce4be480e369f49876a9e755416cb6cc2cee0bbe3cd7acbf86|||N
limesurvey:364215|840000003|Résidence du Parc; annexe|accueil@parc.example.org|{\"region\":\"84\",\"secteur\":\"pa\"}|3|9cf6e43e832f13ad7e98b6bc6a88a3ca5b5529b286dd3ee59a236bd86dae634d|||N
limesurvey:364215|930000004|=SESSAD Horizon|sessad@horizon.example.org|{\"region\":\"93\",\"secteur\":\"ph\"}|4|c70aec45ec63e678167597685ebdaf8a31dbbdf748faef9a22a99c158a8a6d79|||N" "mapping"

: > requests.log
run 0 $P
expect_eq "$(cat err.txt)" "collect: members 4, added 0, already participants 4, refused 0" "re-run"
expect_eq "$(grep -c 'add_participants' requests.log)" 0 "re-run adds nobody"
expect_in requests.log '\"list_participants\",\"params\":[\"RENEWEDKEY_3_xxxxxxxxxxxxxxxxxxx\",364215,0,500,false,[\"completed\",\"attribute_1\"]]'

# one more member, and a new address for 750000001: only the new member is added
printf '930000009;CAMSP Les Lucioles;camsp@lucioles.example.org;93;ph\r\n' >> members.csv
sed -i 's/direction@tilleuls/dg@tilleuls/' members.csv
run 0 $P --batch 1
expect_eq "$(cat err.txt)" "collect: batch 1: added 1 of 1
collect: members 5, added 1, already participants 4, refused 0" "one more"
expect_eq "$(sql s.sqlite "select tid, email from participants where member_id in ('750000001', '930000009') order by tid")" "1|dg@tilleuls.example.org
5|camsp@lucioles.example.org" "matched on the id, new one added"

# a store of another survey is refused before anything is sent
: > requests.log
run 3 participants --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215 --members members.csv --id-attribute none
expect_eq "$(cat requests.log | wc -l)" 0 "nothing sent"

# a row the server refuses: reported with its line, the others added, exit 4; a re-run
# tries only that one again. This table was made without attribute_1: warned, matched on e-mail.
start_server --ls-table empty --fault refuserow
printf 'id,nom,email,region,secteur\na1,A,a@example.org,11,pa\na2,B,refuse@example.org,84,ph\na3,C,c@example.org,93,ph\n' > r.csv
R="participants --survey $SURVEYS/mini --store r.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 364215 --members r.csv"
run 4 $R
expect_eq "$(cat err.txt)" "collect: warning: the participant table of survey 364215 has no 'attribute_1' (LimeSurvey dropped it): members are matched on e-mail (add the attribute in LimeSurvey, or use --id-attribute none)
collect: r.csv:3: member 'a2' refused by the server: {\"email\":[\"Invalid email address.\"]}
collect: batch 1: added 2 of 3
collect: survey 364215: the server refused 1 member (see above); the others were added
collect: members 3, added 2, already participants 0, refused 1" "refused row"
expect_eq "$(sql r.sqlite 'select member_id, tid from participants order by tid')" "a1|1
a3|2" "refused row not mapped"
: > requests.log
run 4 $R
expect_in err.txt "collect: members 3, added 0, already participants 2, refused 1"
expect_in requests.log '\"add_participants\",\"params\":[\"RENEWEDKEY_2_xxxxxxxxxxxxxxxxxxx\",364215,[{\"email\":\"refuse@example.org\"'
