/*
 * collect_lss: definition -> .lss -> definition round trips (the three bundled
 * surveys and a definition written from scratch with every variable type), the
 * .lss reader on both recorded layouts, and LimeSurvey's rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"
#include "collect_lss.h"
#include "sv_file.h"

static const char *ls_name(const struct sv_variable *v)
{
    return v->platform[SV_PLATFORM_LIMESURVEY] ? v->platform[SV_PLATFORM_LIMESURVEY] : v->name;
}

static const char *ls_code(const struct sv_code *c)
{
    return c->platform[SV_PLATFORM_LIMESURVEY] ? c->platform[SV_PLATFORM_LIMESURVEY] : c->code;
}

/*
 * Same variables, types, codes, LimeSurvey names, ranges, required, relevant,
 * personal. Sub-question variables come back grouped under their question
 * (etp_vac_as, etp_vac_ide, ... rather than interleaved), so by name.
 */
static void assert_same(const struct sv_survey *a, const struct sv_survey *b)
{
    assert_int_equal(a->nvariables, b->nvariables);
    for (size_t i = 0; i < a->nvariables; i++) {
        const struct sv_variable *x = &a->variables[i];
        const struct sv_variable *y = sv_survey_variable(b, x->name);
        if (!y)
            fprintf(stderr, "variable '%s' not read back\n", x->name);
        assert_non_null(y);
        assert_int_equal(x->type, y->type);
        assert_string_equal(ls_name(x), ls_name(y));
        assert_int_equal(x->ncodes, y->ncodes);
        for (size_t k = 0; k < x->ncodes; k++) {
            assert_string_equal(x->codes[k].code, y->codes[k].code);
            assert_string_equal(ls_code(&x->codes[k]), ls_code(&y->codes[k]));
            assert_string_equal(x->codes[k].label.fr, y->codes[k].label.fr);
        }
        assert_int_equal(x->has_min, y->has_min);
        assert_int_equal(x->has_max, y->has_max);
        if (x->has_min)
            assert_true(x->min == y->min);
        if (x->has_max)
            assert_true(x->max == y->max);
        assert_int_equal(x->required, y->required);
        assert_int_equal(x->personal, y->personal);
        if (x->relevant)
            assert_string_equal(x->relevant, y->relevant);
        else
            assert_null(y->relevant);
    }
}

static void count_bad(const struct sv_error *e, void *ctx)
{
    (void)e;
    (*(long *)ctx)++;
}

/* definition -> model -> .lss -> model -> survey.json -> definition */
static void round_trip(const char *path, long want_bad)
{
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *s = NULL;
    assert_int_equal(sv_survey_load(&s, path, &err), 0);
    struct collect_lss m;
    long nbad = 0, seen = 0;
    int rc = collect_lss_from_survey(&m, s, count_bad, &seen, &nbad, &err);
    assert_int_equal(nbad, want_bad);
    assert_int_equal(seen, want_bad);
    assert_int_equal(rc, want_bad ? SV_EDATA : 0);
    struct sv_buf lss = SV_BUF_INIT;
    assert_int_equal(collect_lss_write(&m, &lss), 0);
    collect_lss_release(&m);

    struct collect_lss back;
    assert_int_equal(collect_lss_parse(&back, lss.data, lss.len, "mem.lss", &err), 0);
    back.id = strdup(s->id);
    back.version = strdup(s->version);
    struct sv_buf def = SV_BUF_INIT;
    assert_int_equal(collect_lss_definition(&back, &def, &err), 0);
    collect_lss_release(&back);

    char dir[] = "/tmp/vigie-lss.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[256];
    snprintf(file, sizeof file, "%s/survey.json", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fwrite(def.data, 1, def.len, f);
    fclose(f);
    struct sv_survey *t = NULL;
    rc = sv_survey_load(&t, dir, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", err.source, err.text);
    assert_int_equal(rc, 0);
    assert_same(s, t);

    /* the definition read back gives the same .lss, but for the groups (kept in the odk names) */
    struct collect_lss m2;
    long nbad2 = 0;
    collect_lss_from_survey(&m2, t, NULL, NULL, &nbad2, &err);
    assert_int_equal(nbad2, want_bad);
    collect_lss_release(&m2);

    unlink(file);
    rmdir(dir);
    sv_buf_release(&def);
    sv_buf_release(&lss);
    sv_survey_free(t);
    sv_survey_free(s);
}

static const char *odk_name(const struct sv_variable *v)
{
    return v->platform[SV_PLATFORM_ODK] ? v->platform[SV_PLATFORM_ODK] : v->name;
}

/* definition -> XForm -> model -> survey.json -> definition: same everything, same order */
static void xform_trip(const char *path)
{
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *s = NULL;
    assert_int_equal(sv_survey_load(&s, path, &err), 0);
    struct sv_buf x = SV_BUF_INIT;
    long nbad = 0;
    assert_int_equal(collect_xform_write(s, &x, NULL, NULL, &nbad), 0);
    assert_int_equal(nbad, 0);
    assert_true(collect_xform_is(x.data, x.len));
    struct collect_lss back;
    assert_int_equal(collect_xform_parse(&back, x.data, x.len, "mem.xml", &err), 0);
    back.id = strdup(s->id);
    back.version = strdup(s->version);
    struct sv_buf def = SV_BUF_INIT;
    assert_int_equal(collect_lss_definition(&back, &def, &err), 0);
    collect_lss_release(&back);
    char dir[] = "/tmp/vigie-xform.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char file[256];
    snprintf(file, sizeof file, "%s/survey.json", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fwrite(def.data, 1, def.len, f);
    fclose(f);
    struct sv_survey *t = NULL;
    int rc = sv_survey_load(&t, dir, &err);
    if (rc)
        fprintf(stderr, "%s: %s\n", err.source, err.text);
    assert_int_equal(rc, 0);
    assert_int_equal(s->nvariables, t->nvariables);
    for (size_t i = 0; i < s->nvariables; i++) {
        const struct sv_variable *a = &s->variables[i], *b = &t->variables[i];
        assert_string_equal(a->name, b->name);
        assert_int_equal(a->type, b->type);
        assert_string_equal(odk_name(a), odk_name(b));
        assert_int_equal(a->ncodes, b->ncodes);
        for (size_t k = 0; k < a->ncodes; k++)
            assert_string_equal(a->codes[k].code, b->codes[k].code);
        assert_int_equal(a->required, b->required);
        assert_int_equal(a->personal, b->personal);
        assert_int_equal(a->has_min, b->has_min);
        assert_int_equal(a->has_max, b->has_max);
        if (a->relevant)
            assert_string_equal(a->relevant, b->relevant);
    }
    unlink(file);
    rmdir(dir);
    sv_buf_release(&def);
    sv_buf_release(&x);
    sv_survey_free(t);
    sv_survey_free(s);
}

static void test_xform_round_trip(void **state)
{
    (void)state;
    xform_trip(VIGIE_SOURCE_DIR "/surveys/recrutement");
    xform_trip(VIGIE_SOURCE_DIR "/surveys/numerique");
    xform_trip(VIGIE_SOURCE_DIR "/surveys/remuneration");
    xform_trip(VIGIE_SOURCE_DIR "/tests/collect/surveys/scratch");
}

static void test_round_trip_bundled(void **state)
{
    (void)state;
    round_trip(VIGIE_SOURCE_DIR "/surveys/recrutement", 0);
    round_trip(VIGIE_SOURCE_DIR "/surveys/numerique", 0);
    /* remuneration has no LimeSurvey names: 9 problems for a launch, the file still round-trips */
    round_trip(VIGIE_SOURCE_DIR "/surveys/remuneration", 9);
}

static void test_round_trip_scratch(void **state)
{
    (void)state;
    round_trip(VIGIE_SOURCE_DIR "/tests/collect/surveys/scratch", 0);
    round_trip(VIGIE_SOURCE_DIR "/tests/collect/surveys/launchfix", 0);
}

/* The two recorded layouts (DBVersion 366 and 620) of one survey read the same. */
static void test_recorded_layouts(void **state)
{
    (void)state;
    const char *dir = VIGIE_SHARED_DIR "/fixtures/limesurvey-launch";
    char p366[512], p620[512];
    snprintf(p366, sizeof p366, "%s/launch_survey.366.lss", dir);
    snprintf(p620, sizeof p620, "%s/launch_survey.620.lss", dir);
    struct stat st;
    if (stat(p366, &st) != 0) {
        skip(); /* ../shared absent */
        return;
    }
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_buf out[2] = {SV_BUF_INIT, SV_BUF_INIT};
    const char *paths[2] = {p366, p620};
    for (int i = 0; i < 2; i++) {
        char *text = NULL;
        size_t len = 0;
        assert_int_equal(sv_file_read_all(&text, &len, paths[i], &err), 0);
        struct collect_lss m;
        assert_int_equal(collect_lss_parse(&m, text, len, paths[i], &err), 0);
        free(text);
        assert_int_equal(m.nq, 7);
        assert_string_equal(m.q[0].code, "region");
        assert_int_equal(m.q[0].type, 'L');
        assert_true(m.q[0].mandatory);
        assert_int_equal(m.q[0].nanswers, 13);
        assert_string_equal(m.q[0].answers[12].code, "94");
        assert_string_equal(m.q[1].answers[2].code, "PROJ");
        assert_string_equal(m.q[1].answers[1].text.fr, "Fermé");
        assert_string_equal(m.q[3].code, "nbETP");
        assert_true(m.q[3].has_max && m.q[3].max == 500);
        assert_string_equal(m.q[4].code, "causes");
        assert_int_equal(m.q[4].nsubs, 3);
        assert_string_equal(m.q[4].subs[2].code, "HOR");
        assert_string_equal(m.q[4].relevant, "difficult=1");
        assert_int_equal(m.q[5].type, 'A');
        assert_int_equal(m.q[5].nsubs, 3);
        assert_string_equal(m.q[5].subs[0].vname, "opinion_sq001");
        assert_int_equal(m.nattributes, 2);
        assert_string_equal(m.attributes[1], "sector");
        m.id = strdup("launch");
        m.version = strdup("1");
        assert_int_equal(collect_lss_definition(&m, &out[i], &err), 0);
        collect_lss_release(&m);
    }
    assert_string_equal(out[0].data, out[1].data);
    sv_buf_release(&out[0]);
    sv_buf_release(&out[1]);
}

static void test_not_lss(void **state)
{
    (void)state;
    struct sv_error err;
    sv_error_clear(&err);
    struct collect_lss m;
    const char *csv = "id;region\n1;11\n";
    assert_int_equal(collect_lss_parse(&m, csv, strlen(csv), "x.lss", &err), SV_EDATA);
    assert_string_equal(err.text, "not a LimeSurvey survey file: no <document> element at byte 0");
    const char *cut = "<?xml version=\"1.0\"?>\n<document><questions><rows><row><title>a";
    assert_int_equal(collect_lss_parse(&m, cut, strlen(cut), "x.lss", &err), SV_EDATA);
    assert_string_equal(err.text,
                        "not a LimeSurvey survey file: the file ends inside an element at byte 62");
    const char *other = "<document><LimeSurveyDocType>Group</LimeSurveyDocType></document>";
    assert_int_equal(collect_lss_parse(&m, other, strlen(other), "x.lss", &err), SV_EDATA);
    assert_non_null(strstr(err.text, "not a LimeSurvey survey structure"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_bundled),
        cmocka_unit_test(test_round_trip_scratch),
        cmocka_unit_test(test_recorded_layouts),
        cmocka_unit_test(test_not_lss),
        cmocka_unit_test(test_xform_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
