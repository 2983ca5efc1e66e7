/*
 * analyse_stream: one pass over a normalised CSV file into per-slot moments
 * (analyse_moments.h), for the statistics that allow it: totals, means,
 * proportions and ratios under the frame designs.
 *
 * A slot is a combination of codes: the frame variables' (which fix the
 * frame cell, hence stratum and weight), the grouping variables' and, for a
 * single-choice variable, the answer's. Memory is proportional to the slots
 * met (a few thousand at most for the bundled surveys), never to the rows.
 *
 * Every value read is checked against the definition as analyse_input does
 * (same rules, same messages, with the file, line and record id), and a
 * record whose stratum is missing from the frame is refused in the same
 * words. Large files are cut into byte ranges read by parallel threads; a
 * cut that falls inside a quoted field is detected and the file is read
 * again in one piece.
 */
#ifndef ANALYSE_STREAM_H
#define ANALYSE_STREAM_H

#include <stdbool.h>
#include <stddef.h>

#include "analyse_frame.h"
#include "analyse_moments.h"
#include "sv_record.h"
#include "sv_survey.h"

struct analyse_stream_spec {
    const struct sv_survey *survey;
    const struct sv_schema *schema;
    const char *path;
    enum analyse_weighting weighting;
    const char *y;       /* a numeric column (number, integer, likert, yes/no, '<var>.<code>') */
    bool y_single;       /* or a single-choice variable: slots also keyed by its answer */
    const char *x;       /* ratio denominator (numeric column) or NULL */
    const char *const *dims; /* single-choice grouping variables */
    size_t ndims;
    int threads;         /* 0: one per processor (at most 8) for files over 8 MB;
                            n > 0: n ranges whatever the size (tests) */
    /* called now and then from the reading thread with the share of the file read */
    void (*progress)(void *ctx, double fraction);
    void *progress_ctx;
};

struct analyse_stream {
    long nrows;                 /* records read */
    size_t nslots;
    size_t *cell;               /* per slot: frame cell (0 when unweighted) */
    size_t *dim_code;           /* per slot, ndims codes (ANALYSE_NO_GROUP = missing) */
    size_t ndims;
    size_t *y_code;             /* y_single: per slot, the answer (ANALYSE_NO_GROUP = missing) */
    struct analyse_mom *mom;    /* per slot; y_single: only n (rows) is kept */
    struct analyse_cellplan plan;
    struct analyse_cell_design design;
    int threads_used;
};

/*
 * Read the file, build the plan and the calibrated cell design. Returns 0,
 * 1 when the file is not a CSV file this reader takes ("-" for standard
 * input, JSON Lines, not a regular file, too many code combinations): the
 * caller uses the rows
 * then; or an error.
 */
int analyse_stream_read(struct analyse_stream *st, const struct analyse_stream_spec *spec,
                        struct sv_error *err);
void analyse_stream_release(struct analyse_stream *st);

#endif
