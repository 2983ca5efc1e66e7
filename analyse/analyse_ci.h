/*
 * analyse_ci: intervals for design-based proportions (no GSL types here).
 *
 * Given the estimate p, its linearisation variance var, the design df, the
 * number n of rows used and the level:
 *   logit   expit(logit p -+ t_df sqrt(var) / (p (1 - p)))   (svyciprop "logit"/"xlogit")
 *   wilson  the Wilson score interval with n_eff = p (1 - p) / var and z = t_df
 *           (svyciprop "wilson" of survey >= 4.5)
 *   exact   Korn-Graubard: Clopper-Pearson with n* = n_eff (t_{n-1} / t_df)^2
 *           (svyciprop "beta")
 *   wald    p -+ t_df sqrt(var)                                (svyciprop "mean"; not truncated)
 *   asin    sin^2(asin sqrt p -+ t_df sqrt(var) / (2 sqrt(p (1 - p))))  (svyciprop "asin")
 *   likelihood  { q : KL(p, q) <= t^2 var n / (2 p (1 - p) (n - 1)) }, its exact roots
 *           (svyciprop "likelihood": survey's profile spline agrees to about 1e-7)
 *   agresti-coull  n~ = n_eff + t^2, p~ = (n_eff p + t^2 / 2) / n~, p~ -+ t sqrt(p~(1-p~)/n~)
 *           (not a svyciprop method: the formula of the notes B.1 with n_eff and t_df,
 *           as survey's "wilson"; not truncated)
 *   jeffreys  Beta(n_eff p + 1/2, n_eff (1 - p) + 1/2) quantiles (same remark)
 * When p is 0 or 1 the design variance is 0 and none of these is defined:
 * the plain Clopper-Pearson interval for n rows is given instead
 * ([0, 1 - (a/2)^(1/n)] or [(a/2)^(1/n), 1]) and *used says
 * ANALYSE_CI_EXACT.
 */
#ifndef ANALYSE_CI_H
#define ANALYSE_CI_H

#include "analyse_design.h"

void analyse_ci_proportion(double *low, double *high, enum analyse_ci_method *used, double p,
                           double var, double df, long n, double level,
                           enum analyse_ci_method method);

/*
 * The classical interval for x = p n successes of n (unweighted data), with
 * the normal quantile: wilson (= prop.test(x, n, correct = FALSE)), exact
 * (= binom.test(x, n), Clopper-Pearson), agresti-coull (not truncated),
 * jeffreys (Beta(x + 1/2, n - x + 1/2), 0 at x = 0, 1 at x = n). *used is
 * the ANALYSE_CI_BINOM_* method, or ANALYSE_CI_NONE for any other method (or
 * when p n is not a whole number).
 */
void analyse_ci_binomial(double *low, double *high, enum analyse_ci_method *used, double p,
                         long n, double level, enum analyse_ci_method method);

/* The two-sided critical value t_{df, 1 - (1 - level)/2} (normal when df is infinite). */
double analyse_ci_crit(double df, double level);

#endif
