/*
 * collect definition: a starter survey definition (survey.json) from a survey
 * that already exists on LimeSurvey, read from its .lss file (--from) or from
 * the live survey over RemoteControl (list_groups, list_questions and
 * get_question_properties in fr and en, get_survey_properties,
 * get_language_properties). Every question becomes a variable with its type,
 * codes, labels and platform names; roles and frame are suggestions.
 */
#include "collect.h"
#include "collect_json.h"
#include "collect_lss.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_file.h"

enum { OPT_FROM = COLLECT_OPT_FIRST_OWN, OPT_ID, OPT_VERSION, OPT_OUTPUT };

static const struct sv_option options[] = {
    {"from", OPT_FROM, "FILE", "a LimeSurvey survey structure (.lss) or an ODK XForm (.xml)"},
    {"platform", COLLECT_OPT_PLATFORM, "NAME", "limesurvey: read the live survey instead"},
    {"url", COLLECT_OPT_URL, "URL", "LimeSurvey: .../index.php/admin/remotecontrol"},
    {"survey-id", COLLECT_OPT_SURVEY_ID, "N", "LimeSurvey survey number (sid)"},
    {"id", OPT_ID, "ID", "the definition's id (default: survey<sid>)"},
    {"version", OPT_VERSION, "V", "the definition's version (default 1)"},
    {"output", 'o', "FILE", "write the definition here (default: standard output)"},
    {"credentials", COLLECT_OPT_CREDENTIALS, "FILE", "credentials file, mode 0600"},
    {"timeout", COLLECT_OPT_TIMEOUT, "S", "time-out of one request in seconds (default 300)"},
    {"retries", COLLECT_OPT_RETRIES, "N", "retries after a failed request (default 4)"},
    {"insecure", COLLECT_OPT_INSECURE, NULL, "do not verify TLS certificates (warns)"},
    {"quiet", 'q', NULL, "no notes"},
    {"help", 'h', NULL, "show this help"},
    {0, 0, NULL, NULL},
};

struct def_args {
    struct collect_launch l;
    const char *from, *id, *version, *output;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct def_args *a = ctx;
    switch (key) {
    case OPT_FROM:
        a->from = v;
        return 0;
    case OPT_ID:
        a->id = v;
        return 0;
    case OPT_VERSION:
        a->version = v;
        return 0;
    case 'o':
        a->output = v;
        return 0;
    default:
        break;
    }
    int rc = collect_launch_option(&a->l, key, v);
    return rc >= 0 ? rc : SV_EXIT_USAGE;
}

/* ---------------------------------------------------------------- live survey */

static long jlong(json_t *v)
{
    if (json_is_integer(v))
        return (long)json_integer_value(v);
    if (json_is_string(v)) {
        char *end = NULL;
        long n = strtol(json_string_value(v), &end, 10);
        return end != json_string_value(v) && *end == '\0' ? n : -1;
    }
    return -1;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

static int call_ok(struct collect_ls *ls, const char *method, json_t *args, json_t **res,
                   struct sv_error *err)
{
    int rc = collect_ls_call(ls, method, args, res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(*res);
    if (st) {
        rc = sv_error_set(err, SV_EEXTERNAL, collect_ls_source(ls), 0, 0, "%s: %s", method, st);
        json_decref(*res);
        *res = NULL;
    }
    return rc;
}

static int set_label(struct sv_label *l, bool en, const char *text)
{
    char **slot = en ? &l->en : &l->fr;
    if (*slot)
        return 0;
    return (*slot = sv_strdup(text)) ? 0 : SV_ENOMEM;
}

struct sortq {
    json_t *row;
    long gorder, order, qid;
};

static int cmp_sortq(const void *a, const void *b)
{
    const struct sortq *x = a, *y = b;
    if (x->gorder != y->gorder)
        return x->gorder < y->gorder ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->qid < y->qid ? -1 : x->qid > y->qid;
}

/* The live survey `sid` into the model (both languages; en where the survey has it). */
static int read_live(struct collect_lss *m, struct collect_ls *ls, long sid, struct sv_error *err)
{
    memset(m, 0, sizeof *m);
    m->sid = sid;
    json_t *res = NULL, *qs[2] = {NULL, NULL}, *groups = NULL;
    int rc = call_ok(ls, "get_survey_properties",
                     json_pack("[I[sss]]", (json_int_t)sid, "language", "additional_languages",
                               "attributedescriptions"),
                     &res, err);
    if (rc)
        return rc;
    bool has_en = strstr(jstr(res, "additional_languages"), "en") != NULL;
    const char *base_lang = *jstr(res, "language") ? jstr(res, "language") : "fr";
    char base[16];
    snprintf(base, sizeof base, "%s", base_lang);
    json_t *desc = json_loads(jstr(res, "attributedescriptions"), 0, NULL);
    for (long n = 1; json_is_object(desc) && n < 100; n++) {
        char key[32];
        snprintf(key, sizeof key, "attribute_%ld", n);
        json_t *d = json_object_get(desc, key);
        if (!d)
            break;
        char **nv = realloc(m->attributes, (m->nattributes + 1) * sizeof *nv);
        if (!nv)
            break;
        m->attributes = nv;
        m->attributes[m->nattributes++] = sv_strdup(jstr(d, "description"));
    }
    json_decref(desc);
    json_decref(res);
    for (int l = 0; l < (has_en ? 2 : 1); l++) {
        rc = call_ok(ls, "get_language_properties",
                     json_pack("[I[s]s]", (json_int_t)sid, "surveyls_title", l ? "en" : base),
                     &res, err);
        if (rc)
            return rc;
        set_label(&m->title, l, jstr(res, "surveyls_title"));
        json_decref(res);
    }
    if ((rc = call_ok(ls, "list_groups", json_pack("[Is]", (json_int_t)sid, base), &groups,
                      err)) != 0)
        return rc;
    for (int l = 0; l < (has_en ? 2 : 1); l++)
        if ((rc = call_ok(ls, "list_questions",
                          json_pack("[Ins]", (json_int_t)sid, l ? "en" : base), &qs[l], err)) != 0)
            goto out;
    size_t nrow = json_array_size(qs[0]);
    struct sortq *sq = calloc(nrow ? nrow : 1, sizeof *sq);
    long *gids = calloc(json_array_size(groups) + 1, sizeof *gids);
    if (!sq || !gids) {
        free(sq);
        free(gids);
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    size_t ng = 0;
    for (size_t g = 0; g < json_array_size(groups); g++) {
        json_t *gr = json_array_get(groups, g);
        struct collect_lss_group *ng_ = realloc(m->groups, (m->ngroups + 1) * sizeof *ng_);
        if (!ng_)
            break;
        m->groups = ng_;
        memset(&m->groups[m->ngroups], 0, sizeof *ng_);
        set_label(&m->groups[m->ngroups++].title, false, jstr(gr, "group_name"));
        gids[ng++] = jlong(json_object_get(gr, "gid"));
    }
    for (size_t i = 0; i < nrow; i++) {
        json_t *r = json_array_get(qs[0], i);
        sq[i].row = r;
        sq[i].qid = jlong(json_object_get(r, "qid"));
        sq[i].order = jlong(json_object_get(r, "question_order"));
        long gid = jlong(json_object_get(r, "gid"));
        for (size_t g = 0; g < json_array_size(groups); g++)
            if (jlong(json_object_get(json_array_get(groups, g), "gid")) == gid)
                sq[i].gorder = jlong(json_object_get(json_array_get(groups, g), "group_order"));
    }
    qsort(sq, nrow, sizeof *sq, cmp_sortq);
    for (size_t i = 0; rc == 0 && i < nrow; i++) {
        json_t *r = sq[i].row;
        if (jlong(json_object_get(r, "parent_qid")) > 0)
            continue;
        struct collect_lss_question *nq = realloc(m->q, (m->nq + 1) * sizeof *nq);
        if (!nq) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        m->q = nq;
        struct collect_lss_question *q = &m->q[m->nq++];
        memset(q, 0, sizeof *q);
        q->qid = sq[i].qid;
        q->code = sv_strdup(jstr(r, "title"));
        q->type = jstr(r, "type")[0];
        q->mandatory = strcmp(jstr(r, "mandatory"), "Y") == 0;
        const char *rel = jstr(r, "relevance");
        if (*rel && strcmp(rel, "1") != 0)
            q->relevance = sv_strdup(rel);
        long gid = jlong(json_object_get(r, "gid"));
        for (size_t g = 0; g < ng; g++)
            if (gids[g] == gid)
                q->group = g;
        set_label(&q->text, false, jstr(r, "question"));
        for (size_t k = 0; has_en && k < json_array_size(qs[1]); k++)
            if (jlong(json_object_get(json_array_get(qs[1], k), "qid")) == q->qid)
                set_label(&q->text, true, jstr(json_array_get(qs[1], k), "question"));
        /* sub-questions, by question_order (scale 0) */
        for (size_t j = 0; j < nrow; j++) {
            json_t *s = sq[j].row;
            if (jlong(json_object_get(s, "parent_qid")) != q->qid ||
                jlong(json_object_get(s, "scale_id")) > 0)
                continue;
            struct collect_lss_sub *ns = realloc(q->subs, (q->nsubs + 1) * sizeof *ns);
            if (!ns)
                break;
            q->subs = ns;
            struct collect_lss_sub *sub = &q->subs[q->nsubs++];
            memset(sub, 0, sizeof *sub);
            sub->code = sv_strdup(jstr(s, "title"));
            set_label(&sub->text, false, jstr(s, "question"));
            long sqid = jlong(json_object_get(s, "qid"));
            for (size_t k = 0; has_en && k < json_array_size(qs[1]); k++)
                if (jlong(json_object_get(json_array_get(qs[1], k), "qid")) == sqid)
                    set_label(&sub->text, true, jstr(json_array_get(qs[1], k), "question"));
            if (q->type == 'M')
                sub->vcode = sv_strdup(sub->code);
            else {
                struct sv_buf nm = SV_BUF_INIT;
                sv_buf_addf(&nm, "%s_%s", q->code, sub->code);
                for (char *p = nm.data; *p; p++)
                    *p = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
                sub->vname = sv_buf_detach(&nm, NULL);
            }
        }
        if (!strchr("KQFABCE;:", q->type)) {
            q->vname = sv_strdup(q->code);
            for (char *p = q->vname; p && *p; p++)
                *p = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
        }
        /* answers and attributes */
        for (int l = 0; rc == 0 && l < (has_en ? 2 : 1); l++) {
            json_t *props = NULL;
            rc = call_ok(ls, "get_question_properties",
                         json_pack("[Ins]", (json_int_t)q->qid, l ? "en" : base), &props, err);
            if (rc)
                break;
            json_t *ans = json_object_get(props, "answeroptions");
            const char *code;
            json_t *a;
            /* answeroptions is keyed by code; its "order" gives the order */
            if (json_is_object(ans) && l == 0) {
                size_t na = json_object_size(ans), k = 0;
                q->answers = calloc(na ? na : 1, sizeof *q->answers);
                json_object_foreach(ans, code, a)
                {
                    if (!q->answers)
                        break;
                    long ord = jlong(json_object_get(a, "order"));
                    size_t pos = k;
                    while (pos > 0 &&
                           jlong(json_object_get(json_object_get(ans, q->answers[pos - 1].code),
                                                 "order")) > ord) {
                        q->answers[pos] = q->answers[pos - 1];
                        pos--;
                    }
                    memset(&q->answers[pos], 0, sizeof q->answers[pos]);
                    q->answers[pos].code = sv_strdup(code);
                    q->answers[pos].vcode = sv_strdup(code);
                    set_label(&q->answers[pos].text, false, jstr(a, "answer"));
                    k++;
                }
                q->nanswers = k;
            } else if (json_is_object(ans)) {
                for (size_t k = 0; k < q->nanswers; k++) {
                    json_t *ae = json_object_get(ans, q->answers[k].code);
                    if (ae)
                        set_label(&q->answers[k].text, true, jstr(ae, "answer"));
                }
            }
            if (l == 0) {
                json_t *at = json_object_get(props, "attributes");
                const char *mn = jstr(at, "min_num_value_n"), *mx = jstr(at, "max_num_value_n");
                char *end = NULL;
                if (*mn) {
                    q->min = strtod(mn, &end);
                    q->has_min = end && *end == '\0';
                }
                if (*mx) {
                    q->max = strtod(mx, &end);
                    q->has_max = end && *end == '\0';
                }
                q->int_only = strcmp(jstr(at, "num_value_int_only"), "1") == 0;
                collect_lss_apply_marks(q, jstr(at, "cssclass"));
            }
            json_decref(props);
        }
        if (rc == 0 && q->type == 'A' && q->nanswers == 0 && collect_lss_five_points(q) != 0)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    free(sq);
    free(gids);
    if (rc == 0)
        collect_lss_relevance_back(m);
out:
    json_decref(groups);
    json_decref(qs[0]);
    json_decref(qs[1]);
    return rc;
}

/* ---------------------------------------------------------------- command */

int collect_cmd_definition(int argc, char **argv)
{
    struct def_args a;
    memset(&a, 0, sizeof a);
    collect_launch_init(&a.l);
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(
        argc, argv, options,
        "collect definition --from FILE.lss|FORM.xml [--id ID] [-o survey.json]\n"
        "       collect definition --platform limesurvey --url URL --survey-id N [-o FILE]",
        "Write a starter survey definition from a LimeSurvey survey (.lss or live) or an\n"
        "ODK XForm: every question a\n"
        "variable with its type, codes, labels (fr, en) and LimeSurvey names; roles and\n"
        "frame as '_suggested' keys to review. A survey launched by 'collect launch'\n"
        "gives back the definition's own variable names and codes.",
        on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.from && !a.l.platform)
        return sv_usage_error("give --from FILE.lss, or --platform limesurvey --url URL "
                              "--survey-id N");
    if (a.from && a.l.platform)
        return sv_usage_error("--from and --platform exclude each other");
    if (a.l.platform) {
        if (strcmp(a.l.platform, "limesurvey") != 0)
            return sv_usage_error("--platform: '%s' is not supported here (limesurvey; or "
                                  "--from a .lss)",
                                  a.l.platform);
        if (!a.l.url || !a.l.survey_id)
            return sv_usage_error("--url and --survey-id are required with --platform");
        if (collect_url_has_userinfo(a.l.url))
            return sv_usage_error("credentials in --url are refused (they would show in the "
                                  "process list)");
        if (sv_parse_long(a.l.survey_id, 1, 2147483647L, &a.l.sid) != 0)
            return sv_usage_error("--survey-id must be the LimeSurvey survey number, not '%s'",
                                  a.l.survey_id);
    }
    struct sv_error err;
    sv_error_clear(&err);
    struct collect_lss m;
    memset(&m, 0, sizeof m);
    struct sv_buf out = SV_BUF_INIT;
    struct sv_atomic_file f;
    memset(&f, 0, sizeof f);
    if (a.from) {
        char *text = NULL;
        size_t len = 0;
        if ((rc = sv_file_read_all(&text, &len, a.from, &err)) != 0)
            goto fail;
        rc = collect_xform_is(text, len) ? collect_xform_parse(&m, text, len, a.from, &err)
                                         : collect_lss_parse(&m, text, len, a.from, &err);
        free(text);
        if (rc)
            goto fail;
    } else {
        if ((rc = collect_launch_connect(&a.l, &err)) != 0 ||
            (rc = read_live(&m, a.l.ls, a.l.sid, &err)) != 0)
            goto fail;
    }
    char idbuf[64];
    snprintf(idbuf, sizeof idbuf, "survey%ld", m.sid > 0 ? m.sid : 0L);
    free(m.id);
    free(m.version);
    m.id = sv_strdup(a.id ? a.id : idbuf);
    m.version = sv_strdup(a.version ? a.version : "1");
    if (!m.id || !m.version) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    if ((rc = collect_lss_definition(&m, &out, &err)) != 0)
        goto fail;
    if ((rc = sv_atomic_open(&f, a.output, &err)) != 0)
        goto fail;
    fwrite(out.data, 1, out.len, f.fp);
    if ((rc = sv_atomic_commit(&f, &err)) != 0)
        goto fail;
    if (!sv_cli_quiet())
        fprintf(stderr, "%s: definition: %zu questions read; check '_comment' and the "
                        "'_suggested' keys\n",
                sv_cli_progname(), m.nq);
    collect_lss_release(&m);
    sv_buf_release(&out);
    collect_launch_release(&a.l);
    return SV_EXIT_OK;
fail:
    if (err.code == 0)
        err.code = rc;
    sv_atomic_abort(&f);
    collect_lss_release(&m);
    sv_buf_release(&out);
    collect_launch_release(&a.l);
    return sv_fail_error(&err);
}
