/*
 * pay_fastcsv: a reader of the normalised CSV (as sv_recio writes it) that
 * reads only the columns the pay statistics use, straight into pay_emp rows.
 *
 * Why not sv_recio: it builds a full sv_record (a copy of every field of
 * every row) and checks every column; on a million employees that was half
 * of `analyse gender`'s time. This reader reads the file in large blocks
 * with read(2), splits fields in place (RFC 4180 quotes, CRLF or LF, the
 * separator guessed as sv_csv does), and checks each value it uses as
 * sv_record_check_value() does, with the same messages:
 *   "file:line: record 'id': variable: unknown code 'x'".
 * Columns it does not use are not checked (field counts still are).
 * Numbers: an integer mantissa below 2^53 with at most 22 decimals is
 * divided by an exact power of ten (one correctly rounded division, the
 * same double as strtod); anything else goes through strtod.
 */
#ifndef ANALYSE_PAY_FASTCSV_H
#define ANALYSE_PAY_FASTCSV_H

#include <stddef.h>
#include "sv_error.h"

/* Returned when the file is not one this reader takes (JSON Lines, stdin):
 * use sv_recio instead. */
#define PAY_FASTCSV_DECLINED 1

/*
 * Read `path`. `names[k]` (k < nnames) are the header names wanted, NULL
 * for none; when the header has no names[k], alt_names[k] is read instead
 * (alt_names may be NULL, an entry NULL: none; pay_data passes the
 * variable's csv platform name, as collect and analyse --data read it). For each record, row(vals, line, id, ctx) gets vals[k] = the
 * field of names[k] (NUL-terminated, unquoted; NULL when the column is
 * absent or the cell empty), the record's first line and its "id" field
 * ("?" without one); a negative return stops (row fills err). Returns 0,
 * PAY_FASTCSV_DECLINED (JSON Lines or stdin: nothing was read) or a
 * negative SV_E* with err filled.
 */
int pay_fastcsv_read(const char *path, const char *const *names, const char *const *alt_names,
                     size_t nnames, int (*row)(char **vals, long line, const char *id, void *ctx),
                     void *ctx, struct sv_error *err);

/* The number parser alone (for the unit tests): 0 and *out, or -1 as
 * sv_record's parse_number rejects the text. `s` is NUL-terminated. */
int pay_fastcsv_number(const char *s, double *out);

#endif
