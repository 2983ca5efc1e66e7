/*
 * analyse pay: pay levels by job, sector and region, and the gaps between
 * employer sectors for the same job (non-profit, public, for-profit), in
 * euros and in %, monthly and hourly, with and without the Ségur supplement.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "analyse_design.h"
#include "analyse_pay_cmds.h"
#include "cmd_args.h"
#include "cmd_common.h"
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
    cell->population = (double)cs->n; /* equal weights */
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
    pay_out_add(em->out, &cell);

    cell_start(&cell, em, cs, reason, hourly ? "eur_hour" : "eur");
    cell.indicator = hourly ? "hourly_pay_median" : "monthly_pay_median";
    cell.label = hourly ? PAY_TR(lang, "Salaire horaire brut médian", "Median gross hourly pay")
                        : PAY_TR(lang, "Salaire mensuel brut médian", "Median gross monthly pay");
    if (!reason)
        pay_cell_set_result(&cell, &em->median[c]);
    pay_out_add(em->out, &cell);

    char name[32];
    for (size_t q = 0; q < 5; q++) {
        cell_start(&cell, em, cs, reason, hourly ? "eur_hour" : "eur");
        snprintf(name, sizeof name, "%s.%s", hourly ? "hourly_pay" : "monthly_pay", quantile_sfx[q]);
        cell.indicator = name;
        cell.label = hourly ? PAY_TR(lang, "Salaire horaire brut (quantile)", "Gross hourly pay (quantile)")
                            : PAY_TR(lang, "Salaire mensuel brut (quantile)", "Gross monthly pay (quantile)");
        if (!reason)
            cell.estimate = pay_quantile_sorted(cs->v, (size_t)cs->n, quantile_p[q]);
        pay_out_add(em->out, &cell);
    }
}

/* Gaps of cell c (sector s) against cell r (reference sector), same other levels. */
static void emit_gap(struct emit *em, size_t c, size_t r, const char *ref_code, enum pay_measure m)
{
    const struct pay_cellstat *a = &em->gs->cell[c], *b = &em->gs->cell[r];
    if (a->n == 0 || b->n == 0)
        return;
    enum sv_lang lang = em->lang;
    set_group(em, c);
    const char *reason = cell_reason(a) ? cell_reason(a) : cell_reason(b);
    const char *stem = m == PAY_HOURLY ? "hourly" : "monthly";
    struct pay_relgap diff, relg;
    pay_srs_gaps(&diff, &relg, a, b, em->d->n);
    for (int stat = 0; stat < 2; stat++) {     /* mean, median */
        for (int rel = 0; rel < 2; rel++) {    /* euros, relative */
            char name[64], label[256];
            snprintf(name, sizeof name, "%s_pay_%s_gap_vs_%s%s", stem, stat ? "median" : "mean",
                     ref_code, rel ? "_pct" : "");
            snprintf(label, sizeof label, "%s",
                     lang == SV_LANG_EN
                         ? (rel ? "Gap to the reference sector (share of the reference)"
                                : "Gap to the reference sector (EUR)")
                         : (rel ? "Écart au secteur de référence (part de la référence)"
                                : "Écart au secteur de référence (€)"));
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
            cell.population = (double)cell.n;
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
    if (!below) {
        em->out->status = SV_ENOMEM;
        return;
    }
    for (size_t i = 0; i < d->n; i++) {
        unsigned lev[PAY_MAX_BY];
        bool ok = true;
        for (size_t k = 0; k < gs->nroles; k++)
            if ((lev[k] = d->e[i].cat[gs->role[k]]) == PAY_NA)
                ok = false;
        if (!ok)
            continue;
        /* in cents: exactly the SMIC for the employee's hours is not below it */
        double monthly = pay_emp_monthly(&d->e[i], without_segur);
        for (size_t k = 0; k < np; k++)
            if (pay_below_smic(monthly, d->e[i].hours, smic_hourly, smic_pct[k]) == 1)
                below[pay_groups_index(gs, lev) * np + k]++;
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
            if (!reason) {
                /* Wilson interval */
                double n = (double)cs->n, p = (double)below[c * np + k] / n;
                double z = gsl_cdf_ugaussian_Pinv(0.975);
                double den = 1 + z * z / n;
                double centre = (p + z * z / (2 * n)) / den;
                double half = z / den * sqrt(p * (1 - p) / n + z * z / (4 * n * n));
                cell.estimate = p;
                cell.se = sqrt(p * (1 - p) / n);
                cell.lo = p == 0 ? 0 : centre - half; /* exact ends, not 4e-19 */
                cell.hi = p == 1 ? 1 : centre + half;
                cell.ci_method = "wilson";
            }
            cell.population = (double)cell.n;
            pay_out_add(em->out, &cell);
        }
    }
    free(below);
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

    long sector_pos = -1;
    for (size_t k = 0; k < nroles; k++)
        if (roles[k] == PAY_R_SECTOR)
            sector_pos = (long)k;
    /* the national rows (no grouping), then the --by cells */
    for (int pass = 0; pass < 4 && !rc; pass++) {
        int m = pass % 2;
        size_t ngroup = pass < 2 ? 0 : nroles;
        struct pay_groupset gs;
        if (pay_groups_build(&gs, &d, roles, ngroup, (enum pay_measure)m, a.without_segur, a.sex_f,
                             a.sex_h, false, NULL, &err) < 0) {
            rc = sv_fail_error(&err);
            break;
        }
        struct analyse_result *mean = calloc(gs.ncells, sizeof *mean);
        struct analyse_result *median = calloc(gs.ncells, sizeof *median);
        if (!mean || !median) {
            rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
            free(mean);
            free(median);
            pay_groups_release(&gs);
            break;
        }
        for (size_t c = 0; c < gs.ncells; c++) {
            pay_srs_mean(&mean[c], &gs.cell[c], d.n);
            pay_srs_quantile(&median[c], &gs.cell[c], d.n, 0.5);
        }
        struct emit em = {.out = &out, .d = &d, .gs = &gs, .lang = lang, .mean = mean,
                          .median = median};
        sv_buf_init(&em.by);
        sv_buf_init(&em.group);
        sv_buf_init(&em.label);
        for (size_t c = 0; c < gs.ncells; c++)
            emit_cell(&em, c, (enum pay_measure)m);
        if (sector_pos >= 0 && ngroup > 0) {
            /* references: public, then private for-profit */
            static const char *const refs[] = {"public", "prive_lucratif"};
            const struct sv_variable *sv = d.var[PAY_R_SECTOR];
            for (size_t ri = 0; ri < 2; ri++) {
                const struct sv_code *rcode = sv_variable_code(sv, refs[ri]);
                if (!rcode)
                    continue;
                unsigned rlev = (unsigned)(rcode - sv->codes);
                for (size_t c = 0; c < gs.ncells; c++) {
                    unsigned lev[PAY_MAX_BY];
                    pay_groups_levels(&gs, c, lev);
                    unsigned s = lev[sector_pos];
                    if (s == rlev)
                        continue;
                    /* for-profit is a reference for the non-profit sector only */
                    if (ri == 1 && strcmp(sv->codes[s].code, "public") == 0)
                        continue;
                    lev[sector_pos] = rlev;
                    emit_gap(&em, c, pay_groups_index(&gs, lev), refs[ri], (enum pay_measure)m);
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
        pay_groups_release(&gs);
    }
    out.format = a.format;
    if (!rc && pay_out_write(&out, a.output, &err) < 0)
        rc = sv_fail_error(&err);
done:
    if (out_init)
        pay_out_release(&out);
    free(smic_path);
    pay_smic_release(&smic);
    pay_data_release(&d);
    sv_survey_free(survey);
    return rc ? rc : pay_finish(SV_EXIT_OK);
}
