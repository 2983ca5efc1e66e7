/*
 * Estimators from per-slot moments: see analyse_moments.h, and
 * analyse_design.c for the row-by-row version these expand.
 *
 * Notation: a slot s lies in frame cell c with final weight w_c; u is the
 * influence value divided by the weight (total: y; mean: (y - est) / W;
 * ratio: (y - R x) / X), zero outside the domain or when a value is
 * missing. Calibration subtracts from u a value a_c per cell (post: the
 * cell mean of u; rake: survey's ten rounds of margin means), so the
 * residual of a row is e = w_c (u - a_c), and the variance is
 *   sum_h (1 - f_h) n_h / (n_h - 1) (sum_{i in h} e_i^2 - (sum_{i in h} e_i)^2 / n_h)
 * with sum e = w_c (S_c - n_c a_c) and sum e^2 = w_c^2 (Q_c - 2 a_c S_c + n_c a_c^2)
 * per cell, S_c and Q_c being the sums of u and u^2 over its rows.
 */
#include "analyse_moments.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Re-express the sums about a new shift (y1, x1). */
static void reshift(struct analyse_mom *s, double y1, double x1)
{
    long double dy = (long double)s->y0 - y1, dx = (long double)s->x0 - x1;
    long double m = s->m;
    /* a' = a + dy, b' = b + dx */
    s->saa += 2 * dy * s->sa + m * dy * dy;
    s->sbb += 2 * dx * s->sb + m * dx * dx;
    s->sab += dx * s->sa + dy * s->sb + m * dx * dy;
    s->sa += m * dy;
    s->sb += m * dx;
    s->y0 = y1;
    s->x0 = x1;
}

void analyse_mom_flush(struct analyse_mom *s)
{
    s->sa += s->pa;
    s->sb += s->pb;
    s->saa += s->paa;
    s->sab += s->pab;
    s->sbb += s->pbb;
    s->sabs += s->pabs;
    s->pa = s->pb = s->paa = s->pab = s->pbb = s->pabs = 0;
    s->pn = 0;
    if (s->m > 0)
        reshift(s, (double)(s->y0 + s->sa / s->m), (double)(s->x0 + s->sb / s->m));
}

void analyse_mom_merge(struct analyse_mom *into, const struct analyse_mom *from_)
{
    struct analyse_mom fromc = *from_, *from = &fromc;
    analyse_mom_flush(into);
    analyse_mom_flush(from);
    into->n += from->n;
    if (from->m == 0)
        return;
    if (into->m == 0) {
        double n = into->n;
        *into = *from;
        into->n = n;
        return;
    }
    reshift(from, into->y0, into->x0);
    into->saa += from->saa;
    into->sbb += from->sbb;
    into->sab += from->sab;
    into->sa += from->sa;
    into->sb += from->sb;
    into->m += from->m;
    into->sabs += from->sabs;
    if (from->maxabs > into->maxabs)
        into->maxabs = from->maxabs;
}

void analyse_cell_design_release(struct analyse_cell_design *d)
{
    free(d->w);
    free(d->n_h);
    free(d->f_h);
    free(d->S);
    free(d->Q);
    free(d->a);
    free(d->used_h);
    free(d->used_c_rows);
    memset(d, 0, sizeof *d);
}

/* The weighted count of each code of frame variable k into acc; returns the code count. */
static size_t margin_sums(long double *acc, const struct analyse_cell_design *d, size_t k)
{
    const struct analyse_cellplan *p = d->plan;
    size_t nc = p->vars[k]->ncodes;
    for (size_t g = 0; g < nc; g++)
        acc[g] = 0;
    for (size_t c = 0; c < p->ncells; c++)
        if (p->n[c] > 0)
            acc[p->code[c * p->nvars + k]] += (long double)p->n[c] * d->w[c];
    return nc;
}

/* Raking of the cell weights by iterative proportional fitting, as analyse_design_rake(). */
static int rake_cells(struct analyse_cell_design *d, struct sv_error *err)
{
    const struct analyse_cellplan *p = d->plan;
    size_t C = p->ncells, K = p->nvars, maxc = 0;
    for (size_t k = 0; k < K; k++)
        if (p->vars[k]->ncodes > maxc)
            maxc = p->vars[k]->ncodes;
    long double *acc = calloc(maxc ? maxc : 1, sizeof *acc);
    if (!acc)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    struct analyse_rake_report *rep = &d->rake;
    memset(rep, 0, sizeof *rep);
    int rc = 0;
    for (int it = 0; it < 200 && rc == 0; it++) {
        for (size_t k = 0; k < K && rc == 0; k++) {
            if (p->rake_var && !p->rake_var[k])
                continue;
            const double *tot = p->margin_total + p->margin_off[k];
            size_t nc = margin_sums(acc, d, k);
            for (size_t g = 0; g < nc && rc == 0; g++) {
                if (acc[g] > 0 && !(tot[g] > 0))
                    rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                      "calibration: cell %zu has respondents but a population "
                                      "total of %g", g + 1, tot[g]);
                else if (acc[g] == 0 && tot[g] > 0)
                    rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                      "calibration: cell %zu has a population of %g but no "
                                      "respondent", g + 1, tot[g]);
            }
            if (rc)
                break;
            for (size_t c = 0; c < C; c++)
                if (p->n[c] > 0) {
                    size_t g = p->code[c * K + k];
                    d->w[c] = d->w[c] * (tot[g] / (double)acc[g]);
                }
        }
        if (rc)
            break;
        rep->iterations = it + 1;
        double worst = 0;
        for (size_t k = 0; k < K; k++) {
            if (p->rake_var && !p->rake_var[k])
                continue;
            const double *tot = p->margin_total + p->margin_off[k];
            size_t nc = margin_sums(acc, d, k);
            for (size_t g = 0; g < nc; g++)
                if (tot[g] > 0) {
                    double e = fabs((double)acc[g] - tot[g]) / tot[g];
                    if (e > worst)
                        worst = e;
                }
        }
        rep->max_change = worst;
        if (worst <= 1e-12) {
            rep->converged = true;
            break;
        }
    }
    free(acc);
    return rc;
}

int analyse_cell_design_init(struct analyse_cell_design *d, const struct analyse_cellplan *p,
                             struct sv_error *err)
{
    memset(d, 0, sizeof *d);
    d->plan = p;
    size_t C = p->ncells, H = p->nstrata;
    d->w = calloc(C, sizeof *d->w);
    d->n_h = calloc(H, sizeof *d->n_h);
    d->f_h = calloc(H, sizeof *d->f_h);
    d->S = calloc(C, sizeof *d->S);
    d->Q = calloc(C, sizeof *d->Q);
    d->a = calloc(C, sizeof *d->a);
    d->used_h = calloc(H, sizeof *d->used_h);
    d->used_c_rows = calloc(C, sizeof *d->used_c_rows);
    if (!d->w || !d->n_h || !d->f_h || !d->S || !d->Q || !d->a || !d->used_h ||
        !d->used_c_rows) {
        analyse_cell_design_release(d);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    double ntot = 0;
    for (size_t c = 0; c < C; c++)
        if (p->n[c] > 0) {
            d->w[c] = p->base_weight[c];
            d->n_h[p->stratum[c]] += (double)p->n[c];
            ntot += (double)p->n[c];
        }
    for (size_t h = 0; h < H; h++) {
        if (!p->stratum_pop)
            continue;
        if (p->stratum_pop[h] < d->n_h[h])
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "stratum %zu: population %g is smaller than the sample %g",
                                h + 1, p->stratum_pop[h], d->n_h[h]);
        d->f_h[h] = p->stratum_pop[h] > 0 ? d->n_h[h] / p->stratum_pop[h] : 0;
    }
    int rc = 0;
    if (p->weighting == ANALYSE_W_POST) {
        for (size_t c = 0; c < C; c++)
            if (p->n[c] > 0) {
                if (!(p->margin_total[c] > 0)) {
                    rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                      "calibration: cell %zu has respondents but a population "
                                      "total of %g", c + 1, p->margin_total[c]);
                    break;
                }
                d->w[c] = d->w[c] * (p->margin_total[c] / (p->n[c] * d->w[c]));
            }
    } else if (p->margin_off) {
        rc = rake_cells(d, err);
        if (rc == 0) {
            struct analyse_rake_report *rep = &d->rake;
            long double s = 0, s2 = 0;
            rep->w_min = INFINITY;
            rep->w_max = -INFINITY;
            for (size_t c = 0; c < C; c++)
                if (p->n[c] > 0) {
                    s += (long double)p->n[c] * d->w[c];
                    if (d->w[c] < rep->w_min)
                        rep->w_min = d->w[c];
                    if (d->w[c] > rep->w_max)
                        rep->w_max = d->w[c];
                }
            rep->w_mean = (double)(s / ntot);
            for (size_t c = 0; c < C; c++)
                if (p->n[c] > 0)
                    s2 += (long double)p->n[c] * (d->w[c] - rep->w_mean) * (d->w[c] - rep->w_mean);
            rep->w_cv = ntot > 1 ? sqrt((double)(s2 / (ntot - 1))) / rep->w_mean : 0;
        }
    }
    if (rc)
        analyse_cell_design_release(d);
    return rc;
}

/*
 * survey's raking residuals (10 rounds over the margins) on the cell table:
 * each margin step subtracts from u the unweighted mean of the current u
 * over the margin's category; a_c accumulates those means.
 */
static int rake_adjust(struct analyse_cell_design *d)
{
    const struct analyse_cellplan *p = d->plan;
    size_t C = p->ncells, K = p->nvars, tot = 0;
    for (size_t k = 0; k < K; k++)
        tot += p->vars[k]->ncodes;
    double *D = calloc(tot ? tot : 1, sizeof *D);
    long double *num = calloc(tot ? tot : 1, sizeof *num);
    double *cnt = calloc(tot ? tot : 1, sizeof *cnt);
    if (!D || !num || !cnt) {
        free(D);
        free(num);
        free(cnt);
        return SV_ENOMEM;
    }
    for (size_t c = 0; c < C; c++)
        if (p->n[c] > 0)
            for (size_t k = 0; k < K; k++)
                cnt[p->margin_off[k] + p->code[c * K + k]] += (double)p->n[c];
    for (int r = 0; r < 10; r++) {
        for (size_t k = 0; k < K; k++) {
            if (p->rake_var && !p->rake_var[k])
                continue;
            size_t off = p->margin_off[k], nc = p->vars[k]->ncodes;
            for (size_t g = 0; g < nc; g++)
                num[off + g] = 0;
            for (size_t c = 0; c < C; c++) {
                if (p->n[c] == 0)
                    continue;
                long double adj = 0;
                for (size_t q = 0; q < K; q++)
                    adj += D[p->margin_off[q] + p->code[c * K + q]];
                num[off + p->code[c * K + k]] += d->S[c] - (long double)p->n[c] * adj;
            }
            for (size_t g = 0; g < nc; g++)
                if (cnt[off + g] > 0)
                    D[off + g] += (double)(num[off + g] / cnt[off + g]);
        }
    }
    for (size_t c = 0; c < C; c++) {
        d->a[c] = 0;
        if (p->n[c] == 0)
            continue;
        double adj = 0;
        for (size_t q = 0; q < K; q++)
            adj += D[p->margin_off[q] + p->code[c * K + q]];
        d->a[c] = adj;
    }
    free(D);
    free(num);
    free(cnt);
    return 0;
}

/*
 * The mean of u over a slot's present rows, and the sum of squares of u
 * about that mean: total u = y; mean and ratio u = (y - R x) / scale (x = 1
 * for means). The slot's sums are about its shift (y0, x0).
 */
static long double slot_mean(const struct analyse_mom *m, enum analyse_stat stat, double R,
                             double scale)
{
    long double ma = m->sa / m->m, mb = m->sb / m->m;
    if (stat == ANALYSE_TOTAL)
        return m->y0 + ma;
    if (stat != ANALYSE_RATIO)
        return (m->y0 - (long double)R + ma) / scale;
    return ((m->y0 - (long double)R * m->x0) + (ma - (long double)R * mb)) / scale;
}

static long double slot_within(const struct analyse_mom *m, enum analyse_stat stat, double R,
                               double scale)
{
    long double caa = m->saa - m->sa * m->sa / m->m;
    if (caa < 0)
        caa = 0;
    if (stat != ANALYSE_RATIO)
        return stat == ANALYSE_TOTAL ? caa : caa / ((long double)scale * scale);
    long double cab = m->sab - m->sa * m->sb / m->m, cbb = m->sbb - m->sb * m->sb / m->m;
    long double q = caa - 2 * (long double)R * cab + (long double)R * R * cbb;
    return (q < 0 ? 0 : q) / ((long double)scale * scale);
}

int analyse_moments_estimate(struct analyse_result *r, struct analyse_cell_design *d,
                             enum analyse_stat stat, const struct analyse_mom *mom,
                             const size_t *cell, size_t nslots, const unsigned char *in_domain,
                             const struct analyse_options *opt, struct sv_error *err)
{
    const struct analyse_cellplan *p = d->plan;
    double level = opt && opt->level > 0 ? opt->level : 0.95;
    analyse_result_empty(r, level);
    if (stat == ANALYSE_QUANTILE)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "quantiles need the rows: not a moment estimator");
    size_t C = p->ncells, H = p->nstrata;
    /* the weighted sums of the domain */
    long double W = 0, Y = 0, X = 0, Sabs = 0;
    double maxw = 0, nused = 0, nmiss = 0;
    for (size_t h = 0; h < H; h++)
        d->used_h[h] = 0;
    for (size_t s = 0; s < nslots; s++) {
        if (in_domain && !in_domain[s])
            continue;
        const struct analyse_mom *m = &mom[s];
        double w = d->w[cell[s]];
        nmiss += m->n - m->m;
        if (m->m == 0)
            continue;
        nused += m->m;
        d->used_h[p->stratum[cell[s]]] += m->m;
        W += (long double)w * m->m;
        Y += (long double)w * (m->sa + m->m * (long double)m->y0);
        X += (long double)w * (m->sb + m->m * (long double)m->x0);
        Sabs += (long double)w * m->sabs;
        if (w * m->maxabs > maxw)
            maxw = w * m->maxabs;
    }
    r->n = (long)nused;
    r->n_missing = (long)nmiss;
    if (nused == 0)
        return 0;
    double strata_used = 0;
    for (size_t h = 0; h < H; h++)
        strata_used += d->used_h[h] > 0;
    r->df = analyse_result_df(nused - strata_used, opt);
    r->population = (double)W;
    r->max_share = Sabs > 0 ? maxw / (double)Sabs : NAN;
    double est, scale, R = 0;
    switch (stat) {
    case ANALYSE_TOTAL:
        est = (double)Y;
        scale = 1;
        break;
    case ANALYSE_RATIO:
        est = R = (double)(Y / X);
        scale = (double)X;
        break;
    default: /* mean, proportion: a ratio to the count */
        est = R = (double)(Y / W);
        scale = (double)W;
        break;
    }
    r->estimate = est;
    /*
     * Sums of squares by parts, never as E[u^2] - E[u]^2 (which cancels when
     * the variance is near zero): within each slot about its mean (its sums
     * are kept about a shift near that mean), then the slots about their
     * cell's mean, then the cells about their stratum's mean. S_c is the sum
     * of u over cell c, Q_c the sum of squares of u about its cell mean.
     */
    for (size_t c = 0; c < C; c++)
        d->S[c] = d->Q[c] = 0;
    for (size_t s = 0; s < nslots; s++)
        if ((!in_domain || in_domain[s]) && mom[s].m > 0)
            d->S[cell[s]] += mom[s].m * slot_mean(&mom[s], stat, R, scale);
    for (size_t s = 0; s < nslots; s++) {
        if ((in_domain && !in_domain[s]) || mom[s].m == 0)
            continue;
        const struct analyse_mom *m = &mom[s];
        size_t c = cell[s];
        long double dev = slot_mean(m, stat, R, scale) - d->S[c] / p->n[c];
        d->Q[c] += slot_within(m, stat, R, scale) + m->m * dev * dev;
        d->used_c_rows[c] += m->m;
    }
    for (size_t c = 0; c < C; c++) {
        if (p->n[c] == 0)
            continue;
        /* rows of the cell outside the domain (or with a value missing) have u = 0 */
        long double ubar = d->S[c] / p->n[c];
        d->Q[c] += (p->n[c] - d->used_c_rows[c]) * ubar * ubar;
        d->used_c_rows[c] = 0;
    }
    /* calibration residuals: e = w_c (u - a_c) */
    for (size_t c = 0; c < C; c++)
        d->a[c] = 0;
    if (p->weighting == ANALYSE_W_POST) {
        for (size_t c = 0; c < C; c++)
            if (p->n[c] > 0)
                d->a[c] = (double)(d->S[c] / p->n[c]);
    } else if (p->margin_off) {
        if (rake_adjust(d) != 0)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* stratified variance of the element residuals: cells about their stratum's mean */
    long double *E = calloc(H, sizeof *E), *V = calloc(H, sizeof *V);
    if (!E || !V) {
        free(E);
        free(V);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t c = 0; c < C; c++)
        if (p->n[c] > 0)
            E[p->stratum[c]] += d->w[c] * (d->S[c] - p->n[c] * (long double)d->a[c]);
    for (size_t h = 0; h < H; h++)
        if (d->n_h[h] > 0)
            E[h] /= d->n_h[h];
    for (size_t c = 0; c < C; c++) {
        if (p->n[c] == 0)
            continue;
        long double w = d->w[c], nc = p->n[c];
        long double ebar = w * (d->S[c] / nc - d->a[c]) - E[p->stratum[c]];
        V[p->stratum[c]] += w * w * d->Q[c] + nc * ebar * ebar;
    }
    long double v = 0;
    for (size_t h = 0; h < H; h++) {
        double nh = d->n_h[h];
        if (nh >= 2)
            v += (1.0L - d->f_h[h]) * nh / (nh - 1.0) * V[h];
    }
    free(E);
    free(V);
    r->var = (double)v;
    analyse_result_interval(r, stat, opt);
    return 0;
}
