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
/*
 * Read the next record. Returns 1 when a record was read (fields in
 * r->fields[0..r->nfields-1], borrowed until the next call), 0 at end of
 * file, or a negative SV_E* code (unterminated quote, stray quote, I/O).
 */
int sv_csv_read(struct sv_csv_reader *r, struct sv_error *err);
void sv_csv_reader_release(struct sv_csv_reader *r);

/* Kinds of cell for the writer: text cells are protected against formula injection. */
enum sv_csv_cell {
    SV_CELL_TEXT = 0,   /* free text: neutralised when it starts with = + - @ TAB CR */
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
 * Neutralise a text cell against spreadsheet formula injection: a cell that
 * starts with '=', '+', '-', '@', TAB or CR gets a leading apostrophe
 * (OWASP's advice). Writes into `out` (reset first). Returns 0 or SV_ENOMEM.
 */
int sv_csv_neutralise(struct sv_buf *out, const char *cell);

#endif
