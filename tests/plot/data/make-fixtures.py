#!/usr/bin/env python3
"""Write the small indicator tables (core sv_itable format) the plot tests use.

Values are invented for layout tests; they are not survey results.
Run from this directory: ./make-fixtures.py
"""
import csv, json

HEADER = ["indicator", "label", "by", "group", "group_label", "estimate", "se", "ci_low",
          "ci_high", "ci_level", "ci_method", "df", "n", "n_missing", "population", "unit",
          "suppressed", "reason"]

REGIONS = [("11", "Île-de-France"), ("24", "Centre-Val de Loire"),
           ("27", "Bourgogne-Franche-Comté"), ("28", "Normandie"), ("32", "Hauts-de-France"),
           ("44", "Grand Est"), ("52", "Pays de la Loire"), ("53", "Bretagne"),
           ("75", "Nouvelle-Aquitaine"), ("76", "Occitanie"), ("84", "Auvergne-Rhône-Alpes"),
           ("93", "Provence-Alpes-Côte d'Azur"), ("94", "Corse"), ("01", "Guadeloupe"),
           ("02", "Martinique"), ("03", "Guyane"), ("04", "La Réunion"), ("06", "Mayotte")]


def row(ind, label, by, group, glabel, est, half=None, n=30, unit="share", supp=False,
        reason=""):
    if supp:
        return [ind, label, by, group, glabel, "", "", "", "", "0.95", "logit", "", str(n), "0",
                "", unit, "1", reason]
    se = half / 1.96 if half is not None else None
    return [ind, label, by, group, glabel, repr(est), repr(se) if se is not None else "",
            repr(est - half) if half is not None else "", repr(est + half) if half is not None else "",
            "0.95", "logit" if half is not None else "none", "40", str(n), "0", "100", unit, "0", ""]


def write(name, rows, meta):
    with open(name + ".csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    with open(name + ".meta.json", "w") as f:
        json.dump(meta, f, ensure_ascii=False, indent=2)
        f.write("\n")


META = {"survey": "recrutement", "survey_version": "1", "wave": "2026",
        "title": "Deux établissements sur trois peinent à recruter",
        "source": "Source : enquête recrutement 2026 (données fictives)",
        "design": "stratified", "weighting": "frame", "lang": "fr", "n_respondents": 412,
        "unit_label": "établissements", "min_cell": 3, "dominance": 0.85}

lab = "Part des établissements déclarant des difficultés de recrutement"
rows = [row("difficulty_share", lab, "", "", "Ensemble", 0.662, 0.046, n=412)]
vals = [0.71, 0.58, 0.64, 0.69, 0.61, 0.74, 0.66, 0.55, 0.68, 0.63, 0.72, 0.60, None, 0.52,
        0.57, 0.81, 0.49, None]
for (code, name), v in zip(REGIONS, vals):
    if v is None:
        rows.append(row("difficulty_share", lab, "region", code, name, 0, supp=True, n=2,
                        reason="n<3"))
    else:
        rows.append(row("difficulty_share", lab, "region", code, name, v, 0.09, n=25))
SECT = [("pa", "Personnes âgées"), ("ph", "Handicap"), ("pe", "Protection de l'enfance"),
        ("ahi", "Exclusion, hébergement"), ("cds", "Centres de santé")]
for (code, name), v in zip(SECT, [0.74, 0.66, 0.61, 0.52, 0.47]):
    rows.append(row("difficulty_share", lab, "sector", code, name, v, 0.07, n=80))
FAM = [("as", "Aide-soignant"), ("ide", "Infirmier"), ("es", "Éducateur spécialisé"),
       ("aes", "Accompagnant éducatif et social")]
vl = "Taux de postes vacants"
for (fc, fn), base in zip(FAM, [0.082, 0.094, 0.061, 0.057]):
    for (sc, sn), d in zip(SECT[:2], [0.01, -0.012]):
        rows.append(row("vacancy_rate", vl, "family;sector", fc + ";" + sc, fn + " – " + sn,
                        base + d, 0.012, unit="rate"))
write("shortage", rows, META)

META2 = dict(META, survey="numerique", title="Le dossier usager informatisé progresse",
             source="Source : enquête numérique 2026 (données fictives)", n_respondents=388)
rows = []
cl = "Dossier usager informatisé"
CR = [("oui", "Oui"), ("en_cours", "En cours de déploiement"), ("non", "Non")]
for (sc, sn), parts in zip(SECT, [(0.52, 0.28, 0.20), (0.44, 0.31, 0.25), (0.31, 0.30, 0.39),
                                  (0.22, 0.25, 0.53), (0.70, 0.18, 0.12)]):
    for (cc, cn), p in zip(CR, parts):
        if sc == "cds" and cc == "non":
            rows.append(row("client_record_share", cl, "sector;client_record", sc + ";" + cc,
                            sn + " – " + cn, 0, supp=True, n=2, reason="n<3"))
        else:
            rows.append(row("client_record_share", cl, "sector;client_record", sc + ";" + cc,
                            sn + " – " + cn, p, 0.05))
ml = "Maturité numérique (réponses)"
ITEMS = [("mat_1", "Les outils numériques sont adaptés"), ("mat_2", "Les équipes sont formées"),
         ("mat_3", "Les données sont sécurisées"), ("mat_4", "La direction porte le projet")]
LEV = [("1", "Pas du tout d'accord"), ("2", "Plutôt pas d'accord"), ("3", "Ni l'un ni l'autre"),
       ("4", "Plutôt d'accord"), ("5", "Tout à fait d'accord")]
for (ic, iname), parts in zip(ITEMS, [(0.10, 0.22, 0.18, 0.35, 0.15), (0.18, 0.30, 0.20, 0.24, 0.08),
                                      (0.06, 0.14, 0.25, 0.38, 0.17), (0.05, 0.10, 0.15, 0.40, 0.30)]):
    for (lc, ln), p in zip(LEV, parts):
        rows.append(row("maturity_share", ml, "item;level", ic + ";" + lc, iname + " – " + ln, p))
write("digital", rows, META2)

META3 = dict(META, survey="remuneration", title="Les salaires du non lucratif restent en retrait",
             source="Source : enquête rémunérations 2026 (données fictives)", n_respondents=20114,
             unit_label="salariés")
rows = []
JOBS = [("as", "Aide-soignant"), ("ide", "Infirmier"), ("es", "Éducateur spécialisé"),
        ("aes", "Accompagnant éducatif et social")]
ql = "Salaire brut mensuel"
for (jc, jn), q in zip(JOBS, [(1850, 1990, 2150, 2380, 2600), (2350, 2560, 2800, 3100, 3450),
                              (2050, 2230, 2450, 2720, 3000), (1780, 1880, 2010, 2200, 2390)]):
    for suf, v in zip(["p10", "p25", "p50", "p75", "p90"], q):
        rows.append(row("monthly_pay." + suf, ql + " (" + suf + ")", "job", jc, jn, float(v),
                        unit="eur", n=900))
ml = "Salaire brut mensuel moyen"
SEC = [("public", "Public"), ("prive_non_lucratif", "Privé non lucratif")]
for (jc, jn), pair in zip(JOBS, [(2310, 2190), (2990, 2780), (2600, 2480), (2090, 2050)]):
    for (sc, sn), v in zip(SEC, pair):
        rows.append(row("mean_pay", ml, "job;employer_sector", jc + ";" + sc, jn + " – " + sn,
                        float(v), 25.0, unit="eur", n=800))
write("pay", rows, META3)

META4 = dict(META, title="La difficulté à recruter s'est aggravée depuis 2019")
rows = []
wl = "Part des établissements déclarant des difficultés de recrutement"
for (sc, sn), series in zip(SECT[:3], [(0.48, 0.55, 0.63, 0.71, 0.74), (0.41, 0.47, 0.58, 0.64, 0.66),
                                      (0.39, 0.45, None, 0.57, 0.61)]):
    for wave, v in zip(["2019", "2021", "2022", "2024", "2026"], series):
        if v is None:
            rows.append(row("difficulty_share", wl, "wave;sector", wave + ";" + sc,
                            wave + " – " + sn, 0, supp=True, n=2, reason="n<3"))
        else:
            rows.append(row("difficulty_share", wl, "wave;sector", wave + ";" + sc,
                            wave + " – " + sn, v, 0.05))
write("waves", rows, META4)

# Two waves of the same survey, one table each (plot --table A --table B)
for wave, base in [("2022", 0.58), ("2024", 0.64), ("2026", 0.69)]:
    rows = [row("difficulty_share", wl, "", "", "Ensemble", base, 0.04, n=400)]
    for (sc, sn), d in zip(SECT, [0.06, 0.02, -0.01, -0.05, -0.09]):
        rows.append(row("difficulty_share", wl, "sector", sc, sn, base + d, 0.06, n=80))
    write("wave" + wave, rows, dict(META, wave=wave, title="Recrutement " + wave,
                                    source="Source : enquête recrutement " + wave + " (données fictives)"))
