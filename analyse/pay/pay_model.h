/*
 * pay_model: the regression of log hourly pay on sex and controls, as
 * sparse rows over the compact employee array.
 *
 * Columns: 0 intercept, 1 women (men are the reference), then seniority and
 * hours when the survey binds them, then one dummy per observed level of
 * job, employer sector, age band and region, except the reference level
 * (the first observed level in the code list's order, as R's factor() with
 * those levels and droplevels()). An employee with any of these missing is
 * left out. A numeric regressor that is constant is left out of the model
 * (lm() would report NA for it).
 */
#ifndef ANALYSE_PAY_MODEL_H
#define ANALYSE_PAY_MODEL_H

#include "pay.h"
#include "pay_data.h"

#define PAY_MODEL_SEX_COL 1
#define PAY_MODEL_NFAC 6

enum pay_model_subset { PAY_MODEL_ALL = 0, PAY_MODEL_MEN = 1, PAY_MODEL_WOMEN = 2 };

struct pay_model {
    const struct pay_data *d;
    unsigned sex_f, sex_h;
    int without_segur;
    size_t p;
    char **term;       /* "(intercept)", "sex=f", "seniority", "job=ide" */
    char **term_label;
    enum pay_role fac[PAY_MODEL_NFAC];
    size_t nfac;
    long *col[PAY_MODEL_NFAC]; /* per level: column, or -1 (reference or unobserved) */
    long seniority_col, hours_col; /* -1 when not in the model (unbound, or constant) */
    bool need_seniority;           /* rows without seniority are left out */
    long n_complete, n_f, n_h;
    double *y; /* per row: log hourly pay, NAN when the row is not in the model */
    bool hc3;  /* also HC2 and HC3 for the pooled fit (false after build) */
    /* the design: weights (WLS) and the design covariance (svyglm); NULL = OLS */
    const struct pay_ols_design *des;
};

int pay_model_build(struct pay_model *pm, const struct pay_data *d, unsigned sex_f, unsigned sex_h,
                    int without_segur, enum sv_lang lang, struct sv_error *err);
/* The model with the covariates chosen (roles: seniority, hours, and the
 * categorical roles but sex), in that order of columns after sex: numbers first,
 * then the factors in the order given. */
int pay_model_build_ex(struct pay_model *pm, const struct pay_data *d, unsigned sex_f,
                       unsigned sex_h, int without_segur, enum sv_lang lang,
                       const enum pay_role *cov, size_t ncov, struct sv_error *err);
void pay_model_release(struct pay_model *pm);
/* Fit on everyone (all columns) or on one sex (the sex column left out). */
int pay_model_fit(struct pay_ols *out, const struct pay_model *pm, enum pay_model_subset which,
                  struct sv_error *err);
/* Means of the p regressors (all columns) and of y over a subset. */
void pay_model_means(const struct pay_model *pm, enum pay_model_subset which, double *xbar,
                     double *ybar);
/*
 * Oaxaca-Blinder twofold decomposition of the mean log-pay gap, men (A)
 * minus women (B), with delta-method standard errors as Jann (2008) gives
 * them (the group means x-bar and the coefficients independent, the two
 * groups independent samples; V = the HC1 covariance of the coefficients,
 * S_g = the sample covariance of the regressors in group g, n_g - 1
 * denominator, so V(x-bar_g) = S_g / n_g):
 *   gap = ybar_A - ybar_B,  V = s2_A / n_A + s2_B / n_B;
 *   E = (xbar_A - xbar_B)' b,  V(E) = d' V(b) d + b' (S_A/n_A + S_B/n_B) b;
 *   reference "pooled" (b = the pooled model's coefficients, sex dummy
 *   left out): U = gap - E, which equals -b_women exactly (the dummy and
 *   the intercept make the residuals sum to 0 in each group), so V(U) is
 *   that coefficient's HC1 variance;
 *   reference "men" (b = the men's model): U = xbar_B' (b_A - b_B),
 *   V(U) = xbar_B' (V_A + V_B) xbar_B + (b_A - b_B)' S_B/n_B (b_A - b_B),
 *   with b_B the women's model.
 */
struct pay_oaxaca {
    bool computable; /* men: false when a category has no man (reason set) */
    const char *reason;
    long n;          /* observations of the reference model */
    double gap, explained, unexplained;
    double se_gap, se_explained, se_unexplained; /* NAN when not available */
    const char *se_reason; /* why a NAN standard error is left out (NULL: reason) */
};
/* out[0]: pooled reference (from the fitted pooled model), out[1]: men. */
int pay_model_oaxaca(struct pay_oaxaca out[2], const struct pay_model *pm,
                     const struct pay_ols *pooled, struct sv_error *err);

/*
 * More references, from the men's (A) and the women's (B) own models with
 * beta* = a beta_A + (1 - a) beta_B: ref[0] women (a = 0, Blinder), ref[1]
 * Reimers (a = 1/2), ref[2] Cotton (a = n_A / n); E = d' beta*, U = gap - E
 * = xbar_w' (beta_A - beta_B), xbar_w = (1 - a) xbar_A + a xbar_B;
 * V(E) = d' (a^2 V_A + (1-a)^2 V_B) d + beta*' (S_A/n_A + S_B/n_B) beta*,
 * V(U) = xbar_w' (V_A + V_B) xbar_w + D' ((1-a)^2 S_A/n_A + a^2 S_B/n_B) D,
 * D = beta_A - beta_B (HC1 V_g, as pay_model_oaxaca). three: the threefold
 * decomposition from the women's side (Jann 2008) in gap (endowments E =
 * d' beta_B), explained (coefficients C = xbar_B' D) and unexplained
 * (interaction I = d' D), E + C + I = gap, with the same kind of SEs.
 * Not computable (reason set) when either sex's model cannot be fitted.
 */
int pay_model_oaxaca_ext(struct pay_oaxaca ref[3], struct pay_oaxaca *three,
                         const struct pay_model *pm, struct sv_error *err);

/*
 * Neumark's reference (1988): beta* = the pooled model over both sexes WITHOUT the sex
 * dummy (Jann's oaxaca `omega`); E = d' beta*, U = gap - E, V(E) = d' V* d + beta*'
 * (S_A/n_A + S_B/n_B) beta* (V* the pooled model's HC1 covariance). V(U) needs the
 * covariance of the pooled and the group models (Jann's suest): not computed, se_reason
 * says so. Not computable (reason set) when the pooled model cannot be fitted.
 */
int pay_model_oaxaca_neumark(struct pay_oaxaca *out, const struct pay_model *pm,
                             struct sv_error *err);

/* The row callback (ctx = struct pay_model_ctx). */
struct pay_model_ctx {
    const struct pay_model *pm;
    enum pay_model_subset which;
    int drop_sex;
};
int pay_model_row(void *ctx, size_t i, double *y, struct pay_row *x);

#endif
