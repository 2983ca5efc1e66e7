/*
 * analyse_by's one-pass path (rows bucketed by group, variance over the
 * PSUs a group touches) against analyse_estimate() on each group's mask:
 * stratified one-stage cluster samples with weights, with and without fpc,
 * an element design, missing values, rows in no group, empty groups, a
 * group inside one PSU. Means, proportions, totals and quantiles (estimate,
 * SE, interval, df, n, n_missing, population) agree to 1e-12.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "analyse_design.h"

#define N 3000
#define G 9

static unsigned long long rng = 88172645463325252ULL;
static double unif(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

static void same(double a, double b, const char *what, size_t g)
{
    if (isnan(a) && isnan(b))
        return;
    if (!(fabs(a - b) <= 1e-12 * fmax(fmax(fabs(a), fabs(b)), 1e-300)))
        fail_msg("group %zu %s: %.17g vs %.17g", g, what, a, b);
}

static void check_design(bool cluster, bool fpc, bool strata)
{
    static size_t stratum[N], psu[N], group[N];
    static double w[N], y[N], b[N];
    static unsigned char mask[N];
    double pop[3] = {400, 300, 900}; /* PSUs: 40 clusters or 1,000 rows a stratum */
    if (!cluster)
        for (int h = 0; h < 3; h++)
            pop[h] *= 10;
    for (size_t i = 0; i < N; i++) {
        size_t c = i / 25; /* 120 clusters of 25 */
        stratum[i] = strata ? c % 3 : 0;
        psu[i] = cluster ? c : i;
        w[i] = cluster ? 1.0 + (double)(c % 7) * 1.5 : 1.0 + unif() * 9;
        y[i] = unif() < 0.04 ? NAN : 1000 + 800 * unif() + (double)(c % 5) * 40;
        b[i] = isnan(y[i]) ? NAN : (y[i] < 1400 ? 1.0 : 0.0);
        group[i] = unif() < 0.03 ? ANALYSE_NO_GROUP : (size_t)(unif() * (G - 2));
        if (c == 7)
            group[i] = G - 2; /* a group inside one PSU; group G - 1 is empty */
    }
    struct analyse_design_spec spec = {.nrows = N, .stratum = strata ? stratum : NULL,
                                       .nstrata = strata ? 3 : 1,
                                       .pop_size = fpc ? pop : NULL, .weight = w,
                                       .psu = cluster ? psu : NULL};
    if (fpc && !strata)
        spec.pop_size = &pop[2];
    struct analyse_design *d = NULL;
    struct sv_error err;
    assert_int_equal(analyse_design_new(&d, &spec, &err), 0);
    static const enum analyse_stat stats[] = {ANALYSE_MEAN, ANALYSE_PROPORTION, ANALYSE_TOTAL,
                                              ANALYSE_QUANTILE, ANALYSE_QUANTILE};
    static const double ps[] = {0, 0, 0, 0.5, 0.1};
    for (size_t k = 0; k < 5; k++) {
        struct analyse_result by[G], one;
        const double *v = stats[k] == ANALYSE_PROPORTION ? b : y;
        assert_int_equal(analyse_by(by, d, stats[k], v, NULL, ps[k], group, G, NULL, &err), 0);
        for (size_t g = 0; g < G; g++) {
            for (size_t i = 0; i < N; i++)
                mask[i] = group[i] == g;
            assert_int_equal(analyse_estimate(&one, d, stats[k], v, NULL, ps[k], mask, NULL, &err), 0);
            assert_int_equal(by[g].n, one.n);
            assert_int_equal(by[g].n_missing, one.n_missing);
            assert_int_equal(by[g].ci, one.ci);
            same(by[g].estimate, one.estimate, "estimate", g);
            same(by[g].se, one.se, "se", g);
            same(by[g].var, one.var, "var", g);
            same(by[g].df, one.df, "df", g);
            same(by[g].ci_low, one.ci_low, "ci_low", g);
            same(by[g].ci_high, one.ci_high, "ci_high", g);
            same(by[g].population, one.population, "population", g);
            same(by[g].max_share, one.max_share, "max_share", g);
        }
        assert_int_equal(by[G - 1].n, 0);
        assert_true(by[G - 2].n > 0);
    }
    analyse_design_free(d);
}

static void test_cluster(void **state)
{
    (void)state;
    check_design(true, false, false);
    check_design(true, false, true);
    check_design(true, true, true);
}

static void test_element(void **state)
{
    (void)state;
    check_design(false, false, false);
    check_design(false, true, true);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_cluster), cmocka_unit_test(test_element)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
