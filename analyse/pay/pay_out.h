/*
 * pay_out: building and writing the pay commands' indicator tables
 * (core sv_itable format, with "<stem>.meta.json" beside a file output).
 */
#ifndef ANALYSE_PAY_OUT_H
#define ANALYSE_PAY_OUT_H

#include <stdbool.h>
#include "sv_itable.h"
#include "sv_survey.h"
#include "analyse_table.h"

/* Minimum women and men in a published pay cell. */
#define PAY_MIN_PER_SEX 3

struct pay_out {
    struct sv_itable t;
    enum sv_lang lang;
    enum analyse_format format; /* --format: csv (default), excel-fr, jsonl */
    int status; /* first error (SV_ENOMEM), sticky */
};

/* A row being built; fields left NAN/NULL are written empty. */
struct pay_cell {
    const char *indicator, *label, *by, *group, *group_label, *unit, *ci_method, *reason;
    char method[48]; /* ci_method when composed (a quantile's "<interval>/<rule>") */
    double estimate, se, lo, hi, df;
    double population; /* sum of weights of the rows used; NAN when not relevant */
    long n, n_missing;
    bool suppressed;
};
void pay_cell_init(struct pay_cell *c);

void pay_out_init(struct pay_out *o, const struct sv_survey *survey, const char *title,
                  enum sv_lang lang);
void pay_out_add(struct pay_out *o, const struct pay_cell *c);
/* Write in o->format to `path` (+ "<path without .csv/.jsonl>.meta.json") or to
 * stdout when path is NULL or "-", through analyse's table writer. Returns 0 or SV_E*. */
int pay_out_write(struct pay_out *o, const char *path, struct sv_error *err);
void pay_out_release(struct pay_out *o);

/* "fr"/"en" text picker. */
#define PAY_TR(lang, fr, en) ((lang) == SV_LANG_EN ? (en) : (fr))

#endif
