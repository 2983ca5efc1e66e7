/*
 * The bundled survey definitions (surveys/ * /survey.json) load with the core
 * loader and hold what the tools rely on: the 18 regions and 101
 * départements, the role names of the pipeline contract, six roles per job
 * family, roles that name existing variables, frames by region x sector.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sv_buf.h"
#include "sv_survey.h"

static struct sv_survey *load(const char *id)
{
    struct sv_buf path = SV_BUF_INIT;
    struct sv_survey *s = NULL;
    struct sv_error err;
    char msg[2048];

    sv_buf_addf(&path, "%s/surveys/%s", VIGIE_SOURCE_DIR, id);
    if (sv_survey_load(&s, path.data, &err) != 0) {
        print_error("%s: %s\n", path.data, sv_error_format(&err, msg, sizeof msg));
        fail();
    }
    sv_buf_release(&path);
    return s;
}

/* Every role (list roles are ','-joined) names a variable of the survey. */
static void check_role_target(const struct sv_survey *s, const char *role, const char *target)
{
    char *copy = strdup(target);
    assert_non_null(copy);
    for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
        if (!sv_survey_variable(s, tok)) {
            print_error("%s: role '%s' names unknown variable '%s'\n", s->id, role, tok);
            fail();
        }
    }
    free(copy);
}

static void check_roles(const struct sv_survey *s, const char *const *required)
{
    for (size_t i = 0; i < s->nroles; i++)
        check_role_target(s, s->roles[i].role, s->roles[i].variable);
    for (size_t f = 0; f < s->nfamilies; f++)
        for (size_t i = 0; i < s->families[f].nroles; i++)
            check_role_target(s, s->families[f].roles[i].role, s->families[f].roles[i].variable);
    for (size_t i = 0; required[i]; i++) {
        if (!sv_survey_role(s, required[i])) {
            print_error("%s: missing role '%s'\n", s->id, required[i]);
            fail();
        }
    }
}

static void test_every_definition_loads(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/surveys", VIGIE_SOURCE_DIR);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int loaded = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        char path[2048];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s/survey.json", dir, e->d_name);
        if (stat(path, &st) != 0)
            continue; /* common/ and files */
        struct sv_survey *s = load(e->d_name);
        assert_string_equal(s->id, e->d_name);
        assert_true(s->nvariables > 0);
        assert_non_null(s->title.fr);
        assert_non_null(s->title.en);
        for (size_t i = 0; i < s->nvariables; i++) {
            /* French and English labels everywhere */
            if (!s->variables[i].label.fr || !s->variables[i].label.en) {
                print_error("%s: variable '%s' lacks a French or English label\n", s->id,
                            s->variables[i].name);
                fail();
            }
        }
        sv_survey_free(s);
        loaded++;
    }
    closedir(d);
    assert_true(loaded >= 3);
}

static void test_regions_and_departements(void **state)
{
    (void)state;
    struct sv_survey *s = load("recrutement");
    const struct sv_variable *reg = sv_survey_variable(s, sv_survey_role(s, "region"));
    const struct sv_variable *dep = sv_survey_variable(s, sv_survey_role(s, "departement"));
    assert_non_null(reg);
    assert_non_null(dep);
    assert_int_equal(reg->ncodes, 18);
    assert_int_equal(dep->ncodes, 101);
    /* codes are strings with their leading zeros; Corsica is 2A/2B */
    assert_non_null(sv_variable_code(reg, "01"));
    assert_non_null(sv_variable_code(reg, "11"));
    assert_string_equal(sv_label_get(&sv_variable_code(reg, "11")->label, SV_LANG_FR),
                        "Île-de-France");
    assert_string_equal(sv_label_get(&sv_variable_code(reg, "53")->label, SV_LANG_EN), "Brittany");
    assert_non_null(sv_variable_code(dep, "2A"));
    assert_null(sv_variable_code(dep, "20"));
    assert_string_equal(sv_variable_code(dep, "2B")->parent, "94");
    assert_string_equal(sv_variable_code(dep, "976")->parent, "06");
    assert_string_equal(sv_variable_code(dep, "09")->parent, "76");
    /* every département's parent is a region; every region has a département */
    for (size_t i = 0; i < dep->ncodes; i++) {
        assert_non_null(dep->codes[i].parent);
        assert_non_null(sv_variable_code(reg, dep->codes[i].parent));
    }
    for (size_t r = 0; r < reg->ncodes; r++) {
        size_t n = 0;
        for (size_t i = 0; i < dep->ncodes; i++)
            n += strcmp(dep->codes[i].parent, reg->codes[r].code) == 0;
        assert_true(n >= 1);
    }
    sv_survey_free(s);
}

static void test_recrutement(void **state)
{
    (void)state;
    static const char *const roles[] = {
        "region", "departement", "sector", "size", "establishment_type", "difficulty", "causes",
        "consequences", "temp_agency", "temp_agency_cost", "establishment_id", NULL};
    static const char *const fam_roles[] = {"budgeted_fte", "vacant_fte", "vacant_6m",
                                            "entries", "exits", "faisant_fonction_fte"};
    struct sv_survey *s = load("recrutement");
    assert_string_equal(s->unit, "establishment");
    check_roles(s, roles);
    assert_true(s->nfamilies >= 4);
    static const char *const fams[] = {"as", "ide", "es", "aes"};
    for (size_t k = 0; k < 4; k++) {
        const struct sv_family *found = NULL;
        for (size_t f = 0; f < s->nfamilies; f++)
            if (!strcmp(s->families[f].code, fams[k]))
                found = &s->families[f];
        assert_non_null(found);
    }
    for (size_t f = 0; f < s->nfamilies; f++) {
        for (size_t r = 0; r < 6; r++) {
            const char *v = sv_family_role(&s->families[f], fam_roles[r]);
            assert_non_null(v);
            const struct sv_variable *var = sv_survey_variable(s, v);
            assert_non_null(var);
            assert_true(var->type == SV_TYPE_NUMBER || var->type == SV_TYPE_INTEGER);
            assert_true(var->has_min && var->min == 0);
        }
    }
    const struct sv_variable *diff = sv_survey_variable(s, sv_survey_role(s, "difficulty"));
    assert_int_equal(diff->type, SV_TYPE_YESNO);
    assert_true(diff->required);
    const struct sv_variable *causes = sv_survey_variable(s, sv_survey_role(s, "causes"));
    assert_int_equal(causes->type, SV_TYPE_MULTIPLE);
    assert_string_equal(sv_variable_code(causes, "sal")->platform[SV_PLATFORM_LIMESURVEY], "SAL");
    const struct sv_variable *cost = sv_survey_variable(s, sv_survey_role(s, "temp_agency_cost"));
    assert_string_equal(cost->relevant, "interim=1");
    assert_string_equal(cost->unit, "EUR");
    /* personal data: the FINESS number is hashed, contact details dropped */
    assert_int_equal(sv_survey_variable(s, sv_survey_role(s, "establishment_id"))->personal,
                     SV_PERSONAL_HASH);
    assert_int_equal(sv_survey_variable(s, "courriel")->personal, SV_PERSONAL_DROP);
    assert_int_equal(sv_survey_variable(s, "repondant")->personal, SV_PERSONAL_DROP);
    /* platform names: LimeSurvey codes without underscores, Kobo/ODK group paths */
    for (size_t i = 0; i < s->nvariables; i++) {
        const struct sv_variable *v = &s->variables[i];
        const char *ls = v->platform[SV_PLATFORM_LIMESURVEY];
        assert_non_null(ls);
        assert_null(strchr(ls, '_'));
        assert_non_null(v->platform[SV_PLATFORM_KOBO]);
        assert_non_null(strchr(v->platform[SV_PLATFORM_KOBO], '/'));
    }
    assert_string_equal(sv_survey_variable(s, "etp_vac_as")->platform[SV_PLATFORM_LIMESURVEY],
                        "etpVac[AS]");
    /* the sector codes of the pipeline contract */
    const struct sv_variable *sec = sv_survey_variable(s, sv_survey_role(s, "sector"));
    static const char *const sectors[] = {"pa", "ph", "pe", "ahi", "cds"};
    for (size_t k = 0; k < 5; k++)
        assert_non_null(sv_variable_code(sec, sectors[k]));
    /* frame: region x sector, every cell, a federation of about 4,000 establishments */
    assert_int_equal(s->frame.nvars, 2);
    assert_int_equal(s->frame.nrows, 18 * 5);
    double total = 0;
    for (size_t i = 0; i < s->frame.nrows; i++)
        total += s->frame.rows[i].count;
    assert_true(total > 3500 && total < 4500);
    sv_survey_free(s);
}

static void test_numerique(void **state)
{
    (void)state;
    static const char *const roles[] = {
        "region", "sector", "size", "it_function", "broadband", "client_record", "equipment",
        "secure_messaging", "staff_trained_share", "it_budget", "maturity_items",
        "esms_numerique", NULL};
    struct sv_survey *s = load("numerique");
    check_roles(s, roles);
    const struct sv_variable *dui = sv_survey_variable(s, sv_survey_role(s, "client_record"));
    assert_int_equal(dui->ncodes, 3);
    assert_non_null(sv_variable_code(dui, "oui"));
    assert_non_null(sv_variable_code(dui, "en_cours"));
    assert_non_null(sv_variable_code(dui, "non"));
    /* four Likert 1-5 items */
    const char *items = sv_survey_role(s, "maturity_items");
    char *copy = strdup(items);
    int n = 0;
    for (char *t = strtok(copy, ","); t; t = strtok(NULL, ",")) {
        const struct sv_variable *v = sv_survey_variable(s, t);
        assert_int_equal(v->type, SV_TYPE_LIKERT);
        assert_int_equal(v->ncodes, 5);
        n++;
    }
    free(copy);
    assert_int_equal(n, 4);
    const struct sv_variable *share = sv_survey_variable(s, sv_survey_role(s, "staff_trained_share"));
    assert_true(share->has_min && share->min == 0 && share->has_max && share->max == 100);
    assert_int_equal(s->frame.nrows, 18 * 5);
    sv_survey_free(s);
}

static void test_remuneration(void **state)
{
    (void)state;
    static const char *const roles[] = {
        "region", "employer_sector", "agreement", "job", "sex", "age_band", "seniority", "hours",
        "gross_monthly_pay", "segur", "segur_amount", "employer_id", "csp", NULL};
    struct sv_survey *s = load("remuneration");
    assert_string_equal(s->unit, "employee");
    check_roles(s, roles);
    const struct sv_variable *v = sv_survey_variable(s, sv_survey_role(s, "employer_sector"));
    assert_non_null(sv_variable_code(v, "public"));
    assert_non_null(sv_variable_code(v, "prive_lucratif"));
    assert_non_null(sv_variable_code(v, "prive_non_lucratif"));
    v = sv_survey_variable(s, sv_survey_role(s, "agreement"));
    static const char *const agreements[] = {"fph", "ccn51", "ccn66", "autre"};
    for (size_t k = 0; k < 4; k++)
        assert_non_null(sv_variable_code(v, agreements[k]));
    v = sv_survey_variable(s, sv_survey_role(s, "job"));
    static const char *const jobs[] = {"as", "ide", "es", "aes"};
    for (size_t k = 0; k < 4; k++)
        assert_non_null(sv_variable_code(v, jobs[k]));
    v = sv_survey_variable(s, sv_survey_role(s, "sex"));
    assert_int_equal(v->ncodes, 2);
    v = sv_survey_variable(s, sv_survey_role(s, "csp"));
    static const char *const csp[] = {"ouv", "emp", "tam", "ic"};
    for (size_t k = 0; k < 4; k++)
        assert_non_null(sv_variable_code(v, csp[k]));
    v = sv_survey_variable(s, sv_survey_role(s, "segur_amount"));
    assert_string_equal(v->relevant, "segur=1");
    assert_int_equal(sv_survey_variable(s, sv_survey_role(s, "employer_id"))->personal,
                     SV_PERSONAL_HASH);
    sv_survey_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_definition_loads),
        cmocka_unit_test(test_regions_and_departements),
        cmocka_unit_test(test_recrutement),
        cmocka_unit_test(test_numerique),
        cmocka_unit_test(test_remuneration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
