/*
 * pay_data: read the pay survey's employee records into compact rows.
 */
/* madvise(MADV_POPULATE_WRITE) is a Linux extension outside POSIX */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "sv_record.h"
#include "sv_recio.h"
#include "sv_store.h"
#include "pay_data.h"
#include "pay_fastcsv.h"

const char *const pay_role_names[PAY_R_COUNT] = {
    "region", "employer_sector", "agreement", "job", "sex", "age_band", "csp",
    "seniority", "hours", "gross_monthly_pay", "segur", "segur_amount", "employer_id",
    "weight", "cluster", "stratum", "fpc"};

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
    size_t prefaulted; /* rows of d->e whose pages were faulted in */
    struct code_hash hash[PAY_R_NCAT];
    const struct sv_schema *schema;
    long col[PAY_R_COUNT];
    const char *source;
    struct sv_error *err;
    bool design; /* the design's values checked as each record is read */
    long line;   /* the line of the record read through sv_recio; 0 from the store */
};

/* strcmp(a, b) == 0 inline: codes are a few bytes, a call costs more. */
static bool same_str(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

static unsigned code_index(const struct code_hash *h, const struct sv_variable *v, const char *s)
{
    if (v->ncodes > CODE_SLOTS / 2) {
        for (size_t i = 0; i < v->ncodes; i++)
            if (strcmp(v->codes[i].code, s) == 0)
                return (unsigned)i;
        return PAY_NA;
    }
    for (unsigned k = hash_str(s) % CODE_SLOTS; h->slot[k]; k = (k + 1) % CODE_SLOTS)
        if (same_str(v->codes[h->slot[k] - 1].code, s))
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

/* Make room for one more row (not when streaming); the row to fill. */
static struct pay_emp *next_emp(struct loader *L)
{
    struct pay_data *d = L->d;
    if (L->visit)
        return &L->one;
    if (d->n == d->cap) {
        size_t ncap = d->cap ? d->cap * 2 : 4096;
        struct pay_emp *ne = realloc(d->e, ncap * sizeof *ne);
        if (!ne) {
            sv_error_set(L->err, SV_ENOMEM, L->source, 0, 0, "out of memory after %zu records",
                         d->n);
            return NULL;
        }
        d->e = ne;
        d->cap = ncap;
    }
    if (d->n == L->prefaulted) {
        /* the next rows' pages in one call, a chunk at a time: the array
         * may be sized well beyond the rows the file holds */
        size_t chunk = d->cap - d->n < 65536 ? d->cap - d->n : 65536;
        pay_rows_prefault(&d->e[d->n], chunk * sizeof *d->e);
        L->prefaulted = d->n + chunk;
    }
    return &d->e[d->n];
}

/* The employer id's 64-bit hash (0 = none). */
static unsigned long long employer_hash(const char *v)
{
    if (!v)
        return 0;
    /* FNV-1a: ids are already keyed hashes; 64 bits keep collisions negligible */
    unsigned long long h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h ? h : 1;
}

/* Row e is filled: keep it or show it to the visitor. */
static int emp_done(struct loader *L, const struct pay_emp *e)
{
    L->d->n_read++;
    if (L->visit)
        return L->visit(e, L->visit_ctx);
    L->d->n++;
    return 0;
}

/* A value the fast reader found invalid: the message sv_recio would give. */
static int value_error(struct loader *L, long line, const char *id, const char *var,
                       const char *text)
{
    sv_error_set(L->err, SV_EDATA, L->source, line, 0, "%s", text);
    sv_error_set_path(L->err, "record '%s': %s", id, var);
    return SV_EDATA;
}

/* With the design (not --weights none): every employee needs a weight > 0, a cluster id and
 * a stratum when those roles are bound, and an fpc > 0: the error names the record's line. */
static int design_check(struct loader *L, const struct pay_emp *e, long line, const char *id)
{
    const struct pay_data *d = L->d;
    const char *why = " (the design needs one for every employee; --weights none ignores it)";
    char text[SV_ERROR_TEXT_MAX];
    if (d->var[PAY_R_WEIGHT] && !(e->weight > 0 && isfinite(e->weight))) {
        snprintf(text, sizeof text, "%s%s",
                 isnan(e->weight) ? "weight missing" : "weight not positive", why);
        return value_error(L, line, id, d->var[PAY_R_WEIGHT]->name, text);
    }
    enum pay_role c = d->var[PAY_R_CLUSTER] ? PAY_R_CLUSTER : PAY_R_EMPLOYER;
    if (d->var[c] && e->cluster == 0) {
        snprintf(text, sizeof text, "cluster id missing%s", why);
        return value_error(L, line, id, d->var[c]->name, text);
    }
    if (d->var[PAY_R_STRATUM] && e->stratum == 0) {
        snprintf(text, sizeof text, "stratum missing%s", why);
        return value_error(L, line, id, d->var[PAY_R_STRATUM]->name, text);
    }
    if (d->var[PAY_R_FPC] && !(e->fpc > 0 && isfinite(e->fpc))) {
        snprintf(text, sizeof text, "%s%s", isnan(e->fpc) ? "fpc missing" : "fpc not positive",
                 why);
        return value_error(L, line, id, d->var[PAY_R_FPC]->name, text);
    }
    return 0;
}

static int add_record(const struct sv_record *rec, void *ctx)
{
    struct loader *L = ctx;
    struct pay_data *d = L->d;
    struct pay_emp *e = next_emp(L);
    if (!e)
        return SV_ENOMEM;
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
    e->employer = employer_hash(L->col[PAY_R_EMPLOYER] >= 0 ? rec->values[L->col[PAY_R_EMPLOYER]]
                                                            : NULL);
    e->weight = L->col[PAY_R_WEIGHT] >= 0 ? num(rec->values[L->col[PAY_R_WEIGHT]]) : 1.0;
    e->fpc = L->col[PAY_R_FPC] >= 0 ? num(rec->values[L->col[PAY_R_FPC]]) : NAN;
    e->cluster = L->col[PAY_R_CLUSTER] >= 0 ? employer_hash(rec->values[L->col[PAY_R_CLUSTER]])
                                            : e->employer;
    e->stratum = L->col[PAY_R_STRATUM] >= 0 ? employer_hash(rec->values[L->col[PAY_R_STRATUM]]) : 0;
    if (L->design && design_check(L, e, L->line, rec->id ? rec->id : ""))
        return SV_EDATA;
    return emp_done(L, e);
}


/*
 * A value that is not plainly canonical, made canonical exactly as collect
 * --platform csv and analyse --data make it (sv_record_canonical: the csv
 * code mappings such as F -> f, yes/no words, decimal commas, blanks), or
 * refused with the same message. *out NULL for a blank value.
 */
static int fast_canonical(struct loader *L, enum pay_role r, const char *s, long line,
                          const char *id, char *buf, size_t size, const char **out)
{
    int rc = sv_record_canonical(L->schema, (size_t)L->col[r], s, buf, size, out, L->err);
    if (rc == 0)
        return 0;
    char text[SV_ERROR_TEXT_MAX];
    snprintf(text, sizeof text, "%s", L->err->text);
    return value_error(L, line, id, L->d->var[r]->name, text);
}

/* A numeric value checked as sv_record_check_value() does; NAN when empty. */
static int fast_number(struct loader *L, const struct sv_variable *v, char *s, long line,
                       const char *id, double *out)
{
    *out = NAN;
    if (!s)
        return 0;
    double x;
    char text[SV_ERROR_TEXT_MAX];
    int bad = pay_fastcsv_number(s, &x); /* takes a decimal comma as a point */
    if (bad) { /* not plainly a number: as sv_record_canonical makes it (blanks), if it can */
        char buf[64];
        const char *canon = NULL;
        long col = sv_schema_index(L->schema, v->name);
        if (col >= 0 && sv_record_canonical(L->schema, (size_t)col, s, buf, sizeof buf, &canon,
                                            NULL) == 0) {
            if (!canon)
                return 0; /* blank: missing */
            bad = pay_fastcsv_number(canon, &x);
        }
    }
    if (bad || (v->type == SV_TYPE_INTEGER && x != floor(x))) {
        /* messages show the value as sv_recio stores it: first comma -> point */
        char *comma = strchr(s, ',');
        if (comma && strlen(s) < 128)
            *comma = '.';
    }
    if (bad)
        snprintf(text, sizeof text, "'%s' is not a number", s);
    else if (v->type == SV_TYPE_INTEGER && x != floor(x))
        snprintf(text, sizeof text, "'%s' is not a whole number", s);
    else if (v->has_min && x < v->min)
        snprintf(text, sizeof text, "value %.15g below minimum %.15g", x, v->min);
    else if (v->has_max && x > v->max)
        snprintf(text, sizeof text, "value %.15g above maximum %.15g", x, v->max);
    else
        text[0] = '\0';
    if (text[0])
        return value_error(L, line, id, v->name, text);
    *out = x;
    return 0;
}

static int fast_row(char **vals, long line, const char *id, void *ctx)
{
    struct loader *L = ctx;
    struct pay_data *d = L->d;
    struct pay_emp *e = next_emp(L);
    if (!e)
        return SV_ENOMEM;
    for (int r = 0; r < PAY_R_NCAT; r++) {
        e->cat[r] = PAY_NA;
        if (!vals[r])
            continue;
        unsigned k = code_index(&L->hash[r], d->var[r], vals[r]);
        if (k == PAY_NA) {
            char buf[64];
            const char *canon;
            if (fast_canonical(L, (enum pay_role)r, vals[r], line, id, buf, sizeof buf, &canon))
                return SV_EDATA;
            if (!canon)
                continue; /* blank: missing */
            k = code_index(&L->hash[r], d->var[r], canon);
        }
        e->cat[r] = (unsigned short)k;
    }
    double segur_amount;
    if (fast_number(L, d->var[PAY_R_HOURS], vals[PAY_R_HOURS], line, id, &e->hours) ||
        fast_number(L, d->var[PAY_R_PAY], vals[PAY_R_PAY], line, id, &e->monthly))
        return SV_EDATA;
    e->seniority = NAN;
    if (d->var[PAY_R_SENIORITY] &&
        fast_number(L, d->var[PAY_R_SENIORITY], vals[PAY_R_SENIORITY], line, id, &e->seniority))
        return SV_EDATA;
    segur_amount = NAN;
    if (d->var[PAY_R_SEGUR_AMOUNT] && fast_number(L, d->var[PAY_R_SEGUR_AMOUNT],
                                                  vals[PAY_R_SEGUR_AMOUNT], line, id, &segur_amount))
        return SV_EDATA;
    const char *sg = vals[PAY_R_SEGUR];
    char sgbuf[64];
    if (sg && strcmp(sg, "0") != 0 && strcmp(sg, "1") != 0 &&
        fast_canonical(L, PAY_R_SEGUR, sg, line, id, sgbuf, sizeof sgbuf, &sg))
        return SV_EDATA;
    e->segur_amount = !sg ? NAN : sg[0] == '0' ? 0 : segur_amount;
    e->employer = employer_hash(vals[PAY_R_EMPLOYER]);
    e->weight = 1.0;
    if (d->var[PAY_R_WEIGHT] &&
        fast_number(L, d->var[PAY_R_WEIGHT], vals[PAY_R_WEIGHT], line, id, &e->weight))
        return SV_EDATA;
    e->fpc = NAN;
    if (d->var[PAY_R_FPC] && fast_number(L, d->var[PAY_R_FPC], vals[PAY_R_FPC], line, id, &e->fpc))
        return SV_EDATA;
    e->cluster = d->var[PAY_R_CLUSTER] ? employer_hash(vals[PAY_R_CLUSTER]) : e->employer;
    e->stratum = employer_hash(vals[PAY_R_STRATUM]);
    if (L->design && design_check(L, e, line, id))
        return SV_EDATA;
    return emp_done(L, e);
}

/* Room for the rows of a regular file from its size (a row takes at least
 * ~48 bytes of CSV in practice; more rows just grow the array), so that the
 * array is not copied at each doubling. */
static int presize(struct pay_data *d, const char *path,
                   int (*visit)(const struct pay_emp *, void *))
{
    struct stat st;
    if (visit || d->e || strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    size_t cap = (size_t)st.st_size / 48 + 4096;
    struct pay_emp *e = pay_rows_alloc(cap, sizeof *e);
    if (e) { /* else grown on demand */
        d->e = e;
        d->cap = cap;
    }
    return 0; /* always: this only prepares the array */
}

/* The fast reader takes the roles' usual types only; otherwise sv_recio. */
static bool fast_types(const struct pay_data *d)
{
    static const int numeric[] = {PAY_R_SENIORITY, PAY_R_HOURS, PAY_R_PAY, PAY_R_SEGUR_AMOUNT,
                                  PAY_R_WEIGHT, PAY_R_FPC};
    for (size_t k = 0; k < sizeof numeric / sizeof numeric[0]; k++) {
        const struct sv_variable *v = d->var[numeric[k]];
        if (v && v->type != SV_TYPE_NUMBER && v->type != SV_TYPE_INTEGER)
            return false;
    }
    if (d->var[PAY_R_SEGUR] && d->var[PAY_R_SEGUR]->type != SV_TYPE_YESNO)
        return false;
    static const int text[] = {PAY_R_EMPLOYER, PAY_R_CLUSTER, PAY_R_STRATUM};
    for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
        if (d->var[text[k]] && d->var[text[k]]->type != SV_TYPE_TEXT)
            return false;
    return true;
}

int pay_data_read(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                  const char *store_path, unsigned include, bool design,
                  int (*visit)(const struct pay_emp *e, void *ctx), void *visit_ctx,
                  struct sv_error *err)
{
    static const int required[] = {PAY_R_SECTOR, PAY_R_JOB, PAY_R_SEX, PAY_R_HOURS, PAY_R_PAY};
    memset(d, 0, sizeof *d);
    d->survey = survey;
    d->include = include;
    struct sv_schema *schema = NULL;
    int rc = sv_schema_new(&schema, survey, err);
    if (rc < 0)
        return rc;
    struct loader L = {.d = d, .visit = visit, .visit_ctx = visit_ctx, .schema = schema, .err = err,
                       .source = data_path ? data_path : store_path, .design = design};
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
    const char *names[PAY_R_COUNT], *alt[PAY_R_COUNT];
    for (int r = 0; r < PAY_R_COUNT; r++) {
        names[r] = d->var[r] ? schema->columns[L.col[r]].name : NULL;
        alt[r] = d->var[r] ? d->var[r]->platform[SV_PLATFORM_CSV] : NULL;
    }
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (L.col[required[k]] < 0) {
            rc = sv_error_set(err, SV_EDATA, survey->file, 0, 0,
                              "survey '%s' has no role '%s', which pay statistics need",
                              survey->id, pay_role_names[required[k]]);
            goto done;
        }
    if (!data_path && !store_path) {
        rc = 0; /* roles bound, nothing to read */
    } else if (data_path && fast_types(d) && presize(d, data_path, visit) == 0 &&
               (rc = pay_fastcsv_read(data_path, names, alt, PAY_R_COUNT, fast_row, &L, err)) !=
                   PAY_FASTCSV_DECLINED) {
        /* read (rc = 0) or failed */
    } else if (data_path) {
        struct sv_recio_reader *rd = NULL;
        rc = sv_recio_reader_open(&rd, data_path, schema, err);
        if (rc < 0)
            goto done;
        const struct sv_record *rec;
        while ((rc = sv_recio_read(rd, &rec, err)) == 1) {
            L.line = sv_recio_record_line(rd);
            if ((rc = add_record(rec, &L)) < 0)
                break;
        }
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
        rc = sv_store_open_read(&st, store_path, schema, err);
        if (rc < 0)
            goto done;
        rc = sv_store_left_out(st, include, &d->partial_left_out, &d->rejected_left_out, err);
        if (rc == 0)
            rc = sv_store_foreach_where(st, include, add_record, &L, err);
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
    return pay_data_read(d, survey, data_path, store_path, 0, false, NULL, NULL, err);
}

int pay_data_load_design(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                         const char *store_path, bool design, struct sv_error *err)
{
    return pay_data_read(d, survey, data_path, store_path, 0, design, NULL, NULL, err);
}

int pay_data_stream(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                    const char *store_path, int (*visit)(const struct pay_emp *e, void *ctx),
                    void *ctx, struct sv_error *err)
{
    return pay_data_read(d, survey, data_path, store_path, 0, false, visit, ctx, err);
}

void pay_data_release(struct pay_data *d)
{
    if (!d)
        return;
    free(d->e);
    free(d->hourly);
    d->e = NULL;
    d->hourly = NULL;
    d->n = d->cap = 0;
}

void *pay_rows_alloc(size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    if (n > ((size_t)-1) / size)
        return NULL;
    return malloc(n * size);
}

void pay_rows_prefault(void *p, size_t bytes)
{
#if defined(MADV_POPULATE_WRITE)
    /* whole pages inside [p, p + bytes) */
    const uintptr_t page = 4096;
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(page - 1);
    if (bytes >= (1u << 20) && b > a)
        (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* advice: fine if refused */
#else
    (void)p;
    (void)bytes;
#endif
}

int pay_data_cache_hourly(struct pay_data *d, int without_segur, struct sv_error *err)
{
    free(d->hourly);
    d->hourly = pay_rows_alloc(d->n, sizeof *d->hourly);
    if (!d->hourly)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    pay_rows_prefault(d->hourly, d->n * sizeof *d->hourly);
    for (size_t i = 0; i < d->n; i++)
        d->hourly[i] = pay_emp_hourly(&d->e[i], without_segur);
    d->hourly_without_segur = without_segur;
    return 0;
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
