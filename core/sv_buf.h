/*
 * sv_buf: a growable byte buffer that is always NUL-terminated.
 *
 * Invariants: `data` is never NULL after sv_buf_init() (it points to a static
 * empty string until the first append), data[len] == '\0', len < cap unless
 * cap == 0. Append functions return 0 or SV_ENOMEM; on failure the buffer is
 * left unchanged.
 */
#ifndef SV_BUF_H
#define SV_BUF_H

#include <stddef.h>
#include "sv_error.h"

struct sv_buf {
    char *data;
    size_t len;
    size_t cap;
};

#define SV_BUF_INIT {sv_buf_empty, 0, 0}
extern char sv_buf_empty[1];

void sv_buf_init(struct sv_buf *b);
/* Free the contents; the buffer is then as after sv_buf_init(). */
void sv_buf_release(struct sv_buf *b);
/* Keep the allocation, set len to 0. */
void sv_buf_reset(struct sv_buf *b);
int sv_buf_grow(struct sv_buf *b, size_t extra);
int sv_buf_add(struct sv_buf *b, const void *data, size_t len);
int sv_buf_adds(struct sv_buf *b, const char *s);
int sv_buf_addc(struct sv_buf *b, char c);
int sv_buf_addf(struct sv_buf *b, const char *fmt, ...) SV_PRINTF(2, 3);
/* Hand the allocation to the caller (caller owns; free with free()); b is reset. */
char *sv_buf_detach(struct sv_buf *b, size_t *len_out);

/* strdup that returns NULL for NULL. Caller owns; free with free(). */
char *sv_strdup(const char *s);

#endif
