/*
 * sv_recio: normalised records in CSV (plain, excel-fr) and JSON Lines.
 * Tests: tests/core/test_recio.c.
 */
#include "sv_recio.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "sv_buf.h"
#include "sv_json.h"

int sv_recio_format_parse(const char *s, enum sv_recio_format *out)
{
    if (!strcmp(s, "csv") || !strcmp(s, "plain"))
        *out = SV_RECIO_CSV;
    else if (!strcmp(s, "excel-fr"))
        *out = SV_RECIO_EXCEL_FR;
    else if (!strcmp(s, "jsonl"))
        *out = SV_RECIO_JSONL;
    else
        return SV_EUSAGE;
    return 0;
}

static enum sv_csv_cell cell_kind(const struct sv_column *c)
{
    if (c->code)
        return SV_CELL_NUMBER;
    switch (c->variable->type) {
    case SV_TYPE_INTEGER:
    case SV_TYPE_NUMBER:
    case SV_TYPE_YESNO:
        return SV_CELL_NUMBER;
    case SV_TYPE_TEXT:
        return c->variable->personal == SV_PERSONAL_HASH ? SV_CELL_CODE : SV_CELL_TEXT;
    default:
        return SV_CELL_CODE;
    }
}

static bool is_numeric_column(const struct sv_column *c)
{
    return c->code || c->variable->type == SV_TYPE_INTEGER ||
           c->variable->type == SV_TYPE_NUMBER || c->variable->type == SV_TYPE_YESNO;
}

int sv_recio_writer_init(struct sv_recio_writer *w, FILE *fp, const struct sv_schema *schema,
                         enum sv_recio_format format, struct sv_error *err)
{
    size_t i;

    memset(w, 0, sizeof(*w));
    w->schema = schema;
    w->format = format;
    w->fp = fp;
    if (format == SV_RECIO_JSONL)
        return 0;
    sv_csv_writer_init(&w->csv, fp, format == SV_RECIO_EXCEL_FR ? SV_CSV_EXCEL_FR : SV_CSV_PLAIN);
    sv_csv_cell(&w->csv, "source", SV_CELL_CODE);
    sv_csv_cell(&w->csv, "id", SV_CELL_CODE);
    sv_csv_cell(&w->csv, "submitted", SV_CELL_CODE);
    for (i = 0; i < schema->ncolumns; i++)
        sv_csv_cell(&w->csv, schema->columns[i].name, SV_CELL_CODE);
    if (sv_csv_end_record(&w->csv))
        return sv_error_set(err, SV_EIO, NULL, 0, 0, "write error");
    return 0;
}

int sv_recio_write(struct sv_recio_writer *w, const struct sv_record *r, struct sv_error *err)
{
    size_t i;

    if (w->format == SV_RECIO_JSONL) {
        struct sv_buf b = SV_BUF_INIT;
        int rc = 0;

        rc |= sv_buf_adds(&b, "{\"source\":");
        rc |= sv_json_add_string(&b, r->source);
        rc |= sv_buf_adds(&b, ",\"id\":");
        rc |= sv_json_add_string(&b, r->id);
        rc |= sv_buf_adds(&b, ",\"submitted\":");
        rc |= sv_json_add_string(&b, r->submitted);
        for (i = 0; i < w->schema->ncolumns; i++) {
            const struct sv_column *c = &w->schema->columns[i];
            rc |= sv_buf_addc(&b, ',');
            rc |= sv_json_add_string(&b, c->name);
            rc |= sv_buf_addc(&b, ':');
            if (r->values[i] && is_numeric_column(c))
                rc |= sv_buf_adds(&b, r->values[i]);
            else
                rc |= sv_json_add_string(&b, r->values[i]);
        }
        rc |= sv_buf_adds(&b, "}\n");
        if (rc) {
            sv_buf_release(&b);
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (fwrite(b.data, 1, b.len, w->fp) != b.len) {
            sv_buf_release(&b);
            return sv_error_set(err, SV_EIO, NULL, 0, 0, "write error: %s", strerror(errno));
        }
        sv_buf_release(&b);
        return 0;
    }
    sv_csv_cell(&w->csv, r->source, SV_CELL_TEXT);
    sv_csv_cell(&w->csv, r->id, SV_CELL_TEXT);
    sv_csv_cell(&w->csv, r->submitted, SV_CELL_CODE);
    for (i = 0; i < w->schema->ncolumns; i++)
        sv_csv_cell(&w->csv, r->values[i], cell_kind(&w->schema->columns[i]));
    if (sv_csv_end_record(&w->csv))
        return sv_error_set(err, SV_EIO, NULL, 0, 0, "write error: %s", strerror(errno));
    return 0;
}

struct sv_recio_reader {
    FILE *fp;
    char *path;
    const struct sv_schema *schema;
    bool json;
    long line;
    struct sv_csv_reader csv;
    long *map; /* CSV column -> schema column; -1 ignore, -2 source, -3 id, -4 submitted */
    size_t nmap;
    struct sv_record *rec;
    char *linebuf;
    size_t linecap;
};

#define COL_SOURCE (-2)
#define COL_ID (-3)
#define COL_SUBMITTED (-4)

int sv_recio_reader_open(struct sv_recio_reader **out, const char *path,
                         const struct sv_schema *schema, struct sv_error *err)
{
    struct sv_recio_reader *r;
    int c, rc;
    size_t i;

    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (!r)
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    r->schema = schema;
    r->path = sv_strdup(path);
    r->fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!r->fp) {
        rc = sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                          "cannot open file: %s", strerror(errno));
        free(r->path);
        free(r);
        return rc;
    }
    if ((rc = sv_record_new(&r->rec, schema))) {
        sv_recio_reader_free(r);
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    }
    c = getc(r->fp);
    if (c != EOF)
        ungetc(c, r->fp);
    if (c == '{') {
        r->json = true;
        *out = r;
        return 0;
    }
    if ((rc = sv_csv_reader_init(&r->csv, r->fp, path, 0, err))) {
        sv_recio_reader_free(r);
        return rc;
    }
    rc = sv_csv_read(&r->csv, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line");
        sv_recio_reader_free(r);
        return rc;
    }
    r->nmap = r->csv.nfields;
    r->map = calloc(r->nmap + 1, sizeof(*r->map));
    if (!r->map) {
        sv_recio_reader_free(r);
        return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    }
    for (i = 0; i < r->nmap; i++) {
        const char *h = r->csv.fields[i];
        if (!strcmp(h, "source"))
            r->map[i] = COL_SOURCE;
        else if (!strcmp(h, "id"))
            r->map[i] = COL_ID;
        else if (!strcmp(h, "submitted"))
            r->map[i] = COL_SUBMITTED;
        else
            r->map[i] = sv_schema_index(schema, h);
    }
    /* a column absent under its own name: under its csv platform name, as collect reads it */
    for (i = 0; i < r->nmap; i++) {
        size_t j;
        long col;
        bool named = false;

        if (r->map[i] != -1 || (col = sv_schema_csv_column(schema, r->csv.fields[i])) < 0)
            continue;
        for (j = 0; j < r->nmap; j++)
            named = named || r->map[j] == col;
        if (!named)
            r->map[i] = col;
    }
    *out = r;
    return 0;
}

/* Store a value read from a file, with decimal commas turned into points. */
static int store_value(struct sv_recio_reader *r, size_t col, const char *value, long line,
                       struct sv_error *err)
{
    char buf[128];
    int rc;

    if (value && *value && is_numeric_column(&r->schema->columns[col]) && strchr(value, ',') &&
        strlen(value) < sizeof(buf)) {
        memcpy(buf, value, strlen(value) + 1);
        *strchr(buf, ',') = '.';
        value = buf;
    }
    rc = sv_record_check_value(r->schema, col, value, err);
    if (rc == SV_EDATA) {
        /* not canonical: made canonical as collect --platform csv makes it (the csv code
           mappings, yes/no words, blanks), else refused with the check's reason */
        char canon[64];
        const char *cv;
        struct sv_error cerr;

        sv_error_clear(&cerr);
        if (sv_record_canonical(r->schema, col, value, canon, sizeof(canon), &cv, &cerr) == 0) {
            if (sv_record_set(r->rec, col, cv))
                return sv_error_set(err, SV_ENOMEM, r->path, line, 0, "out of memory");
            return 0;
        }
    }
    if (rc) {
        char path[SV_ERROR_PATH_MAX], text[SV_ERROR_TEXT_MAX];
        snprintf(path, sizeof(path), "%s", err ? err->path : "");
        snprintf(text, sizeof(text), "%s", err ? err->text : "invalid value");
        sv_error_set(err, rc, r->path, line, 0, "%s", text);
        sv_error_set_path(err, "record '%s': %s", r->rec->id ? r->rec->id : "?", path);
        return rc;
    }
    if (sv_record_set(r->rec, col, value && *value ? value : NULL))
        return sv_error_set(err, SV_ENOMEM, r->path, line, 0, "out of memory");
    return 0;
}

static void reset_record(struct sv_record *rec)
{
    size_t i;

    for (i = 0; i < rec->nvalues; i++) {
        free(rec->values[i]);
        rec->values[i] = NULL;
    }
    free(rec->source);
    free(rec->id);
    free(rec->submitted);
    rec->source = rec->id = rec->submitted = NULL;
}

static int read_json(struct sv_recio_reader *r, struct sv_error *err)
{
    ssize_t n;
    json_t *obj;
    json_error_t jerr;
    const char *key;
    json_t *val;

    for (;;) {
        n = getline(&r->linebuf, &r->linecap, r->fp);
        if (n < 0)
            return ferror(r->fp) ? sv_error_set(err, SV_EIO, r->path, r->line, 0, "read error")
                                 : 0;
        r->line++;
        if (strspn(r->linebuf, " \t\r\n") != (size_t)n)
            break;
    }
    obj = json_loads(r->linebuf, 0, &jerr);
    if (!obj || !json_is_object(obj)) {
        json_decref(obj);
        return sv_error_set(err, SV_EDATA, r->path, r->line, obj ? 0 : jerr.column,
                            "%s", obj ? "a record must be a JSON object" : jerr.text);
    }
    reset_record(r->rec);
    json_object_foreach(obj, key, val)
    {
        char num[64];
        const char *s = NULL;
        long col;

        if (json_is_string(val))
            s = json_string_value(val);
        else if (json_is_integer(val))
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(val)), s = num;
        else if (json_is_real(val))
            snprintf(num, sizeof(num), "%.15g", json_real_value(val)), s = num;
        else if (!json_is_null(val)) {
            /* the message first: `key` belongs to obj (fuzz_csv_readers found the use after free) */
            int rc = sv_error_set(err, SV_EDATA, r->path, r->line, 0,
                                  "field '%s' must be a string, a number or null", key);
            json_decref(obj);
            return rc;
        }
        if (!strcmp(key, "source"))
            r->rec->source = sv_strdup(s);
        else if (!strcmp(key, "id"))
            r->rec->id = sv_strdup(s);
        else if (!strcmp(key, "submitted"))
            r->rec->submitted = sv_strdup(s);
        else if ((col = sv_schema_index(r->schema, key)) >= 0 ||
                 (col = sv_schema_csv_column(r->schema, key)) >= 0) {
            if (store_value(r, (size_t)col, s, r->line, err)) {
                json_decref(obj);
                return SV_EDATA;
            }
        }
    }
    json_decref(obj);
    return 1;
}

long sv_recio_record_line(const struct sv_recio_reader *r)
{
    return r->json ? r->line : r->csv.record_line;
}

int sv_recio_read(struct sv_recio_reader *r, const struct sv_record **rec, struct sv_error *err)
{
    size_t i;
    int rc;

    *rec = NULL;
    if (r->json) {
        rc = read_json(r, err);
        if (rc == 1)
            *rec = r->rec;
        return rc;
    }
    do {
        rc = sv_csv_read(&r->csv, err);
        if (rc <= 0)
            return rc;
    } while (r->csv.nfields == 1 && !r->csv.fields[0][0]);
    if (r->csv.nfields != r->nmap)
        return sv_error_set(err, SV_EDATA, r->path, r->csv.record_line, 0,
                            "%zu fields where the header has %zu", r->csv.nfields, r->nmap);
    reset_record(r->rec);
    /* a column named twice: the last one wins (the first value freed, not leaked) */
    for (i = 0; i < r->nmap; i++)
        if (r->map[i] == COL_ID) {
            free(r->rec->id);
            r->rec->id = sv_strdup(r->csv.fields[i]);
        }
    for (i = 0; i < r->nmap; i++) {
        const char *v = r->csv.fields[i];
        if (r->map[i] == COL_SOURCE) {
            free(r->rec->source);
            r->rec->source = sv_strdup(v);
        } else if (r->map[i] == COL_SUBMITTED) {
            free(r->rec->submitted);
            r->rec->submitted = *v ? sv_strdup(v) : NULL;
        } else if (r->map[i] >= 0 && store_value(r, (size_t)r->map[i], v, r->csv.record_line, err))
            return SV_EDATA;
    }
    *rec = r->rec;
    return 1;
}

void sv_recio_reader_free(struct sv_recio_reader *r)
{
    if (!r)
        return;
    if (!r->json && r->csv.source)
        sv_csv_reader_release(&r->csv);
    if (r->fp && r->fp != stdin)
        fclose(r->fp);
    sv_record_free(r->rec);
    free(r->map);
    free(r->path);
    free(r->linebuf);
    free(r);
}
