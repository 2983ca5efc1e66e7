/*
 * analyse shortage: workforce-shortage indicators of the recruitment survey,
 * nationally, by the --by groupings (default region, then sector) and by job
 * family. Every variable is found through the definition's roles.
 *
 * Derived variables, per establishment:
 *   - for a job family f whose budgeted FTE is 0, missing vacancy, 6-month,
 *     entry/exit and 'faisant fonction' answers mean "no post", i.e. 0;
 *   - all-family sums (vacant, budgeted, posts vacant over 6 months, ...) add
 *     the families the establishment answered (each family's own answers
 *     present); an establishment that answered none is missing. The
 *     all-family totals are therefore the sums of the per-family totals, and
 *     their label says so;
 *   - "at least one post vacant over 6 months" (and "employs faisant
 *     fonction") is 1 as soon as one family says so, 0 when every family
 *     asked answered 0, missing otherwise.
 *
 * A role the definition does not give (a family's vacant_6m, entries/exits,
 * faisant_fonction_fte; difficulty, temp_agency, ...) leaves its indicators
 * out, with one notice line naming the role: never a zero for a question
 * that was not asked. A ratio over the families uses, as denominator, the
 * budgeted FTE of the same families as its numerator.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "analyse_cmds.h"
#include "analyse_common.h"

static const struct sv_option options[] = {
    {"survey", OPT_SURVEY, "ID|DIR", "survey definition (e.g. recrutement)"},
    ANALYSE_OPTIONS_SOURCE,
    {"by", OPT_BY, "DIMS", "grouping: region, sector, size, family... ';' crosses (repeatable)"},
    ANALYSE_OPTIONS_DESIGN,
    ANALYSE_OPTIONS_OUTPUT};

struct fam {
    const struct sv_family *f;
    const double *bud, *vac, *v6, *ent, *ext, *ff;
    double *vac_z, *v6_z, *ff_z, *turn_y, *occ, *use; /* derived, owned */
};

static const char *L(enum sv_lang lang, const char *fr, const char *en)
{
    return lang == SV_LANG_EN ? en : fr;
}

static int want_role(struct analyse_run *run, const char *role, bool required,
                     const char **var, struct sv_error *err)
{
    *var = sv_survey_role(run->survey, role);
    if (!*var || !**var) {
        *var = NULL;
        if (required)
            return sv_error_set(err, SV_EDATA, run->survey->file, 0, 0,
                                "survey '%s' defines no role '%s'", run->survey->id, role);
        return 0;
    }
    return analyse_data_want(&run->data, *var, ANALYSE_COL_NUMBER, err);
}

static const double *num(const struct analyse_run *run, const char *var)
{
    const struct analyse_column *c = var ? analyse_data_col(&run->data, var) : NULL;
    return c ? c->num : NULL;
}

static int want_multiple(struct analyse_run *run, const char *var, struct sv_error *err)
{
    const struct sv_variable *v = sv_survey_variable(run->survey, var);
    if (!v || v->type != SV_TYPE_MULTIPLE)
        return sv_error_set(err, SV_EDATA, run->survey->file, 0, 0,
                            "variable '%s' is not a multiple-choice variable", var);
    for (size_t j = 0; j < v->ncodes; j++) {
        char col[256];
        snprintf(col, sizeof col, "%s.%s", var, v->codes[j].code);
        int rc = analyse_data_want(&run->data, col, ANALYSE_COL_NUMBER, err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Value of a family's count, with "no budgeted post" meaning 0 when unanswered. */
static double fam_val(const double *col, const double *bud, size_t i)
{
    if (!col)
        return NAN;
    if (isnan(col[i]) && !isnan(bud[i]) && bud[i] == 0)
        return 0;
    return col[i];
}

struct derived {
    double *vac, *bud, *v6any, *ffany, *ff, *ff_bud, *turn_y, *occ, *v6_total;
};

/* One notice line for a role the definition does not give, naming what is left out. */
static void role_absent(const char *role, const char *where, const char *left_out)
{
    sv_note("role '%s' is not defined%s%s: %s left out", role, where ? " for " : "",
            where ? where : "", left_out);
}

/* The job families that give `role`, ','-joined into buf; returns how many. */
static size_t families_with(const struct sv_survey *s, const char *role, char *buf, size_t size)
{
    size_t k = 0, len = 0;

    buf[0] = '\0';
    for (size_t f = 0; f < s->nfamilies; f++) {
        if (!sv_family_role(&s->families[f], role))
            continue;
        int w = snprintf(buf + len, size - len, "%s%s", k ? "," : "", s->families[f].code);
        if (w > 0 && (size_t)w < size - len)
            len += (size_t)w;
        k++;
    }
    return k;
}

static int run_shortage(struct analyse_run *run, struct sv_error *err)
{
    const struct sv_survey *s = run->survey;
    enum sv_lang lang = run->opt->lang;
    const char *difficulty, *causes, *consequences, *temp, *temp_cost;
    int rc;
    if (s->nfamilies == 0)
        return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                            "survey '%s' defines no job family", s->id);
    if ((rc = want_role(run, "difficulty", false, &difficulty, err)) ||
        (rc = want_role(run, "temp_agency", false, &temp, err)) ||
        (rc = want_role(run, "temp_agency_cost", false, &temp_cost, err)))
        return rc;
    causes = sv_survey_role(s, "causes");
    consequences = sv_survey_role(s, "consequences");
    if (causes && (rc = want_multiple(run, causes, err)))
        return rc;
    if (consequences && (rc = want_multiple(run, consequences, err)))
        return rc;
    static const char *const famroles[] = {"budgeted_fte", "vacant_fte", "vacant_6m",
                                           "entries", "exits", "faisant_fonction_fte"};
    for (size_t f = 0; f < s->nfamilies; f++)
        for (size_t r = 0; r < 6; r++) {
            const char *v = sv_family_role(&s->families[f], famroles[r]);
            if (!v) {
                if (r < 2)
                    return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                                        "job family '%s' defines no role '%s'",
                                        s->families[f].code, famroles[r]);
                continue;
            }
            if ((rc = analyse_data_want(&run->data, v, ANALYSE_COL_NUMBER, err)))
                return rc;
        }
    /* what the definition does not ask is left out, saying so once */
    char fams6[256], famsff[256];
    size_t nf6 = families_with(s, "vacant_6m", fams6, sizeof fams6);
    size_t nfff = families_with(s, "faisant_fonction_fte", famsff, sizeof famsff);
    size_t nfturn = 0;
    for (size_t f = 0; f < s->nfamilies; f++)
        nfturn += sv_family_role(&s->families[f], "entries") &&
                  sv_family_role(&s->families[f], "exits");
    if ((rc = analyse_run_want_by(run, err)) || (rc = analyse_run_load(run, err)))
        return rc;
    if (!difficulty)
        role_absent("difficulty", NULL, "difficulty_share");
    if (nf6 == 0)
        role_absent("vacant_6m", "any job family", "vacant_6m_share and vacant_6m_posts_total");
    else if (nf6 < s->nfamilies)
        sv_note("role 'vacant_6m' is defined only for the job families %s: the all-family "
                "vacant_6m indicators cover those families", fams6);
    if (nfff == 0)
        role_absent("faisant_fonction_fte", "any job family",
                    "faisant_fonction_share and faisant_fonction_fte_rate");
    else if (nfff < s->nfamilies)
        sv_note("role 'faisant_fonction_fte' is defined only for the job families %s: the "
                "all-family faisant_fonction indicators cover those families", famsff);
    if (nfturn == 0)
        role_absent("entries' or 'exits", "any job family", "turnover_rate");
    if (!temp)
        role_absent("temp_agency", NULL, "temp_agency_share");
    if (!temp_cost)
        role_absent("temp_agency_cost", NULL, "temp_agency_cost_mean and temp_agency_cost_total");
    if (!causes)
        role_absent("causes", NULL, "cause_share");
    if (!consequences)
        role_absent("consequences", NULL, "consequence_share");

    size_t n = run->data.nrows, nf = s->nfamilies;
    struct fam *fm = calloc(nf, sizeof *fm);
    struct derived all;
    double **bufs[] = {&all.vac, &all.bud, &all.v6any, &all.ffany, &all.ff, &all.ff_bud,
                       &all.turn_y, &all.occ, &all.v6_total};
    memset(&all, 0, sizeof all);
    if (!fm)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    bool oom = false;
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        oom |= !(*bufs[k] = calloc(n, sizeof(double)));
    for (size_t f = 0; f < nf; f++) {
        const struct sv_family *F = &s->families[f];
        fm[f].f = F;
        fm[f].bud = num(run, sv_family_role(F, "budgeted_fte"));
        fm[f].vac = num(run, sv_family_role(F, "vacant_fte"));
        fm[f].v6 = num(run, sv_family_role(F, "vacant_6m"));
        fm[f].ent = num(run, sv_family_role(F, "entries"));
        fm[f].ext = num(run, sv_family_role(F, "exits"));
        fm[f].ff = num(run, sv_family_role(F, "faisant_fonction_fte"));
        double **fb[] = {&fm[f].vac_z, &fm[f].v6_z, &fm[f].ff_z, &fm[f].turn_y, &fm[f].occ,
                         &fm[f].use};
        for (size_t k = 0; k < 6; k++)
            oom |= !(*fb[k] = calloc(n, sizeof(double)));
    }
    if (oom) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        double vac = 0, bud = 0, ff = 0, ffb = 0, ty = 0, occ = 0, v6sum = 0;
        bool anyv = false, anyt = false, anyf = false, any6 = false;
        int v6 = 0, v6miss = 0, ffp = 0, ffmiss = 0;
        for (size_t f = 0; f < nf; f++) {
            struct fam *m = &fm[f];
            double b = m->bud[i];
            double v = fam_val(m->vac, m->bud, i);
            double six = fam_val(m->v6, m->bud, i);
            double e = fam_val(m->ent, m->bud, i), x = fam_val(m->ext, m->bud, i);
            double fft = fam_val(m->ff, m->bud, i);
            m->vac_z[i] = v;
            m->v6_z[i] = isnan(six) || isnan(b) || b <= 0 ? NAN : (six > 0);
            m->use[i] = isnan(b) ? NAN : (b > 0);
            m->ff_z[i] = fft;
            m->turn_y[i] = (isnan(e) || isnan(x) || isnan(v) || isnan(b)) ? NAN : (e + x) / 2;
            m->occ[i] = (isnan(v) || isnan(b)) ? NAN : b - v;
            if (!isnan(b) && !isnan(v)) {
                vac += v;
                bud += b;
                anyv = true;
            }
            if (!isnan(m->turn_y[i])) {
                ty += m->turn_y[i];
                occ += m->occ[i];
                anyt = true;
            }
            if (!isnan(fft) && !isnan(b)) {
                ff += fft;
                ffb += b;
                anyf = true;
            }
            /* a family without the question does not count */
            if (m->v6 && isnan(six))
                v6miss++;
            else if (m->v6 && six > 0)
                v6++;
            if (m->v6 && !isnan(six)) {
                v6sum += six;
                any6 = true;
            }
            if (m->ff && isnan(fft))
                ffmiss++;
            else if (m->ff && fft > 0)
                ffp++;
        }
        all.vac[i] = anyv ? vac : NAN;
        all.bud[i] = anyv ? bud : NAN;
        all.turn_y[i] = anyt ? ty : NAN;
        all.occ[i] = anyt ? occ : NAN;
        all.ff[i] = anyf ? ff : NAN;
        all.ff_bud[i] = anyf ? ffb : NAN;
        all.v6any[i] = v6 ? 1 : (v6miss ? NAN : 0);
        all.v6_total[i] = any6 ? v6sum : NAN;
        all.ffany[i] = ffp ? 1 : (ffmiss ? NAN : 0);
    }

    /* national (g = NULL), then each --by (default region, then sector) */
    size_t nby = run->ngroupings;
    for (size_t pass = 0; pass <= nby && rc == 0; pass++) {
        const struct analyse_grouping *g = pass == 0 ? NULL : &run->groupings[pass - 1];
        bool fam_in_by = g && strstr(run->opt->by[pass - 1], "family") != NULL;
        bool only_family = fam_in_by && g->by[0] == '\0';
        if (only_family)
            continue; /* same rows as the national family rows */
        const struct analyse_grouping *gg = g;
        if (!fam_in_by) {
            if (difficulty)
                rc = analyse_emit(run, "difficulty_share",
                              L(lang, "Part des établissements déclarant des difficultés de "
                                      "recrutement",
                                "Share of establishments reporting recruitment difficulties"),
                              "share", ANALYSE_PROPORTION, num(run, difficulty), NULL, 0, NULL,
                              gg, NULL, NULL, NULL, ANALYSE_ROW_NO_CV, err);
            if (rc == 0)
                rc = analyse_emit(run, "vacancy_rate",
                                  L(lang, "Taux de vacance (ETP vacants / ETP budgétés)",
                                    "Vacancy rate (vacant FTE / budgeted FTE)"),
                                  "rate", ANALYSE_RATIO, all.vac, all.bud, 0, NULL, gg, NULL,
                                  NULL, NULL, ANALYSE_ROW_DOMINANCE, err);
            if (rc == 0)
                rc = analyse_emit(run, "vacant_fte_total",
                                  L(lang, "ETP vacants dans l'ensemble des adhérents (somme des "
                                          "familles renseignées par chaque établissement)",
                                    "Vacant FTE across all members (sum of the families each "
                                    "establishment answered)"),
                                  "fte", ANALYSE_TOTAL, all.vac, NULL, 0, NULL, gg, NULL,
                                  NULL, NULL, ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE, err);
            if (rc == 0 && nf6)
                rc = analyse_emit(run, "vacant_6m_share",
                                  L(lang, "Part des établissements ayant au moins un poste vacant "
                                          "depuis plus de 6 mois",
                                    "Share of establishments with a post vacant for over 6 "
                                    "months"),
                                  "share", ANALYSE_PROPORTION, all.v6any, NULL, 0, NULL, gg, NULL,
                                  NULL, NULL, ANALYSE_ROW_NO_CV, err);
            if (rc == 0 && nf6)
                rc = analyse_emit(run, "vacant_6m_posts_total",
                                  L(lang, "Postes vacants depuis plus de 6 mois dans l'ensemble "
                                          "des adhérents",
                                    "Posts vacant for over 6 months across all members"),
                                  "count", ANALYSE_TOTAL, all.v6_total, NULL, 0, NULL, gg, NULL,
                                  NULL, NULL, ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE, err);
            if (rc == 0 && nfff)
                rc = analyse_emit(run, "faisant_fonction_share",
                                  L(lang, "Part des établissements employant des « faisant "
                                          "fonction »",
                                    "Share of establishments employing unqualified staff "
                                    "('faisant fonction')"),
                                  "share", ANALYSE_PROPORTION, all.ffany, NULL, 0, NULL, gg, NULL,
                                  NULL, NULL, ANALYSE_ROW_NO_CV, err);
            if (rc == 0 && nfff)
                rc = analyse_emit(run, "faisant_fonction_fte_rate",
                                  L(lang, "ETP « faisant fonction » / ETP budgétés",
                                    "'Faisant fonction' FTE / budgeted FTE"),
                                  "rate", ANALYSE_RATIO, all.ff, all.ff_bud, 0, NULL, gg, NULL, NULL,
                                  NULL, ANALYSE_ROW_DOMINANCE, err);
            if (rc == 0 && nfturn)
                rc = analyse_emit(run, "turnover_rate",
                                  L(lang, "Taux de rotation ((entrées + sorties) / 2 / ETP "
                                          "pourvus)",
                                    "Turnover rate ((entries + exits) / 2 / filled FTE)"),
                                  "rate", ANALYSE_RATIO, all.turn_y, all.occ, 0, NULL, gg, NULL,
                                  NULL, NULL, ANALYSE_ROW_DOMINANCE, err);
            if (rc == 0 && temp)
                rc = analyse_emit(run, "temp_agency_share",
                                  L(lang, "Part des établissements recourant à l'intérim",
                                    "Share of establishments using temporary agency staff"),
                                  "share", ANALYSE_PROPORTION, num(run, temp), NULL, 0, NULL, gg,
                                  NULL, NULL, NULL, ANALYSE_ROW_NO_CV, err);
            if (rc == 0 && temp_cost)
                rc = analyse_emit(run, "temp_agency_cost_mean",
                                  L(lang, "Coût annuel moyen de l'intérim (établissements "
                                          "utilisateurs)",
                                    "Mean yearly cost of agency staff (users)"),
                                  "eur", ANALYSE_MEAN, num(run, temp_cost), NULL, 0, NULL, gg,
                                  NULL, NULL, NULL, 0, err);
            if (rc == 0 && temp_cost)
                rc = analyse_emit(run, "temp_agency_cost_total",
                                  L(lang, "Coût annuel total de l'intérim", "Total yearly cost of "
                                                                            "agency staff"),
                                  "eur", ANALYSE_TOTAL, num(run, temp_cost), NULL, 0, NULL, gg,
                                  NULL, NULL, NULL, ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE,
                                  err);
            if (rc == 0 && causes)
                rc = analyse_emit_multiple(run, causes, "cause_share",
                                   L(lang, "Causes des difficultés (part des établissements en "
                                           "difficulté)",
                                     "Causes of difficulties (share of establishments with "
                                     "difficulties)"),
                                   "cause", gg, err);
            if (rc == 0 && consequences)
                rc = analyse_emit_multiple(run, consequences, "consequence_share",
                                   L(lang, "Conséquences des difficultés",
                                     "Consequences of difficulties"),
                                   "consequence", gg, err);
        }
        /* per job family */
        for (size_t f = 0; f < nf && rc == 0; f++) {
            struct fam *m = &fm[f];
            const char *fl = sv_label_get(&m->f->label, lang);
            const char *fc = m->f->code;
            unsigned char *emp = malloc(n ? n : 1);
            if (!emp) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            for (size_t i = 0; i < n; i++)
                emp[i] = m->use[i] == 1;
            rc = analyse_emit(run, "vacancy_rate",
                              L(lang, "Taux de vacance (ETP vacants / ETP budgétés)",
                                "Vacancy rate (vacant FTE / budgeted FTE)"),
                              "rate", ANALYSE_RATIO, m->vac_z, m->bud, 0, NULL, gg, "family", fc,
                              fl, ANALYSE_ROW_DOMINANCE, err);
            if (rc == 0)
                rc = analyse_emit(run, "vacant_fte_total",
                                  L(lang, "ETP vacants dans l'ensemble des adhérents",
                                    "Vacant FTE across all members"),
                                  "fte", ANALYSE_TOTAL, m->vac_z, NULL, 0, NULL, gg, "family", fc,
                                  fl, ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE, err);
            if (rc == 0 && m->v6)
                rc = analyse_emit(run, "vacant_6m_share",
                                  L(lang, "Part des établissements ayant au moins un poste vacant "
                                          "depuis plus de 6 mois",
                                    "Share of establishments with a post vacant for over 6 "
                                    "months"),
                                  "share", ANALYSE_PROPORTION, m->v6_z, NULL, 0, emp, gg,
                                  "family", fc, fl, ANALYSE_ROW_NO_CV, err);
            if (rc == 0 && m->v6) {
                double *v6f = malloc((n ? n : 1) * sizeof *v6f);
                if (!v6f) {
                    free(emp);
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                for (size_t i = 0; i < n; i++)
                    v6f[i] = fam_val(m->v6, m->bud, i);
                rc = analyse_emit(run, "vacant_6m_posts_total",
                                  L(lang, "Postes vacants depuis plus de 6 mois dans l'ensemble "
                                          "des adhérents",
                                    "Posts vacant for over 6 months across all members"),
                                  "count", ANALYSE_TOTAL, v6f, NULL, 0, NULL, gg, "family", fc, fl,
                                  ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE, err);
                free(v6f);
            }
            if (rc == 0 && m->ff)
                rc = analyse_emit(run, "faisant_fonction_fte_rate",
                                  L(lang, "ETP « faisant fonction » / ETP budgétés",
                                    "'Faisant fonction' FTE / budgeted FTE"),
                                  "rate", ANALYSE_RATIO, m->ff_z, m->bud, 0, NULL, gg, "family",
                                  fc, fl, ANALYSE_ROW_DOMINANCE, err);
            if (rc == 0 && m->ent && m->ext)
                rc = analyse_emit(run, "turnover_rate",
                                  L(lang, "Taux de rotation ((entrées + sorties) / 2 / ETP "
                                          "pourvus)",
                                    "Turnover rate ((entries + exits) / 2 / filled FTE)"),
                                  "rate", ANALYSE_RATIO, m->turn_y, m->occ, 0, NULL, gg, "family",
                                  fc, fl, ANALYSE_ROW_DOMINANCE, err);
            free(emp);
        }
    }
out:
    for (size_t k = 0; k < sizeof bufs / sizeof bufs[0]; k++)
        free(*bufs[k]);
    for (size_t f = 0; f < nf; f++) {
        free(fm[f].vac_z);
        free(fm[f].v6_z);
        free(fm[f].ff_z);
        free(fm[f].turn_y);
        free(fm[f].occ);
        free(fm[f].use);
    }
    free(fm);
    return rc;
}

int analyse_cmd_shortage(int argc, char **argv)
{
    struct analyse_cmdopts opt;
    int code = analyse_cmd_parse(
        &opt, argc, argv, options,
        "analyse shortage --survey recrutement (--store F | --data F) [options] -o FILE",
        "Workforce-shortage indicators: vacancy rates, posts vacant over 6 months, recruitment\n"
        "difficulty, 'faisant fonction' staff, turnover, agency staff, causes; nationally, by\n"
        "the --by groupings (default: region, then sector) and by job family.");
    if (code >= 0)
        return code;
    static const char *const defaults[] = {"region", "sector"};
    struct analyse_run run;
    struct sv_error err;
    sv_error_clear(&err);
    int rc = analyse_run_open(&run, &opt, &err);
    if (rc == 0 && opt.nby == 0)
        analyse_default_by(opt.by, &opt.nby, run.survey, defaults, 2);
    if (rc == 0)
        rc = run_shortage(&run, &err);
    if (rc)
        code = sv_fail_error(&err);
    else
        code = analyse_run_finish(&run, "Tensions de recrutement", "Recruitment shortages");
    analyse_run_release(&run);
    return code;
}
