/* Designs from the population frame: see analyse_frame.h. */
#include "analyse_frame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"

int analyse_weighting_parse(const char *s, enum analyse_weighting *out)
{
    static const char *const names[] = {"frame", "post", "rake", "none", "cells"};
    for (size_t k = 0; k < 5; k++)
        if (strcmp(s, names[k]) == 0) {
            *out = (enum analyse_weighting)k;
            return 0;
        }
    return SV_EUSAGE;
}

const char *analyse_weighting_name(enum analyse_weighting w)
{
    switch (w) {
    case ANALYSE_W_FRAME: return "frame";
    case ANALYSE_W_POST: return "poststratification";
    case ANALYSE_W_RAKE: return "raking";
    case ANALYSE_W_NONE: return "none";
    case ANALYSE_W_CELLS: return "cells";
    }
    return "?";
}

int analyse_frame_want(struct analyse_data *d, struct sv_error *err)
{
    const struct sv_frame *fr = &d->survey->frame;
    for (size_t k = 0; k < fr->nvars; k++) {
        int rc = analyse_data_want(d, fr->vars[k], ANALYSE_COL_CODE, err);
        if (rc)
            return rc;
    }
    return 0;
}

void analyse_setup_release(struct analyse_setup *s)
{
    analyse_design_free(s->design);
    s->design = NULL;
    free(s->notes);
    s->notes = NULL;
    free(s->calib_json);
    s->calib_json = NULL;
    s->calibrated = false;
    free(s->design_weight);
    free(s->row_stratum);
    free(s->row_cell);
    s->design_weight = NULL;
    s->row_stratum = s->row_cell = NULL;
}

/* Keep each row's design weight, stratum and frame cell (NULL cell: unweighted). */
static int keep_rows(struct analyse_setup *out, size_t n, const double *wt, const size_t *strat,
                     const size_t *cell, struct sv_error *err)
{
    out->design_weight = malloc((n ? n : 1) * sizeof *out->design_weight);
    out->row_stratum = malloc((n ? n : 1) * sizeof *out->row_stratum);
    out->row_cell = malloc((n ? n : 1) * sizeof *out->row_cell);
    if (!out->design_weight || !out->row_stratum || !out->row_cell)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < n; i++) {
        out->design_weight[i] = wt ? wt[i] : 1;
        out->row_stratum[i] = strat ? strat[i] : 0;
        out->row_cell[i] = cell ? cell[i] : ANALYSE_NO_GROUP;
    }
    return 0;
}

int analyse_frame_lookup(size_t **lookup, size_t *span, const struct sv_survey *s,
                         struct sv_error *err)
{
    const struct sv_frame *fr = &s->frame;
    size_t K = fr->nvars, sp = 1;
    *lookup = NULL;
    for (size_t k = 0; k < K; k++) {
        const struct sv_variable *v = sv_survey_variable(s, fr->vars[k]);
        size_t radix = v ? v->ncodes : 0;
        if (radix == 0 || sp > ((size_t)1 << 26) / radix)
            return sv_error_set(err, SV_EDATA, s->file, 0, 0, "frame too large");
        sp *= radix;
    }
    size_t *lk = malloc(sp * sizeof *lk);
    if (!lk)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t j = 0; j < sp; j++)
        lk[j] = ANALYSE_NO_GROUP;
    for (size_t r = 0; r < fr->nrows; r++) {
        size_t key = 0;
        bool ok = true;
        for (size_t k = 0; k < K && ok; k++) {
            const struct sv_variable *v = sv_survey_variable(s, fr->vars[k]);
            size_t c = ANALYSE_NO_GROUP;
            for (size_t j = 0; j < v->ncodes; j++)
                if (strcmp(v->codes[j].code, fr->rows[r].keys[k]) == 0) {
                    c = j;
                    break;
                }
            ok = c != ANALYSE_NO_GROUP;
            key = key * v->ncodes + (ok ? c : 0);
        }
        if (ok)
            lk[key] = r;
    }
    *lookup = lk;
    *span = sp;
    return 0;
}

/* Frame cell of every respondent (index into fr->rows). */
static int cells_of_rows(size_t *cell, const struct analyse_data *d, struct sv_error *err)
{
    const struct sv_frame *fr = &d->survey->frame;
    size_t K = fr->nvars;
    const struct analyse_column **cols = calloc(K, sizeof *cols);
    size_t *lookup = NULL, span;
    int rc = 0;
    if (!cols) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < K; k++) {
        cols[k] = analyse_data_col(d, fr->vars[k]);
        if (!cols[k]) {
            rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "frame column '%s' not loaded",
                              fr->vars[k]);
            goto out;
        }
    }
    if ((rc = analyse_frame_lookup(&lookup, &span, d->survey, err)))
        goto out;
    for (size_t i = 0; i < d->nrows; i++) {
        size_t key = 0;
        struct sv_buf name = SV_BUF_INIT;
        for (size_t k = 0; k < K; k++) {
            size_t c = cols[k]->code[i];
            if (c == ANALYSE_NO_GROUP) {
                rc = sv_error_set(err, SV_EDATA, d->source, 0, 0,
                                  "record '%s': '%s' is missing, so its stratum is unknown",
                                  analyse_data_id(d, i), fr->vars[k]);
                goto out;
            }
            key = key * cols[k]->var->ncodes + c;
        }
        cell[i] = lookup[key];
        if (cell[i] == ANALYSE_NO_GROUP || !(fr->rows[cell[i]].count > 0)) {
            for (size_t k = 0; k < K; k++)
                sv_buf_addf(&name, "%s%s", k ? ";" : "",
                            cols[k]->var->codes[cols[k]->code[i]].code);
            rc = sv_error_set(err, SV_EDATA, d->source, 0, 0,
                              "record '%s': stratum '%s' is %s the frame of survey '%s'",
                              analyse_data_id(d, i), name.data,
                              cell[i] == ANALYSE_NO_GROUP ? "missing from" : "empty in",
                              d->survey->id);
            sv_buf_release(&name);
            goto out;
        }
    }
out:
    free(cols);
    free(lookup);
    return rc;
}

void analyse_cellplan_release(struct analyse_cellplan *p)
{
    free(p->vars);
    free(p->code);
    free(p->n);
    free(p->stratum);
    free(p->stratum_pop);
    free(p->base_weight);
    free(p->margin_total);
    free(p->margin_off);
    free(p->rake_var);
    free(p->notes);
    memset(p, 0, sizeof *p);
}

/* Frame weights: strata are the frame cells, singletons pooled per first variable. */
static int plan_frame(struct analyse_cellplan *p, const struct sv_frame *fr)
{
    size_t R = p->ncells, nc0 = p->vars[0]->ncodes;
    long *single_in = calloc(nc0 + 1, sizeof *single_in);
    size_t *pool_of = calloc(nc0 + 1, sizeof *pool_of);
    int rc = 0;
    if (!single_in || !pool_of) {
        rc = SV_ENOMEM;
        goto out;
    }
    for (size_t r = 0; r < R; r++)
        if (p->n[r] == 1)
            single_in[p->code[r * p->nvars]]++;
    long nat = 0;
    for (size_t c = 0; c < nc0; c++)
        if (single_in[c] == 1)
            nat++;
    size_t ns = 0;
    for (size_t r = 0; r < R; r++)
        if (p->n[r] >= 2)
            p->stratum[r] = ns++;
    for (size_t c = 0; c < nc0; c++)
        if (single_in[c] >= 2)
            pool_of[c] = ns++;
    size_t national = ns;
    if (nat >= 2)
        ns++;
    /* a lone leftover joins the largest stratum */
    size_t largest = 0;
    long lsize = -1;
    for (size_t r = 0; r < R; r++)
        if (p->n[r] >= 2 && p->n[r] > lsize) {
            lsize = p->n[r];
            largest = p->stratum[r];
        }
    for (size_t r = 0; r < R; r++) {
        if (p->n[r] != 1)
            continue;
        p->collapsed++;
        size_t c = p->code[r * p->nvars];
        if (single_in[c] >= 2)
            p->stratum[r] = pool_of[c];
        else if (nat >= 2)
            p->stratum[r] = national;
        else if (lsize >= 0)
            p->stratum[r] = largest;
        else
            p->stratum[r] = 0;
    }
    if (ns == 0)
        ns = 1;
    p->nstrata = ns;
    p->stratum_pop = calloc(ns, sizeof *p->stratum_pop);
    if (!p->stratum_pop) {
        rc = SV_ENOMEM;
        goto out;
    }
    for (size_t r = 0; r < R; r++)
        if (p->n[r] > 0) {
            p->stratum_pop[p->stratum[r]] += fr->rows[r].count;
            p->base_weight[r] = fr->rows[r].count / (double)p->n[r];
        }
    snprintf(p->text, sizeof p->text,
             "stratified by the frame cells, weights and fpc from the frame%s",
             p->collapsed ? "; single-respondent cells collapsed for the variance" : "");
out:
    free(single_in);
    free(pool_of);
    return rc;
}

/* The frame keys of cell r, ';'-joined, into b. */
static void cell_name(struct sv_buf *b, const struct sv_frame *fr, size_t r)
{
    for (size_t k = 0; k < fr->nvars; k++)
        sv_buf_addf(b, "%s%s", k ? ";" : "", fr->rows[r].keys[k]);
}

/* A cell that cannot be a stratum on its own: units but no respondent, or one of several. */
static bool cell_deficient(const struct analyse_cellplan *p, const struct sv_frame *fr, size_t r)
{
    return (p->n[r] == 0 && fr->rows[r].count > 0) || (p->n[r] == 1 && fr->rows[r].count > 1);
}

/* The stratum with the most respondents (the first on ties), or -1. */
static long most(const long *nh, size_t ns)
{
    long best = -1;
    for (size_t h = 0; h < ns; h++)
        if (nh[h] >= 2 && (best < 0 || nh[h] > nh[best]))
            best = (long)h;
    return best;
}

/*
 * The default: the frame cells as strata, the deficient ones collapsed (see
 * analyse_frame.h), then raked to the margins when a cell was collapsed.
 */
static int plan_cells(struct analyse_cellplan *p, const struct sv_frame *fr,
                      struct sv_error *err)
{
    size_t R = p->ncells, K = p->nvars, nc0 = p->vars[0]->ncodes;
    long *nh = calloc(R + 2, sizeof *nh);              /* respondents per stratum */
    unsigned char *good_in = calloc((R + 2) * (nc0 + 1), 1); /* stratum h of a good cell of code c */
    size_t *pool = calloc(nc0 + 1, sizeof *pool);
    long *pool_n = calloc(nc0 + 1, sizeof *pool_n);
    unsigned char *def = calloc(R ? R : 1, 1);
    unsigned char *hit = calloc(R + 2, 1); /* stratum holds a collapsed cell */
    struct sv_buf b = SV_BUF_INIT;
    int rc = 0;
    if (!nh || !good_in || !pool || !pool_n || !def || !hit) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    size_t ns = 0;
    for (size_t r = 0; r < R; r++) {
        def[r] = cell_deficient(p, fr, r);
        size_t c0 = p->code[r * K];
        if (c0 == ANALYSE_NO_GROUP)
            c0 = nc0;
        if (def[r]) {
            p->collapsed++;
            pool_n[c0] += p->n[r];
        } else if (p->n[r] > 0) {
            p->stratum[r] = ns;
            nh[ns] = p->n[r];
            good_in[ns * (nc0 + 1) + c0] = 1;
            ns++;
        }
    }
    /* each code's pool: a stratum of its own, or the code's largest cell, or national */
    const size_t NATIONAL = (size_t)-2;
    long nat_n = 0;
    bool nat_any = false;
    for (size_t c = 0; c <= nc0; c++) {
        bool any = false;
        for (size_t r = 0; r < R && !any; r++)
            any = def[r] && (p->code[r * K] == ANALYSE_NO_GROUP ? nc0 : p->code[r * K]) == c;
        if (!any)
            continue;
        if (pool_n[c] >= 2) {
            pool[c] = ns;
            nh[ns++] = pool_n[c];
            continue;
        }
        long best = -1;
        for (size_t h = 0; h < ns; h++)
            if (good_in[h * (nc0 + 1) + c] && nh[h] >= 2 && (best < 0 || nh[h] > nh[best]))
                best = (long)h;
        if (best >= 0) {
            pool[c] = (size_t)best;
            nh[best] += pool_n[c];
        } else {
            pool[c] = NATIONAL;
            nat_n += pool_n[c];
            nat_any = true;
        }
    }
    size_t nat = 0;
    if (nat_any) {
        if (nat_n >= 2) {
            nat = ns;
            nh[ns++] = nat_n;
        } else {
            long best = most(nh, ns);
            if (best < 0) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "fewer than 2 respondents: no variance can be estimated "
                                  "(use --weights none)");
                goto out;
            }
            nat = (size_t)best;
            nh[best] += nat_n;
        }
    }
    for (size_t r = 0; r < R; r++)
        if (def[r]) {
            size_t c0 = p->code[r * K] == ANALYSE_NO_GROUP ? nc0 : p->code[r * K];
            p->stratum[r] = pool[c0] == NATIONAL ? nat : pool[c0];
            hit[p->stratum[r]] = 1;
        }
    if (ns == 0) {
        rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                          "fewer than 2 respondents: no variance can be estimated "
                          "(use --weights none)");
        goto out;
    }
    p->nstrata = ns;
    p->stratum_pop = calloc(ns, sizeof *p->stratum_pop);
    if (!p->stratum_pop) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < R; r++)
        if (p->n[r] > 0 || def[r])
            p->stratum_pop[p->stratum[r]] += fr->rows[r].count;
    for (size_t r = 0; r < R; r++)
        if (p->n[r] > 0)
            p->base_weight[r] = p->stratum_pop[p->stratum[r]] / (double)nh[p->stratum[r]];
    /* one line per collapsed stratum */
    for (size_t h = 0; h < ns; h++) {
        if (!hit[h])
            continue;
        sv_buf_addf(&b, "frame cells collapsed into one stratum (%ld respondents, %.15g units):",
                    nh[h], p->stratum_pop[h]);
        bool first = true;
        for (size_t r = 0; r < R; r++) {
            if (!(p->n[r] > 0 || def[r]) || p->stratum[r] != h)
                continue;
            sv_buf_addf(&b, "%s '", first ? "" : ",");
            cell_name(&b, fr, r);
            sv_buf_addf(&b, "' (%ld)", p->n[r]);
            first = false;
        }
        sv_buf_addf(&b, "\n");
    }
    if (p->collapsed)
        snprintf(p->text, sizeof p->text,
                 "stratified by the frame cells, weights and fpc from the frame; %ld cell%s "
                 "with fewer than 2 respondents collapsed within %s",
                 p->collapsed, p->collapsed > 1 ? "s" : "", fr->vars[0]);
    else
        snprintf(p->text, sizeof p->text,
                 "stratified by the frame cells, weights and fpc from the frame");
    if (p->collapsed == 0)
        goto out;
    /* the collapsed strata no longer carry the margins: rake to those that can be met */
    size_t tot = 0;
    p->margin_off = calloc(K, sizeof *p->margin_off);
    p->rake_var = calloc(K, 1);
    if (!p->margin_off || !p->rake_var) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t k = 0; k < K; k++) {
        p->margin_off[k] = tot;
        tot += p->vars[k]->ncodes;
    }
    p->margin_total = calloc(tot ? tot : 1, sizeof *p->margin_total);
    long *mn = calloc(tot ? tot : 1, sizeof *mn);
    if (!p->margin_total || !mn) {
        free(mn);
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < K; k++)
            if (p->code[r * K + k] != ANALYSE_NO_GROUP) {
                p->margin_total[p->margin_off[k] + p->code[r * K + k]] += fr->rows[r].count;
                mn[p->margin_off[k] + p->code[r * K + k]] += p->n[r];
            }
    struct sv_buf raked = SV_BUF_INIT;
    size_t nraked = 0;
    for (size_t k = 0; k < K; k++) {
        bool ok = true;
        for (size_t j = 0; j < p->vars[k]->ncodes; j++) {
            size_t at = p->margin_off[k] + j;
            if (p->margin_total[at] > 0 && mn[at] == 0) {
                ok = false;
                sv_buf_addf(&b, "margin '%s' not raked: its code '%s' has %.15g units but no "
                                "respondent\n", p->vars[k]->name, p->vars[k]->codes[j].code,
                            p->margin_total[at]);
                break;
            }
        }
        p->rake_var[k] = ok;
        if (ok)
            sv_buf_addf(&raked, "%s%s", nraked++ ? ", " : "", p->vars[k]->name);
    }
    free(mn);
    if (nraked == 0) {
        free(p->margin_off);
        p->margin_off = NULL;
    } else {
        size_t len = strlen(p->text);
        snprintf(p->text + len, sizeof p->text - len, "; raked to the margins %s",
                 raked.data);
    }
    sv_buf_release(&raked);
out:
    if (rc == 0 && b.data)
        p->notes = sv_buf_detach(&b, NULL);
    sv_buf_release(&b);
    free(nh);
    free(good_in);
    free(pool);
    free(pool_n);
    free(def);
    free(hit);
    return rc;
}

/*
 * Post-stratification and raking: strata of the first frame variable; codes
 * with one respondent are pooled (their population too), a lone one joins
 * the largest stratum.
 */
static int plan_first_variable(struct analyse_cellplan *p, const struct sv_frame *fr)
{
    size_t R = p->ncells, K = p->nvars, nc0 = p->vars[0]->ncodes;
    double *pop0 = calloc(nc0, sizeof *pop0);
    long *n0 = calloc(nc0, sizeof *n0);
    size_t *map0 = calloc(nc0, sizeof *map0);
    double *vpop0 = calloc(nc0 + 1, sizeof *vpop0);
    int rc = 0;
    if (!pop0 || !n0 || !map0 || !vpop0) {
        rc = SV_ENOMEM;
        goto out;
    }
    for (size_t r = 0; r < R; r++) {
        size_t c = p->code[r * K];
        if (c != ANALYSE_NO_GROUP) {
            pop0[c] += fr->rows[r].count;
            n0[c] += p->n[r];
        }
    }
    size_t ns = 0, big = 0;
    long singles = 0, bign = -1;
    for (size_t j = 0; j < nc0; j++) {
        if (n0[j] >= 2) {
            if (n0[j] > bign) {
                bign = n0[j];
                big = ns;
            }
            map0[j] = ns++;
        } else if (n0[j] == 1) {
            singles++;
        }
    }
    size_t pool = singles >= 2 ? ns++ : (bign >= 0 ? big : ns++);
    for (size_t j = 0; j < nc0; j++)
        if (n0[j] == 1) {
            map0[j] = pool;
            p->collapsed++;
        }
    for (size_t j = 0; j < nc0; j++)
        if (n0[j] > 0)
            vpop0[map0[j]] += pop0[j];
    p->nstrata = ns;
    p->stratum_pop = calloc(ns ? ns : 1, sizeof *p->stratum_pop);
    long *nh = calloc(ns ? ns : 1, sizeof *nh);
    if (!p->stratum_pop || !nh) {
        free(nh);
        rc = SV_ENOMEM;
        goto out;
    }
    memcpy(p->stratum_pop, vpop0, ns * sizeof *vpop0);
    for (size_t r = 0; r < R; r++)
        if (p->n[r] > 0) {
            p->stratum[r] = map0[p->code[r * K]];
            nh[p->stratum[r]] += p->n[r];
        }
    for (size_t r = 0; r < R; r++)
        if (p->n[r] > 0)
            p->base_weight[r] = p->stratum_pop[p->stratum[r]] / (double)nh[p->stratum[r]];
    free(nh);
    if (p->weighting == ANALYSE_W_POST) {
        p->margin_total = calloc(R, sizeof *p->margin_total);
        if (!p->margin_total) {
            rc = SV_ENOMEM;
            goto out;
        }
        for (size_t r = 0; r < R; r++)
            p->margin_total[r] = p->n[r] > 0 ? fr->rows[r].count : 0;
        snprintf(p->text, sizeof p->text,
                 "stratified by %s (fpc from the frame), post-stratified to the frame cells",
                 fr->vars[0]);
        goto out;
    }
    size_t tot = 0;
    p->margin_off = calloc(K, sizeof *p->margin_off);
    if (!p->margin_off) {
        rc = SV_ENOMEM;
        goto out;
    }
    for (size_t k = 0; k < K; k++) {
        p->margin_off[k] = tot;
        tot += p->vars[k]->ncodes;
    }
    p->margin_total = calloc(tot ? tot : 1, sizeof *p->margin_total);
    if (!p->margin_total) {
        rc = SV_ENOMEM;
        goto out;
    }
    for (size_t r = 0; r < R; r++)
        for (size_t k = 0; k < K; k++)
            if (p->n[r] > 0 && p->code[r * K + k] != ANALYSE_NO_GROUP)
                p->margin_total[p->margin_off[k] + p->code[r * K + k]] += fr->rows[r].count;
    struct sv_buf b = SV_BUF_INIT;
    for (size_t k = 0; k < K; k++)
        sv_buf_addf(&b, "%s%s", k ? ", " : "", fr->vars[k]);
    snprintf(p->text, sizeof p->text,
             "stratified by %s (fpc from the frame), raked to the margins %s", fr->vars[0],
             b.data ? b.data : "");
    sv_buf_release(&b);
out:
    free(pop0);
    free(n0);
    free(map0);
    free(vpop0);
    return rc;
}

int analyse_cellplan_make(struct analyse_cellplan *p, const struct sv_survey *s,
                          enum analyse_weighting w, const long *n, struct sv_error *err)
{
    memset(p, 0, sizeof *p);
    p->weighting = w;
    const struct sv_frame *fr = &s->frame;
    if (w == ANALYSE_W_NONE) {
        p->ncells = 1;
        p->n = calloc(1, sizeof *p->n);
        p->stratum = calloc(1, sizeof *p->stratum);
        p->base_weight = calloc(1, sizeof *p->base_weight);
        if (!p->n || !p->stratum || !p->base_weight) {
            analyse_cellplan_release(p);
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        p->n[0] = n[0];
        p->nstrata = 1;
        p->base_weight[0] = 1;
        snprintf(p->text, sizeof p->text,
                 "unweighted: simple random sample with replacement, no strata");
        return 0;
    }
    if (fr->nvars == 0 || fr->nrows == 0)
        return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                            "survey '%s' has no population frame: use --weights none", s->id);
    size_t R = fr->nrows, K = fr->nvars;
    p->ncells = R;
    p->nvars = K;
    p->vars = calloc(K, sizeof *p->vars);
    p->code = calloc(R * K, sizeof *p->code);
    p->n = calloc(R, sizeof *p->n);
    p->stratum = calloc(R, sizeof *p->stratum);
    p->base_weight = calloc(R, sizeof *p->base_weight);
    if (!p->vars || !p->code || !p->n || !p->stratum || !p->base_weight) {
        analyse_cellplan_release(p);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t k = 0; k < K; k++) {
        p->vars[k] = sv_survey_variable(s, fr->vars[k]);
        if (!p->vars[k] || p->vars[k]->ncodes == 0) {
            analyse_cellplan_release(p);
            return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                                "frame variable '%s' is not a single-choice variable",
                                fr->vars[k]);
        }
    }
    for (size_t r = 0; r < R; r++) {
        p->n[r] = n[r];
        if (n[r] == 0 && fr->rows[r].count > 0) {
            p->empty_cells++;
            p->empty_population += fr->rows[r].count;
        }
        for (size_t k = 0; k < K; k++) {
            size_t c = ANALYSE_NO_GROUP;
            for (size_t j = 0; j < p->vars[k]->ncodes; j++)
                if (strcmp(p->vars[k]->codes[j].code, fr->rows[r].keys[k]) == 0) {
                    c = j;
                    break;
                }
            p->code[r * K + k] = c;
        }
    }
    int rc;
    if (w == ANALYSE_W_CELLS) {
        rc = plan_cells(p, fr, err);
        if (rc)
            analyse_cellplan_release(p);
        return rc;
    }
    rc = w == ANALYSE_W_FRAME ? plan_frame(p, fr) : plan_first_variable(p, fr);
    if (rc) {
        analyse_cellplan_release(p);
        return sv_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    return 0;
}

int analyse_setup_design(struct analyse_setup *out, const struct analyse_data *d,
                         enum analyse_weighting w, struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    out->weighting = w;
    const struct sv_survey *s = d->survey;
    const struct sv_frame *fr = &s->frame;
    size_t n = d->nrows;
    if (n == 0)
        return sv_error_set(err, SV_EDATA, d->source, 0, 0, "no responses to analyse");
    if (w == ANALYSE_W_NONE) {
        struct analyse_design_spec spec = {0};
        spec.nrows = n;
        struct analyse_cellplan plan;
        long all = (long)n;
        int rc = analyse_cellplan_make(&plan, s, w, &all, err);
        if (rc == 0) {
            analyse_setup_describe(out, &plan, &out->rake);
            analyse_cellplan_release(&plan);
            rc = analyse_design_new(&out->design, &spec, err);
        }
        if (rc == 0)
            rc = keep_rows(out, n, NULL, NULL, NULL, err);
        if (rc)
            analyse_setup_release(out);
        return rc;
    }
    if (fr->nvars == 0 || fr->nrows == 0)
        return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                            "survey '%s' has no population frame: use --weights none",
                            s->id);
    size_t R = fr->nrows, K = fr->nvars;
    size_t *cell = calloc(n, sizeof *cell);
    long *nr = calloc(R, sizeof *nr);
    size_t *strat = calloc(n, sizeof *strat);
    double *wt = calloc(n, sizeof *wt);
    struct analyse_cellplan plan;
    memset(&plan, 0, sizeof plan);
    int rc = 0;
    if (!cell || !nr || !strat || !wt) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    if ((rc = cells_of_rows(cell, d, err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        nr[cell[i]]++;
    if ((rc = analyse_cellplan_make(&plan, s, w, nr, err)))
        goto out;
    for (size_t i = 0; i < n; i++) {
        strat[i] = plan.stratum[cell[i]];
        wt[i] = plan.base_weight[cell[i]];
    }
    /* post and rake: weights N_h / n_h, computed by the design from the populations */
    struct analyse_design_spec spec = {n, strat, plan.nstrata, plan.stratum_pop,
                                       w == ANALYSE_W_FRAME ? wt : NULL, NULL};
    rc = analyse_design_new(&out->design, &spec, err);
    if (rc)
        goto out;
    if (w == ANALYSE_W_POST) {
        struct analyse_margin m = {cell, R, plan.margin_total};
        rc = analyse_design_poststratify(out->design, &m, err);
    } else if (plan.margin_off) {
        struct analyse_margin *m = calloc(K, sizeof *m);
        size_t **cells = calloc(K, sizeof *cells);
        if (!m || !cells) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            size_t nm = 0;
            for (size_t k = 0; k < K && rc == 0; k++) {
                if (plan.rake_var && !plan.rake_var[k])
                    continue;
                cells[nm] = calloc(n, sizeof **cells);
                if (!cells[nm]) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                for (size_t i = 0; i < n; i++)
                    cells[nm][i] = plan.code[cell[i] * K + k];
                m[nm].cell = cells[nm];
                m[nm].ncells = plan.vars[k]->ncodes;
                m[nm].total = plan.margin_total + plan.margin_off[k];
                nm++;
            }
            if (rc == 0)
                rc = analyse_design_rake(out->design, m, nm, 1e-12, 200, &out->rake, err);
        }
        for (size_t k = 0; k < K && cells; k++)
            free(cells[k]);
        free(m);
        free(cells);
    }
    if (rc == 0) {
        analyse_setup_describe(out, &plan, &out->rake);
        rc = keep_rows(out, n, wt, strat, cell, err);
    }
out:
    if (rc)
        analyse_setup_release(out);
    analyse_cellplan_release(&plan);
    free(cell);
    free(nr);
    free(strat);
    free(wt);
    return rc;
}

void analyse_setup_describe(struct analyse_setup *out, const struct analyse_cellplan *p,
                            const struct analyse_rake_report *rake)
{
    out->weighting = p->weighting;
    out->collapsed = p->collapsed;
    out->empty_cells = p->empty_cells;
    out->empty_population = p->empty_population;
    out->rake = *rake;
    out->raked = p->margin_off != NULL;
    free(out->notes);
    out->notes = p->notes ? sv_strdup(p->notes) : NULL;
    if (out->raked)
        snprintf(out->design_text, sizeof out->design_text,
                 "%s: %s after %d sweeps, weights %.3g to %.3g", p->text,
                 rake->converged ? "converged" : "NOT converged", rake->iterations, rake->w_min,
                 rake->w_max);
    else
        snprintf(out->design_text, sizeof out->design_text, "%s", p->text);
}
