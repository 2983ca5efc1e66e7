/*
 * sv_error: recording and formatting errors (see sv_error.h).
 */
#include "sv_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sv_error_clear(struct sv_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof(*err));
}

int sv_error_set(struct sv_error *err, int code, const char *source, long line, long column,
                 const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return code;
    err->code = code;
    err->line = line;
    err->column = column;
    if (source)
        snprintf(err->source, sizeof(err->source), "%s", source);
    else
        err->source[0] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof(err->text), fmt, ap);
    va_end(ap);
    return code;
}

void sv_error_set_path(struct sv_error *err, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return;
    va_start(ap, fmt);
    vsnprintf(err->path, sizeof(err->path), fmt, ap);
    va_end(ap);
}

char *sv_error_format(const struct sv_error *err, char *buf, size_t size)
{
    size_t used = 0;
    int n;

    if (size == 0)
        return buf;
    buf[0] = '\0';
#define SV_APPEND(...)                                                                            \
    do {                                                                                          \
        if (used < size) {                                                                        \
            n = snprintf(buf + used, size - used, __VA_ARGS__);                                   \
            if (n > 0)                                                                            \
                used += (size_t)n;                                                                \
        }                                                                                         \
    } while (0)
    if (err->source[0]) {
        SV_APPEND("%s", err->source);
        if (err->line > 0)
            SV_APPEND(":%ld", err->line);
        if (err->line > 0 && err->column > 0)
            SV_APPEND(":%ld", err->column);
        SV_APPEND(": ");
    }
    if (err->path[0])
        SV_APPEND("%s: ", err->path);
    SV_APPEND("%s", err->text[0] ? err->text : sv_error_name(err->code));
#undef SV_APPEND
    return buf;
}

int sv_error_exit_code(int code)
{
    switch (code) {
    case SV_OK:
        return SV_EXIT_OK;
    case SV_EDATA:
    case SV_ENOTFOUND:
        return SV_EXIT_DATA;
    case SV_EEXTERNAL:
        return SV_EXIT_EXTERNAL;
    case SV_EUSAGE:
        return SV_EXIT_USAGE;
    default:
        return SV_EXIT_RUNTIME;
    }
}

const char *sv_error_name(int code)
{
    switch (code) {
    case SV_OK:
        return "success";
    case SV_ENOMEM:
        return "out of memory";
    case SV_EIO:
        return "input/output error";
    case SV_EDATA:
        return "invalid data";
    case SV_ENOTFOUND:
        return "not found";
    case SV_EEXTERNAL:
        return "external failure";
    case SV_EUSAGE:
        return "invalid usage";
    default:
        return "error";
    }
}
