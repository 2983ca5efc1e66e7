# LimeSurvey: ids with gaps, the rows of a window in either order, a partial save
# completed later and another left partial; a fetch cut or killed at every window
# resumes to exactly what a clean full fetch stores (see ../kill_matrix.sh).
export VIGIE_LIMESURVEY_USER=$LS_USER VIGIE_LIMESURVEY_PASSWORD=$LS_PASSWORD
m_make() {
    python3 - "$T/data/ls-small.json" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))["responses"][0]
for ver in ("v1", "v2"):
    ids = [1, 2, 4, 7, 8, 9, 15]
    if ver == "v2":
        ids += [16, 17, 30, 31, 40]
    rows = []
    for i in ids:
        r = dict(base)
        r.update({"id": i, "commentaire": "r%d" % i, "token": "TOKEN%04d" % i, "ipaddr": "10.0.0.%d" % i})
        if (i == 4 and ver == "v1") or i == 31:
            r.update({"submitdate": None, "difficulte": ""})
        rows.append(r)
    json.dump({"responses": rows}, open(ver + ".json", "w"))
PY
}
M_DATA=ls.json
echo '{"responses": []}' > ls.json
M_SERVER="--ls-data ls.json"
M_FETCH="fetch --survey $SURVEYS/lsfix --platform limesurvey --url @BASE@/index.php/admin/remotecontrol --survey-id 5 --page-size 3"
M_PAGES=6
M_DATA_PATTERN='export_responses'
. "$T/kill_matrix.sh"
