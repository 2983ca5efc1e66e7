/*
 * The streaming path: the fast CSV scanner (fields, quotes, CRLF, BOM, ';',
 * blank lines, short records, line numbers), exact plain-number parsing
 * against strtod, and analyse_stream_read cut into parallel ranges, one of
 * them inside a quoted field with newlines (detected, read again whole),
 * giving the same slots and moments as one range.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analyse_scan.h"
#include "analyse_stream.h"

static char path[64];

static void write_file(const char *text)
{
    snprintf(path, sizeof path, "/tmp/analyse-stream-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void field_is(const struct analyse_scan_field *f, const char *want)
{
    if (!want) {
        assert_null(f->p);
        return;
    }
    assert_non_null(f->p);
    assert_int_equal(f->len, strlen(want));
    assert_memory_equal(f->p, want, f->len);
}

static void test_scan_fields(void **state)
{
    (void)state;
    write_file("\xef\xbb\xbf" "a;\"b;x\";c\r\n"
               "1;\"two; \"\"quoted\"\"\";3\r\n"
               "\r\n"
               "4;\"five\nlines\";6\r\n"
               "7;8;\r\n"
               ";;\r\n"
               "9;10;11");
    struct analyse_scan_header h;
    struct sv_error err;
    assert_int_equal(analyse_scan_header_read(&h, path, &err), 0);
    assert_int_equal(h.sep, ';');
    assert_int_equal(h.nnames, 3);
    assert_string_equal(h.names[0], "a");
    assert_string_equal(h.names[1], "b;x");
    assert_int_equal(analyse_scan_column(&h, "c"), 2);
    assert_int_equal(analyse_scan_column(&h, "d"), -1);
    size_t cols[] = {2, 0, 1};
    struct analyse_scan *s;
    assert_int_equal(analyse_scan_new(&s, path, &h, h.data_start, -1, cols, 3, &err), 0);
    const struct analyse_scan_field *f;
    assert_int_equal(analyse_scan_next(s, &f, &err), 1);
    field_is(&f[0], "3");
    field_is(&f[1], "1");
    field_is(&f[2], "two; \"quoted\"");
    assert_int_equal(analyse_scan_line(s), 1);
    assert_int_equal(analyse_scan_next(s, &f, &err), 1); /* the blank line is skipped */
    field_is(&f[0], "6");
    field_is(&f[2], "five\nlines");
    assert_int_equal(analyse_scan_line(s), 3);
    assert_int_equal(analyse_scan_next(s, &f, &err), 1);
    field_is(&f[0], ""); /* an empty last field */
    field_is(&f[1], "7");
    field_is(&f[2], "8");
    assert_int_equal(analyse_scan_line(s), 5);
    assert_int_equal(analyse_scan_next(s, &f, &err), 1);
    field_is(&f[0], "");
    field_is(&f[1], "");
    assert_int_equal(analyse_scan_next(s, &f, &err), 1); /* no final newline */
    field_is(&f[0], "11");
    field_is(&f[1], "9");
    assert_int_equal(analyse_scan_line(s), 7);
    assert_int_equal(analyse_scan_next(s, &f, &err), 0);
    assert_true(analyse_scan_ended_at_cut(s));
    analyse_scan_free(s);
    analyse_scan_header_release(&h);
    unlink(path);
}

static void test_scan_errors(void **state)
{
    (void)state;
    struct analyse_scan_header h;
    struct sv_error err;
    sv_error_clear(&err);
    assert_int_equal(analyse_scan_header_read(&h, "/nonexistent/x.csv", &err), SV_ENOTFOUND);
    assert_string_equal(err.source, "/nonexistent/x.csv");
    write_file("");
    assert_int_equal(analyse_scan_header_read(&h, path, &err), SV_EDATA);
    assert_string_equal(err.text, "empty file: no header line");
    write_file("{\"id\": 1}\n");
    assert_int_equal(analyse_scan_header_read(&h, path, &err), 1); /* JSON Lines */
    unlink(path);
}

/* Long lines (over 16 bytes), a field over a 16-byte boundary, CR only in the last field. */
static void test_scan_long_lines(void **state)
{
    (void)state;
    write_file("id,aaaaaaaaaaaaaaaaaaaaaaaaa,b,c\n"
               "x1,0123456789012345678901234567890123456789,\"q\",end\r\n"
               "x2,,,\n");
    struct analyse_scan_header h;
    struct sv_error err;
    assert_int_equal(analyse_scan_header_read(&h, path, &err), 0);
    assert_int_equal(h.sep, ',');
    size_t cols[] = {1, 3, 0};
    struct analyse_scan *s;
    assert_int_equal(analyse_scan_new(&s, path, &h, h.data_start, -1, cols, 3, &err), 0);
    const struct analyse_scan_field *f;
    assert_int_equal(analyse_scan_next(s, &f, &err), 1);
    field_is(&f[0], "0123456789012345678901234567890123456789");
    field_is(&f[1], "end");
    field_is(&f[2], "x1");
    assert_int_equal(analyse_scan_next(s, &f, &err), 1);
    field_is(&f[0], "");
    field_is(&f[1], "");
    field_is(&f[2], "x2");
    assert_int_equal(analyse_scan_next(s, &f, &err), 0);
    analyse_scan_free(s);
    analyse_scan_header_release(&h);
    unlink(path);
}

static void test_plain_number(void **state)
{
    (void)state;
    double x;
    assert_true(analyse_scan_plain_number("0.1", 3, &x));
    assert_true(x == 0.1);
    assert_true(analyse_scan_plain_number("-12", 3, &x));
    assert_true(x == -12);
    assert_false(analyse_scan_plain_number("1e3", 3, &x));
    assert_false(analyse_scan_plain_number("1.", 2, &x));
    assert_false(analyse_scan_plain_number(".5", 2, &x));
    assert_false(analyse_scan_plain_number("+1", 2, &x));
    assert_false(analyse_scan_plain_number("", 0, &x));
    assert_false(analyse_scan_plain_number("1,5", 3, &x));
    /* bit-for-bit what strtod gives, short and long, integers and decimals */
    srand(2026);
    char buf[64];
    for (int i = 0; i < 200000; i++) {
        int digits = 1 + rand() % 24, point = rand() % (digits + 1);
        int k = 0;
        if (rand() % 4 == 0)
            buf[k++] = '-';
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0)
                buf[k++] = '.';
            buf[k++] = (char)('0' + rand() % 10);
        }
        buf[k] = '\0';
        double want = strtod(buf, NULL), got;
        assert_true(analyse_scan_plain_number(buf, (size_t)k, &got));
        if (memcmp(&want, &got, sizeof want) != 0)
            fail_msg("'%s': %.17g, strtod %.17g", buf, got, want);
    }
}

static struct sv_survey *survey;
static struct sv_schema *schema;

static int setup(void **state)
{
    (void)state;
    if (sv_survey_load(&survey, VIGIE_SOURCE_DIR "/tests/analyse/surveys/mini", NULL))
        return -1;
    return sv_schema_new(&schema, survey, NULL);
}

static int teardown(void **state)
{
    (void)state;
    sv_schema_free(schema);
    sv_survey_free(survey);
    return 0;
}

/* A file whose middle holds a quoted 'source' with many newlines and separators. */
static void write_quoted_middle(void)
{
    FILE *fp;
    snprintf(path, sizeof path, "/tmp/analyse-stream-%ld.csv", (long)getpid());
    fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("source,id,region,secteur,taille,etp_bud_as,etp_vac_as\n", fp);
    const char *reg[] = {"r1", "r2"}, *sec[] = {"pa", "ph"}, *tai[] = {"t1", "t2", ""};
    for (int i = 0; i < 100; i++) {
        if (i == 50) {
            fputs("\"", fp);
            for (int j = 0; j < 300; j++)
                fputs("x,\n\"\"y\"\",\n", fp);
            fputs("\"", fp);
        } else {
            fputs("s", fp);
        }
        fprintf(fp, ",e%03d,%s,%s,%s,%.1f,%s\n", i, reg[i % 2], sec[(i / 2) % 2], tai[i % 3],
                10.0 + i % 17, i % 5 ? "0.5" : "");
    }
    fclose(fp);
}

static void read_stream(struct analyse_stream *st, int threads)
{
    const char *dims[] = {"taille"};
    struct analyse_stream_spec spec = {survey, schema, path, ANALYSE_W_RAKE, "etp_vac_as", false,
                                       "etp_bud_as", dims, 1, threads, NULL, NULL};
    struct sv_error err;
    sv_error_clear(&err);
    int rc = analyse_stream_read(st, &spec, &err);
    if (rc)
        fail_msg("analyse_stream_read: %d %s", rc, err.text);
}

static void test_stream_ranges(void **state)
{
    (void)state;
    write_quoted_middle();
    struct analyse_stream one, many;
    read_stream(&one, 1);
    assert_int_equal(one.nrows, 100);
    assert_int_equal(one.threads_used, 1);
    for (int t = 2; t <= 5; t++) {
        read_stream(&many, t);
        assert_int_equal(many.nrows, 100);
        assert_int_equal(many.nslots, one.nslots);
        /* 2 ranges cut inside the quoted field: read again in one piece */
        if (t == 2)
            assert_int_equal(many.threads_used, 1);
        for (size_t s = 0; s < one.nslots; s++) {
            assert_int_equal(many.cell[s], one.cell[s]);
            assert_int_equal(many.dim_code[s], one.dim_code[s]);
            assert_true(many.mom[s].n == one.mom[s].n);
            assert_true(many.mom[s].m == one.mom[s].m);
            long double ya = many.mom[s].sa + many.mom[s].m * (long double)many.mom[s].y0;
            long double yb = one.mom[s].sa + one.mom[s].m * (long double)one.mom[s].y0;
            assert_true(fabsl(ya - yb) <= 1e-12L * fabsl(yb));
        }
        analyse_stream_release(&many);
    }
    /* 2 x 2 frame cells, taille t1, t2 and missing: 12 slots; 20 rows without etp_vac_as */
    assert_int_equal(one.nslots, 12);
    double n = 0, m = 0;
    for (size_t s = 0; s < one.nslots; s++) {
        n += one.mom[s].n;
        m += one.mom[s].m;
    }
    assert_true(n == 100 && m == 80);
    analyse_stream_release(&one);
    unlink(path);
}

static void test_stream_errors(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/analyse-stream-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("id,region,secteur,taille,etp_bud_as,etp_vac_as\n", fp);
    for (int i = 0; i < 60; i++)
        fprintf(fp, "e%d,r1,pa,t1,10,%s\n", i, i == 50 ? "-1" : "1");
    fclose(fp);
    struct analyse_stream st;
    struct analyse_stream_spec spec = {survey, schema, path, ANALYSE_W_FRAME, "etp_vac_as",
                                       false, NULL, NULL, 0, 3, NULL, NULL};
    struct sv_error err;
    sv_error_clear(&err);
    /* the error is in the third range: its line is counted from the top of the file */
    assert_int_equal(analyse_stream_read(&st, &spec, &err), SV_EDATA);
    assert_string_equal(err.source, path);
    assert_int_equal(err.line, 52);
    assert_string_equal(err.path, "record 'e50': etp_vac_as");
    unlink(path);
}

/*
 * Every record spans two physical lines (a quoted newline in 'source'), so the
 * ranges end on multi-line records: the error's line must count every
 * physical line of the ranges before it.
 */
static void test_stream_error_lines_multiline(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/analyse-stream-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("source,id,region,secteur,taille,etp_bud_as,etp_vac_as\n", fp);
    for (int i = 0; i < 60; i++)
        fprintf(fp, "\"x\nsome longer second line of the source text\",e%d,r1,pa,t1,10,%s\n", i,
                i == 50 ? "-1" : "1");
    fclose(fp);
    for (int t = 1; t <= 4; t++) {
        struct analyse_stream st;
        struct analyse_stream_spec spec = {survey, schema, path, ANALYSE_W_FRAME, "etp_vac_as",
                                           false, NULL, NULL, 0, t, NULL, NULL};
        struct sv_error err;
        sv_error_clear(&err);
        assert_int_equal(analyse_stream_read(&st, &spec, &err), SV_EDATA);
        if (err.line != 102) /* header on line 1, record i on lines 2 + 2i and 3 + 2i */
            fail_msg("%d ranges: line %ld, expected 102", t, err.line);
        assert_string_equal(err.path, "record 'e50': etp_vac_as");
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_fields),
        cmocka_unit_test(test_scan_errors),
        cmocka_unit_test(test_scan_long_lines),
        cmocka_unit_test(test_plain_number),
        cmocka_unit_test(test_stream_ranges),
        cmocka_unit_test(test_stream_errors),
        cmocka_unit_test(test_stream_error_lines_multiline),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
