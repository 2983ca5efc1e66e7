/*
 * Options shared by `analyse pay` and `analyse gender`.
 */
#ifndef ANALYSE_PAY_CMD_ARGS_H
#define ANALYSE_PAY_CMD_ARGS_H

#include "sv_buf.h"
#include "sv_survey.h"
#include "pay.h"
#include "pay_data.h"
#include "pay_groups.h"
#include "pay_out.h"

enum {
    PAY_OPT_SURVEY = 300,
    PAY_OPT_DATA,
    PAY_OPT_STORE,
    PAY_OPT_BY,
    PAY_OPT_WITH_SEGUR,
    PAY_OPT_WITHOUT_SEGUR,
    PAY_OPT_SMIC,
    PAY_OPT_SMIC_DATE,
    PAY_OPT_LANG,
    PAY_OPT_STREAMING,
    PAY_OPT_FORMAT,
    PAY_OPT_WEIGHTS,
    PAY_OPT_COVARIATES,
    PAY_OPT_SE,
    PAY_OPT_REFERENCE,
    PAY_OPT_RESPONSES,
    PAY_OPT_INCLUDE_REJECTED
};

/* --format csv|excel-fr|jsonl, as the other analyse commands take it. */
#define PAY_FORMAT_OPTION {"format", PAY_OPT_FORMAT, "F", "csv (default), excel-fr or jsonl"}
/* Parse a --format value; returns 0 or the usage exit code (message printed). */
int pay_args_format(const char *value, enum analyse_format *out);

#define PAY_COMMON_OPTIONS                                                                       \
    {"survey", PAY_OPT_SURVEY, "ID|DIR", "survey definition (a bare id is looked up in $VIGIE_SURVEYS)"}, \
    {"data", PAY_OPT_DATA, "FILE", "normalised records (CSV or JSON Lines)"},                     \
    {"store", PAY_OPT_STORE, "FILE", "the survey's store (SQLite)"},                               \
    {"responses", PAY_OPT_RESPONSES, "WHICH", "with --store: complete (default) or all (partial saves too, when stored)"}, \
    {"include-rejected", PAY_OPT_INCLUDE_REJECTED, NULL, "with --store: also the responses the platform's review rejected (left out by default)"}, \
    {"output", 'o', "FILE", "write the table to FILE (and FILE's .meta.json); default stdout"},   \
    PAY_FORMAT_OPTION,                                                                           \
    {"weights", PAY_OPT_WEIGHTS, "design|none", "the survey's design from its roles (weight, cluster = employer, stratum, fpc; default) or none: independent employees, equal weights"}, \
    {"lang", PAY_OPT_LANG, "fr|en", "language of labels (default fr)"},                          \
    {"quiet", 'q', NULL, "print nothing but errors"},                                            \
    {"help", 'h', NULL, "show this help"}

enum { PAY_SE_HC1 = 0, PAY_SE_CLASSICAL, PAY_SE_HC0, PAY_SE_HC2, PAY_SE_HC3 };

struct pay_args {
    const char *survey, *data, *store, *by, *output, *smic, *smic_date;
    enum sv_lang lang;
    enum analyse_format format;
    int without_segur;
    int streaming;
    int iid; /* --weights none */
    const char *covariates; /* --covariates LIST (gender) */
    int se;                 /* --se for iid fits: PAY_SE_* */
    const char *reference;  /* --reference (gender's Oaxaca-Blinder) */
    unsigned sex_f, sex_h;
    unsigned include;  /* --responses all, --include-rejected: SV_STORE_WITH_* */
    int include_given;
};

int pay_args_on_option(int key, const char *value, struct pay_args *a);
/* Usage checks after parsing; returns 0 or the exit code (message printed). */
int pay_args_check(const struct pay_args *a);
/* Load the survey and the records; returns 0 or the exit code (message printed). */
int pay_args_load(struct pay_args *a, struct sv_survey **survey, struct pay_data *d);
/* Load the survey and bind the roles without reading records (for streaming). */
int pay_args_survey(struct pay_args *a, struct sv_survey **survey, struct pay_data *d);
/* Parse a --by list ("job,region") into roles; returns 0 or the exit code. */
int pay_args_by(const struct pay_data *d, const char *spec, enum pay_role *roles, size_t *n);
/* --by when given (as pay_args_by), else the roles of `defaults` ("job,age_band") the
 * survey binds, with one notice per absent role; may give none. */
int pay_args_by_default(const struct pay_data *d, const char *spec, const char *defaults,
                        enum pay_role *roles, size_t *n);
/* Parse a --covariates list (roles or variable names; numbers and categories). */
int pay_args_covariates(const struct pay_data *d, const char *spec, enum pay_role *cov, size_t *n);
/* by = "job;region", group = "as;84", label = "Aide-soignant – Auvergne-Rhône-Alpes". */
void pay_group_text(const struct pay_data *d, const enum pay_role *roles, const unsigned *lev,
                    size_t n, enum sv_lang lang, struct sv_buf *by, struct sv_buf *group,
                    struct sv_buf *label);

/*
 * The design of --weights (pay_design.h) for d's rows, into *pd and the
 * table's metadata; --weights none says so on stderr. 0 or the exit code.
 */
struct pay_design;
int pay_args_design(const struct pay_args *a, const struct pay_data *d, struct pay_design *pd,
                    struct pay_out *out);

/* Estimate, SE, interval, df and method of an estimation result into a table row. */
void pay_cell_set_result(struct pay_cell *cell, const struct analyse_result *r);

#endif
