/*
 * pay: the statistics behind `analyse pay|gender|grid|egapro`.
 *
 * Everything here is plain C over arrays and callbacks: no survey, no files,
 * no printing, no GSL types in this header (GSL stays inside pay_ols.c), so
 * the unit tests can check each formula against R on small data.
 *
 * Conventions:
 *  - Estimates with standard errors (means, medians and their intervals,
 *    differences) come from the analyse engine (analyse_design.h); the only
 *    quantile code here is pay_quantile_sorted(), for the p10..p90 box-plot
 *    rows from an already sorted cell, with the engine's rule (Hyndman-Fan
 *    type 1, svyquantile qrule "math", quantile(x, p, type = 1)).
 *  - OLS robust covariances are the White sandwich (X'X)^-1 X' diag(w) X (X'X)^-1:
 *    HC0 w = e^2, HC1 = HC0 n/(n-p) (Stata "robust", the one `analyse gender`
 *    reports), HC3 w = e^2/(1-h)^2 (sandwich::vcovHC's default).
 */
#ifndef ANALYSE_PAY_H
#define ANALYSE_PAY_H

#include <stddef.h>
#include <stdbool.h>
#include "sv_error.h"

/* ---------------------------------------------------------------- moments */

/* One-pass mean and variance (Welford); memory O(1). */
struct pay_moments {
    long n;
    double mean;
    double m2; /* sum of squared deviations from the running mean */
};
void pay_moments_add(struct pay_moments *m, double x);

/* Two-sided Student t quantile for a `level` interval on `df` degrees of freedom. */
double pay_t_quantile(double level, double df);

/* ------------------------------------------------------------- quantiles */

/* Type 1 quantile of x[0..n-1] sorted ascending (n >= 1). */
double pay_quantile_sorted(const double *x, size_t n, double p);

/* Sort ascending (NANs must have been removed). */
void pay_sort(double *x, size_t n);

/* ---------------------------------------------------------------- OLS */

/* A sparse regressor row: the model's non-zero columns for one observation. */
#define PAY_ROW_MAX 64
struct pay_row {
    size_t nnz;
    size_t col[PAY_ROW_MAX];
    double val[PAY_ROW_MAX];
};

/*
 * Row callback: fill *y and *x for observation i and return 1, or return 0
 * to leave the observation out (e.g. another group), or a negative SV_E*.
 * Column 0 must be the intercept (value 1); columns listed as `numeric` are
 * centred internally for accuracy (the results are for the uncentred model).
 */
typedef int (*pay_row_fn)(void *ctx, size_t i, double *y, struct pay_row *x);

struct pay_ols {
    size_t p;       /* number of coefficients */
    long n;         /* observations used */
    double *beta;   /* p */
    double *cov;    /* p x p classical sigma^2 (X'WX)^-1 */
    double *hc0;    /* p x p */
    double *hc1;    /* p x p, HC0 * n/(n-p) */
    double *hc2;    /* p x p (NULL without hc3) */
    double *hc3;    /* p x p (NULL from pay_ols_fit_ex without hc3) */
    double *vdesign; /* p x p design-based (svyglm), NULL without a design */
    double design_df; /* svyglm's df.residual: degf(rows used) + 1 - p; NAN without a design */
    double rss, tss, r2, adj_r2, sigma2; /* weighted sums when weighted, as lm(weights =) */
    double ybar;
    double *xbar;   /* p: (weighted) mean of each regressor (xbar[0] = 1) */
};

/*
 * The survey design of a fit (pay_design.h gives these arrays): rows are
 * indexed as the row callback's i. w NULL = weights 1 (ordinary least
 * squares). psu NULL = no design covariance; else the covariance of svyglm:
 * (X'WX)^-1 V (X'WX)^-1 with V the stratified with-replacement variance
 * (times 1 - f_h) of the PSU totals of w e x, every PSU of the sample
 * counted (zeros for those without a row in the fit).
 */
struct pay_ols_design {
    const double *w;
    const size_t *psu;         /* per row: PSU index in [0, npsu) */
    const size_t *psu_stratum; /* per PSU */
    size_t npsu, nstrata;
    const double *n_h, *f_h;   /* per stratum: PSUs in the sample, sampling fraction */
};

/*
 * Least squares by the normal equations (Cholesky) on centred numeric
 * columns, two passes over the rows (accumulate X'X, then residuals, hat
 * values and the sandwich meat). Memory O(p^2), not O(n).
 * Returns 0, or SV_EDATA when X'X is singular (a level with no observation,
 * collinear regressors) or n <= p.
 */
int pay_ols_fit(struct pay_ols *out, size_t n, size_t p, const size_t *numeric, size_t nnumeric,
                pay_row_fn fn, void *ctx, struct sv_error *err);
/* The same; hc3 false skips the hat values and leaves out->hc3 NULL (for
 * fits whose HC3 covariance nobody reads). */
int pay_ols_fit_ex(struct pay_ols *out, size_t n, size_t p, const size_t *numeric, size_t nnumeric,
                   bool hc3, pay_row_fn fn, void *ctx, struct sv_error *err);
/* The same, weighted and with the design's covariance (des may be NULL). */
int pay_ols_fit_design(struct pay_ols *out, size_t n, size_t p, const size_t *numeric,
                       size_t nnumeric, bool hc3, const struct pay_ols_design *des, pay_row_fn fn,
                       void *ctx, struct sv_error *err);
void pay_ols_release(struct pay_ols *o);

/*
 * Oaxaca-Blinder twofold decomposition of D = ybar_A - ybar_B with
 * reference coefficients beta_ref (length p; the intercept's term cancels):
 *   explained = (xbar_A - xbar_B)' beta_ref, unexplained = D - explained.
 */
void pay_oaxaca_twofold(const double *xbar_a, const double *xbar_b, double ybar_a, double ybar_b,
                        const double *beta_ref, size_t p, double *gap, double *explained,
                        double *unexplained);

/* -------------------------------------------------------------- gaps */

/* (men - women) / men; NAN when men <= 0 or either is NAN. */
double pay_gap_relative(double men, double women);

/* --------------------------------------------------------------- SMIC */

struct pay_smic_row {
    char from[11]; /* YYYY-MM-DD, in force from */
    double hourly;
    double monthly; /* 35 h a week: hourly x 35 x 52 / 12, rounded as published */
    double hourly_mayotte;  /* NAN when unknown */
    double monthly_mayotte; /* NAN when unknown */
    char note[128];
};
struct pay_smic {
    struct pay_smic_row *rows; /* ascending by date */
    size_t nrows;
};
/* Load smic.csv (columns: from,hourly,monthly_35h,hourly_mayotte,monthly_mayotte,note). */
int pay_smic_load(struct pay_smic *s, const char *path, struct sv_error *err);
void pay_smic_release(struct pay_smic *s);
/* The row in force on `date` (YYYY-MM-DD), or NULL when the date precedes the history. */
const struct pay_smic_row *pay_smic_at(const struct pay_smic *s, const char *date);
/*
 * Comparisons with the SMIC are made in whole cents, never with `<` on
 * doubles: 1,801.80 / (35 x 52 / 12) is not exactly 11.88 in binary, and an
 * employee paid exactly the SMIC used to count as below it.
 *
 * pay_cents: euros to cents, rounded to the nearest cent (LLONG_MIN when
 * not finite). pay_smic_month_cents: the monthly SMIC for `weekly_hours`
 * (read to the hundredth of an hour) times pct / 100, from the hourly rate:
 * hourly_cents x hours x 52 / 12 x pct / 100, in integers, rounded half up
 * to the cent (35 h at 11.88: 180,180 cents, the published 1,801.80).
 * pay_below_smic: 1 when the monthly pay is strictly below that amount
 * (exactly the SMIC is not below it), 0 when not, -1 when the pay or the
 * hours are missing or not positive.
 */
long long pay_cents(double euros);
long long pay_smic_month_cents(double smic_hourly, double weekly_hours, int pct);
int pay_below_smic(double monthly, double weekly_hours, double smic_hourly, int pct);

/* Strict YYYY-MM-DD check (a real calendar date). */
bool pay_date_valid(const char *s);

/* --------------------------------------------------------------- grids */

struct pay_grid_step {
    char *code;   /* e.g. "agent_service_1" */
    char *label;  /* French label */
    double coefficient;
};
struct pay_grid_point {
    char from[11];
    double value;
    char *note;
};
struct pay_grid {
    char *id;          /* "ccn66" */
    char *title;
    char *kind;        /* "points": gross = coefficient x point x (1 + supplement) */
    double supplement; /* e.g. 0.0921 for CCN 66's sujetion speciale */
    char *supplement_label;
    double hours;      /* full-time weekly hours the grid is for (35) */
    struct pay_grid_point *points; /* ascending */
    size_t npoints;
    struct pay_grid_step *steps;
    size_t nsteps;
    char *status;      /* e.g. "partly unverified: ..." */
};
int pay_grid_load(struct pay_grid *g, const char *path, struct sv_error *err);
void pay_grid_release(struct pay_grid *g);
/* The point value in force on `date`, or NAN (and *row NULL) before the first. */
double pay_grid_point_at(const struct pay_grid *g, const char *date,
                         const struct pay_grid_point **row);
/* Gross monthly minimum of a step with `point`: coefficient x point x (1 + supplement),
 * rounded to the cent (half away from zero). */
double pay_grid_step_gross(const struct pay_grid *g, const struct pay_grid_step *st, double point);

/* ------------------------------------------------------------- Egapro */

enum pay_egapro_band { PAY_EGAPRO_50_250 = 0, PAY_EGAPRO_OVER_250 = 1 };
enum pay_egapro_grouping { PAY_EGAPRO_CSP = 0, PAY_EGAPRO_LEVEL = 1 };

#define PAY_EGAPRO_AGES 4
#define PAY_EGAPRO_CSPS 4

/* One group of indicator 1 (CSP or level x age band), aggregated. */
struct pay_egapro_group1 {
    char key[64];        /* "ouv;lt30" */
    long n_f, n_h;
    double pay_f, pay_h; /* mean annual gross FTE pay */
    bool valid;          /* >= 3 women and >= 3 men */
    double gap;          /* (h - f)/h, 6 dp; NAN if not valid */
    double gap_adj;      /* after the pertinence threshold, 6 dp */
    double weighted;     /* gap_adj x headcount / valid headcount, 6 dp */
};

/* A CSP group of indicators 2 and 3 (>250), aggregated. */
struct pay_egapro_group23 {
    char key[16];
    long n_f, n_h;
    long raised_f, raised_h;
    long promoted_f, promoted_h;
};

/* Aggregated inputs: what the official form asks for. */
struct pay_egapro_input {
    enum pay_egapro_band band;
    enum pay_egapro_grouping grouping;
    struct pay_egapro_group1 *g1;
    size_t ng1;
    struct pay_egapro_group23 g23[PAY_EGAPRO_CSPS];
    size_t ng23;
    long total_f, total_h;           /* whole workforce counted */
    long raised_f, raised_h;         /* 50-250: raised, promotions included */
    bool raises_happened;            /* any individual raise in the period */
    bool promotions_happened;        /* any promotion in the period */
    long maternity_returns;          /* returned from maternity leave in the period */
    long maternity_eligible;         /* of them: raises happened during their leave */
    long maternity_raised;           /* of those: raised on return */
    long top10_f, top10_h;           /* sex of the 10 highest paid */
};

enum pay_sex_side { PAY_SIDE_NONE = 0, PAY_SIDE_MEN = 1, PAY_SIDE_WOMEN = 2 };

struct pay_egapro_indicator {
    bool applicable;   /* part of this band's index */
    bool calculable;
    const char *reason; /* why not calculable (English code), "" otherwise */
    double value;      /* the indicator's value (points of %, count), NAN if not calculable */
    double value2;     /* 2-3: gap in equivalent employees; NAN otherwise */
    int score;         /* -1 when not calculable */
    int max;
    enum pay_sex_side favours; /* who the gap favours */
    bool compensated;  /* full points because the raise gap helps the lower-paid sex */
};

struct pay_egapro_result {
    struct pay_egapro_indicator ind[6]; /* 1, 2, 3, 2-3 (index 4), 4 (index 5)... see below */
    int points;
    int max_points;
    int index;          /* -1 when not calculable (max_points < 75) */
    double valid_share; /* indicator 1: valid headcount / headcount */
};
/* Indices into pay_egapro_result.ind. */
enum { PAY_EG_I1 = 0, PAY_EG_I2 = 1, PAY_EG_I3 = 2, PAY_EG_I23 = 3, PAY_EG_I4 = 4, PAY_EG_I5 = 5 };

/* Round half up (toward +infinity) to `dec` decimals, as the official calculator does. */
double pay_egapro_round(double x, int dec);
/* Score tables. */
int pay_egapro_score1(double gap_abs);  /* 40 points */
int pay_egapro_score_table(const int *table, size_t n, double value);

/* Compute every indicator and the index from aggregated inputs (g1 is modified:
 * validity, gaps and weights are filled in). */
void pay_egapro_compute(struct pay_egapro_input *in, struct pay_egapro_result *res);

/* One employee of a workforce file. */
struct pay_egapro_employee {
    char sex;          /* 'f' or 'h' */
    int csp;           /* 0 ouv, 1 emp, 2 tam, 3 ic */
    int age;           /* 0 <30, 1 30-39, 2 40-49, 3 >=50 */
    char level[48];    /* for level grouping, "" otherwise */
    double annual_pay; /* annual gross, full-time equivalent */
    bool raise, promotion, maternity_return, maternity_raise_period, maternity_raised;
};

/*
 * Aggregate a workforce into *in (g1 allocated; release with
 * pay_egapro_input_release). band: PAY_EGAPRO_50_250 or OVER_250, or -1 to
 * derive it from the headcount (<= 250 -> 50-250).
 */
int pay_egapro_aggregate(struct pay_egapro_input *in, const struct pay_egapro_employee *e, size_t n,
                         int band, enum pay_egapro_grouping grouping, struct sv_error *err);
void pay_egapro_input_release(struct pay_egapro_input *in);

/*
 * Read a workforce CSV (see analyse/pay/README.md for the columns). Caller
 * owns *out (free()).
 */
int pay_egapro_read_csv(struct pay_egapro_employee **out, size_t *n, const char *path,
                        struct sv_error *err);

/*
 * Read the aggregated form instead (counts and mean pay per group, see
 * analyse/pay/README.md): the same pay_egapro_input as pay_egapro_aggregate()
 * gives from the employees. band as there (-1: from the headcount).
 * Release with pay_egapro_input_release.
 */
int pay_egapro_read_aggregated(struct pay_egapro_input *in, const char *path, int band,
                               enum pay_egapro_grouping grouping, struct sv_error *err);

extern const char *const pay_egapro_csp_codes[PAY_EGAPRO_CSPS];
extern const char *const pay_egapro_age_codes[PAY_EGAPRO_AGES];

#endif
