"""fuzz.py ANALYSE N: rewrite mini_data.csv N ways (seeded) and compare `analyse estimate`
streamed with `--rows` on each: exit status, stderr, rows, estimates, n and n_missing."""
import csv, random, subprocess, sys

analyse, n = sys.argv[1], int(sys.argv[2])
rows = list(csv.reader(open("mini_data.csv", newline="")))
stats = (["--var", "etp_vac_as", "--stat", "ratio", "--denominator", "etp_bud_as"],
         ["--var", "taille"], ["--var", "difficulte", "--weights", "post"],
         ["--var", "etp_bud_as", "--stat", "total", "--weights", "frame"])
compared = 0
for seed in range(n):
    r = random.Random(seed)
    sep, eol = r.choice([",", ";"]), r.choice(["\n", "\r\n"])
    out = ["\ufeff"] if r.random() < 0.3 else []
    for i, row in enumerate(rows):
        cells = []
        for j, v in enumerate(row):
            if sep == ";" and i > 0 and j >= 6:
                v = v.replace(".", ",")  # Excel-France decimal comma
            if j == 0 and i > 0 and r.random() < 0.3:
                v = 'a"b' + sep + "\nc" + ("\r\n" if r.random() < 0.5 else "")
            if r.random() < 0.3 or '"' in v or sep in v or "\n" in v:
                v = '"' + v.replace('"', '""') + '"'
            cells.append(v)
        out.append(sep.join(cells) + eol)
        if r.random() < 0.05:
            out.append(eol)
    with open("f.csv", "w", newline="", encoding="utf-8") as f:
        f.write("".join(out))
    for args in stats:
        base = [analyse, "estimate", "-q", "--survey", "./mini", "--data", "f.csv", "--by",
                "region", "-o", "-"] + args
        a = subprocess.run(base, capture_output=True, text=True)
        b = subprocess.run(base[:2] + ["--rows"] + base[2:], capture_output=True, text=True)
        where = "seed %d, %s" % (seed, " ".join(args))
        if a.returncode != b.returncode or a.stderr != b.stderr or a.returncode != 0:
            sys.exit("%s: exit %d/%d, stderr %r / %r" % (where, a.returncode, b.returncode,
                                                         a.stderr, b.stderr))
        ra = list(csv.DictReader(a.stdout.splitlines()))
        rb = list(csv.DictReader(b.stdout.splitlines()))
        if len(ra) != len(rb) or not ra:
            sys.exit("%s: %d rows streamed, %d by rows" % (where, len(ra), len(rb)))
        for x, y in zip(ra, rb):
            for k in ("by", "group", "n", "n_missing", "suppressed", "estimate", "se"):
                if x[k] == y[k]:
                    continue
                if k in ("estimate", "se") and x[k] and y[k] and \
                        abs(float(x[k]) - float(y[k])) <= 1e-12 * max(1.0, abs(float(y[k]))):
                    continue
                sys.exit("%s: %s %s %s: %r streamed, %r by rows" % (where, x["by"], x["group"],
                                                                     k, x[k], y[k]))
            compared += 1
print("%d files, %d rows compared" % (n, compared))
