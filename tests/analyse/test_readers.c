/*
 * Every CSV reader reads a file as core/sv_csv does, or refuses it as sv_csv
 * refuses it (issue 11): the corpus tests/readers/corpus/ (made by
 * make-corpus.py: a clean file and the same with an unterminated quote, bare
 * CR line ends, a NUL byte, too many or too few fields, Windows-1252 bytes,
 * a bad BOM, ...) read by the core reader (sv_recio), analyse's row reader
 * (analyse_input), its streamed reader (analyse_stream, one and two ranges)
 * and the pay reader (pay_fastcsv): the same records (id, region, vacant FTE)
 * or the same error (file, line, column, text). `collect fetch --platform
 * csv` reads through sv_csv itself; tests/readers/run.sh checks the tools.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "analyse_input.h"
#include "analyse_stream.h"
#include "pay_fastcsv.h"
#include "sv_buf.h"
#include "sv_recio.h"

#define CORPUS VIGIE_SOURCE_DIR "/tests/readers/corpus"

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

static void put_error(struct sv_buf *out, const struct sv_error *err)
{
    sv_buf_reset(out);
    char tmp[2048];
    snprintf(tmp, sizeof tmp, "error %s:%ld:%ld: %s", err->source, err->line, err->column,
             err->text);
    sv_buf_adds(out, tmp);
}

static void put_row(struct sv_buf *out, const char *id, const char *region, double y)
{
    char tmp[512];
    if (isnan(y))
        snprintf(tmp, sizeof tmp, "%s|%s|\n", id, region ? region : "");
    else
        snprintf(tmp, sizeof tmp, "%s|%s|%.17g\n", id, region ? region : "", y);
    sv_buf_adds(out, tmp);
}

static double num(const char *v)
{
    if (!v || !*v)
        return NAN;
    char buf[64];
    snprintf(buf, sizeof buf, "%s", v);
    char *c = strchr(buf, ',');
    if (c)
        *c = '.';
    return strtod(buf, NULL);
}

/* The core reader: every record, or its error. */
static void read_core(struct sv_buf *out, const char *path)
{
    struct sv_error err;
    sv_error_clear(&err);
    sv_buf_reset(out);
    struct sv_recio_reader *r = NULL;
    int rc = sv_recio_reader_open(&r, path, schema, &err);
    long ir = sv_schema_index(schema, "region"), iy = sv_schema_index(schema, "etp_vac_as");
    const struct sv_record *rec;
    while (rc == 0 && (rc = sv_recio_read(r, &rec, &err)) == 1) {
        put_row(out, rec->id, rec->values[ir], num(rec->values[iy]));
        rc = 0;
    }
    if (rc < 0)
        put_error(out, &err);
    sv_recio_reader_free(r);
}

static void read_rows(struct sv_buf *out, const char *path)
{
    struct sv_error err;
    sv_error_clear(&err);
    sv_buf_reset(out);
    struct analyse_data d;
    assert_int_equal(analyse_data_init(&d, survey, &err), 0);
    assert_int_equal(analyse_data_want(&d, "region", ANALYSE_COL_CODE, &err), 0);
    assert_int_equal(analyse_data_want(&d, "etp_vac_as", ANALYSE_COL_NUMBER, &err), 0);
    int rc = analyse_data_load(&d, NULL, path, &err);
    if (rc < 0) {
        put_error(out, &err);
    } else {
        const struct analyse_column *g = analyse_data_col(&d, "region"),
                                   *y = analyse_data_col(&d, "etp_vac_as");
        for (size_t i = 0; i < d.nrows; i++)
            put_row(out, analyse_data_id(&d, i),
                    g->code[i] == ANALYSE_NO_GROUP ? NULL : g->var->codes[g->code[i]].code,
                    y->num[i]);
    }
    analyse_data_release(&d);
}

static int pay_row(char **vals, long line, const char *id, void *ctx)
{
    (void)line;
    put_row(ctx, id, vals[0], num(vals[1]));
    return 0;
}

static void read_pay(struct sv_buf *out, const char *path)
{
    struct sv_error err;
    sv_error_clear(&err);
    sv_buf_reset(out);
    static const char *const names[2] = {"region", "etp_vac_as"};
    int rc = pay_fastcsv_read(path, names, 2, pay_row, out, &err);
    if (rc < 0)
        put_error(out, &err);
}

/* Per region: rows, rows with a value, their sum; from a list of rows as above. */
static void aggregate(struct sv_buf *out, const char *rows)
{
    const char *codes[] = {"r1", "r2", "r3", ""};
    double n[4] = {0}, m[4] = {0}, s[4] = {0};
    sv_buf_reset(out);
    if (strncmp(rows, "error", 5) == 0) {
        sv_buf_adds(out, rows);
        return;
    }
    for (const char *p = rows; *p;) {
        const char *bar = strchr(p, '|'), *bar2 = strchr(bar + 1, '|'), *nl = strchr(p, '\n');
        size_t k = 0;
        while (k < 3 && (strlen(codes[k]) != (size_t)(bar2 - bar - 1) ||
                         strncmp(codes[k], bar + 1, (size_t)(bar2 - bar - 1))))
            k++;
        n[k]++;
        if (nl > bar2 + 1) {
            m[k]++;
            s[k] += strtod(bar2 + 1, NULL);
        }
        p = nl + 1;
    }
    for (size_t k = 0; k < 4; k++) {
        char tmp[128];
        if (n[k] > 0) {
            snprintf(tmp, sizeof tmp, "%s:%g:%g:%.6f\n", codes[k], n[k], m[k], s[k]);
            sv_buf_adds(out, tmp);
        }
    }
}

static void read_stream(struct sv_buf *out, const char *path, int threads)
{
    struct sv_error err;
    sv_error_clear(&err);
    sv_buf_reset(out);
    const char *dims[] = {"region"};
    struct analyse_stream_spec spec = {survey, schema, path, ANALYSE_W_NONE, "etp_vac_as", false,
                                       NULL, dims, 1, threads, NULL, NULL};
    struct analyse_stream st;
    int rc = analyse_stream_read(&st, &spec, &err);
    assert_int_not_equal(rc, 1); /* a regular CSV file: never left to the rows */
    if (rc < 0) {
        if (strcmp(err.text, "no responses to analyse") != 0) /* the rows have none either */
            put_error(out, &err);
        return;
    }
    const char *codes[] = {"r1", "r2", "r3"};
    for (size_t k = 0; k < 4; k++) {
        double n = 0, m = 0, s = 0;
        for (size_t i = 0; i < st.nslots; i++) {
            size_t c = st.dim_code[i];
            if (c == ANALYSE_NO_GROUP ? k == 3 : c == k) {
                n += st.mom[i].n;
                m += st.mom[i].m;
                s += (double)st.mom[i].sabs;
            }
        }
        char tmp[128];
        if (n > 0) {
            snprintf(tmp, sizeof tmp, "%s:%g:%g:%.6f\n", k < 3 ? codes[k] : "", n, m, s);
            sv_buf_adds(out, tmp);
        }
    }
    analyse_stream_release(&st);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_same_records_or_same_error(void **state)
{
    (void)state;
    DIR *dir = opendir(CORPUS);
    assert_non_null(dir);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) && n < 256)
        if (strstr(de->d_name, ".csv"))
            names[n++] = strdup(de->d_name);
    closedir(dir);
    qsort(names, n, sizeof *names, cmp_names);
    assert_true(n >= 25);
    struct sv_buf core = SV_BUF_INIT, other = SV_BUF_INIT, agg = SV_BUF_INIT;
    size_t nbad = 0;
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", CORPUS, names[i]);
        read_core(&core, path);
        const char *want = core.data ? core.data : "";
        /* the malformed files are refused, the others read whole */
        bool refused = strncmp(want, "error", 5) == 0;
        if (strncmp(names[i], "bad-", 4) == 0) {
            if (!refused)
                fail_msg("%s: read by the core reader", names[i]);
            nbad++;
        } else if (refused && strncmp(names[i], "ok-", 3) == 0) {
            fail_msg("%s: refused by the core reader: %s", names[i], want);
        }
        if (strncmp(names[i], "ok-", 3) == 0 && strlen(want) < 40 * 8)
            fail_msg("%s: too few records: %s", names[i], want);
        read_rows(&other, path);
        if (strcmp(other.data ? other.data : "", want) != 0)
            fail_msg("%s: analyse rows\n%s\nwhere the core reader gives\n%s", names[i],
                     other.data, want);
        read_pay(&other, path);
        if (strcmp(other.data ? other.data : "", want) != 0)
            fail_msg("%s: pay reader\n%s\nwhere the core reader gives\n%s", names[i], other.data,
                     want);
        aggregate(&agg, want);
        for (int threads = 1; threads <= 2; threads++) {
            read_stream(&other, path, threads);
            if (strcmp(other.data ? other.data : "", agg.data ? agg.data : "") != 0)
                fail_msg("%s: analyse streamed (%d ranges)\n%s\nwhere the core reader gives\n%s",
                         names[i], threads, other.data, agg.data);
        }
        free(names[i]);
    }
    assert_true(nbad >= 18);
    sv_buf_release(&core);
    sv_buf_release(&other);
    sv_buf_release(&agg);
}

/* What the core reader says of a few of them: file, line, field, words. */
static void test_core_errors(void **state)
{
    (void)state;
    static const struct {
        const char *name, *want;
    } cases[] = {
        {"bad-unterminated-quote-mid-file", ":21:0: unterminated quoted field"},
        {"bad-bare-cr-line-ends", ":1:7: carriage return without line feed in field 7"},
        {"bad-nul-in-number", ":21:6: NUL byte in field 6"},
        {"bad-too-many-fields", ":16:0: 8 fields where the header has 7"},
        {"bad-too-few-fields", ":17:0: 6 fields where the header has 7"},
        {"bad-windows-1252", ":2:1: field 1 is not UTF-8 text"},
        {"bad-invalid-bom", ":1:1: invalid UTF-8 byte order mark"},
        {"bad-truncated-utf8-at-end", ":42:7: field 7 is not UTF-8 text"},
    };
    struct sv_buf out = SV_BUF_INIT;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.csv", CORPUS, cases[i].name);
        read_core(&out, path);
        if (!strstr(out.data, cases[i].want))
            fail_msg("%s: %s (wanted %s)", cases[i].name, out.data, cases[i].want);
    }
    sv_buf_release(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_records_or_same_error),
        cmocka_unit_test(test_core_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
