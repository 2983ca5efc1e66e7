/*
 * Egapro index: each indicator's edge rules with scores worked out by hand
 * from the rules of décret 2019-15 as the official calculator applies them
 * (see analyse/pay/README.md, "Egapro"). Cases are our own.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "pay.h"

/* ---------------------------------------------------------- score tables */

static void test_score_tables(void **state)
{
    (void)state;
    /* indicator 1: value rounded to 1 decimal, then the next integer */
    assert_int_equal(pay_egapro_score1(0.0), 40);
    assert_int_equal(pay_egapro_score1(0.04), 40);  /* rounds to 0.0 */
    assert_int_equal(pay_egapro_score1(0.05), 39);  /* rounds half up to 0.1 */
    assert_int_equal(pay_egapro_score1(0.1), 39);
    assert_int_equal(pay_egapro_score1(1.0), 39);
    assert_int_equal(pay_egapro_score1(7.0), 33);
    assert_int_equal(pay_egapro_score1(7.04), 33);
    assert_int_equal(pay_egapro_score1(7.1), 31);
    assert_int_equal(pay_egapro_score1(13.2), 19);
    assert_int_equal(pay_egapro_score1(20.04), 2);
    assert_int_equal(pay_egapro_score1(20.06), 0);
    assert_int_equal(pay_egapro_score1(50.5), 0);
    static const int t2[] = {20, 20, 20, 10, 10, 10, 5, 5, 5, 5, 5, 0};
    assert_int_equal(pay_egapro_score_table(t2, 12, 2.0), 20);
    assert_int_equal(pay_egapro_score_table(t2, 12, 2.04), 20);
    assert_int_equal(pay_egapro_score_table(t2, 12, 2.05), 10);
    assert_int_equal(pay_egapro_score_table(t2, 12, 5.0), 10);
    assert_int_equal(pay_egapro_score_table(t2, 12, 10.0), 5);
    assert_int_equal(pay_egapro_score_table(t2, 12, 10.1), 0);
    /* half up, also for negative values (JavaScript Math.round) */
    assert_true(pay_egapro_round(0.0000005, 6) == 0.000001);
    assert_true(pay_egapro_round(-0.0000005, 6) == 0.0);
    assert_true(pay_egapro_round(0.051 - 0.05, 6) == 0.001);
}

/* ------------------------------------------------- aggregated companies */

static struct pay_egapro_group1 g1_base[2];

/* A 50-250 company: 62 employees, one valid group (80.6 % of the workforce). */
static void company_small(struct pay_egapro_input *in)
{
    memset(in, 0, sizeof *in);
    memset(g1_base, 0, sizeof g1_base);
    strcpy(g1_base[0].key, "emp;30a39");
    g1_base[0].n_f = 30;
    g1_base[0].n_h = 20;
    g1_base[0].pay_f = 24000;
    g1_base[0].pay_h = 27000;
    strcpy(g1_base[1].key, "ouv;40a49");
    g1_base[1].n_f = 2; /* not valid: fewer than 3 women */
    g1_base[1].n_h = 10;
    g1_base[1].pay_f = 10000;
    g1_base[1].pay_h = 40000;
    in->band = PAY_EGAPRO_50_250;
    in->grouping = PAY_EGAPRO_CSP;
    in->g1 = g1_base;
    in->ng1 = 2;
    in->total_f = 32;
    in->total_h = 30;
    in->raised_f = 16; /* 50 % */
    in->raised_h = 18; /* 60 % */
    in->raises_happened = true;
    in->maternity_returns = 2;
    in->maternity_eligible = 2;
    in->maternity_raised = 1;
    in->top10_f = 3;
    in->top10_h = 7;
}

static void test_small_company(void **state)
{
    (void)state;
    struct pay_egapro_input in;
    struct pay_egapro_result r;
    company_small(&in);
    pay_egapro_compute(&in, &r);
    /* I1: gap 3000/27000 = 0.111111, minus the 5 % threshold = 0.061111,
     * weight 50/50: 6.1111 % -> 6.1 -> ceil 7 -> 33 points, favours men */
    assert_true(r.ind[PAY_EG_I1].calculable);
    assert_close(r.ind[PAY_EG_I1].value, 6.1111, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I1].score, 33);
    assert_int_equal(r.ind[PAY_EG_I1].favours, PAY_SIDE_MEN);
    assert_close(r.valid_share, 50.0 / 62.0, 1e-15, 0);
    assert_true(in.g1[0].valid);
    assert_false(in.g1[1].valid);
    /* I2-3: 60 % - 50 % = 10 points -> 15; in employees 10 % x 30 = 3.0 -> 25; best 25 */
    assert_true(r.ind[PAY_EG_I23].calculable);
    assert_close(r.ind[PAY_EG_I23].value, 10.0, 1e-12, 0);
    assert_close(r.ind[PAY_EG_I23].value2, 3.0, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I23].score, 25);
    assert_false(r.ind[PAY_EG_I23].compensated);
    /* not part of this band */
    assert_false(r.ind[PAY_EG_I2].applicable);
    assert_false(r.ind[PAY_EG_I3].applicable);
    /* I4: 1 of 2 -> 50 % -> 0; I5: 3 women among the 10 -> 5 */
    assert_close(r.ind[PAY_EG_I4].value, 50.0, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I4].score, 0);
    assert_int_equal(r.ind[PAY_EG_I5].score, 5);
    assert_int_equal(r.points, 63);
    assert_int_equal(r.max_points, 100);
    assert_int_equal(r.index, 63);
}

static void test_compensation(void **state)
{
    (void)state;
    struct pay_egapro_input in;
    struct pay_egapro_result r;
    company_small(&in);
    in.raised_f = 20; /* 62.5 % of women raised, 50 % of men: favours women */
    in.raised_h = 15;
    pay_egapro_compute(&in, &r);
    assert_int_equal(r.ind[PAY_EG_I23].favours, PAY_SIDE_WOMEN);
    assert_true(r.ind[PAY_EG_I23].compensated);
    assert_int_equal(r.ind[PAY_EG_I23].score, 35);
    assert_int_equal(r.index, 33 + 35 + 0 + 5);
    /* no compensation when indicator 1 has its maximum: gap under the threshold */
    g1_base[0].pay_f = 26000; /* gap 3.7 % < 5 % -> 0 -> 40 points */
    pay_egapro_compute(&in, &r);
    assert_int_equal(r.ind[PAY_EG_I1].score, 40);
    assert_int_equal(r.ind[PAY_EG_I1].favours, PAY_SIDE_NONE);
    assert_false(r.ind[PAY_EG_I23].compensated);
    /* 12.5 points -> 12.5 -> ceil 13 -> 0; employees 12.5 % x 30 = 3.75 -> 3.8 -> 4 -> 25 */
    assert_close(r.ind[PAY_EG_I23].value2, 3.8, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I23].score, 25);
}

static void test_non_calculable(void **state)
{
    (void)state;
    struct pay_egapro_input in;
    struct pay_egapro_result r;
    /* I4 not calculable (no maternity return): max 85, 63/85 = 74.1 -> 74 */
    company_small(&in);
    in.maternity_returns = 0;
    in.maternity_eligible = 0;
    in.maternity_raised = 0;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I4].calculable);
    assert_int_equal(r.ind[PAY_EG_I4].score, -1);
    assert_int_equal(r.max_points, 85);
    assert_int_equal(r.points, 33 + 25 + 5);
    assert_int_equal(r.index, 74);
    /* I4: returns but no raise during the leaves: not calculable */
    company_small(&in);
    in.maternity_eligible = 0;
    in.maternity_raised = 0;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I4].calculable);
    assert_string_equal(r.ind[PAY_EG_I4].reason, "no raise during the maternity leaves");
    /* I4: everyone raised -> 15 */
    company_small(&in);
    in.maternity_raised = 2;
    pay_egapro_compute(&in, &r);
    assert_int_equal(r.ind[PAY_EG_I4].score, 15);
    /* I1 below 40 % of valid workforce: 2 groups, valid one holds 24 of 62 (38.7 %) */
    company_small(&in);
    g1_base[0].n_f = 14;
    g1_base[0].n_h = 10;
    g1_base[1].n_f = 2;
    g1_base[1].n_h = 36;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I1].calculable);
    /* exactly 40 %: 24 of 60 -> calculable */
    g1_base[1].n_h = 34;
    pay_egapro_compute(&in, &r);
    assert_true(r.ind[PAY_EG_I1].calculable);
    /* I1 and I4 out: max 35 + 10 = 45 < 75 -> no index */
    g1_base[1].n_h = 40;
    in.maternity_returns = 0;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I1].calculable);
    assert_false(r.ind[PAY_EG_I4].calculable);
    assert_int_equal(r.max_points, 45);
    assert_int_equal(r.index, -1);
    /* I2-3: fewer than 5 men */
    company_small(&in);
    in.total_h = 4;
    in.raised_h = 2;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I23].calculable);
    /* I2-3: no raise at all */
    company_small(&in);
    in.raised_f = in.raised_h = 0;
    in.raises_happened = false;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I23].calculable);
}

static void test_thresholds(void **state)
{
    (void)state;
    struct pay_egapro_input in;
    struct pay_egapro_result r;
    company_small(&in);
    /* gap 5.1 % with CSP groups: 0.051 - 0.05 = 0.001 -> 0.1 % -> 39 */
    g1_base[0].pay_h = 10000;
    g1_base[0].pay_f = 9490;
    pay_egapro_compute(&in, &r);
    assert_close(in.g1[0].gap, 0.051, 1e-15, 0);
    assert_close(in.g1[0].gap_adj, 0.001, 1e-15, 0);
    assert_int_equal(r.ind[PAY_EG_I1].score, 39);
    /* the same with level groups: threshold 2 % -> 0.031 -> 3.1 % -> ceil 4 -> 36 */
    in.grouping = PAY_EGAPRO_LEVEL;
    pay_egapro_compute(&in, &r);
    assert_close(in.g1[0].gap_adj, 0.031, 1e-15, 0);
    assert_int_equal(r.ind[PAY_EG_I1].score, 36);
    /* women paid more: the sign is kept, the score uses the absolute value */
    in.grouping = PAY_EGAPRO_CSP;
    g1_base[0].pay_f = 11000; /* gap -10 % -> -5 % */
    pay_egapro_compute(&in, &r);
    assert_int_equal(r.ind[PAY_EG_I1].favours, PAY_SIDE_WOMEN);
    assert_close(r.ind[PAY_EG_I1].value, 5.0, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I1].score, 35);
}

/* A company over 250: indicators 2 and 3 by CSP, groups valid with >= 10 of each sex. */
static void test_large_company(void **state)
{
    (void)state;
    struct pay_egapro_input in;
    struct pay_egapro_result r;
    company_small(&in);
    in.band = PAY_EGAPRO_OVER_250;
    in.ng23 = 4;
    struct pay_egapro_group23 g[4] = {
        {"ouv", 10, 10, 2, 5, 1, 1},   /* raise rates 0.2 / 0.5 -> 0.3; promotions 0.1 / 0.1 */
        {"emp", 50, 9, 5, 1, 0, 0},    /* not valid: 9 men */
        {"tam", 20, 20, 10, 10, 4, 2}, /* raises 0.5 / 0.5; promotions 0.2 / 0.1 -> -0.1 */
        {"ic", 10, 30, 3, 12, 1, 3},   /* raises 0.3 / 0.4 -> 0.1; promotions 0.1 / 0.1 */
    };
    memcpy(in.g23, g, sizeof g);
    in.promotions_happened = true;
    pay_egapro_compute(&in, &r);
    /* valid: 20 + 40 + 40 = 100 of 159 (62.9 %) */
    /* I2: 0.3 x 20/100 + 0 + 0.1 x 40/100 = 0.10 -> 10.0 points -> 5, favours men */
    assert_true(r.ind[PAY_EG_I2].calculable);
    assert_close(r.ind[PAY_EG_I2].value, 10.0, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I2].score, 5);
    /* I3: -0.1 x 40/100 = -0.04 -> 4.0 points favouring women while I1 favours
     * men with 33 < 40: compensated, full 15 points */
    assert_close(r.ind[PAY_EG_I3].value, 4.0, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I3].favours, PAY_SIDE_WOMEN);
    assert_true(r.ind[PAY_EG_I3].compensated);
    assert_int_equal(r.ind[PAY_EG_I3].score, 15);
    assert_false(r.ind[PAY_EG_I23].applicable);
    assert_int_equal(r.points, 33 + 5 + 15 + 0 + 5);
    assert_int_equal(r.index, 58);
    /* below 40 %: the ic group loses a woman -> valid 60 of 158 (38 %) */
    in.g23[3].n_f = 9;
    pay_egapro_compute(&in, &r);
    assert_false(r.ind[PAY_EG_I2].calculable);
    assert_false(r.ind[PAY_EG_I3].calculable);
    assert_int_equal(r.max_points, 40 + 15 + 10);
    assert_int_equal(r.index, -1);
}

/* --------------------------------------------------------- workforce files */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_workforce(void **state)
{
    (void)state;
    char path[] = "/tmp/vigie-egapro-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    /* 12 employees: top 10 by pay has 4 women (10 points); ties keep file order */
    write_file(path,
               "id,sex,csp,age_band,annual_pay,raise,promotion,maternity_return,maternity_raise_period,maternity_raised\n"
               "1,f,emp,30a39,30000,1,0,1,1,1\n"
               "2,f,emp,30a39,31000,0,0,0,0,0\n"
               "3,f,emp,30a39,32000,1,0,0,0,0\n"
               "4,h,emp,30a39,33000,1,0,0,0,0\n"
               "5,h,emp,30a39,34000,0,1,0,0,0\n"
               "6,h,emp,30a39,35000,0,0,0,0,0\n"
               "7,h,ic,50plus,90000,0,0,0,0,0\n"
               "8,h,ic,50plus,80000,0,0,0,0,0\n"
               "9,f,ic,50plus,70000,0,0,0,0,0\n"
               "10,h,tam,40a49,20000,0,0,0,0,0\n"
               "11,h,tam,40a49,20000,0,0,0,0,0\n"
               "12,f,tam,moins30,20000,0,0,0,0,0\n");
    struct pay_egapro_employee *e;
    size_t n;
    struct sv_error err;
    assert_int_equal(pay_egapro_read_csv(&e, &n, path, &err), 0);
    assert_int_equal(n, 12);
    struct pay_egapro_input in;
    assert_int_equal(pay_egapro_aggregate(&in, e, n, -1, PAY_EGAPRO_CSP, &err), 0);
    assert_int_equal(in.band, PAY_EGAPRO_50_250);
    assert_int_equal(in.total_f, 5);
    assert_int_equal(in.total_h, 7);
    /* raised (promotions included for 50-250): women 1 and 3, men 4 and 5 */
    assert_int_equal(in.raised_f, 2);
    assert_int_equal(in.raised_h, 2);
    assert_int_equal(in.maternity_returns, 1);
    assert_int_equal(in.maternity_raised, 1);
    /* top 10: pays 90,80,70,35,34,33,32,31,30 then the first 20000 (id 10, a man) */
    assert_int_equal(in.top10_f, 4);
    assert_int_equal(in.top10_h, 6);
    /* group emp;30a39: 3 women, 3 men, means 31000 and 34000 */
    size_t g = 1 * PAY_EGAPRO_AGES + 1;
    assert_string_equal(in.g1[g].key, "emp;30a39");
    assert_int_equal(in.g1[g].n_f, 3);
    assert_int_equal(in.g1[g].n_h, 3);
    assert_close(in.g1[g].pay_f, 31000, 1e-15, 0);
    assert_close(in.g1[g].pay_h, 34000, 1e-15, 0);
    struct pay_egapro_result r;
    pay_egapro_compute(&in, &r);
    /* valid: 6 of 12 = 50 % -> calculable; gap 3000/34000 = 0.088235 -> 0.038235 -> 3.8235 -> 36 */
    assert_true(r.ind[PAY_EG_I1].calculable);
    assert_close(r.ind[PAY_EG_I1].value, 3.8235, 1e-12, 0);
    assert_int_equal(r.ind[PAY_EG_I1].score, 36);
    /* I2-3: 5 women and 7 men (>= 5 each); 2/7 - 2/5 = -0.114286 -> 11.4286 favouring women,
     * I1 favours men at 36 < 40 -> compensated 35 */
    assert_true(r.ind[PAY_EG_I23].compensated);
    assert_int_equal(r.ind[PAY_EG_I23].score, 35);
    assert_int_equal(r.ind[PAY_EG_I4].score, 15);
    assert_int_equal(r.ind[PAY_EG_I5].score, 10);
    assert_int_equal(r.index, 96);
    pay_egapro_input_release(&in);
    free(e);

    /* errors name the line and the column */
    write_file(path, "id,sex,csp,age_band,annual_pay,raise,promotion\n1,x,emp,30a39,1,0,0\n");
    assert_int_equal(pay_egapro_read_csv(&e, &n, path, &err), SV_EDATA);
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.text, "sex"));
    write_file(path, "id,sex,csp,age_band,annual_pay,raise,promotion\n1,f,emp,30-39,1,0,0\n");
    assert_int_equal(pay_egapro_read_csv(&e, &n, path, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "age_band"));
    write_file(path, "id,sex,csp,age_band,annual_pay,raise,promotion\n1,f,emp,30a39,-5,0,0\n");
    assert_int_equal(pay_egapro_read_csv(&e, &n, path, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "annual_pay"));
    write_file(path, "id,sex,csp,age_band,raise,promotion\n1,f,emp,30a39,0,0\n");
    assert_int_equal(pay_egapro_read_csv(&e, &n, path, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "missing column 'annual_pay'"));
    write_file(path, "id,sex,csp,age_band,annual_pay,raise,promotion,maternity_return\n1,h,emp,30a39,1,0,0,1\n");
    assert_int_equal(pay_egapro_read_csv(&e, &n, path, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "maternity_return"));
    remove(path);
}


/* ------------------------------------------------------ aggregated input */

/* The declaration form of an aggregated workforce, written as an employer would. */
static void write_form(const char *path, const struct pay_egapro_input *in, bool levels)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fprintf(fp, "item,group,age_band,women,men,value_women,value_men\n");
    for (size_t g = 0; g < in->ng1; g++) {
        const struct pay_egapro_group1 *gr = &in->g1[g];
        if (gr->n_f + gr->n_h == 0 && !levels)
            continue;
        char key[64];
        snprintf(key, sizeof key, "%s", gr->key);
        char *semi = strchr(key, ';');
        assert_non_null(semi);
        *semi = ',';
        fprintf(fp, "pay,%s,%ld,%ld,", key, gr->n_f, gr->n_h);
        if (gr->n_f)
            fprintf(fp, "%.17g", gr->pay_f);
        fprintf(fp, ",");
        if (gr->n_h)
            fprintf(fp, "%.17g", gr->pay_h);
        fprintf(fp, "\n");
    }
    for (int c = 0; c < PAY_EGAPRO_CSPS; c++) {
        const struct pay_egapro_group23 *g = &in->g23[c];
        fprintf(fp, "raises,%s,,%ld,%ld,%ld,%ld\n", g->key, g->n_f, g->n_h, g->raised_f, g->raised_h);
        fprintf(fp, "\"promotions\",%s,,%ld,%ld,%ld,%ld\n", g->key, g->n_f, g->n_h, g->promoted_f,
                g->promoted_h);
    }
    fprintf(fp, "raises_50_250,,,%ld,%ld,%ld,%ld\n", in->total_f, in->total_h, in->raised_f,
            in->raised_h);
    fprintf(fp, "maternity_returns,,,%ld,,,\n", in->maternity_returns);
    fprintf(fp, "maternity_raised,,,%ld,,%ld,\n", in->maternity_eligible, in->maternity_raised);
    fprintf(fp, "top10,,,%ld,%ld,,\n", in->top10_f, in->top10_h);
    fclose(fp);
}

static void same_result(const struct pay_egapro_result *a, const struct pay_egapro_result *b)
{
    for (int k = 0; k < 6; k++) {
        const struct pay_egapro_indicator *x = &a->ind[k], *y = &b->ind[k];
        assert_int_equal(x->applicable, y->applicable);
        assert_int_equal(x->calculable, y->calculable);
        assert_int_equal(x->score, y->score);
        assert_int_equal(x->favours, y->favours);
        assert_int_equal(x->compensated, y->compensated);
        assert_true(x->value == y->value || (isnan(x->value) && isnan(y->value)));
        assert_true(x->value2 == y->value2 || (isnan(x->value2) && isnan(y->value2)));
        assert_string_equal(x->reason, y->reason);
    }
    assert_int_equal(a->points, b->points);
    assert_int_equal(a->max_points, b->max_points);
    assert_int_equal(a->index, b->index);
}

/* The committed workforce, aggregated and declared as counts and means,
 * gives the same indicators, scores and index, for both size bands and
 * both groupings (levels made up from the CSP and the pay). */
static void test_aggregated_same(void **state)
{
    (void)state;
    struct pay_egapro_employee *e;
    size_t n;
    struct sv_error err;
    assert_int_equal(pay_egapro_read_csv(&e, &n, VIGIE_SOURCE_DIR "/tests/pay/egapro_workforce.csv", &err), 0);
    char path[] = "/tmp/vigie-egapro-agg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    for (int grouping = 0; grouping < 2; grouping++) {
        if (grouping == PAY_EGAPRO_LEVEL)
            for (size_t i = 0; i < n; i++)
                snprintf(e[i].level, sizeof e[i].level, "%s-%d", pay_egapro_csp_codes[e[i].csp],
                         e[i].annual_pay > 30000);
        for (int band = 0; band < 2; band++) {
            struct pay_egapro_input a, b;
            struct pay_egapro_result ra, rb;
            assert_int_equal(pay_egapro_aggregate(&a, e, n, band, (enum pay_egapro_grouping)grouping, &err), 0);
            write_form(path, &a, grouping == PAY_EGAPRO_LEVEL);
            pay_egapro_compute(&a, &ra);
            if (pay_egapro_read_aggregated(&b, path, band, (enum pay_egapro_grouping)grouping, &err) != 0)
                fail_msg("grouping %d band %d: %s: %s", grouping, band, err.path, err.text);
            pay_egapro_compute(&b, &rb);
            same_result(&ra, &rb);
            assert_int_equal(a.ng1, b.ng1);
            for (size_t g = 0; g < a.ng1; g++) {
                assert_string_equal(a.g1[g].key, b.g1[g].key);
                assert_int_equal(a.g1[g].valid, b.g1[g].valid);
                assert_true(a.g1[g].gap_adj == b.g1[g].gap_adj ||
                            (isnan(a.g1[g].gap_adj) && isnan(b.g1[g].gap_adj)));
            }
            assert_true(ra.ind[PAY_EG_I1].calculable);
            pay_egapro_input_release(&a);
            pay_egapro_input_release(&b);
        }
    }
    /* the band from the headcount: 150 employees -> 50-250 */
    struct pay_egapro_input b;
    assert_int_equal(pay_egapro_read_aggregated(&b, path, -1, PAY_EGAPRO_LEVEL, &err), 0);
    assert_int_equal(b.band, PAY_EGAPRO_50_250);
    pay_egapro_input_release(&b);
    unlink(path);
    free(e);
}

static void agg_error(const char *content, const char *want, long line)
{
    char path[] = "/tmp/vigie-egapro-agg-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, content);
    struct pay_egapro_input in;
    struct sv_error err;
    sv_error_clear(&err);
    assert_int_equal(pay_egapro_read_aggregated(&in, path, -1, PAY_EGAPRO_CSP, &err), SV_EDATA);
    assert_string_equal(err.text, want);
    assert_int_equal(err.line, line);
    unlink(path);
}

static void test_aggregated_errors(void **state)
{
    (void)state;
    const char *h = "item,group,age_band,women,men,value_women,value_men\n";
    const char *ok = "pay,emp,30a39,3,3,30000,31000\nraises_50_250,,,3,3,1,1\ntop10,,,3,3,,\n";
    char buf[512];
    agg_error("item,group,women,men\n", "missing column 'age_band' in the aggregated file", 1);
    snprintf(buf, sizeof buf, "%spay,emp,30a39,3,-1,30000,31000\n", h);
    agg_error(buf, "pay: women and men must be whole numbers >= 0, got '3' and '-1'", 2);
    snprintf(buf, sizeof buf, "%spay,cadre,30a39,3,3,30000,31000\n", h);
    agg_error(buf, "pay: unknown csp 'cadre' (expected ouv, emp, tam or ic)", 2);
    snprintf(buf, sizeof buf, "%spay,emp,30a39,3,3,30000,\n", h);
    agg_error(buf, "pay: mean annual pay of men must be a number >= 0, got ''", 2);
    snprintf(buf, sizeof buf, "%s%spay,emp,30a39,1,1,1,1\n", h, ok);
    agg_error(buf, "pay: group 'emp;30a39' given twice", 5);
    snprintf(buf, sizeof buf, "%s%sbonus,,,1,1,,\n", h, ok);
    agg_error(buf, "unknown item 'bonus' (expected pay, raises, promotions, raises_50_250, "
                   "maternity_returns, maternity_raised or top10)", 5);
    snprintf(buf, sizeof buf, "%spay,emp,30a39,3,3,30000,31000\nraises_50_250,,,3,3,4,1\n", h);
    agg_error(buf, "raises_50_250: more raised (4 women, 1 men) than employees (3, 3)", 3);
    snprintf(buf, sizeof buf, "%spay,emp,30a39,3,3,30000,31000\nraises_50_250,,,3,2,1,1\ntop10,,,3,3,,\n", h);
    agg_error(buf, "raises_50_250: 3 women and 2 men, but the pay rows have 3 and 3", 0);
    snprintf(buf, sizeof buf, "%spay,emp,30a39,3,3,30000,31000\nraises_50_250,,,3,3,1,1\ntop10,,,3,2,,\n", h);
    agg_error(buf, "top10: 3 women and 2 men, but the 10 highest paid of 6 employees are 6", 0);
    snprintf(buf, sizeof buf, "%spay,emp,30a39,3,3,30000,31000\ntop10,,,3,3,,\n", h);
    agg_error(buf, "50-250 employees: a 'raises_50_250' row is needed", 0);
    snprintf(buf, sizeof buf, "%s%smaternity_returns,,,1,,,\nmaternity_raised,,,2,,1,\n", h, ok);
    agg_error(buf, "maternity_raised: 2 women out of 1 returns from maternity leave", 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_score_tables),   cmocka_unit_test(test_small_company),
        cmocka_unit_test(test_compensation),   cmocka_unit_test(test_non_calculable),
        cmocka_unit_test(test_thresholds),     cmocka_unit_test(test_large_company),
        cmocka_unit_test(test_workforce),      cmocka_unit_test(test_aggregated_same),
        cmocka_unit_test(test_aggregated_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
