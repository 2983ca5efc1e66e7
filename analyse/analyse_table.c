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
    row.ci_method = (char *)analyse_ci_method_name(r->ci);
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

/* Rows of one block: same indicator and grouping, same group but for the last dimension. */
static bool same_block(const struct sv_irow *a, const struct sv_irow *b)
{
    if (strcmp(a->indicator, b->indicator) != 0 || strcmp(a->by, b->by) != 0)
        return false;
    const char *la = strrchr(a->group, ';'), *lb = strrchr(b->group, ';');
    size_t na = la ? (size_t)(la - a->group) : 0, nb = lb ? (size_t)(lb - b->group) : 0;
    return na == nb && strncmp(a->group, b->group, na) == 0;
}

void analyse_out_secondary(struct analyse_out *o)
{
    struct sv_itable *t = &o->table;
    for (size_t i = 0; i < t->nrows; i++) {
        if (!o->additive[i] || !t->rows[i].by[0])
            continue;
        /* first row of its block? */
        bool first = true;
        for (size_t j = 0; j < i && first; j++)
            if (o->additive[j] && same_block(&t->rows[j], &t->rows[i]))
                first = false;
        if (!first)
            continue;
        long nsup = 0;
        size_t smallest = (size_t)-1;
        for (size_t j = i; j < t->nrows; j++) {
            if (!o->additive[j] || !same_block(&t->rows[j], &t->rows[i]))
                continue;
            if (t->rows[j].suppressed && strcmp(t->rows[j].reason, "undefined") != 0)
                nsup++;
            else if (t->rows[j].n > 0 &&
                     (smallest == (size_t)-1 || t->rows[j].n < t->rows[smallest].n))
                smallest = j;
        }
        if (nsup == 1 && smallest != (size_t)-1) {
            struct sv_irow *r = &t->rows[smallest];
            r->suppressed = true;
            r->estimate = r->se = r->ci_low = r->ci_high = NAN;
            free(r->ci_method);
            r->ci_method = sv_strdup("none");
            free(r->reason);
            r->reason = sv_strdup("secondary");
        }
    }
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
