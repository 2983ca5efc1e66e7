/*
 * The design-based estimation engine: see analyse_design.h for the contract
 * and ../shared/notes/stats-methods.md (section A) for survey's formulas.
 *
 * Everything works on full-length columns: a domain estimate builds the
 * linearised variable z for every row (zero outside the domain), applies the
 * calibration residuals, sums z per PSU and takes the stratified variance of
 * the PSU totals with the full sample's n_h (survey's onestrat()). Sums use
 * long double accumulators, as R's sum() and cumsum() do.
 */
#include "analyse_design.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "analyse_ci.h"
#include "analyse_quantile.h"

enum cal_kind { CAL_POST, CAL_RAKE, CAL_GREG };

struct cal_margin {
    size_t *cell;   /* nrows */
    size_t ncells;
};

struct cal_step {
    enum cal_kind kind;
    struct cal_margin *margins;
    size_t nmargins;
    double *oldw; /* post: weights before; NULL for rake */
    double *psw;  /* weights after */
    /*
     * Raking: the joint cells of all margins (their cross-classification),
     * so that survey's 10 rounds of residual projection run on the joint
     * table instead of on every row: joint[i] per row, jcount[c] rows per
     * joint cell, jcell[c * nmargins + m] = cell of margin m. NULL when the
     * cross-classification is too large (then the rows are used).
     */
    size_t *joint;
    double *jcount;
    size_t *jcell;
    size_t njoint;
    /*
     * GREG (calibrate): the model matrix is an intercept and, per margin,
     * the indicators of its cells with rows but the first; colmap[m][g] is
     * the column of cell g of margin m (SIZE_MAX: none). ainv is the
     * pseudo-inverse of sum_i w0_i x_i x_i' (ncol * ncol), w0 = oldw.
     */
    size_t **colmap;
    size_t ncol;
    double *ainv;
};

struct analyse_design {
    size_t nrows;
    size_t *stratum;   /* nrows */
    size_t nstrata;
    size_t *psu;       /* nrows: global PSU index */
    size_t npsu;
    size_t *psu_stratum; /* npsu */
    double *n_h;       /* nstrata: PSUs in the full sample */
    double *f_h;       /* nstrata: sampling fraction (0 = no fpc) */
    double *w;         /* nrows: current weights */
    struct cal_step *steps;
    size_t nsteps;
    double df;
    bool element;      /* every row its own PSU: no aggregation needed */
    /* work space reused by the estimators (allocated on first use) */
    struct scratch {
        double *z;
        unsigned char *used;
    } *scratch;
};

static void *xcalloc(size_t n, size_t size)
{
    if (n == 0)
        n = 1;
    return calloc(n, size);
}

void analyse_design_free(struct analyse_design *d)
{
    if (!d)
        return;
    for (size_t s = 0; s < d->nsteps; s++) {
        for (size_t m = 0; m < d->steps[s].nmargins; m++)
            free(d->steps[s].margins[m].cell);
        free(d->steps[s].margins);
        free(d->steps[s].oldw);
        free(d->steps[s].psw);
        free(d->steps[s].joint);
        free(d->steps[s].jcount);
        free(d->steps[s].jcell);
        for (size_t m = 0; m < d->steps[s].nmargins && d->steps[s].colmap; m++)
            free(d->steps[s].colmap[m]);
        free(d->steps[s].colmap);
        free(d->steps[s].ainv);
    }
    free(d->steps);
    if (d->scratch) {
        free(d->scratch->z);
        free(d->scratch->used);
        free(d->scratch);
    }
    free(d->stratum);
    free(d->psu);
    free(d->psu_stratum);
    free(d->n_h);
    free(d->f_h);
    free(d->w);
    free(d);
}

static int cmp_pair(const void *a, const void *b)
{
    const size_t *x = a, *y = b;
    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    if (x[1] != y[1])
        return x[1] < y[1] ? -1 : 1;
    return 0;
}

/* Map (stratum, psu id) pairs to dense PSU indexes. */
static int index_psus(struct analyse_design *d, const size_t *psu_ids)
{
    size_t n = d->nrows;
    if (!psu_ids) {
        /* element sampling: PSU = row */
        for (size_t i = 0; i < n; i++)
            d->psu[i] = i;
        d->npsu = n;
        d->element = true;
        d->psu_stratum = xcalloc(n, sizeof *d->psu_stratum);
        if (!d->psu_stratum)
            return SV_ENOMEM;
        memcpy(d->psu_stratum, d->stratum, n * sizeof *d->stratum);
        return 0;
    }
    size_t *pairs = xcalloc(n, 3 * sizeof *pairs);
    if (!pairs)
        return SV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        pairs[3 * i] = d->stratum[i];
        pairs[3 * i + 1] = psu_ids ? psu_ids[i] : i;
        pairs[3 * i + 2] = i;
    }
    if (psu_ids)
        qsort(pairs, n, 3 * sizeof *pairs, cmp_pair);
    size_t np = 0;
    for (size_t k = 0; k < n; k++) {
        if (k == 0 || pairs[3 * k] != pairs[3 * (k - 1)] ||
            pairs[3 * k + 1] != pairs[3 * (k - 1) + 1])
            np++;
        d->psu[pairs[3 * k + 2]] = np - 1;
    }
    d->npsu = np;
    d->psu_stratum = xcalloc(np, sizeof *d->psu_stratum);
    if (!d->psu_stratum) {
        free(pairs);
        return SV_ENOMEM;
    }
    for (size_t i = 0; i < n; i++)
        d->psu_stratum[d->psu[i]] = d->stratum[i];
    free(pairs);
    return 0;
}

int analyse_design_new(struct analyse_design **out, const struct analyse_design_spec *spec,
                       struct sv_error *err)
{
    *out = NULL;
    size_t n = spec->nrows;
    size_t H = spec->stratum ? spec->nstrata : 1;
    if (n == 0)
        return sv_error_set(err, SV_EDATA, NULL, 0, 0, "design: no rows");
    if (H == 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "design: no strata");
    struct analyse_design *d = calloc(1, sizeof *d);
    if (!d)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    d->nrows = n;
    d->nstrata = H;
    d->stratum = xcalloc(n, sizeof *d->stratum);
    d->psu = xcalloc(n, sizeof *d->psu);
    d->n_h = xcalloc(H, sizeof *d->n_h);
    d->f_h = xcalloc(H, sizeof *d->f_h);
    d->w = xcalloc(n, sizeof *d->w);
    if (!d->stratum || !d->psu || !d->n_h || !d->f_h || !d->w)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        size_t h = spec->stratum ? spec->stratum[i] : 0;
        if (h >= H) {
            analyse_design_free(d);
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                                "design: row %zu: stratum index %zu out of range", i + 1, h);
        }
        d->stratum[i] = h;
    }
    if (index_psus(d, spec->psu) != 0)
        goto nomem;
    for (size_t j = 0; j < d->npsu; j++)
        d->n_h[d->psu_stratum[j]] += 1.0;
    /* rows per stratum, for N_h / n_h weights of element designs */
    double *rows_h = xcalloc(H, sizeof *rows_h);
    if (!rows_h)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        rows_h[d->stratum[i]] += 1.0;
    for (size_t h = 0; h < H; h++) {
        if (spec->pop_size) {
            double N = spec->pop_size[h];
            if (d->n_h[h] == 0)
                continue;
            if (!(N >= d->n_h[h])) {
                double nh = d->n_h[h];
                free(rows_h);
                analyse_design_free(d);
                return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                    "design: stratum %zu: population %g smaller than the "
                                    "sample (%g)", h + 1, N, nh);
            }
            d->f_h[h] = d->n_h[h] / N;
        }
        if (d->n_h[h] == 1 && d->f_h[h] < 1) {
            free(rows_h);
            analyse_design_free(d);
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "design: stratum %zu has a single PSU (lonely PSU): merge "
                                "it with another stratum", h + 1);
        }
    }
    for (size_t i = 0; i < n; i++) {
        double w;
        if (spec->weight)
            w = spec->weight[i];
        else if (spec->pop_size)
            w = spec->pop_size[d->stratum[i]] / d->n_h[d->stratum[i]];
        else
            w = 1.0;
        if (!(w > 0) || !isfinite(w)) {
            free(rows_h);
            analyse_design_free(d);
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "design: row %zu: weight %g is not positive", i + 1, w);
        }
        d->w[i] = w;
    }
    free(rows_h);
    double hs = 0;
    for (size_t h = 0; h < H; h++)
        hs += d->n_h[h] > 0;
    d->df = (double)d->npsu - hs;
    *out = d;
    return 0;
nomem:
    analyse_design_free(d);
    return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
}

size_t analyse_design_nrows(const struct analyse_design *d) { return d->nrows; }
double analyse_design_weight(const struct analyse_design *d, size_t i) { return d->w[i]; }
double analyse_design_df(const struct analyse_design *d) { return d->df; }

/* ---- calibration ---------------------------------------------------------------- */

static void weight_summary(const struct analyse_design *d, struct analyse_rake_report *rep);

static int check_margin(const struct analyse_design *d, const struct analyse_margin *m,
                        struct sv_error *err)
{
    for (size_t i = 0; i < d->nrows; i++)
        if (m->cell[i] >= m->ncells)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                                "calibration: row %zu: cell index out of range", i + 1);
    return 0;
}

/* One post-stratification pass on the current weights. */
static int poststratify_pass(struct analyse_design *d, const struct analyse_margin *m,
                             long double *acc, struct sv_error *err)
{
    for (size_t g = 0; g < m->ncells; g++)
        acc[g] = 0;
    for (size_t i = 0; i < d->nrows; i++)
        acc[m->cell[i]] += d->w[i];
    for (size_t g = 0; g < m->ncells; g++) {
        if (acc[g] > 0 && !(m->total[g] > 0))
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "calibration: cell %zu has respondents but a population "
                                "total of %g", g + 1, m->total[g]);
        if (acc[g] == 0 && m->total[g] > 0)
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "calibration: cell %zu has a population of %g but no "
                                "respondent", g + 1, m->total[g]);
    }
    for (size_t i = 0; i < d->nrows; i++) {
        size_t g = m->cell[i];
        d->w[i] = d->w[i] * (m->total[g] / (double)acc[g]);
    }
    return 0;
}

/* The joint table of a raking step's margins (left NULL when too large or out of memory). */
static void build_joint(struct cal_step *st, size_t n)
{
    size_t span = 1;
    for (size_t m = 0; m < st->nmargins; m++) {
        size_t k = st->margins[m].ncells ? st->margins[m].ncells : 1;
        if (span > ((size_t)1 << 20) / k)
            return;
        span *= k;
    }
    size_t *dense = malloc(span * sizeof *dense);
    size_t *joint = malloc((n ? n : 1) * sizeof *joint);
    if (!dense || !joint) {
        free(dense);
        free(joint);
        return;
    }
    for (size_t c = 0; c < span; c++)
        dense[c] = (size_t)-1;
    size_t nj = 0;
    for (size_t i = 0; i < n; i++) {
        size_t key = 0;
        for (size_t m = 0; m < st->nmargins; m++)
            key = key * st->margins[m].ncells + st->margins[m].cell[i];
        if (dense[key] == (size_t)-1)
            dense[key] = nj++;
        joint[i] = dense[key];
    }
    double *jcount = calloc(nj ? nj : 1, sizeof *jcount);
    size_t *jcell = calloc((nj ? nj : 1) * st->nmargins, sizeof *jcell);
    if (!jcount || !jcell) {
        free(dense);
        free(joint);
        free(jcount);
        free(jcell);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = joint[i];
        jcount[c] += 1;
        for (size_t m = 0; m < st->nmargins; m++)
            jcell[c * st->nmargins + m] = st->margins[m].cell[i];
    }
    free(dense);
    st->joint = joint;
    st->jcount = jcount;
    st->jcell = jcell;
    st->njoint = nj;
}

/*
 * survey's raking residuals, 10 rounds over the margins, on the joint table:
 * with u = z / psw, each margin step subtracts the unweighted cell mean of
 * the current u; the current u of a row is u0 - sum_m D_m[cell_m], so the
 * cell means only need the joint cells' sums of u0 and their row counts.
 */
static int rake_residuals_joint(const struct cal_step *st, size_t n, double *z)
{
    size_t M = st->nmargins, J = st->njoint;
    size_t tot = 0;
    for (size_t m = 0; m < M; m++)
        tot += st->margins[m].ncells;
    long double *S = calloc(J ? J : 1, sizeof *S);
    double *D = calloc(tot ? tot : 1, sizeof *D);
    long double *num = calloc(tot ? tot : 1, sizeof *num);
    double *cnt = calloc(tot ? tot : 1, sizeof *cnt);
    size_t *off = calloc(M, sizeof *off);
    if (!S || !D || !num || !cnt || !off) {
        free(S);
        free(D);
        free(num);
        free(cnt);
        free(off);
        return SV_ENOMEM;
    }
    for (size_t m = 1; m < M; m++)
        off[m] = off[m - 1] + st->margins[m - 1].ncells;
    for (size_t i = 0; i < n; i++)
        S[st->joint[i]] += z[i] / st->psw[i];
    for (size_t c = 0; c < J; c++)
        for (size_t m = 0; m < M; m++)
            cnt[off[m] + st->jcell[c * M + m]] += st->jcount[c];
    for (int r = 0; r < 10; r++) {
        for (size_t m = 0; m < M; m++) {
            size_t nc = st->margins[m].ncells;
            for (size_t g = 0; g < nc; g++)
                num[off[m] + g] = 0;
            for (size_t c = 0; c < J; c++) {
                long double adj = 0;
                for (size_t q = 0; q < M; q++)
                    adj += D[off[q] + st->jcell[c * M + q]];
                num[off[m] + st->jcell[c * M + m]] += S[c] - st->jcount[c] * adj;
            }
            for (size_t g = 0; g < nc; g++)
                if (cnt[off[m] + g] > 0)
                    D[off[m] + g] += (double)(num[off[m] + g] / cnt[off[m] + g]);
        }
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = st->joint[i];
        double adj = 0;
        for (size_t q = 0; q < M; q++)
            adj += D[off[q] + st->jcell[c * M + q]];
        z[i] -= adj * st->psw[i];
    }
    free(S);
    free(D);
    free(num);
    free(cnt);
    free(off);
    return 0;
}

static int add_step(struct analyse_design *d, enum cal_kind kind,
                    const struct analyse_margin *margins, size_t nmargins, const double *oldw)
{
    struct cal_step *s = realloc(d->steps, (d->nsteps + 1) * sizeof *s);
    if (!s)
        return SV_ENOMEM;
    d->steps = s;
    struct cal_step *st = &d->steps[d->nsteps];
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->margins = xcalloc(nmargins, sizeof *st->margins);
    st->psw = xcalloc(d->nrows, sizeof *st->psw);
    if (!st->margins || !st->psw)
        goto fail;
    st->nmargins = nmargins;
    for (size_t m = 0; m < nmargins; m++) {
        st->margins[m].ncells = margins[m].ncells;
        st->margins[m].cell = xcalloc(d->nrows, sizeof(size_t));
        if (!st->margins[m].cell)
            goto fail;
        memcpy(st->margins[m].cell, margins[m].cell, d->nrows * sizeof(size_t));
    }
    memcpy(st->psw, d->w, d->nrows * sizeof *st->psw);
    if (kind == CAL_RAKE)
        build_joint(st, d->nrows);
    if (oldw) {
        st->oldw = xcalloc(d->nrows, sizeof *st->oldw);
        if (!st->oldw)
            goto fail;
        memcpy(st->oldw, oldw, d->nrows * sizeof *st->oldw);
    }
    d->nsteps++;
    return 0;
fail:
    for (size_t m = 0; m < nmargins && st->margins; m++)
        free(st->margins[m].cell);
    free(st->margins);
    free(st->psw);
    free(st->oldw);
    return SV_ENOMEM;
}

int analyse_design_poststratify(struct analyse_design *d, const struct analyse_margin *m,
                                struct sv_error *err)
{
    int rc = check_margin(d, m, err);
    if (rc)
        return rc;
    double *oldw = xcalloc(d->nrows, sizeof *oldw);
    long double *acc = xcalloc(m->ncells, sizeof *acc);
    if (!oldw || !acc) {
        free(oldw);
        free(acc);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    memcpy(oldw, d->w, d->nrows * sizeof *oldw);
    rc = poststratify_pass(d, m, acc, err);
    if (rc == 0 && add_step(d, CAL_POST, m, 1, oldw) != 0)
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc)
        memcpy(d->w, oldw, d->nrows * sizeof *oldw);
    free(oldw);
    free(acc);
    return rc;
}

int analyse_design_rake(struct analyse_design *d, const struct analyse_margin *margins,
                        size_t nmargins, double tolerance, int max_iter,
                        struct analyse_rake_report *report, struct sv_error *err)
{
    struct analyse_rake_report rep;
    memset(&rep, 0, sizeof rep);
    if (nmargins == 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "raking: no margin");
    size_t maxcells = 0;
    for (size_t m = 0; m < nmargins; m++) {
        int rc = check_margin(d, &margins[m], err);
        if (rc)
            return rc;
        if (margins[m].ncells > maxcells)
            maxcells = margins[m].ncells;
    }
    double *saved = xcalloc(d->nrows, sizeof *saved);
    long double *acc = xcalloc(maxcells, sizeof *acc);
    if (!saved || !acc) {
        free(saved);
        free(acc);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    memcpy(saved, d->w, d->nrows * sizeof *saved);
    int rc = 0;
    if (max_iter < 1)
        max_iter = 1;
    for (int it = 0; it < max_iter && rc == 0; it++) {
        for (size_t m = 0; m < nmargins && rc == 0; m++)
            rc = poststratify_pass(d, &margins[m], acc, err);
        if (rc)
            break;
        rep.iterations = it + 1;
        /* misfit of every margin after the sweep */
        double worst = 0;
        for (size_t m = 0; m < nmargins; m++) {
            for (size_t g = 0; g < margins[m].ncells; g++)
                acc[g] = 0;
            for (size_t i = 0; i < d->nrows; i++)
                acc[margins[m].cell[i]] += d->w[i];
            for (size_t g = 0; g < margins[m].ncells; g++) {
                if (margins[m].total[g] > 0) {
                    double e = fabs((double)acc[g] - margins[m].total[g]) / margins[m].total[g];
                    if (e > worst)
                        worst = e;
                }
            }
        }
        rep.max_change = worst;
        if (worst <= tolerance) {
            rep.converged = true;
            break;
        }
    }
    if (rc == 0 && add_step(d, CAL_RAKE, margins, nmargins, NULL) != 0)
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (rc) {
        memcpy(d->w, saved, d->nrows * sizeof *saved);
    } else {
        weight_summary(d, &rep);
    }
    free(saved);
    free(acc);
    if (report)
        *report = rep;
    return rc;
}

/* The spread of the current weights into rep (w_min, w_max, w_mean, w_cv). */
static void weight_summary(const struct analyse_design *d, struct analyse_rake_report *rep)
{
    long double s = 0, s2 = 0;
    rep->w_min = INFINITY;
    rep->w_max = -INFINITY;
    for (size_t i = 0; i < d->nrows; i++) {
        s += d->w[i];
        if (d->w[i] < rep->w_min)
            rep->w_min = d->w[i];
        if (d->w[i] > rep->w_max)
            rep->w_max = d->w[i];
    }
    rep->w_mean = (double)(s / d->nrows);
    for (size_t i = 0; i < d->nrows; i++)
        s2 += (d->w[i] - rep->w_mean) * (d->w[i] - rep->w_mean);
    rep->w_cv = d->nrows > 1 ? sqrt((double)(s2 / (d->nrows - 1))) / rep->w_mean : 0;
}

/* Moore-Penrose inverse of the p x p matrix a into out, as MASS::ginv (tolerance 256 eps). */
static int pinv(double *out, const double *a, size_t p)
{
    gsl_set_error_handler_off();
    gsl_matrix *U = gsl_matrix_alloc(p, p), *V = gsl_matrix_alloc(p, p);
    gsl_vector *S = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    int rc = SV_ENOMEM;
    if (!U || !V || !S || !work)
        goto out;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(U, i, j, a[i * p + j]);
    rc = SV_EDATA;
    if (p > 1 && gsl_linalg_SV_decomp(U, V, S, work) != 0)
        goto out;
    if (p == 1)
        gsl_vector_set(S, 0, a[0]), gsl_matrix_set(U, 0, 0, 1), gsl_matrix_set(V, 0, 0, 1);
    double smax = 0;
    for (size_t k = 0; k < p; k++)
        if (fabs(gsl_vector_get(S, k)) > smax)
            smax = fabs(gsl_vector_get(S, k));
    double tol = 256 * 2.220446049250313e-16 * smax;
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            long double v = 0;
            for (size_t k = 0; k < p; k++) {
                double sk = gsl_vector_get(S, k);
                if (fabs(sk) > tol && sk != 0)
                    v += (long double)gsl_matrix_get(V, i, k) / sk * gsl_matrix_get(U, j, k);
            }
            out[i * p + j] = (double)v;
        }
    rc = 0;
out:
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return rc;
}

/* grake()'s calibration functions: g - 1 and its derivative (R's exact expressions). */
static double cal_fm1(enum analyse_calfun f, double u, double lo, double hi)
{
    double g = f == ANALYSE_CALFUN_RAKING ? exp(u) : u + 1;
    if (g < lo)
        g = lo;
    if (g > hi)
        g = hi;
    return g - 1;
}

static double cal_df(enum analyse_calfun f, double u, double lo, double hi)
{
    bool in = u < hi - 1 && u > lo - 1;
    if (!in)
        return 0;
    return f == ANALYSE_CALFUN_RAKING ? exp(u) : 1;
}

/* The GREG columns of row i (column 0, the intercept, first) into col; returns their number. */
static size_t greg_cols(size_t *col, size_t *const *colmap, const struct analyse_margin *m,
                        size_t nm, size_t i)
{
    size_t k = 0;
    col[k++] = 0;
    for (size_t q = 0; q < nm; q++) {
        size_t c = colmap[q][m[q].cell[i]];
        if (c != (size_t)-1)
            col[k++] = c;
    }
    return k;
}

/* sum_i w_i s_i x_i x_i' into T (p x p), s = NULL for 1. */
static void greg_cross(double *T, size_t p, const struct analyse_design *d, const double *w,
                       const double *s, size_t *const *colmap, const struct analyse_margin *m,
                       size_t nm, size_t *col)
{
    long double *acc = calloc(p * p, sizeof *acc);
    if (!acc) {
        for (size_t j = 0; j < p * p; j++)
            T[j] = NAN;
        return;
    }
    for (size_t i = 0; i < d->nrows; i++) {
        double v = w[i] * (s ? s[i] : 1);
        if (v == 0)
            continue;
        size_t k = greg_cols(col, colmap, m, nm, i);
        for (size_t a = 0; a < k; a++)
            for (size_t b = 0; b < k; b++)
                acc[col[a] * p + col[b]] += v;
    }
    for (size_t j = 0; j < p * p; j++)
        T[j] = (double)acc[j];
    free(acc);
}

int analyse_design_calibrate(struct analyse_design *d, const struct analyse_margin *margins,
                             size_t nmargins, const struct analyse_calib_spec *spec,
                             struct analyse_rake_report *report, struct sv_error *err)
{
    struct analyse_rake_report rep;
    memset(&rep, 0, sizeof rep);
    if (report)
        *report = rep;
    if (nmargins == 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "calibration: no margin");
    size_t n = d->nrows, p = 1;
    int rc = 0;
    for (size_t m = 0; m < nmargins; m++)
        if ((rc = check_margin(d, &margins[m], err)))
            return rc;
    size_t **colmap = calloc(nmargins, sizeof *colmap);
    double *w0 = xcalloc(n, sizeof *w0), *g = xcalloc(n, sizeof *g);
    double *xeta = xcalloc(n, sizeof *xeta), *der = xcalloc(n, sizeof *der);
    size_t *col = xcalloc(nmargins + 1, sizeof *col);
    double *T = NULL, *Ti = NULL, *t = NULL, *that = NULL, *eta = NULL, *deta = NULL,
           *mis = NULL;
    long double *acc = NULL;
    if (!colmap || !w0 || !g || !xeta || !der || !col)
        goto nomem;
    memcpy(w0, d->w, n * sizeof *w0);
    /* columns: the intercept, then each margin's cells with rows but the first */
    for (size_t m = 0; m < nmargins; m++) {
        size_t nc = margins[m].ncells;
        long double *sw = xcalloc(nc, sizeof *sw);
        colmap[m] = xcalloc(nc, sizeof **colmap);
        if (!sw || !colmap[m]) {
            free(sw);
            goto nomem;
        }
        for (size_t i = 0; i < n; i++)
            sw[margins[m].cell[i]] += w0[i];
        bool first = true;
        for (size_t c = 0; c < nc && rc == 0; c++) {
            colmap[m][c] = (size_t)-1;
            if (sw[c] > 0 && !(margins[m].total[c] > 0))
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "calibration: cell %zu has respondents but a population "
                                  "total of %g", c + 1, margins[m].total[c]);
            else if (sw[c] == 0 && margins[m].total[c] > 0)
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "calibration: cell %zu has a population of %g but no "
                                  "respondent", c + 1, margins[m].total[c]);
            else if (sw[c] > 0 && !first)
                colmap[m][c] = p++;
            else if (sw[c] > 0)
                first = false;
        }
        free(sw);
        if (rc)
            goto out;
    }
    T = xcalloc(p * p, sizeof *T);
    Ti = xcalloc(p * p, sizeof *Ti);
    t = xcalloc(p, sizeof *t);
    that = xcalloc(p, sizeof *that);
    eta = xcalloc(p, sizeof *eta);
    deta = xcalloc(p, sizeof *deta);
    mis = xcalloc(p, sizeof *mis);
    acc = xcalloc(p, sizeof *acc);
    if (!T || !Ti || !t || !that || !eta || !deta || !mis || !acc)
        goto nomem;
    for (size_t c = 0; c < margins[0].ncells; c++)
        t[0] += margins[0].total[c];
    for (size_t m = 0; m < nmargins; m++)
        for (size_t c = 0; c < margins[m].ncells; c++)
            if (colmap[m][c] != (size_t)-1)
                t[colmap[m][c]] = margins[m].total[c];
    for (size_t j = 0; j < p; j++)
        acc[j] = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = greg_cols(col, colmap, margins, nmargins, i);
        for (size_t a = 0; a < k; a++)
            acc[col[a]] += w0[i];
    }
    for (size_t j = 0; j < p; j++)
        that[j] = (double)acc[j];
    enum analyse_calfun f = spec->calfun;
    double lo = spec->lower, hi = spec->upper;
    int maxit = spec->max_iter > 0 ? spec->max_iter : 50;
    double eps = spec->epsilon > 0 ? spec->epsilon : 1e-7;
    /* the misfit t - t_hat - sum w x F(x'eta) and its largest relative size */
#define MISFIT()                                                                                   \
    do {                                                                                           \
        for (size_t j_ = 0; j_ < p; j_++)                                                          \
            acc[j_] = 0;                                                                           \
        for (size_t i_ = 0; i_ < n; i_++) {                                                        \
            size_t k_ = greg_cols(col, colmap, margins, nmargins, i_);                             \
            double v_ = w0[i_] * cal_fm1(f, xeta[i_], lo, hi);                                     \
            for (size_t a_ = 0; a_ < k_; a_++)                                                     \
                acc[col[a_]] += v_;                                                                \
        }                                                                                          \
        rep.max_change = 0;                                                                        \
        for (size_t j_ = 0; j_ < p; j_++) {                                                        \
            mis[j_] = (double)((long double)t[j_] - that[j_] - acc[j_]);                           \
            double e_ = fabs(mis[j_]) / (1 + fabs(t[j_]));                                         \
            if (!(e_ <= rep.max_change))                                                           \
                rep.max_change = e_;                                                               \
        }                                                                                          \
    } while (0)
#define SET_XETA()                                                                                 \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < n; i_++) {                                                        \
            size_t k_ = greg_cols(col, colmap, margins, nmargins, i_);                             \
            long double u_ = 0;                                                                    \
            for (size_t a_ = 0; a_ < k_; a_++)                                                     \
                u_ += eta[col[a_]];                                                                \
            xeta[i_] = (double)u_;                                                                 \
            g[i_] = 1 + cal_fm1(f, xeta[i_], lo, hi);                                              \
            der[i_] = cal_df(f, xeta[i_], lo, hi);                                                 \
        }                                                                                          \
    } while (0)
    if (f == ANALYSE_CALFUN_LINEAR && isinf(lo) && lo < 0 && isinf(hi) && hi > 0) {
        /* regcalibrate(): closed form */
        greg_cross(T, p, d, w0, NULL, colmap, margins, nmargins, col);
        if (pinv(Ti, T, p) != 0) {
            rc = sv_error_set(err, SV_EDATA, NULL, 0, 0, "calibration: singular margins");
            goto out;
        }
        for (size_t a = 0; a < p; a++) {
            long double v = 0;
            for (size_t b = 0; b < p; b++)
                v += (long double)Ti[a * p + b] * (t[b] - that[b]);
            eta[a] = (double)v;
        }
        SET_XETA();
        MISFIT();
        rep.iterations = 1;
        rep.converged = rep.max_change < eps;
    } else {
        SET_XETA();
        int iter = 1;
        for (;;) {
            greg_cross(T, p, d, w0, der, colmap, margins, nmargins, col);
            MISFIT();
            if (pinv(Ti, T, p) != 0)
                break;
            for (size_t a = 0; a < p; a++) {
                long double v = 0;
                for (size_t b = 0; b < p; b++)
                    v += (long double)Ti[a * p + b] * mis[b];
                deta[a] = (double)v;
                eta[a] += deta[a];
            }
            SET_XETA();
            for (;;) {
                bool bad = false;
                for (size_t i = 0; i < n && !bad; i++)
                    bad = !isfinite(g[i]) || !isfinite(der[i]);
                if (!(iter < maxit && bad))
                    break;
                iter++;
                for (size_t a = 0; a < p; a++) {
                    deta[a] /= 2;
                    eta[a] -= deta[a];
                }
                SET_XETA();
            }
            MISFIT();
            rep.iterations = iter;
            if (rep.max_change < eps) {
                rep.converged = true;
                break;
            }
            if (++iter > maxit)
                break;
        }
    }
#undef MISFIT
#undef SET_XETA
    if (!rep.converged) {
        rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                          "calibration did not converge in %d steps (largest relative misfit "
                          "%.3g): the margins cannot be met%s", rep.iterations, rep.max_change,
                          isinf(lo) && isinf(hi) ? "" : " within the bounds");
        goto out;
    }
    {
        size_t bad = 0;
        double gmin = INFINITY;
        for (size_t i = 0; i < n; i++) {
            if (!(g[i] > 0) || !isfinite(g[i]))
                bad++;
            if (g[i] < gmin)
                gmin = g[i];
        }
        if (bad) {
            rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                              "calibration gives %zu weight%s <= 0 (smallest ratio to the "
                              "weight before: %.3g): bound the ratios or rake instead", bad,
                              bad > 1 ? "s" : "", gmin);
            goto out;
        }
    }
    for (size_t i = 0; i < n; i++)
        d->w[i] = w0[i] * g[i];
    /* the variance's projection: pseudo-inverse of sum w0 x x' */
    greg_cross(T, p, d, w0, NULL, colmap, margins, nmargins, col);
    if (pinv(Ti, T, p) != 0 || add_step(d, CAL_GREG, margins, nmargins, w0) != 0) {
        memcpy(d->w, w0, n * sizeof *w0);
        goto nomem;
    }
    {
        struct cal_step *st = &d->steps[d->nsteps - 1];
        st->colmap = colmap;
        st->ncol = p;
        st->ainv = Ti;
        colmap = NULL;
        Ti = NULL;
    }
    weight_summary(d, &rep);
    goto out;
nomem:
    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
out:
    for (size_t m = 0; m < nmargins && colmap; m++)
        free(colmap[m]);
    free(colmap);
    free(w0);
    free(g);
    free(xeta);
    free(der);
    free(col);
    free(T);
    free(Ti);
    free(t);
    free(that);
    free(eta);
    free(deta);
    free(mis);
    free(acc);
    if (report)
        *report = rep;
    return rc;
}

/* survey's GREG residuals: z - w_cal x'B, B = (sum w0 x x')^+ sum x w0 z / w_cal. */
static int greg_residuals(const struct cal_step *st, size_t n, double *z)
{
    size_t p = st->ncol, M = st->nmargins;
    long double *b = calloc(p, sizeof *b);
    double *B = calloc(p, sizeof *B);
    size_t *col = calloc(M + 1, sizeof *col);
    if (!b || !B || !col) {
        free(b);
        free(B);
        free(col);
        return SV_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        if (z[i] == 0)
            continue;
        double v = st->oldw[i] * z[i] / st->psw[i];
        b[0] += v;
        for (size_t m = 0; m < M; m++) {
            size_t c = st->colmap[m][st->margins[m].cell[i]];
            if (c != (size_t)-1)
                b[c] += v;
        }
    }
    for (size_t a = 0; a < p; a++) {
        long double v = 0;
        for (size_t c = 0; c < p; c++)
            v += (long double)st->ainv[a * p + c] * b[c];
        B[a] = (double)v;
    }
    for (size_t i = 0; i < n; i++) {
        long double fit = B[0];
        for (size_t m = 0; m < M; m++) {
            size_t c = st->colmap[m][st->margins[m].cell[i]];
            if (c != (size_t)-1)
                fit += B[c];
        }
        z[i] -= (double)(fit * st->psw[i]);
    }
    free(b);
    free(B);
    free(col);
    return 0;
}

/* ---- variance ------------------------------------------------------------------- */

/* Replace z by its calibration residuals (survey's svyrecvar, postStrata part). */
static int calibration_residuals(const struct analyse_design *d, double *z)
{
    size_t n = d->nrows;
    for (size_t s = 0; s < d->nsteps; s++) {
        const struct cal_step *st = &d->steps[s];
        if (st->kind == CAL_GREG) {
            if (greg_residuals(st, n, z) != 0)
                return SV_ENOMEM;
            continue;
        }
        if (st->kind == CAL_RAKE && st->joint) {
            if (rake_residuals_joint(st, n, z) != 0)
                return SV_ENOMEM;
            continue;
        }
        size_t maxc = 0;
        for (size_t m = 0; m < st->nmargins; m++)
            if (st->margins[m].ncells > maxc)
                maxc = st->margins[m].ncells;
        long double *num = xcalloc(maxc, sizeof *num);
        long double *den = xcalloc(maxc, sizeof *den);
        if (!num || !den) {
            free(num);
            free(den);
            return SV_ENOMEM;
        }
        int rounds = st->kind == CAL_RAKE ? 10 : 1;
        for (int r = 0; r < rounds; r++) {
            for (size_t m = 0; m < st->nmargins; m++) {
                const struct cal_margin *cm = &st->margins[m];
                for (size_t g = 0; g < cm->ncells; g++)
                    num[g] = den[g] = 0;
                for (size_t i = 0; i < n; i++) {
                    if (st->kind == CAL_POST) {
                        num[cm->cell[i]] += z[i] * st->oldw[i] / st->psw[i];
                        den[cm->cell[i]] += st->oldw[i];
                    } else {
                        num[cm->cell[i]] += z[i] / st->psw[i];
                        den[cm->cell[i]] += 1;
                    }
                }
                for (size_t i = 0; i < n; i++) {
                    size_t g = cm->cell[i];
                    z[i] -= (double)(num[g] / den[g]) * st->psw[i];
                }
            }
        }
        free(num);
        free(den);
    }
    return 0;
}

/* Variance of the total of z (z modified: calibration residuals). */
static int variance_of_total(const struct analyse_design *d, double *z, double *var)
{
    int rc = calibration_residuals(d, z);
    if (rc)
        return rc;
    if (d->element) {
        /* PSU totals are the rows' z: two passes per stratum, no aggregation */
        long double *m = xcalloc(d->nstrata, sizeof *m), *q = xcalloc(d->nstrata, sizeof *q);
        if (!m || !q) {
            free(m);
            free(q);
            return SV_ENOMEM;
        }
        for (size_t i = 0; i < d->nrows; i++)
            m[d->stratum[i]] += z[i];
        for (size_t h = 0; h < d->nstrata; h++)
            if (d->n_h[h] > 0)
                m[h] /= d->n_h[h];
        for (size_t i = 0; i < d->nrows; i++) {
            long double e = z[i] - m[d->stratum[i]];
            q[d->stratum[i]] += e * e;
        }
        long double v = 0;
        for (size_t h = 0; h < d->nstrata; h++) {
            double nh = d->n_h[h];
            if (nh >= 2)
                v += (1.0L - d->f_h[h]) * nh / (nh - 1.0) * q[h];
        }
        *var = (double)v;
        free(m);
        free(q);
        return 0;
    }
    long double *Z = xcalloc(d->npsu, sizeof *Z);
    long double *mean = xcalloc(d->nstrata, sizeof *mean);
    long double *ss = xcalloc(d->nstrata, sizeof *ss);
    if (!Z || !mean || !ss) {
        free(Z);
        free(mean);
        free(ss);
        return SV_ENOMEM;
    }
    for (size_t i = 0; i < d->nrows; i++)
        Z[d->psu[i]] += z[i];
    for (size_t j = 0; j < d->npsu; j++)
        mean[d->psu_stratum[j]] += Z[j];
    for (size_t h = 0; h < d->nstrata; h++)
        if (d->n_h[h] > 0)
            mean[h] /= d->n_h[h];
    for (size_t j = 0; j < d->npsu; j++) {
        long double e = Z[j] - mean[d->psu_stratum[j]];
        ss[d->psu_stratum[j]] += e * e;
    }
    long double v = 0;
    for (size_t h = 0; h < d->nstrata; h++) {
        double nh = d->n_h[h];
        if (nh < 2)
            continue; /* certainty stratum (lonely PSUs are refused at design time) */
        v += (1.0L - d->f_h[h]) * nh / (nh - 1.0) * ss[h];
    }
    *var = (double)v;
    free(Z);
    free(mean);
    free(ss);
    return 0;
}

/* Design df of the rows flagged in `used`: distinct PSUs - distinct strata. */
static double used_df(const struct analyse_design *d, const unsigned char *used)
{
    unsigned char *pm = calloc(d->npsu ? d->npsu : 1, 1);
    unsigned char *hm = calloc(d->nstrata, 1);
    double df = NAN;
    if (pm && hm) {
        long np = 0, nh = 0;
        for (size_t i = 0; i < d->nrows; i++) {
            if (!used[i])
                continue;
            if (!pm[d->psu[i]]) {
                pm[d->psu[i]] = 1;
                np++;
            }
            if (!hm[d->stratum[i]]) {
                hm[d->stratum[i]] = 1;
                nh++;
            }
        }
        df = (double)(np - nh);
    }
    free(pm);
    free(hm);
    return df;
}

/* ---- estimators ------------------------------------------------------------------- */

static const struct {
    const char *name;
    enum analyse_ci_method m;
} ci_names[] = {
    {"t", ANALYSE_CI_T},
    {"normal", ANALYSE_CI_NORMAL},
    {"logit", ANALYSE_CI_LOGIT},
    {"wilson", ANALYSE_CI_WILSON},
    {"clopper-pearson", ANALYSE_CI_EXACT},
    {"woodruff", ANALYSE_CI_WOODRUFF},
    {"none", ANALYSE_CI_NONE},
    {"arcsine", ANALYSE_CI_ASIN},
    {"likelihood", ANALYSE_CI_LIKELIHOOD},
    {"wald", ANALYSE_CI_WALD},
    {"agresti-coull", ANALYSE_CI_AGRESTI_COULL},
    {"jeffreys", ANALYSE_CI_JEFFREYS},
    {"binomial-wilson", ANALYSE_CI_BINOM_WILSON},
    {"binomial-clopper-pearson", ANALYSE_CI_BINOM_EXACT},
    {"binomial-agresti-coull", ANALYSE_CI_BINOM_AC},
    {"binomial-jeffreys", ANALYSE_CI_BINOM_JEFFREYS},
    {"woodruff-beta", ANALYSE_CI_Q_BETA},
    {"woodruff-xlogit", ANALYSE_CI_Q_XLOGIT},
    {"woodruff-asin", ANALYSE_CI_Q_ASIN},
    {"score", ANALYSE_CI_Q_SCORE},
    /* parse-only aliases */
    {"exact", ANALYSE_CI_EXACT},
    {"beta", ANALYSE_CI_EXACT},
    {"xlogit", ANALYSE_CI_LOGIT},
    {"asin", ANALYSE_CI_ASIN},
    {"mean", ANALYSE_CI_WALD},
    {"default", ANALYSE_CI_DEFAULT},
};

const char *analyse_ci_method_name(enum analyse_ci_method m)
{
    for (size_t k = 0; k < sizeof ci_names / sizeof ci_names[0]; k++)
        if (ci_names[k].m == m)
            return ci_names[k].name;
    return "default";
}

const char *analyse_result_method(const struct analyse_result *r, char *buf, size_t size)
{
    const char *m = analyse_ci_method_name(r->ci);
    if (!r->quantile)
        return m;
    snprintf(buf, size, "%s/%s", m, analyse_qrule_name(r->qrule));
    return buf;
}

int analyse_ci_method_parse(const char *s, enum analyse_ci_method *out)
{
    for (size_t k = 0; k < sizeof ci_names / sizeof ci_names[0]; k++)
        if (strcmp(s, ci_names[k].name) == 0) {
            *out = ci_names[k].m;
            return 0;
        }
    return SV_EUSAGE;
}

static void result_empty(struct analyse_result *r, double level)
{
    memset(r, 0, sizeof *r);
    r->estimate = r->se = r->var = r->df = r->ci_low = r->ci_high = NAN;
    r->max_share = NAN;
    r->level = level;
    r->ci = ANALYSE_CI_NONE;
}

/*
 * Flag the rows used (in domain, weight > 0, values present) and count the
 * missing ones. For proportions, check the 0/1 coding.
 */
static int select_rows(const struct analyse_design *d, enum analyse_stat stat, const double *y,
                       const double *x, const unsigned char *domain, unsigned char *used,
                       long *n_used, long *n_missing, struct sv_error *err)
{
    long nu = 0, nm = 0;
    for (size_t i = 0; i < d->nrows; i++) {
        used[i] = 0;
        if ((domain && !domain[i]) || !(d->w[i] > 0))
            continue;
        bool miss = isnan(y[i]) || (stat == ANALYSE_RATIO && isnan(x[i]));
        if (miss) {
            nm++;
            continue;
        }
        if (stat == ANALYSE_PROPORTION && y[i] != 0 && y[i] != 1)
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "proportion: row %zu: value %g is not 0 or 1", i + 1, y[i]);
        used[i] = 1;
        nu++;
    }
    *n_used = nu;
    *n_missing = nm;
    return 0;
}


/*
 * The quantile of the m rows `rows` (used, in row order) through the one
 * implementation (analyse_quantile.c); `mean` gives svymean's estimate and
 * variance of a per-row variable over these rows in this design.
 */
static int quantile_rows(struct analyse_result *r, const struct analyse_design *d,
                         const double *y, const size_t *rows, size_t m, double p,
                         double design_df, const struct analyse_options *opt,
                         int (*mean)(void *, const double *, double *, double *), void *ctx)
{
    double *yv = malloc(2 * (m ? m : 1) * sizeof *yv);
    double *xr = NULL;
    struct analyse_qpoints q;
    memset(&q, 0, sizeof q);
    if (!yv)
        return SV_ENOMEM;
    double *u = yv + m;
    for (size_t k = 0; k < m; k++)
        u[k] = d->w[rows[k]];
    for (size_t k = 0; k < m; k++)
        yv[k] = y[rows[k]];
    int rc = analyse_qpoints_init(&q, yv, u, m);
    enum analyse_ci_method method = opt ? opt->qci : ANALYSE_CI_DEFAULT;
    if (opt && opt->ci == ANALYSE_CI_NONE)
        method = ANALYSE_CI_NONE;
    /*
     * R's nrow(design) and x: a subset of a design without calibration drops
     * rows; a calibrated one keeps them all (weight 0, missing values 0).
     */
    struct analyse_qdesign g = {mean, ctx, yv, design_df, (double)m, yv, m, u};
    if (rc == 0 && d->nsteps > 0) {
        g.nrow = (double)d->nrows;
        if (method == ANALYSE_CI_Q_SCORE) {
            xr = malloc((d->nrows ? d->nrows : 1) * sizeof *xr);
            if (!xr)
                rc = SV_ENOMEM;
            for (size_t i = 0; xr && i < d->nrows; i++)
                xr[i] = isnan(y[i]) ? 0.0 : y[i];
            g.xr = xr;
            g.nr = d->nrows;
        }
    }
    if (rc == 0)
        rc = analyse_quantile_estimate(r, &q, &g, p, opt ? opt->qrule : ANALYSE_QRULE_MATH,
                                       method, analyse_result_df(design_df, opt), r->level);
    analyse_qpoints_release(&q);
    free(xr);
    free(yv);
    return rc;
}

/* svymean over the rows used of the whole design (analyse_estimate's path). */
struct qfull {
    const struct analyse_design *d;
    const size_t *rows;
    size_t m;
    double W;
    double *z; /* nrows */
};

static int qfull_mean(void *ctx, const double *u, double *mean, double *var)
{
    struct qfull *c = ctx;
    const double *w = c->d->w;
    long double acc = 0;
    for (size_t k = 0; k < c->m; k++)
        acc += u[k] * w[c->rows[k]] / c->W;
    double est = (double)acc;
    memset(c->z, 0, c->d->nrows * sizeof *c->z);
    for (size_t k = 0; k < c->m; k++)
        c->z[c->rows[k]] = (u[k] - est) * w[c->rows[k]] / c->W;
    *mean = est;
    return variance_of_total(c->d, c->z, var);
}

static int estimate_quantile(struct analyse_result *r, const struct analyse_design *d,
                             const double *y, double p, const unsigned char *used,
                             double design_df, const struct analyse_options *opt, double *z)
{
    size_t m = (size_t)r->n, k = 0;
    size_t *rows = malloc((m ? m : 1) * sizeof *rows);
    if (!rows)
        return SV_ENOMEM;
    for (size_t i = 0; i < d->nrows; i++)
        if (used[i])
            rows[k++] = i;
    struct qfull c = {d, rows, m, r->population, z};
    int rc = quantile_rows(r, d, y, rows, m, p, design_df, opt, qfull_mean, &c);
    free(rows);
    return rc;
}

int analyse_estimate(struct analyse_result *r, const struct analyse_design *d,
                     enum analyse_stat stat, const double *y, const double *x, double p,
                     const unsigned char *domain, const struct analyse_options *opt,
                     struct sv_error *err)
{
    double level = opt && opt->level > 0 ? opt->level : 0.95;
    result_empty(r, level);
    if (!y || (stat == ANALYSE_RATIO && !x))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "estimate: missing column");
    if (stat == ANALYSE_QUANTILE && !(p > 0 && p < 1))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "quantile: p must be in (0, 1)");
    if (!(level > 0 && level < 1))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "level must be in (0, 1)");
    gsl_set_error_handler_off();
    size_t n = d->nrows;
    if (!d->scratch) {
        /* work space kept with the design: a by-group loop reuses it */
        struct analyse_design *dm = (struct analyse_design *)d;
        dm->scratch = calloc(1, sizeof *dm->scratch);
        if (dm->scratch) {
            dm->scratch->z = malloc(n * sizeof *dm->scratch->z);
            dm->scratch->used = malloc(n);
        }
        if (!dm->scratch || !dm->scratch->z || !dm->scratch->used) {
            if (dm->scratch) {
                free(dm->scratch->z);
                free(dm->scratch->used);
                free(dm->scratch);
                dm->scratch = NULL;
            }
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    unsigned char *used = d->scratch->used;
    double *z = d->scratch->z;
    int rc = select_rows(d, stat, y, x, domain, used, &r->n, &r->n_missing, err);
    if (rc || r->n == 0)
        goto done;
    double df = analyse_result_df(used_df(d, used), opt);
    r->df = df;

    long double W = 0, Sy = 0, Sx = 0, Sabs = 0;
    double maxabs = 0;
    for (size_t i = 0; i < n; i++) {
        if (!used[i])
            continue;
        W += d->w[i];
        Sy += d->w[i] * y[i];
        if (stat == ANALYSE_RATIO)
            Sx += d->w[i] * x[i];
        double a = fabs(d->w[i] * y[i]);
        Sabs += a;
        if (a > maxabs)
            maxabs = a;
    }
    r->population = (double)W;
    r->max_share = Sabs > 0 ? maxabs / (double)Sabs : NAN;

    if (stat == ANALYSE_QUANTILE) {
        rc = estimate_quantile(r, d, y, p, used, used_df(d, used), opt, z);
        if (rc)
            rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
        goto done;
    }

    double est;
    switch (stat) {
    case ANALYSE_TOTAL:
        est = (double)Sy;
        for (size_t i = 0; i < n; i++)
            z[i] = used[i] ? d->w[i] * y[i] : 0.0;
        break;
    case ANALYSE_RATIO: {
        est = (double)(Sy / Sx);
        double X = (double)Sx;
        for (size_t i = 0; i < n; i++)
            z[i] = used[i] ? d->w[i] * (y[i] - est * x[i]) / X : 0.0;
        break;
    }
    default: { /* mean, proportion */
        double Wd = (double)W;
        /* as svymean: colSums(x * w / psum), then (x - mean) * w / psum */
        long double acc = 0;
        for (size_t i = 0; i < n; i++)
            if (used[i])
                acc += y[i] * d->w[i] / Wd;
        est = (double)acc;
        for (size_t i = 0; i < n; i++)
            z[i] = used[i] ? (y[i] - est) * d->w[i] / Wd : 0.0;
        break;
    }
    }
    r->estimate = est;
    double v;
    rc = variance_of_total(d, z, &v);
    if (rc) {
        rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
        goto done;
    }
    r->var = v;
    analyse_result_interval(r, stat, opt);
done:
    return rc;
}

double analyse_result_df(double design_df, const struct analyse_options *opt)
{
    double df = design_df;
    if (opt && opt->df != 0 && !isnan(opt->df))
        df = opt->df;
    if (opt && opt->ci == ANALYSE_CI_NORMAL)
        df = INFINITY;
    return df;
}

void analyse_result_interval(struct analyse_result *r, enum analyse_stat stat,
                             const struct analyse_options *opt)
{
    double level = r->level;
    enum analyse_ci_method cim = opt ? opt->ci : ANALYSE_CI_DEFAULT;
    double est = r->estimate, v = r->var, df = r->df;
    r->se = sqrt(v);
    if (cim == ANALYSE_CI_NONE) {
        r->ci = ANALYSE_CI_NONE;
        return;
    }
    if (stat == ANALYSE_PROPORTION && cim != ANALYSE_CI_T && cim != ANALYSE_CI_NORMAL) {
        if (cim == ANALYSE_CI_DEFAULT || cim == ANALYSE_CI_WOODRUFF)
            cim = ANALYSE_CI_LOGIT;
        if (opt && opt->binomial)
            analyse_ci_binomial(&r->ci_low, &r->ci_high, &r->ci, est, r->n, level, cim);
        if (!opt || !opt->binomial || r->ci == ANALYSE_CI_NONE)
            analyse_ci_proportion(&r->ci_low, &r->ci_high, &r->ci, est, v, df, r->n, level,
                                  cim);
    } else {
        double tcrit = analyse_ci_crit(df, level);
        r->ci = isinf(df) ? ANALYSE_CI_NORMAL : ANALYSE_CI_T;
        r->ci_low = est - tcrit * r->se;
        r->ci_high = est + tcrit * r->se;
    }
}

void analyse_result_empty(struct analyse_result *r, double level) { result_empty(r, level); }

int analyse_total(struct analyse_result *res, const struct analyse_design *d, const double *y,
                  const unsigned char *domain, const struct analyse_options *opt,
                  struct sv_error *err)
{
    return analyse_estimate(res, d, ANALYSE_TOTAL, y, NULL, 0, domain, opt, err);
}

int analyse_mean(struct analyse_result *res, const struct analyse_design *d, const double *y,
                 const unsigned char *domain, const struct analyse_options *opt,
                 struct sv_error *err)
{
    return analyse_estimate(res, d, ANALYSE_MEAN, y, NULL, 0, domain, opt, err);
}

int analyse_proportion(struct analyse_result *res, const struct analyse_design *d,
                       const double *y, const unsigned char *domain,
                       const struct analyse_options *opt, struct sv_error *err)
{
    return analyse_estimate(res, d, ANALYSE_PROPORTION, y, NULL, 0, domain, opt, err);
}

int analyse_ratio(struct analyse_result *res, const struct analyse_design *d, const double *y,
                  const double *x, const unsigned char *domain, const struct analyse_options *opt,
                  struct sv_error *err)
{
    return analyse_estimate(res, d, ANALYSE_RATIO, y, x, 0, domain, opt, err);
}

int analyse_quantile(struct analyse_result *res, const struct analyse_design *d, const double *y,
                     double p, const unsigned char *domain, const struct analyse_options *opt,
                     struct sv_error *err)
{
    return analyse_estimate(res, d, ANALYSE_QUANTILE, y, NULL, p, domain, opt, err);
}

/*
 * analyse_by without calibration: the rows are bucketed by group once, and
 * each group's estimate then costs O(its rows + its PSUs) instead of O(n)
 * (a 36-cell table of a million employees spent 80 % of its time scanning
 * rows outside the cell). The arithmetic is analyse_estimate()'s: the same
 * sums in row order, the same PSU totals; the variance of the total runs
 * over the PSUs the group touches, the others of each stratum entering as
 * zeros, (0 - mean_h)^2 each, as in variance_of_total().
 */
struct by_work {
    size_t *start, *rows;     /* rows of group g: rows[start[g] .. start[g + 1]) */
    size_t *pmark, *hmark;    /* stamps: PSU, stratum last seen by group stamp */
    long double *Z;           /* per PSU: total of z over the group's rows */
    long double *hsum, *hss;  /* per stratum */
    long *htouched;
    size_t *plist, *hlist;    /* touched PSUs and strata */
    double *z;                /* per row of the group */
    size_t stamp;             /* last stamp given to by_variance() */
};

static void by_work_release(struct by_work *w)
{
    free(w->start);
    free(w->rows);
    free(w->pmark);
    free(w->hmark);
    free(w->Z);
    free(w->hsum);
    free(w->hss);
    free(w->htouched);
    free(w->plist);
    free(w->hlist);
    free(w->z);
}

/* Variance of the total of z over the m rows `rows` (z[k] for rows[k]); stamp = group + 1. */
static double by_variance(const struct analyse_design *d, struct by_work *w, const size_t *rows,
                          size_t m, const double *z, size_t stamp, long *npsu_used,
                          long *nstrata_used)
{
    size_t np = 0, nh = 0;
    for (size_t k = 0; k < m; k++) {
        size_t j = d->psu[rows[k]], h = d->psu_stratum[j];
        if (w->pmark[j] != stamp) {
            w->pmark[j] = stamp;
            w->Z[j] = 0;
            w->plist[np++] = j;
        }
        if (w->hmark[h] != stamp) {
            w->hmark[h] = stamp;
            w->hsum[h] = 0;
            w->hss[h] = 0;
            w->htouched[h] = 0;
            w->hlist[nh++] = h;
        }
        w->Z[j] += z[k];
    }
    for (size_t k = 0; k < np; k++) {
        size_t j = w->plist[k], h = d->psu_stratum[j];
        w->hsum[h] += w->Z[j];
        w->htouched[h]++;
    }
    for (size_t k = 0; k < nh; k++) {
        size_t h = w->hlist[k];
        if (d->n_h[h] > 0)
            w->hsum[h] /= d->n_h[h];
    }
    for (size_t k = 0; k < np; k++) {
        size_t j = w->plist[k], h = d->psu_stratum[j];
        long double e = w->Z[j] - w->hsum[h];
        w->hss[h] += e * e;
    }
    long double v = 0;
    for (size_t k = 0; k < nh; k++) {
        size_t h = w->hlist[k];
        double n_h = d->n_h[h];
        if (n_h < 2)
            continue; /* certainty stratum */
        long double mh = w->hsum[h];
        long double ss = w->hss[h] + ((long double)n_h - (long double)w->htouched[h]) * mh * mh;
        v += (1.0L - d->f_h[h]) * n_h / (n_h - 1.0) * ss;
    }
    *npsu_used = (long)np;
    *nstrata_used = (long)nh;
    return (double)v;
}

/* svymean over a group's rows (analyse_by's path). */
struct qby {
    const struct analyse_design *d;
    struct by_work *w;
    const size_t *rows;
    size_t m;
    double W;
};

static int qby_mean(void *ctx, const double *u, double *mean, double *var)
{
    struct qby *c = ctx;
    const double *w = c->d->w;
    long double acc = 0;
    for (size_t k = 0; k < c->m; k++)
        acc += u[k] * w[c->rows[k]] / c->W;
    double est = (double)acc;
    for (size_t k = 0; k < c->m; k++)
        c->w->z[k] = (u[k] - est) * w[c->rows[k]] / c->W;
    long np, nh;
    *mean = est;
    *var = by_variance(c->d, c->w, c->rows, c->m, c->w->z, ++c->w->stamp, &np, &nh);
    return 0;
}

static int by_sparse(struct analyse_result *res, const struct analyse_design *d,
                     enum analyse_stat stat, const double *y, double p, const size_t *group,
                     size_t ngroups, const struct analyse_options *opt, struct sv_error *err)
{
    double level = opt && opt->level > 0 ? opt->level : 0.95;
    if (stat == ANALYSE_QUANTILE && !(p > 0 && p < 1))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "quantile: p must be in (0, 1)");
    if (!(level > 0 && level < 1))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "level must be in (0, 1)");
    gsl_set_error_handler_off();
    size_t n = d->nrows;
    struct by_work w;
    memset(&w, 0, sizeof w);
    w.start = xcalloc(ngroups + 2, sizeof *w.start);
    w.rows = xcalloc(n + 1, sizeof *w.rows);
    w.pmark = xcalloc(d->npsu + 1, sizeof *w.pmark);
    w.hmark = xcalloc(d->nstrata + 1, sizeof *w.hmark);
    w.Z = xcalloc(d->npsu + 1, sizeof *w.Z);
    w.hsum = xcalloc(d->nstrata + 1, sizeof *w.hsum);
    w.hss = xcalloc(d->nstrata + 1, sizeof *w.hss);
    w.htouched = xcalloc(d->nstrata + 1, sizeof *w.htouched);
    w.plist = xcalloc(d->npsu + 1, sizeof *w.plist);
    w.hlist = xcalloc(d->nstrata + 1, sizeof *w.hlist);
    w.z = xcalloc(n + 1, sizeof *w.z);
    if (!w.start || !w.rows || !w.pmark || !w.hmark || !w.Z || !w.hsum || !w.hss ||
        !w.htouched || !w.plist || !w.hlist || !w.z) {
        by_work_release(&w);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* counting sort of the rows with a weight by group, row order kept */
    for (size_t i = 0; i < n; i++)
        if (group[i] < ngroups && d->w[i] > 0)
            w.start[group[i] + 1]++;
    for (size_t g = 0; g < ngroups; g++)
        w.start[g + 1] += w.start[g];
    for (size_t i = 0; i < n; i++)
        if (group[i] < ngroups && d->w[i] > 0)
            w.rows[w.start[group[i]]++] = i;
    for (size_t g = ngroups; g > 0; g--)
        w.start[g] = w.start[g - 1];
    w.start[0] = 0;

    int rc = 0;
    for (size_t g = 0; g < ngroups && rc == 0; g++) {
        struct analyse_result *r = &res[g];
        result_empty(r, level);
        /* the group's rows used, in row order (missing values counted) */
        const size_t *all = w.rows + w.start[g];
        size_t na = w.start[g + 1] - w.start[g], m = 0;
        size_t *used = w.rows + w.start[g]; /* compacted in place */
        long nm = 0;
        for (size_t k = 0; k < na; k++) {
            size_t i = all[k];
            if (isnan(y[i])) {
                nm++;
                continue;
            }
            if (stat == ANALYSE_PROPORTION && y[i] != 0 && y[i] != 1) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "proportion: row %zu: value %g is not 0 or 1", i + 1, y[i]);
                break;
            }
            used[m++] = i;
        }
        if (rc)
            break;
        r->n = (long)m;
        r->n_missing = nm;
        if (m == 0)
            continue;
        long double W = 0, Sy = 0, Sabs = 0;
        double maxabs = 0;
        for (size_t k = 0; k < m; k++) {
            size_t i = used[k];
            W += d->w[i];
            Sy += d->w[i] * y[i];
            double a = fabs(d->w[i] * y[i]);
            Sabs += a;
            if (a > maxabs)
                maxabs = a;
        }
        r->population = (double)W;
        r->max_share = Sabs > 0 ? maxabs / (double)Sabs : NAN;
        long np_used, nh_used;
        double est;
        if (stat == ANALYSE_QUANTILE) {
            /* the group's design df first (a zero variable touches every PSU used) */
            memset(w.z, 0, m * sizeof *w.z);
            by_variance(d, &w, used, m, w.z, ++w.stamp, &np_used, &nh_used);
            struct qby c = {d, &w, used, m, (double)W};
            rc = quantile_rows(r, d, y, used, m, p, (double)(np_used - nh_used), opt, qby_mean,
                               &c);
            if (rc) {
                rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
                break;
            }
            continue;
        }
        if (stat == ANALYSE_TOTAL) {
            est = (double)Sy;
            for (size_t k = 0; k < m; k++)
                w.z[k] = d->w[used[k]] * y[used[k]];
        } else { /* mean, proportion */
            double Wd = (double)W;
            long double acc = 0;
            for (size_t k = 0; k < m; k++)
                acc += y[used[k]] * d->w[used[k]] / Wd;
            est = (double)acc;
            for (size_t k = 0; k < m; k++)
                w.z[k] = (y[used[k]] - est) * d->w[used[k]] / Wd;
        }
        r->estimate = est;
        r->var = by_variance(d, &w, used, m, w.z, ++w.stamp, &np_used, &nh_used);
        r->df = analyse_result_df((double)(np_used - nh_used), opt);
        analyse_result_interval(r, stat, opt);
    }
    by_work_release(&w);
    return rc;
}

int analyse_by(struct analyse_result *res, const struct analyse_design *d,
               enum analyse_stat stat, const double *y, const double *x, double p,
               const size_t *group, size_t ngroups, const struct analyse_options *opt,
               struct sv_error *err)
{
    if (d->nsteps == 0 && stat != ANALYSE_RATIO && y)
        return by_sparse(res, d, stat, y, p, group, ngroups, opt, err);
    unsigned char *mask = malloc(d->nrows ? d->nrows : 1);
    if (!mask)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = 0;
    for (size_t g = 0; g < ngroups && rc == 0; g++) {
        for (size_t i = 0; i < d->nrows; i++)
            mask[i] = group[i] == g;
        rc = analyse_estimate(&res[g], d, stat, y, x, p, mask, opt, err);
    }
    free(mask);
    return rc;
}

/* ---- comparisons ------------------------------------------------------------------ */

/* Linearised variable of one domain estimate (as in analyse_estimate) into z. */
static void linearise(const struct analyse_design *d, enum analyse_stat stat, const double *y,
                      const double *x, const unsigned char *used, double est, double *z,
                      double sign)
{
    long double W = 0, Sx = 0;
    for (size_t i = 0; i < d->nrows; i++)
        if (used[i]) {
            W += d->w[i];
            if (stat == ANALYSE_RATIO)
                Sx += d->w[i] * x[i];
        }
    for (size_t i = 0; i < d->nrows; i++) {
        if (!used[i])
            continue;
        double v;
        if (stat == ANALYSE_TOTAL)
            v = d->w[i] * y[i];
        else if (stat == ANALYSE_RATIO)
            v = d->w[i] * (y[i] - est * x[i]) / (double)Sx;
        else
            v = (y[i] - est) * d->w[i] / (double)W;
        z[i] += sign * v;
    }
}

/*
 * analyse_difference for two disjoint domains of an uncalibrated design:
 * both estimates by by_sparse() (the same arithmetic as analyse_estimate),
 * the variance of a - b over the clusters the two domains touch. Returns 1
 * when the domains overlap (the caller's general path then runs).
 */
static int difference_sparse(struct analyse_diff *res, const struct analyse_design *d,
                             enum analyse_stat stat, const double *y,
                             const unsigned char *domain_a, const unsigned char *domain_b,
                             const struct analyse_options *o, struct sv_error *err)
{
    size_t n = d->nrows;
    size_t *group = malloc((n ? n : 1) * sizeof *group);
    if (!group)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        if (domain_a[i] && domain_b[i]) {
            free(group);
            return 1;
        }
        group[i] = domain_a[i] ? 0 : domain_b[i] ? 1 : ANALYSE_NO_GROUP;
    }
    struct analyse_result ab[2];
    int rc = by_sparse(ab, d, stat, y, 0, group, 2, o, err);
    res->a = ab[0];
    res->b = ab[1];
    res->level = o->level;
    res->estimate = res->a.estimate - res->b.estimate;
    if (rc || res->a.n == 0 || res->b.n == 0) {
        res->se = res->t = res->p_value = res->df = res->ci_low = res->ci_high = NAN;
        free(group);
        return rc;
    }
    /* the rows used by either domain, in row order, with their linearised values */
    size_t m = (size_t)(res->a.n + res->b.n), k = 0;
    size_t *rows = malloc(m * sizeof *rows);
    double *z = malloc(m * sizeof *z);
    struct by_work w;
    memset(&w, 0, sizeof w);
    w.pmark = xcalloc(d->npsu + 1, sizeof *w.pmark);
    w.hmark = xcalloc(d->nstrata + 1, sizeof *w.hmark);
    w.Z = xcalloc(d->npsu + 1, sizeof *w.Z);
    w.hsum = xcalloc(d->nstrata + 1, sizeof *w.hsum);
    w.hss = xcalloc(d->nstrata + 1, sizeof *w.hss);
    w.htouched = xcalloc(d->nstrata + 1, sizeof *w.htouched);
    w.plist = xcalloc(d->npsu + 1, sizeof *w.plist);
    w.hlist = xcalloc(d->nstrata + 1, sizeof *w.hlist);
    if (!rows || !z || !w.pmark || !w.hmark || !w.Z || !w.hsum || !w.hss || !w.htouched ||
        !w.plist || !w.hlist) {
        free(rows);
        free(z);
        free(group);
        by_work_release(&w);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    double Wa = res->a.population, Wb = res->b.population;
    for (size_t i = 0; i < n && k < m; i++) {
        if (group[i] == ANALYSE_NO_GROUP || !(d->w[i] > 0) || isnan(y[i]))
            continue;
        bool in_a = group[i] == 0;
        double est = in_a ? res->a.estimate : res->b.estimate;
        double v = stat == ANALYSE_TOTAL ? d->w[i] * y[i]
                                         : (y[i] - est) * d->w[i] / (in_a ? Wa : Wb);
        rows[k] = i;
        z[k++] = in_a ? v : -v;
    }
    long np, nh;
    double v = by_variance(d, &w, rows, k, z, ++w.stamp, &np, &nh);
    res->se = sqrt(v);
    res->df = (o->df != 0 && !isnan(o->df)) ? o->df : (double)(np - nh);
    if (o->ci == ANALYSE_CI_NORMAL)
        res->df = INFINITY;
    res->t = res->estimate / res->se;
    double tc = analyse_ci_crit(res->df, o->level);
    res->ci_low = res->estimate - tc * res->se;
    res->ci_high = res->estimate + tc * res->se;
    if (isinf(res->df))
        res->p_value = 2 * gsl_cdf_ugaussian_Q(fabs(res->t));
    else
        res->p_value = 2 * gsl_cdf_tdist_Q(fabs(res->t), res->df);
    free(rows);
    free(z);
    free(group);
    by_work_release(&w);
    return 0;
}

int analyse_difference(struct analyse_diff *res, const struct analyse_design *d,
                       enum analyse_stat stat, const double *y, const double *x,
                       const unsigned char *domain_a, const unsigned char *domain_b,
                       const struct analyse_options *opt, struct sv_error *err)
{
    memset(res, 0, sizeof *res);
    if (stat == ANALYSE_QUANTILE)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "difference: not available for quantiles");
    struct analyse_options o = {0.95, ANALYSE_CI_T, NAN, false, ANALYSE_QRULE_MATH, ANALYSE_CI_DEFAULT};
    if (opt) {
        o = *opt;
        if (!(o.level > 0))
            o.level = 0.95;
    }
    if (d->nsteps == 0 && stat != ANALYSE_RATIO && domain_a && domain_b) {
        int src = difference_sparse(res, d, stat, y, domain_a, domain_b, &o, err);
        if (src != 1)
            return src;
    }
    int rc = analyse_estimate(&res->a, d, stat, y, x, 0, domain_a, &o, err);
    if (rc == 0)
        rc = analyse_estimate(&res->b, d, stat, y, x, 0, domain_b, &o, err);
    if (rc)
        return rc;
    res->level = o.level;
    res->estimate = res->a.estimate - res->b.estimate;
    if (res->a.n == 0 || res->b.n == 0) {
        res->se = res->t = res->p_value = res->df = res->ci_low = res->ci_high = NAN;
        return 0;
    }
    size_t n = d->nrows;
    unsigned char *ua = malloc(n), *ub = malloc(n), *uu = malloc(n);
    double *z = calloc(n, sizeof *z);
    if (!ua || !ub || !uu || !z) {
        free(ua);
        free(ub);
        free(uu);
        free(z);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    long nu, nm;
    select_rows(d, stat, y, x, domain_a, ua, &nu, &nm, NULL);
    select_rows(d, stat, y, x, domain_b, ub, &nu, &nm, NULL);
    for (size_t i = 0; i < n; i++)
        uu[i] = ua[i] || ub[i];
    linearise(d, stat, y, x, ua, res->a.estimate, z, 1.0);
    linearise(d, stat, y, x, ub, res->b.estimate, z, -1.0);
    double v;
    rc = variance_of_total(d, z, &v);
    if (rc == 0) {
        res->se = sqrt(v);
        res->df = (o.df != 0 && !isnan(o.df)) ? o.df : used_df(d, uu);
        if (o.ci == ANALYSE_CI_NORMAL)
            res->df = INFINITY;
        res->t = res->estimate / res->se;
        double tc = analyse_ci_crit(res->df, o.level);
        res->ci_low = res->estimate - tc * res->se;
        res->ci_high = res->estimate + tc * res->se;
        if (isinf(res->df))
            res->p_value = 2 * gsl_cdf_ugaussian_Q(fabs(res->t));
        else
            res->p_value = 2 * gsl_cdf_tdist_Q(fabs(res->t), res->df);
    } else {
        rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    free(ua);
    free(ub);
    free(uu);
    free(z);
    return rc;
}

/*
 * First-order Rao-Scott test, following svychisq(statistic = "Chisq"):
 * p = estimated cell proportions (svymean of the cell indicators) with
 * covariance V; C = the interaction contrasts residualised on the main
 * effects; Delta = (C' D^-1 C / N)^-1 (C' D^-1 V D^-1 C); the Pearson
 * statistic of the table scaled to N rows is divided by mean(diag(Delta)).
 */
int analyse_chisq_test(struct analyse_chisq *res, const struct analyse_design *d,
                       const size_t *row, size_t nr, const size_t *col, size_t nc,
                       const unsigned char *domain, struct sv_error *err)
{
    memset(res, 0, sizeof *res);
    if (nr < 2 || nc < 2)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "chi-square: need 2 levels or more");
    size_t n = d->nrows, K = nr * nc, k = (nr - 1) * (nc - 1);
    size_t q = nr + nc - 1;
    int rc = 0;
    unsigned char *used = calloc(n, 1);
    double *z = calloc(n, sizeof *z);
    double *zall = calloc(n * K, sizeof *zall);
    double *pm = calloc(K, sizeof *pm);
    gsl_matrix *V = gsl_matrix_calloc(K, K);
    gsl_matrix *X1 = gsl_matrix_calloc(K, q);
    gsl_matrix *C = gsl_matrix_calloc(K, k);
    if (!used || !z || !zall || !pm || !V || !X1 || !C) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    gsl_set_error_handler_off();
    long N = 0;
    long double W = 0;
    for (size_t i = 0; i < n; i++) {
        if ((domain && !domain[i]) || row[i] >= nr || col[i] >= nc || !(d->w[i] > 0))
            continue;
        used[i] = 1;
        N++;
        W += d->w[i];
    }
    res->n = N;
    if (N == 0) {
        rc = sv_error_set(err, SV_EDATA, NULL, 0, 0, "chi-square: no complete row");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        if (used[i])
            pm[row[i] + nr * col[i]] += d->w[i] / (double)W;
    for (size_t c = 0; c < K; c++) {
        for (size_t i = 0; i < n; i++)
            z[i] = used[i] ? (((row[i] + nr * col[i]) == c ? 1.0 : 0.0) - pm[c]) * d->w[i] /
                                 (double)W
                           : 0.0;
        rc = calibration_residuals(d, z);
        if (rc) {
            rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
            goto out;
        }
        memcpy(zall + c * n, z, n * sizeof *z);
    }
    /* covariance from PSU totals per stratum */
    {
        long double *Z = calloc(d->npsu * K, sizeof *Z);
        long double *mh = calloc(d->nstrata * K, sizeof *mh);
        if (!Z || !mh) {
            free(Z);
            free(mh);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        for (size_t c = 0; c < K; c++)
            for (size_t i = 0; i < n; i++)
                Z[d->psu[i] * K + c] += zall[c * n + i];
        for (size_t j = 0; j < d->npsu; j++)
            for (size_t c = 0; c < K; c++)
                mh[d->psu_stratum[j] * K + c] += Z[j * K + c];
        for (size_t h = 0; h < d->nstrata; h++)
            for (size_t c = 0; c < K; c++)
                if (d->n_h[h] > 0)
                    mh[h * K + c] /= d->n_h[h];
        for (size_t j = 0; j < d->npsu; j++) {
            size_t h = d->psu_stratum[j];
            double nh = d->n_h[h];
            if (nh < 2)
                continue;
            double fac = (1.0 - d->f_h[h]) * nh / (nh - 1.0);
            for (size_t a = 0; a < K; a++) {
                double ea = (double)(Z[j * K + a] - mh[h * K + a]);
                for (size_t b = 0; b < K; b++) {
                    double eb = (double)(Z[j * K + b] - mh[h * K + b]);
                    *gsl_matrix_ptr(V, a, b) += fac * ea * eb;
                }
            }
        }
        free(Z);
        free(mh);
    }
    /* X1: intercept + row dummies (2..nr) + column dummies (2..nc); X12 interactions */
    for (size_t c = 0; c < K; c++) {
        size_t r = c % nr, cc = c / nr;
        gsl_matrix_set(X1, c, 0, 1.0);
        if (r > 0)
            gsl_matrix_set(X1, c, r, 1.0);
        if (cc > 0)
            gsl_matrix_set(X1, c, nr - 1 + cc, 1.0);
        for (size_t a = 1; a < nr; a++)
            for (size_t b = 1; b < nc; b++)
                gsl_matrix_set(C, c, (a - 1) + (nr - 1) * (b - 1),
                               (r == a && cc == b) ? 1.0 : 0.0);
    }
    {
        /* C <- residual of C on X1 (least squares via QR) */
        gsl_vector *tau = gsl_vector_alloc(q);
        gsl_vector *col_v = gsl_vector_alloc(K), *coef = gsl_vector_alloc(q),
                   *resid = gsl_vector_alloc(K);
        gsl_linalg_QR_decomp(X1, tau);
        for (size_t j = 0; j < k; j++) {
            gsl_matrix_get_col(col_v, C, j);
            gsl_linalg_QR_lssolve(X1, tau, col_v, coef, resid);
            gsl_matrix_set_col(C, j, resid);
        }
        gsl_vector_free(tau);
        gsl_vector_free(col_v);
        gsl_vector_free(coef);
        gsl_vector_free(resid);
    }
    {
        gsl_matrix *den = gsl_matrix_calloc(k, k), *num = gsl_matrix_calloc(k, k);
        gsl_matrix *DC = gsl_matrix_calloc(K, k), *VDC = gsl_matrix_calloc(K, k);
        for (size_t a = 0; a < K; a++) {
            double id = pm[a] == 0 ? 0 : 1.0 / pm[a];
            for (size_t j = 0; j < k; j++)
                gsl_matrix_set(DC, a, j, id * gsl_matrix_get(C, a, j));
        }
        for (size_t a = 0; a < K; a++)
            for (size_t j = 0; j < k; j++) {
                double s = 0;
                for (size_t b = 0; b < K; b++)
                    s += gsl_matrix_get(V, a, b) * gsl_matrix_get(DC, b, j);
                gsl_matrix_set(VDC, a, j, s);
            }
        for (size_t i1 = 0; i1 < k; i1++)
            for (size_t j = 0; j < k; j++) {
                double s1 = 0, s2 = 0;
                for (size_t a = 0; a < K; a++) {
                    s1 += gsl_matrix_get(C, a, i1) * gsl_matrix_get(DC, a, j) / (double)N;
                    s2 += gsl_matrix_get(DC, a, i1) * gsl_matrix_get(VDC, a, j);
                }
                gsl_matrix_set(den, i1, j, s1);
                gsl_matrix_set(num, i1, j, s2);
            }
        gsl_permutation *perm = gsl_permutation_alloc(k);
        int sgn;
        gsl_linalg_LU_decomp(den, perm, &sgn);
        gsl_vector *colv = gsl_vector_alloc(k), *sol = gsl_vector_alloc(k);
        double trace = 0;
        for (size_t j = 0; j < k; j++) {
            gsl_matrix_get_col(colv, num, j);
            gsl_linalg_LU_solve(den, perm, colv, sol);
            trace += gsl_vector_get(sol, j);
        }
        res->mean_deff = trace / (double)k;
        gsl_permutation_free(perm);
        gsl_vector_free(colv);
        gsl_vector_free(sol);
        gsl_matrix_free(den);
        gsl_matrix_free(num);
        gsl_matrix_free(DC);
        gsl_matrix_free(VDC);
    }
    {
        /* Pearson on the table scaled to N: expected from margins */
        double *rs = calloc(nr, sizeof *rs), *cs = calloc(nc, sizeof *cs);
        if (!rs || !cs) {
            free(rs);
            free(cs);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        for (size_t c = 0; c < K; c++) {
            rs[c % nr] += pm[c];
            cs[c / nr] += pm[c];
        }
        double X2 = 0;
        for (size_t c = 0; c < K; c++) {
            double e = rs[c % nr] * cs[c / nr] * (double)N;
            double o = pm[c] * (double)N;
            if (e > 0)
                X2 += (o - e) * (o - e) / e;
        }
        free(rs);
        free(cs);
        res->pearson = X2;
        res->df = (double)k;
        res->statistic = X2 / res->mean_deff;
        res->p_value = gsl_cdf_chisq_Q(res->statistic, (double)k);
    }
out:
    free(used);
    free(z);
    free(zall);
    free(pm);
    gsl_matrix_free(V);
    gsl_matrix_free(X1);
    gsl_matrix_free(C);
    return rc;
}

int analyse_cronbach_alpha(double *alpha, long *n_used, const double *const *items, size_t k,
                           size_t nrows, struct sv_error *err)
{
    *alpha = NAN;
    *n_used = 0;
    if (k < 2)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "cronbach: need 2 items or more");
    long double *s = calloc(k + 1, sizeof *s), *s2 = calloc(k + 1, sizeof *s2);
    if (!s || !s2) {
        free(s);
        free(s2);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    long m = 0;
    for (size_t i = 0; i < nrows; i++) {
        bool ok = true;
        for (size_t j = 0; j < k && ok; j++)
            ok = !isnan(items[j][i]);
        if (!ok)
            continue;
        m++;
        double tot = 0;
        for (size_t j = 0; j < k; j++) {
            s[j] += items[j][i];
            tot += items[j][i];
        }
        s[k] += tot;
    }
    if (m < 2)
        goto out;
    for (size_t j = 0; j <= k; j++)
        s[j] /= m;
    for (size_t i = 0; i < nrows; i++) {
        bool ok = true;
        for (size_t j = 0; j < k && ok; j++)
            ok = !isnan(items[j][i]);
        if (!ok)
            continue;
        double tot = 0;
        for (size_t j = 0; j < k; j++) {
            long double e = items[j][i] - s[j];
            s2[j] += e * e;
            tot += items[j][i];
        }
        long double e = tot - s[k];
        s2[k] += e * e;
    }
    long double sumv = 0;
    for (size_t j = 0; j < k; j++)
        sumv += s2[j];
    if (s2[k] > 0)
        *alpha = (double)((long double)k / (k - 1) * (1 - sumv / s2[k]));
out:
    *n_used = m;
    free(s);
    free(s2);
    return 0;
}
