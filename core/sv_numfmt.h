/*
 * sv_numfmt: numbers formatted for people, in C, without locales.
 *
 * French (default): decimal comma, thousands grouped by U+202F NARROW
 * NO-BREAK SPACE, U+202F before '%', U+00A0 NO-BREAK SPACE before '€':
 * "12,3 %", "1 801,80 €", "35 000". English: "12.3%", "€1,801.80", "35,000".
 * Rounding is half away from zero on the decimal representation, so 0.125
 * with 2 decimals gives "0,13" (the printf "%.*f" result is corrected for
 * binary representation). Negative zero prints as "0".
 */
#ifndef SV_NUMFMT_H
#define SV_NUMFMT_H

#include <stddef.h>
#include "sv_survey.h"

#define SV_NNBSP "\xe2\x80\xaf" /* U+202F */
#define SV_NBSP "\xc2\xa0"      /* U+00A0 */

/* A plain number with `decimals` digits after the decimal sign. Returns out. */
char *sv_fmt_number(char *out, size_t size, double x, int decimals, enum sv_lang lang);
/* A share given as a fraction (0.123 -> "12,3 %"). */
char *sv_fmt_percent(char *out, size_t size, double fraction, int decimals, enum sv_lang lang);
/* Percentage points (0.031 -> "3,1 pts" / "3.1 pts"). */
char *sv_fmt_points(char *out, size_t size, double fraction, int decimals, enum sv_lang lang);
/* An amount in euros ("1 801,80 €" / "€1,801.80"). */
char *sv_fmt_euro(char *out, size_t size, double x, int decimals, enum sv_lang lang);

#endif
