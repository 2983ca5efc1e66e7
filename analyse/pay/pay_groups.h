/*
 * pay_groups: values of one measure (monthly or hourly pay) split into the
 * cells of a cross-classification (e.g. job x sector), each cell's values
 * sorted for quantiles, with one-pass moments and the counts the
 * suppression rules need (women, men, distinct employers).
 */
#ifndef ANALYSE_PAY_GROUPS_H
#define ANALYSE_PAY_GROUPS_H

#include "analyse_design.h"
#include "pay.h"
#include "pay_data.h"

#define PAY_MAX_BY 4

struct pay_cellstat {
    long n, n_f, n_h, n_missing;
    long n_employers; /* distinct employers, counted up to 3 (enough for the rule) */
    unsigned long long emp_seen[3];
    struct pay_moments mom;
    double *v; /* sorted values, borrowed from the set */
};

struct pay_groupset {
    enum pay_role role[PAY_MAX_BY];
    size_t nroles;
    size_t nlev[PAY_MAX_BY];
    size_t ncells;
    struct pay_cellstat *cell;
    double *values;
    long n_unclassified; /* a grouping variable missing */
    /* per employee, for the estimation engine (analyse_design.h): the cell
     * (ANALYSE_NO_GROUP when a grouping variable is missing) and the value
     * (NAN when missing) */
    size_t *row_cell;
    double *y;
};

/* Which measure: monthly or hourly, with or without the Ségur supplement. */
enum pay_measure { PAY_MONTHLY = 0, PAY_HOURLY = 1 };

/*
 * The rows with a value of a measure in ascending order of it (ties in row
 * order), each with what the cells need, side by side: several groupings
 * of one measure then share one sort, and fill their cells in one
 * sequential pass each.
 */
struct pay_srow {
    double x;
    unsigned long long employer;
    unsigned short cat[PAY_R_NCAT];
};
struct pay_sorted {
    struct pay_srow *row;
    size_t n;
    size_t *missing; /* the rows without a value of the measure */
    size_t nmissing;
};
int pay_sorted_make(struct pay_sorted *s, const struct pay_data *d, enum pay_measure m,
                    int without_segur, struct sv_error *err);
void pay_sorted_release(struct pay_sorted *s);

/*
 * keep_rows: also fill row_cell and y (n entries each), for the engine.
 * sorted: NULL (each cell is sorted on its own), or pay_sorted_make() of
 * the same measure.
 */
int pay_groups_build(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                     size_t nroles, enum pay_measure m, int without_segur, unsigned sex_f,
                     unsigned sex_h, bool keep_rows, const struct pay_sorted *sorted,
                     struct sv_error *err);
/* keep_rows for the design engine, the cells' values left unsorted (the
 * engine sorts each domain itself): cs->v is then not for quantiles. */
int pay_groups_build_rows(struct pay_groupset *gs, const struct pay_data *d,
                          const enum pay_role *roles, size_t nroles, enum pay_measure m,
                          int without_segur, unsigned sex_f, unsigned sex_h, struct sv_error *err);
/*
 * Streaming: cells with moments and counts only (no values: no quantiles).
 * pay_groups_init() allocates the cells; pay_groups_add() takes one employee.
 */
int pay_groups_init(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                    size_t nroles, struct sv_error *err);
void pay_groups_add(struct pay_groupset *gs, const struct pay_emp *e, enum pay_measure m,
                    int without_segur, unsigned sex_f, unsigned sex_h);

void pay_groups_release(struct pay_groupset *gs);
/* Cell index from level indices; levels of cell index `c` into lev[]. */
size_t pay_groups_index(const struct pay_groupset *gs, const unsigned *lev);
void pay_groups_levels(const struct pay_groupset *gs, size_t c, unsigned *lev);

/*
 * Relative gap a/b - 1 between the means of two domains (masks of n
 * flags), from the engine: the difference gives the covariance of the two
 * means, the delta method the standard error; t interval on the
 * difference's design df. Returns 0 or SV_E* (estimate NAN on failure).
 */
struct pay_relgap {
    double estimate, se, df, lo, hi;
    double mean_a, mean_b;
};
int pay_relgap_means(struct pay_relgap *out, const struct analyse_design *des, const double *y,
                     const unsigned char *mask_a, const unsigned char *mask_b);

/* Both gaps a - b (diff) and a/b - 1 (rel, may be NULL) of the means of two domains,
 * through the engine (svycontrast on svyby with covmat = TRUE). */
int pay_design_gaps(struct pay_relgap *diff, struct pay_relgap *rel, const struct analyse_design *des,
                    const double *y, const unsigned char *mask_a, const unsigned char *mask_b);

/*
 * The same estimates in one pass over each cell, for the equal-probability
 * design without strata or fpc that the pay survey has (no frame): the
 * engine's Taylor linearisation then reduces to closed forms of the cell's
 * count, sum of squares and sorted values, with n = all rows of the file:
 *   mean:     V = n/(n-1) * sum (y - ybar)^2 / n_d^2, df = n_d - 1
 *   quantile: F = #(y <= q)/n_d, V(F) = n/(n-1) * F(1-F)/n_d, Woodruff ends
 *   two disjoint cells: covariance 0, df = n_a + n_b - 1.
 * Why: the engine's domain estimates cost O(n) each, so O(n x cells) for a
 * table; these cost O(n_d). tests/pay/test_pay_stats.c checks that they
 * equal the engine's results (1e-12) on every cell of the R fixture.
 */
void pay_srs_mean(struct analyse_result *r, const struct pay_cellstat *cs, size_t n_total);
void pay_srs_quantile(struct analyse_result *r, const struct pay_cellstat *cs, size_t n_total,
                      double p);
/* a - b in euros (out->estimate) and a/b - 1 (rel->estimate); either may be NULL. */
void pay_srs_gaps(struct pay_relgap *diff, struct pay_relgap *rel, const struct pay_cellstat *a,
                  const struct pay_cellstat *b, size_t n_total);

#endif
