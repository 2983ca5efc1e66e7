/*
 * The CSV readers side by side (issue 11), for test_readers.c and the fuzz
 * target fuzz_csv_readers.c: each reads a file of the test survey
 * tests/analyse/surveys/mini and writes what it read as text, one
 * "id|region|vacant FTE" line per record, or "error file:line:column: text".
 */
#ifndef READERS_DIFF_H
#define READERS_DIFF_H

#include <stdbool.h>
#include "sv_buf.h"
#include "sv_record.h"
#include "sv_survey.h"

/* The core reader (sv_recio over sv_csv). */
void readers_core(struct sv_buf *out, const char *path, const struct sv_schema *schema);
/* analyse's row reader (analyse_input). */
void readers_rows(struct sv_buf *out, const char *path, const struct sv_survey *survey);
/* The pay reader (pay_fastcsv); false when it declines the file (JSON Lines). */
bool readers_pay(struct sv_buf *out, const char *path);
/* Per region: "code:rows:rows with a value:sum" lines from the lines above. */
void readers_aggregate(struct sv_buf *out, const char *rows);
/* analyse's streamed reader in `threads` ranges, aggregated as above; false when it
   leaves the file to the rows (JSON Lines). */
bool readers_stream(struct sv_buf *out, const char *path, const struct sv_survey *survey,
                    const struct sv_schema *schema, int threads);
/* True when `result` is an error of the CSV layer (sv_csv's words, field counts, empty
   file), false for a value refused by the definition. */
bool readers_csv_error(const char *result);

#endif
