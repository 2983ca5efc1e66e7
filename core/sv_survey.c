/*
 * sv_survey: loading and validating survey definitions (format in
 * surveys/README.md). jansson stays in this file. Every error names the file
 * and the JSON path of the problem. Tests: tests/core/test_survey.c.
 */
#include "sv_survey.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <jansson.h>

#include "sv_buf.h"
#include "sv_csv.h"
#include "sv_datadir.h"
#include "sv_names.h"

#ifndef VIGIE_SURVEYS_DIR
#define VIGIE_SURVEYS_DIR "surveys"
#endif

static const char *const type_names[] = {"single", "multiple", "integer", "number",
                                         "likert", "yesno",    "date",    "text"};
static const char *const platform_names[SV_PLATFORM_COUNT] = {"limesurvey", "kobo", "odk", "csv"};

const char *sv_var_type_name(enum sv_var_type t)
{
    return (size_t)t < sizeof(type_names) / sizeof(type_names[0]) ? type_names[t] : "?";
}

const char *sv_platform_name(enum sv_platform p)
{
    return (size_t)p < SV_PLATFORM_COUNT ? platform_names[p] : "?";
}

int sv_platform_parse(const char *s, enum sv_platform *out)
{
    int i;

    for (i = 0; i < SV_PLATFORM_COUNT; i++) {
        if (!strcmp(s, platform_names[i])) {
            *out = (enum sv_platform)i;
            return 0;
        }
    }
    return SV_EUSAGE;
}

int sv_lang_parse(const char *s, enum sv_lang *out)
{
    if (!strcmp(s, "fr")) {
        *out = SV_LANG_FR;
        return 0;
    }
    if (!strcmp(s, "en")) {
        *out = SV_LANG_EN;
        return 0;
    }
    return SV_EUSAGE;
}

const char *sv_label_get(const struct sv_label *l, enum sv_lang lang)
{
    if (lang == SV_LANG_EN && l->en)
        return l->en;
    return l->fr ? l->fr : (l->en ? l->en : "");
}

/* VIGIE_SURVEYS, else the installed surveys beside the executable, else the source tree's. */
const char *sv_survey_default_dir(void)
{
    static char installed[4096];
    const char *env = getenv("VIGIE_SURVEYS");
    const char *data;

    if (env && *env)
        return env;
    data = sv_datadir();
    if (data) {
        int n = snprintf(installed, sizeof installed, "%s/surveys", data);
        if (n > 0 && (size_t)n < sizeof installed)
            return installed;
    }
    return VIGIE_SURVEYS_DIR;
}

/*
 * Where shared code lists ("codes": "@regions") are looked for, in order,
 * after the definition's own "codelists" object (surveys/README.md):
 *   1. codelists.json in the definition's own folder;
 *   2. common/codelists.json beside that folder (the bundled layout);
 *   3. $VIGIE_SURVEYS/common/codelists.json;
 *   4. the installed lists, <prefix>/share/vigie/surveys/common/codelists.json;
 *   5. the source tree's surveys/common/codelists.json.
 * The first file holding the list wins; a file that exists but is not a
 * valid code-list file is an error, never skipped.
 */
enum { NCOMMON = 5 };

struct sv_survey_index {
    struct sv_names vars; /* variable name -> index */
};

/* Loading context: the file for messages, the error, code lists. */
struct loader {
    const char *file;
    struct sv_error *err;
    json_t *codelists;        /* the survey's own "codelists" (borrowed) */
    json_t *common[NCOMMON];  /* the shared files' "codelists" objects (owned), NULL = absent */
    bool common_loaded;
    char *dir;
};

static int fail(struct loader *ld, const char *path, const char *fmt, ...) SV_PRINTF(3, 4);
static int fail(struct loader *ld, const char *path, const char *fmt, ...)
{
    char text[SV_ERROR_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sv_error_set(ld->err, SV_EDATA, ld->file, 0, 0, "%s", text);
    sv_error_set_path(ld->err, "%s", path);
    return SV_EDATA;
}

static int oom(struct loader *ld)
{
    return sv_error_set(ld->err, SV_ENOMEM, ld->file, 0, 0, "out of memory");
}

static bool valid_name(const char *s)
{
    const char *p;

    if (!s || !islower((unsigned char)s[0]))
        return false;
    for (p = s; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            return false;
    return true;
}

/* A string member, copied; missing is allowed unless `required`. */
static int get_string(struct loader *ld, json_t *obj, const char *key, const char *path,
                      bool required, char **out)
{
    json_t *v = json_object_get(obj, key);
    char p[SV_ERROR_PATH_MAX];

    *out = NULL;
    snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
    if (!v) {
        if (required)
            return fail(ld, p, "missing required member");
        return 0;
    }
    if (!json_is_string(v))
        return fail(ld, p, "must be a string");
    *out = sv_strdup(json_string_value(v));
    return *out ? 0 : oom(ld);
}

static int get_label(struct loader *ld, json_t *obj, const char *key, const char *path,
                     bool required, struct sv_label *out)
{
    json_t *v = json_object_get(obj, key);
    char p[SV_ERROR_PATH_MAX];
    int rc;

    memset(out, 0, sizeof(*out));
    snprintf(p, sizeof(p), "%s%s%s", path, *path ? "." : "", key);
    if (!v)
        return required ? fail(ld, p, "missing required member") : 0;
    if (json_is_string(v)) {
        out->fr = sv_strdup(json_string_value(v));
        return out->fr ? 0 : oom(ld);
    }
    if (!json_is_object(v))
        return fail(ld, p, "must be an object {\"fr\": ..., \"en\": ...}");
    if ((rc = get_string(ld, v, "fr", p, true, &out->fr)))
        return rc;
    if ((rc = get_string(ld, v, "en", p, false, &out->en)))
        return rc;
    if (!*out->fr)
        return fail(ld, p, "French label is empty");
    return 0;
}

static void label_release(struct sv_label *l)
{
    free(l->fr);
    free(l->en);
}

static int get_platform_names(struct loader *ld, json_t *obj, const char *path,
                              char *out[SV_PLATFORM_COUNT])
{
    json_t *v = json_object_get(obj, "platform");
    char p[SV_ERROR_PATH_MAX];
    const char *key;
    json_t *val;
    int i;

    for (i = 0; i < SV_PLATFORM_COUNT; i++)
        out[i] = NULL;
    if (!v)
        return 0;
    snprintf(p, sizeof(p), "%s.platform", path);
    if (!json_is_object(v))
        return fail(ld, p, "must be an object");
    json_object_foreach(v, key, val)
    {
        enum sv_platform pf;
        char pk[SV_ERROR_PATH_MAX];

        snprintf(pk, sizeof(pk), "%s.%s", p, key);
        if (sv_platform_parse(key, &pf))
            return fail(ld, pk, "unknown platform '%s' (limesurvey, kobo, odk, csv)", key);
        if (!json_is_string(val) || !*json_string_value(val))
            return fail(ld, pk, "must be a non-empty string");
        out[pf] = sv_strdup(json_string_value(val));
        if (!out[pf])
            return oom(ld);
    }
    return 0;
}

/* Load the shared code-list files once (see the list above). Returns 0 or SV_EDATA. */
static int load_common_codelists(struct loader *ld)
{
    struct sv_buf path[NCOMMON];
    const char *env = getenv("VIGIE_SURVEYS");
    const char *data = sv_datadir();
    int rc = 0;

    if (ld->common_loaded)
        return 0;
    ld->common_loaded = true;
    for (int k = 0; k < NCOMMON; k++)
        sv_buf_init(&path[k]);
    sv_buf_addf(&path[0], "%s/codelists.json", ld->dir);
    sv_buf_addf(&path[1], "%s/../common/codelists.json", ld->dir);
    if (env && *env)
        sv_buf_addf(&path[2], "%s/common/codelists.json", env);
    if (data)
        sv_buf_addf(&path[3], "%s/surveys/common/codelists.json", data);
    sv_buf_addf(&path[4], "%s/common/codelists.json", VIGIE_SURVEYS_DIR);
    for (int k = 0; k < NCOMMON && rc == 0; k++) {
        struct stat st;
        json_error_t jerr;
        json_t *root, *inner;
        const char *f = path[k].data;

        if (!f || !*f || stat(f, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        root = json_load_file(f, JSON_REJECT_DUPLICATES, &jerr);
        if (!root) {
            rc = sv_error_set(ld->err, SV_EDATA, f, jerr.line > 0 ? jerr.line : 0,
                              jerr.column > 0 ? jerr.column : 0, "%s", jerr.text);
            break;
        }
        /* The shared file wraps its lists in a "codelists" object. */
        inner = json_object_get(root, "codelists");
        if (!json_is_object(inner)) {
            json_decref(root);
            rc = sv_error_set(ld->err, SV_EDATA, f, 0, 0,
                              "not a code-list file: no \"codelists\" object");
            sv_error_set_path(ld->err, "codelists");
            break;
        }
        ld->common[k] = json_incref(inner);
        json_decref(root);
    }
    for (int k = 0; k < NCOMMON; k++)
        sv_buf_release(&path[k]);
    return rc;
}

static void loader_release(struct loader *ld)
{
    for (int k = 0; k < NCOMMON; k++)
        json_decref(ld->common[k]);
}

static int load_codes(struct loader *ld, struct sv_variable *var, json_t *codes, const char *path)
{
    char p[SV_ERROR_PATH_MAX];
    struct sv_names seen;
    size_t i;

    snprintf(p, sizeof(p), "%s.codes", path);
    if (json_is_string(codes)) {
        const char *ref = json_string_value(codes);
        json_t *list = NULL;

        if (ref[0] != '@')
            return fail(ld, p, "must be a list of codes or a reference such as \"@regions\"");
        if (ld->codelists)
            list = json_object_get(ld->codelists, ref + 1);
        if (!list) {
            int rc = load_common_codelists(ld);
            if (rc)
                return rc;
            for (int k = 0; k < NCOMMON && !list; k++)
                if (ld->common[k])
                    list = json_object_get(ld->common[k], ref + 1);
        }
        if (!list)
            return fail(ld, p,
                        "unknown code list '%s' (not in the definition's \"codelists\" nor in "
                        "a shared codelists.json: see surveys/README.md)",
                        ref);
        codes = list;
    }
    if (!json_is_array(codes) || json_array_size(codes) == 0)
        return fail(ld, p, "must be a non-empty list of codes");
    var->ncodes = json_array_size(codes);
    var->codes = calloc(var->ncodes, sizeof(*var->codes));
    if (!var->codes || sv_names_init(&seen, var->ncodes)) {
        free(var->codes);
        var->codes = NULL;
        var->ncodes = 0;
        return oom(ld);
    }
    for (i = 0; i < var->ncodes; i++) {
        json_t *c = json_array_get(codes, i);
        struct sv_code *code = &var->codes[i];
        char pc[SV_ERROR_PATH_MAX];
        int rc;

        snprintf(pc, sizeof(pc), "%s[%zu]", p, i);
        if (!json_is_object(c))
            rc = fail(ld, pc, "must be an object {\"code\", \"label\"}");
        else if (!(rc = get_string(ld, c, "code", pc, true, &code->code)) &&
                 (!*code->code || strpbrk(code->code, " \t\n;,")))
            rc = fail(ld, pc, "code '%s' is empty or contains a space, ';' or ','", code->code);
        if (rc == 0 && !(rc = get_label(ld, c, "label", pc, true, &code->label)) &&
            !(rc = get_string(ld, c, "parent", pc, false, &code->parent)) &&
            !(rc = get_string(ld, c, "kind", pc, false, &code->kind)))
            rc = get_platform_names(ld, c, pc, code->platform);
        if (rc == 0 && code->kind &&
            (!*code->kind || code->kind[strspn(code->kind, "abcdefghijklmnopqrstuvwxyz_")])) {
            char pk[SV_ERROR_PATH_MAX + 8];
            snprintf(pk, sizeof(pk), "%s.kind", pc);
            rc = fail(ld, pk, "kind '%s' must be lower-case letters and '_'", code->kind);
        }
        if (rc == 0) {
            int added = sv_names_add(&seen, code->code, i, NULL);
            if (added < 0)
                rc = oom(ld);
            else if (added == 1)
                rc = fail(ld, pc, "duplicate code '%s'", code->code);
        }
        if (rc) {
            sv_names_release(&seen);
            return rc;
        }
    }
    sv_names_release(&seen);
    if (var->type == SV_TYPE_LIKERT) {
        for (i = 0; i < var->ncodes; i++) {
            char expect[16];
            snprintf(expect, sizeof(expect), "%zu", i + 1);
            if (strcmp(var->codes[i].code, expect))
                return fail(ld, p, "likert codes must be 1, 2, ... in order");
        }
    }
    return 0;
}

static int get_number(struct loader *ld, json_t *obj, const char *key, const char *path,
                      bool *has, double *out)
{
    json_t *v = json_object_get(obj, key);

    *has = false;
    if (!v)
        return 0;
    if (!json_is_number(v)) {
        char p[SV_ERROR_PATH_MAX];
        snprintf(p, sizeof(p), "%s.%s", path, key);
        return fail(ld, p, "must be a number");
    }
    *has = true;
    *out = json_number_value(v);
    return 0;
}

static int load_variable(struct loader *ld, struct sv_variable *var, json_t *obj, size_t index)
{
    char p[SV_ERROR_PATH_MAX], *s = NULL;
    json_t *codes;
    size_t t;
    int rc;

    snprintf(p, sizeof(p), "variables[%zu]", index);
    if (!json_is_object(obj))
        return fail(ld, p, "must be an object");
    if ((rc = get_string(ld, obj, "name", p, true, &var->name)))
        return rc;
    snprintf(p, sizeof(p), "variables[%zu](%s)", index, var->name);
    if (!valid_name(var->name))
        return fail(ld, p, "invalid variable name '%s' (use [a-z][a-z0-9_]*)", var->name);
    if ((rc = get_string(ld, obj, "type", p, true, &s)))
        return rc;
    for (t = 0; t < sizeof(type_names) / sizeof(type_names[0]); t++)
        if (!strcmp(s, type_names[t]))
            break;
    if (t == sizeof(type_names) / sizeof(type_names[0])) {
        rc = fail(ld, p, "unknown type '%s'", s);
        free(s);
        return rc;
    }
    free(s);
    var->type = (enum sv_var_type)t;
    if ((rc = get_label(ld, obj, "label", p, true, &var->label)))
        return rc;
    if ((rc = get_label(ld, obj, "short_label", p, false, &var->short_label)))
        return rc;
    if ((rc = get_string(ld, obj, "unit", p, false, &var->unit)))
        return rc;
    if ((rc = get_string(ld, obj, "relevant", p, false, &var->relevant)))
        return rc;
    if ((rc = get_string(ld, obj, "within", p, false, &var->within)))
        return rc;
    if ((rc = get_number(ld, obj, "min", p, &var->has_min, &var->min)))
        return rc;
    if ((rc = get_number(ld, obj, "max", p, &var->has_max, &var->max)))
        return rc;
    if (var->has_min && var->has_max && var->min > var->max)
        return fail(ld, p, "min is greater than max");
    if ((var->has_min || var->has_max) && var->type != SV_TYPE_INTEGER &&
        var->type != SV_TYPE_NUMBER)
        return fail(ld, p, "min/max only apply to integer and number variables");
    {
        json_t *req = json_object_get(obj, "required");
        if (req && !json_is_boolean(req))
            return fail(ld, p, "'required' must be true or false");
        var->required = req && json_is_true(req);
    }
    if ((rc = get_string(ld, obj, "personal", p, false, &s)))
        return rc;
    if (!s || !strcmp(s, "no"))
        var->personal = SV_PERSONAL_NO;
    else if (!strcmp(s, "drop"))
        var->personal = SV_PERSONAL_DROP;
    else if (!strcmp(s, "hash"))
        var->personal = SV_PERSONAL_HASH;
    else {
        rc = fail(ld, p, "'personal' must be \"no\", \"drop\" or \"hash\", not '%s'", s);
        free(s);
        return rc;
    }
    free(s);
    if ((rc = get_platform_names(ld, obj, p, var->platform)))
        return rc;
    codes = json_object_get(obj, "codes");
    if (var->type == SV_TYPE_SINGLE || var->type == SV_TYPE_MULTIPLE ||
        var->type == SV_TYPE_LIKERT) {
        if (!codes)
            return fail(ld, p, "a %s variable needs 'codes'", type_names[var->type]);
        if ((rc = load_codes(ld, var, codes, p)))
            return rc;
    } else if (codes) {
        return fail(ld, p, "'codes' only apply to single, multiple and likert variables");
    }
    return 0;
}

static void variable_release(struct sv_variable *v)
{
    size_t i;
    int p;

    free(v->name);
    label_release(&v->label);
    label_release(&v->short_label);
    free(v->unit);
    free(v->relevant);
    free(v->within);
    for (i = 0; i < v->ncodes; i++) {
        free(v->codes[i].code);
        label_release(&v->codes[i].label);
        free(v->codes[i].parent);
        free(v->codes[i].kind);
        for (p = 0; p < SV_PLATFORM_COUNT; p++)
            free(v->codes[i].platform[p]);
    }
    free(v->codes);
    for (p = 0; p < SV_PLATFORM_COUNT; p++)
        free(v->platform[p]);
}

/* Load a "roles" object; every role must name an existing variable. */
static int load_roles(struct loader *ld, const struct sv_survey *s, json_t *obj,
                      const char *path, struct sv_role **out, size_t *n)
{
    const char *key;
    json_t *val;
    size_t i = 0;

    *out = NULL;
    *n = 0;
    if (!obj)
        return 0;
    if (!json_is_object(obj))
        return fail(ld, path, "must be an object mapping role names to variables");
    *out = calloc(json_object_size(obj) + 1, sizeof(**out));
    if (!*out)
        return oom(ld);
    json_object_foreach(obj, key, val)
    {
        char p[SV_ERROR_PATH_MAX];
        struct sv_buf joined = SV_BUF_INIT;
        struct sv_role *r = &(*out)[i++];

        *n = i;
        snprintf(p, sizeof(p), "%s.%s", path, key);
        r->role = sv_strdup(key);
        if (!r->role)
            return oom(ld);
        if (json_is_string(val)) {
            sv_buf_adds(&joined, json_string_value(val));
        } else if (json_is_array(val) && json_array_size(val) > 0) {
            size_t k;
            for (k = 0; k < json_array_size(val); k++) {
                json_t *e = json_array_get(val, k);
                if (!json_is_string(e)) {
                    sv_buf_release(&joined);
                    return fail(ld, p, "list roles must hold variable names");
                }
                if (k)
                    sv_buf_addc(&joined, ',');
                sv_buf_adds(&joined, json_string_value(e));
            }
        } else {
            return fail(ld, p, "must be a variable name or a list of them");
        }
        r->variable = sv_buf_detach(&joined, NULL);
        if (!r->variable)
            return oom(ld);
        /* Check every named variable exists. */
        {
            char *copy = sv_strdup(r->variable), *tok, *save = NULL;
            if (!copy)
                return oom(ld);
            for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (!sv_survey_variable(s, tok)) {
                    int rc = fail(ld, p, "role refers to unknown variable '%s'", tok);
                    free(copy);
                    return rc;
                }
            }
            free(copy);
        }
    }
    return 0;
}

static void roles_free(struct sv_role *roles, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(roles[i].role);
        free(roles[i].variable);
    }
    free(roles);
}

/* The frame rows' keys with their lines, to find a stratum given twice. */
struct frame_key {
    char *key; /* the codes joined by '\x1f' */
    long line;
};
struct frame_keys {
    struct frame_key *k;
    size_t n, cap;
};

static int frame_key_add(struct frame_keys *ks, const struct sv_frame *fr, size_t r, long line,
                         struct loader *ld)
{
    struct sv_buf b = SV_BUF_INIT;
    size_t k;
    if (ks->n == ks->cap) {
        size_t nc = ks->cap ? ks->cap * 2 : 64;
        struct frame_key *nk = realloc(ks->k, nc * sizeof(*nk));
        if (!nk)
            return oom(ld);
        ks->k = nk;
        ks->cap = nc;
    }
    for (k = 0; k < fr->nvars; k++)
        sv_buf_addf(&b, "%s%s", k ? "\x1f" : "", fr->rows[r].keys[k]);
    ks->k[ks->n].key = sv_buf_detach(&b, NULL);
    if (!ks->k[ks->n].key)
        return oom(ld);
    ks->k[ks->n++].line = line;
    return 0;
}

static int frame_key_cmp(const void *a, const void *b)
{
    const struct frame_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

/* A stratum given twice would count its units twice (or pick one count): refuse it. */
static int frame_keys_check(struct frame_keys *ks, const char *path, struct loader *ld)
{
    size_t i;
    if (ks->n > 1)
        qsort(ks->k, ks->n, sizeof(*ks->k), frame_key_cmp);
    for (i = 1; i < ks->n; i++) {
        if (strcmp(ks->k[i - 1].key, ks->k[i].key) == 0) {
            struct sv_buf name = SV_BUF_INIT;
            const char *p;
            int rc;
            for (p = ks->k[i].key; *p; p++)
                sv_buf_addf(&name, "%c", *p == '\x1f' ? ';' : *p);
            rc = sv_error_set(ld->err, SV_EDATA, path, ks->k[i].line, 0,
                              "stratum '%s' is repeated (first on line %ld)",
                              name.data ? name.data : "", ks->k[i - 1].line);
            sv_buf_release(&name);
            return rc;
        }
    }
    return 0;
}

static int load_frame(struct loader *ld, struct sv_survey *s, json_t *obj)
{
    struct sv_frame *fr = &s->frame;
    struct sv_csv_reader rd;
    struct sv_buf path = SV_BUF_INIT;
    char *file = NULL, *count = NULL;
    json_t *strata;
    long *col = NULL, count_col = -1;
    size_t i, cap = 0;
    FILE *fp = NULL;
    struct frame_keys keys = {NULL, 0, 0};
    int rc;

    if (!obj)
        return 0;
    if (!json_is_object(obj))
        return fail(ld, "frame", "must be an object");
    if ((rc = get_string(ld, obj, "file", "frame", true, &file)) ||
        (rc = get_string(ld, obj, "count", "frame", true, &count)))
        goto done;
    {
        struct sv_label ul;
        if ((rc = get_label(ld, obj, "unit_label", "frame", false, &ul)))
            goto done;
        fr->unit_label_fr = ul.fr;
        fr->unit_label_en = ul.en;
    }
    strata = json_object_get(obj, "strata");
    if (!json_is_array(strata) || json_array_size(strata) == 0) {
        rc = fail(ld, "frame.strata", "must be a non-empty list of variable names");
        goto done;
    }
    fr->nvars = json_array_size(strata);
    fr->vars = calloc(fr->nvars, sizeof(*fr->vars));
    col = calloc(fr->nvars, sizeof(*col));
    if (!fr->vars || !col) {
        rc = oom(ld);
        goto done;
    }
    for (i = 0; i < fr->nvars; i++) {
        json_t *e = json_array_get(strata, i);
        char p[64];
        snprintf(p, sizeof(p), "frame.strata[%zu]", i);
        if (!json_is_string(e) || !sv_survey_variable(s, json_string_value(e))) {
            rc = fail(ld, p, "must name a variable of the survey");
            goto done;
        }
        fr->vars[i] = sv_strdup(json_string_value(e));
        col[i] = -1;
    }
    sv_buf_addf(&path, "%s/%s", s->dir, file);
    fp = fopen(path.data, "rb");
    if (!fp) {
        rc = sv_error_set(ld->err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path.data, 0, 0,
                          "cannot open frame file: %s", strerror(errno));
        goto done;
    }
    if ((rc = sv_csv_reader_init(&rd, fp, path.data, 0, ld->err)))
        goto done;
    rc = sv_csv_read(&rd, ld->err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(ld->err, SV_EDATA, path.data, 1, 0, "empty frame file");
        sv_csv_reader_release(&rd);
        goto done;
    }
    for (i = 0; i < rd.nfields; i++) {
        size_t k;
        for (k = 0; k < fr->nvars; k++)
            if (!strcmp(rd.fields[i], fr->vars[k]))
                col[k] = (long)i;
        if (!strcmp(rd.fields[i], count))
            count_col = (long)i;
    }
    for (i = 0; i < fr->nvars; i++) {
        if (col[i] < 0) {
            rc = sv_error_set(ld->err, SV_EDATA, path.data, 1, 0, "missing column '%s'",
                              fr->vars[i]);
            sv_csv_reader_release(&rd);
            goto done;
        }
    }
    if (count_col < 0) {
        rc = sv_error_set(ld->err, SV_EDATA, path.data, 1, 0, "missing count column '%s'", count);
        sv_csv_reader_release(&rd);
        goto done;
    }
    while ((rc = sv_csv_read(&rd, ld->err)) == 1) {
        struct sv_frame_row *row;
        char *end;
        size_t k;

        if (rd.nfields == 1 && !rd.fields[0][0])
            continue;
        if (fr->nrows == cap) {
            size_t nc = cap ? cap * 2 : 64;
            struct sv_frame_row *nr = realloc(fr->rows, nc * sizeof(*nr));
            if (!nr) {
                rc = oom(ld);
                break;
            }
            fr->rows = nr;
            cap = nc;
        }
        row = &fr->rows[fr->nrows];
        memset(row, 0, sizeof(*row));
        row->keys = calloc(fr->nvars, sizeof(*row->keys));
        if (!row->keys) {
            rc = oom(ld);
            break;
        }
        fr->nrows++;
        if ((size_t)count_col >= rd.nfields) {
            rc = sv_error_set(ld->err, SV_EDATA, path.data, rd.record_line, 0,
                              "too few fields");
            break;
        }
        for (k = 0; k < fr->nvars; k++) {
            const struct sv_variable *v = sv_survey_variable(s, fr->vars[k]);
            const char *key = (size_t)col[k] < rd.nfields ? rd.fields[col[k]] : "";
            if (v->ncodes && !sv_variable_code(v, key)) {
                rc = sv_error_set(ld->err, SV_EDATA, path.data, rd.record_line, 0,
                                  "unknown code '%s' for '%s'", key, v->name);
                break;
            }
            row->keys[k] = sv_strdup(key);
        }
        if (rc < 0)
            break;
        errno = 0;
        row->count = strtod(rd.fields[count_col], &end);
        /* decimal digits only: strtod would also take nan, inf and hexadecimal */
        if (errno || *end || end == rd.fields[count_col] || !isfinite(row->count) ||
            row->count < 0 ||
            rd.fields[count_col][strspn(rd.fields[count_col], "0123456789.eE+-")]) {
            rc = sv_error_set(ld->err, SV_EDATA, path.data, rd.record_line, 0,
                              "count '%s' is not a finite non-negative number",
                              rd.fields[count_col]);
            break;
        }
        if ((rc = frame_key_add(&keys, fr, fr->nrows - 1, rd.record_line, ld)) < 0)
            break;
    }
    sv_csv_reader_release(&rd);
    if (rc > 0)
        rc = 0;
    if (rc == 0)
        rc = frame_keys_check(&keys, path.data, ld);
done:
    for (i = 0; i < keys.n; i++)
        free(keys.k[i].key);
    free(keys.k);
    if (fp)
        fclose(fp);
    free(col);
    free(file);
    free(count);
    sv_buf_release(&path);
    return rc;
}

/* Resolve a path or bare id to the survey.json file and its directory. */
static int resolve(const char *path, char **file_out, char **dir_out, struct sv_error *err)
{
    struct sv_buf b = SV_BUF_INIT;
    struct stat st;

    *file_out = *dir_out = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        sv_buf_addf(&b, "%s/survey.json", path);
        if (stat(b.data, &st) != 0) {
            sv_buf_release(&b);
            return sv_error_set(err, SV_ENOTFOUND, path, 0, 0,
                                "not a survey definition: no survey.json in this directory");
        }
        *dir_out = sv_strdup(path);
    } else if (stat(path, &st) == 0) {
        const char *slash = strrchr(path, '/');
        sv_buf_adds(&b, path);
        *dir_out = slash ? strndup(path, (size_t)(slash - path)) : sv_strdup(".");
    } else if (!strchr(path, '/') && valid_name(path)) {
        sv_buf_addf(&b, "%s/%s/survey.json", sv_survey_default_dir(), path);
        if (stat(b.data, &st) != 0) {
            sv_buf_release(&b);
            return sv_error_set(err, SV_ENOTFOUND, path, 0, 0,
                                "no such survey (looked in '%s')", sv_survey_default_dir());
        }
        sv_buf_reset(&b);
        sv_buf_addf(&b, "%s/%s", sv_survey_default_dir(), path);
        *dir_out = sv_buf_detach(&b, NULL);
        sv_buf_addf(&b, "%s/survey.json", *dir_out);
    } else if (!strchr(path, '/')) {
        sv_buf_release(&b);
        return sv_error_set(err, SV_ENOTFOUND, path, 0, 0,
                            "no such directory, and not a survey id (ids are [a-z][a-z0-9_]*: "
                            "lower-case ASCII letters, digits and '_', starting with a letter)");
    } else {
        sv_buf_release(&b);
        return sv_error_set(err, SV_ENOTFOUND, path, 0, 0, "no such survey definition: %s",
                            strerror(ENOENT));
    }
    *file_out = sv_buf_detach(&b, NULL);
    if (!*file_out || !*dir_out) {
        free(*file_out);
        free(*dir_out);
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    }
    return 0;
}

int sv_survey_load(struct sv_survey **out, const char *path, struct sv_error *err)
{
    struct loader ld = {0};
    struct sv_survey *s;
    json_error_t jerr;
    json_t *root = NULL, *vars, *fams;
    char *fmt = NULL;
    size_t i, j;
    int rc;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s)
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    if ((rc = resolve(path, &s->file, &s->dir, err)))
        goto fail;
    ld.file = s->file;
    ld.err = err;
    ld.dir = s->dir;
    root = json_load_file(s->file, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = sv_error_set(err, errno == ENOENT && jerr.line < 1 ? SV_ENOTFOUND : SV_EDATA,
                          s->file, jerr.line > 0 ? jerr.line : 0,
                          jerr.column > 0 ? jerr.column : 0, "%s", jerr.text);
        goto fail;
    }
    if (!json_is_object(root)) {
        rc = fail(&ld, "$", "the definition must be a JSON object");
        goto fail;
    }
    if ((rc = get_string(&ld, root, "format", "", true, &fmt)))
        goto fail;
    if (strcmp(fmt, "vigie-survey/1")) {
        rc = fail(&ld, "format", "unsupported format '%s' (expected \"vigie-survey/1\")", fmt);
        goto fail;
    }
    if ((rc = get_string(&ld, root, "id", "", true, &s->id)) ||
        (rc = get_string(&ld, root, "version", "", true, &s->version)) ||
        (rc = get_string(&ld, root, "wave", "", false, &s->wave)) ||
        (rc = get_string(&ld, root, "unit", "", true, &s->unit)) ||
        (rc = get_label(&ld, root, "title", "", true, &s->title)) ||
        (rc = get_label(&ld, root, "source", "", true, &s->source)))
        goto fail;
    if (!valid_name(s->id)) {
        rc = fail(&ld, "id",
                  "invalid survey id '%s' (use [a-z][a-z0-9_]*: lower-case ASCII letters, "
                  "digits and '_', starting with a letter)",
                  s->id);
        goto fail;
    }
    if (strcmp(s->unit, "establishment") && strcmp(s->unit, "employee")) {
        rc = fail(&ld, "unit", "unit must be \"establishment\" or \"employee\", not '%s'",
                  s->unit);
        goto fail;
    }
    ld.codelists = json_object_get(root, "codelists");
    if (ld.codelists && !json_is_object(ld.codelists)) {
        rc = fail(&ld, "codelists", "must be an object of named code lists");
        goto fail;
    }
    vars = json_object_get(root, "variables");
    if (!json_is_array(vars) || json_array_size(vars) == 0) {
        rc = fail(&ld, "variables", "must be a non-empty list");
        goto fail;
    }
    s->nvariables = json_array_size(vars);
    s->variables = calloc(s->nvariables, sizeof(*s->variables));
    if (!s->variables) {
        rc = oom(&ld);
        goto fail;
    }
    s->index = calloc(1, sizeof(*s->index));
    if (!s->index || sv_names_init(&s->index->vars, s->nvariables)) {
        rc = oom(&ld);
        goto fail;
    }
    /* names are looked up in a table: loading is linear in the number of variables */
    for (i = 0; i < s->nvariables; i++) {
        size_t first;
        int added;

        if ((rc = load_variable(&ld, &s->variables[i], json_array_get(vars, i), i)))
            goto fail;
        added = sv_names_add(&s->index->vars, s->variables[i].name, i, &first);
        if (added < 0) {
            rc = oom(&ld);
            goto fail;
        }
        if (added == 1) {
            char p[64];
            snprintf(p, sizeof(p), "variables[%zu]", i);
            rc = fail(&ld, p, "duplicate variable name '%s' (also variables[%zu])",
                      s->variables[i].name, first);
            goto fail;
        }
    }
    /* "relevant" conditions must refer to existing variables and codes. */
    for (i = 0; i < s->nvariables; i++) {
        const char *rel = s->variables[i].relevant;
        const char *eq;
        char name[128], p[SV_ERROR_PATH_MAX];
        const struct sv_variable *ref;

        if (!rel)
            continue;
        snprintf(p, sizeof(p), "variables[%zu](%s).relevant", i, s->variables[i].name);
        eq = strchr(rel, '=');
        if (!eq || eq == rel || (size_t)(eq - rel) >= sizeof(name)) {
            rc = fail(&ld, p, "must read \"variable=code\", not '%s'", rel);
            goto fail;
        }
        memcpy(name, rel, (size_t)(eq - rel));
        name[eq - rel] = '\0';
        ref = sv_survey_variable(s, name);
        if (!ref) {
            rc = fail(&ld, p, "refers to unknown variable '%s'", name);
            goto fail;
        }
        if (ref == &s->variables[i]) {
            /* it would switch off its own required check when unanswered */
            rc = fail(&ld, p, "refers to the variable itself: a question cannot depend on its "
                              "own answer");
            goto fail;
        }
        if (ref->ncodes && !sv_variable_code(ref, eq + 1)) {
            rc = fail(&ld, p, "refers to unknown code '%s'", eq + 1);
            goto fail;
        }
    }
    /* "within": every code must name, as its parent, a code of that variable. */
    for (i = 0; i < s->nvariables; i++) {
        const struct sv_variable *v = &s->variables[i];
        const struct sv_variable *outer;
        char p[SV_ERROR_PATH_MAX];

        if (!v->within)
            continue;
        snprintf(p, sizeof(p), "variables[%zu](%s).within", i, v->name);
        outer = sv_survey_variable(s, v->within);
        if (!outer || outer == v || outer->type != SV_TYPE_SINGLE) {
            rc = fail(&ld, p, "must name another single-choice variable, not '%s'", v->within);
            goto fail;
        }
        if (v->type != SV_TYPE_SINGLE) {
            rc = fail(&ld, p, "only applies to single-choice variables");
            goto fail;
        }
        for (j = 0; j < v->ncodes; j++) {
            if (!v->codes[j].parent || !sv_variable_code(outer, v->codes[j].parent)) {
                snprintf(p, sizeof(p), "variables[%zu](%s).codes[%zu]", i, v->name, j);
                rc = fail(&ld, p, "code '%s' has no parent among the codes of '%s'",
                          v->codes[j].code, outer->name);
                goto fail;
            }
        }
    }
    if ((rc = load_roles(&ld, s, json_object_get(root, "roles"), "roles", &s->roles,
                         &s->nroles)))
        goto fail;
    fams = json_object_get(root, "families");
    if (fams) {
        if (!json_is_array(fams)) {
            rc = fail(&ld, "families", "must be a list");
            goto fail;
        }
        s->nfamilies = json_array_size(fams);
        s->families = calloc(s->nfamilies + 1, sizeof(*s->families));
        if (!s->families) {
            rc = oom(&ld);
            goto fail;
        }
        for (i = 0; i < s->nfamilies; i++) {
            json_t *f = json_array_get(fams, i);
            char p[64], pr[80];
            snprintf(p, sizeof(p), "families[%zu]", i);
            snprintf(pr, sizeof(pr), "families[%zu].roles", i);
            if (!json_is_object(f)) {
                rc = fail(&ld, p, "must be an object");
                goto fail;
            }
            if ((rc = get_string(&ld, f, "code", p, true, &s->families[i].code)) ||
                (rc = get_label(&ld, f, "label", p, true, &s->families[i].label)) ||
                (rc = load_roles(&ld, s, json_object_get(f, "roles"), pr,
                                 &s->families[i].roles, &s->families[i].nroles)))
                goto fail;
        }
    }
    if ((rc = load_frame(&ld, s, json_object_get(root, "frame"))))
        goto fail;
    free(fmt);
    json_decref(root);
    loader_release(&ld);
    *out = s;
    return 0;
fail:
    free(fmt);
    json_decref(root);
    loader_release(&ld);
    sv_survey_free(s);
    return rc ? rc : SV_ERROR;
}

void sv_survey_free(struct sv_survey *s)
{
    size_t i, k;

    if (!s)
        return;
    free(s->id);
    free(s->version);
    free(s->wave);
    free(s->unit);
    label_release(&s->title);
    label_release(&s->source);
    for (i = 0; i < s->nvariables; i++)
        variable_release(&s->variables[i]);
    free(s->variables);
    roles_free(s->roles, s->nroles);
    for (i = 0; i < s->nfamilies; i++) {
        free(s->families[i].code);
        label_release(&s->families[i].label);
        roles_free(s->families[i].roles, s->families[i].nroles);
    }
    free(s->families);
    for (i = 0; i < s->frame.nrows; i++) {
        if (s->frame.rows[i].keys)
            for (k = 0; k < s->frame.nvars; k++)
                free(s->frame.rows[i].keys[k]);
        free(s->frame.rows[i].keys);
    }
    free(s->frame.rows);
    for (k = 0; k < s->frame.nvars; k++)
        free(s->frame.vars[k]);
    free(s->frame.vars);
    free(s->frame.unit_label_fr);
    free(s->frame.unit_label_en);
    free(s->dir);
    free(s->file);
    if (s->index) {
        sv_names_release(&s->index->vars);
        free(s->index);
    }
    free(s);
}

const struct sv_variable *sv_survey_variable(const struct sv_survey *s, const char *name)
{
    size_t i;

    if (s->index) {
        if (sv_names_get(&s->index->vars, name, &i) && i < s->nvariables)
            return &s->variables[i];
        return NULL;
    }
    for (i = 0; i < s->nvariables; i++)
        if (s->variables[i].name && !strcmp(s->variables[i].name, name))
            return &s->variables[i];
    return NULL;
}

static const char *find_role(const struct sv_role *roles, size_t n, const char *role)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (roles[i].role && !strcmp(roles[i].role, role))
            return roles[i].variable;
    return NULL;
}

const char *sv_survey_role(const struct sv_survey *s, const char *role)
{
    return find_role(s->roles, s->nroles, role);
}

const char *sv_family_role(const struct sv_family *f, const char *role)
{
    return find_role(f->roles, f->nroles, role);
}

const struct sv_code *sv_variable_code(const struct sv_variable *v, const char *code)
{
    size_t i;

    for (i = 0; i < v->ncodes; i++)
        if (!strcmp(v->codes[i].code, code))
            return &v->codes[i];
    return NULL;
}

const char *sv_survey_code_label(const struct sv_survey *s, const char *var, const char *code,
                                 enum sv_lang lang)
{
    const struct sv_variable *v = sv_survey_variable(s, var);
    const struct sv_code *c = v ? sv_variable_code(v, code) : NULL;

    return c ? sv_label_get(&c->label, lang) : code;
}
