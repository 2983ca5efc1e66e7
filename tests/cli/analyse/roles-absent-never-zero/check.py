"""No indicator of a role the definition lacks, no national 0 with n_missing 0, one notice each."""
import csv
import sys

fail = []


def rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def check(table, err, absent, notices, real_zero=()):
    rs = rows(table)
    names = {r["indicator"] for r in rs}
    for ind in absent:
        hit = [n for n in names if n == ind or n.startswith(ind + ".") or n.startswith(ind + "_")]
        if hit:
            fail.append("%s: %s published although its role is absent" % (table, hit))
    for r in rs:
        if r["indicator"] in real_zero:
            continue
        if r["estimate"] != "" and float(r["estimate"]) == 0 and r["n_missing"] == "0" and r["by"] == "":
            fail.append("%s: %s is 0 with n_missing 0" % (table, r["indicator"]))
    text = open(err, encoding="utf-8").read()
    for role in notices:
        if text.count("role '%s' is not defined" % role) != 1:
            fail.append("%s: no single notice naming role '%s':\n%s" % (err, role, text))


check("shortage.csv", "shortage.err",
      ["vacant_6m_share", "vacant_6m_posts_total", "faisant_fonction_share",
       "faisant_fonction_fte_rate", "turnover_rate", "temp_agency_share",
       "temp_agency_cost_mean", "temp_agency_cost_total", "cause_share", "consequence_share"],
      ["vacant_6m", "faisant_fonction_fte", "temp_agency", "temp_agency_cost", "causes",
       "consequences"])
check("digital.csv", "digital.err",
      ["secure_messaging_share", "esms_numerique_share", "equipment_share", "it_budget_mean",
       "it_budget", "maturity_score", "maturity_alpha", "maturity_share",
       "it_function_share_gap", "broadband_share_gap"],
      ["secure_messaging", "esms_numerique", "equipment", "it_budget", "maturity_items", "size"])
# nobody in the fixture is paid under the SMIC: a true 0 from roles that are present
check("pay.csv", "pay.err", [], [], ("below_smic_share",))
# --without-segur with no Ségur role: refused (exit 3, naming the role), no table written
import os
if open("pay_without_segur.rc").read().strip() != "3":
    fail.append("pay --without-segur without Ségur roles: exit %s, expected 3"
                % open("pay_without_segur.rc").read().strip())
if "binds no variable to role 'segur'" not in open("pay_without_segur.err", encoding="utf-8").read():
    fail.append("pay --without-segur: no message naming role 'segur'")
if os.path.exists("pay_without_segur.csv"):
    fail.append("pay --without-segur: a table was written")
check("gender.csv", "gender.err", [], [])
# gender without --by: the default groupings the survey binds, one notice for age_band
check("gender_default.csv", "gender_default.err", [], ["age_band"])
check("gender_streaming.csv", "gender_streaming.err", [], ["age_band"])
for t in ("gender_default.csv", "gender_streaming.csv"):
    bys = {r["by"] for r in rows(t)}
    if not {"", "job", "employer_sector"} <= bys or "age_band" in bys:
        fail.append("%s: groupings %s, expected national, job and employer_sector" % (t, sorted(bys)))
# estimate: a role the definition lacks is an error, never a column of zeros
check("estimate.csv", "estimate.err", [], [])
check("estimate_rows.csv", "estimate_rows.err", [], [])
if open("estimate_absent.rc").read().strip() == "0":
    fail.append("estimate --var vacant_6m (absent role) succeeded")
# weights: every respondent has a positive weight
for r in rows("weights.csv"):
    w = [v for k, v in r.items() if "weight" in k]
    if any(v == "" or float(v) <= 0 for v in w):
        fail.append("weights.csv: %s has a weight that is 0 or empty: %s" % (r.get("id"), w))
        break
if fail:
    print("\n".join(fail))
    sys.exit(1)
