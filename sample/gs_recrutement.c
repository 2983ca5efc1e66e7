/*
 * Sample model of the recruitment survey (unit: establishment). The
 * parameters below are the ground truth documented in sample/README.md.
 *
 * Respondents are allocated to the frame's region x sector strata in
 * proportion to N_h x response rate_h (unequal rates, so unweighted figures
 * are biased and weights matter). Each establishment gets a size band, a
 * type, a total FTE, budgeted FTE per job family from the type's staff mix,
 * a recruitment difficulty (probability by region and sector), vacancies
 * (zero-inflated gamma rate, higher when difficulty is reported), posts
 * vacant > 6 months, entries and exits (Poisson around the turnover rate),
 * "faisant fonction" staff, causes, consequences and agency staff.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "gensample.h"

/* ------------------------------------------------------------------ parameters */

struct region_param {
    const char *code;
    double rr_factor;  /* response-rate multiplier */
    double vac_mult;   /* vacancy-rate multiplier */
    double difficulty; /* share reporting recruitment difficulty (before the sector shift) */
};
static const struct region_param regions[] = {
    {"11", 0.75, 1.30, 0.84}, {"24", 1.00, 1.15, 0.80}, {"27", 1.00, 1.05, 0.76},
    {"28", 1.00, 1.05, 0.78}, {"32", 0.95, 0.95, 0.72}, {"44", 1.00, 1.00, 0.74},
    {"52", 1.25, 0.85, 0.70}, {"53", 1.35, 0.80, 0.66}, {"75", 1.05, 0.95, 0.75},
    {"76", 1.00, 0.90, 0.71}, {"84", 1.10, 1.10, 0.79}, {"93", 0.85, 1.15, 0.77},
    {"94", 0.90, 0.90, 0.62}, {"01", 0.80, 0.80, 0.64}, {"02", 0.80, 0.80, 0.63},
    {"03", 0.70, 1.20, 0.82}, {"04", 0.85, 0.70, 0.60}, {"06", 0.70, 1.30, 0.85},
};
static const struct region_param region_default = {"", 1.0, 1.0, 0.75};

#define NSIZES 4
#define NTYPES_MAX 4
struct sector_param {
    const char *code;
    double response_rate;
    double difficulty_shift; /* added on the logit scale */
    double vac_mult;
    double size[NSIZES]; /* P(size band t1..t4) */
    const char *types[NTYPES_MAX];
    double type_p[NTYPES_MAX];
};
static const struct sector_param sectors[] = {
    {"pa", 0.14, 0.3, 1.10, {0.15, 0.30, 0.35, 0.20}, {"ehpad", "ssiad", "saad", NULL}, {0.65, 0.20, 0.15, 0}},
    {"ph", 0.11, 0.0, 0.95, {0.20, 0.35, 0.30, 0.15}, {"mas", "ime", "esat", "samsah"}, {0.30, 0.30, 0.25, 0.15}},
    {"pe", 0.08, 0.1, 1.05, {0.25, 0.35, 0.25, 0.15}, {"mecs", "aemo", NULL, NULL}, {0.70, 0.30, 0, 0}},
    {"ahi", 0.07, -0.3, 0.90, {0.35, 0.35, 0.20, 0.10}, {"chrs", "cada", NULL, NULL}, {0.65, 0.35, 0, 0}},
    {"cds", 0.09, -0.4, 0.80, {0.55, 0.30, 0.12, 0.03}, {"cds", NULL, NULL, NULL}, {1.0, 0, 0, 0}},
};
/* Earlier waves: the same model with a lower difficulty (logit shift, every stratum) and
   lower vacancy rates (multiplier), so the indicators rise towards 2026. The 2026 entry
   (0, 1) leaves every draw exactly as it was. */
struct wave_param {
    int wave;
    double difficulty_shift; /* added on the logit scale */
    double vac_mult;
};
static const struct wave_param waves[] = {
    {2024, -0.45, 0.80},
    {2025, -0.20, 0.90},
    {2026, 0.0, 1.0},
};

static const struct sector_param sector_default = {
    "", 0.10, 0.0, 1.0, {0.25, 0.35, 0.25, 0.15}, {"autre", NULL, NULL, NULL}, {1.0, 0, 0, 0}};

static const char *const size_codes[NSIZES] = {"t1", "t2", "t3", "t4"};
/* Headcount bands; FTE = 0.88 x headcount. */
static const double size_lo[NSIZES] = {5, 20, 50, 100};
static const double size_hi[NSIZES] = {20, 50, 100, 250};
#define FTE_PER_HEAD 0.88

/* Share of total FTE in each family, by establishment type. */
struct type_mix {
    const char *type;
    double as, ide, es, aes;
};
static const struct type_mix mixes[] = {
    {"ehpad", 0.34, 0.09, 0.00, 0.06}, {"ssiad", 0.70, 0.12, 0.00, 0.00},
    {"saad", 0.04, 0.00, 0.00, 0.35},  {"mas", 0.25, 0.06, 0.05, 0.25},
    {"ime", 0.00, 0.02, 0.20, 0.10},   {"esat", 0.00, 0.00, 0.08, 0.02},
    {"samsah", 0.05, 0.05, 0.25, 0.15}, {"mecs", 0.00, 0.00, 0.35, 0.05},
    {"aemo", 0.00, 0.00, 0.45, 0.00},  {"chrs", 0.00, 0.00, 0.20, 0.08},
    {"cada", 0.00, 0.00, 0.10, 0.03},  {"cds", 0.05, 0.25, 0.00, 0.00},
    {"autre", 0.10, 0.05, 0.10, 0.10},
};
#define BUDGET_SIGMA 0.25

/* Per family: national base vacancy rate, turnover multiplier, faisant fonction allowed. */
struct family_param {
    const char *code;
    double vacancy;
    double turnover_mult;
    bool ff_allowed;
};
static const struct family_param families[] = {
    {"as", 0.047, 1.10, true},
    {"ide", 0.052, 1.15, false}, /* a nurse's post cannot be held by an unqualified person */
    {"es", 0.042, 0.85, true},
    {"aes", 0.038, 0.95, true},
};
static const struct family_param family_default = {"", 0.045, 1.0, true};

#define VAC_NODIFF_FACTOR 0.30 /* mean vacancy without difficulty = 0.30 x mu */
#define VAC_ZERO_DIFF 0.30     /* P(no vacancy in a family | difficulty) */
#define VAC_ZERO_NODIFF 0.75   /* P(no vacancy in a family | no difficulty) */
#define VAC_GAMMA_SHAPE 1.5
#define VAC6M_P 0.35    /* a vacant post has been vacant for more than 6 months */
#define EXIT_RATE 0.20  /* exits per budgeted FTE and year (x family multiplier) */
#define ENTRY_RATE 0.19 /* entries per budgeted FTE and year (x family multiplier) */
#define FF_DIFF 0.62    /* P(uses faisant fonction | difficulty) */
#define FF_NODIFF 0.25
#define FF_SHARE_LO 0.03 /* faisant fonction FTE / budgeted FTE ~ U(lo, hi) */
#define FF_SHARE_HI 0.15
#define AGENCY_NODIFF 0.20 /* P(agency staff | no difficulty) */
#define AGENCY_DIFF_NOINT 0.15 /* P(agency staff | difficulty, 'int' consequence not ticked) */
#define AGENCY_COST_PER_FTE 900.0 /* EUR per total FTE and year (mean) */
#define AGENCY_COST_SIGMA 0.8

struct choice_param {
    const char *code;
    double p;
};
static const struct choice_param causes[] = {
    {"sal", 0.72}, {"cdt", 0.58}, {"pen", 0.66}, {"img", 0.41},
    {"loc", 0.27}, {"hor", 0.38}, {"log", 0.12}, {"conc", 0.30},
};
#define CAUSE_FALLBACK "pen" /* ticked when the draw left every box empty */
static const struct choice_param consequences[] = {
    {"ff", 0.55}, {"hs", 0.70}, {"int", 0.45}, {"qual", 0.48},
    {"adm", 0.22}, {"fer", 0.10}, {"epu", 0.52},
};
#define CONSEQ_FALLBACK "hs"

#define COMMENT_P 0.10
#define CONTACT_P 0.60

static const char *const comments[] = {
    "Postes d'IDE vacants depuis plus de 6 mois.",
    "Difficultés surtout la nuit et le week-end.",
    "Nous recrutons des « faisant fonction » faute de candidats diplômés.",
    "Concurrence de l'hôpital voisin sur les salaires ; turn-over élevé.",
    "Intérim très coûteux : 2 agences/mois, délais de 48 h.",
    "Aucun candidat pour le poste d'éducateur spécialisé, annonce publiée 3 fois.",
    "Remplacements d'été : \"impossible\" sans intérim.\nSituation tendue depuis 2022.",
};

/* --dirty: probabilities per response */
#define DIRTY_INCOMPLETE 0.03
#define DIRTY_NO_SECTOR 0.01
#define DIRTY_BAD_REGION 0.01
#define DIRTY_OUT_OF_RANGE 0.015
#define DIRTY_NOT_NUMBER 0.01
#define DIRTY_ITEM_MISSING 0.04

/* ------------------------------------------------------------------ model state */

struct fam {
    const struct family_param *p;
    const char *code;
    int bud, vac, vac6m, entries, exits, ff;
    /* realised sums (true values, before --dirty) */
    double sum_bud, sum_vac, sum_exits, sum_entries, sum_ff;
    double wsum_bud, wsum_vac, wsum_exits;
};

struct stratum {
    const char *region;   /* canonical codes, borrowed from the definition */
    const char *sector;
    const struct region_param *rp;
    const struct sector_param *sp;
    const struct wave_param *wp;
    double N;
    long n;
    double p_diff;
};

struct rec_model {
    const struct sv_survey *s;
    struct gs_options opt;
    gsl_rng *rng;
    const struct wave_param *wp;
    int v_region, v_dep, v_sector, v_size, v_type, v_diff, v_causes, v_conseq, v_agency,
        v_agency_cost, v_id, v_comment, v_name, v_email;
    struct fam *fams;
    size_t nfams;
    struct stratum *strata;
    size_t nstrata;
    long *order; /* stratum of each response, shuffled */
    /* départements per region: indices into the departement variable's codes */
    const struct sv_variable *dep_var;
    /* realised */
    long n_diff, n_ff, n_agency;
    double w_total, w_diff;
    long n_cause[16], n_conseq[16];
    long dirty_counts[6];
};

static const struct region_param *find_region(const char *code)
{
    for (size_t i = 0; i < sizeof regions / sizeof *regions; i++)
        if (strcmp(regions[i].code, code) == 0)
            return &regions[i];
    return &region_default;
}

static const struct sector_param *find_sector(const char *code)
{
    for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++)
        if (strcmp(sectors[i].code, code) == 0)
            return &sectors[i];
    return &sector_default;
}

static const struct family_param *find_family(const char *code)
{
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (strcmp(families[i].code, code) == 0)
            return &families[i];
    return &family_default;
}

static double mix_share(const char *type, const char *family)
{
    for (size_t i = 0; i < sizeof mixes / sizeof *mixes; i++) {
        if (strcmp(mixes[i].type, type) != 0)
            continue;
        if (!strcmp(family, "as"))
            return mixes[i].as;
        if (!strcmp(family, "ide"))
            return mixes[i].ide;
        if (!strcmp(family, "es"))
            return mixes[i].es;
        if (!strcmp(family, "aes"))
            return mixes[i].aes;
        return 0.05;
    }
    return 0.05;
}

/* E[budgeted FTE of `family` | sector]. */
static double expected_budget(const struct sector_param *sp, const char *family)
{
    double et = 0;
    for (int k = 0; k < NSIZES; k++)
        et += sp->size[k] * FTE_PER_HEAD * (size_lo[k] + size_hi[k]) / 2;
    double share = 0;
    for (int t = 0; t < NTYPES_MAX && sp->types[t]; t++)
        share += sp->type_p[t] * mix_share(sp->types[t], family);
    return et * share;
}

static double vacancy_mu(const struct stratum *h, const struct family_param *f)
{
    return f->vacancy * h->rp->vac_mult * h->sp->vac_mult * h->wp->vac_mult;
}

/* Canonical code pointer of `code` in variable vi (or the literal when absent). */
static const char *canon(const struct sv_survey *s, int vi, const char *code)
{
    int c = gs_code_index(s, vi, code);
    return c >= 0 ? s->variables[vi].codes[c].code : NULL;
}

static void *rec_create(const struct sv_survey *s, const struct gs_options *opt, gsl_rng *rng,
                        struct sv_error *err)
{
    struct rec_model *m = calloc(1, sizeof *m);
    if (!m) {
        sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    m->s = s;
    m->opt = *opt;
    m->rng = rng;
    for (size_t i = 0; i < sizeof waves / sizeof *waves; i++)
        if (waves[i].wave == opt->wave)
            m->wp = &waves[i];
    if (!m->wp) {
        sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                     "--wave %d: the recrutement model has the waves 2024, 2025 and 2026",
                     opt->wave);
        free(m);
        return NULL;
    }
    if ((m->v_region = gs_role_index(s, "region", err)) < 0 ||
        (m->v_sector = gs_role_index(s, "sector", err)) < 0 ||
        (m->v_diff = gs_role_index(s, "difficulty", err)) < 0)
        goto fail;
    m->v_dep = gs_var_index(s, sv_survey_role(s, "departement"));
    m->v_size = gs_var_index(s, sv_survey_role(s, "size"));
    m->v_type = gs_var_index(s, sv_survey_role(s, "establishment_type"));
    m->v_causes = gs_var_index(s, sv_survey_role(s, "causes"));
    m->v_conseq = gs_var_index(s, sv_survey_role(s, "consequences"));
    m->v_agency = gs_var_index(s, sv_survey_role(s, "temp_agency"));
    m->v_agency_cost = gs_var_index(s, sv_survey_role(s, "temp_agency_cost"));
    m->v_id = gs_var_index(s, sv_survey_role(s, "establishment_id"));
    m->v_comment = gs_var_index(s, "commentaire");
    m->v_name = gs_var_index(s, "repondant");
    m->v_email = gs_var_index(s, "courriel");
    m->dep_var = m->v_dep >= 0 ? &s->variables[m->v_dep] : NULL;

    m->nfams = s->nfamilies;
    m->fams = calloc(m->nfams ? m->nfams : 1, sizeof *m->fams);
    if (!m->fams) {
        sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t f = 0; f < m->nfams; f++) {
        const struct sv_family *fam = &s->families[f];
        struct fam *x = &m->fams[f];
        x->code = fam->code;
        x->p = find_family(fam->code);
        if ((x->bud = gs_family_role_index(s, fam, "budgeted_fte", err)) < 0 ||
            (x->vac = gs_family_role_index(s, fam, "vacant_fte", err)) < 0)
            goto fail;
        x->vac6m = gs_var_index(s, sv_family_role(fam, "vacant_6m"));
        x->entries = gs_var_index(s, sv_family_role(fam, "entries"));
        x->exits = gs_var_index(s, sv_family_role(fam, "exits"));
        x->ff = gs_var_index(s, sv_family_role(fam, "faisant_fonction_fte"));
    }

    /* Strata from the frame: the columns of the region and sector variables. */
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
        st->rp = find_region(st->region);
        st->sp = find_sector(st->sector);
        st->N = fr->rows[h].count;
        st->wp = m->wp;
        st->p_diff = gs_logistic(gs_logit(st->rp->difficulty) + st->sp->difficulty_shift +
                                 m->wp->difficulty_shift);
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
    free(m->fams);
    free(m->strata);
    free(m->order);
    free(m);
    return NULL;
}

static void draw_departement(struct rec_model *m, const char *region, struct gs_record *r,
                             const char **dep)
{
    *dep = NULL;
    if (!m->dep_var)
        return;
    size_t count = 0;
    for (size_t i = 0; i < m->dep_var->ncodes; i++)
        if (m->dep_var->codes[i].parent && !strcmp(m->dep_var->codes[i].parent, region))
            count++;
    if (count == 0)
        return;
    size_t pick = gsl_rng_uniform_int(m->rng, count);
    for (size_t i = 0; i < m->dep_var->ncodes; i++) {
        if (m->dep_var->codes[i].parent && !strcmp(m->dep_var->codes[i].parent, region)) {
            if (pick-- == 0) {
                *dep = m->dep_var->codes[i].code;
                gs_set_code(r, m->v_dep, *dep);
                return;
            }
        }
    }
}

static unsigned long draw_choices(struct rec_model *m, int vi, const struct choice_param *c,
                                  size_t nc, const char *fallback, long *tally)
{
    unsigned long bits = 0;
    for (size_t i = 0; i < nc; i++) {
        bool on = gsl_rng_uniform(m->rng) < c[i].p;
        int ci = gs_code_index(m->s, vi, c[i].code);
        if (on && ci >= 0 && ci < 64)
            bits |= 1UL << ci;
    }
    if (!bits) {
        int ci = gs_code_index(m->s, vi, fallback);
        if (ci >= 0 && ci < 64)
            bits |= 1UL << ci;
    }
    for (int ci = 0; ci < 16; ci++)
        if (bits & (1UL << ci))
            tally[ci]++;
    return bits;
}

static void rec_next(void *self, struct gs_record *r)
{
    struct rec_model *m = self;
    gsl_rng *rng = m->rng;
    long i = r->id - 1;
    struct stratum *h = &m->strata[m->order[i]];
    double weight = h->N / (double)h->n;

    r->submitted = gs_submit_time(rng, m->opt.wave, i, m->opt.n);
    r->duration = 600 + (int)gsl_rng_uniform_int(rng, 1800);
    gs_uuid(rng, r->uuid);

    gs_set_code(r, m->v_region, h->region);
    gs_set_code(r, m->v_sector, h->sector);
    const char *dep;
    draw_departement(m, h->region, r, &dep);
    if (m->v_id >= 0) {
        char finess[16];
        gs_finess(rng, dep ? dep : h->region, finess, sizeof finess);
        gs_set_text(r, m->v_id, finess);
    }
    size_t size = gs_draw(rng, h->sp->size, NSIZES);
    gs_set_code(r, m->v_size, canon(m->s, m->v_size, size_codes[size]));
    size_t ntypes = 0;
    while (ntypes < NTYPES_MAX && h->sp->types[ntypes])
        ntypes++;
    const char *type = h->sp->types[gs_draw(rng, h->sp->type_p, ntypes)];
    const char *type_code = canon(m->s, m->v_type, type);
    if (type_code)
        gs_set_code(r, m->v_type, type_code);
    double heads = size_lo[size] + (size_hi[size] - size_lo[size]) * gsl_rng_uniform(rng);
    double total_fte = FTE_PER_HEAD * heads;

    bool diff = gsl_rng_uniform(rng) < h->p_diff;
    gs_set_yesno(r, m->v_diff, diff);
    bool use_ff = gsl_rng_uniform(rng) < (diff ? FF_DIFF : FF_NODIFF);
    bool any_ff = false;
    m->n_diff += diff;
    m->w_total += weight;
    m->w_diff += diff ? weight : 0;

    for (size_t f = 0; f < m->nfams; f++) {
        struct fam *x = &m->fams[f];
        double share = mix_share(type, x->code);
        double bud = 0;
        if (share > 0) {
            double z = gsl_ran_gaussian(rng, BUDGET_SIGMA);
            bud = gs_round_to(share * total_fte * exp(z - BUDGET_SIGMA * BUDGET_SIGMA / 2), 0.1);
        }
        double mu = vacancy_mu(h, x->p);
        double a = (1 - VAC_NODIFF_FACTOR * (1 - h->p_diff)) / h->p_diff;
        double mu_c = mu * (diff ? a : VAC_NODIFF_FACTOR);
        double zero = diff ? VAC_ZERO_DIFF : VAC_ZERO_NODIFF;
        double vac = 0;
        if (gsl_rng_uniform(rng) >= zero) {
            double rate = gsl_ran_gamma(rng, VAC_GAMMA_SHAPE, mu_c / (1 - zero) / VAC_GAMMA_SHAPE);
            vac = gs_round_to(bud * rate, 0.1);
            if (vac > bud)
                vac = bud;
        }
        unsigned int posts = (unsigned int)ceil(vac - 1e-9);
        unsigned int vac6m = posts ? gsl_ran_binomial(rng, VAC6M_P, posts) : 0;
        unsigned int exits = gsl_ran_poisson(rng, EXIT_RATE * x->p->turnover_mult * bud);
        unsigned int entries = gsl_ran_poisson(rng, ENTRY_RATE * x->p->turnover_mult * bud);
        double ff = 0;
        if (use_ff && x->p->ff_allowed && bud > 0) {
            ff = gs_round_to(bud * gsl_ran_flat(rng, FF_SHARE_LO, FF_SHARE_HI), 0.1);
            if (ff < 0.1)
                ff = 0.1;
            any_ff = true;
        }
        gs_set_num(r, x->bud, bud, 1);
        gs_set_num(r, x->vac, vac, 1);
        gs_set_num(r, x->vac6m, vac6m, 0);
        gs_set_num(r, x->exits, exits, 0);
        gs_set_num(r, x->entries, entries, 0);
        gs_set_num(r, x->ff, ff, 1);
        x->sum_bud += bud;
        x->sum_vac += vac;
        x->sum_exits += exits;
        x->sum_entries += entries;
        x->sum_ff += ff;
        x->wsum_bud += weight * bud;
        x->wsum_vac += weight * vac;
        x->wsum_exits += weight * exits;
    }
    m->n_ff += any_ff;

    bool agency;
    if (diff) {
        unsigned long cb = draw_choices(m, m->v_causes, causes, sizeof causes / sizeof *causes,
                                        CAUSE_FALLBACK, m->n_cause);
        unsigned long qb = draw_choices(m, m->v_conseq, consequences,
                                        sizeof consequences / sizeof *consequences,
                                        CONSEQ_FALLBACK, m->n_conseq);
        gs_set_multi(r, m->v_causes, cb);
        gs_set_multi(r, m->v_conseq, qb);
        int ii = gs_code_index(m->s, m->v_conseq, "int");
        bool int_ticked = ii >= 0 && (qb & (1UL << ii));
        agency = int_ticked || gsl_rng_uniform(rng) < AGENCY_DIFF_NOINT;
    } else {
        agency = gsl_rng_uniform(rng) < AGENCY_NODIFF;
    }
    gs_set_yesno(r, m->v_agency, agency);
    m->n_agency += agency;
    if (agency) {
        double z = gsl_ran_gaussian(rng, AGENCY_COST_SIGMA);
        double cost = AGENCY_COST_PER_FTE * total_fte *
                      exp(z - AGENCY_COST_SIGMA * AGENCY_COST_SIGMA / 2);
        cost = gs_round_to(cost, 100);
        gs_set_num(r, m->v_agency_cost, cost < 100 ? 100 : cost, 0);
    }

    if (gsl_rng_uniform(rng) < COMMENT_P) {
        size_t nc = sizeof comments / sizeof *comments;
        gs_set_text(r, m->v_comment, comments[gsl_rng_uniform_int(rng, nc)]);
    }
    if (gsl_rng_uniform(rng) < CONTACT_P) {
        char buf[96];
        gs_person_name(rng, buf, sizeof buf);
        gs_set_text(r, m->v_name, buf);
        snprintf(buf, sizeof buf, "contact.e%06ld@example.org", r->id);
        gs_set_text(r, m->v_email, buf);
    }

    if (!m->opt.dirty)
        return;
    /* --dirty: what real exports contain and collect must reject or accept. */
    double u = gsl_rng_uniform(rng);
    if (u < DIRTY_INCOMPLETE) {
        /* abandoned after the first page: only the establishment block */
        r->incomplete = true;
        for (size_t k = 0; k < r->nv; k++) {
            int vi = (int)k;
            if (vi != m->v_region && vi != m->v_sector && vi != m->v_dep && vi != m->v_type &&
                vi != m->v_size && vi != m->v_id)
                r->v[k].kind = GS_MISSING;
        }
        m->dirty_counts[0]++;
    } else if ((u -= DIRTY_INCOMPLETE) < DIRTY_NO_SECTOR) {
        r->v[m->v_sector].kind = GS_MISSING;
        m->dirty_counts[1]++;
    } else if ((u -= DIRTY_NO_SECTOR) < DIRTY_BAD_REGION) {
        gs_set_raw(r, m->v_region, "99");
        m->dirty_counts[2]++;
    } else if ((u -= DIRTY_BAD_REGION) < DIRTY_OUT_OF_RANGE && m->nfams > 0) {
        gs_set_raw(r, m->fams[0].vac, "-2");
        m->dirty_counts[3]++;
    } else if ((u -= DIRTY_OUT_OF_RANGE) < DIRTY_NOT_NUMBER && m->nfams > 0) {
        gs_set_raw(r, m->fams[m->nfams > 1 ? 1 : 0].bud, "beaucoup");
        m->dirty_counts[4]++;
    } else if ((u -= DIRTY_NOT_NUMBER) < DIRTY_ITEM_MISSING && m->nfams > 0) {
        /* item non-response: a family's vacancies left blank (valid) */
        r->v[m->fams[gsl_rng_uniform_int(rng, m->nfams)].vac].kind = GS_MISSING;
        m->dirty_counts[5]++;
    }
}

/* Population value of P(option ticked) with the at-least-one fallback. */
static double choice_truth(const struct choice_param *c, size_t nc, const char *code,
                           const char *fallback)
{
    double none = 1, p = 0;
    for (size_t i = 0; i < nc; i++) {
        none *= 1 - c[i].p;
        if (!strcmp(c[i].code, code))
            p = c[i].p;
    }
    return p + (strcmp(code, fallback) == 0 ? none : 0);
}

static void truth_rates(struct rec_model *m, struct gs_json *j, const char *region)
{
    /* vacancy rate per family and overall: sum N E[bud] mu / sum N E[bud] */
    double tot_num = 0, tot_den = 0;
    gs_json_object(j);
    for (size_t f = 0; f < m->nfams; f++) {
        double num = 0, den = 0;
        for (size_t h = 0; h < m->nstrata; h++) {
            const struct stratum *st = &m->strata[h];
            if (region && strcmp(st->region, region) != 0)
                continue;
            double eb = st->N * expected_budget(st->sp, m->fams[f].code);
            num += eb * vacancy_mu(st, m->fams[f].p);
            den += eb;
        }
        gs_json_key(j, m->fams[f].code);
        gs_json_num(j, den > 0 ? num / den : NAN);
        tot_num += num;
        tot_den += den;
    }
    gs_json_key(j, "all");
    gs_json_num(j, tot_den > 0 ? tot_num / tot_den : NAN);
    gs_json_close(j, '}');
}

static double difficulty_truth(const struct rec_model *m, const char *region, const char *sector)
{
    double num = 0, den = 0;
    for (size_t h = 0; h < m->nstrata; h++) {
        const struct stratum *st = &m->strata[h];
        if ((region && strcmp(st->region, region)) || (sector && strcmp(st->sector, sector)))
            continue;
        num += st->N * st->p_diff;
        den += st->N;
    }
    return den > 0 ? num / den : NAN;
}

static int rec_truth(void *self, FILE *fp)
{
    struct rec_model *m = self;
    struct gs_json j;
    gs_json_begin(&j, fp);
    gs_json_key(&j, "survey");
    gs_json_str(&j, "recrutement");
    if (m->opt.wave != GS_WAVE_DEFAULT) {
        /* Only earlier waves say so: the 2026 truth keeps its bytes. */
        gs_json_key(&j, "wave");
        gs_json_int(&j, m->opt.wave);
    }
    gs_json_key(&j, "seed");
    gs_json_int(&j, (long long)m->opt.seed);
    gs_json_key(&j, "n");
    gs_json_int(&j, m->opt.n);
    gs_json_key(&j, "dirty");
    gs_json_bool(&j, m->opt.dirty);
    gs_json_key(&j, "description");
    gs_json_str(&j, "population: expected values of the model over the frame (what a correctly "
                    "weighted estimate targets); sample: realised in the generated responses, "
                    "true values before --dirty, unweighted and weighted by N_h/n_h");

    /* ---- population */
    gs_json_key(&j, "population");
    gs_json_object(&j);
    double N = 0;
    for (size_t h = 0; h < m->nstrata; h++)
        N += m->strata[h].N;
    gs_json_key(&j, "establishments");
    gs_json_num(&j, N);
    gs_json_key(&j, "vacancy_rate");
    truth_rates(m, &j, NULL);
    gs_json_key(&j, "vacancy_rate_by_region");
    gs_json_object(&j);
    const struct sv_variable *rv = &m->s->variables[m->v_region];
    for (size_t c = 0; c < rv->ncodes; c++) {
        gs_json_key(&j, rv->codes[c].code);
        truth_rates(m, &j, rv->codes[c].code);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "difficulty_share");
    gs_json_num(&j, difficulty_truth(m, NULL, NULL));
    gs_json_key(&j, "difficulty_share_by_region");
    gs_json_object(&j);
    for (size_t c = 0; c < rv->ncodes; c++) {
        gs_json_key(&j, rv->codes[c].code);
        gs_json_num(&j, difficulty_truth(m, rv->codes[c].code, NULL));
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "difficulty_share_by_sector");
    gs_json_object(&j);
    const struct sv_variable *sv = &m->s->variables[m->v_sector];
    for (size_t c = 0; c < sv->ncodes; c++) {
        gs_json_key(&j, sv->codes[c].code);
        gs_json_num(&j, difficulty_truth(m, NULL, sv->codes[c].code));
    }
    gs_json_close(&j, '}');
    double pd = difficulty_truth(m, NULL, NULL);
    gs_json_key(&j, "faisant_fonction_share");
    gs_json_num(&j, pd * FF_DIFF + (1 - pd) * FF_NODIFF);
    double pint = choice_truth(consequences, sizeof consequences / sizeof *consequences, "int",
                               CONSEQ_FALLBACK);
    gs_json_key(&j, "temp_agency_share");
    gs_json_num(&j, pd * (pint + (1 - pint) * AGENCY_DIFF_NOINT) + (1 - pd) * AGENCY_NODIFF);
    gs_json_key(&j, "exit_rate");
    gs_json_object(&j);
    for (size_t f = 0; f < m->nfams; f++) {
        gs_json_key(&j, m->fams[f].code);
        gs_json_num(&j, EXIT_RATE * m->fams[f].p->turnover_mult);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "entry_rate");
    gs_json_object(&j);
    for (size_t f = 0; f < m->nfams; f++) {
        gs_json_key(&j, m->fams[f].code);
        gs_json_num(&j, ENTRY_RATE * m->fams[f].p->turnover_mult);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "vacant_6m_per_vacant_post");
    gs_json_num(&j, VAC6M_P);
    gs_json_key(&j, "causes_given_difficulty");
    gs_json_object(&j);
    for (size_t i = 0; i < sizeof causes / sizeof *causes; i++) {
        gs_json_key(&j, causes[i].code);
        gs_json_num(&j, choice_truth(causes, sizeof causes / sizeof *causes, causes[i].code,
                                     CAUSE_FALLBACK));
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "consequences_given_difficulty");
    gs_json_object(&j);
    for (size_t i = 0; i < sizeof consequences / sizeof *consequences; i++) {
        gs_json_key(&j, consequences[i].code);
        gs_json_num(&j, choice_truth(consequences, sizeof consequences / sizeof *consequences,
                                     consequences[i].code, CONSEQ_FALLBACK));
    }
    gs_json_close(&j, '}');
    gs_json_close(&j, '}');

    /* ---- model parameters */
    gs_json_key(&j, "parameters");
    gs_json_object(&j);
    if (m->opt.wave != GS_WAVE_DEFAULT) {
        gs_json_key(&j, "wave");
        gs_json_object(&j);
        gs_json_key(&j, "year");
        gs_json_int(&j, m->wp->wave);
        gs_json_key(&j, "difficulty_logit_shift");
        gs_json_num(&j, m->wp->difficulty_shift);
        gs_json_key(&j, "vacancy_multiplier");
        gs_json_num(&j, m->wp->vac_mult);
        gs_json_close(&j, '}');
    }
    gs_json_key(&j, "regions");
    gs_json_object(&j);
    for (size_t i = 0; i < sizeof regions / sizeof *regions; i++) {
        gs_json_key(&j, regions[i].code);
        gs_json_object(&j);
        gs_json_key(&j, "response_rate_factor");
        gs_json_num(&j, regions[i].rr_factor);
        gs_json_key(&j, "vacancy_multiplier");
        gs_json_num(&j, regions[i].vac_mult);
        gs_json_key(&j, "difficulty_base");
        gs_json_num(&j, regions[i].difficulty);
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "sectors");
    gs_json_object(&j);
    for (size_t i = 0; i < sizeof sectors / sizeof *sectors; i++) {
        gs_json_key(&j, sectors[i].code);
        gs_json_object(&j);
        gs_json_key(&j, "response_rate");
        gs_json_num(&j, sectors[i].response_rate);
        gs_json_key(&j, "difficulty_logit_shift");
        gs_json_num(&j, sectors[i].difficulty_shift);
        gs_json_key(&j, "vacancy_multiplier");
        gs_json_num(&j, sectors[i].vac_mult);
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "family_base_vacancy");
    gs_json_object(&j);
    for (size_t i = 0; i < sizeof families / sizeof *families; i++) {
        gs_json_key(&j, families[i].code);
        gs_json_num(&j, families[i].vacancy);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "vacancy_zero_share");
    gs_json_object(&j);
    gs_json_key(&j, "difficulty");
    gs_json_num(&j, VAC_ZERO_DIFF);
    gs_json_key(&j, "no_difficulty");
    gs_json_num(&j, VAC_ZERO_NODIFF);
    gs_json_close(&j, '}');
    gs_json_key(&j, "vacancy_gamma_shape");
    gs_json_num(&j, VAC_GAMMA_SHAPE);
    gs_json_key(&j, "faisant_fonction_probability");
    gs_json_object(&j);
    gs_json_key(&j, "difficulty");
    gs_json_num(&j, FF_DIFF);
    gs_json_key(&j, "no_difficulty");
    gs_json_num(&j, FF_NODIFF);
    gs_json_close(&j, '}');
    gs_json_close(&j, '}');

    /* ---- realised sample */
    gs_json_key(&j, "sample");
    gs_json_object(&j);
    gs_json_key(&j, "respondents");
    gs_json_int(&j, m->opt.n);
    gs_json_key(&j, "respondents_by_stratum");
    gs_json_array(&j);
    for (size_t h = 0; h < m->nstrata; h++) {
        if (!m->strata[h].n)
            continue;
        gs_json_object(&j);
        gs_json_key(&j, "region");
        gs_json_str(&j, m->strata[h].region);
        gs_json_key(&j, "sector");
        gs_json_str(&j, m->strata[h].sector);
        gs_json_key(&j, "N");
        gs_json_num(&j, m->strata[h].N);
        gs_json_key(&j, "n");
        gs_json_int(&j, m->strata[h].n);
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, ']');
    double sb = 0, sv_ = 0, wb = 0, wv = 0;
    gs_json_key(&j, "vacancy_rate_unweighted");
    gs_json_object(&j);
    for (size_t f = 0; f < m->nfams; f++) {
        gs_json_key(&j, m->fams[f].code);
        gs_json_num(&j, m->fams[f].sum_bud > 0 ? m->fams[f].sum_vac / m->fams[f].sum_bud : NAN);
        sb += m->fams[f].sum_bud;
        sv_ += m->fams[f].sum_vac;
        wb += m->fams[f].wsum_bud;
        wv += m->fams[f].wsum_vac;
    }
    gs_json_key(&j, "all");
    gs_json_num(&j, sb > 0 ? sv_ / sb : NAN);
    gs_json_close(&j, '}');
    gs_json_key(&j, "vacancy_rate_weighted");
    gs_json_object(&j);
    for (size_t f = 0; f < m->nfams; f++) {
        gs_json_key(&j, m->fams[f].code);
        gs_json_num(&j, m->fams[f].wsum_bud > 0 ? m->fams[f].wsum_vac / m->fams[f].wsum_bud
                                                : NAN);
    }
    gs_json_key(&j, "all");
    gs_json_num(&j, wb > 0 ? wv / wb : NAN);
    gs_json_close(&j, '}');
    gs_json_key(&j, "exit_rate_unweighted");
    gs_json_object(&j);
    for (size_t f = 0; f < m->nfams; f++) {
        gs_json_key(&j, m->fams[f].code);
        gs_json_num(&j, m->fams[f].sum_bud > 0 ? m->fams[f].sum_exits / m->fams[f].sum_bud : NAN);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "difficulty_share_unweighted");
    gs_json_num(&j, (double)m->n_diff / (double)m->opt.n);
    gs_json_key(&j, "difficulty_share_weighted");
    gs_json_num(&j, m->w_total > 0 ? m->w_diff / m->w_total : NAN);
    gs_json_key(&j, "faisant_fonction_share_unweighted");
    gs_json_num(&j, (double)m->n_ff / (double)m->opt.n);
    gs_json_key(&j, "temp_agency_share_unweighted");
    gs_json_num(&j, (double)m->n_agency / (double)m->opt.n);
    if (m->opt.dirty) {
        static const char *const names[] = {"incomplete", "missing_sector", "invalid_region",
                                            "out_of_range", "not_a_number", "item_missing"};
        gs_json_key(&j, "dirty");
        gs_json_object(&j);
        for (int k = 0; k < 6; k++) {
            gs_json_key(&j, names[k]);
            gs_json_int(&j, m->dirty_counts[k]);
        }
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, '}');
    gs_json_end(&j);
    return ferror(fp) ? SV_EIO : 0;
}

static void rec_destroy(void *self)
{
    struct rec_model *m = self;
    free(m->fams);
    free(m->strata);
    free(m->order);
    free(m);
}

const struct gs_model_ops gs_recrutement_ops = {rec_create, rec_next, rec_truth, rec_destroy};
