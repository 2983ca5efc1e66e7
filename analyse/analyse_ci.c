/* Proportion intervals: see analyse_ci.h. */
#include "analyse_ci.h"

#include <math.h>
#include <stdbool.h>

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

/* Kullback-Leibler divergence of Bernoulli(q) from Bernoulli(p), 0 < p < 1. */
static double kl(double p, double q)
{
    return p * log(p / q) + (1 - p) * log((1 - p) / (1 - q));
}

/* The q in (lo, hi) where kl(p, q) = c, kl(p, .) monotone there: bisection to the last bit. */
static double kl_root(double p, double c, double lo, double hi)
{
    for (int it = 0; it < 200; it++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        bool below = kl(p, mid) < c; /* mid is inside the interval */
        if ((mid < p) == below)
            hi = mid;
        else
            lo = mid;
    }
    return lo + (hi - lo) / 2;
}

/*
 * svyciprop "likelihood": the Rao-Scott-scaled profile likelihood of the
 * intercept-only quasi-binomial svyglm. With weights rescaled to mean 1 over
 * the n rows, the Pearson dispersion is n / (n - 1) and the design effect of
 * the slope var n / (p (1 - p)), so the interval is
 *   { q : kl(p, q) <= t^2 var n / (2 p (1 - p) (n - 1)) },
 * solved here for its two exact roots (survey interpolates a spline through
 * a profile grid and differs by about 1e-7).
 */
static void likelihood(double *low, double *high, double p, double var, long n, double t)
{
    if (n < 2 || !(var >= 0) || isnan(t))
        return;
    double c = t * t * var * (double)n / (2 * p * (1 - p) * (double)(n - 1));
    if (c == 0) {
        *low = *high = p;
        return;
    }
    *low = kl_root(p, c, 0, p);
    *high = kl_root(p, c, p, 1);
}

void analyse_ci_binomial(double *low, double *high, enum analyse_ci_method *used, double p,
                         long n, double level, enum analyse_ci_method method)
{
    double a = 1 - level;
    *low = *high = NAN;
    *used = ANALYSE_CI_NONE;
    gsl_set_error_handler_off();
    if (isnan(p) || n < 1)
        return;
    double x = nearbyint(p * (double)n), nn = (double)n;
    if (fabs(x - p * nn) > 1e-6)
        return; /* not a count: not unweighted data */
    double z = gsl_cdf_ugaussian_Qinv(a / 2);
    double ph = x / nn;
    switch (method) {
    case ANALYSE_CI_WILSON: {
        double c = (ph + z * z / (2 * nn)) / (1 + z * z / nn);
        double h = z / (1 + z * z / nn) * sqrt(ph * (1 - ph) / nn + z * z / (4 * nn * nn));
        *low = c - h;
        *high = c + h;
        *used = ANALYSE_CI_BINOM_WILSON;
        return;
    }
    case ANALYSE_CI_EXACT:
    case ANALYSE_CI_JEFFREYS: {
        double e = method == ANALYSE_CI_JEFFREYS ? 0.5 : 0;
        *low = x == 0 ? 0 : gsl_cdf_beta_Pinv(a / 2, x + e, nn - x + 1 - e);
        *high = x == nn ? 1 : gsl_cdf_beta_Pinv(1 - a / 2, x + 1 - e, nn - x + e);
        *used = method == ANALYSE_CI_JEFFREYS ? ANALYSE_CI_BINOM_JEFFREYS : ANALYSE_CI_BINOM_EXACT;
        return;
    }
    case ANALYSE_CI_AGRESTI_COULL: {
        double nt = nn + z * z, pt = (x + z * z / 2) / nt;
        double hw = z * sqrt(pt * (1 - pt) / nt);
        *low = pt - hw;
        *high = pt + hw;
        *used = ANALYSE_CI_BINOM_AC;
        return;
    }
    default:
        return;
    }
}

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
    case ANALYSE_CI_WALD:
        *low = p - t * se;
        *high = p + t * se;
        return;
    case ANALYSE_CI_ASIN: {
        /* as svyciprop: sin^2 of asin(sqrt p) -+ t se / (2 sqrt(p (1 - p))), not clamped */
        double c = asin(sqrt(p)), hw = t * se / (2 * sqrt(p * (1 - p)));
        double l = sin(c - hw), h = sin(c + hw);
        *low = l * l;
        *high = h * h;
        return;
    }
    case ANALYSE_CI_LIKELIHOOD:
        likelihood(low, high, p, var, n, t);
        return;
    case ANALYSE_CI_AGRESTI_COULL:
    case ANALYSE_CI_JEFFREYS: {
        if (var == 0) {
            *low = *high = p;
            return;
        }
        double ne = p * (1 - p) / var;
        if (method == ANALYSE_CI_JEFFREYS) {
            *low = gsl_cdf_beta_Pinv(a / 2, ne * p + 0.5, ne * (1 - p) + 0.5);
            *high = gsl_cdf_beta_Pinv(1 - a / 2, ne * p + 0.5, ne * (1 - p) + 0.5);
            return;
        }
        double nt = ne + t * t, pt = (ne * p + t * t / 2) / nt;
        double hw = t * sqrt(pt * (1 - pt) / nt);
        *low = pt - hw;
        *high = pt + hw;
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
