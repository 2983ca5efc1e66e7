/*
 * sv_file: safe file output. Everything a tool writes for keeps (tables,
 * exports, figures' data) goes through an atomic file: written to a
 * temporary file in the same directory, flushed, fsync'ed, then renamed over
 * the target, so a crash or a full disk never leaves a half-written file and
 * never destroys the previous version.
 */
#ifndef SV_FILE_H
#define SV_FILE_H

#include <stdbool.h>
#include <stdio.h>
#include "sv_error.h"

struct sv_atomic_file {
    FILE *fp;     /* write here */
    char *target; /* final path; NULL when writing to stdout */
    char *tmp;    /* temporary path */
    bool direct;  /* a device or pipe, written in place */
};

/*
 * Open `path` for atomic writing; "-" or NULL means stdout (written directly),
 * and so are devices and pipes such as /dev/null (never replaced).
 */
int sv_atomic_open(struct sv_atomic_file *f, const char *path, struct sv_error *err);
/* Flush, fsync, close and rename. On any failure the temporary file is removed. */
int sv_atomic_commit(struct sv_atomic_file *f, struct sv_error *err);
/* Give up: close and remove the temporary file. Safe after commit and on a zeroed struct. */
void sv_atomic_abort(struct sv_atomic_file *f);

/* Read a whole file ("-" = stdin). Caller owns *out (NUL-terminated); free(). */
int sv_file_read_all(char **out, size_t *len_out, const char *path, struct sv_error *err);

/* mkdir -p. */
int sv_mkdir_p(const char *path, struct sv_error *err);

#endif
