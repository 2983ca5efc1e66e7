/*
 * Reading normalised CSV into columns: both dialects, BOM, CRLF, quoted
 * fields with separators, quotes and newlines, blank lines, decimal commas,
 * missing values as NAN, and errors naming the file, the line and the record.
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

#include "analyse_input.h"

static struct sv_survey *survey;

static int setup(void **state)
{
    (void)state;
    return sv_survey_load(&survey, VIGIE_SOURCE_DIR "/tests/analyse/surveys/mini", NULL);
}

static int teardown(void **state)
{
    (void)state;
    sv_survey_free(survey);
    return 0;
}

static char path[64];

static void write_file(const char *text)
{
    snprintf(path, sizeof path, "/tmp/analyse-input-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int load(struct analyse_data *d, const char *text, struct sv_error *err)
{
    write_file(text);
    assert_int_equal(analyse_data_init(d, survey, NULL), 0);
    assert_int_equal(analyse_data_want(d, "region", ANALYSE_COL_CODE, NULL), 0);
    assert_int_equal(analyse_data_want(d, "etp_bud_as", ANALYSE_COL_NUMBER, NULL), 0);
    assert_int_equal(analyse_data_want(d, "difficulte", ANALYSE_COL_NUMBER, NULL), 0);
    assert_int_equal(analyse_data_want(d, "causes.sal", ANALYSE_COL_NUMBER, NULL), 0);
    sv_error_clear(err);
    int rc = analyse_data_load(d, NULL, path, err);
    unlink(path);
    return rc;
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    struct analyse_data d;
    struct sv_error err;
    assert_int_equal(load(&d,
                          "source,id,submitted,commentaire,region,etp_bud_as,difficulte,causes.sal\n"
                          "s,a1,,\"a, b\",r1,12.5,1,0\r\n"
                          "\n"
                          "s,a2,,\"line one\nline \"\"two\"\"\",r2,,0,\n"
                          "s,\"a3\",,,\"r3\",7,,1",
                          &err),
                     0);
    assert_int_equal(d.nrows, 3);
    const struct analyse_column *r = analyse_data_col(&d, "region");
    const struct analyse_column *b = analyse_data_col(&d, "etp_bud_as");
    const struct analyse_column *y = analyse_data_col(&d, "difficulte");
    const struct analyse_column *c = analyse_data_col(&d, "causes.sal");
    assert_int_equal(r->code[0], 0);
    assert_int_equal(r->code[1], 1);
    assert_int_equal(r->code[2], 2);
    assert_true(b->num[0] == 12.5 && isnan(b->num[1]) && b->num[2] == 7);
    assert_true(y->num[0] == 1 && y->num[1] == 0 && isnan(y->num[2]));
    assert_true(c->num[0] == 0 && isnan(c->num[1]) && c->num[2] == 1);
    assert_string_equal(analyse_data_id(&d, 2), "a3");
    analyse_data_release(&d);
}

static void test_excel_fr(void **state)
{
    (void)state;
    struct analyse_data d;
    struct sv_error err;
    assert_int_equal(load(&d,
                          "\xef\xbb\xbfsource;id;submitted;region;etp_bud_as;difficulte\r\n"
                          "s;b1;;r1;3,25;1\r\n"
                          "s;b2;;r2;1e1;0\r\n",
                          &err),
                     0);
    assert_int_equal(d.nrows, 2);
    const struct analyse_column *b = analyse_data_col(&d, "etp_bud_as");
    assert_true(b->num[0] == 3.25);
    assert_true(b->num[1] == 10); /* not plain: checked by core, accepted */
    assert_true(isnan(analyse_data_col(&d, "causes.sal")->num[0])); /* absent column */
    analyse_data_release(&d);
}

static void test_errors(void **state)
{
    (void)state;
    struct analyse_data d;
    struct sv_error err;
    char msg[512];
    /* the bad record starts on line 4 (a quoted newline before it) */
    assert_int_equal(load(&d,
                          "source,id,submitted,commentaire,region,etp_bud_as\n"
                          "s,c1,,\"x\ny\",r1,1\n"
                          "s,c2,,,r9,1\n",
                          &err),
                     SV_EDATA);
    sv_error_format(&err, msg, sizeof msg);
    assert_non_null(strstr(msg, ":4:"));
    assert_non_null(strstr(msg, "record 'c2': region"));
    assert_non_null(strstr(msg, "unknown code 'r9'"));
    analyse_data_release(&d);
    assert_int_equal(load(&d, "source,id,submitted,etp_bud_as\ns,c3,,2001\n", &err), SV_EDATA);
    assert_non_null(strstr(err.text, "above maximum"));
    analyse_data_release(&d);
    assert_int_equal(load(&d, "source,id,submitted,difficulte\ns,c4,,2\n", &err), SV_EDATA);
    analyse_data_release(&d);
    assert_int_equal(load(&d, "", &err), SV_EDATA);
    assert_non_null(strstr(err.text, "empty file"));
    analyse_data_release(&d);
    /* a name that is not a column of the records */
    assert_int_equal(analyse_data_init(&d, survey, NULL), 0);
    assert_int_equal(analyse_data_want(&d, "nope", ANALYSE_COL_NUMBER, &err), SV_EDATA);
    assert_int_equal(analyse_data_want(&d, "region", ANALYSE_COL_NUMBER, &err), SV_EDATA);
    analyse_data_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_excel_fr),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
