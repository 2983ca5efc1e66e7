/*
 * The pay reader (analyse/pay/pay_fastcsv.c): its numbers are strtod's to
 * the bit, its fields sv_csv's (quotes, CRLF, BOM, ';'), and a file read
 * through it gives the same rows as through core's sv_recio.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sv_survey.h"
#include "pay_data.h"
#include "pay_fastcsv.h"

static void same_as_strtod(const char *s)
{
    double a, b = strtod(s, NULL);
    assert_int_equal(pay_fastcsv_number(s, &a), 0);
    if (memcmp(&a, &b, sizeof a) != 0)
        fail_msg("'%s': %.17g vs strtod %.17g", s, a, b);
}

static void test_numbers(void **state)
{
    (void)state;
    static const char *const ok[] = {"0", "-0", "35", "2098.85", "1954.46", "0.1", "0.3", "-12.5",
                                     "+7", "5.", ".5", "9007199254740991", "9007199254740993",
                                     "123456789012345678901234", "1e3", "2.5E-3", "0.000000000000000000000001",
                                     "1234567.0000000000000000000001", " 35", "35 "};
    for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++)
        same_as_strtod(ok[k]);
    double x;
    assert_int_equal(pay_fastcsv_number("3,25", &x), 0);
    assert_true(x == 3.25);
    static const char *const bad[] = {"", "-", ".", "1.2.3", "1,2,3", "1,2.3", "0x10", "nan", "inf",
                                      "1e999", "35x", "1 2"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        if (pay_fastcsv_number(bad[k], &x) == 0)
            fail_msg("'%s' accepted as %g", bad[k], x);
    /* random pay-like values with 0 to 6 decimals: the same bits as strtod */
    unsigned long long r = 88172645463325252ULL;
    char buf[64];
    for (int k = 0; k < 200000; k++) {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        int dec = (int)(r % 7);
        unsigned long long m = (r >> 8) % 10000000000ULL;
        if (dec)
            snprintf(buf, sizeof buf, "%llu.%0*llu", m / 1000000, dec, (m % 1000000) % (unsigned long long)pow(10, dec));
        else
            snprintf(buf, sizeof buf, "%llu", m);
        same_as_strtod(buf);
    }
}

struct collect {
    char text[4096];
    int calls;
};

static int collect_row(char **vals, long line, const char *id, void *ctx)
{
    struct collect *c = ctx;
    size_t n = strlen(c->text);
    snprintf(c->text + n, sizeof c->text - n, "%ld:%s:%s|%s;", line, id, vals[0] ? vals[0] : "(null)",
             vals[1] ? vals[1] : "(null)");
    c->calls++;
    return 0;
}

static const char *write_tmp(const char *content, size_t len)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/test_fastcsv_%d.csv", (int)getpid());
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(content, 1, len, fp), len);
    fclose(fp);
    return path;
}

static int read_str(const char *content, struct collect *c, struct sv_error *err)
{
    static const char *const names[2] = {"b", "c"};
    memset(c, 0, sizeof *c);
    const char *path = write_tmp(content, strlen(content));
    int rc = pay_fastcsv_read(path, names, NULL, 2, collect_row, c, err);
    unlink(path);
    return rc;
}

static void test_fields(void **state)
{
    (void)state;
    struct collect c;
    struct sv_error err;
    sv_error_clear(&err);
    /* quotes, doubled quotes, a quoted newline, CRLF, an empty line, no final line end */
    assert_int_equal(read_str("id,b,x,c\n1,\"a,\"\"q\"\"\",z,\"two\nlines\"\r\n\n2,,z,w\r\n3,v,\"\",", &c, &err), 0);
    assert_string_equal(c.text, "2:1:a,\"q\"|two\nlines;5:2:(null)|w;6:3:v|(null);");
    /* BOM and ';' guessed from the header; columns found by name in any order */
    assert_int_equal(read_str("\xEF\xBB\xBF" "c;b\nx;1,5\n", &c, &err), 0);
    assert_string_equal(c.text, "2:?:1,5|x;");
    /* errors: as sv_csv and sv_recio word them */
    assert_int_equal(read_str("id,b,c\n1,2\n", &c, &err), SV_EDATA);
    assert_string_equal(err.text, "2 fields where the header has 3");
    assert_int_equal(err.line, 2);
    assert_int_equal(read_str("id,b,c\n1,x\"y,3\n", &c, &err), SV_EDATA);
    assert_string_equal(err.text, "stray quote in unquoted field 2");
    assert_int_equal(read_str("id,b,c\n1,\"x\"y,3\n", &c, &err), SV_EDATA);
    assert_string_equal(err.text, "text after closing quote in field 2");
    assert_int_equal(read_str("id,b,c\n1,\"x,3\n", &c, &err), SV_EDATA);
    assert_string_equal(err.text, "unterminated quoted field");
    assert_int_equal(read_str("", &c, &err), SV_EDATA);
    assert_string_equal(err.text, "empty file: no header line");
    assert_int_equal(read_str("\xEF\xBB" "x,b\n", &c, &err), SV_EDATA);
    assert_string_equal(err.text, "invalid UTF-8 byte order mark");
    /* JSON Lines is left to sv_recio */
    assert_int_equal(read_str("{\"b\": 1}\n", &c, &err), PAY_FASTCSV_DECLINED);
    assert_int_equal(c.calls, 0);
}

/* A record longer than the reader's block, to cross refills mid-field. */
static void test_long_records(void **state)
{
    (void)state;
    size_t big = 9u << 20;
    char *s = malloc(big + 64);
    assert_non_null(s);
    strcpy(s, "b,c\n\"");
    size_t n = strlen(s);
    memset(s + n, 'q', big);
    n += big;
    strcpy(s + n, "\",1\n2,3\n");
    n += strlen(s + n);
    static const char *const names[2] = {"b", "c"};
    const char *path = write_tmp(s, n);
    struct collect c;
    memset(&c, 0, sizeof c);
    struct sv_error err;
    sv_error_clear(&err);
    assert_int_equal(pay_fastcsv_read(path, names, NULL, 2, collect_row, &c, &err), 0);
    unlink(path);
    free(s);
    assert_int_equal(c.calls, 2);
}

/* The fixture through the pay reader and through sv_recio (stdin): same rows. */
static void test_same_rows(void **state)
{
    (void)state;
    struct sv_survey *survey = NULL;
    struct sv_error err;
    sv_error_clear(&err);
    assert_int_equal(sv_survey_load(&survey, "remuneration", &err), 0);
    struct pay_data fast, slow;
    const char *fixture = VIGIE_SOURCE_DIR "/tests/r/pay_employees.csv";
    assert_int_equal(pay_data_load(&fast, survey, fixture, NULL, &err), 0);
    assert_non_null(freopen(fixture, "rb", stdin));
    assert_int_equal(pay_data_load(&slow, survey, "-", NULL, &err), 0);
    assert_int_equal(fast.n, 500);
    assert_int_equal(slow.n, fast.n);
    for (size_t i = 0; i < fast.n; i++) {
        const struct pay_emp *a = &fast.e[i], *b = &slow.e[i];
        assert_memory_equal(a->cat, b->cat, sizeof a->cat);
        assert_true(a->employer == b->employer);
        assert_true(a->monthly == b->monthly);
        assert_true(a->hours == b->hours);
        assert_true(a->seniority == b->seniority || (isnan(a->seniority) && isnan(b->seniority)));
        assert_true(a->segur_amount == b->segur_amount ||
                    (isnan(a->segur_amount) && isnan(b->segur_amount)));
    }
    pay_data_release(&fast);
    pay_data_release(&slow);
    sv_survey_free(survey);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_long_records),
        cmocka_unit_test(test_same_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
