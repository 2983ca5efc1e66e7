/* Unit tests: quoting of untrusted text for gnuplot, text width and wrapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plot.h"

static char *lit(const char *s)
{
    struct sv_buf b = SV_BUF_INIT;
    assert_int_equal(plot_quote_literal(&b, s), 0);
    return sv_buf_detach(&b, NULL);
}

static char *clean(const char *s)
{
    struct sv_buf b = SV_BUF_INIT;
    assert_int_equal(plot_quote_clean(&b, s), 0);
    return sv_buf_detach(&b, NULL);
}

#define ASSERT_LIT(in, want)                                                                       \
    do {                                                                                           \
        char *got_ = lit(in);                                                                      \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

static void test_plain(void **state)
{
    (void)state;
    ASSERT_LIT("Île-de-France", "'Île-de-France'");
    ASSERT_LIT("", "''");
    ASSERT_LIT(NULL, "''");
    ASSERT_LIT("12,3\xe2\x80\xaf%", "'12,3\xe2\x80\xaf%'");
}

static void test_quotes_joined(void **state)
{
    (void)state;
    /* no '' runs (mis-parsed by gnuplot 5.4), no "'" (desynchronises its macro pre-scan) */
    ASSERT_LIT("Provence-Alpes-Côte d'Azur", "'Provence-Alpes-Côte d'.\"\\047\".'Azur'");
    ASSERT_LIT("'", "\"\\047\"");
    ASSERT_LIT("''x''", "\"\\047\".\"\\047\".'x'.\"\\047\".\"\\047\"");
    ASSERT_LIT("say \"hi\"", "'say \"hi\"'");
}

static void test_shell_and_macros_literal(void **state)
{
    (void)state;
    /* inside single quotes gnuplot does no backquote, macro or escape processing */
    ASSERT_LIT("`touch pwned`", "'`touch pwned`'");
    ASSERT_LIT("system(\"touch pwned\")", "'system(\"touch pwned\")'");
    ASSERT_LIT("@macro", "'@macro'");
    ASSERT_LIT("a\\nb\\", "'a\\nb\\'");
    ASSERT_LIT("^_{}@&~\\", "'^_{}@&~\\'");
    ASSERT_LIT("# not a comment", "'# not a comment'");
    ASSERT_LIT("' ; system('touch pwned') ; '",
               "\"\\047\".' ; system('.\"\\047\".'touch pwned'.\"\\047\".') ; '.\"\\047\"");
}

static void test_controls_removed(void **state)
{
    (void)state;
    /* a newline would end the command: every control character becomes a space */
    ASSERT_LIT("a\nb\rc\td", "'a b c d'");
    ASSERT_LIT("x\x01\x1f\x7fy", "'x   y'");
    ASSERT_LIT("x\xc2\x85y", "'x y'");     /* U+0085 NEL */
    ASSERT_LIT("x\xe2\x80\xa8y", "'x y'"); /* U+2028 LINE SEPARATOR */
    ASSERT_LIT("x\xe2\x80\xa9y", "'x y'"); /* U+2029 */
    ASSERT_LIT("'\n'", "\"\\047\".' '.\"\\047\"");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    ASSERT_LIT("a\xffz", "'a\xef\xbf\xbdz'");
    ASSERT_LIT("\xc3", "'\xef\xbf\xbd'");                                 /* truncated sequence */
    ASSERT_LIT("\xc0\xaf", "'\xef\xbf\xbd\xef\xbf\xbd'");                 /* overlong */
    ASSERT_LIT("\xed\xa0\x80", "'\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd'"); /* surrogate */
    ASSERT_LIT("\xf0\x9f\x98\x80", "'\xf0\x9f\x98\x80'");                 /* valid 4-byte */
}

static void test_long_string(void **state)
{
    (void)state;
    char *s = malloc(5001);
    assert_non_null(s);
    for (int i = 0; i < 5000; i++)
        s[i] = (i % 7 == 3) ? '\'' : 'a' + i % 26;
    s[5000] = '\0';
    char *q = lit(s);
    /* never two quote characters in a row, and every quote of the text became "\047" */
    assert_null(strstr(q, "''"));
    size_t quotes = 0, pieces = 0;
    for (int i = 0; i < 5000; i++)
        quotes += s[i] == '\'';
    for (const char *p = q; (p = strstr(p, "\"\\047\"")) != NULL; p++)
        pieces++;
    assert_int_equal(pieces, quotes);
    free(q);
    free(s);
}

static void test_clean(void **state)
{
    (void)state;
    char *c = clean("a\tb'c`d");
    assert_string_equal(c, "a b'c`d");
    free(c);
}

static void test_safe_name(void **state)
{
    (void)state;
    assert_true(plot_quote_safe_name("fig-1_a.svg"));
    assert_false(plot_quote_safe_name("| touch pwned"));
    assert_false(plot_quote_safe_name("<cmd"));
    assert_false(plot_quote_safe_name("a b.svg"));
    assert_false(plot_quote_safe_name("a'b.svg"));
    assert_false(plot_quote_safe_name(".hidden"));
    assert_false(plot_quote_safe_name("-x"));
    assert_false(plot_quote_safe_name(""));
    assert_false(plot_quote_safe_name(NULL));
    assert_false(plot_quote_safe_name("dir/x.svg"));
}

static void test_text_width(void **state)
{
    (void)state;
    /* DejaVu Sans: 'M' is 1767/2048 em; ten of them at 10 pt, with the 2 % margin */
    double w = plot_text_width("MMMMMMMMMM", 10, false);
    assert_true(w > 86.0 && w < 89.0);
    assert_true(plot_text_width("abc", 10, true) > plot_text_width("abc", 10, false));
    assert_true(plot_text_width("", 10, false) == 0.0);
}

static void test_wrap(void **state)
{
    (void)state;
    char **lines = NULL;
    int n = plot_text_wrap(&lines, "Deux établissements sur trois peinent à recruter", 120, 10,
                           false, 3);
    assert_true(n >= 2);
    for (int i = 0; i < n; i++)
        assert_true(plot_text_width(lines[i], 10, false) <= 120.0);
    plot_text_lines_free(lines, (size_t)n);

    /* hyphenated names break after a hyphen, not inside a word */
    n = plot_text_wrap(&lines, "Bourgogne-Franche-Comté", 90, 10, false, 2);
    assert_int_equal(n, 2);
    assert_string_equal(lines[0], "Bourgogne-");
    assert_string_equal(lines[1], "Franche-Comté");
    plot_text_lines_free(lines, (size_t)n);

    /* too long for the lines allowed: cut with an ellipsis */
    n = plot_text_wrap(&lines, "one two three four five six seven eight nine ten", 40, 10, false,
                       2);
    assert_int_equal(n, 2);
    size_t len = strlen(lines[1]);
    assert_true(len >= 3);
    assert_memory_equal(lines[1] + len - 3, "\xe2\x80\xa6", 3);
    plot_text_lines_free(lines, (size_t)n);

    /* one line that fits is returned as is */
    n = plot_text_wrap(&lines, "Corse", 100, 10, false, 2);
    assert_int_equal(n, 1);
    assert_string_equal(lines[0], "Corse");
    plot_text_lines_free(lines, (size_t)n);

    /* a narrow width never splits a UTF-8 sequence */
    n = plot_text_wrap(&lines, "ééééé", 1, 10, false, 10);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        struct sv_buf b = SV_BUF_INIT;
        plot_quote_clean(&b, lines[i]);
        assert_null(strstr(b.data, "\xef\xbf\xbd"));
        sv_buf_release(&b);
    }
    plot_text_lines_free(lines, (size_t)n);
}

static char *apply(int (*fn)(struct sv_buf *, const char *), const char *s)
{
    struct sv_buf b = SV_BUF_INIT;
    assert_int_equal(fn(&b, s), 0);
    char *r = sv_buf_detach(&b, NULL);
    return r ? r : strdup("");
}

#define ASSERT_FN(fn, in, want)                                                                    \
    do {                                                                                           \
        char *got_ = apply(fn, in);                                                                \
        assert_string_equal(got_, want);                                                           \
        free(got_);                                                                                \
    } while (0)

/* issue 16: noncharacters broke the SVG, bidi overrides reordered labels */
static void test_nonchar_and_bidi(void **state)
{
    (void)state;
    ASSERT_FN(plot_quote_clean, "a\xef\xbf\xbe\xef\xbf\xbf" "b", "a\xef\xbf\xbd\xef\xbf\xbd" "b");
    ASSERT_FN(plot_quote_clean, "x\xef\xb7\x90y", "x\xef\xbf\xbdy");           /* U+FDD0 */
    ASSERT_FN(plot_quote_clean, "\xf4\x8f\xbf\xbf", "\xef\xbf\xbd");           /* U+10FFFF */
    ASSERT_FN(plot_quote_clean, "facture\xe2\x80\xae" "fdp.exe", "facturefdp.exe"); /* RLO */
    ASSERT_FN(plot_quote_clean, "\xe2\x81\xa6" "a\xe2\x81\xa9\xe2\x80\x8f", "a"); /* LRI PDI RLM */
}

static void test_xml(void **state)
{
    (void)state;
    ASSERT_FN(plot_quote_xml, "]]> &#x3c;b&#x3e; \"'", "]]&gt; &amp;#x3c;b&amp;#x3e; &quot;&#39;");
    ASSERT_FN(plot_quote_xml, "esc\x1b del\x7f c1\xc2\x85 \xff", "esc  del  c1  \xef\xbf\xbd");
    ASSERT_FN(plot_html_escape, "<b>\xef\xbf\xbf", "&lt;b&gt;\xef\xbf\xbd");
}

static int glyphs(struct sv_buf *b, const char *s)
{
    size_t missing = 0;
    int rc = plot_quote_glyphs(b, s, &missing);
    sv_buf_addf(b, "|%zu", missing);
    return rc;
}

static void test_glyphs(void **state)
{
    (void)state;
    assert_true(plot_glyph_covered('A'));
    assert_true(plot_glyph_covered(0x202f)); /* narrow no-break space */
    assert_true(plot_glyph_covered(0x2019)); /* ’ */
    assert_true(plot_glyph_covered(0x20ac)); /* € */
    assert_false(plot_glyph_covered(0x1f984)); /* unicorn */
    ASSERT_FN(glyphs, "Île 12\xe2\x80\xaf%", "Île 12\xe2\x80\xaf%|0");
    ASSERT_FN(glyphs, "a \xf0\x9f\xa6\x84 b", "a \xef\xbf\xbd b|1");
    /* the joiner and variation selector are in the font (zero width): kept */
    ASSERT_FN(glyphs, "\xf0\x9f\xa6\x84\xe2\x80\x8d\xf0\x9f\xa6\x84\xef\xb8\x8f",
              "\xef\xbf\xbd\xe2\x80\x8d\xef\xbf\xbd\xef\xb8\x8f|2");
}

static void test_typography(void **state)
{
    (void)state;
    ASSERT_FN(plot_quote_typography, "l'aide d'État", "l\xe2\x80\x99" "aide d\xe2\x80\x99État");
    ASSERT_FN(plot_quote_typography, "'quoted' 5'", "'quoted' 5'");
    /* superscript ordinals, not inside codes or numbers */
    ASSERT_FN(plot_quote_typography, "au 1er novembre, la 1re fois, du 1er au 3e quartile",
              "au 1\xe1\xb5\x89\xca\xb3 novembre, la 1\xca\xb3\xe1\xb5\x89 fois, du "
              "1\xe1\xb5\x89\xca\xb3 au 3\xe1\xb5\x89 quartile");
    ASSERT_FN(plot_quote_typography, "1e5 A1e 3ex 2,5e 12e", "1e5 A1e 3ex 2,5e 12\xe1\xb5\x89");
    assert_true(plot_glyph_covered(0x1d49) && plot_glyph_covered(0x2b3));
}

/* issue 16: table text reached the terminal raw in error messages */
static void test_message(void **state)
{
    (void)state;
    ASSERT_FN(plot_quote_message, "a\x1b[2Jb", "a\\x1b[2Jb");
    ASSERT_FN(plot_quote_message, "\xc2\x9b" "1m \xe2\x80\xae \xff \\", "\\u009b1m \\u202e \\xff \\\\");
    ASSERT_FN(plot_quote_message, "Île-de-France", "Île-de-France");
    struct sv_error err;
    sv_error_clear(&err);
    sv_error_set(&err, SV_EDATA, "t\x1b.csv", 0, 0, "unknown group '\x1b]0;x\x07'");
    plot_error_quote(&err);
    assert_string_equal(err.source, "t\\x1b.csv");
    assert_string_equal(err.text, "unknown group '\\x1b]0;x\\x07'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_quotes_joined),
        cmocka_unit_test(test_shell_and_macros_literal),
        cmocka_unit_test(test_controls_removed),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_long_string),
        cmocka_unit_test(test_clean),
        cmocka_unit_test(test_safe_name),
        cmocka_unit_test(test_text_width),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_nonchar_and_bidi),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_glyphs),
        cmocka_unit_test(test_typography),
        cmocka_unit_test(test_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
