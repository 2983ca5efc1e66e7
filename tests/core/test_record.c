/*
 * Unit tests of core/sv_record.c and sv_recio.c: normalisation of platform
 * fields against a definition, rejection reasons, personal data, and the
 * CSV/JSON Lines round trip.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "sv_buf.h"
#include "sv_record.h"
#include "sv_recio.h"

static char tmpdir[64];
static struct sv_survey *survey;
static struct sv_schema *schema;

static const char *definition =
    "{\"format\":\"vigie-survey/1\",\"id\":\"t\",\"version\":\"1\",\"unit\":\"establishment\","
    "\"title\":{\"fr\":\"T\"},\"source\":{\"fr\":\"S\"},\"variables\":["
    "{\"name\":\"region\",\"type\":\"single\",\"label\":\"Région\",\"required\":true,"
    " \"platform\":{\"kobo\":\"etab/region\"},"
    " \"codes\":[{\"code\":\"11\",\"label\":\"IdF\"},{\"code\":\"84\",\"label\":\"ARA\","
    "  \"platform\":{\"csv\":\"ARA\"}}]},"
    "{\"name\":\"dep\",\"type\":\"single\",\"label\":\"Département\",\"within\":\"region\","
    " \"codes\":[{\"code\":\"75\",\"label\":\"Paris\",\"parent\":\"11\"},"
    "           {\"code\":\"69\",\"label\":\"Rhône\",\"parent\":\"84\"}]},"
    "{\"name\":\"difficulte\",\"type\":\"yesno\",\"label\":\"Difficulté\"},"
    "{\"name\":\"causes\",\"type\":\"multiple\",\"label\":\"Causes\",\"relevant\":\"difficulte=1\","
    " \"codes\":[{\"code\":\"sal\",\"label\":\"Salaire\",\"platform\":{\"limesurvey\":\"SAL\"}},"
    "           {\"code\":\"att\",\"label\":\"Attractivité\",\"platform\":{\"limesurvey\":\"ATT\"}}]},"
    "{\"name\":\"etp\",\"type\":\"number\",\"label\":\"ETP\",\"min\":0,\"max\":1000,"
    " \"platform\":{\"limesurvey\":\"etpBud\"}},"
    "{\"name\":\"postes\",\"type\":\"integer\",\"label\":\"Postes\",\"min\":0},"
    "{\"name\":\"finess\",\"type\":\"text\",\"label\":\"FINESS\",\"personal\":\"hash\"},"
    "{\"name\":\"courriel\",\"type\":\"text\",\"label\":\"Courriel\",\"personal\":\"drop\"},"
    "{\"name\":\"commentaire\",\"type\":\"text\",\"label\":\"Commentaire\","
    " \"platform\":{\"csv\":\"remarque\"}},"
    "{\"name\":\"cout\",\"type\":\"number\",\"label\":\"Coût\",\"required\":true,"
    " \"relevant\":\"difficulte=1\"}"
    "]}";

static int setup(void **state)
{
    char path[128];
    FILE *fp;
    (void)state;
    strcpy(tmpdir, "/tmp/vigie-record-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(path, sizeof path, "%s/survey.json", tmpdir);
    fp = fopen(path, "w");
    fputs(definition, fp);
    fclose(fp);
    if (sv_survey_load(&survey, tmpdir, NULL) || sv_schema_new(&schema, survey, NULL))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    sv_schema_free(schema);
    sv_survey_free(survey);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *value(const struct sv_record *r, const char *col)
{
    long i = sv_schema_index(schema, col);
    assert_true(i >= 0);
    return r->values[i];
}

static void test_schema_columns(void **state)
{
    (void)state;
    /* courriel is dropped; causes is expanded per code. */
    assert_int_equal(schema->ncolumns, 10);
    assert_int_equal(sv_schema_index(schema, "courriel"), -1);
    assert_true(sv_schema_index(schema, "causes.sal") >= 0);
    assert_true(sv_schema_index(schema, "causes.att") >= 0);
}

static void test_limesurvey_fields(void **state)
{
    struct sv_record *r;
    struct sv_error err = {0};
    const struct sv_raw_field f[] = {
        {"id", "7"},           {"submitdate", "2026-03-01 10:00:00"},
        {"region", "84"},      {"difficulte", "Y"},
        {"causes[SAL]", "Y"},  {"causes[ATT]", ""},
        {"causes[other]", "les horaires"},
        {"etpBud", "12.5000000000"}, {"postes", "3.0000000000"},
        {"finess", "750000001"}, {"courriel", "dir@example.org"},
        {"commentaire", "=SOMME(A1;B2) \"Très\" difficile"}, {"cout", "12000,50"},
    };
    (void)state;
    sv_record_new(&r, schema);
    assert_int_equal(sv_record_normalise(r, schema, SV_PLATFORM_LIMESURVEY, f,
                                         sizeof f / sizeof f[0], "k3y", &err), 0);
    assert_string_equal(value(r, "region"), "84");
    assert_string_equal(value(r, "difficulte"), "1");
    assert_string_equal(value(r, "causes.sal"), "1");
    assert_string_equal(value(r, "causes.att"), "0");
    assert_string_equal(value(r, "etp"), "12.5");
    assert_string_equal(value(r, "postes"), "3");
    assert_string_equal(value(r, "cout"), "12000.5");
    assert_string_equal(value(r, "commentaire"), "=SOMME(A1;B2) \"Très\" difficile");
    /* The keyed hash, not the number, and never the e-mail. */
    assert_int_equal(strlen(value(r, "finess")), 64);
    assert_null(strstr(value(r, "finess"), "750000001"));
    sv_record_free(r);
}

static void test_kobo_fields(void **state)
{
    struct sv_record *r;
    struct sv_error err = {0};
    const struct sv_raw_field f[] = {
        {"etab/region", "11"}, {"difficulte", "no"}, {"causes", ""}, {"etp", "4"},
    };
    (void)state;
    sv_record_new(&r, schema);
    /* cout is required but only asked when difficulte=1. */
    assert_int_equal(sv_record_normalise(r, schema, SV_PLATFORM_KOBO, f, 4, NULL, &err), 0);
    assert_string_equal(value(r, "region"), "11");
    assert_string_equal(value(r, "difficulte"), "0");
    assert_null(value(r, "causes.sal"));

    {
        const struct sv_raw_field g[] = {
            {"etab/region", "11"}, {"difficulte", "yes"}, {"causes", "att sal"}, {"cout", "5"}};
        assert_int_equal(sv_record_normalise(r, schema, SV_PLATFORM_KOBO, g, 4, NULL, &err), 0);
        assert_string_equal(value(r, "causes.sal"), "1");
        assert_string_equal(value(r, "causes.att"), "1");
        assert_null(value(r, "finess")); /* no hash key: a personal value is dropped */
    }
    sv_record_free(r);
}

static void expect_reject(const struct sv_raw_field *f, size_t n, const char *path,
                          const char *text)
{
    struct sv_record *r;
    struct sv_error err = {0};

    sv_record_new(&r, schema);
    assert_int_equal(sv_record_normalise(r, schema, SV_PLATFORM_CSV, f, n, NULL, &err), SV_EDATA);
    assert_string_equal(err.path, path);
    assert_string_equal(err.text, text);
    sv_record_free(r);
}

static void test_rejections(void **state)
{
    (void)state;
    {
        const struct sv_raw_field f[] = {{"region", "99"}};
        expect_reject(f, 1, "region", "unknown code '99'");
    }
    {
        const struct sv_raw_field f[] = {{"difficulte", "0"}};
        expect_reject(f, 1, "region", "required answer missing");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"etp", "1200"}};
        expect_reject(f, 2, "etp", "value 1200 above maximum 1000");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"etp", "-1"}};
        expect_reject(f, 2, "etp", "value -1 below minimum 0");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"postes", "2.5"}};
        expect_reject(f, 2, "postes", "'2.5' is not a whole number");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"etp", "douze"}};
        expect_reject(f, 2, "etp", "'douze' is not a number");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"difficulte", "peut-être"}};
        expect_reject(f, 2, "difficulte", "'peut-être' is not a yes/no answer");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"difficulte", "1"}};
        expect_reject(f, 2, "cout", "required answer missing");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"causes", "sal xyz"}};
        expect_reject(f, 2, "causes", "unknown code 'xyz'");
    }
    {
        const struct sv_raw_field f[] = {{"region", "11"}, {"dep", "69"}};
        expect_reject(f, 2, "dep", "code '69' does not belong to region '11'");
    }
}

static void test_recio_roundtrip(void **state)
{
    char path[128];
    struct sv_record *r;
    struct sv_recio_writer w;
    struct sv_recio_reader *rd;
    const struct sv_record *back;
    const struct sv_raw_field f[] = {{"region", "84"}, {"difficulte", "1"}, {"causes", "sal"},
                                     {"etp", "-0"},   {"cout", "3.25"},
                                     {"remarque", "-ligne 1\nligne \"2\""}};
    int fmt;
    (void)state;
    sv_record_new(&r, schema);
    assert_int_equal(sv_record_normalise(r, schema, SV_PLATFORM_CSV, f, 6, NULL, NULL), 0);
    r->id = strdup("42");
    r->source = strdup("file:///x.json");
    for (fmt = 0; fmt < 3; fmt++) {
        FILE *fp;
        snprintf(path, sizeof path, "%s/out.%d", tmpdir, fmt);
        fp = fopen(path, "w");
        assert_int_equal(sv_recio_writer_init(&w, fp, schema, (enum sv_recio_format)fmt, NULL), 0);
        assert_int_equal(sv_recio_write(&w, r, NULL), 0);
        fclose(fp);
        assert_int_equal(sv_recio_reader_open(&rd, path, schema, NULL), 0);
        assert_int_equal(sv_recio_read(rd, &back, NULL), 1);
        assert_string_equal(back->id, "42");
        assert_string_equal(value(back, "region"), "84");
        assert_string_equal(value(back, "cout"), "3.25");
        assert_string_equal(value(back, "etp"), "0");
        assert_string_equal(value(back, "causes.att"), "0");
        /* CSV neutralises the leading '-' of free text; JSON Lines keeps it. */
        assert_string_equal(value(back, "commentaire"),
                            fmt == 2 ? "-ligne 1\nligne \"2\"" : "'-ligne 1\nligne \"2\"");
        assert_int_equal(sv_recio_read(rd, &back, NULL), 0);
        sv_recio_reader_free(rd);
    }
    sv_record_free(r);
}

static void test_recio_bad_value(void **state)
{
    char path[128];
    struct sv_recio_reader *rd;
    const struct sv_record *back;
    struct sv_error err = {0};
    FILE *fp;
    (void)state;
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    fp = fopen(path, "w");
    fputs("source,id,region,etp\nf,1,11,2\nf,2,75,3\n", fp);
    fclose(fp);
    assert_int_equal(sv_recio_reader_open(&rd, path, schema, &err), 0);
    assert_int_equal(sv_recio_read(rd, &back, &err), 1);
    assert_int_equal(sv_recio_read(rd, &back, &err), SV_EDATA);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.path, "record '2': region");
    assert_string_equal(err.text, "unknown code '75'");
    sv_recio_reader_free(rd);
}

/* issue 12: one value made canonical as collect --platform csv makes it (analyse --data) */
static void test_canonical_value(void **state)
{
    char buf[64];
    const char *out = "x";
    struct sv_error err = {0};
    (void)state;
    assert_int_equal(sv_record_canonical(schema, (size_t)sv_schema_index(schema, "difficulte"),
                                         " oui ", buf, sizeof buf, &out, &err), 0);
    assert_string_equal(out, "1");
    assert_int_equal(sv_record_canonical(schema, (size_t)sv_schema_index(schema, "etp"), "12,5",
                                         buf, sizeof buf, &out, &err), 0);
    assert_string_equal(out, "12.5");
    assert_int_equal(sv_record_canonical(schema, (size_t)sv_schema_index(schema, "causes.sal"),
                                         "Y", buf, sizeof buf, &out, &err), 0);
    assert_string_equal(out, "1");
    assert_int_equal(sv_record_canonical(schema, (size_t)sv_schema_index(schema, "region"), "  ",
                                         buf, sizeof buf, &out, &err), 0);
    assert_null(out);
    assert_int_equal(sv_record_canonical(schema, (size_t)sv_schema_index(schema, "etp"), "2000",
                                         buf, sizeof buf, &out, &err), SV_EDATA);
    assert_string_equal(err.text, "value 2000 above maximum 1000");
    assert_int_equal(sv_record_canonical(schema, (size_t)sv_schema_index(schema, "region"), "12",
                                         buf, sizeof buf, &out, &err), SV_EDATA);
    assert_string_equal(err.text, "unknown code '12'");
}

/* A normalised record's "var.code" columns read back through normalisation (collect). */
static void test_option_columns(void **state)
{
    struct sv_raw_field f[] = {{"region", "11"}, {"difficulte", "1"}, {"causes.sal", "1"},
                               {"causes.att", "0"}, {"cout", "3"}};
    struct sv_record *r = NULL;
    struct sv_error err = {0};
    (void)state;
    assert_int_equal(sv_record_new(&r, schema), 0);
    assert_int_equal(sv_record_normalise(r, schema, SV_PLATFORM_CSV, f, 5, NULL, &err), 0);
    assert_string_equal(value(r, "causes.sal"), "1");
    assert_string_equal(value(r, "causes.att"), "0");
    sv_record_free(r);
}

/* issue 12: sv_recio (JSON Lines, the pay and analyse fallbacks) reads a file as collect
 * --platform csv reads it: csv column names and code mappings, yes/no words */
static void test_recio_csv_platform(void **state)
{
    char path[160];
    struct sv_recio_reader *rd = NULL;
    const struct sv_record *rec;
    struct sv_error err = {0};
    FILE *fp;
    (void)state;
    snprintf(path, sizeof path, "%s/fed.csv", tmpdir);
    fp = fopen(path, "w");
    fputs("id;region;remarque;difficulte;cout\nf1;ARA;trop peu;oui;2,5\n", fp);
    fclose(fp);
    assert_int_equal(sv_recio_reader_open(&rd, path, schema, &err), 0);
    assert_int_equal(sv_recio_read(rd, &rec, &err), 1);
    assert_string_equal(value(rec, "region"), "84");
    assert_string_equal(value(rec, "commentaire"), "trop peu");
    assert_string_equal(value(rec, "difficulte"), "1");
    assert_string_equal(value(rec, "cout"), "2.5");
    sv_recio_reader_free(rd);
    snprintf(path, sizeof path, "%s/fed.jsonl", tmpdir);
    fp = fopen(path, "w");
    fputs("{\"id\":\"f2\",\"region\":\"ARA\",\"remarque\":\"rien\",\"difficulte\":\"non\"}\n", fp);
    fclose(fp);
    assert_int_equal(sv_recio_reader_open(&rd, path, schema, &err), 0);
    assert_int_equal(sv_recio_read(rd, &rec, &err), 1);
    assert_string_equal(value(rec, "region"), "84");
    assert_string_equal(value(rec, "commentaire"), "rien");
    assert_string_equal(value(rec, "difficulte"), "0");
    sv_recio_reader_free(rd);
    /* an unknown code is still refused, with the check's reason */
    snprintf(path, sizeof path, "%s/bad.csv", tmpdir);
    fp = fopen(path, "w");
    fputs("id,region\nb1,XX\n", fp);
    fclose(fp);
    assert_int_equal(sv_recio_reader_open(&rd, path, schema, &err), 0);
    assert_int_equal(sv_recio_read(rd, &rec, &err), SV_EDATA);
    assert_string_equal(err.text, "unknown code 'XX'");
    sv_recio_reader_free(rd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_columns),  cmocka_unit_test(test_limesurvey_fields),
        cmocka_unit_test(test_kobo_fields),     cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_recio_roundtrip), cmocka_unit_test(test_recio_bad_value),
        cmocka_unit_test(test_canonical_value), cmocka_unit_test(test_option_columns),
        cmocka_unit_test(test_recio_csv_platform),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
