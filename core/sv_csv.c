/*
 * sv_csv: streaming RFC 4180 CSV reader and writer, with the excel-fr dialect
 * (';', decimal comma, UTF-8 BOM, CRLF). Tests: tests/core/test_csv.c.
 */
#include "sv_csv.h"

#include <stdlib.h>
#include <string.h>

int sv_csv_dialect_parse(const char *name, enum sv_csv_dialect *out)
{
    if (!strcmp(name, "plain") || !strcmp(name, "csv")) {
        *out = SV_CSV_PLAIN;
        return 0;
    }
    if (!strcmp(name, "excel-fr")) {
        *out = SV_CSV_EXCEL_FR;
        return 0;
    }
    return SV_EUSAGE;
}

/* Next input byte: first from the look-ahead buffer, then from the stream. */
static int next_byte(struct sv_csv_reader *r)
{
    r->last_pending = r->pending_pos < r->pending.len;
    if (r->last_pending)
        return (unsigned char)r->pending.data[r->pending_pos++];
    /* The reader owns its stream: no other thread reads it, so skip the lock. */
    return getc_unlocked(r->fp);
}

static void unread_byte(struct sv_csv_reader *r, int c)
{
    if (c == EOF)
        return;
    if (r->last_pending)
        r->pending_pos--;
    else
        ungetc(c, r->fp);
}

/*
 * Guess the separator from the first record (quoted newlines included)
 * without losing it: the bytes read stay in the look-ahead buffer, so this
 * works on pipes too.
 */
static void guess_separator(struct sv_csv_reader *r)
{
    size_t commas = 0, semis = 0, tabs = 0;
    bool inq = false;
    int c;

    while ((c = getc(r->fp)) != EOF) {
        if (sv_buf_addc(&r->pending, (char)c))
            break;
        if (c == '"')
            inq = !inq;
        else if (!inq && c == ',')
            commas++;
        else if (!inq && c == ';')
            semis++;
        else if (!inq && c == '\t')
            tabs++;
        else if (!inq && c == '\n')
            break;
        if (r->pending.len > (1u << 20))
            break;
    }
    r->sep = semis > commas ? ';' : ',';
    if (tabs > commas && tabs > semis)
        r->sep = '\t';
}

int sv_csv_reader_init(struct sv_csv_reader *r, FILE *fp, const char *source, char sep,
                       struct sv_error *err)
{
    int c1, c2, c3;

    memset(r, 0, sizeof(*r));
    r->fp = fp;
    r->source = sv_strdup(source ? source : "-");
    r->line = 1;
    sv_buf_init(&r->field);
    sv_buf_init(&r->store);
    if (!r->source)
        return sv_error_set(err, SV_ENOMEM, source, 0, 0, "out of memory");
    /* Skip a UTF-8 BOM. */
    c1 = getc(fp);
    if (c1 == 0xEF) {
        c2 = getc(fp);
        c3 = getc(fp);
        if (c2 != 0xBB || c3 != 0xBF)
            return sv_error_set(err, SV_EDATA, r->source, 1, 1, "invalid UTF-8 byte order mark");
    } else if (c1 != EOF) {
        ungetc(c1, fp);
    }
    sv_buf_init(&r->pending);
    r->pending_pos = 0;
    r->sep = sep;
    if (sep == 0)
        guess_separator(r);
    return 0;
}

static int push_field(struct sv_csv_reader *r)
{
    if (r->nfields == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        size_t *o = realloc(r->offsets, cap * sizeof(*o));
        if (!o)
            return SV_ENOMEM;
        r->offsets = o;
        char **f = realloc(r->fields, cap * sizeof(*f));
        if (!f)
            return SV_ENOMEM;
        r->fields = f;
        r->cap = cap;
    }
    r->offsets[r->nfields++] = r->store.len;
    if (sv_buf_add(&r->store, r->field.data, r->field.len + 1))
        return SV_ENOMEM;
    sv_buf_reset(&r->field);
    return 0;
}

int sv_csv_read(struct sv_csv_reader *r, struct sv_error *err)
{
    int c;
    bool inq = false, was_quoted = false, any = false;
    long col = 1;
    size_t i;

    r->nfields = 0;
    sv_buf_reset(&r->store);
    sv_buf_reset(&r->field);
    r->record_line = r->line;
    for (;;) {
        c = next_byte(r);
        if (c == EOF) {
            if (ferror(r->fp))
                return sv_error_set(err, SV_EIO, r->source, r->line, 0, "read error");
            if (inq)
                return sv_error_set(err, SV_EDATA, r->source, r->record_line, 0,
                                    "unterminated quoted field");
            if (!any)
                return 0;
            break;
        }
        any = true;
        if (inq) {
            if (c == '"') {
                int d = next_byte(r);
                if (d == '"') {
                    if (sv_buf_addc(&r->field, '"'))
                        return SV_ENOMEM;
                    continue;
                }
                inq = false;
                if (d != EOF)
                    unread_byte(r, d);
                continue;
            }
            if (c == '\n')
                r->line++;
            if (sv_buf_addc(&r->field, (char)c))
                return sv_error_set(err, SV_ENOMEM, r->source, r->line, 0, "out of memory");
            continue;
        }
        if (c == '"') {
            if (r->field.len == 0 && !was_quoted) {
                inq = true;
                was_quoted = true;
                continue;
            }
            return sv_error_set(err, SV_EDATA, r->source, r->line, col,
                                "stray quote in unquoted field %zu", r->nfields + 1);
        }
        if (c == r->sep) {
            if (push_field(r))
                return sv_error_set(err, SV_ENOMEM, r->source, r->line, 0, "out of memory");
            was_quoted = false;
            col++;
            continue;
        }
        if (c == '\r') {
            int d = next_byte(r);
            if (d != '\n' && d != EOF)
                unread_byte(r, d);
            c = '\n';
        }
        if (c == '\n') {
            r->line++;
            break;
        }
        if (was_quoted)
            return sv_error_set(err, SV_EDATA, r->source, r->line, col,
                                "text after closing quote in field %zu", r->nfields + 1);
        if (sv_buf_addc(&r->field, (char)c))
            return sv_error_set(err, SV_ENOMEM, r->source, r->line, 0, "out of memory");
    }
    if (push_field(r))
        return sv_error_set(err, SV_ENOMEM, r->source, r->line, 0, "out of memory");
    for (i = 0; i < r->nfields; i++)
        r->fields[i] = r->store.data + r->offsets[i];
    return 1;
}

void sv_csv_reader_release(struct sv_csv_reader *r)
{
    free(r->source);
    free(r->fields);
    free(r->offsets);
    sv_buf_release(&r->field);
    sv_buf_release(&r->store);
    sv_buf_release(&r->pending);
    memset(r, 0, sizeof(*r));
}

int sv_csv_writer_init(struct sv_csv_writer *w, FILE *fp, enum sv_csv_dialect dialect)
{
    memset(w, 0, sizeof(*w));
    w->fp = fp;
    w->dialect = dialect;
    w->sep = dialect == SV_CSV_EXCEL_FR ? ';' : ',';
    w->eol = dialect == SV_CSV_EXCEL_FR ? "\r\n" : "\n";
    w->at_line_start = true;
    if (dialect == SV_CSV_EXCEL_FR && fputs("\xEF\xBB\xBF", fp) == EOF)
        w->status = SV_EIO;
    return w->status;
}

int sv_csv_neutralise(struct sv_buf *out, const char *cell)
{
    sv_buf_reset(out);
    if (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' ||
        cell[0] == '\r') {
        if (sv_buf_addc(out, '\''))
            return SV_ENOMEM;
    }
    return sv_buf_adds(out, cell);
}

static void put_quoted(struct sv_csv_writer *w, const char *s)
{
    bool quote = false;
    const char *p;

    for (p = s; *p; p++) {
        if (*p == w->sep || *p == '"' || *p == '\n' || *p == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote && (s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ')))
        quote = true;
    if (!quote) {
        if (fputs(s, w->fp) == EOF)
            w->status = SV_EIO;
        return;
    }
    if (putc('"', w->fp) == EOF)
        w->status = SV_EIO;
    for (p = s; *p; p++) {
        if (*p == '"' && putc('"', w->fp) == EOF)
            w->status = SV_EIO;
        if (putc(*p, w->fp) == EOF)
            w->status = SV_EIO;
    }
    if (putc('"', w->fp) == EOF)
        w->status = SV_EIO;
}

int sv_csv_cell(struct sv_csv_writer *w, const char *value, enum sv_csv_cell kind)
{
    if (!w->at_line_start && putc(w->sep, w->fp) == EOF)
        w->status = SV_EIO;
    w->at_line_start = false;
    if (!value || !*value)
        return w->status;
    if (kind == SV_CELL_NUMBER) {
        if (w->dialect == SV_CSV_EXCEL_FR && strchr(value, '.')) {
            char buf[64];
            size_t n = strlen(value);
            if (n < sizeof(buf)) {
                char *dot;
                memcpy(buf, value, n + 1);
                dot = strchr(buf, '.');
                *dot = ',';
                put_quoted(w, buf);
                return w->status;
            }
        }
        put_quoted(w, value);
        return w->status;
    }
    if (kind == SV_CELL_TEXT) {
        struct sv_buf b = SV_BUF_INIT;
        if (sv_csv_neutralise(&b, value)) {
            sv_buf_release(&b);
            return w->status = SV_ENOMEM;
        }
        put_quoted(w, b.data);
        sv_buf_release(&b);
        return w->status;
    }
    put_quoted(w, value);
    return w->status;
}

int sv_csv_end_record(struct sv_csv_writer *w)
{
    if (fputs(w->eol, w->fp) == EOF)
        w->status = SV_EIO;
    w->at_line_start = true;
    return w->status;
}

int sv_csv_row(struct sv_csv_writer *w, const char *const *cells, size_t n, enum sv_csv_cell kind)
{
    size_t i;

    for (i = 0; i < n; i++)
        sv_csv_cell(w, cells[i], kind);
    return sv_csv_end_record(w);
}

int sv_csv_writer_status(const struct sv_csv_writer *w)
{
    return w->status || ferror(w->fp) ? SV_EIO : 0;
}
