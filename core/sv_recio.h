/*
 * sv_recio: normalised records in files: CSV (plain or excel-fr) and JSON Lines.
 *
 * The CSV header is "source,id,submitted,<schema columns...>". Missing values
 * are empty cells in CSV and null in JSON Lines. Text cells are neutralised
 * against formula injection; number columns are written as numbers. Personal
 * "hash" columns are kept (they are already hashed); "drop" ones never exist.
 */
#ifndef SV_RECIO_H
#define SV_RECIO_H

#include <stdio.h>
#include "sv_record.h"
#include "sv_csv.h"

enum sv_recio_format { SV_RECIO_CSV, SV_RECIO_EXCEL_FR, SV_RECIO_JSONL };
int sv_recio_format_parse(const char *s, enum sv_recio_format *out);

struct sv_recio_writer {
    const struct sv_schema *schema;
    enum sv_recio_format format;
    FILE *fp;
    struct sv_csv_writer csv;
};
int sv_recio_writer_init(struct sv_recio_writer *w, FILE *fp, const struct sv_schema *schema,
                         enum sv_recio_format format, struct sv_error *err);
int sv_recio_write(struct sv_recio_writer *w, const struct sv_record *r, struct sv_error *err);

/*
 * Stream normalised records from a CSV file with the header above (either
 * dialect; columns matched by name, unknown columns ignored, values checked
 * with sv_record_check_value) or from JSON Lines (detected by a leading '{').
 */
struct sv_recio_reader;
int sv_recio_reader_open(struct sv_recio_reader **out, const char *path,
                         const struct sv_schema *schema, struct sv_error *err);
/* 1 = a record in *rec (borrowed until the next call), 0 = end, <0 = error. */
int sv_recio_read(struct sv_recio_reader *r, const struct sv_record **rec, struct sv_error *err);
/* The line of the file where the record last read starts (1 = the first line). */
long sv_recio_record_line(const struct sv_recio_reader *r);
void sv_recio_reader_free(struct sv_recio_reader *r);

#endif
