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
    static const enum pay_role facs[PAY_MODEL_NFAC] = {PAY_R_JOB, PAY_R_SECTOR, PAY_R_AGE,
                                                       PAY_R_REGION};
    memset(pm, 0, sizeof *pm);
    pm->d = d;
    pm->sex_f = sex_f;
    pm->sex_h = sex_h;
    pm->without_segur = without_segur;
    for (size_t k = 0; k < PAY_MODEL_NFAC; k++)
        if (d->var[facs[k]])
            pm->fac[pm->nfac++] = facs[k];
    size_t p = 2;
    pm->need_seniority = d->var[PAY_R_SENIORITY] != NULL;
    pm->seniority_col = pm->need_seniority ? (long)p++ : -1;
    pm->hours_col = (long)p++;
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
    double *ycache = malloc((d->n ? d->n : 1) * sizeof *ycache);
    if (!ycache) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
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
        pm->hours_col--;
    }
    if (pm->n_complete > 0 && hmin == hmax) {
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
    return pay_ols_fit(out, pm->d->n, pm->p - shift, numeric, nn, pay_model_row, &c, err);
}

void pay_model_means(const struct pay_model *pm, enum pay_model_subset which, double *xbar,
                     double *ybar)
{
    struct pay_model_ctx c = {.pm = pm, .which = which, .drop_sex = 0};
    struct pay_row x;
    long n = 0;
    double ys = 0;
    memset(xbar, 0, pm->p * sizeof *xbar);
    for (size_t i = 0; i < pm->d->n; i++) {
        double y;
        if (pay_model_row(&c, i, &y, &x) != 1)
            continue;
        n++;
        ys += y;
        for (size_t k = 0; k < x.nnz; k++)
            xbar[x.col[k]] += x.val[k];
    }
    for (size_t j = 0; j < pm->p; j++)
        xbar[j] = n ? xbar[j] / (double)n : NAN;
    *ybar = n ? ys / (double)n : NAN;
}
