/*
 * pay_model: design of the log hourly pay regression.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "pay_model.h"

/* Is row i in the model (sex known, every control known, hourly pay > 0)?
 * y = log hourly pay. */
static bool complete_row(const struct pay_model *pm, size_t i, double *y)
{
    const struct pay_emp *e = &pm->d->e[i];
    unsigned s = e->cat[PAY_R_SEX];
    if (s != pm->sex_f && s != pm->sex_h)
        return false;
    for (size_t k = 0; k < pm->nfac; k++)
        if (e->cat[pm->fac[k]] == PAY_NA)
            return false;
    if (pm->need_seniority && isnan(e->seniority))
        return false;
    double h = pay_data_hourly(pm->d, i, pm->without_segur);
    if (isnan(h) || !(h > 0))
        return false;
    *y = log(h);
    return true;
}

/* The same from the cache pay_model_build() fills: NAN = not in the model. */
static bool complete(const struct pay_model *pm, size_t i, double *y)
{
    if (!pm->y)
        return complete_row(pm, i, y);
    *y = pm->y[i];
    return !isnan(*y);
}

int pay_model_row(void *vctx, size_t i, double *y, struct pay_row *x)
{
    const struct pay_model_ctx *c = vctx;
    const struct pay_model *pm = c->pm;
    const struct pay_emp *e = &pm->d->e[i];
    if (!complete(pm, i, y))
        return 0;
    bool female = e->cat[PAY_R_SEX] == pm->sex_f;
    if ((c->which == PAY_MODEL_MEN && female) || (c->which == PAY_MODEL_WOMEN && !female))
        return 0;
    size_t shift = c->drop_sex ? 1 : 0;
    size_t k = 0;
    x->col[k] = 0;
    x->val[k++] = 1.0;
    if (!c->drop_sex && female) {
        x->col[k] = PAY_MODEL_SEX_COL;
        x->val[k++] = 1.0;
    }
    if (pm->seniority_col >= 0) {
        x->col[k] = (size_t)pm->seniority_col - shift;
        x->val[k++] = e->seniority;
    }
    if (pm->hours_col >= 0) {
        x->col[k] = (size_t)pm->hours_col - shift;
        x->val[k++] = e->hours;
    }
    for (size_t f = 0; f < pm->nfac; f++) {
        long col = pm->col[f][e->cat[pm->fac[f]]];
        if (col >= 0) {
            x->col[k] = (size_t)col - shift;
            x->val[k++] = 1.0;
        }
    }
    x->nnz = k;
    return 1;
}

void pay_model_release(struct pay_model *pm)
{
    if (!pm)
        return;
    for (size_t j = 0; j < pm->p; j++) {
        if (pm->term)
            free(pm->term[j]);
        if (pm->term_label)
            free(pm->term_label[j]);
    }
    free(pm->term);
    free(pm->term_label);
    free(pm->y);
    for (size_t k = 0; k < PAY_MODEL_NFAC; k++)
        free(pm->col[k]);
    memset(pm, 0, sizeof *pm);
}

int pay_model_build(struct pay_model *pm, const struct pay_data *d, unsigned sex_f, unsigned sex_h,
                    int without_segur, enum sv_lang lang, struct sv_error *err)
{
    static const enum pay_role def[] = {PAY_R_SENIORITY, PAY_R_HOURS, PAY_R_JOB, PAY_R_SECTOR,
                                        PAY_R_AGE, PAY_R_REGION};
    enum pay_role cov[6];
    size_t ncov = 0;
    for (size_t k = 0; k < 6; k++)
        if (d->var[def[k]])
            cov[ncov++] = def[k];
    return pay_model_build_ex(pm, d, sex_f, sex_h, without_segur, lang, cov, ncov, err);
}

int pay_model_build_ex(struct pay_model *pm, const struct pay_data *d, unsigned sex_f,
                       unsigned sex_h, int without_segur, enum sv_lang lang,
                       const enum pay_role *cov, size_t ncov, struct sv_error *err)
{
    memset(pm, 0, sizeof *pm);
    pm->d = d;
    pm->sex_f = sex_f;
    pm->sex_h = sex_h;
    pm->without_segur = without_segur;
    bool use_seniority = false, use_hours = false;
    for (size_t k = 0; k < ncov; k++) {
        if (!d->var[cov[k]] || cov[k] == PAY_R_SEX)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "covariate '%s' cannot be used",
                                pay_role_names[cov[k]]);
        if (cov[k] == PAY_R_SENIORITY)
            use_seniority = true;
        else if (cov[k] == PAY_R_HOURS)
            use_hours = true;
        else if (cov[k] < PAY_R_NCAT && pm->nfac < PAY_MODEL_NFAC)
            pm->fac[pm->nfac++] = cov[k];
        else
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "covariate '%s' cannot be used",
                                pay_role_names[cov[k]]);
    }
    size_t p = 2;
    pm->need_seniority = use_seniority;
    pm->seniority_col = pm->need_seniority ? (long)p++ : -1;
    pm->hours_col = use_hours ? (long)p++ : -1;
    /* observed levels among complete rows */
    long *count[PAY_MODEL_NFAC] = {0};
    int rc = 0;
    for (size_t f = 0; f < pm->nfac; f++) {
        size_t nl = pay_level_count(d, pm->fac[f]);
        count[f] = calloc(nl, sizeof **count);
        pm->col[f] = malloc(nl * sizeof **pm->col);
        if (!count[f] || !pm->col[f]) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
    }
    double smin = INFINITY, smax = -INFINITY, hmin = INFINITY, hmax = -INFINITY;
    pm->y = NULL;
    double *ycache = pay_rows_alloc(d->n, sizeof *ycache);
    if (!ycache) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    pay_rows_prefault(ycache, d->n * sizeof *ycache);
    for (size_t i = 0; i < d->n; i++) {
        double y;
        const struct pay_emp *e = &d->e[i];
        ycache[i] = NAN;
        if (!complete_row(pm, i, &y))
            continue;
        ycache[i] = y;
        pm->n_complete++;
        smin = fmin(smin, e->seniority);
        smax = fmax(smax, e->seniority);
        hmin = fmin(hmin, e->hours);
        hmax = fmax(hmax, e->hours);
        if (e->cat[PAY_R_SEX] == sex_f)
            pm->n_f++;
        else
            pm->n_h++;
        for (size_t f = 0; f < pm->nfac; f++)
            count[f][e->cat[pm->fac[f]]]++;
    }
    pm->y = ycache;
    /* a constant numeric column is collinear with the intercept: leave it
     * out, as lm() reports NA for it */
    if (pm->n_complete > 0 && (pm->seniority_col >= 0 && smin == smax)) {
        pm->seniority_col = -1;
        p--;
        if (pm->hours_col >= 0)
            pm->hours_col--;
    }
    if (pm->n_complete > 0 && pm->hours_col >= 0 && hmin == hmax) {
        pm->hours_col = -1;
        p--;
    }
    for (size_t f = 0; f < pm->nfac; f++) {
        bool ref = false;
        for (size_t l = 0; l < pay_level_count(d, pm->fac[f]); l++) {
            if (count[f][l] == 0 || !ref) {
                pm->col[f][l] = -1;
                if (count[f][l] > 0)
                    ref = true;
                continue;
            }
            pm->col[f][l] = (long)p++;
        }
    }
    if (p > PAY_ROW_MAX * 8) {
        rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "too many regressors (%zu)", p);
        goto done;
    }
    pm->p = p;
    pm->term = calloc(p, sizeof *pm->term);
    pm->term_label = calloc(p, sizeof *pm->term_label);
    if (!pm->term || !pm->term_label) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    pm->term[0] = sv_strdup("(intercept)");
    pm->term_label[0] = sv_strdup(lang == SV_LANG_EN ? "Intercept" : "Constante");
    pm->term[1] = sv_strdup("sex=f");
    pm->term_label[1] = sv_strdup(lang == SV_LANG_EN ? "Woman (reference: man)" : "Femme (référence : homme)");
    if (pm->seniority_col >= 0) {
        pm->term[pm->seniority_col] = sv_strdup("seniority");
        pm->term_label[pm->seniority_col] =
            sv_strdup(lang == SV_LANG_EN ? "Seniority (years)" : "Ancienneté (années)");
    }
    if (pm->hours_col >= 0) {
        pm->term[pm->hours_col] = sv_strdup("hours");
        pm->term_label[pm->hours_col] =
            sv_strdup(lang == SV_LANG_EN ? "Weekly hours" : "Durée hebdomadaire (heures)");
    }
    for (size_t f = 0; f < pm->nfac; f++)
        for (size_t l = 0; l < pay_level_count(d, pm->fac[f]); l++) {
            long c = pm->col[f][l];
            if (c < 0)
                continue;
            struct sv_buf b = SV_BUF_INIT;
            sv_buf_addf(&b, "%s=%s", pay_role_names[pm->fac[f]], pay_level_code(d, pm->fac[f], (unsigned)l));
            pm->term[c] = sv_buf_detach(&b, NULL);
            pm->term_label[c] = sv_strdup(pay_level_label(d, pm->fac[f], (unsigned)l, lang));
        }
    for (size_t j = 0; j < p; j++)
        if (!pm->term[j] || !pm->term_label[j]) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto done;
        }
done:
    for (size_t f = 0; f < PAY_MODEL_NFAC; f++)
        free(count[f]);
    if (rc < 0)
        pay_model_release(pm);
    return rc;
}

int pay_model_fit(struct pay_ols *out, const struct pay_model *pm, enum pay_model_subset which,
                  struct sv_error *err)
{
    struct pay_model_ctx c = {.pm = pm, .which = which, .drop_sex = which != PAY_MODEL_ALL};
    size_t shift = c.drop_sex ? 1 : 0;
    size_t numeric[2], nn = 0;
    if (pm->seniority_col >= 0)
        numeric[nn++] = (size_t)pm->seniority_col - shift;
    if (pm->hours_col >= 0)
        numeric[nn++] = (size_t)pm->hours_col - shift;
    /* HC3 (hat values) only when asked, for the pooled model */
    return pay_ols_fit_design(out, pm->d->n, pm->p - shift, numeric, nn,
                              pm->hc3 && which == PAY_MODEL_ALL, pm->des, pay_model_row, &c, err);
}

void pay_model_means(const struct pay_model *pm, enum pay_model_subset which, double *xbar,
                     double *ybar)
{
    struct pay_model_ctx c = {.pm = pm, .which = which, .drop_sex = 0};
    struct pay_row x;
    double n = 0; /* sum of weights (the design's, else 1 each) */
    double ys = 0;
    const double *wt = pm->des ? pm->des->w : NULL;
    memset(xbar, 0, pm->p * sizeof *xbar);
    for (size_t i = 0; i < pm->d->n; i++) {
        double y;
        if (pay_model_row(&c, i, &y, &x) != 1)
            continue;
        double w = wt ? wt[i] : 1.0;
        n += w;
        ys += w * y;
        for (size_t k = 0; k < x.nnz; k++)
            xbar[x.col[k]] += w * x.val[k];
    }
    for (size_t j = 0; j < pm->p; j++)
        xbar[j] = n > 0 ? xbar[j] / n : NAN;
    *ybar = n > 0 ? ys / n : NAN;
}

/* Mean and sample covariance (n - 1) of the p regressors over a subset,
 * and the mean and variance of y. */
struct group_moments {
    long n;
    double *xbar, *cov; /* p, p x p */
    double ybar, yvar;
};

static void group_moments_release(struct group_moments *g)
{
    free(g->xbar);
    free(g->cov);
    memset(g, 0, sizeof *g);
}

static int group_moments(struct group_moments *g, const struct pay_model *pm,
                         enum pay_model_subset which, const struct pay_ols *fit,
                         struct sv_error *err)
{
    size_t p = pm->p;
    memset(g, 0, sizeof *g);
    g->xbar = calloc(p, sizeof *g->xbar);
    g->cov = calloc(p * p, sizeof *g->cov);
    double *s1 = calloc(p, sizeof *s1);
    struct pay_row *x = malloc(sizeof *x);
    if (!g->xbar || !g->cov || !s1 || !x) {
        free(s1);
        free(x);
        group_moments_release(g);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (fit) {
        /* the one-sex fit's first pass made the same sums in the same order */
        for (size_t j = 0, a = 0; j < p; j++)
            g->xbar[j] = j == PAY_MODEL_SEX_COL ? (which == PAY_MODEL_WOMEN ? 1.0 : 0.0)
                                                : fit->xbar[a++];
        g->ybar = fit->ybar;
    } else {
        pay_model_means(pm, which, g->xbar, &g->ybar);
    }
    /* second pass on values with the numeric columns shifted by their
     * means, against cancellation; the shift leaves the covariance as is */
    struct pay_model_ctx c = {.pm = pm, .which = which, .drop_sex = 0};
    double y2 = 0;
    for (size_t i = 0; i < pm->d->n; i++) {
        double y;
        if (pay_model_row(&c, i, &y, x) != 1)
            continue;
        g->n++;
        y2 += (y - g->ybar) * (y - g->ybar);
        for (size_t k = 0; k < x->nnz; k++) {
            size_t col = x->col[k];
            if ((long)col == pm->seniority_col || (long)col == pm->hours_col)
                x->val[k] -= g->xbar[col];
            s1[col] += x->val[k];
        }
        for (size_t k = 0; k < x->nnz; k++)
            for (size_t l = 0; l < x->nnz; l++)
                if (x->col[l] >= x->col[k])
                    g->cov[x->col[k] * p + x->col[l]] += x->val[k] * x->val[l];
    }
    double n = (double)g->n;
    for (size_t j = 0; j < p; j++)
        for (size_t k = j; k < p; k++) {
            double v = g->n > 1 ? (g->cov[j * p + k] - s1[j] * s1[k] / n) / (n - 1.0) : NAN;
            g->cov[j * p + k] = g->cov[k * p + j] = v;
        }
    g->yvar = g->n > 1 ? y2 / (n - 1.0) : NAN;
    free(s1);
    free(x);
    return 0;
}

/* x' M y for p-vectors and a p x p matrix. */
static double quad(const double *x, const double *m, const double *y, size_t p)
{
    double s = 0;
    for (size_t j = 0; j < p; j++) {
        if (x[j] == 0)
            continue;
        double r = 0;
        for (size_t k = 0; k < p; k++)
            r += m[j * p + k] * y[k];
        s += x[j] * r;
    }
    return s;
}

/* A one-sex model's coefficients and HC1 covariance (p - 1 columns, no sex
 * column) put back on the p columns, with 0 for the sex column. */
static void expand(const struct pay_ols *o, size_t p, double *beta, double *cov)
{
    size_t q = p - 1;
    for (size_t j = 0, a = 0; j < p; j++) {
        beta[j] = j == PAY_MODEL_SEX_COL ? 0 : o->beta[a];
        for (size_t k = 0, b = 0; k < p; k++) {
            bool in = j != PAY_MODEL_SEX_COL && k != PAY_MODEL_SEX_COL;
            cov[j * p + k] = in ? o->hc1[a * q + b] : 0;
            if (k != PAY_MODEL_SEX_COL)
                b++;
        }
        if (j != PAY_MODEL_SEX_COL)
            a++;
    }
}

int pay_model_oaxaca(struct pay_oaxaca out[2], const struct pay_model *pm,
                     const struct pay_ols *pooled, struct sv_error *err)
{
    size_t p = pm->p;
    struct group_moments A, B;
    struct pay_ols men, women;
    struct sv_error merr;
    sv_error_clear(&merr);
    memset(out, 0, 2 * sizeof *out);
    memset(&A, 0, sizeof A);
    memset(&B, 0, sizeof B);
    bool men_ok = pay_model_fit(&men, pm, PAY_MODEL_MEN, &merr) == 0;
    bool women_ok = pay_model_fit(&women, pm, PAY_MODEL_WOMEN, &merr) == 0;
    double *d = calloc(p, sizeof *d), *b = calloc(p, sizeof *b), *sx = calloc(p * p, sizeof *sx);
    double *bw = calloc(p, sizeof *bw), *va = calloc(p * p, sizeof *va);
    double *vw = calloc(p * p, sizeof *vw), *db = calloc(p, sizeof *db);
    int rc = 0;
    if (!d || !b || !sx || !bw || !va || !vw || !db) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    if ((rc = group_moments(&A, pm, PAY_MODEL_MEN, men_ok ? &men : NULL, err)) < 0 ||
        (rc = group_moments(&B, pm, PAY_MODEL_WOMEN, women_ok ? &women : NULL, err)) < 0)
        goto done;
    A.xbar[PAY_MODEL_SEX_COL] = B.xbar[PAY_MODEL_SEX_COL] = 0;
    for (size_t j = 0; j < p; j++)
        d[j] = A.xbar[j] - B.xbar[j];
    /* V(xbar_A) + V(xbar_B) */
    for (size_t j = 0; j < p * p; j++)
        sx[j] = A.cov[j] / (double)A.n + B.cov[j] / (double)B.n;
    double se_gap = sqrt(A.yvar / (double)A.n + B.yvar / (double)B.n);

    /* pooled reference */
    memcpy(b, pooled->beta, p * sizeof *b);
    b[PAY_MODEL_SEX_COL] = 0;
    out[0].computable = true;
    out[0].reason = "";
    out[0].n = pooled->n;
    pay_oaxaca_twofold(A.xbar, B.xbar, A.ybar, B.ybar, b, p, &out[0].gap, &out[0].explained,
                       &out[0].unexplained);
    out[0].se_gap = se_gap;
    out[0].se_explained = sqrt(quad(d, pooled->hc1, d, p) + quad(b, sx, b, p));
    out[0].se_unexplained = sqrt(pooled->hc1[PAY_MODEL_SEX_COL * p + PAY_MODEL_SEX_COL]);

    /* men's reference */
    if (!men_ok) {
        out[1].computable = false;
        out[1].reason = "not computable: a category has no man";
        out[1].n = pm->n_h;
        out[1].gap = out[1].explained = out[1].unexplained = NAN;
        out[1].se_gap = out[1].se_explained = out[1].se_unexplained = NAN;
        goto done;
    }
    expand(&men, p, b, va);
    out[1].computable = true;
    out[1].reason = "";
    out[1].n = men.n;
    pay_oaxaca_twofold(A.xbar, B.xbar, A.ybar, B.ybar, b, p, &out[1].gap, &out[1].explained,
                       &out[1].unexplained);
    out[1].se_gap = se_gap;
    out[1].se_explained = sqrt(quad(d, va, d, p) + quad(b, sx, b, p));
    out[1].se_unexplained = NAN; /* without a women's model (a category has no woman) */
    if (women_ok) {
        expand(&women, p, bw, vw);
        for (size_t j = 0; j < p * p; j++)
            va[j] += vw[j];
        for (size_t j = 0; j < p; j++) {
            db[j] = b[j] - bw[j];
            for (size_t k = 0; k < p; k++)
                sx[j * p + k] = B.cov[j * p + k] / (double)B.n;
        }
        out[1].se_unexplained = sqrt(quad(B.xbar, va, B.xbar, p) + quad(db, sx, db, p));
    }
done:
    if (men_ok)
        pay_ols_release(&men);
    if (women_ok)
        pay_ols_release(&women);
    free(d);
    free(b);
    free(sx);
    free(bw);
    free(va);
    free(vw);
    free(db);
    group_moments_release(&A);
    group_moments_release(&B);
    return rc;
}

int pay_model_oaxaca_ext(struct pay_oaxaca ref[3], struct pay_oaxaca *three,
                         const struct pay_model *pm, struct sv_error *err)
{
    size_t p = pm->p;
    struct group_moments A, B;
    struct pay_ols men, women;
    struct sv_error merr;
    sv_error_clear(&merr);
    memset(ref, 0, 3 * sizeof *ref);
    memset(three, 0, sizeof *three);
    memset(&A, 0, sizeof A);
    memset(&B, 0, sizeof B);
    bool men_ok = pay_model_fit(&men, pm, PAY_MODEL_MEN, &merr) == 0;
    bool women_ok = pay_model_fit(&women, pm, PAY_MODEL_WOMEN, &merr) == 0;
    double *ba = calloc(p, sizeof *ba), *bb = calloc(p, sizeof *bb), *bs = calloc(p, sizeof *bs);
    double *va = calloc(p * p, sizeof *va), *vb = calloc(p * p, sizeof *vb);
    double *m1 = calloc(p * p, sizeof *m1), *m2 = calloc(p * p, sizeof *m2);
    double *d = calloc(p, sizeof *d), *db = calloc(p, sizeof *db), *xw = calloc(p, sizeof *xw);
    int rc = 0;
    for (int k = 0; k < 3; k++) {
        ref[k].gap = ref[k].explained = ref[k].unexplained = NAN;
        ref[k].se_gap = ref[k].se_explained = ref[k].se_unexplained = NAN;
        ref[k].reason = "not computable: a category has no man or no woman";
    }
    three->gap = three->explained = three->unexplained = NAN;
    three->se_gap = three->se_explained = three->se_unexplained = NAN;
    three->reason = ref[0].reason;
    if (!ba || !bb || !bs || !va || !vb || !m1 || !m2 || !d || !db || !xw) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    if (!men_ok || !women_ok)
        goto done;
    if ((rc = group_moments(&A, pm, PAY_MODEL_MEN, &men, err)) < 0 ||
        (rc = group_moments(&B, pm, PAY_MODEL_WOMEN, &women, err)) < 0)
        goto done;
    A.xbar[PAY_MODEL_SEX_COL] = B.xbar[PAY_MODEL_SEX_COL] = 0;
    expand(&men, p, ba, va);
    expand(&women, p, bb, vb);
    for (size_t j = 0; j < p; j++) {
        d[j] = A.xbar[j] - B.xbar[j];
        db[j] = ba[j] - bb[j];
    }
    double gap = A.ybar - B.ybar;
    double se_gap = sqrt(A.yvar / (double)A.n + B.yvar / (double)B.n);
    /* beta* = a beta_men + (1 - a) beta_women: women a = 0, Reimers 1/2, Cotton n_men / n */
    double as[3] = {0.0, 0.5, (double)A.n / (double)(A.n + B.n)};
    for (int k = 0; k < 3; k++) {
        double a = as[k];
        for (size_t j = 0; j < p; j++) {
            bs[j] = a * ba[j] + (1 - a) * bb[j];
            xw[j] = (1 - a) * A.xbar[j] + a * B.xbar[j];
        }
        for (size_t j = 0; j < p * p; j++) {
            m1[j] = a * a * va[j] + (1 - a) * (1 - a) * vb[j];          /* V(beta*) */
            m2[j] = A.cov[j] / (double)A.n + B.cov[j] / (double)B.n;    /* V(xA) + V(xB) */
        }
        ref[k].computable = true;
        ref[k].reason = "";
        ref[k].n = A.n + B.n;
        ref[k].gap = gap;
        ref[k].explained = 0;
        for (size_t j = 0; j < p; j++)
            ref[k].explained += d[j] * bs[j];
        ref[k].unexplained = gap - ref[k].explained;
        ref[k].se_gap = se_gap;
        ref[k].se_explained = sqrt(quad(d, m1, d, p) + quad(bs, m2, bs, p));
        for (size_t j = 0; j < p * p; j++) {
            m1[j] = va[j] + vb[j];
            m2[j] = (1 - a) * (1 - a) * A.cov[j] / (double)A.n + a * a * B.cov[j] / (double)B.n;
        }
        ref[k].se_unexplained = sqrt(quad(xw, m1, xw, p) + quad(db, m2, db, p));
    }
    /* threefold, from the women's side (Jann): E = d'b_w, C = xbar_w'(b_m - b_w),
     * I = d'(b_m - b_w); gap/explained/unexplained hold E, C, I */
    three->computable = true;
    three->reason = "";
    three->n = A.n + B.n;
    three->gap = three->explained = three->unexplained = 0;
    for (size_t j = 0; j < p; j++) {
        three->gap += d[j] * bb[j];
        three->explained += B.xbar[j] * db[j];
        three->unexplained += d[j] * db[j];
    }
    for (size_t j = 0; j < p * p; j++) {
        m1[j] = va[j] + vb[j];
        m2[j] = A.cov[j] / (double)A.n + B.cov[j] / (double)B.n;
    }
    three->se_gap = sqrt(quad(d, vb, d, p) + quad(bb, m2, bb, p));
    for (size_t j = 0; j < p * p; j++)
        m2[j] = B.cov[j] / (double)B.n;
    three->se_explained = sqrt(quad(B.xbar, m1, B.xbar, p) + quad(db, m2, db, p));
    for (size_t j = 0; j < p * p; j++)
        m2[j] = A.cov[j] / (double)A.n + B.cov[j] / (double)B.n;
    three->se_unexplained = sqrt(quad(d, m1, d, p) + quad(db, m2, db, p));
done:
    if (men_ok)
        pay_ols_release(&men);
    if (women_ok)
        pay_ols_release(&women);
    free(ba);
    free(bb);
    free(bs);
    free(va);
    free(vb);
    free(m1);
    free(m2);
    free(d);
    free(db);
    free(xw);
    group_moments_release(&A);
    group_moments_release(&B);
    return rc;
}

int pay_model_oaxaca_neumark(struct pay_oaxaca *out, const struct pay_model *pm,
                             struct sv_error *err)
{
    size_t p = pm->p;
    memset(out, 0, sizeof *out);
    out->gap = out->explained = out->unexplained = NAN;
    out->se_gap = out->se_explained = out->se_unexplained = NAN;
    out->reason = "not computable: the pooled model without the sex dummy cannot be fitted";
    /* the pooled fit without the sex column: every row, the sex column dropped */
    struct pay_model_ctx c = {.pm = pm, .which = PAY_MODEL_ALL, .drop_sex = 1};
    size_t numeric[2], nn = 0;
    if (pm->seniority_col >= 0)
        numeric[nn++] = (size_t)pm->seniority_col - 1;
    if (pm->hours_col >= 0)
        numeric[nn++] = (size_t)pm->hours_col - 1;
    struct pay_ols nm;
    struct sv_error merr;
    sv_error_clear(&merr);
    bool ok = pay_ols_fit_design(&nm, pm->d->n, p - 1, numeric, nn, false, pm->des,
                                 pay_model_row, &c, &merr) == 0;
    struct group_moments A, B;
    memset(&A, 0, sizeof A);
    memset(&B, 0, sizeof B);
    double *b = calloc(p, sizeof *b), *v = calloc(p * p, sizeof *v);
    double *d = calloc(p, sizeof *d), *sx = calloc(p * p, sizeof *sx);
    int rc = 0;
    if (!b || !v || !d || !sx) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    if (!ok)
        goto done;
    if ((rc = group_moments(&A, pm, PAY_MODEL_MEN, NULL, err)) < 0 ||
        (rc = group_moments(&B, pm, PAY_MODEL_WOMEN, NULL, err)) < 0)
        goto done;
    A.xbar[PAY_MODEL_SEX_COL] = B.xbar[PAY_MODEL_SEX_COL] = 0;
    expand(&nm, p, b, v);
    for (size_t j = 0; j < p; j++)
        d[j] = A.xbar[j] - B.xbar[j];
    for (size_t j = 0; j < p * p; j++)
        sx[j] = A.cov[j] / (double)A.n + B.cov[j] / (double)B.n;
    out->computable = true;
    out->reason = "";
    out->n = nm.n;
    pay_oaxaca_twofold(A.xbar, B.xbar, A.ybar, B.ybar, b, p, &out->gap, &out->explained,
                       &out->unexplained);
    out->se_gap = sqrt(A.yvar / (double)A.n + B.yvar / (double)B.n);
    out->se_explained = sqrt(quad(d, v, d, p) + quad(b, sx, b, p));
    out->se_reason = "standard error not computed: it needs the covariance of the pooled "
                     "and the group models";
done:
    if (ok)
        pay_ols_release(&nm);
    free(b);
    free(v);
    free(d);
    free(sx);
    group_moments_release(&A);
    group_moments_release(&B);
    return rc;
}
