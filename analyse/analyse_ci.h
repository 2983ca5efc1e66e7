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

/* The two-sided critical value t_{df, 1 - (1 - level)/2} (normal when df is infinite). */
double analyse_ci_crit(double df, double level);

#endif
