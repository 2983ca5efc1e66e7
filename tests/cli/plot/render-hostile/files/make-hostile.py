#!/usr/bin/env python3
"""Write hostile.csv/.meta.json and hostile.json (a brief): labels that broke
the SVG, the HTML index or the terminal before (issue 16). Run in files/."""
import csv
import json

H = [
    b"a]]>b end",
    b"&#xD800; ref",
    b"&#x3c;b&#x3e; shown",
    "non\ufffechar\uffffend".encode(),
    "facture\u202efdp.exe".encode(),
    b"esc\x1b[31mred",
    b"del\x7f c1\xc2\x85next",
    # bytes that are not UTF-8 stop every CSV reader (issue 11: core/sv_csv.h): the
    # replacement character and a noncharacter instead
    "bad\ufffd\ufffe bytes \ufffd surrogate".encode(),
    "caf\u00e9 \U0001f984 unicorn".encode(),
    b"<script>alert(1)</script>",
    b"<![CDATA[ x ]]> <!-- c -->",
    b"\"quotes\" & 'apostrophes' &amp; done",
    "fd\ufdd0d0 x\u2028y".encode(),
]
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
HEAD = ("indicator,label,by,group,group_label,estimate,se,ci_low,ci_high,ci_level,"
        "ci_method,df,n,n_missing,population,unit,suppressed,reason").split(",")


def row(ind, label, by, group, glabel, est, unit="share"):
    return [ind.encode(), label, by.encode(), group.encode(), glabel,
            repr(est).encode(), b"0.02", repr(max(est - 0.05, 0)).encode(),
            repr(est + 0.05).encode(), b"0.95", b"logit", b"40", b"30", b"0", b"100",
            unit.encode(), b"0", b""]


def line(cells):
    out = []
    for c in cells:
        if any(ch in c for ch in b',"\n\r'):
            c = b'"' + c.replace(b'"', b'""') + b'"'
        out.append(c)
    return b",".join(out) + b"\n"


rows = []
lab = H[5] + b" share"
for i, h in enumerate(H):
    rows.append(row("h_share", lab, "region", REGIONS[i], h, 0.2 + 0.04 * i))
    for s, sl in (("a", H[0]), ("b", H[2])):
        rows.append(row("h_share", lab, "region;sector", REGIONS[i] + ";" + s,
                        h + " \xe2\x80\x93 ".encode("latin-1").decode("utf-8").encode() + sl,
                        0.1 + 0.03 * i + (0.2 if s == "b" else 0)))
for i, y in enumerate(["2019", "2021", "2024"]):
    for s, sl in (("a", H[6]), ("b", H[8])):
        rows.append(row("h_share", lab, "year;sector", y + ";" + s,
                        y.encode() + " \xe2\x80\x93 ".encode("latin-1").decode("utf-8").encode() + sl,
                        0.3 + 0.1 * i + (0.1 if s == "b" else 0)))
for q, v in (("p10", 1800), ("p25", 1950), ("p50", 2100), ("p75", 2300), ("p90", 2600)):
    for i, h in enumerate(H[:6]):
        rows.append(row("pay." + q, H[1] + b" pay", "job", "j%d" % i, h, float(v + 50 * i),
                        unit="eur"))
with open("hostile.csv", "wb") as f:
    f.write(",".join(HEAD).encode() + b"\n")
    for r in rows:
        f.write(line(r))
with open("hostile.meta.json", "w", encoding="utf-8") as f:
    json.dump({"survey": "hostile", "title": "]]> &#x3c;b&#x3e; \u202eevil\ufffe",
               "source": "Source : <b>&#xD800;</b> \u00e9", "lang": "fr",
               "n_respondents": 13, "unit_label": "r\u00e9ponses"}, f, ensure_ascii=False)
