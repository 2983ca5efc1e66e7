/* Records into columns: see analyse_input.h. */
#include "analyse_input.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "sv_csv.h"
#include "sv_recio.h"
#include "sv_store.h"

int analyse_data_init(struct analyse_data *d, const struct sv_survey *s, struct sv_error *err)
{
    memset(d, 0, sizeof *d);
    d->survey = s;
    sv_buf_init(&d->id_text);
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
    free(d->id_off);
    sv_buf_release(&d->id_text);
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

void analyse_default_by(const char **by, size_t *nby, const struct sv_survey *s,
                        const char *const *defaults, size_t ndefaults)
{
    for (size_t k = 0; k < ndefaults; k++) {
        const char *v = sv_survey_role(s, defaults[k]);
        if (v && *v)
            by[(*nby)++] = defaults[k];
        else
            sv_note("role '%s' is not defined: no grouping by %s", defaults[k], defaults[k]);
    }
}

const char *analyse_data_id(const struct analyse_data *d, size_t i)
{
    return d->id_text.data + d->id_off[i];
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
    size_t *ids = realloc(d->id_off, cap * sizeof *ids);
    if (!ids)
        return SV_ENOMEM;
    d->id_off = ids;
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
    d->id_off[i] = d->id_text.len;
    if (sv_buf_add(&d->id_text, rec->id ? rec->id : "?", strlen(rec->id ? rec->id : "?") + 1))
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
 * Fast acceptance of a canonical value of a wanted column: numbers written
 * plainly ("-12.5") within the variable's range, codes of the definition,
 * 0/1. Anything else goes to sv_record_check_value(), which decides and
 * words the error exactly as everywhere else.
 */
static bool plainly_valid(const struct analyse_column *col, const struct sv_column *sc,
                          const char *v)
{
    const struct sv_variable *var = col->var;
    if (sc->code || var->type == SV_TYPE_YESNO)
        return (v[0] == '0' || v[0] == '1') && v[1] == '\0';
    if (var->type == SV_TYPE_SINGLE || var->type == SV_TYPE_LIKERT) {
        for (size_t j = 0; j < var->ncodes; j++)
            if (strcmp(var->codes[j].code, v) == 0)
                return true;
        return false;
    }
    if (var->type != SV_TYPE_NUMBER && var->type != SV_TYPE_INTEGER)
        return false;
    const char *p = v;
    if (*p == '-')
        p++;
    if (!(*p >= '0' && *p <= '9'))
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        if (var->type == SV_TYPE_INTEGER || !(p[1] >= '0' && p[1] <= '9'))
            return false;
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p)
        return false;
    double x = strtod(v, NULL);
    return isfinite(x) && !(var->has_min && x < var->min) && !(var->has_max && x > var->max);
}

/* A chunked reader of one CSV file: whole records, quotes and CRLF handled. */
struct scan {
    FILE *fp;
    char *buf;
    size_t cap, len, pos;
    bool eof;
    long line; /* physical line of the next record */
};

/* Make sure buf[pos..] holds a whole record (or the rest of the file); returns its length. */
static int scan_record(struct scan *s, size_t *reclen, long *nl)
{
    for (;;) {
        /* common case: no quote before the next newline */
        const char *nlp = memchr(s->buf + s->pos, '\n', s->len - s->pos);
        if (nlp && !memchr(s->buf + s->pos, '"', (size_t)(nlp - (s->buf + s->pos)))) {
            *reclen = (size_t)(nlp - (s->buf + s->pos));
            *nl = 1;
            return 1;
        }
        bool q = false;
        long lines = 0;
        size_t i = s->pos;
        for (; i < s->len; i++) {
            char c = s->buf[i];
            if (c == '"')
                q = !q;
            else if (c == '\n') {
                lines++;
                if (!q)
                    break;
            }
        }
        if (i < s->len || (s->eof && s->pos < s->len)) {
            *reclen = i - s->pos;
            *nl = lines;
            return 1;
        }
        if (s->eof)
            return 0;
        /* refill: move the partial record to the front, grow when it fills the buffer */
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->len -= s->pos;
        s->pos = 0;
        if (s->len == s->cap) {
            char *nb = realloc(s->buf, s->cap * 2);
            if (!nb)
                return SV_ENOMEM;
            s->buf = nb;
            s->cap *= 2;
        }
        size_t got = fread(s->buf + s->len, 1, s->cap - s->len, s->fp);
        if (got == 0) {
            if (ferror(s->fp))
                return SV_EIO;
            s->eof = true;
        }
        s->len += got;
    }
}

/*
 * Split one record (not NUL-terminated, without its newline) into fields:
 * start offsets and lengths into rec; quoted fields are unquoted in place
 * ("" -> "). Returns the number of fields, at most max: the rest of the
 * record is not looked at.
 */
static size_t split_record(char *rec, size_t len, char sep, size_t *start, size_t *flen,
                           size_t max)
{
    size_t nf = 0, i = 0;
    if (len > 0 && rec[len - 1] == '\r')
        len--;
    for (;;) {
        size_t b = i, w = i;
        if (i < len && rec[i] == '"') {
            i++;
            b = w = i;
            while (i < len) {
                if (rec[i] == '"') {
                    if (i + 1 < len && rec[i + 1] == '"') {
                        rec[w++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                rec[w++] = rec[i++];
            }
            while (i < len && rec[i] != sep)
                i++; /* text after a closing quote: ignored */
        } else {
            while (i < len && rec[i] != sep)
                i++;
            w = i;
        }
        if (nf < max) {
            start[nf] = b;
            flen[nf] = w - b;
        }
        nf++;
        if (i >= len || nf >= max)
            break; /* the fields after the last one used are not looked at */
        i++; /* separator */
    }
    return nf < max ? nf : max;
}

/*
 * A normalised CSV file (either dialect: ',' or ';' guessed from the header
 * as sv_csv does, UTF-8 BOM, CRLF, quoted fields), reading only the wanted
 * columns. Each of their values is checked against the definition (quickly
 * for plain canonical values, else by sv_record_check_value, which words
 * the error). Returns 1 when the file is JSON Lines (the caller uses
 * sv_recio), 0 when loaded, or an error.
 */
static int load_csv(struct analyse_data *d, const char *path, struct sv_error *err)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!fp)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open file: %s", strerror(errno));
    int c = getc(fp);
    if (c == '{') {
        if (fp == stdin)
            return sv_error_set(err, SV_EUSAGE, path, 0, 0,
                                "JSON Lines on standard input: give a file");
        fclose(fp);
        return 1;
    }
    if (c != EOF)
        ungetc(c, fp);
    struct scan s = {fp, malloc(1 << 20), 1 << 20, 0, 0, false, 1};
    size_t maxf = 4096;
    size_t *start = malloc(maxf * sizeof *start), *flen = malloc(maxf * sizeof *flen);
    long *field_of = calloc(d->ncols + 1, sizeof *field_of);
    char *val = NULL;
    size_t valcap = 0;
    int rc = 0;
    if (!s.buf || !start || !flen || !field_of) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    size_t reclen;
    long nl;
    rc = scan_record(&s, &reclen, &nl);
    if (rc <= 0) {
        rc = rc == 0 ? sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line")
                     : sv_error_set(err, rc, path, 0, 0, "read error");
        goto out;
    }
    /* the header read as sv_csv reads it: BOM, separator, malformations */
    bool header_nl = s.pos + reclen < s.len;
    size_t skip, nheader;
    if ((rc = sv_csv_bom_check(s.buf + s.pos, reclen, &skip, path, err)))
        goto out;
    char *hdr = s.buf + s.pos + skip;
    reclen -= skip;
    if (reclen == 0 && !header_nl) {
        rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line");
        goto out;
    }
    char sep = sv_csv_guess_separator(hdr, reclen);
    if ((rc = sv_csv_record_check(hdr, reclen, sep, path, 1, &nheader, NULL, err)))
        goto out;
    size_t nf = split_record(hdr, reclen, sep, start, flen, maxf);
    long id_field = -1;
    for (size_t k = 0; k <= d->ncols; k++)
        field_of[k] = -1;
    for (size_t f = 0; f < nf; f++) {
        const char *h = hdr + start[f];
        size_t hl = flen[f];
        if (hl == 2 && memcmp(h, "id", 2) == 0)
            id_field = (long)f;
        for (size_t k = 0; k < d->ncols; k++)
            if (strlen(d->cols[k].name) == hl && memcmp(d->cols[k].name, h, hl) == 0)
                field_of[k] = (long)f;
    }
    /* a column absent under its name: the variable's name on the csv platform, as collect */
    for (size_t k = 0; k < d->ncols; k++) {
        const struct sv_column *sc = &d->schema->columns[d->cols[k].index];
        const char *pn = sc->variable->platform[SV_PLATFORM_CSV];
        if (field_of[k] >= 0 || sc->code || !pn)
            continue;
        for (size_t f = 0; f < nf; f++)
            if (strlen(pn) == flen[f] && memcmp(pn, hdr + start[f], flen[f]) == 0)
                field_of[k] = (long)f;
    }
    /* records are split up to the last field used */
    size_t need = id_field >= 0 ? (size_t)id_field + 1 : 0;
    for (size_t k = 0; k < d->ncols; k++)
        if (field_of[k] >= 0 && (size_t)field_of[k] + 1 > need)
            need = (size_t)field_of[k] + 1;
    if (need == 0)
        need = 1;
    s.pos = (size_t)(hdr - s.buf) + reclen + 1;
    if (s.pos > s.len)
        s.pos = s.len;
    s.line += nl;
    while ((rc = scan_record(&s, &reclen, &nl)) == 1) {
        char *rec = s.buf + s.pos;
        long line = s.line;
        s.line += nl;
        s.pos += reclen + 1;
        if (s.pos > s.len)
            s.pos = s.len;
        /* every record read exactly as sv_csv reads it, or refused as it refuses it */
        size_t nrec;
        bool blank;
        if ((rc = sv_csv_record_check(rec, reclen, sep, path, line, &nrec, &blank, err)))
            break;
        rc = 1;
        if (blank)
            continue; /* blank line */
        if (nrec != nheader) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "%zu fields where the header has %zu",
                              nrec, nheader);
            break;
        }
        nf = split_record(rec, reclen, sep, start, flen, need);
        if (d->nrows == d->cap && grow(d) != 0) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        size_t i = d->nrows;
        char idbuf[256] = "?", canon[64];
        if (id_field >= 0 && (size_t)id_field < nf) {
            size_t l = flen[id_field] < sizeof idbuf - 1 ? flen[id_field] : sizeof idbuf - 1;
            memcpy(idbuf, rec + start[id_field], l);
            idbuf[l] = '\0';
        }
        for (size_t k = 0; k < d->ncols && rc == 1; k++) {
            struct analyse_column *col = &d->cols[k];
            const char *v = NULL;
            if (field_of[k] >= 0 && (size_t)field_of[k] < nf) {
                size_t l = flen[field_of[k]];
                if (l + 1 > valcap) {
                    char *nv = realloc(val, l + 64);
                    if (!nv) {
                        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                        break;
                    }
                    val = nv;
                    valcap = l + 64;
                }
                memcpy(val, rec + start[field_of[k]], l);
                val[l] = '\0';
                v = val;
            }
            const struct sv_column *sc = &d->schema->columns[col->index];
            if (v && *v && !plainly_valid(col, sc, v)) {
                /*
                 * Not a plain canonical value: made canonical exactly as
                 * collect --platform csv makes it (the definition's csv code
                 * mappings, yes/no words, decimal commas, blanks), or refused
                 * with the same reason.
                 */
                int crc = sv_record_canonical(d->schema, (size_t)col->index, v, canon,
                                              sizeof canon, &v, err);
                if (crc) {
                    char vpath[SV_ERROR_PATH_MAX], text[SV_ERROR_TEXT_MAX];
                    snprintf(vpath, sizeof vpath, "%s", err ? err->path : "");
                    snprintf(text, sizeof text, "%s", err ? err->text : "invalid value");
                    rc = sv_error_set(err, crc, path, line, 0, "%s", text);
                    sv_error_set_path(err, "record '%s': %s", idbuf, vpath);
                    break;
                }
            }
            put_value(col, i, v);
        }
        if (rc != 1)
            break;
        d->id_off[i] = d->id_text.len;
        if (sv_buf_add(&d->id_text, idbuf, strlen(idbuf) + 1)) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        d->nrows++;
    }
    if (rc < 0 && err && err->code == 0)
        rc = sv_error_set(err, rc, path, 0, 0, "read error");
out:
    if (fp != stdin)
        fclose(fp);
    free(s.buf);
    free(start);
    free(flen);
    free(field_of);
    free(val);
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
        rc = sv_store_open_read(&store, store_path, d->schema, err);
        if (rc)
            return rc;
        rc = sv_store_left_out(store, d->include, &d->partial_left_out, &d->rejected_left_out,
                               err);
        if (rc == 0)
            rc = sv_store_foreach_where(store, d->include, add_record, d, err);
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
