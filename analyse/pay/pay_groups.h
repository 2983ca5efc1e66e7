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
    long n, n_f, n_h, n_employers, n_missing;
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

int pay_groups_build(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                     size_t nroles, enum pay_measure m, int without_segur, unsigned sex_f,
                     unsigned sex_h, struct sv_error *err);
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

#endif
