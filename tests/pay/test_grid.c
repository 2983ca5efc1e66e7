/*
 * SMIC history and grids: the dated lookups and the Nexem worked examples
 * of ../shared/notes/domain.md 1.6 (CCN 66 coefficient 373 at 3.82 EUR:
 * 1,556.09 EUR, a 33.38 EUR differential under the October 2021 SMIC).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "pay.h"

#define SURVEYS VIGIE_SOURCE_DIR "/surveys/common"

static void test_smic(void **state)
{
    (void)state;
    struct pay_smic s;
    struct sv_error err;
    assert_int_equal(pay_smic_load(&s, SURVEYS "/smic.csv", &err), 0);
    assert_int_equal(s.nrows, 11);
    assert_null(pay_smic_at(&s, "2018-12-31"));
    assert_close(pay_smic_at(&s, "2019-01-01")->hourly, 10.03, 1e-15, 0);
    assert_close(pay_smic_at(&s, "2021-09-30")->monthly, 1554.58, 1e-15, 0);
    assert_close(pay_smic_at(&s, "2021-10-01")->monthly, 1589.47, 1e-15, 0);
    assert_close(pay_smic_at(&s, "2024-10-31")->hourly, 11.65, 1e-15, 0);
    assert_close(pay_smic_at(&s, "2025-06-01")->monthly, 1801.80, 1e-15, 0);
    assert_close(pay_smic_at(&s, "2025-06-01")->hourly_mayotte, 8.98, 1e-15, 0);
    /* every monthly value is the hourly rate x 35 x 52 / 12, to the cent */
    for (size_t i = 0; i < s.nrows; i++)
        assert_close(s.rows[i].monthly, s.rows[i].hourly * 35 * 52 / 12, 0, 0.006);
    pay_smic_release(&s);
    assert_true(pay_date_valid("2024-02-29"));
    assert_false(pay_date_valid("2023-02-29"));
    assert_false(pay_date_valid("2024-13-01"));
    assert_false(pay_date_valid("2024-1-01"));
}

/* Pay against the SMIC is compared in cents: exactly the SMIC is not below it. */
static void test_smic_cents(void **state)
{
    (void)state;
    /* why `<` on doubles was wrong: exactly the SMIC for 24 h (1,235.52) or for
     * 35 h in 2023 (1,709.28) gives an hourly pay just under the rate in binary */
    assert_true(1235.52 / (24 * 52.0 / 12.0) < 11.88);
    assert_true(1709.28 / (35 * 52.0 / 12.0) < 11.27);
    assert_int_equal(pay_below_smic(1235.52, 24, 11.88, 100), 0);
    assert_int_equal(pay_below_smic(1709.28, 35, 11.27, 100), 0);
    assert_int_equal(pay_below_smic(1709.27, 35, 11.27, 100), 1);
    assert_int_equal(pay_below_smic(1709.29, 35, 11.27, 100), 0);
    /* 35 h at 11.88: 1,801.80 a month */
    assert_int_equal(pay_smic_month_cents(11.88, 35, 100), 180180);
    assert_int_equal(pay_below_smic(1801.80, 35, 11.88, 100), 0);
    assert_int_equal(pay_below_smic(1801.79, 35, 11.88, 100), 1);
    assert_int_equal(pay_below_smic(1801.81, 35, 11.88, 100), 0);
    /* 1.05 x SMIC = 1,891.89; 1.10 x SMIC = 1,981.98 */
    assert_int_equal(pay_smic_month_cents(11.88, 35, 105), 189189);
    assert_int_equal(pay_below_smic(1891.89, 35, 11.88, 105), 0);
    assert_int_equal(pay_below_smic(1891.88, 35, 11.88, 105), 1);
    assert_int_equal(pay_below_smic(1891.90, 35, 11.88, 105), 0);
    assert_int_equal(pay_smic_month_cents(11.88, 35, 110), 198198);
    assert_int_equal(pay_below_smic(1981.98, 35, 11.88, 110), 0);
    assert_int_equal(pay_below_smic(1981.97, 35, 11.88, 110), 1);
    /* part time: 17.5 h -> 900.90; 28 h -> 1,441.44; 24.3 h -> 1,250.96 (1,250.964 rounded) */
    assert_int_equal(pay_smic_month_cents(11.88, 17.5, 100), 90090);
    assert_int_equal(pay_below_smic(900.90, 17.5, 11.88, 100), 0);
    assert_int_equal(pay_below_smic(900.89, 17.5, 11.88, 100), 1);
    assert_int_equal(pay_smic_month_cents(11.88, 28, 100), 144144);
    assert_int_equal(pay_smic_month_cents(11.88, 24.3, 100), 125096);
    /* every published monthly SMIC is the hourly rate's, to the cent */
    assert_int_equal(pay_smic_month_cents(11.65, 35, 100), 176692);
    assert_int_equal(pay_smic_month_cents(11.07, 35, 100), 167895);
    /* not computable: missing or non-positive pay or hours */
    assert_int_equal(pay_below_smic(NAN, 35, 11.88, 100), -1);
    assert_int_equal(pay_below_smic(1500, NAN, 11.88, 100), -1);
    assert_int_equal(pay_below_smic(1500, 0, 11.88, 100), -1);
    assert_int_equal(pay_cents(1801.80), 180180);
    assert_int_equal(pay_cents(2098.85), 209885);
    assert_int_equal(pay_cents(0.07), 7); /* 7.000000000000001 */
}

static void test_ccn66(void **state)
{
    (void)state;
    struct pay_grid g;
    struct sv_error err;
    assert_int_equal(pay_grid_load(&g, SURVEYS "/grids/ccn66.json", &err), 0);
    const struct pay_grid_point *pt;
    assert_true(isnan(pay_grid_point_at(&g, "2021-01-31", &pt)));
    double p = pay_grid_point_at(&g, "2021-10-15", &pt);
    assert_close(p, 3.82, 1e-15, 0);
    assert_close(pay_grid_step_gross(&g, &g.steps[0], p), 1556.09, 1e-12, 0);
    assert_close(pay_grid_step_gross(&g, &g.steps[1], p), 1572.78, 1e-12, 0);
    /* Nov 2024 at 3.93: 373 -> 1,600.90 (200.90 under 1,801.80), 382 -> 1,639.53, 391 -> 1,678.15 */
    p = pay_grid_point_at(&g, "2024-11-01", &pt);
    assert_close(p, 3.93, 1e-15, 0);
    assert_close(pay_grid_step_gross(&g, &g.steps[0], p), 1600.90, 1e-12, 0);
    assert_close(pay_grid_step_gross(&g, &g.steps[2], p), 1639.53, 1e-12, 0);
    assert_close(pay_grid_step_gross(&g, &g.steps[3], p), 1678.15, 1e-12, 0);
    pay_grid_release(&g);
    assert_int_equal(pay_grid_load(&g, SURVEYS "/grids/ccn51.json", &err), 0);
    p = pay_grid_point_at(&g, "2023-01-01", &pt);
    assert_close(pay_grid_step_gross(&g, &g.steps[0], p), 1607.58, 1e-12, 0);
    pay_grid_release(&g);
    assert_int_equal(pay_grid_load(&g, SURVEYS "/grids/fph-2023.json", &err), 0);
    assert_close(pay_grid_step_gross(&g, &g.steps[0], NAN), 1726.61, 1e-12, 0);
    pay_grid_release(&g);
}

static void test_grid_errors(void **state)
{
    (void)state;
    char path[] = "/tmp/vigie-grid-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("{\"format\": \"vigie-grid/1\", \"id\": \"x\", \"title\": \"x\", \"kind\": \"points\",\n"
          " \"point_values\": [{\"from\": \"2022-07-01\", \"value\": 3.9},"
          " {\"from\": \"2021-01-01\", \"value\": 3.8}], \"steps\": [{\"code\": \"a\", \"label\": \"a\", \"coefficient\": 1}]}\n",
          fp);
    fclose(fp);
    struct pay_grid g;
    struct sv_error err;
    assert_int_equal(pay_grid_load(&g, path, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "ascend"));
    fp = fopen(path, "w");
    fputs("{\"format\": \"vigie-grid/1\", \"id\": \"x\"", fp);
    fclose(fp);
    assert_int_equal(pay_grid_load(&g, path, &err), SV_EDATA);
    assert_int_equal(err.line, 1);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smic),
        cmocka_unit_test(test_smic_cents),
        cmocka_unit_test(test_ccn66),
        cmocka_unit_test(test_grid_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
