/*
 * Options shared by `analyse pay` and `analyse gender`: where the records
 * are, the grouping, the language, the output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "sv_buf.h"
#include "sv_cli.h"
#include "cmd_args.h"
#include "pay_design.h"
#include "analyse_common.h"
#include "sv_store.h"

int pay_args_format(const char *value, enum analyse_format *out)
{
    if (analyse_format_parse(value, out))
        return sv_usage_error("--format: '%s' is not csv, excel-fr or jsonl", value);
    return 0;
}

int pay_args_on_option(int key, const char *value, struct pay_args *a)
{
    switch (key) {
    case PAY_OPT_SURVEY: a->survey = value; return 0;
    case PAY_OPT_DATA: a->data = value; return 0;
    case PAY_OPT_STORE: a->store = value; return 0;
    case PAY_OPT_BY: a->by = value; return 0;
    case PAY_OPT_RESPONSES:
        if (analyse_responses_parse(value, &a->include))
            return sv_usage_error("--responses: '%s' is not complete or all", value);
        a->include_given = 1;
        return 0;
    case PAY_OPT_INCLUDE_REJECTED:
        a->include |= SV_STORE_WITH_REJECTED;
        a->include_given = 1;
        return 0;
    case 'o': a->output = value; return 0;
    case 'q': sv_cli_set_quiet(true); return 0;
    case PAY_OPT_WITH_SEGUR: a->without_segur = 0; return 0;
    case PAY_OPT_WITHOUT_SEGUR: a->without_segur = 1; return 0;
    case PAY_OPT_STREAMING: a->streaming = 1; return 0;
    case PAY_OPT_FORMAT: return pay_args_format(value, &a->format);
    case PAY_OPT_COVARIATES: a->covariates = value; return 0;
    case PAY_OPT_REFERENCE: a->reference = value; return 0;
    case PAY_OPT_SE: {
        static const char *const names[] = {"hc1", "classical", "hc0", "hc2", "hc3"};
        for (int k = 0; k < 5; k++)
            if (strcmp(value, names[k]) == 0) {
                a->se = k;
                return 0;
            }
        return sv_usage_error("--se: expected classical, hc0, hc1, hc2 or hc3, got '%s'", value);
    }
    case PAY_OPT_WEIGHTS:
        if (strcmp(value, "none") == 0)
            a->iid = 1;
        else if (strcmp(value, "design") == 0)
            a->iid = 0;
        else
            return sv_usage_error("--weights: expected 'design' or 'none', got '%s'", value);
        return 0;
    case PAY_OPT_SMIC: a->smic = value; return 0;
    case PAY_OPT_SMIC_DATE:
        if (!pay_date_valid(value))
            return sv_usage_error("--smic-date: not a date '%s' (expected YYYY-MM-DD)", value);
        a->smic_date = value;
        return 0;
    case PAY_OPT_LANG:
        if (sv_lang_parse(value, &a->lang) < 0)
            return sv_usage_error("--lang: expected 'fr' or 'en', got '%s'", value);
        return 0;
    default: return sv_usage_error("unexpected option");
    }
}

int pay_args_check(const struct pay_args *a)
{
    if (!a->survey)
        return sv_usage_error("--survey ID|DIR is required");
    if (!a->data == !a->store)
        return sv_usage_error("give exactly one of --data FILE and --store FILE");
    if (a->include_given && !a->store)
        return sv_usage_error("--responses and --include-rejected select responses in a store "
                              "(--store); a --data file holds what was exported");
    return 0;
}

static int sex_codes(struct pay_args *a, struct sv_survey **survey, struct pay_data *d);
static int segur_roles(const struct pay_args *a, struct sv_survey **survey, struct pay_data *d);

int pay_args_survey(struct pay_args *a, struct sv_survey **survey, struct pay_data *d)
{
    struct sv_error err;
    sv_error_clear(&err);
    if (sv_survey_load(survey, a->survey, &err) < 0)
        return sv_fail_error(&err);
    /* bind the roles on an empty stream: no record is read */
    memset(d, 0, sizeof *d);
    if (pay_data_stream(d, *survey, NULL, NULL, NULL, NULL, &err) < 0) {
        sv_survey_free(*survey);
        *survey = NULL;
        return sv_fail_error(&err);
    }
    int rc = sex_codes(a, survey, d);
    return rc ? rc : segur_roles(a, survey, d);
}

/*
 * The per-row arrays (8 to 56 MB each on a million rows: rows, hourly pay,
 * sort keys, sorted copies, cell values) are allocated and freed in turn.
 * glibc maps each block this large on its own and unmaps it when freed, so
 * every new array pays its page faults again (a fifth of `analyse gender`'s
 * CPU time on a million rows). Keeping freed memory in the heap lets later
 * arrays reuse the pages already faulted in.
 */
static void keep_freed_memory(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
#endif
}

int pay_args_load(struct pay_args *a, struct sv_survey **survey, struct pay_data *d)
{
    keep_freed_memory();
    struct sv_error err;
    sv_error_clear(&err);
    if (sv_survey_load(survey, a->survey, &err) < 0)
        return sv_fail_error(&err);
    if (pay_data_read(d, *survey, a->data, a->store, a->include, !a->iid, NULL, NULL, &err) < 0) {
        sv_survey_free(*survey);
        *survey = NULL;
        return sv_fail_error(&err);
    }
    if (a->store)
        analyse_note_selection(a->include, d->n_read, d->partial_left_out, d->rejected_left_out);
    int rc = sex_codes(a, survey, d);
    if (!rc)
        rc = segur_roles(a, survey, d);
    if (rc)
        return rc;
    if (d->n == 0) {
        pay_data_release(d);
        sv_survey_free(*survey);
        *survey = NULL;
        return sv_fail(SV_EXIT_DATA, "%s: no employee records", a->data ? a->data : a->store);
    }
    if (pay_data_cache_hourly(d, a->without_segur, &err) < 0) {
        pay_data_release(d);
        sv_survey_free(*survey);
        *survey = NULL;
        return sv_fail_error(&err);
    }
    return 0;
}

static int sex_codes(struct pay_args *a, struct sv_survey **survey, struct pay_data *d)
{
    const struct sv_variable *sex = d->var[PAY_R_SEX];
    a->sex_f = a->sex_h = PAY_NA;
    for (size_t i = 0; i < sex->ncodes; i++) {
        if (strcmp(sex->codes[i].code, "f") == 0)
            a->sex_f = (unsigned)i;
        else if (strcmp(sex->codes[i].code, "h") == 0)
            a->sex_h = (unsigned)i;
    }
    if (a->sex_f == PAY_NA || a->sex_h == PAY_NA) {
        pay_data_release(d);
        sv_survey_free(*survey);
        *survey = NULL;
        return sv_fail(SV_EXIT_DATA, "%s: the 'sex' role variable '%s' needs the codes 'f' and 'h'",
                       a->survey, sex->name);
    }
    return 0;
}

/*
 * --without-segur subtracts the amount of those who receive the supplement
 * and 0 from those who do not: without both roles it would publish either
 * nothing (n = 0 everywhere) or the pay of the non-recipients alone.
 */
static int segur_roles(const struct pay_args *a, struct sv_survey **survey, struct pay_data *d)
{
    if (!a->without_segur)
        return 0;
    const char *absent = !d->var[PAY_R_SEGUR] ? "segur" : !d->var[PAY_R_SEGUR_AMOUNT] ? "segur_amount"
                                                                                    : NULL;
    if (!absent)
        return 0;
    pay_data_release(d);
    sv_survey_free(*survey);
    *survey = NULL;
    return sv_fail(SV_EXIT_DATA,
                   "%s: --without-segur needs the roles 'segur' and 'segur_amount': the survey "
                   "binds no variable to role '%s'",
                   a->survey, absent);
}

int pay_args_by_default(const struct pay_data *d, const char *spec, const char *defaults,
                        enum pay_role *roles, size_t *n)
{
    if (spec)
        return pay_args_by(d, spec, roles, n);
    *n = 0;
    char *copy = sv_strdup(defaults);
    if (!copy)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        enum pay_role r;
        if (pay_role_parse(d, tok, &r) < 0 || *n == PAY_MAX_BY - 1) {
            sv_note("role '%s' is not defined: no grouping by %s", tok, tok);
            continue;
        }
        roles[(*n)++] = r;
    }
    free(copy);
    return 0;
}

int pay_args_by(const struct pay_data *d, const char *spec, enum pay_role *roles, size_t *n)
{
    *n = 0;
    char *copy = sv_strdup(spec);
    if (!copy)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",;", &save); tok; tok = strtok_r(NULL, ",;", &save)) {
        enum pay_role r;
        int prc = pay_role_parse(d, tok, &r);
        if (prc == SV_ENOTFOUND) {
            rc = sv_fail(SV_EXIT_DATA, "--by: the survey binds no variable to role '%s'", tok);
            break;
        }
        if (prc < 0) {
            rc = sv_usage_error("--by: unknown grouping '%s' (expected region, employer_sector, "
                                "agreement, job, age_band, csp)", tok);
            break;
        }
        if (r == PAY_R_SEX) {
            rc = sv_usage_error("--by: 'sex' is not a grouping here");
            break;
        }
        for (size_t k = 0; k < *n; k++)
            if (roles[k] == r) {
                rc = sv_usage_error("--by: '%s' given twice", tok);
                break;
            }
        if (rc)
            break;
        if (*n == PAY_MAX_BY - 1) {
            rc = sv_usage_error("--by: at most %d variables", PAY_MAX_BY - 1);
            break;
        }
        roles[(*n)++] = r;
    }
    free(copy);
    if (!rc && *n == 0)
        rc = sv_usage_error("--by: no grouping variable given");
    return rc;
}

void pay_group_text(const struct pay_data *d, const enum pay_role *roles, const unsigned *lev,
                    size_t n, enum sv_lang lang, struct sv_buf *by, struct sv_buf *group,
                    struct sv_buf *label)
{
    sv_buf_reset(by);
    sv_buf_reset(group);
    sv_buf_reset(label);
    for (size_t k = 0; k < n; k++) {
        if (k) {
            sv_buf_addc(by, ';');
            sv_buf_addc(group, ';');
            sv_buf_adds(label, " \xe2\x80\x93 ");
        }
        sv_buf_adds(by, pay_role_names[roles[k]]);
        sv_buf_adds(group, pay_level_code(d, roles[k], lev[k]));
        sv_buf_adds(label, pay_level_label(d, roles[k], lev[k], lang));
    }
}

void pay_cell_set_result(struct pay_cell *cell, const struct analyse_result *r)
{
    cell->estimate = r->estimate;
    cell->se = r->se;
    cell->lo = r->ci_low;
    cell->hi = r->ci_high;
    cell->df = r->df;
    cell->ci_method = analyse_result_method(r, cell->method, sizeof cell->method);
}

int pay_args_design(const struct pay_args *a, const struct pay_data *d, struct pay_design *pd,
                    struct pay_out *out)
{
    struct sv_error err;
    sv_error_clear(&err);
    if (pay_design_build(pd, d, a->iid, a->lang, &err) < 0) {
        if (!err.source[0] && (a->data || a->store))
            snprintf(err.source, sizeof err.source, "%s", a->data ? a->data : a->store);
        return sv_fail_error(&err);
    }
    if (a->iid)
        sv_note("--weights none: every employee weighs 1 and counts as independent (iid); "
                "the standard errors ignore the employers' clustering and any weights");
    struct sv_imeta *m = &out->t.meta;
    free(m->design);
    m->design = sv_strdup(pd->text);
    free(m->weighting);
    m->weighting = sv_strdup(a->iid ? "none" : pd->weighted ? "design" : "equal");
    if (a->store &&
        analyse_meta_selection(m, a->include, d->partial_left_out, d->rejected_left_out) != 0)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    return 0;
}

int pay_args_covariates(const struct pay_data *d, const char *spec, enum pay_role *cov, size_t *n)
{
    *n = 0;
    char *copy = sv_strdup(spec);
    if (!copy)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    int rc = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",;", &save); tok && !rc; tok = strtok_r(NULL, ",;", &save)) {
        enum pay_role r = PAY_R_COUNT;
        if (pay_role_parse(d, tok, &r) < 0) {
            r = PAY_R_COUNT;
            for (int k = PAY_R_NCAT; k <= PAY_R_HOURS; k++)
                if (strcmp(tok, pay_role_names[k]) == 0 ||
                    (d->var[k] && strcmp(tok, d->var[k]->name) == 0))
                    r = (enum pay_role)k;
        }
        if (r == PAY_R_COUNT || r == PAY_R_SEX) {
            rc = sv_usage_error("--covariates: '%s' is not a covariate (expected seniority, hours, "
                                "region, employer_sector, agreement, job, age_band, csp)", tok);
            break;
        }
        if (!d->var[r]) {
            rc = sv_fail(SV_EXIT_DATA, "--covariates: the survey binds no variable to role '%s'", tok);
            break;
        }
        for (size_t k = 0; k < *n; k++)
            if (cov[k] == r)
                rc = sv_usage_error("--covariates: '%s' given twice", tok);
        if (!rc && *n == 8)
            rc = sv_usage_error("--covariates: at most 8");
        if (!rc)
            cov[(*n)++] = r;
    }
    free(copy);
    return rc;
}
