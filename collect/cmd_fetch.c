/*
 * collect fetch: download a survey's responses into its store.
 */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_file.h"

#include <unistd.h>

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
    OPT_RESPONSES,
    OPT_STRICT,
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
    {"responses", OPT_RESPONSES, "WHICH", "complete (default: partial saves left out) or all"},
    {"strict", OPT_STRICT, NULL, "a variable whose field is in no response is an error (exit 3)"},
    {"max-reply-size", COLLECT_OPT_MAX_REPLY, "SIZE", "largest reply accepted, decompressed (default 256M)"},
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
    bool full, all_responses, strict;
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
    case OPT_STRICT: a->strict = true; break;
    case OPT_RESPONSES:
        if (strcmp(v, "all") == 0)
            a->all_responses = true;
        else if (strcmp(v, "complete") == 0)
            a->all_responses = false;
        else
            return sv_usage_error("--responses: expected complete or all, not '%s'", v);
        break;
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

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Lower-case ASCII in place. */
static void lower(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

struct url_parts {
    char *origin; /* "https://host[:port]", no default port */
    char *path;   /* without trailing slashes */
    char *query;  /* NULL when none */
};

static void url_parts_release(struct url_parts *p)
{
    free(p->origin);
    free(p->path);
    free(p->query);
}

/* Split a canonical URL (secrets redacted). 0, or SV_EUSAGE when it is no URL. */
static int url_split(struct url_parts *p, const char *url)
{
    memset(p, 0, sizeof *p);
    char *pub = collect_url_public(url);
    if (!pub)
        return SV_ENOMEM;
    const char *sep = strstr(pub, "://");
    if (!sep) {
        free(pub);
        return SV_EUSAGE;
    }
    const char *hs = sep + 3;
    size_t hl = strcspn(hs, "/?#");
    struct sv_buf o = SV_BUF_INIT;
    int rc = sv_buf_add(&o, pub, (size_t)(hs - pub) + hl);
    if (rc == 0) {
        lower(o.data);
        /* default ports are no part of the identity */
        size_t n = o.len;
        if (n > 3 && strncmp(o.data, "http://", 7) == 0 && strcmp(o.data + n - 3, ":80") == 0)
            o.data[o.len -= 3] = '\0';
        else if (n > 4 && strncmp(o.data, "https://", 8) == 0 && strcmp(o.data + n - 4, ":443") == 0)
            o.data[o.len -= 4] = '\0';
        else if (strcmp(o.data, "file://localhost") == 0)
            o.data[o.len -= 9] = '\0';
    }
    const char *ps = hs + hl;
    size_t pl = strcspn(ps, "?#");
    while (pl > 0 && ps[pl - 1] == '/')
        pl--;
    struct sv_buf path = SV_BUF_INIT;
    rc = rc || sv_buf_add(&path, ps, pl) || sv_buf_adds(&path, "");
    const char *q = ps[strcspn(ps, "?#")] == '?' ? ps + strcspn(ps, "?#") + 1 : NULL;
    if (rc == 0 && q) {
        size_t ql = strcspn(q, "#");
        p->query = ql ? dup_n(q, ql) : NULL;
        if (ql && !p->query)
            rc = SV_ENOMEM;
    }
    free(pub);
    if (rc) {
        sv_buf_release(&o);
        sv_buf_release(&path);
        free(p->query);
        p->query = NULL;
        return SV_ENOMEM;
    }
    p->origin = sv_buf_detach(&o, NULL);
    p->path = sv_buf_detach(&path, NULL);
    return 0;
}

/* The part of `path` before `marker` (or all of it), trailing slashes removed. */
static char *path_before(const char *path, const char *marker)
{
    const char *m = marker ? strstr(path, marker) : NULL;
    size_t n = m ? (size_t)(m - path) : strlen(path);
    while (n > 0 && path[n - 1] == '/')
        n--;
    return dup_n(path, n);
}

/* The path segment after `marker` up to the next '/' (or `stop`), or NULL. Caller owns. */
static char *segment_after(const char *path, const char *marker, const char *stop)
{
    const char *m = strstr(path, marker);
    if (!m)
        return NULL;
    m += strlen(marker);
    const char *e = stop ? strstr(m, stop) : NULL;
    size_t n = e ? (size_t)(e - m) : strcspn(m, "/");
    return n ? dup_n(m, n) : NULL;
}

/* ODK "<project>/<form>" and Kobo "<uid>" found in a URL path, or NULL. */
static char *platform_id_in_path(enum sv_platform platform, const char *path)
{
    if (platform == SV_PLATFORM_ODK) {
        char *proj = segment_after(path, "/v1/projects/", NULL);
        char *form = segment_after(path, "/forms/", ".svc");
        char *res = NULL;
        if (proj && form) {
            struct sv_buf b = SV_BUF_INIT;
            if (sv_buf_addf(&b, "%s/%s", proj, form) == 0)
                res = sv_buf_detach(&b, NULL);
        }
        free(proj);
        free(form);
        return res;
    }
    if (platform == SV_PLATFORM_KOBO)
        return segment_after(path, "/api/v2/assets/", NULL);
    return NULL;
}

/* The canonical URL name of a file:// or plain source. */
static char *url_name(const struct url_parts *p, bool keep_query)
{
    struct sv_buf b = SV_BUF_INIT;
    if (sv_buf_addf(&b, "%s%s", p->origin, p->path) != 0 ||
        (keep_query && p->query && sv_buf_addf(&b, "?%s", p->query) != 0)) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, NULL);
}

int collect_source_identify(const struct collect_fetch_opts *o, char **name, char **identity,
                            struct sv_error *err)
{
    *name = *identity = NULL;
    struct url_parts p;
    int rc = url_split(&p, o->url);
    if (rc == SV_EUSAGE)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--url: not a URL");
    if (rc)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    const char *pname = sv_platform_name(o->platform);
    char *id = NULL, *base = NULL;
    struct sv_buf n = SV_BUF_INIT, i = SV_BUF_INIT;
    bool is_url = collect_url_is_file(o->url) || o->platform == SV_PLATFORM_CSV;
    if (!is_url) {
        id = platform_id_in_path(o->platform, p.path);
        if (!id && o->survey_id && *o->survey_id)
            id = sv_strdup(o->survey_id);
        if (id && o->platform == SV_PLATFORM_ODK && !strchr(id, '/')) {
            free(id); /* not '<project>/<form>': the ODK code says so */
            id = NULL;
        }
        const char *marker = o->platform == SV_PLATFORM_LIMESURVEY
                                 ? (strstr(p.path, "/index.php") ? "/index.php" : "/admin/")
                             : o->platform == SV_PLATFORM_KOBO ? "/api/v2/"
                                                               : "/v1/";
        base = path_before(p.path, marker);
        if (!id)
            is_url = true; /* the platform code reports what is missing */
    }
    if (is_url) {
        bool keep_query = o->platform == SV_PLATFORM_CSV && o->plain_csv;
        char *u = url_name(&p, keep_query);
        rc = !u || sv_buf_adds(&n, u) || sv_buf_addf(&i, "%s|%s", pname, u);
        free(u);
    } else {
        /*
         * the server is its scheme, host, port (default ports left out) and
         * path: http and https, or :8080 and :8443, may be two servers
         */
        rc = !base || sv_buf_addf(&n, "%s:%s", pname, id) ||
             sv_buf_addf(&i, "%s|%s%s|%s", pname, p.origin, base, id);
    }
    free(id);
    free(base);
    url_parts_release(&p);
    if (rc) {
        sv_buf_release(&n);
        sv_buf_release(&i);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *name = sv_buf_detach(&n, NULL);
    *identity = sv_buf_detach(&i, NULL);
    return 0;
}

char *collect_source_legacy_name(const char *name)
{
    struct url_parts p;
    if (!strstr(name, "://") || url_split(&p, name) != 0)
        return NULL;
    char *res = NULL;
    for (int k = 0; k < 2 && !res; k++) {
        enum sv_platform pl = k == 0 ? SV_PLATFORM_ODK : SV_PLATFORM_KOBO;
        char *id = collect_url_is_file(name) ? NULL : platform_id_in_path(pl, p.path);
        if (id) {
            struct sv_buf b = SV_BUF_INIT;
            if (sv_buf_addf(&b, "%s:%s", sv_platform_name(pl), id) == 0)
                res = sv_buf_detach(&b, NULL);
            free(id);
        }
    }
    if (!res)
        res = url_name(&p, true);
    url_parts_release(&p);
    return res;
}

/* The server part of an identity ("odk|https://h|1/f" -> "https://h"), for messages. */
static const char *identity_server(const char *identity, char *buf, size_t n)
{
    const char *a = strchr(identity, '|');
    const char *b = a ? strchr(a + 1, '|') : NULL;
    if (!a)
        snprintf(buf, n, "%s", identity);
    else if (!b)
        snprintf(buf, n, "%s", a + 1);
    else
        snprintf(buf, n, "%.*s", (int)(b - a - 1), a + 1);
    return buf;
}

/*
 * The identity an earlier version wrote for `identity` (the server without its
 * scheme and port: "odk|h/p|1/f" for "odk|https://h:8443/p|1/f"), or NULL
 * when it is not of the platform|server|id form. Caller owns.
 */
static char *identity_without_scheme(const char *identity)
{
    const char *a = strchr(identity, '|');
    const char *b = a ? strchr(a + 1, '|') : NULL;
    const char *sch = a ? strstr(a + 1, "://") : NULL;
    if (!b || !sch || sch > b)
        return NULL;
    const char *host = sch + 3;
    size_t hl = strcspn(host, ":/|");
    const char *rest = host + hl;
    if (*rest == ':')
        rest += strcspn(rest, "/|");
    struct sv_buf o = SV_BUF_INIT;
    if (sv_buf_addf(&o, "%.*s%.*s%s", (int)(a - identity + 1), identity, (int)hl, host, rest)) {
        sv_buf_release(&o);
        return NULL;
    }
    return sv_buf_detach(&o, NULL);
}

/*
 * A stored identity without a scheme was written by an earlier version (host
 * and path only): it stands for this source when it equals this identity
 * without scheme and port, and is then rewritten in full. 1 when it matched.
 */
static int identity_upgrade(struct sv_store *store, const char *name, const char *have,
                            const char *identity, struct sv_error *err)
{
    if (strstr(have, "://"))
        return 0;
    char *old = identity_without_scheme(identity);
    int rc = 0;
    if (old && strcmp(old, have) == 0) {
        rc = sv_store_state_set(store, name, "identity", identity, err);
        if (rc == 0)
            rc = 1;
    }
    free(old);
    return rc;
}

/*
 * One source, one name: refuse a second name for a source the store already
 * holds, and one name for two servers; continue a source stored under the
 * name an earlier version gave it. *name may be replaced.
 */
static int check_source(struct sv_store *store, char **name, const char *identity, bool explicit,
                        const char *store_path, struct sv_error *err)
{
    char **names = NULL;
    size_t n = 0;
    int rc = sv_store_sources(store, &names, &n, err);
    if (rc)
        return rc;
    char server[512], other[512];
    for (size_t i = 0; i < n && rc == 0; i++) {
        char *have = NULL;
        if ((rc = sv_store_state_get(store, names[i], "identity", &have, err)) != 0)
            break;
        if (have && (rc = identity_upgrade(store, names[i], have, identity, err)) != 0) {
            free(have);
            have = rc == 1 ? sv_strdup(identity) : NULL;
            if (rc == 1 && !have)
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            else if (rc == 1)
                rc = 0;
            if (rc)
                break;
        }
        if (strcmp(names[i], *name) == 0) {
            if (have && strcmp(have, identity) != 0)
                rc = sv_error_set(err, SV_EDATA, store_path, 0, 0,
                                  "source '%s' in this store was fetched from '%s', not '%s': "
                                  "give this one its own name with --source NAME",
                                  *name, identity_server(have, other, sizeof other),
                                  identity_server(identity, server, sizeof server));
        } else if (have && strcmp(have, identity) == 0) {
            rc = sv_error_set(err, SV_EDATA, store_path, 0, 0,
                              "this source is already in the store as '%s' (its responses would "
                              "be stored twice): run with --source '%s'",
                              names[i], names[i]);
        } else if (!have && !explicit) {
            char *legacy = collect_source_legacy_name(names[i]);
            if (legacy && strcmp(legacy, *name) == 0) {
                char *keep = sv_strdup(names[i]);
                if (keep) {
                    sv_note("continuing source '%s' (the name an earlier version gave '%s')", keep,
                            *name);
                    free(*name);
                    *name = keep;
                } else {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                }
            }
            free(legacy);
        }
        free(have);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static void warn_text(const char *text)
{
    sv_warn("%s", text);
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
    char *hash_key = NULL, *source = NULL, *identity = NULL;
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
    if ((rc = collect_source_identify(&o, &source, &identity, &err)) != 0)
        goto fail;
    if (a.source) {
        free(source);
        if (!(source = sv_strdup(a.source))) {
            rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto fail;
        }
    }
    /*
     * An existing store is opened (and its sources checked) now; a new one is
     * created with the first page, so that a refused login, a usage error found
     * by the platform code or an unreachable server leaves no file behind.
     */
    if (access(a.store, F_OK) == 0) {
        if ((rc = sv_store_open(&store, a.store, schema, &err)) != 0)
            goto fail;
        if ((rc = check_source(store, &source, identity, a.source != NULL, a.store, &err)) != 0)
            goto fail;
    }
    if ((rc = collect_http_new(&http, &a.http, &err)) != 0)
        goto fail;
    if ((rc = collect_sink_init(&sink, store, schema, o.platform, source, hash_key, &err)) != 0)
        goto fail;
    sink_ok = true;
    sink.store_path = a.store;
    sink.identity = identity;
    sink.keep_partial = a.all_responses;
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
    if (!sink.store) {
        /* nothing to store (an empty survey): the store exists all the same */
        if ((rc = collect_sink_begin_page(&sink, &err)) != 0 ||
            (rc = collect_sink_end_page(&sink, &err)) != 0)
            goto fail;
    }
    if (sink.counts.fetched > 0) {
        long absent = collect_sink_warn_absent(&sink, warn_text);
        if (absent > 0 && a.strict) {
            rc = sv_error_set(&err, SV_EDATA, NULL, 0, 0,
                              "--strict: %ld variable%s of the definition in no response (the "
                              "responses are stored; fix the definition's platform names)",
                              absent, absent > 1 ? "s" : "");
            goto fail;
        }
    }
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
        char partial[96] = "";
        if (sink.partial_left)
            snprintf(partial, sizeof partial, ", partial %ld not stored (--responses all keeps them)",
                     sink.partial_left);
        /* printed even after a failure: it says what was kept */
        if (!sv_cli_quiet() || exit_code != 0)
            fprintf(stderr, "%s: fetched %ld, new %ld, updated %ld, unchanged %ld, rejected %ld%s\n",
                    sv_cli_progname(), c->fetched, c->new_, c->updated, c->unchanged, c->rejected,
                    partial);
        if (!store)
            store = sink.store; /* created by the sink */
        collect_sink_release(&sink);
    }
    collect_http_free(http);
    sv_store_close(store);
    collect_creds_release(&creds);
    collect_secret_free(hash_key);
    free(source);
    free(identity);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}
