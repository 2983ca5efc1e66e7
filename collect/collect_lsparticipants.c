/*
 * collect_lsparticipants: a LimeSurvey survey's participant table over
 * RemoteControl 2: list_participants (paged), activate_tokens,
 * add_participants, invite_participants and remind_participants.
 *
 * Application errors come back as {"status": "..."} and differ per method
 * (see ../shared/notes/platform-apis.md 1.3): each is recognised here, and
 * anything else the server says is an external failure quoting its text.
 */
#include "collect_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int oom(struct sv_error *err)
{
    return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
}

void collect_ls_participants_release(struct collect_ls_participants *p)
{
    for (size_t i = 0; i < p->n; i++) {
        struct collect_ls_participant *x = &p->v[i];
        free(x->token);
        free(x->email);
        free(x->member_id);
        free(x->sent);
        free(x->completed);
        free(x->error);
    }
    free(p->v);
    memset(p, 0, sizeof *p);
}

static struct collect_ls_participant *push(struct collect_ls_participants *p)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        struct collect_ls_participant *v = realloc(p->v, cap * sizeof *v);
        if (!v)
            return NULL;
        p->v = v;
        p->cap = cap;
    }
    struct collect_ls_participant *x = &p->v[p->n++];
    memset(x, 0, sizeof *x);
    x->tid = -1;
    x->reminders = -1;
    return x;
}

/* A scalar member as a new string; NULL when absent or null. *ok false on OOM. */
static char *dup_scalar(json_t *v, bool *ok)
{
    char buf[64];
    const char *s = NULL;
    if (!v || collect_json_scalar(buf, sizeof buf, v, &s) != 0 || !s)
        return NULL;
    char *d = sv_strdup(s);
    if (!d)
        *ok = false;
    return d;
}

static long as_long(json_t *v)
{
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_string(v)) {
        char *end = NULL;
        long n = strtol(json_string_value(v), &end, 10);
        if (end != json_string_value(v) && *end == '\0')
            return n;
    }
    return -1;
}

/* Fill `x` from one participant object (list or add reply). */
static int read_participant(struct collect_ls_participant *x, json_t *o, const char *id_attr)
{
    bool ok = true;
    x->tid = as_long(json_object_get(o, "tid"));
    x->token = dup_scalar(json_object_get(o, "token"), &ok);
    json_t *info = json_object_get(o, "participant_info");
    x->email = dup_scalar(json_object_get(json_is_object(info) ? info : o, "email"), &ok);
    if (id_attr)
        x->member_id = dup_scalar(json_object_get(o, id_attr), &ok);
    x->sent = dup_scalar(json_object_get(o, "sent"), &ok);
    x->completed = dup_scalar(json_object_get(o, "completed"), &ok);
    json_t *rc = json_object_get(o, "remindercount");
    if (rc)
        x->reminders = as_long(rc);
    return ok ? 0 : SV_ENOMEM;
}

int collect_ls_participants_list(struct collect_ls *ls, long sid, const char *id_attr, long page,
                                 bool mail_state, struct collect_ls_participants *out,
                                 struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    const char *src = collect_ls_source(ls);
    for (long start = 0;; start += page) {
        json_t *attrs = json_pack("[s]", "completed");
        if (attrs && mail_state) {
            json_array_append_new(attrs, json_string("sent"));
            json_array_append_new(attrs, json_string("remindercount"));
        }
        if (attrs && id_attr)
            json_array_append_new(attrs, json_string(id_attr));
        json_t *args = attrs ? json_pack("[IIIbo]", (json_int_t)sid, (json_int_t)start,
                                         (json_int_t)page, 0, attrs)
                             : NULL;
        json_t *res = NULL;
        int rc = collect_ls_call(ls, "list_participants", args, &res, err);
        if (rc)
            return rc;
        const char *st = collect_ls_status(res);
        if (st) {
            if (collect_ls_status_has(st, "no survey participants found")) {
                json_decref(res);
                return 0;
            }
            if (collect_ls_status_has(st, "no survey participants table") ||
                collect_ls_status_has(st, "no token table")) {
                out->no_table = true;
                json_decref(res);
                return 0;
            }
            rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0, "list_participants: survey %ld: %s",
                              sid, st);
            json_decref(res);
            return rc;
        }
        if (!json_is_array(res)) {
            json_decref(res);
            return sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                                "list_participants: unexpected reply (not a list)");
        }
        size_t i;
        json_t *el;
        json_array_foreach(res, i, el)
        {
            struct collect_ls_participant *x = push(out);
            if (!x || (json_is_object(el) && read_participant(x, el, id_attr) != 0)) {
                json_decref(res);
                return oom(err);
            }
            if (x->tid < 0) {
                json_decref(res);
                return sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                                    "list_participants: participant %ld of the reply has no tid",
                                    start + (long)i + 1);
            }
        }
        size_t got = json_array_size(res);
        json_decref(res);
        if ((long)got < page)
            return 0;
    }
}

int collect_ls_activate_tokens(struct collect_ls *ls, long sid, long attr_number,
                               struct sv_error *err)
{
    json_t *fields = json_array();
    if (fields && attr_number > 0)
        json_array_append_new(fields, json_integer(attr_number));
    json_t *args = fields ? json_pack("[Io]", (json_int_t)sid, fields) : NULL;
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "activate_tokens", args, &res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(res);
    if (!st || strcmp(st, "OK") != 0)
        rc = sv_error_set(err, SV_EEXTERNAL, collect_ls_source(ls), 0, 0,
                          "activate_tokens: survey %ld: %s", sid,
                          st ? st : "unexpected reply (no status)");
    json_decref(res);
    return rc;
}

int collect_ls_participants_add(struct collect_ls *ls, long sid, const char *id_attr,
                                const struct collect_member *const *members, size_t n,
                                struct collect_ls_participants *out, struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    const char *src = collect_ls_source(ls);
    json_t *data = json_array();
    for (size_t i = 0; data && i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s}", "email", members[i]->email, "firstname", "",
                              "lastname", members[i]->name);
        if (o && id_attr && json_object_set_new(o, id_attr, json_string(members[i]->id)) != 0) {
            json_decref(o);
            o = NULL;
        }
        if (!o || json_array_append_new(data, o) != 0) {
            json_decref(data);
            data = NULL;
        }
    }
    /* bCreateToken: the server makes each participant's access code */
    json_t *args = data ? json_pack("[Iob]", (json_int_t)sid, data, 1) : NULL;
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "add_participants", args, &res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(res);
    if (st || !json_is_array(res) || json_array_size(res) != n) {
        if (st)
            rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0, "add_participants: survey %ld: %s", sid,
                              st);
        else
            rc = sv_error_set(
                err, SV_EEXTERNAL, src, 0, 0, "add_participants: unexpected reply (%s)",
                json_is_array(res) ? "not one row per participant sent" : "not a list");
        json_decref(res);
        return rc;
    }
    size_t i;
    json_t *el;
    json_array_foreach(res, i, el)
    {
        struct collect_ls_participant *x = push(out);
        if (!x || (json_is_object(el) && read_participant(x, el, id_attr) != 0)) {
            json_decref(res);
            return oom(err);
        }
        json_t *errors = json_is_object(el) ? json_object_get(el, "errors") : NULL;
        if ((errors && !json_is_null(errors)) || x->tid < 0 || !json_is_object(el)) {
            char *text = errors ? json_dumps(errors, JSON_COMPACT) : NULL;
            x->error = sv_strdup(text ? text : "no participant id (tid) in the reply");
            free(text);
            if (!x->error) {
                json_decref(res);
                return oom(err);
            }
        }
    }
    json_decref(res);
    return 0;
}

void collect_ls_mail_release(struct collect_ls_mail *m)
{
    free(m->tids);
    free(m->ok);
    memset(m, 0, sizeof *m);
}

static int mail_one(struct collect_ls_mail *m, long tid, json_t *o)
{
    if (m->ntids % 64 == 0) {
        long *t = realloc(m->tids, (m->ntids + 64) * sizeof *t);
        if (!t)
            return SV_ENOMEM;
        m->tids = t;
        bool *k = realloc(m->ok, (m->ntids + 64) * sizeof *k);
        if (!k)
            return SV_ENOMEM;
        m->ok = k;
    }
    json_t *st = json_object_get(o, "status");
    const char *s = json_is_string(st) ? json_string_value(st) : NULL;
    bool ok = s && collect_ls_status_has(s, "ok") && strlen(s) == 2;
    m->tids[m->ntids] = tid;
    m->ok[m->ntids++] = ok;
    if (ok) {
        m->sent++;
        return 0;
    }
    m->failed++;
    if (m->failed == 1) {
        json_t *e = json_object_get(o, "error");
        const char *why = json_is_string(e) && json_string_length(e) ? json_string_value(e) : s;
        snprintf(m->failure, sizeof m->failure, "%s", why ? why : "not sent");
        m->failure_tid = tid;
    }
    return 0;
}

int collect_ls_mail_batch(struct collect_ls *ls, bool remind, long sid, bool resend, long min_days,
                          long max_reminders, const long *tids, size_t ntids,
                          struct collect_ls_mail *out, struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    const char *method = remind ? "remind_participants" : "invite_participants";
    const char *src = collect_ls_source(ls);
    json_t *ids = NULL;
    if (tids) {
        ids = json_array();
        for (size_t i = 0; ids && i < ntids; i++)
            if (json_array_append_new(ids, json_integer(tids[i])) != 0) {
                json_decref(ids);
                ids = NULL;
            }
        if (!ids)
            return oom(err);
    }
    json_t *args;
    if (remind)
        args = json_pack("[IIoo]", (json_int_t)sid, (json_int_t)min_days,
                         max_reminders > 0 ? json_integer(max_reminders) : json_null(),
                         ids ? ids : json_false());
    else
        args = json_pack("[Iob]", (json_int_t)sid, ids ? ids : json_null(), resend ? 0 : 1);
    json_t *res = NULL;
    int rc = collect_ls_call(ls, method, args, &res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(res);
    if (!json_is_object(res) || !st) {
        json_decref(res);
        return sv_error_set(err, SV_EEXTERNAL, src, 0, 0, "%s: unexpected reply (no status)",
                            method);
    }
    char tail[32] = "";
    long left = -1;
    if (collect_ls_status_has(st, "no candidate tokens")) {
        out->none = true;
        out->left = 0;
    } else if (sscanf(st, "%ld left to sen%31s", &left, tail) == 2 && strcmp(tail, "d") == 0 &&
               left >= 0) {
        out->left = left;
    } else {
        bool no_table = collect_ls_status_has(st, "no survey participants table") ||
                        collect_ls_status_has(st, "no token table");
        rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0, "%s: survey %ld: %s%s", method, sid, st,
                          no_table ? " (run 'collect participants' first)" : "");
        json_decref(res);
        return rc;
    }
    const char *key;
    json_t *v;
    json_object_foreach(res, key, v)
    {
        if (strcmp(key, "status") == 0 || !json_is_object(v))
            continue;
        char *end = NULL;
        long tid = strtol(key, &end, 10);
        if (!end || *end || end == key)
            tid = as_long(json_object_get(v, "tid"));
        if (mail_one(out, tid, v) != 0) {
            json_decref(res);
            return oom(err);
        }
    }
    json_decref(res);
    return 0;
}
