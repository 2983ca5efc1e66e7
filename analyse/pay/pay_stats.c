/*
 * pay_stats: one-pass moments, type-1 quantiles with Woodruff intervals,
 * relative gaps and the Oaxaca-Blinder twofold decomposition.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>

#include "pay.h"

void pay_moments_add(struct pay_moments *m, double x)
{
    double d = x - m->mean;
    m->n++;
    m->mean += d / (double)m->n;
    m->m2 += d * (x - m->mean);
}

double pay_t_quantile(double level, double df)
{
    double a = 1.0 - (1.0 - level) / 2.0;
    if (!(df > 0))
        return NAN;
    if (isinf(df))
        return gsl_cdf_ugaussian_Pinv(a);
    return gsl_cdf_tdist_Pinv(a, df);
}

void pay_sort(double *x, size_t n)
{
    gsl_sort(x, 1, n);
}

double pay_quantile_sorted(const double *x, size_t n, double p)
{
    /* svyquantile's qrule "math" with equal weights, step for step as the
     * engine does it (cumulative weights 1..n, total n): pos = the last k
     * with k <= p n (the first when none); x_pos when p - pos/n <= 0, else
     * x_{pos+1}. That is the type 1 quantile. */
    if (n == 0 || !(p >= 0 && p <= 1))
        return NAN;
    double target = p * (double)n;
    double k = floor(target);
    size_t pos = k >= 1 ? (size_t)k - 1 : 0;
    if (pos >= n)
        pos = n - 1;
    double wlow = p - (double)(pos + 1) / (double)n;
    if (wlow <= 0)
        return x[pos];
    return x[pos + 1 < n ? pos + 1 : pos];
}

double pay_gap_relative(double men, double women)
{
    if (isnan(men) || isnan(women) || !(men > 0))
        return NAN;
    return (men - women) / men;
}

void pay_oaxaca_twofold(const double *xbar_a, const double *xbar_b, double ybar_a, double ybar_b,
                        const double *beta_ref, size_t p, double *gap, double *explained,
                        double *unexplained)
{
    double e = 0;
    for (size_t j = 0; j < p; j++)
        e += (xbar_a[j] - xbar_b[j]) * beta_ref[j];
    *gap = ybar_a - ybar_b;
    *explained = e;
    *unexplained = *gap - e;
}
