/*
 * pay_ols: least squares with heteroskedasticity-robust covariances.
 *
 * Why the normal equations and not a QR of X: employee files reach ten
 * million rows and X is mostly dummies (a row has ~10 non-zeros out of ~40
 * columns), so accumulating X'X from sparse rows costs O(nnz^2) per row and
 * O(p^2) memory, where a QR would need the dense n x p matrix. Centring the
 * numeric columns removes the main source of ill-conditioning (intercept vs
 * hours or seniority); the unit tests check the result against R's lm() and
 * sandwich::vcovHC() to 1e-9 relative.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>

#include "pay.h"

static void centre(struct pay_row *x, const double *mean, const unsigned char *is_num)
{
    for (size_t k = 0; k < x->nnz; k++)
        if (is_num[x->col[k]])
            x->val[k] -= mean[x->col[k]];
}

/* Add w * x x' to the upper triangle of the p x p matrix a. */
static void add_outer(double *a, size_t p, const struct pay_row *x, double w)
{
    for (size_t k = 0; k < x->nnz; k++) {
        size_t ck = x->col[k];
        double vk = w * x->val[k];
        for (size_t l = 0; l < x->nnz; l++) {
            size_t cl = x->col[l];
            if (cl >= ck)
                a[ck * p + cl] += vk * x->val[l];
        }
    }
}

/* The same when the row's columns are ascending (pay_model's rows are):
 * no test per pair, and the same additions in the same order. */
static void add_outer_sorted(double *a, size_t p, const struct pay_row *x, double w)
{
    for (size_t k = 0; k < x->nnz; k++) {
        double *ak = a + x->col[k] * p;
        double vk = w * x->val[k];
        for (size_t l = k; l < x->nnz; l++)
            ak[x->col[l]] += vk * x->val[l];
    }
}

static bool ascending(const struct pay_row *x)
{
    for (size_t k = 1; k < x->nnz; k++)
        if (x->col[k] <= x->col[k - 1])
            return false;
    return true;
}

static void symmetrise(double *a, size_t p)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < i; j++)
            a[i * p + j] = a[j * p + i];
}

/* out = a * m * a for symmetric p x p matrices (a = (X'X)^-1). */
static void sandwich(double *out, const double *a, const double *m, size_t p, double *tmp)
{
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += a[i * p + k] * m[k * p + j];
            tmp[i * p + j] = s;
        }
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = 0; k < p; k++)
                s += tmp[i * p + k] * a[k * p + j];
            out[i * p + j] = s;
        }
}

/* Undo the centring: beta0 -= sum beta_k mean_k; cov -> T cov T'. */
static void uncentre(double *beta, double *cov, size_t p, const double *mean,
                     const unsigned char *is_num)
{
    if (beta) {
        for (size_t k = 1; k < p; k++)
            if (is_num[k])
                beta[0] -= beta[k] * mean[k];
    }
    if (cov) {
        /* row 0 of T is (1, -mean_k for numeric k); other rows are the identity */
        double *row = calloc(p, sizeof *row);
        if (!row)
            return;
        for (size_t j = 0; j < p; j++) {
            double s = cov[0 * p + j];
            for (size_t k = 1; k < p; k++)
                if (is_num[k])
                    s -= mean[k] * cov[k * p + j];
            row[j] = s; /* (T cov)[0][j] */
        }
        for (size_t j = 0; j < p; j++)
            cov[0 * p + j] = row[j];
        /* now right-multiply by T': column 0 of (T cov) T' */
        for (size_t i = 0; i < p; i++) {
            double s = cov[i * p + 0];
            for (size_t k = 1; k < p; k++)
                if (is_num[k])
                    s -= cov[i * p + k] * mean[k];
            cov[i * p + 0] = s;
        }
        free(row);
    }
}

void pay_ols_release(struct pay_ols *o)
{
    if (!o)
        return;
    free(o->beta);
    free(o->cov);
    free(o->hc0);
    free(o->hc1);
    free(o->hc2);
    free(o->hc3);
    free(o->vdesign);
    free(o->xbar);
    memset(o, 0, sizeof *o);
}

int pay_ols_fit(struct pay_ols *out, size_t n, size_t p, const size_t *numeric, size_t nnumeric,
                pay_row_fn fn, void *ctx, struct sv_error *err)
{
    return pay_ols_fit_ex(out, n, p, numeric, nnumeric, true, fn, ctx, err);
}

int pay_ols_fit_ex(struct pay_ols *out, size_t n, size_t p, const size_t *numeric, size_t nnumeric,
                   bool hc3, pay_row_fn fn, void *ctx, struct sv_error *err)
{
    return pay_ols_fit_design(out, n, p, numeric, nnumeric, hc3, NULL, fn, ctx, err);
}

/* V of the design: sum over strata of (1 - f_h) n_h/(n_h - 1) sum_j (U_j - Ubar_h)(U_j - Ubar_h)'
 * for the PSU totals U (npsu x p); df = PSUs used - strata used. */
static int design_meat(double *v, double *df, const struct pay_ols_design *des, const double *U,
                       const unsigned char *used, size_t p)
{
    double *mean = calloc(des->nstrata * p, sizeof *mean);
    unsigned char *hused = calloc(des->nstrata ? des->nstrata : 1, 1);
    double *dev = malloc(p * sizeof *dev);
    if (!mean || !hused || !dev) {
        free(mean);
        free(hused);
        free(dev);
        return SV_ENOMEM;
    }
    long np = 0, nh = 0;
    for (size_t j = 0; j < des->npsu; j++) {
        size_t h = des->psu_stratum[j];
        for (size_t k = 0; k < p; k++)
            mean[h * p + k] += U[j * p + k];
        if (used[j]) {
            np++;
            if (!hused[h]) {
                hused[h] = 1;
                nh++;
            }
        }
    }
    for (size_t h = 0; h < des->nstrata; h++)
        for (size_t k = 0; k < p; k++)
            mean[h * p + k] /= des->n_h[h] > 0 ? des->n_h[h] : 1;
    memset(v, 0, p * p * sizeof *v);
    for (size_t j = 0; j < des->npsu; j++) {
        size_t h = des->psu_stratum[j];
        double nhh = des->n_h[h];
        if (nhh < 2)
            continue; /* certainty stratum */
        double c = (1.0 - des->f_h[h]) * nhh / (nhh - 1.0);
        for (size_t k = 0; k < p; k++)
            dev[k] = U[j * p + k] - mean[h * p + k];
        for (size_t k = 0; k < p; k++)
            for (size_t l = k; l < p; l++)
                v[k * p + l] += c * dev[k] * dev[l];
    }
    symmetrise(v, p);
    *df = (double)(np - nh);
    free(mean);
    free(hused);
    free(dev);
    return 0;
}

int pay_ols_fit_design(struct pay_ols *out, size_t n, size_t p, const size_t *numeric,
                       size_t nnumeric, bool hc3, const struct pay_ols_design *des, pay_row_fn fn,
                       void *ctx, struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    unsigned char *is_num = calloc(p, 1);
    double *mean = calloc(p, sizeof *mean);
    double *xtx = calloc(p * p, sizeof *xtx);
    double *xty = calloc(p, sizeof *xty);
    double *ainv = calloc(p * p, sizeof *ainv);
    double *meat0 = calloc(p * p, sizeof *meat0);
    double *meat3 = calloc(p * p, sizeof *meat3);
    double *meat2 = calloc(p * p, sizeof *meat2);
    bool dsg = des && des->psu;
    double *U = dsg ? calloc(des->npsu * p + 1, sizeof *U) : NULL;
    unsigned char *psu_used = dsg ? calloc(des->npsu ? des->npsu : 1, 1) : NULL;
    double *tmp = calloc(p * p, sizeof *tmp);
    struct pay_row *x = malloc(sizeof *x);
    out->p = p;
    out->beta = calloc(p, sizeof *out->beta);
    out->cov = calloc(p * p, sizeof *out->cov);
    out->hc0 = calloc(p * p, sizeof *out->hc0);
    out->hc1 = calloc(p * p, sizeof *out->hc1);
    out->hc3 = calloc(p * p, sizeof *out->hc3);
    out->hc2 = calloc(p * p, sizeof *out->hc2);
    out->vdesign = dsg ? calloc(p * p, sizeof *out->vdesign) : NULL;
    out->design_df = NAN;
    out->xbar = calloc(p, sizeof *out->xbar);
    if (!is_num || !mean || !xtx || !xty || !ainv || !meat0 || !meat3 || !meat2 || !tmp || !x ||
        !out->beta || !out->cov || !out->hc0 || !out->hc1 || !out->hc2 || !out->hc3 || !out->xbar ||
        (dsg && (!U || !psu_used || !out->vdesign))) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory in the regression");
        goto done;
    }
    for (size_t k = 0; k < nnumeric; k++)
        if (numeric[k] < p)
            is_num[numeric[k]] = 1;

    /* pass 0: means of every column and of y */
    long used = 0;
    double ysum = 0, wsum = 0;
    const double *wt = des ? des->w : NULL;
    for (size_t i = 0; i < n; i++) {
        double y;
        x->nnz = 0;
        int r = fn(ctx, i, &y, x);
        if (r < 0) {
            rc = sv_error_set(err, r, NULL, 0, 0, "regression row %zu could not be built", i);
            goto done;
        }
        if (r == 0)
            continue;
        double w = wt ? wt[i] : 1.0;
        used++;
        wsum += w;
        ysum += w * y;
        for (size_t k = 0; k < x->nnz; k++)
            out->xbar[x->col[k]] += w * x->val[k];
    }
    if (used <= (long)p) {
        rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                          "regression needs more observations (%ld) than coefficients (%zu)", used,
                          p);
        goto done;
    }
    out->n = used;
    out->ybar = ysum / wsum;
    for (size_t k = 0; k < p; k++) {
        out->xbar[k] /= wsum;
        mean[k] = is_num[k] ? out->xbar[k] : 0;
    }

    /* pass 1: X'X and X'y on centred columns */
    double tss = 0;
    for (size_t i = 0; i < n; i++) {
        double y;
        x->nnz = 0;
        if (fn(ctx, i, &y, x) != 1)
            continue;
        centre(x, mean, is_num);
        double w = wt ? wt[i] : 1.0;
        if (ascending(x))
            add_outer_sorted(xtx, p, x, w);
        else
            add_outer(xtx, p, x, w);
        for (size_t k = 0; k < x->nnz; k++)
            xty[x->col[k]] += w * x->val[k] * y;
        tss += w * (y - out->ybar) * (y - out->ybar);
    }
    symmetrise(xtx, p);

    gsl_error_handler_t *old = gsl_set_error_handler_off();
    gsl_matrix_view A = gsl_matrix_view_array(xtx, p, p);
    int grc = gsl_linalg_cholesky_decomp1(&A.matrix);
    if (grc == 0) {
        gsl_vector_view b = gsl_vector_view_array(xty, p);
        gsl_vector_view bt = gsl_vector_view_array(out->beta, p);
        grc = gsl_linalg_cholesky_solve(&A.matrix, &b.vector, &bt.vector);
        if (grc == 0)
            grc = gsl_linalg_cholesky_invert(&A.matrix);
    }
    gsl_set_error_handler(old);
    if (grc != 0) {
        rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                          "the regressors are collinear (a category that only occurs with another)");
        goto done;
    }
    memcpy(ainv, xtx, p * p * sizeof *ainv);

    /* pass 2: residuals, hat values, the meat of the sandwiches */
    double rss = 0;
    for (size_t i = 0; i < n; i++) {
        double y;
        x->nnz = 0;
        if (fn(ctx, i, &y, x) != 1)
            continue;
        centre(x, mean, is_num);
        double w = wt ? wt[i] : 1.0;
        double fit = 0, h = 0;
        for (size_t k = 0; k < x->nnz; k++) {
            fit += x->val[k] * out->beta[x->col[k]];
            if (!hc3)
                continue;
            const double *ak = ainv + x->col[k] * p;
            for (size_t l = 0; l < x->nnz; l++)
                h += x->val[k] * ak[x->col[l]] * x->val[l];
        }
        double e = y - fit;
        rss += w * e * e;
        /* sandwich's estfun of a weighted lm: w e x; hat values w x'(X'WX)^-1 x */
        double we2 = w * w * e * e;
        h *= w;
        bool asc = ascending(x);
        if (asc)
            add_outer_sorted(meat0, p, x, we2);
        else
            add_outer(meat0, p, x, we2);
        if (hc3) {
            double d = 1.0 - h, w3 = d > 0 ? we2 / (d * d) : 0.0, w2 = d > 0 ? we2 / d : 0.0;
            if (asc) {
                add_outer_sorted(meat3, p, x, w3);
                add_outer_sorted(meat2, p, x, w2);
            } else {
                add_outer(meat3, p, x, w3);
                add_outer(meat2, p, x, w2);
            }
        }
        if (dsg) {
            size_t j = des->psu[i];
            psu_used[j] = 1;
            for (size_t k = 0; k < x->nnz; k++)
                U[j * p + x->col[k]] += w * e * x->val[k];
        }
    }
    symmetrise(meat0, p);
    symmetrise(meat3, p);
    symmetrise(meat2, p);

    out->rss = rss;
    out->tss = tss;
    out->r2 = tss > 0 ? 1.0 - rss / tss : NAN;
    out->adj_r2 = 1.0 - (1.0 - out->r2) * (double)(used - 1) / (double)(used - (long)p);
    out->sigma2 = rss / (double)(used - (long)p);
    for (size_t k = 0; k < p * p; k++)
        out->cov[k] = out->sigma2 * ainv[k];
    sandwich(out->hc0, ainv, meat0, p, tmp);
    if (hc3) {
        sandwich(out->hc3, ainv, meat3, p, tmp);
        sandwich(out->hc2, ainv, meat2, p, tmp);
    }
    if (dsg) {
        double *vm = meat2; /* reused: the design's meat */
        double ddf;
        if (design_meat(vm, &ddf, des, U, psu_used, p) < 0) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory in the regression");
            goto done;
        }
        sandwich(out->vdesign, ainv, vm, p, tmp);
        out->design_df = ddf + 1.0 - (double)p;
        uncentre(NULL, out->vdesign, p, mean, is_num);
    }
    for (size_t k = 0; k < p * p; k++)
        out->hc1[k] = out->hc0[k] * (double)used / (double)(used - (long)p);

    uncentre(out->beta, out->cov, p, mean, is_num);
    uncentre(NULL, out->hc0, p, mean, is_num);
    uncentre(NULL, out->hc1, p, mean, is_num);
    if (hc3) {
        uncentre(NULL, out->hc3, p, mean, is_num);
        uncentre(NULL, out->hc2, p, mean, is_num);
    } else {
        free(out->hc3);
        free(out->hc2);
        out->hc3 = out->hc2 = NULL;
    }

done:
    free(is_num);
    free(mean);
    free(xtx);
    free(xty);
    free(ainv);
    free(meat0);
    free(meat3);
    free(meat2);
    free(U);
    free(psu_used);
    free(tmp);
    free(x);
    if (rc != 0)
        pay_ols_release(out);
    return rc;
}
