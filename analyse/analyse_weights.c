/*
 * analyse weights: the final weight of every respondent, for reuse in R or a
 * spreadsheet, and a summary of the weights.
 *
 *   FILE            id, cell (the frame cell's codes, ';'-joined), stratum (the
 *                   variance stratum, 1-based), design_weight (before
 *                   post-stratification or raking), final_weight
 *   FILE.summary.csv  statistic,value: n, sum, mean, min, max, cv, kish_deff,
 *                   design_sum; cv is the standard deviation (divided by n)
 *                   over the mean, so kish_deff = n sum w^2 / (sum w)^2 = 1 + cv^2
 * With '-o -' the weights go to stdout and the summary to stderr.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "sv_csv.h"
#include "sv_file.h"
#include "analyse_cmds.h"
#include "analyse_common.h"

static const struct sv_option options[] = {
    {"survey", OPT_SURVEY, "ID|DIR", "survey definition"},
    ANALYSE_OPTIONS_SOURCE,
    ANALYSE_OPTIONS_WEIGHTS,
    {"output", 'o', "FILE", "the weights (CSV; '-' for stdout); the summary in FILE.summary.csv"},
    {"quiet", 'q', NULL, "no warnings"},
    {"help", 'h', NULL, "show this help"},
    {NULL, 0, NULL, NULL}};

struct wsummary {
    long n;
    double sum, mean, min, max, cv, deff, design_sum;
};

static void summarise(struct wsummary *s, const struct analyse_run *run)
{
    size_t n = run->data.nrows;
    long double sw = 0, sw2 = 0, sd = 0;
    memset(s, 0, sizeof *s);
    s->min = INFINITY;
    s->max = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double w = analyse_design_weight(run->setup.design, i);
        sw += w;
        sw2 += (long double)w * w;
        sd += run->setup.design_weight[i];
        if (w < s->min)
            s->min = w;
        if (w > s->max)
            s->max = w;
    }
    s->n = (long)n;
    s->sum = (double)sw;
    s->mean = n ? (double)(sw / n) : NAN;
    long double ss = 0;
    for (size_t i = 0; i < n; i++) {
        double e = analyse_design_weight(run->setup.design, i) - s->mean;
        ss += (long double)e * e;
    }
    s->cv = n ? sqrt((double)(ss / n)) / s->mean : NAN;
    s->deff = sw > 0 ? (double)((long double)n * sw2 / (sw * sw)) : NAN;
    s->design_sum = (double)sd;
}

static int write_weights(FILE *fp, const struct analyse_run *run)
{
    struct sv_csv_writer w;
    sv_csv_writer_init(&w, fp, SV_CSV_PLAIN);
    static const char *const head[] = {"id", "cell", "stratum", "design_weight", "final_weight"};
    sv_csv_row(&w, head, 5, SV_CELL_CODE);
    const struct sv_frame *fr = &run->survey->frame;
    char num[64];
    for (size_t i = 0; i < run->data.nrows; i++) {
        sv_csv_cell(&w, analyse_data_id(&run->data, i), SV_CELL_TEXT);
        size_t c = run->setup.row_cell[i];
        struct sv_buf cell = SV_BUF_INIT;
        for (size_t k = 0; c != ANALYSE_NO_GROUP && k < fr->nvars; k++)
            sv_buf_addf(&cell, "%s%s", k ? ";" : "", fr->rows[c].keys[k]);
        sv_csv_cell(&w, cell.data ? cell.data : "", SV_CELL_CODE);
        sv_buf_release(&cell);
        snprintf(num, sizeof num, "%zu", run->setup.row_stratum[i] + 1);
        sv_csv_cell(&w, num, SV_CELL_NUMBER);
        snprintf(num, sizeof num, "%.17g", run->setup.design_weight[i]);
        sv_csv_cell(&w, num, SV_CELL_NUMBER);
        snprintf(num, sizeof num, "%.17g", analyse_design_weight(run->setup.design, i));
        sv_csv_cell(&w, num, SV_CELL_NUMBER);
        sv_csv_end_record(&w);
    }
    return sv_csv_writer_status(&w);
}

static int write_summary(FILE *fp, const struct wsummary *s)
{
    struct sv_csv_writer w;
    sv_csv_writer_init(&w, fp, SV_CSV_PLAIN);
    static const char *const head[] = {"statistic", "value"};
    sv_csv_row(&w, head, 2, SV_CELL_CODE);
    const struct {
        const char *name;
        double v;
    } rows[] = {{"n", (double)s->n}, {"sum", s->sum},   {"mean", s->mean},
                {"min", s->min},     {"max", s->max},   {"cv", s->cv},
                {"kish_deff", s->deff}, {"design_sum", s->design_sum}};
    char num[64];
    for (size_t k = 0; k < sizeof rows / sizeof rows[0]; k++) {
        sv_csv_cell(&w, rows[k].name, SV_CELL_CODE);
        snprintf(num, sizeof num, "%.17g", rows[k].v);
        sv_csv_cell(&w, num, SV_CELL_NUMBER);
        sv_csv_end_record(&w);
    }
    return sv_csv_writer_status(&w);
}

/* Write one file atomically with `fn`. */
static int write_file(const char *path, int (*fn)(FILE *, const void *), const void *arg,
                      struct sv_error *err)
{
    struct sv_atomic_file f;
    int rc = sv_atomic_open(&f, path, err);
    if (rc)
        return rc;
    if (fn(f.fp, arg)) {
        sv_atomic_abort(&f);
        return sv_error_set(err, SV_EIO, path, 0, 0, "write error");
    }
    return sv_atomic_commit(&f, err);
}

static int fn_weights(FILE *fp, const void *arg) { return write_weights(fp, arg); }
static int fn_summary(FILE *fp, const void *arg) { return write_summary(fp, arg); }

int analyse_cmd_weights(int argc, char **argv)
{
    struct analyse_cmdopts o;
    int rc = analyse_cmd_parse(
        &o, argc, argv, options,
        "analyse weights --survey S (--store F | --data F) [--weights W] [--margins FILE] -o FILE",
        "The final weight of every respondent (id, frame cell, stratum, design weight, final "
        "weight) and a summary of the weights (n, sum, mean, min, max, coefficient of variation, "
        "Kish design effect n sum w^2 / (sum w)^2) in FILE.summary.csv (on stderr with '-o -').");
    if (rc >= 0)
        return rc;
    struct analyse_run run;
    struct sv_error err;
    sv_error_clear(&err);
    rc = analyse_run_open(&run, &o, &err);
    if (rc == 0)
        rc = analyse_run_load(&run, &err);
    if (rc) {
        int code = analyse_run_fail(&err);
        analyse_run_release(&run);
        return code;
    }
    struct wsummary s;
    summarise(&s, &run);
    bool to_stdout = strcmp(o.output, "-") == 0;
    rc = write_file(o.output, fn_weights, &run, &err);
    if (rc == 0 && !to_stdout) {
        struct sv_buf p = SV_BUF_INIT;
        sv_buf_addf(&p, "%s.summary.csv", o.output);
        rc = p.data ? write_file(p.data, fn_summary, &s, &err)
                    : sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        sv_buf_release(&p);
    } else if (rc == 0) {
        sv_note("weights: n %ld, sum %.17g, mean %.17g, min %.17g, max %.17g, cv %.17g, "
                "kish_deff %.17g, design_sum %.17g",
                s.n, s.sum, s.mean, s.min, s.max, s.cv, s.deff, s.design_sum);
    }
    analyse_run_release(&run);
    if (rc)
        return analyse_run_fail(&err);
    return sv_cli_finish(0);
}
