# KoboToolbox: a fetch cut or killed at every page boundary, both orders, resumes to
# exactly what a clean full fetch stores (see ../kill_matrix.sh).
export VIGIE_KOBO_TOKEN=$KOBO_TOKEN
m_make() {
    python3 - "$T/data/kobo.json" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))[0]
for ver, n in (("v1", 4), ("v2", 12)):
    subs = []
    for i in range(1, n + 1):
        s = dict(base)
        s.update({"_id": i, "_submission_time": "2026-03-%02dT10:00:00" % i, "rh/effectif": str(i),
                  "_submitted_by": "enqueteur%d" % i})
        if i == 3:
            s["_validation_status"] = {"uid": "validation_status_not_approved", "by_whom": "chef"}
        subs.append(s)
    json.dump(subs, open(ver + ".json", "w"))
PY
}
M_DATA=kobo.json
echo '[]' > kobo.json
M_SERVER="--kobo-data kobo.json"
M_FETCH="fetch --survey $SURVEYS/mini --platform kobo --url @BASE@ --survey-id a1 --page-size 3"
M_PAGES=3
M_DATA_PATTERN='/api/v2/assets/'
. "$T/kill_matrix.sh"
