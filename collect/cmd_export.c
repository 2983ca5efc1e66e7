/*
 * collect export: the stored, normalised responses as CSV (plain or
 * excel-fr) or JSON Lines, written atomically, mode 0600. Personal "drop"
 * variables are not in the store; hashed ones are only hashes; raw payloads
 * never leave. Partial saves and responses the platform's review rejected are
 * left out unless asked for. The store is opened read-only.
 */
#include "collect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sv_file.h"
#include "sv_recio.h"

enum { OPT_STORE = 256, OPT_FORMAT, OPT_RESPONSES, OPT_REVIEW };

static const struct sv_option options[] = {
    {"survey", 's', "ID|DIR", "survey definition (id in $VIGIE_SURVEYS, or a directory)"},
    {"store", OPT_STORE, "FILE", "the survey's SQLite store"},
    {"format", OPT_FORMAT, "F", "csv (default), excel-fr or jsonl"},
    {"output", 'o', "FILE", "output file (default: standard output), mode 0600"},
    {"responses", OPT_RESPONSES, "WHICH", "complete (default) or all (partial saves too, when stored)"},
    {"include-rejected", OPT_REVIEW, NULL, "also the responses the platform's review rejected"},
    {"quiet", 'q', NULL, "no notes or warnings"},
    {"help", 'h', NULL, "show this help"},
    {0, 0, NULL, NULL},
};

struct export_args {
    const char *survey, *store, *format, *output;
    unsigned include;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct export_args *a = ctx;
    switch (key) {
    case 's': a->survey = v; break;
    case OPT_STORE: a->store = v; break;
    case OPT_FORMAT: a->format = v; break;
    case 'o': a->output = v; break;
    case OPT_REVIEW: a->include |= SV_STORE_WITH_REJECTED; break;
    case OPT_RESPONSES:
        if (strcmp(v, "all") == 0)
            a->include |= SV_STORE_WITH_PARTIAL;
        else if (strcmp(v, "complete") != 0)
            return sv_usage_error("--responses: expected complete or all, not '%s'", v);
        break;
    case 'q': sv_cli_set_quiet(true); break;
    default: return SV_EXIT_USAGE;
    }
    return 0;
}

struct export_ctx {
    struct sv_recio_writer w;
    struct sv_error *err;
    long n;
};

static int write_one(const struct sv_record *rec, void *ctx)
{
    struct export_ctx *x = ctx;
    x->n++;
    return sv_recio_write(&x->w, rec, x->err);
}

int collect_cmd_export(int argc, char **argv)
{
    struct export_args a = {0};
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(argc, argv, options, "collect export --survey S --store FILE [--format F] [-o FILE]",
                          "Write the stored responses of a survey, normalised, to a file.",
                          on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.survey)
        return sv_usage_error("--survey is required");
    if (!a.store)
        return sv_usage_error("--store is required");
    enum sv_recio_format fmt = SV_RECIO_CSV;
    if (a.format && sv_recio_format_parse(a.format, &fmt) != 0)
        return sv_usage_error("--format: unknown format '%s' (csv, excel-fr, jsonl)", a.format);

    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_schema *schema = NULL;
    struct sv_store *store = NULL;
    struct sv_atomic_file out = {0};
    int exit_code = SV_EXIT_OK;
    struct export_ctx x = {.err = &err};

    if ((rc = sv_survey_load(&survey, a.survey, &err)) != 0 ||
        (rc = sv_schema_new(&schema, survey, &err)) != 0)
        goto fail;
    if ((rc = sv_store_open_read(&store, a.store, schema, &err)) != 0)
        goto fail;
    if ((rc = sv_atomic_open(&out, a.output, &err)) != 0)
        goto fail;
    /* the answers of members: readable by their owner only, whatever the umask */
    if (out.target && !out.direct && fchmod(fileno(out.fp), 0600) != 0) {
        rc = sv_error_set(&err, SV_EIO, a.output, 0, 0, "cannot set the mode of the export: %s",
                          strerror(errno));
        goto fail;
    }
    if ((rc = sv_recio_writer_init(&x.w, out.fp, schema, fmt, &err)) != 0)
        goto fail;
    if ((rc = sv_store_foreach_where(store, a.include, write_one, &x, &err)) != 0)
        goto fail;
    if ((rc = sv_atomic_commit(&out, &err)) != 0)
        goto fail;
    if (a.output && strcmp(a.output, "-") != 0)
        sv_note("%ld responses written to '%s'", x.n, a.output);
    goto done;
fail:
    sv_atomic_abort(&out);
    if (err.code == 0)
        err.code = rc;
    exit_code = sv_fail_error(&err);
done:
    sv_store_close(store);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}
