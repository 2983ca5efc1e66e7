# ODK Central (newest first by default): a fetch cut or killed at every page boundary,
# both orders, resumes to exactly what a clean full fetch stores (see ../kill_matrix.sh).
# Before the fix, the mark moved with the first page (the newest) and a re-run never
# asked for the older pages again.
export VIGIE_ODK_EMAIL=staff@example.org VIGIE_ODK_PASSWORD=odk-pass-456
m_make() {
    python3 - "$T/data/odk.json" <<'PY'
import copy, json, sys
base = json.load(open(sys.argv[1]))[0]
for ver, n in (("v1", 7), ("v2", 12)):
    rows = []
    for i in range(1, n + 1):
        r = copy.deepcopy(base)
        r["__id"] = "uuid:%04d" % i
        r["meta"]["instanceID"] = r["__id"]
        r["rh"]["effectif"] = str(i)
        r["__system"]["submissionDate"] = "2026-04-%02dT10:00:00.000Z" % i
        r["__system"]["submitterName"] = "enqueteur %d" % i
        r["__system"]["deviceId"] = "collect:DEVICE%d" % i
        if ver == "v2" and i == 2:
            r["rh"]["effectif"] = "99"
            r["__system"]["updatedAt"] = "2026-04-20T10:00:00.000Z"
        if ver == "v2" and i == 4:
            r["__system"]["reviewState"] = "rejected"
            r["__system"]["updatedAt"] = "2026-04-21T10:00:00.000Z"
        rows.append(r)
    json.dump(rows, open(ver + ".json", "w"))
PY
}
M_DATA=odk.json
echo '[]' > odk.json
M_SERVER="--odk-data odk.json"
M_FETCH="fetch --survey $SURVEYS/mini --platform odk --url @BASE@ --survey-id 1/f --page-size 3"
M_PAGES=3
M_DATA_PATTERN='Submissions'
. "$T/kill_matrix.sh"
