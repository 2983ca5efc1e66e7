/*
 * collect_limesurvey: LimeSurvey RemoteControl 2 (JSON-RPC 1.0 over POST).
 *
 * get_session_key -> get_summary -> export_responses(json, code headings,
 * short answers) by response-id windows -> release_session_key. The session
 * key is renewed once when a call answers 'Invalid session key'.
 *
 * Sync state (per source), committed with each window: "next_id" is the
 * highest id seen + 1 (windows go up in id order, so every id below it has
 * been stored or tracked, whatever order the rows of a window come in);
 * "incomplete" lists the ids seen incomplete (partial saves: null
 * submitdate), asked for again one by one at the next run, so that one early
 * partial response does not make every run download the survey again;
 * "count_below" is how many responses have ids below next_id, so that
 * get_summary's total tells when the remaining windows are done. Ids have
 * gaps: an empty window doubles the next one, and after three empty windows
 * one open-ended window (to the last id) ends the run.
 *
 * A file:// URL is read as a decoded export ({"responses": [...]}) or as a
 * saved JSON-RPC reply with a base64 result.
 */
#include "collect_json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NOT_ENABLED "RemoteControl not enabled or wrong URL"
#define NO_CREDENTIALS                                                                             \
    "no LimeSurvey credentials: set VIGIE_LIMESURVEY_USER and VIGIE_LIMESURVEY_PASSWORD, or use "  \
    "--credentials FILE or ~/.netrc"

struct collect_ls {
    struct collect_http *http;
    const char *url;
    const struct collect_creds *creds;
    char *pub; /* URL for messages */
    char *key; /* session key: secret */
    long rpc_id;
};

static bool ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    return false;
}

/* The status text of an application error ({"status": "..."}), or NULL. */
static const char *status_of(json_t *result)
{
    json_t *st = json_is_object(result) ? json_object_get(result, "status") : NULL;
    return json_is_string(st) ? json_string_value(st) : NULL;
}

/* One JSON-RPC call; *result_out is a new reference. `params` is stolen. */
static int rpc(struct collect_ls *ls, const char *method, json_t *params, json_t **result_out,
               struct sv_error *err)
{
    *result_out = NULL;
    if (!params)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    long id = ++ls->rpc_id;
    json_t *req = json_pack("{s:s, s:o, s:I}", "method", method, "params", params, "id",
                            (json_int_t)id);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    struct collect_http_reply r;
    collect_http_reply_init(&r);
    int rc = collect_http_post_json(ls->http, ls->url, body, &r, err);
    /* the body may hold the password or the session key */
    memset(body, 0, strlen(body));
    free(body);
    if (rc) {
        if (rc == SV_EEXTERNAL && r.status >= 400 && err && strstr(r.content_type, "html")) {
            size_t n = strlen(err->text);
            snprintf(err->text + n, sizeof err->text - n, " (an HTML page: %s)", NOT_ENABLED);
        }
        collect_http_reply_release(&r);
        return rc;
    }
    json_t *root = NULL;
    rc = collect_json_parse(&root, &r.body, ls->pub, NOT_ENABLED, err);
    collect_http_reply_release(&r);
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        json_decref(root);
        return sv_error_set(err, SV_EEXTERNAL, ls->pub, 0, 0, "%s (reply is not a JSON-RPC object)",
                            NOT_ENABLED);
    }
    json_t *e = json_object_get(root, "error");
    if (e && !json_is_null(e)) {
        const char *msg = json_is_string(e) ? json_string_value(e) : "error";
        rc = sv_error_set(err, SV_EEXTERNAL, ls->pub, 0, 0, "%s: server error: %.300s", method,
                          msg);
        json_decref(root);
        return rc;
    }
    json_t *res = json_object_get(root, "result");
    if (!res) {
        json_decref(root);
        return sv_error_set(err, SV_EEXTERNAL, ls->pub, 0, 0, "%s (no 'result' in reply)",
                            NOT_ENABLED);
    }
    *result_out = json_incref(res);
    json_decref(root);
    return 0;
}

static int login(struct collect_ls *ls, struct sv_error *err)
{
    const struct collect_creds *c = ls->creds;
    json_t *res = NULL;
    int rc = rpc(ls, "get_session_key", json_pack("[ss]", c->user, c->password), &res, err);
    if (rc)
        return rc;
    if (json_is_string(res) && json_string_length(res) > 0) {
        collect_secret_free(ls->key);
        ls->key = sv_strdup(json_string_value(res));
        json_decref(res);
        return ls->key ? 0 : sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    const char *st = status_of(res);
    rc = sv_error_set(err, SV_EEXTERNAL, ls->pub, 0, 0, "login refused for user '%s': %s",
                      c->user, st ? st : "unexpected reply to get_session_key");
    json_decref(res);
    return rc;
}

/* A call with the session key first; renews the key once if the server forgot it. */
static int call(struct collect_ls *ls, const char *method, json_t *args, json_t **result_out,
                struct sv_error *err)
{
    *result_out = NULL;
    for (int attempt = 0;; attempt++) {
        json_t *params = json_array();
        if (!params || json_array_append_new(params, json_string(ls->key)) != 0 ||
            json_array_extend(params, args) != 0) {
            json_decref(params);
            json_decref(args);
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        json_t *res = NULL;
        int rc = rpc(ls, method, params, &res, err);
        if (rc) {
            json_decref(args);
            return rc;
        }
        const char *st = status_of(res);
        if (st && ci_contains(st, "invalid session key")) {
            json_decref(res);
            if (attempt > 0) {
                json_decref(args);
                return sv_error_set(err, SV_EEXTERNAL, ls->pub, 0, 0,
                                    "%s: session key refused again after renewal", method);
            }
            if ((rc = login(ls, err)) != 0) {
                json_decref(args);
                return rc;
            }
            continue;
        }
        json_decref(args);
        *result_out = res;
        return 0;
    }
}

static long as_long(json_t *v)
{
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_string(v)) {
        char *end = NULL;
        long n = strtol(json_string_value(v), &end, 10);
        if (end && end != json_string_value(v) && *end == '\0')
            return n;
    }
    return -1;
}

/* The ids tracked as incomplete: sorted, distinct. */
struct idset {
    long *v;
    size_t n, cap;
};

static size_t idset_find(const struct idset *s, long id, bool *found)
{
    size_t lo = 0, hi = s->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->v[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < s->n && s->v[lo] == id;
    return lo;
}

static int idset_add(struct idset *s, long id)
{
    bool found;
    size_t at = idset_find(s, id, &found);
    if (found)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        long *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return SV_ENOMEM;
        s->v = v;
        s->cap = cap;
    }
    if (s->n > at)
        memmove(s->v + at + 1, s->v + at, (s->n - at) * sizeof *s->v);
    s->v[at] = id;
    s->n++;
    return 0;
}

static void idset_del(struct idset *s, long id)
{
    bool found;
    size_t at = idset_find(s, id, &found);
    if (found) {
        memmove(s->v + at, s->v + at + 1, (s->n - at - 1) * sizeof *s->v);
        s->n--;
    }
}

static int idset_copy(struct idset *dst, const struct idset *src)
{
    if (dst->cap < src->n) {
        long *v = realloc(dst->v, (src->n ? src->n : 1) * sizeof *v);
        if (!v)
            return SV_ENOMEM;
        dst->v = v;
        dst->cap = src->n;
    }
    if (src->n)
        memcpy(dst->v, src->v, src->n * sizeof *src->v);
    dst->n = src->n;
    return 0;
}

struct pagestate {
    long seen_new;   /* distinct responses seen at or above the run's first next_id */
    long max_id;     /* highest id seen */
    long next_id;    /* where new windows start (from the sync state) */
    struct idset incomplete;
    bool in_window_incomplete; /* set by store_export for the window's rows */
};

/*
 * Store the responses of one decoded export document. Both shapes are
 * understood: flat objects with an "id", and one-key objects keyed by the id
 * (older servers). The all-empty record of an empty window is dropped.
 * `lo`..`hi`: the window asked for; an id tracked as incomplete in it that
 * did not come back is gone (deleted) and no longer tracked.
 */
static int store_export(struct collect_sink *sink, json_t *doc, const char *source,
                        struct pagestate *ps, long lo, long hi, long *nrows,
                        struct sv_error *err)
{
    *nrows = 0;
    json_t *arr = json_is_object(doc) ? json_object_get(doc, "responses") : NULL;
    if (!json_is_array(arr))
        return sv_error_set(err, SV_EDATA, source, 0, 0,
                            "not a LimeSurvey export: no 'responses' array");
    struct idset back = {0};
    size_t i;
    json_t *el;
    int rc = 0;
    json_array_foreach(arr, i, el) {
        if (!json_is_object(el)) {
            rc = sv_error_set(err, SV_EDATA, source, 0, 0, "responses[%zu] is not an object", i);
            break;
        }
        char idbuf[64];
        const char *id = NULL;
        json_t *rec = el;
        if (json_object_size(el) == 1) {
            const char *k = json_object_iter_key(json_object_iter(el));
            json_t *inner = json_object_get(el, k);
            if (json_is_object(inner)) {
                rec = inner;
                id = k;
            }
        }
        if (!id && collect_json_scalar(idbuf, sizeof idbuf, json_object_get(rec, "id"), &id) != 0)
            id = NULL;
        if (!id || !*id)
            continue; /* the empty record LimeSurvey writes for a window without rows */
        char idcopy[64];
        snprintf(idcopy, sizeof idcopy, "%s", id);
        char sub[64] = "";
        json_t *sd = json_object_get(rec, "submitdate");
        bool complete = json_is_string(sd) && json_string_length(sd) > 0;
        if (complete) {
            /* "2025-03-01 09:11:30" -> ISO 8601 */
            snprintf(sub, sizeof sub, "%s", json_string_value(sd));
            if (strlen(sub) > 10 && sub[10] == ' ')
                sub[10] = 'T';
        }
        static const char *const skip[] = {NULL};
        sink->rec_partial = !complete;
        rc = collect_json_record(sink, rec, idcopy, complete ? sub : NULL, skip, err);
        if (rc) {
            sv_error_set_path(err, "response %s", idcopy);
            break;
        }
        (*nrows)++;
        char *end = NULL;
        long nid = strtol(idcopy, &end, 10);
        if (ps && end && *end == '\0') {
            if (idset_add(&back, nid) != 0) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            if (nid >= ps->next_id)
                ps->seen_new++;
            if (nid > ps->max_id)
                ps->max_id = nid;
            if (complete)
                idset_del(&ps->incomplete, nid);
            else if (idset_add(&ps->incomplete, nid) != 0) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
        }
    }
    if (rc == 0 && ps) {
        /* tracked ids of this window that did not come back were deleted */
        for (size_t k = 0; k < ps->incomplete.n;) {
            long t = ps->incomplete.v[k];
            bool found;
            idset_find(&back, t, &found);
            if (t >= lo && (hi < 0 || t <= hi) && !found)
                idset_del(&ps->incomplete, t);
            else
                k++;
        }
    }
    free(back.v);
    return rc;
}

/* Decode the base64 result of export_responses and parse it. */
static int decode_export(json_t **doc_out, const char *b64, size_t len, const char *source,
                         struct sv_error *err)
{
    struct sv_buf dec = SV_BUF_INIT;
    int rc = collect_base64_decode(&dec, b64, len);
    if (rc) {
        sv_buf_release(&dec);
        return sv_error_set(err, rc == SV_ENOMEM ? SV_ENOMEM : SV_EEXTERNAL, source, 0, 0,
                            "export_responses: result is not base64");
    }
    rc = collect_json_parse(doc_out, &dec, source, NULL, err);
    sv_buf_release(&dec);
    if (rc && err)
        err->code = rc = SV_EEXTERNAL;
    return rc;
}

static int fetch_file(struct collect_sink *sink, struct collect_http *http,
                      const struct collect_fetch_opts *o, const char *pub, struct sv_error *err)
{
    struct collect_http_reply r;
    collect_http_reply_init(&r);
    int rc = collect_http_get(http, o->url, &r, err);
    json_t *doc = NULL;
    if (rc == 0)
        rc = collect_json_parse(&doc, &r.body, pub, NULL, err);
    collect_http_reply_release(&r);
    if (rc)
        return rc;
    json_t *res = json_is_object(doc) ? json_object_get(doc, "result") : NULL;
    if (json_is_string(res)) {
        json_t *inner = NULL;
        rc = decode_export(&inner, json_string_value(res), json_string_length(res), pub, err);
        json_decref(doc);
        if (rc)
            return rc;
        doc = inner;
    }
    if ((rc = collect_sink_begin_page(sink, err)) == 0) {
        long nrows = 0;
        rc = store_export(sink, doc, pub, NULL, 0, -1, &nrows, err);
        rc = collect_sink_finish_page(sink, rc, err);
    }
    json_decref(doc);
    return rc;
}

static long state_long(struct collect_sink *sink, const char *key, long dflt)
{
    char *v = NULL;
    long n = dflt;
    if (collect_sink_state_get(sink, key, &v, NULL) == 0 && v) {
        char *end = NULL;
        long x = strtol(v, &end, 10);
        if (end && *end == '\0' && x >= 0)
            n = x;
    }
    free(v);
    return n;
}

static int state_set_long(struct collect_sink *sink, const char *key, long v, struct sv_error *err)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    return collect_sink_state_set(sink, key, buf, err);
}

/* Release the session key (best effort: a failed release must not hide the real outcome). */
static void release(struct collect_ls *ls)
{
    if (!ls->key)
        return;
    json_t *r2 = NULL;
    json_t *p = json_pack("[s]", ls->key);
    struct sv_error ignore;
    collect_http_closing(ls->http);
    if (rpc(ls, "release_session_key", p, &r2, &ignore) == 0)
        json_decref(r2);
    collect_secret_free(ls->key);
    ls->key = NULL;
}

int collect_limesurvey_fetch(struct collect_sink *sink, struct collect_http *http,
                             const struct collect_fetch_opts *o, struct sv_error *err)
{
    char *pub = collect_url_public(o->url);
    if (!pub)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (collect_url_is_file(o->url)) {
        int rc = fetch_file(sink, http, o, pub, err);
        free(pub);
        return rc;
    }
    int rc = 0;
    struct pagestate ps = {0};
    char *end = NULL;
    long sid = o->survey_id ? strtol(o->survey_id, &end, 10) : 0;
    if (!o->survey_id || !end || *end || sid <= 0) {
        free(pub);
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--survey-id must be the LimeSurvey survey number (sid)");
    }
    if (!o->creds->user || !o->creds->password) {
        free(pub);
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "%s", NO_CREDENTIALS);
    }
    struct collect_ls ls = {http, o->url, o->creds, pub, NULL, 0};
    if ((rc = login(&ls, err)) != 0)
        goto out;

    /* How many responses the survey has (complete and incomplete). */
    long total = -1;
    json_t *res = NULL;
    if ((rc = call(&ls, "get_summary", json_pack("[Is]", (json_int_t)sid, "all"), &res, err)) != 0)
        goto out;
    const char *st = status_of(res);
    if (st) {
        if (ci_contains(st, "invalid surveyid") || ci_contains(st, "no permission")) {
            rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0, "get_summary: survey %ld: %s", sid, st);
            json_decref(res);
            goto out;
        }
        /* "No available data": the counts are unknown, export tells */
    } else if (json_is_object(res)) {
        total = as_long(json_object_get(res, "full_responses"));
        if (total < 0) {
            long c = as_long(json_object_get(res, "completed_responses"));
            long inc = as_long(json_object_get(res, "incomplete_responses"));
            if (c >= 0 && inc >= 0)
                total = c + inc;
        }
    }
    json_decref(res);

    long below = 0;
    ps.next_id = 1;
    if (!o->full) {
        /* "resume_from" (earlier versions): the lowest incomplete id or the next one */
        ps.next_id = state_long(sink, "next_id", state_long(sink, "resume_from", 1));
        below = state_long(sink, "count_below", 0);
        char *list = NULL;
        if ((rc = collect_sink_state_get(sink, "incomplete", &list, err)) != 0)
            goto out;
        for (char *p = list, *stop = NULL; p && *p; p = *stop ? stop + 1 : stop) {
            long id = strtol(p, &stop, 10);
            if (stop == p)
                break;
            if (id > 0 && id < ps.next_id && idset_add(&ps.incomplete, id) != 0) {
                free(list);
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                goto out;
            }
        }
        free(list);
    }
    if (ps.next_id < 1)
        ps.next_id = 1;
    ps.max_id = ps.next_id - 1;
    long first_new = ps.next_id;
    long need = total >= 0 ? total - below : -1;

    /*
     * First the responses seen incomplete in earlier runs (one window per run
     * of consecutive ids), then the new ones from next_id up.
     */
    struct idset todo = {0};
    if ((rc = idset_copy(&todo, &ps.incomplete)) != 0) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    size_t k = 0;
    long page = o->page_size, width = page;
    long from = first_new;
    int empty_streak = 0;
    bool probe = false, done = false;
    while (!done) {
        long lo, hi; /* hi < 0: open-ended (to the last id) */
        bool recheck = k < todo.n;
        if (recheck) {
            lo = hi = todo.v[k++];
            while (k < todo.n && todo.v[k] == hi + 1 && hi - lo + 1 < page)
                hi = todo.v[k++];
        } else {
            /*
             * All the new ones counted: one open-ended window still makes
             * sure (responses deleted since make the count of those below
             * next_id too high), and costs one empty reply.
             */
            if (need >= 0 && ps.seen_new >= need)
                probe = true;
            lo = from;
            hi = probe ? -1 : from + width - 1;
        }
        json_t *args = json_pack("[IsssssII]", (json_int_t)sid, "json", "fr", "all", "code",
                                 "short", (json_int_t)lo, (json_int_t)(hi < 0 ? 0 : hi));
        /* language: the base language (null), not a fixed one; open end: null */
        if (args)
            json_array_set_new(args, 2, json_null());
        if (args && hi < 0)
            json_array_set_new(args, 7, json_null());
        if ((rc = call(&ls, "export_responses", args, &res, err)) != 0)
            goto out_todo;
        st = status_of(res);
        if (st) {
            if (ci_contains(st, "no data")) {
                /* 'No Data, could not get max id.': the survey has no response at all */
                json_decref(res);
                if (recheck)
                    continue;
                break;
            }
            rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0, "export_responses: %s", st);
            json_decref(res);
            goto out_todo;
        }
        if (!json_is_string(res)) {
            json_decref(res);
            rc = sv_error_set(err, SV_EEXTERNAL, pub, 0, 0,
                              "export_responses: unexpected reply (not a base64 string)");
            goto out_todo;
        }
        json_t *doc = NULL;
        rc = decode_export(&doc, json_string_value(res), json_string_length(res), pub, err);
        json_decref(res);
        if (rc)
            goto out_todo;
        if ((rc = collect_sink_begin_page(sink, err)) != 0) {
            json_decref(doc);
            goto out_todo;
        }
        long nrows = 0;
        struct pagestate before = ps;
        memset(&before.incomplete, 0, sizeof before.incomplete);
        if (idset_copy(&before.incomplete, &ps.incomplete) != 0)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        if (rc == 0)
            rc = store_export(sink, doc, pub, &ps, lo, hi, &nrows, err);
        json_decref(doc);
        if (rc == 0) {
            /* where the next run starts, committed with the window */
            struct sv_buf list = SV_BUF_INIT;
            for (size_t j = 0; j < ps.incomplete.n && rc == 0; j++)
                rc = sv_buf_addf(&list, j ? ",%ld" : "%ld", ps.incomplete.v[j]);
            if (rc)
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            long next_id = ps.max_id + 1 > ps.next_id ? ps.max_id + 1 : ps.next_id;
            if (rc == 0)
                rc = state_set_long(sink, "next_id", next_id, err);
            if (rc == 0)
                rc = state_set_long(sink, "count_below", below + ps.seen_new, err);
            if (rc == 0)
                rc = collect_sink_state_set(sink, "incomplete", list.len ? list.data : "", err);
            sv_buf_release(&list);
        }
        rc = collect_sink_finish_page(sink, rc, err);
        if (rc) {
            /* the page was rolled back: so is what it taught */
            free(ps.incomplete.v);
            ps = before;
        } else {
            free(before.incomplete.v);
        }
        if (rc)
            goto out_todo;
        if (recheck)
            continue;
        if (probe)
            break;
        from = hi + 1;
        if (nrows > 0) {
            empty_streak = 0;
            width = page;
        } else if (++empty_streak >= 3) {
            probe = true; /* one open-ended window: the rest, or nothing */
        } else if (width < page * 1024) {
            width *= 2; /* ids have gaps: cross them in fewer calls */
        }
    }
out_todo:
    free(todo.v);
out:
    free(ps.incomplete.v);
    release(&ls);
    free(pub);
    return rc;
}

/* ---------------------------------------------------------------- sessions for other commands */

int collect_ls_open(struct collect_ls **out, struct collect_http *http, const char *url,
                    const struct collect_creds *creds, struct sv_error *err)
{
    *out = NULL;
    if (!creds->user || !creds->password)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "%s", NO_CREDENTIALS);
    struct collect_ls *ls = calloc(1, sizeof *ls);
    if (!ls)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    ls->http = http;
    ls->url = url;
    ls->creds = creds;
    if (!(ls->pub = collect_url_public(url))) {
        free(ls);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = login(ls, err);
    if (rc) {
        collect_ls_close(ls);
        return rc;
    }
    *out = ls;
    return 0;
}

int collect_ls_call(struct collect_ls *ls, const char *method, json_t *args, json_t **result_out,
                    struct sv_error *err)
{
    return call(ls, method, args, result_out, err);
}

const char *collect_ls_status(json_t *result)
{
    return status_of(result);
}

bool collect_ls_status_has(const char *status, const char *needle)
{
    return status && ci_contains(status, needle);
}

const char *collect_ls_source(const struct collect_ls *ls)
{
    return ls->pub;
}

void collect_ls_close(struct collect_ls *ls)
{
    if (!ls)
        return;
    release(ls);
    free(ls->pub);
    free(ls);
}
