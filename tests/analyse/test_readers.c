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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "readers_diff.h"
#include "sv_buf.h"

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
        readers_core(&core, path, schema);
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
        readers_rows(&other, path, survey);
        if (strcmp(other.data ? other.data : "", want) != 0)
            fail_msg("%s: analyse rows\n%s\nwhere the core reader gives\n%s", names[i],
                     other.data, want);
        readers_pay(&other, path);
        if (strcmp(other.data ? other.data : "", want) != 0)
            fail_msg("%s: pay reader\n%s\nwhere the core reader gives\n%s", names[i], other.data,
                     want);
        readers_aggregate(&agg, want);
        for (int threads = 1; threads <= 2; threads++) {
            assert_true(readers_stream(&other, path, survey, schema, threads));
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
        readers_core(&out, path, schema);
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
