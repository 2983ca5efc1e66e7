/*
 * The escapers of untrusted text (plot/plot_quote.c, plot_html_escape): the
 * input as one label. What each returns must be valid UTF-8 without control
 * characters; the gnuplot literal must be single-quoted pieces joined by '.'
 * with no quote inside a piece (gnuplot does no substitution inside single
 * quotes); the XML and HTML text must hold no < > " ' and only entities after &.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "plot.h"
#include "sv_buf.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

static void clean_text(const struct sv_buf *b, const char *who)
{
    const unsigned char *p = (const unsigned char *)(b->data ? b->data : "");
    for (size_t i = 0; i < b->len; i++) {
        if (p[i] < 0x20 || p[i] == 0x7F)
            fuzz_fail("%s: control byte 0x%02X at %zu", who, p[i], i);
    }
    /* UTF-8: lead bytes followed by the right number of continuation bytes */
    for (size_t i = 0; i < b->len;) {
        unsigned char c = p[i];
        size_t n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 9;
        if (n == 9 || c > 0xF4)
            fuzz_fail("%s: bad UTF-8 lead 0x%02X at %zu", who, c, i);
        for (size_t k = 1; k <= n; k++)
            if (i + k >= b->len || (p[i + k] & 0xC0) != 0x80)
                fuzz_fail("%s: bad UTF-8 sequence at %zu", who, i);
        i += n + 1;
    }
}

static void markup(const struct sv_buf *b, const char *who)
{
    const char *p = b->data ? b->data : "";
    for (size_t i = 0; i < b->len; i++) {
        if (strchr("<>\"'", p[i]))
            fuzz_fail("%s: raw '%c' at %zu", who, p[i], i);
        if (p[i] == '&') {
            size_t k = i + 1;
            while (k < b->len && k < i + 10 && p[k] != ';' && (p[k] == '#' || (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= '0' && p[k] <= '9')))
                k++;
            if (k >= b->len || p[k] != ';' || k == i + 1)
                fuzz_fail("%s: '&' not an entity at %zu", who, i);
        }
    }
}

static void gnuplot_literal(const struct sv_buf *b)
{
    const char *p = b->data ? b->data : "";
    size_t i = 0;
    if (b->len == 0)
        return;
    for (;;) {
        if (p[i] == '\'') {
            i++;
            while (i < b->len && p[i] != '\'')
                i++;
            if (i >= b->len)
                fuzz_fail("gnuplot literal: unterminated piece");
            i++;
        } else if (strncmp(p + i, "\"\\047\"", 6) == 0) {
            i += 6;
        } else {
            fuzz_fail("gnuplot literal: unexpected '%c' at %zu in %s", p[i], i, p);
        }
        if (i == b->len)
            return;
        if (p[i] != '.')
            fuzz_fail("gnuplot literal: pieces not joined by '.' at %zu in %s", i, p);
        i++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0'; /* a label is a C string: what follows a NUL is not part of it */
    struct sv_buf b = SV_BUF_INIT;
    size_t missing = 0;
    if (plot_quote_clean(&b, s) == 0)
        clean_text(&b, "clean");
    sv_buf_reset(&b);
    if (plot_quote_literal(&b, s) == 0) {
        clean_text(&b, "literal");
        gnuplot_literal(&b);
    }
    sv_buf_reset(&b);
    if (plot_quote_xml(&b, s) == 0) {
        clean_text(&b, "xml");
        markup(&b, "xml");
    }
    sv_buf_reset(&b);
    if (plot_html_escape(&b, s) == 0)
        markup(&b, "html");
    sv_buf_reset(&b);
    if (plot_quote_glyphs(&b, s, &missing) == 0)
        clean_text(&b, "glyphs");
    sv_buf_reset(&b);
    struct sv_buf c = SV_BUF_INIT; /* typography is applied to cleaned text (plot_scene.c) */
    if (plot_quote_clean(&c, s) == 0 && plot_quote_typography(&b, c.data ? c.data : "") == 0)
        clean_text(&b, "typography");
    sv_buf_release(&c);
    sv_buf_reset(&b);
    if (plot_quote_message(&b, s) == 0)
        clean_text(&b, "message");
    sv_buf_release(&b);
    free(s);
    return 0;
}
