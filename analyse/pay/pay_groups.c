/*
 * pay_groups: bucket one measure by cell (counting sort), then sort each cell.
 * Memory: one double and one cell index per employee.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pay_groups.h"

size_t pay_groups_index(const struct pay_groupset *gs, const unsigned *lev)
{
    size_t c = 0;
    for (size_t k = 0; k < gs->nroles; k++)
        c = c * gs->nlev[k] + lev[k];
    return c;
}

void pay_groups_levels(const struct pay_groupset *gs, size_t c, unsigned *lev)
{
    for (size_t k = gs->nroles; k-- > 0;) {
        lev[k] = (unsigned)(c % gs->nlev[k]);
        c /= gs->nlev[k];
    }
}

static int cmp_u64(const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
    return (x > y) - (x < y);
}

void pay_groups_release(struct pay_groupset *gs)
{
    if (!gs)
        return;
    free(gs->cell);
    free(gs->values);
    free(gs->row_cell);
    free(gs->y);
    memset(gs, 0, sizeof *gs);
}

int pay_groups_build(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                     size_t nroles, enum pay_measure m, int without_segur, unsigned sex_f,
                     unsigned sex_h, struct sv_error *err)
{
    memset(gs, 0, sizeof *gs);
    if (nroles == 0 || nroles > PAY_MAX_BY)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "between 1 and %d grouping variables",
                            PAY_MAX_BY);
    gs->nroles = nroles;
    gs->ncells = 1;
    /* cell indices are stored as unsigned int */
    for (size_t k = 0; k < nroles; k++) {
        gs->role[k] = roles[k];
        gs->nlev[k] = pay_level_count(d, roles[k]);
        if (gs->nlev[k] == 0)
            return sv_error_set(err, SV_EDATA, NULL, 0, 0, "grouping variable '%s' has no codes",
                                pay_role_names[roles[k]]);
        gs->ncells *= gs->nlev[k];
        if (gs->ncells > 1000000)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "too many groups (over a million cells)");
    }
    unsigned *cellof = malloc((d->n ? d->n : 1) * sizeof *cellof);
    size_t *start = calloc(gs->ncells + 1, sizeof *start);
    gs->cell = calloc(gs->ncells, sizeof *gs->cell);
    gs->values = malloc((d->n ? d->n : 1) * sizeof *gs->values);
    gs->row_cell = malloc((d->n ? d->n : 1) * sizeof *gs->row_cell);
    gs->y = malloc((d->n ? d->n : 1) * sizeof *gs->y);
    unsigned long long *emp = NULL;
    int rc = 0;
    if (!cellof || !start || !gs->cell || !gs->values || !gs->row_cell || !gs->y) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory grouping %zu employees", d->n);
        goto done;
    }
    const unsigned none = (unsigned)-1;
    for (size_t i = 0; i < d->n; i++) {
        const struct pay_emp *e = &d->e[i];
        unsigned lev[PAY_MAX_BY];
        bool ok = true;
        for (size_t k = 0; k < nroles; k++) {
            lev[k] = e->cat[roles[k]];
            if (lev[k] == PAY_NA)
                ok = false;
        }
        double x = m == PAY_HOURLY ? pay_emp_hourly(e, without_segur)
                                   : pay_emp_monthly(e, without_segur);
        gs->y[i] = x;
        if (!ok) {
            cellof[i] = none;
            gs->row_cell[i] = ANALYSE_NO_GROUP;
            gs->n_unclassified++;
            continue;
        }
        size_t c = pay_groups_index(gs, lev);
        gs->row_cell[i] = c;
        if (isnan(x)) {
            cellof[i] = none;
            gs->cell[c].n_missing++;
            continue;
        }
        cellof[i] = (unsigned)c;
        start[c + 1]++;
    }
    for (size_t c = 0; c < gs->ncells; c++)
        start[c + 1] += start[c];
    size_t maxcell = 0;
    for (size_t c = 0; c < gs->ncells; c++) {
        gs->cell[c].v = gs->values + start[c];
        if (start[c + 1] - start[c] > maxcell)
            maxcell = start[c + 1] - start[c];
    }
    for (size_t i = 0; i < d->n; i++) {
        if (cellof[i] == none)
            continue;
        size_t c = cellof[i];
        const struct pay_emp *e = &d->e[i];
        double x = gs->y[i];
        struct pay_cellstat *cs = &gs->cell[c];
        cs->v[cs->n++] = x;
        pay_moments_add(&cs->mom, x);
        unsigned s = e->cat[PAY_R_SEX];
        if (s == sex_f)
            cs->n_f++;
        else if (s == sex_h)
            cs->n_h++;
    }
    emp = malloc((maxcell ? maxcell : 1) * sizeof *emp);
    if (!emp) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    /* distinct employers per cell: a second scan per cell would be O(n x cells);
     * instead gather each cell's employer hashes in one pass with the offsets */
    size_t *fill = calloc(gs->ncells, sizeof *fill);
    unsigned long long *allemp = malloc((d->n ? d->n : 1) * sizeof *allemp);
    if (!fill || !allemp) {
        free(fill);
        free(allemp);
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < d->n; i++)
        if (cellof[i] != none)
            allemp[start[cellof[i]] + fill[cellof[i]]++] = d->e[i].employer;
    for (size_t c = 0; c < gs->ncells; c++) {
        struct pay_cellstat *cs = &gs->cell[c];
        pay_sort(cs->v, (size_t)cs->n);
        size_t k = (size_t)cs->n;
        memcpy(emp, allemp + start[c], k * sizeof *emp);
        qsort(emp, k, sizeof *emp, cmp_u64);
        long distinct = 0;
        bool any_missing = false;
        for (size_t j = 0; j < k; j++) {
            if (emp[j] == 0) {
                any_missing = true;
                continue;
            }
            if (j == 0 || emp[j] != emp[j - 1])
                distinct++;
        }
        /* without employer ids the frequency rule falls back to employees */
        cs->n_employers = (distinct == 0 && any_missing) ? cs->n : distinct;
    }
    free(fill);
    free(allemp);
done:
    free(cellof);
    free(start);
    free(emp);
    if (rc < 0)
        pay_groups_release(gs);
    return rc;
}

int pay_relgap_means(struct pay_relgap *out, const struct analyse_design *des, const double *y,
                     const unsigned char *mask_a, const unsigned char *mask_b)
{
    struct analyse_diff df;
    out->estimate = out->se = out->df = out->lo = out->hi = NAN;
    out->mean_a = out->mean_b = NAN;
    int rc = analyse_difference(&df, des, ANALYSE_MEAN, y, NULL, mask_a, mask_b, NULL, NULL);
    if (rc < 0)
        return rc;
    double ma = df.a.estimate, mb = df.b.estimate;
    double va = df.a.var, vb = df.b.var;
    double cov = (va + vb - df.se * df.se) / 2.0;
    double v = va / (mb * mb) + ma * ma * vb / (mb * mb * mb * mb) - 2.0 * ma * cov / (mb * mb * mb);
    double t = pay_t_quantile(0.95, df.df);
    out->mean_a = ma;
    out->mean_b = mb;
    out->estimate = ma / mb - 1.0;
    out->se = sqrt(v > 0 ? v : 0);
    out->df = df.df;
    out->lo = out->estimate - t * out->se;
    out->hi = out->estimate + t * out->se;
    return 0;
}
