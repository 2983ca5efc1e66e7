/*
 * pay_design: the survey design of an employee file, for analyse's
 * estimation engine (analyse_design.h).
 *
 * Pay surveys are drawn by establishment: each sampled employer gives all
 * (or a sample of) its employees and carries a sampling weight. The design
 * is then R's svydesign(ids = ~cluster, strata = ~stratum, fpc = ~fpc,
 * weights = ~weight), with the roles `weight`, `cluster` (default: the
 * `employer_id` role), `stratum` and `fpc`, each optional. `--weights none`
 * gives the iid design instead: svydesign(ids = ~1), every employee weight 1.
 */
#ifndef ANALYSE_PAY_DESIGN_H
#define ANALYSE_PAY_DESIGN_H

#define PAY_DESIGN_TR(lang, fr, en) ((lang) == SV_LANG_EN ? (en) : (fr))

#include <stdbool.h>
#include <stddef.h>
#include "analyse_design.h"
#include "pay_data.h"

struct pay_design {
    bool iid;                  /* --weights none: ids = ~1, weights 1 */
    bool weighted;             /* a weight role was used */
    bool clustered;            /* PSUs are clusters (not the employees) */
    struct analyse_design *des; /* over the d->n rows */
    double *w;                 /* per row: weight */
    size_t *psu;               /* per row: dense PSU index (row index when not clustered) */
    size_t *stratum;           /* per row: dense stratum index */
    size_t *psu_stratum;       /* per PSU */
    size_t npsu, nstrata;
    double *n_h;               /* per stratum: PSUs in the whole sample */
    double *f_h;               /* per stratum: sampling fraction (0 = no fpc) */
    char *text;                /* the design in words (metadata and stderr) */
};

/*
 * Build the design of d's rows. iid: --weights none. A missing or
 * non-positive weight, a missing cluster id (when clusters are used), an
 * fpc that differs within a stratum or is smaller than its sample, and a
 * stratum with a single PSU are SV_EDATA naming the first row concerned.
 */
int pay_design_build(struct pay_design *pd, const struct pay_data *d, bool iid, enum sv_lang lang,
                     struct sv_error *err);
void pay_design_release(struct pay_design *pd);

#endif
