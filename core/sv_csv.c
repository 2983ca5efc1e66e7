/*
 * sv_csv: streaming RFC 4180 CSV reader and writer, with the excel-fr dialect
 * (';', decimal comma, UTF-8 BOM, CRLF). Tests: tests/core/test_csv.c.
 */
#include "sv_csv.h"

#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

/*
 * UTF-8 validation one byte at a time (Unicode 15, table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF). The reader and
 * sv_csv_record_check() share it so that they refuse the same bytes at the
 * same place.
 */
struct u8state {
    unsigned char need, lo, hi;
};

static inline bool u8_step(struct u8state *u, unsigned char c)
{
    if (u->need) {
        if (c < u->lo || c > u->hi)
            return false;
        u->need--;
        u->lo = 0x80;
        u->hi = 0xBF;
        return true;
    }
    if (c < 0x80)
        return true;
    u->lo = 0x80;
    u->hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        u->need = 1;
    else if (c == 0xE0)
        u->need = 2, u->lo = 0xA0;
    else if (c == 0xED)
        u->need = 2, u->hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF)
        u->need = 2;
    else if (c == 0xF0)
        u->need = 3, u->lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        u->need = 3;
    else if (c == 0xF4)
        u->need = 3, u->hi = 0x8F;
    else
        return false;
    return true;
}

/* The wording of each malformation, one place for every reader. */
#define MSG_NOT_UTF8                                                                             \
    "field %zu is not UTF-8 text (a Windows-1252 file? save it as 'CSV UTF-8' or convert it: "   \
    "iconv -f WINDOWS-1252 -t UTF-8)"
#define MSG_NUL "NUL byte in field %zu"
#define MSG_BARE_CR "carriage return without line feed in field %zu (line ends must be LF or CRLF)"
#define MSG_STRAY "stray quote in unquoted field %zu"
#define MSG_AFTER "text after closing quote in field %zu"
#define MSG_UNTERMINATED "unterminated quoted field"

char sv_csv_guess_separator(const char *p, size_t len)
{
    size_t commas = 0, semis = 0, tabs = 0;
    bool inq = false;
    char sep;

    if (len > SV_CSV_GUESS_MAX)
        len = SV_CSV_GUESS_MAX;
    for (size_t i = 0; i < len; i++) {
        char c = p[i];
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
    }
    sep = semis > commas ? ';' : ',';
    if (tabs > commas && tabs > semis)
        sep = '\t';
    return sep;
}

int sv_csv_bom_check(const char *p, size_t len, size_t *skip, const char *source,
                     struct sv_error *err)
{
    *skip = 0;
    if (len == 0 || (unsigned char)p[0] != 0xEF)
        return 0;
    if (len < 3 || (unsigned char)p[1] != 0xBB || (unsigned char)p[2] != 0xBF)
        return sv_error_set(err, SV_EDATA, source, 1, 1, "invalid UTF-8 byte order mark");
    *skip = 3;
    return 0;
}

int sv_csv_record_check(const char *p, size_t len, char sep, const char *source, long line,
                        size_t *nfields, bool *blank, struct sv_error *err)
{
    const unsigned char *b = (const unsigned char *)p;
    long first = line;
    size_t nf = 0, flen = 0;
    bool inq = false, was_quoted = false;
    struct u8state u = {0, 0x80, 0xBF};
    size_t i = 0;

#ifdef __SSE2__
    /* The common record (ASCII without quote or control byte, no NUL, CR or LF) 16
       bytes at a time: only its separators matter, counted in byte lanes in runs of
       at most 255 blocks; the last block overlaps the one before it rather than
       leaving a tail, and a final CR (CRLF) is left to the byte loop. The first block
       with anything else goes on byte by byte from its start. The fast readers call
       this on every record. */
    size_t fast = len > 0 && b[len - 1] == '\r' ? len - 1 : len;
    if (fast >= 16) {
        const __m128i sepv = _mm_set1_epi8(sep), qv = _mm_set1_epi8('"'),
                      ctlv = _mm_set1_epi8(0x0E), zv = _mm_setzero_si128();
        bool odd = false;
        while (!odd && i + 16 <= fast) {
            __m128i acc = zv;
            size_t stop = fast - 15;
            if (stop > i + 255 * 16)
                stop = i + 255 * 16;
            for (; i < stop; i += 16) {
                __m128i blk = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
                /* signed: controls below 0x0E and non-ASCII bytes (negative) */
                if (_mm_movemask_epi8(_mm_or_si128(_mm_cmplt_epi8(blk, ctlv),
                                                   _mm_cmpeq_epi8(blk, qv)))) {
                    odd = true;
                    break;
                }
                acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(blk, sepv));
            }
            __m128i sad = _mm_sad_epu8(acc, zv);
            nf += (size_t)_mm_cvtsi128_si32(sad) + (size_t)_mm_extract_epi16(sad, 4);
        }
        if (!odd && i < fast) { /* the last bytes, in the block that ends with them */
            size_t at = fast - 16;
            unsigned keep = (0xFFFFu << (i - at)) & 0xFFFFu;
            __m128i blk = _mm_loadu_si128((const __m128i *)(const void *)(b + at));
            unsigned mo = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmplt_epi8(blk, ctlv), _mm_cmpeq_epi8(blk, qv)));
            if ((mo & keep) == 0) {
                for (unsigned ms = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(blk, sepv)) & keep;
                     ms; ms &= ms - 1)
                    nf++;
                i = fast;
            }
        }
        size_t k = i;
        while (k > 0 && b[k - 1] != (unsigned char)sep)
            k--;
        flen = i - k;
    }
#endif
    for (; i < len; i++) {
        unsigned char c = b[i];
        if ((c >= 0x80 || u.need) && !u8_step(&u, c))
            return sv_error_set(err, SV_EDATA, source, line, (long)nf + 1, MSG_NOT_UTF8, nf + 1);
        if (c == '\0')
            return sv_error_set(err, SV_EDATA, source, line, (long)nf + 1, MSG_NUL, nf + 1);
        if (inq) {
            if (c == '"') {
                if (i + 1 < len && b[i + 1] == '"') {
                    i++;
                    flen++;
                    continue;
                }
                inq = false;
                continue;
            }
            if (c == '\n')
                line++;
            flen++;
            continue;
        }
        if (c == '"') {
            if (flen == 0 && !was_quoted) {
                inq = was_quoted = true;
                continue;
            }
            return sv_error_set(err, SV_EDATA, source, line, (long)nf + 1, MSG_STRAY, nf + 1);
        }
        if (c == (unsigned char)sep) {
            nf++;
            flen = 0;
            was_quoted = false;
            continue;
        }
        if (c == '\r' || c == '\n') {
            if (c == '\r' && i + 1 < len)
                return sv_error_set(err, SV_EDATA, source, line, (long)nf + 1, MSG_BARE_CR,
                                    nf + 1);
            break; /* the record's line end */
        }
        if (was_quoted)
            return sv_error_set(err, SV_EDATA, source, line, (long)nf + 1, MSG_AFTER, nf + 1);
        flen++;
    }
    if (inq)
        return sv_error_set(err, SV_EDATA, source, first, 0, MSG_UNTERMINATED);
    if (u.need)
        return sv_error_set(err, SV_EDATA, source, line, (long)nf + 1, MSG_NOT_UTF8, nf + 1);
    *nfields = nf + 1;
    if (blank)
        *blank = nf == 0 && flen == 0;
    return 0;
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
    bool inq = false;
    int c;

    while ((c = getc(r->fp)) != EOF) {
        if (sv_buf_addc(&r->pending, (char)c))
            break;
        if (c == '"')
            inq = !inq;
        else if (!inq && c == '\n')
            break;
        if (r->pending.len >= SV_CSV_GUESS_MAX)
            break;
    }
    r->sep = sv_csv_guess_separator(r->pending.data ? r->pending.data : "", r->pending.len);
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
        if (c2 != 0xBB || c3 != 0xBF) {
            char bom[3] = {(char)c1, (char)c2, (char)c3};
            size_t skip;
            int rc = sv_csv_bom_check(bom, c3 == EOF ? (c2 == EOF ? 1 : 2) : 3, &skip, r->source,
                                      err);
            sv_csv_reader_release(r); /* the caller releases only a reader that started */
            return rc;
        }
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
    struct u8state u = {0, 0x80, 0xBF};
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
                                    MSG_UNTERMINATED);
            if (u.need)
                return sv_error_set(err, SV_EDATA, r->source, r->line, (long)r->nfields + 1,
                                    MSG_NOT_UTF8, r->nfields + 1);
            if (!any)
                return 0;
            break;
        }
        any = true;
        /* every reader refuses the same bytes at the same place: sv_csv_record_check() */
        if (!u8_step(&u, (unsigned char)c))
            return sv_error_set(err, SV_EDATA, r->source, r->line, (long)r->nfields + 1,
                                MSG_NOT_UTF8, r->nfields + 1);
        if (c == '\0')
            return sv_error_set(err, SV_EDATA, r->source, r->line, (long)r->nfields + 1, MSG_NUL,
                                r->nfields + 1);
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
            return sv_error_set(err, SV_EDATA, r->source, r->line, (long)r->nfields + 1,
                                MSG_STRAY, r->nfields + 1);
        }
        if (c == r->sep) {
            if (push_field(r))
                return sv_error_set(err, SV_ENOMEM, r->source, r->line, 0, "out of memory");
            was_quoted = false;
            continue;
        }
        if (c == '\r') {
            int d = next_byte(r);
            if (d != '\n' && d != EOF)
                return sv_error_set(err, SV_EDATA, r->source, r->line, (long)r->nfields + 1,
                                    MSG_BARE_CR, r->nfields + 1);
            c = '\n';
        }
        if (c == '\n') {
            r->line++;
            break;
        }
        if (was_quoted)
            return sv_error_set(err, SV_EDATA, r->source, r->line, (long)r->nfields + 1,
                                MSG_AFTER, r->nfields + 1);
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

/*
 * The characters that make a spreadsheet read a cell as a formula when they
 * start it: the ASCII ones OWASP lists, and their full-width (U+FF1D, U+FF0B,
 * U+FF0D, U+FF20) and small (U+FE66, U+FE62, U+FE63, U+FE6B) forms and the
 * minus sign U+2212, which input methods and some spreadsheets fold to ASCII.
 */
static const char *const formula_starts[] = {
    "=",           "+",           "-",           "@",           "\t",          "\r",
    "\xEF\xBC\x9D", "\xEF\xBC\x8B", "\xEF\xBC\x8D", "\xEF\xBC\xA0", "\xEF\xB9\xA6", "\xEF\xB9\xA2",
    "\xEF\xB9\xA3", "\xEF\xB9\xAB", "\xE2\x88\x92"};

bool sv_csv_formula_start(const char *cell)
{
    for (size_t i = 0; i < sizeof formula_starts / sizeof *formula_starts; i++)
        if (strncmp(cell, formula_starts[i], strlen(formula_starts[i])) == 0)
            return true;
    return false;
}

int sv_csv_neutralise(struct sv_buf *out, const char *cell)
{
    sv_buf_reset(out);
    if (sv_csv_formula_start(cell) && sv_buf_addc(out, '\''))
        return SV_ENOMEM;
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
    /* a cell starting with U+FEFF first in a file would be read back as a byte order mark */
    if (!quote && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
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
