# A store made before the participants table (by fetch) keeps working: status without
# participant columns; participants adds the table (meta participants_format 1) and the
# responses stay; status then shows the participant columns; a newer table format is refused.
start_server
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform csv --url "file://$T/data/plain.csv"
n=$(sql s.sqlite 'select count(*) from responses')
expect_eq "$(sql s.sqlite "select count(*) from sqlite_master where name = 'participants'")" 0 "old store"
run 0 status --survey "$SURVEYS/mini" --store s.sqlite --format csv
expect_eq "$(head -1 out.txt)" "region,secteur,reponses,population,taux_reponse" "status of an old store"
before=$(cat out.txt)

run 0 participants --survey "$SURVEYS/mini" --store s.sqlite --platform limesurvey --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215 --members "$T/data/members.csv" -q
expect_eq "$(sql s.sqlite "select value from meta where key = 'participants_format'")" 1 "table format"
expect_eq "$(sql s.sqlite 'select count(*) from responses')" "$n" "responses kept"
run 0 status --survey "$SURVEYS/mini" --store s.sqlite --format csv
expect_eq "$(head -1 out.txt)" "region,secteur,reponses,population,taux_reponse,participants,invites,relances,termine" "status header"
expect_eq "$(cut -d, -f1-5 out.txt)" "$before" "response counts unchanged"
expect_eq "$(tail -1 out.txt | cut -d, -f6-)" "4,0,0,0" "participant totals"
run 0 export --survey "$SURVEYS/mini" --store s.sqlite
expect_eq "$(head -1 out.txt | cut -d, -f1-3)" "source,id,submitted" "export still works"

sql s.sqlite "update meta set value = '2' where key = 'participants_format'" >/dev/null
: > requests.log
run 3 participants --survey "$SURVEYS/mini" --store s.sqlite --platform limesurvey --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215 --members "$T/data/members.csv"
expect_eq "$(cat err.txt)" "collect: s.sqlite: participants table format 2 is newer than this collect's (1)" "newer format"
expect_eq "$(cat requests.log | wc -l)" 0 "nothing sent"
run 3 status --survey "$SURVEYS/mini" --store s.sqlite
