/*
 * analyse grid: which steps of a collective-agreement grid start under the
 * SMIC in force on a date, and by how much.
 */
#include <limits.h>
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

enum { OPT_GRID = 256, OPT_DATE, OPT_SMIC, OPT_LANG, OPT_FORMAT };

static const struct sv_option grid_options[] = {
    {"grid", OPT_GRID, "FILE", "grid definition (surveys/common/grids/*.json)"},
    {"date", OPT_DATE, "YYYY-MM-DD", "date of the point value and of the SMIC"},
    {"smic", OPT_SMIC, "FILE", "SMIC history (default: $VIGIE_SURVEYS/common/smic.csv)"},
    {"output", 'o', "FILE", "write the table to FILE (and FILE's .meta.json); default stdout"},
    {"format", OPT_FORMAT, "F", "csv (default), excel-fr or jsonl"},
    {"lang", OPT_LANG, "fr|en", "language of labels (default fr)"},
    {"quiet", 'q', NULL, "print nothing but errors"},
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL}};

struct grid_ctx {
    const char *grid, *date, *smic, *output;
    enum sv_lang lang;
    enum analyse_format format;
};

static int on_opt(int key, const char *value, void *vctx)
{
    struct grid_ctx *c = vctx;
    switch (key) {
    case OPT_GRID: c->grid = value; return 0;
    case OPT_DATE: c->date = value; return 0;
    case OPT_SMIC: c->smic = value; return 0;
    case 'o': c->output = value; return 0;
    case 'q': sv_cli_set_quiet(true); return 0;
    case OPT_FORMAT: return pay_args_format(value, &c->format);
    case OPT_LANG:
        if (sv_lang_parse(value, &c->lang) < 0)
            return sv_usage_error("--lang: expected 'fr' or 'en', got '%s'", value);
        return 0;
    default: return sv_usage_error("unexpected option");
    }
}

int analyse_cmd_grid(int argc, char **argv)
{
    struct grid_ctx c;
    memset(&c, 0, sizeof c);
    int first;
    bool stop;
    int rc = sv_cli_parse(argc, argv, grid_options, "analyse grid --grid FILE --date YYYY-MM-DD [-o FILE]",
                          "Compare each step of a collective-agreement grid with the SMIC in force on a date.",
                          on_opt, &c, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!c.grid)
        return sv_usage_error("--grid FILE is required");
    if (!c.date)
        return sv_usage_error("--date YYYY-MM-DD is required");
    if (!pay_date_valid(c.date))
        return sv_usage_error("--date: not a date '%s' (expected YYYY-MM-DD)", c.date);

    struct sv_error err;
    sv_error_clear(&err);
    struct pay_grid g;
    struct pay_smic smic;
    char *smic_path = pay_default_smic_path(c.smic);
    if (!smic_path)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    if (pay_grid_load(&g, c.grid, &err) < 0) {
        free(smic_path);
        return sv_fail_error(&err);
    }
    if (pay_smic_load(&smic, smic_path, &err) < 0) {
        free(smic_path);
        pay_grid_release(&g);
        return sv_fail_error(&err);
    }
    free(smic_path);
    const struct pay_smic_row *s = pay_smic_at(&smic, c.date);
    const struct pay_grid_point *pt = NULL;
    double point = strcmp(g.kind, "points") == 0 ? pay_grid_point_at(&g, c.date, &pt) : NAN;
    if (!s) {
        rc = sv_fail(SV_EXIT_DATA, "%s: no SMIC in force on %s (the history starts on %s)",
                     c.grid, c.date, smic.rows[0].from);
        goto out;
    }
    if (strcmp(g.kind, "points") == 0 && !pt) {
        rc = sv_fail(SV_EXIT_DATA, "%s: no point value in force on %s (the first is from %s)",
                     c.grid, c.date, g.points[0].from);
        goto out;
    }
    enum sv_lang lang = c.lang;
    /* the monthly SMIC for the grid's hours, in cents (from the hourly rate, as
     * published: 11.88 EUR x 35 h x 52 / 12 = 1,801.80 EUR) */
    long long smic_c = pay_smic_month_cents(s->hourly, g.hours, 100);
    if (smic_c == LLONG_MIN) {
        rc = sv_fail(SV_EXIT_DATA, "%s: no monthly SMIC for %g hours a week", c.grid, g.hours);
        goto out;
    }
    double smic_month = (double)smic_c / 100.0;
    struct sv_buf title = SV_BUF_INIT;
    if (pt)
        sv_buf_addf(&title, PAY_TR(lang, "%s : minima au %s (point %.5g €, SMIC %.2f €)",
                                   "%s: minima on %s (point EUR %.5g, SMIC EUR %.2f)"),
                    g.title, c.date, point, smic_month);
    else
        sv_buf_addf(&title, PAY_TR(lang, "%s : minima au %s (SMIC %.2f €)",
                                   "%s: minima on %s (SMIC EUR %.2f)"),
                    g.title, c.date, smic_month);
    struct pay_out out;
    pay_out_init(&out, NULL, title.data, lang);
    sv_buf_release(&title);
    free(out.t.meta.survey);
    out.t.meta.survey = sv_strdup(g.id);
    free(out.t.meta.source);
    out.t.meta.source = sv_strdup(PAY_TR(lang, "Source : grille conventionnelle, SMIC (JO)",
                                         "Source: collective-agreement grid, SMIC (JO)"));

    long below = 0;
    long long worst = 0; /* cents */
    for (size_t i = 0; i < g.nsteps; i++) {
        const struct pay_grid_step *st = &g.steps[i];
        double gross = pay_grid_step_gross(&g, st, point);
        long long gross_c = pay_cents(gross);
        /* compared in cents: a step exactly at the SMIC is not under it */
        bool under = gross_c < smic_c;
        struct pay_cell cell;
        pay_cell_init(&cell);
        cell.by = "step";
        cell.group = st->code;
        cell.group_label = st->label;
        cell.n = 1;
        cell.indicator = "grid_gross";
        cell.label = PAY_TR(lang, "Salaire brut mensuel minimum de l'échelon",
                            "Gross monthly minimum of the step");
        cell.estimate = gross;
        cell.unit = "eur";
        pay_out_add(&out, &cell);
        cell.indicator = "grid_gap_to_smic";
        cell.label = PAY_TR(lang, "Écart au SMIC mensuel (négatif : sous le SMIC)",
                            "Gap to the monthly SMIC (negative: under the SMIC)");
        cell.estimate = (double)(gross_c - smic_c) / 100.0;
        pay_out_add(&out, &cell);
        cell.indicator = "grid_ratio_to_smic";
        cell.label = PAY_TR(lang, "Minimum de l'échelon rapporté au SMIC mensuel",
                            "Step minimum over the monthly SMIC");
        cell.estimate = (double)gross_c / (double)smic_c;
        cell.unit = "ratio";
        pay_out_add(&out, &cell);
        cell.indicator = "grid_below_smic";
        cell.label = PAY_TR(lang, "Échelon sous le SMIC (1 = oui)", "Step under the SMIC (1 = yes)");
        cell.estimate = under ? 1 : 0;
        cell.unit = "count";
        pay_out_add(&out, &cell);
        if (under) {
            below++;
            if (smic_c - gross_c > worst)
                worst = smic_c - gross_c;
        }
    }
    struct pay_cell cell;
    pay_cell_init(&cell);
    cell.indicator = "grid_steps_below_smic";
    cell.label = PAY_TR(lang, "Nombre d'échelons sous le SMIC", "Number of steps under the SMIC");
    cell.estimate = (double)below;
    cell.n = (long)g.nsteps;
    cell.unit = "count";
    pay_out_add(&out, &cell);
    cell.indicator = "grid_steps_below_smic_share";
    cell.label = PAY_TR(lang, "Part des échelons sous le SMIC", "Share of the steps under the SMIC");
    cell.estimate = g.nsteps ? (double)below / (double)g.nsteps : NAN;
    cell.unit = "share";
    pay_out_add(&out, &cell);
    cell.indicator = "grid_max_differential";
    cell.label = PAY_TR(lang, "Indemnité différentielle maximale due (€ par mois)",
                        "Largest differential allowance owed (EUR a month)");
    cell.estimate = (double)worst / 100.0;
    cell.unit = "eur";
    pay_out_add(&out, &cell);
    cell.indicator = "smic_monthly";
    cell.label = PAY_TR(lang, "SMIC mensuel brut en vigueur", "Monthly gross SMIC in force");
    cell.by = "date";
    cell.group = c.date;
    cell.group_label = s->from;
    cell.estimate = smic_month;
    cell.n = 1;
    pay_out_add(&out, &cell);
    if (pt) {
        cell.indicator = "point_value";
        cell.label = PAY_TR(lang, "Valeur du point en vigueur", "Point value in force");
        cell.group_label = pt->from;
        cell.estimate = point;
        pay_out_add(&out, &cell);
    }
    out.format = c.format;
    if (pay_out_write(&out, c.output, &err) < 0)
        rc = sv_fail_error(&err);
    pay_out_release(&out);
out:
    pay_grid_release(&g);
    pay_smic_release(&smic);
    return rc ? rc : pay_finish(SV_EXIT_OK);
}
