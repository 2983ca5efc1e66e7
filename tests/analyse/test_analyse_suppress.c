/*
 * Disclosure control of indicator rows: frequency rule, dominance rule,
 * secondary suppression within a block, the cv flag; suppressed values are
 * withheld (NAN) and never written as numbers.
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

#include "analyse_table.h"

static struct analyse_result res(double est, double se, long n, double max_share)
{
    struct analyse_result r;
    memset(&r, 0, sizeof r);
    r.estimate = est;
    r.se = se;
    r.ci_low = est - 2 * se;
    r.ci_high = est + 2 * se;
    r.level = 0.95;
    r.ci = ANALYSE_CI_T;
    r.df = 10;
    r.n = n;
    r.max_share = max_share;
    r.population = 10.0 * (double)n;
    return r;
}

static void test_rules(void **state)
{
    (void)state;
    struct analyse_out o;
    analyse_out_init(&o, NULL, SV_LANG_FR, 3, 0.85);
    struct analyse_result r;
    unsigned tot = ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE;
    /* national, then a block of 4 regions */
    r = res(100, 5, 40, 0.2);
    assert_int_equal(analyse_out_row(&o, "t", "T", "", "", "", "fte", &r, tot, NULL), 0);
    r = res(50, 5, 20, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "region", "a", "A", "fte", &r, tot, NULL), 0);
    r = res(20, 2, 2, 0.5); /* n < 3 */
    assert_int_equal(analyse_out_row(&o, "t", "T", "region", "b", "B", "fte", &r, tot, NULL), 0);
    r = res(20, 2, 9, 0.3); /* smallest other: secondary */
    assert_int_equal(analyse_out_row(&o, "t", "T", "region", "c", "C", "fte", &r, tot, NULL), 0);
    r = res(10, 3, 11, 0.3); /* cv 30 %: flagged only */
    assert_int_equal(analyse_out_row(&o, "t", "T", "region", "d", "D", "fte", &r, tot, NULL), 0);
    /* dominance applies to totals, not to shares */
    r = res(5, 0.1, 10, 0.9);
    assert_int_equal(analyse_out_row(&o, "u", "U", "", "", "", "fte", &r, tot, NULL), 0);
    r = res(0.5, 0.01, 10, 0.9);
    assert_int_equal(
        analyse_out_row(&o, "s", "S", "", "", "", "share", &r, ANALYSE_ROW_NO_CV, NULL), 0);
    analyse_out_secondary(&o);
    struct sv_irow *rows = o.table.rows;
    assert_int_equal(o.table.nrows, 7);
    assert_false(rows[0].suppressed);
    assert_false(rows[1].suppressed);
    assert_true(rows[2].suppressed);
    assert_string_equal(rows[2].reason, "n<3");
    assert_true(isnan(rows[2].estimate) && isnan(rows[2].ci_low) && isnan(rows[2].se));
    assert_string_equal(rows[2].ci_method, "none");
    assert_true(rows[3].suppressed);
    assert_string_equal(rows[3].reason, "secondary");
    assert_true(isnan(rows[3].estimate));
    assert_false(rows[4].suppressed);
    assert_string_equal(rows[4].reason, "cv>20%");
    assert_true(rows[5].suppressed);
    assert_string_equal(rows[5].reason, "dominance>85%");
    assert_false(rows[6].suppressed);
    /* the CSV never carries a suppressed value */
    char *buf = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&buf, &len);
    assert_non_null(fp);
    assert_int_equal(sv_itable_write_csv(&o.table, fp, SV_CSV_PLAIN, NULL), 0);
    fclose(fp);
    assert_non_null(strstr(buf, "\nt,T,region,b,B,,,,,"));
    assert_non_null(strstr(buf, "\nt,T,region,c,C,,,,,"));
    assert_null(strstr(buf, "\nt,T,region,b,B,20"));
    free(buf);
    analyse_out_release(&o);
}

static void test_stricter_threshold(void **state)
{
    (void)state;
    struct analyse_out o;
    analyse_out_init(&o, NULL, SV_LANG_EN, 10, 0.85);
    struct analyse_result r = res(0.4, 0.05, 9, NAN);
    assert_int_equal(
        analyse_out_row(&o, "s", "S", "", "", "", "share", &r, ANALYSE_ROW_NO_CV, NULL), 0);
    assert_true(o.table.rows[0].suppressed);
    assert_string_equal(o.table.rows[0].reason, "n<10");
    analyse_out_release(&o);
}

/*
 * Across groupings: a total by region;sector with the margins by region and by
 * sector also published. One primary cell (a;x) needs a partner in its
 * region (a;y, margin a) and in its sector (b;x, margin x), and then b;y for
 * margin b: all four cells withheld, the margins and the national total kept.
 */
static void test_secondary_across_groupings(void **state)
{
    (void)state;
    struct analyse_out o;
    analyse_out_init(&o, NULL, SV_LANG_FR, 3, 0.85);
    unsigned tot = ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE;
    struct analyse_result r;
    r = res(100, 5, 39, 0.2);
    assert_int_equal(analyse_out_row(&o, "t", "T", "", "", "", "fte", &r, tot, NULL), 0);
    r = res(40, 5, 12, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "region", "a", "A", "fte", &r, tot, NULL), 0);
    r = res(60, 5, 27, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "region", "b", "B", "fte", &r, tot, NULL), 0);
    r = res(45, 5, 14, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "sector", "x", "X", "fte", &r, tot, NULL), 0);
    r = res(55, 5, 25, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "sector", "y", "Y", "fte", &r, tot, NULL), 0);
    r = res(5, 1, 2, 0.5); /* n < 3 */
    assert_int_equal(analyse_out_row(&o, "t", "T", "region;sector", "a;x", "", "fte", &r, tot, NULL), 0);
    r = res(35, 4, 10, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "region;sector", "a;y", "", "fte", &r, tot, NULL), 0);
    r = res(40, 4, 12, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "region;sector", "b;x", "", "fte", &r, tot, NULL), 0);
    r = res(20, 3, 15, 0.3);
    assert_int_equal(analyse_out_row(&o, "t", "T", "region;sector", "b;y", "", "fte", &r, tot, NULL), 0);
    /* a share by region;sector is not additive: left alone */
    r = res(0.5, 0.1, 2, 0.3);
    assert_int_equal(analyse_out_row(&o, "s", "S", "region;sector", "a;x", "", "share", &r,
                                     ANALYSE_ROW_NO_CV, NULL), 0);
    r = res(0.4, 0.1, 10, 0.3);
    assert_int_equal(analyse_out_row(&o, "s", "S", "region;sector", "a;y", "", "share", &r,
                                     ANALYSE_ROW_NO_CV, NULL), 0);
    analyse_out_secondary(&o);
    struct sv_irow *rows = o.table.rows;
    for (size_t i = 0; i < 5; i++)
        assert_false(rows[i].suppressed);
    assert_string_equal(rows[5].reason, "n<3");
    for (size_t i = 6; i < 9; i++) {
        assert_true(rows[i].suppressed);
        assert_string_equal(rows[i].reason, "secondary");
        assert_true(isnan(rows[i].estimate));
    }
    assert_true(rows[9].suppressed);
    assert_false(rows[10].suppressed);
    analyse_out_release(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_stricter_threshold),
        cmocka_unit_test(test_secondary_across_groupings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
