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
#include <strings.h>

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
        free(x->emailstatus);
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
    x->emailstatus = dup_scalar(json_object_get(o, "emailstatus"), &ok);
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
    /* iStart is a lower bound on tid, not an offset (recorded:
       list_participants.istart_is_tid_lower_bound): the next page starts after
       the highest tid seen, so that deleted participants (gaps) neither repeat
       nor hide anyone */
    for (long start = 0;;) {
        json_t *attrs = json_pack("[s]", "completed");
        if (attrs && mail_state) {
            json_array_append_new(attrs, json_string("sent"));
            json_array_append_new(attrs, json_string("remindercount"));
            json_array_append_new(attrs, json_string("emailstatus"));
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
        long next = start;
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
                                    "list_participants: participant %zu of a page has no tid",
                                    i + 1);
            }
            if (x->tid < start) {
                json_decref(res);
                return sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                                    "list_participants: asked for tids from %ld, got %ld", start,
                                    x->tid);
            }
            if (x->tid + 1 > next)
                next = x->tid + 1;
        }
        size_t got = json_array_size(res);
        json_decref(res);
        if ((long)got < page || next == start)
            return 0;
        start = next;
    }
}

/* ---------------------------------------------------------------- attributes */

void collect_ls_attrs_release(struct collect_ls_attrs *a)
{
    free(a->descriptions);
    memset(a, 0, sizeof *a);
}

static bool is_attr_name(const char *s)
{
    const char *p = s + strlen("attribute_");
    return strncmp(s, "attribute_", strlen("attribute_")) == 0 && *p && *p != '0' &&
           strspn(p, "0123456789") == strlen(p) && strlen(p) < 6;
}

/* Keep `name` in a->names[slot]; returns the stored copy. */
static const char *keep_name(struct collect_ls_attrs *a, size_t slot, const char *name)
{
    snprintf(a->names[slot], sizeof a->names[slot], "%s", name);
    long n = strtol(name + strlen("attribute_"), NULL, 10);
    bool seen = false;
    for (size_t i = 0; i < a->nnumbers; i++)
        seen = seen || a->numbers[i] == n;
    if (!seen && a->nnumbers < 9)
        a->numbers[a->nnumbers++] = n;
    return a->names[slot];
}

/* The attribute described `want` (case ignored), or NULL. Borrowed from `desc`. */
static const char *described_as(json_t *desc, const char *want)
{
    const char *key;
    json_t *v;
    if (!want || !*want)
        return NULL;
    json_object_foreach(desc, key, v)
    {
        json_t *d = json_is_object(v) ? json_object_get(v, "description") : v;
        if (json_is_string(d) && strcasecmp(json_string_value(d), want) == 0 && is_attr_name(key))
            return key;
    }
    return NULL;
}

static const char *role_of(const struct sv_survey *s, const char *var)
{
    for (size_t i = 0; i < s->nroles; i++)
        if (strcmp(s->roles[i].variable, var) == 0)
            return s->roles[i].role;
    return NULL;
}

int collect_ls_attrs_resolve(struct collect_ls_attrs *a, struct collect_ls *ls, long sid,
                             const char *id_opt, bool id_none, const struct sv_survey *survey,
                             const struct collect_members *list, struct sv_error *err)
{
    memset(a, 0, sizeof *a);
    const char *src = collect_ls_source(ls);
    json_t *args = json_pack("[I[s]]", (json_int_t)sid, "attributedescriptions");
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "get_survey_properties", args, &res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(res);
    if (st || !json_is_object(res)) {
        rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0, "get_survey_properties: survey %ld: %s",
                          sid, st ? st : "unexpected reply (not an object)");
        json_decref(res);
        return rc;
    }
    /* a JSON string (as the .lss holds it), "" when none; an object is accepted too */
    json_t *raw = json_object_get(res, "attributedescriptions");
    json_t *desc = NULL;
    if (json_is_string(raw) && json_string_length(raw) > 0)
        desc = json_loads(json_string_value(raw), 0, NULL);
    else if (json_is_object(raw))
        desc = json_incref(raw);
    json_decref(res);
    if (!json_is_object(desc)) {
        json_decref(desc);
        desc = NULL;
    }
    a->described = desc && json_object_size(desc) > 0;

    if (!id_none) {
        const char *id = NULL;
        if (id_opt && is_attr_name(id_opt))
            id = id_opt;
        else if (id_opt && !(id = desc ? described_as(desc, id_opt) : NULL)) {
            json_decref(desc);
            return sv_error_set(err, SV_EDATA, src, 0, 0,
                                "survey %ld has no participant attribute described as '%s' "
                                "(give attribute_N, or none to match members on e-mail)",
                                sid, id_opt);
        }
        if (!id && desc && !(id = described_as(desc, "member_id")))
            id = described_as(desc, "id");
        if (!id && !a->described)
            id = "attribute_1";
        if (id)
            a->id = keep_name(a, 0, id);
    }
    for (size_t v = 0; v < list->nvars && v < 8; v++) {
        const char *var = list->vars[v];
        const char *at = NULL;
        if (desc) {
            const struct sv_variable *sv = sv_survey_variable(survey, var);
            at = described_as(desc, var);
            if (!at)
                at = described_as(desc, role_of(survey, var));
            if (!at && sv)
                at = described_as(desc, sv->label.fr);
            if (!at && sv && sv->label.en)
                at = described_as(desc, sv->label.en);
        }
        if (at && (!a->id || strcmp(at, a->id) != 0))
            a->strata[v] = keep_name(a, v + 1, at);
    }
    json_decref(desc);
    return 0;
}

int collect_ls_attrs_new_table(struct collect_ls_attrs *a, const struct collect_members *list,
                               struct sv_error *err)
{
    if (a->described)
        return 0;
    /* no descriptions: the table made here names its own (set before activate_tokens) */
    size_t next_free = a->id ? 2 : 1;
    for (size_t v = 0; v < list->nvars && v < 8; v++) {
        char made[24];
        snprintf(made, sizeof made, "attribute_%zu", next_free++);
        a->strata[v] = keep_name(a, v + 1, made);
    }
    if (a->nnumbers > 0) {
        json_t *d = json_object();
        for (size_t v = 0; d && v < 9; v++) {
            const char *name = v == 0 ? a->id : (v - 1 < list->nvars ? a->strata[v - 1] : NULL);
            if (!name)
                continue;
            json_object_set_new(d, name,
                                json_pack("{s:s, s:s, s:s, s:s}", "description",
                                          v == 0 ? "member_id" : list->vars[v - 1], "mandatory",
                                          "N", "show_register", "N", "cpdbmap", ""));
        }
        a->descriptions = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
        json_decref(d);
        if (!a->descriptions)
            return oom(err);
    }
    return 0;
}

int collect_ls_create_table(struct collect_ls *ls, long sid, const struct collect_ls_attrs *a,
                            struct sv_error *err)
{
    const char *src = collect_ls_source(ls);
    json_t *res = NULL;
    int rc;
    if (a->descriptions) {
        /* before activate_tokens: the descriptions then name the new columns
           (recorded: set_survey_properties.attributedescriptions) */
        json_t *args = json_pack("[I{s:s}]", (json_int_t)sid, "attributedescriptions",
                                 a->descriptions);
        if ((rc = collect_ls_call(ls, "set_survey_properties", args, &res, err)) != 0)
            return rc;
        json_t *ok = json_is_object(res) ? json_object_get(res, "attributedescriptions") : NULL;
        if (!json_is_true(ok)) {
            const char *st = collect_ls_status(res);
            rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                              "set_survey_properties: survey %ld: attribute descriptions not "
                              "set (%s)",
                              sid, st ? st : "refused");
            json_decref(res);
            return rc;
        }
        json_decref(res);
        res = NULL;
    }
    json_t *fields = json_array();
    for (size_t i = 0; fields && i < a->nnumbers; i++)
        json_array_append_new(fields, json_integer(a->numbers[i]));
    json_t *args = fields ? json_pack("[Io]", (json_int_t)sid, fields) : NULL;
    if ((rc = collect_ls_call(ls, "activate_tokens", args, &res, err)) != 0)
        return rc;
    const char *st = collect_ls_status(res);
    if (!st || strcmp(st, "OK") != 0)
        rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0, "activate_tokens: survey %ld: %s", sid,
                          st ? st : "unexpected reply (no status)");
    json_decref(res);
    return rc;
}

int collect_ls_participants_add(struct collect_ls *ls, long sid, const struct collect_ls_attrs *a,
                                const char *lang, const struct collect_member *const *members,
                                size_t n, const struct collect_members *list,
                                struct collect_ls_participants *out, struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    const char *src = collect_ls_source(ls);
    json_t *data = json_array();
    for (size_t i = 0; data && i < n; i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "email", members[i]->email, "firstname", "",
                              "lastname", members[i]->name, "language", lang);
        bool ok = o != NULL;
        if (ok && a->id)
            ok = json_object_set_new(o, a->id, json_string(members[i]->id)) == 0;
        for (size_t v = 0; ok && v < list->nvars && v < 8; v++)
            if (a->strata[v] && members[i]->strata[v])
                ok = json_object_set_new(o, a->strata[v], json_string(members[i]->strata[v])) == 0;
        if (!ok || json_array_append_new(data, o) != 0) {
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
        if (!x || (json_is_object(el) && read_participant(x, el, a->id) != 0)) {
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

/* ---------------------------------------------------------------- completion by token */

int collect_ls_completed_by_token(struct collect_ls *ls, long sid, const char *const *tokens,
                                  size_t n, char **done, struct sv_error *err)
{
    const char *src = collect_ls_source(ls);
    const size_t chunk = 100;
    for (size_t i = 0; i < n; i++)
        done[i] = NULL;
    for (size_t off = 0; off < n; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        json_t *list = json_array();
        for (size_t i = 0; list && i < k; i++)
            if (json_array_append_new(list, json_string(tokens[off + i])) != 0) {
                json_decref(list);
                list = NULL;
            }
        /* "complete" only: an abandoned session is a second row of the same token */
        json_t *args = list ? json_pack("[Isossss]", (json_int_t)sid, "json", list, "fr",
                                        "complete", "code", "short")
                            : NULL;
        json_t *res = NULL;
        int rc = collect_ls_call(ls, "export_responses_by_token", args, &res, err);
        if (rc)
            return rc;
        const char *st = collect_ls_status(res);
        if (st) {
            bool none = collect_ls_status_has(st, "no response found") ||
                        collect_ls_status_has(st, "no data");
            if (!none)
                rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                                  "export_responses_by_token: survey %ld: %s", sid, st);
            json_decref(res);
            if (rc)
                return rc;
            continue;
        }
        if (!json_is_string(res)) {
            json_decref(res);
            return sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                                "export_responses_by_token: unexpected reply (not base64 text)");
        }
        struct sv_buf dec = SV_BUF_INIT;
        json_t *doc = NULL;
        rc = collect_base64_decode(&dec, json_string_value(res), json_string_length(res));
        json_decref(res);
        if (rc == 0)
            rc = collect_json_parse(&doc, &dec, src, NULL, err);
        else
            rc = sv_error_set(err, SV_EEXTERNAL, src, 0, 0,
                              "export_responses_by_token: result is not base64");
        sv_buf_release(&dec);
        if (rc) {
            if (err)
                err->code = SV_EEXTERNAL;
            return SV_EEXTERNAL;
        }
        json_t *rows = json_object_get(doc, "responses");
        size_t j;
        json_t *row;
        json_array_foreach(rows, j, row)
        {
            /* the old export shape: {"<id>": {...}} */
            if (json_is_object(row) && json_object_size(row) == 1 && !json_object_get(row, "token")) {
                const char *kk;
                json_t *vv;
                json_object_foreach(row, kk, vv) row = vv;
            }
            json_t *tok = json_object_get(row, "token");
            json_t *sub = json_object_get(row, "submitdate");
            if (!json_is_string(tok) || !json_is_string(sub) || json_string_length(sub) == 0)
                continue;
            for (size_t i = 0; i < k; i++)
                if (!done[off + i] && strcmp(tokens[off + i], json_string_value(tok)) == 0 &&
                    !(done[off + i] = sv_strdup(json_string_value(sub)))) {
                    json_decref(doc);
                    return oom(err);
                }
        }
        json_decref(doc);
    }
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
        /* the SMTP error ends in CRLF (recorded: invite_participants.batch_06): one line */
        size_t len = strlen(m->failure);
        while (len > 0 && (unsigned char)m->failure[len - 1] <= ' ')
            m->failure[--len] = '\0';
        for (char *c = m->failure; *c; c++)
            if ((unsigned char)*c < ' ' || *c == 0x7f)
                *c = ' ';
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
    } else if (sscanf(st, "%ld left to sen%31s", &left, tail) == 2 && strcmp(tail, "d") == 0) {
        /* invite_participants with bEmail false (re-sending) counts the re-sent
           against those never invited and says "-2 left to send" (recorded) */
        out->said_left = left;
        out->left = left > 0 ? left : 0;
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
