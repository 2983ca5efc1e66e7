/*
 * analyse_table: indicator rows from estimates, with disclosure control, and
 * the output files (sv_itable CSV / excel-fr / JSON Lines, its .meta.json, an
 * optional Markdown summary with French formatting).
 *
 * Disclosure control (../shared/notes/stats-methods.md, section E):
 *   - frequency: a cell from fewer than min_cell respondents is suppressed
 *     ("n<3");
 *   - dominance: for totals and ratios of amounts (FTE, euros, posts), a
 *     cell where one establishment holds more than `dominance` of the
 *     weighted sum is suppressed ("dominance>85%");
 *   - secondary: an additive indicator (a total or count) is a set of sums:
 *     each group is the sum of its sub-groups along any one dimension (the
 *     national figure of the groups, region r of the cells r;sector...). A
 *     sum with exactly one withheld term would give that term back, so the
 *     term with the fewest respondents is withheld too ("secondary"), across
 *     all the groupings of the table, until no sum leaks;
 *   - precision: an estimate with a coefficient of variation above 20 % is
 *     flagged ("cv>20%"), not suppressed;
 *   - an estimate that does not exist (a ratio whose denominator is 0 in the
 *     group) is marked suppressed with reason "undefined".
 * Suppressed cells have their values withheld (empty in the CSV).
 */
#ifndef ANALYSE_TABLE_H
#define ANALYSE_TABLE_H

#include <stdbool.h>
#include "sv_itable.h"
#include "sv_survey.h"
#include "analyse_design.h"

enum analyse_format { ANALYSE_FMT_CSV, ANALYSE_FMT_EXCEL_FR, ANALYSE_FMT_JSONL };
int analyse_format_parse(const char *s, enum analyse_format *out);

/* Row flags. */
#define ANALYSE_ROW_DOMINANCE 1u /* apply the dominance rule */
#define ANALYSE_ROW_ADDITIVE 2u  /* a total: secondary suppression across groups */
#define ANALYSE_ROW_NO_CV 4u     /* no cv flag (shares near 0, differences) */
#define ANALYSE_ROW_SMALL 8u     /* a part of the cell is under min_cell: suppress ("n<3") */

struct analyse_out {
    struct sv_itable table;
    const struct sv_survey *survey;
    enum sv_lang lang;
    long min_cell;
    double dominance;
    unsigned char *additive; /* per row */
    size_t additive_cap;
    /* the quantile rule and interval of the first quantile row (for the metadata) */
    bool quantiles;
    enum analyse_qrule qrule;
    enum analyse_ci_method qci;
};

void analyse_out_init(struct analyse_out *o, const struct sv_survey *s, enum sv_lang lang,
                      long min_cell, double dominance);
void analyse_out_release(struct analyse_out *o);

/* Add one row from an estimate, applying the frequency and dominance rules. */
int analyse_out_row(struct analyse_out *o, const char *indicator, const char *label,
                    const char *by, const char *group, const char *group_label, const char *unit,
                    const struct analyse_result *r, unsigned flags, struct sv_error *err);

/* Apply secondary suppression to the additive rows (call once, before writing). */
void analyse_out_secondary(struct analyse_out *o);

/*
 * Write the table to `path` ("-" = stdout) in `format`, its metadata to
 * "<path without .csv/.jsonl>.meta.json", and with `markdown` a summary to
 * "<stem>.md" (or stdout when path is "-"). All files atomic.
 */
int analyse_out_write(struct analyse_out *o, const char *path, enum analyse_format format,
                      bool markdown, struct sv_error *err);

#endif
