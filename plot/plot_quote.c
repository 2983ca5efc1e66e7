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
