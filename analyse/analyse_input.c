/* Records into columns: see analyse_input.h. */
#include "analyse_input.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sv_buf.h"
#include "sv_csv.h"
#include "sv_recio.h"
#include "sv_store.h"

int analyse_data_init(struct analyse_data *d, const struct sv_survey *s, struct sv_error *err)
{
    memset(d, 0, sizeof *d);
    d->survey = s;
    return sv_schema_new(&d->schema, s, err);
}

void analyse_data_release(struct analyse_data *d)
{
    for (size_t c = 0; c < d->ncols; c++) {
        free(d->cols[c].name);
        free(d->cols[c].num);
        free(d->cols[c].code);
    }
    free(d->cols);
    for (size_t i = 0; i < d->nrows; i++)
        free(d->ids[i]);
    free(d->ids);
    free(d->source);
    sv_schema_free(d->schema);
    memset(d, 0, sizeof *d);
}

int analyse_role(const char **out, const struct sv_survey *s, const char *role,
                 struct sv_error *err)
{
    *out = sv_survey_role(s, role);
    if (!*out || !**out)
        return sv_error_set(err, SV_EDATA, s->file, 0, 0,
                            "survey '%s' defines no role '%s'", s->id, role);
    return 0;
}

const struct analyse_column *analyse_data_col(const struct analyse_data *d, const char *name)
{
    for (size_t c = 0; c < d->ncols; c++)
        if (strcmp(d->cols[c].name, name) == 0)
            return &d->cols[c];
    return NULL;
}

int analyse_data_want(struct analyse_data *d, const char *name, enum analyse_col_kind kind,
                      struct sv_error *err)
{
    const struct analyse_column *have = analyse_data_col(d, name);
    if (have) {
        if (have->kind != kind)
            return sv_error_set(err, SV_EDATA, d->survey->file, 0, 0,
                                "variable '%s' is used both as a number and as a code", name);
        return 0;
    }
    long idx = sv_schema_index(d->schema, name);
    if (idx < 0)
        return sv_error_set(err, SV_EDATA, d->survey->file, 0, 0,
                            "survey '%s' has no variable '%s'", d->survey->id, name);
    const struct sv_column *sc = &d->schema->columns[idx];
    const struct sv_variable *v = sc->variable;
    if (kind == ANALYSE_COL_CODE && (sc->code || v->type != SV_TYPE_SINGLE))
        return sv_error_set(err, SV_EDATA, d->survey->file, 0, 0,
                            "variable '%s' is not a single-choice variable", name);
    if (kind == ANALYSE_COL_NUMBER && !sc->code &&
        (v->type == SV_TYPE_SINGLE || v->type == SV_TYPE_TEXT || v->type == SV_TYPE_DATE))
        return sv_error_set(err, SV_EDATA, d->survey->file, 0, 0,
                            "variable '%s' (%s) is not numeric", name, sv_var_type_name(v->type));
    struct analyse_column *nc = realloc(d->cols, (d->ncols + 1) * sizeof *nc);
    if (!nc)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    d->cols = nc;
    struct analyse_column *c = &d->cols[d->ncols];
    memset(c, 0, sizeof *c);
    c->name = sv_strdup(name);
    if (!c->name)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    c->kind = kind;
    c->index = idx;
    c->var = v;
    d->ncols++;
    return 0;
}

static int grow(struct analyse_data *d)
{
    size_t cap = d->cap ? d->cap * 2 : 1024;
    char **ids = realloc(d->ids, cap * sizeof *ids);
    if (!ids)
        return SV_ENOMEM;
    d->ids = ids;
    for (size_t c = 0; c < d->ncols; c++) {
        struct analyse_column *col = &d->cols[c];
        if (col->kind == ANALYSE_COL_NUMBER) {
            double *p = realloc(col->num, cap * sizeof *p);
            if (!p)
                return SV_ENOMEM;
            col->num = p;
        } else {
            size_t *p = realloc(col->code, cap * sizeof *p);
            if (!p)
                return SV_ENOMEM;
            col->code = p;
        }
    }
    d->cap = cap;
    return 0;
}

static int add_record(const struct sv_record *rec, void *ctx_)
{
    struct analyse_data *d = ctx_;
    if (d->nrows == d->cap && grow(d) != 0)
        return SV_ENOMEM;
    size_t i = d->nrows;
    d->ids[i] = sv_strdup(rec->id ? rec->id : "?");
    if (!d->ids[i])
        return SV_ENOMEM;
    for (size_t c = 0; c < d->ncols; c++) {
        struct analyse_column *col = &d->cols[c];
        const char *v = rec->values[col->index];
        if (col->kind == ANALYSE_COL_NUMBER) {
            double x = NAN;
            if (v && *v) {
                char *end;
                x = strtod(v, &end);
                if (*end)
                    x = NAN; /* canonical values are checked on the way in */
            }
            col->num[i] = x;
        } else {
            size_t k = ANALYSE_NO_GROUP;
            if (v && *v) {
                for (size_t j = 0; j < col->var->ncodes; j++)
                    if (strcmp(col->var->codes[j].code, v) == 0) {
                        k = j;
                        break;
                    }
            }
            col->code[i] = k;
        }
    }
    d->nrows++;
    return 0;
}

/* Store the text value of wanted column c for row i (already checked). */
static void put_value(struct analyse_column *col, size_t i, const char *v)
{
    if (col->kind == ANALYSE_COL_NUMBER) {
        double x = NAN;
        if (v && *v) {
            char *end;
            x = strtod(v, &end);
            if (*end)
                x = NAN;
        }
        col->num[i] = x;
        return;
    }
    size_t k = ANALYSE_NO_GROUP;
    if (v && *v)
        for (size_t j = 0; j < col->var->ncodes; j++)
            if (strcmp(col->var->codes[j].code, v) == 0) {
                k = j;
                break;
            }
    col->code[i] = k;
}

/*
 * A normalised CSV file (either dialect), reading only the wanted columns:
 * each of their values is checked against the definition exactly as
 * sv_recio does (sv_record_check_value), the other columns are skipped, so
 * a million rows read in seconds. Returns 1 when the file is not CSV (JSON
 * Lines: the caller uses sv_recio), 0 when loaded, or an error.
 */
static int load_csv(struct analyse_data *d, const char *path, struct sv_error *err)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fp)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open file: %s", strerror(errno));
    int c = getc(fp);
    if (c == '{') {
        if (fp != stdin)
            fclose(fp);
        else
            ungetc(c, fp);
        return fp == stdin ? sv_error_set(err, SV_EUSAGE, path, 0, 0,
                                          "JSON Lines on standard input: give a file")
                           : 1;
    }
    if (c != EOF)
        ungetc(c, fp);
    struct sv_csv_reader r;
    long *field_of = calloc(d->ncols + 1, sizeof *field_of);
    if (!field_of) {
        if (fp != stdin)
            fclose(fp);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = sv_csv_reader_init(&r, fp, path, 0, err);
    if (rc) {
        free(field_of);
        if (fp != stdin)
            fclose(fp);
        return rc;
    }
    rc = sv_csv_read(&r, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line");
        goto out;
    }
    long id_field = -1;
    for (size_t k = 0; k <= d->ncols; k++)
        field_of[k] = -1;
    for (size_t f = 0; f < r.nfields; f++) {
        if (strcmp(r.fields[f], "id") == 0)
            id_field = (long)f;
        for (size_t k = 0; k < d->ncols; k++)
            if (strcmp(r.fields[f], d->cols[k].name) == 0)
                field_of[k] = (long)f;
    }
    char num[128];
    while ((rc = sv_csv_read(&r, err)) == 1) {
        if (r.nfields == 1 && r.fields[0][0] == '\0')
            continue; /* blank line */
        if (d->nrows == d->cap && grow(d) != 0) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        size_t i = d->nrows;
        const char *id = id_field >= 0 && (size_t)id_field < r.nfields ? r.fields[id_field] : "?";
        for (size_t k = 0; k < d->ncols && rc == 1; k++) {
            struct analyse_column *col = &d->cols[k];
            const char *v = field_of[k] >= 0 && (size_t)field_of[k] < r.nfields
                                ? r.fields[field_of[k]]
                                : NULL;
            /* excel-fr decimal comma */
            if (v && col->kind == ANALYSE_COL_NUMBER && strchr(v, ',') && strlen(v) < sizeof num) {
                strcpy(num, v);
                *strchr(num, ',') = '.';
                v = num;
            }
            int crc = sv_record_check_value(d->schema, (size_t)col->index, v, err);
            if (crc) {
                char vpath[SV_ERROR_PATH_MAX], text[SV_ERROR_TEXT_MAX];
                snprintf(vpath, sizeof vpath, "%s", err ? err->path : "");
                snprintf(text, sizeof text, "%s", err ? err->text : "invalid value");
                rc = sv_error_set(err, crc, path, r.record_line, 0, "%s", text);
                sv_error_set_path(err, "record '%s': %s", id, vpath);
                break;
            }
            put_value(col, i, v);
        }
        if (rc != 1)
            break;
        d->ids[i] = sv_strdup(id);
        if (!d->ids[i]) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        d->nrows++;
    }
out:
    sv_csv_reader_release(&r);
    if (fp != stdin)
        fclose(fp);
    free(field_of);
    return rc < 0 ? rc : 0;
}

int analyse_data_load(struct analyse_data *d, const char *store_path, const char *data_path,
                      struct sv_error *err)
{
    int rc;
    const char *path = store_path ? store_path : data_path;
    free(d->source);
    d->source = sv_strdup(path);
    if (store_path) {
        struct stat st;
        if (stat(store_path, &st) != 0)
            return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, store_path, 0, 0,
                                "cannot open store: %s", strerror(errno));
        struct sv_store *store = NULL;
        rc = sv_store_open(&store, store_path, d->schema, err);
        if (rc)
            return rc;
        rc = sv_store_foreach(store, add_record, d, err);
        sv_store_close(store);
        if (rc == SV_ENOMEM)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        return rc;
    }
    rc = load_csv(d, data_path, err);
    if (rc != 1)
        return rc;
    struct sv_recio_reader *r = NULL;
    rc = sv_recio_reader_open(&r, data_path, d->schema, err);
    if (rc)
        return rc;
    const struct sv_record *rec;
    while ((rc = sv_recio_read(r, &rec, err)) == 1) {
        if (add_record(rec, d) != 0) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
    }
    sv_recio_reader_free(r);
    return rc < 0 ? rc : 0;
}
