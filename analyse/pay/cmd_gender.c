/*
 * analyse gender: gender pay gaps on gross hourly pay.
 *  - unadjusted: Eurostat's (mean men - mean women) / mean men, and the
 *    same with medians (type 1), overall and by job, sector, age band;
 *  - adjusted: OLS of log hourly pay on sex with controls (job, sector, age
 *    band, region, seniority, hours), HC1 robust standard errors;
 *  - Oaxaca-Blinder twofold decomposition of the mean log-pay gap, with the
 *    pooled coefficients of the model with the sex dummy (Jann 2008) and
 *    with the men's coefficients (Oaxaca 1973).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "analyse_design.h"
#include "analyse_pay_cmds.h"
#include "cmd_args.h"
#include "analyse_common.h"
#include "cmd_common.h"
#include "pay_out.h"
#include "pay_model.h"
#include "pay_design.h"

static const struct sv_option gender_options[] = {
    PAY_COMMON_OPTIONS,
    {"by", PAY_OPT_BY, "LIST", "groupings for the unadjusted gaps, each on its own (default job,employer_sector,age_band: those the survey binds)"},
    {"with-segur", PAY_OPT_WITH_SEGUR, NULL, "pay as reported, Ségur supplement included (default)"},
    {"without-segur", PAY_OPT_WITHOUT_SEGUR, NULL, "pay minus the Ségur supplement"},
    {"covariates", PAY_OPT_COVARIATES, "LIST", "regressors besides sex (default: seniority,hours,job,employer_sector,age_band,region as bound)"},
    {"se", PAY_OPT_SE, "KIND", "with --weights none: classical, hc0, hc1 (default), hc2 or hc3 standard errors of the regression"},
    {"reference", PAY_OPT_REFERENCE, "LIST", "Oaxaca-Blinder references, comma-separated: pooled, neumark, men, women, reimers, cotton, threefold (default all)"},
    {"streaming", PAY_OPT_STREAMING, NULL, "one pass, memory independent of the file: mean gaps only (no medians, no regression)"},
    {NULL, 0, NULL, NULL}};

static int on_opt(int key, const char *value, void *ctx)
{
    return pay_args_on_option(key, value, ctx);
}

static const char *sex_reason(const struct pay_cellstat *f, const struct pay_cellstat *h)
{
    if (f->n < PAY_MIN_PER_SEX)
        return "n_f<3";
    if (h->n < PAY_MIN_PER_SEX)
        return "n_h<3";
    if (f->n_employers < PAY_MIN_PER_SEX || h->n_employers < PAY_MIN_PER_SEX)
        return "employers<3";
    return NULL;
}

/* Per-cell estimates of one grouping (median NULL when streaming). */
struct cellres {
    const struct analyse_result *mean, *median; /* per cell */
    size_t n_total;
    /* the design (NULL: the iid closed forms) with the grouping's rows */
    const struct pay_design *pd;
    const size_t *row_cell;
    const double *y;
    unsigned char *mask_f, *mask_h; /* n_total each, work space */
};

/* Unadjusted gaps for the cells of `gs` (whose last role is sex). */
static void emit_unadjusted(struct pay_out *out, const struct pay_data *d,
                            const struct pay_groupset *gs, const struct pay_args *a,
                            const struct cellres *res)
{
    enum sv_lang lang = out->lang;
    size_t nsex = gs->nlev[gs->nroles - 1];
    struct sv_buf by = SV_BUF_INIT, group = SV_BUF_INIT, label = SV_BUF_INIT;
    for (size_t c0 = 0; c0 < gs->ncells; c0 += nsex) {
        const struct pay_cellstat *f = &gs->cell[c0 + a->sex_f], *h = &gs->cell[c0 + a->sex_h];
        if (f->n + h->n == 0)
            continue;
        unsigned lev[PAY_MAX_BY];
        pay_groups_levels(gs, c0, lev);
        if (gs->nroles > 1) {
            pay_group_text(d, gs->role, lev, gs->nroles - 1, lang, &by, &group, &label);
        } else {
            sv_buf_reset(&by);
            sv_buf_reset(&group);
            sv_buf_reset(&label);
            sv_buf_adds(&label, PAY_TR(lang, "Ensemble", "All"));
        }
        const char *reason = sex_reason(f, h);
        struct pay_cell cell;
        for (int k = 0; k < 6; k++) {
            if (!res->median && k >= 3)
                continue; /* streaming: no medians */
            static const char *const ind[6] = {"hourly_pay_mean_f", "hourly_pay_mean_h", "gender_gap_mean",
                                               "hourly_pay_median_f", "hourly_pay_median_h", "gender_gap_median"};
            static const char *const fr[6] = {
                "Salaire horaire brut moyen des femmes", "Salaire horaire brut moyen des hommes",
                "Écart de salaire horaire moyen femmes-hommes (définition Eurostat)",
                "Salaire horaire brut médian des femmes", "Salaire horaire brut médian des hommes",
                "Écart de salaire horaire médian femmes-hommes"};
            static const char *const en[6] = {
                "Women's mean gross hourly pay", "Men's mean gross hourly pay",
                "Gender gap in mean hourly pay (Eurostat definition)",
                "Women's median gross hourly pay", "Men's median gross hourly pay",
                "Gender gap in median hourly pay"};
            pay_cell_init(&cell);
            cell.indicator = ind[k];
            cell.label = lang == SV_LANG_EN ? en[k] : fr[k];
            cell.by = by.data;
            cell.group = group.data;
            cell.group_label = label.data;
            cell.n = k == 0 || k == 3 ? f->n : k == 1 || k == 4 ? h->n : f->n + h->n;
            cell.n_missing = k == 0 || k == 3   ? f->n_missing
                             : k == 1 || k == 4 ? h->n_missing
                                                : f->n_missing + h->n_missing;
            cell.unit = k == 2 || k == 5 ? "share" : "eur_hour";
            cell.suppressed = reason != NULL;
            cell.reason = reason ? reason : "";
            if (!reason) {
                size_t cf = c0 + a->sex_f, ch = c0 + a->sex_h;
                if (k == 0 || k == 1) {
                    pay_cell_set_result(&cell, &res->mean[k == 0 ? cf : ch]);
                } else if (k == 3 || k == 4) {
                    pay_cell_set_result(&cell, &res->median[k == 3 ? cf : ch]);
                } else if (k == 2) {
                    /* 1 - mean_f / mean_h = -(mean_f / mean_h - 1) */
                    struct pay_relgap g;
                    if (res->pd) {
                        /* svycontrast(svyby(~hourly, ~sex, svymean, covmat = TRUE), 1 - f/h) */
                        for (size_t i = 0; i < res->n_total; i++) {
                            res->mask_f[i] = res->row_cell[i] == cf;
                            res->mask_h[i] = res->row_cell[i] == ch;
                        }
                        if (pay_relgap_means(&g, res->pd->des, res->y, res->mask_f, res->mask_h) < 0) {
                            out->status = SV_ENOMEM;
                            g.estimate = g.se = g.df = g.lo = g.hi = NAN;
                        }
                    } else {
                        pay_srs_gaps(NULL, &g, f, h, res->n_total);
                    }
                    cell.estimate = -g.estimate;
                    cell.se = g.se;
                    cell.df = g.df;
                    cell.lo = -g.hi;
                    cell.hi = -g.lo;
                    cell.ci_method = "t";
                } else {
                    cell.estimate = pay_gap_relative(res->median[ch].estimate,
                                                     res->median[cf].estimate);
                }
            }
            if (res->pd) {
                size_t cf = c0 + a->sex_f, ch = c0 + a->sex_h;
                bool fem = k == 0 || k == 3, men = k == 1 || k == 4;
                cell.population = fem ? res->mean[cf].population
                                  : men ? res->mean[ch].population
                                        : res->mean[cf].population + res->mean[ch].population;
            } else {
                cell.population = (double)cell.n;
            }
            pay_out_add(out, &cell);
        }
    }
    sv_buf_release(&by);
    sv_buf_release(&group);
    sv_buf_release(&label);
}

/* The coefficients' covariance the table uses: the design's (svyglm), or --se's. */
static const double *model_cov(const struct pay_ols *ols, int se, double *df, const char **what,
                               enum sv_lang lang)
{
    if (ols->vdesign) {
        *df = ols->design_df;
        *what = PAY_TR(lang, "MCO pondérés ; écarts-types du plan de sondage (svyglm)",
                       "weighted least squares; design-based standard errors (svyglm)");
        return ols->vdesign;
    }
    *df = (double)(ols->n - (long)ols->p);
    switch (se) {
    case PAY_SE_CLASSICAL:
        *what = PAY_TR(lang, "MCO ; écarts-types classiques", "OLS; classical standard errors");
        return ols->cov;
    case PAY_SE_HC0:
        *what = PAY_TR(lang, "MCO ; écarts-types robustes HC0", "OLS; HC0 robust standard errors");
        return ols->hc0;
    case PAY_SE_HC2:
        *what = PAY_TR(lang, "MCO ; écarts-types robustes HC2", "OLS; HC2 robust standard errors");
        return ols->hc2;
    case PAY_SE_HC3:
        *what = PAY_TR(lang, "MCO ; écarts-types robustes HC3", "OLS; HC3 robust standard errors");
        return ols->hc3;
    default:
        *what = PAY_TR(lang, "MCO ; écarts-types robustes HC1", "OLS; HC1 robust standard errors");
        return ols->hc1;
    }
}

static void emit_model(struct pay_out *out, const struct pay_model *pm, const struct pay_ols *ols,
                       long n_missing, int se_kind)
{
    enum sv_lang lang = out->lang;
    double df;
    const char *what;
    const double *V = model_cov(ols, se_kind, &df, &what, lang);
    double t = pay_t_quantile(0.95, df);
    struct pay_cell cell;
    char label[256];
    snprintf(label, sizeof label, "%s (%s)",
             PAY_TR(lang, "Coefficient du log du salaire horaire", "Coefficient of log hourly pay"),
             what);
    for (size_t j = 0; j < ols->p; j++) {
        pay_cell_init(&cell);
        cell.indicator = "ols_coefficient";
        cell.label = label;
        cell.by = "term";
        cell.group = pm->term[j];
        cell.group_label = pm->term_label[j];
        cell.estimate = ols->beta[j];
        cell.se = sqrt(V[j * ols->p + j]);
        cell.df = df;
        cell.lo = cell.estimate - t * cell.se;
        cell.hi = cell.estimate + t * cell.se;
        cell.ci_method = "t";
        cell.n = ols->n;
        cell.n_missing = n_missing;
        cell.unit = "ratio";
        pay_out_add(out, &cell);
    }
    double b = ols->beta[PAY_MODEL_SEX_COL], se = sqrt(V[PAY_MODEL_SEX_COL * ols->p + PAY_MODEL_SEX_COL]);
    pay_cell_init(&cell);
    cell.indicator = "adjusted_gender_gap";
    cell.label = PAY_TR(lang, "Écart de salaire horaire femmes-hommes à caractéristiques égales (1 - exp(coef.))",
                        "Adjusted gender gap in hourly pay (1 - exp(coef.))");
    cell.by = "";
    cell.group = "";
    cell.group_label = PAY_TR(lang, "Ensemble", "All");
    cell.estimate = 1.0 - exp(b);
    cell.se = exp(b) * se;
    cell.lo = 1.0 - exp(b + t * se);
    cell.hi = 1.0 - exp(b - t * se);
    cell.df = df;
    cell.ci_method = "t";
    cell.n = ols->n;
    cell.n_missing = n_missing;
    cell.unit = "share";
    pay_out_add(out, &cell);
    static const char *const ind[3] = {"ols_r2", "ols_adj_r2", "ols_sigma"};
    const char *lab[3] = {PAY_TR(lang, "R² du modèle", "Model R-squared"),
                          PAY_TR(lang, "R² ajusté du modèle", "Model adjusted R-squared"),
                          PAY_TR(lang, "Écart-type résiduel (sigma)", "Residual standard error (sigma)")};
    double val[3] = {ols->r2, ols->adj_r2, sqrt(ols->sigma2)};
    for (int k = 0; k < 3; k++) {
        cell.indicator = ind[k];
        cell.label = lab[k];
        cell.estimate = val[k];
        cell.se = cell.lo = cell.hi = cell.df = NAN;
        cell.ci_method = "none";
        cell.unit = "ratio";
        pay_out_add(out, &cell);
    }
}

static void emit_oaxaca(struct pay_out *out, const char *ref, const char *ref_label,
                        const struct pay_oaxaca *ob)
{
    enum sv_lang lang = out->lang;
    static const char *const ind[3] = {"oaxaca_gap", "oaxaca_explained", "oaxaca_unexplained"};
    const char *labels[3] = {
        PAY_TR(lang, "Oaxaca-Blinder : écart moyen du log du salaire horaire (hommes - femmes)",
               "Oaxaca-Blinder: mean log hourly pay gap (men - women)"),
        PAY_TR(lang, "Oaxaca-Blinder : part expliquée par les caractéristiques",
               "Oaxaca-Blinder: part explained by characteristics"),
        PAY_TR(lang, "Oaxaca-Blinder : part inexpliquée", "Oaxaca-Blinder: unexplained part")};
    double v[3] = {ob->gap, ob->explained, ob->unexplained};
    double se[3] = {ob->se_gap, ob->se_explained, ob->se_unexplained};
    const double z = 1.959963984540054; /* normal 97.5 % quantile, as Jann's oaxaca */
    for (int k = 0; k < 3; k++) {
        struct pay_cell cell;
        pay_cell_init(&cell);
        cell.indicator = ind[k];
        cell.label = labels[k];
        cell.by = "reference";
        cell.group = ref;
        cell.group_label = ref_label;
        cell.estimate = ob->computable ? v[k] : NAN;
        if (ob->computable && !isnan(se[k])) {
            cell.se = se[k];
            cell.lo = v[k] - z * se[k];
            cell.hi = v[k] + z * se[k];
            cell.ci_method = "normal";
        }
        cell.n = ob->n;
        cell.unit = "ratio";
        cell.reason = ob->reason ? ob->reason : "";
        if (ob->computable && isnan(se[k]) && ob->se_reason)
            cell.reason = ob->se_reason;
        pay_out_add(out, &cell);
    }
}

/* --reference: the decompositions to print, as bits of ob_names' order. */
static const char *const ob_names[] = {"pooled", "neumark", "men", "women", "reimers", "cotton",
                                       "threefold"};

static int parse_references(const char *spec, unsigned *mask)
{
    *mask = 0;
    if (!spec) {
        *mask = (1u << 7) - 1;
        return 0;
    }
    const char *p = spec;
    while (*p) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < 7 && !(strlen(ob_names[k]) == len && strncmp(p, ob_names[k], len) == 0))
            k++;
        if (k == 7)
            return sv_usage_error("--reference: unknown reference '%.*s' (expected pooled, "
                                  "neumark, men, women, reimers, cotton or threefold)",
                                  (int)len, p);
        *mask |= 1u << k;
        p += len;
        if (*p == ',')
            p++;
    }
    if (!*mask)
        return sv_usage_error("--reference: empty list");
    return 0;
}

/* Threefold Oaxaca-Blinder (Jann 2008, from the women's side): endowments,
 * coefficients, interaction, held in gap, explained, unexplained. */
static void emit_threefold(struct pay_out *out, const struct pay_oaxaca *t)
{
    enum sv_lang lang = out->lang;
    static const char *const ind[3] = {"oaxaca3_endowments", "oaxaca3_coefficients",
                                       "oaxaca3_interaction"};
    const char *labels[3] = {
        PAY_TR(lang, "Oaxaca-Blinder en trois parties : dotations (coefficients des femmes)",
               "Threefold Oaxaca-Blinder: endowments (women's coefficients)"),
        PAY_TR(lang, "Oaxaca-Blinder en trois parties : coefficients",
               "Threefold Oaxaca-Blinder: coefficients"),
        PAY_TR(lang, "Oaxaca-Blinder en trois parties : interaction",
               "Threefold Oaxaca-Blinder: interaction")};
    double v[3] = {t->gap, t->explained, t->unexplained};
    double se[3] = {t->se_gap, t->se_explained, t->se_unexplained};
    const double z = 1.959963984540054;
    for (int k = 0; k < 3; k++) {
        struct pay_cell cell;
        pay_cell_init(&cell);
        cell.indicator = ind[k];
        cell.label = labels[k];
        cell.by = "reference";
        cell.group = "threefold";
        cell.group_label = PAY_TR(lang, "Décomposition en trois parties (Jann 2008)",
                                  "Threefold decomposition (Jann 2008)");
        cell.estimate = t->computable ? v[k] : NAN;
        if (t->computable && !isnan(se[k])) {
            cell.se = se[k];
            cell.lo = v[k] - z * se[k];
            cell.hi = v[k] + z * se[k];
            cell.ci_method = "normal";
        }
        cell.n = t->n;
        cell.unit = "ratio";
        cell.reason = t->reason ? t->reason : "";
        pay_out_add(out, &cell);
    }
}

struct stream_ctx {
    struct pay_groupset *gs;
    size_t ngs;
    const struct pay_args *a;
};

static int stream_visit(const struct pay_emp *e, void *vctx)
{
    struct stream_ctx *c = vctx;
    for (size_t k = 0; k < c->ngs; k++)
        pay_groups_add(&c->gs[k], e, PAY_HOURLY, c->a->without_segur, c->a->sex_f, c->a->sex_h);
    return 0;
}

/* --streaming: one pass over the records, O(cells) memory: means and the
 * Eurostat gaps only (medians need the values, the regression two passes). */
static int gender_streaming(struct pay_args *a)
{
    struct sv_survey *survey = NULL;
    struct pay_data d;
    int rc = pay_args_survey(a, &survey, &d);
    if (rc)
        return rc;
    enum pay_role roles[PAY_MAX_BY];
    size_t nroles = 0;
    struct pay_groupset gs[PAY_MAX_BY + 1];
    size_t ngs = 0;
    struct sv_error err;
    sv_error_clear(&err);
    struct pay_out out;
    bool out_init = false;
    if ((rc = pay_args_by_default(&d, a->by, "job,employer_sector,age_band", roles, &nroles)))
        goto done;
    for (size_t k = 0; k <= nroles; k++) {
        enum pay_role r[2];
        size_t nr = 0;
        if (k > 0)
            r[nr++] = roles[k - 1];
        r[nr++] = PAY_R_SEX;
        if (pay_groups_init(&gs[ngs], &d, r, nr, &err) < 0) {
            rc = sv_fail_error(&err);
            goto done;
        }
        ngs++;
    }
    struct stream_ctx sc = {gs, ngs, a};
    if (pay_data_read(&d, survey, a->data, a->store, a->include, false, stream_visit, &sc, &err) < 0) {
        rc = sv_fail_error(&err);
        goto done;
    }
    if (d.n_read == 0) {
        rc = sv_fail(SV_EXIT_DATA, "%s: no employee records", a->data ? a->data : a->store);
        goto done;
    }
    enum sv_lang lang = a->lang;
    pay_out_init(&out, survey,
                 a->without_segur ? PAY_TR(lang, "Écarts de salaire femmes-hommes (hors Ségur, moyennes)",
                                           "Gender pay gaps (without the Ségur supplement, means)")
                                  : PAY_TR(lang, "Écarts de salaire femmes-hommes (moyennes)",
                                           "Gender pay gaps (means)"),
                 lang);
    out.t.meta.n_respondents = d.n_read;
    out_init = true;
    if (a->store) {
        analyse_note_selection(a->include, d.n_read, d.partial_left_out, d.rejected_left_out);
        if (analyse_meta_selection(&out.t.meta, a->include, d.partial_left_out,
                                   d.rejected_left_out) != 0) {
            rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
            goto done;
        }
    }
    for (size_t k = 0; k < ngs; k++) {
        struct analyse_result *mean = calloc(gs[k].ncells, sizeof *mean);
        if (!mean) {
            rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
            goto done;
        }
        for (size_t c = 0; c < gs[k].ncells; c++)
            pay_srs_mean(&mean[c], &gs[k].cell[c], (size_t)d.n_read);
        struct cellres cres = {mean, NULL, (size_t)d.n_read, NULL, NULL, NULL, NULL, NULL};
        emit_unadjusted(&out, &d, &gs[k], a, &cres);
        free(mean);
    }
    out.format = a->format;
    if (pay_out_write(&out, a->output, &err) < 0)
        rc = sv_fail_error(&err);
done:
    for (size_t k = 0; k < ngs; k++)
        pay_groups_release(&gs[k]);
    if (out_init)
        pay_out_release(&out);
    pay_data_release(&d);
    sv_survey_free(survey);
    return rc ? rc : pay_finish(SV_EXIT_OK);
}

int analyse_cmd_gender(int argc, char **argv)
{
    struct pay_args a;
    memset(&a, 0, sizeof a);
    int first;
    bool stop;
    int rc = sv_cli_parse(argc, argv, gender_options,
                          "analyse gender --survey ID (--data FILE | --store FILE) [--by LIST] [-o FILE]",
                          "Gender pay gaps: unadjusted (mean, median), adjusted (OLS), Oaxaca-Blinder.",
                          on_opt, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if ((rc = pay_args_check(&a)))
        return rc;
    unsigned refs;
    if ((rc = parse_references(a.reference, &refs)))
        return rc;
    if (a.streaming && !a.iid)
        return sv_usage_error("--streaming gives the iid standard errors only: add --weights none "
                              "(the design's standard errors need every employee's row)");
    if (a.streaming) {
        sv_note("--weights none: every employee weighs 1 and counts as independent (iid); "
                "the standard errors ignore the employers' clustering and any weights");
        return gender_streaming(&a);
    }
    struct sv_survey *survey = NULL;
    struct pay_data d;
    if ((rc = pay_args_load(&a, &survey, &d)))
        return rc;
    struct sv_error err;
    sv_error_clear(&err);
    enum pay_role roles[PAY_MAX_BY];
    size_t nroles;
    struct pay_out out;
    struct pay_model pm;
    memset(&pm, 0, sizeof pm);
    bool out_init = false;
    struct pay_sorted sorted = {NULL, 0, NULL, 0};
    struct pay_design pd;
    memset(&pd, 0, sizeof pd);
    unsigned char *mask_f = NULL, *mask_h = NULL;
    if ((rc = pay_args_by_default(&d, a.by, "job,employer_sector,age_band", roles, &nroles)))
        goto done;
    enum sv_lang lang = a.lang;
    pay_out_init(&out, survey,
                 a.without_segur ? PAY_TR(lang, "Écarts de salaire femmes-hommes (hors Ségur)",
                                          "Gender pay gaps (without the Ségur supplement)")
                                 : PAY_TR(lang, "Écarts de salaire femmes-hommes",
                                          "Gender pay gaps"),
                 lang);
    out.t.meta.n_respondents = d.n_read;
    out_init = true;
    if ((rc = pay_args_design(&a, &d, &pd, &out)))
        goto done;
    const struct pay_design *dp = a.iid ? NULL : &pd;
    if (dp && (!(mask_f = pay_rows_alloc(d.n, 1)) || !(mask_h = pay_rows_alloc(d.n, 1)))) {
        rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
        goto done;
    }

    /* unadjusted: overall, then each grouping on its own; one sort for all */
    if (!dp && pay_sorted_make(&sorted, &d, PAY_HOURLY, a.without_segur, &err) < 0) {
        rc = sv_fail_error(&err);
        goto done;
    }
    for (size_t k = 0; k <= nroles; k++) {
        enum pay_role r[2];
        size_t nr = 0;
        if (k > 0)
            r[nr++] = roles[k - 1];
        r[nr++] = PAY_R_SEX;
        struct pay_groupset gs;
        if ((dp ? pay_groups_build_rows(&gs, &d, r, nr, PAY_HOURLY, a.without_segur, a.sex_f,
                                        a.sex_h, &err)
                : pay_groups_build(&gs, &d, r, nr, PAY_HOURLY, a.without_segur, a.sex_f, a.sex_h,
                                   false, &sorted, &err)) < 0) {
            rc = sv_fail_error(&err);
            goto done;
        }
        struct analyse_result *mean = calloc(gs.ncells, sizeof *mean);
        struct analyse_result *median = calloc(gs.ncells, sizeof *median);
        if (!mean || !median) {
            rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
            free(mean);
            free(median);
            pay_groups_release(&gs);
            goto done;
        }
        if (dp) {
            /* svyby(~hourly, ~group + sex, svymean | svyquantile) through the engine */
            if (analyse_by(mean, dp->des, ANALYSE_MEAN, gs.y, NULL, 0, gs.row_cell, gs.ncells, NULL,
                           &err) < 0 ||
                analyse_by(median, dp->des, ANALYSE_QUANTILE, gs.y, NULL, 0.5, gs.row_cell,
                           gs.ncells, NULL, &err) < 0) {
                rc = sv_fail_error(&err);
                free(mean);
                free(median);
                pay_groups_release(&gs);
                goto done;
            }
        } else {
            for (size_t c = 0; c < gs.ncells; c++) {
                pay_srs_mean(&mean[c], &gs.cell[c], d.n);
                pay_srs_quantile(&median[c], &gs.cell[c], d.n, 0.5);
            }
        }
        struct cellres cres = {mean, median, d.n, dp, gs.row_cell, gs.y, mask_f, mask_h};
        emit_unadjusted(&out, &d, &gs, &a, &cres);
        free(mean);
        free(median);
        pay_groups_release(&gs);
    }

    /* adjusted gap and Oaxaca-Blinder */
    enum pay_role cov[8];
    size_t ncov = 0;
    if (a.covariates && (rc = pay_args_covariates(&d, a.covariates, cov, &ncov)))
        goto done;
    if ((a.covariates ? pay_model_build_ex(&pm, &d, a.sex_f, a.sex_h, a.without_segur, lang, cov,
                                           ncov, &err)
                      : pay_model_build(&pm, &d, a.sex_f, a.sex_h, a.without_segur, lang, &err)) < 0) {
        rc = sv_fail_error(&err);
        goto done;
    }
    struct pay_ols_design odes = {.w = pd.w, .psu = pd.psu, .psu_stratum = pd.psu_stratum,
                                  .npsu = pd.npsu, .nstrata = pd.nstrata, .n_h = pd.n_h,
                                  .f_h = pd.f_h};
    if (dp)
        pm.des = &odes;
    pm.hc3 = !dp && (a.se == PAY_SE_HC2 || a.se == PAY_SE_HC3);
    struct pay_ols pooled;
    long n_missing = (long)d.n - pm.n_complete;
    if (pm.n_f < PAY_MIN_PER_SEX || pm.n_h < PAY_MIN_PER_SEX) {
        sv_warn("fewer than 3 women or 3 men with complete data: no regression");
    } else if (pay_model_fit(&pooled, &pm, PAY_MODEL_ALL, &err) < 0) {
        sv_warn("regression not computed: %s", err.text);
    } else {
        emit_model(&out, &pm, &pooled, n_missing, a.se);
        struct pay_oaxaca ob[2];
        if (pay_model_oaxaca(ob, &pm, &pooled, &err) < 0) {
            pay_ols_release(&pooled);
            rc = sv_fail_error(&err);
            goto done;
        }
        if (dp) {
            /* the decomposition's delta-method SEs assume independent employees:
             * under the design they are not computed (left empty, said in the reason) */
            for (int k = 0; k < 2; k++) {
                ob[k].se_gap = ob[k].se_explained = ob[k].se_unexplained = NAN;
                if (ob[k].computable)
                    ob[k].reason = "design-based standard errors not computed";
            }
            /* except the pooled reference's unexplained part: with the sex dummy and the
             * intercept it is exactly -b_women (weighted residuals sum to 0 in each sex),
             * so its design SE is svyglm's of that coefficient */
            if (ob[0].computable && pooled.vdesign) {
                ob[0].se_unexplained =
                    sqrt(pooled.vdesign[PAY_MODEL_SEX_COL * pooled.p + PAY_MODEL_SEX_COL]);
                ob[0].reason = "";
                ob[0].se_reason = "design-based standard errors not computed";
            }
        }
        struct pay_oaxaca more[3], three, neu;
        if (pay_model_oaxaca_ext(more, &three, &pm, &err) < 0 ||
            pay_model_oaxaca_neumark(&neu, &pm, &err) < 0) {
            pay_ols_release(&pooled);
            rc = sv_fail_error(&err);
            goto done;
        }
        if (dp) {
            for (int k = 0; k < 5; k++) {
                struct pay_oaxaca *o = k < 3 ? &more[k] : k == 3 ? &three : &neu;
                o->se_gap = o->se_explained = o->se_unexplained = NAN;
                o->se_reason = NULL;
                if (o->computable)
                    o->reason = "design-based standard errors not computed";
            }
        }
        if (refs & 1u)
            emit_oaxaca(&out, "pooled",
                        PAY_TR(lang, "Coefficients du modèle commun avec indicatrice de sexe (Jann 2008)",
                               "Pooled model with a sex dummy (Jann 2008)"),
                        &ob[0]);
        if (refs & 2u)
            emit_oaxaca(&out, "neumark",
                        PAY_TR(lang, "Coefficients du modèle commun sans indicatrice de sexe (Neumark 1988)",
                               "Pooled model without a sex dummy (Neumark 1988)"),
                        &neu);
        if (refs & 4u)
            emit_oaxaca(&out, "men", PAY_TR(lang, "Coefficients des hommes (Oaxaca 1973)",
                                           "Men's coefficients (Oaxaca 1973)"),
                        &ob[1]);
        if (refs & 8u)
            emit_oaxaca(&out, "women", PAY_TR(lang, "Coefficients des femmes (Blinder 1973)",
                                             "Women's coefficients (Blinder 1973)"),
                        &more[0]);
        if (refs & 16u)
            emit_oaxaca(&out, "reimers", PAY_TR(lang, "Moyenne des coefficients des deux sexes (Reimers 1983)",
                                               "Mean of both sexes' coefficients (Reimers 1983)"),
                        &more[1]);
        if (refs & 32u)
            emit_oaxaca(&out, "cotton", PAY_TR(lang, "Coefficients pondérés par les effectifs (Cotton 1988)",
                                              "Coefficients weighted by headcounts (Cotton 1988)"),
                        &more[2]);
        if (refs & 64u)
            emit_threefold(&out, &three);
        pay_ols_release(&pooled);
    }
    out.format = a.format;
    if (pay_out_write(&out, a.output, &err) < 0)
        rc = sv_fail_error(&err);
done:
    pay_sorted_release(&sorted);
    pay_design_release(&pd);
    free(mask_f);
    free(mask_h);
    pay_model_release(&pm);
    if (out_init)
        pay_out_release(&out);
    pay_data_release(&d);
    sv_survey_free(survey);
    return rc ? rc : pay_finish(SV_EXIT_OK);
}
