/*
 * pay_data: read the pay survey's employee records into compact rows.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_record.h"
#include "sv_recio.h"
#include "sv_store.h"
#include "pay_data.h"

const char *const pay_role_names[PAY_R_COUNT] = {
    "region", "employer_sector", "agreement", "job", "sex", "age_band", "csp",
    "seniority", "hours", "gross_monthly_pay", "segur", "segur_amount", "employer_id"};

/* Code lookup: a small open-addressing hash per categorical role (the
 * region list has 18 codes; a linear strcmp scan per value was a tenth of
 * the load time on a million rows). */
#define CODE_SLOTS 256
struct code_hash {
    short slot[CODE_SLOTS]; /* code index + 1, 0 = empty */
};

static unsigned hash_str(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void code_hash_build(struct code_hash *h, const struct sv_variable *v)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; v && i < v->ncodes && i < CODE_SLOTS / 2; i++) {
        unsigned k = hash_str(v->codes[i].code) % CODE_SLOTS;
        while (h->slot[k])
            k = (k + 1) % CODE_SLOTS;
        h->slot[k] = (short)(i + 1);
    }
}

struct loader {
    struct pay_data *d;
    int (*visit)(const struct pay_emp *e, void *ctx); /* streaming: no row kept */
    void *visit_ctx;
    struct pay_emp one;
    struct code_hash hash[PAY_R_NCAT];
    const struct sv_schema *schema;
    long col[PAY_R_COUNT];
    const char *source;
    struct sv_error *err;
};

static unsigned code_index(const struct code_hash *h, const struct sv_variable *v, const char *s)
{
    if (v->ncodes > CODE_SLOTS / 2) {
        for (size_t i = 0; i < v->ncodes; i++)
            if (strcmp(v->codes[i].code, s) == 0)
                return (unsigned)i;
        return PAY_NA;
    }
    for (unsigned k = hash_str(s) % CODE_SLOTS; h->slot[k]; k = (k + 1) % CODE_SLOTS)
        if (strcmp(v->codes[h->slot[k] - 1].code, s) == 0)
            return (unsigned)(h->slot[k] - 1);
    return PAY_NA;
}

static double num(const char *s)
{
    if (!s)
        return NAN;
    char *end;
    double x = strtod(s, &end);
    return *end ? NAN : x;
}

static int add_record(const struct sv_record *rec, void *ctx)
{
    struct loader *L = ctx;
    struct pay_data *d = L->d;
    if (!L->visit && d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 4096;
        struct pay_emp *ne = realloc(d->e, ncap * sizeof *ne);
        if (!ne)
            return sv_error_set(L->err, SV_ENOMEM, L->source, 0, 0, "out of memory after %zu records",
                                d->n);
        d->e = ne;
        d->cap = ncap;
    }
    struct pay_emp *e = L->visit ? &L->one : &d->e[d->n];
    for (int r = 0; r < PAY_R_NCAT; r++) {
        const char *v = L->col[r] >= 0 ? rec->values[L->col[r]] : NULL;
        e->cat[r] = v ? (unsigned short)code_index(&L->hash[r], d->var[r], v) : PAY_NA;
    }
    const char *v;
    e->seniority = L->col[PAY_R_SENIORITY] >= 0 ? num(rec->values[L->col[PAY_R_SENIORITY]]) : NAN;
    e->hours = num(rec->values[L->col[PAY_R_HOURS]]);
    e->monthly = num(rec->values[L->col[PAY_R_PAY]]);
    v = L->col[PAY_R_SEGUR] >= 0 ? rec->values[L->col[PAY_R_SEGUR]] : NULL;
    if (!v)
        e->segur_amount = NAN;
    else if (strcmp(v, "0") == 0)
        e->segur_amount = 0;
    else
        e->segur_amount = L->col[PAY_R_SEGUR_AMOUNT] >= 0
                              ? num(rec->values[L->col[PAY_R_SEGUR_AMOUNT]])
                              : NAN;
    e->employer = 0;
    v = L->col[PAY_R_EMPLOYER] >= 0 ? rec->values[L->col[PAY_R_EMPLOYER]] : NULL;
    if (v) {
        /* FNV-1a: ids are already keyed hashes; 64 bits keep collisions negligible */
        unsigned long long h = 1469598103934665603ULL;
        for (const unsigned char *p = (const unsigned char *)v; *p; p++)
            h = (h ^ *p) * 1099511628211ULL;
        e->employer = h ? h : 1;
    }
    d->n_read++;
    if (L->visit)
        return L->visit(e, L->visit_ctx);
    d->n++;
    return 0;
}

static int load(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                const char *store_path, int (*visit)(const struct pay_emp *e, void *ctx),
                void *visit_ctx, struct sv_error *err)
{
    static const int required[] = {PAY_R_SECTOR, PAY_R_JOB, PAY_R_SEX, PAY_R_HOURS, PAY_R_PAY};
    memset(d, 0, sizeof *d);
    d->survey = survey;
    struct sv_schema *schema = NULL;
    int rc = sv_schema_new(&schema, survey, err);
    if (rc < 0)
        return rc;
    struct loader L = {.d = d, .visit = visit, .visit_ctx = visit_ctx, .schema = schema, .err = err,
                       .source = data_path ? data_path : store_path};
    for (int r = 0; r < PAY_R_COUNT; r++) {
        L.col[r] = -1;
        const char *name = sv_survey_role(survey, pay_role_names[r]);
        if (!name)
            continue;
        d->var[r] = sv_survey_variable(survey, name);
        L.col[r] = sv_schema_index(schema, name);
        if (!d->var[r] || L.col[r] < 0) {
            rc = sv_error_set(err, SV_EDATA, survey->file, 0, 0,
                              "role '%s' names variable '%s', which has no column",
                              pay_role_names[r], name);
            goto done;
        }
        if (r < PAY_R_NCAT && d->var[r]->type != SV_TYPE_SINGLE) {
            rc = sv_error_set(err, SV_EDATA, survey->file, 0, 0,
                              "role '%s': variable '%s' must be a single choice",
                              pay_role_names[r], name);
            goto done;
        }
    }
    for (int r = 0; r < PAY_R_NCAT; r++)
        code_hash_build(&L.hash[r], d->var[r]);
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (L.col[required[k]] < 0) {
            rc = sv_error_set(err, SV_EDATA, survey->file, 0, 0,
                              "survey '%s' has no role '%s', which pay statistics need",
                              survey->id, pay_role_names[required[k]]);
            goto done;
        }
    if (!data_path && !store_path) {
        rc = 0; /* roles bound, nothing to read */
    } else if (data_path) {
        struct sv_recio_reader *rd = NULL;
        rc = sv_recio_reader_open(&rd, data_path, schema, err);
        if (rc < 0)
            goto done;
        const struct sv_record *rec;
        while ((rc = sv_recio_read(rd, &rec, err)) == 1)
            if ((rc = add_record(rec, &L)) < 0)
                break;
        sv_recio_reader_free(rd);
    } else {
        /* the store opens read-write and would create a missing file: check first */
        FILE *probe = fopen(store_path, "rb");
        if (!probe) {
            rc = sv_error_set(err, SV_ENOTFOUND, store_path, 0, 0, "cannot open store: %s",
                              strerror(errno));
            goto done;
        }
        fclose(probe);
        struct sv_store *st = NULL;
        rc = sv_store_open(&st, store_path, schema, err);
        if (rc < 0)
            goto done;
        rc = sv_store_foreach(st, add_record, &L, err);
        sv_store_close(st);
    }
done:
    sv_schema_free(schema);
    if (rc < 0) {
        pay_data_release(d);
        return rc;
    }
    return 0;
}

int pay_data_load(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                  const char *store_path, struct sv_error *err)
{
    return load(d, survey, data_path, store_path, NULL, NULL, err);
}

int pay_data_stream(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                    const char *store_path, int (*visit)(const struct pay_emp *e, void *ctx),
                    void *ctx, struct sv_error *err)
{
    return load(d, survey, data_path, store_path, visit, ctx, err);
}

void pay_data_release(struct pay_data *d)
{
    if (!d)
        return;
    free(d->e);
    d->e = NULL;
    d->n = d->cap = 0;
}

double pay_emp_monthly(const struct pay_emp *e, int without_segur)
{
    if (!without_segur)
        return e->monthly;
    return e->monthly - e->segur_amount; /* NAN when the amount is unknown */
}

double pay_emp_hourly(const struct pay_emp *e, int without_segur)
{
    double m = pay_emp_monthly(e, without_segur);
    if (!(e->hours > 0) || !(m > 0))
        return NAN;
    return m / (e->hours * 52.0 / 12.0);
}

int pay_role_parse(const struct pay_data *d, const char *name, enum pay_role *out)
{
    for (int r = 0; r < PAY_R_NCAT; r++) {
        if (strcmp(name, pay_role_names[r]) == 0 ||
            (d->var[r] && strcmp(name, d->var[r]->name) == 0)) {
            if (!d->var[r])
                return SV_ENOTFOUND;
            *out = (enum pay_role)r;
            return 0;
        }
    }
    return SV_EUSAGE;
}

const char *pay_level_code(const struct pay_data *d, enum pay_role r, unsigned i)
{
    return d->var[r]->codes[i].code;
}

const char *pay_level_label(const struct pay_data *d, enum pay_role r, unsigned i,
                            enum sv_lang lang)
{
    return sv_label_get(&d->var[r]->codes[i].label, lang);
}

size_t pay_level_count(const struct pay_data *d, enum pay_role r)
{
    return d->var[r] ? d->var[r]->ncodes : 0;
}
