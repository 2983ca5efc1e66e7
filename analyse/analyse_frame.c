/* Designs from the population frame: see analyse_frame.h. */
#include "analyse_frame.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"

int analyse_weighting_parse(const char *s, enum analyse_weighting *out)
{
    static const char *const names[] = {"frame", "post", "rake", "none"};
    for (size_t k = 0; k < 4; k++)
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
}

/* Frame cell of every respondent (index into fr->rows). */
static int cells_of_rows(size_t *cell, const struct analyse_data *d, struct sv_error *err)
{
    const struct sv_frame *fr = &d->survey->frame;
    size_t K = fr->nvars;
    const struct analyse_column **cols = calloc(K, sizeof *cols);
    size_t *radix = calloc(K, sizeof *radix);
    size_t *lookup = NULL;
    int rc = 0;
    if (!cols || !radix) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    size_t span = 1;
    for (size_t k = 0; k < K; k++) {
        cols[k] = analyse_data_col(d, fr->vars[k]);
        if (!cols[k]) {
            rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "frame column '%s' not loaded",
                              fr->vars[k]);
            goto out;
        }
        radix[k] = cols[k]->var->ncodes;
        if (radix[k] == 0 || span > ((size_t)1 << 26) / radix[k]) {
            rc = sv_error_set(err, SV_EDATA, d->survey->file, 0, 0, "frame too large");
            goto out;
        }
        span *= radix[k];
    }
    lookup = malloc(span * sizeof *lookup);
    if (!lookup) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t j = 0; j < span; j++)
        lookup[j] = ANALYSE_NO_GROUP;
    for (size_t r = 0; r < fr->nrows; r++) {
        size_t key = 0;
        bool ok = true;
        for (size_t k = 0; k < K && ok; k++) {
            size_t c = ANALYSE_NO_GROUP;
            for (size_t j = 0; j < cols[k]->var->ncodes; j++)
                if (strcmp(cols[k]->var->codes[j].code, fr->rows[r].keys[k]) == 0) {
                    c = j;
                    break;
                }
            ok = c != ANALYSE_NO_GROUP;
            key = key * radix[k] + (ok ? c : 0);
        }
        if (ok)
            lookup[key] = r;
    }
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
            key = key * radix[k] + c;
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
    free(radix);
    free(lookup);
    return rc;
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
        snprintf(out->design_text, sizeof out->design_text,
                 "unweighted: simple random sample with replacement, no strata");
        return analyse_design_new(&out->design, &spec, err);
    }
    if (fr->nvars == 0 || fr->nrows == 0)
        return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                            "survey '%s' has no population frame: use --weights none",
                            s->id);
    size_t R = fr->nrows;
    size_t *cell = calloc(n ? n : 1, sizeof *cell);
    double *pop = calloc(R, sizeof *pop);
    long *nr = calloc(R, sizeof *nr);
    size_t *vstrat = calloc(n ? n : 1, sizeof *vstrat);
    double *wt = calloc(n ? n : 1, sizeof *wt);
    size_t *top = calloc(n ? n : 1, sizeof *top);
    int rc = 0;
    if (!cell || !pop || !nr || !vstrat || !wt || !top) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    if ((rc = cells_of_rows(cell, d, err)))
        goto out;
    for (size_t i = 0; i < n; i++)
        nr[cell[i]]++;
    for (size_t r = 0; r < R; r++)
        if (nr[r] == 0 && fr->rows[r].count > 0) {
            out->empty_cells++;
            out->empty_population += fr->rows[r].count;
        }
    const struct analyse_column *c0 = analyse_data_col(d, fr->vars[0]);
    size_t nc0 = c0->var->ncodes;
    if (w == ANALYSE_W_FRAME) {
        /* variance strata: frame cells, singletons pooled per first variable */
        size_t *vs_of_cell = calloc(R, sizeof *vs_of_cell);
        long *single_in = calloc(nc0 + 1, sizeof *single_in);
        size_t *pool_of = calloc(nc0 + 1, sizeof *pool_of);
        if (!vs_of_cell || !single_in || !pool_of) {
            free(vs_of_cell);
            free(single_in);
            free(pool_of);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        /* first variable's code of each cell (from any respondent in it) */
        size_t *code_of_cell = calloc(R, sizeof *code_of_cell);
        if (!code_of_cell) {
            free(vs_of_cell);
            free(single_in);
            free(pool_of);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++)
            code_of_cell[cell[i]] = c0->code[i];
        for (size_t r = 0; r < R; r++)
            if (nr[r] == 1)
                single_in[code_of_cell[r]]++;
        long nat = 0;
        for (size_t c = 0; c < nc0; c++)
            if (single_in[c] == 1)
                nat++;
        size_t ns = 0;
        for (size_t r = 0; r < R; r++)
            if (nr[r] >= 2)
                vs_of_cell[r] = ns++;
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
            if (nr[r] >= 2 && nr[r] > lsize) {
                lsize = nr[r];
                largest = vs_of_cell[r];
            }
        for (size_t r = 0; r < R; r++) {
            if (nr[r] != 1)
                continue;
            out->collapsed++;
            size_t c = code_of_cell[r];
            if (single_in[c] >= 2)
                vs_of_cell[r] = pool_of[c];
            else if (nat >= 2)
                vs_of_cell[r] = national;
            else if (lsize >= 0)
                vs_of_cell[r] = largest;
            else
                vs_of_cell[r] = 0;
        }
        if (ns == 0)
            ns = 1;
        double *vpop = calloc(ns, sizeof *vpop);
        if (!vpop) {
            free(vs_of_cell);
            free(single_in);
            free(pool_of);
            free(code_of_cell);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        for (size_t r = 0; r < R; r++)
            if (nr[r] > 0)
                vpop[vs_of_cell[r]] += fr->rows[r].count;
        for (size_t i = 0; i < n; i++) {
            vstrat[i] = vs_of_cell[cell[i]];
            wt[i] = fr->rows[cell[i]].count / (double)nr[cell[i]];
        }
        struct analyse_design_spec spec = {n, vstrat, ns, vpop, wt, NULL};
        rc = analyse_design_new(&out->design, &spec, err);
        snprintf(out->design_text, sizeof out->design_text,
                 "stratified by the frame cells, weights and fpc from the frame%s",
                 out->collapsed ? "; single-respondent cells collapsed for the variance" : "");
        free(vpop);
        free(vs_of_cell);
        free(single_in);
        free(pool_of);
        free(code_of_cell);
        goto out;
    }
    /* post, rake: stratified by the first frame variable */
    double *pop0 = calloc(nc0, sizeof *pop0);
    if (!pop0) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < R; r++) {
        for (size_t j = 0; j < nc0; j++)
            if (strcmp(c0->var->codes[j].code, fr->rows[r].keys[0]) == 0)
                pop0[j] += fr->rows[r].count;
    }
    /*
     * Strata of the first variable; codes with one respondent are pooled
     * (their population too), a lone one joins the largest stratum.
     */
    long *n0 = calloc(nc0, sizeof *n0);
    size_t *map0 = calloc(nc0, sizeof *map0);
    double *vpop0 = calloc(nc0 + 1, sizeof *vpop0);
    if (!n0 || !map0 || !vpop0) {
        free(n0);
        free(map0);
        free(vpop0);
        free(pop0);
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        n0[c0->code[i]]++;
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
            out->collapsed++;
        }
    for (size_t j = 0; j < nc0; j++)
        if (n0[j] > 0)
            vpop0[map0[j]] += pop0[j];
    for (size_t i = 0; i < n; i++)
        top[i] = map0[c0->code[i]];
    struct analyse_design_spec spec = {n, top, ns, vpop0, NULL, NULL};
    rc = analyse_design_new(&out->design, &spec, err);
    free(n0);
    free(map0);
    free(vpop0);
    if (rc) {
        free(pop0);
        goto out;
    }
    if (w == ANALYSE_W_POST) {
        for (size_t r = 0; r < R; r++)
            pop[r] = nr[r] > 0 ? fr->rows[r].count : 0;
        struct analyse_margin m = {cell, R, pop};
        rc = analyse_design_poststratify(out->design, &m, err);
        snprintf(out->design_text, sizeof out->design_text,
                 "stratified by %s (fpc from the frame), post-stratified to the frame cells",
                 fr->vars[0]);
    } else {
        size_t K = fr->nvars;
        struct analyse_margin *m = calloc(K, sizeof *m);
        size_t **cells = calloc(K, sizeof *cells);
        double **tots = calloc(K, sizeof *tots);
        if (!m || !cells || !tots) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            for (size_t k = 0; k < K && rc == 0; k++) {
                const struct analyse_column *ck = analyse_data_col(d, fr->vars[k]);
                size_t nck = ck->var->ncodes;
                cells[k] = calloc(n, sizeof **cells);
                tots[k] = calloc(nck, sizeof **tots);
                if (!cells[k] || !tots[k]) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                for (size_t i = 0; i < n; i++)
                    cells[k][i] = ck->code[i];
                for (size_t r = 0; r < R; r++)
                    for (size_t j = 0; j < nck; j++)
                        if (nr[r] > 0 && strcmp(ck->var->codes[j].code, fr->rows[r].keys[k]) == 0)
                            tots[k][j] += fr->rows[r].count;
                m[k].cell = cells[k];
                m[k].ncells = nck;
                m[k].total = tots[k];
            }
            if (rc == 0)
                rc = analyse_design_rake(out->design, m, K, 1e-12, 200, &out->rake, err);
            struct sv_buf b = SV_BUF_INIT;
            for (size_t k = 0; k < K; k++)
                sv_buf_addf(&b, "%s%s", k ? ", " : "", fr->vars[k]);
            snprintf(out->design_text, sizeof out->design_text,
                     "stratified by %s (fpc from the frame), raked to the margins %s: %s after "
                     "%d sweeps, weights %.3g to %.3g",
                     fr->vars[0], b.data, out->rake.converged ? "converged" : "NOT converged",
                     out->rake.iterations, out->rake.w_min, out->rake.w_max);
            sv_buf_release(&b);
        }
        for (size_t k = 0; k < K && cells && tots; k++) {
            free(cells[k]);
            free(tots[k]);
        }
        free(m);
        free(cells);
        free(tots);
    }
    free(pop0);
out:
    if (rc)
        analyse_setup_release(out);
    free(cell);
    free(pop);
    free(nr);
    free(vstrat);
    free(wt);
    free(top);
    return rc;
}
