/*
 * collect_odk: ODK Central OData, GET .../forms/{xmlFormId}.svc/Submissions.
 *
 * A session token from POST /v1/sessions (or one given in VIGIE_ODK_TOKEN),
 * sent as "Authorization: Bearer"; pages of $top rows, following
 * @odata.nextLink exactly as given (its $skiptoken is opaque). Incremental
 * pulls filter on __system/submissionDate and __system/updatedAt, so edited
 * submissions come back and replace the stored version. Groups (nested
 * objects) are flattened to "group/question"; __id is the response id.
 *
 * ODK returns the newest submissions first: the mark ("last_change") moves
 * only with the last page of a run, in its transaction, so a run cut short
 * resumes from the previous mark and never passes a submission not stored.
 */
#include "collect_json.h"

#include <stdlib.h>
#include <string.h>

static int svc_url(char **out, const struct collect_fetch_opts *o, struct sv_error *err)
{
    struct sv_buf b = SV_BUF_INIT;
    int rc;
    const char *svc = strstr(o->url, ".svc");
    if (svc) {
        rc = sv_buf_add(&b, o->url, (size_t)(svc - o->url) + 4);
    } else if (o->survey_id && strchr(o->survey_id, '/')) {
        size_t n = strlen(o->url);
        while (n && o->url[n - 1] == '/')
            n--;
        const char *slash = strchr(o->survey_id, '/');
        rc = sv_buf_add(&b, o->url, n);
        if (rc == 0)
            rc = sv_buf_addf(&b, "/v1/projects/%.*s/forms/%s.svc", (int)(slash - o->survey_id),
                             o->survey_id, slash + 1);
    } else {
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--survey-id must be '<project id>/<xmlFormId>' unless --url is the "
                            "form's OData address ('.../forms/<xmlFormId>.svc')");
    }
    if (rc) {
        sv_buf_release(&b);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    *out = sv_buf_detach(&b, NULL);
    return 0;
}

/* The server root ("https://host") from a URL containing "/v1/". Caller owns. */
static char *server_root(const char *url)
{
    const char *v1 = strstr(url, "/v1/");
    struct sv_buf b = SV_BUF_INIT;
    if (sv_buf_add(&b, url, v1 ? (size_t)(v1 - url) : strlen(url)) != 0)
        return NULL;
    while (b.len && b.data[b.len - 1] == '/')
        b.data[--b.len] = '\0';
    return sv_buf_detach(&b, NULL);
}

static int open_session(struct collect_http *http, const char *root, const struct collect_creds *c,
                        char **token_out, struct sv_error *err)
{
    *token_out = NULL;
    struct sv_buf url = SV_BUF_INIT;
    if (sv_buf_addf(&url, "%s/v1/sessions", root) != 0)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    json_t *req = json_pack("{s:s, s:s}", "email", c->user, "password", c->password);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body) {
        sv_buf_release(&url);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    struct collect_http_reply r;
    collect_http_reply_init(&r);
    int rc = collect_http_post_json(http, url.data, body, &r, err);
    memset(body, 0, strlen(body));
    free(body);
    if (rc) {
        if (err && strstr(err->text, "HTTP 401"))
            snprintf(err->text, sizeof err->text,
                     "login refused for '%s': wrong e-mail or password (HTTP 401)", c->user);
        collect_http_reply_release(&r);
        sv_buf_release(&url);
        return rc;
    }
    json_t *doc = NULL;
    rc = collect_json_parse(&doc, &r.body, url.data, "not an ODK Central reply", err);
    collect_http_reply_release(&r);
    if (rc == 0) {
        json_t *t = json_is_object(doc) ? json_object_get(doc, "token") : NULL;
        if (json_is_string(t)) {
            *token_out = sv_strdup(json_string_value(t));
            if (!*token_out)
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        } else {
            rc = sv_error_set(err, SV_EEXTERNAL, url.data, 0, 0, "no session token in reply");
        }
    }
    json_decref(doc);
    sv_buf_release(&url);
    return rc;
}

int collect_odk_fetch(struct collect_sink *sink, struct collect_http *http,
                      const struct collect_fetch_opts *o, struct sv_error *err)
{
    bool file = collect_url_is_file(o->url);
    int rc = 0;
    char *svc = NULL, *root = NULL, *session = NULL, *since = NULL, *url = NULL, *latest = NULL;
    if (file) {
        if (!(url = sv_strdup(o->url)))
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    } else {
        if ((rc = svc_url(&svc, o, err)) != 0)
            return rc;
        if (!(root = server_root(svc))) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        const struct collect_creds *c = o->creds;
        const char *token = c->token;
        if (!token) {
            if (!c->user || !c->password) {
                rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                                  "no ODK Central credentials: set VIGIE_ODK_EMAIL and "
                                  "VIGIE_ODK_PASSWORD (or VIGIE_ODK_TOKEN), or use "
                                  "--credentials FILE or ~/.netrc");
                goto out;
            }
            if ((rc = open_session(http, root, c, &session, err)) != 0)
                goto out;
            token = session;
        }
        struct sv_buf auth = SV_BUF_INIT;
        rc = sv_buf_addf(&auth, "Bearer %s", token) == 0
                 ? collect_http_set_auth(http, svc, auth.data, err)
                 : sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        if (auth.len)
            memset(auth.data, 0, auth.len);
        sv_buf_release(&auth);
        if (rc)
            goto out;
        if (!o->full && (rc = collect_sink_state_get(sink, "last_change", &since, err)) != 0)
            goto out;
        struct sv_buf b = SV_BUF_INIT;
        rc = sv_buf_addf(&b, "%s/Submissions?$top=%ld", svc, o->page_size);
        if (rc == 0 && since) {
            struct sv_buf f = SV_BUF_INIT;
            rc = sv_buf_addf(&f, "__system/submissionDate ge %s or __system/updatedAt ge %s",
                             since, since);
            char *esc = rc == 0 ? collect_url_escape(f.data) : NULL;
            rc = esc ? sv_buf_addf(&b, "&$filter=%s", esc) : SV_ENOMEM;
            free(esc);
            sv_buf_release(&f);
        }
        if (rc) {
            sv_buf_release(&b);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        url = sv_buf_detach(&b, NULL);
        latest = since ? sv_strdup(since) : NULL;
    }

    struct collect_links links;
    memset(&links, 0, sizeof links);
    if (rc == 0)
        rc = collect_links_init(&links, file ? o->url : svc, err);
    if (rc == 0) /* the first page counts as followed: a link back to it loops */
        rc = collect_links_check(&links, url, err);
    while (rc == 0 && url) {
        char *pub = collect_url_public(url);
        struct collect_http_reply r;
        collect_http_reply_init(&r);
        json_t *doc = NULL;
        rc = collect_http_get(http, url, &r, err);
        if (rc == 0)
            rc = collect_json_parse(&doc, &r.body, pub, file ? NULL : "not an ODK Central reply",
                                    err);
        collect_http_reply_release(&r);
        json_t *value = json_is_object(doc) ? json_object_get(doc, "value") : NULL;
        if (rc == 0 && !json_is_array(value))
            rc = sv_error_set(err, file ? SV_EDATA : SV_EEXTERNAL, pub, 0, 0,
                              "not an OData page: no 'value' array");
        /* the next page, checked before this one is stored: the mark moves with the last */
        free(url);
        url = NULL;
        json_t *next = json_is_object(doc) ? json_object_get(doc, "@odata.nextLink") : NULL;
        if (rc == 0 && json_is_string(next) && json_string_length(next) > 0 &&
            (!file || collect_url_is_file(json_string_value(next)))) {
            rc = collect_links_check(&links, json_string_value(next), err);
            if (rc == 0 && !(url = sv_strdup(json_string_value(next))))
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (rc == 0)
            rc = collect_sink_begin_page(sink, err);
        if (rc == 0) {
            size_t i;
            json_t *row;
            static const char *const skip[] = {"__id", "__system", NULL};
            json_array_foreach(value, i, row) {
                json_t *jid = json_is_object(row) ? json_object_get(row, "__id") : NULL;
                if (!json_is_string(jid)) {
                    rc = sv_error_set(err, SV_EDATA, pub, 0, 0, "value[%zu] has no '__id'", i);
                    break;
                }
                json_t *sys = json_object_get(row, "__system");
                json_t *sd = json_object_get(sys, "submissionDate");
                json_t *ud = json_object_get(sys, "updatedAt");
                json_t *rs = json_object_get(sys, "reviewState");
                const char *when = json_is_string(sd) ? json_string_value(sd) : NULL;
                const char *upd = json_is_string(ud) ? json_string_value(ud) : NULL;
                const char *change = upd && (!when || strcmp(upd, when) > 0) ? upd : when;
                if (collect_keep_latest(&latest, change)) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                    break;
                }
                /* reviewState: null, approved, hasIssues, edited, rejected */
                const char *review = json_is_string(rs) ? json_string_value(rs) : NULL;
                sink->rec_review = !review                                ? NULL
                                   : strcmp(review, "approved") == 0      ? "approved"
                                   : strcmp(review, "hasIssues") == 0     ? "hasissues"
                                   : strcmp(review, "edited") == 0        ? "edited"
                                   : strcmp(review, "rejected") == 0      ? "rejected"
                                                                          : "other";
                char *id = sv_strdup(json_string_value(jid));
                rc = id ? collect_json_record(sink, row, id, when, skip, err)
                        : sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                if (rc)
                    sv_error_set_path(err, "submission %s", id ? id : "?");
                free(id);
                if (rc)
                    break;
            }
            if (rc == 0 && !url && latest && !file)
                rc = collect_sink_state_set(sink, "last_change", latest, err);
            rc = collect_sink_finish_page(sink, rc, err);
        }
        json_decref(doc);
        free(pub);
    }
    collect_links_release(&links);

out:
    if (session && root) {
        /* close the session we opened (best effort) */
        struct sv_buf del = SV_BUF_INIT;
        struct sv_error ignore;
        collect_http_closing(http);
        if (sv_buf_addf(&del, "%s/v1/sessions/current", root) == 0)
            collect_http_delete(http, del.data, &ignore);
        sv_buf_release(&del);
    }
    collect_secret_free(session);
    free(svc);
    free(root);
    free(since);
    free(url);
    free(latest);
    return rc;
}
