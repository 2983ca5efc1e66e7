/*
 * gensample: write realistic, deterministic sample responses for the bundled
 * surveys in the shapes the platforms return, and the ground truth they were
 * built with. See sample/README.md for the model.
 */
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "gensample.h"
#include "sv_cli.h"
#include "sv_file.h"

enum {
    OPT_SEED = 256,
    OPT_PAGE_SIZE,
    OPT_BASE_URL,
    OPT_TRUTH,
    OPT_DIRTY,
    OPT_WAVE,
};

static const struct sv_option options[] = {
    {"survey", 's', "ID|DIR", "survey: recrutement, numerique, remuneration (or a definition directory)"},
    {"seed", OPT_SEED, "N", "random seed (default 2026); the same seed gives the same bytes"},
    {"n", 'n', "N", "number of responses (establishments, or employees for remuneration)"},
    {"format", 'f', "FMT", "limesurvey, kobo, odk or csv (default csv)"},
    {"output", 'o', "FILE|DIR", "output file ('-' = stdout, the default), or directory with --page-size"},
    {"page-size", OPT_PAGE_SIZE, "N", "kobo, odk: write pages page-0001.json... of N responses"},
    {"base-url", OPT_BASE_URL, "URL", "kobo, odk: URL prefix of the pages, for 'next' links"},
    {"truth", OPT_TRUTH, "FILE", "write the ground truth (model parameters and figures) as JSON"},
    {"dirty", OPT_DIRTY, NULL, "add missing answers and a few invalid or out-of-range values"},
    {"wave", OPT_WAVE, "YEAR", "recrutement: the wave 2024, 2025 or 2026 (default 2026)"},
    {"quiet", 'q', NULL, "print nothing but errors"},
    {"help", 'h', NULL, "show this help"},
    {"version", 'V', NULL, "show the version"},
    {NULL, 0, NULL, NULL},
};

static const char usage[] =
    "gensample --survey ID [--seed N] [--n N] [--format FMT] [-o FILE] [--truth FILE] [--dirty]\n"
    "          [--wave YEAR]";
static const char description[] =
    "Write synthetic responses for a bundled survey (recrutement, numerique, remuneration) as\n"
    "a LimeSurvey export, KoboToolbox or ODK Central pages, or CSV, deterministically from a\n"
    "seed, with the ground truth they were drawn from. No real person's data.";

struct args {
    const char *survey;
    unsigned long seed;
    long n;
    bool has_n;
    enum gs_format format;
    const char *output;
    long page_size;
    const char *base_url;
    const char *truth;
    bool dirty;
    int wave;
};

static int on_option(int key, const char *value, void *ctx)
{
    struct args *a = ctx;
    long v;
    switch (key) {
    case 's':
        a->survey = value;
        return 0;
    case OPT_SEED:
        if (sv_parse_long(value, 0, 4294967295L, &v))
            return sv_usage_error("--seed must be an integer from 0 to 4294967295, not '%s'",
                                  value);
        a->seed = (unsigned long)v;
        return 0;
    case OPT_WAVE:
        if (sv_parse_long(value, GS_WAVE_FIRST, GS_WAVE_DEFAULT, &v))
            return sv_usage_error("--wave must be a year from %d to %d, not '%s'", GS_WAVE_FIRST,
                                  GS_WAVE_DEFAULT, value);
        a->wave = (int)v;
        return 0;
    case 'n':
        if (sv_parse_long(value, 1, 100000000L, &v))
            return sv_usage_error("--n must be an integer from 1 to 100000000, not '%s'", value);
        a->n = v;
        a->has_n = true;
        return 0;
    case 'f':
        if (gs_format_parse(value, &a->format))
            return sv_usage_error("unknown format '%s' (expected limesurvey, kobo, odk or csv)",
                                  value);
        return 0;
    case 'o':
        a->output = value;
        return 0;
    case OPT_PAGE_SIZE:
        if (sv_parse_long(value, 1, 100000000L, &v))
            return sv_usage_error("--page-size must be a positive integer, not '%s'", value);
        a->page_size = v;
        return 0;
    case OPT_BASE_URL:
        a->base_url = value;
        return 0;
    case OPT_TRUTH:
        a->truth = value;
        return 0;
    case OPT_DIRTY:
        a->dirty = true;
        return 0;
    case 'q':
        sv_cli_set_quiet(true);
        return 0;
    default:
        return sv_usage_error("unexpected option");
    }
}

static long default_n(const char *id)
{
    if (strcmp(id, "remuneration") == 0)
        return 20000;
    if (strcmp(id, "numerique") == 0)
        return 380;
    return 412;
}

static int write_truth(struct gs_model *m, const char *path)
{
    struct gs_file f;
    struct sv_error err;
    sv_error_clear(&err);
    if (gs_file_open(&f, path, &err) < 0)
        return sv_fail_error(&err);
    gs_model_truth(m, f.fp);
    if (gs_file_commit(&f, &err) < 0)
        return sv_fail_error(&err);
    return 0;
}

static int run(const struct args *a)
{
    struct sv_error err;
    sv_error_clear(&err);

    /* A bare name must be one of the models: say so before looking for files. */
    if (!strchr(a->survey, '/') && !gs_model_known(a->survey))
        return sv_usage_error("unknown survey '%s' (expected %s)", a->survey, gs_model_ids());

    struct sv_survey *s = NULL;
    if (sv_survey_load(&s, a->survey, &err) < 0)
        return sv_fail_error(&err);

    if (a->wave != GS_WAVE_DEFAULT && strcmp(s->id, "recrutement") != 0) {
        int rc = sv_usage_error("--wave %d: only recrutement has earlier waves (%s: %d)", a->wave,
                                s->id, GS_WAVE_DEFAULT);
        sv_survey_free(s);
        return rc;
    }
    struct gs_options opt = {a->has_n ? a->n : default_n(s->id), a->seed, a->dirty, a->wave};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!rng) {
        sv_survey_free(s);
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    }
    gsl_rng_set(rng, a->seed);

    struct gs_model *m = NULL;
    if (gs_model_new(&m, s, &opt, rng, &err) < 0) {
        int rc = sv_fail_error(&err);
        gsl_rng_free(rng);
        sv_survey_free(s);
        return rc;
    }

    struct gs_out_options oo = {a->format, a->output ? a->output : "-", a->page_size,
                                a->base_url, opt.n};
    struct gs_writer *w = NULL;
    struct gs_record rec;
    memset(&rec, 0, sizeof rec);
    rec.nv = s->nvariables;
    rec.v = calloc(s->nvariables ? s->nvariables : 1, sizeof *rec.v);
    int rc = 0;
    if (!rec.v) {
        rc = sv_fail(SV_EXIT_RUNTIME, "out of memory");
        goto done;
    }
    if (gs_writer_open(&w, s, &oo, &err) < 0) {
        rc = sv_fail_error(&err);
        goto done;
    }
    struct sv_progress prog;
    sv_progress_init(&prog);
    for (long i = 1; i <= opt.n; i++) {
        for (size_t k = 0; k < rec.nv; k++)
            rec.v[k].kind = GS_MISSING;
        rec.id = i;
        rec.incomplete = false;
        gs_model_next(m, &rec);
        if (gs_writer_put(w, &rec, &err) < 0) {
            rc = sv_fail_error(&err);
            gs_writer_abort(w);
            w = NULL;
            goto done;
        }
        if ((i & 0xffff) == 0)
            sv_progress_update(&prog, "%ld/%ld responses", i, opt.n);
    }
    sv_progress_done(&prog);
    rc = gs_writer_close(w, &err);
    w = NULL;
    if (rc < 0) {
        rc = sv_fail_error(&err);
        goto done;
    }
    if (a->truth)
        rc = write_truth(m, a->truth);
    if (rc == 0 && a->output && strcmp(a->output, "-") != 0)
        sv_note("%ld %s responses written to %s", opt.n, s->id, a->output);

done:
    gs_writer_abort(w);
    free(rec.v);
    gs_model_free(m);
    gsl_rng_free(rng);
    sv_survey_free(s);
    return rc;
}

int main(int argc, char **argv)
{
    sv_cli_set_progname("gensample");
    struct args a;
    memset(&a, 0, sizeof a);
    a.seed = 2026;
    a.wave = GS_WAVE_DEFAULT;
    a.format = GS_FMT_CSV;
    int first;
    bool stop;
    int rc = sv_cli_parse(argc, argv, options, usage, description, on_option, &a, &first, &stop);
    if (rc || stop)
        return sv_cli_finish(rc);
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.survey)
        return sv_usage_error("--survey is required (%s)", gs_model_ids());
    if (a.page_size > 0) {
        if (a.format != GS_FMT_KOBO && a.format != GS_FMT_ODK)
            return sv_usage_error("--page-size applies to the kobo and odk formats only");
        if (!a.base_url)
            return sv_usage_error("--page-size needs --base-url for the pages' 'next' links");
        if (!a.output || strcmp(a.output, "-") == 0)
            return sv_usage_error("--page-size needs -o DIR, the directory of the pages");
    } else if (a.base_url && a.format != GS_FMT_KOBO && a.format != GS_FMT_ODK) {
        return sv_usage_error("--base-url applies to the kobo and odk formats only");
    }
    rc = run(&a);
    return sv_cli_finish(rc);
}
