/*
 * sv_itable: indicator tables (CSV + JSON Lines + metadata JSON), the
 * contract between analyse and plot. Tests: tests/core/test_itable.c.
 */
#include "sv_itable.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "sv_buf.h"
#include "sv_json.h"

static const char *const header[] = {
    "indicator", "label", "by",        "group",   "group_label", "estimate",   "se",
    "ci_low",    "ci_high", "ci_level", "ci_method", "df",        "n",          "n_missing",
    "population", "unit",  "suppressed", "reason"};
#define NCOLS (sizeof(header) / sizeof(header[0]))

const char *const *sv_itable_header(size_t *count)
{
    *count = NCOLS;
    return header;
}

void sv_itable_init(struct sv_itable *t)
{
    memset(t, 0, sizeof(*t));
}

static void row_release(struct sv_irow *r)
{
    free(r->indicator);
    free(r->label);
    free(r->by);
    free(r->group);
    free(r->group_label);
    free(r->ci_method);
    free(r->unit);
    free(r->reason);
}

static void meta_release(struct sv_imeta *m)
{
    free(m->survey);
    free(m->survey_version);
    free(m->wave);
    free(m->title);
    free(m->source);
    free(m->design);
    free(m->weighting);
    free(m->calibration);
    free(m->lang);
    free(m->unit_label);
    free(m->quantile_rule);
    free(m->quantile_interval);
    free(m->responses);
    free(m->review_rejected);
}

void sv_itable_release(struct sv_itable *t)
{
    size_t i;

    for (i = 0; i < t->nrows; i++)
        row_release(&t->rows[i]);
    free(t->rows);
    meta_release(&t->meta);
    sv_itable_init(t);
}

static char *dup_or_empty(const char *s)
{
    return sv_strdup(s ? s : "");
}

int sv_itable_add(struct sv_itable *t, const struct sv_irow *row)
{
    struct sv_irow *r;

    if (t->nrows == t->cap) {
        size_t nc = t->cap ? t->cap * 2 : 32;
        struct sv_irow *rows = realloc(t->rows, nc * sizeof(*rows));
        if (!rows)
            return SV_ENOMEM;
        t->rows = rows;
        t->cap = nc;
    }
    r = &t->rows[t->nrows];
    *r = *row;
    r->indicator = dup_or_empty(row->indicator);
    r->label = dup_or_empty(row->label);
    r->by = dup_or_empty(row->by);
    r->group = dup_or_empty(row->group);
    r->group_label = dup_or_empty(row->group_label);
    r->ci_method = dup_or_empty(row->ci_method);
    r->unit = dup_or_empty(row->unit);
    r->reason = dup_or_empty(row->reason);
    if (!r->indicator || !r->label || !r->by || !r->group || !r->group_label || !r->ci_method ||
        !r->unit || !r->reason) {
        row_release(r);
        return SV_ENOMEM;
    }
    t->nrows++;
    return 0;
}

static void fmt_double(char *buf, size_t size, double x)
{
    if (!isfinite(x))
        buf[0] = '\0';
    else
        snprintf(buf, size, "%.17g", x == 0 ? 0.0 : x);
}

int sv_itable_write_csv(const struct sv_itable *t, FILE *fp, enum sv_csv_dialect dialect,
                        struct sv_error *err)
{
    struct sv_csv_writer w;
    size_t i;

    sv_csv_writer_init(&w, fp, dialect);
    sv_csv_row(&w, header, NCOLS, SV_CELL_CODE);
    for (i = 0; i < t->nrows; i++) {
        const struct sv_irow *r = &t->rows[i];
        char est[32] = "", se[32] = "", lo[32] = "", hi[32] = "", lev[32], df[32], n[32], nm[32],
             pop[32];
        if (!r->suppressed) {
            fmt_double(est, sizeof(est), r->estimate);
            fmt_double(se, sizeof(se), r->se);
            fmt_double(lo, sizeof(lo), r->ci_low);
            fmt_double(hi, sizeof(hi), r->ci_high);
        }
        fmt_double(lev, sizeof(lev), r->ci_level);
        fmt_double(df, sizeof(df), r->df);
        snprintf(n, sizeof(n), "%ld", r->n);
        snprintf(nm, sizeof(nm), "%ld", r->n_missing);
        fmt_double(pop, sizeof(pop), r->population);
        sv_csv_cell(&w, r->indicator, SV_CELL_CODE);
        sv_csv_cell(&w, r->label, SV_CELL_TEXT);
        sv_csv_cell(&w, r->by, SV_CELL_CODE);
        sv_csv_cell(&w, r->group, SV_CELL_CODE);
        sv_csv_cell(&w, r->group_label, SV_CELL_TEXT);
        sv_csv_cell(&w, est, SV_CELL_NUMBER);
        sv_csv_cell(&w, se, SV_CELL_NUMBER);
        sv_csv_cell(&w, lo, SV_CELL_NUMBER);
        sv_csv_cell(&w, hi, SV_CELL_NUMBER);
        sv_csv_cell(&w, lev, SV_CELL_NUMBER);
        sv_csv_cell(&w, r->ci_method, SV_CELL_CODE);
        sv_csv_cell(&w, df, SV_CELL_NUMBER);
        sv_csv_cell(&w, n, SV_CELL_NUMBER);
        sv_csv_cell(&w, nm, SV_CELL_NUMBER);
        sv_csv_cell(&w, pop, SV_CELL_NUMBER);
        sv_csv_cell(&w, r->unit, SV_CELL_CODE);
        sv_csv_cell(&w, r->suppressed ? "1" : "0", SV_CELL_NUMBER);
        sv_csv_cell(&w, r->reason, SV_CELL_TEXT);
        sv_csv_end_record(&w);
    }
    if (sv_csv_writer_status(&w))
        return sv_error_set(err, SV_EIO, NULL, 0, 0, "write error: %s", strerror(errno));
    return 0;
}

int sv_itable_write_jsonl(const struct sv_itable *t, FILE *fp, struct sv_error *err)
{
    struct sv_buf b = SV_BUF_INIT;
    size_t i;
    int rc = 0;

    for (i = 0; i < t->nrows && rc == 0; i++) {
        const struct sv_irow *r = &t->rows[i];
        double nan = NAN;
        sv_buf_reset(&b);
        rc |= sv_buf_adds(&b, "{\"indicator\":");
        rc |= sv_json_add_string(&b, r->indicator);
        rc |= sv_buf_adds(&b, ",\"label\":");
        rc |= sv_json_add_string(&b, r->label);
        rc |= sv_buf_adds(&b, ",\"by\":");
        rc |= sv_json_add_string(&b, r->by);
        rc |= sv_buf_adds(&b, ",\"group\":");
        rc |= sv_json_add_string(&b, r->group);
        rc |= sv_buf_adds(&b, ",\"group_label\":");
        rc |= sv_json_add_string(&b, r->group_label);
        rc |= sv_buf_adds(&b, ",\"estimate\":");
        rc |= sv_json_add_number(&b, r->suppressed ? nan : r->estimate);
        rc |= sv_buf_adds(&b, ",\"se\":");
        rc |= sv_json_add_number(&b, r->suppressed ? nan : r->se);
        rc |= sv_buf_adds(&b, ",\"ci_low\":");
        rc |= sv_json_add_number(&b, r->suppressed ? nan : r->ci_low);
        rc |= sv_buf_adds(&b, ",\"ci_high\":");
        rc |= sv_json_add_number(&b, r->suppressed ? nan : r->ci_high);
        rc |= sv_buf_adds(&b, ",\"ci_level\":");
        rc |= sv_json_add_number(&b, r->ci_level);
        rc |= sv_buf_adds(&b, ",\"ci_method\":");
        rc |= sv_json_add_string(&b, r->ci_method);
        rc |= sv_buf_adds(&b, ",\"df\":");
        rc |= sv_json_add_number(&b, r->df);
        rc |= sv_buf_addf(&b, ",\"n\":%ld,\"n_missing\":%ld,\"population\":", r->n, r->n_missing);
        rc |= sv_json_add_number(&b, r->population);
        rc |= sv_buf_adds(&b, ",\"unit\":");
        rc |= sv_json_add_string(&b, r->unit);
        rc |= sv_buf_addf(&b, ",\"suppressed\":%s,\"reason\":", r->suppressed ? "true" : "false");
        rc |= sv_json_add_string(&b, r->reason);
        rc |= sv_buf_adds(&b, "}\n");
        if (!rc && fwrite(b.data, 1, b.len, fp) != b.len)
            rc = SV_EIO;
    }
    sv_buf_release(&b);
    if (rc)
        return sv_error_set(err, rc == SV_EIO ? SV_EIO : SV_ENOMEM, NULL, 0, 0, "write error");
    return 0;
}

int sv_itable_write_meta(const struct sv_itable *t, FILE *fp, struct sv_error *err)
{
    const struct sv_imeta *m = &t->meta;
    json_t *o = json_object();
    char *text;
    int rc = 0;

    if (!o)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
#define SET_STR(k, v) json_object_set_new(o, k, (v) ? json_string(v) : json_null())
    SET_STR("survey", m->survey);
    SET_STR("survey_version", m->survey_version);
    SET_STR("wave", m->wave);
    SET_STR("title", m->title);
    SET_STR("source", m->source);
    SET_STR("design", m->design);
    SET_STR("weighting", m->weighting);
    SET_STR("lang", m->lang);
    SET_STR("unit_label", m->unit_label);
    if (m->quantile_rule)
        SET_STR("quantile_rule", m->quantile_rule);
    if (m->quantile_interval)
        SET_STR("quantile_interval", m->quantile_interval);
#undef SET_STR
    json_object_set_new(o, "n_respondents", json_integer(m->n_respondents));
    json_object_set_new(o, "min_cell", json_integer(m->min_cell));
    json_object_set_new(o, "dominance", json_real(m->dominance));
    if (m->calibration) {
        json_error_t jerr;
        json_t *c = json_loads(m->calibration, 0, &jerr);
        if (!c) {
            json_decref(o);
            return sv_error_set(err, SV_ERROR, NULL, 0, 0, "calibration metadata: %s",
                                jerr.text);
        }
        json_object_set_new(o, "calibration", c);
    }
    if (m->responses) {
        json_t *r = json_object();
        if (!r) {
            json_decref(o);
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        json_object_set_new(r, "which", json_string(m->responses));
        json_object_set_new(r, "review_rejected",
                            json_string(m->review_rejected ? m->review_rejected : "excluded"));
        json_object_set_new(r, "partial_left_out", json_integer(m->partial_left_out));
        json_object_set_new(r, "review_rejected_left_out", json_integer(m->rejected_left_out));
        json_object_set_new(o, "responses", r);
    }
    text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
    json_decref(o);
    if (!text)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (fputs(text, fp) == EOF || fputc('\n', fp) == EOF)
        rc = sv_error_set(err, SV_EIO, NULL, 0, 0, "write error: %s", strerror(errno));
    free(text);
    return rc;
}

/* Parse a number cell (either decimal sign); empty = NAN. */
static int parse_cell(const char *s, double *out)
{
    char buf[64], *end, *c;

    if (!*s) {
        *out = NAN;
        return 0;
    }
    if (strlen(s) >= sizeof(buf))
        return -1;
    memcpy(buf, s, strlen(s) + 1);
    if ((c = strchr(buf, ',')))
        *c = '.';
    errno = 0;
    *out = strtod(buf, &end);
    return errno || *end ? -1 : 0;
}

static int load_meta(struct sv_itable *t, const char *csv_path, struct sv_error *err)
{
    struct sv_buf p = SV_BUF_INIT;
    json_error_t jerr;
    json_t *o, *v;
    size_t n = strlen(csv_path);
    FILE *probe;

    if (n > 4 && !strcmp(csv_path + n - 4, ".csv"))
        sv_buf_add(&p, csv_path, n - 4);
    else
        sv_buf_adds(&p, csv_path);
    sv_buf_adds(&p, ".meta.json");
    probe = fopen(p.data, "rb");
    if (!probe) {
        sv_buf_release(&p);
        return 0;
    }
    fclose(probe);
    o = json_load_file(p.data, 0, &jerr);
    if (!o || !json_is_object(o)) {
        int rc = sv_error_set(err, SV_EDATA, p.data, jerr.line > 0 ? jerr.line : 0, 0, "%s",
                              o ? "metadata must be a JSON object" : jerr.text);
        json_decref(o);
        sv_buf_release(&p);
        return rc;
    }
#define GET_STR(k, field)                                                                         \
    if ((v = json_object_get(o, k)) && json_is_string(v))                                         \
    t->meta.field = sv_strdup(json_string_value(v))
    GET_STR("survey", survey);
    GET_STR("survey_version", survey_version);
    GET_STR("wave", wave);
    GET_STR("title", title);
    GET_STR("source", source);
    GET_STR("design", design);
    GET_STR("weighting", weighting);
    GET_STR("lang", lang);
    GET_STR("unit_label", unit_label);
    GET_STR("quantile_rule", quantile_rule);
    GET_STR("quantile_interval", quantile_interval);
#undef GET_STR
    if ((v = json_object_get(o, "n_respondents")) && json_is_integer(v))
        t->meta.n_respondents = (long)json_integer_value(v);
    if ((v = json_object_get(o, "min_cell")) && json_is_integer(v))
        t->meta.min_cell = (long)json_integer_value(v);
    if ((v = json_object_get(o, "dominance")) && json_is_number(v))
        t->meta.dominance = json_number_value(v);
    if ((v = json_object_get(o, "calibration")) && json_is_object(v))
        t->meta.calibration = json_dumps(v, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    json_decref(o);
    sv_buf_release(&p);
    return 0;
}

int sv_itable_load(struct sv_itable *t, const char *path, struct sv_error *err)
{
    struct sv_csv_reader rd;
    long col[NCOLS];
    size_t i, k;
    FILE *fp;
    int rc;

    sv_itable_init(t);
    fp = fopen(path, "rb");
    if (!fp)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open table: %s", strerror(errno));
    if ((rc = sv_csv_reader_init(&rd, fp, path, 0, err))) {
        fclose(fp);
        return rc;
    }
    rc = sv_csv_read(&rd, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty table: no header line");
        goto done;
    }
    for (k = 0; k < NCOLS; k++) {
        col[k] = -1;
        for (i = 0; i < rd.nfields; i++)
            if (!strcmp(rd.fields[i], header[k]))
                col[k] = (long)i;
        /* The value columns, the grouping and the flag are required; the rest have defaults. */
        if (col[k] < 0 && (k <= 5 || k == 16)) {
            rc = sv_error_set(err, SV_EDATA, path, 1, 0,
                              "not an indicator table: missing column '%s'", header[k]);
            goto done;
        }
    }
    while ((rc = sv_csv_read(&rd, err)) == 1) {
        struct sv_irow row;
        const char *cell[NCOLS];
        double num[NCOLS];

        if (rd.nfields == 1 && !rd.fields[0][0])
            continue;
        for (k = 0; k < NCOLS; k++) {
            cell[k] = col[k] >= 0 && (size_t)col[k] < rd.nfields ? rd.fields[col[k]] : "";
            num[k] = NAN;
            if ((k >= 5 && k <= 9) || k == 11 || k == 12 || k == 13 || k == 14) {
                if (parse_cell(cell[k], &num[k])) {
                    rc = sv_error_set(err, SV_EDATA, path, rd.record_line, 0,
                                      "column '%s': '%s' is not a number", header[k], cell[k]);
                    goto done;
                }
            }
        }
        if (strcmp(cell[16], "0") && strcmp(cell[16], "1")) {
            rc = sv_error_set(err, SV_EDATA, path, rd.record_line, 0,
                              "column 'suppressed': '%s' is not 0 or 1", cell[16]);
            goto done;
        }
        memset(&row, 0, sizeof(row));
        row.indicator = (char *)cell[0];
        row.label = (char *)cell[1];
        row.by = (char *)cell[2];
        row.group = (char *)cell[3];
        row.group_label = (char *)cell[4];
        row.estimate = num[5];
        row.se = num[6];
        row.ci_low = num[7];
        row.ci_high = num[8];
        row.ci_level = num[9];
        row.ci_method = (char *)cell[10];
        row.df = num[11];
        row.n = isfinite(num[12]) ? (long)num[12] : 0;
        row.n_missing = isfinite(num[13]) ? (long)num[13] : 0;
        row.population = num[14];
        row.unit = (char *)cell[15];
        row.suppressed = cell[16][0] == '1';
        row.reason = (char *)cell[17];
        if (!row.suppressed && !isfinite(row.estimate)) {
            rc = sv_error_set(err, SV_EDATA, path, rd.record_line, 0,
                              "row '%s' has no estimate but is not marked suppressed",
                              row.indicator);
            goto done;
        }
        if (sv_itable_add(t, &row)) {
            rc = sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
            goto done;
        }
    }
    if (rc == 0)
        rc = load_meta(t, path, err);
done:
    sv_csv_reader_release(&rd);
    fclose(fp);
    if (rc < 0)
        sv_itable_release(t);
    return rc < 0 ? rc : 0;
}
