/*
 * pay_grid: the dated SMIC history (surveys/common/smic.csv) and
 * collective-agreement grids (surveys/common/grids/ (JSON)). Both are data,
 * not code: a new SMIC or point value is a new line in a file.
 * jansson stays inside this file.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "sv_buf.h"
#include "sv_csv.h"
#include "pay.h"

bool pay_date_valid(const char *s)
{
    int y, m, d;
    char tail;
    if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
        return false;
    int md = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return d <= md;
}

static int parse_num(const char *s, double *out, bool allow_empty)
{
    if (!*s) {
        *out = NAN;
        return allow_empty ? 0 : -1;
    }
    char *end;
    errno = 0;
    *out = strtod(s, &end);
    return (*end || errno || !isfinite(*out)) ? -1 : 0;
}

void pay_smic_release(struct pay_smic *s)
{
    if (!s)
        return;
    free(s->rows);
    s->rows = NULL;
    s->nrows = 0;
}

int pay_smic_load(struct pay_smic *s, const char *path, struct sv_error *err)
{
    memset(s, 0, sizeof *s);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sv_error_set(err, SV_ENOTFOUND, path, 0, 0, "cannot open: %s", strerror(errno));
    struct sv_csv_reader r;
    int rc = sv_csv_reader_init(&r, fp, path, ',', err);
    if (rc < 0) {
        fclose(fp);
        return rc;
    }
    size_t cap = 0;
    rc = sv_csv_read(&r, err);
    if (rc == 1 && (r.nfields < 3 || strcmp(r.fields[0], "from") != 0 ||
                    strcmp(r.fields[1], "hourly") != 0 || strcmp(r.fields[2], "monthly_35h") != 0))
        rc = sv_error_set(err, SV_EDATA, path, 1, 0,
                          "expected the header 'from,hourly,monthly_35h,...'");
    else if (rc == 0)
        rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file");
    while (rc >= 0 && (rc = sv_csv_read(&r, err)) == 1) {
        long line = r.record_line;
        if (r.nfields < 3) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "expected at least 3 fields");
            break;
        }
        if (s->nrows == cap) {
            size_t ncap = cap ? 2 * cap : 16;
            struct pay_smic_row *nr = realloc(s->rows, ncap * sizeof *nr);
            if (!nr) {
                rc = sv_error_set(err, SV_ENOMEM, path, line, 0, "out of memory");
                break;
            }
            s->rows = nr;
            cap = ncap;
        }
        struct pay_smic_row *row = &s->rows[s->nrows];
        memset(row, 0, sizeof *row);
        if (!pay_date_valid(r.fields[0])) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "from: not a date '%s'", r.fields[0]);
            break;
        }
        memcpy(row->from, r.fields[0], 11);
        if (parse_num(r.fields[1], &row->hourly, false) < 0 || !(row->hourly > 0) ||
            parse_num(r.fields[2], &row->monthly, false) < 0 || !(row->monthly > 0)) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "hourly, monthly_35h: expected positive numbers");
            break;
        }
        row->hourly_mayotte = row->monthly_mayotte = NAN;
        if ((r.nfields > 3 && parse_num(r.fields[3], &row->hourly_mayotte, true) < 0) ||
            (r.nfields > 4 && parse_num(r.fields[4], &row->monthly_mayotte, true) < 0)) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "Mayotte values: expected numbers");
            break;
        }
        if (r.nfields > 5)
            snprintf(row->note, sizeof row->note, "%s", r.fields[5]);
        if (s->nrows > 0 && strcmp(s->rows[s->nrows - 1].from, row->from) >= 0) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "dates must be in ascending order");
            break;
        }
        s->nrows++;
    }
    if (rc == 0 && s->nrows == 0)
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "no SMIC values");
    sv_csv_reader_release(&r);
    fclose(fp);
    if (rc < 0) {
        pay_smic_release(s);
        return rc;
    }
    return 0;
}

const struct pay_smic_row *pay_smic_at(const struct pay_smic *s, const char *date)
{
    const struct pay_smic_row *found = NULL;
    for (size_t i = 0; i < s->nrows; i++)
        if (strcmp(s->rows[i].from, date) <= 0)
            found = &s->rows[i];
    return found;
}

long long pay_cents(double euros)
{
    if (!isfinite(euros) || fabs(euros) > 1e15)
        return LLONG_MIN;
    return llround(euros * 100.0);
}

long long pay_smic_month_cents(double smic_hourly, double weekly_hours, int pct)
{
    long long h = pay_cents(smic_hourly), w = pay_cents(weekly_hours);
    if (h == LLONG_MIN || w == LLONG_MIN || h <= 0 || w <= 0 || w > 100000 || pct <= 0)
        return LLONG_MIN;
    /* cents x hundredths of an hour x 52 weeks x pct, over 12 months x 100 x 100 */
    long long num = h * w * 52 * pct, den = 12LL * 100 * 100;
    return (num + den / 2) / den;
}

int pay_below_smic(double monthly, double weekly_hours, double smic_hourly, int pct)
{
    if (!(monthly > 0) || !(weekly_hours > 0))
        return -1;
    long long pay = pay_cents(monthly);
    long long smic = pay_smic_month_cents(smic_hourly, weekly_hours, pct);
    if (pay == LLONG_MIN || smic == LLONG_MIN)
        return -1;
    return pay < smic;
}

/* ------------------------------------------------------------------ grids */

void pay_grid_release(struct pay_grid *g)
{
    if (!g)
        return;
    free(g->id);
    free(g->title);
    free(g->kind);
    free(g->supplement_label);
    free(g->status);
    for (size_t i = 0; i < g->npoints; i++)
        free(g->points[i].note);
    free(g->points);
    for (size_t i = 0; i < g->nsteps; i++) {
        free(g->steps[i].code);
        free(g->steps[i].label);
    }
    free(g->steps);
    memset(g, 0, sizeof *g);
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int pay_grid_load(struct pay_grid *g, const char *path, struct sv_error *err)
{
    memset(g, 0, sizeof *g);
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (je.line < 0)
            return sv_error_set(err, SV_ENOTFOUND, path, 0, 0, "cannot read: %s", je.text);
        return sv_error_set(err, SV_EDATA, path, je.line, je.column, "invalid JSON: %s", je.text);
    }
    int rc = 0;
    const char *fmt = jstr(root, "format");
    if (!json_is_object(root) || !fmt || strcmp(fmt, "vigie-grid/1") != 0) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "format: expected \"vigie-grid/1\"");
        goto done;
    }
    const char *id = jstr(root, "id"), *title = jstr(root, "title"), *kind = jstr(root, "kind");
    if (!id || !title || !kind || (strcmp(kind, "points") != 0 && strcmp(kind, "amounts") != 0)) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                          "id, title and kind (\"points\" or \"amounts\") are required");
        goto done;
    }
    g->id = sv_strdup(id);
    g->title = sv_strdup(title);
    g->kind = sv_strdup(kind);
    g->status = sv_strdup(jstr(root, "status") ? jstr(root, "status") : "");
    json_t *hours = json_object_get(root, "hours");
    g->hours = json_is_number(hours) ? json_number_value(hours) : 35.0;
    json_t *sup = json_object_get(root, "supplement");
    if (sup) {
        json_t *rate = json_object_get(sup, "rate");
        if (!json_is_number(rate) || json_number_value(rate) < 0 || json_number_value(rate) > 1) {
            rc = sv_error_set(err, SV_EDATA, path, 0, 0, "supplement.rate: expected a fraction");
            goto done;
        }
        g->supplement = json_number_value(rate);
        g->supplement_label = sv_strdup(jstr(sup, "label") ? jstr(sup, "label") : "");
    } else {
        g->supplement_label = sv_strdup("");
    }
    json_t *pts = json_object_get(root, "point_values");
    if (strcmp(kind, "points") == 0) {
        if (!json_is_array(pts) || json_array_size(pts) == 0) {
            rc = sv_error_set(err, SV_EDATA, path, 0, 0, "point_values: a non-empty array is required");
            goto done;
        }
        g->points = calloc(json_array_size(pts), sizeof *g->points);
        if (!g->points) {
            rc = sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
            goto done;
        }
        size_t i;
        json_t *p;
        json_array_foreach(pts, i, p) {
            const char *from = jstr(p, "from");
            json_t *val = json_object_get(p, "value");
            if (!from || !pay_date_valid(from) || !json_is_number(val) || !(json_number_value(val) > 0)) {
                rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                                  "point_values[%zu]: 'from' (YYYY-MM-DD) and a positive 'value' are required", i);
                goto done;
            }
            if (i > 0 && strcmp(g->points[i - 1].from, from) >= 0) {
                rc = sv_error_set(err, SV_EDATA, path, 0, 0, "point_values[%zu]: dates must ascend", i);
                goto done;
            }
            memcpy(g->points[i].from, from, 11);
            g->points[i].value = json_number_value(val);
            g->points[i].note = sv_strdup(jstr(p, "note") ? jstr(p, "note") : "");
            g->npoints++;
        }
    }
    json_t *steps = json_object_get(root, "steps");
    if (!json_is_array(steps) || json_array_size(steps) == 0) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "steps: a non-empty array is required");
        goto done;
    }
    g->steps = calloc(json_array_size(steps), sizeof *g->steps);
    if (!g->steps) {
        rc = sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    size_t i;
    json_t *st;
    json_array_foreach(steps, i, st) {
        const char *code = jstr(st, "code"), *label = jstr(st, "label");
        json_t *c = json_object_get(st, strcmp(kind, "points") == 0 ? "coefficient" : "gross");
        if (!code || !label || !json_is_number(c) || !(json_number_value(c) > 0)) {
            rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                              "steps[%zu]: code, label and a positive '%s' are required", i,
                              strcmp(kind, "points") == 0 ? "coefficient" : "gross");
            goto done;
        }
        g->steps[i].code = sv_strdup(code);
        g->steps[i].label = sv_strdup(label);
        g->steps[i].coefficient = json_number_value(c);
        g->nsteps++;
    }
done:
    json_decref(root);
    if (rc < 0)
        pay_grid_release(g);
    return rc;
}

double pay_grid_point_at(const struct pay_grid *g, const char *date,
                         const struct pay_grid_point **row)
{
    *row = NULL;
    for (size_t i = 0; i < g->npoints; i++)
        if (strcmp(g->points[i].from, date) <= 0)
            *row = &g->points[i];
    return *row ? (*row)->value : NAN;
}

double pay_grid_step_gross(const struct pay_grid *g, const struct pay_grid_step *st, double point)
{
    double x = strcmp(g->kind, "amounts") == 0 ? st->coefficient
                                               : st->coefficient * point * (1.0 + g->supplement);
    /* round to the cent, half away from zero, on the decimal value: nudge by a tiny
     * relative epsilon so 1556.085 stored as 1556.0849999 rounds up */
    double c = x * 100.0;
    c = c >= 0 ? floor(c + 0.5 + 1e-11 * fabs(c)) : -floor(-c + 0.5 + 1e-11 * fabs(c));
    return c / 100.0;
}
