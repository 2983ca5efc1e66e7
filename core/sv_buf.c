/*
 * sv_buf: growable NUL-terminated buffer (see sv_buf.h for the invariants).
 */
#include "sv_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char sv_buf_empty[1];

void sv_buf_init(struct sv_buf *b)
{
    b->data = sv_buf_empty;
    b->len = 0;
    b->cap = 0;
}

void sv_buf_release(struct sv_buf *b)
{
    if (b->cap)
        free(b->data);
    sv_buf_init(b);
}

void sv_buf_reset(struct sv_buf *b)
{
    b->len = 0;
    if (b->cap)
        b->data[0] = '\0';
}

int sv_buf_grow(struct sv_buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (extra > (size_t)-1 - b->len - 1)
        return SV_ENOMEM;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    p = b->cap ? realloc(b->data, cap) : malloc(cap);
    if (!p)
        return SV_ENOMEM;
    if (!b->cap)
        p[0] = '\0';
    b->data = p;
    b->cap = cap;
    return 0;
}

int sv_buf_add(struct sv_buf *b, const void *data, size_t len)
{
    if (sv_buf_grow(b, len))
        return SV_ENOMEM;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int sv_buf_adds(struct sv_buf *b, const char *s)
{
    return sv_buf_add(b, s, strlen(s));
}

int sv_buf_addc(struct sv_buf *b, char c)
{
    if (b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return 0;
    }
    return sv_buf_add(b, &c, 1);
}

int sv_buf_addf(struct sv_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return SV_ERROR;
    if (sv_buf_grow(b, (size_t)n))
        return SV_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *sv_buf_detach(struct sv_buf *b, size_t *len_out)
{
    char *p;

    if (len_out)
        *len_out = b->len;
    if (!b->cap) {
        p = malloc(1);
        if (p)
            p[0] = '\0';
    } else {
        p = b->data;
    }
    sv_buf_init(b);
    return p;
}

char *sv_strdup(const char *s)
{
    size_t n;
    char *p;

    if (!s)
        return NULL;
    n = strlen(s) + 1;
    p = malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
