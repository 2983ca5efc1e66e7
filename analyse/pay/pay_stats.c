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

double pay_moments_var(const struct pay_moments *m)
{
    return m->n < 2 ? NAN : m->m2 / (double)(m->n - 1);
}

double pay_moments_se(const struct pay_moments *m)
{
    return m->n < 2 ? NAN : sqrt(pay_moments_var(m) / (double)m->n);
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
    /* Type 1: the smallest x_(k) with k/n >= p, i.e. k = ceil(n p), at least 1.
     * n p is computed with a small tolerance so that p = 0.5 with n = 10 picks
     * k = 5 and not 6 when n p is 5.000000000000001. */
    if (n == 0 || !(p >= 0 && p <= 1))
        return NAN;
    double np = (double)n * p;
    double k = ceil(np - 1e-9 * (np > 1 ? np : 1));
    if (k < 1)
        k = 1;
    if (k > (double)n)
        k = (double)n;
    return x[(size_t)k - 1];
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
