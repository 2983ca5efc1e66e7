/*
 * pay_data: employee records of the pay survey, read through the survey's
 * roles (never by column name) into a compact in-memory array.
 *
 * Why in memory: medians and the regression's second pass need the rows
 * again. A row takes 88 bytes whatever the CSV width (a 10-million-row file
 * of ~1.2 GB needs ~880 MB); means and counts alone would not need it.
 */
#ifndef ANALYSE_PAY_DATA_H
#define ANALYSE_PAY_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include "sv_survey.h"
#include "sv_error.h"

enum pay_role {
    PAY_R_REGION,
    PAY_R_SECTOR,
    PAY_R_AGREEMENT,
    PAY_R_JOB,
    PAY_R_SEX,
    PAY_R_AGE,
    PAY_R_CSP,
    PAY_R_NCAT, /* categorical roles above, numeric below */
    PAY_R_SENIORITY = PAY_R_NCAT,
    PAY_R_HOURS,
    PAY_R_PAY,
    PAY_R_SEGUR,
    PAY_R_SEGUR_AMOUNT,
    PAY_R_EMPLOYER,
    /* the survey design (analyse/pay/README.md): weight, cluster (PSU; the
     * employer when not bound), stratum and fpc, all optional */
    PAY_R_WEIGHT,
    PAY_R_CLUSTER,
    PAY_R_STRATUM,
    PAY_R_FPC,
    PAY_R_COUNT
};

#define PAY_NA 0xFFFFu

struct pay_emp {
    double monthly;      /* gross monthly pay as reported (Ségur included when paid) */
    double hours;        /* contractual weekly hours */
    double seniority;    /* NAN when missing */
    double segur_amount; /* 0 when no Ségur, NAN when paid but amount unknown or segur missing */
    unsigned long long employer;    /* 64-bit hash of the employer id, 0 when missing */
    double weight;                  /* sampling weight; 1 when not bound, NAN when missing */
    double fpc;                     /* fpc role's value, NAN when missing or not bound */
    unsigned long long cluster;     /* hash of the cluster id (the employer's when not bound) */
    unsigned long long stratum;     /* hash of the stratum, 0 when missing or not bound */
    unsigned short cat[PAY_R_NCAT]; /* code index in the variable's code list, PAY_NA */
};

struct pay_data {
    const struct sv_survey *survey;           /* borrowed */
    const struct sv_variable *var[PAY_R_COUNT]; /* NULL when the role is not bound */
    struct pay_emp *e;
    size_t n, cap;
    long n_read;
    /* hourly pay of each row, computed once (pay_data_cache_hourly) for one
     * Ségur choice: every grouping, the sort and the model read it */
    double *hourly;
    int hourly_without_segur;
    /* from a store: the selection (SV_STORE_WITH_*) and what it left out */
    unsigned include;
    long partial_left_out, rejected_left_out;
};

extern const char *const pay_role_names[PAY_R_COUNT];

/* Read every record of --data FILE or --store FILE (exactly one non-NULL). */
int pay_data_load(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                  const char *store_path, struct sv_error *err);
/* The same; with design true, a record without a weight > 0 (or a cluster id, a stratum, an
 * fpc > 0, when those roles are bound) stops the load with an error naming its line. */
int pay_data_load_design(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                         const char *store_path, bool design, struct sv_error *err);
/*
 * The same, streaming: `visit` sees each employee (borrowed for the call)
 * and nothing is kept, so memory does not grow with the file; d->n stays 0
 * and d->n_read counts the records. A non-zero return from visit stops.
 */
int pay_data_stream(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                    const char *store_path, int (*visit)(const struct pay_emp *e, void *ctx),
                    void *ctx, struct sv_error *err);
/*
 * Either of the above (visit NULL: load), from a store with the responses
 * `include` selects (SV_STORE_WITH_PARTIAL, SV_STORE_WITH_REJECTED; 0 as the
 * two above: complete ones the platform's review did not reject); `design` as
 * pay_data_load_design.
 */
int pay_data_read(struct pay_data *d, const struct sv_survey *survey, const char *data_path,
                  const char *store_path, unsigned include, bool design,
                  int (*visit)(const struct pay_emp *e, void *ctx), void *visit_ctx,
                  struct sv_error *err);
void pay_data_release(struct pay_data *d);

/* Hourly pay: monthly / (hours x 52 / 12); without_segur subtracts the Ségur
 * amount first. NAN when not computable. */
double pay_emp_hourly(const struct pay_emp *e, int without_segur);
double pay_emp_monthly(const struct pay_emp *e, int without_segur);

/* An array of n elements of `size` bytes for per-row data (n = 0 allowed;
 * NULL on overflow or out of memory). Free with free(). */
void *pay_rows_alloc(size_t n, size_t size);
/*
 * Fault in the pages of a large array about to be filled, in one call
 * (Linux MADV_POPULATE_WRITE; nothing elsewhere): on a virtual machine a
 * page fault per 4 kB was an eighth of `analyse gender`'s time.
 */
void pay_rows_prefault(void *p, size_t bytes);

/* Fill d->hourly for the Ségur choice (0 or SV_ENOMEM). */
int pay_data_cache_hourly(struct pay_data *d, int without_segur, struct sv_error *err);

/* Hourly pay of row i: the cached value when made for this Ségur choice. */
static inline double pay_data_hourly(const struct pay_data *d, size_t i, int without_segur)
{
    if (d->hourly && d->hourly_without_segur == without_segur)
        return d->hourly[i];
    return pay_emp_hourly(&d->e[i], without_segur);
}

/* Map a --by name (a role name such as "job", or a variable name) to a categorical role. */
int pay_role_parse(const struct pay_data *d, const char *name, enum pay_role *out);

/* Code and label of level `i` of a categorical role. Borrowed. */
const char *pay_level_code(const struct pay_data *d, enum pay_role r, unsigned i);
const char *pay_level_label(const struct pay_data *d, enum pay_role r, unsigned i,
                            enum sv_lang lang);
size_t pay_level_count(const struct pay_data *d, enum pay_role r);

#endif
