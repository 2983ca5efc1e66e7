/*
 * plot_data: which rows of an indicator table a chart shows, as a matrix of
 * categories x series, and how values are written for people.
 *
 * Rows are selected by indicator and by grouping variables ("by" holds one
 * variable or a ';'-joined pair). With a pair, one variable gives the
 * categories and the other (--series) the series. A ','-list of indicators
 * makes each indicator a series instead. Box plots use the five quantile
 * indicators "<stem>.p10" .. "<stem>.p90" as series.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sv_numfmt.h"

static const char *const quantile_suffix[5] = {".p10", ".p25", ".p50", ".p75", ".p90"};

void plot_matrix_release(struct plot_matrix *m)
{
    for (size_t i = 0; i < m->ncat; i++) {
        free((char *)m->cat_code[i]);
        free((char *)m->cat_label[i]);
    }
    for (size_t i = 0; i < m->nser; i++) {
        free((char *)m->ser_code[i]);
        free((char *)m->ser_label[i]);
    }
    free(m->cat_code);
    free(m->cat_label);
    free(m->ser_code);
    free(m->ser_label);
    free(m->cells);
    memset(m, 0, sizeof *m);
}

struct plot_cell *plot_matrix_cell(const struct plot_matrix *m, size_t cat, size_t ser)
{
    return &m->cells[cat * m->nser + ser];
}

/* Split "a;b" into its parts (at most 2 considered). Returns the number of parts. */
static size_t split2(const char *s, const char *sep, char **a, char **b)
{
    *a = *b = NULL;
    if (s == NULL || s[0] == '\0')
        return 0;
    const char *p = strstr(s, sep);
    if (p == NULL) {
        *a = sv_strdup(s);
        return 1;
    }
    size_t la = (size_t)(p - s);
    *a = malloc(la + 1);
    if (*a) {
        memcpy(*a, s, la);
        (*a)[la] = '\0';
    }
    *b = sv_strdup(p + strlen(sep));
    if (strstr(p + strlen(sep), sep) != NULL)
        return 3;
    return 2;
}

/*
 * Codes -> position, by open addressing on an FNV-1a hash: selecting the
 * cells is linear in the rows (it was quadratic in the categories: 100,000
 * took 24 s). Keys are borrowed; the table grows at half load.
 */
struct code_index {
    const char **key;
    size_t *pos;
    size_t cap, n;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return h;
}

static void code_index_release(struct code_index *ix)
{
    free(ix->key);
    free(ix->pos);
    memset(ix, 0, sizeof *ix);
}

/* Position of `code`, or -1. */
static long code_index_get(const struct code_index *ix, const char *code)
{
    if (ix->cap == 0)
        return -1;
    for (size_t i = (size_t)(fnv1a(code) & (ix->cap - 1));; i = (i + 1) & (ix->cap - 1)) {
        if (ix->key[i] == NULL)
            return -1;
        if (strcmp(ix->key[i], code) == 0)
            return (long)ix->pos[i];
    }
}

static int code_index_put(struct code_index *ix, const char *code, size_t pos)
{
    if (2 * (ix->n + 1) > ix->cap) {
        struct code_index big = {NULL, NULL, ix->cap ? ix->cap * 2 : 64, 0};
        big.key = calloc(big.cap, sizeof *big.key);
        big.pos = calloc(big.cap, sizeof *big.pos);
        if (big.key == NULL || big.pos == NULL) {
            code_index_release(&big);
            return SV_ENOMEM;
        }
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->key[i] != NULL)
                code_index_put(&big, ix->key[i], ix->pos[i]);
        code_index_release(ix);
        *ix = big;
    }
    size_t i = (size_t)(fnv1a(code) & (ix->cap - 1));
    while (ix->key[i] != NULL && strcmp(ix->key[i], code) != 0)
        i = (i + 1) & (ix->cap - 1);
    if (ix->key[i] == NULL)
        ix->n++;
    ix->key[i] = code;
    ix->pos[i] = pos;
    return 0;
}

static int find_or_add(const char ***codes, const char ***labels, size_t *n, struct code_index *ix,
                       const char *code, const char *label, size_t *index)
{
    long at = code_index_get(ix, code);
    if (at >= 0) {
        *index = (size_t)at;
        return 0;
    }
    const char **c = realloc(*codes, (*n + 1) * sizeof *c);
    if (c == NULL)
        return SV_ENOMEM;
    *codes = c;
    const char **l = realloc(*labels, (*n + 1) * sizeof *l);
    if (l == NULL)
        return SV_ENOMEM;
    *labels = l;
    c[*n] = sv_strdup(code);
    l[*n] = sv_strdup(label && label[0] ? label : code);
    if (c[*n] == NULL || l[*n] == NULL) {
        free((char *)c[*n]);
        free((char *)l[*n]);
        return SV_ENOMEM;
    }
    if (code_index_put(ix, c[*n], *n) != 0) {
        free((char *)c[*n]);
        free((char *)l[*n]);
        return SV_ENOMEM;
    }
    *index = (*n)++;
    return 0;
}

static bool has_indicator(const struct sv_itable *t, const char *name)
{
    for (size_t i = 0; i < t->nrows; i++)
        if (strcmp(t->rows[i].indicator, name) == 0)
            return true;
    return false;
}

/* The index of `name` in the ','-list (or quantile list), or -1. */
static long indicator_index(char **names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (long)i;
    return -1;
}


struct pick {
    const struct sv_irow *row;
    char *cat, *cat_label, *ser, *ser_label; /* owned */
};

void plot_cell_fill(struct plot_cell *c, const struct sv_irow *r)
{
    c->present = true;
    c->est = r->estimate;
    c->lo = r->ci_low;
    c->hi = r->ci_high;
    /*
     * Shares, rates and counts cannot be negative: a symmetric t interval
     * that crosses zero is drawn from zero (the table keeps R's value).
     */
    if (isfinite(c->lo) && c->lo < 0 && r->estimate >= 0 &&
        (!strcmp(r->unit, "share") || !strcmp(r->unit, "rate") || !strcmp(r->unit, "count") ||
         !strcmp(r->unit, "fte")))
        c->lo = 0;
    c->se = r->se;
    c->n = r->n;
    c->reason = r->reason;
    c->unit = r->unit;
    c->suppressed = r->suppressed || !isfinite(r->estimate);
}

#define PART_SEP " \xe2\x80\x93 " /* " – " joins the parts of a multi-variable group label */

/*
 * Split `label` at PART_SEP into at most `max` parts (pointers into `copy`).
 * Returns the number of parts.
 */
static size_t split_parts(char *copy, char **parts, size_t max)
{
    size_t n = 0;
    char *p = copy;
    while (n < max) {
        parts[n++] = p;
        char *sep = strstr(p, PART_SEP);
        if (sep == NULL)
            break;
        *sep = '\0';
        p = sep + strlen(PART_SEP);
    }
    return n;
}

/*
 * When every category label has the same part at the same place (the
 * "Privé non lucratif" of "Infirmier – Privé non lucratif" once the figure
 * keeps one sector), that part says nothing: drop it from the axis labels.
 */
static int strip_common_parts(struct plot_matrix *m)
{
    enum { MAXP = 4 };
    char *copy[64], *parts[64][MAXP];
    size_t np[64], n = m->ncat, k, j;
    bool common[MAXP];
    int rc = 0;

    if (n < 2 || n > 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        copy[i] = sv_strdup(m->cat_label[i]);
        if (copy[i] == NULL) {
            for (size_t q = 0; q < i; q++)
                free(copy[q]);
            return SV_ENOMEM;
        }
        np[i] = split_parts(copy[i], parts[i], MAXP);
    }
    k = np[0];
    bool same_k = k > 1;
    for (size_t i = 1; i < n && same_k; i++)
        same_k = np[i] == k;
    size_t ncommon = 0;
    for (j = 0; j < MAXP; j++)
        common[j] = false;
    if (same_k) {
        for (j = 0; j < k; j++) {
            common[j] = true;
            for (size_t i = 1; i < n && common[j]; i++)
                common[j] = strcmp(parts[i][j], parts[0][j]) == 0;
            ncommon += common[j];
        }
    }
    if (same_k && ncommon > 0 && ncommon < k) {
        for (size_t i = 0; i < n && rc == 0; i++) {
            struct sv_buf b = SV_BUF_INIT;
            for (j = 0; j < k && rc == 0; j++) {
                if (common[j])
                    continue;
                if (b.len)
                    rc = sv_buf_adds(&b, PART_SEP);
                if (rc == 0)
                    rc = sv_buf_adds(&b, parts[i][j]);
            }
            if (rc == 0) {
                free((char *)m->cat_label[i]);
                m->cat_label[i] = sv_buf_detach(&b, NULL);
                if (m->cat_label[i] == NULL)
                    rc = SV_ENOMEM;
            } else {
                sv_buf_release(&b);
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        free(copy[i]);
    return rc;
}

int plot_data_select(struct plot_matrix *m, const struct sv_itable *t, const struct plot_opts *o,
                     const char *source, struct sv_error *err)
{
    char *names[16];
    size_t nnames = 0;
    char stem[256];
    int rc = 0;
    struct pick *picks = NULL;
    size_t npicks = 0;
    char *list = NULL;
    char *catvar_owned = NULL; /* before any goto out */
    struct code_index cat_ix = {NULL, NULL, 0, 0}, ser_ix = {NULL, NULL, 0, 0};
    struct code_index want_ix = {NULL, NULL, 0, 0}, seen_ix = {NULL, NULL, 0, 0};
    char *want_groups = NULL;

    memset(m, 0, sizeof *m);
    if (t->nrows == 0)
        return sv_error_set(err, SV_EDATA, source, 0, 0, "the table has no rows");

    /* 1. the indicators */
    if (o->kind == PLOT_BOX) {
        const char *want = o->indicator;
        if (want == NULL) {
            for (size_t i = 0; i < t->nrows && want == NULL; i++) {
                const char *ind = t->rows[i].indicator;
                size_t len = strlen(ind);
                if (len > 4 && strcmp(ind + len - 4, ".p50") == 0) {
                    snprintf(stem, sizeof stem, "%.*s", (int)(len - 4), ind);
                    want = stem;
                }
            }
            if (want == NULL)
                return sv_error_set(err, SV_EDATA, source, 0, 0,
                                    "no quantile rows '<stem>.p50' for a box plot");
        } else {
            snprintf(stem, sizeof stem, "%s", want);
            want = stem;
        }
        for (int q = 0; q < 5; q++) {
            char buf[300];
            snprintf(buf, sizeof buf, "%s%s", want, quantile_suffix[q]);
            if (!has_indicator(t, buf))
                return sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                                    "unknown indicator '%s' (box plots need '%s.p10' to '%s.p90')",
                                    buf, want, want);
        }
    } else if (o->indicator != NULL) {
        list = sv_strdup(o->indicator);
        if (list == NULL)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok != NULL;
             tok = strtok_r(NULL, ",", &save)) {
            if (nnames == sizeof names / sizeof names[0]) {
                rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "too many indicators (16 at most)");
                goto out;
            }
            if (!has_indicator(t, tok)) {
                rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0, "unknown indicator '%s'", tok);
                goto out;
            }
            names[nnames++] = tok;
        }
        if (nnames == 0) {
            rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "empty --indicator");
            goto out;
        }
    } else {
        names[nnames++] = t->rows[0].indicator;
    }

    char qnames[5][300];
    if (o->kind == PLOT_BOX) {
        for (int q = 0; q < 5; q++) {
            snprintf(qnames[q], sizeof qnames[q], "%s%s", stem, quantile_suffix[q]);
            names[q] = qnames[q];
        }
        nnames = 5;
    }
    bool ind_series = nnames > 1;
    if (ind_series && o->series != NULL && strcmp(o->series, "indicator") != 0) {
        rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                          "--series '%s' cannot be used with several indicators", o->series);
        goto out;
    }
    bool want_series = !ind_series && o->series != NULL && strcmp(o->series, "indicator") != 0;

    /* 2. the category variable when not given: the first grouped row's */
    const char *catvar = o->by;
    const char *servar = want_series ? o->series : NULL;
    if (catvar == NULL) {
        for (size_t i = 0; i < t->nrows && catvar == NULL; i++) {
            const struct sv_irow *r = &t->rows[i];
            if (indicator_index(names, nnames, r->indicator) < 0 || r->by[0] == '\0')
                continue;
            char *a, *b;
            size_t k = split2(r->by, ";", &a, &b);
            bool series_kind = o->kind == PLOT_GROUPED || o->kind == PLOT_STACKED ||
                               o->kind == PLOT_DUMBBELL || o->kind == PLOT_LINES;
            if (k == 1 && servar == NULL) {
                catvar_owned = a;
                a = NULL;
            } else if (k == 2 && servar == NULL && (ind_series || !series_kind)) {
                /* a pair without a series: each combination is one category */
                catvar_owned = sv_strdup(r->by);
            } else if (k == 2 && !ind_series) {
                if (servar == NULL && (o->kind == PLOT_GROUPED || o->kind == PLOT_STACKED ||
                                       o->kind == PLOT_DUMBBELL || o->kind == PLOT_LINES))
                    servar = t->rows[i].by + strlen(a) + 1;
                if (servar != NULL) {
                    if (strcmp(b, servar) == 0) {
                        catvar_owned = a;
                        a = NULL;
                    } else if (strcmp(a, servar) == 0) {
                        catvar_owned = b;
                        b = NULL;
                    }
                }
            }
            free(a);
            free(b);
            catvar = catvar_owned;
        }
    }
    if (catvar == NULL) {
        rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                          servar ? "no rows of indicator '%s' grouped by '%s' and another variable"
                                 : "no rows of indicator '%s' grouped by a variable",
                          names[0], servar ? servar : "");
        goto out;
    }
    /* --by given without --series for a series kind: the other variable of a pair */
    if (servar == NULL && !ind_series && o->by != NULL &&
        (o->kind == PLOT_GROUPED || o->kind == PLOT_STACKED || o->kind == PLOT_DUMBBELL)) {
        for (size_t i = 0; i < t->nrows && servar == NULL; i++) {
            const struct sv_irow *r = &t->rows[i];
            if (indicator_index(names, nnames, r->indicator) < 0)
                continue;
            const char *semi = strchr(r->by, ';');
            if (semi == NULL)
                continue;
            size_t la = (size_t)(semi - r->by);
            if (strlen(catvar) == la && strncmp(r->by, catvar, la) == 0)
                servar = semi + 1;
            else if (strcmp(semi + 1, catvar) == 0)
                servar = r->by; /* the first part; compared up to ';' below */
        }
    }
    char servar_buf[256];
    if (servar != NULL && strchr(servar, ';') != NULL) {
        snprintf(servar_buf, sizeof servar_buf, "%.*s", (int)(strchr(servar, ';') - servar),
                 servar);
        servar = servar_buf;
    }

    /* --groups: rows of other categories are not even kept */
    if (o->groups != NULL) {
        want_groups = sv_strdup(o->groups);
        if (want_groups == NULL)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        for (char *save = NULL, *tok = want_groups ? strtok_r(want_groups, ",", &save) : NULL;
             tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save))
            if (code_index_put(&want_ix, tok, 0) != 0)
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        if (rc != 0)
            goto out;
    }

    /* 3. pick rows */
    for (size_t i = 0; i < t->nrows && rc == 0; i++) {
        const struct sv_irow *r = &t->rows[i];
        long ind = indicator_index(names, nnames, r->indicator);
        if (ind < 0)
            continue;
        struct pick p = {r, NULL, NULL, NULL, NULL};
        if (r->by[0] == '\0') {
            if (!ind_series && servar == NULL && !m->has_overall) {
                m->has_overall = true;
                plot_cell_fill(&m->overall, r);
            }
            continue;
        }
        if (servar == NULL) {
            if (strcmp(r->by, catvar) != 0)
                continue;
            p.cat = sv_strdup(r->group);
            p.cat_label = sv_strdup(r->group_label);
            if (ind_series) {
                p.ser = sv_strdup(r->indicator);
                p.ser_label =
                    sv_strdup(o->kind == PLOT_BOX ? r->indicator + strlen(stem) + 1 : r->label);
            } else {
                p.ser = sv_strdup("");
                p.ser_label = sv_strdup("");
            }
        } else {
            char *v1, *v2, *g1, *g2, *l1, *l2;
            size_t k = split2(r->by, ";", &v1, &v2);
            bool ok = false;
            if (k == 2) {
                bool fwd = strcmp(v1, catvar) == 0 && strcmp(v2, servar) == 0;
                bool rev = strcmp(v2, catvar) == 0 && strcmp(v1, servar) == 0;
                if (fwd || rev) {
                    size_t kg = split2(r->group, ";", &g1, &g2);
                    size_t kl = split2(r->group_label, " \xe2\x80\x93 ", &l1, &l2);
                    if (kg == 2) {
                        ok = true;
                        if (kl != 2) { /* labels not splittable: fall back to codes */
                            free(l1);
                            free(l2);
                            l1 = sv_strdup(g1);
                            l2 = sv_strdup(g2);
                        }
                        p.cat = fwd ? g1 : g2;
                        p.ser = fwd ? g2 : g1;
                        p.cat_label = fwd ? l1 : l2;
                        p.ser_label = fwd ? l2 : l1;
                    } else {
                        free(g1);
                        free(g2);
                        free(l1);
                        free(l2);
                    }
                }
            }
            free(v1);
            free(v2);
            if (!ok)
                continue;
        }
        if (p.cat == NULL || p.ser == NULL || p.cat_label == NULL || p.ser_label == NULL) {
            free(p.cat);
            free(p.ser);
            free(p.cat_label);
            free(p.ser_label);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        struct pick *grown = realloc(picks, (npicks + 1) * sizeof *grown);
        if (grown == NULL) {
            free(p.cat);
            free(p.ser);
            free(p.cat_label);
            free(p.ser_label);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        picks = grown;
        picks[npicks++] = p;
        if (o->groups != NULL && code_index_get(&want_ix, p.cat) < 0) {
            npicks--;
            free(p.cat);
            free(p.ser);
            free(p.cat_label);
            free(p.ser_label);
            continue;
        }
        if (code_index_get(&seen_ix, p.cat) < 0) {
            if (code_index_put(&seen_ix, p.cat, 0) != 0) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            if (seen_ix.n > PLOT_MAX_CATEGORIES) {
                rc = sv_error_set(err, SV_EDATA, source, 0, 0,
                                  "more than %d groups of '%s' to draw: a chart cannot show them "
                                  "legibly; choose some with --groups or use a coarser --by",
                                  PLOT_MAX_CATEGORIES, catvar);
                break;
            }
        }
        if (m->unit == NULL) {
            m->unit = r->unit;
            m->label = r->label;
        }
        if (o->kind == PLOT_BOX && ind == 2)
            m->label = r->label; /* the median's label names the distribution */
    }
    if (rc != 0)
        goto out;
    if (npicks == 0) {
        if (o->groups != NULL && want_groups != NULL && want_groups[0] != '\0')
            rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                              "no rows for the group '%s' of --groups", want_groups);
        else if (o->by != NULL)
            rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                              "no rows of indicator '%s' grouped by '%s'%s%s", names[0], catvar,
                              servar ? " and " : "", servar ? servar : "");
        else
            rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                              "no rows of indicator '%s' for this chart", names[0]);
        goto out;
    }
    if (servar == NULL && !ind_series)
        m->series_var = NULL;
    else
        m->series_var = o->series ? o->series : "series";
    m->by = catvar == o->by ? o->by : servar == NULL ? picks[0].row->by : NULL;

    /* 4. categories and series in order of first appearance (series in list order) */
    if (!ind_series && o->series_codes != NULL) {
        /* only these series, in this order */
        char *codes = sv_strdup(o->series_codes);
        if (codes == NULL)
            rc = SV_ENOMEM;
        for (char *save = NULL, *tok = codes ? strtok_r(codes, ",", &save) : NULL;
             tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save)) {
            size_t idx;
            const char *lab = NULL;
            for (size_t i = 0; i < npicks && lab == NULL; i++)
                if (strcmp(picks[i].ser, tok) == 0)
                    lab = picks[i].ser_label;
            if (lab == NULL) {
                rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                                  "no rows for the series '%s' of --series-codes", tok);
                free(codes); /* tok points into it */
                goto out;
            }
            rc = find_or_add(&m->ser_code, &m->ser_label, &m->nser, &ser_ix, tok, lab, &idx);
        }
        free(codes);
    }
    bool fixed_series = ind_series || o->series_codes != NULL;
    if (o->groups != NULL) {
        /* only these categories, in this order (ranked kinds re-rank them) */
        char *codes = sv_strdup(o->groups);
        if (codes == NULL)
            rc = SV_ENOMEM;
        for (char *save = NULL, *tok = codes ? strtok_r(codes, ",", &save) : NULL;
             tok != NULL && rc == 0; tok = strtok_r(NULL, ",", &save)) {
            size_t idx;
            const char *lab = NULL;
            for (size_t i = 0; i < npicks && lab == NULL; i++)
                if (strcmp(picks[i].cat, tok) == 0)
                    lab = picks[i].cat_label;
            if (lab == NULL) {
                rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                                  "no rows for the group '%s' of --groups", tok);
                free(codes); /* tok points into it */
                goto out;
            }
            rc = find_or_add(&m->cat_code, &m->cat_label, &m->ncat, &cat_ix, tok, lab, &idx);
        }
        free(codes);
    }
    if (ind_series) {
        for (size_t s = 0; s < nnames && rc == 0; s++) {
            size_t idx;
            const char *lab = NULL;
            for (size_t i = 0; i < npicks; i++)
                if (strcmp(picks[i].ser, names[s]) == 0) {
                    lab = picks[i].ser_label;
                    break;
                }
            rc = find_or_add(&m->ser_code, &m->ser_label, &m->nser, &ser_ix, names[s],
                             lab ? lab : names[s], &idx);
        }
    }
    for (size_t i = 0; i < npicks && rc == 0; i++) {
        size_t idx;
        if ((fixed_series && code_index_get(&ser_ix, picks[i].ser) < 0) ||
            (o->groups != NULL && code_index_get(&cat_ix, picks[i].cat) < 0))
            continue;
        rc = find_or_add(&m->cat_code, &m->cat_label, &m->ncat, &cat_ix, picks[i].cat,
                         picks[i].cat_label, &idx);
        if (rc == 0 && !fixed_series)
            rc = find_or_add(&m->ser_code, &m->ser_label, &m->nser, &ser_ix, picks[i].ser,
                             picks[i].ser_label, &idx);
    }
    if (rc != 0) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    m->cells = calloc(m->ncat * m->nser, sizeof *m->cells);
    if (m->cells == NULL) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < npicks; i++) {
        size_t c = 0, s = 0;
        long ci = code_index_get(&cat_ix, picks[i].cat), si = code_index_get(&ser_ix, picks[i].ser);
        if (ci < 0 || si < 0)
            continue;
        c = (size_t)ci;
        s = (size_t)si;
        struct plot_cell *cell = plot_matrix_cell(m, c, s);
        if (!cell->present)
            plot_cell_fill(cell, picks[i].row);
    }
    if (strip_common_parts(m) != 0)
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    /* a value no chart can place (1e308 made the axes infinite and the script 'nan') */
    for (size_t c = 0; c < m->ncat && rc == 0; c++) {
        for (size_t s = 0; s < m->nser && rc == 0; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            if (!cell->present || cell->suppressed)
                continue;
            double worst = fmax(fabs(cell->est), fmax(isfinite(cell->lo) ? fabs(cell->lo) : 0,
                                                      isfinite(cell->hi) ? fabs(cell->hi) : 0));
            if (worst > PLOT_VALUE_MAX)
                rc = sv_error_set(err, SV_EDATA, source, 0, 0,
                                  "group '%s'%s%s: value %g is too large to draw (over %g)",
                                  m->cat_code[c], m->nser > 1 ? ", series " : "",
                                  m->nser > 1 ? m->ser_code[s] : "", worst, PLOT_VALUE_MAX);
        }
    }
out:
    for (size_t i = 0; i < npicks; i++) {
        free(picks[i].cat);
        free(picks[i].ser);
        free(picks[i].cat_label);
        free(picks[i].ser_label);
    }
    free(picks);
    free(catvar_owned);
    free(list);
    free(want_groups);
    code_index_release(&cat_ix);
    code_index_release(&ser_ix);
    code_index_release(&want_ix);
    code_index_release(&seen_ix);
    if (rc != 0)
        plot_matrix_release(m);
    return rc;
}

void plot_fmt_value(char *out, size_t size, double x, const char *unit, int extra,
                    enum sv_lang lang)
{
    if (unit == NULL)
        unit = "";
    if (strcmp(unit, "share") == 0 || strcmp(unit, "rate") == 0)
        sv_fmt_percent(out, size, x, extra, lang);
    else if (strcmp(unit, "percent") == 0)
        sv_fmt_percent(out, size, x / 100.0, extra, lang);
    else if (strcmp(unit, "eur") == 0)
        sv_fmt_euro(out, size, x, extra, lang);
    else if (strcmp(unit, "eur_hour") == 0)
        sv_fmt_euro(out, size, x, 2, lang);
    else if (strcmp(unit, "count") == 0)
        sv_fmt_number(out, size, x, extra, lang);
    else if (strcmp(unit, "fte") == 0)
        sv_fmt_number(out, size, x, 1 + extra, lang);
    else if (strcmp(unit, "ratio") == 0)
        sv_fmt_number(out, size, x, 2 + extra, lang);
    else
        sv_fmt_number(out, size, x, 1 + extra, lang);
}

size_t plot_nice_ticks(double lo, double hi, size_t target, double *ticks)
{
    if (!isfinite(lo) || !isfinite(hi))
        return 0;
    if (hi <= lo)
        hi = lo + (lo == 0 ? 1 : fabs(lo) * 0.1);
    if (target < 2)
        target = 2;
    double raw = (hi - lo) / (double)target;
    double mag = pow(10, floor(log10(raw)));
    double norm = raw / mag, step;
    if (norm <= 1)
        step = 1;
    else if (norm <= 2)
        step = 2;
    else if (norm <= 2.5)
        step = 2.5;
    else if (norm <= 5)
        step = 5;
    else
        step = 10;
    step *= mag;
    double start = floor(lo / step + 1e-9) * step;
    size_t n = 0;
    for (double v = start; v <= hi + step * 0.999 && n < 12; v += step) {
        ticks[n++] = fabs(v) < step * 1e-9 ? 0.0 : v;
        if (v >= hi - step * 1e-9)
            break;
    }
    return n;
}

int plot_tick_decimals(const double *ticks, size_t n, const char *unit)
{
    if (n < 2)
        return 0;
    double step = fabs(ticks[1] - ticks[0]);
    if (unit && (strcmp(unit, "share") == 0 || strcmp(unit, "rate") == 0))
        step *= 100;
    /* plot_fmt_value's base decimals for the unit are 0 for percent, euro, count */
    int d = 0;
    while (d < 3 && fabs(step * pow(10, d) - round(step * pow(10, d))) > 1e-6)
        d++;
    if (unit &&
        (strcmp(unit, "fte") == 0 || strcmp(unit, "ratio") == 0 || strcmp(unit, "eur_hour") == 0))
        return 0;
    if (unit &&
        (strcmp(unit, "share") == 0 || strcmp(unit, "rate") == 0 || strcmp(unit, "percent") == 0 ||
         strcmp(unit, "eur") == 0 || strcmp(unit, "count") == 0))
        return d;
    return d > 1 ? d - 1 : 0;
}
