/*
 * pay_fastcsv: block reader of the normalised CSV, only the wanted columns.
 * The splitting rules are sv_csv's (core/sv_csv.c): a quote opens a quoted
 * field only as its first byte, "" inside quotes is a quote, LF and CRLF end
 * a record outside quotes, empty lines are skipped, and the same errors
 * (stray quote, text after a closing quote, unterminated quote, CR without
 * LF, NUL, not UTF-8, wrong field count) with the same lines and columns:
 * each is worded by sv_csv_record_check().
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pay_fastcsv.h"
#include "sv_csv.h"

#define BLOCK (4u << 20)

struct span {
    size_t start, end; /* bytes of the field in the buffer (quotes excluded) */
    bool quoted;
};

struct fast {
    const char *path;
    int fd;
    char *buf;
    size_t cap, len, pos;
    bool eof;
    long line; /* line of buf[pos] */
    char sep;
    unsigned char stop[256]; /* bytes that end an unquoted field: sep, CR, LF, quote, and
                                NUL and non-ASCII, which only mark the record for a check */
    struct span *f;
    size_t fcap, nf;
    long rec_line;
    struct sv_error *err;
};

/* Read more bytes after buf[len], keeping buf[pos..len). */
static int refill(struct fast *r)
{
    if (r->pos > 0) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len + BLOCK / 2 > r->cap) {
        size_t ncap = r->cap * 2;
        char *nb = realloc(r->buf, ncap + 1);
        if (!nb)
            return sv_error_set(r->err, SV_ENOMEM, r->path, r->line, 0, "out of memory");
        r->buf = nb;
        r->cap = ncap;
    }
    while (r->len < r->cap) {
        ssize_t k = read(r->fd, r->buf + r->len, r->cap - r->len);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return sv_error_set(r->err, SV_EIO, r->path, r->line, 0, "read error: %s",
                                strerror(errno));
        }
        if (k == 0) {
            r->eof = true;
            break;
        }
        r->len += (size_t)k;
        if (r->len - r->pos >= BLOCK / 2)
            break;
    }
    return 0;
}

static int push_span(struct fast *r, size_t start, size_t end, bool quoted)
{
    if (r->nf == r->fcap) {
        size_t ncap = r->fcap ? r->fcap * 2 : 64;
        struct span *nf = realloc(r->f, ncap * sizeof *nf);
        if (!nf)
            return sv_error_set(r->err, SV_ENOMEM, r->path, r->line, 0, "out of memory");
        r->f = nf;
        r->fcap = ncap;
    }
    r->f[r->nf].start = start;
    r->f[r->nf].end = end;
    r->f[r->nf].quoted = quoted;
    r->nf++;
    return 0;
}

/*
 * A malformed record: the error sv_csv_read() gives, found by
 * sv_csv_record_check() on the bytes from the record's start (the first
 * malformation in byte order, as sv_csv reads), else this reader's own.
 */
static int malformed(struct fast *r, long line, long col, const char *what)
{
    size_t nf;
    int rc = sv_csv_record_check(r->buf + r->pos, r->len - r->pos, r->sep, r->path, r->rec_line,
                                 &nf, NULL, r->err);
    if (rc)
        return rc;
    return sv_error_set(r->err, SV_EDATA, r->path, line, col, "%s", what);
}

/*
 * Split the record at buf[pos]: 1 = a record (spans in f, pos and line
 * past it), 0 = end of file, 2 = the buffer ends inside the record (refill
 * and call again), <0 = error. A record with a NUL or non-ASCII byte is
 * checked whole by sv_csv_record_check() (UTF-8, NUL), so that this reader
 * refuses what sv_csv refuses, where it refuses it.
 */
static int split(struct fast *r)
{
    const char *b = r->buf;
    size_t p = r->pos, end = r->len;
    long line = r->line, col = 1;
    bool odd = false;
    r->nf = 0;
    r->rec_line = r->line;
    if (p == end)
        return r->eof ? 0 : 2;
    for (;;) {
        /* one field starts at p */
        if (p < end && b[p] == '"') {
            size_t s = ++p;
            for (;;) {
                if (p == end) {
                    if (!r->eof)
                        return 2;
                    return malformed(r, r->rec_line, 0, "unterminated quoted field");
                }
                char c = b[p];
                if (c == '"') {
                    if (p + 1 == end && !r->eof)
                        return 2;
                    if (p + 1 < end && b[p + 1] == '"') {
                        p += 2;
                        continue;
                    }
                    break;
                }
                if (c == '\n')
                    line++;
                else if (c == '\0' || (unsigned char)c >= 0x80)
                    odd = true;
                p++;
            }
            if (push_span(r, s, p, true) < 0)
                return SV_ENOMEM;
            p++; /* closing quote */
            if (p == end && !r->eof)
                return 2;
            if (p < end && b[p] != r->sep && b[p] != '\n' && b[p] != '\r')
                return malformed(r, line, col, "text after closing quote");
        } else {
            size_t s = p;
            for (;;) {
                while (p < end && !r->stop[(unsigned char)b[p]])
                    p++;
                if (p < end && (b[p] == '\0' || (unsigned char)b[p] >= 0x80)) {
                    odd = true;
                    p++;
                    continue;
                }
                break;
            }
            if (p < end && b[p] == '"')
                return malformed(r, line, col, "stray quote in unquoted field");
            if (p == end && !r->eof)
                return 2;
            if (push_span(r, s, p, false) < 0)
                return SV_ENOMEM;
        }
        if (p == end)
            break; /* last record without a line end */
        char c = b[p];
        if (c == r->sep) {
            p++;
            col++;
            continue;
        }
        if (c == '\r') {
            if (p + 1 == end && !r->eof)
                return 2;
            if (p + 1 < end && b[p + 1] != '\n')
                return malformed(r, line, col, "carriage return without line feed");
            if (p + 1 < end)
                p++;
        }
        p++;
        line++;
        break;
    }
    if (odd) {
        size_t nf, n = p - r->pos;
        if (n > 0 && b[p - 1] == '\n')
            n--;
        int rc = sv_csv_record_check(b + r->pos, n, r->sep, r->path, r->rec_line, &nf, NULL,
                                     r->err);
        if (rc)
            return rc;
    }
    r->pos = p;
    r->line = line;
    return 1;
}

/* The field's text, NUL-terminated in place (the record is not split again). */
static char *field_text(struct fast *r, const struct span *s)
{
    char *t = r->buf + s->start;
    size_t n = s->end - s->start;
    if (s->quoted) {
        size_t w = 0;
        for (size_t k = 0; k < n; k++) {
            t[w++] = t[k];
            if (t[k] == '"')
                k++; /* "" -> " */
        }
        n = w;
    }
    t[n] = '\0';
    return t;
}

/* Next record, refilling as needed: 1, 0 at the end, <0 on error. */
static int next_record(struct fast *r)
{
    for (;;) {
        int rc = split(r);
        if (rc != 2)
            return rc;
        if ((rc = refill(r)) < 0)
            return rc;
    }
}

int pay_fastcsv_read(const char *path, const char *const *names, const char *const *alt_names,
                     size_t nnames, int (*row)(char **vals, long line, const char *id, void *ctx),
                     void *ctx, struct sv_error *err)
{
    if (strcmp(path, "-") == 0)
        return PAY_FASTCSV_DECLINED;
    struct fast r = {.path = path, .fd = -1, .line = 1, .err = err};
    long *want = NULL; /* header field -> index in names, or -1 */
    char **vals = calloc(nnames ? nnames : 1, sizeof *vals);
    long id_field = -1;
    size_t nheader = 0;
    int rc = 0;
    r.fd = open(path, O_RDONLY);
    if (r.fd < 0) {
        rc = sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                          "cannot open file: %s", strerror(errno));
        goto done;
    }
    r.cap = BLOCK;
    r.buf = malloc(r.cap + 1);
    if (!r.buf || !vals) {
        rc = sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    if ((rc = refill(&r)) < 0)
        goto done;
    if (r.len > 0 && r.buf[0] == '{') {
        rc = PAY_FASTCSV_DECLINED; /* JSON Lines */
        goto done;
    }
    if ((rc = sv_csv_bom_check(r.buf, r.len, &r.pos, path, err)) < 0)
        goto done;
    /* separator: as sv_csv guesses it */
    r.sep = sv_csv_guess_separator(r.buf + r.pos, r.len - r.pos);
    r.stop[(unsigned char)r.sep] = r.stop['\n'] = r.stop['\r'] = r.stop['"'] = 1;
    r.stop[0] = 1;
    for (unsigned k = 0x80; k < 256; k++)
        r.stop[k] = 1;
    rc = next_record(&r);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line");
        goto done;
    }
    nheader = r.nf;
    want = malloc(nheader * sizeof *want);
    if (!want) {
        rc = sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nheader; i++) {
        const char *h = field_text(&r, &r.f[i]);
        want[i] = -1;
        if (strcmp(h, "id") == 0)
            id_field = (long)i;
        /* a repeated name: the last one wins, as in sv_recio */
        for (size_t k = 0; k < nnames; k++)
            if (names[k] && strcmp(h, names[k]) == 0) {
                for (size_t j = 0; j < i; j++)
                    if (want[j] == (long)k)
                        want[j] = -1;
                want[i] = (long)k;
            }
    }
    /* a name absent from the header: its alternative name, if any */
    for (size_t k = 0; alt_names && k < nnames; k++) {
        if (!alt_names[k])
            continue;
        bool found = false;
        for (size_t i = 0; i < nheader; i++)
            found = found || want[i] == (long)k;
        for (size_t i = 0; !found && i < nheader; i++)
            if (want[i] < 0 && strcmp(field_text(&r, &r.f[i]), alt_names[k]) == 0)
                want[i] = (long)k; /* the last one wins, as above */
    }
    for (;;) {
        rc = next_record(&r);
        if (rc <= 0)
            break;
        if (r.nf == 1 && r.f[0].start == r.f[0].end)
            continue; /* empty line */
        if (r.nf != nheader) {
            rc = sv_error_set(err, SV_EDATA, path, r.rec_line, 0,
                              "%zu fields where the header has %zu", r.nf, nheader);
            break;
        }
        memset(vals, 0, nnames * sizeof *vals);
        const char *id = "?";
        for (size_t i = 0; i < nheader; i++) {
            if (want[i] < 0 && (long)i != id_field)
                continue;
            char *t = field_text(&r, &r.f[i]); /* once per field: it unquotes in place */
            if ((long)i == id_field)
                id = t;
            if (want[i] >= 0 && *t)
                vals[want[i]] = t;
        }
        if ((rc = row(vals, r.rec_line, id, ctx)) < 0)
            break;
    }
done:
    if (r.fd >= 0)
        close(r.fd);
    free(r.buf);
    free(r.f);
    free(want);
    free(vals);
    return rc;
}

/* sv_record's number rules, done with strtod (the slow path). */
static int number_slow(const char *s, double *out)
{
    char buf[128], *end, *c;
    size_t n;
    while (isspace((unsigned char)*s))
        s++;
    n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    c = strchr(buf, ',');
    if (c) {
        if (strchr(buf, '.') || strchr(c + 1, ','))
            return -1;
        *c = '.';
    }
    if (strpbrk(buf, "xXpP") || strstr(buf, "nan") || strstr(buf, "inf") || strstr(buf, "NAN") ||
        strstr(buf, "INF"))
        return -1;
    errno = 0;
    *out = strtod(buf, &end);
    if (errno || *end || !isfinite(*out))
        return -1;
    return 0;
}

int pay_fastcsv_number(const char *s, double *out)
{
    /* Fast path: [-+]digits[(.|,)digits], mantissa < 2^53, at most 22
     * decimals: m and 10^k are exact doubles, so m / 10^k is the correctly
     * rounded value, which is what strtod returns. */
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    bool neg = false;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    unsigned long long m = 0;
    int nsig = 0, nfrac = 0;
    bool point = false, digit = false;
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c >= '0' && c <= '9') {
            digit = true;
            if ((m != 0 || c != '0') && ++nsig > 19)
                return number_slow(s, out);
            m = m * 10 + (unsigned)(c - '0');
            if (point)
                nfrac++;
            continue;
        }
        if ((c == '.' || c == ',') && !point) {
            point = true;
            continue;
        }
        break;
    }
    if (*p != '\0' || !digit || m >= (1ULL << 53) || nfrac > 22)
        return number_slow(s, out);
    double x = (double)m;
    if (nfrac)
        x /= pow10[nfrac];
    *out = neg ? -x : x;
    return 0;
}
