"""Copies of the bundled numerique and remuneration definitions without their optional roles."""
import json
import os
import shutil
import sys

surveys = sys.argv[1]


def strip(src, dst, keep):
    os.makedirs(dst, exist_ok=True)
    d = json.load(open(os.path.join(surveys, src, "survey.json"), encoding="utf-8"))
    d["id"] = dst
    d["roles"] = {k: v for k, v in d["roles"].items() if k in keep}
    if "frame" in d:
        shutil.copy(os.path.join(surveys, src, d["frame"]["file"]), dst)
    json.dump(d, open(os.path.join(dst, "survey.json"), "w", encoding="utf-8"), ensure_ascii=False)


# numerique: no secure messaging, ESMS programme, equipment, budget, maturity items nor size
strip("numerique", "num_noopt", {"region", "sector", "it_function", "broadband", "client_record",
                                 "staff_trained_share", "establishment_id"})
# remuneration: no Ségur, seniority, age band, CSP, agreement, region, employer id
strip("remuneration", "rem_noopt", {"employer_sector", "job", "sex", "hours", "gross_monthly_pay"})
