/*
 * analyse_common: what the indicator commands share: their options, loading
 * the survey and its records, the design, groupings, and turning estimates
 * into indicator rows.
 */
#ifndef ANALYSE_COMMON_H
#define ANALYSE_COMMON_H

#include <stdbool.h>
#include "sv_survey.h"
#include "sv_cli.h"
#include "analyse_design.h"
#include "analyse_input.h"
#include "analyse_frame.h"
#include "analyse_calib.h"
#include "analyse_table.h"

#define ANALYSE_MAX_BY 16

struct analyse_cmdopts {
    const char *survey, *store, *data, *output;
    const char *by[ANALYSE_MAX_BY];
    size_t nby;
    enum analyse_weighting weighting;
    const char *margins;               /* --margins FILE or NULL */
    struct analyse_calib_opts calib;   /* --calibrate, --bounds */
    bool calib_set, bounds_set;
    long min_cell;
    double dominance, level;
    enum analyse_ci_method ci;
    double df; /* --df: NAN = the design df of each estimate, INFINITY = normal */
    enum analyse_format format;
    bool markdown;
    enum sv_lang lang;
    /* analyse estimate */
    const char *var, *stat, *denominator, *code;
    double p;
    bool test;
    bool rows; /* --rows: the row engine even where the moments would do */
    const char *versus; /* --versus CODE: each group against this one */
    /* quantiles: --qrule, --quantile-ci (defaults: R svyquantile's, math and mean) */
    enum analyse_qrule qrule;
    enum analyse_ci_method qci;
    bool quantile_opts_given;
    /* --responses all / --include-rejected: SV_STORE_WITH_* flags (store only) */
    unsigned include;
    bool include_given;
};

/* Option keys shared by the commands (long-only ones are >= 256). */
enum {
    OPT_SURVEY = 256, OPT_STORE, OPT_DATA, OPT_BY, OPT_WEIGHTS, OPT_MIN_CELL, OPT_DOMINANCE,
    OPT_LEVEL, OPT_CI, OPT_FORMAT, OPT_MARKDOWN, OPT_LANG, OPT_VAR, OPT_STAT, OPT_DENOM,
    OPT_P, OPT_CODE, OPT_QUIET, OPT_TEST, OPT_ROWS, OPT_VERSUS, OPT_DF, OPT_MARGINS, OPT_CALIBRATE,
    OPT_BOUNDS, OPT_QRULE, OPT_QCI, OPT_RESPONSES, OPT_INCLUDE_REJECTED
};

/*
 * The options every indicator command has, to be placed in its option table
 * (kept as macros so that each table stays one static array, in help order).
 */
#define ANALYSE_OPTIONS_SOURCE                                                                  \
    {"store", OPT_STORE, "FILE", "read the responses from this store (SQLite)"},               \
    {"data", OPT_DATA, "FILE", "read the responses from a normalised CSV or JSON Lines file"},  \
    {"responses", OPT_RESPONSES, "WHICH",                                                      \
     "with --store: complete (default) or all (partial saves too, when stored)"},              \
    {"include-rejected", OPT_INCLUDE_REJECTED, NULL,                                           \
     "with --store: also the responses the platform's review rejected (left out by default)"}
#define ANALYSE_OPTIONS_WEIGHTS                                                                 \
    {"weights", OPT_WEIGHTS, "W", "cells (default), frame, rake, post or none"},              \
    {"margins", OPT_MARGINS, "FILE", "then calibrate to the population counts of FILE (CSV: "  \
     "variable, code, count; any single-choice variables or crossings 'a;b')"},               \
    {"calibrate", OPT_CALIBRATE, "M", "with --margins: rake (default), post, linear (GREG) "   \
     "or raking (calibrate's raking function)"},                                               \
    {"bounds", OPT_BOUNDS, "L,U", "linear, raking: bounds on the ratios of the calibrated to " \
     "the design weights (e.g. 0.5,2)"}
#define ANALYSE_OPTIONS_DESIGN                                                                  \
    ANALYSE_OPTIONS_WEIGHTS,                                                                   \
    {"min-cell", OPT_MIN_CELL, "N", "suppress cells with fewer respondents (default 3)"},      \
    {"dominance", OPT_DOMINANCE, "F", "suppress totals one unit dominates above F (0.85)"},    \
    {"level", OPT_LEVEL, "L", "interval level (default 0.95)"},                                \
    {"ci", OPT_CI, "M",                                                                        \
     "proportion intervals: logit (default), wilson, exact, agresti-coull, jeffreys, "         \
     "likelihood, asin, wald or none (unweighted: wilson, exact, agresti-coull and jeffreys "  \
     "are the binomial ones for x of n)"},                                                     \
    {"df", OPT_DF, "DF", "degrees of freedom of the intervals: 'inf' (normal) or a number "     \
     "(default: the design df of each estimate)"}
#define ANALYSE_OPTIONS_QUANTILE                                                                \
    {"qrule", OPT_QRULE, "R",                                                                  \
     "quantile rule, as R svyquantile's qrule: math (default, as R), school, shahvaish, "      \
     "hf1 ... hf9"},                                                                           \
    {"quantile-ci", OPT_QCI, "M",                                                              \
     "quantile interval, as svyquantile's interval.type: mean (Woodruff; default, as R), "     \
     "beta, xlogit, asin, score or none"}
#define ANALYSE_OPTIONS_OUTPUT                                                                  \
    {"format", OPT_FORMAT, "F", "csv (default), excel-fr or jsonl"},                           \
    {"markdown", OPT_MARKDOWN, NULL, "also write a Markdown summary (<output>.md)"},           \
    {"lang", OPT_LANG, "L", "labels in fr (default) or en"},                                   \
    {"output", 'o', "FILE", "the indicator table ('-' for stdout)"},                           \
    {"quiet", 'q', NULL, "no warnings"},                                                       \
    {"help", 'h', NULL, "show this help"},                                                     \
    {NULL, 0, NULL, NULL}

/*
 * Parse the command line with `options` (which lists the keys above that the
 * command accepts, plus 'o', 'h'). Returns -1 to go on, or an exit code
 * (0 after --help).
 */
int analyse_cmd_parse(struct analyse_cmdopts *o, int argc, char **argv,
                      const struct sv_option *options, const char *usage,
                      const char *description);

/* A grouping: one or more categorical variables crossed. */
struct analyse_grouping {
    char by[256];        /* role (or variable) names, ';'-joined */
    size_t ngroups;
    size_t *gidx;        /* per row, ANALYSE_NO_GROUP when a variable is missing */
    char **codes;        /* per group, ';'-joined */
    char **labels;       /* per group, ' – '-joined */
};
void analyse_grouping_release(struct analyse_grouping *g);

struct analyse_run {
    struct analyse_cmdopts *opt;
    struct sv_survey *survey;
    struct analyse_data data;
    struct analyse_setup setup;
    struct analyse_out out;
    struct analyse_options est;
    struct analyse_margins margins;     /* --margins, when given */
    struct analyse_grouping *groupings; /* one per --by */
    size_t ngroupings;
};

/*
 * Say on stderr which stored responses were read (include: SV_STORE_WITH_*):
 * what an option included, what the default left out (nothing when nothing
 * was); and write the same into a table's metadata (-1 when out of memory).
 */
void analyse_note_selection(unsigned include, long nread, long partial_left_out,
                            long rejected_left_out);
int analyse_meta_selection(struct sv_imeta *m, unsigned include, long partial_left_out,
                           long rejected_left_out);
/* --responses complete|all into SV_STORE_WITH_PARTIAL of *include; -1 if neither. */
int analyse_responses_parse(const char *v, unsigned *include);

/* Load the survey (and start the data) — then ask for columns, then analyse_run_load(). */
int analyse_run_open(struct analyse_run *run, struct analyse_cmdopts *opt, struct sv_error *err);
/* Load the records, build the design and the groupings (names: roles or variables). */
int analyse_run_load(struct analyse_run *run, struct sv_error *err);
/* Ask for the columns the --by groupings need. */
int analyse_run_want_by(struct analyse_run *run, struct sv_error *err);
void analyse_run_release(struct analyse_run *run);

/* Variable of a role or, failing that, the name itself when it is a variable. */
const char *analyse_dim_var(const struct sv_survey *s, const char *dim);

/*
 * Estimate `stat` nationally (grouping NULL) or for every group of `g`, and
 * add the rows. `pre_by`, `pre_group`, `pre_label` are prefixed to by/group/
 * group_label (e.g. a job family), may be NULL. `domain` restricts the rows
 * (NULL = all).
 */
int analyse_emit(struct analyse_run *run, const char *indicator, const char *label,
                 const char *unit, enum analyse_stat stat, const double *y, const double *x,
                 double p, const unsigned char *domain, const struct analyse_grouping *g,
                 const char *pre_by, const char *pre_group, const char *pre_label,
                 unsigned flags, struct sv_error *err);

/* Add the row of one result (national when g is NULL, else group k of g); none when empty. */
int analyse_emit_result(struct analyse_run *run, const char *indicator, const char *label,
                        const char *unit, const struct analyse_grouping *g, size_t k,
                        const char *pre_by, const char *pre_group, const char *pre_label,
                        const struct analyse_result *res, unsigned flags, struct sv_error *err);

/*
 * The variables of the dimensions of a --by value, in order; NULL for the
 * "family" dimension (not a variable). At most 4.
 */
int analyse_by_vars(const char **vars, size_t *nvars, const struct analyse_run *run,
                    const char *by, struct sv_error *err);

/*
 * The grouping of `by` over the slots of a stream (analyse_stream.h): the
 * code of slot s in dims[j] is dim_code[s * ndims + j]; g->gidx is per slot.
 */
int analyse_grouping_of_slots(struct analyse_grouping *g, const struct analyse_run *run,
                              const char *by, const size_t *dim_code, size_t ndims,
                              const char *const *dims, size_t nslots, struct sv_error *err);

/* A difference of two domains as a result row (n, n_missing, population: both domains'). */
void analyse_diff_result(struct analyse_result *r, const struct analyse_diff *d);

/* Warn about frame cells without respondents and raking that did not converge. */
void analyse_run_warn_setup(const struct analyse_run *run);

/*
 * Shares of each option of multiple-choice variable `var` (its "<var>.<code>"
 * columns must have been asked for), ranked by the national share; by is
 * `dim` (e.g. "cause") prefixed to the grouping's.
 */
int analyse_emit_multiple(struct analyse_run *run, const char *var, const char *indicator,
                          const char *label, const char *dim, const struct analyse_grouping *g,
                          struct sv_error *err);

/* Fill the table metadata and write the outputs. Returns an exit code (messages printed). */
int analyse_run_finish(struct analyse_run *run, const char *title_fr, const char *title_en);

/* Report a failure (once) and return the exit code. */
int analyse_run_fail(const struct sv_error *err);

#endif
