/* svyquantile's rules and intervals: see analyse_quantile.h. */
#include "analyse_quantile.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "analyse_ci.h"

static const char *const qrule_names[ANALYSE_NQRULES] = {
    "math", "school", "shahvaish", "hf1", "hf2", "hf3", "hf4", "hf5", "hf6", "hf7", "hf8", "hf9"};

const char *analyse_qrule_name(enum analyse_qrule r)
{
    return (unsigned)r < ANALYSE_NQRULES ? qrule_names[r] : "math";
}

int analyse_qrule_parse(const char *s, enum analyse_qrule *out)
{
    for (unsigned k = 0; k < ANALYSE_NQRULES; k++)
        if (strcmp(s, qrule_names[k]) == 0) {
            *out = (enum analyse_qrule)k;
            return 0;
        }
    return SV_EUSAGE;
}

int analyse_qci_parse(const char *s, enum analyse_ci_method *out)
{
    static const struct {
        const char *name;
        enum analyse_ci_method m;
    } names[] = {{"mean", ANALYSE_CI_WOODRUFF},   {"woodruff", ANALYSE_CI_WOODRUFF},
                 {"beta", ANALYSE_CI_Q_BETA},     {"xlogit", ANALYSE_CI_Q_XLOGIT},
                 {"asin", ANALYSE_CI_Q_ASIN},     {"score", ANALYSE_CI_Q_SCORE},
                 {"none", ANALYSE_CI_NONE}};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(s, names[k].name) == 0) {
            *out = names[k].m;
            return 0;
        }
    return SV_EUSAGE;
}

const char *analyse_qci_name(enum analyse_ci_method m)
{
    switch (m) {
    case ANALYSE_CI_DEFAULT:
    case ANALYSE_CI_WOODRUFF: return "mean";
    case ANALYSE_CI_Q_BETA: return "beta";
    case ANALYSE_CI_Q_XLOGIT: return "xlogit";
    case ANALYSE_CI_Q_ASIN: return "asin";
    case ANALYSE_CI_Q_SCORE: return "score";
    default: return "none";
    }
}

/* ---- the points --------------------------------------------------------------------- */

struct vw {
    double x, w;
    size_t i;
};

static int cmp_vw(const void *a, const void *b)
{
    const struct vw *p = a, *q = b;
    if (p->x < q->x)
        return -1;
    if (p->x > q->x)
        return 1;
    return (p->i > q->i) - (p->i < q->i);
}

int analyse_qpoints_init(struct analyse_qpoints *q, const double *x, const double *w, size_t m)
{
    memset(q, 0, sizeof *q);
    size_t cap = m ? m : 1;
    struct vw *v = malloc(cap * sizeof *v);
    q->x = malloc(cap * sizeof *q->x);
    q->w = malloc(cap * sizeof *q->w);
    q->cum = malloc(cap * sizeof *q->cum);
    q->work = malloc(3 * cap * sizeof *q->work);
    if (!v || !q->x || !q->w || !q->cum || !q->work) {
        free(v);
        analyse_qpoints_release(q);
        return SV_ENOMEM;
    }
    long double tot = 0;
    for (size_t k = 0; k < m; k++) {
        v[k].x = x[k];
        v[k].w = w[k];
        v[k].i = k;
        tot += w[k];
    }
    qsort(v, m, sizeof *v, cmp_vw);
    long double acc = 0;
    for (size_t k = 0; k < m; k++) {
        q->x[k] = v[k].x;
        q->w[k] = v[k].w;
        acc += v[k].w;
        q->cum[k] = (double)acc;
    }
    q->m = m;
    q->tot = (double)tot;
    free(v);
    return 0;
}

void analyse_qpoints_release(struct analyse_qpoints *q)
{
    free(q->x);
    free(q->w);
    free(q->cum);
    free(q->work);
    memset(q, 0, sizeof *q);
}

/* ---- the rules ---------------------------------------------------------------------- */

/* survey's qs(): positions (0-based) and the weight shares either side of p. */
struct qs {
    size_t lo, up;
    double wlow, wup;
};

static struct qs qs_find(const double *cum, size_t n, double tot, double p)
{
    struct qs s;
    double target = p * tot;
    size_t a = 0, b = n; /* cum is non-decreasing: the number of cum_k <= target */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (cum[mid] <= target)
            a = mid + 1;
        else
            b = mid;
    }
    s.lo = a > 0 ? a - 1 : 0; /* survey's last(): the first when none */
    s.up = s.lo + 1 < n ? s.lo + 1 : s.lo;
    s.wlow = p - cum[s.lo] / tot;
    s.wup = cum[s.up] / tot - p;
    return s;
}

/* R's approx(X, Y, v, rule = 2), X increasing; linear or constant (f = 0). */
static double approx_at(const double *X, const double *Y, size_t n, double v, bool constant)
{
    if (n == 0 || isnan(v))
        return NAN;
    if (v < X[0])
        return Y[0];
    if (v > X[n - 1])
        return Y[n - 1];
    size_t i = 0, j = n - 1;
    while (i + 1 < j) {
        size_t k = (i + j) / 2;
        if (v < X[k])
            j = k;
        else
            i = k;
    }
    if (v == X[j])
        return Y[j];
    if (v == X[i])
        return Y[i];
    if (constant)
        return Y[i];
    return Y[i] + (Y[j] - Y[i]) * ((v - X[i]) / (X[j] - X[i]));
}

struct pkx {
    double pk, x;
    size_t i;
};

static int cmp_pkx(const void *a, const void *b)
{
    const struct pkx *p = a, *q = b;
    if (p->pk < q->pk)
        return -1;
    if (p->pk > q->pk)
        return 1;
    return (p->i > q->i) - (p->i < q->i);
}

/*
 * approx() through plotting positions pk[0..n) of the sorted values x: as
 * R's regularize.values, positions out of order are sorted (stable) and
 * equal ones collapsed to the mean of their x. R needs two distinct
 * positions to interpolate linearly.
 */
static double approx_rule(const double *pk, const double *x, size_t n, double p, bool constant)
{
    bool ordered = true;
    for (size_t k = 1; k < n && ordered; k++)
        ordered = pk[k] > pk[k - 1];
    if (ordered)
        return (n < 2 && !constant) ? NAN : approx_at(pk, x, n, p, constant);
    struct pkx *v = malloc(n * sizeof *v);
    double *X = malloc(2 * n * sizeof *X);
    double r = NAN;
    if (v && X) {
        double *Y = X + n;
        for (size_t k = 0; k < n; k++) {
            v[k].pk = pk[k];
            v[k].x = x[k];
            v[k].i = k;
        }
        qsort(v, n, sizeof *v, cmp_pkx);
        size_t u = 0;
        for (size_t k = 0; k < n;) {
            size_t e = k;
            long double s = 0;
            while (e < n && v[e].pk == v[k].pk)
                s += v[e++].x;
            X[u] = v[k].pk;
            Y[u++] = (double)(s / (long double)(e - k));
            k = e;
        }
        if (u >= 2 || constant)
            r = approx_at(X, Y, u, p, constant);
    }
    free(v);
    free(X);
    return r;
}

double analyse_qrule_apply(enum analyse_qrule rule, const struct analyse_qpoints *q, double p)
{
    size_t n = q->m;
    if (n == 0 || isnan(p))
        return NAN;
    const double *x = q->x, *w = q->w, *cum = q->cum;
    double *pk = q->work;
    switch (rule) {
    case ANALYSE_QRULE_MATH:
    case ANALYSE_QRULE_HF1:
    case ANALYSE_QRULE_SCHOOL:
    case ANALYSE_QRULE_HF2:
    case ANALYSE_QRULE_HF4: {
        struct qs s = qs_find(cum, n, q->tot, p);
        if (rule == ANALYSE_QRULE_HF4) {
            double g = s.wlow / (s.wup + s.wlow);
            return x[s.lo] * (1 - g) + x[s.up] * g;
        }
        if (s.wlow <= 0) /* survey >= 4.2 (4.1-1: == 0, see analyse_quantile.h) */
            return (rule == ANALYSE_QRULE_SCHOOL || rule == ANALYSE_QRULE_HF2)
                       ? (x[s.lo] + x[s.up]) / 2
                       : x[s.lo];
        return x[s.up];
    }
    case ANALYSE_QRULE_HF3: {
        /* rowsum(w, x) over the distinct values, then qs() on them */
        double *ux = q->work, *uw = q->work + n, *uc = q->work + 2 * n;
        size_t u = 0;
        for (size_t k = 0; k < n; k++) {
            if (u > 0 && x[k] == ux[u - 1]) {
                uw[u - 1] += w[k];
            } else {
                ux[u] = x[k];
                uw[u++] = w[k];
            }
        }
        long double acc = 0, tot = 0;
        for (size_t k = 0; k < u; k++) {
            acc += uw[k];
            uc[k] = (double)acc;
            tot += uw[k];
        }
        struct qs s = qs_find(uc, u, (double)tot, p);
        if (s.wlow <= 0 && (s.lo + 1) % 2 == 0)
            return ux[s.lo];
        return ux[s.up];
    }
    case ANALYSE_QRULE_HF5:
    case ANALYSE_QRULE_HF6:
    case ANALYSE_QRULE_HF7:
    case ANALYSE_QRULE_HF8:
    case ANALYSE_QRULE_HF9:
    case ANALYSE_QRULE_SHAHVAISH:
        if (n == 1)
            return x[0]; /* survey >= 4.2: the one point */
        break;
    }
    switch (rule) {
    default:
        return NAN; /* handled above */
    case ANALYSE_QRULE_HF5:
        for (size_t k = 0; k < n; k++)
            pk[k] = (cum[k] - w[k] / 2) / cum[n - 1];
        return approx_rule(pk, x, n, p, false);
    case ANALYSE_QRULE_HF6:
        for (size_t k = 0; k < n; k++)
            pk[k] = cum[k] / (cum[n - 1] + w[n - 1]);
        return approx_rule(pk, x, n, p, false);
    case ANALYSE_QRULE_HF7:
        for (size_t k = 0; k < n; k++)
            pk[k] = (k ? cum[k - 1] : 0.0) / cum[n - 2];
        return approx_rule(pk, x, n, p, false);
    case ANALYSE_QRULE_HF8:
        for (size_t k = 0; k < n; k++)
            pk[k] = ((k ? cum[k - 1] : 0.0) * 1 / 3 + cum[k] * 2 / 3) / (cum[n - 1] + w[n - 1] / 3);
        return approx_rule(pk, x, n, p, false);
    case ANALYSE_QRULE_HF9:
        for (size_t k = 0; k < n; k++)
            pk[k] = ((k ? cum[k - 1] : 0.0) * 3 / 8 + cum[k] * 5 / 8) / (cum[n - 1] + w[n - 1] / 4);
        return approx_rule(pk, x, n, p, false);
    case ANALYSE_QRULE_SHAHVAISH: {
        /* wbar = w / mean(w); pk = (cumsum(wbar) + 0.5 - w / 2) / (n + 1) */
        long double s = 0;
        for (size_t k = 0; k < n; k++)
            s += w[k];
        long double mean = s / (long double)n;
        long double t = 0;
        for (size_t k = 0; k < n; k++)
            t += w[k] - mean;
        double mw = (double)(mean + t / (long double)n);
        long double acc = 0;
        for (size_t k = 0; k < n; k++) {
            acc += w[k] / mw;
            pk[k] = ((double)acc + 0.5 - w[k] / 2) / (double)(n + 1);
        }
        return approx_rule(pk, x, n, p, true);
    }
    }
    return NAN;
}

/* ---- intervals ---------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

/* R's IQR(x) (quantile type 7), min(x) and max(x); x has n >= 1 values. */
static int range_iqr(const double *x, size_t n, double *iqr, double *xmin, double *xmax)
{
    double *s = malloc(n * sizeof *s);
    if (!s)
        return SV_ENOMEM;
    memcpy(s, x, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double qv[2];
    static const double probs[2] = {0.25, 0.75};
    for (int k = 0; k < 2; k++) {
        double index = 1 + (double)(n - 1) * probs[k];
        double lo = floor(index), hi = ceil(index);
        double a = s[(size_t)lo - 1], b = s[(size_t)hi - 1];
        qv[k] = a;
        if (index > lo && b != a) {
            double h = index - lo;
            qv[k] = (1 - h) * a + h * b;
        }
    }
    *iqr = qv[1] - qv[0];
    *xmin = s[0];
    *xmax = s[n - 1];
    free(s);
    return 0;
}

/* The score statistic of the Francisco-Fuller interval at theta, minus `limit`. */
struct score {
    const struct analyse_qdesign *g;
    size_t m;
    double p, limit;
    int rc;
};

static double score_at(struct score *s, double theta)
{
    const struct analyse_qdesign *g = s->g;
    for (size_t k = 0; k < s->m; k++)
        g->u[k] = (g->y[k] > theta ? 1.0 : 0.0) - (1 - s->p);
    double mean, var;
    int rc = g->mean(g->ctx, g->u, &mean, &var);
    if (rc) {
        s->rc = rc;
        return NAN;
    }
    return mean / sqrt(var) - s->limit;
}

/* uniroot() calls f inside the bracket through this: non-finite values keep their sign. */
static double score_inner(struct score *s, double theta)
{
    double v = score_at(s, theta);
    if (isfinite(v))
        return v;
    return v == -INFINITY ? -DBL_MAX : DBL_MAX;
}

/*
 * R's uniroot(f, c(a, b), tol = tol) after its checks: Brent's method as
 * Forsythe, Malcolm and Moler give it (R's zeroin), step for step, so that
 * the root lands on the same side of each data value as in R. NAN when R
 * stops (f(a) or f(b) missing, no sign change).
 */
static double uniroot_brent(struct score *s, double a, double b, double tol)
{
    double fa = score_at(s, a), fb = score_at(s, b);
    if (isnan(fa) || isnan(fb))
        return NAN;
    double sa = (fa > 0) - (fa < 0), sb = (fb > 0) - (fb < 0);
    if (!(sa * sb <= 0))
        return NAN;
    if (fa == 0)
        return a;
    if (fb == 0)
        return b;
    double c = a, fc = fa;
    for (int it = 0; it <= 1000; it++) {
        double prev = b - a;
        if (fabs(fc) < fabs(fb)) { /* b must be the best guess so far */
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        double tol_act = 2 * DBL_EPSILON * fabs(b) + tol / 2;
        double step = (c - b) / 2;
        if (fabs(step) <= tol_act || fb == 0)
            return b;
        if (fabs(prev) >= tol_act && fabs(fa) > fabs(fb)) {
            /* secant (two points) or inverse quadratic interpolation, as p / q */
            double num, den, cb = c - b;
            if (a == c) {
                double r1 = fb / fa;
                num = cb * r1;
                den = 1.0 - r1;
            } else {
                double qa = fa / fc, r1 = fb / fc, r2 = fb / fa;
                num = r2 * (cb * qa * (qa - r1) - (b - a) * (r1 - 1.0));
                den = (qa - 1.0) * (r1 - 1.0) * (r2 - 1.0);
            }
            if (num > 0)
                den = -den;
            else
                num = -num;
            if (num < (0.75 * cb * den - fabs(tol_act * den) / 2) && num < fabs(prev * den / 2))
                step = num / den;
        }
        if (fabs(step) < tol_act)
            step = step > 0 ? tol_act : -tol_act;
        a = b;
        fa = fb;
        b += step;
        fb = score_inner(s, b);
        if (s->rc)
            return NAN;
        if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
            c = a;
            fc = fa;
        }
    }
    return b; /* not converged: R warns and keeps the last step */
}

/* The unweighted share of R's x at or below v (mean() of a logical). */
static double share_below(const struct analyse_qdesign *g, double v)
{
    size_t c = 0;
    for (size_t k = 0; k < g->nr; k++)
        c += g->xr[k] <= v;
    return (double)((long double)c / (long double)g->nr);
}

/* qbeta(P, a, b) as R, with its point masses at a = 0 (0) and b = 0 (1). */
static double qbeta_r(double P, double a, double b)
{
    if (isnan(a) || isnan(b) || a < 0 || b < 0)
        return NAN;
    if (a == 0 && b == 0)
        return NAN;
    if (a == 0)
        return 0;
    if (b == 0)
        return 1;
    return gsl_cdf_beta_Pinv(P, a, b);
}

int analyse_quantile_estimate(struct analyse_result *r, const struct analyse_qpoints *q,
                              const struct analyse_qdesign *g, double p, enum analyse_qrule rule,
                              enum analyse_ci_method method, double df, double level)
{
    gsl_set_error_handler_off();
    r->qrule = rule;
    r->quantile = true;
    r->df = df;
    double qhat = analyse_qrule_apply(rule, q, p);
    r->estimate = qhat;
    r->se = r->var = r->ci_low = r->ci_high = NAN;
    if (method == ANALYSE_CI_DEFAULT)
        method = ANALYSE_CI_WOODRUFF;
    r->ci = method;
    if (method == ANALYSE_CI_NONE || isnan(qhat))
        return 0;
    double alpha = 1 - level, t = analyse_ci_crit(df, level);
    double lo = NAN, hi = NAN;
    size_t m = q->m;
    if (method == ANALYSE_CI_Q_SCORE) {
        double iqr, xmin, xmax;
        if (g->nr == 0)
            return 0;
        int rc = range_iqr(g->xr, g->nr, &iqr, &xmin, &xmax);
        if (rc)
            return rc;
        double a = xmin + iqr / 100, b = xmax - iqr / 100;
        double tol = 1 / (100 * sqrt(g->nrow));
        if (a < b && !isnan(t)) {
            struct score s = {g, m, p, t, 0};
            double rl = uniroot_brent(&s, a, b, tol);
            s.limit = -t;
            double ru = s.rc ? NAN : uniroot_brent(&s, a, b, tol);
            if (s.rc)
                return s.rc;
            if (!isnan(rl) && !isnan(ru)) {
                lo = analyse_qrule_apply(rule, q, share_below(g, rl));
                hi = analyse_qrule_apply(rule, q, share_below(g, ru));
            }
        }
    } else {
        /* F = svymean(x <= qhat) and the interval of F, mapped back */
        for (size_t k = 0; k < m; k++)
            g->u[k] = g->y[k] <= qhat ? 1.0 : 0.0;
        double F, var;
        int rc = g->mean(g->ctx, g->u, &F, &var);
        if (rc)
            return rc;
        double se = sqrt(var), L = NAN, U = NAN;
        switch (method) {
        case ANALYSE_CI_Q_BETA: {
            double ne = F * (1 - F) / var;
            double num = g->nrow > 1 ? gsl_cdf_tdist_Pinv(alpha / 2, g->nrow - 1) : NAN;
            double den = g->design_df > 0 ? gsl_cdf_tdist_Pinv(alpha / 2, g->design_df) : NAN;
            ne = ne * (num / den) * (num / den);
            L = qbeta_r(alpha / 2, ne * F, ne * (1 - F) + 1);
            U = qbeta_r(1 - alpha / 2, ne * F + 1, ne * (1 - F));
            break;
        }
        case ANALYSE_CI_Q_XLOGIT: {
            /* svycontrast(log(pmed / (1 - pmed))): se / (F (1 - F)); survey's expit */
            double l = log(F / (1 - F)), h = t * se / (F * (1 - F));
            double el = exp(l - h), eh = exp(l + h);
            L = el / (1 + el);
            U = eh / (1 + eh);
            break;
        }
        case ANALYSE_CI_Q_ASIN: {
            double c = asin(sqrt(F)), h = t * se / (2 * sqrt(F) * sqrt(1 - F));
            double sl = sin(c - h), sh = sin(c + h);
            L = sl * sl;
            U = sh * sh;
            break;
        }
        default:
            r->ci = ANALYSE_CI_WOODRUFF;
            L = F - t * se;
            U = F + t * se;
            break;
        }
        lo = (isnan(L) || L < 0) ? NAN : analyse_qrule_apply(rule, q, L);
        hi = (isnan(U) || U > 1) ? NAN : analyse_qrule_apply(rule, q, U);
    }
    r->ci_low = lo;
    r->ci_high = hi;
    r->se = (hi - lo) / (2 * t);
    r->var = r->se * r->se;
    return 0;
}
