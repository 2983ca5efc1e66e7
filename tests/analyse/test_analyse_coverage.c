/*
 * Simulation check of interval coverage (slow: registered only with
 * -DVIGIE_SLOW_TESTS=ON, label "slow"; bench/analyse/coverage.sh runs it).
 *
 * A fixed population of establishments in 3 regions x 2 sectors; repeated
 * stratified simple random samples without replacement; for each sample the
 * engine's 95 % intervals (frame weights with fpc, and raking to the region
 * and sector margins from a region-stratified sample) are checked against the
 * population values. Prints the coverage of each interval with its Monte
 * Carlo standard error, and fails when one falls outside [0.925, 0.975]:
 * Taylor intervals of ratios and totals of skewed amounts run a little
 * under 95 % with strata of 25-80 units, and the Korn-Graubard ("exact")
 * interval is conservative by design, so "about 95 %" is what is checked.
 *
 *   test_analyse_coverage [replications] [seed]
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "analyse_design.h"

#define H 6
static const double popN[H] = {3000, 2000, 5000, 2500, 900, 600};
static const size_t samp_n[H] = {60, 40, 80, 50, 30, 25};
static long replications = 1000;
static unsigned long seed = 2026;

struct pop {
    size_t N;
    size_t *h, *region, *sector;
    double *x, *y, *b;
};

static void make_pop(struct pop *p, gsl_rng *r)
{
    size_t N = 0;
    for (int h = 0; h < H; h++)
        N += (size_t)popN[h];
    p->N = N;
    p->h = calloc(N, sizeof *p->h);
    p->region = calloc(N, sizeof *p->region);
    p->sector = calloc(N, sizeof *p->sector);
    p->x = calloc(N, sizeof *p->x);
    p->y = calloc(N, sizeof *p->y);
    p->b = calloc(N, sizeof *p->b);
    size_t i = 0;
    for (int h = 0; h < H; h++)
        for (size_t k = 0; k < (size_t)popN[h]; k++, i++) {
            p->h[i] = (size_t)h;
            p->region[i] = (size_t)h / 2;
            p->sector[i] = (size_t)h % 2;
            p->x[i] = gsl_ran_gamma(r, 3.0, 6.0 + 3.0 * (double)(h % 2));
            p->y[i] = p->x[i] * gsl_ran_beta(r, 1.0, 12.0 + 2.0 * (double)h) +
                      (gsl_rng_uniform(r) < 0.1 ? gsl_ran_exponential(r, 4.0) : 0.0);
            double pr = 0.45 + 0.08 * (double)(h / 2) - 0.1 * (double)(h % 2);
            p->b[i] = gsl_rng_uniform(r) < pr;
        }
}

static void free_pop(struct pop *p)
{
    free(p->h);
    free(p->region);
    free(p->sector);
    free(p->x);
    free(p->y);
    free(p->b);
}

struct tally {
    const char *what;
    long hit, n;
};

static void count(struct tally *t, const struct analyse_result *r, double truth)
{
    if (isnan(r->ci_low) || isnan(r->ci_high))
        return;
    t->n++;
    t->hit += r->ci_low <= truth && truth <= r->ci_high;
}

/* Population median by the "math" rule (smallest x with F(x) >= 0.5). */
static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_coverage(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    struct pop P;
    make_pop(&P, r);
    /* population values */
    double Ty = 0, Tx = 0, Tb = 0, Tb_reg[3] = {0}, N_reg[3] = {0};
    for (size_t i = 0; i < P.N; i++) {
        Ty += P.y[i];
        Tx += P.x[i];
        Tb += P.b[i];
        Tb_reg[P.region[i]] += P.b[i];
        N_reg[P.region[i]] += 1;
    }
    double *sorted = malloc(P.N * sizeof *sorted);
    memcpy(sorted, P.x, P.N * sizeof *sorted);
    qsort(sorted, P.N, sizeof *sorted, cmpd);
    double median = sorted[(P.N + 1) / 2 - 1];
    free(sorted);
    double share = Tb / (double)P.N, ratio = Ty / Tx;

    struct tally t[] = {{"share, logit, frame weights", 0, 0},
                        {"share by region, logit (3 domains)", 0, 0},
                        {"share by region, wilson (3 domains)", 0, 0},
                        {"share by region, exact (3 domains)", 0, 0},
                        {"share by region, wald (3 domains)", 0, 0},
                        {"share by region, arcsine (3 domains)", 0, 0},
                        {"share by region, likelihood (3 domains)", 0, 0},
                        {"share by region, agresti-coull (3 d.)", 0, 0},
                        {"share by region, jeffreys (3 domains)", 0, 0},
                        {"ratio y/x, t, frame weights", 0, 0},
                        {"total of y, t, frame weights", 0, 0},
                        {"median of x, Woodruff", 0, 0},
                        {"ratio y/x, t, raked", 0, 0},
                        {"share, logit, raked", 0, 0}};
    size_t n = 0;
    for (int h = 0; h < H; h++)
        n += samp_n[h];
    size_t *idx = calloc(n, sizeof *idx), *sh = calloc(n, sizeof *sh), *sreg = calloc(n, sizeof *sreg),
           *ssec = calloc(n, sizeof *ssec);
    double *sx = calloc(n, sizeof *sx), *sy = calloc(n, sizeof *sy), *sb = calloc(n, sizeof *sb);
    unsigned char *dom = calloc(n, 1);
    size_t *members = calloc(P.N, sizeof *members);
    double regpop[3] = {0}, secpop[2] = {0};
    for (int h = 0; h < H; h++) {
        regpop[h / 2] += popN[h];
        secpop[h % 2] += popN[h];
    }
    for (long rep = 0; rep < replications; rep++) {
        size_t k = 0, start = 0;
        for (int h = 0; h < H; h++) {
            size_t Nh = (size_t)popN[h];
            for (size_t j = 0; j < Nh; j++)
                members[j] = start + j;
            gsl_ran_choose(r, idx + k, samp_n[h], members, Nh, sizeof(size_t));
            k += samp_n[h];
            start += Nh;
        }
        for (size_t i = 0; i < n; i++) {
            size_t u = idx[i];
            sh[i] = P.h[u];
            sreg[i] = P.region[u];
            ssec[i] = P.sector[u];
            sx[i] = P.x[u];
            sy[i] = P.y[u];
            sb[i] = P.b[u];
        }
        struct analyse_design_spec spec = {n, sh, H, popN, NULL, NULL};
        struct analyse_design *d;
        assert_int_equal(analyse_design_new(&d, &spec, NULL), 0);
        struct analyse_result res;
        struct analyse_options o = {0.95, ANALYSE_CI_DEFAULT, NAN, false, ANALYSE_QRULE_MATH, ANALYSE_CI_DEFAULT};
        assert_int_equal(analyse_proportion(&res, d, sb, NULL, &o, NULL), 0);
        count(&t[0], &res, share);
        for (size_t g = 0; g < 3; g++) {
            for (size_t i = 0; i < n; i++)
                dom[i] = sreg[i] == g;
            enum analyse_ci_method m[8] = {ANALYSE_CI_LOGIT,         ANALYSE_CI_WILSON,
                                           ANALYSE_CI_EXACT,         ANALYSE_CI_WALD,
                                           ANALYSE_CI_ASIN,          ANALYSE_CI_LIKELIHOOD,
                                           ANALYSE_CI_AGRESTI_COULL, ANALYSE_CI_JEFFREYS};
            for (int q = 0; q < 8; q++) {
                o.ci = m[q];
                assert_int_equal(analyse_proportion(&res, d, sb, dom, &o, NULL), 0);
                count(&t[1 + q], &res, Tb_reg[g] / N_reg[g]);
            }
            o.ci = ANALYSE_CI_DEFAULT;
        }
        assert_int_equal(analyse_ratio(&res, d, sy, sx, NULL, &o, NULL), 0);
        count(&t[9], &res, ratio);
        assert_int_equal(analyse_total(&res, d, sy, NULL, &o, NULL), 0);
        count(&t[10], &res, Ty);
        assert_int_equal(analyse_quantile(&res, d, sx, 0.5, NULL, &o, NULL), 0);
        count(&t[11], &res, median);
        analyse_design_free(d);
        /* region-stratified, raked to region and sector */
        struct analyse_design_spec s2 = {n, sreg, 3, regpop, NULL, NULL};
        assert_int_equal(analyse_design_new(&d, &s2, NULL), 0);
        struct analyse_margin mg[2] = {{sreg, 3, regpop}, {ssec, 2, secpop}};
        struct analyse_rake_report rr;
        assert_int_equal(analyse_design_rake(d, mg, 2, 1e-12, 200, &rr, NULL), 0);
        assert_true(rr.converged);
        assert_int_equal(analyse_ratio(&res, d, sy, sx, NULL, &o, NULL), 0);
        count(&t[12], &res, ratio);
        assert_int_equal(analyse_proportion(&res, d, sb, NULL, &o, NULL), 0);
        count(&t[13], &res, share);
        analyse_design_free(d);
    }
    printf("coverage of 95 %% intervals over %ld samples of %zu from %zu (seed %lu):\n",
           replications, n, P.N, seed);
    int bad = 0;
    for (size_t q = 0; q < sizeof t / sizeof t[0]; q++) {
        double c = (double)t[q].hit / (double)t[q].n;
        double mcse = sqrt(0.95 * 0.05 / (double)t[q].n);
        printf("  %-40s %.4f (MC se %.4f, %ld intervals)\n", t[q].what, c, mcse, t[q].n);
        if (c < 0.925 || c > 0.975)
            bad++;
    }
    free(idx);
    free(sh);
    free(sreg);
    free(ssec);
    free(sx);
    free(sy);
    free(sb);
    free(dom);
    free(members);
    free_pop(&P);
    gsl_rng_free(r);
    assert_int_equal(bad, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1)
        replications = atol(argv[1]);
    if (argc > 2)
        seed = strtoul(argv[2], NULL, 10);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_coverage)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
