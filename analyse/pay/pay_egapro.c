/*
 * pay_egapro: the French employers' gender equality index ("index de
 * l'égalité professionnelle", Egapro), computed to the rules of décret
 * 2019-15 as the official calculator (SocialGouv/egapro, simulateur)
 * applies them. The rules are restated in analyse/pay/README.md; this is an
 * independent implementation.
 *
 * Rounding: the official calculator rounds half up (toward +infinity) at 6
 * decimals at each step, and scores from the value rounded to 1 decimal
 * then taken to the next integer (ceil). pay_egapro_round() does the same.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_csv.h"
#include "pay.h"

const char *const pay_egapro_csp_codes[PAY_EGAPRO_CSPS] = {"ouv", "emp", "tam", "ic"};
const char *const pay_egapro_age_codes[PAY_EGAPRO_AGES] = {"moins30", "30a39", "40a49", "50plus"};

static const int table1[] = {40, 39, 38, 37, 36, 35, 34, 33, 31, 29, 27,
                             25, 23, 21, 19, 17, 14, 11, 8,  5,  2,  0};
static const int table2[] = {20, 20, 20, 10, 10, 10, 5, 5, 5, 5, 5, 0};
static const int table3[] = {15, 15, 15, 10, 10, 10, 5, 5, 5, 5, 5, 0};
static const int table23[] = {35, 35, 35, 25, 25, 25, 15, 15, 15, 15, 15, 0};
static const int table5[] = {0, 0, 5, 5, 10, 10};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

double pay_egapro_round(double x, int dec)
{
    double m = pow(10.0, dec);
    return floor(x * m + 0.5) / m;
}

int pay_egapro_score_table(const int *table, size_t n, double value)
{
    double v = ceil(fmax(0.0, pay_egapro_round(value, 1)));
    size_t i = v >= (double)(n - 1) ? n - 1 : (size_t)v;
    return table[i];
}

int pay_egapro_score1(double gap_abs)
{
    return pay_egapro_score_table(table1, NELEM(table1), gap_abs);
}

static enum pay_sex_side side_of(double signed_gap)
{
    /* a positive gap (men - women) favours men */
    if (isnan(signed_gap) || signed_gap == 0)
        return PAY_SIDE_NONE;
    return signed_gap > 0 ? PAY_SIDE_MEN : PAY_SIDE_WOMEN;
}

static void not_calculable(struct pay_egapro_indicator *ind, const char *reason)
{
    ind->calculable = false;
    ind->reason = reason;
    ind->value = NAN;
    ind->value2 = NAN;
    ind->score = -1;
}

/* Indicator 1: pay gap by CSP (or level) x age band. */
static void indicator1(struct pay_egapro_input *in, struct pay_egapro_result *res)
{
    struct pay_egapro_indicator *ind = &res->ind[PAY_EG_I1];
    ind->applicable = true;
    ind->max = 40;
    double threshold = in->grouping == PAY_EGAPRO_LEVEL ? 0.02 : 0.05;
    long total = 0, valid = 0;
    for (size_t g = 0; g < in->ng1; g++) {
        struct pay_egapro_group1 *gr = &in->g1[g];
        total += gr->n_f + gr->n_h;
        gr->valid = gr->n_f >= 3 && gr->n_h >= 3;
        if (gr->valid)
            valid += gr->n_f + gr->n_h;
        gr->gap = gr->gap_adj = gr->weighted = NAN;
    }
    res->valid_share = total > 0 ? (double)valid / (double)total : NAN;
    if (total == 0 || valid == 0 || (double)valid < 0.4 * (double)total) {
        not_calculable(ind, total == 0 ? "no employees"
                                       : "valid groups (>= 3 women and >= 3 men) hold less "
                                         "than 40% of the workforce");
        return;
    }
    double sum = 0;
    for (size_t g = 0; g < in->ng1; g++) {
        struct pay_egapro_group1 *gr = &in->g1[g];
        if (!gr->valid)
            continue;
        if (!(gr->pay_f > 0 && gr->pay_h > 0)) {
            not_calculable(ind, "a valid group has no positive mean pay");
            return;
        }
        gr->gap = pay_egapro_round((gr->pay_h - gr->pay_f) / gr->pay_h, 6);
        double a = fabs(gr->gap) - threshold;
        gr->gap_adj = pay_egapro_round((gr->gap > 0 ? 1 : gr->gap < 0 ? -1 : 0) * (a > 0 ? a : 0),
                                       6);
        gr->weighted =
            pay_egapro_round(gr->gap_adj * (double)(gr->n_f + gr->n_h) / (double)valid, 6);
        sum += gr->weighted;
    }
    double value = pay_egapro_round(100.0 * pay_egapro_round(sum, 6), 6);
    ind->calculable = true;
    ind->reason = "";
    ind->value = fabs(value);
    ind->value2 = NAN;
    ind->favours = side_of(value);
    ind->score = pay_egapro_score1(ind->value);
}

/* Compensation rule of indicators 2, 3 and 2-3: a raise gap that favours
 * the sex indicator 1 finds lower paid, while indicator 1 is below its
 * maximum, earns the full points. */
static bool compensated(const struct pay_egapro_result *res, enum pay_sex_side favours)
{
    const struct pay_egapro_indicator *i1 = &res->ind[PAY_EG_I1];
    return i1->calculable && i1->score < 40 && i1->favours != PAY_SIDE_NONE &&
           favours != PAY_SIDE_NONE && favours != i1->favours;
}

/* Indicators 2 (raises) and 3 (promotions), over 250 employees: CSP groups
 * valid with >= 10 women and >= 10 men. */
static void indicator_rates(struct pay_egapro_input *in, struct pay_egapro_result *res, int which)
{
    struct pay_egapro_indicator *ind = &res->ind[which];
    const int *table = which == PAY_EG_I2 ? table2 : table3;
    ind->applicable = true;
    ind->max = which == PAY_EG_I2 ? 20 : 15;
    bool happened = which == PAY_EG_I2 ? in->raises_happened : in->promotions_happened;
    long total = 0, valid = 0, ev_f = 0, ev_h = 0;
    for (size_t g = 0; g < in->ng23; g++) {
        const struct pay_egapro_group23 *gr = &in->g23[g];
        total += gr->n_f + gr->n_h;
        ev_f += which == PAY_EG_I2 ? gr->raised_f : gr->promoted_f;
        ev_h += which == PAY_EG_I2 ? gr->raised_h : gr->promoted_h;
        if (gr->n_f >= 10 && gr->n_h >= 10)
            valid += gr->n_f + gr->n_h;
    }
    if (!happened || (ev_f == 0 && ev_h == 0)) {
        not_calculable(ind, which == PAY_EG_I2 ? "no individual raise in the period"
                                               : "no promotion in the period");
        return;
    }
    if (total == 0 || valid == 0 || (double)valid < 0.4 * (double)total) {
        not_calculable(ind, "valid groups (>= 10 women and >= 10 men) hold less than 40% of "
                            "the workforce");
        return;
    }
    double sum = 0;
    for (size_t g = 0; g < in->ng23; g++) {
        const struct pay_egapro_group23 *gr = &in->g23[g];
        if (!(gr->n_f >= 10 && gr->n_h >= 10))
            continue;
        long ef = which == PAY_EG_I2 ? gr->raised_f : gr->promoted_f;
        long eh = which == PAY_EG_I2 ? gr->raised_h : gr->promoted_h;
        double rf = (double)ef / (double)gr->n_f, rh = (double)eh / (double)gr->n_h;
        double gap = pay_egapro_round(rh - rf, 6);
        sum += pay_egapro_round(gap * (double)(gr->n_f + gr->n_h) / (double)valid, 6);
    }
    double value = pay_egapro_round(100.0 * pay_egapro_round(sum, 6), 6);
    ind->calculable = true;
    ind->reason = "";
    ind->value = fabs(value);
    ind->value2 = NAN;
    ind->favours = side_of(value);
    if (compensated(res, ind->favours)) {
        ind->compensated = true;
        ind->score = ind->max;
    } else {
        ind->score = pay_egapro_score_table(table, 12, ind->value);
    }
}

/* Indicator 2-3, 50 to 250 employees: raises (promotions included), scored
 * on the gap in rates and on the gap in equivalent employees; the better. */
static void indicator23(struct pay_egapro_input *in, struct pay_egapro_result *res)
{
    struct pay_egapro_indicator *ind = &res->ind[PAY_EG_I23];
    ind->applicable = true;
    ind->max = 35;
    if (in->total_f < 5 || in->total_h < 5) {
        not_calculable(ind, "fewer than 5 women or fewer than 5 men");
        return;
    }
    if (!in->raises_happened || (in->raised_f == 0 && in->raised_h == 0)) {
        not_calculable(ind, "no individual raise in the period");
        return;
    }
    double rf = (double)in->raised_f / (double)in->total_f;
    double rh = (double)in->raised_h / (double)in->total_h;
    double value = pay_egapro_round(100.0 * pay_egapro_round(rh - rf, 6), 6);
    ind->calculable = true;
    ind->reason = "";
    ind->value = fabs(value);
    long nmin = in->total_f < in->total_h ? in->total_f : in->total_h;
    ind->value2 = pay_egapro_round(ind->value * (double)nmin / 100.0, 1);
    ind->favours = side_of(value);
    if (compensated(res, ind->favours)) {
        ind->compensated = true;
        ind->score = ind->max;
    } else {
        int s1 = pay_egapro_score_table(table23, NELEM(table23), ind->value);
        int s2 = pay_egapro_score_table(table23, NELEM(table23), ind->value2);
        ind->score = s1 > s2 ? s1 : s2;
    }
}

static void indicator4(struct pay_egapro_input *in, struct pay_egapro_result *res)
{
    struct pay_egapro_indicator *ind = &res->ind[PAY_EG_I4];
    ind->applicable = true;
    ind->max = 15;
    if (in->maternity_returns == 0) {
        not_calculable(ind, "no return from maternity leave in the period");
        return;
    }
    if (in->maternity_eligible == 0) {
        not_calculable(ind, "no raise during the maternity leaves");
        return;
    }
    ind->calculable = true;
    ind->reason = "";
    ind->value =
        pay_egapro_round(100.0 * (double)in->maternity_raised / (double)in->maternity_eligible, 3);
    ind->value2 = NAN;
    ind->score = ind->value < 100 ? 0 : 15;
}

static void indicator5(struct pay_egapro_input *in, struct pay_egapro_result *res)
{
    struct pay_egapro_indicator *ind = &res->ind[PAY_EG_I5];
    ind->applicable = true;
    ind->max = 10;
    if (in->top10_f + in->top10_h == 0) {
        not_calculable(ind, "no employees");
        return;
    }
    long m = in->top10_f < in->top10_h ? in->top10_f : in->top10_h;
    ind->calculable = true;
    ind->reason = "";
    ind->value = (double)m;
    ind->value2 = NAN;
    ind->favours = in->top10_h > in->top10_f   ? PAY_SIDE_MEN
                   : in->top10_h < in->top10_f ? PAY_SIDE_WOMEN
                                               : PAY_SIDE_NONE;
    ind->score = table5[m > 5 ? 5 : m];
}

void pay_egapro_compute(struct pay_egapro_input *in, struct pay_egapro_result *res)
{
    memset(res, 0, sizeof *res);
    for (int k = 0; k < 6; k++) {
        res->ind[k].score = -1;
        res->ind[k].value = res->ind[k].value2 = NAN;
        res->ind[k].reason = "not part of this size band's index";
    }
    indicator1(in, res);
    if (in->band == PAY_EGAPRO_OVER_250) {
        indicator_rates(in, res, PAY_EG_I2);
        indicator_rates(in, res, PAY_EG_I3);
    } else {
        indicator23(in, res);
    }
    indicator4(in, res);
    indicator5(in, res);
    for (int k = 0; k < 6; k++) {
        if (!res->ind[k].applicable || !res->ind[k].calculable)
            continue;
        res->points += res->ind[k].score;
        res->max_points += res->ind[k].max;
    }
    /* The official calculator rounds with Math.round (half up). */
    res->index = res->max_points < 75
                     ? -1
                     : (int)floor(100.0 * res->points / (double)res->max_points + 0.5);
}

void pay_egapro_input_release(struct pay_egapro_input *in)
{
    if (!in)
        return;
    free(in->g1);
    in->g1 = NULL;
    in->ng1 = 0;
}

struct ranked {
    double pay;
    size_t pos;
};

/* Highest pay first; equal pays in file order (qsort is not stable). */
static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->pay != y->pay)
        return x->pay < y->pay ? 1 : -1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

int pay_egapro_aggregate(struct pay_egapro_input *in, const struct pay_egapro_employee *e, size_t n,
                         int band, enum pay_egapro_grouping grouping, struct sv_error *err)
{
    memset(in, 0, sizeof *in);
    in->grouping = grouping;
    in->band = band < 0 ? (n > 250 ? PAY_EGAPRO_OVER_250 : PAY_EGAPRO_50_250)
                        : (enum pay_egapro_band)band;
    /* Indicator 1 groups: CSP (or level) x age band, in first-seen order for
     * levels and in code order for CSPs. */
    size_t cap = grouping == PAY_EGAPRO_CSP ? PAY_EGAPRO_CSPS * PAY_EGAPRO_AGES : 16;
    in->g1 = calloc(cap, sizeof *in->g1);
    if (!in->g1)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (grouping == PAY_EGAPRO_CSP) {
        for (int c = 0; c < PAY_EGAPRO_CSPS; c++)
            for (int a = 0; a < PAY_EGAPRO_AGES; a++)
                snprintf(in->g1[in->ng1++].key, sizeof in->g1[0].key, "%s;%s",
                         pay_egapro_csp_codes[c], pay_egapro_age_codes[a]);
    }
    in->ng23 = PAY_EGAPRO_CSPS;
    for (int c = 0; c < PAY_EGAPRO_CSPS; c++)
        snprintf(in->g23[c].key, sizeof in->g23[c].key, "%s", pay_egapro_csp_codes[c]);

    for (size_t i = 0; i < n; i++) {
        const struct pay_egapro_employee *x = &e[i];
        bool f = x->sex == 'f';
        size_t g;
        if (grouping == PAY_EGAPRO_CSP) {
            g = (size_t)x->csp * PAY_EGAPRO_AGES + (size_t)x->age;
        } else {
            char key[64];
            snprintf(key, sizeof key, "%s;%s", x->level, pay_egapro_age_codes[x->age]);
            for (g = 0; g < in->ng1; g++)
                if (strcmp(in->g1[g].key, key) == 0)
                    break;
            if (g == in->ng1) {
                if (in->ng1 == cap) {
                    size_t ncap = cap * 2;
                    struct pay_egapro_group1 *ng = realloc(in->g1, ncap * sizeof *ng);
                    if (!ng) {
                        pay_egapro_input_release(in);
                        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    }
                    memset(ng + cap, 0, (ncap - cap) * sizeof *ng);
                    in->g1 = ng;
                    cap = ncap;
                }
                snprintf(in->g1[g].key, sizeof in->g1[g].key, "%s", key);
                in->ng1++;
            }
        }
        struct pay_egapro_group1 *g1 = &in->g1[g];
        struct pay_egapro_group23 *g23 = &in->g23[x->csp];
        /* running means of annual pay per sex */
        if (f) {
            g1->n_f++;
            g1->pay_f += (x->annual_pay - g1->pay_f) / (double)g1->n_f;
            g23->n_f++;
            g23->raised_f += x->raise;
            g23->promoted_f += x->promotion;
            in->total_f++;
            in->raised_f += x->raise || x->promotion;
        } else {
            g1->n_h++;
            g1->pay_h += (x->annual_pay - g1->pay_h) / (double)g1->n_h;
            g23->n_h++;
            g23->raised_h += x->raise;
            g23->promoted_h += x->promotion;
            in->total_h++;
            in->raised_h += x->raise || x->promotion;
        }
        if (x->raise || (in->band == PAY_EGAPRO_50_250 && x->promotion))
            in->raises_happened = true;
        if (x->promotion)
            in->promotions_happened = true;
        if (f && x->maternity_return) {
            in->maternity_returns++;
            if (x->maternity_raise_period) {
                in->maternity_eligible++;
                in->maternity_raised += x->maternity_raised;
            }
        }
    }

    /* The 10 highest paid. Ties at the 10th place are broken by file order. */
    struct ranked *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        pay_egapro_input_release(in);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        order[i].pay = e[i].annual_pay;
        order[i].pos = i;
    }
    qsort(order, n, sizeof *order, cmp_ranked);
    for (size_t i = 0; i < n && i < 10; i++) {
        if (e[order[i].pos].sex == 'f')
            in->top10_f++;
        else
            in->top10_h++;
    }
    free(order);
    return 0;
}

/* ----------------------------------------------------------- CSV input */

static int parse_bool(const char *s, bool *out)
{
    if (!s || !*s || strcmp(s, "0") == 0 || strcmp(s, "non") == 0 || strcmp(s, "no") == 0 ||
        strcmp(s, "N") == 0 || strcmp(s, "n") == 0) {
        *out = false;
        return 0;
    }
    if (strcmp(s, "1") == 0 || strcmp(s, "oui") == 0 || strcmp(s, "yes") == 0 ||
        strcmp(s, "Y") == 0 || strcmp(s, "y") == 0) {
        *out = true;
        return 0;
    }
    return -1;
}

static int code_index(const char *const *codes, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(codes[i], s) == 0)
            return i;
    return -1;
}

enum { C_ID, C_SEX, C_CSP, C_AGE, C_PAY, C_RAISE, C_PROMO, C_MRET, C_MPER, C_MRAISED, C_LEVEL, C_N };
static const char *const col_names[C_N] = {
    "id", "sex", "csp", "age_band", "annual_pay", "raise", "promotion",
    "maternity_return", "maternity_raise_period", "maternity_raised", "level"};

int pay_egapro_read_csv(struct pay_egapro_employee **out, size_t *nout, const char *path,
                        struct sv_error *err)
{
    *out = NULL;
    *nout = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sv_error_set(err, SV_ENOTFOUND, path, 0, 0, "cannot open: %s", strerror(errno));
    struct sv_csv_reader r;
    int rc = sv_csv_reader_init(&r, fp, path, 0, err);
    if (rc < 0) {
        fclose(fp);
        return rc;
    }
    long idx[C_N];
    for (int c = 0; c < C_N; c++)
        idx[c] = -1;
    struct pay_egapro_employee *v = NULL;
    size_t n = 0, cap = 0;
    rc = sv_csv_read(&r, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header");
        goto done;
    }
    for (size_t k = 0; k < r.nfields; k++)
        for (int c = 0; c < C_N; c++)
            if (strcmp(r.fields[k], col_names[c]) == 0)
                idx[c] = (long)k;
    for (int c = C_SEX; c <= C_MRAISED; c++) {
        if (c == C_MRET || c == C_MPER || c == C_MRAISED)
            continue; /* optional: default 0 */
        if (idx[c] < 0) {
            rc = sv_error_set(err, SV_EDATA, path, r.record_line, 0,
                              "missing column '%s' in the workforce file", col_names[c]);
            goto done;
        }
    }
    while ((rc = sv_csv_read(&r, err)) == 1) {
        if (r.nfields == 1 && r.fields[0][0] == '\0')
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            struct pay_egapro_employee *nv = realloc(v, ncap * sizeof *nv);
            if (!nv) {
                rc = sv_error_set(err, SV_ENOMEM, path, r.record_line, 0, "out of memory");
                goto done;
            }
            v = nv;
            cap = ncap;
        }
        struct pay_egapro_employee *x = &v[n];
        memset(x, 0, sizeof *x);
        const char *f[C_N];
        for (int c = 0; c < C_N; c++)
            f[c] = idx[c] >= 0 && (size_t)idx[c] < r.nfields ? r.fields[idx[c]] : "";
        long line = r.record_line;
        if (strcmp(f[C_SEX], "f") == 0 || strcmp(f[C_SEX], "F") == 0)
            x->sex = 'f';
        else if (strcmp(f[C_SEX], "h") == 0 || strcmp(f[C_SEX], "H") == 0 ||
                 strcmp(f[C_SEX], "m") == 0 || strcmp(f[C_SEX], "M") == 0)
            x->sex = 'h';
        else {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "sex: expected 'f' or 'h', got '%s'",
                              f[C_SEX]);
            goto done;
        }
        x->csp = code_index(pay_egapro_csp_codes, PAY_EGAPRO_CSPS, f[C_CSP]);
        if (x->csp < 0) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0,
                              "csp: unknown code '%s' (expected ouv, emp, tam or ic)", f[C_CSP]);
            goto done;
        }
        x->age = code_index(pay_egapro_age_codes, PAY_EGAPRO_AGES, f[C_AGE]);
        if (x->age < 0) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0,
                              "age_band: unknown code '%s' (expected moins30, 30a39, 40a49 or 50plus)",
                              f[C_AGE]);
            goto done;
        }
        char *end = NULL;
        errno = 0;
        x->annual_pay = strtod(f[C_PAY], &end);
        if (!*f[C_PAY] || *end || errno || !isfinite(x->annual_pay) || x->annual_pay < 0) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0,
                              "annual_pay: expected a non-negative number, got '%s'", f[C_PAY]);
            goto done;
        }
        bool *bools[] = {&x->raise, &x->promotion, &x->maternity_return,
                         &x->maternity_raise_period, &x->maternity_raised};
        for (int c = C_RAISE; c <= C_MRAISED; c++)
            if (parse_bool(f[c], bools[c - C_RAISE]) < 0) {
                rc = sv_error_set(err, SV_EDATA, path, line, 0,
                                  "%s: expected 0 or 1, got '%s'", col_names[c], f[c]);
                goto done;
            }
        if (x->sex == 'h' && x->maternity_return) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0,
                              "maternity_return: set for a man ('h')");
            goto done;
        }
        snprintf(x->level, sizeof x->level, "%s", f[C_LEVEL]);
        n++;
    }
    if (rc == 0 && n == 0)
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "no employees in the workforce file");
done:
    sv_csv_reader_release(&r);
    fclose(fp);
    if (rc < 0) {
        free(v);
        return rc;
    }
    *out = v;
    *nout = n;
    return 0;
}

/* ------------------------------------------------------ aggregated input */

/* A count cell: empty = 0, else a non-negative whole number. */
static int parse_count(const char *s, long *out)
{
    *out = 0;
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno || v < 0 || end == s)
        return -1;
    *out = v;
    return 0;
}

enum { A_ITEM, A_GROUP, A_AGE, A_WOMEN, A_MEN, A_VW, A_VH, A_N };
static const char *const agg_cols[A_N] = {"item", "group", "age_band", "women", "men",
                                          "value_women", "value_men"};

struct agg_seen {
    bool raises[PAY_EGAPRO_CSPS], promotions[PAY_EGAPRO_CSPS];
    bool any_raises, any_promotions, raises_50_250, returns, maternity, top10;
    long r50_women, r50_men;
};

static int agg_row(struct pay_egapro_input *in, struct agg_seen *seen, const char *const *f,
                   size_t *cap, const char *path, long line, struct sv_error *err)
{
    const char *item = f[A_ITEM];
    long w, m, vw = 0, vh = 0;
    if (parse_count(f[A_WOMEN], &w) < 0 || parse_count(f[A_MEN], &m) < 0)
        return sv_error_set(err, SV_EDATA, path, line, 0,
                            "%s: women and men must be whole numbers >= 0, got '%s' and '%s'", item,
                            f[A_WOMEN], f[A_MEN]);
    if (strcmp(item, "pay") == 0) {
        int age = code_index(pay_egapro_age_codes, PAY_EGAPRO_AGES, f[A_AGE]);
        if (age < 0)
            return sv_error_set(err, SV_EDATA, path, line, 0,
                                "pay: unknown age_band '%s' (expected moins30, 30a39, 40a49 or 50plus)",
                                f[A_AGE]);
        size_t g;
        if (in->grouping == PAY_EGAPRO_CSP) {
            int csp = code_index(pay_egapro_csp_codes, PAY_EGAPRO_CSPS, f[A_GROUP]);
            if (csp < 0)
                return sv_error_set(err, SV_EDATA, path, line, 0,
                                    "pay: unknown csp '%s' (expected ouv, emp, tam or ic)", f[A_GROUP]);
            g = (size_t)csp * PAY_EGAPRO_AGES + (size_t)age;
            if (in->g1[g].n_f + in->g1[g].n_h > 0 || in->g1[g].pay_f < 0)
                return sv_error_set(err, SV_EDATA, path, line, 0, "pay: group '%s' given twice",
                                    in->g1[g].key);
        } else {
            char key[64];
            if (!*f[A_GROUP])
                return sv_error_set(err, SV_EDATA, path, line, 0, "pay: a level is required");
            snprintf(key, sizeof key, "%s;%s", f[A_GROUP], f[A_AGE]);
            for (g = 0; g < in->ng1; g++)
                if (strcmp(in->g1[g].key, key) == 0)
                    return sv_error_set(err, SV_EDATA, path, line, 0,
                                        "pay: group '%s' given twice", key);
            if (in->ng1 == *cap) {
                size_t ncap = *cap * 2;
                struct pay_egapro_group1 *ng = realloc(in->g1, ncap * sizeof *ng);
                if (!ng)
                    return sv_error_set(err, SV_ENOMEM, path, line, 0, "out of memory");
                memset(ng + *cap, 0, (ncap - *cap) * sizeof *ng);
                in->g1 = ng;
                *cap = ncap;
            }
            g = in->ng1++;
            snprintf(in->g1[g].key, sizeof in->g1[g].key, "%s", key);
        }
        struct pay_egapro_group1 *gr = &in->g1[g];
        double pay[2] = {0, 0};
        const char *txt[2] = {f[A_VW], f[A_VH]};
        long cnt[2] = {w, m};
        for (int k = 0; k < 2; k++) {
            if (cnt[k] == 0 && !*txt[k])
                continue;
            char *end;
            errno = 0;
            pay[k] = strtod(txt[k], &end);
            if (!*txt[k] || *end || errno || !isfinite(pay[k]) || pay[k] < 0)
                return sv_error_set(err, SV_EDATA, path, line, 0,
                                    "pay: mean annual pay of %s must be a number >= 0, got '%s'",
                                    k == 0 ? "women" : "men", txt[k]);
        }
        gr->n_f = w;
        gr->n_h = m;
        gr->pay_f = pay[0];
        gr->pay_h = pay[1];
        if (w + m == 0)
            gr->pay_f = -1; /* marks the group as given, for the duplicate check */
        in->total_f += w;
        in->total_h += m;
        return 0;
    }
    if (parse_count(f[A_VW], &vw) < 0 || parse_count(f[A_VH], &vh) < 0)
        return sv_error_set(err, SV_EDATA, path, line, 0,
                            "%s: value_women and value_men must be whole numbers >= 0, got '%s' and '%s'",
                            item, f[A_VW], f[A_VH]);
    if (strcmp(item, "raises") == 0 || strcmp(item, "promotions") == 0) {
        bool raises = item[0] == 'r';
        int csp = code_index(pay_egapro_csp_codes, PAY_EGAPRO_CSPS, f[A_GROUP]);
        if (csp < 0)
            return sv_error_set(err, SV_EDATA, path, line, 0,
                                "%s: unknown csp '%s' (expected ouv, emp, tam or ic)", item, f[A_GROUP]);
        bool *done = raises ? &seen->raises[csp] : &seen->promotions[csp];
        if (*done)
            return sv_error_set(err, SV_EDATA, path, line, 0, "%s: csp '%s' given twice", item,
                                f[A_GROUP]);
        if (vw > w || vh > m)
            return sv_error_set(err, SV_EDATA, path, line, 0,
                                "%s: more employees counted (%ld women, %ld men) than in the csp (%ld, %ld)",
                                item, vw, vh, w, m);
        struct pay_egapro_group23 *g = &in->g23[csp];
        if ((seen->raises[csp] || seen->promotions[csp]) && (g->n_f != w || g->n_h != m))
            return sv_error_set(err, SV_EDATA, path, line, 0,
                                "%s: csp '%s' has %ld women and %ld men, but %ld and %ld on its other row",
                                item, f[A_GROUP], w, m, g->n_f, g->n_h);
        *done = true;
        g->n_f = w;
        g->n_h = m;
        if (raises) {
            g->raised_f = vw;
            g->raised_h = vh;
            seen->any_raises = true;
        } else {
            g->promoted_f = vw;
            g->promoted_h = vh;
            seen->any_promotions = true;
        }
        return 0;
    }
    bool *once = strcmp(item, "raises_50_250") == 0       ? &seen->raises_50_250
                 : strcmp(item, "maternity_returns") == 0 ? &seen->returns
                 : strcmp(item, "maternity_raised") == 0  ? &seen->maternity
                 : strcmp(item, "top10") == 0             ? &seen->top10
                                                          : NULL;
    if (!once)
        return sv_error_set(err, SV_EDATA, path, line, 0,
                            "unknown item '%s' (expected pay, raises, promotions, raises_50_250, "
                            "maternity_returns, maternity_raised or top10)",
                            item);
    if (*once)
        return sv_error_set(err, SV_EDATA, path, line, 0, "%s: given twice", item);
    *once = true;
    if (strcmp(item, "raises_50_250") == 0) {
        if (vw > w || vh > m)
            return sv_error_set(err, SV_EDATA, path, line, 0,
                                "raises_50_250: more raised (%ld women, %ld men) than employees (%ld, %ld)",
                                vw, vh, w, m);
        in->raised_f = vw;
        in->raised_h = vh;
        seen->r50_women = w; /* checked against the pay rows at the end */
        seen->r50_men = m;
        return 0;
    }
    if (strcmp(item, "maternity_returns") == 0) {
        if (m)
            return sv_error_set(err, SV_EDATA, path, line, 0, "maternity_returns: set for men");
        in->maternity_returns = w;
        return 0;
    }
    if (strcmp(item, "maternity_raised") == 0) {
        if (m || vh)
            return sv_error_set(err, SV_EDATA, path, line, 0, "maternity_raised: set for men");
        if (vw > w)
            return sv_error_set(err, SV_EDATA, path, line, 0,
                                "maternity_raised: %ld raised on return out of %ld", vw, w);
        in->maternity_eligible = w;
        in->maternity_raised = vw;
        return 0;
    }
    /* top10 */
    if (w + m > 10)
        return sv_error_set(err, SV_EDATA, path, line, 0, "top10: %ld women and %ld men make more than 10",
                            w, m);
    in->top10_f = w;
    in->top10_h = m;
    return 0;
}

int pay_egapro_read_aggregated(struct pay_egapro_input *in, const char *path, int band,
                               enum pay_egapro_grouping grouping, struct sv_error *err)
{
    memset(in, 0, sizeof *in);
    in->grouping = grouping;
    size_t cap = grouping == PAY_EGAPRO_CSP ? PAY_EGAPRO_CSPS * PAY_EGAPRO_AGES : 16;
    in->g1 = calloc(cap, sizeof *in->g1);
    if (!in->g1)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (grouping == PAY_EGAPRO_CSP) {
        for (int c = 0; c < PAY_EGAPRO_CSPS; c++)
            for (int a = 0; a < PAY_EGAPRO_AGES; a++)
                snprintf(in->g1[in->ng1++].key, sizeof in->g1[0].key, "%s;%s",
                         pay_egapro_csp_codes[c], pay_egapro_age_codes[a]);
    }
    in->ng23 = PAY_EGAPRO_CSPS;
    for (int c = 0; c < PAY_EGAPRO_CSPS; c++)
        snprintf(in->g23[c].key, sizeof in->g23[c].key, "%s", pay_egapro_csp_codes[c]);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int e = errno;
        pay_egapro_input_release(in);
        return sv_error_set(err, e == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0, "cannot open: %s",
                            strerror(e));
    }
    struct sv_csv_reader r;
    int rc = sv_csv_reader_init(&r, fp, path, 0, err);
    if (rc < 0) {
        fclose(fp);
        pay_egapro_input_release(in);
        return rc;
    }
    struct agg_seen seen;
    memset(&seen, 0, sizeof seen);
    long idx[A_N];
    bool any_pay = false;
    rc = sv_csv_read(&r, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header");
        goto done;
    }
    for (int c = 0; c < A_N; c++) {
        idx[c] = -1;
        for (size_t k = 0; k < r.nfields; k++)
            if (strcmp(r.fields[k], agg_cols[c]) == 0)
                idx[c] = (long)k;
        if (idx[c] < 0) {
            rc = sv_error_set(err, SV_EDATA, path, 1, 0,
                              "missing column '%s' in the aggregated file", agg_cols[c]);
            goto done;
        }
    }
    while ((rc = sv_csv_read(&r, err)) == 1) {
        if (r.nfields == 1 && r.fields[0][0] == '\0')
            continue;
        const char *f[A_N];
        for (int c = 0; c < A_N; c++)
            f[c] = (size_t)idx[c] < r.nfields ? r.fields[idx[c]] : "";
        if ((rc = agg_row(in, &seen, f, &cap, path, r.record_line, err)) < 0)
            goto done;
        if (strcmp(f[A_ITEM], "pay") == 0)
            any_pay = true;
    }
    if (rc < 0)
        goto done;
    for (size_t g = 0; g < in->ng1; g++)
        if (in->g1[g].pay_f < 0)
            in->g1[g].pay_f = 0;
    long total = in->total_f + in->total_h;
    if (!any_pay || total == 0) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "no 'pay' rows with employees");
        goto done;
    }
    in->band = band < 0 ? (total > 250 ? PAY_EGAPRO_OVER_250 : PAY_EGAPRO_50_250)
                        : (enum pay_egapro_band)band;
    if (!seen.top10) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "no 'top10' row");
        goto done;
    }
    if (in->top10_f + in->top10_h != (total < 10 ? total : 10)) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                          "top10: %ld women and %ld men, but the 10 highest paid of %ld employees are %ld",
                          in->top10_f, in->top10_h, total, total < 10 ? total : 10);
        goto done;
    }
    if (in->band == PAY_EGAPRO_OVER_250) {
        if (!seen.any_raises || !seen.any_promotions) {
            rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                              "251+ employees: 'raises' and 'promotions' rows (one per csp) are needed");
            goto done;
        }
        long rf = 0, rh = 0, pf = 0, ph = 0;
        for (int c = 0; c < PAY_EGAPRO_CSPS; c++) {
            rf += in->g23[c].raised_f;
            rh += in->g23[c].raised_h;
            pf += in->g23[c].promoted_f;
            ph += in->g23[c].promoted_h;
        }
        in->raises_happened = rf + rh > 0;
        in->promotions_happened = pf + ph > 0;
        for (int c = 0; c < PAY_EGAPRO_CSPS && grouping == PAY_EGAPRO_CSP; c++) {
            long nf = 0, nh = 0;
            for (int a = 0; a < PAY_EGAPRO_AGES; a++) {
                nf += in->g1[c * PAY_EGAPRO_AGES + a].n_f;
                nh += in->g1[c * PAY_EGAPRO_AGES + a].n_h;
            }
            if (nf != in->g23[c].n_f || nh != in->g23[c].n_h) {
                rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                                  "raises and promotions of csp '%s': %ld women and %ld men, but the "
                                  "pay rows have %ld and %ld",
                                  pay_egapro_csp_codes[c], in->g23[c].n_f, in->g23[c].n_h, nf, nh);
                goto done;
            }
        }
    } else {
        if (!seen.raises_50_250) {
            rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                              "50-250 employees: a 'raises_50_250' row is needed");
            goto done;
        }
        in->raises_happened = in->raised_f + in->raised_h > 0;
        if (seen.r50_women != in->total_f || seen.r50_men != in->total_h) {
            rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                              "raises_50_250: %ld women and %ld men, but the pay rows have %ld and %ld",
                              seen.r50_women, seen.r50_men, in->total_f, in->total_h);
            goto done;
        }
    }
    if (in->maternity_eligible > in->maternity_returns) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                          "maternity_raised: %ld women out of %ld returns from maternity leave",
                          in->maternity_eligible, in->maternity_returns);
        goto done;
    }
    rc = 0;
done:
    sv_csv_reader_release(&r);
    fclose(fp);
    if (rc < 0)
        pay_egapro_input_release(in);
    return rc;
}
