/*
 * Unit tests of the generator's helpers: number formatting as LimeSurvey
 * trims decimals, PHP-style JSON escaping, the stratified allocation, and
 * the determinism of the models for a given seed.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "gensample.h"

static void test_format_num(void **state)
{
    (void)state;
    char buf[64];
    static const struct {
        double x;
        int dec;
        const char *want;
    } cases[] = {
        {6.5, 1, "6.5"},      {4.0, 1, "4"},           {12.25, 2, "12.25"}, {0.0, 2, "0"},
        {-0.25, 2, "-0.25"},  {-0.001, 2, "0"},        {1801.8, 2, "1801.8"},
        {2012.905, 2, "2012.91"}, {0.1, 1, "0.1"},     {100.04, 1, "100"},  {7, 0, "7"},
        {1234567.0, 0, "1234567"}, {0.05, 2, "0.05"},  {10.10, 2, "10.1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len = gs_format_num(buf, cases[i].x, cases[i].dec);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(len, strlen(cases[i].want));
    }
}

static char *escaped(const char *s, bool ascii)
{
    char *out = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&out, &len);
    assert_non_null(fp);
    gs_json_write_string(fp, s, ascii);
    fclose(fp);
    return out;
}

static void test_json_escaping(void **state)
{
    (void)state;
    char *a = escaped("Difficultés a/b \"x\"\n", true);
    assert_string_equal(a, "\"Difficult\\u00e9s a\\/b \\\"x\\\"\\n\"");
    free(a);
    a = escaped("Difficultés a/b", false);
    assert_string_equal(a, "\"Difficultés a/b\"");
    free(a);
    a = escaped("« € »", true);
    assert_string_equal(a, "\"\\u00ab \\u20ac \\u00bb\"");
    free(a);
}

static void test_allocate(void **state)
{
    (void)state;
    long counts[4];
    const double w[4] = {10, 20, 30, 40};
    gs_allocate(counts, w, NULL, 4, 10);
    assert_int_equal(counts[0], 1);
    assert_int_equal(counts[1], 2);
    assert_int_equal(counts[2], 3);
    assert_int_equal(counts[3], 4);
    /* a cap moves the excess to the other strata, the total is kept */
    const double cap[4] = {100, 100, 100, 2};
    gs_allocate(counts, w, cap, 4, 10);
    assert_int_equal(counts[3], 2);
    assert_int_equal(counts[0] + counts[1] + counts[2] + counts[3], 10);
    /* largest remainders */
    const double w3[3] = {1, 1, 1};
    gs_allocate(counts, w3, NULL, 3, 7);
    assert_int_equal(counts[0] + counts[1] + counts[2], 7);
    assert_true(counts[0] >= 2 && counts[0] <= 3);
}

static void test_time_format(void **state)
{
    (void)state;
    char buf[32];
    gs_format_time(GS_FIELD_START, ' ', buf, sizeof buf);
    assert_string_equal(buf, "2026-03-02 09:00:00");
    gs_format_time(GS_FIELD_START + 86400 + 61, 'T', buf, sizeof buf);
    assert_string_equal(buf, "2026-03-03T09:01:01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_num),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_allocate),
        cmocka_unit_test(test_time_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
