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

#define C(lit) lit, sizeof(lit) - 1

/* Issue 11: what every reader refuses (the bytes sv_csv_record_check() refuses too). */
static void test_read_refusals(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t len;
        long line, col;
        const char *words;
    } cases[] = {
        {C("a,b\nx,y\rz,w\n"), 2, 2, "carriage return without line feed in field 2"},
        {C("a,b\nx,\"y\rz\"\r\n"), 0, 0, NULL}, /* a CR inside quotes is text */
        {C("a,b\nx,y\0z\n"), 2, 2, "NUL byte in field 2"},
        {C("a,b\nx,\"y\nz\0\"\n"), 3, 2, "NUL byte in field 2"},
        {C("a,b\n\xc9t\xe9,y\n"), 2, 1, "field 1 is not UTF-8 text"},
        {C("a,b\nx,\xc3\n"), 2, 2, "field 2 is not UTF-8 text"},
        {C("a,b\nx,\xc3"), 2, 2, "field 2 is not UTF-8 text"},
        {C("a,b\nx,\xed\xa0\x80\n"), 2, 2, "field 2 is not UTF-8 text"},
        {C("a,b\n\"x\"y,z\n"), 2, 1, "text after closing quote in field 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct sv_csv_reader r;
        struct sv_error err = {0}, err2 = {0};
        FILE *fp = fmemopen((void *)cases[i].text, cases[i].len, "r");
        int rc;
        size_t nf;
        assert_int_equal(sv_csv_reader_init(&r, fp, "t.csv", 0, &err), 0);
        assert_int_equal(sv_csv_read(&r, &err), 1);
        rc = sv_csv_read(&r, &err);
        /* the same verdict from the record checker the fast readers use */
        const char *rec = (const char *)memchr(cases[i].text, '\n', cases[i].len) + 1;
        size_t reclen = cases[i].len - (size_t)(rec - cases[i].text);
        if (reclen && rec[reclen - 1] == '\n')
            reclen--;
        int rc2 = sv_csv_record_check(rec, reclen, ',', "t.csv", 2, &nf, NULL, &err2);
        if (!cases[i].words) {
            assert_int_equal(rc, 1);
            assert_int_equal(rc2, 0);
            assert_int_equal(nf, 2);
        } else {
            assert_int_equal(rc, SV_EDATA);
            assert_int_equal(rc2, SV_EDATA);
            assert_int_equal(err.line, cases[i].line);
            assert_int_equal(err.column, cases[i].col);
            assert_non_null(strstr(err.text, cases[i].words));
            assert_int_equal(err2.line, err.line);
            assert_int_equal(err2.column, err.column);
            assert_string_equal(err2.text, err.text);
        }
        sv_csv_reader_release(&r);
        fclose(fp);
    }
}

/* Issue 11: an invalid byte order mark was reported and its reader leaked (ASan). */
static void test_read_bad_bom(void **state)
{
    (void)state;
    struct sv_csv_reader r;
    struct sv_error err = {0};
    FILE *fp = from_string("\xEF\xBBx,y\n");
    assert_int_equal(sv_csv_reader_init(&r, fp, "bom.csv", 0, &err), SV_EDATA);
    assert_string_equal(err.text, "invalid UTF-8 byte order mark");
    assert_int_equal(err.line, 1);
    fclose(fp); /* no release: a reader that did not start holds nothing */
}

/* Issue 11: full-width and small forms of = + - @ and U+2212 are neutralised like ASCII. */
static void test_neutralise_confusables(void **state)
{
    (void)state;
    static const char *const formula[] = {"\xEF\xBC\x9DSUM(A1)", "\xEF\xBC\x8B" "33", "\xEF\xBC\x8D" "1",
                                           "\xEF\xBC\xA0" "cmd", "\xEF\xB9\xA6x", "\xEF\xB9\xA2x",
                                           "\xEF\xB9\xA3x", "\xEF\xB9\xABx", "\xE2\x88\x92" "1",
                                           "=1", "\rx"};
    static const char *const plain[] = {"a=b", "\xEF\xBC\xA1", "\xC3\xA9t\xC3\xA9", "", " =1"};
    struct sv_buf b = SV_BUF_INIT;
    for (size_t i = 0; i < sizeof formula / sizeof *formula; i++) {
        assert_true(sv_csv_formula_start(formula[i]));
        assert_int_equal(sv_csv_neutralise(&b, formula[i]), 0);
        assert_int_equal(b.data[0], '\'');
        assert_string_equal(b.data + 1, formula[i]);
    }
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        assert_false(sv_csv_formula_start(plain[i]));
        assert_int_equal(sv_csv_neutralise(&b, plain[i]), 0);
        assert_string_equal(b.data, plain[i]);
    }
    sv_buf_release(&b);
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
        cmocka_unit_test(test_read_errors),          cmocka_unit_test(test_read_refusals),
        cmocka_unit_test(test_read_bad_bom),         cmocka_unit_test(test_neutralise_confusables),          cmocka_unit_test(test_write_plain_and_injection),
        cmocka_unit_test(test_write_excel_fr),       cmocka_unit_test(test_roundtrip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
