/*
 * collect_http: every libcurl call of the tool.
 *
 * Policy (see README "collect fetch"):
 * - connect, total and low-speed time-outs on every request;
 * - retries on connection errors, time-outs, cut replies, 429 and 5xx, with
 *   exponential backoff and jitter, honouring Retry-After up to a cap;
 * - redirects are followed by this file, not by libcurl, so that the
 *   Authorization header is only ever sent to the origin it was given for
 *   (CURLOPT_UNRESTRICTED_AUTH stays off too); POST redirects are refused,
 *   because libcurl would turn them into a GET the JSON-RPC server ignores;
 * - TLS verification on unless --insecure; compressed replies accepted.
 * Secrets live only in the Authorization header built per request.
 */
#include "collect.h"
#include "sv_version.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_REDIRECTS 5

struct collect_http {
    CURL *curl;
    struct collect_http_opts o;
    char *auth_value;  /* secret: "Token ..." */
    char *auth_origin; /* "https://host:443" */
    unsigned rng;
    bool ignore_interrupt; /* closing requests (session release) still go out */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

void collect_interrupt_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool collect_interrupted(void)
{
    return interrupted != 0;
}

/* libcurl asks this often during a transfer: non-zero aborts it. */
static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    const struct collect_http *h = ctx;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return interrupted != 0 && !h->ignore_interrupt;
}

void collect_http_opts_default(struct collect_http_opts *o)
{
    o->timeout = 300;
    o->connect_timeout = 30;
    o->retries = 4;
    o->retry_delay = 1;
    o->retry_after_max = 120;
    o->insecure = false;
    o->max_reply = COLLECT_MAX_REPLY_DEFAULT;
}

void collect_secret_free(char *s)
{
    if (!s)
        return;
    volatile char *p = s;
    while (*p)
        *p++ = 0;
    free(s);
}

int collect_http_new(struct collect_http **out, const struct collect_http_opts *opts,
                     struct sv_error *err)
{
    *out = NULL;
    struct collect_http *h = calloc(1, sizeof *h);
    if (!h)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    h->curl = curl_easy_init();
    if (!h->curl) {
        free(h);
        return sv_error_set(err, SV_ERROR, NULL, 0, 0, "cannot initialise libcurl");
    }
    h->o = *opts;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    h->rng = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec;
    *out = h;
    return 0;
}

long collect_http_set_retries(struct collect_http *h, long retries)
{
    long old = h->o.retries;
    h->o.retries = retries;
    return old;
}

void collect_http_closing(struct collect_http *h)
{
    h->ignore_interrupt = true;
    h->o.retries = 0;
}

void collect_http_free(struct collect_http *h)
{
    if (!h)
        return;
    curl_easy_cleanup(h->curl);
    collect_secret_free(h->auth_value);
    free(h->auth_origin);
    free(h);
}

/* "scheme://host:port" in lower case, or NULL. Caller owns. */
static char *url_origin(const char *url)
{
    CURLU *u = curl_url();
    if (!u)
        return NULL;
    char *scheme = NULL, *host = NULL, *port = NULL, *res = NULL;
    if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        struct sv_buf b = SV_BUF_INIT;
        if (sv_buf_addf(&b, "%s://%s:%s", scheme, host, port) == 0) {
            for (size_t i = 0; i < b.len; i++)
                if (b.data[i] >= 'A' && b.data[i] <= 'Z')
                    b.data[i] = (char)(b.data[i] - 'A' + 'a');
            res = sv_buf_detach(&b, NULL);
        }
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return res;
}

/* A query parameter whose value is a secret, by its name. */
static bool secret_param(const char *name, size_t n)
{
    static const char *const words[] = {"token", "key", "pass", "pwd", "secret", "sig",
                                        "session", "auth", "credential", NULL};
    char low[64];
    if (n >= sizeof low)
        n = sizeof low - 1;
    for (size_t i = 0; i < n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    if (strcmp(low, "%24skiptoken") == 0 || strcmp(low, "$skiptoken") == 0)
        return false; /* ODK's page cursor: opaque, not a credential */
    for (const char *const *w = words; *w; w++)
        if (strstr(low, *w))
            return true;
    return false;
}

/* `query` with the values of secret-looking parameters replaced. Caller owns. */
static char *redact_query(const char *query)
{
    struct sv_buf b = SV_BUF_INIT;
    const char *p = query;
    int rc = 0;
    while (rc == 0 && *p) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        if (eq && secret_param(p, (size_t)(eq - p)))
            rc = sv_buf_add(&b, p, (size_t)(eq - p) + 1) || sv_buf_adds(&b, "REDACTED");
        else
            rc = sv_buf_add(&b, p, len);
        p += len;
        if (*p == '&') {
            rc = rc || sv_buf_addc(&b, '&');
            p++;
        }
    }
    if (rc || b.cap == 0) {
        sv_buf_release(&b);
        return rc ? NULL : sv_strdup("");
    }
    return sv_buf_detach(&b, NULL);
}

char *collect_url_public(const char *url)
{
    if (!url)
        return NULL;
    CURLU *u = curl_url();
    char *res = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        char *q = NULL;
        if (curl_url_get(u, CURLUPART_QUERY, &q, 0) == CURLUE_OK && q) {
            char *r = redact_query(q);
            if (r && strcmp(r, q) != 0)
                curl_url_set(u, CURLUPART_QUERY, r, 0);
            free(r);
            curl_free(q);
        }
        char *s = NULL;
        if (curl_url_get(u, CURLUPART_URL, &s, 0) == CURLUE_OK) {
            res = sv_strdup(s);
            curl_free(s);
        }
        curl_url_cleanup(u);
        return res;
    }
    curl_url_cleanup(u);
    /* not a URL curl understands: never echo it whole (it may hold a secret) */
    const char *q = strchr(url, '?');
    struct sv_buf b = SV_BUF_INIT;
    if (sv_buf_add(&b, url, q ? (size_t)(q - url) : strlen(url)) != 0)
        return NULL;
    if (q && sv_buf_adds(&b, "?...") != 0) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, NULL);
}

/* The host of `url` in lower case, or NULL. Caller owns (free). */
static char *url_host(const char *url)
{
    CURLU *u = curl_url();
    char *host = NULL, *res = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host) {
        res = sv_strdup(host);
        for (char *p = res; p && *p; p++)
            *p = (char)tolower((unsigned char)*p);
    }
    curl_free(host);
    curl_url_cleanup(u);
    return res;
}

int collect_links_init(struct collect_links *l, const char *source_url, struct sv_error *err)
{
    memset(l, 0, sizeof *l);
    if (collect_url_is_file(source_url))
        return 0;
    if (!(l->host = url_host(source_url)))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "cannot read the host of --url");
    return 0;
}

void collect_links_release(struct collect_links *l)
{
    free(l->host);
    free(l->seen);
    memset(l, 0, sizeof *l);
}

static unsigned long long fnv1a(const char *s)
{
    unsigned long long h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

int collect_links_check(struct collect_links *l, const char *next, struct sv_error *err)
{
    char *pub = collect_url_public(next);
    int rc = 0;
    if (!l->host) {
        if (!collect_url_is_file(next))
            rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                              "next-page link of a file:// source is not a file: not followed");
    } else if (strncasecmp(next, "http://", 7) != 0 && strncasecmp(next, "https://", 8) != 0) {
        rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                          "next-page link is not http(s): refused (a server cannot make collect "
                          "read other files or protocols)");
    } else {
        char *host = url_host(next);
        if (!host || strcmp(host, l->host) != 0)
            rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                              "next-page link leaves the source's host '%s': refused", l->host);
        free(host);
    }
    if (rc == 0) {
        unsigned long long h = fnv1a(next);
        for (size_t i = 0; i < l->n; i++)
            if (l->seen[i] == h) {
                rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                                  "next-page link already followed: the server's pages loop");
                break;
            }
        if (rc == 0) {
            if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 64;
                unsigned long long *v = realloc(l->seen, cap * sizeof *v);
                if (!v) {
                    free(pub);
                    return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                }
                l->seen = v;
                l->cap = cap;
            }
            l->seen[l->n++] = h;
        }
    }
    free(pub);
    return rc;
}

bool collect_url_is_file(const char *url)
{
    return url && strncasecmp(url, "file:", 5) == 0;
}

char *collect_url_escape(const char *s)
{
    struct sv_buf b = SV_BUF_INIT;
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        int ok = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                 *p == '-' || *p == '_' || *p == '.' || *p == '~';
        int rc = ok ? sv_buf_addc(&b, (char)*p)
                    : sv_buf_addf(&b, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
        if (rc) {
            sv_buf_release(&b);
            return NULL;
        }
    }
    if (b.cap == 0) /* empty input: hand back an owned empty string */
        return sv_strdup("");
    return sv_buf_detach(&b, NULL);
}

int collect_http_set_auth(struct collect_http *h, const char *origin_url, const char *value,
                          struct sv_error *err)
{
    collect_secret_free(h->auth_value);
    free(h->auth_origin);
    h->auth_value = NULL;
    h->auth_origin = NULL;
    if (!value)
        return 0;
    h->auth_origin = url_origin(origin_url);
    h->auth_value = sv_strdup(value);
    if (!h->auth_origin || !h->auth_value)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "cannot parse URL for credentials");
    return 0;
}

void collect_http_reply_init(struct collect_http_reply *r)
{
    r->status = 0;
    sv_buf_init(&r->body);
    r->content_type[0] = '\0';
}

void collect_http_reply_release(struct collect_http_reply *r)
{
    sv_buf_release(&r->body);
    r->status = 0;
}

struct body_sink {
    struct sv_buf *b;
    long long max;
    bool too_big;
};

/* Bytes come here decompressed: the cap bounds what an expanding body can take too. */
static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    struct body_sink *bs = ctx;
    size_t n = size * nmemb;
    if (bs->max > 0 && (long long)(bs->b->len + n) > bs->max) {
        bs->too_big = true;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    if (sv_buf_add(bs->b, ptr, n) != 0)
        return 0;
    return n;
}

enum method { M_GET, M_POST, M_DELETE };

struct attempt {
    CURLcode cc;
    bool too_big;
    long status;
    long retry_after;
    char location[2048];
    char errbuf[CURL_ERROR_SIZE];
};

static int perform(struct collect_http *h, enum method m, const char *url, const char *body,
                   struct collect_http_reply *r, struct attempt *a)
{
    CURL *c = h->curl;
    curl_easy_reset(c);
    sv_buf_reset(&r->body);
    r->content_type[0] = '\0';
    memset(a, 0, sizeof *a);

    struct curl_slist *hdr = NULL, *tmp;
    struct sv_buf auth = SV_BUF_INIT;
    int rc = 0;
    tmp = curl_slist_append(hdr, "Accept: application/json");
    if (!tmp)
        return SV_ENOMEM;
    hdr = tmp;
    if (m == M_POST) {
        tmp = curl_slist_append(hdr, "Content-Type: application/json");
        if (!tmp) {
            rc = SV_ENOMEM;
            goto out;
        }
        hdr = tmp;
    }
    if (h->auth_value) {
        char *origin = url_origin(url);
        bool same = origin && h->auth_origin && strcmp(origin, h->auth_origin) == 0;
        free(origin);
        if (same) {
            if (sv_buf_addf(&auth, "Authorization: %s", h->auth_value) != 0 ||
                !(tmp = curl_slist_append(hdr, auth.data))) {
                rc = SV_ENOMEM;
                goto out;
            }
            hdr = tmp;
        }
    }

    long timeout_ms = (long)(h->o.timeout * 1000);
    long connect_ms = (long)(h->o.connect_timeout * 1000);
    if (connect_ms > timeout_ms)
        connect_ms = timeout_ms;
    long low_time = (long)h->o.timeout;
    if (low_time > 30)
        low_time = 30;
    if (low_time < 1)
        low_time = 1;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    struct body_sink bs = {&r->body, h->o.max_reply, false};
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &bs);
    if (h->o.max_reply > 0)
        curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)h->o.max_reply);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a->errbuf);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(c, CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, low_time);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https,file");
    {
        char agent[96]; /* curl copies it */
        snprintf(agent, sizeof agent, "vigie-collect/%s", sv_version());
        curl_easy_setopt(c, CURLOPT_USERAGENT, agent);
    }
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, h->o.insecure ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, h->o.insecure ? 0L : 2L);
    if (m == M_POST) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
    } else if (m == M_DELETE) {
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    }

    a->cc = curl_easy_perform(c);
    a->too_big = bs.too_big || a->cc == CURLE_FILESIZE_EXCEEDED;
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (status == 0 && a->cc == CURLE_OK)
        status = 200; /* file:// */
    a->status = status;
    r->status = status;
    curl_off_t ra = 0;
    if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK && ra > 0)
        a->retry_after = (long)ra;
    char *loc = NULL;
    if (curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
        snprintf(a->location, sizeof a->location, "%s", loc);
    char *ct = NULL;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
        snprintf(r->content_type, sizeof r->content_type, "%s", ct);
out:
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hdr);
    /* wipe the copy of the secret */
    if (auth.len)
        memset(auth.data, 0, auth.len);
    sv_buf_release(&auth);
    return rc;
}

static bool retryable_curl(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return true;
    default:
        return false;
    }
}

/* Only what can succeed when asked again: not 501 (not implemented) nor 505. */
static bool retryable_status(long s)
{
    return s == 429 || s == 408 || (s >= 500 && s <= 599 && s != 501 && s != 505);
}

static unsigned next_rand(struct collect_http *h)
{
    h->rng = h->rng * 1103515245u + 12345u;
    return (h->rng >> 16) & 0x7fff;
}

static void sleep_seconds(double s)
{
    if (s <= 0)
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted)
        ;
}

static double backoff(struct collect_http *h, long attempt, long retry_after)
{
    if (retry_after > 0)
        return (double)retry_after < h->o.retry_after_max ? (double)retry_after
                                                           : h->o.retry_after_max;
    double d = h->o.retry_delay * pow(2.0, (double)attempt);
    if (d > 60)
        d = 60;
    /* jitter: + 0..50 %, so clients that failed together do not retry together */
    return d + d * 0.5 * (double)next_rand(h) / 32767.0;
}

/* A short server message from a JSON error body (Kobo "detail", ODK "message"). */
static void server_message(const struct collect_http_reply *r, char *out, size_t n)
{
    out[0] = '\0';
    const char *keys[] = {"\"detail\"", "\"message\"", "\"error\""};
    for (size_t k = 0; k < 3; k++) {
        const char *p = strstr(r->body.data, keys[k]);
        if (!p)
            continue;
        p = strchr(p + strlen(keys[k]), '"');
        if (!p)
            continue;
        p++;
        size_t i = 0;
        while (*p && *p != '"' && i + 1 < n && i < 160) {
            char ch = *p++;
            out[i++] = (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
        }
        out[i] = '\0';
        return;
    }
}

static int fail_status(const char *pub, long status, const struct collect_http_reply *r,
                       long attempts, struct sv_error *err)
{
    char msg[200];
    server_message(r, msg, sizeof msg);
    const char *hint = "";
    if (status == 401)
        hint = "authentication failed, check the credentials";
    else if (status == 403)
        hint = "access refused, check the account's permissions";
    else if (status == 404)
        hint = "not found, check --url and --survey-id";
    else if (status == 429)
        hint = "too many requests";
    char tries[64] = "";
    if (attempts > 1)
        snprintf(tries, sizeof tries, " (gave up after %ld attempts)", attempts);
    return sv_error_set(err, SV_EEXTERNAL, pub, 0, 0, "HTTP %ld%s%s%s%s%s%s", status,
                        *hint ? ": " : "", hint, *msg ? ": '" : "", msg, *msg ? "'" : "", tries);
}

static int fail_curl(const char *pub, const struct attempt *a, double timeout, long attempts,
                     long long max_reply, struct sv_error *err)
{
    if (a->too_big)
        return sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                            "reply larger than %lld bytes (decompressed): refused "
                            "(--max-reply-size raises the limit)",
                            max_reply);
    int code = SV_EEXTERNAL;
    const char *what = a->errbuf[0] ? a->errbuf : curl_easy_strerror(a->cc);
    char tries[64] = "";
    if (attempts > 1)
        snprintf(tries, sizeof tries, " (gave up after %ld attempts)", attempts);
    switch (a->cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return sv_error_set(err, code, pub, 0, 0, "no complete reply within %g s: %s%s", timeout,
                            what, tries);
    case CURLE_PARTIAL_FILE:
        return sv_error_set(err, code, pub, 0, 0, "reply cut short: %s%s", what, tries);
    case CURLE_FILE_COULDNT_READ_FILE:
        return sv_error_set(err, SV_ENOTFOUND, pub, 0, 0, "cannot read file (missing or unreadable)");
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return sv_error_set(err, SV_EUSAGE, pub, 0, 0, "unusable URL: %s", what);
    case CURLE_PEER_FAILED_VERIFICATION:
        return sv_error_set(err, code, pub, 0, 0,
                            "TLS certificate not trusted: %s (--insecure turns verification off)",
                            what);
    case CURLE_WRITE_ERROR:
        return sv_error_set(err, SV_ENOMEM, pub, 0, 0, "out of memory reading the reply");
    default:
        return sv_error_set(err, code, pub, 0, 0, "%s%s", what, tries);
    }
}

static bool is_redirect(long s)
{
    return s == 301 || s == 302 || s == 303 || s == 307 || s == 308;
}

static int request(struct collect_http *h, enum method m, const char *url0, const char *body,
                   struct collect_http_reply *r, struct sv_error *err)
{
    char *url = sv_strdup(url0);
    if (!url)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = 0;
    int redirects = 0;
    long attempt = 0;
    for (;;) {
        struct attempt a;
        if (interrupted && !h->ignore_interrupt) {
            rc = sv_error_set(err, SV_ERROR, NULL, 0, 0, "interrupted");
            break;
        }
        rc = perform(h, m, url, body, r, &a);
        if (rc) {
            rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
            break;
        }
        if (interrupted && !h->ignore_interrupt) {
            rc = sv_error_set(err, SV_ERROR, NULL, 0, 0, "interrupted");
            break;
        }
        bool retry = (a.cc != CURLE_OK && !a.too_big && retryable_curl(a.cc)) ||
                     (a.cc == CURLE_OK && retryable_status(a.status));
        if (retry && m != M_DELETE && attempt < h->o.retries) {
            double d = backoff(h, attempt, a.status == 429 || a.status == 503 ? a.retry_after : 0);
            attempt++;
            sleep_seconds(d);
            continue;
        }
        char *pub = collect_url_public(url);
        if (a.cc != CURLE_OK) {
            rc = fail_curl(pub ? pub : "?", &a, h->o.timeout, attempt + 1, h->o.max_reply, err);
            free(pub);
            break;
        }
        if (is_redirect(a.status) && a.location[0]) {
            char *to = collect_url_public(a.location);
            if (m == M_POST) {
                rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                                  "server redirects to '%s': use that address with --url",
                                  to ? to : "?");
            } else if (++redirects > MAX_REDIRECTS) {
                rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0, "too many redirects");
            } else if (strncasecmp(a.location, "http://", 7) != 0 &&
                       strncasecmp(a.location, "https://", 8) != 0) {
                rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                                  "redirect to a non-HTTP address '%s' refused", to ? to : "?");
            } else {
                free(to);
                free(pub);
                char *next = sv_strdup(a.location);
                if (!next) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                free(url);
                url = next;
                attempt = 0;
                continue;
            }
            free(to);
            free(pub);
            break;
        }
        if (a.status >= 400) {
            rc = fail_status(pub ? pub : "?", a.status, r, attempt + 1, err);
            free(pub);
            break;
        }
        free(pub);
        break;
    }
    free(url);
    return rc;
}

int collect_http_get(struct collect_http *h, const char *url, struct collect_http_reply *r,
                     struct sv_error *err)
{
    return request(h, M_GET, url, NULL, r, err);
}

int collect_http_post_json(struct collect_http *h, const char *url, const char *body,
                           struct collect_http_reply *r, struct sv_error *err)
{
    return request(h, M_POST, url, body, r, err);
}

int collect_http_delete(struct collect_http *h, const char *url, struct sv_error *err)
{
    struct collect_http_reply r;
    collect_http_reply_init(&r);
    int rc = request(h, M_DELETE, url, NULL, &r, err);
    collect_http_reply_release(&r);
    return rc;
}

/* Credentials in the URL would show in the process list and in the shell history. */
bool collect_url_has_userinfo(const char *url)
{
    const char *p = strstr(url, "://");
    if (!p)
        return false;
    p += 3;
    const char *end = p + strcspn(p, "/?#");
    const char *at = memchr(p, '@', (size_t)(end - p));
    return at != NULL;
}
