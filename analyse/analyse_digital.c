/*
 * analyse digital: digital-readiness indicators of the numerique survey,
 * nationally and by the --by groupings (default region, sector, size), plus
 * the gap between large and small establishments. Variables come from roles.
 *
 *   - yes/no shares: it_function, broadband, secure_messaging, esms_numerique;
 *   - client_record: the share at each stage (one row per code);
 *   - equipment: multiple-choice shares, ranked;
 *   - staff_trained_share: mean of the per-establishment percentage, as a fraction;
 *   - it_budget: mean and quantiles p10..p90 (rows "it_budget.p50"...);
 *   - maturity_score: per establishment the mean of the Likert items (all
 *     answered), then its design-based mean; maturity_alpha: Cronbach's alpha
 *     of the items (unweighted, respondents with every item);
 *   - maturity_share: nationally, for each item the share answering each
 *     level (by "item;level", group "mat_outils;1", group_label
 *     "Outils – Pas du tout d'accord": what plot stacked --diverging reads);
 *   - *_gap: large minus small establishments (the size role's codes, first
 *     half = small, second half = large), difference with its design-based
 *     SE, t interval on the df of the two groups; unit "points" for the
 *     difference of two shares (a fraction, 0.031 = 3.1 points).
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
    {"survey", OPT_SURVEY, "ID|DIR", "survey definition (e.g. numerique)"},
    ANALYSE_OPTIONS_SOURCE,
    {"by", OPT_BY, "DIMS", "grouping: region, sector, size... ';' crosses (repeatable)"},
    ANALYSE_OPTIONS_DESIGN,
    ANALYSE_OPTIONS_OUTPUT};

/* --by was not given: the default groupings are those the definition has roles for */
static bool by_defaulted;

static const char *L(enum sv_lang lang, const char *fr, const char *en)
{
    return lang == SV_LANG_EN ? en : fr;
}

static const double *num(const struct analyse_run *run, const char *var)
{
    const struct analyse_column *c = var ? analyse_data_col(&run->data, var) : NULL;
    return c ? c->num : NULL;
}

struct share {
    const char *role, *indicator, *fr, *en;
    const char *var;
};

/* Add a gap row: large minus small. */
static int emit_gap(struct analyse_run *run, const char *indicator, const char *label,
                    const char *unit, enum analyse_stat stat, const double *y,
                    const unsigned char *small, const unsigned char *large,
                    struct sv_error *err)
{
    struct analyse_diff df;
    int rc = analyse_difference(&df, run->setup.design, stat, y, NULL, large, small, &run->est,
                                err);
    if (rc)
        return rc;
    struct analyse_result r;
    analyse_diff_result(&r, &df);
    unsigned flags = ANALYSE_ROW_NO_CV;
    if (df.a.n < run->opt->min_cell || df.b.n < run->opt->min_cell)
        flags |= ANALYSE_ROW_SMALL;
    return analyse_out_row(&run->out, indicator, label, "size_class", "large-small",
                           L(run->opt->lang, "Grands – petits établissements",
                             "Large – small establishments"),
                           unit, &r, flags, err);
}

static int run_digital(struct analyse_run *run, struct sv_error *err)
{
    const struct sv_survey *s = run->survey;
    enum sv_lang lang = run->opt->lang;
    struct share shares[] = {
        {"it_function", "it_function_share", "Part des établissements dotés d'une fonction "
                                             "informatique dédiée",
         "Share of establishments with a dedicated IT function", NULL},
        {"broadband", "broadband_share", "Part des établissements raccordés au haut débit",
         "Share of establishments with broadband", NULL},
        {"secure_messaging", "secure_messaging_share",
         "Part des établissements utilisant une messagerie sécurisée de santé",
         "Share of establishments using secure health messaging", NULL},
        {"esms_numerique", "esms_numerique_share",
         "Part des établissements engagés dans le programme ESMS numérique",
         "Share of establishments in the ESMS numérique programme", NULL},
    };
    size_t nshares = sizeof shares / sizeof shares[0];
    int rc = 0;
    for (size_t k = 0; k < nshares; k++) {
        shares[k].var = sv_survey_role(s, shares[k].role);
        if (shares[k].var && (rc = analyse_data_want(&run->data, shares[k].var, ANALYSE_COL_NUMBER, err)))
            return rc;
    }
    const char *dui = sv_survey_role(s, "client_record");
    const char *equip = sv_survey_role(s, "equipment");
    const char *trained = sv_survey_role(s, "staff_trained_share");
    const char *budget = sv_survey_role(s, "it_budget");
    const char *items = sv_survey_role(s, "maturity_items");
    const char *size = sv_survey_role(s, "size");
    if (dui && (rc = analyse_data_want(&run->data, dui, ANALYSE_COL_CODE, err)))
        return rc;
    const struct sv_variable *ev = equip ? sv_survey_variable(s, equip) : NULL;
    for (size_t j = 0; ev && j < ev->ncodes; j++) {
        char col[256];
        snprintf(col, sizeof col, "%s.%s", equip, ev->codes[j].code);
        if ((rc = analyse_data_want(&run->data, col, ANALYSE_COL_NUMBER, err)))
            return rc;
    }
    if (trained && (rc = analyse_data_want(&run->data, trained, ANALYSE_COL_NUMBER, err)))
        return rc;
    if (budget && (rc = analyse_data_want(&run->data, budget, ANALYSE_COL_NUMBER, err)))
        return rc;
    if (size && (rc = analyse_data_want(&run->data, size, ANALYSE_COL_CODE, err)))
        return rc;
    char itemv[8][128];
    size_t nitems = 0;
    if (items) {
        const char *p = items;
        while (*p && nitems < 8) {
            size_t len = strcspn(p, ",");
            if (len == 0 || len >= sizeof itemv[0])
                return sv_error_set(err, SV_EDATA, s->file, 0, 0, "bad role 'maturity_items'");
            memcpy(itemv[nitems], p, len);
            itemv[nitems][len] = '\0';
            if ((rc = analyse_data_want(&run->data, itemv[nitems], ANALYSE_COL_NUMBER, err)))
                return rc;
            nitems++;
            p += len;
            if (*p)
                p++;
        }
    }
    if ((rc = analyse_run_want_by(run, err)) || (rc = analyse_run_load(run, err)))
        return rc;
    /* what the definition does not ask is left out, saying so once */
    static const struct {
        const char *role, *left_out;
    } optional[] = {
        {"client_record", "client_record_share"},
        {"equipment", "equipment_share"},
        {"staff_trained_share", "staff_trained_share"},
        {"it_budget", "it_budget_mean and its quantiles"},
        {"maturity_items", "maturity_score, maturity_alpha and maturity_share"},
        {"size", "the large - small gaps (*_gap)"},
    };
    for (size_t k = 0; k < nshares; k++)
        if (!shares[k].var)
            sv_note("role '%s' is not defined: %s left out", shares[k].role,
                    shares[k].indicator);
    for (size_t k = 0; k < sizeof optional / sizeof optional[0]; k++)
        if (!sv_survey_role(s, optional[k].role))
            sv_note("role '%s' is not defined: %s left out%s", optional[k].role,
                    optional[k].left_out,
                    strcmp(optional[k].role, "size") == 0 && by_defaulted
                        ? ", no grouping by size"
                        : "");

    size_t n = run->data.nrows;
    double *score = calloc(n ? n : 1, sizeof *score);
    double *trained01 = calloc(n ? n : 1, sizeof *trained01);
    double *levelv = calloc(n ? n : 1, sizeof *levelv);
    const struct analyse_column *dc = dui ? analyse_data_col(&run->data, dui) : NULL;
    double **stage = calloc(dc ? dc->var->ncodes + 1 : 1, sizeof *stage);
    unsigned char *small = calloc(n ? n : 1, 1), *large = calloc(n ? n : 1, 1);
    if (!score || !trained01 || !levelv || !stage || !small || !large) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    const double *itemcol[8];
    for (size_t k = 0; k < nitems; k++)
        itemcol[k] = num(run, itemv[k]);
    for (size_t i = 0; i < n; i++) {
        double sum = 0;
        bool ok = nitems > 0;
        for (size_t k = 0; k < nitems && ok; k++) {
            ok = !isnan(itemcol[k][i]);
            sum += itemcol[k][i];
        }
        score[i] = ok ? sum / (double)nitems : NAN;
        trained01[i] = trained ? num(run, trained)[i] / 100.0 : NAN;
    }
    for (size_t c = 0; dc && c < dc->var->ncodes; c++) {
        stage[c] = calloc(n ? n : 1, sizeof **stage);
        if (!stage[c]) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            stage[c][i] = dc->code[i] == ANALYSE_NO_GROUP ? NAN : (dc->code[i] == c);
    }
    const struct analyse_column *sc = size ? analyse_data_col(&run->data, size) : NULL;
    if (sc) {
        size_t half = sc->var->ncodes / 2;
        for (size_t i = 0; i < n; i++) {
            small[i] = sc->code[i] != ANALYSE_NO_GROUP && sc->code[i] < half;
            large[i] = sc->code[i] != ANALYSE_NO_GROUP && sc->code[i] >= half;
        }
    }

    for (size_t pass = 0; pass <= run->ngroupings && rc == 0; pass++) {
        const struct analyse_grouping *g = pass == 0 ? NULL : &run->groupings[pass - 1];
        for (size_t k = 0; k < nshares && rc == 0; k++)
            if (shares[k].var)
                rc = analyse_emit(run, shares[k].indicator, L(lang, shares[k].fr, shares[k].en),
                                  "share", ANALYSE_PROPORTION, num(run, shares[k].var), NULL, 0,
                                  NULL, g, NULL, NULL, NULL, ANALYSE_ROW_NO_CV, err);
        for (size_t c = 0; dc && c < dc->var->ncodes && rc == 0; c++)
            rc = analyse_emit(run, "client_record_share",
                              L(lang, "Dossier usager informatisé : part par état d'avancement",
                                "Electronic client record: share by stage"),
                              "share", ANALYSE_PROPORTION, stage[c], NULL, 0, NULL, g,
                              "client_record", dc->var->codes[c].code,
                              sv_label_get(&dc->var->codes[c].label, lang), ANALYSE_ROW_NO_CV,
                              err);
        if (rc == 0 && ev)
            rc = analyse_emit_multiple(run, equip, "equipment_share",
                                       L(lang, "Équipements : part des établissements équipés",
                                         "Equipment: share of establishments equipped"),
                                       "equipment", g, err);
        if (rc == 0 && trained)
            rc = analyse_emit(run, "staff_trained_share",
                              L(lang, "Part moyenne des salariés formés au numérique",
                                "Mean share of staff trained in digital tools"),
                              "share", ANALYSE_MEAN, trained01, NULL, 0, NULL, g, NULL, NULL,
                              NULL, ANALYSE_ROW_NO_CV, err);
        if (rc == 0 && budget) {
            rc = analyse_emit(run, "it_budget_mean",
                              L(lang, "Budget informatique annuel moyen",
                                "Mean yearly IT budget"),
                              "eur", ANALYSE_MEAN, num(run, budget), NULL, 0, NULL, g, NULL,
                              NULL, NULL, 0, err);
            static const double ps[] = {0.10, 0.25, 0.50, 0.75, 0.90};
            static const char *const pn[] = {"it_budget.p10", "it_budget.p25", "it_budget.p50",
                                             "it_budget.p75", "it_budget.p90"};
            for (size_t q = 0; q < 5 && rc == 0; q++)
                rc = analyse_emit(run, pn[q],
                                  L(lang, "Budget informatique annuel (quantile)",
                                    "Yearly IT budget (quantile)"),
                                  "eur", ANALYSE_QUANTILE, num(run, budget), NULL, ps[q], NULL, g,
                                  NULL, NULL, NULL, ANALYSE_ROW_NO_CV, err);
        }
        if (rc == 0 && nitems >= 2)
            rc = analyse_emit(run, "maturity_score",
                              L(lang, "Score de maturité numérique (1 à 5)",
                                "Digital maturity score (1 to 5)"),
                              "score", ANALYSE_MEAN, score, NULL, 0, NULL, g, NULL, NULL, NULL, 0,
                              err);
    }
    if (rc == 0 && nitems >= 2) {
        double alpha;
        long used;
        rc = analyse_cronbach_alpha(&alpha, &used, itemcol, nitems, n, err);
        if (rc == 0) {
            struct analyse_result r;
            memset(&r, 0, sizeof r);
            r.estimate = alpha;
            r.se = r.var = r.df = r.ci_low = r.ci_high = r.max_share = NAN;
            r.level = run->opt->level;
            r.ci = ANALYSE_CI_NONE;
            r.n = used;
            r.n_missing = (long)n - used;
            r.population = NAN;
            rc = analyse_out_row(&run->out, "maturity_alpha",
                                 L(lang, "Cohérence de l'échelle de maturité (alpha de Cronbach)",
                                   "Consistency of the maturity scale (Cronbach's alpha)"),
                                 "", "", "", "ratio", &r, ANALYSE_ROW_NO_CV, err);
        }
    }
    /* distribution of each Likert item, nationally: one row per item and level */
    for (size_t k = 0; k < nitems && rc == 0; k++) {
        const struct sv_variable *iv = sv_survey_variable(s, itemv[k]);
        const char *ilab = iv ? sv_label_get(&iv->short_label, lang) : NULL;
        if (iv && (ilab == NULL || ilab[0] == '\0'))
            ilab = sv_label_get(&iv->label, lang);
        for (size_t j = 0; iv && j < iv->ncodes && rc == 0; j++) {
            char *end;
            double level = strtod(iv->codes[j].code, &end);
            if (end == iv->codes[j].code || *end != '\0') {
                rc = sv_error_set(err, SV_EDATA, s->file, 0, 0,
                                  "maturity item '%s': code '%s' is not a number", itemv[k],
                                  iv->codes[j].code);
                break;
            }
            for (size_t i = 0; i < n; i++)
                levelv[i] = isnan(itemcol[k][i]) ? NAN : (itemcol[k][i] == level);
            char grp[300], lab[512];
            snprintf(grp, sizeof grp, "%s;%s", itemv[k], iv->codes[j].code);
            snprintf(lab, sizeof lab, "%s \xe2\x80\x93 %s", ilab ? ilab : itemv[k],
                     sv_label_get(&iv->codes[j].label, lang));
            rc = analyse_emit(run, "maturity_share",
                              L(lang, "Maturité numérique : répartition des réponses par item",
                                "Digital maturity: answers by item"),
                              "share", ANALYSE_PROPORTION, levelv, NULL, 0, NULL, NULL,
                              "item;level", grp, lab, ANALYSE_ROW_NO_CV, err);
        }
    }
    /* large - small */
    for (size_t k = 0; sc && k < nshares && rc == 0; k++) {
        if (!shares[k].var)
            continue;
        char ind[96];
        snprintf(ind, sizeof ind, "%s_gap", shares[k].indicator);
        rc = emit_gap(run, ind, L(lang, shares[k].fr, shares[k].en), "points", ANALYSE_PROPORTION,
                      num(run, shares[k].var), small, large, err);
    }
    if (rc == 0 && sc && dc && dc->var->ncodes > 0) {
        /* the first stage of the definition's code list (e.g. "in use") */
        char glab[512];
        snprintf(glab, sizeof glab, "%s : %s",
                 L(lang, "Dossier usager informatisé", "Electronic client record"),
                 sv_label_get(&dc->var->codes[0].label, lang));
        rc = emit_gap(run, "client_record_share_gap", glab, "points", ANALYSE_PROPORTION,
                      stage[0], small, large, err);
    }
    if (rc == 0 && sc && nitems >= 2)
        rc = emit_gap(run, "maturity_score_gap",
                      L(lang, "Score de maturité numérique (1 à 5)",
                        "Digital maturity score (1 to 5)"),
                      "score", ANALYSE_MEAN, score, small, large, err);
out:
    for (size_t c = 0; stage && dc && c < dc->var->ncodes; c++)
        free(stage[c]);
    free(stage);
    free(score);
    free(trained01);
    free(levelv);
    free(small);
    free(large);
    return rc;
}

int analyse_cmd_digital(int argc, char **argv)
{
    struct analyse_cmdopts opt;
    int code = analyse_cmd_parse(
        &opt, argc, argv, options,
        "analyse digital --survey numerique (--store F | --data F) [options] -o FILE",
        "Digital-readiness indicators: IT function, broadband, electronic client record by\n"
        "stage, secure messaging, equipment, training, IT budget, a maturity score with\n"
        "Cronbach's alpha, the answers to each maturity item (nationally), and the gap\n"
        "between large and small establishments; nationally and by the --by groupings\n"
        "(default: region, sector, size).");
    if (code >= 0)
        return code;
    static const char *const defaults[] = {"region", "sector", "size"};
    struct analyse_run run;
    struct sv_error err;
    sv_error_clear(&err);
    int rc = analyse_run_open(&run, &opt, &err);
    if (rc == 0 && opt.nby == 0) {
        by_defaulted = true;
        analyse_default_by(opt.by, &opt.nby, run.survey, defaults, 2);
        if (sv_survey_role(run.survey, "size"))
            opt.by[opt.nby++] = "size";
    }
    if (rc == 0)
        rc = run_digital(&run, &err);
    if (rc)
        code = sv_fail_error(&err);
    else
        code = analyse_run_finish(&run, "Maturité numérique", "Digital readiness");
    analyse_run_release(&run);
    return code;
}
