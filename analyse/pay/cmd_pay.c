/*
 * analyse pay: pay levels by job, sector and region, and the gaps between
 * employer sectors for the same job (non-profit, public, for-profit), in
 * euros and in %, monthly and hourly, with and without the Ségur supplement.
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
#include "cmd_common.h"
#include "pay_design.h"
#include "pay_out.h"

static const struct sv_option pay_options[] = {
    PAY_COMMON_OPTIONS,
    {"by", PAY_OPT_BY, "LIST", "grouping roles, comma-separated (default job,employer_sector)"},
    {"with-segur", PAY_OPT_WITH_SEGUR, NULL, "pay as reported, Ségur supplement included (default)"},
    {"without-segur", PAY_OPT_WITHOUT_SEGUR, NULL, "pay minus the Ségur supplement"},
    {"smic", PAY_OPT_SMIC, "FILE", "SMIC history (default: $VIGIE_SURVEYS/common/smic.csv)"},
    {"smic-date", PAY_OPT_SMIC_DATE, "YYYY-MM-DD", "SMIC of this date for the below-SMIC share (default: latest)"},
    {NULL, 0, NULL, NULL}};

static int on_opt(int key, const char *value, void *ctx)
{
    return pay_args_on_option(key, value, ctx);
}

static const double quantile_p[] = {0.10, 0.25, 0.50, 0.75, 0.90};
static const char *const quantile_sfx[] = {"p10", "p25", "p50", "p75", "p90"};

struct emit {
    struct pay_out *out;
    const struct pay_data *d;
    const struct pay_groupset *gs;
    const struct analyse_result *mean, *median; /* per cell */
    const struct pay_design *pd; /* NULL: the iid closed forms (--weights none) */
    const struct analyse_result *quant;        /* design: per cell, the 5 quantile points */
    enum sv_lang lang;
    struct sv_buf by, group, label;
};

/* Frequency rule on employees and employers: fewer than 3 -> suppressed. */
static const char *cell_reason(const struct pay_cellstat *cs)
{
    if (cs->n < PAY_MIN_PER_SEX)
        return "n<3";
    if (cs->n_employers < PAY_MIN_PER_SEX)
        return "employers<3";
    return NULL;
}

static void set_group(struct emit *em, size_t c)
{
    unsigned lev[PAY_MAX_BY];
    pay_groups_levels(em->gs, c, lev);
    pay_group_text(em->d, em->gs->role, lev, em->gs->nroles, em->lang, &em->by, &em->group,
                   &em->label);
    if (em->gs->nroles == 0)
        sv_buf_adds(&em->label, PAY_TR(em->lang, "Ensemble", "All"));
}

/* A row of cell cs with the current group, counts and suppression. */
static void cell_start(struct pay_cell *cell, const struct emit *em, const struct pay_cellstat *cs,
                       const char *reason, const char *unit)
{
    pay_cell_init(cell);
    cell->by = em->by.data;
    cell->group = em->group.data;
    cell->group_label = em->label.data;
    cell->n = cs->n;
    cell->n_missing = cs->n_missing;
    cell->population = (double)cs->n; /* equal weights; the design's from its results */
    cell->unit = unit;
    cell->suppressed = reason != NULL;
    cell->reason = reason ? reason : "";
}

static void emit_cell(struct emit *em, size_t c, enum pay_measure m)
{
    const struct pay_cellstat *cs = &em->gs->cell[c];
    if (cs->n == 0 && cs->n_missing == 0)
        return;
    enum sv_lang lang = em->lang;
    set_group(em, c);
    const char *reason = cell_reason(cs);
    bool hourly = m == PAY_HOURLY;
    struct pay_cell cell;

    cell_start(&cell, em, cs, reason, hourly ? "eur_hour" : "eur");
    cell.indicator = hourly ? "hourly_pay_mean" : "monthly_pay_mean";
    cell.label = hourly ? PAY_TR(lang, "Salaire horaire brut moyen", "Mean gross hourly pay")
                        : PAY_TR(lang, "Salaire mensuel brut moyen", "Mean gross monthly pay");
    if (!reason)
        pay_cell_set_result(&cell, &em->mean[c]);
    if (em->pd)
        cell.population = em->mean[c].population;
    pay_out_add(em->out, &cell);

    cell_start(&cell, em, cs, reason, hourly ? "eur_hour" : "eur");
    cell.indicator = hourly ? "hourly_pay_median" : "monthly_pay_median";
    cell.label = hourly ? PAY_TR(lang, "Salaire horaire brut médian", "Median gross hourly pay")
                        : PAY_TR(lang, "Salaire mensuel brut médian", "Median gross monthly pay");
    if (!reason)
        pay_cell_set_result(&cell, &em->median[c]);
    if (em->pd)
        cell.population = em->mean[c].population;
    pay_out_add(em->out, &cell);

    char name[32];
    for (size_t q = 0; q < 5; q++) {
        cell_start(&cell, em, cs, reason, hourly ? "eur_hour" : "eur");
        snprintf(name, sizeof name, "%s.%s", hourly ? "hourly_pay" : "monthly_pay", quantile_sfx[q]);
        cell.indicator = name;
        cell.label = hourly ? PAY_TR(lang, "Salaire horaire brut (quantile)", "Gross hourly pay (quantile)")
                            : PAY_TR(lang, "Salaire mensuel brut (quantile)", "Gross monthly pay (quantile)");
        if (!reason)
            cell.estimate = em->pd ? em->quant[c * 5 + q].estimate
                                   : pay_quantile_sorted(cs->v, (size_t)cs->n, quantile_p[q]);
        if (em->pd)
            cell.population = em->mean[c].population;
        pay_out_add(em->out, &cell);
    }
}

/* The reference sectors of the gaps, from the kinds of the employer_sector codes
 * (surveys/README.md): never from the codes' names, so that a definition with its own
 * codes gets the same gaps, and one that does not say which code is which gets none. */
static const char *const sector_kinds[] = {"public", "for_profit"};

struct sector_refs {
    unsigned ref[2];     /* level of the public and of the for-profit code; PAY_NA: none */
    bool *non_profit;    /* per level: the code's kind is non_profit */
};

/* Reads the kinds of the sector variable's codes. A kind other than public, for_profit or
 * non_profit, or two codes of the same reference kind, is an error of the definition
 * (exit 3); a reference kind that no code has leaves its gaps out, with a notice. */
static int sector_refs_init(struct sector_refs *r, const struct sv_survey *survey,
                            const struct sv_variable *sv)
{
    r->ref[0] = r->ref[1] = PAY_NA;
    r->non_profit = calloc(sv->ncodes ? sv->ncodes : 1, sizeof *r->non_profit);
    if (!r->non_profit)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    for (size_t i = 0; i < sv->ncodes; i++) {
        const char *k = sv->codes[i].kind;
        if (!k)
            continue;
        size_t ri = strcmp(k, "public") == 0 ? 0 : strcmp(k, "for_profit") == 0 ? 1 : 2;
        if (ri == 2 && strcmp(k, "non_profit") != 0)
            return sv_fail(SV_EXIT_DATA,
                           "%s: variable '%s' (role employer_sector): code '%s' has kind '%s' "
                           "(expected public, for_profit or non_profit)",
                           survey->id, sv->name, sv->codes[i].code, k);
        if (ri == 2) {
            r->non_profit[i] = true;
            continue;
        }
        if (r->ref[ri] != PAY_NA)
            return sv_fail(SV_EXIT_DATA,
                           "%s: variable '%s' (role employer_sector): codes '%s' and '%s' both "
                           "have kind '%s' (one reference sector is needed for the gaps)",
                           survey->id, sv->name, sv->codes[r->ref[ri]].code, sv->codes[i].code,
                           k);
        r->ref[ri] = (unsigned)i;
    }
    bool any_np = false;
    for (size_t i = 0; i < sv->ncodes; i++)
        any_np |= r->non_profit[i];
    if (r->ref[0] == PAY_NA)
        sv_warn("%s: no code of '%s' (role employer_sector) has \"kind\": \"public\": the gaps "
                "to the public sector are left out",
                survey->id, sv->name);
    if (r->ref[1] == PAY_NA || !any_np)
        sv_warn("%s: no code of '%s' (role employer_sector) has \"kind\": \"%s\": the gaps "
                "of the non-profit sector to the for-profit one are left out",
                survey->id, sv->name, r->ref[1] == PAY_NA ? "for_profit" : "non_profit");
    return 0;
}

/* Gaps of cell c (sector s) against cell r (reference sector of kind ref_kind, labelled
 * ref_label), same other levels. */
static void emit_gap(struct emit *em, size_t c, size_t r, const char *ref_kind,
                     const char *ref_label, enum pay_measure m, unsigned char *mask_a,
                     unsigned char *mask_b)
{
    const struct pay_cellstat *a = &em->gs->cell[c], *b = &em->gs->cell[r];
    if (a->n == 0 || b->n == 0)
        return;
    enum sv_lang lang = em->lang;
    set_group(em, c);
    const char *reason = cell_reason(a) ? cell_reason(a) : cell_reason(b);
    const char *stem = m == PAY_HOURLY ? "hourly" : "monthly";
    struct pay_relgap diff, relg;
    if (em->pd) {
        /* svycontrast on svyby(svymean, covmat = TRUE): the two domains' covariance
         * through their shared employers */
        for (size_t i = 0; i < em->d->n; i++) {
            mask_a[i] = em->gs->row_cell[i] == c;
            mask_b[i] = em->gs->row_cell[i] == r;
        }
        if (pay_design_gaps(&diff, &relg, em->pd->des, em->gs->y, mask_a, mask_b) < 0) {
            em->out->status = SV_ENOMEM;
            return;
        }
    } else {
        pay_srs_gaps(&diff, &relg, a, b, em->d->n);
    }
    for (int stat = 0; stat < 2; stat++) {     /* mean, median */
        for (int rel = 0; rel < 2; rel++) {    /* euros, relative */
            char name[64], label[256];
            snprintf(name, sizeof name, "%s_pay_%s_gap_vs_%s%s", stem, stat ? "median" : "mean",
                     ref_kind, rel ? "_pct" : "");
            snprintf(label, sizeof label,
                     lang == SV_LANG_EN
                         ? (rel ? "Gap to the reference sector, %s (share of the reference)"
                                : "Gap to the reference sector, %s (EUR)")
                         : (rel ? "Écart au secteur de référence, %s (part de la référence)"
                                : "Écart au secteur de référence, %s (€)"),
                     ref_label);
            struct pay_cell cell;
            pay_cell_init(&cell);
            cell.indicator = name;
            cell.label = label;
            cell.by = em->by.data;
            cell.group = em->group.data;
            cell.group_label = em->label.data;
            cell.n = a->n + b->n;
            cell.n_missing = a->n_missing + b->n_missing;
            cell.unit = rel ? "share" : (m == PAY_HOURLY ? "eur_hour" : "eur");
            cell.suppressed = reason != NULL;
            cell.reason = reason ? reason : "";
            if (!reason) {
                if (stat == 0) {
                    const struct pay_relgap *g = rel ? &relg : &diff;
                    cell.estimate = g->estimate;
                    cell.se = g->se;
                    cell.df = g->df;
                    cell.lo = g->lo;
                    cell.hi = g->hi;
                    cell.ci_method = "t";
                } else {
                    double qa = em->median[c].estimate, qb = em->median[r].estimate;
                    cell.estimate = rel ? qa / qb - 1.0 : qa - qb;
                }
            }
            cell.population = em->pd ? em->mean[c].population + em->mean[r].population
                                     : (double)cell.n;
    pay_out_add(em->out, &cell);
        }
    }
}

/* The three thresholds of the below-SMIC shares, in % of the SMIC. */
static const int smic_pct[] = {100, 105, 110};

static void emit_below_smic(struct emit *em, const struct pay_data *d, double smic_hourly,
                            int without_segur)
{
    const struct pay_groupset *gs = em->gs;
    const size_t np = sizeof smic_pct / sizeof smic_pct[0];
    long *below = calloc(gs->ncells * np, sizeof *below);
    double *yb = em->pd ? pay_rows_alloc(d->n * np, sizeof *yb) : NULL;
    struct analyse_result *res = em->pd ? calloc(gs->ncells * np, sizeof *res) : NULL;
    if (!below || (em->pd && (!yb || !res))) {
        free(below);
        free(yb);
        free(res);
        em->out->status = SV_ENOMEM;
        return;
    }
    for (size_t i = 0; i < d->n; i++) {
        unsigned lev[PAY_MAX_BY];
        bool ok = true;
        for (size_t k = 0; k < gs->nroles; k++)
            if ((lev[k] = d->e[i].cat[gs->role[k]]) == PAY_NA)
                ok = false;
        /* in cents: exactly the SMIC for the employee's hours is not below it */
        double monthly = pay_emp_monthly(&d->e[i], without_segur);
        for (size_t k = 0; k < np; k++) {
            int b = pay_below_smic(monthly, d->e[i].hours, smic_hourly, smic_pct[k]);
            if (yb)
                yb[k * d->n + i] = b < 0 ? NAN : b;
            if (ok && b == 1)
                below[pay_groups_index(gs, lev) * np + k]++;
        }
    }
    if (em->pd) {
        /* svyby(~below, ~cells, svyciprop): the engine's proportions by cell */
        struct analyse_result *tmp = calloc(gs->ncells ? gs->ncells : 1, sizeof *tmp);
        for (size_t k = 0; k < np && tmp; k++) {
            if (analyse_by(tmp, em->pd->des, ANALYSE_PROPORTION, yb + k * d->n, NULL, 0,
                           gs->row_cell, gs->ncells, NULL, NULL) < 0) {
                em->out->status = SV_ENOMEM;
                break;
            }
            for (size_t c = 0; c < gs->ncells; c++)
                res[c * np + k] = tmp[c];
        }
        if (!tmp)
            em->out->status = SV_ENOMEM;
        free(tmp);
    }
    for (size_t c = 0; c < gs->ncells; c++) {
        const struct pay_cellstat *cs = &gs->cell[c];
        if (cs->n == 0)
            continue;
        set_group(em, c);
        const char *reason = cell_reason(cs);
        for (size_t k = 0; k < np; k++) {
            static const char *const ind[] = {"below_smic_share", "below_smic_105_share",
                                              "below_smic_110_share"};
            static const char *const fr[] = {
                "Part des salariés payés sous le SMIC horaire",
                "Part des salariés payés sous 1,05 SMIC horaire",
                "Part des salariés payés sous 1,10 SMIC horaire"};
            static const char *const en[] = {"Share of employees paid under the hourly SMIC",
                                             "Share of employees paid under 1.05 x the hourly SMIC",
                                             "Share of employees paid under 1.10 x the hourly SMIC"};
            struct pay_cell cell;
            pay_cell_init(&cell);
            cell.indicator = ind[k];
            cell.label = em->lang == SV_LANG_EN ? en[k] : fr[k];
            cell.by = em->by.data;
            cell.group = em->group.data;
            cell.group_label = em->label.data;
            cell.n = cs->n;
            cell.n_missing = cs->n_missing;
            cell.unit = "share";
            cell.suppressed = reason != NULL;
            cell.reason = reason ? reason : "";
            if (!reason && em->pd) {
                pay_cell_set_result(&cell, &res[c * np + k]);
                cell.population = res[c * np + k].population;
            }
            if (!em->pd)
                cell.population = (double)cell.n;
            pay_out_add(em->out, &cell);
        }
    }
    free(below);
    free(yb);
    free(res);
}

int analyse_cmd_pay(int argc, char **argv)
{
    struct pay_args a;
    memset(&a, 0, sizeof a);
    int first;
    bool stop;
    int rc = sv_cli_parse(argc, argv, pay_options,
                          "analyse pay --survey ID (--data FILE | --store FILE) [--by LIST] "
                          "[--without-segur] [-o FILE]",
                          "Pay by job, sector and region, and the gaps between employer sectors.",
                          on_opt, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if ((rc = pay_args_check(&a)))
        return rc;
    struct sv_survey *survey = NULL;
    struct pay_data d;
    if ((rc = pay_args_load(&a, &survey, &d)))
        return rc;
    enum pay_role roles[PAY_MAX_BY];
    size_t nroles;
    struct sv_error err;
    sv_error_clear(&err);
    struct pay_smic smic = {0};
    char *smic_path = NULL;
    struct pay_out out;
    bool out_init = false;
    struct pay_design pd;
    memset(&pd, 0, sizeof pd);
    unsigned char *mask_a = NULL, *mask_b = NULL;
    struct sector_refs refs = {{PAY_NA, PAY_NA}, NULL};
    if ((rc = pay_args_by(&d, a.by ? a.by : "job,employer_sector", roles, &nroles)))
        goto done;
    smic_path = pay_default_smic_path(a.smic);
    if (!smic_path || pay_smic_load(&smic, smic_path, &err) < 0) {
        rc = smic_path ? sv_fail_error(&err) : sv_fail(SV_EXIT_RUNTIME, "out of memory");
        goto done;
    }
    const struct pay_smic_row *sm = a.smic_date ? pay_smic_at(&smic, a.smic_date)
                                                : &smic.rows[smic.nrows - 1];
    if (!sm) {
        rc = sv_fail(SV_EXIT_DATA, "%s: no SMIC in force on %s", smic_path, a.smic_date);
        goto done;
    }

    enum sv_lang lang = a.lang;
    struct sv_buf title = SV_BUF_INIT;
    sv_buf_addf(&title, "%s", a.without_segur
                                  ? PAY_TR(lang, "Salaires bruts hors complément Ségur",
                                           "Gross pay without the Ségur supplement")
                                  : PAY_TR(lang, "Salaires bruts (complément Ségur inclus)",
                                           "Gross pay (Ségur supplement included)"));
    pay_out_init(&out, survey, title.data, lang);
    out.t.meta.n_respondents = d.n_read;
    out_init = true;
    sv_buf_release(&title);
    if ((rc = pay_args_design(&a, &d, &pd, &out)))
        goto done;
    /* every statistic through the engine, for the design or (--weights none) iid */
    const struct pay_design *dp = &pd;
    if (dp && (!(mask_a = pay_rows_alloc(d.n, 1)) || !(mask_b = pay_rows_alloc(d.n, 1)))) {
        rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
        goto done;
    }

    long sector_pos = -1;
    for (size_t k = 0; k < nroles; k++)
        if (roles[k] == PAY_R_SECTOR)
            sector_pos = (long)k;
    if (sector_pos >= 0 && (rc = sector_refs_init(&refs, survey, d.var[PAY_R_SECTOR])))
        goto done;
    /* the national rows (no grouping), then the --by cells */
    for (int pass = 0; pass < 4 && !rc; pass++) {
        int m = pass % 2;
        size_t ngroup = pass < 2 ? 0 : nroles;
        struct pay_groupset gs;
        if (pay_groups_build_rows(&gs, &d, roles, ngroup, (enum pay_measure)m, a.without_segur,
                                  a.sex_f, a.sex_h, &err) < 0) {
            rc = sv_fail_error(&err);
            break;
        }
        struct analyse_result *mean = calloc(gs.ncells, sizeof *mean);
        struct analyse_result *median = calloc(gs.ncells, sizeof *median);
        struct analyse_result *quant = dp ? calloc(gs.ncells * 5, sizeof *quant) : NULL;
        struct analyse_result *tmp = dp ? calloc(gs.ncells, sizeof *tmp) : NULL;
        if (!mean || !median || (dp && (!quant || !tmp))) {
            rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
            free(mean);
            free(median);
            free(quant);
            free(tmp);
            pay_groups_release(&gs);
            break;
        }
        if (dp) {
            /* svyby(svymean), svyby(svyquantile): the engine, domain by domain */
            const struct analyse_options qpt = {0.95, ANALYSE_CI_NONE, NAN, false, ANALYSE_QRULE_MATH,
                                                ANALYSE_CI_DEFAULT};
            int erc = analyse_by(mean, dp->des, ANALYSE_MEAN, gs.y, NULL, 0, gs.row_cell,
                                 gs.ncells, NULL, &err);
            if (erc >= 0)
                erc = analyse_by(median, dp->des, ANALYSE_QUANTILE, gs.y, NULL, 0.5, gs.row_cell,
                                 gs.ncells, NULL, &err);
            for (size_t q = 0; q < 5 && erc >= 0; q++) {
                erc = analyse_by(tmp, dp->des, ANALYSE_QUANTILE, gs.y, NULL, quantile_p[q],
                                 gs.row_cell, gs.ncells, &qpt, &err);
                for (size_t c = 0; c < gs.ncells && erc >= 0; c++)
                    quant[c * 5 + q] = tmp[c];
            }
            if (erc < 0)
                rc = sv_fail_error(&err);
        } else {
            for (size_t c = 0; c < gs.ncells; c++) {
                pay_srs_mean(&mean[c], &gs.cell[c], d.n);
                pay_srs_quantile(&median[c], &gs.cell[c], d.n, 0.5);
            }
        }
        free(tmp);
        if (rc) {
            free(mean);
            free(median);
            free(quant);
            pay_groups_release(&gs);
            break;
        }
        struct emit em = {.out = &out, .d = &d, .gs = &gs, .lang = lang, .mean = mean,
                          .median = median, .pd = dp, .quant = quant};
        sv_buf_init(&em.by);
        sv_buf_init(&em.group);
        sv_buf_init(&em.label);
        for (size_t c = 0; c < gs.ncells; c++)
            emit_cell(&em, c, (enum pay_measure)m);
        if (sector_pos >= 0 && ngroup > 0) {
            /* references: the public sector for every other sector, then the for-profit
             * sector for the non-profit ones, as the definition's code kinds say */
            const struct sv_variable *sv = d.var[PAY_R_SECTOR];
            for (size_t ri = 0; ri < 2; ri++) {
                if (refs.ref[ri] == PAY_NA)
                    continue;
                unsigned rlev = refs.ref[ri];
                for (size_t c = 0; c < gs.ncells; c++) {
                    unsigned lev[PAY_MAX_BY];
                    pay_groups_levels(&gs, c, lev);
                    unsigned s = lev[sector_pos];
                    if (s == rlev)
                        continue;
                    if (ri == 1 && !refs.non_profit[s])
                        continue;
                    lev[sector_pos] = rlev;
                    emit_gap(&em, c, pay_groups_index(&gs, lev), sector_kinds[ri],
                             sv_label_get(&sv->codes[rlev].label, lang), (enum pay_measure)m, mask_a,
                             mask_b);
                }
            }
        }
        if (m == PAY_HOURLY)
            emit_below_smic(&em, &d, sm->hourly, a.without_segur);
        sv_buf_release(&em.by);
        sv_buf_release(&em.group);
        sv_buf_release(&em.label);
        free(mean);
        free(median);
        free(quant);
        pay_groups_release(&gs);
    }
    out.format = a.format;
    if (!rc && pay_out_write(&out, a.output, &err) < 0)
        rc = sv_fail_error(&err);
done:
    if (out_init)
        pay_out_release(&out);
    pay_design_release(&pd);
    free(mask_a);
    free(mask_b);
    free(refs.non_profit);
    free(smic_path);
    pay_smic_release(&smic);
    pay_data_release(&d);
    sv_survey_free(survey);
    return rc ? rc : pay_finish(SV_EXIT_OK);
}
