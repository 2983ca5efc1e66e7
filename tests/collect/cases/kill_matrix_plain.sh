# Paged JSON (--next): a fetch cut or killed at every page boundary, records in either
# order, resumes to exactly what a clean full fetch stores (see ../kill_matrix.sh).
m_make() {
    python3 - "$T/data/page2.json" "$BASE" "$order" <<'PY'
import json, sys
base = json.load(open(sys.argv[1]))
rec = base["data"]["items"][0]
for ver, n in (("v1", 7), ("v2", 12)):
    recs = []
    for i in range(1, n + 1):
        r = dict(rec)
        r.update({"id": "r%02d" % i, "effectif": i})
        recs.append(r)
    if sys.argv[3] == "newest":
        recs.reverse()
    pages = [recs[i:i + 3] for i in range(0, len(recs), 3)]
    out = {}
    for k, p in enumerate(pages):
        doc = {"data": {"items": p}}
        if k + 1 < len(pages):
            doc["links"] = {"next": "%s/plain/%s-p%d.json" % (sys.argv[2], ver, k + 2)}
        out["%s-p%d.json" % (ver, k + 1)] = doc
    for name, doc in out.items():
        json.dump(doc, open(name, "w"))
    json.dump(out["%s-p1.json" % ver], open(ver + ".json", "w"))
PY
}
M_DATA=p1.json
M_SERVER="--plain-dir ."
M_FETCH="fetch --survey $SURVEYS/mini --platform json --url @BASE@/plain/p1.json --records data.items --next links.next"
M_PAGES=4
M_DATA_PATTERN='/plain/'
. "$T/kill_matrix.sh"
