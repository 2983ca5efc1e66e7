# Old export shape ({"<id>": {...}}), the all-empty record of an empty window, id gaps.
cp "$T/data/ls-small.json" ls.json
start_server --ls-data ls.json --fault oldshape --fault emptyrecord
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
run 0 fetch --survey "$SURVEYS/lsfix" --store s.sqlite --platform limesurvey \
    --url "$BASE/index.php/admin/remotecontrol" --survey-id 42 --page-size 5
expect_in err.txt "collect: fetched 5, new 5, updated 0, unchanged 0, rejected 0"
expect_eq "$(sql s.sqlite 'select group_concat(id) from (select id from responses order by cast(id as int))')" "1,2,3,11,12" "ids"
expect_eq "$(grep -c '"export_responses' requests.log)" 4 "windows 1-5, 6-10 (empty), 11-20 (doubled after an empty one), then 21 to the end"
expect_in requests.log 'short\",21,null]'
expect_eq "$(sql s.sqlite "select json_extract(data,'$.region') from responses where id='11'")" "idf" "old shape values"
