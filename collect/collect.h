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
    long long max_reply;    /* bytes of one reply, after decompression (--max-reply-size) */
};
#define COLLECT_MAX_REPLY_DEFAULT (256LL * 1024 * 1024)
void collect_http_opts_default(struct collect_http_opts *o);
/*
 * The network options every command that talks to a platform shares
 * (--timeout, --retries, --retry-delay, --retry-max-wait, --insecure, keys
 * COLLECT_OPT_* below): 0 when `key` was one of them and `v` is valid, an
 * exit code after a usage message when not valid, -1 when `key` is not one.
 * In cmd_net_options.c (command layer: it prints the usage message).
 */
int collect_http_opts_parse(struct collect_http_opts *o, int key, const char *v);

struct collect_http;

/* Caller owns; free with collect_http_free(). */
int collect_http_new(struct collect_http **out, const struct collect_http_opts *opts,
                     struct sv_error *err);
void collect_http_free(struct collect_http *h);
/*
 * Set the number of retries of the next requests; returns the previous one.
 * A request that changes things on the server and is not safe to repeat
 * (adding participants, mailing a given list) is sent with 0: when its reply
 * is lost, it may have been carried out.
 */
long collect_http_set_retries(struct collect_http *h, long retries);
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

/*
 * `url` without user:password@ and with the values of query parameters that
 * look like secrets (token, key, password, secret, signature, session, auth)
 * replaced by "REDACTED": for messages and the store. Caller owns; free().
 */
char *collect_url_public(const char *url);
/*
 * The pagination links a platform gives (Kobo `next`, ODK `@odata.nextLink`,
 * --next): followed only when http(s) and on the source's host (a file://
 * source: only file:// links), and never twice (a link already followed means
 * the pages loop). Fill with collect_links_check(); release with _release().
 */
struct collect_links {
    char *host;            /* the source's host, lower case; NULL for file:// */
    unsigned long long *seen;
    size_t n, cap;
};
int collect_links_init(struct collect_links *l, const char *source_url, struct sv_error *err);
void collect_links_release(struct collect_links *l);
/* 0 when `next` may be followed (and remember it), SV_EEXTERNAL with the reason otherwise. */
int collect_links_check(struct collect_links *l, const char *next, struct sv_error *err);
/* Percent-encode `s` for a query string. Caller owns; free(). */
char *collect_url_escape(const char *s);
/* True for a file:// URL. */
bool collect_url_is_file(const char *url);
/* True when `url` carries user:password@ (refused: it would show in the process list). */
bool collect_url_has_userinfo(const char *url);

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
    /* the platform's system fields (access token, IP address, submitter, device) */
    const char *const *system_keys;
    /*
     * The store opens at the first page when the file did not exist, so that
     * a failed login or a usage error leaves no store behind.
     */
    const char *store_path;
    const char *identity; /* written in the sync state with the first page */
    bool identity_written;
    bool keep_partial;    /* --responses all */
    long partial_left;    /* partial responses not stored (committed pages) */
    long page_partial_left;
    /* what the platform says of the next record handed to collect_sink_record */
    bool rec_partial;
    const char *rec_review;
    /* variables whose platform field appeared in a response (this and earlier runs) */
    unsigned char *var_seen;
    bool seen_loaded, seen_dirty;
    char **fields_seen; /* distinct field names, sorted, for suggestions (capped) */
    size_t nfields_seen, cap_fields_seen;
};

/* `store` may be NULL: then the store at `store_path` is created with the first page. */
int collect_sink_init(struct collect_sink *s, struct sv_store *store, const struct sv_schema *schema,
                      enum sv_platform platform, const char *source, const char *hash_key,
                      struct sv_error *err);
/*
 * After the fetch: one warning per variable whose platform field appeared in
 * none of the responses (in this run or earlier ones), with the closest field
 * names seen, handed to `warn`. Returns how many variables there were.
 */
long collect_sink_warn_absent(struct collect_sink *s, void (*warn)(const char *text));
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
 * record (already stripped of personal and system fields by the caller through
 * collect_sink_drops). A record the definition rejects goes to the
 * rejects table and is not an error. s->rec_partial and s->rec_review, set by
 * the platform before the call, say what the platform knows of it (reset here).
 */
int collect_sink_record(struct collect_sink *s, const char *id, const char *submitted,
                        const struct sv_raw_field *fields, size_t nfields, const char *raw,
                        struct sv_error *err);
/* True when raw field `key` carries a personal variable (or one of its sub-columns). */
bool collect_sink_is_personal(const struct collect_sink *s, const char *key);
/*
 * True when raw field `key` must not reach the store's raw payload: a personal
 * variable, or a platform system field the definition does not declare.
 */
bool collect_sink_drops(const struct collect_sink *s, const char *key);
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

/*
 * The canonical name and identity of a source. The name is what the store
 * keys responses by: "limesurvey:<sid>", "kobo:<uid>", "odk:<project>/<form>"
 * whichever documented spelling of --url and --survey-id gave them, or the
 * URL (scheme and host in lower case, no default port, no trailing slash,
 * secrets redacted; json: no query) for file:// and plain sources. The
 * identity adds the server: scheme, host, port when not the default, and path
 * ("odk|https://central.example.org:8443|1/form"), so that two servers (http and
 * https, or two ports of one host) never share a name unnoticed. Caller owns both; free().
 * Returns 0, SV_EUSAGE (no id in --survey-id nor in --url) or SV_ENOMEM.
 */
int collect_source_identify(const struct collect_fetch_opts *o, char **name, char **identity,
                            struct sv_error *err);
/*
 * The canonical name a legacy source name (an ODK .svc or Kobo assets URL
 * used as the name by earlier versions) stands for, or NULL. Caller owns.
 */
char *collect_source_legacy_name(const char *name);

int collect_limesurvey_fetch(struct collect_sink *sink, struct collect_http *http,
                             const struct collect_fetch_opts *o, struct sv_error *err);
int collect_kobo_fetch(struct collect_sink *sink, struct collect_http *http,
                       const struct collect_fetch_opts *o, struct sv_error *err);
int collect_odk_fetch(struct collect_sink *sink, struct collect_http *http,
                      const struct collect_fetch_opts *o, struct sv_error *err);
int collect_plain_fetch(struct collect_sink *sink, struct collect_http *http,
                        const struct collect_fetch_opts *o, struct sv_error *err);


/* Decode standard base64 (whitespace ignored). Returns 0 or SV_EDATA. */
int collect_base64_decode(struct sv_buf *out, const char *in, size_t len);
int collect_base64_encode(struct sv_buf *out, const void *in, size_t len);

/* ---------------------------------------------------------------- members and participants */

/*
 * The federation's member list (collect_members.c): one establishment per
 * row, with its id (FINESS or the federation's own), name, contact e-mail and
 * one code per stratum variable (the survey's frame variables, else its
 * region and sector roles), checked against the definition's code lists.
 */
struct collect_member {
    char *id;
    char *name;   /* may be "" */
    char *email;
    char **strata; /* canonical code per stratum variable */
    long line;
};
struct collect_members {
    struct collect_member *v;
    size_t n, cap;
    const char *vars[8]; /* stratum variable names, borrowed from the survey */
    size_t nvars;
};
/* The stratum variables of a survey (frame variables, else roles region and sector). */
size_t collect_members_strata(const struct sv_survey *survey, const char *vars[8]);
/*
 * Read and check a member list (UTF-8 CSV with ',' or ';', BOM accepted).
 * Each bad row is handed to `bad_row` (one error each, "file:line: reason")
 * and reading goes on, so that one run lists every bad row; *nbad counts them
 * (the return is then SV_EDATA). `email_unique`: a shared e-mail is a bad
 * row (members are matched on e-mail). Other failures (no such file, missing
 * column) return their code with `err` set.
 */
int collect_members_read(struct collect_members *m, const char *path,
                         const struct sv_survey *survey, bool email_unique,
                         void (*bad_row)(const struct sv_error *e, void *ctx), void *ctx,
                         long *nbad, struct sv_error *err);
void collect_members_release(struct collect_members *m);
/* A plausible e-mail address (one '@', a dotted domain, no spaces or controls). */
bool collect_email_valid(const char *s);

/*
 * The store's participants table (collect_roster.c): member id -> the
 * platform's participant (tid, token fingerprint) with the member's strata and the mail
 * state last seen (sent, reminders, completed). Its layout has its own
 * version in meta ('participants_format'); stores made before it have no such
 * table and keep working. sqlite3 stays inside collect_roster.c.
 */
struct collect_roster;
/*
 * Open the table in the store at `path` (an existing store). `create`: add
 * the table when absent (a migration of older stores); otherwise *out is
 * NULL when the store has none.
 */
int collect_roster_open(struct collect_roster **out, const char *path, bool create,
                        struct sv_error *err);
void collect_roster_close(struct collect_roster *r);
int collect_roster_begin(struct collect_roster *r, struct sv_error *err);
int collect_roster_commit(struct collect_roster *r, struct sv_error *err);
void collect_roster_rollback(struct collect_roster *r);
/* Insert or update the mapping of one member. `completed` may be NULL. */
int collect_roster_put(struct collect_roster *r, const char *source, const struct collect_member *m,
                       const struct collect_members *list, long tid, const char *token,
                       const char *completed, struct sv_error *err);
/* Update the mail state of the participant `tid` of `source`; NULL/-1 leave a field as it is. */
int collect_roster_mail_state(struct collect_roster *r, const char *source, long tid,
                              const char *sent, long reminders, const char *completed,
                              struct sv_error *err);
/*
 * Call `fn` for each participant: its codes for `vars` (NULL when the member
 * list had no such column), whether it was invited, reminded and has
 * completed the survey.
 */
int collect_roster_foreach(struct collect_roster *r, const char *const *vars, size_t nvars,
                           int (*fn)(const char *const *codes, bool invited, bool reminded,
                                     bool completed, void *ctx),
                           void *ctx, struct sv_error *err);

/*
 * The store's launches table (collect_roster.c): which definition version was
 * put on which platform as which survey, so that a second `collect launch` of
 * the same version changes nothing.
 */
struct collect_launch_record {
    bool found;
    char *platform_id, *link, *state, *fingerprint, *launched_at;
};
void collect_launch_record_release(struct collect_launch_record *r);
int collect_launches_get(const char *path, const char *survey, const char *version,
                         const char *platform, const char *url, struct collect_launch_record *out,
                         struct sv_error *err);
/* Insert or update the row; `state` NULL deletes it. */
int collect_launches_put(const char *path, const char *survey, const char *version,
                         const char *platform, const char *url, const char *platform_id,
                         const char *link, const char *state, const char *fingerprint,
                         struct sv_error *err);

/*
 * LimeSurvey participants (collect_lsparticipants.c), over a session opened
 * with collect_ls_open (collect_json.h).
 */
struct collect_ls;
int collect_ls_open(struct collect_ls **out, struct collect_http *http, const char *url,
                    const struct collect_creds *creds, struct sv_error *err);
void collect_ls_close(struct collect_ls *ls);
/* The server address without credentials, for messages. */
const char *collect_ls_source(const struct collect_ls *ls);

struct collect_ls_participant {
    long tid;
    char *token;
    char *email;
    char *member_id; /* value of the id attribute; NULL or "" when absent */
    char *emailstatus; /* "OK", "bounced", ...; NULL when not asked */
    char *sent;      /* "N" or the date; NULL when not asked */
    char *completed; /* "N", "Y" or the date; NULL when not asked */
    long reminders;  /* -1 when not asked */
    char *error;     /* add_participants: why the server refused the row, else NULL */
};
struct collect_ls_participants {
    struct collect_ls_participant *v;
    size_t n, cap;
    bool no_table; /* the survey has no participant table */
};
void collect_ls_participants_release(struct collect_ls_participants *p);
/*
 * All participants of survey `sid`, `page` at a time (list_participants).
 * `id_attr` (e.g. "attribute_1", or NULL) is asked for and kept as member_id;
 * `mail_state` also asks for sent and remindercount ("completed" always).
 */
int collect_ls_participants_list(struct collect_ls *ls, long sid, const char *id_attr, long page,
                                 bool mail_state, struct collect_ls_participants *out,
                                 struct sv_error *err);
/*
 * Which participant attribute holds what. LimeSurvey only knows columns
 * attribute_N; a survey names them in its `attributedescriptions` (e.g.
 * attribute_1 "region"), and a key it does not know (a description used as a
 * name, an attribute_N without a column) is dropped without an error. So the
 * columns are found from the descriptions: the member id in the one described
 * "member_id" (or "id"), each stratum in the one described by its variable
 * name, role or label. A survey with no descriptions keeps the id in
 * attribute_1.
 */
struct collect_ls_attrs {
    const char *id;        /* attribute of the member id; NULL: members matched on e-mail */
    const char *strata[8]; /* attribute of each stratum of the member list; NULL: not sent */
    char names[9][24];     /* storage of the names above */
    long numbers[9];       /* the attribute numbers, to create the table with */
    size_t nnumbers;
    bool described;        /* the survey has descriptions */
    char *descriptions;    /* JSON to set before creating the table when it has none */
};
/*
 * Resolve the attributes of survey `sid` for `list` (get_survey_properties).
 * `id_opt`: --id-attribute (attribute_N or a description), NULL for the
 * default; `id_none`: match on e-mail only. A description asked for and not
 * found is SV_EDATA.
 */
int collect_ls_attrs_resolve(struct collect_ls_attrs *a, struct collect_ls *ls, long sid,
                             const char *id_opt, bool id_none, const struct sv_survey *survey,
                             const struct collect_members *list, struct sv_error *err);
void collect_ls_attrs_release(struct collect_ls_attrs *a);
/*
 * The survey has no participant table yet and no descriptions: the strata go
 * in the next attribute_N, and their descriptions are set with the table.
 */
int collect_ls_attrs_new_table(struct collect_ls_attrs *a, const struct collect_members *list,
                               struct sv_error *err);
/*
 * Create the participant table (activate_tokens with the attribute numbers,
 * integers only: LimeSurvey turns a name into attribute_0), naming the
 * attributes first when the survey has no descriptions.
 */
int collect_ls_create_table(struct collect_ls *ls, long sid, const struct collect_ls_attrs *a,
                            struct sv_error *err);
/*
 * add_participants for members[0..n-1] (e-mail, name as lastname, language
 * `lang` (an empty one gets links in the wrong language), id and strata in
 * their attributes), tokens made by the server. out->v[i] answers members[i];
 * a refused row has `error` set.
 */
int collect_ls_participants_add(struct collect_ls *ls, long sid, const struct collect_ls_attrs *a,
                                const char *lang, const struct collect_member *const *members,
                                size_t n, const struct collect_members *list,
                                struct collect_ls_participants *out, struct sv_error *err);
/*
 * Completion read from the responses, not from the participant flag (which
 * add_response and imports do not set): for each tokens[i], done[i] gets the
 * submit date of its first complete response, or NULL (export_responses_by_token,
 * `complete` only; one token may have several rows). Caller frees done[i].
 */
int collect_ls_completed_by_token(struct collect_ls *ls, long sid, const char *const *tokens,
                                  size_t n, char **done, struct sv_error *err);

/* One invite_participants / remind_participants call. */
struct collect_ls_mail {
    long sent, failed;
    long left;            /* "<N> left to send"; 0 with none or a negative count */
    long said_left;       /* the count as the server wrote it (may be negative) */
    bool none;            /* "No candidate tokens" */
    long *tids;           /* participants this call mailed or tried (sent and failed) */
    bool *ok;             /* ok[i]: the mail to tids[i] went out */
    size_t ntids;
    char failure[256];    /* the first failure's reason */
    long failure_tid;
};
void collect_ls_mail_release(struct collect_ls_mail *m);
/*
 * remind = false: invite_participants(sid, tids or null, !resend);
 * remind = true: remind_participants(sid, min_days, max_reminders (<= 0: no
 * limit), tids or false). An application error other than "No candidate
 * tokens" is SV_EEXTERNAL.
 */
int collect_ls_mail_batch(struct collect_ls *ls, bool remind, long sid, bool resend, long min_days,
                          long max_reminders, const long *tids, size_t ntids,
                          struct collect_ls_mail *out, struct sv_error *err);

/* ---------------------------------------------------------------- commands */

int collect_cmd_fetch(int argc, char **argv);
int collect_cmd_export(int argc, char **argv);
int collect_cmd_status(int argc, char **argv);
int collect_cmd_participants(int argc, char **argv);

/*
 * What participants, invite and remind share (cmd_participants.c): the
 * platform connection options, parsed once, and the session they open.
 */
enum {
    COLLECT_OPT_STORE = 256,
    COLLECT_OPT_PLATFORM,
    COLLECT_OPT_URL,
    COLLECT_OPT_SURVEY_ID,
    COLLECT_OPT_CREDENTIALS,
    COLLECT_OPT_INSECURE,
    COLLECT_OPT_TIMEOUT,
    COLLECT_OPT_RETRIES,
    COLLECT_OPT_RETRY_DELAY,
    COLLECT_OPT_RETRY_MAX_WAIT,
    COLLECT_OPT_ID_ATTRIBUTE,
    COLLECT_OPT_PAGE_SIZE,
    COLLECT_OPT_MAX_REPLY,
    COLLECT_OPT_FIRST_OWN /* first key free for a command's own options */
};
struct collect_launch {
    const char *survey, *store, *platform, *url, *survey_id, *credentials;
    const char *id_attr; /* --id-attribute (attribute_N or a description); NULL: default */
    bool id_none;        /* --id-attribute none: members matched on e-mail */
    long sid;
    long page_size;
    struct collect_http_opts http;
    /* opened by collect_launch_connect */
    struct collect_creds creds;
    struct collect_http *conn;
    struct collect_ls *ls;
    char source[64]; /* "limesurvey:<sid>" */
};
/* The rows of the shared options in a command's table. */
#define COLLECT_LAUNCH_OPTIONS                                                                     \
    {"survey", 's', "ID|DIR", "survey definition (id in $VIGIE_SURVEYS, or a directory)"},         \
    {"store", COLLECT_OPT_STORE, "FILE", "the survey's SQLite store"},                             \
    {"platform", COLLECT_OPT_PLATFORM, "NAME", "limesurvey (the only one for now)"},                \
    {"url", COLLECT_OPT_URL, "URL", "LimeSurvey: .../index.php/admin/remotecontrol"},               \
    {"survey-id", COLLECT_OPT_SURVEY_ID, "N", "LimeSurvey survey number (sid)"},                    \
    {"id-attribute", COLLECT_OPT_ID_ATTRIBUTE, "NAME",                                             \
     "participant attribute of the member id: attribute_N or its description (default: the one "   \
     "described member_id, else attribute_1 when none is described; none: match on e-mail)"},  \
    {"page-size", COLLECT_OPT_PAGE_SIZE, "N", "participants per list_participants call (default 500)"}, \
    {"credentials", COLLECT_OPT_CREDENTIALS, "FILE", "credentials file, mode 0600 ('key = value' lines)"}, \
    {"timeout", COLLECT_OPT_TIMEOUT, "S", "time-out of one request in seconds (default 300)"},     \
    {"retries", COLLECT_OPT_RETRIES, "N", "retries after a failed request (default 4)"},           \
    {"retry-delay", COLLECT_OPT_RETRY_DELAY, "S", "first backoff delay in seconds (default 1)"},   \
    {"retry-max-wait", COLLECT_OPT_RETRY_MAX_WAIT, "S", "cap on a server's Retry-After (default 120)"}, \
    {"insecure", COLLECT_OPT_INSECURE, NULL, "do not verify TLS certificates (warns)"},           \
    {"quiet", 'q', NULL, "no batch lines, notes or warnings"},                                    \
    {"help", 'h', NULL, "show this help"}
void collect_launch_init(struct collect_launch *l);
/* Handle a shared option; returns 0, an exit code, or -1 when `key` is not shared. */
int collect_launch_option(struct collect_launch *l, int key, const char *v);
/* Check the shared options (usage errors are printed); returns 0 or an exit code. */
int collect_launch_check(struct collect_launch *l, bool need_store);
/* Credentials, HTTP, session: returns 0 or SV_E* with err set. */
int collect_launch_connect(struct collect_launch *l, struct sv_error *err);
void collect_launch_release(struct collect_launch *l);
int collect_cmd_invite(int argc, char **argv);
int collect_cmd_remind(int argc, char **argv);
int collect_cmd_launch(int argc, char **argv);
int collect_cmd_definition(int argc, char **argv);

#endif
