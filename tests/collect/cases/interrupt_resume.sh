# Ctrl-C (SIGINT) mid-fetch: the open page is rolled back, committed pages stay,
# the LimeSurvey session is still released, exit 1; the next run resumes.
# Replies are gzip-compressed (the client asks for compression).
python3 - "$T/data/ls-small.json" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))["responses"][0]
rows = []
for i in range(1, 61):
    r = dict(base); r["id"] = i; r["commentaire"] = "réponse %d" % i
    rows.append(r)
json.dump({"responses": rows}, open("ls.json", "w"))
PY
start_server --ls-data ls.json --fault slowdata=0.4 --fault gzip
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
F="fetch --survey $SURVEYS/lsfix --store s.sqlite --platform limesurvey --url $BASE/index.php/admin/remotecontrol --survey-id 5 --page-size 3"
"$COLLECT" $F 2>int-err.txt &
pid=$!
i=0
n=0
while [ "$n" -lt 6 ] && [ $i -lt 400 ]; do
    sleep 0.05
    n=$(sql s.sqlite 'select count(*) from responses' 2>/dev/null || echo 0)
    [ -n "$n" ] || n=0
    i=$((i + 1))
done
kill -INT $pid
wait $pid
status=$?
expect_eq "$status" 1 "exit status after SIGINT"
expect_in int-err.txt "collect: interrupted: the pages already stored are kept; run the same command to resume"
expect_in requests.log "release_session_key"
expect_in requests.log '"accept_encoding": "deflate, gzip, br, zstd"'
stored=$(sql s.sqlite 'select count(*) from responses')
if [ $((stored % 3)) != 0 ] || [ "$stored" -ge 60 ]; then fail "partial page or nothing interrupted: $stored"; fi
expect_in int-err.txt "collect: fetched $stored, new $stored,"
run 0 $F
expect_in err.txt "collect: fetched $((60 - stored)), new $((60 - stored)), updated 0, unchanged 0, rejected 0"
expect_eq "$(sql s.sqlite 'select count(*), count(distinct id) from responses')" "60|60" "all, once"
expect_eq "$(sql s.sqlite "select json_extract(data,'$.commentaire') from responses where id='60'")" "réponse 60" "gzip body decoded"
