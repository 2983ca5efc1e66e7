/* Unit tests of core/sv_numfmt.c: French and English number typography. */
#include <string.h>
#include "harness.h"
#include "sv_numfmt.h"

#define NN "\xe2\x80\xaf"
#define NB "\xc2\xa0"

static void test_french(void **state)
{
    char b[64];
    (void)state;
    assert_string_equal(sv_fmt_number(b, sizeof b, 1234567.891, 2, SV_LANG_FR), "1" NN "234" NN "567,89");
    assert_string_equal(sv_fmt_number(b, sizeof b, 35000, 0, SV_LANG_FR), "35" NN "000");
    assert_string_equal(sv_fmt_number(b, sizeof b, 999, 0, SV_LANG_FR), "999");
    assert_string_equal(sv_fmt_percent(b, sizeof b, 0.123, 1, SV_LANG_FR), "12,3" NN "%");
    assert_string_equal(sv_fmt_percent(b, sizeof b, 0.044, 1, SV_LANG_FR), "4,4" NN "%");
    assert_string_equal(sv_fmt_euro(b, sizeof b, 1801.8, 2, SV_LANG_FR), "1" NN "801,80" NB "€");
    assert_string_equal(sv_fmt_number(b, sizeof b, -2.5, 1, SV_LANG_FR), "\xe2\x88\x92" "2,5");
}

static void test_english(void **state)
{
    char b[64];
    (void)state;
    assert_string_equal(sv_fmt_number(b, sizeof b, 1234567.891, 2, SV_LANG_EN), "1,234,567.89");
    assert_string_equal(sv_fmt_percent(b, sizeof b, 0.123, 1, SV_LANG_EN), "12.3%");
    assert_string_equal(sv_fmt_euro(b, sizeof b, 1801.8, 2, SV_LANG_EN), "€1,801.80");
    assert_string_equal(sv_fmt_number(b, sizeof b, -2.5, 1, SV_LANG_EN), "-2.5");
}

static void test_rounding(void **state)
{
    char b[64];
    (void)state;
    /* Half away from zero on the decimal value a reader sees. */
    assert_string_equal(sv_fmt_number(b, sizeof b, 0.125, 2, SV_LANG_EN), "0.13");
    assert_string_equal(sv_fmt_number(b, sizeof b, 1.005, 2, SV_LANG_EN), "1.01");
    assert_string_equal(sv_fmt_number(b, sizeof b, 2.5, 0, SV_LANG_EN), "3");
    assert_string_equal(sv_fmt_number(b, sizeof b, -2.5, 0, SV_LANG_EN), "-3");
    assert_string_equal(sv_fmt_number(b, sizeof b, 999.96, 1, SV_LANG_FR), "1" NN "000,0");
    /* No negative zero. */
    assert_string_equal(sv_fmt_number(b, sizeof b, -0.0001, 1, SV_LANG_FR), "0,0");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french),
        cmocka_unit_test(test_english),
        cmocka_unit_test(test_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
