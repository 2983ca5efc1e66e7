/*
 * analyse_moments: the design-based estimators of analyse_design.h for
 * totals, means, proportions and ratios, computed from per-slot moments
 * instead of rows, so that memory grows with the groups, not the rows.
 *
 * Why this is exact: in every design the commands build from a frame
 * (analyse_frame.h), all respondents of a frame cell share their variance
 * stratum and their weight, before and after post-stratification or raking
 * (both multiply the weights of a cell by one factor). Rows that also share
 * their domain codes (a "slot": frame cell x group codes) are therefore
 * interchangeable, and survey's linearised variance (influence values,
 * calibration residuals, stratified variance of element PSUs) expands into
 * sums over each slot of 1, y, x, y^2, xy and x^2. The sums are kept about
 * a shift near the slot's means, and the variance is assembled from sums of
 * squares about means (within slots, slots within cells, cells within
 * strata), so that neither large means nor a variance near zero cancel.
 *
 * Quantiles need the values themselves and clustered designs need PSU
 * totals: those stay with the row engine (analyse_design.h).
 */
#ifndef ANALYSE_MOMENTS_H
#define ANALYSE_MOMENTS_H

#include <stdbool.h>
#include <stddef.h>

#include "analyse_design.h"
#include "analyse_frame.h"
#include "sv_error.h"

/*
 * Moments of one slot: all of its rows (n) and those with the values
 * present (m). Rows are summed in double into a block of at most
 * ANALYSE_MOM_BLOCK rows, then the block into the long double sums: the
 * rounding of a block is that of a short sum, and the x87 arithmetic is
 * paid once per block rather than once per row. At each flush the shift
 * moves to the slot's current means, so that later rows are summed about
 * their centre and the expansions of the variance do not cancel.
 */
#define ANALYSE_MOM_BLOCK 256
struct analyse_mom {
    double n, m;
    double y0, x0;                     /* shift: the first present row's values */
    long double sa, sb, saa, sab, sbb; /* sums of a = y - y0, b = x - x0 and products */
    long double sabs;                  /* sum of |y| */
    double maxabs;                     /* largest |y| */
    double pa, pb, paa, pab, pbb, pabs; /* the current block */
    int pn;
};

/* Move the current block into the sums (before reading them); see analyse_moments.c. */
void analyse_mom_flush(struct analyse_mom *s);

/* Add one row with its values present (x is 1 when the statistic has no denominator). */
static inline void analyse_mom_add(struct analyse_mom *s, double y, double x)
{
    if (s->m == 0) {
        s->y0 = y;
        s->x0 = x;
    }
    double a = y - s->y0, b = x - s->x0;
    s->m += 1;
    s->pa += a;
    s->pb += b;
    s->paa += a * a;
    s->pab += a * b;
    s->pbb += b * b;
    double ay = y < 0 ? -y : y;
    s->pabs += ay;
    if (ay > s->maxabs)
        s->maxabs = ay;
    if (++s->pn == ANALYSE_MOM_BLOCK)
        analyse_mom_flush(s);
}

/* into += from (either may have its own shift). */
void analyse_mom_merge(struct analyse_mom *into, const struct analyse_mom *from);

/* The design, cell by cell: the plan's strata and weights after calibration. */
struct analyse_cell_design {
    const struct analyse_cellplan *plan; /* borrowed */
    double *w;        /* per cell: final weight */
    double *n_h;      /* per stratum: respondents */
    double *f_h;      /* per stratum: sampling fraction (0 = no fpc) */
    struct analyse_rake_report rake;
    /* work space of the estimators */
    long double *S, *Q;
    double *a, *used_h, *used_c_rows;
};

/* Weights of the plan's scheme (raking: IPF, tolerance 1e-12, 200 sweeps, as the rows). */
int analyse_cell_design_init(struct analyse_cell_design *d, const struct analyse_cellplan *p,
                             struct sv_error *err);
void analyse_cell_design_release(struct analyse_cell_design *d);

/*
 * One estimate over the slots flagged in `in_domain` (NULL = all): slot s
 * lies in frame cell cell[s] and has moments mom[s]. Same result fields and
 * intervals as analyse_estimate() with the row design of the same plan.
 */
int analyse_moments_estimate(struct analyse_result *r, struct analyse_cell_design *d,
                             enum analyse_stat stat, const struct analyse_mom *mom,
                             const size_t *cell, size_t nslots, const unsigned char *in_domain,
                             const struct analyse_options *opt, struct sv_error *err);

#endif
