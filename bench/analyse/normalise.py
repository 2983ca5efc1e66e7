#!/usr/bin/env python3
"""Turn gensample's platform CSV of the recrutement survey into the normalised
CSV analyse reads (source,id,submitted,<schema columns>): multiple-choice
answers (space-separated codes) become one 0/1 column per code, free text is
left out. Used by bench/analyse/run.sh only.

    normalise.py SURVEY_JSON < platform.csv > normalised.csv
"""
import csv
import json
import sys


def main():
    survey = json.load(open(sys.argv[1], encoding="utf-8"))
    cols = []  # (output name, input name, code or None)
    for v in survey["variables"]:
        if v["type"] == "text" or v.get("personal") == "drop":
            continue
        if v["type"] == "multiple":
            for c in v["codes"]:
                cols.append((v["name"] + "." + c["code"], v["name"], c["code"]))
        else:
            cols.append((v["name"], v["name"], None))
    reader = csv.DictReader(sys.stdin)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["source", "id", "submitted"] + [c[0] for c in cols])
    for k, row in enumerate(reader, 1):
        cells = ["bench", "r%07d" % k, ""]
        for _, name, code in cols:
            val = row.get(name, "")
            if code is None:
                cells.append(val)
            elif val == "" and row.get("difficulte", "") != "1" and name in ("causes", "consequences"):
                cells.append("")
            else:
                cells.append("1" if code in val.split() else "0")
        out.writerow(cells)


if __name__ == "__main__":
    main()
