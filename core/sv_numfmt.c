/*
 * sv_numfmt: French and English number formatting without locales.
 * Tests: tests/core/test_numfmt.c.
 */
#include "sv_numfmt.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * Round x to `decimals` places, half away from zero, as a person reading the
 * decimal number would (0.125 -> 0.13 although 0.125 is stored exactly, and
 * 1.005 -> 1.01 although it is stored as 1.00499999...).
 */
static double round_decimal(double x, int decimals)
{
    double scale = pow(10.0, decimals);
    double v = fabs(x) * scale;
    double fl = floor(v);
    double frac = v - fl;
    double r;

    if (fabs(frac - 0.5) < 1e-9 * (v > 1 ? v : 1) || frac > 0.5)
        r = fl + 1;
    else
        r = fl;
    return copysign(r, x);
}

/* Write `digits` (ASCII integer) with `sep` between groups of three. */
static size_t group_digits(char *out, size_t size, const char *digits, const char *sep)
{
    size_t n = strlen(digits), i, used = 0, seplen = strlen(sep);

    for (i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            if (used + seplen < size) {
                memcpy(out + used, sep, seplen);
                used += seplen;
            }
        }
        if (used + 1 < size)
            out[used++] = digits[i];
    }
    if (size)
        out[used < size ? used : size - 1] = '\0';
    return used;
}

char *sv_fmt_number(char *out, size_t size, double x, int decimals, enum sv_lang lang)
{
    char raw[64], digits[64];
    double r;
    char *dot;
    size_t used = 0;
    int neg;

    if (size == 0)
        return out;
    if (!isfinite(x)) {
        snprintf(out, size, "%s", isnan(x) ? "–" : (x > 0 ? "∞" : "−∞"));
        return out;
    }
    if (decimals < 0)
        decimals = 0;
    if (decimals > 10)
        decimals = 10;
    r = round_decimal(x, decimals) / pow(10.0, decimals);
    snprintf(raw, sizeof(raw), "%.*f", decimals, fabs(r));
    neg = r < 0 && strspn(raw, "0.") != strlen(raw);
    dot = strchr(raw, '.');
    if (dot)
        *dot = '\0';
    snprintf(digits, sizeof(digits), "%s", raw);
    out[0] = '\0';
    if (neg) {
        /* U+2212 MINUS SIGN in French typography, ASCII hyphen-minus in English. */
        used += (size_t)snprintf(out, size, "%s", lang == SV_LANG_FR ? "\xe2\x88\x92" : "-");
    }
    if (used < size)
        used += group_digits(out + used, size - used, digits,
                             lang == SV_LANG_FR ? SV_NNBSP : ",");
    if (dot && used < size)
        snprintf(out + used, size - used, "%s%s", lang == SV_LANG_FR ? "," : ".", dot + 1);
    return out;
}

char *sv_fmt_percent(char *out, size_t size, double fraction, int decimals, enum sv_lang lang)
{
    char num[64];

    sv_fmt_number(num, sizeof(num), fraction * 100.0, decimals, lang);
    snprintf(out, size, "%s%s%%", num, lang == SV_LANG_FR ? SV_NNBSP : "");
    return out;
}

char *sv_fmt_points(char *out, size_t size, double fraction, int decimals, enum sv_lang lang)
{
    char num[64];

    sv_fmt_number(num, sizeof(num), fraction * 100.0, decimals, lang);
    snprintf(out, size, "%s%s%s", num, lang == SV_LANG_FR ? SV_NBSP : " ",
             lang == SV_LANG_FR ? "pts" : "pts");
    return out;
}

char *sv_fmt_euro(char *out, size_t size, double x, int decimals, enum sv_lang lang)
{
    char num[64];

    if (lang == SV_LANG_FR) {
        sv_fmt_number(num, sizeof(num), x, decimals, lang);
        snprintf(out, size, "%s%s€", num, SV_NBSP);
    } else {
        sv_fmt_number(num, sizeof(num), fabs(x), decimals, lang);
        snprintf(out, size, "%s€%s", x < 0 && strspn(num, "0.,") != strlen(num) ? "-" : "", num);
    }
    return out;
}
