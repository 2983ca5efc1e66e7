# Platform system fields (LimeSurvey token, ipaddr, refurl; Kobo _submitted_by, device
# ids; ODK submitterName, deviceId) never reach the store, raw payload included, unless
# the definition declares them; stores and exports are 0600 whatever the umask.
need_shared
umask 022
# a definition written from scratch for the recorded survey, without the token variable
python3 - "$SURVEYS/lsfix/survey.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
d["variables"] = [v for v in d["variables"] if v["name"] != "jeton"]
os.makedirs("lsplain", exist_ok=True)
json.dump(d, open("lsplain/survey.json", "w"))
PY
python3 - "$LS_FIXTURES/export_responses.json.all.code.short.decoded.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["responses"]:
    r["ipaddr"] = "192.0.2.%d" % int(r["id"])
    r["refurl"] = "https://mail.example.org/inbox?member=%d" % int(r["id"])
json.dump(d, open("ls.json", "w"))
PY
grep -q TOKEN00000001 ls.json || fail "the recorded export has no access token to look for"
python3 - "$T/data/kobo.json" "$T/data/odk.json" <<'PY'
import json, sys
k = json.load(open(sys.argv[1]))
for i, s in enumerate(k):
    s["_submitted_by"] = "enqueteur-kobo-%d" % i
    s["deviceid"] = "imei:35000000000%d" % i
json.dump(k, open("kobo.json", "w"))
o = json.load(open(sys.argv[2]))
for i, r in enumerate(o):
    r["__system"]["submitterName"] = "enqueteur-odk-%d" % i
    r["__system"]["deviceId"] = "collect:DEVICEODK%d" % i
json.dump(o, open("odk.json", "w"))
PY
printf 'id,region,secteur,difficulte,token,ipaddr\nc1,11,pa,1,TOKENCSV1,198.51.100.1\n' > plain.csv
start_server --fixtures "$LS_FIXTURES" --ls-data ls.json --kobo-data kobo.json --odk-data odk.json --plain-dir .
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN VIGIE_ODK_EMAIL=staff@example.org VIGIE_ODK_PASSWORD=odk-pass-456
run 0 fetch --survey lsplain --store ls.sqlite --platform limesurvey --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
run 0 fetch --survey "$SURVEYS/mini" --store kobo.sqlite --platform kobo --url "$BASE" --survey-id a1
run 0 fetch --survey "$SURVEYS/mini" --store odk.sqlite --platform odk --url "$BASE" --survey-id 1/f
run 0 fetch --survey "$SURVEYS/mini" --store csv.sqlite --platform csv --url "$BASE/plain/plain.csv"
for st in ls kobo odk csv; do
    n=$(sql $st.sqlite 'select count(*) from responses where raw is not null')
    [ "$n" -gt 0 ] || fail "$st: no raw payload stored"
    for secret in TOKEN0000 192.0.2. mail.example.org enqueteur imei: DEVICEODK TOKENCSV 198.51.100 '"token"' '"ipaddr"' submitterName deviceId _submitted_by; do
        expect_eq "$(sql $st.sqlite "select count(*) from responses where raw like '%$secret%' or data like '%$secret%'")" 0 "$st: '$secret' stored"
        expect_eq "$(sql $st.sqlite "select count(*) from rejects where raw like '%$secret%'")" 0 "$st: '$secret' in rejects"
    done
    expect_eq "$(stat -c %a $st.sqlite)" 600 "$st: store mode"
done
# the raw payload still holds the answers
expect_eq "$(sql odk.sqlite "select count(*) from responses where raw like '%submissionDate%'")" 5 "ODK raw payload kept"
# declared in the definition, the token is a variable like another (here: personal, dropped)
run 0 fetch --survey "$SURVEYS/lsfix" --store ls2.sqlite --platform limesurvey --url "$BASE/index.php/admin/remotecontrol" --survey-id 364215
expect_eq "$(sql ls2.sqlite "select count(*) from responses where raw like '%TOKEN0000%'")" 0 "declared personal token"
# exports are 0600 too
run 0 export --survey "$SURVEYS/mini" --store odk.sqlite -o export.csv
expect_eq "$(stat -c %a export.csv)" 600 "export mode"
