/* The CSV readers side by side: see readers_diff.h. */
#include "readers_diff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyse_input.h"
#include "analyse_stream.h"
#include "pay_fastcsv.h"
#include "sv_recio.h"

static void put_error(struct sv_buf *out, const struct sv_error *err)
{
    char tmp[2048];
    sv_buf_reset(out);
    snprintf(tmp, sizeof tmp, "error %s:%ld:%ld: %s", err->source, err->line, err->column,
             err->text);
    sv_buf_adds(out, tmp);
}

static void put_row(struct sv_buf *out, const char *id, const char *region, double y)
{
    char tmp[512];
    if (isnan(y))
        snprintf(tmp, sizeof tmp, "%s|%s|\n", id, region ? region : "");
    else
        snprintf(tmp, sizeof tmp, "%s|%s|%.17g\n", id, region ? region : "", y);
    sv_buf_adds(out, tmp);
}

static double num(const char *v)
{
    char buf[64];
    if (!v || !*v)
        return NAN;
    snprintf(buf, sizeof buf, "%s", v);
    char *c = strchr(buf, ',');
    if (c)
        *c = '.';
    return strtod(buf, NULL);
}

void readers_core(struct sv_buf *out, const char *path, const struct sv_schema *schema)
{
    struct sv_error err;
    struct sv_recio_reader *r = NULL;
    const struct sv_record *rec;
    long ir = sv_schema_index(schema, "region"), iy = sv_schema_index(schema, "etp_vac_as");
    sv_error_clear(&err);
    sv_buf_reset(out);
    sv_buf_adds(out, "");
    int rc = sv_recio_reader_open(&r, path, schema, &err);
    while (rc == 0 && (rc = sv_recio_read(r, &rec, &err)) == 1) {
        put_row(out, rec->id ? rec->id : "?", rec->values[ir], num(rec->values[iy]));
        rc = 0;
    }
    if (rc < 0)
        put_error(out, &err);
    sv_recio_reader_free(r);
}

void readers_rows(struct sv_buf *out, const char *path, const struct sv_survey *survey)
{
    struct sv_error err;
    struct analyse_data d;
    sv_error_clear(&err);
    sv_buf_reset(out);
    sv_buf_adds(out, "");
    if (analyse_data_init(&d, survey, &err) || analyse_data_want(&d, "region", ANALYSE_COL_CODE, &err) ||
        analyse_data_want(&d, "etp_vac_as", ANALYSE_COL_NUMBER, &err)) {
        put_error(out, &err);
        analyse_data_release(&d);
        return;
    }
    if (analyse_data_load(&d, NULL, path, &err) < 0) {
        put_error(out, &err);
    } else {
        const struct analyse_column *g = analyse_data_col(&d, "region"),
                                   *y = analyse_data_col(&d, "etp_vac_as");
        for (size_t i = 0; i < d.nrows; i++)
            put_row(out, analyse_data_id(&d, i),
                    g->code[i] == ANALYSE_NO_GROUP ? NULL : g->var->codes[g->code[i]].code,
                    y->num[i]);
    }
    analyse_data_release(&d);
}

static int pay_row(char **vals, long line, const char *id, void *ctx)
{
    (void)line;
    put_row(ctx, id, vals[0], num(vals[1]));
    return 0;
}

bool readers_pay(struct sv_buf *out, const char *path)
{
    static const char *const names[2] = {"region", "etp_vac_as"};
    struct sv_error err;
    sv_error_clear(&err);
    sv_buf_reset(out);
    sv_buf_adds(out, "");
    int rc = pay_fastcsv_read(path, names, NULL, 2, pay_row, out, &err);
    if (rc == PAY_FASTCSV_DECLINED)
        return false;
    if (rc < 0)
        put_error(out, &err);
    return true;
}

static const char *const region_codes[] = {"r1", "r2", "r3", ""};

static void put_groups(struct sv_buf *out, const double *n, const double *m, const double *s)
{
    for (size_t k = 0; k < 4; k++) {
        char tmp[128];
        if (n[k] > 0) {
            snprintf(tmp, sizeof tmp, "%s:%g:%g:%.6g\n", region_codes[k], n[k], m[k], s[k]);
            sv_buf_adds(out, tmp);
        }
    }
}

void readers_aggregate(struct sv_buf *out, const char *rows)
{
    double n[4] = {0}, m[4] = {0}, s[4] = {0};
    sv_buf_reset(out);
    if (strncmp(rows, "error", 5) == 0) {
        sv_buf_adds(out, rows);
        return;
    }
    sv_buf_adds(out, "");
    for (const char *p = rows; *p;) {
        const char *nl = strchr(p, '\n'), *bar2 = nl;
        while (bar2 > p && bar2[-1] != '|')
            bar2--; /* the last '|' of the line: ids may hold '|' */
        const char *bar = bar2 - 1;
        while (bar > p && bar[-1] != '|')
            bar--;
        size_t len = (size_t)(bar2 - 1 - bar), k = 0;
        while (k < 3 && (strlen(region_codes[k]) != len || strncmp(region_codes[k], bar, len)))
            k++;
        n[k]++;
        if (nl > bar2) {
            m[k]++;
            s[k] += strtod(bar2, NULL);
        }
        p = nl + 1;
    }
    put_groups(out, n, m, s);
}

bool readers_stream(struct sv_buf *out, const char *path, const struct sv_survey *survey,
                    const struct sv_schema *schema, int threads)
{
    struct sv_error err;
    const char *dims[] = {"region"};
    struct analyse_stream_spec spec = {survey, schema, path, ANALYSE_W_NONE, "etp_vac_as", false,
                                       NULL, dims, 1, threads, NULL, NULL};
    struct analyse_stream st;
    sv_error_clear(&err);
    sv_buf_reset(out);
    sv_buf_adds(out, "");
    int rc = analyse_stream_read(&st, &spec, &err);
    if (rc == 1)
        return false;
    if (rc < 0) {
        if (strcmp(err.text, "no responses to analyse") != 0) /* the rows have none either */
            put_error(out, &err);
        return true;
    }
    double n[4] = {0}, m[4] = {0}, s[4] = {0};
    for (size_t i = 0; i < st.nslots; i++) {
        size_t c = st.dim_code[i], k = c == ANALYSE_NO_GROUP ? 3 : c;
        n[k] += st.mom[i].n;
        m[k] += st.mom[i].m;
        s[k] += (double)st.mom[i].sabs;
    }
    put_groups(out, n, m, s);
    analyse_stream_release(&st);
    return true;
}

bool readers_csv_error(const char *result)
{
    /* the whole text, not a part of it: a refused value may quote these words */
    static const char *const starts[] = {"unterminated quoted field", "stray quote in unquoted field ",
                                         "text after closing quote in field ", "NUL byte in field ",
                                         "carriage return without line feed in field ",
                                         "invalid UTF-8 byte order mark", "empty file: no header line"};
    if (strncmp(result, "error", 5) != 0)
        return false;
    const char *text = strstr(result, ": "); /* after "error file:line:column" */
    if (!text)
        return false;
    text += 2;
    for (size_t i = 0; i < sizeof starts / sizeof *starts; i++)
        if (strncmp(text, starts[i], strlen(starts[i])) == 0)
            return true;
    size_t a, b;
    int n = 0;
    if (sscanf(text, "%zu fields where the header has %zu%n", &a, &b, &n) == 2 && text[n] == '\0')
        return true;
    return sscanf(text, "field %zu is not UTF-8 text%n", &a, &n) == 1 && n > 0;
}
