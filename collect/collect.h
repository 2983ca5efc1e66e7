/*
 * collect: internal interfaces shared by the files of the collect tool.
 *
 * Layers, top to bottom:
 *   cmd_fetch.c / cmd_export.c / cmd_status.c   options, messages, exit codes
 *   collect_limesurvey.c, collect_kobo.c, collect_odk.c, collect_plain.c
 *                                               one platform each: paging, parsing
 *   collect_sink.c                              normalise + store, one transaction per page
 *   collect_http.c                              every libcurl call (CURL * stays there)
 *   collect_creds.c                             credentials: environment, 0600 file, ~/.netrc
 * Platform files use jansson internally; no third-party type crosses these interfaces.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <stdbool.h>
#include <stddef.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "sv_error.h"
#include "sv_record.h"
#include "sv_store.h"
#include "sv_survey.h"

/* ---------------------------------------------------------------- HTTP */

struct collect_http_opts {
    double timeout;         /* total seconds per request */
    double connect_timeout; /* seconds */
    long retries;           /* further attempts after the first */
    double retry_delay;     /* base of the exponential backoff, seconds */
    double retry_after_max; /* cap on a server's Retry-After, seconds */
    bool insecure;          /* TLS verification off */
};
void collect_http_opts_default(struct collect_http_opts *o);

struct collect_http;

/* Caller owns; free with collect_http_free(). */
int collect_http_new(struct collect_http **out, const struct collect_http_opts *opts,
                     struct sv_error *err);
void collect_http_free(struct collect_http *h);
/* From now on only closing requests: sent even after an interrupt, never retried. */
void collect_http_closing(struct collect_http *h);

/*
 * The value of the Authorization header ("Token abc", "Bearer xyz"), sent only
 * to the host of `origin_url` (scheme, host and port): a redirect elsewhere
 * never carries it. NULL removes it. The secret is copied and wiped on free.
 */
int collect_http_set_auth(struct collect_http *h, const char *origin_url, const char *value,
                          struct sv_error *err);

struct collect_http_reply {
    long status;         /* HTTP status; 200 for file:// */
    struct sv_buf body;  /* NUL-terminated */
    char content_type[128];
};
void collect_http_reply_init(struct collect_http_reply *r);
void collect_http_reply_release(struct collect_http_reply *r);

/*
 * GET `url` (http, https or file), following up to 5 redirects, retrying
 * connection errors, 429 and 5xx with backoff. Any final status >= 400 is an
 * error (SV_EEXTERNAL) whose text quotes the server's message when it has a
 * short one. The reply body is in `r` on success.
 */
int collect_http_get(struct collect_http *h, const char *url, struct collect_http_reply *r,
                     struct sv_error *err);
/* POST a JSON body. Redirects are refused (reported with their target). */
int collect_http_post_json(struct collect_http *h, const char *url, const char *body,
                           struct collect_http_reply *r, struct sv_error *err);
/* DELETE (best effort, no retries); used to close an ODK session. */
int collect_http_delete(struct collect_http *h, const char *url, struct sv_error *err);

/* `url` without user:password@ (for messages and the store). Caller owns; free(). */
char *collect_url_public(const char *url);
/* Percent-encode `s` for a query string. Caller owns; free(). */
char *collect_url_escape(const char *s);
/* True for a file:// URL. */
bool collect_url_is_file(const char *url);

/*
 * Ctrl-C / SIGTERM during a fetch: the handler only sets a flag; the transfer
 * in progress is aborted, the open page rolled back, committed pages kept.
 */
void collect_interrupt_install(void);
bool collect_interrupted(void);

/* Wipe and free a secret. Accepts NULL. */
void collect_secret_free(char *s);

/* ---------------------------------------------------------------- credentials */

struct collect_creds {
    char *user;     /* LimeSurvey user name or ODK e-mail */
    char *password;
    char *token;    /* Kobo API token or ODK session token */
};
/*
 * Find credentials for `platform` talking to `url`: environment variables
 * first (VIGIE_LIMESURVEY_USER/_PASSWORD, VIGIE_KOBO_TOKEN,
 * VIGIE_ODK_EMAIL/_PASSWORD, VIGIE_ODK_TOKEN), then `file` when given (must be
 * mode 0600 or stricter; "key = value" lines), then ~/.netrc (machine = the
 * URL's host). Missing credentials are not an error here (fields stay NULL).
 */
int collect_creds_load(struct collect_creds *c, enum sv_platform platform, const char *url,
                       const char *file, struct sv_error *err);
void collect_creds_release(struct collect_creds *c);
/* Read a secret file (first line, trimmed); refused unless mode 0600 or stricter. */
int collect_secret_file_read(char **out, const char *path, struct sv_error *err);

/* ---------------------------------------------------------------- sink */

struct collect_counts {
    long fetched, new_, updated, unchanged, rejected;
};

struct collect_sink {
    struct sv_store *store;
    const struct sv_schema *schema;
    const struct sv_survey *survey;
    enum sv_platform platform;
    const char *hash_key; /* NULL: personal "hash" variables are dropped */
    const char *source;   /* store source name */
    struct collect_counts counts; /* committed pages only */
    struct collect_counts page;   /* the open page */
    bool in_page;
    struct sv_progress progress;
    long pages;
    /* raw field names of personal variables: never kept in the raw payload */
    char **personal_keys;
    size_t npersonal;
};

int collect_sink_init(struct collect_sink *s, struct sv_store *store, const struct sv_schema *schema,
                      enum sv_platform platform, const char *source, const char *hash_key,
                      struct sv_error *err);
void collect_sink_release(struct collect_sink *s);
int collect_sink_begin_page(struct collect_sink *s, struct sv_error *err);
/* Commit the page, with optional sync-state updates done in the same transaction. */
int collect_sink_end_page(struct collect_sink *s, struct sv_error *err);
void collect_sink_abort_page(struct collect_sink *s);
/*
 * End the page as `rc` says: commit it when rc is 0, otherwise roll it back.
 * Returns the commit's result, or rc unchanged.
 */
int collect_sink_finish_page(struct collect_sink *s, int rc, struct sv_error *err);
/*
 * Keep in *latest the later of *latest and `when` (ISO 8601 times compare as
 * strings); the high-water mark of incremental pulls. Returns 0 or SV_ENOMEM.
 */
int collect_keep_latest(char **latest, const char *when);
/*
 * Normalise and store one response. `raw` is the platform's JSON text of the
 * record (already stripped of personal fields by the caller through
 * collect_sink_is_personal). A record the definition rejects goes to the
 * rejects table and is not an error.
 */
int collect_sink_record(struct collect_sink *s, const char *id, const char *submitted,
                        const struct sv_raw_field *fields, size_t nfields, const char *raw,
                        struct sv_error *err);
/* True when raw field `key` carries a personal variable (or one of its sub-columns). */
bool collect_sink_is_personal(const struct collect_sink *s, const char *key);
int collect_sink_state_get(struct collect_sink *s, const char *key, char **out,
                           struct sv_error *err);
int collect_sink_state_set(struct collect_sink *s, const char *key, const char *value,
                           struct sv_error *err);

/* ---------------------------------------------------------------- sources */

struct collect_fetch_opts {
    enum sv_platform platform;
    bool plain_csv;       /* --platform csv (else json for SV_PLATFORM_CSV) */
    const char *url;
    const char *survey_id; /* platform's survey/asset/form id */
    long page_size;
    const char *records_path; /* plain JSON: where the records are ("data.items") */
    const char *next_path;    /* plain JSON: where the next-page URL is */
    const char *id_field;     /* plain sources: the id field/column ("id") */
    const char *submitted_field;
    bool full;            /* ignore sync state: download everything again */
    struct collect_creds *creds;
};

int collect_limesurvey_fetch(struct collect_sink *sink, struct collect_http *http,
                             const struct collect_fetch_opts *o, struct sv_error *err);
int collect_kobo_fetch(struct collect_sink *sink, struct collect_http *http,
                       const struct collect_fetch_opts *o, struct sv_error *err);
int collect_odk_fetch(struct collect_sink *sink, struct collect_http *http,
                      const struct collect_fetch_opts *o, struct sv_error *err);
int collect_plain_fetch(struct collect_sink *sink, struct collect_http *http,
                        const struct collect_fetch_opts *o, struct sv_error *err);

/* The store source name for a fetch (e.g. "limesurvey:364215"). Caller owns; free(). */
char *collect_source_name(const struct collect_fetch_opts *o);

/* Decode standard base64 (whitespace ignored). Returns 0 or SV_EDATA. */
int collect_base64_decode(struct sv_buf *out, const char *in, size_t len);
int collect_base64_encode(struct sv_buf *out, const void *in, size_t len);

/* ---------------------------------------------------------------- commands */

int collect_cmd_fetch(int argc, char **argv);
int collect_cmd_export(int argc, char **argv);
int collect_cmd_status(int argc, char **argv);

#endif
