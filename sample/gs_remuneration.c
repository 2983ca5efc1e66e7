/*
 * Sample model of the pay survey (unit: employee), streamed employer by
 * employer so that 10 million rows need no memory.
 *
 * Full-time gross monthly pay follows a log-linear model with the public
 * hospital grid (FPH) as reference:
 *     log w = log B[job] + agreement coefficient + SENIORITY_COEF x min(seniority, 30)
 *             + MALE_COEF x [man] + N(0, PAY_SD)
 * floored at the SMIC (the "indemnité différentielle" tops low grids up),
 * then scaled by contractual hours / 35. The Ségur supplement is reported
 * separately (not included in the gross pay). Parameters are the ground
 * truth documented in sample/README.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "gensample.h"

#define SMIC_MONTHLY 1801.80 /* gross, 35 h, since 1 Nov 2024 */
#define SENIORITY_COEF 0.012
#define SENIORITY_CAP 30.0
#define MALE_COEF 0.05
#define PAY_SD 0.06
#define PART_TIME_F 0.28
#define PART_TIME_H 0.12

struct job_param {
    const char *code;
    double base;        /* FPH full-time entry pay, gross monthly EUR (before Ségur) */
    double women_share; /* domain notes 1.8 */
    const char *csp;    /* Egapro category */
    bool care;          /* a care or socio-educational job (first in line for the Ségur) */
};
static const struct job_param jobs[] = {
    {"as", 1850.0, 0.90, "emp", true},   {"ide", 2150.0, 0.87, "tam", true},
    {"es", 2000.0, 0.73, "tam", true},   {"aes", 1810.0, 0.84, "emp", true},
    {"me", 1830.0, 0.71, "tam", true},   {"ash", 1805.0, 0.88, "emp", false},
    {"tech", 1820.0, 0.15, "ouv", false}, {"adm", 1850.0, 0.82, "emp", false},
    {"cadre", 3000.0, 0.72, "ic", false},
};
#define NJOBS (sizeof jobs / sizeof *jobs)

/* Employer kinds: sector, agreement, share of employers, log-pay coefficient, job mix. */
struct employer_kind {
    const char *sector;
    const char *agreement;
    double share;
    double coef;
    double mix[NJOBS];
    double segur_care, segur_other; /* P(Ségur supplement paid) */
    double segur_amount;            /* gross EUR/month for 35 h */
};
static const struct employer_kind kinds[] = {
    {"public", "fph", 0.30, 0.00,
     {0.34, 0.22, 0.02, 0.04, 0.01, 0.16, 0.06, 0.10, 0.05}, 0.97, 0.95, 241.0},
    {"prive_non_lucratif", "ccn51", 0.225, -0.03,
     {0.30, 0.18, 0.05, 0.08, 0.02, 0.14, 0.06, 0.11, 0.06}, 0.93, 0.45, 238.0},
    {"prive_non_lucratif", "ccn66", 0.225, -0.05,
     {0.06, 0.04, 0.25, 0.18, 0.14, 0.08, 0.07, 0.11, 0.07}, 0.93, 0.45, 238.0},
    {"prive_non_lucratif", "autre", 0.05, -0.06,
     {0.20, 0.10, 0.12, 0.15, 0.06, 0.12, 0.07, 0.12, 0.06}, 0.90, 0.40, 238.0},
    {"prive_lucratif", "autre", 0.20, -0.08,
     {0.32, 0.16, 0.01, 0.08, 0.00, 0.20, 0.06, 0.11, 0.06}, 0.90, 0.50, 206.0},
};
#define NKINDS (sizeof kinds / sizeof *kinds)
#define EMPLOYER_MEAN_SIZE 30.0 /* employees per employer in the sample (geometric) */

/* Regions weighted like the members' frame. */
static const char *const region_codes[] = {"11", "24", "27", "28", "32", "44", "52", "53", "75",
                                           "76", "84", "93", "94", "01", "02", "03", "04", "06"};
static const double region_w[] = {15.5, 4.2, 4.6, 5.0, 9.0, 8.6, 6.0, 5.3, 9.6,
                                  9.2,  12.0, 7.3, 0.5, 0.6, 0.5, 0.3, 1.2, 0.2};
#define NREGIONS (sizeof region_codes / sizeof *region_codes)

static const double part_hours[] = {17.5, 24.0, 28.0, 31.5};
static const double part_hours_p[] = {0.3, 0.2, 0.3, 0.2};

#define DIRTY_NO_HOURS 0.01
#define DIRTY_BAD_PAY 0.005
#define DIRTY_BAD_SEX 0.005
#define DIRTY_NOT_NUMBER 0.005
#define DIRTY_SEGUR_AMOUNT_MISSING 0.02

struct rem_model {
    const struct sv_survey *s;
    struct gs_options opt;
    gsl_rng *rng;
    int v_region, v_sector, v_agreement, v_job, v_sex, v_age, v_seniority, v_hours, v_pay,
        v_segur, v_segur_amount, v_employer, v_csp;
    /* current employer */
    const struct employer_kind *kind;
    const char *region;
    char employer[16];
    long left;
    long employers;
    /* realised (true values, before --dirty) */
    double sum_ft[2], n_sex[2];            /* full-time-equivalent pay by sex (0 f, 1 h) */
    double sum_ft_kind[NKINDS], n_kind[NKINDS];
    double sum_ft_job_sex[NJOBS][2], n_job_sex[NJOBS][2];
    long n_part_time, n_segur, n_floor;
    long dirty_counts[5];
};

static const char *canon(const struct sv_survey *s, int vi, const char *code)
{
    int c = gs_code_index(s, vi, code);
    return c >= 0 ? s->variables[vi].codes[c].code : NULL;
}

static void *rem_create(const struct sv_survey *s, const struct gs_options *opt, gsl_rng *rng,
                        struct sv_error *err)
{
    struct rem_model *m = calloc(1, sizeof *m);
    if (!m) {
        sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    m->s = s;
    m->opt = *opt;
    m->rng = rng;
    if ((m->v_sector = gs_role_index(s, "employer_sector", err)) < 0 ||
        (m->v_agreement = gs_role_index(s, "agreement", err)) < 0 ||
        (m->v_job = gs_role_index(s, "job", err)) < 0 ||
        (m->v_sex = gs_role_index(s, "sex", err)) < 0 ||
        (m->v_hours = gs_role_index(s, "hours", err)) < 0 ||
        (m->v_pay = gs_role_index(s, "gross_monthly_pay", err)) < 0) {
        free(m);
        return NULL;
    }
    m->v_region = gs_var_index(s, sv_survey_role(s, "region"));
    m->v_age = gs_var_index(s, sv_survey_role(s, "age_band"));
    m->v_seniority = gs_var_index(s, sv_survey_role(s, "seniority"));
    m->v_segur = gs_var_index(s, sv_survey_role(s, "segur"));
    m->v_segur_amount = gs_var_index(s, sv_survey_role(s, "segur_amount"));
    m->v_employer = gs_var_index(s, sv_survey_role(s, "employer_id"));
    m->v_csp = gs_var_index(s, sv_survey_role(s, "csp"));
    return m;
}

static void new_employer(struct rem_model *m)
{
    double w[NKINDS];
    for (size_t k = 0; k < NKINDS; k++)
        w[k] = kinds[k].share;
    m->kind = &kinds[gs_draw(m->rng, w, NKINDS)];
    m->region = region_codes[gs_draw(m->rng, region_w, NREGIONS)];
    gs_finess(m->rng, m->region, m->employer, sizeof m->employer);
    m->left = (long)gsl_ran_geometric(m->rng, 1.0 / EMPLOYER_MEAN_SIZE);
    m->employers++;
}

static const char *age_band(double age)
{
    return age < 30 ? "moins30" : age < 40 ? "30a39" : age < 50 ? "40a49" : "50plus";
}

static void rem_next(void *self, struct gs_record *r)
{
    struct rem_model *m = self;
    gsl_rng *rng = m->rng;
    if (m->left <= 0)
        new_employer(m);
    m->left--;
    const struct employer_kind *k = m->kind;
    size_t ki = (size_t)(k - kinds);

    r->submitted = gs_submit_time(rng, m->opt.wave, r->id - 1, m->opt.n);
    r->duration = 60;
    gs_uuid(rng, r->uuid);

    gs_set_text(r, m->v_employer, m->employer);
    const char *region = m->v_region >= 0 ? canon(m->s, m->v_region, m->region) : NULL;
    if (region)
        gs_set_code(r, m->v_region, region);
    const char *c;
    if ((c = canon(m->s, m->v_sector, k->sector)))
        gs_set_code(r, m->v_sector, c);
    if ((c = canon(m->s, m->v_agreement, k->agreement)))
        gs_set_code(r, m->v_agreement, c);
    size_t j = gs_draw(rng, k->mix, NJOBS);
    const struct job_param *job = &jobs[j];
    if ((c = canon(m->s, m->v_job, job->code)))
        gs_set_code(r, m->v_job, c);
    if (m->v_csp >= 0 && (c = canon(m->s, m->v_csp, job->csp)))
        gs_set_code(r, m->v_csp, c);
    bool woman = gsl_rng_uniform(rng) < job->women_share;
    if ((c = canon(m->s, m->v_sex, woman ? "f" : "h")))
        gs_set_code(r, m->v_sex, c);
    double seniority = floor(gsl_ran_gamma(rng, 1.6, 7.0));
    if (seniority > 42)
        seniority = 42;
    double age = 20 + seniority + gsl_ran_gamma(rng, 2.0, 4.0);
    if (age > 66)
        age = 66;
    gs_set_num(r, m->v_seniority, seniority, 0);
    if (m->v_age >= 0 && (c = canon(m->s, m->v_age, age_band(age))))
        gs_set_code(r, m->v_age, c);
    double hours = 35;
    if (gsl_rng_uniform(rng) < (woman ? PART_TIME_F : PART_TIME_H)) {
        hours = part_hours[gs_draw(rng, part_hours_p, 4)];
        m->n_part_time++;
    }
    gs_set_num(r, m->v_hours, hours, 1);

    double logw = log(job->base) + k->coef +
                  SENIORITY_COEF * (seniority < SENIORITY_CAP ? seniority : SENIORITY_CAP) +
                  (woman ? 0 : MALE_COEF) + gsl_ran_gaussian(rng, PAY_SD);
    double ft = exp(logw);
    if (ft < SMIC_MONTHLY) {
        ft = SMIC_MONTHLY;
        m->n_floor++;
    }
    double pay = gs_round_to(ft * hours / 35.0, 0.01);
    gs_set_num(r, m->v_pay, pay, 2);

    bool segur = gsl_rng_uniform(rng) < (job->care ? k->segur_care : k->segur_other);
    gs_set_yesno(r, m->v_segur, segur);
    if (segur) {
        gs_set_num(r, m->v_segur_amount, gs_round_to(k->segur_amount * hours / 35.0, 0.01), 2);
        m->n_segur++;
    }

    int sx = woman ? 0 : 1;
    m->sum_ft[sx] += ft;
    m->n_sex[sx]++;
    m->sum_ft_kind[ki] += ft;
    m->n_kind[ki]++;
    m->sum_ft_job_sex[j][sx] += ft;
    m->n_job_sex[j][sx]++;

    if (!m->opt.dirty)
        return;
    double u = gsl_rng_uniform(rng);
    if (u < DIRTY_NO_HOURS) {
        r->v[m->v_hours].kind = GS_MISSING;
        m->dirty_counts[0]++;
    } else if ((u -= DIRTY_NO_HOURS) < DIRTY_BAD_PAY) {
        gs_set_raw(r, m->v_pay, gsl_rng_uniform(rng) < 0.5 ? "0" : "250000");
        m->dirty_counts[1]++;
    } else if ((u -= DIRTY_BAD_PAY) < DIRTY_BAD_SEX) {
        gs_set_raw(r, m->v_sex, "x");
        m->dirty_counts[2]++;
    } else if ((u -= DIRTY_BAD_SEX) < DIRTY_NOT_NUMBER && m->v_seniority >= 0) {
        gs_set_raw(r, m->v_seniority, "dix ans");
        m->dirty_counts[3]++;
    } else if ((u -= DIRTY_NOT_NUMBER) < DIRTY_SEGUR_AMOUNT_MISSING && segur &&
               m->v_segur_amount >= 0) {
        r->v[m->v_segur_amount].kind = GS_MISSING;
        m->dirty_counts[4]++;
    }
}

static int rem_truth(void *self, FILE *fp)
{
    struct rem_model *m = self;
    struct gs_json j;
    gs_json_begin(&j, fp);
    gs_json_key(&j, "survey");
    gs_json_str(&j, "remuneration");
    gs_json_key(&j, "seed");
    gs_json_int(&j, (long long)m->opt.seed);
    gs_json_key(&j, "n");
    gs_json_int(&j, m->opt.n);
    gs_json_key(&j, "dirty");
    gs_json_bool(&j, m->opt.dirty);

    gs_json_key(&j, "parameters");
    gs_json_object(&j);
    gs_json_key(&j, "model");
    gs_json_str(&j, "log(full-time gross monthly pay) = log(base[job]) + agreement_coef + "
                    "seniority_coef * min(seniority, 30) + male_coef * [sex = h] + N(0, sd); "
                    "floored at the SMIC; pay = full-time pay * hours / 35; Ségur supplement "
                    "not included");
    gs_json_key(&j, "smic_monthly");
    gs_json_num(&j, SMIC_MONTHLY);
    gs_json_key(&j, "seniority_coef");
    gs_json_num(&j, SENIORITY_COEF);
    gs_json_key(&j, "seniority_cap");
    gs_json_num(&j, SENIORITY_CAP);
    gs_json_key(&j, "male_coef");
    gs_json_num(&j, MALE_COEF);
    gs_json_key(&j, "adjusted_gender_gap");
    gs_json_num(&j, 1 - exp(-MALE_COEF));
    gs_json_key(&j, "residual_sd");
    gs_json_num(&j, PAY_SD);
    gs_json_key(&j, "part_time_share");
    gs_json_object(&j);
    gs_json_key(&j, "f");
    gs_json_num(&j, PART_TIME_F);
    gs_json_key(&j, "h");
    gs_json_num(&j, PART_TIME_H);
    gs_json_close(&j, '}');
    gs_json_key(&j, "jobs");
    gs_json_object(&j);
    for (size_t i = 0; i < NJOBS; i++) {
        gs_json_key(&j, jobs[i].code);
        gs_json_object(&j);
        gs_json_key(&j, "base_fph");
        gs_json_num(&j, jobs[i].base);
        gs_json_key(&j, "women_share");
        gs_json_num(&j, jobs[i].women_share);
        gs_json_key(&j, "csp");
        gs_json_str(&j, jobs[i].csp);
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "employers");
    gs_json_array(&j);
    for (size_t i = 0; i < NKINDS; i++) {
        gs_json_object(&j);
        gs_json_key(&j, "sector");
        gs_json_str(&j, kinds[i].sector);
        gs_json_key(&j, "agreement");
        gs_json_str(&j, kinds[i].agreement);
        gs_json_key(&j, "share");
        gs_json_num(&j, kinds[i].share);
        gs_json_key(&j, "log_pay_coef");
        gs_json_num(&j, kinds[i].coef);
        gs_json_key(&j, "segur_probability_care");
        gs_json_num(&j, kinds[i].segur_care);
        gs_json_key(&j, "segur_probability_other");
        gs_json_num(&j, kinds[i].segur_other);
        gs_json_key(&j, "segur_amount_full_time");
        gs_json_num(&j, kinds[i].segur_amount);
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, ']');
    gs_json_close(&j, '}');

    gs_json_key(&j, "sample");
    gs_json_object(&j);
    gs_json_key(&j, "employees");
    gs_json_int(&j, m->opt.n);
    gs_json_key(&j, "employers");
    gs_json_int(&j, m->employers);
    gs_json_key(&j, "mean_full_time_pay");
    gs_json_object(&j);
    gs_json_key(&j, "f");
    gs_json_num(&j, m->n_sex[0] ? m->sum_ft[0] / m->n_sex[0] : NAN);
    gs_json_key(&j, "h");
    gs_json_num(&j, m->n_sex[1] ? m->sum_ft[1] / m->n_sex[1] : NAN);
    gs_json_close(&j, '}');
    gs_json_key(&j, "raw_gender_gap_full_time");
    gs_json_num(&j, m->n_sex[0] && m->n_sex[1]
                        ? 1 - (m->sum_ft[0] / m->n_sex[0]) / (m->sum_ft[1] / m->n_sex[1])
                        : NAN);
    gs_json_key(&j, "women_share");
    gs_json_num(&j, m->n_sex[0] / (double)m->opt.n);
    gs_json_key(&j, "mean_full_time_pay_by_employer");
    gs_json_array(&j);
    for (size_t i = 0; i < NKINDS; i++) {
        gs_json_object(&j);
        gs_json_key(&j, "sector");
        gs_json_str(&j, kinds[i].sector);
        gs_json_key(&j, "agreement");
        gs_json_str(&j, kinds[i].agreement);
        gs_json_key(&j, "employees");
        gs_json_num(&j, m->n_kind[i]);
        gs_json_key(&j, "mean");
        gs_json_num(&j, m->n_kind[i] ? m->sum_ft_kind[i] / m->n_kind[i] : NAN);
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, ']');
    gs_json_key(&j, "gender_gap_full_time_by_job");
    gs_json_object(&j);
    for (size_t i = 0; i < NJOBS; i++) {
        gs_json_key(&j, jobs[i].code);
        double f = m->n_job_sex[i][0], h = m->n_job_sex[i][1];
        gs_json_num(&j, f && h ? 1 - (m->sum_ft_job_sex[i][0] / f) / (m->sum_ft_job_sex[i][1] / h)
                               : NAN);
    }
    gs_json_close(&j, '}');
    gs_json_key(&j, "part_time_share");
    gs_json_num(&j, (double)m->n_part_time / (double)m->opt.n);
    gs_json_key(&j, "segur_share");
    gs_json_num(&j, (double)m->n_segur / (double)m->opt.n);
    gs_json_key(&j, "at_smic_floor_share");
    gs_json_num(&j, (double)m->n_floor / (double)m->opt.n);
    if (m->opt.dirty) {
        static const char *const names[] = {"missing_hours", "pay_out_of_range", "invalid_sex",
                                            "seniority_not_a_number", "segur_amount_missing"};
        gs_json_key(&j, "dirty");
        gs_json_object(&j);
        for (int k = 0; k < 5; k++) {
            gs_json_key(&j, names[k]);
            gs_json_int(&j, m->dirty_counts[k]);
        }
        gs_json_close(&j, '}');
    }
    gs_json_close(&j, '}');
    gs_json_end(&j);
    return ferror(fp) ? SV_EIO : 0;
}

static void rem_destroy(void *self)
{
    free(self);
}

const struct gs_model_ops gs_remuneration_ops = {rem_create, rem_next, rem_truth, rem_destroy};
