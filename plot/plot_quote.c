/*
 * plot_quote: the one place where untrusted text is made safe for gnuplot.
 *
 * gnuplot has no safe mode: backquotes run shell commands everywhere except
 * inside single-quoted strings, @macros expand outside quotes, a newline ends
 * a command, and double-quoted strings process backslash escapes. Single
 * quotes take everything literally except '' (a quote). So every piece of
 * text that comes from a table, a survey or the command line is emitted as a
 * single-quoted literal built here, on an element marked 'noenhanced'.
 * The data file holds numbers only.
 */
#include <string.h>

#include "plot.h"

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, unsigned long *cp)
{
    unsigned char c = s[0];
    size_t len;
    unsigned long v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        v = c & 0x1f;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        v = c & 0x0f;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        v = c & 0x07;
        min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static bool is_control(unsigned long cp)
{
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029;
}

/* U+FDD0..U+FDEF and the last two code points of every plane: not text (XML refuses U+FFFE/F). */
static bool is_nonchar(unsigned long cp)
{
    return (cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffeUL) == 0xfffeUL;
}

/*
 * Bidirectional embeddings, overrides, isolates and marks: an override makes
 * 'facture<RLO>fdp.exe' read 'factureexe.pdf'. Labels are short runs of one
 * direction, so they are dropped, as careful publishers do.
 */
bool plot_quote_is_bidi(unsigned long cp)
{
    return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
           cp == 0x200f || cp == 0x061c;
}

size_t plot_quote_utf8(const char *s, unsigned long *cp)
{
    return utf8_seq((const unsigned char *)s, cp);
}

static int clean_into(struct sv_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned long cp = 0;
        size_t len = utf8_seq(p, &cp);
        int rc;
        if (len == 0) {
            rc = sv_buf_adds(out, "\xef\xbf\xbd"); /* U+FFFD */
            len = 1;
        } else if (is_control(cp)) {
            rc = sv_buf_addc(out, ' ');
        } else if (is_nonchar(cp)) {
            rc = sv_buf_adds(out, "\xef\xbf\xbd");
        } else if (plot_quote_is_bidi(cp)) {
            rc = 0;
        } else {
            rc = sv_buf_add(out, p, len);
        }
        if (rc != 0)
            return rc;
        p += len;
    }
    return 0;
}

int plot_quote_clean(struct sv_buf *out, const char *s)
{
    return clean_into(out, s);
}

/*
 * A quote inside the text is not written as '' (gnuplot 5.4's scanner
 * mis-parses runs such as '''' and a leading ''), nor as "'" (a quote inside
 * double quotes desynchronises the pre-scan that finds @macros and
 * backquotes, which then expands the next single-quoted piece). It becomes a
 * separate "\047" joined by the string operator '.':
 *     it's  ->  'it'."\047".'s'
 * "\047" contains no quote character, so every pre-scan stays in step.
 */
int plot_quote_literal(struct sv_buf *out, const char *s)
{
    struct sv_buf clean = SV_BUF_INIT;
    int rc = clean_into(&clean, s);
    bool open = false, any = false;
    for (const char *p = clean.data; *p && rc == 0; p++) {
        if (*p == '\'') {
            if (open)
                rc = sv_buf_addc(out, '\'');
            open = false;
            if (rc == 0 && any)
                rc = sv_buf_addc(out, '.');
            if (rc == 0)
                rc = sv_buf_adds(out, "\"\\047\"");
        } else {
            if (!open) {
                if (any)
                    rc = sv_buf_addc(out, '.');
                if (rc == 0)
                    rc = sv_buf_addc(out, '\'');
                open = true;
            }
            if (rc == 0)
                rc = sv_buf_addc(out, *p);
        }
        any = true;
    }
    if (rc == 0 && open)
        rc = sv_buf_addc(out, '\'');
    if (rc == 0 && !any)
        rc = sv_buf_adds(out, "''");
    sv_buf_release(&clean);
    return rc;
}

bool plot_quote_safe_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.' || name[0] == '-')
        return false;
    for (const char *p = name; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return strlen(name) < 200;
}

int plot_quote_xml(struct sv_buf *out, const char *s)
{
    struct sv_buf clean = SV_BUF_INIT;
    int rc = clean_into(&clean, s);
    for (const char *p = clean.data ? clean.data : ""; *p && rc == 0; p++) {
        switch (*p) {
        case '&':
            rc = sv_buf_adds(out, "&amp;");
            break;
        case '<':
            rc = sv_buf_adds(out, "&lt;");
            break;
        case '>':
            rc = sv_buf_adds(out, "&gt;");
            break;
        case '"':
            rc = sv_buf_adds(out, "&quot;");
            break;
        case '\'':
            rc = sv_buf_adds(out, "&#39;");
            break;
        default:
            rc = sv_buf_addc(out, *p);
            break;
        }
    }
    sv_buf_release(&clean);
    return rc;
}

int plot_quote_glyphs(struct sv_buf *out, const char *s, size_t *missing)
{
    const char *p = s ? s : "";
    int rc = 0;
    while (*p && rc == 0) {
        unsigned long cp = 0;
        size_t len = utf8_seq((const unsigned char *)p, &cp);
        if (len == 0) {
            rc = sv_buf_adds(out, "\xef\xbf\xbd");
            len = 1;
        } else if (!plot_glyph_covered(cp)) {
            /* combining marks and joiners the font lacks are dropped, the rest replaced */
            bool zero_width = (cp >= 0x200b && cp <= 0x200d) || cp == 0xfe0f || cp == 0xfe0e ||
                              (cp >= 0x1f3fb && cp <= 0x1f3ff);
            if (!zero_width)
                rc = sv_buf_adds(out, "\xef\xbf\xbd");
            if (missing != NULL)
                (*missing)++;
        } else {
            rc = sv_buf_add(out, p, len);
        }
        p += len;
    }
    return rc;
}

/* A letter, digit or joining mark next to an ordinal makes it something else (A1e, 1e5, 3ex). */
static bool ordinal_blocked(unsigned long cp)
{
    return (cp >= '0' && cp <= '9') || (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
           cp == '_' || cp == '.' || cp == ',' || cp == '-' || cp == '/' ||
           (cp >= 0xc0 && cp <= 0x24f);
}

int plot_quote_typography(struct sv_buf *out, const char *s)
{
    const char *p = s ? s : "";
    int rc = 0;
    unsigned long prev = 0;
    while (*p && rc == 0) {
        unsigned long cp = 0, next = 0;
        size_t len = utf8_seq((const unsigned char *)p, &cp);
        if (len == 0) {
            rc = sv_buf_adds(out, "\xef\xbf\xbd");
            p++;
            prev = 0xfffd;
            continue;
        }
        /* French ordinals: 1er -> 1ᵉʳ, 1re -> 1ʳᵉ, 3e -> 3ᵉ (digits not inside a word or number) */
        if (cp >= '0' && cp <= '9' && !ordinal_blocked(prev)) {
            size_t nd = 0;
            while (p[nd] >= '0' && p[nd] <= '9')
                nd++;
            static const struct {
                const char *suffix, *sup;
            } ord[] = {{"er", "\xe1\xb5\x89\xca\xb3"},
                       {"re", "\xca\xb3\xe1\xb5\x89"},
                       {"e", "\xe1\xb5\x89"}};
            size_t k;
            for (k = 0; k < sizeof ord / sizeof ord[0]; k++) {
                size_t sl = strlen(ord[k].suffix);
                unsigned long after = 0;
                if (strncmp(p + nd, ord[k].suffix, sl) != 0)
                    continue;
                if (p[nd + sl] != '\0')
                    utf8_seq((const unsigned char *)p + nd + sl, &after);
                if (!ordinal_blocked(after))
                    break;
            }
            if (k < sizeof ord / sizeof ord[0]) {
                rc = sv_buf_add(out, p, nd);
                if (rc == 0)
                    rc = sv_buf_adds(out, ord[k].sup);
                p += nd + strlen(ord[k].suffix);
                prev = 'e';
                continue;
            }
            rc = sv_buf_add(out, p, nd);
            p += nd;
            prev = '0';
            continue;
        }
        if (cp == '\'' && p[1] != '\0')
            utf8_seq((const unsigned char *)p + 1, &next);
        /* a straight apostrophe between letters is the typographic one: l'aide -> l\u2019aide */
        bool letter_before = (prev >= 'A' && prev <= 'Z') || (prev >= 'a' && prev <= 'z') ||
                             (prev >= 0xc0 && prev <= 0x24f && prev != 0xd7 && prev != 0xf7);
        bool letter_after = (next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z') ||
                            (next >= 0xc0 && next <= 0x24f && next != 0xd7 && next != 0xf7);
        if (cp == '\'' && letter_before && letter_after)
            rc = sv_buf_adds(out, "\xe2\x80\x99");
        else
            rc = sv_buf_add(out, p, len);
        prev = cp;
        p += len;
    }
    return rc;
}

int plot_quote_message(struct sv_buf *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    int rc = 0;
    while (*p && rc == 0) {
        unsigned long cp = 0;
        size_t len = utf8_seq(p, &cp);
        if (len == 0) {
            rc = sv_buf_addf(out, "\\x%02x", *p);
            len = 1;
        } else if (cp == '\\') {
            rc = sv_buf_adds(out, "\\\\");
        } else if (cp < 0x20 || cp == 0x7f) {
            rc = sv_buf_addf(out, "\\x%02lx", cp);
        } else if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
                   plot_quote_is_bidi(cp) || is_nonchar(cp)) {
            rc = sv_buf_addf(out, "\\u%04lx", cp);
        } else {
            rc = sv_buf_add(out, p, len);
        }
        p += len;
    }
    return rc;
}
