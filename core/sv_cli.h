/*
 * sv_cli: the command-line layer shared by collect, analyse and plot.
 *
 * This is the only core module that writes to stdout or stderr, and it is
 * only linked into the tools' top layer (main.c and cmd_*.c). Messages look
 * like "collect: <text>" on stderr; helpers *return* the exit code so command
 * code says `return sv_fail(SV_EXIT_DATA, "...")`.
 *
 * Options are declared once in a table of struct sv_option; the same table
 * drives getopt_long() and the --help text.
 */
#ifndef SV_CLI_H
#define SV_CLI_H

#include <stdio.h>
#include <stdbool.h>

#include "sv_error.h"

/* Set the program name used as message prefix (basename of argv[0] or a fixed name). */
void sv_cli_set_progname(const char *name);
const char *sv_cli_progname(void);

/* --quiet: silences notes, warnings and progress, never errors. */
void sv_cli_set_quiet(bool quiet);
bool sv_cli_quiet(void);

/* Print "prog: text" on stderr and return `exit_code`. */
int sv_fail(int exit_code, const char *fmt, ...) SV_PRINTF(2, 3);

/* Print "prog: <formatted err>" on stderr and return the exit code that matches err->code. */
int sv_fail_error(const struct sv_error *err);

/* Print "prog: text" and "try 'prog --help'" on stderr; return SV_EXIT_USAGE. */
int sv_usage_error(const char *fmt, ...) SV_PRINTF(1, 2);

/* "prog: warning: text" on stderr unless quiet. */
void sv_warn(const char *fmt, ...) SV_PRINTF(1, 2);

/* "prog: text" on stderr unless quiet (counts, where files went). */
void sv_note(const char *fmt, ...) SV_PRINTF(1, 2);

/*
 * Flush and close stdout, reporting a write failure (full disk, closed pipe).
 * Returns `exit_code` when all went well, SV_EXIT_RUNTIME otherwise.
 */
int sv_cli_finish(int exit_code);

/* One option of a tool or sub-command. A table ends with a zeroed entry. */
struct sv_option {
    const char *name;     /* long name without "--" */
    int key;              /* short letter, or a value >= 256 for long-only options */
    const char *arg;      /* argument name shown in help, NULL for a flag */
    const char *help;     /* one line of help */
};

/*
 * Parse argv with getopt_long() against `options`. For each option found,
 * `on_option(key, optarg, ctx)` is called; it returns 0 or an exit code.
 * --help and --version are handled here when present in the table (keys 'h'
 * and 'V'): they set *stop to true after printing. Returns 0, or an exit code
 * (usage error already reported). On return *first_operand is the index of
 * the first non-option argument.
 */
int sv_cli_parse(int argc, char **argv, const struct sv_option *options,
                 const char *usage, const char *description,
                 int (*on_option)(int key, const char *value, void *ctx), void *ctx,
                 int *first_operand, bool *stop);

/* Print the help text built from `usage`, `description` and `options` on `out`. */
void sv_cli_print_help(FILE *out, const char *usage, const char *description,
                       const struct sv_option *options);

/* Print "prog (vigie) VERSION" on stdout. */
void sv_cli_print_version(void);

/*
 * Strict number parsing for option values: the whole string must be a number
 * in [min, max]. Return 0 or SV_EUSAGE.
 */
int sv_parse_long(const char *s, long min, long max, long *out);
int sv_parse_double(const char *s, double min, double max, double *out);

/*
 * Progress on stderr: shown only when stderr is a terminal and not quiet,
 * redrawn at most a few times a second, erased by sv_progress_done().
 */
struct sv_progress {
    bool enabled;
    double last;  /* monotonic seconds of the last redraw */
    double start;
    int width;    /* characters drawn last time */
};
void sv_progress_init(struct sv_progress *p);
void sv_progress_update(struct sv_progress *p, const char *fmt, ...) SV_PRINTF(2, 3);
void sv_progress_done(struct sv_progress *p);
/* Seconds since sv_progress_init(). */
double sv_progress_elapsed(const struct sv_progress *p);

#endif
