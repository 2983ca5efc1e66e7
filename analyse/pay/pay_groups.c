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

struct keyed {
    double x;
    size_t i;
};

static int cmp_keyed(const void *a, const void *b)
{
    const struct keyed *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

int pay_groups_order(size_t **order, size_t *norder, const struct pay_data *d, enum pay_measure m,
                     int without_segur, struct sv_error *err)
{
    *order = NULL;
    *norder = 0;
    struct keyed *k = malloc((d->n ? d->n : 1) * sizeof *k);
    size_t *o = malloc((d->n ? d->n : 1) * sizeof *o);
    if (!k || !o) {
        free(k);
        free(o);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory sorting %zu employees", d->n);
    }
    size_t n = 0;
    for (size_t i = 0; i < d->n; i++) {
        double x = m == PAY_HOURLY ? pay_emp_hourly(&d->e[i], without_segur)
                                   : pay_emp_monthly(&d->e[i], without_segur);
        if (isnan(x))
            continue;
        k[n].x = x;
        k[n].i = i;
        n++;
    }
    qsort(k, n, sizeof *k, cmp_keyed);
    for (size_t j = 0; j < n; j++)
        o[j] = k[j].i;
    free(k);
    *order = o;
    *norder = n;
    return 0;
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

/* Add one value to a cell: moments, counts by sex, employers up to 3. */
static void cell_update(struct pay_cellstat *cs, const struct pay_emp *e, double x, unsigned sex_f,
                        unsigned sex_h)
{
    pay_moments_add(&cs->mom, x);
    unsigned s = e->cat[PAY_R_SEX];
    if (s == sex_f)
        cs->n_f++;
    else if (s == sex_h)
        cs->n_h++;
    /* distinct employers, up to 3: all the frequency rule needs; without
     * employer ids the rule falls back to employees */
    unsigned long long id = e->employer ? e->employer : 0x9e3779b97f4a7c15ULL ^ (unsigned long long)cs->n;
    if (cs->n_employers < 3) {
        bool seen = false;
        for (long j = 0; j < cs->n_employers; j++)
            if (cs->emp_seen[j] == id)
                seen = true;
        if (!seen)
            cs->emp_seen[cs->n_employers++] = id;
    }
}

static int groups_alloc(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                        size_t nroles, struct sv_error *err)
{
    memset(gs, 0, sizeof *gs);
    if (nroles == 0 || nroles > PAY_MAX_BY)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "between 1 and %d grouping variables",
                            PAY_MAX_BY);
    gs->nroles = nroles;
    gs->ncells = 1;
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
    gs->cell = calloc(gs->ncells, sizeof *gs->cell);
    if (!gs->cell)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

int pay_groups_init(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                    size_t nroles, struct sv_error *err)
{
    return groups_alloc(gs, d, roles, nroles, err);
}

void pay_groups_add(struct pay_groupset *gs, const struct pay_emp *e, enum pay_measure m,
                    int without_segur, unsigned sex_f, unsigned sex_h)
{
    unsigned lev[PAY_MAX_BY];
    for (size_t k = 0; k < gs->nroles; k++) {
        lev[k] = e->cat[gs->role[k]];
        if (lev[k] == PAY_NA) {
            gs->n_unclassified++;
            return;
        }
    }
    struct pay_cellstat *cs = &gs->cell[pay_groups_index(gs, lev)];
    double x = m == PAY_HOURLY ? pay_emp_hourly(e, without_segur) : pay_emp_monthly(e, without_segur);
    if (isnan(x)) {
        cs->n_missing++;
        return;
    }
    cs->n++;
    cell_update(cs, e, x, sex_f, sex_h);
}

int pay_groups_build(struct pay_groupset *gs, const struct pay_data *d, const enum pay_role *roles,
                     size_t nroles, enum pay_measure m, int without_segur, unsigned sex_f,
                     unsigned sex_h, bool keep_rows, const size_t *order, size_t norder,
                     struct sv_error *err)
{
    int arc = groups_alloc(gs, d, roles, nroles, err);
    if (arc < 0)
        return arc;
    unsigned *cellof = malloc((d->n ? d->n : 1) * sizeof *cellof);
    size_t *start = calloc(gs->ncells + 1, sizeof *start);
    gs->values = malloc((d->n ? d->n : 1) * sizeof *gs->values);
    if (keep_rows) {
        gs->row_cell = malloc((d->n ? d->n : 1) * sizeof *gs->row_cell);
        gs->y = malloc((d->n ? d->n : 1) * sizeof *gs->y);
    }
    int rc = 0;
    if (!cellof || !start || !gs->cell || !gs->values || (keep_rows && (!gs->row_cell || !gs->y))) {
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
        if (keep_rows)
            gs->y[i] = x;
        if (!ok) {
            cellof[i] = none;
            if (keep_rows)
                gs->row_cell[i] = ANALYSE_NO_GROUP;
            gs->n_unclassified++;
            continue;
        }
        size_t c = pay_groups_index(gs, lev);
        if (keep_rows)
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
    for (size_t c = 0; c < gs->ncells; c++)
        gs->cell[c].v = gs->values + start[c];
    size_t nfill = order ? norder : d->n;
    for (size_t k = 0; k < nfill; k++) {
        size_t i = order ? order[k] : k;
        if (cellof[i] == none)
            continue;
        size_t c = cellof[i];
        const struct pay_emp *e = &d->e[i];
        double x = m == PAY_HOURLY ? pay_emp_hourly(e, without_segur)
                                   : pay_emp_monthly(e, without_segur);
        struct pay_cellstat *cs = &gs->cell[c];
        cs->v[cs->n++] = x;
        cell_update(cs, e, x, sex_f, sex_h);
    }
    for (size_t c = 0; c < gs->ncells; c++) {
        struct pay_cellstat *cs = &gs->cell[c];
        if (!order)
            pay_sort(cs->v, (size_t)cs->n);
    }
done:
    free(cellof);
    free(start);
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

/* An empty result for cell cs (equal weights: population = n). */
static void result_start(struct analyse_result *r, const struct pay_cellstat *cs)
{
    memset(r, 0, sizeof *r);
    r->estimate = r->se = r->var = r->df = r->ci_low = r->ci_high = r->max_share = NAN;
    r->level = 0.95;
    r->ci = ANALYSE_CI_NONE;
    r->n = cs->n;
    r->n_missing = cs->n_missing;
    r->population = (double)cs->n;
}

void pay_srs_mean(struct analyse_result *r, const struct pay_cellstat *cs, size_t n_total)
{
    result_start(r, cs);
    if (cs->n == 0)
        return;
    double nd = (double)cs->n, n = (double)n_total;
    r->estimate = cs->mom.mean;
    if (cs->n < 2 || n_total < 2)
        return;
    r->var = n / (n - 1.0) * cs->mom.m2 / (nd * nd);
    r->se = sqrt(r->var);
    r->df = nd - 1.0;
    double t = pay_t_quantile(0.95, r->df);
    r->ci_low = r->estimate - t * r->se;
    r->ci_high = r->estimate + t * r->se;
    r->ci = ANALYSE_CI_T;
}

void pay_srs_quantile(struct analyse_result *r, const struct pay_cellstat *cs, size_t n_total,
                      double p)
{
    result_start(r, cs);
    if (cs->n == 0)
        return;
    size_t m = (size_t)cs->n;
    double q = pay_quantile_sorted(cs->v, m, p);
    r->estimate = q;
    if (cs->n < 2 || n_total < 2)
        return;
    /* share of the cell at or below q: values are sorted */
    size_t lo = 0, hi = m;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cs->v[mid] <= q)
            lo = mid + 1;
        else
            hi = mid;
    }
    double nd = (double)m, n = (double)n_total;
    double F = (double)lo / nd;
    double v = n / (n - 1.0) * F * (1.0 - F) / nd;
    r->df = nd - 1.0;
    double t = pay_t_quantile(0.95, r->df);
    double L = F - t * sqrt(v), U = F + t * sqrt(v);
    r->ci_low = L < 0 ? NAN : pay_quantile_sorted(cs->v, m, L);
    r->ci_high = U > 1 ? NAN : pay_quantile_sorted(cs->v, m, U);
    r->se = (r->ci_high - r->ci_low) / (2.0 * t);
    r->var = r->se * r->se;
    r->ci = ANALYSE_CI_WOODRUFF;
}

void pay_srs_gaps(struct pay_relgap *diff, struct pay_relgap *rel, const struct pay_cellstat *a,
                  const struct pay_cellstat *b, size_t n_total)
{
    struct analyse_result ra, rb;
    pay_srs_mean(&ra, a, n_total);
    pay_srs_mean(&rb, b, n_total);
    double df = (double)(a->n + b->n) - 1.0;
    double t = pay_t_quantile(0.95, df);
    double ma = ra.estimate, mb = rb.estimate, va = ra.var, vb = rb.var;
    if (diff) {
        diff->mean_a = ma;
        diff->mean_b = mb;
        diff->estimate = ma - mb;
        diff->se = sqrt(va + vb);
        diff->df = df;
        diff->lo = diff->estimate - t * diff->se;
        diff->hi = diff->estimate + t * diff->se;
    }
    if (rel) {
        rel->mean_a = ma;
        rel->mean_b = mb;
        rel->estimate = ma / mb - 1.0;
        rel->se = sqrt(va / (mb * mb) + ma * ma * vb / (mb * mb * mb * mb));
        rel->df = df;
        rel->lo = rel->estimate - t * rel->se;
        rel->hi = rel->estimate + t * rel->se;
    }
}
