/*
 * sv_error: the one error convention of the toolkit.
 *
 * Core functions return int: 0 on success, a negative SV_E* code on failure.
 * The detail (where, and why) goes into an optional struct sv_error that the
 * caller passes last and may leave NULL. Core code never prints and never
 * exits; only the tools' top layer turns an error into a message and an exit
 * code (see sv_cli.h).
 */
#ifndef SV_ERROR_H
#define SV_ERROR_H

#include <stddef.h>

/* Error codes: negative, small, named. Anything unexpected is SV_ERROR. */
enum sv_error_code {
    SV_OK = 0,
    SV_ERROR = -1,     /* generic runtime failure */
    SV_ENOMEM = -2,    /* out of memory */
    SV_EIO = -3,       /* reading or writing a file failed */
    SV_EDATA = -4,     /* input data is invalid (parse error, unknown code, range) */
    SV_ENOTFOUND = -5, /* a named thing (file, variable, survey) does not exist */
    SV_EEXTERNAL = -6, /* a network peer or an external program failed */
    SV_EUSAGE = -7     /* the caller asked for something meaningless */
};

/* Exit codes shared by every tool; documented in README.md. */
enum sv_exit {
    SV_EXIT_OK = 0,
    SV_EXIT_RUNTIME = 1,
    SV_EXIT_USAGE = 2,
    SV_EXIT_DATA = 3,
    SV_EXIT_EXTERNAL = 4
};

#define SV_ERROR_SOURCE_MAX 512
#define SV_ERROR_PATH_MAX 256
#define SV_ERROR_TEXT_MAX 1024

/*
 * Where and why something failed. `source` is a file name or a URL (never with
 * credentials), `line`/`column` are 1-based and 0 when unknown, `path` is a
 * location inside a structured document (a JSON path such as
 * "variables[3].codes", or a record id) and is empty when not relevant.
 */
struct sv_error {
    int code;
    long line;
    long column;
    char source[SV_ERROR_SOURCE_MAX];
    char path[SV_ERROR_PATH_MAX];
    char text[SV_ERROR_TEXT_MAX];
};

#if defined(__GNUC__)
#define SV_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define SV_PRINTF(fmt, args)
#endif

/* Reset `err` to "no error". Accepts NULL. */
void sv_error_clear(struct sv_error *err);

/*
 * Record an error and return `code`, so callers write
 *     return sv_error_set(err, SV_EDATA, file, line, col, "unknown code '%s'", c);
 * `err` may be NULL (the code is still returned). `source` may be NULL.
 * The path of a previous error is kept so that sv_error_set_path() can be
 * called before or after.
 */
int sv_error_set(struct sv_error *err, int code, const char *source, long line, long column,
                 const char *fmt, ...) SV_PRINTF(6, 7);

/* Set the structured path (JSON path or record id) of `err`. Accepts NULL. */
void sv_error_set_path(struct sv_error *err, const char *fmt, ...) SV_PRINTF(2, 3);

/*
 * Format `err` as one line without the program name:
 *     source:line:column: path: text
 * (parts that are unknown are left out). Returns `buf`.
 */
char *sv_error_format(const struct sv_error *err, char *buf, size_t size);

/* The exit code a tool should use for an SV_E* code. */
int sv_error_exit_code(int code);

/* A short English description of an SV_E* code. Never NULL. */
const char *sv_error_name(int code);

#endif
