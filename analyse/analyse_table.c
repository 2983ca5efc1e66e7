/* Indicator rows, disclosure control and output files: see analyse_table.h. */
#include "analyse_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_file.h"
#include "sv_numfmt.h"

int analyse_format_parse(const char *s, enum analyse_format *out)
{
    if (strcmp(s, "csv") == 0)
        *out = ANALYSE_FMT_CSV;
    else if (strcmp(s, "excel-fr") == 0)
        *out = ANALYSE_FMT_EXCEL_FR;
    else if (strcmp(s, "jsonl") == 0)
        *out = ANALYSE_FMT_JSONL;
    else
        return SV_EUSAGE;
    return 0;
}

void analyse_out_init(struct analyse_out *o, const struct sv_survey *s, enum sv_lang lang,
                      long min_cell, double dominance)
{
    memset(o, 0, sizeof *o);
    sv_itable_init(&o->table);
    o->survey = s;
    o->lang = lang;
    o->min_cell = min_cell;
    o->dominance = dominance;
}

void analyse_out_release(struct analyse_out *o)
{
    sv_itable_release(&o->table);
    free(o->additive);
    o->additive = NULL;
}

int analyse_out_row(struct analyse_out *o, const char *indicator, const char *label,
                    const char *by, const char *group, const char *group_label, const char *unit,
                    const struct analyse_result *r, unsigned flags, struct sv_error *err)
{
    struct sv_irow row;
    char reason[64] = "";
    memset(&row, 0, sizeof row);
    row.indicator = (char *)indicator;
    row.label = (char *)label;
    row.by = (char *)(by ? by : "");
    row.group = (char *)(group ? group : "");
    row.group_label = (char *)(group_label ? group_label : "");
    row.unit = (char *)unit;
    row.estimate = r->estimate;
    row.se = r->se;
    row.ci_low = r->ci_low;
    row.ci_high = r->ci_high;
    row.ci_level = r->level;
    char method[64];
    row.ci_method = (char *)analyse_result_method(r, method, sizeof method);
    if (r->quantile && !o->quantiles) {
        o->quantiles = true;
        o->qrule = r->qrule;
        o->qci = r->ci;
    }
    row.df = r->df;
    row.n = r->n;
    row.n_missing = r->n_missing;
    row.population = r->population;
    if (r->n < o->min_cell || (flags & ANALYSE_ROW_SMALL)) {
        row.suppressed = true;
        snprintf(reason, sizeof reason, "n<%ld", o->min_cell);
    } else if (!isfinite(r->estimate)) {
        /*
         * Not defined for this group (a ratio whose denominator is zero, e.g.
         * no budgeted nurse FTE in child protection): no value to publish.
         */
        row.suppressed = true;
        snprintf(reason, sizeof reason, "undefined");
    } else if ((flags & ANALYSE_ROW_DOMINANCE) && r->max_share > o->dominance) {
        row.suppressed = true;
        snprintf(reason, sizeof reason, "dominance>%g%%", o->dominance * 100);
    } else if (!isfinite(r->estimate)) {
        /* e.g. a ratio whose denominator is 0 in the group: nothing to publish */
        row.suppressed = true;
        snprintf(reason, sizeof reason, "undefined");
    } else if (!(flags & ANALYSE_ROW_NO_CV) && r->estimate != 0 && isfinite(r->se) &&
               r->se / fabs(r->estimate) > 0.2) {
        snprintf(reason, sizeof reason, "cv>20%%");
    }
    if (row.suppressed) {
        /* withhold the values, and the interval method (a fallback would tell p = 0 or 1) */
        row.estimate = row.se = row.ci_low = row.ci_high = NAN;
        row.ci_method = (char *)"none";
    }
    row.reason = reason;
    if (o->table.nrows == o->additive_cap) {
        size_t cap = o->additive_cap ? 2 * o->additive_cap : 64;
        unsigned char *a = realloc(o->additive, cap);
        if (!a)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        o->additive = a;
        o->additive_cap = cap;
    }
    o->additive[o->table.nrows] = (flags & ANALYSE_ROW_ADDITIVE) != 0;
    if (sv_itable_add(&o->table, &row) != 0)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    return 0;
}

/*
 * Secondary suppression of additive rows (totals, counts), as linear
 * equations: a group's value is the sum of its sub-groups' values along any
 * one dimension. For a row of grouping d1;...;dk and each dimension j, the
 * "margin" equation links the rows that share every code but the j-th with
 * the row of the grouping without dj (the parent) when the table has it.
 * The margin over the last dimension is always protected (the parent, if not
 * published, can be derived from published totals); the other margins when
 * their parent is in the table (e.g. by region;sector with by sector). If
 * exactly one member of an equation is withheld (undefined ratios are not
 * secrets), the published member with the fewest respondents is withheld
 * too, and the equations are checked again until none leaks.
 */
struct srow {
    char **dims, **codes; /* k entries each */
    size_t k;
};

static void split_semi(const char *s, char ***out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (!*s)
        return;
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ';';
    *out = calloc(cap, sizeof **out);
    if (!*out)
        return;
    const char *p = s;
    for (;;) {
        size_t len = strcspn(p, ";");
        char *x = malloc(len + 1);
        if (!x)
            return;
        memcpy(x, p, len);
        x[len] = '\0';
        (*out)[(*n)++] = x;
        if (!p[len])
            break;
        p += len + 1;
    }
}

static void srow_release(struct srow *r)
{
    for (size_t j = 0; j < r->k; j++) {
        free(r->dims[j]);
        if (r->codes)
            free(r->codes[j]);
    }
    free(r->dims);
    free(r->codes);
}

/* Row b is a sibling of row a along dimension j (same grouping, same codes but the j-th). */
static bool siblings(const struct sv_irow *ra, const struct srow *a, const struct sv_irow *rb,
                     const struct srow *b, size_t j)
{
    if (strcmp(ra->indicator, rb->indicator) != 0 || strcmp(ra->by, rb->by) != 0 ||
        a->k != b->k)
        return false;
    for (size_t q = 0; q < a->k; q++)
        if (q != j && strcmp(a->codes[q], b->codes[q]) != 0)
            return false;
    return true;
}

/* Row p is the parent of row a along dimension j: a's grouping without dj, a's codes. */
static bool parent_of(const struct sv_irow *ra, const struct srow *a, const struct sv_irow *rp,
                      const struct srow *p, size_t j)
{
    if (strcmp(ra->indicator, rp->indicator) != 0 || p->k + 1 != a->k)
        return false;
    for (size_t q = 0; q < p->k; q++) {
        size_t m = 0;
        while (m < a->k && (m == j || strcmp(a->dims[m], p->dims[q]) != 0))
            m++;
        if (m == a->k || strcmp(a->codes[m], p->codes[q]) != 0)
            return false;
    }
    return true;
}

static bool withheld(const struct sv_irow *r)
{
    return r->suppressed && strcmp(r->reason, "undefined") != 0;
}

static void withhold(struct sv_irow *r)
{
    r->suppressed = true;
    r->estimate = r->se = r->ci_low = r->ci_high = NAN;
    free(r->ci_method);
    r->ci_method = sv_strdup("none");
    free(r->reason);
    r->reason = sv_strdup("secondary");
}

void analyse_out_secondary(struct analyse_out *o)
{
    struct sv_itable *t = &o->table;
    size_t n = t->nrows;
    struct srow *sr = calloc(n ? n : 1, sizeof *sr);
    size_t *member = malloc((n ? n : 1) * sizeof *member);
    if (!sr || !member) {
        free(sr);
        free(member);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (!o->additive[i])
            continue;
        size_t nc = 0;
        split_semi(t->rows[i].by, &sr[i].dims, &sr[i].k);
        split_semi(t->rows[i].group, &sr[i].codes, &nc);
        if (nc != sr[i].k) { /* not a grouping row this can reason about */
            srow_release(&sr[i]);
            memset(&sr[i], 0, sizeof sr[i]);
            o->additive[i] = 0;
        }
    }
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t i = 0; i < n; i++) {
            if (!o->additive[i] || sr[i].k == 0)
                continue;
            for (size_t j = 0; j < sr[i].k; j++) {
                /* one equation per (first member, dimension) */
                size_t nm = 0;
                bool first = true;
                for (size_t q = 0; q < n && first; q++) {
                    if (!o->additive[q] || !siblings(&t->rows[i], &sr[i], &t->rows[q], &sr[q], j))
                        continue;
                    if (q < i)
                        first = false;
                    else
                        member[nm++] = q;
                }
                if (!first)
                    continue;
                size_t parent = (size_t)-1;
                for (size_t q = 0; q < n && parent == (size_t)-1; q++)
                    if (o->additive[q] && parent_of(&t->rows[i], &sr[i], &t->rows[q], &sr[q], j))
                        parent = q;
                if (parent == (size_t)-1 && j + 1 != sr[i].k)
                    continue; /* a margin nobody publishes */
                long nsup = parent != (size_t)-1 && withheld(&t->rows[parent]);
                size_t pick = (size_t)-1;
                for (size_t m = 0; m < nm; m++) {
                    const struct sv_irow *r = &t->rows[member[m]];
                    if (withheld(r))
                        nsup++;
                    else if (!r->suppressed && r->n > 0 &&
                             (pick == (size_t)-1 || r->n < t->rows[pick].n))
                        pick = member[m];
                }
                if (nsup != 1)
                    continue;
                if (pick == (size_t)-1 && parent != (size_t)-1 && !t->rows[parent].suppressed)
                    pick = parent;
                if (pick != (size_t)-1) {
                    withhold(&t->rows[pick]);
                    changed = true;
                }
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        srow_release(&sr[i]);
    free(sr);
    free(member);
}

static char *stem_of(const char *path)
{
    size_t len = strlen(path);
    const char *exts[] = {".csv", ".jsonl", ".json"};
    for (size_t k = 0; k < 3; k++) {
        size_t el = strlen(exts[k]);
        if (len > el && strcmp(path + len - el, exts[k]) == 0) {
            len -= el;
            break;
        }
    }
    char *s = malloc(len + 1);
    if (s) {
        memcpy(s, path, len);
        s[len] = '\0';
    }
    return s;
}

static void fmt_value(char *buf, size_t size, double x, const char *unit, enum sv_lang lang)
{
    if (!isfinite(x)) {
        snprintf(buf, size, "–");
        return;
    }
    if (strcmp(unit, "share") == 0 || strcmp(unit, "rate") == 0)
        sv_fmt_percent(buf, size, x, 1, lang);
    else if (strcmp(unit, "eur") == 0)
        sv_fmt_euro(buf, size, x, 0, lang);
    else if (strcmp(unit, "count") == 0 || strcmp(unit, "fte") == 0)
        sv_fmt_number(buf, size, x, 0, lang);
    else if (strcmp(unit, "points") == 0)
        sv_fmt_points(buf, size, x, 1, lang);
    else
        sv_fmt_number(buf, size, x, 2, lang);
}

static int write_markdown(const struct analyse_out *o, FILE *fp)
{
    const struct sv_itable *t = &o->table;
    bool fr = o->lang == SV_LANG_FR;
    fprintf(fp, "# %s\n\n", t->meta.title ? t->meta.title : "");
    const char *prev = NULL, *prevby = NULL;
    for (size_t i = 0; i < t->nrows; i++) {
        const struct sv_irow *r = &t->rows[i];
        if (!prev || strcmp(prev, r->indicator) != 0 || strcmp(prevby, r->by) != 0) {
            fprintf(fp, "%s## %s%s%s\n\n", prev ? "\n" : "", r->label, r->by[0] ? " – " : "",
                    r->by);
            fprintf(fp, fr ? "| Groupe | Estimation | Intervalle à %s | n |\n"
                           : "| Group | Estimate | %s interval | n |\n",
                    fr ? "95 %" : "95%");
            fprintf(fp, "|---|---:|---:|---:|\n");
            prev = r->indicator;
            prevby = r->by;
        }
        char est[64], lo[64], hi[64], n[64];
        fmt_value(est, sizeof est, r->estimate, r->unit, o->lang);
        fmt_value(lo, sizeof lo, r->ci_low, r->unit, o->lang);
        fmt_value(hi, sizeof hi, r->ci_high, r->unit, o->lang);
        sv_fmt_number(n, sizeof n, (double)r->n, 0, o->lang);
        const char *g = r->group_label[0] ? r->group_label : (fr ? "Ensemble" : "All");
        if (r->suppressed && strcmp(r->reason, "undefined") == 0)
            fprintf(fp, "| %s | %s | | %s |\n", g, fr ? "sans objet" : "not applicable", n);
        else if (r->suppressed)
            fprintf(fp, "| %s | %s (%s) | | %s |\n", g, fr ? "secret" : "suppressed", r->reason,
                    n);
        else if (isfinite(r->ci_low) && isfinite(r->ci_high))
            fprintf(fp, "| %s | %s | %s – %s | %s |\n", g, est, lo, hi, n);
        else
            fprintf(fp, "| %s | %s | | %s |\n", g, est, n);
    }
    fprintf(fp, "\n%s\n", t->meta.source ? t->meta.source : "");
    return ferror(fp) ? SV_EIO : 0;
}

static int write_file(const char *path, int (*fn)(const struct analyse_out *, FILE *, void *),
                      const struct analyse_out *o, void *arg, struct sv_error *err)
{
    struct sv_atomic_file f;
    memset(&f, 0, sizeof f);
    int rc = sv_atomic_open(&f, path, err);
    if (rc)
        return rc;
    rc = fn(o, f.fp, arg);
    if (rc) {
        sv_atomic_abort(&f);
        return sv_error_set(err, rc, path, 0, 0, "write error");
    }
    return sv_atomic_commit(&f, err);
}

static int fn_table(const struct analyse_out *o, FILE *fp, void *arg)
{
    enum analyse_format fmt = *(enum analyse_format *)arg;
    if (fmt == ANALYSE_FMT_JSONL)
        return sv_itable_write_jsonl(&o->table, fp, NULL);
    return sv_itable_write_csv(&o->table, fp,
                               fmt == ANALYSE_FMT_EXCEL_FR ? SV_CSV_EXCEL_FR : SV_CSV_PLAIN, NULL);
}

static int fn_meta(const struct analyse_out *o, FILE *fp, void *arg)
{
    (void)arg;
    return sv_itable_write_meta(&o->table, fp, NULL);
}

static int fn_md(const struct analyse_out *o, FILE *fp, void *arg)
{
    (void)arg;
    return write_markdown(o, fp);
}

int analyse_out_write(struct analyse_out *o, const char *path, enum analyse_format format,
                      bool markdown, struct sv_error *err)
{
    bool to_stdout = !path || strcmp(path, "-") == 0;
    if (!to_stdout && strchr(path, '/')) {
        /* create the output directory, as the pipeline's tables/ */
        char *dir = sv_strdup(path);
        if (!dir)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        *strrchr(dir, '/') = '\0';
        int mrc = *dir ? sv_mkdir_p(dir, err) : 0;
        free(dir);
        if (mrc)
            return mrc;
    }
    int rc = write_file(to_stdout ? "-" : path, fn_table, o, &format, err);
    if (rc || to_stdout) {
        if (rc == 0 && markdown)
            rc = write_markdown(o, stdout) ? sv_error_set(err, SV_EIO, "-", 0, 0, "write error")
                                           : 0;
        return rc;
    }
    char *stem = stem_of(path);
    if (!stem)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    struct sv_buf p = SV_BUF_INIT;
    sv_buf_addf(&p, "%s.meta.json", stem);
    rc = write_file(p.data, fn_meta, o, NULL, err);
    if (rc == 0 && markdown) {
        sv_buf_reset(&p);
        sv_buf_addf(&p, "%s.md", stem);
        rc = write_file(p.data, fn_md, o, NULL, err);
    }
    sv_buf_release(&p);
    free(stem);
    return rc;
}
