/* Fast reading of a few CSV columns: see analyse_scan.h. */
#include "analyse_scan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv_buf.h"
#include "sv_csv.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define SCAN_BLOCK ((size_t)1 << 18) /* fits in L2: the copy from the page cache stays hot */
#define SCAN_PAD 16 /* zero bytes kept after the data (split_line reads by 16) */

struct analyse_scan {
    int fd;
    const char *path;
    char sep;
    char *buf;
    size_t cap, len, pos;
    off_t boff;          /* file offset of buf[0] */
    off_t size, end;     /* end of the range (records starting before it are read) */
    bool eof;
    size_t qfree;        /* no quote in buf[pos..qfree) */
    bool qstale;         /* bytes were read after qfree was found */
    long line, last_line;
    off_t last_end;      /* file offset just after the last record (its newline included) */
    size_t need;         /* fields split per record: last wanted index + 1 */
    size_t nnames;       /* fields of the header: every record must have as many */
    size_t *start, *flen; /* need entries: offsets into buf, lengths */
    bool *present;
    const size_t *cols;
    size_t ncols;
    struct analyse_scan_field *out;
    size_t split_nf;     /* split_line(): fields of the record */
    bool split_clean;    /* split_line(): nothing sv_csv_record_check() could refuse */
};

static int open_regular(int *fd, off_t *size, const char *path, struct sv_error *err)
{
    *fd = open(path, O_RDONLY | O_CLOEXEC);
    if (*fd < 0)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open file: %s", strerror(errno));
    struct stat st;
    if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(*fd);
        *fd = -1;
        return sv_error_set(err, SV_EUSAGE, path, 0, 0, "not a regular file");
    }
    *size = st.st_size;
    return 0;
}

/* pread until `want` bytes or the end of the file. */
static int read_at(int fd, char *dst, size_t want, off_t off, size_t *got)
{
    size_t have = 0;
    while (have < want) {
        ssize_t r = pread(fd, dst + have, want - have, off + (off_t)have);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return SV_EIO;
        }
        if (r == 0)
            break;
        have += (size_t)r;
    }
    *got = have;
    return 0;
}

void analyse_scan_header_release(struct analyse_scan_header *h)
{
    for (size_t k = 0; k < h->nnames; k++)
        free(h->names[k]);
    free(h->names);
    memset(h, 0, sizeof *h);
}

long analyse_scan_column(const struct analyse_scan_header *h, const char *name)
{
    for (size_t k = 0; k < h->nnames; k++)
        if (strcmp(h->names[k], name) == 0)
            return (long)k;
    return -1;
}

int analyse_scan_header_read(struct analyse_scan_header *h, const char *path,
                             struct sv_error *err)
{
    memset(h, 0, sizeof *h);
    int fd;
    int rc = open_regular(&fd, &h->size, path, err);
    if (rc)
        return rc;
    size_t cap = 1 << 16, len = 0;
    char *buf = NULL;
    /* the header record: up to its first newline outside quotes */
    size_t endpos = 0;
    long lines = 1;
    bool found = false, q = false;
    for (;;) {
        char *nb = realloc(buf, cap);
        if (!nb) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        buf = nb;
        size_t got;
        if (read_at(fd, buf + len, cap - len, (off_t)len, &got) != 0) {
            rc = sv_error_set(err, SV_EIO, path, 0, 0, "read error: %s", strerror(errno));
            goto out;
        }
        size_t from = len;
        len += got;
        if (from == 0 && len > 0 && buf[0] == '{') {
            rc = 1;
            goto out;
        }
        for (size_t i = from; i < len; i++) {
            if (buf[i] == '"')
                q = !q;
            else if (buf[i] == '\n') {
                if (!q) {
                    endpos = i;
                    found = true;
                    break;
                }
                lines++;
            }
        }
        if (found || got == 0 || len < cap)
            break;
        cap *= 2;
    }
    if (len == 0) {
        rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line");
        goto out;
    }
    if (!found)
        endpos = len;
    h->data_start = (off_t)(found ? endpos + 1 : len);
    h->data_line = lines + 1;
    /* the header is read as sv_csv reads it (BOM, separator, malformations) */
    size_t skip;
    if ((rc = sv_csv_bom_check(buf, endpos, &skip, path, err)))
        goto out;
    char *hdr = buf + skip;
    size_t hl = endpos - skip;
    if (hl == 0 && !found) {
        rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty file: no header line");
        goto out;
    }
    h->sep = sv_csv_guess_separator(hdr, hl);
    size_t nf;
    if ((rc = sv_csv_record_check(hdr, hl, h->sep, path, 1, &nf, NULL, err)))
        goto out;
    if (hl > 0 && hdr[hl - 1] == '\r')
        hl--;
    /* split the header, unquoting */
    size_t i = 0;
    for (;;) {
        struct sv_buf name = SV_BUF_INIT;
        if (i < hl && hdr[i] == '"') {
            i++;
            while (i < hl) {
                if (hdr[i] == '"') {
                    if (i + 1 < hl && hdr[i + 1] == '"') {
                        sv_buf_addc(&name, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                sv_buf_addc(&name, hdr[i++]);
            }
            while (i < hl && hdr[i] != h->sep)
                i++;
        } else {
            size_t b = i;
            while (i < hl && hdr[i] != h->sep)
                i++;
            sv_buf_add(&name, hdr + b, i - b);
        }
        char **nn = realloc(h->names, (h->nnames + 1) * sizeof *nn);
        char *s = sv_buf_detach(&name, NULL);
        if (!nn || !s) {
            free(s);
            if (nn)
                h->names = nn;
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        h->names = nn;
        h->names[h->nnames++] = s;
        if (i >= hl)
            break;
        i++;
    }
out:
    close(fd);
    free(buf);
    if (rc < 0)
        analyse_scan_header_release(h);
    return rc;
}

int analyse_scan_line_start(off_t *out, const char *path, const struct analyse_scan_header *h,
                            off_t offset, struct sv_error *err)
{
    if (offset <= h->data_start) {
        *out = h->data_start;
        return 0;
    }
    int fd;
    off_t size;
    int rc = open_regular(&fd, &size, path, err);
    if (rc)
        return rc;
    char blk[4096];
    *out = size;
    off_t at = offset - 1; /* the byte before a line start is a newline */
    while (at < size) {
        size_t got;
        if (read_at(fd, blk, sizeof blk, at, &got) != 0) {
            rc = sv_error_set(err, SV_EIO, path, 0, 0, "read error: %s", strerror(errno));
            break;
        }
        if (got == 0)
            break;
        const char *nl = memchr(blk, '\n', got);
        if (nl) {
            *out = at + (off_t)(nl - blk) + 1;
            break;
        }
        at += (off_t)got;
    }
    close(fd);
    return rc;
}

int analyse_scan_new(struct analyse_scan **out, const char *path,
                     const struct analyse_scan_header *h, off_t start, off_t end,
                     const size_t *cols, size_t ncols, struct sv_error *err)
{
    *out = NULL;
    struct analyse_scan *s = calloc(1, sizeof *s);
    if (!s)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    s->fd = -1;
    int rc = open_regular(&s->fd, &s->size, path, err);
    if (rc) {
        free(s);
        return rc;
    }
    s->path = path;
    s->sep = h->sep;
    s->nnames = h->nnames;
    s->boff = start;
    s->end = end < 0 || end > s->size ? s->size : end;
    s->last_end = start;
    s->cols = cols;
    s->ncols = ncols;
    s->need = 1;
    for (size_t k = 0; k < ncols; k++)
        if (cols[k] + 1 > s->need)
            s->need = cols[k] + 1;
    s->cap = SCAN_BLOCK;
    s->buf = calloc(1, s->cap + SCAN_PAD);
    s->start = calloc(s->need + 1, sizeof *s->start);
    s->flen = calloc(s->need + 1, sizeof *s->flen);
    s->present = calloc(s->need + 1, sizeof *s->present);
    s->out = calloc(ncols + 1, sizeof *s->out);
    if (!s->buf || !s->start || !s->flen || !s->present || !s->out) {
        analyse_scan_free(s);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = s;
    return 0;
}

void analyse_scan_free(struct analyse_scan *s)
{
    if (!s)
        return;
    if (s->fd >= 0)
        close(s->fd);
    free(s->buf);
    free(s->start);
    free(s->flen);
    free(s->present);
    free(s->out);
    free(s);
}

long analyse_scan_line(const struct analyse_scan *s) { return s->last_line; }
long analyse_scan_lines_read(const struct analyse_scan *s) { return s->line; }
off_t analyse_scan_consumed(const struct analyse_scan *s) { return s->boff + (off_t)s->pos; }
bool analyse_scan_ended_at_cut(const struct analyse_scan *s) { return s->last_end == s->end; }

/* Keep buf[pos..len) and read more after it; grow the buffer when it is full. */
static int refill(struct analyse_scan *s, struct sv_error *err)
{
    if (s->pos > 0) {
        memmove(s->buf, s->buf + s->pos, s->len - s->pos);
        s->boff += (off_t)s->pos;
        s->len -= s->pos;
        s->qfree = s->qfree > s->pos ? s->qfree - s->pos : 0;
        s->pos = 0;
    }
    if (s->len == s->cap) {
        char *nb = realloc(s->buf, s->cap * 2 + SCAN_PAD);
        if (!nb)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        s->buf = nb;
        s->cap *= 2;
    }
    size_t got;
    if (read_at(s->fd, s->buf + s->len, s->cap - s->len, s->boff + (off_t)s->len, &got) != 0)
        return sv_error_set(err, SV_EIO, s->path, 0, 0, "read error: %s", strerror(errno));
    if (got == 0)
        s->eof = true;
    s->len += got;
    s->qstale = true;
    memset(s->buf + s->len, 0, SCAN_PAD);
    return 0;
}

/*
 * The end of the quoted record at pos: index of its newline (or len at the
 * end of the file) and its physical lines; 0 when more bytes are needed.
 */
static int quoted_end(const struct analyse_scan *s, size_t *endpos, long *lines)
{
    bool q = false;
    long nl = 1;
    for (size_t i = s->pos; i < s->len; i++) {
        char c = s->buf[i];
        if (c == '"')
            q = !q;
        else if (c == '\n') {
            if (!q) {
                *endpos = i;
                *lines = nl;
                return 1;
            }
            nl++;
        }
    }
    if (s->eof) {
        *endpos = s->len;
        *lines = nl;
        return 1;
    }
    return 0;
}

static inline void put_field(struct analyse_scan *s, size_t f, size_t start, size_t len)
{
    s->start[f] = start;
    s->flen[f] = len;
    s->present[f] = true;
}

/* The last field runs to the end of the record e (without a CR); the rest are absent. */
static void last_field(struct analyse_scan *s, size_t f, size_t fs, size_t e)
{
    size_t len = e - fs;
    if (len > 0 && s->buf[e - 1] == '\r')
        len--;
    put_field(s, f, fs, len);
    for (f++; f < s->need; f++)
        s->present[f] = false;
}

/* Split buf[b..e) (quote-free) up to `need` fields (the rare path; see split_line). */
static void split_plain(struct analyse_scan *s, size_t b, size_t e)
{
    size_t f = 0, fs = b;
    for (size_t i = b; i < e; i++) {
        if (s->buf[i] != s->sep)
            continue;
        put_field(s, f, fs, i - fs);
        if (++f == s->need)
            return;
        fs = i + 1;
    }
    last_field(s, f, fs, e);
}

/* Split buf[b..e) with quotes, unquoting in place. */
static void split_quoted(struct analyse_scan *s, size_t b, size_t e)
{
    char *buf = s->buf;
    char sep = s->sep;
    if (e > b && buf[e - 1] == '\r')
        e--;
    size_t f = 0, i = b;
    for (;;) {
        size_t fs = i, w = i;
        if (i < e && buf[i] == '"') {
            i++;
            fs = w = i;
            while (i < e) {
                if (buf[i] == '"') {
                    if (i + 1 < e && buf[i + 1] == '"') {
                        buf[w++] = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                buf[w++] = buf[i++];
            }
            while (i < e && buf[i] != sep)
                i++; /* text after the closing quote: ignored, as sv_csv */
        } else {
            while (i < e && buf[i] != sep)
                i++;
            w = i;
        }
        put_field(s, f++, fs, w - fs);
        if (i >= e || f == s->need)
            break;
        i++;
    }
    for (; f < s->need; f++)
        s->present[f] = false;
}

#ifdef __SSE2__
/*
 * The common case in one pass: the fields of the record at pos and its end
 * (the first newline), 16 bytes at a time, not knowing yet whether a quote
 * lies before that newline (the caller checks). On the way it counts the
 * record's separators (s->split_nf = fields) and notes whether the record is
 * plain ASCII with no control byte but its CRLF line end (s->split_clean):
 * only a record that is not clean goes through sv_csv_record_check().
 * Returns false when no newline comes before the end of the buffer.
 */
static bool split_line(struct analyse_scan *s, size_t *endpos)
{
    const char *buf = s->buf;
    size_t b = s->pos, len = s->len, need = s->need, f = 0, fs = b, nsep = 0;
    size_t first_odd = (size_t)-1;
    const __m128i sepv = _mm_set1_epi8(s->sep), nlv = _mm_set1_epi8('\n'),
                  ctlv = _mm_set1_epi8(0x0E), zv = _mm_setzero_si128();
    size_t i = b;
    while (i < len) {
        /* The common blocks (16 bytes of text and separators) in runs of at most 255,
           their separators counted in byte lanes: NUL, TAB, LF, CR (below 0x0E) and the
           non-ASCII bytes (negative when signed) stop a run. */
        __m128i acc = zv;
        size_t stop = len >= 16 ? len - 15 : 0;
        if (stop > i + 255 * 16)
            stop = i + 255 * 16;
        unsigned mo = 0;
        __m128i blk = zv, eq = zv;
        for (; i < stop; i += 16) {
            blk = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
            eq = _mm_cmpeq_epi8(blk, sepv);
            mo = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(blk, ctlv));
            if (mo)
                break;
            acc = _mm_sub_epi8(acc, eq);
            for (unsigned ms = f < need ? (unsigned)_mm_movemask_epi8(eq) : 0; ms && f < need;
                 ms &= ms - 1) {
                size_t at = i + (size_t)__builtin_ctz(ms);
                put_field(s, f, fs, at - fs);
                fs = at + 1;
                f++;
            }
        }
        __m128i sad = _mm_sad_epu8(acc, zv);
        nsep += (size_t)_mm_cvtsi128_si32(sad) + (size_t)_mm_extract_epi16(sad, 4);
        if (i >= len)
            break;
        if (!mo) {
            if (i + 16 <= len)
                continue; /* a run of 255 blocks: the lanes were emptied, go on */
            /* the last bytes, fewer than 16 (the padding after them is zero) */
            blk = _mm_loadu_si128((const __m128i *)(const void *)(buf + i));
            eq = _mm_cmpeq_epi8(blk, sepv);
            mo = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(blk, ctlv));
        }
        /* a block with a newline, an odd byte, or the end of the buffer */
        unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(blk, nlv));
        unsigned lim = 0xFFFFu;
        if (len - i < 16)
            lim = (1u << (len - i)) - 1;
        mn &= lim;
        if (mn)
            lim &= (mn & (0u - mn)) - 1; /* the bytes before the first newline */
        mo &= lim;
        if (mo && first_odd == (size_t)-1)
            first_odd = i + (size_t)__builtin_ctz(mo);
        unsigned ms = (unsigned)_mm_movemask_epi8(eq) & lim;
        for (unsigned m = ms; m; m &= m - 1)
            nsep++;
        for (; ms && f < need; ms &= ms - 1) {
            size_t at = i + (size_t)__builtin_ctz(ms);
            put_field(s, f, fs, at - fs);
            fs = at + 1;
            f++;
        }
        if (mn) {
            size_t e = i + (size_t)__builtin_ctz(mn);
            *endpos = e;
            if (f < need)
                last_field(s, f, fs, e);
            s->split_nf = nsep + 1;
            /* clean: no odd byte, or only the CR of a CRLF line end */
            s->split_clean = first_odd == (size_t)-1 || (first_odd + 1 == e && buf[e - 1] == '\r');
            return true;
        }
        i += 16;
    }
    return false;
}
#endif

/* Hand out the wanted fields of the record just split. */
static void hand_out(struct analyse_scan *s)
{
    for (size_t k = 0; k < s->ncols; k++) {
        size_t f = s->cols[k];
        if (s->present[f]) {
            s->out[k].p = s->buf + s->start[f];
            s->out[k].len = s->flen[f];
        } else {
            s->out[k].p = NULL;
            s->out[k].len = 0;
        }
    }
}

/* How find_record() found the record at pos. */
enum found { NEED_MORE, PLAIN, PLAIN_SPLIT, QUOTED };

/*
 * The end e of the record at pos (its newline, or len at the end of the file)
 * and its physical lines. PLAIN_SPLIT: quote-free and already split (the
 * SSE2 pass); PLAIN: quote-free; QUOTED: a quote before its newline;
 * NEED_MORE: the buffer holds no whole record yet.
 */
static enum found find_record(struct analyse_scan *s, size_t *e, long *lines)
{
    if (s->qfree < s->pos || s->qstale) {
        const char *q = memchr(s->buf + s->pos, '"', s->len - s->pos);
        s->qfree = q ? (size_t)(q - s->buf) : s->len;
        s->qstale = false;
    }
    *lines = 1;
#ifdef __SSE2__
    if (s->qfree > s->pos && split_line(s, e) && *e < s->qfree)
        return PLAIN_SPLIT;
#endif
    const char *nl = memchr(s->buf + s->pos, '\n', s->len - s->pos);
    if (nl && (size_t)(nl - s->buf) < s->qfree) {
        *e = (size_t)(nl - s->buf);
        return PLAIN;
    }
    if (!nl && s->eof && s->qfree >= s->len) {
        *e = s->len;
        return PLAIN;
    }
    if ((s->qfree < s->len || s->eof) && quoted_end(s, e, lines))
        return QUOTED;
    return NEED_MORE;
}

int analyse_scan_next(struct analyse_scan *s, const struct analyse_scan_field **fields,
                      struct sv_error *err)
{
    for (;;) {
        if (s->boff + (off_t)s->pos >= s->end || (s->pos >= s->len && s->eof))
            return 0;
        size_t e;
        long lines;
        enum found how = s->pos < s->len ? find_record(s, &e, &lines) : NEED_MORE;
        if (how == NEED_MORE) {
            int rc = refill(s, err);
            if (rc)
                return rc;
            continue;
        }
        size_t b = s->pos;
        s->last_line = s->line + 1; /* a record's line is its first */
        s->line += lines;
        s->pos = e < s->len ? e + 1 : e;
        s->last_end = s->boff + (off_t)s->pos;
        /* every record read exactly as sv_csv reads it, or refused as it refuses it */
        size_t nf = s->split_nf;
        bool blank = nf == 1 && (e == b || (e == b + 1 && s->buf[b] == '\r'));
        if (how != PLAIN_SPLIT || !s->split_clean) {
            int rc = sv_csv_record_check(s->buf + b, e - b, s->sep, s->path, s->last_line, &nf,
                                         &blank, err);
            if (rc)
                return rc;
        }
        if (blank)
            continue; /* blank line */
        if (nf != s->nnames)
            return sv_error_set(err, SV_EDATA, s->path, s->last_line, 0,
                                "%zu fields where the header has %zu", nf, s->nnames);
        if (how == PLAIN)
            split_plain(s, b, e);
        else if (how == QUOTED)
            split_quoted(s, b, e);
        hand_out(s);
        *fields = s->out;
        return 1;
    }
}

static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Decimal digits at p[*i]: into the mantissa while it has fewer than 19; returns how many. */
static size_t take_digits(const char *p, size_t len, size_t *i, uint64_t *m, size_t *digits,
                          bool *exact)
{
    size_t start = *i;
    for (; *i < len && p[*i] >= '0' && p[*i] <= '9'; (*i)++, (*digits)++) {
        if (*digits < 19)
            *m = *m * 10 + (uint64_t)(p[*i] - '0');
        else
            *exact = false;
    }
    return *i - start;
}

bool analyse_scan_plain_number(const char *p, size_t len, double *out)
{
    size_t i = 0;
    bool neg = false;
    if (i < len && p[i] == '-') {
        neg = true;
        i++;
    }
    size_t digits = 0, decimals = 0;
    uint64_t m = 0;
    bool exact = true;
    if (take_digits(p, len, &i, &m, &digits, &exact) == 0)
        return false;
    if (i < len && p[i] == '.') {
        i++;
        decimals = take_digits(p, len, &i, &m, &digits, &exact);
        if (decimals == 0)
            return false;
    }
    if (i != len)
        return false;
    if (exact && m < ((uint64_t)1 << 53) && decimals <= 22) {
        double v = (double)m;
        if (decimals)
            v /= pow10_exact[decimals];
        *out = neg ? -v : v;
        return true;
    }
    char tmp[128];
    if (len >= sizeof tmp)
        return false;
    memcpy(tmp, p, len);
    tmp[len] = '\0';
    *out = strtod(tmp, NULL);
    return true;
}
