/*
 * plot_text: width estimates and line wrapping for labels.
 *
 * gnuplot cannot tell us how wide a text is, and the layout (margins, label
 * columns, wrapped headlines) is decided in C, so we estimate advance widths
 * from DejaVu Sans metrics (units of 1/2048 em, printable ASCII). Other code
 * points get a typical lower-case width. Bold text is about 12 % wider (DejaVu Sans Bold measured on the demo headlines).
 */
#include <stdlib.h>
#include <string.h>

#include "plot.h"

/* Advance widths of ' ' (0x20) .. '~' (0x7e) in DejaVu Sans, 1/2048 em. */
static const unsigned short ascii_w[95] = {
    651,  821,  942,  1716, 1303, 1946, 1595, 563,  799,  799,  1024, 1716, 651,  739,  651,  690,
    1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 1303, 690,  690,  1716, 1716, 1716, 1087,
    2048, 1401, 1405, 1430, 1577, 1294, 1178, 1587, 1540, 604,  604,  1343, 1141, 1767, 1532, 1612,
    1235, 1612, 1423, 1300, 1251, 1499, 1401, 2025, 1403, 1251, 1403, 799,  690,  799,  1716, 1024,
    1024, 1255, 1300, 1126, 1300, 1260, 721,  1300, 1298, 569,  569,  1186, 569,  1995, 1298, 1253,
    1300, 1300, 842,  1067, 803,  1298, 1212, 1675, 1212, 1212, 1075, 1303, 690,  1303, 1716};

static size_t cp_decode(const unsigned char *s, unsigned long *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
    unsigned long v = s[0] & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) {
            *cp = 0xfffd;
            return i;
        }
        v = (v << 6) | (s[i] & 0x3f);
    }
    *cp = len == 1 ? 0xfffd : v;
    return len;
}

static double cp_em(unsigned long cp)
{
    if (cp >= 0x20 && cp <= 0x7e)
        return ascii_w[cp - 0x20] / 2048.0;
    switch (cp) {
    case 0x202f:
        return 0.2; /* narrow no-break space */
    case 0xa0:
        return 0.318;
    case 0x2013:
        return 0.5; /* en dash */
    case 0x2014:
        return 1.0;
    case 0x2026:
        return 1.0; /* ellipsis */
    case 0x20ac:
        return 0.636;
    case 0x2019:
        return 0.318;
    default:
        break;
    }
    if (cp >= 0xc0 && cp <= 0xde)
        return 0.72; /* accented capitals */
    if (cp >= 0x1100)
        return 1.0;
    return 0.62;
}

double plot_text_width(const char *s, double size, bool bold)
{
    double em = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned long cp;
        p += cp_decode(p, &cp);
        em += cp_em(cp);
    }
    return em * size * (bold ? 1.12 : 1.0) * 1.02;
}

void plot_text_lines_free(char **lines, size_t n)
{
    if (lines == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

/* Width of s[0..len). */
static double span_width(const char *s, size_t len, double size, bool bold)
{
    char *tmp = malloc(len + 1);
    if (tmp == NULL)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    double w = plot_text_width(tmp, size, bold);
    free(tmp);
    return w;
}

/* Byte length of the longest prefix of s (at code point boundaries) that fits `width`. */
static size_t fit_prefix(const char *s, size_t len, double width, double size, bool bold)
{
    size_t i = 0, best = 0;
    double em = 0;
    while (i < len) {
        unsigned long cp;
        size_t n = cp_decode((const unsigned char *)s + i, &cp);
        em += cp_em(cp);
        if (em * size * (bold ? 1.12 : 1.0) * 1.02 > width)
            break;
        i += n;
        best = i;
    }
    return best;
}

static int push_line(char ***lines, size_t *n, const char *s, size_t len, bool ellipsis)
{
    char **grown = realloc(*lines, (*n + 1) * sizeof *grown);
    if (grown == NULL)
        return SV_ENOMEM;
    *lines = grown;
    char *l = malloc(len + 4);
    if (l == NULL)
        return SV_ENOMEM;
    memcpy(l, s, len);
    if (ellipsis)
        memcpy(l + len, "\xe2\x80\xa6", 4);
    else
        l[len] = '\0';
    grown[(*n)++] = l;
    return 0;
}

int plot_text_wrap(char ***lines, const char *s, double width, double size, bool bold,
                   size_t max_lines)
{
    size_t n = 0;
    int rc = 0;
    *lines = NULL;
    if (s == NULL)
        s = "";
    if (max_lines == 0)
        max_lines = 1;
    size_t len = strlen(s);
    size_t pos = 0;
    double ell = plot_text_width("\xe2\x80\xa6", size, bold);
    while (pos < len && rc == 0) {
        while (pos < len && s[pos] == ' ')
            pos++;
        if (pos >= len)
            break;
        size_t rest = len - pos;
        bool last = (n + 1 == max_lines);
        if (span_width(s + pos, rest, size, bold) <= width) {
            rc = push_line(lines, &n, s + pos, rest, false);
            break;
        }
        if (last) {
            size_t fit = fit_prefix(s + pos, rest, width - ell, size, bold);
            while (fit > 0 && s[pos + fit - 1] == ' ')
                fit--;
            rc = push_line(lines, &n, s + pos, fit, true);
            break;
        }
        size_t fit = fit_prefix(s + pos, rest, width, size, bold);
        /* break at the last space within the fitting prefix */
        size_t brk = fit;
        while (brk > 0 && s[pos + brk] != ' ' && s[pos + brk - 1] != ' ' && s[pos + brk - 1] != '-')
            brk--;
        if (brk == 0) { /* one long word: cut it, at least one code point */
            unsigned long cp;
            brk = fit > 0 ? fit : cp_decode((const unsigned char *)s + pos, &cp);
        }
        size_t end = brk;
        while (end > 0 && s[pos + end - 1] == ' ')
            end--;
        rc = push_line(lines, &n, s + pos, end, false);
        pos += brk;
        /* never split inside a UTF-8 sequence */
        while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
            pos++;
    }
    if (rc != 0) {
        plot_text_lines_free(*lines, n);
        *lines = NULL;
        return rc;
    }
    return (int)n;
}
