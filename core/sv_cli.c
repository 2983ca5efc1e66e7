/*
 * sv_cli: messages, option parsing, help text and progress for the tools'
 * top layer. The only core file that writes to stdout/stderr.
 */
#include "sv_cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sv_buf.h"
#include "sv_version.h"


static const char *progname = "vigie";
static bool quiet;

void sv_cli_set_progname(const char *name)
{
    const char *slash = strrchr(name, '/');
    progname = slash ? slash + 1 : name;
}

const char *sv_cli_progname(void)
{
    return progname;
}

void sv_cli_set_quiet(bool q)
{
    quiet = q;
}

bool sv_cli_quiet(void)
{
    return quiet;
}

/* One message line; embedded newlines are shown as spaces so it stays one line. */
static void vmessage(const char *prefix, const char *fmt, va_list ap)
{
    char text[2048];
    char *p;

    vsnprintf(text, sizeof(text), fmt, ap);
    for (p = text; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    fflush(stdout);
    fprintf(stderr, "%s: %s%s\n", progname, prefix, text);
}

int sv_fail(int exit_code, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
    return exit_code;
}

int sv_fail_error(const struct sv_error *err)
{
    char buf[SV_ERROR_SOURCE_MAX + SV_ERROR_PATH_MAX + SV_ERROR_TEXT_MAX + 64];

    sv_error_format(err, buf, sizeof(buf));
    sv_fail(0, "%s", buf);
    return sv_error_exit_code(err->code ? err->code : SV_ERROR);
}

int sv_usage_error(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s: try '%s --help'\n", progname, progname);
    return SV_EXIT_USAGE;
}

void sv_warn(const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    va_start(ap, fmt);
    vmessage("warning: ", fmt, ap);
    va_end(ap);
}

void sv_note(const char *fmt, ...)
{
    va_list ap;

    if (quiet)
        return;
    va_start(ap, fmt);
    vmessage("", fmt, ap);
    va_end(ap);
}

int sv_cli_finish(int exit_code)
{
    int failed = 0;

    if (fflush(stdout) != 0 || ferror(stdout))
        failed = 1;
    if (fclose(stdout) != 0)
        failed = 1;
    if (failed) {
        fprintf(stderr, "%s: error writing standard output: %s\n", progname, strerror(errno));
        return exit_code ? exit_code : SV_EXIT_RUNTIME;
    }
    return exit_code;
}

void sv_cli_print_help(FILE *out, const char *usage, const char *description,
                       const struct sv_option *options)
{
    const struct sv_option *o;

    fprintf(out, "usage: %s\n", usage);
    if (description && *description)
        fprintf(out, "\n%s\n", description);
    if (!options || !options->name)
        return;
    fprintf(out, "\noptions:\n");
    for (o = options; o->name; o++) {
        char left[96];
        int n;

        if (o->key > 0 && o->key < 256)
            n = snprintf(left, sizeof(left), "  -%c, --%s", o->key, o->name);
        else
            n = snprintf(left, sizeof(left), "      --%s", o->name);
        if (o->arg && n > 0 && (size_t)n < sizeof(left))
            snprintf(left + n, sizeof(left) - (size_t)n, " %s", o->arg);
        if (strlen(left) < 30)
            fprintf(out, "%-30s %s\n", left, o->help);
        else
            fprintf(out, "%s\n%-30s %s\n", left, "", o->help);
    }
}

void sv_cli_print_version(void)
{
    printf("%s (vigie) %s\n", progname, sv_version());
}

int sv_cli_parse(int argc, char **argv, const struct sv_option *options, const char *usage,
                 const char *description,
                 int (*on_option)(int key, const char *value, void *ctx), void *ctx,
                 int *first_operand, bool *stop)
{
    struct option *longopts;
    struct sv_buf shortopts = SV_BUF_INIT;
    size_t n = 0, i;
    int c, rc = 0;

    *stop = false;
    for (n = 0; options[n].name; n++)
        ;
    longopts = calloc(n + 1, sizeof(*longopts));
    if (!longopts)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    /* '+': stop at the first operand, so sub-commands keep their own options. */
    sv_buf_adds(&shortopts, "+:");
    for (i = 0; i < n; i++) {
        longopts[i].name = options[i].name;
        longopts[i].has_arg = options[i].arg ? required_argument : no_argument;
        longopts[i].flag = NULL;
        longopts[i].val = options[i].key;
        if (options[i].key > 0 && options[i].key < 256) {
            sv_buf_addc(&shortopts, (char)options[i].key);
            if (options[i].arg)
                sv_buf_addc(&shortopts, ':');
        }
    }
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, shortopts.data, longopts, NULL)) != -1) {
        if (c == '?') {
            if (optopt && optopt < 256)
                rc = sv_usage_error("unknown option '-%c'", optopt);
            else
                rc = sv_usage_error("unknown option '%s'", argv[optind - 1]);
            break;
        }
        if (c == ':') {
            rc = sv_usage_error("option '%s' needs a value", argv[optind - 1]);
            break;
        }
        if (c == 'h') {
            sv_cli_print_help(stdout, usage, description, options);
            *stop = true;
            break;
        }
        if (c == 'V') {
            sv_cli_print_version();
            *stop = true;
            break;
        }
        rc = on_option(c, optarg, ctx);
        if (rc)
            break;
    }
    *first_operand = optind;
    free(longopts);
    sv_buf_release(&shortopts);
    return rc;
}

int sv_parse_long(const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    if (!s || !*s)
        return SV_EUSAGE;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return SV_EUSAGE;
    *out = v;
    return 0;
}

int sv_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    double v;

    if (!s || !*s)
        return SV_EUSAGE;
    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || !isfinite(v) || v < min || v > max)
        return SV_EUSAGE;
    *out = v;
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sv_progress_init(struct sv_progress *p)
{
    p->enabled = !quiet && isatty(STDERR_FILENO);
    p->start = now_seconds();
    p->last = 0;
    p->width = 0;
}

void sv_progress_update(struct sv_progress *p, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    double t;
    int n;

    if (!p->enabled)
        return;
    t = now_seconds();
    if (t - p->last < 0.2)
        return;
    p->last = t;
    va_start(ap, fmt);
    n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n >= (int)sizeof(line))
        n = (int)sizeof(line) - 1;
    fprintf(stderr, "\r%s: %s%*s", progname, line, p->width > n ? p->width - n : 0, "");
    fflush(stderr);
    p->width = n;
}

void sv_progress_done(struct sv_progress *p)
{
    if (!p->enabled || p->width == 0)
        return;
    fprintf(stderr, "\r%*s\r", p->width + (int)strlen(progname) + 2, "");
    fflush(stderr);
    p->width = 0;
}

double sv_progress_elapsed(const struct sv_progress *p)
{
    return now_seconds() - p->start;
}
