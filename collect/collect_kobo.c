/*
 * collect_kobo: KoboToolbox API v2, GET /api/v2/assets/{uid}/data/.
 *
 * Token authentication ("Authorization: Token ..."), pages of `limit`
 * submissions from `start`, following `next` until null (the server caps
 * the page size). Incremental pulls ask for `_submission_time` >= the mark
 * ("last_submission_time" in the sync state); submissions already stored come
 * back unchanged and are counted as such, never duplicated.
 *
 * The mark moves only with the last page of a run, in its transaction: the
 * server may return submissions in any order (newest first, by _id), so a
 * run cut short resumes from the previous mark and reads its pages again
 * rather than skip what it had not reached.
 */
#include "collect_json.h"

#include <stdlib.h>
#include <string.h>

static int build_url(char **out, const struct collect_fetch_opts *o, const char *since,
                     struct sv_error *err)
{
    struct sv_buf b = SV_BUF_INIT;
    int rc = 0;
    if (strstr(o->url, "/api/v2/assets/")) {
        rc = sv_buf_adds(&b, o->url);
    } else if (o->survey_id && *o->survey_id) {
        size_t n = strlen(o->url);
        while (n && o->url[n - 1] == '/')
            n--;
        rc = sv_buf_add(&b, o->url, n);
        if (rc == 0)
            rc = sv_buf_addf(&b, "/api/v2/assets/%s/data/", o->survey_id);
    } else {
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--survey-id (the form's asset uid) is needed unless --url is the "
                            "full '/api/v2/assets/<uid>/data/' address");
    }
    char sep = strchr(b.data, '?') ? '&' : '?';
    if (rc == 0 && !strstr(b.data, "format="))
        rc = sv_buf_addf(&b, "%cformat=json", sep), sep = '&';
    if (rc == 0 && !strstr(b.data, "limit="))
        rc = sv_buf_addf(&b, "%climit=%ld", sep, o->page_size), sep = '&';
    if (rc == 0 && !strstr(b.data, "start="))
        rc = sv_buf_addf(&b, "%cstart=0", sep), sep = '&';
    if (rc == 0 && since) {
        struct sv_buf q = SV_BUF_INIT;
        rc = sv_buf_addf(&q, "{\"_submission_time\":{\"$gte\":\"%s\"}}", since);
        char *esc = rc == 0 ? collect_url_escape(q.data) : NULL;
        sv_buf_release(&q);
        rc = esc ? sv_buf_addf(&b, "%cquery=%s", sep, esc) : SV_ENOMEM;
        free(esc);
    }
    if (rc) {
        sv_buf_release(&b);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = sv_buf_detach(&b, NULL);
    return 0;
}

int collect_kobo_fetch(struct collect_sink *sink, struct collect_http *http,
                       const struct collect_fetch_opts *o, struct sv_error *err)
{
    bool file = collect_url_is_file(o->url);
    int rc = 0;
    if (!file) {
        const struct collect_creds *c = o->creds;
        struct sv_buf auth = SV_BUF_INIT;
        if (c->token) {
            rc = sv_buf_addf(&auth, "Token %s", c->token);
        } else if (c->user && c->password) {
            struct sv_buf up = SV_BUF_INIT;
            rc = sv_buf_addf(&up, "%s:%s", c->user, c->password);
            if (rc == 0)
                rc = sv_buf_adds(&auth, "Basic ");
            if (rc == 0)
                rc = collect_base64_encode(&auth, up.data, up.len);
            if (up.len)
                memset(up.data, 0, up.len);
            sv_buf_release(&up);
        } else {
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                                "no KoboToolbox credentials: set VIGIE_KOBO_TOKEN, or use "
                                "--credentials FILE (kobo_token = ...) or ~/.netrc");
        }
        if (rc == 0)
            rc = collect_http_set_auth(http, o->url, auth.data, err);
        if (auth.len)
            memset(auth.data, 0, auth.len);
        sv_buf_release(&auth);
        if (rc)
            return rc == SV_ENOMEM ? sv_error_set(err, rc, NULL, 0, 0, "out of memory") : rc;
    }

    char *since = NULL;
    if (!o->full && !file && (rc = collect_sink_state_get(sink, "last_submission_time", &since, err)))
        return rc;
    char *url = NULL;
    if (file) {
        url = sv_strdup(o->url);
        if (!url)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    } else {
        rc = build_url(&url, o, since, err);
    }
    char *latest = since ? sv_strdup(since) : NULL;
    free(since);
    struct collect_links links;
    memset(&links, 0, sizeof links);
    if (rc == 0)
        rc = collect_links_init(&links, o->url, err);
    if (rc == 0) /* the first page counts as followed: a link back to it loops */
        rc = collect_links_check(&links, url, err);
    while (rc == 0 && url) {
        char *pub = collect_url_public(url);
        struct collect_http_reply r;
        collect_http_reply_init(&r);
        json_t *doc = NULL;
        rc = collect_http_get(http, url, &r, err);
        if (rc == 0)
            rc = collect_json_parse(&doc, &r.body, pub, file ? NULL : "not a KoboToolbox API reply",
                                    err);
        collect_http_reply_release(&r);
        json_t *results = json_is_object(doc) ? json_object_get(doc, "results") : NULL;
        if (rc == 0 && !json_is_array(results))
            rc = sv_error_set(err, file ? SV_EDATA : SV_EEXTERNAL, pub, 0, 0,
                              "not a KoboToolbox data page: no 'results' array");
        /* the next page, checked before this one is stored: the mark moves with the last */
        free(url);
        url = NULL;
        json_t *next = json_is_object(doc) ? json_object_get(doc, "next") : NULL;
        if (rc == 0 && json_is_string(next) && json_string_length(next) > 0 &&
            (!file || collect_url_is_file(json_string_value(next)))) {
            /* a saved page's link to the live server is not followed */
            rc = collect_links_check(&links, json_string_value(next), err);
            if (rc == 0 && !(url = sv_strdup(json_string_value(next))))
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (rc == 0)
            rc = collect_sink_begin_page(sink, err);
        if (rc == 0) {
            size_t i;
            json_t *sub;
            json_array_foreach(results, i, sub) {
                if (!json_is_object(sub)) {
                    rc = sv_error_set(err, SV_EDATA, pub, 0, 0, "results[%zu] is not an object", i);
                    break;
                }
                char idbuf[64];
                const char *id = NULL;
                collect_json_scalar(idbuf, sizeof idbuf, json_object_get(sub, "_id"), &id);
                if (!id || !*id) {
                    rc = sv_error_set(err, SV_EDATA, pub, 0, 0, "results[%zu] has no '_id'", i);
                    break;
                }
                json_t *t = json_object_get(sub, "_submission_time");
                const char *when = json_is_string(t) ? json_string_value(t) : NULL;
                if (collect_keep_latest(&latest, when)) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                /* validation status: approved, not_approved (rejected), on_hold */
                json_t *vs = json_object_get(json_object_get(sub, "_validation_status"), "uid");
                const char *uid = json_is_string(vs) ? json_string_value(vs) : NULL;
                if (uid && strncmp(uid, "validation_status_", 18) == 0)
                    uid += 18;
                sink->rec_review = !uid || !*uid                     ? NULL
                                   : strcmp(uid, "not_approved") == 0 ? "rejected"
                                   : strcmp(uid, "approved") == 0     ? "approved"
                                   : strcmp(uid, "on_hold") == 0      ? "on_hold"
                                                                      : "other";
                rc = collect_json_record(sink, sub, id, when, NULL, err);
                if (rc) {
                    sv_error_set_path(err, "submission %s", id);
                    break;
                }
            }
            if (rc == 0 && !url && latest && !file)
                rc = collect_sink_state_set(sink, "last_submission_time", latest, err);
            rc = collect_sink_finish_page(sink, rc, err);
        }
        json_decref(doc);
        free(pub);
    }
    collect_links_release(&links);
    free(url);
    free(latest);
    return rc;
}
