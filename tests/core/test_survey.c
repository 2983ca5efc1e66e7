/*
 * Unit tests of core/sv_survey.c: the bundled definitions load; invalid
 * definitions give one error naming the file, the JSON path and the problem.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "sv_buf.h"
#include "sv_survey.h"

static char tmpdir[64];

static void write_file(const char *name, const char *text)
{
    struct sv_buf p = SV_BUF_INIT;
    FILE *fp;

    sv_buf_addf(&p, "%s/%s", tmpdir, name);
    fp = fopen(p.data, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
    sv_buf_release(&p);
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/vigie-survey-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

#define HEAD "{\"format\":\"vigie-survey/1\",\"id\":\"t\",\"version\":\"1\",\"unit\":\"establishment\"," \
             "\"title\":{\"fr\":\"T\"},\"source\":{\"fr\":\"S\"},"

/* Load a definition text and return the formatted error (or "" if it loaded). */
static const char *load_error(const char *json)
{
    static char buf[2048];
    struct sv_survey *s = NULL;
    struct sv_error err = {0};

    write_file("survey.json", json);
    if (sv_survey_load(&s, tmpdir, &err) == 0) {
        sv_survey_free(s);
        return "";
    }
    sv_error_format(&err, buf, sizeof buf);
    /* Drop the temporary directory from the message. */
    if (!strncmp(buf, tmpdir, strlen(tmpdir)))
        return buf + strlen(tmpdir) + 1;
    return buf;
}

static void test_bundled_definitions_load(void **state)
{
    static const char *ids[] = {"recrutement", "numerique", "remuneration"};
    size_t i;
    (void)state;
    for (i = 0; i < 3; i++) {
        struct sv_survey *s = NULL;
        struct sv_error err = {0};
        char dir[512], buf[2048];
        snprintf(dir, sizeof dir, "%s/surveys/%s", VIGIE_SOURCE_DIR, ids[i]);
        if (sv_survey_load(&s, dir, &err) != 0)
            fail_msg("%s", sv_error_format(&err, buf, sizeof buf));
        assert_string_equal(s->id, ids[i]);
        assert_non_null(sv_survey_role(s, "region"));
        sv_survey_free(s);
    }
}

static void test_lookup_by_id(void **state)
{
    struct sv_survey *s = NULL;
    (void)state;
    setenv("VIGIE_SURVEYS", VIGIE_SOURCE_DIR "/surveys", 1);
    assert_int_equal(sv_survey_load(&s, "recrutement", NULL), 0);
    assert_true(s->nfamilies >= 4);
    assert_true(s->frame.nrows > 0);
    sv_survey_free(s);
}

static void test_invalid_definitions(void **state)
{
    (void)state;
    assert_string_equal(load_error("{\"format\": 1"),
                        "survey.json:1:12: '}' expected near end of file");
    assert_string_equal(load_error(HEAD "\"variables\":[]}"),
                        "survey.json: variables: must be a non-empty list");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"Region\",\"type\":\"single\"}]}"),
        "survey.json: variables[0](Region): invalid variable name 'Region' (use [a-z][a-z0-9_]*)");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"choice\",\"label\":\"R\"}]}"),
        "survey.json: variables[0](r): unknown type 'choice'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\"}]}"),
        "survey.json: variables[0](r): a single variable needs 'codes'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\","
                        "\"codes\":[{\"code\":\"a\",\"label\":\"A\"},{\"code\":\"a\",\"label\":\"B\"}]}]}"),
        "survey.json: variables[0](r).codes[1]: duplicate code 'a'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"n\",\"type\":\"number\",\"label\":\"N\","
                        "\"min\":5,\"max\":1}]}"),
        "survey.json: variables[0](n): min is greater than max");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"n\",\"type\":\"number\",\"label\":\"N\"}],"
                        "\"roles\":{\"difficulty\":\"d\"}}"),
        "survey.json: roles.difficulty: role refers to unknown variable 'd'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"n\",\"type\":\"text\",\"label\":\"N\","
                        "\"personal\":\"maybe\"}]}"),
        "survey.json: variables[0](n): 'personal' must be \"no\", \"drop\" or \"hash\", not 'maybe'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"n\",\"type\":\"text\",\"label\":\"N\","
                        "\"platform\":{\"surveymonkey\":\"x\"}}]}"),
        "survey.json: variables[0](n).platform.surveymonkey: unknown platform 'surveymonkey' "
        "(limesurvey, kobo, odk, csv)");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\","
                        "\"codes\":[{\"code\":\"a\",\"label\":\"A\"}]},"
                        "{\"name\":\"d\",\"type\":\"single\",\"label\":\"D\",\"within\":\"r\","
                        "\"codes\":[{\"code\":\"x\",\"label\":\"X\",\"parent\":\"b\"}]}]}"),
        "survey.json: variables[1](d).codes[0]: code 'x' has no parent among the codes of 'r'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\","
                        "\"codes\":[{\"code\":\"a\",\"label\":\"A\",\"kind\":\"Public\"}]}]}"),
        "survey.json: variables[0](r).codes[0].kind: kind 'Public' must be lower-case letters and '_'");
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\","
                        "\"codes\":[{\"code\":\"a\",\"label\":\"A\",\"kind\":1}]}]}"),
        "survey.json: variables[0](r).codes[0].kind: must be a string");
    assert_string_equal(
        load_error("{\"format\":\"vigie-survey/2\"}"),
        "survey.json: format: unsupported format 'vigie-survey/2' (expected \"vigie-survey/1\")");
}

static void test_frame_errors(void **state)
{
    const char *def = HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\","
                           "\"codes\":[{\"code\":\"a\",\"label\":\"A\"}]}],"
                           "\"frame\":{\"file\":\"frame.csv\",\"strata\":[\"r\"],\"count\":\"n\"}}";
    (void)state;
    write_file("frame.csv", "r,n\na,10\nb,3\n");
    assert_string_equal(load_error(def), "frame.csv:3: unknown code 'b' for 'r'");
    write_file("frame.csv", "r,n\na,ten\n");
    assert_string_equal(load_error(def), "frame.csv:2: count 'ten' is not a finite non-negative number");
    write_file("frame.csv", "r,n\na,10\n");
    assert_string_equal(load_error(def), "");
}

/* issue 11: a 'relevant' condition on its own variable switched off its required check */
static void test_relevant_on_itself(void **state)
{
    (void)state;
    assert_string_equal(
        load_error(HEAD "\"variables\":[{\"name\":\"r\",\"type\":\"single\",\"label\":\"R\","
                        "\"required\":true,\"relevant\":\"r=a\","
                        "\"codes\":[{\"code\":\"a\",\"label\":\"A\"}]}]}"),
        "survey.json: variables[0](r).relevant: refers to the variable itself: a question cannot "
        "depend on its own answer");
}

/*
 * 20,000 variables (each with a relevant condition and a role): every one
 * loaded and found by name. Loading was quadratic (100,000 took 19 s); the
 * time is in bench/definitions, this checks the counts and the lookups.
 */
static void test_many_variables(void **state)
{
    enum { N = 20000 };
    struct sv_buf j = SV_BUF_INIT;
    struct sv_survey *s = NULL;
    struct sv_error err = {0};
    (void)state;
    sv_buf_adds(&j, HEAD "\"variables\":[{\"name\":\"q\",\"type\":\"yesno\",\"label\":\"Q\"}");
    for (int i = 1; i < N; i++)
        sv_buf_addf(&j, ",{\"name\":\"v%d\",\"type\":\"number\",\"label\":\"V\","
                        "\"relevant\":\"q=1\"}", i);
    sv_buf_adds(&j, "],\"roles\":{\"last\":\"v19999\",\"first\":\"q\"}}");
    write_file("survey.json", j.data);
    sv_buf_release(&j);
    assert_int_equal(sv_survey_load(&s, tmpdir, &err), 0);
    assert_int_equal(s->nvariables, N);
    assert_ptr_equal(sv_survey_variable(s, "v19999"), &s->variables[N - 1]);
    assert_ptr_equal(sv_survey_variable(s, "v1"), &s->variables[1]);
    assert_null(sv_survey_variable(s, "v20000"));
    assert_string_equal(sv_survey_role(s, "last"), "v19999");
    sv_survey_free(s);
    /* a duplicate far down the list is still found */
    sv_buf_adds(&j, HEAD "\"variables\":[");
    for (int i = 0; i < N; i++)
        sv_buf_addf(&j, "%s{\"name\":\"v%d\",\"type\":\"number\",\"label\":\"V\"}",
                    i ? "," : "", i == N - 1 ? 5 : i);
    sv_buf_adds(&j, "]}");
    assert_string_equal(load_error(j.data),
                        "survey.json: variables[19999]: duplicate variable name 'v5' (also "
                        "variables[5])");
    sv_buf_release(&j);
}

/*
 * Shared code lists for a definition outside surveys/: its own folder's
 * codelists.json first, then $VIGIE_SURVEYS/common/codelists.json, then the
 * installed/bundled lists (the 18 regions).
 */
static void test_shared_codelists(void **state)
{
    const char *def = HEAD "\"variables\":[{\"name\":\"region\",\"type\":\"single\","
                           "\"label\":\"R\",\"codes\":\"@regions\"},"
                           "{\"name\":\"taille\",\"type\":\"single\",\"label\":\"T\","
                           "\"codes\":\"@tailles\"}]}";
    struct sv_survey *s = NULL;
    struct sv_error err = {0};
    struct sv_buf env = SV_BUF_INIT, p = SV_BUF_INIT;
    const char *old = getenv("VIGIE_SURVEYS");
    char *saved = old ? strdup(old) : NULL;
    (void)state;
    /* @tailles nowhere: one error naming the list */
    unsetenv("VIGIE_SURVEYS");
    assert_non_null(strstr(load_error(def), "variables[1](taille).codes: unknown code list "
                                            "'@tailles'"));
    /* in $VIGIE_SURVEYS/common: found; @regions from the bundled lists */
    sv_buf_addf(&env, "%s/env", tmpdir);
    sv_buf_addf(&p, "mkdir -p '%s/common'", env.data);
    assert_int_equal(system(p.data), 0);
    write_file("env/common/codelists.json",
               "{\"format\":\"vigie-codelists/1\",\"codelists\":{\"tailles\":["
               "{\"code\":\"t1\",\"label\":\"petit\"},{\"code\":\"t2\",\"label\":\"grand\"}]}}");
    setenv("VIGIE_SURVEYS", env.data, 1);
    write_file("survey.json", def);
    assert_int_equal(sv_survey_load(&s, tmpdir, &err), 0);
    assert_int_equal(s->variables[0].ncodes, 18);
    assert_int_equal(s->variables[1].ncodes, 2);
    sv_survey_free(s);
    /* the definition's own folder comes first */
    write_file("codelists.json", "{\"format\":\"vigie-codelists/1\",\"codelists\":{\"tailles\":["
                                 "{\"code\":\"s\",\"label\":\"seul\"}]}}");
    assert_int_equal(sv_survey_load(&s, tmpdir, &err), 0);
    assert_int_equal(s->variables[1].ncodes, 1);
    assert_string_equal(s->variables[1].codes[0].code, "s");
    sv_survey_free(s);
    /* a broken shared file is an error, never skipped */
    write_file("codelists.json", "{\"codelists\": 3}");
    assert_non_null(strstr(load_error(def), "codelists.json: codelists: not a code-list file"));
    sv_buf_reset(&p);
    sv_buf_addf(&p, "%s/codelists.json", tmpdir);
    unlink(p.data);
    if (saved) {
        setenv("VIGIE_SURVEYS", saved, 1);
        free(saved);
    } else {
        unsetenv("VIGIE_SURVEYS");
    }
    sv_buf_release(&env);
    sv_buf_release(&p);
}

/* issue 12: the survey id rule of surveys/README.md, at load and for a bare id */
static void test_survey_id_rule(void **state)
{
    struct sv_survey *s = NULL;
    struct sv_error err = {0};
    char buf[512];
    (void)state;
    assert_string_equal(load_error("{\"format\":\"vigie-survey/1\",\"id\":\"mon-enquete\","
                                   "\"version\":\"1\",\"unit\":\"establishment\","
                                   "\"title\":{\"fr\":\"T\"},\"source\":{\"fr\":\"S\"},"
                                   "\"variables\":[{\"name\":\"n\",\"type\":\"text\",\"label\":\"N\"}]}"),
                        "survey.json: id: invalid survey id 'mon-enquete' (use [a-z][a-z0-9_]*: "
                        "lower-case ASCII letters, digits and '_', starting with a letter)");
    assert_string_equal(load_error("{\"format\":\"vigie-survey/1\",\"id\":\"enquete_2026\","
                                   "\"version\":\"1\",\"unit\":\"establishment\","
                                   "\"title\":{\"fr\":\"T\"},\"source\":{\"fr\":\"S\"},"
                                   "\"variables\":[{\"name\":\"n\",\"type\":\"text\",\"label\":\"N\"}]}"),
                        "");
    /* a bare name that is neither a directory nor an id says which rule it breaks */
    assert_int_equal(sv_survey_load(&s, "Mon-Enquete", &err), SV_ENOTFOUND);
    sv_error_format(&err, buf, sizeof buf);
    assert_non_null(strstr(buf, "not a survey id (ids are [a-z][a-z0-9_]*"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bundled_definitions_load),
        cmocka_unit_test(test_lookup_by_id),
        cmocka_unit_test(test_invalid_definitions),
        cmocka_unit_test(test_frame_errors),
        cmocka_unit_test(test_relevant_on_itself),
        cmocka_unit_test(test_many_variables),
        cmocka_unit_test(test_shared_codelists),
        cmocka_unit_test(test_survey_id_rule),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
