/*
 * sv_csv: streaming CSV reader and writer (RFC 4180, UTF-8).
 *
 * Two dialects: the plain one (',' separator, '.' decimals, no BOM) and the
 * spreadsheet dialect French offices open by double-click ("excel-fr": ';'
 * separator, decimal comma, UTF-8 BOM, CRLF line ends). Fields may hold
 * separators, quotes and newlines; they are quoted when needed.
 *
 * The reader streams one record at a time and tracks the line where each
 * record starts, so errors read "file.csv:12: ...". It strips a leading UTF-8
 * BOM and accepts LF or CRLF line ends.
 *
 * What every CSV reader of the toolkit refuses, with the same message at the
 * same line (the fast readers of analyse call sv_csv_record_check() on each
 * record so that they read a file exactly as this reader does, or stop where
 * it stops): an unterminated quoted field, a quote inside an unquoted field,
 * text after a closing quote, a NUL byte, a carriage return not followed by
 * a line feed outside quotes (old Mac line ends), bytes that are not UTF-8
 * (a Windows-1252 file from Excel), a byte order mark that is not UTF-8's.
 */
#ifndef SV_CSV_H
#define SV_CSV_H

#include <stdio.h>
#include <stdbool.h>
#include "sv_buf.h"
#include "sv_error.h"

enum sv_csv_dialect {
    SV_CSV_PLAIN = 0,
    SV_CSV_EXCEL_FR = 1
};

/* Parse "plain"/"csv" or "excel-fr". Returns 0 or SV_EUSAGE. */
int sv_csv_dialect_parse(const char *name, enum sv_csv_dialect *out);

struct sv_csv_reader {
    FILE *fp;
    char *source;  /* file name for messages; owned */
    char sep;
    long line;     /* current physical line (1-based) */
    long record_line; /* line where the last record started */
    bool started;
    struct sv_buf field;
    char **fields;  /* borrowed by callers until the next read */
    size_t nfields;
    size_t cap;
    struct sv_buf store; /* backing storage for fields */
    size_t *offsets;
    struct sv_buf pending; /* look-ahead bytes read while guessing the separator */
    size_t pending_pos;
    bool last_pending; /* the last byte read came from `pending` */
};

/*
 * Start reading `fp` (not closed by the reader). `sep` is ',' or ';' or '\t';
 * 0 means: guess from the first line (';' if it has more ';' than ',').
 */
int sv_csv_reader_init(struct sv_csv_reader *r, FILE *fp, const char *source, char sep,
                       struct sv_error *err);
/* The separator guess reads at most this much of the first record. */
#define SV_CSV_GUESS_MAX ((size_t)1 << 20)

/*
 * The separator of a file whose first record starts at p: ';' when it has
 * more semicolons than commas outside quotes, TAB when it has more tabs than
 * either, else ','. Only the first record (up to SV_CSV_GUESS_MAX bytes) counts.
 */
char sv_csv_guess_separator(const char *p, size_t len);

/*
 * A file starting with byte 0xEF must start with the UTF-8 byte order mark:
 * 0 and *skip = 3 (or 0 without one), or SV_EDATA naming `source`, line 1.
 */
int sv_csv_bom_check(const char *p, size_t len, size_t *skip, const char *source,
                     struct sv_error *err);

/*
 * Check the bytes of one record as sv_csv_read() reads them: p[0..len) runs
 * from the record's first byte to the line feed that ends it outside quotes
 * (excluded; a CR before it is the CRLF line end) or to the end of the file.
 * `line` is the physical line the record starts on. Returns 0 with the number
 * of fields (and *blank: a single empty field, a blank line), or SV_EDATA with
 * the line, field and wording sv_csv_read() would give.
 */
int sv_csv_record_check(const char *p, size_t len, char sep, const char *source, long line,
                        size_t *nfields, bool *blank, struct sv_error *err);

/*
 * Read the next record. Returns 1 when a record was read (fields in
 * r->fields[0..r->nfields-1], borrowed until the next call), 0 at end of
 * file, or a negative SV_E* code (the malformations above, I/O).
 */
int sv_csv_read(struct sv_csv_reader *r, struct sv_error *err);
void sv_csv_reader_release(struct sv_csv_reader *r);

/* Kinds of cell for the writer: text cells are protected against formula injection. */
enum sv_csv_cell {
    SV_CELL_TEXT = 0,   /* free text: neutralised (sv_csv_neutralise) */
    SV_CELL_NUMBER = 1, /* a number in C notation ("-3.5"); decimal comma in excel-fr */
    SV_CELL_CODE = 2    /* a code or label from the survey definition: written as is */
};

struct sv_csv_writer {
    FILE *fp;
    enum sv_csv_dialect dialect;
    char sep;
    const char *eol;
    bool at_line_start;
    int status; /* first write error, sticky */
};

/* Start writing; in excel-fr the BOM is written at once. */
int sv_csv_writer_init(struct sv_csv_writer *w, FILE *fp, enum sv_csv_dialect dialect);
/* Write one cell (NULL = empty cell, for a missing value). */
int sv_csv_cell(struct sv_csv_writer *w, const char *value, enum sv_csv_cell kind);
/* End the record. */
int sv_csv_end_record(struct sv_csv_writer *w);
/* Write a whole header or text row. */
int sv_csv_row(struct sv_csv_writer *w, const char *const *cells, size_t n, enum sv_csv_cell kind);
/* 0 or SV_EIO if any write failed. */
int sv_csv_writer_status(const struct sv_csv_writer *w);

/*
 * True when a spreadsheet could read `cell` as a formula: it starts with '=',
 * '+', '-', '@', TAB or CR, or with a full-width or small form of = + - @
 * (U+FF1D U+FF0B U+FF0D U+FF20 U+FE66 U+FE62 U+FE63 U+FE6B) or U+2212.
 */
bool sv_csv_formula_start(const char *cell);

/*
 * Neutralise a text cell against spreadsheet formula injection: a cell for
 * which sv_csv_formula_start() holds gets a leading apostrophe (OWASP's
 * advice). The one neutralising function of the toolkit: every CSV writer
 * goes through sv_csv_cell(). Writes into `out` (reset first). Returns 0 or
 * SV_ENOMEM.
 */
int sv_csv_neutralise(struct sv_buf *out, const char *cell);

#endif
