/*
 * Sample model of the digital-readiness survey (unit: establishment).
 *
 * Every answer depends on one latent digital maturity
 *     eta = size effect + sector effect + z,   z ~ N(0, 1)
 * so that the yes/no items, the electronic client record stage and the four
 * Likert items are correlated as in real data (and Cronbach's alpha of the
 * maturity scale is meaningful). Parameters are the ground truth documented
 * in sample/README.md; population shares are integrated exactly over z.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "gensample.h"

#define NSIZES 4
static const char *const size_codes[NSIZES] = {"t1", "t2", "t3", "t4"};
static const double size_effect[NSIZES] = {-0.5, -0.1, 0.2, 0.5};
static const double size_lo[NSIZES] = {5, 20, 50, 100};
static const double size_hi[NSIZES] = {20, 50, 100, 250};

struct sector_param {
    const char *code;
    double effect;
    double response_rate;
    double size[NSIZES];
};
static const struct sector_param sectors[] = {
    {"pa", 0.1, 0.12, {0.15, 0.30, 0.35, 0.20}},
    {"ph", 0.0, 0.11, {0.20, 0.35, 0.30, 0.15}},
    {"pe", -0.2, 0.09, {0.25, 0.35, 0.25, 0.15}},
    {"ahi", -0.3, 0.08, {0.35, 0.35, 0.20, 0.10}},
    {"cds", 0.3, 0.10, {0.55, 0.30, 0.12, 0.03}},
};
static const struct sector_param sector_default = {"", 0.0, 0.10, {0.25, 0.35, 0.25, 0.15}};

/* Regional effects: response rate, and broadband access (logit shift) overseas and in Corsica. */
struct region_param {
    const char *code;
    double rr_factor;
    double broadband_shift;
};
static const struct region_param regions[] = {
    {"11", 0.80, 0.0}, {"53", 1.30, 0.0}, {"52", 1.20, 0.0}, {"94", 0.90, -0.3},
    {"01", 0.80, -0.5}, {"02", 0.80, -0.5}, {"03", 0.70, -0.8}, {"04", 0.85, -0.3},
    {"06", 0.70, -0.8},
};
static const struct region_param region_default = {"", 1.0, 0.0};

/* P(yes) = logistic(a + b * eta) */
#define IT_A 0.0
#define IT_B 1.3
#define BB_A 1.8
#define BB_B 0.8
#define MSG_A -0.5
#define MSG_B 1.0
#define ESMS_A -0.4
#define ESMS_B 0.6
/* client record: oui if eta + e > DUI_YES, en_cours if > DUI_ONGOING, e ~ logistic */
#define DUI_YES 0.2
#define DUI_ONGOING -1.0
/* staff trained (%) = 100 logistic(TRAIN_A + TRAIN_B eta + N(0, TRAIN_SD)) */
#define TRAIN_A -0.6
#define TRAIN_B 0.8
#define TRAIN_SD 0.6
/* IT budget (EUR/year) = FTE x BUDGET_PER_FTE x exp(BUDGET_B eta + N(0, BUDGET_SD)) */
#define BUDGET_PER_FTE 600.0
#define BUDGET_B 0.5
#define BUDGET_SD 0.5

struct equip_param {
    const char *code;
    double a; /* P = logistic(a + EQUIP_B eta) */
};
static const struct equip_param equipment[] = {
    {"poste", 1.5}, {"mobile", 0.0}, {"wifi", 0.8},
    {"visio", 0.6}, {"telesante", -1.2}, {"capteurs", -1.8},
};
#define EQUIP_B 0.9

/* Likert items: y* = loading eta + offset + N(0, ITEM_SD), cut at -1.5, -0.5, 0.5, 1.5. */
#define NITEMS_MAX 8
static const double item_loading[] = {0.9, 0.8, 0.85, 0.7};
static const double item_offset[] = {0.0, 0.2, -0.1, 0.4};
#define ITEM_SD 0.8
static const double cuts[4] = {-1.5, -0.5, 0.5, 1.5};
static const char *const likert_codes[5] = {"1", "2", "3", "4", "5"};

#define DIRTY_NO_SECTOR 0.01
#define DIRTY_BAD_CODE 0.01
#define DIRTY_OUT_OF_RANGE 0.015
#define DIRTY_ITEM_MISSING 0.05

struct stratum {
    const char *region, *sector;
    const struct sector_param *sp;
    const struct region_param *rp;
    double N;
    long n;
};

struct num_model {
    const struct sv_survey *s;
    struct gs_options opt;
    gsl_rng *rng;
    int v_region, v_sector, v_size, v_it, v_bb, v_dui, v_equip, v_msg, v_trained, v_budget,
        v_esms, v_id, v_email;
    int items[NITEMS_MAX];
    size_t nitems;
    struct stratum *strata;
    size_t nstrata;
    long *order;
    /* realised */
    long n_it, n_it_size[NSIZES], n_size[NSIZES], n_dui_yes;
    double w_total, w_it;
    double item_sum[NITEMS_MAX], item_sumsq[NITEMS_MAX], total_sum, total_sumsq;
    long dirty_counts[4];
};

static const struct sector_param *find_sector(const char *code)
{
    for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++)
        if (!strcmp(sectors[i].code, code))
            return &sectors[i];
    return &sector_default;
}

static const struct region_param *find_region(const char *code)
{
    for (size_t i = 0; i < sizeof regions / sizeof *regions; i++)
        if (!strcmp(regions[i].code, code))
            return &regions[i];
    return &region_default;
}

static const char *canon(const struct sv_survey *s, int vi, const char *code)
{
    int c = gs_code_index(s, vi, code);
    return c >= 0 ? s->variables[vi].codes[c].code : NULL;
}

static void *num_create(const struct sv_survey *s, const struct gs_options *opt, gsl_rng *rng,
                        struct sv_error *err)
{
    struct num_model *m = calloc(1, sizeof *m);
    if (!m) {
        sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    m->s = s;
    m->opt = *opt;
    m->rng = rng;
    if ((m->v_region = gs_role_index(s, "region", err)) < 0 ||
        (m->v_sector = gs_role_index(s, "sector", err)) < 0 ||
        (m->v_it = gs_role_index(s, "it_function", err)) < 0)
        goto fail;
    m->v_size = gs_var_index(s, sv_survey_role(s, "size"));
    m->v_bb = gs_var_index(s, sv_survey_role(s, "broadband"));
    m->v_dui = gs_var_index(s, sv_survey_role(s, "client_record"));
    m->v_equip = gs_var_index(s, sv_survey_role(s, "equipment"));
    m->v_msg = gs_var_index(s, sv_survey_role(s, "secure_messaging"));
    m->v_trained = gs_var_index(s, sv_survey_role(s, "staff_trained_share"));
    m->v_budget = gs_var_index(s, sv_survey_role(s, "it_budget"));
    m->v_esms = gs_var_index(s, sv_survey_role(s, "esms_numerique"));
    m->v_id = gs_var_index(s, sv_survey_role(s, "establishment_id"));
    m->v_email = gs_var_index(s, "courriel");
    /* the list role "mat_a,mat_b,..." */
    const char *list = sv_survey_role(s, "maturity_items");
    while (list && *list && m->nitems < NITEMS_MAX &&
           m->nitems < sizeof item_loading / sizeof *item_loading) {
        const char *comma = strchr(list, ',');
        size_t len = comma ? (size_t)(comma - list) : strlen(list);
        char name[128];
        if (len >= sizeof name)
            len = sizeof name - 1;
        memcpy(name, list, len);
        name[len] = '\0';
        int vi = gs_var_index(s, name);
        if (vi >= 0)
            m->items[m->nitems++] = vi;
        list = comma ? comma + 1 : NULL;
    }

    const struct sv_frame *fr = &s->frame;
    int fr_region = -1, fr_sector = -1;
    for (size_t k = 0; k < fr->nvars; k++) {
        if (!strcmp(fr->vars[k], s->variables[m->v_region].name))
            fr_region = (int)k;
        if (!strcmp(fr->vars[k], s->variables[m->v_sector].name))
            fr_sector = (int)k;
    }
    if (fr->nrows == 0 || fr_region < 0 || fr_sector < 0) {
        sv_error_set(err, SV_EDATA, s->file, 0, 0,
                     "the sample model needs a frame by region and sector");
        goto fail;
    }
    m->strata = calloc(fr->nrows, sizeof *m->strata);
    double *w = calloc(fr->nrows, sizeof *w);
    double *cap = calloc(fr->nrows, sizeof *cap);
    long *counts = calloc(fr->nrows, sizeof *counts);
    m->order = malloc((size_t)opt->n * sizeof *m->order);
    if (!m->strata || !w || !cap || !counts || !m->order) {
        free(w);
        free(cap);
        free(counts);
        sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t h = 0; h < fr->nrows; h++) {
        struct stratum *st = &m->strata[m->nstrata];
        st->region = canon(s, m->v_region, fr->rows[h].keys[fr_region]);
        st->sector = canon(s, m->v_sector, fr->rows[h].keys[fr_sector]);
        if (!st->region || !st->sector || fr->rows[h].count <= 0)
            continue;
        st->sp = find_sector(st->sector);
        st->rp = find_region(st->region);
        st->N = fr->rows[h].count;
        w[m->nstrata] = st->N * st->sp->response_rate * st->rp->rr_factor;
        cap[m->nstrata] = st->N;
        m->nstrata++;
    }
    gs_allocate(counts, w, cap, m->nstrata, opt->n);
    long k = 0;
    for (size_t h = 0; h < m->nstrata; h++) {
        m->strata[h].n = counts[h];
        for (long i = 0; i < counts[h] && k < opt->n; i++)
            m->order[k++] = (long)h;
    }
    free(w);
    free(cap);
    free(counts);
    gsl_ran_shuffle(rng, m->order, (size_t)k, sizeof *m->order);
    return m;
fail:
    free(m->strata);
    free(m->order);
    free(m);
    return NULL;
}

static int likert(double ystar)
{
    int k = 0;
    while (k < 4 && ystar > cuts[k])
        k++;
    return k; /* 0..4 -> codes "1".."5" */
}

static void num_next(void *self, struct gs_record *r)
{
    struct num_model *m = self;
    gsl_rng *rng = m->rng;
    long i = r->id - 1;
    struct stratum *h = &m->strata[m->order[i]];
    double weight = h->N / (double)h->n;

    r->submitted = gs_submit_time(rng, m->opt.wave, i, m->opt.n);
    r->duration = 300 + (int)gsl_rng_uniform_int(rng, 1200);
    gs_uuid(rng, r->uuid);
    gs_set_code(r, m->v_region, h->region);
    gs_set_code(r, m->v_sector, h->sector);
    if (m->v_id >= 0) {
        char finess[16];
        gs_finess(rng, h->region, finess, sizeof finess);
        gs_set_text(r, m->v_id, finess);
    }
    size_t size = gs_draw(rng, h->sp->size, NSIZES);
    const char *sc = canon(m->s, m->v_size, size_codes[size]);
    if (sc)
        gs_set_code(r, m->v_size, sc);
    double fte = 0.88 * (size_lo[size] + (size_hi[size] - size_lo[size]) * gsl_rng_uniform(rng));
    double eta = size_effect[size] + h->sp->effect + gsl_ran_gaussian(rng, 1.0);

    bool it = gsl_rng_uniform(rng) < gs_logistic(IT_A + IT_B * eta);
    gs_set_yesno(r, m->v_it, it);
    m->n_it += it;
    m->n_it_size[size] += it;
    m->n_size[size]++;
    m->w_total += weight;
    m->w_it += it ? weight : 0;
    gs_set_yesno(r, m->v_bb,
                 gsl_rng_uniform(rng) < gs_logistic(BB_A + h->rp->broadband_shift + BB_B * eta));
    double e = gsl_ran_logistic(rng, 1.0);
    const char *dui = eta + e > DUI_YES ? "oui" : eta + e > DUI_ONGOING ? "en_cours" : "non";
    const char *dc = m->v_dui >= 0 ? canon(m->s, m->v_dui, dui) : NULL;
    if (dc)
        gs_set_code(r, m->v_dui, dc);
    m->n_dui_yes += !strcmp(dui, "oui");
    unsigned long bits = 0;
    for (size_t k = 0; k < sizeof equipment / sizeof *equipment; k++) {
        bool on = gsl_rng_uniform(rng) < gs_logistic(equipment[k].a + EQUIP_B * eta);
        int ci = gs_code_index(m->s, m->v_equip, equipment[k].code);
        if (on && ci >= 0 && ci < 64)
            bits |= 1UL << ci;
    }
    gs_set_multi(r, m->v_equip, bits);
    gs_set_yesno(r, m->v_msg, gsl_rng_uniform(rng) < gs_logistic(MSG_A + MSG_B * eta));
    double trained =
        100 * gs_logistic(TRAIN_A + TRAIN_B * eta + gsl_ran_gaussian(rng, TRAIN_SD));
    gs_set_num(r, m->v_trained, round(trained), 0);
    double budget =
        fte * BUDGET_PER_FTE * exp(BUDGET_B * eta + gsl_ran_gaussian(rng, BUDGET_SD));
    gs_set_num(r, m->v_budget, gs_round_to(budget, 100), 0);
    double total = 0;
    for (size_t k = 0; k < m->nitems; k++) {
        int y = likert(item_loading[k] * eta + item_offset[k] + gsl_ran_gaussian(rng, ITEM_SD));
        const char *lc = canon(m->s, m->items[k], likert_codes[y]);
        if (lc)
            gs_set_code(r, m->items[k], lc);
        m->item_sum[k] += y + 1;
        m->item_sumsq[k] += (double)(y + 1) * (y + 1);
        total += y + 1;
    }
    m->total_sum += total;
    m->total_sumsq += total * total;
    gs_set_yesno(r, m->v_esms, gsl_rng_uniform(rng) < gs_logistic(ESMS_A + ESMS_B * eta));
    if (gsl_rng_uniform(rng) < 0.5) {
        char buf[64];
        snprintf(buf, sizeof buf, "si.e%06ld@example.org", r->id);
        gs_set_text(r, m->v_email, buf);
    }

    if (!m->opt.dirty)
        return;
    double u = gsl_rng_uniform(rng);
    if (u < DIRTY_NO_SECTOR) {
        r->v[m->v_sector].kind = GS_MISSING;
        m->dirty_counts[0]++;
    } else if ((u -= DIRTY_NO_SECTOR) < DIRTY_BAD_CODE && m->v_dui >= 0) {
        gs_set_raw(r, m->v_dui, "peut-etre");
        m->dirty_counts[1]++;
    } else if ((u -= DIRTY_BAD_CODE) < DIRTY_OUT_OF_RANGE && m->v_trained >= 0) {
        gs_set_raw(r, m->v_trained, "140");
        m->dirty_counts[2]++;
    } else if ((u -= DIRTY_OUT_OF_RANGE) < DIRTY_ITEM_MISSING && m->nitems > 0) {
        r->v[m->items[gsl_rng_uniform_int(rng, m->nitems)]].kind = GS_MISSING;
        m->dirty_counts[3]++;
    }
}

/* E[logistic(a + b eta)] over z ~ N(0,1), eta = mu + z: midpoint rule on [-8, 8]. */
static double expect_logistic(double a, double b, double mu)
{
    double sum = 0, dz = 0.01;
    for (double z = -8 + dz / 2; z < 8; z += dz)
        sum += gs_logistic(a + b * (mu + z)) * exp(-z * z / 2);
    return sum * dz / sqrt(2 * 3.14159265358979323846);
}

/* Population share of P(yes) = logistic(a + b eta), weighting strata and size bands. */
static double pop_share(const struct num_model *m, double a, double b, int only_size,
                        bool broadband)
{
    double num = 0, den = 0;
    for (size_t h = 0; h < m->nstrata; h++) {
        const struct stratum *st = &m->strata[h];
        for (int k = 0; k < NSIZES; k++) {
            if (only_size >= 0 && k != only_size)
                continue;
            double w = st->N * st->sp->size[k];
            double aa = a + (broadband ? st->rp->broadband_shift : 0);
            num += w * expect_logistic(aa, b, size_effect[k] + st->sp->effect);
            den += w;
        }
    }
    return den > 0 ? num / den : NAN;
}

/* Population Cronbach's alpha of the discretised items, by a fixed Monte Carlo. */
static double alpha_truth(const struct num_model *m)
{
    size_t k = m->nitems;
    if (k < 2)
        return NAN;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!r)
        return NAN;
    gsl_rng_set(r, 12345);
    double wsize[64 * NSIZES];
    double mu[64 * NSIZES];
    size_t ncells = 0;
    /* cells: sector x size, weighted by their population */
    for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++) {
        double N = 0;
        for (size_t h = 0; h < m->nstrata; h++)
            if (!strcmp(m->strata[h].sector, sectors[i].code))
                N += m->strata[h].N;
        for (int s = 0; s < NSIZES && ncells < 64 * NSIZES; s++) {
            wsize[ncells] = N * sectors[i].size[s];
            mu[ncells] = sectors[i].effect + size_effect[s];
            ncells++;
        }
    }
    double sum[NITEMS_MAX] = {0}, sumsq[NITEMS_MAX] = {0}, ts = 0, tss = 0;
    const long draws = 200000;
    for (long d = 0; d < draws; d++) {
        size_t c = gs_draw(r, wsize, ncells);
        double eta = mu[c] + gsl_ran_gaussian(r, 1.0);
        double t = 0;
        for (size_t j = 0; j < k; j++) {
            int y = likert(item_loading[j] * eta + item_offset[j] + gsl_ran_gaussian(r, ITEM_SD)) + 1;
            sum[j] += y;
            sumsq[j] += (double)y * y;
            t += y;
        }
        ts += t;
        tss += t * t;
    }
    gsl_rng_free(r);
    double vi = 0;
    for (size_t j = 0; j < k; j++)
        vi += sumsq[j] / draws - (sum[j] / draws) * (sum[j] / draws);
    double vt = tss / draws - (ts / draws) * (ts / draws);
    return (double)k / (double)(k - 1) * (1 - vi / vt);
}

static double alpha_sample(const struct num_model *m)
{
    size_t k = m->nitems;
    double n = (double)m->opt.n;
    if (k < 2 || n < 2)
        return NAN;
    double vi = 0;
    for (size_t j = 0; j < k; j++)
        vi += m->item_sumsq[j] / n - (m->item_sum[j] / n) * (m->item_sum[j] / n);
    double vt = m->total_sumsq / n - (m->total_sum / n) * (m->total_sum / n);
    return (double)k / (double)(k - 1) * (1 - vi / vt);
}

static int num_truth(void *self, FILE *fp)
{
    struct num_model *m = self;
    struct gs_json j;
    gs_json_begin(&j, fp);
    gs_json_key(&j, "survey");
    gs_json_str(&j, "numerique");
    gs_json_key(&j, "seed");
    gs_json_int(&j, (long long)m->opt.seed);
    gs_json_key(&j, "n");
    gs_json_int(&j, m->opt.n);
    gs_json_key(&j, "dirty");
    gs_json_bool(&j, m->opt.dirty);

    gs_json_key(&j, "population");
    gs_json_object(&j);
    gs_json_key(&j, "it_function_share");
    gs_json_num(&j, pop_share(m, IT_A, IT_B, -1, false));
    gs_json_key(&j, "it_function_share_by_size");
    gs_json_object(&j);
    for (int k = 0; k < NSIZES; k++) {
        gs_json_key(&j, size_codes[k]);
        gs_json_num(&j, pop_share(m, IT_A, IT_B, k, false));
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "it_function_gap_large_minus_small");
    gs_json_num(&j, pop_share(m, IT_A, IT_B, 3, false) - pop_share(m, IT_A, IT_B, 0, false));
    gs_json_key(&j, "broadband_share");
    gs_json_num(&j, pop_share(m, BB_A, BB_B, -1, true));
    gs_json_key(&j, "secure_messaging_share");
    gs_json_num(&j, pop_share(m, MSG_A, MSG_B, -1, false));
    gs_json_key(&j, "esms_numerique_share");
    gs_json_num(&j, pop_share(m, ESMS_A, ESMS_B, -1, false));
    /* P(eta + e > c) with e logistic = E[logistic(eta - c)] */
    double yes = pop_share(m, -DUI_YES, 1.0, -1, false);
    double ongoing = pop_share(m, -DUI_ONGOING, 1.0, -1, false) - yes;
    gs_json_key(&j, "client_record");
    gs_json_object(&j);
    gs_json_key(&j, "oui");
    gs_json_num(&j, yes);
    gs_json_key(&j, "en_cours");
    gs_json_num(&j, ongoing);
    gs_json_key(&j, "non");
    gs_json_num(&j, 1 - yes - ongoing);
    gs_json_close(&j, '}');
    gs_json_key(&j, "equipment");
    gs_json_object(&j);
    for (size_t k = 0; k < sizeof equipment / sizeof *equipment; k++) {
        gs_json_key(&j, equipment[k].code);
        gs_json_num(&j, pop_share(m, equipment[k].a, EQUIP_B, -1, false));
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "cronbach_alpha");
    gs_json_num(&j, alpha_truth(m));
    gs_json_close(&j, '}');

    gs_json_key(&j, "parameters");
    gs_json_object(&j);
    gs_json_key(&j, "latent");
    gs_json_str(&j, "eta = size_effect + sector_effect + N(0,1)");
    gs_json_key(&j, "size_effect");
    gs_json_object(&j);
    for (int k = 0; k < NSIZES; k++) {
        gs_json_key(&j, size_codes[k]);
        gs_json_num(&j, size_effect[k]);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "sector_effect");
    gs_json_object(&j);
    for (size_t k = 0; k < sizeof sectors / sizeof *sectors; k++) {
        gs_json_key(&j, sectors[k].code);
        gs_json_num(&j, sectors[k].effect);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "it_function_logit");
    gs_json_array(&j);
    gs_json_num(&j, IT_A);
    gs_json_num(&j, IT_B);
    gs_json_close(&j, ']');
    gs_json_key(&j, "item_loadings");
    gs_json_array(&j);
    for (size_t k = 0; k < m->nitems; k++)
        gs_json_num(&j, item_loading[k]);
    gs_json_close(&j, ']');
    gs_json_key(&j, "item_noise_sd");
    gs_json_num(&j, ITEM_SD);
    gs_json_close(&j, '}');

    gs_json_key(&j, "sample");
    gs_json_object(&j);
    gs_json_key(&j, "respondents");
    gs_json_int(&j, m->opt.n);
    gs_json_key(&j, "it_function_share_unweighted");
    gs_json_num(&j, (double)m->n_it / (double)m->opt.n);
    gs_json_key(&j, "it_function_share_weighted");
    gs_json_num(&j, m->w_total > 0 ? m->w_it / m->w_total : NAN);
    gs_json_key(&j, "it_function_share_by_size");
    gs_json_object(&j);
    for (int k = 0; k < NSIZES; k++) {
        gs_json_key(&j, size_codes[k]);
        gs_json_num(&j, m->n_size[k] ? (double)m->n_it_size[k] / (double)m->n_size[k] : NAN);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "client_record_oui_unweighted");
    gs_json_num(&j, (double)m->n_dui_yes / (double)m->opt.n);
    gs_json_key(&j, "cronbach_alpha");
    gs_json_num(&j, alpha_sample(m));
    if (m->opt.dirty) {
        static const char *const names[] = {"missing_sector", "invalid_code", "out_of_range",
                                            "item_missing"};
        gs_json_key(&j, "dirty");
        gs_json_object(&j);
        for (int k = 0; k < 4; k++) {
            gs_json_key(&j, names[k]);
            gs_json_int(&j, m->dirty_counts[k]);
        }
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, '}');
    gs_json_end(&j);
    return ferror(fp) ? SV_EIO : 0;
}

static void num_destroy(void *self)
{
    struct num_model *m = self;
    free(m->strata);
    free(m->order);
    free(m);
}

const struct gs_model_ops gs_numerique_ops = {num_create, num_next, num_truth, num_destroy};
