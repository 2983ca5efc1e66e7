/*
 * analyse_design: the design-based estimation engine ("one engine" for every
 * indicator of analyse, including the pay commands).
 *
 * It reproduces R's `survey` package (version 4.1-1 as shipped by Debian 12)
 * for Taylor-linearisation designs (`svydesign`, class survey.design2):
 *
 *   - stratified element or one-stage cluster samples, strata given as row
 *     indexes, finite population correction from population counts N_h;
 *   - weights given per row, or N_h / n_h from the frame, or 1 (unweighted);
 *   - post-stratification (`postStratify`) and raking by iterative
 *     proportional fitting (`rake`), with the variance residuals survey uses;
 *   - estimators total, mean, proportion, ratio and quantile over the whole
 *     sample or a domain (a row mask), with the linearised standard error of
 *     `svytotal`, `svymean`, `svyratio`, `svyciprop` and `svyquantile`.
 *
 * Conventions (all as in survey):
 *   - Missing values are NAN. A row whose value is missing is excluded from
 *     that estimate only and counted in `n_missing`; it is never a zero.
 *   - A domain keeps the full sample's n_h (rows outside the domain, or with
 *     a missing value, enter the variance as zeros), so domain SEs are right.
 *   - The design degrees of freedom of an estimate are those of the domain
 *     restricted to the rows used: (distinct PSUs) - (distinct strata) among
 *     rows with a positive weight, like `degf(subset(design, ...))`.
 *   - PSU ids are nested in strata: the same id in two strata is two PSUs.
 *   - A stratum with a single PSU in the full sample is an error (survey's
 *     default `survey.lonely.psu = "fail"`), unless its fpc makes it a
 *     certainty stratum (N_h == n_h), which contributes no variance.
 *
 * Intervals: t with the design df (NORMAL = df infinite) for totals, means,
 * ratios; for proportions logit (survey's "logit" = "xlogit"), Wilson with
 * the effective sample size (survey >= 4.5 "wilson"), or exact (the
 * Korn-Graubard design-adjusted Clopper-Pearson of svyciprop "beta");
 * quantiles any rule and interval of svyquantile (analyse_quantile.h).
 *
 * No GSL (or any third-party) type appears here. Functions return 0 or a
 * negative SV_E* code and fill `err` (may be NULL); they never print. The
 * estimators keep work space inside the design (reused across calls), so one
 * design must not be used by two threads at once.
 */
#ifndef ANALYSE_DESIGN_H
#define ANALYSE_DESIGN_H

#include <stddef.h>
#include <stdbool.h>
#include "sv_error.h"

/* Group index meaning "in no group" (e.g. the grouping variable is missing). */
#define ANALYSE_NO_GROUP ((size_t)-1)

struct analyse_design; /* opaque */

struct analyse_design_spec {
    size_t nrows;
    /* nrows stratum indexes in [0, nstrata); NULL = one stratum. */
    const size_t *stratum;
    size_t nstrata; /* ignored when stratum is NULL */
    /*
     * nstrata population counts N_h (one when stratum is NULL) used for the
     * finite population correction f_h = n_h / N_h; NULL = no fpc (sampling
     * with replacement, as svydesign without fpc). N_h < n_h is an error.
     */
    const double *pop_size;
    /* nrows sampling weights (> 0); NULL = N_h / n_h when pop_size is given, else 1. */
    const double *weight;
    /* nrows PSU ids (any values, nested in strata); NULL = each row is its own PSU. */
    const size_t *psu;
};

/* Build a design. The spec's arrays are copied. Caller owns; analyse_design_free(). */
int analyse_design_new(struct analyse_design **out, const struct analyse_design_spec *spec,
                       struct sv_error *err);
void analyse_design_free(struct analyse_design *d);

size_t analyse_design_nrows(const struct analyse_design *d);
/* Current weight of row i (after any calibration). */
double analyse_design_weight(const struct analyse_design *d, size_t i);
/* Design df of the whole sample: distinct PSUs - strata. */
double analyse_design_df(const struct analyse_design *d);

/* One calibration margin: a partition of the rows into cells with known totals. */
struct analyse_margin {
    const size_t *cell;  /* nrows cell indexes in [0, ncells) */
    size_t ncells;
    const double *total; /* ncells population totals (> 0 where the sample has rows) */
};

/*
 * Post-stratify (survey's postStratify): w_i <- w_i * N_g / sum_{j in g} w_j.
 * A cell with sample rows but total <= 0, or a cell with a positive total
 * and no sample row, is SV_EDATA (survey: "strata absent from sample").
 */
int analyse_design_poststratify(struct analyse_design *d, const struct analyse_margin *m,
                                struct sv_error *err);

struct analyse_rake_report {
    int iterations;    /* sweeps done */
    bool converged;
    double max_change; /* largest relative misfit |sum w - N| / N after the last sweep */
    double w_min, w_max; /* spread of the resulting weights */
    double w_mean, w_cv;
};

/*
 * Rake to `nmargins` margins by iterative proportional fitting: each sweep
 * post-stratifies to margin 1, 2, ...; stop when every margin total is met
 * within `tolerance` (relative) or after `max_iter` sweeps. Not converging is
 * not an error: `report->converged` says so and the last weights are kept.
 * The variance then uses survey's raking residuals.
 */
int analyse_design_rake(struct analyse_design *d, const struct analyse_margin *margins,
                        size_t nmargins, double tolerance, int max_iter,
                        struct analyse_rake_report *report, struct sv_error *err);

/*
 * Calibration (survey's calibrate()) to the cell totals of `nmargins`
 * margins: the model matrix is an intercept and the indicators of every
 * margin's cells (one per margin left out: the column space of R's
 * model.matrix(~a + b + ...), which is all that matters), the population
 * totals those of the cells, the intercept's the first margin's sum.
 *   linear, unbounded: the closed-form GREG, g = 1 + x'T^+(t - t_hat),
 *     T = sum w x x' (regcalibrate());
 *   otherwise Newton steps on the multipliers as grake() takes them:
 *     g = 1 + F(x'eta), F(u) = clamp(u + 1) - 1 (linear) or clamp(e^u) - 1
 *     (raking), clamp to [lower, upper]; eta += T^+ misfit with
 *     T = sum w F'(x'eta) x x' and T^+ the Moore-Penrose inverse (MASS::ginv,
 *     tolerance 256 eps); step halving while a g is not finite; stop when
 *     every |misfit| / (1 + |t|) < epsilon or after max_iter steps.
 * The weights become w g. Not converging (bounds that cannot be met) and a
 * calibrated weight <= 0 are SV_EDATA (weights unchanged), as is a cell with
 * rows but total <= 0 or a positive total without rows. The variance then
 * uses survey's GREG residuals: z - w_cal x'B, B the w-weighted least
 * squares coefficients of z / w_cal on x (qr.resid on the design before).
 * R's grake() rescales the weights first when every population/sample
 * ratio exceeds 20 (bounds then apply to the rescaled weights): not done
 * here, the bounds always apply to the weights before calibration.
 */
enum analyse_calfun { ANALYSE_CALFUN_LINEAR, ANALYSE_CALFUN_RAKING };
struct analyse_calib_spec {
    enum analyse_calfun calfun;
    double lower, upper; /* bounds on g; -INFINITY, INFINITY for none */
    int max_iter;        /* R: maxit = 50 */
    double epsilon;      /* R: epsilon = 1e-7 */
};
int analyse_design_calibrate(struct analyse_design *d, const struct analyse_margin *margins,
                             size_t nmargins, const struct analyse_calib_spec *spec,
                             struct analyse_rake_report *report, struct sv_error *err);

enum analyse_stat {
    ANALYSE_TOTAL,
    ANALYSE_MEAN,
    ANALYSE_PROPORTION, /* a mean of a 0/1 variable, with a proportion interval */
    ANALYSE_RATIO,      /* sum w y / sum w x */
    ANALYSE_QUANTILE
};

enum analyse_ci_method {
    ANALYSE_CI_DEFAULT = 0, /* t for totals/means/ratios, logit for proportions, Woodruff for quantiles */
    ANALYSE_CI_T,
    ANALYSE_CI_NORMAL,
    ANALYSE_CI_LOGIT,
    ANALYSE_CI_WILSON,
    ANALYSE_CI_EXACT,   /* Korn-Graubard (svyciprop method "beta") */
    ANALYSE_CI_WOODRUFF,
    ANALYSE_CI_NONE,
    /* proportions, design-based (n_eff = p (1 - p) / var, z = t_df; see analyse_ci.h) */
    ANALYSE_CI_ASIN,       /* svyciprop "asin" */
    ANALYSE_CI_LIKELIHOOD, /* svyciprop "likelihood" (exact roots, not survey's spline) */
    ANALYSE_CI_WALD,       /* svyciprop "mean": p -+ t se, not truncated */
    ANALYSE_CI_AGRESTI_COULL,
    ANALYSE_CI_JEFFREYS,
    /* proportions of unweighted data: the classical intervals for x of n, z normal */
    ANALYSE_CI_BINOM_WILSON,  /* prop.test(x, n, correct = FALSE) */
    ANALYSE_CI_BINOM_EXACT,   /* binom.test(x, n) */
    ANALYSE_CI_BINOM_AC,      /* Agresti-Coull */
    ANALYSE_CI_BINOM_JEFFREYS,
    /*
     * quantiles (svyquantile's interval.type; ANALYSE_CI_WOODRUFF is "mean"):
     * Woodruff's interval with F(q) bounded by the Korn-Graubard beta, the
     * logit or the arcsine interval, and the Francisco-Fuller score interval
     */
    ANALYSE_CI_Q_BETA,   /* "woodruff-beta" */
    ANALYSE_CI_Q_XLOGIT, /* "woodruff-xlogit" */
    ANALYSE_CI_Q_ASIN,   /* "woodruff-asin" */
    ANALYSE_CI_Q_SCORE   /* "score" */
};

/*
 * svyquantile's rules (qrule): "math" (the default, = hf1: the smallest x
 * with weighted F(x) >= p), "school" (= hf2: the mean of the two middle
 * values on a tie), "shahvaish" (Shah and Vaish), and the weighted forms of
 * Hyndman and Fan's types 1 to 9 ("hf1".."hf9"; hf7 is R's quantile()
 * default). Zero (the default of every option struct) is "math", as R.
 */
enum analyse_qrule {
    ANALYSE_QRULE_MATH = 0,
    ANALYSE_QRULE_SCHOOL,
    ANALYSE_QRULE_SHAHVAISH,
    ANALYSE_QRULE_HF1,
    ANALYSE_QRULE_HF2,
    ANALYSE_QRULE_HF3,
    ANALYSE_QRULE_HF4,
    ANALYSE_QRULE_HF5,
    ANALYSE_QRULE_HF6,
    ANALYSE_QRULE_HF7,
    ANALYSE_QRULE_HF8,
    ANALYSE_QRULE_HF9
};
#define ANALYSE_NQRULES 12
const char *analyse_qrule_name(enum analyse_qrule r);
int analyse_qrule_parse(const char *s, enum analyse_qrule *out);
/*
 * A quantile interval: "mean" (or "woodruff"), "beta", "xlogit", "asin",
 * "score" (svyquantile's interval.type names), or "none".
 */
int analyse_qci_parse(const char *s, enum analyse_ci_method *out);
/* svyquantile's interval.type name of a quantile interval ("mean", ..., "score", "none"). */
const char *analyse_qci_name(enum analyse_ci_method m);
/*
 * "t", "normal", "logit", "wilson", "clopper-pearson", "woodruff", "none",
 * "arcsine", "likelihood", "wald", "agresti-coull", "jeffreys",
 * "binomial-wilson", "binomial-clopper-pearson", "binomial-agresti-coull",
 * "binomial-jeffreys".
 */
const char *analyse_ci_method_name(enum analyse_ci_method m);
/*
 * The ci_method of a result for a table: the interval's name, and for a
 * quantile "<interval>/<rule>" ("woodruff/math", "score/hf7", "none/hf4"),
 * written into buf when composed.
 */
struct analyse_result;
const char *analyse_result_method(const struct analyse_result *r, char *buf, size_t size);
/*
 * Parse a proportion interval or "t", "normal", "none": "logit" (or "xlogit"),
 * "wilson", "exact" (or "clopper-pearson", "beta"), "agresti-coull",
 * "jeffreys", "likelihood", "asin" (or "arcsine"), "wald" (or "mean").
 */
int analyse_ci_method_parse(const char *s, enum analyse_ci_method *out);

struct analyse_options {
    double level;               /* interval level, e.g. 0.95; 0 means 0.95 */
    enum analyse_ci_method ci;  /* ANALYSE_CI_DEFAULT for the usual choice */
    double df;                  /* NAN or 0 = design df of the domain; INFINITY = normal */
    /*
     * Unweighted data (every weight 1, simple random sampling): proportions
     * asked with wilson, exact, agresti-coull or jeffreys get the classical
     * binomial interval for x = p n of the n rows used, with the normal
     * quantile, and say so (ANALYSE_CI_BINOM_*).
     */
    bool binomial;
    /* quantiles: the rule and the interval (ANALYSE_CI_DEFAULT = Woodruff "mean", as R) */
    enum analyse_qrule qrule;
    enum analyse_ci_method qci;
};

struct analyse_result {
    double estimate;
    double se;              /* sqrt(var); for quantiles (high - low) / (2 t), as survey */
    double var;
    double df;              /* the df used for the interval */
    double ci_low, ci_high; /* NAN when undefined */
    double level;
    enum analyse_ci_method ci; /* the method actually used */
    enum analyse_qrule qrule;  /* quantiles: the rule used */
    bool quantile;             /* a quantile (its method names the rule too) */
    long n;                 /* rows used: in the domain, weight > 0, values present */
    long n_missing;         /* rows in the domain with weight > 0 but a missing value */
    double population;      /* sum of weights of the rows used */
    /*
     * Largest single row's share of the weighted sum |w y| of the rows used
     * (of the numerator for ratios); for the dominance rule. NAN when the
     * sum is 0.
     */
    double max_share;
};

/*
 * The estimators. `y` (and `x` for ratios) has nrows values, NAN = missing.
 * `domain` is NULL (whole sample) or nrows flags (non-zero = in the domain).
 * `opt` may be NULL (level 0.95, default interval). A domain without any row
 * used gives estimate NAN, n 0 and returns 0 (not an error).
 *
 * Proportions need y in {0, 1}; anything else is SV_EDATA.
 * Quantiles: the rule opt->qrule (default "math": the smallest x with
 * weighted F(x) >= p) and the interval opt->qci (default Woodruff's "mean":
 * F(q) +- t SE mapped back through the rule), exactly as svyquantile; se is
 * (high - low) / (2 t). See analyse_quantile.h. `p` in (0, 1).
 */
int analyse_estimate(struct analyse_result *res, const struct analyse_design *d,
                     enum analyse_stat stat, const double *y, const double *x, double p,
                     const unsigned char *domain, const struct analyse_options *opt,
                     struct sv_error *err);

/*
 * For other implementations of the same estimators (analyse_moments.h):
 * the df an interval uses (the design df unless opt overrides it), a result
 * with nothing estimated, and the interval of a result whose estimate, var,
 * df, n and level are set (se, ci_low, ci_high and ci filled).
 */
double analyse_result_df(double design_df, const struct analyse_options *opt);
void analyse_result_empty(struct analyse_result *r, double level);
void analyse_result_interval(struct analyse_result *r, enum analyse_stat stat,
                             const struct analyse_options *opt);

/* Shorthands for analyse_estimate(). */
int analyse_total(struct analyse_result *res, const struct analyse_design *d, const double *y,
                  const unsigned char *domain, const struct analyse_options *opt,
                  struct sv_error *err);
int analyse_mean(struct analyse_result *res, const struct analyse_design *d, const double *y,
                 const unsigned char *domain, const struct analyse_options *opt,
                 struct sv_error *err);
int analyse_proportion(struct analyse_result *res, const struct analyse_design *d,
                       const double *y, const unsigned char *domain,
                       const struct analyse_options *opt, struct sv_error *err);
int analyse_ratio(struct analyse_result *res, const struct analyse_design *d, const double *y,
                  const double *x, const unsigned char *domain, const struct analyse_options *opt,
                  struct sv_error *err);
int analyse_quantile(struct analyse_result *res, const struct analyse_design *d, const double *y,
                     double p, const unsigned char *domain, const struct analyse_options *opt,
                     struct sv_error *err);

/*
 * By group (svyby): `group` has nrows group indexes in [0, ngroups) or
 * ANALYSE_NO_GROUP; `res` receives ngroups results, each the domain estimate
 * of its group (a group without rows gets estimate NAN and n 0).
 */
int analyse_by(struct analyse_result *res, const struct analyse_design *d,
               enum analyse_stat stat, const double *y, const double *x, double p,
               const size_t *group, size_t ngroups, const struct analyse_options *opt,
               struct sv_error *err);

/*
 * Difference between two domains (a - b) of a mean, proportion, ratio or
 * total, with the design-based covariance (svycontrast on svyby with
 * covmat = TRUE): se, t = diff / se, df = design df of the union of the
 * two domains, two-sided p-value from t(df).
 */
struct analyse_diff {
    double estimate, se, df, t, p_value, ci_low, ci_high, level;
    struct analyse_result a, b;
};
int analyse_difference(struct analyse_diff *res, const struct analyse_design *d,
                       enum analyse_stat stat, const double *y, const double *x,
                       const unsigned char *domain_a, const unsigned char *domain_b,
                       const struct analyse_options *opt, struct sv_error *err);

/*
 * Test of independence of two categorical variables (row and column index
 * per row, ANALYSE_NO_GROUP = missing), with the first-order Rao-Scott
 * correction (survey's svychisq(statistic = "Chisq")): the Pearson statistic
 * on the estimated table, scaled to the sample size, divided by the mean
 * generalised design effect, compared with chi-square((r-1)(c-1)).
 */
struct analyse_chisq {
    double pearson;     /* uncorrected Pearson statistic (n-scaled) */
    double mean_deff;   /* mean generalised design effect */
    double statistic;   /* pearson / mean_deff */
    double df;          /* (r-1)(c-1) */
    double p_value;
    long n;
};
int analyse_chisq_test(struct analyse_chisq *res, const struct analyse_design *d,
                       const size_t *row, size_t nrow_levels, const size_t *col,
                       size_t ncol_levels, const unsigned char *domain, struct sv_error *err);

/* Cronbach's alpha of k item columns (rows with any item missing are left out). */
int analyse_cronbach_alpha(double *alpha, long *n_used, const double *const *items, size_t k,
                           size_t nrows, struct sv_error *err);

#endif
