/*
 * sv_record: schemas derived from a survey definition, normalised records,
 * and normalisation of platform fields. Tests: tests/core/test_record.c.
 */
#include "sv_record.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sv_buf.h"
#include "sv_names.h"

/* One entry of a per-platform lookup: platform field name -> variable. */
struct field_entry {
    const char *key; /* borrowed from the survey */
    size_t var;      /* index into survey->variables */
};

struct sv_schema_index {
    struct field_entry *by_platform[SV_PLATFORM_COUNT];
    size_t n[SV_PLATFORM_COUNT];
    long *first_column; /* per variable: its first column, or -1 (dropped) */
    struct sv_names columns; /* column name -> index */
};

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct field_entry *)a)->key, ((const struct field_entry *)b)->key);
}

static const char *platform_field(const struct sv_variable *v, enum sv_platform p)
{
    return v->platform[p] ? v->platform[p] : v->name;
}

static int add_column(struct sv_schema *s, size_t *cap, const char *name,
                      const struct sv_variable *v, const struct sv_code *c)
{
    if (s->ncolumns == *cap) {
        size_t nc = *cap ? *cap * 2 : 32;
        struct sv_column *cols = realloc(s->columns, nc * sizeof(*cols));
        if (!cols)
            return SV_ENOMEM;
        s->columns = cols;
        *cap = nc;
    }
    s->columns[s->ncolumns].name = sv_strdup(name);
    if (!s->columns[s->ncolumns].name)
        return SV_ENOMEM;
    s->columns[s->ncolumns].variable = v;
    s->columns[s->ncolumns].code = c;
    s->ncolumns++;
    return 0;
}

int sv_schema_new(struct sv_schema **out, const struct sv_survey *survey, struct sv_error *err)
{
    struct sv_schema *s;
    size_t i, k, cap = 0;
    int p;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s || !(s->index = calloc(1, sizeof(*s->index))))
        goto nomem;
    s->survey = survey;
    s->index->first_column = calloc(survey->nvariables + 1, sizeof(long));
    if (!s->index->first_column)
        goto nomem;
    for (i = 0; i < survey->nvariables; i++) {
        const struct sv_variable *v = &survey->variables[i];

        s->index->first_column[i] = -1;
        if (v->personal == SV_PERSONAL_DROP)
            continue;
        s->index->first_column[i] = (long)s->ncolumns;
        if (v->type == SV_TYPE_MULTIPLE) {
            for (k = 0; k < v->ncodes; k++) {
                struct sv_buf name = SV_BUF_INIT;
                int rc = sv_buf_addf(&name, "%s.%s", v->name, v->codes[k].code);
                if (!rc)
                    rc = add_column(s, &cap, name.data, v, &v->codes[k]);
                sv_buf_release(&name);
                if (rc)
                    goto nomem;
            }
        } else if (add_column(s, &cap, v->name, v, NULL)) {
            goto nomem;
        }
    }
    if (sv_names_init(&s->index->columns, s->ncolumns))
        goto nomem;
    for (i = 0; i < s->ncolumns; i++)
        if (sv_names_add(&s->index->columns, s->columns[i].name, i, NULL) < 0)
            goto nomem;
    for (p = 0; p < SV_PLATFORM_COUNT; p++) {
        s->index->by_platform[p] = calloc(survey->nvariables + 1, sizeof(struct field_entry));
        if (!s->index->by_platform[p])
            goto nomem;
        for (i = 0; i < survey->nvariables; i++) {
            s->index->by_platform[p][i].key = platform_field(&survey->variables[i], p);
            s->index->by_platform[p][i].var = i;
        }
        s->index->n[p] = survey->nvariables;
        qsort(s->index->by_platform[p], survey->nvariables, sizeof(struct field_entry),
              cmp_entry);
    }
    *out = s;
    return 0;
nomem:
    sv_schema_free(s);
    return sv_error_set(err, SV_ENOMEM, survey->file, 0, 0, "out of memory");
}

void sv_schema_free(struct sv_schema *s)
{
    size_t i;
    int p;

    if (!s)
        return;
    for (i = 0; i < s->ncolumns; i++)
        free(s->columns[i].name);
    free(s->columns);
    if (s->index) {
        for (p = 0; p < SV_PLATFORM_COUNT; p++)
            free(s->index->by_platform[p]);
        free(s->index->first_column);
        sv_names_release(&s->index->columns);
        free(s->index);
    }
    free(s);
}

long sv_schema_index(const struct sv_schema *schema, const char *name)
{
    size_t i;

    return sv_names_get(&schema->index->columns, name, &i) ? (long)i : -1;
}

int sv_record_new(struct sv_record **out, const struct sv_schema *schema)
{
    struct sv_record *r = calloc(1, sizeof(*r));

    *out = NULL;
    if (!r)
        return SV_ENOMEM;
    r->nvalues = schema->ncolumns;
    r->values = calloc(schema->ncolumns + 1, sizeof(*r->values));
    if (!r->values) {
        free(r);
        return SV_ENOMEM;
    }
    *out = r;
    return 0;
}

void sv_record_free(struct sv_record *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->nvalues; i++)
        free(r->values[i]);
    free(r->values);
    free(r->source);
    free(r->id);
    free(r->submitted);
    free(r);
}

int sv_record_set(struct sv_record *r, size_t i, const char *value)
{
    char *copy = NULL;

    if (i >= r->nvalues)
        return SV_EUSAGE;
    if (value && !(copy = sv_strdup(value)))
        return SV_ENOMEM;
    free(r->values[i]);
    r->values[i] = copy;
    return 0;
}

static const struct field_entry *lookup(const struct sv_schema *s, enum sv_platform p,
                                        const char *key)
{
    struct field_entry probe = {key, 0};

    return bsearch(&probe, s->index->by_platform[p], s->index->n[p], sizeof(probe), cmp_entry);
}

long sv_schema_csv_column(const struct sv_schema *schema, const char *name)
{
    const struct field_entry *e;
    const struct sv_variable *v;

    e = lookup(schema, SV_PLATFORM_CSV, name);
    if (!e)
        return -1;
    v = &schema->survey->variables[e->var];
    if (v->type == SV_TYPE_MULTIPLE || !v->platform[SV_PLATFORM_CSV])
        return -1;
    return schema->index->first_column[e->var];
}

/* Parse a number written with '.' or ',' as decimal sign; surrounding blanks allowed. */
static int parse_number(const char *s, double *out)
{
    char buf[128], *end, *c;
    size_t n;

    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    c = strchr(buf, ',');
    if (c) {
        if (strchr(buf, '.') || strchr(c + 1, ','))
            return -1;
        *c = '.';
    }
    if (strpbrk(buf, "xXpP") || strstr(buf, "nan") || strstr(buf, "inf") ||
        strstr(buf, "NAN") || strstr(buf, "INF"))
        return -1;
    errno = 0;
    *out = strtod(buf, &end);
    if (errno || *end || !isfinite(*out))
        return -1;
    return 0;
}

static void canonical_number(char *out, size_t size, double x)
{
    if (x == 0)
        x = 0; /* no "-0" */
    snprintf(out, size, "%.15g", x);
}

static bool parse_yesno(const char *s, const char **out)
{
    static const char *const yes[] = {"y", "yes", "oui", "o", "1", "true", "vrai"};
    static const char *const no[] = {"n", "no", "non", "0", "false", "faux"};
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        if (!strcasecmp(s, yes[i])) {
            *out = "1";
            return true;
        }
    for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        if (!strcasecmp(s, no[i])) {
            *out = "0";
            return true;
        }
    return false;
}

static bool valid_date(const char *s)
{
    int y, m, d;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    if (strlen(s) < 10)
        return false;
    for (int i = 0; i < 10; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return false;
        } else if (!isdigit((unsigned char)s[i])) {
            return false;
        }
    }
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return s[10] == '\0' || s[10] == ' ' || s[10] == 'T';
}

static const struct sv_code *find_code(const struct sv_variable *v, enum sv_platform p,
                                       const char *raw)
{
    size_t i;

    for (i = 0; i < v->ncodes; i++) {
        const char *pc = v->codes[i].platform[p];
        if (pc ? !strcmp(pc, raw) : !strcmp(v->codes[i].code, raw))
            return &v->codes[i];
    }
    /* A platform may also deliver the canonical code itself. */
    for (i = 0; i < v->ncodes; i++)
        if (!strcmp(v->codes[i].code, raw))
            return &v->codes[i];
    return NULL;
}

static int data_error(struct sv_error *err, const struct sv_variable *v, const char *fmt, ...)
    SV_PRINTF(3, 4);
static int data_error(struct sv_error *err, const struct sv_variable *v, const char *fmt, ...)
{
    char text[SV_ERROR_TEXT_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    sv_error_set(err, SV_EDATA, NULL, 0, 0, "%s", text);
    sv_error_set_path(err, "%s", v->name);
    return SV_EDATA;
}

static int range_error(struct sv_error *err, const struct sv_variable *v, double x)
{
    char msg[160];

    if (v->has_min && x < v->min)
        snprintf(msg, sizeof(msg), "value %.15g below minimum %.15g", x, v->min);
    else
        snprintf(msg, sizeof(msg), "value %.15g above maximum %.15g", x, v->max);
    return data_error(err, v, "%s", msg);
}

/*
 * Canonical form of one scalar value of `v` (not multiple choice) into buf.
 * *out points at buf or at a constant. Returns 0 or SV_EDATA.
 */
static int canonical_scalar(const struct sv_variable *v, enum sv_platform p, const char *raw,
                            char *buf, size_t size, const char **out, struct sv_error *err)
{
    double x;
    const struct sv_code *c;
    const char *yn;

    switch (v->type) {
    case SV_TYPE_SINGLE:
    case SV_TYPE_LIKERT:
        c = find_code(v, p, raw);
        if (!c)
            return data_error(err, v, "unknown code '%s'", raw);
        *out = c->code;
        return 0;
    case SV_TYPE_YESNO:
        if (!parse_yesno(raw, &yn))
            return data_error(err, v, "'%s' is not a yes/no answer", raw);
        *out = yn;
        return 0;
    case SV_TYPE_INTEGER:
    case SV_TYPE_NUMBER:
        if (parse_number(raw, &x))
            return data_error(err, v, "'%s' is not a number", raw);
        if (v->type == SV_TYPE_INTEGER && x != floor(x))
            return data_error(err, v, "'%s' is not a whole number", raw);
        if ((v->has_min && x < v->min) || (v->has_max && x > v->max))
            return range_error(err, v, x);
        canonical_number(buf, size, x);
        *out = buf;
        return 0;
    case SV_TYPE_DATE:
        if (!valid_date(raw))
            return data_error(err, v, "'%s' is not a date (YYYY-MM-DD)", raw);
        snprintf(buf, size, "%.10s", raw);
        *out = buf;
        return 0;
    case SV_TYPE_TEXT:
    case SV_TYPE_MULTIPLE:
        *out = raw;
        return 0;
    }
    return data_error(err, v, "unsupported type");
}

/* Set the 0/1 columns of multiple-choice `v` from a space-separated list. */
static int set_multiple_list(struct sv_record *rec, const struct sv_schema *s, size_t vi,
                             enum sv_platform p, const char *raw, struct sv_error *err)
{
    const struct sv_variable *v = &s->survey->variables[vi];
    long first = s->index->first_column[vi];
    char *copy = sv_strdup(raw), *tok, *save = NULL;
    size_t k;

    if (!copy)
        return SV_ENOMEM;
    for (k = 0; k < v->ncodes; k++)
        if (sv_record_set(rec, (size_t)first + k, "0"))
            goto nomem;
    for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
        const struct sv_code *c = find_code(v, p, tok);
        if (!c) {
            int rc = data_error(err, v, "unknown code '%s'", tok);
            free(copy);
            return rc;
        }
        if (sv_record_set(rec, (size_t)first + (size_t)(c - v->codes), "1"))
            goto nomem;
    }
    free(copy);
    return 0;
nomem:
    free(copy);
    return SV_ENOMEM;
}

/* LimeSurvey "var[CODE]" column of a multiple-choice variable: "Y" ticked, "" not. */
static int set_multiple_column(struct sv_record *rec, const struct sv_schema *s, size_t vi,
                               const char *sub, const char *raw, unsigned char *seen,
                               struct sv_error *err)
{
    const struct sv_variable *v = &s->survey->variables[vi];
    long first = s->index->first_column[vi];
    const struct sv_code *c = find_code(v, SV_PLATFORM_LIMESURVEY, sub);
    const char *yn;

    if (!c)
        return 0; /* "other" text or an option the definition does not keep */
    if (!raw || !*raw)
        return 0;
    if (!parse_yesno(raw, &yn))
        return data_error(err, v, "'%s' is not a ticked/unticked answer", raw);
    seen[vi] = 1;
    return sv_record_set(rec, (size_t)first + (size_t)(c - v->codes), yn);
}

/* Is variable `v` asked, given the values normalised so far? */
static bool is_relevant(const struct sv_record *rec, const struct sv_schema *s,
                        const struct sv_variable *v)
{
    const char *eq;
    char name[128];
    long col;

    if (!v->relevant)
        return true;
    eq = strchr(v->relevant, '=');
    if (!eq || (size_t)(eq - v->relevant) >= sizeof(name))
        return true;
    memcpy(name, v->relevant, (size_t)(eq - v->relevant));
    name[eq - v->relevant] = '\0';
    col = sv_schema_index(s, name);
    if (col < 0)
        return true;
    return rec->values[col] && !strcmp(rec->values[col], eq + 1);
}

int sv_record_normalise(struct sv_record *rec, const struct sv_schema *schema,
                        enum sv_platform platform, const struct sv_raw_field *fields,
                        size_t nfields, const char *hash_key, struct sv_error *err)
{
    const struct sv_survey *sv = schema->survey;
    unsigned char *seen;
    size_t i, k;
    int rc = 0;

    seen = calloc(sv->nvariables + 1, 1);
    if (!seen)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (i = 0; i < rec->nvalues; i++) {
        free(rec->values[i]);
        rec->values[i] = NULL;
    }
    for (i = 0; i < nfields && rc == 0; i++) {
        const char *key = fields[i].key, *raw = fields[i].value;
        const struct field_entry *e = lookup(schema, platform, key);
        const struct sv_variable *v;
        long col;
        char buf[64];
        const char *val;

        if (!e && strchr(key, '.')) {
            /* A normalised record's option column "var.code" (0/1, yes/no). */
            long oc = sv_schema_index(schema, key);
            if (oc >= 0 && schema->columns[oc].code) {
                const struct sv_variable *ov = schema->columns[oc].variable;
                char ob[8];
                const char *ovv = NULL;
                rc = sv_record_canonical(schema, (size_t)oc, raw, ob, sizeof ob, &ovv, err);
                if (rc == 0 && ovv) {
                    seen[(size_t)(ov - sv->variables)] = 1;
                    rc = sv_record_set(rec, (size_t)oc, ovv);
                }
                continue;
            }
        }
        if (!e) {
            /* LimeSurvey multiple choice: "var[CODE]". */
            const char *br = strchr(key, '[');
            size_t len = br ? (size_t)(br - key) : 0;
            if (br && len < 128 && key[strlen(key) - 1] == ']') {
                char base[128], sub[128];
                size_t sublen = strlen(br + 1) - 1;
                memcpy(base, key, len);
                base[len] = '\0';
                if (sublen < sizeof(sub)) {
                    memcpy(sub, br + 1, sublen);
                    sub[sublen] = '\0';
                    e = lookup(schema, platform, base);
                    if (e && sv->variables[e->var].type == SV_TYPE_MULTIPLE &&
                        schema->index->first_column[e->var] >= 0)
                        rc = set_multiple_column(rec, schema, e->var, sub, raw, seen, err);
                }
            }
            continue;
        }
        v = &sv->variables[e->var];
        col = schema->index->first_column[e->var];
        if (col < 0 || !raw)
            continue;
        /* Blank answers are missing answers. */
        for (val = raw; *val && isspace((unsigned char)*val); val++)
            ;
        if (!*val)
            continue;
        seen[e->var] = 1;
        if (v->type == SV_TYPE_MULTIPLE) {
            rc = set_multiple_list(rec, schema, e->var, platform, raw, err);
            continue;
        }
        if (v->type == SV_TYPE_TEXT || v->type == SV_TYPE_SINGLE || v->type == SV_TYPE_LIKERT ||
            v->type == SV_TYPE_YESNO)
            val = raw;
        if (v->type != SV_TYPE_TEXT) {
            /* Trim blanks around codes and numbers. */
            char tmp[256];
            size_t n = strlen(val);
            while (n && isspace((unsigned char)val[n - 1]))
                n--;
            if (n >= sizeof(tmp)) {
                rc = data_error(err, v, "value too long for a %s answer",
                                sv_var_type_name(v->type));
                continue;
            }
            memcpy(tmp, val, n);
            tmp[n] = '\0';
            while (tmp[0] && isspace((unsigned char)tmp[0]))
                memmove(tmp, tmp + 1, strlen(tmp));
            rc = canonical_scalar(v, platform, tmp, buf, sizeof(buf), &val, err);
            if (rc == 0)
                rc = sv_record_set(rec, (size_t)col, val);
            continue;
        }
        if (v->personal == SV_PERSONAL_HASH) {
            char hex[65];
            if (!hash_key)
                continue;
            sv_hmac_sha256_hex(hash_key, raw, hex);
            rc = sv_record_set(rec, (size_t)col, hex);
            continue;
        }
        rc = sv_record_set(rec, (size_t)col, raw);
    }
    /*
     * LimeSurvey only marks ticked boxes ("Y"); once one box of a question is
     * ticked, the others are known to be unticked. A question with no box
     * ticked stays missing: it cannot be told apart from an unanswered one.
     */
    for (k = 0; k < sv->nvariables && rc == 0; k++) {
        const struct sv_variable *v = &sv->variables[k];
        long first = schema->index->first_column[k];
        if (v->type != SV_TYPE_MULTIPLE || !seen[k] || first < 0)
            continue;
        for (i = 0; i < v->ncodes && rc == 0; i++)
            if (!rec->values[first + (long)i])
                rc = sv_record_set(rec, (size_t)first + i, "0");
    }
    if (rc == SV_ENOMEM)
        sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    /* Nested codes: a département must lie within the region given. */
    for (k = 0; k < sv->nvariables && rc == 0; k++) {
        const struct sv_variable *v = &sv->variables[k];
        long inner, outer;
        const struct sv_code *c;

        if (!v->within)
            continue;
        inner = schema->index->first_column[k];
        outer = sv_schema_index(schema, v->within);
        if (inner < 0 || outer < 0 || !rec->values[inner] || !rec->values[outer])
            continue;
        c = sv_variable_code(v, rec->values[inner]);
        if (c && c->parent && strcmp(c->parent, rec->values[outer]) != 0)
            rc = data_error(err, v, "code '%s' does not belong to %s '%s'", c->code, v->within,
                            rec->values[outer]);
    }
    /* Required answers, unless the question was not asked. */
    for (k = 0; k < sv->nvariables && rc == 0; k++) {
        const struct sv_variable *v = &sv->variables[k];
        if (v->required && !seen[k] && is_relevant(rec, schema, v))
            rc = data_error(err, v, "required answer missing");
    }
    free(seen);
    return rc;
}

int sv_record_check_value(const struct sv_schema *schema, size_t i, const char *value,
                          struct sv_error *err)
{
    const struct sv_column *c;
    const struct sv_variable *v;
    char buf[64];
    const char *out;

    if (i >= schema->ncolumns)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "no column %zu", i);
    if (!value || !*value)
        return 0;
    c = &schema->columns[i];
    v = c->variable;
    if (c->code || v->type == SV_TYPE_YESNO) {
        if (strcmp(value, "0") && strcmp(value, "1")) {
            sv_error_set(err, SV_EDATA, NULL, 0, 0, "'%s' is not 0 or 1", value);
            sv_error_set_path(err, "%s", c->name);
            return SV_EDATA;
        }
        return 0;
    }
    if (v->type == SV_TYPE_SINGLE || v->type == SV_TYPE_LIKERT) {
        if (!sv_variable_code(v, value))
            return data_error(err, v, "unknown code '%s'", value);
        return 0;
    }
    if (v->type == SV_TYPE_TEXT)
        return 0;
    if (v->type == SV_TYPE_INTEGER || v->type == SV_TYPE_NUMBER) {
        /*
         * Hot path when analyse reads millions of rows: check the number and
         * its range without printing it back in canonical form.
         */
        double x;
        if (parse_number(value, &x))
            return data_error(err, v, "'%s' is not a number", value);
        if (v->type == SV_TYPE_INTEGER && x != floor(x))
            return data_error(err, v, "'%s' is not a whole number", value);
        if ((v->has_min && x < v->min) || (v->has_max && x > v->max))
            return range_error(err, v, x);
        return 0;
    }
    return canonical_scalar(v, SV_PLATFORM_CSV, value, buf, sizeof(buf), &out, err);
}

int sv_record_canonical(const struct sv_schema *schema, size_t i, const char *raw, char *buf,
                        size_t size, const char **out, struct sv_error *err)
{
    const struct sv_column *c;
    const char *yn;
    char tmp[256];
    size_t n;

    *out = NULL;
    if (i >= schema->ncolumns)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "no column %zu", i);
    if (!raw)
        return 0;
    c = &schema->columns[i];
    if (c->variable->type == SV_TYPE_TEXT) {
        const char *p = raw;
        while (*p && isspace((unsigned char)*p))
            p++;
        *out = *p ? raw : NULL;
        return 0;
    }
    while (isspace((unsigned char)*raw))
        raw++;
    n = strlen(raw);
    while (n && isspace((unsigned char)raw[n - 1]))
        n--;
    if (n == 0)
        return 0;
    if (n >= sizeof(tmp))
        return data_error(err, c->variable, "value too long for a %s answer",
                          sv_var_type_name(c->variable->type));
    memcpy(tmp, raw, n);
    tmp[n] = '\0';
    if (c->code) {
        if (!parse_yesno(tmp, &yn)) {
            sv_error_set(err, SV_EDATA, NULL, 0, 0, "'%s' is not 0 or 1", tmp);
            sv_error_set_path(err, "%s", c->name);
            return SV_EDATA;
        }
        *out = yn;
        return 0;
    }
    if (canonical_scalar(c->variable, SV_PLATFORM_CSV, tmp, buf, size, out, err))
        return SV_EDATA;
    if (*out == tmp) { /* text-like types return their input: keep it in buf */
        snprintf(buf, size, "%s", tmp);
        *out = buf;
    }
    return 0;
}
