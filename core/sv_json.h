/*
 * sv_json: small JSON writing helpers that need no JSON library, for the
 * streaming JSON Lines writers (records, indicator tables).
 */
#ifndef SV_JSON_H
#define SV_JSON_H

#include "sv_buf.h"

/* Append `s` as a JSON string literal (quotes included), or null for NULL. */
int sv_json_add_string(struct sv_buf *b, const char *s);
/* Append a number with 17 significant digits, or null when not finite. */
int sv_json_add_number(struct sv_buf *b, double x);

#endif
