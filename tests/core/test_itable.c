/* Unit tests of core/sv_itable.c: write, read back, suppression, metadata. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "harness.h"
#include "sv_buf.h"
#include "sv_itable.h"

static void fill(struct sv_itable *t)
{
    struct sv_irow r = {0};

    sv_itable_init(t);
    r.indicator = "difficulty_share";
    r.label = "Part des établissements en difficulté";
    r.by = "region";
    r.group = "11";
    r.group_label = "Île-de-France";
    r.estimate = 0.1 + 0.2; /* not exactly 0.3: must survive the round trip */
    r.se = 0.0421;
    r.ci_low = 0.22;
    r.ci_high = 0.39;
    r.ci_level = 0.95;
    r.ci_method = "logit";
    r.df = 401;
    r.n = 57;
    r.n_missing = 2;
    r.population = 512.25;
    r.unit = "share";
    r.reason = "";
    assert_int_equal(sv_itable_add(t, &r), 0);
    r.group = "94";
    r.group_label = "Corse";
    r.n = 2;
    r.suppressed = true;
    r.reason = "n<3";
    assert_int_equal(sv_itable_add(t, &r), 0);
    t->meta.survey = strdup("recrutement");
    t->meta.source = strdup("Source : enquête recrutement 2026, n = 412 établissements");
    t->meta.n_respondents = 412;
    t->meta.min_cell = 3;
    t->meta.dominance = 0.85;
}

static void roundtrip(enum sv_csv_dialect dialect)
{
    char dir[] = "/tmp/vigie-itable-XXXXXX", path[128], meta[128];
    struct sv_itable t, back;
    struct sv_error err = {0};
    FILE *fp;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.csv", dir);
    snprintf(meta, sizeof meta, "%s/t.meta.json", dir);
    fill(&t);
    fp = fopen(path, "w");
    assert_int_equal(sv_itable_write_csv(&t, fp, dialect, &err), 0);
    fclose(fp);
    fp = fopen(meta, "w");
    assert_int_equal(sv_itable_write_meta(&t, fp, &err), 0);
    fclose(fp);
    assert_int_equal(sv_itable_load(&back, path, &err), 0);
    assert_int_equal(back.nrows, 2);
    assert_true(back.rows[0].estimate == 0.1 + 0.2);
    assert_true(back.rows[0].population == 512.25);
    assert_int_equal(back.rows[0].n, 57);
    assert_string_equal(back.rows[0].group_label, "Île-de-France");
    assert_false(back.rows[0].suppressed);
    /* A suppressed cell carries no value at all, so it can never be read as zero. */
    assert_true(back.rows[1].suppressed);
    assert_true(isnan(back.rows[1].estimate));
    assert_true(isnan(back.rows[1].ci_low));
    assert_string_equal(back.rows[1].reason, "n<3");
    assert_string_equal(back.meta.survey, "recrutement");
    assert_int_equal(back.meta.n_respondents, 412);
    assert_true(back.meta.dominance == 0.85);
    sv_itable_release(&t);
    sv_itable_release(&back);
    unlink(path);
    unlink(meta);
    rmdir(dir);
}

static void test_roundtrip_plain(void **state)
{
    (void)state;
    roundtrip(SV_CSV_PLAIN);
}

static void test_roundtrip_excel_fr(void **state)
{
    (void)state;
    roundtrip(SV_CSV_EXCEL_FR);
}

static void test_load_errors(void **state)
{
    char path[] = "/tmp/vigie-itable-bad-XXXXXX";
    struct sv_itable t;
    struct sv_error err = {0};
    int fd = mkstemp(path);
    (void)state;
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "a,b\n1,2\n", 8), 8);
    close(fd);
    assert_int_equal(sv_itable_load(&t, path, &err), SV_EDATA);
    assert_string_equal(err.text, "not an indicator table: missing column 'indicator'");
    fd = open(path, O_WRONLY | O_TRUNC);
    {
        const char *s = "indicator,label,by,group,group_label,estimate,suppressed\n"
                        "x,X,,,,,0\n";
        assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
    }
    close(fd);
    assert_int_equal(sv_itable_load(&t, path, &err), SV_EDATA);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.text, "row 'x' has no estimate but is not marked suppressed");
    unlink(path);
    assert_int_equal(sv_itable_load(&t, "/nonexistent/t.csv", &err), SV_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_plain),
        cmocka_unit_test(test_roundtrip_excel_fr),
        cmocka_unit_test(test_load_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
