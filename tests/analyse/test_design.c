/*
 * The estimation engine against R's survey package: tests/r/make_fixtures.R
 * computed design_reference.csv from design_data.csv; every estimate, SE,
 * interval bound and df must agree within 1e-9 (relative).
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

#include "analyse_design.h"

#define MAXROWS 400
#define TOL 1e-9

struct data {
    size_t n;
    size_t h[MAXROWS], region[MAXROWS], sector[MAXROWS], size[MAXROWS], psu[MAXROWS];
    double N_h[MAXROWS], w[MAXROWS], x[MAXROWS], y[MAXROWS], b[MAXROWS];
};

static struct data D;
static double stratum_N[6];

static double num(const char *s) { return *s ? strtod(s, NULL) : NAN; }

static size_t split(char *line, char **f, size_t max)
{
    size_t k = 0;
    char *p = line;
    f[k++] = p;
    while (*p && k < max) {
        if (*p == ',') {
            *p = '\0';
            f[k++] = p + 1;
        } else if (*p == '\n' || *p == '\r') {
            *p = '\0';
            break;
        }
        p++;
    }
    char *e = strpbrk(f[k - 1], "\r\n");
    if (e)
        *e = '\0';
    return k;
}

static void load_data(void)
{
    FILE *fp = fopen(VIGIE_SOURCE_DIR "/tests/r/design_data.csv", "r");
    assert_non_null(fp);
    char line[512];
    char *f[16];
    assert_non_null(fgets(line, sizeof line, fp));
    D.n = 0;
    while (fgets(line, sizeof line, fp)) {
        size_t k = split(line, f, 16);
        assert_int_equal(k, 10);
        size_t i = D.n++;
        assert_true(i < MAXROWS);
        D.h[i] = (size_t)atoi(f[0]) - 1;
        D.region[i] = strcmp(f[1], "11") == 0 ? 0 : strcmp(f[1], "84") == 0 ? 1 : 2;
        D.sector[i] = strcmp(f[2], "pa") == 0 ? 0 : 1;
        D.N_h[i] = num(f[3]);
        D.psu[i] = (size_t)atoi(f[4]);
        D.size[i] = (size_t)atoi(f[5]) - 1;
        D.w[i] = num(f[6]);
        D.x[i] = num(f[7]);
        D.y[i] = num(f[8]);
        D.b[i] = num(f[9]);
        stratum_N[D.h[i]] = D.N_h[i];
    }
    fclose(fp);
}

static const double size_pop[] = {940, 560, 365};
static const double region_pop[] = {700, 900, 265};
static const double sector_pop[] = {1200, 665};

static struct analyse_design *make_design(const char *name)
{
    struct analyse_design_spec s = {0};
    s.nrows = D.n;
    if (strcmp(name, "unweighted") != 0) {
        s.stratum = D.h;
        s.nstrata = 6;
    }
    if (strcmp(name, "strat_fpc") == 0 || strcmp(name, "post") == 0 ||
        strcmp(name, "rake") == 0)
        s.pop_size = stratum_N;
    if (strcmp(name, "strat_w") == 0 || strcmp(name, "cluster") == 0)
        s.weight = D.w;
    if (strcmp(name, "cluster") == 0)
        s.psu = D.psu;
    struct analyse_design *d = NULL;
    struct sv_error err;
    int rc = analyse_design_new(&d, &s, &err);
    if (rc)
        fail_msg("design %s: %s", name, err.text);
    if (strcmp(name, "post") == 0) {
        struct analyse_margin m = {D.size, 3, size_pop};
        assert_int_equal(analyse_design_poststratify(d, &m, &err), 0);
    }
    if (strcmp(name, "rake") == 0) {
        struct analyse_margin m[3] = {
            {D.region, 3, region_pop}, {D.size, 3, size_pop}, {D.sector, 2, sector_pop}};
        struct analyse_rake_report rep;
        assert_int_equal(analyse_design_rake(d, m, 3, 1e-14, 1000, &rep, &err), 0);
        assert_true(rep.converged);
        assert_true(rep.iterations > 2);
        assert_true(rep.w_min > 0 && rep.w_max >= rep.w_min);
    }
    return d;
}

static void near(double got, double want, const char *what, const char *line)
{
    if ((isnan(want) && isnan(got)) || (isinf(want) && got == want))
        return;
    double tol = TOL * fmax(fabs(want), 1e-12);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, R says %.17g (rel diff %.3g) in '%s'", what, got, want,
                 fabs(got - want) / fabs(want), line);
}

static int nchecked;

static void check_line(char *line)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    char *f[12];
    size_t k = split(line, f, 12);
    assert_int_equal(k, 10);
    const char *dname = f[0], *stat = f[1], *dom = f[3];
    double est = num(f[4]), se = strcmp(f[5], "NA") ? num(f[5]) : NAN;
    double lo = strcmp(f[6], "NA") ? num(f[6]) : NAN, hi = strcmp(f[7], "NA") ? num(f[7]) : NAN;
    double df = strcmp(f[8], "NA") ? num(f[8]) : NAN;
    long n = atol(f[9]);
    struct analyse_design *d = make_design(dname);
    unsigned char mask[MAXROWS];
    const unsigned char *domain = NULL;
    if (strcmp(dom, "all") != 0 && strchr(dom, '-') == NULL && strchr(dom, ':') == NULL) {
        size_t r = strcmp(dom, "11") == 0 ? 0 : strcmp(dom, "84") == 0 ? 1 : 2;
        for (size_t i = 0; i < D.n; i++)
            mask[i] = D.region[i] == r;
        domain = mask;
    }
    struct analyse_result res;
    struct analyse_options opt = {0.95, ANALYSE_CI_DEFAULT, NAN, false, ANALYSE_QRULE_MATH, ANALYSE_CI_DEFAULT};
    struct sv_error err;
    int rc = 0;
    bool interval = true;
    if (strcmp(stat, "total") == 0) {
        rc = analyse_total(&res, d, D.y, domain, &opt, &err);
    } else if (strcmp(stat, "mean") == 0) {
        rc = analyse_mean(&res, d, D.y, domain, &opt, &err);
    } else if (strcmp(stat, "mean_inf") == 0) {
        opt.df = INFINITY;
        rc = analyse_mean(&res, d, D.y, domain, &opt, &err);
        assert_int_equal(res.ci, ANALYSE_CI_NORMAL);
    } else if (strncmp(stat, "binom_", 6) == 0) {
        static const struct {
            const char *stat;
            enum analyse_ci_method ask, says;
        } bm[] = {{"binom_wilson", ANALYSE_CI_WILSON, ANALYSE_CI_BINOM_WILSON},
                  {"binom_exact", ANALYSE_CI_EXACT, ANALYSE_CI_BINOM_EXACT},
                  {"binom_agresti", ANALYSE_CI_AGRESTI_COULL, ANALYSE_CI_BINOM_AC},
                  {"binom_jeffreys", ANALYSE_CI_JEFFREYS, ANALYSE_CI_BINOM_JEFFREYS}};
        size_t j = 0;
        while (j < 4 && strcmp(bm[j].stat, stat) != 0)
            j++;
        assert_true(j < 4);
        opt.ci = bm[j].ask;
        opt.binomial = true;
        rc = analyse_proportion(&res, d, D.b, domain, &opt, &err);
        assert_int_equal(res.ci, bm[j].says);
    } else if (strcmp(stat, "ratio") == 0) {
        rc = analyse_ratio(&res, d, D.y, D.x, domain, &opt, &err);
    } else if (strcmp(stat, "quantile") == 0) {
        rc = analyse_quantile(&res, d, D.y, num(f[2]), domain, &opt, &err);
    } else if (strncmp(stat, "prop_", 5) == 0) {
        static const struct {
            const char *stat;
            enum analyse_ci_method m;
        } pm[] = {{"prop_logit", ANALYSE_CI_LOGIT},         {"prop_logit_inf", ANALYSE_CI_LOGIT},
                  {"prop_exact", ANALYSE_CI_EXACT},         {"prop_wilson", ANALYSE_CI_WILSON},
                  {"prop_wald", ANALYSE_CI_WALD},           {"prop_asin", ANALYSE_CI_ASIN},
                  {"prop_agresti", ANALYSE_CI_AGRESTI_COULL}, {"prop_jeffreys", ANALYSE_CI_JEFFREYS},
                  {"prop_likelihood", ANALYSE_CI_LIKELIHOOD}};
        size_t j = 0;
        while (j < sizeof pm / sizeof pm[0] && strcmp(pm[j].stat, stat) != 0)
            j++;
        if (j == sizeof pm / sizeof pm[0])
            fail_msg("unknown statistic in fixture: %s", stat);
        opt.ci = pm[j].m;
        if (strcmp(stat, "prop_logit_inf") == 0)
            opt.df = INFINITY;
        rc = analyse_proportion(&res, d, D.b, domain, &opt, &err);
        assert_int_equal(res.ci, opt.ci);
    } else if (strcmp(stat, "diff_mean") == 0) {
        unsigned char ma[MAXROWS], mb[MAXROWS];
        for (size_t i = 0; i < D.n; i++) {
            ma[i] = D.region[i] == 0;
            mb[i] = D.region[i] == 1;
        }
        struct analyse_diff dr;
        assert_int_equal(analyse_difference(&dr, d, ANALYSE_MEAN, D.y, NULL, ma, mb, &opt, &err), 0);
        near(dr.estimate, est, "difference", copy);
        near(dr.se, se, "difference se", copy);
        assert_true(dr.p_value > 0 && dr.p_value < 1);
        nchecked++;
        analyse_design_free(d);
        return;
    } else if (strncmp(stat, "chisq", 5) == 0) {
        struct analyse_chisq cs;
        assert_int_equal(analyse_chisq_test(&cs, d, D.region, 3, D.size, 3, NULL, &err), 0);
        if (strcmp(stat, "chisq") == 0) {
            near(cs.pearson, est, "chisq pearson", copy);
            near(cs.df, df, "chisq df", copy);
        } else {
            near(cs.p_value, est, "chisq p", copy);
        }
        nchecked++;
        analyse_design_free(d);
        return;
    } else if (strcmp(stat, "weight_sum") == 0) {
        double s = 0;
        for (size_t i = 0; i < D.n; i++)
            s += analyse_design_weight(d, i);
        near(s, est, "weight sum", copy);
        nchecked++;
        analyse_design_free(d);
        return;
    } else if (strcmp(stat, "weight") == 0) {
        near(analyse_design_weight(d, (size_t)atoi(f[2]) - 1), est, "weight", copy);
        nchecked++;
        analyse_design_free(d);
        return;
    } else {
        fail_msg("unknown statistic in fixture: %s", stat);
    }
    if (rc)
        fail_msg("%s: %s", copy, err.text);
    near(res.estimate, est, "estimate", copy);
    near(res.se, se, "se", copy);
    near(res.df, df, "df", copy);
    if (interval) {
        near(res.ci_low, lo, "ci_low", copy);
        near(res.ci_high, hi, "ci_high", copy);
    }
    assert_int_equal(res.n, n);
    nchecked++;
    analyse_design_free(d);
}

static void test_against_r(void **state)
{
    (void)state;
    load_data();
    FILE *fp = fopen(VIGIE_SOURCE_DIR "/tests/r/design_reference.csv", "r");
    assert_non_null(fp);
    char line[512];
    assert_non_null(fgets(line, sizeof line, fp));
    nchecked = 0;
    while (fgets(line, sizeof line, fp))
        check_line(line);
    fclose(fp);
    assert_true(nchecked >= 430);
}

/*
 * svyquantile: every qrule x interval.type x p x domain x df of
 * tests/r/quantile_make_fixtures.R, through analyse_quantile() (a domain
 * mask) and analyse_by() (the grouped path); R's NA must be NAN here.
 */
static void check_quantile_line(char *line)
{
    char copy[512];
    snprintf(copy, sizeof copy, "%s", line);
    char *f[14];
    size_t k = split(line, f, 14);
    assert_int_equal(k, 12);
    double want[5], df = strcmp(f[10], "Inf") == 0 ? INFINITY : num(f[10]);
    for (int j = 0; j < 4; j++)
        want[j] = strcmp(f[6 + j], "NA") ? num(f[6 + j]) : NAN;
    struct analyse_options opt = {0.95, ANALYSE_CI_DEFAULT, NAN, false, ANALYSE_QRULE_MATH,
                                  ANALYSE_CI_DEFAULT};
    if (analyse_qrule_parse(f[1], &opt.qrule) || analyse_qci_parse(f[2], &opt.qci))
        fail_msg("unknown rule or interval in '%s'", copy);
    if (strcmp(f[5], "inf") == 0)
        opt.df = INFINITY;
    double p = num(f[3]);
    struct analyse_design *d = make_design(f[0]);
    unsigned char mask[MAXROWS];
    const unsigned char *domain = NULL;
    size_t r = 0;
    if (strcmp(f[4], "all") != 0) {
        r = strcmp(f[4], "11") == 0 ? 0 : strcmp(f[4], "84") == 0 ? 1 : 2;
        for (size_t i = 0; i < D.n; i++)
            mask[i] = D.region[i] == r;
        domain = mask;
    }
    struct analyse_result res[3];
    struct sv_error err;
    for (int path = 0; path < (domain ? 2 : 1); path++) {
        struct analyse_result *got = &res[0];
        int rc = path == 0 ? analyse_quantile(got, d, D.y, p, domain, &opt, &err)
                           : analyse_by(res, d, ANALYSE_QUANTILE, D.y, NULL, p, D.region, 3,
                                        &opt, &err);
        if (rc)
            fail_msg("%s: %s", copy, err.text);
        if (path == 1)
            got = &res[r];
        near(got->estimate, want[0], "quantile", copy);
        near(got->se, want[1], "quantile se", copy);
        near(got->ci_low, want[2], "quantile ci_low", copy);
        near(got->ci_high, want[3], "quantile ci_high", copy);
        near(got->df, df, "quantile df", copy);
        assert_int_equal(got->n, atol(f[11]));
        assert_int_equal(got->qrule, opt.qrule);
    }
    nchecked++;
    analyse_design_free(d);
}

static void test_quantiles_against_r(void **state)
{
    (void)state;
    load_data();
    FILE *fp = fopen(VIGIE_SOURCE_DIR "/tests/r/quantile_reference.csv", "r");
    assert_non_null(fp);
    char line[512];
    assert_non_null(fgets(line, sizeof line, fp));
    nchecked = 0;
    while (fgets(line, sizeof line, fp))
        check_quantile_line(line);
    fclose(fp);
    assert_true(nchecked >= 4500);
}

/* Missing answers are excluded and counted, never zeros. */
static void test_missing_counted(void **state)
{
    (void)state;
    load_data();
    struct analyse_design *d = make_design("strat_fpc");
    struct analyse_result r;
    assert_int_equal(analyse_mean(&r, d, D.y, NULL, NULL, NULL), 0);
    long miss = 0;
    for (size_t i = 0; i < D.n; i++)
        miss += isnan(D.y[i]);
    assert_int_equal(r.n_missing, miss);
    assert_int_equal(r.n + r.n_missing, (long)D.n);
    /* an empty domain: NAN, n = 0, not an error */
    unsigned char none[MAXROWS] = {0};
    assert_int_equal(analyse_mean(&r, d, D.y, none, NULL, NULL), 0);
    assert_true(isnan(r.estimate));
    assert_int_equal(r.n, 0);
    analyse_design_free(d);
}

static void test_by_equals_domains(void **state)
{
    (void)state;
    load_data();
    struct analyse_design *d = make_design("rake");
    struct analyse_result by[3], one;
    assert_int_equal(analyse_by(by, d, ANALYSE_RATIO, D.y, D.x, 0, D.region, 3, NULL, NULL), 0);
    unsigned char mask[MAXROWS];
    for (size_t g = 0; g < 3; g++) {
        for (size_t i = 0; i < D.n; i++)
            mask[i] = D.region[i] == g;
        assert_int_equal(analyse_ratio(&one, d, D.y, D.x, mask, NULL, NULL), 0);
        assert_true(one.estimate == by[g].estimate && one.se == by[g].se);
    }
    analyse_design_free(d);
}

static void test_errors(void **state)
{
    (void)state;
    struct sv_error err;
    size_t strat[3] = {0, 1, 1};
    struct analyse_design_spec s = {3, strat, 2, NULL, NULL, NULL};
    struct analyse_design *d = NULL;
    assert_int_equal(analyse_design_new(&d, &s, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "single PSU"));
    size_t strat2[4] = {0, 0, 1, 1};
    double pop[2] = {10, 1};
    struct analyse_design_spec s2 = {4, strat2, 2, pop, NULL, NULL};
    assert_int_equal(analyse_design_new(&d, &s2, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "smaller than the sample"));
    double pop3[2] = {10, 20};
    struct analyse_design_spec s3 = {4, strat2, 2, pop3, NULL, NULL};
    assert_int_equal(analyse_design_new(&d, &s3, &err), 0);
    double y[4] = {0, 1, 2, 1};
    struct analyse_result r;
    assert_int_equal(analyse_proportion(&r, d, y, NULL, NULL, &err), SV_EDATA);
    /* p = 0: the Clopper-Pearson interval for n rows */
    double zero[4] = {0, 0, 0, 0};
    assert_int_equal(analyse_proportion(&r, d, zero, NULL, NULL, &err), 0);
    assert_int_equal(r.ci, ANALYSE_CI_EXACT);
    assert_true(r.ci_low == 0 && fabs(r.ci_high - (1 - pow(0.025, 0.25))) < 1e-15);
    /* post-stratification cell without respondents */
    size_t cell[4] = {0, 0, 0, 0};
    double tot[2] = {15, 15};
    struct analyse_margin m = {cell, 2, tot};
    assert_int_equal(analyse_design_poststratify(d, &m, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "no respondent"));
    analyse_design_free(d);
}

static void test_cronbach(void **state)
{
    (void)state;
    /* R: psych-free formula k/(k-1) (1 - sum var_i / var_total) */
    double a1[] = {1, 2, 3, 4, 5, NAN}, a2[] = {2, 2, 3, 5, 4, 1}, a3[] = {1, 3, 3, 4, 5, 2};
    const double *items[] = {a1, a2, a3};
    double alpha;
    long n;
    assert_int_equal(analyse_cronbach_alpha(&alpha, &n, items, 3, 6, NULL), 0);
    assert_int_equal(n, 5);
    /* by hand: vars 2.5, 1.7, 2.2; totals 4,7,9,13,14 var 17.3 */
    assert_true(fabs(alpha - 1.5 * (1 - 6.4 / 17.3)) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_against_r),
        cmocka_unit_test(test_quantiles_against_r),
        cmocka_unit_test(test_missing_counted),
        cmocka_unit_test(test_by_equals_domains),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_cronbach),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
