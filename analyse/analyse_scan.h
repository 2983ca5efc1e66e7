/*
 * analyse_scan: a fast reader of a few columns of a large normalised CSV file.
 *
 * analyse_input reads records into per-row columns; this reader serves the
 * streaming estimators (analyse_stream.h), which only need, record by
 * record, the text of the handful of fields they use. It reads the file in
 * large blocks with pread(2), finds the record ends with memchr, and splits
 * a record only up to the last field wanted. RFC 4180 quoting is honoured
 * (a block that contains no quote character takes a quote-free path), as
 * are a UTF-8 BOM, CRLF line ends, blank lines and the separator guessed
 * from the header (';' when it has more semicolons than commas, as sv_csv).
 *
 * The file can be cut into byte ranges at line starts and each range read
 * by its own reader (one per thread): analyse_scan_range() reports whether
 * the range's last record ended exactly where the next range begins, which
 * is false only when a quoted field spans the cut; the caller then reads
 * the file again as one range.
 *
 * Fields handed out stay valid until the next call on the same reader.
 * Nothing here prints; errors fill struct sv_error.
 */
#ifndef ANALYSE_SCAN_H
#define ANALYSE_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sv_error.h"

/* The header of a CSV file: where the records begin and what the columns are. */
struct analyse_scan_header {
    char sep;
    off_t data_start;   /* offset of the first record */
    off_t size;         /* file size when opened */
    long data_line;     /* physical line of the first record (2 unless quoted newlines) */
    char **names;       /* column names, unquoted */
    size_t nnames;
};

/*
 * Read the header of `path`. Returns 0, 1 when the file is JSON Lines (its
 * first byte is '{': this reader does not apply), or an error (missing
 * file, empty file, not a regular file).
 */
int analyse_scan_header_read(struct analyse_scan_header *h, const char *path,
                             struct sv_error *err);
void analyse_scan_header_release(struct analyse_scan_header *h);
/* Index of the column `name`, or -1. */
long analyse_scan_column(const struct analyse_scan_header *h, const char *name);

struct analyse_scan_field {
    /* not NUL-terminated, but at least 16 bytes after p are readable (for
       word-at-a-time comparisons); NULL when the record has fewer fields */
    const char *p;
    size_t len;
};

struct analyse_scan; /* opaque */

/*
 * A reader of the records that start in [start, end) of `path` (end < 0: to
 * the end of the file). `start` must be the start of a line. `cols` lists
 * the ncols column indexes wanted (any order, repeats allowed); each record
 * fills fields[k] for cols[k].
 */
int analyse_scan_new(struct analyse_scan **out, const char *path,
                     const struct analyse_scan_header *h, off_t start, off_t end,
                     const size_t *cols, size_t ncols, struct sv_error *err);
void analyse_scan_free(struct analyse_scan *s);

/*
 * Next record: 1 (fields filled), 0 at the end of the range, or an error.
 * Blank lines are skipped.
 */
int analyse_scan_next(struct analyse_scan *s, const struct analyse_scan_field **fields,
                      struct sv_error *err);

/* Physical line where the last record starts, counted from 1 at the range's start. */
long analyse_scan_line(const struct analyse_scan *s);
/* Physical lines consumed so far (a record with quoted newlines counts them all). */
long analyse_scan_lines_read(const struct analyse_scan *s);
/* Bytes of the range consumed so far (for progress). */
off_t analyse_scan_consumed(const struct analyse_scan *s);
/* After the end: true when the last record ended exactly at the range's end. */
bool analyse_scan_ended_at_cut(const struct analyse_scan *s);

/* The first line start at or after `offset` (>= data_start), or the file size. */
int analyse_scan_line_start(off_t *out, const char *path, const struct analyse_scan_header *h,
                            off_t offset, struct sv_error *err);

/*
 * A plain decimal number ("-12", "3.25"; no exponent, no '+', no spaces) to
 * the same double strtod gives: integer mantissas below 2^53 with at most 22
 * decimals are divided by an exact power of ten (one correctly rounded
 * operation), anything longer goes through strtod. Returns false when the
 * text is not a plain decimal number.
 */
bool analyse_scan_plain_number(const char *p, size_t len, double *out);

#endif
