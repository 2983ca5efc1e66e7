"""Compare a pay table with R's survey (tests/r/pay_design_reference.csv) at 1e-9.

usage: check_design.py TABLE.csv TAG [OWN=R,...]   (TAG: design or iid)
Every published row whose reference exists is checked: estimate, se, ci_low,
ci_high, df (and population for the design); the run fails when fewer rows
than expected were compared, or when no sector gap was. OWN=R pairs map a
definition's own codes back to those of the R script (PUB=public,...).
"""
import csv, math, os, sys

table, tag = sys.argv[1], sys.argv[2]
recode = dict(p.split("=") for p in sys.argv[3].split(",")) if len(sys.argv) > 3 else {}
# the gap rows are named by the reference sector's kind; R's keys by its code
kind_code = {"public": "public", "for_profit": "prive_lucratif"}
ref = {r["name"]: float(r["value"]) for r in
       csv.DictReader(open(os.environ["VIGIE_SOURCE"] + "/tests/r/pay_design_reference.csv"))}
rows = list(csv.DictReader(open(table)))
for r in rows:
    r["group"] = ";".join(recode.get(c, c) for c in r["group"].split(";"))
bad, checked, gaps = [], 0, 0


def close(got, want, what):
    global checked
    if math.isnan(want):
        if got not in ("", "nan", "NaN"):
            bad.append("%s: expected empty, got %r" % (what, got))
        return
    if got == "":
        bad.append("%s: empty, expected %r" % (what, want))
        return
    g = float(got)
    if abs(g - want) > 1e-9 * max(abs(g), abs(want), 1e-300):
        bad.append("%s: %r vs R %r (rel %.2g)" % (what, g, want, abs(g - want) / max(abs(want), 1e-300)))
    checked += 1


def cmp(row, stem, key, fields):
    for col, pre in fields:
        name = "%s|%s|%s" % (pre, tag, key) if pre else None
        if name in ref:
            close(row[col], ref[name], "%s %s %s" % (row["indicator"], row["group"], col))


for r in rows:
    if r["suppressed"] == "1":
        continue
    ind, g = r["indicator"], r["group"]
    for v in ("monthly", "hourly"):
        key = "%s|%s" % (v, g)
        if ind == v + "_pay_mean":
            cmp(r, v, key, [("estimate", "mean"), ("se", "mean_se"), ("ci_low", "mean_lo"),
                             ("ci_high", "mean_hi"), ("df", "mean_df"), ("population", "pop")])
        elif ind == v + "_pay_median":
            cmp(r, v, key, [("estimate", "median"), ("se", "median_se"), ("ci_low", "median_lo"),
                             ("ci_high", "median_hi")])
        elif ind.startswith(v + "_pay.p"):
            cmp(r, v, key, [("estimate", "q" + ind.split(".p")[1])])
        for kind, ref_sector in kind_code.items():
            k = "%s|%s;%s" % (v, g, ref_sector)
            if ind.startswith("%s_pay_mean_gap_vs_%s" % (v, kind)):
                gaps += 1
            if ind == "%s_pay_mean_gap_vs_%s" % (v, kind):
                cmp(r, v, k, [("estimate", "diff"), ("se", "diff_se"), ("ci_low", "diff_lo"),
                              ("ci_high", "diff_hi"), ("df", "diff_df")])
            elif ind == "%s_pay_mean_gap_vs_%s_pct" % (v, kind):
                cmp(r, v, k, [("estimate", "rel"), ("se", "rel_se"), ("ci_low", "rel_lo"),
                              ("ci_high", "rel_hi"), ("df", "rel_df")])
    for pct, name in ((100, "below_smic_share"), (105, "below_smic_105_share"), (110, "below_smic_110_share")):
        if ind == name:
            cmp(r, None, "below%d|%s" % (pct, g), [("estimate", "share"), ("se", "share_se"),
                                                  ("ci_low", "share_lo"), ("ci_high", "share_hi"),
                                                  ("df", "share_df")])
if bad:
    print("\n".join(bad[:40]))
    print("%d mismatches out of %d values" % (len(bad), checked + len(bad)))
    sys.exit(1)
if checked < 400:
    sys.exit("only %d values compared" % checked)
if gaps < 8:
    sys.exit("only %d published sector gap rows compared" % gaps)
print("%d values equal to R within 1e-9 (%d sector gap rows)" % (checked, gaps))
