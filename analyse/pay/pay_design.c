/*
 * pay_design: weights, clusters, strata and fpc of an employee file, as
 * one analyse_design (the engine every pay statistic goes through).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "pay_design.h"

/* Dense indexes of 64-bit keys, by open addressing (the ids are already
 * hashes); a million employees of 10,000 employers in a few milliseconds. */
struct keymap {
    unsigned long long *key;
    size_t *val;
    size_t cap, n;
};

static int keymap_init(struct keymap *m, size_t expect)
{
    m->cap = 1024;
    while (m->cap < 2 * expect + 16)
        m->cap *= 2;
    m->key = calloc(m->cap, sizeof *m->key);
    m->val = malloc(m->cap * sizeof *m->val);
    m->n = 0;
    return m->key && m->val ? 0 : SV_ENOMEM;
}

static void keymap_release(struct keymap *m)
{
    free(m->key);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static unsigned long long mix(unsigned long long k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* Index of key k (k != 0), a new one when unseen; (size_t)-1 when full. */
static size_t keymap_get(struct keymap *m, unsigned long long k, bool *is_new)
{
    size_t mask = m->cap - 1;
    for (size_t i = (size_t)mix(k) & mask, probes = 0; probes < m->cap; i = (i + 1) & mask, probes++) {
        if (m->key[i] == k) {
            *is_new = false;
            return m->val[i];
        }
        if (m->key[i] == 0) {
            m->key[i] = k;
            m->val[i] = m->n++;
            *is_new = true;
            return m->val[i];
        }
    }
    return (size_t)-1;
}

void pay_design_release(struct pay_design *pd)
{
    if (!pd)
        return;
    analyse_design_free(pd->des);
    free(pd->w);
    free(pd->psu);
    free(pd->stratum);
    free(pd->psu_stratum);
    free(pd->n_h);
    free(pd->f_h);
    free(pd->text);
    memset(pd, 0, sizeof *pd);
}

static const char *var_name(const struct pay_data *d, enum pay_role r)
{
    return d->var[r] ? d->var[r]->name : "?";
}

int pay_design_build(struct pay_design *pd, const struct pay_data *d, bool iid, enum sv_lang lang,
                     struct sv_error *err)
{
    memset(pd, 0, sizeof *pd);
    pd->iid = iid;
    size_t n = d->n;
    pd->weighted = !iid && d->var[PAY_R_WEIGHT] != NULL;
    pd->clustered = !iid && (d->var[PAY_R_CLUSTER] || d->var[PAY_R_EMPLOYER]);
    bool stratified = !iid && d->var[PAY_R_STRATUM] != NULL;
    bool fpc = !iid && d->var[PAY_R_FPC] != NULL;
    enum pay_role crole = d->var[PAY_R_CLUSTER] ? PAY_R_CLUSTER : PAY_R_EMPLOYER;
    struct keymap strata = {0}, psus = {0};
    double *popsize = NULL, *fpcval = NULL;
    int rc = 0;
    pd->w = pay_rows_alloc(n, sizeof *pd->w);
    pd->psu = pay_rows_alloc(n, sizeof *pd->psu);
    pd->stratum = pay_rows_alloc(n, sizeof *pd->stratum);
    if (!pd->w || !pd->psu || !pd->stratum || keymap_init(&strata, 64) ||
        keymap_init(&psus, pd->clustered ? n / 8 : 16)) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory building the design");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const struct pay_emp *e = &d->e[i];
        pd->w[i] = pd->weighted ? e->weight : 1.0;
        if (!(pd->w[i] > 0) || !isfinite(pd->w[i])) {
            rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                              "employee %zu: weight (%s) missing or not positive; the design needs "
                              "one for every employee (or --weights none)",
                              i + 1, var_name(d, PAY_R_WEIGHT));
            goto done;
        }
        bool fresh;
        pd->stratum[i] = 0;
        if (stratified) {
            if (e->stratum == 0) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0, "employee %zu: stratum (%s) missing",
                                  i + 1, var_name(d, PAY_R_STRATUM));
                goto done;
            }
            pd->stratum[i] = keymap_get(&strata, e->stratum, &fresh);
            if (pd->stratum[i] == (size_t)-1 || strata.n > 1000000) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0, "too many strata");
                goto done;
            }
        }
        if (pd->clustered) {
            if (e->cluster == 0) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "employee %zu: cluster id (%s) missing; the design needs one for "
                                  "every employee (or --weights none)",
                                  i + 1, var_name(d, crole));
                goto done;
            }
            /* clusters nested in strata: the same id in two strata is two PSUs */
            unsigned long long k = mix(e->cluster ^ mix(e->stratum + 0x9e3779b97f4a7c15ULL));
            if (k == 0)
                k = 1;
            if (psus.n * 2 + 16 > psus.cap) { /* grow */
                struct keymap big;
                if (keymap_init(&big, psus.cap)) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory building the design");
                    goto done;
                }
                for (size_t j = 0; j < psus.cap; j++)
                    if (psus.key[j]) {
                        size_t mask = big.cap - 1, s = (size_t)mix(psus.key[j]) & mask;
                        while (big.key[s])
                            s = (s + 1) & mask;
                        big.key[s] = psus.key[j];
                        big.val[s] = psus.val[j];
                    }
                big.n = psus.n;
                keymap_release(&psus);
                psus = big;
            }
            pd->psu[i] = keymap_get(&psus, k, &fresh);
        } else {
            pd->psu[i] = i;
        }
    }
    pd->nstrata = stratified ? strata.n : 1;
    pd->npsu = pd->clustered ? psus.n : n;
    pd->psu_stratum = calloc(pd->npsu ? pd->npsu : 1, sizeof *pd->psu_stratum);
    pd->n_h = calloc(pd->nstrata ? pd->nstrata : 1, sizeof *pd->n_h);
    pd->f_h = calloc(pd->nstrata ? pd->nstrata : 1, sizeof *pd->f_h);
    popsize = calloc(pd->nstrata ? pd->nstrata : 1, sizeof *popsize);
    fpcval = malloc((pd->nstrata ? pd->nstrata : 1) * sizeof *fpcval);
    if (!pd->psu_stratum || !pd->n_h || !pd->f_h || !popsize || !fpcval) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory building the design");
        goto done;
    }
    unsigned char *seen = calloc(pd->npsu ? pd->npsu : 1, 1);
    if (!seen) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory building the design");
        goto done;
    }
    for (size_t h = 0; h < pd->nstrata; h++)
        fpcval[h] = NAN;
    for (size_t i = 0; i < n; i++) {
        size_t j = pd->psu[i], h = pd->stratum[i];
        if (!seen[j]) {
            seen[j] = 1;
            pd->psu_stratum[j] = h;
            pd->n_h[h] += 1;
        }
        if (fpc) {
            double v = d->e[i].fpc;
            if (!(v > 0)) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0, "employee %zu: fpc (%s) missing or not positive",
                                  i + 1, var_name(d, PAY_R_FPC));
                break;
            }
            if (isnan(fpcval[h]))
                fpcval[h] = v;
            else if (fpcval[h] != v) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "employee %zu: fpc (%s) %.15g differs from %.15g in the same stratum",
                                  i + 1, var_name(d, PAY_R_FPC), v, fpcval[h]);
                break;
            }
        }
    }
    free(seen);
    if (rc)
        goto done;
    if (fpc) {
        /* as svydesign: all values > 1 are population counts N_h (of PSUs),
         * all <= 1 sampling fractions; a mix is an error */
        bool counts = fpcval[0] > 1;
        for (size_t h = 0; h < pd->nstrata; h++) {
            if ((fpcval[h] > 1) != counts) {
                rc = sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                  "fpc (%s) mixes population counts (> 1) and sampling fractions (<= 1)",
                                  var_name(d, PAY_R_FPC));
                goto done;
            }
            popsize[h] = counts ? fpcval[h] : pd->n_h[h] / fpcval[h];
            pd->f_h[h] = pd->n_h[h] / popsize[h];
        }
    }
    struct analyse_design_spec spec = {.nrows = n,
                                       .stratum = stratified ? pd->stratum : NULL,
                                       .nstrata = pd->nstrata,
                                       .pop_size = fpc ? popsize : NULL,
                                       .weight = pd->w,
                                       .psu = pd->clustered ? pd->psu : NULL};
    if ((rc = analyse_design_new(&pd->des, &spec, err)) < 0)
        goto done;

    struct sv_buf b = SV_BUF_INIT;
    if (iid) {
        sv_buf_adds(&b, PAY_DESIGN_TR(lang,
                                      "salariés indépendants, poids égaux (--weights none : "
                                      "svydesign(ids = ~1)) ; la grappe des employeurs est ignorée",
                                      "independent employees, equal weights (--weights none: "
                                      "svydesign(ids = ~1)); employers' clustering ignored"));
    } else {
        if (pd->clustered)
            sv_buf_addf(&b, PAY_DESIGN_TR(lang, "sondage en grappes à un degré : %zu employeurs (%s)",
                                          "one-stage cluster sample: %zu employers (%s)"),
                        pd->npsu, var_name(d, crole));
        else
            sv_buf_adds(&b, PAY_DESIGN_TR(lang, "salariés tirés un à un", "employees sampled one by one"));
        if (stratified)
            sv_buf_addf(&b, PAY_DESIGN_TR(lang, ", %zu strates (%s)", ", %zu strata (%s)"), pd->nstrata,
                        var_name(d, PAY_R_STRATUM));
        if (fpc)
            sv_buf_addf(&b, PAY_DESIGN_TR(lang, ", correction de population finie (%s)",
                                          ", finite population correction (%s)"),
                        var_name(d, PAY_R_FPC));
        if (pd->weighted)
            sv_buf_addf(&b, PAY_DESIGN_TR(lang, ", poids %s", ", weights %s"), var_name(d, PAY_R_WEIGHT));
        else
            sv_buf_adds(&b, PAY_DESIGN_TR(lang, ", poids égaux (pas de rôle weight)",
                                          ", equal weights (no weight role)"));
        sv_buf_addf(&b, PAY_DESIGN_TR(lang, " ; ddl du plan %g", "; design df %g"),
                    analyse_design_df(pd->des));
    }
    pd->text = sv_buf_detach(&b, NULL);
    if (!pd->text)
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
done:
    keymap_release(&strata);
    keymap_release(&psus);
    free(popsize);
    free(fpcval);
    if (rc < 0)
        pay_design_release(pd);
    return rc;
}
