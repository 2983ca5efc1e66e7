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
# --without-segur with no Ségur role: missing everywhere, never the pay minus 0
check("pay_without_segur.csv", "pay_without_segur.err", [], [])
check("gender.csv", "gender.err", [], [])
if fail:
    print("\n".join(fail))
    sys.exit(1)
