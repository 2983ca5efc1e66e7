/* Unit tests of core/sv_csv.c: RFC 4180 reading, dialects, formula injection. */
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "sv_csv.h"

static FILE *from_string(const char *s)
{
    FILE *fp = tmpfile();
    fputs(s, fp);
    rewind(fp);
    return fp;
}

static void test_read_quotes_newlines(void **state)
{
    (void)state;
    FILE *fp = from_string("a,b,c\n\"x, y\",\"he said \"\"hi\"\"\",\"line1\nline2\"\r\n,,\n");
    struct sv_csv_reader r;
    struct sv_error err = {0};

    assert_int_equal(sv_csv_reader_init(&r, fp, "t.csv", 0, &err), 0);
    assert_int_equal(sv_csv_read(&r, &err), 1);
    assert_int_equal(r.nfields, 3);
    assert_string_equal(r.fields[2], "c");
    assert_int_equal(sv_csv_read(&r, &err), 1);
    assert_int_equal(r.record_line, 2);
    assert_string_equal(r.fields[0], "x, y");
    assert_string_equal(r.fields[1], "he said \"hi\"");
    assert_string_equal(r.fields[2], "line1\nline2");
    assert_int_equal(sv_csv_read(&r, &err), 1);
    assert_int_equal(r.record_line, 4);
    assert_int_equal(r.nfields, 3);
    assert_string_equal(r.fields[0], "");
    assert_int_equal(sv_csv_read(&r, &err), 0);
    sv_csv_reader_release(&r);
    fclose(fp);
}

static void test_read_bom_semicolon(void **state)
{
    (void)state;
    FILE *fp = from_string("\xEF\xBB\xBFr\xC3\xA9gion;taux\r\n\"11\";\"4,5\"\r\n");
    struct sv_csv_reader r;

    assert_int_equal(sv_csv_reader_init(&r, fp, "t.csv", 0, NULL), 0);
    assert_int_equal(r.sep, ';');
    assert_int_equal(sv_csv_read(&r, NULL), 1);
    assert_string_equal(r.fields[0], "r\xC3\xA9gion");
    assert_int_equal(sv_csv_read(&r, NULL), 1);
    assert_string_equal(r.fields[1], "4,5");
    sv_csv_reader_release(&r);
    fclose(fp);
}

static void test_read_errors(void **state)
{
    (void)state;
    struct sv_csv_reader r;
    struct sv_error err = {0};
    FILE *fp = from_string("a,b\n\"open,b\n");

    sv_csv_reader_init(&r, fp, "bad.csv", ',', &err);
    assert_int_equal(sv_csv_read(&r, &err), 1);
    assert_int_equal(sv_csv_read(&r, &err), SV_EDATA);
    assert_string_equal(err.source, "bad.csv");
    assert_int_equal(err.line, 2);
    assert_non_null(strstr(err.text, "unterminated"));
    sv_csv_reader_release(&r);
    fclose(fp);

    fp = from_string("a,b\nx\"y,z\n");
    sv_csv_reader_init(&r, fp, "bad.csv", ',', &err);
    sv_csv_read(&r, &err);
    assert_int_equal(sv_csv_read(&r, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "stray quote"));
    sv_csv_reader_release(&r);
    fclose(fp);
}

static char *written(FILE *fp)
{
    long n = ftell(fp);
    char *s = calloc((size_t)n + 1, 1);
    rewind(fp);
    assert_int_equal(fread(s, 1, (size_t)n, fp), (size_t)n);
    return s;
}

static void test_write_plain_and_injection(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    struct sv_csv_writer w;
    char *s;

    sv_csv_writer_init(&w, fp, SV_CSV_PLAIN);
    sv_csv_cell(&w, "=SOMME(A1;B2)", SV_CELL_TEXT);
    sv_csv_cell(&w, "-3.5", SV_CELL_NUMBER);
    sv_csv_cell(&w, "+33 1", SV_CELL_TEXT);
    sv_csv_cell(&w, "@cmd", SV_CELL_TEXT);
    sv_csv_cell(&w, "a \"b\", c", SV_CELL_TEXT);
    sv_csv_cell(&w, NULL, SV_CELL_TEXT);
    sv_csv_cell(&w, "\tx", SV_CELL_TEXT);
    sv_csv_end_record(&w);
    assert_int_equal(sv_csv_writer_status(&w), 0);
    s = written(fp);
    assert_string_equal(s, "'=SOMME(A1;B2),-3.5,'+33 1,'@cmd,\"a \"\"b\"\", c\",,'\tx\n");
    free(s);
    fclose(fp);
}

static void test_write_excel_fr(void **state)
{
    (void)state;
    FILE *fp = tmpfile();
    struct sv_csv_writer w;
    char *s;

    sv_csv_writer_init(&w, fp, SV_CSV_EXCEL_FR);
    sv_csv_cell(&w, "0.412", SV_CELL_NUMBER);
    sv_csv_cell(&w, "a;b", SV_CELL_TEXT);
    sv_csv_cell(&w, "-12", SV_CELL_NUMBER);
    sv_csv_end_record(&w);
    s = written(fp);
    assert_string_equal(s, "\xEF\xBB\xBF" "0,412;\"a;b\";-12\r\n");
    free(s);
    fclose(fp);
}

static void test_roundtrip(void **state)
{
    (void)state;
    const char *cells[] = {"x\ny", "\"q\"", "plain", "", "a,b;c"};
    FILE *fp = tmpfile();
    struct sv_csv_writer w;
    struct sv_csv_reader r;
    size_t i;

    sv_csv_writer_init(&w, fp, SV_CSV_EXCEL_FR);
    sv_csv_row(&w, cells, 5, SV_CELL_CODE);
    rewind(fp);
    sv_csv_reader_init(&r, fp, "rt", 0, NULL);
    assert_int_equal(sv_csv_read(&r, NULL), 1);
    assert_int_equal(r.nfields, 5);
    for (i = 0; i < 5; i++)
        assert_string_equal(r.fields[i], cells[i]);
    sv_csv_reader_release(&r);
    fclose(fp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_quotes_newlines), cmocka_unit_test(test_read_bom_semicolon),
        cmocka_unit_test(test_read_errors),          cmocka_unit_test(test_write_plain_and_injection),
        cmocka_unit_test(test_write_excel_fr),       cmocka_unit_test(test_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
