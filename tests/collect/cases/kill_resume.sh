# Killed mid-fetch: committed pages stay, the next run resumes, nothing is duplicated.
python3 - "$T/data/kobo.json" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))[0]
subs = []
for i in range(1, 61):
    s = dict(base)
    s.update({"_id": i, "_submission_time": "2026-03-%02dT%02d:00:00" % (1 + i // 24, i % 24), "rh/effectif": str(i)})
    subs.append(s)
json.dump(subs, open("kobo.json", "w"))
PY
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
start_server --kobo-data kobo.json --fault slowdata=0.4
"$COLLECT" fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1 2>kill-err.txt &
pid=$!
i=0
n=0
while [ "$n" -lt 6 ] && [ $i -lt 400 ]; do
    sleep 0.05
    n=$(sql s.sqlite 'select count(*) from responses' 2>/dev/null || echo 0)
    [ -n "$n" ] || n=0
    i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
stored=$(sql s.sqlite 'select count(*) from responses')
if [ "$stored" -lt 6 ] || [ "$stored" -ge 60 ]; then fail "kill came at the wrong time: $stored responses"; fi
if [ $((stored % 3)) != 0 ]; then fail "a partial page was committed: $stored responses"; fi
run 0 fetch --survey "$SURVEYS/mini" --store s.sqlite --platform kobo --url "$BASE" --survey-id a1
expect_eq "$(sql s.sqlite 'select count(*), count(distinct id), min(cast(id as int)), max(cast(id as int)) from responses')" "60|60|1|60" "all, once"
# the mark moves only with a run's last page: the resumed run read again from the
# previous mark (here: none) the pages the killed run had stored, and found them unchanged
expect_in err.txt "collect: fetched 60, new $((60 - stored)), updated 0, unchanged $stored, rejected 0"
