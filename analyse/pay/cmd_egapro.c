/*
 * analyse egapro: the gender equality index of one employer from its
 * workforce file (one row per employee; columns in analyse/pay/README.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "analyse_pay_cmds.h"
#include "cmd_common.h"
#include "pay.h"
#include "pay_out.h"
#include "cmd_args.h"

enum { OPT_WORKFORCE = 256, OPT_AGGREGATED, OPT_YEAR, OPT_BAND, OPT_GROUPS, OPT_LANG, OPT_FORMAT };

static const struct sv_option eg_options[] = {
    {"workforce", OPT_WORKFORCE, "FILE", "the employer's workforce CSV (one row per employee)"},
    {"aggregated", OPT_AGGREGATED, "FILE", "or the declaration's counts and mean pays per group (CSV)"},
    {"year", OPT_YEAR, "YYYY", "year of publication (the data are of the year before)"},
    {"band", OPT_BAND, "50-250|251+", "size band (default: from the headcount)"},
    {"groups", OPT_GROUPS, "csp|level", "indicator 1 groups: CSP x age (default) or level x age"},
    {"output", 'o', "FILE", "write the table to FILE (and FILE's .meta.json); default stdout"},
    {"format", OPT_FORMAT, "F", "csv (default), excel-fr or jsonl"},
    {"lang", OPT_LANG, "fr|en", "language of labels (default fr)"},
    {"quiet", 'q', NULL, "print nothing but errors"},
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL}};

struct eg_ctx {
    const char *workforce, *aggregated, *output;
    long year;
    int band;
    enum pay_egapro_grouping grouping;
    enum sv_lang lang;
    enum analyse_format format;
};

static int on_opt(int key, const char *value, void *vctx)
{
    struct eg_ctx *c = vctx;
    switch (key) {
    case OPT_WORKFORCE: c->workforce = value; return 0;
    case OPT_AGGREGATED: c->aggregated = value; return 0;
    case 'o': c->output = value; return 0;
    case 'q': sv_cli_set_quiet(true); return 0;
    case OPT_FORMAT: return pay_args_format(value, &c->format);
    case OPT_YEAR:
        if (sv_parse_long(value, 2019, 2100, &c->year) < 0)
            return sv_usage_error("--year: expected a year from 2019, got '%s'", value);
        return 0;
    case OPT_BAND:
        if (strcmp(value, "50-250") == 0)
            c->band = PAY_EGAPRO_50_250;
        else if (strcmp(value, "251+") == 0)
            c->band = PAY_EGAPRO_OVER_250;
        else
            return sv_usage_error("--band: expected '50-250' or '251+', got '%s'", value);
        return 0;
    case OPT_GROUPS:
        if (strcmp(value, "csp") == 0)
            c->grouping = PAY_EGAPRO_CSP;
        else if (strcmp(value, "level") == 0)
            c->grouping = PAY_EGAPRO_LEVEL;
        else
            return sv_usage_error("--groups: expected 'csp' or 'level', got '%s'", value);
        return 0;
    case OPT_LANG:
        if (sv_lang_parse(value, &c->lang) < 0)
            return sv_usage_error("--lang: expected 'fr' or 'en', got '%s'", value);
        return 0;
    default: return sv_usage_error("unexpected option");
    }
}

static const char *const ind_codes[6] = {"egapro_pay_gap", "egapro_raise_gap", "egapro_promotion_gap",
                                         "egapro_raise_gap_50_250", "egapro_maternity",
                                         "egapro_top10"};

static const char *ind_label(int k, enum sv_lang lang)
{
    static const char *const fr[6] = {
        "Indicateur 1 : écart de rémunération (%)",
        "Indicateur 2 : écart de taux d'augmentations individuelles (points)",
        "Indicateur 3 : écart de taux de promotions (points)",
        "Indicateur 2-3 : écart de taux d'augmentations (points)",
        "Indicateur 4 : salariées augmentées au retour de congé maternité (%)",
        "Indicateur 5 : salariés du sexe sous-représenté parmi les 10 plus hautes rémunérations"};
    static const char *const en[6] = {
        "Indicator 1: pay gap (%)",
        "Indicator 2: gap in individual raise rates (points)",
        "Indicator 3: gap in promotion rates (points)",
        "Indicator 2-3: gap in raise rates (points)",
        "Indicator 4: employees raised on return from maternity leave (%)",
        "Indicator 5: employees of the under-represented sex among the 10 best paid"};
    return lang == SV_LANG_EN ? en[k] : fr[k];
}

static const char *side_code(enum pay_sex_side s)
{
    return s == PAY_SIDE_MEN ? "h" : s == PAY_SIDE_WOMEN ? "f" : "";
}

int analyse_cmd_egapro(int argc, char **argv)
{
    struct eg_ctx c;
    memset(&c, 0, sizeof c);
    c.band = -1;
    int first;
    bool stop;
    int rc = sv_cli_parse(argc, argv, eg_options,
                          "analyse egapro (--workforce FILE | --aggregated FILE) [--year YYYY] [--band 50-250|251+] [-o FILE]",
                          "Compute the Egapro gender equality index of one employer from its workforce\n"
                          "file: a CSV with the columns id, sex (f, h), csp (ouv, emp, tam, ic),\n"
                          "age_band (moins30, 30a39, 40a49, 50plus), annual_pay (gross, full-time\n"
                          "equivalent), raise and promotion (0/1), and optionally maternity_return,\n"
                          "maternity_raise_period, maternity_raised (0/1) and level; or from the\n"
                          "aggregated counts of the declaration form (--aggregated: columns item,\n"
                          "group, age_band, women, men, value_women, value_men).\n"
                          "Rules and scores: analyse/pay/README.md.",
                          on_opt, &c,
                          &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!c.workforce == !c.aggregated)
        return sv_usage_error("give exactly one of --workforce FILE and --aggregated FILE");
    struct sv_error err;
    sv_error_clear(&err);
    struct pay_egapro_input in;
    if (c.aggregated) {
        if (pay_egapro_read_aggregated(&in, c.aggregated, c.band, c.grouping, &err) < 0)
            return sv_fail_error(&err);
        if (in.total_f + in.total_h < 50)
            sv_warn("%s: %ld employees; the index is due from 50 employees", c.aggregated,
                    in.total_f + in.total_h);
    } else {
        struct pay_egapro_employee *emp = NULL;
        size_t n = 0;
        if (pay_egapro_read_csv(&emp, &n, c.workforce, &err) < 0)
            return sv_fail_error(&err);
        if (c.grouping == PAY_EGAPRO_LEVEL)
            for (size_t i = 0; i < n; i++)
                if (!emp[i].level[0]) {
                    free(emp);
                    return sv_fail(SV_EXIT_DATA,
                                   "%s: --groups level needs a 'level' for every employee (row %zu has none)",
                                   c.workforce, i + 1);
                }
        if (n < 50)
            sv_warn("%s: %zu employees; the index is due from 50 employees", c.workforce, n);
        if (pay_egapro_aggregate(&in, emp, n, c.band, c.grouping, &err) < 0) {
            free(emp);
            return sv_fail_error(&err);
        }
        free(emp);
    }
    struct pay_egapro_result res;
    pay_egapro_compute(&in, &res);

    enum sv_lang lang = c.lang;
    struct sv_buf title = SV_BUF_INIT;
    if (c.year)
        sv_buf_addf(&title, PAY_TR(lang, "Index de l'égalité professionnelle %ld (données %ld)",
                                   "Gender equality index %ld (%ld data)"),
                    c.year, c.year - 1);
    else
        sv_buf_adds(&title, PAY_TR(lang, "Index de l'égalité professionnelle", "Gender equality index"));
    struct pay_out out;
    pay_out_init(&out, NULL, title.data, lang);
    sv_buf_release(&title);
    free(out.t.meta.survey);
    out.t.meta.survey = sv_strdup("egapro");
    if (c.year) {
        char y[16];
        snprintf(y, sizeof y, "%ld", c.year);
        free(out.t.meta.wave);
        out.t.meta.wave = sv_strdup(y);
    }
    out.t.meta.source = sv_strdup(c.aggregated ? PAY_TR(lang, "Source : effectifs et rémunérations moyennes déclarés par l'employeur",
                                                        "Source: the employer's declared headcounts and mean pays")
                                               : PAY_TR(lang, "Source : fichier du personnel de l'employeur",
                                                        "Source: the employer's workforce file"));
    const char *band = in.band == PAY_EGAPRO_OVER_250 ? "251+" : "50-250";
    long total = in.total_f + in.total_h;

    /* Indicator 1 group detail: which groups count, and their gaps. */
    for (size_t g = 0; g < in.ng1; g++) {
        const struct pay_egapro_group1 *gr = &in.g1[g];
        if (gr->n_f + gr->n_h == 0)
            continue;
        struct pay_cell cell;
        pay_cell_init(&cell);
        cell.indicator = "egapro_group_gap";
        cell.label = PAY_TR(lang, "Écart de rémunération du groupe (après seuil de pertinence)",
                            "Group pay gap (after the pertinence threshold)");
        cell.by = c.grouping == PAY_EGAPRO_LEVEL ? "level;age_band" : "csp;age_band";
        cell.group = gr->key;
        cell.group_label = gr->key;
        cell.n = gr->n_f + gr->n_h;
        cell.unit = "share";
        if (gr->valid) {
            cell.estimate = gr->gap_adj;
        } else {
            cell.suppressed = true;
            cell.reason = "n_f<3 or n_h<3 (group not valid)";
        }
        pay_out_add(&out, &cell);
    }
    for (int k = 0; k < 6; k++) {
        const struct pay_egapro_indicator *ind = &res.ind[k];
        if (!ind->applicable)
            continue;
        struct pay_cell cell;
        pay_cell_init(&cell);
        cell.indicator = ind_codes[k];
        cell.label = ind_label(k, lang);
        cell.by = "favours";
        cell.group = side_code(ind->favours);
        cell.n = total;
        cell.unit = k == PAY_EG_I5 ? "count" : "percent";
        cell.estimate = ind->value;
        char reason[192] = "";
        if (!ind->calculable)
            snprintf(reason, sizeof reason, "non calculable: %s", ind->reason);
        else if (ind->compensated)
            snprintf(reason, sizeof reason, "%s", "full points: the gap favours the lower-paid sex");
        cell.reason = reason;
        pay_out_add(&out, &cell);
        if (k == PAY_EG_I23) {
            struct pay_cell c2 = cell;
            c2.indicator = "egapro_raise_gap_50_250_employees";
            c2.label = PAY_TR(lang, "Indicateur 2-3 : écart en nombre équivalent de salariés",
                              "Indicator 2-3: gap in equivalent employees");
            c2.estimate = ind->value2;
            c2.unit = "count";
            pay_out_add(&out, &c2);
        }
        struct pay_cell sc = cell;
        char code[64];
        snprintf(code, sizeof code, "%s_score", ind_codes[k]);
        sc.indicator = code;
        sc.label = PAY_TR(lang, "Note de l'indicateur", "Indicator score");
        sc.by = "max";
        char maxs[8];
        snprintf(maxs, sizeof maxs, "%d", ind->max);
        sc.group = maxs;
        sc.estimate = ind->score >= 0 ? ind->score : NAN;
        sc.unit = "score";
        pay_out_add(&out, &sc);
    }
    struct pay_cell cell;
    pay_cell_init(&cell);
    cell.indicator = "egapro_index";
    cell.label = PAY_TR(lang, "Index de l'égalité professionnelle (sur 100)", "Gender equality index (out of 100)");
    cell.by = "band";
    cell.group = band;
    cell.n = total;
    cell.unit = "score";
    cell.estimate = res.index >= 0 ? res.index : NAN;
    char reason[160] = "";
    if (res.index < 0)
        snprintf(reason, sizeof reason,
                 "non calculable: calculable indicators are worth %d points, fewer than 75",
                 res.max_points);
    cell.reason = reason;
    pay_out_add(&out, &cell);
    cell.indicator = "egapro_points";
    cell.label = PAY_TR(lang, "Points obtenus", "Points obtained");
    cell.estimate = res.points;
    cell.reason = "";
    pay_out_add(&out, &cell);
    cell.indicator = "egapro_points_calculable";
    cell.label = PAY_TR(lang, "Points des indicateurs calculables", "Points of the calculable indicators");
    cell.estimate = res.max_points;
    pay_out_add(&out, &cell);

    pay_egapro_input_release(&in);
    out.format = c.format;
    if (pay_out_write(&out, c.output, &err) < 0)
        rc = sv_fail_error(&err);
    pay_out_release(&out);
    return rc ? rc : pay_finish(SV_EXIT_OK);
}
