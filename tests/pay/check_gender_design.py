"""Compare `analyse gender` tables with R (tests/r/pay_design_reference.csv) at 1e-9.

usage: check_gender_design.py TABLE.csv TAG SE
TAG: design or iid (means, medians, Eurostat gaps); SE: design, classical,
hc0, hc1, hc2, hc3 (the regression's coefficients); R2, adjusted R2, sigma;
iid: the Oaxaca-Blinder references women, Reimers, Cotton and the threefold
parts with their SEs against the hand computation in R.
"""
import csv, math, os, sys

table, tag, se_kind = sys.argv[1:4]
ref = {r["name"]: float(r["value"]) for r in
       csv.DictReader(open(os.environ["VIGIE_SOURCE"] + "/tests/r/pay_design_reference.csv"))}
rows = list(csv.DictReader(open(table)))
bad, checked = [], 0


def close(got, want, what):
    global checked
    if got == "":
        bad.append("%s: empty, expected %r" % (what, want))
        return
    g = float(got)
    if abs(g - want) > 1e-9 * max(abs(g), abs(want), 1e-300):
        bad.append("%s: %r vs R %r" % (what, g, want))
    checked += 1


def cmp(row, prefix, cols):
    for col, stat in cols:
        name = "%s|%s" % (stat, prefix)
        if name in ref:
            close(row[col], ref[name], "%s %s %s" % (row["indicator"], row["group"], col))
        else:
            bad.append("no reference %s" % name)


for r in rows:
    if r["suppressed"] == "1":
        continue
    ind = r["indicator"]
    key = "" if r["by"] == "" else "%s|%s" % (r["by"], r["group"])
    for sx in ("f", "h"):
        p = "g|%s|%s|%s" % (tag, sx, key)
        if ind == "hourly_pay_mean_" + sx:
            cmp(r, p, [("estimate", "mean"), ("se", "mean_se"), ("ci_low", "mean_lo"),
                       ("ci_high", "mean_hi"), ("df", "mean_df"), ("population", "pop")])
        elif ind == "hourly_pay_median_" + sx:
            cmp(r, p, [("estimate", "median"), ("se", "median_se"), ("ci_low", "median_lo"),
                       ("ci_high", "median_hi")])
    if ind == "gender_gap_mean":
        cmp(r, "g|%s|gap|%s" % (tag, key), [("estimate", "gap"), ("se", "gap_se"),
                                           ("ci_low", "gap_lo"), ("ci_high", "gap_hi"),
                                           ("df", "gap_df")])
    elif ind == "ols_coefficient":
        cmp(r, "ols|%s|%s" % (se_kind, r["group"]), [("estimate", "b"), ("se", "se"),
                                                    ("ci_low", "lo"), ("ci_high", "hi"), ("df", "df")])
    elif ind in ("ols_r2", "ols_adj_r2", "ols_sigma"):
        stat = {"ols_r2": "r2", "ols_adj_r2": "adjr2", "ols_sigma": "sigma"}[ind]
        close(r["estimate"], ref["%s|%s" % (stat, "design" if se_kind == "design" else "iid")], ind)
    elif tag == "iid" and ind.startswith("oaxaca") and r["group"] in ("women", "reimers", "cotton", "threefold", "neumark"):
        g = r["group"]
        if g == "threefold":
            k = {"oaxaca3_endowments": "E", "oaxaca3_coefficients": "C", "oaxaca3_interaction": "I"}[ind]
            close(r["estimate"], ref["ob3|" + k], ind)
            close(r["se"], ref["ob3|%s_se" % k], ind + " se")
        elif ind == "oaxaca_gap":
            close(r["estimate"], ref["ob|gap"], ind)
            close(r["se"], ref["ob|gap_se"], ind + " se")
        else:
            k = "E" if ind == "oaxaca_explained" else "U"
            close(r["estimate"], ref["ob|%s|%s" % (k, g)], ind + " " + g)
            if g == "neumark" and k == "U":
                # not published: it needs the pooled and group models' covariance
                if r["se"] != "" or "not computed" not in r["reason"]:
                    bad.append("neumark U: se %r reason %r" % (r["se"], r["reason"]))
            else:
                close(r["se"], ref["ob|%s_se|%s" % (k, g)], ind + " se " + g)
    elif tag == "design" and ind == "oaxaca_unexplained" and r["group"] == "pooled":
        # -b_women exactly, so svyglm's SE of that coefficient
        close(r["estimate"], -ref["b|ols|design|sex=f"], ind + " pooled")
        close(r["se"], ref["se|ols|design|sex=f"], ind + " pooled se")
if tag == "iid" and not any(r["group"] == "threefold" for r in rows):
    bad.append("no threefold rows")
if tag == "iid" and sum(r["group"] == "neumark" for r in rows) != 3:
    bad.append("not 3 neumark rows")
if bad:
    print("\n".join(bad[:40]))
    sys.exit("%d mismatches" % len(bad))
if checked < 60:
    sys.exit("only %d values compared" % checked)
print("%d values equal to R within 1e-9" % checked)
