"""A federation's own files for the bundled definitions: codes and column names of their own,
declared as csv platform codes and names, yes/no words and decimal commas (issue 12)."""
import csv
import json
import os
import sys

surveys, source = sys.argv[1], sys.argv[2]


def platform(v, name=None, codes=None):
    if name:
        v.setdefault("platform", {})["csv"] = name
    for c in v.get("codes", []):
        if codes and c["code"] in codes:
            c.setdefault("platform", {})["csv"] = codes[c["code"]]


# mini_codes (PA/PH, oui/non, ';', decimal commas) + etp_vac_as read as 'vacants_as'
d = json.load(open("mini_codes/survey.json", encoding="utf-8"))
d["id"] = "mini_names"
for v in d["variables"]:
    if v["name"] == "etp_vac_as":
        platform(v, "vacants_as")
os.makedirs("mini_names", exist_ok=True)
json.dump(d, open("mini_names/survey.json", "w", encoding="utf-8"), ensure_ascii=False)
os.system("cp mini_codes/frame.csv mini_names/")
lines = open("mini_codes_data.csv", encoding="utf-8").read().split("\n")
lines[0] = lines[0].replace(";etp_vac_as;", ";vacants_as;")
open("mini_names_data.csv", "w", encoding="utf-8").write("\n".join(lines))

# remuneration: sex F/H, segur oui/non, the pay column 'brut_mensuel', decimal commas, ';'
d = json.load(open(os.path.join(surveys, "remuneration", "survey.json"), encoding="utf-8"))
d["id"] = "rem_codes"
for v in d["variables"]:
    if v["name"] == "sexe":
        platform(v, codes={"f": "F", "h": "H"})
    if v["name"] == "salaire_brut":
        platform(v, "brut_mensuel")
    if v["name"] == "secteur_employeur":
        platform(v, codes={"public": "PUB"})
os.makedirs("rem_codes", exist_ok=True)
if "frame" in d:
    os.system("cp %s rem_codes/" % os.path.join(surveys, "remuneration", d["frame"]["file"]))
json.dump(d, open("rem_codes/survey.json", "w", encoding="utf-8"), ensure_ascii=False)
rows = list(csv.DictReader(open(os.path.join(source, "tests/r/pay_employees.csv"), encoding="utf-8")))
out = open("rem_fed.csv", "w", encoding="utf-8", newline="")
names = ["brut_mensuel" if n == "salaire_brut" else n for n in rows[0].keys()]
w = csv.writer(out, delimiter=";")
w.writerow(names)
for r in rows:
    r["sexe"] = r["sexe"].upper()
    r["segur"] = {"1": "oui", "0": "non", "": ""}[r["segur"]]
    if r["secteur_employeur"] == "public":
        r["secteur_employeur"] = "PUB"
    r["salaire_brut"] = r["salaire_brut"].replace(".", ",")
    w.writerow(r.values())
out.close()
