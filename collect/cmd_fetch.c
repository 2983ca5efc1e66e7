/*
 * collect fetch: download a survey's responses into its store.
 */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_file.h"

/* The network options' keys are collect.h's COLLECT_OPT_*: fetch's own start after them. */
enum {
    OPT_SURVEY = 's',
    OPT_STORE = COLLECT_OPT_FIRST_OWN,
    OPT_PLATFORM,
    OPT_URL,
    OPT_SURVEY_ID,
    OPT_PAGE_SIZE,
    OPT_RECORDS,
    OPT_NEXT,
    OPT_ID_FIELD,
    OPT_SUBMITTED_FIELD,
    OPT_CREDENTIALS,
    OPT_HASH_KEY_FILE,
    OPT_SOURCE,
    OPT_FULL,
    OPT_QUIET = 'q',
};

static const struct sv_option options[] = {
    {"survey", 's', "ID|DIR", "survey definition (id in $VIGIE_SURVEYS, or a directory)"},
    {"store", OPT_STORE, "FILE", "the survey's SQLite store (created if absent)"},
    {"platform", OPT_PLATFORM, "NAME", "limesurvey, kobo, odk, json or csv"},
    {"url", OPT_URL, "URL", "server address (LimeSurvey: .../index.php/admin/remotecontrol) or file:// URL"},
    {"survey-id", OPT_SURVEY_ID, "ID", "LimeSurvey sid, Kobo asset uid, ODK '<project>/<form>'"},
    {"page-size", OPT_PAGE_SIZE, "N", "responses per request and per transaction (default 500)"},
    {"records", OPT_RECORDS, "PATH", "json: dotted path of the records array (e.g. data.items)"},
    {"next", OPT_NEXT, "PATH", "json: dotted path of the next page's URL"},
    {"id-field", OPT_ID_FIELD, "NAME", "json/csv: field holding the response id (default id)"},
    {"submitted-field", OPT_SUBMITTED_FIELD, "NAME", "json/csv: field holding the submission time"},
    {"source", OPT_SOURCE, "NAME", "name of the source in the store (default from platform and id)"},
    {"credentials", OPT_CREDENTIALS, "FILE", "credentials file, mode 0600 ('key = value' lines)"},
    {"hash-key-file", OPT_HASH_KEY_FILE, "FILE", "key for hashing personal data, mode 0600"},
    {"full", OPT_FULL, NULL, "download everything again (finds edited responses)"},
    {"timeout", COLLECT_OPT_TIMEOUT, "S", "time-out of one request in seconds (default 300)"},
    {"retries", COLLECT_OPT_RETRIES, "N", "retries after a failed request (default 4)"},
    {"retry-delay", COLLECT_OPT_RETRY_DELAY, "S", "first backoff delay in seconds (default 1, doubles)"},
    {"retry-max-wait", COLLECT_OPT_RETRY_MAX_WAIT, "S", "cap on a server's Retry-After (default 120)"},
    {"insecure", COLLECT_OPT_INSECURE, NULL, "do not verify TLS certificates (warns)"},
    {"quiet", 'q', NULL, "no progress, notes or warnings"},
    {"help", 'h', NULL, "show this help"},
    {0, 0, NULL, NULL},
};

static const char usage[] =
    "collect fetch --survey S --store FILE --platform P --url URL [options]";
static const char description[] =
    "Download new and changed responses, normalise them against the survey definition and\n"
    "store them; responses the definition rejects are kept aside with the reason.\n"
    "Credentials come from the environment (VIGIE_LIMESURVEY_USER/VIGIE_LIMESURVEY_PASSWORD,\n"
    "VIGIE_KOBO_TOKEN, VIGIE_ODK_EMAIL/VIGIE_ODK_PASSWORD or VIGIE_ODK_TOKEN), from\n"
    "--credentials FILE or from ~/.netrc; never from the command line.\n"
    "The hash key for personal data comes from --hash-key-file or VIGIE_HASH_KEY.";

struct fetch_args {
    const char *survey, *store, *platform, *url, *survey_id, *records, *next, *id_field,
        *submitted_field, *credentials, *hash_key_file, *source;
    long page_size;
    bool full;
    struct collect_http_opts http;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct fetch_args *a = ctx;
    switch (key) {
    case 's': a->survey = v; break;
    case OPT_STORE: a->store = v; break;
    case OPT_PLATFORM: a->platform = v; break;
    case OPT_URL: a->url = v; break;
    case OPT_SURVEY_ID: a->survey_id = v; break;
    case OPT_RECORDS: a->records = v; break;
    case OPT_NEXT: a->next = v; break;
    case OPT_ID_FIELD: a->id_field = v; break;
    case OPT_SUBMITTED_FIELD: a->submitted_field = v; break;
    case OPT_SOURCE: a->source = v; break;
    case OPT_CREDENTIALS: a->credentials = v; break;
    case OPT_HASH_KEY_FILE: a->hash_key_file = v; break;
    case OPT_FULL: a->full = true; break;
    case 'q': sv_cli_set_quiet(true); break;
    case OPT_PAGE_SIZE:
        if (sv_parse_long(v, 1, 100000, &a->page_size) != 0)
            return sv_usage_error("--page-size: expected a whole number from 1 to 100000, not '%s'", v);
        break;
    default: {
        int rc = collect_http_opts_parse(&a->http, key, v);
        return rc < 0 ? SV_EXIT_USAGE : rc;
    }
    }
    return 0;
}

char *collect_source_name(const struct collect_fetch_opts *o)
{
    struct sv_buf b = SV_BUF_INIT;
    int rc;
    if (collect_url_is_file(o->url) || !o->survey_id || o->platform == SV_PLATFORM_CSV) {
        char *pub = collect_url_public(o->url);
        if (!pub)
            return NULL;
        /* the query string may change between pages or runs; it is not the source */
        char *q = o->platform == SV_PLATFORM_CSV ? NULL : strchr(pub, '?');
        if (q)
            *q = '\0';
        rc = sv_buf_adds(&b, pub);
        free(pub);
    } else {
        rc = sv_buf_addf(&b, "%s:%s", sv_platform_name(o->platform), o->survey_id);
    }
    if (rc) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, NULL);
}

int collect_cmd_fetch(int argc, char **argv)
{
    struct fetch_args a = {0};
    a.page_size = 500;
    collect_http_opts_default(&a.http);
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(argc, argv, options, usage, description, on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.survey)
        return sv_usage_error("--survey is required");
    if (!a.store)
        return sv_usage_error("--store is required");
    if (!a.platform)
        return sv_usage_error("--platform is required (limesurvey, kobo, odk, json or csv)");
    if (!a.url)
        return sv_usage_error("--url is required");
    if (collect_url_has_userinfo(a.url))
        return sv_usage_error("credentials in --url are refused (they would show in the process "
                              "list): use environment variables, --credentials FILE or ~/.netrc");

    struct collect_fetch_opts o = {0};
    if (strcmp(a.platform, "json") == 0) {
        o.platform = SV_PLATFORM_CSV;
    } else if (strcmp(a.platform, "csv") == 0) {
        o.platform = SV_PLATFORM_CSV;
        o.plain_csv = true;
    } else if (sv_platform_parse(a.platform, &o.platform) != 0 || o.platform == SV_PLATFORM_CSV) {
        return sv_usage_error("--platform: unknown platform '%s' (limesurvey, kobo, odk, json, csv)",
                              a.platform);
    }
    if ((a.records || a.next) && !(o.platform == SV_PLATFORM_CSV && !o.plain_csv))
        return sv_usage_error("--records and --next apply to --platform json only");
    o.url = a.url;
    o.survey_id = a.survey_id;
    o.page_size = a.page_size;
    o.records_path = a.records;
    o.next_path = a.next;
    o.id_field = a.id_field;
    o.submitted_field = a.submitted_field;
    o.full = a.full;

    if (a.http.insecure)
        sv_warn("--insecure: TLS certificates are not verified; the server may not be who it claims");

    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_schema *schema = NULL;
    struct sv_store *store = NULL;
    struct collect_http *http = NULL;
    struct collect_creds creds = {0};
    char *hash_key = NULL, *source = NULL;
    struct collect_sink sink;
    bool sink_ok = false;
    int exit_code = SV_EXIT_OK;

    if ((rc = sv_survey_load(&survey, a.survey, &err)) != 0 ||
        (rc = sv_schema_new(&schema, survey, &err)) != 0)
        goto fail;
    if (a.hash_key_file) {
        if ((rc = collect_secret_file_read(&hash_key, a.hash_key_file, &err)) != 0)
            goto fail;
    } else if (getenv("VIGIE_HASH_KEY") && *getenv("VIGIE_HASH_KEY")) {
        hash_key = sv_strdup(getenv("VIGIE_HASH_KEY"));
    }
    if (!hash_key) {
        for (size_t i = 0; i < survey->nvariables; i++)
            if (survey->variables[i].personal == SV_PERSONAL_HASH)
                sv_warn("no hash key (--hash-key-file or VIGIE_HASH_KEY): personal variable '%s' "
                        "is not stored",
                        survey->variables[i].name);
    }
    if ((rc = collect_creds_load(&creds, o.platform, a.url, a.credentials, &err)) != 0)
        goto fail;
    o.creds = &creds;
    source = a.source ? sv_strdup(a.source) : collect_source_name(&o);
    if (!source) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    if ((rc = sv_store_open(&store, a.store, schema, &err)) != 0)
        goto fail;
    if ((rc = collect_http_new(&http, &a.http, &err)) != 0)
        goto fail;
    if ((rc = collect_sink_init(&sink, store, schema, o.platform, source, hash_key, &err)) != 0)
        goto fail;
    sink_ok = true;
    collect_interrupt_install();
    if (sv_cli_quiet())
        sink.progress.enabled = false;

    switch (o.platform) {
    case SV_PLATFORM_LIMESURVEY:
        rc = collect_limesurvey_fetch(&sink, http, &o, &err);
        break;
    case SV_PLATFORM_KOBO:
        rc = collect_kobo_fetch(&sink, http, &o, &err);
        break;
    case SV_PLATFORM_ODK:
        rc = collect_odk_fetch(&sink, http, &o, &err);
        break;
    default:
        rc = collect_plain_fetch(&sink, http, &o, &err);
        break;
    }
    sv_progress_done(&sink.progress);
    if (rc)
        goto fail;
    goto out;
fail:
    if (err.code == 0)
        err.code = rc;
    if (collect_interrupted()) {
        sv_error_clear(&err);
        sv_error_set(&err, SV_ERROR, NULL, 0, 0,
                     "interrupted: the pages already stored are kept; run the same command to resume");
    }
    exit_code = sv_fail_error(&err);
out:
    if (sink_ok) {
        const struct collect_counts *c = &sink.counts;
        /* printed even after a failure: it says what was kept */
        if (!sv_cli_quiet() || exit_code != 0)
            fprintf(stderr, "%s: fetched %ld, new %ld, updated %ld, unchanged %ld, rejected %ld\n",
                    sv_cli_progname(), c->fetched, c->new_, c->updated, c->unchanged, c->rejected);
        collect_sink_release(&sink);
    }
    collect_http_free(http);
    sv_store_close(store);
    collect_creds_release(&creds);
    collect_secret_free(hash_key);
    free(source);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}
