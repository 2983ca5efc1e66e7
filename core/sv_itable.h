/*
 * sv_itable: indicator tables, the contract between analyse and plot.
 *
 * An indicator table is a long, tidy CSV: one row per (indicator, group),
 * with the columns below, in this order. Beside it, "<table>.meta.json"
 * carries the metadata plot needs for titles and the source line.
 *
 *   indicator        machine name, e.g. "difficulty_share", "vacancy_rate"
 *   label            human label of the indicator in the table's language
 *   by               grouping variable(s), ';'-joined, "" for the whole population
 *   group            the group's code(s), ';'-joined, "" for the whole population
 *   group_label      the group's label(s), ' – '-joined
 *   estimate         point estimate (C notation); empty when suppressed
 *   se               standard error; empty when suppressed or not defined
 *   ci_low, ci_high  interval bounds; empty when suppressed
 *   ci_level         e.g. 0.95
 *   ci_method        "logit", "wilson", "clopper-pearson", "t", "none"
 *   df               design degrees of freedom
 *   n                unweighted number of respondents used
 *   n_missing        respondents excluded for a missing answer
 *   population       estimated population size of the group (sum of weights)
 *   unit             "share", "rate", "count", "fte", "eur", "eur_hour", "percent", "score", "ratio"
 *   suppressed       0 or 1
 *   reason           why it was suppressed or flagged ("n<3", "dominance>85%", "cv>20%"), or ""
 *
 * Shares and rates are fractions (0.412), never percentages. Values are written
 * with 17 significant digits so tables re-read give the same doubles.
 * Suppressed cells have empty value columns: a reader can never mistake one
 * for a zero.
 */
#ifndef SV_ITABLE_H
#define SV_ITABLE_H

#include <stdio.h>
#include <stdbool.h>
#include "sv_csv.h"
#include "sv_survey.h"
#include "sv_error.h"

struct sv_irow {
    char *indicator;
    char *label;
    char *by;
    char *group;
    char *group_label;
    double estimate, se, ci_low, ci_high; /* NAN when absent */
    double ci_level;
    char *ci_method;
    double df;
    long n;
    long n_missing;
    double population;
    char *unit;
    bool suppressed;
    char *reason;
};

struct sv_imeta {
    char *survey;        /* survey id */
    char *survey_version;
    char *wave;
    char *title;         /* table title in the table's language */
    char *source;        /* source line, e.g. "Source : enquête recrutement 2026" */
    char *design;        /* e.g. "stratified by region x sector, fpc from frame" */
    char *weighting;     /* "frame", "raking", "poststratification", "none" */
    char *lang;          /* "fr" or "en" */
    long n_respondents;
    char *unit_label;    /* "établissements" */
    long min_cell;       /* suppression threshold used */
    double dominance;    /* dominance threshold used (0.85) */
    char *calibration;   /* calibration to margins, a JSON object's text; NULL = none */
    /* tables with quantiles: R svyquantile's qrule and interval.type (else NULL, not written) */
    char *quantile_rule;
    char *quantile_interval;
    /*
     * Which stored responses were read (NULL: not from a store, the key is not
     * written): "complete" or "all" (partial saves too), and whether those the
     * platform's review rejected were "excluded" or "included"; how many of
     * each were left out (0 when included).
     */
    char *responses;
    char *review_rejected;
    long partial_left_out, rejected_left_out;
};

struct sv_itable {
    struct sv_irow *rows;
    size_t nrows;
    size_t cap;
    struct sv_imeta meta;
};

void sv_itable_init(struct sv_itable *t);
void sv_itable_release(struct sv_itable *t);
/* Append a copy of `row` (strings are copied). */
int sv_itable_add(struct sv_itable *t, const struct sv_irow *row);

/* The header cells, in order; `count` receives their number. */
const char *const *sv_itable_header(size_t *count);

/* Write the rows as CSV in `dialect` (excel-fr writes decimal commas). */
int sv_itable_write_csv(const struct sv_itable *t, FILE *fp, enum sv_csv_dialect dialect,
                        struct sv_error *err);
/* Write the rows as JSON Lines (one object per row, null for absent values). */
int sv_itable_write_jsonl(const struct sv_itable *t, FILE *fp, struct sv_error *err);
/* Write the metadata JSON object. */
int sv_itable_write_meta(const struct sv_itable *t, FILE *fp, struct sv_error *err);

/*
 * Read a table written by sv_itable_write_csv (either dialect) from `path`,
 * and its metadata from "<path without .csv>.meta.json" when that exists.
 */
int sv_itable_load(struct sv_itable *t, const char *path, struct sv_error *err);

#endif
