/* Proportion intervals: see analyse_ci.h. */
#include "analyse_ci.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

double analyse_ci_crit(double df, double level)
{
    double a = (1 - level) / 2;
    gsl_set_error_handler_off();
    if (isinf(df))
        return gsl_cdf_ugaussian_Qinv(a);
    if (!(df > 0))
        return NAN;
    return gsl_cdf_tdist_Qinv(a, df);
}

static double expit(double u) { return 1.0 / (1.0 + exp(-u)); }

void analyse_ci_proportion(double *low, double *high, enum analyse_ci_method *used, double p,
                           double var, double df, long n, double level,
                           enum analyse_ci_method method)
{
    double a = 1 - level;
    double t = analyse_ci_crit(df, level);
    *used = method;
    *low = *high = NAN;
    if (isnan(p))
        return;
    if (p <= 0 || p >= 1) {
        *used = ANALYSE_CI_EXACT;
        if (n < 1)
            return;
        double b = pow(a / 2, 1.0 / (double)n);
        if (p <= 0) {
            *low = 0;
            *high = 1 - b;
        } else {
            *low = b;
            *high = 1;
        }
        return;
    }
    double se = sqrt(var);
    switch (method) {
    case ANALYSE_CI_WILSON: {
        if (var == 0) {
            *low = *high = p;
            return;
        }
        double ne = p * (1 - p) / var;
        double z2 = t * t;
        double c = (p + z2 / (2 * ne)) / (1 + z2 / ne);
        double h = t / (1 + z2 / ne) * sqrt(p * (1 - p) / ne + z2 / (4 * ne * ne));
        *low = c - h;
        *high = c + h;
        return;
    }
    case ANALYSE_CI_EXACT: {
        if (var == 0) {
            *low = *high = p;
            return;
        }
        double ne = p * (1 - p) / var;
        double r = n > 1 ? gsl_cdf_tdist_Pinv(a / 2, (double)(n - 1)) : NAN;
        double d = isinf(df) ? gsl_cdf_ugaussian_Pinv(a / 2)
                             : (df > 0 ? gsl_cdf_tdist_Pinv(a / 2, df) : NAN);
        ne = ne * (r / d) * (r / d);
        if (isnan(ne))
            return;
        *low = gsl_cdf_beta_Pinv(a / 2, ne * p, ne * (1 - p) + 1);
        *high = gsl_cdf_beta_Pinv(1 - a / 2, ne * p + 1, ne * (1 - p));
        return;
    }
    default: {
        *used = ANALYSE_CI_LOGIT;
        double l = log(p / (1 - p));
        double hw = t * se / (p * (1 - p));
        *low = expit(l - hw);
        *high = expit(l + hw);
        return;
    }
    }
}
