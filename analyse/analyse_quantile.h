/*
 * analyse_quantile: the quantile rules and intervals of R survey's
 * svyquantile, for the engine (analyse_design.c) only: survey 4.1-1 (Debian
 * 12) with the two corrections survey 4.2 made to the rules (still so in
 * 4.5): the discrete rules take x_pos when p - cum_pos / W <= 0 (4.1-1 tests
 * == 0, and so returns the second smallest value when the smallest one's
 * weight share is above p), and the interpolating rules other than hf4 return
 * the point itself when there is only one (4.1-1 stops). The one quantile implementation of vigie: the indicator commands and
 * the pay tables reach it through analyse_estimate() / analyse_by().
 *
 * A rule sees the points of the rows used (weight > 0, value present, in the
 * domain), sorted by value with ties in row order (R's order() is stable),
 * their running weight sums accumulated in long double (R's cumsum) and the
 * total accumulated in row order (R's sum). Each rule is R's qrule_<name>:
 *   math = hf1   pos = last k with cum_k <= p W (the first when none);
 *                x_pos when p - cum_pos / W <= 0, else x_pos+1
 *   school = hf2 the same, but (x_pos + x_pos+1) / 2 on a tie
 *   hf3          math on the distinct values (weights summed), x_pos on a tie
 *                only when pos is even
 *   hf4          x_pos (1 - g) + x_pos+1 g, g = wlow / (wlow + wup),
 *                wlow = p - cum_pos / W, wup = cum_pos+1 / W - p
 *   hf5..hf9, shahvaish: R's approx(pk, x, p, rule = 2) (linear; constant
 *                for shahvaish) through survey's plotting positions pk
 *                (hf7: pk = cum_k-1 / cum_n-1, as survey writes it)
 * hf4 on a single point is undefined (NAN), as in R.
 *
 * Intervals (interval.type), F = svymean(x <= q) with its linearised
 * variance, t = qt(1 - a/2, df):
 *   mean    (Woodruff)   F -+ t se(F)
 *   beta                 Korn-Graubard bounds for F: n_eff = F (1 - F) / var
 *                        times (qt(a/2, nrow - 1) / qt(a/2, design df))^2
 *                        (the design df even when df is overridden, as R)
 *   xlogit               expit(logit F -+ t se(F) / (F (1 - F)))
 *   asin                 sin^2(asin sqrt F -+ t se(F) / (2 sqrt(F (1 - F))))
 * each mapped back through the same rule (a bound below 0 or above 1 is
 * undefined); score (Francisco and Fuller): the two roots of
 * mean(U) / se(U) = -+ t, U = (x > theta) - (1 - p), found by R's uniroot
 * (Brent's zeroin, same steps, tolerance 1 / (100 sqrt(nrow))) between
 * min(x) + IQR(x) / 100 and max(x) - IQR(x) / 100, mapped back through the
 * rule at the unweighted share of x at or below each root. The reported se
 * is (high - low) / (2 t).
 *
 * `nrow` and the vector x of the score interval are R's: for a design
 * without calibration a subset drops rows, so they are the rows used; a
 * calibrated design keeps every row (weight 0 outside the domain, value 0
 * where missing).
 */
#ifndef ANALYSE_QUANTILE_H
#define ANALYSE_QUANTILE_H

#include <stddef.h>
#include "analyse_design.h"

struct analyse_qpoints {
    size_t m;
    double *x, *w, *cum; /* m each: sorted values, their weights, running sums */
    double tot;          /* sum of the weights in row order */
    double *work;        /* 3 m doubles */
};

/* Sort and sum the m points (x, w) given in row order; arrays owned by q. */
int analyse_qpoints_init(struct analyse_qpoints *q, const double *x, const double *w, size_t m);
void analyse_qpoints_release(struct analyse_qpoints *q);

/* R's qrule_<rule>(x, w, p); NAN when undefined. */
double analyse_qrule_apply(enum analyse_qrule rule, const struct analyse_qpoints *q, double p);

/* What an interval needs from the design. */
struct analyse_qdesign {
    /*
     * svymean of u (m values, one per row used, in row order) over the
     * domain: its estimate and linearised variance. Returns 0 or SV_E*.
     */
    int (*mean)(void *ctx, const double *u, double *mean, double *var);
    void *ctx;
    const double *y;     /* m values of the rows used, in row order */
    double design_df;    /* degf of the domain */
    double nrow;         /* R's nrow(design) */
    const double *xr;    /* R's x vector for the score interval */
    size_t nr;
    double *u;           /* m doubles of work space */
};

/*
 * The quantile p of the points and its interval `method` (ANALYSE_CI_DEFAULT
 * or ANALYSE_CI_WOODRUFF = "mean", ANALYSE_CI_Q_*, ANALYSE_CI_NONE) at `df`
 * and `level`: fills estimate, ci_low, ci_high, se, var, ci and qrule of r.
 * Returns 0 or SV_ENOMEM; an interval that cannot be computed is NAN.
 */
int analyse_quantile_estimate(struct analyse_result *r, const struct analyse_qpoints *q,
                              const struct analyse_qdesign *g, double p, enum analyse_qrule rule,
                              enum analyse_ci_method method, double df, double level);

#endif
