/*
 * collect launch: put a survey definition on LimeSurvey, in step with it.
 *
 *   1. the definition as a .lss, checked against every rule LimeSurvey
 *      enforces by renaming or dropping silently (collect_lss.c): one error
 *      line per offending variable or code, exit 3, nothing sent;
 *   2. import_survey;
 *   3. the created survey read back (list_questions, get_fieldmap) and
 *      compared with the definition: a renamed or missing question,
 *      sub-question or response column is an error, and the survey is left
 *      inactive (never collecting into columns the definition does not know);
 *   4. the participant table with its attributes (activate_tokens with
 *      numbers: names become attribute_0), invitation and reminder texts in
 *      fr and en, activate_survey;
 *   5. the launch recorded in the store: a second launch of the same
 *      definition version changes nothing; an interrupted one goes on from
 *      the survey it imported.
 * --dry-run writes the .lss and prints the plan, without a network call.
 */
#include "collect.h"
#include "collect_json.h"
#include "collect_lss.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_file.h"

enum {
    OPT_DRY_RUN = COLLECT_OPT_FIRST_OWN,
    OPT_LSS,
    OPT_INVITATION,
    OPT_REMINDER,
};

static const struct sv_option options[] = {
    {"survey", 's', "ID|DIR", "survey definition (id in $VIGIE_SURVEYS, or a directory)"},
    {"store", COLLECT_OPT_STORE, "FILE", "the survey's SQLite store (the launch is recorded there)"},
    {"platform", COLLECT_OPT_PLATFORM, "NAME", "limesurvey, or odk (--dry-run: the XForm only)"},
    {"url", COLLECT_OPT_URL, "URL", "LimeSurvey: .../index.php/admin/remotecontrol"},
    {"dry-run", OPT_DRY_RUN, NULL, "write the .lss and print the plan; send nothing"},
    {"lss", OPT_LSS, "FILE",
     "also keep the .lss (odk: the XForm) here (--dry-run: default <id>-<version>.lss/.xml)"},
    {"invitation", OPT_INVITATION, "FILE",
     "French invitation: first line the subject, then the body (default: a standard text)"},
    {"reminder", OPT_REMINDER, "FILE", "French reminder, same layout"},
    {"credentials", COLLECT_OPT_CREDENTIALS, "FILE", "credentials file, mode 0600 ('key = value' lines)"},
    {"timeout", COLLECT_OPT_TIMEOUT, "S", "time-out of one request in seconds (default 300)"},
    {"retries", COLLECT_OPT_RETRIES, "N", "retries after a failed request (default 4)"},
    {"retry-delay", COLLECT_OPT_RETRY_DELAY, "S", "first backoff delay in seconds (default 1)"},
    {"retry-max-wait", COLLECT_OPT_RETRY_MAX_WAIT, "S", "cap on a server's Retry-After (default 120)"},
    {"insecure", COLLECT_OPT_INSECURE, NULL, "do not verify TLS certificates (warns)"},
    {"quiet", 'q', NULL, "no notes"},
    {"help", 'h', NULL, "show this help"},
    {0, 0, NULL, NULL},
};

struct launch_args {
    struct collect_launch l;
    bool dry_run;
    const char *lss, *invitation, *reminder;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct launch_args *a = ctx;
    switch (key) {
    case OPT_DRY_RUN:
        a->dry_run = true;
        return 0;
    case OPT_LSS:
        a->lss = v;
        return 0;
    case OPT_INVITATION:
        a->invitation = v;
        return 0;
    case OPT_REMINDER:
        a->reminder = v;
        return 0;
    default:
        break;
    }
    int rc = collect_launch_option(&a->l, key, v);
    return rc >= 0 ? rc : SV_EXIT_USAGE;
}

static void print_problem(const struct sv_error *e, void *ctx)
{
    (void)ctx;
    sv_fail_error(e);
}

/* ---------------------------------------------------------------- texts */

static const char invite_subj_fr[] = "Enquête « {SURVEYNAME} » : votre établissement est invité";
static const char invite_fr[] =
    "Bonjour,<br />\n<br />\nVotre établissement est invité à répondre à l'enquête « "
    "{SURVEYNAME} ».<br />\n<br />\nPour répondre, suivez ce lien personnel (ne le transmettez "
    "pas) : {SURVEYURL}<br />\n<br />\nPour ne plus recevoir de message sur cette enquête : "
    "{OPTOUTURL}<br />\n<br />\n{ADMINNAME} ({ADMINEMAIL})";
static const char remind_subj_fr[] = "Rappel – enquête « {SURVEYNAME} »";
static const char remind_fr[] =
    "Bonjour,<br />\n<br />\nL'enquête « {SURVEYNAME} » attend encore la réponse de votre "
    "établissement.<br />\n<br />\nLien personnel : {SURVEYURL}<br />\n<br />\nPour ne plus "
    "recevoir de message : {OPTOUTURL}<br />\n<br />\n{ADMINNAME} ({ADMINEMAIL})";
static const char invite_subj_en[] = "Survey \"{SURVEYNAME}\": your establishment is invited";
static const char invite_en[] =
    "Hello,<br />\n<br />\nYour establishment is invited to answer the survey \"{SURVEYNAME}\"."
    "<br />\n<br />\nYour personal link (do not forward it): {SURVEYURL}<br />\n<br />\nTo stop "
    "receiving messages about this survey: {OPTOUTURL}<br />\n<br />\n{ADMINNAME} ({ADMINEMAIL})";
static const char remind_subj_en[] = "Reminder – survey \"{SURVEYNAME}\"";
static const char remind_en[] =
    "Hello,<br />\n<br />\nThe survey \"{SURVEYNAME}\" still awaits your establishment's answer."
    "<br />\n<br />\nPersonal link: {SURVEYURL}<br />\n<br />\nTo stop receiving messages: "
    "{OPTOUTURL}<br />\n<br />\n{ADMINNAME} ({ADMINEMAIL})";

/* A text file: first line the subject, the rest the body (newlines as <br />). */
static int read_text(const char *path, char **subj, char **body, struct sv_error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = sv_file_read_all(&text, &len, path, err);
    if (rc)
        return rc;
    char *nl = strchr(text, '\n');
    if (!nl || !*(nl + 1)) {
        free(text);
        return sv_error_set(err, SV_EDATA, path, 1, 0,
                            "expected the subject on the first line, then the body");
    }
    *nl = '\0';
    if (nl > text && nl[-1] == '\r')
        nl[-1] = '\0';
    struct sv_buf b = SV_BUF_INIT;
    for (const char *p = nl + 1; *p; p++) {
        if (*p == '\r')
            continue;
        if (*p == '\n')
            sv_buf_adds(&b, "<br />\n");
        else
            sv_buf_addc(&b, *p);
    }
    *subj = sv_strdup(text);
    *body = sv_buf_detach(&b, NULL);
    free(text);
    if (!*subj || !*body) {
        free(*subj);
        free(*body);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (!strstr(*body, "{SURVEYURL}"))
        sv_warn("%s: the text has no {SURVEYURL}: participants get no link to the survey", path);
    return 0;
}

/* ---------------------------------------------------------------- read back */

struct check {
    struct collect_ls *ls;
    long sid;
    long problems;
};

static void mismatch(struct check *c, const char *fmt, ...) SV_PRINTF(2, 3);
static void mismatch(struct check *c, const char *fmt, ...)
{
    char text[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sv_fail(SV_EXIT_DATA, "%s: survey %ld: %s", collect_ls_source(c->ls), c->sid, text);
    c->problems++;
}

static const char *jstr(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : "";
}

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

static bool type_fits(char want, const char *got)
{
    if (strchr("ST", want))
        return strcmp(got, "S") == 0 || strcmp(got, "T") == 0 || strcmp(got, "U") == 0;
    return got[0] == want && got[1] == '\0';
}

static const char *what_var(const struct collect_lss_question *q)
{
    return q->vname ? q->vname : q->nsubs && q->subs[0].vname ? q->subs[0].vname : q->code;
}

/* Questions and sub-questions as LimeSurvey has them (list_questions). */
static int check_questions(struct check *c, const struct collect_lss *m, struct sv_error *err)
{
    json_t *res = NULL;
    int rc = collect_ls_call(c->ls, "list_questions", json_pack("[Ins]", (json_int_t)c->sid, "fr"),
                             &res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(res);
    if (st || !json_is_array(res)) {
        rc = sv_error_set(err, SV_EEXTERNAL, collect_ls_source(c->ls), 0, 0,
                          "list_questions: survey %ld: %s", c->sid,
                          st ? st : "unexpected reply (not a list)");
        json_decref(res);
        return rc;
    }
    size_t n = json_array_size(res);
    bool *used = calloc(n ? n : 1, sizeof *used);
    if (!used) {
        json_decref(res);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        json_t *found = NULL;
        for (size_t k = 0; k < n && !found; k++) {
            json_t *r = json_array_get(res, k);
            if (jlong(json_object_get(r, "parent_qid")) == 0 &&
                strcmp(jstr(r, "title"), q->code) == 0) {
                found = r;
                used[k] = true;
            }
        }
        if (!found) {
            mismatch(c, "question '%s' (variable '%s') is not on the platform", q->code,
                     what_var(q));
            continue;
        }
        if (!type_fits(q->type, jstr(found, "type")))
            mismatch(c, "question '%s' has type '%s' on the platform, not '%c'", q->code,
                     jstr(found, "type"), q->type);
        long qid = jlong(json_object_get(found, "qid"));
        for (size_t j = 0; j < q->nsubs; j++) {
            bool ok = false;
            for (size_t k = 0; k < n; k++) {
                json_t *r = json_array_get(res, k);
                if (jlong(json_object_get(r, "parent_qid")) == qid &&
                    strcmp(jstr(r, "title"), q->subs[j].code) == 0) {
                    ok = true;
                    used[k] = true;
                }
            }
            if (!ok)
                mismatch(c, "sub-question '%s[%s]' (%s '%s') is not on the platform", q->code,
                         q->subs[j].code, q->subs[j].vname ? "variable" : "code",
                         q->subs[j].vname ? q->subs[j].vname : q->subs[j].vcode);
        }
    }
    /* what LimeSurvey has and the definition has not: renamed questions */
    for (size_t k = 0; k < n; k++) {
        json_t *r = json_array_get(res, k);
        if (used[k])
            continue;
        long parent = jlong(json_object_get(r, "parent_qid"));
        if (parent == 0)
            mismatch(c, "question '%s' on the platform is not in the definition (renamed by "
                        "LimeSurvey?)",
                     jstr(r, "title"));
        else
            mismatch(c, "sub-question '%s' (of question %ld) on the platform is not in the "
                        "definition",
                     jstr(r, "title"), parent);
    }
    free(used);
    json_decref(res);
    return 0;
}

/* The response columns (get_fieldmap): each variable's column, as fetch will read it. */
static int check_fieldmap(struct check *c, const struct collect_lss *m, struct sv_error *err)
{
    json_t *res = NULL;
    int rc = collect_ls_call(c->ls, "get_fieldmap", json_pack("[Is]", (json_int_t)c->sid, "fr"),
                             &res, err);
    if (rc)
        return rc;
    const char *st = collect_ls_status(res);
    if (st || !json_is_object(res)) {
        rc = sv_error_set(err, SV_EEXTERNAL, collect_ls_source(c->ls), 0, 0,
                          "get_fieldmap: survey %ld: %s", c->sid,
                          st ? st : "unexpected reply (not an object)");
        json_decref(res);
        return rc;
    }
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        size_t ncol = q->nsubs ? q->nsubs : 1;
        for (size_t j = 0; j < ncol; j++) {
            const char *aid = q->nsubs ? q->subs[j].code : "";
            bool ok = false;
            const char *key;
            json_t *f;
            json_object_foreach(res, key, f)
            {
                if (strcmp(jstr(f, "title"), q->code) == 0 && strcmp(jstr(f, "aid"), aid) == 0)
                    ok = true;
            }
            if (!ok) {
                if (*aid)
                    mismatch(c, "response column '%s[%s]' is not in the survey's field map",
                             q->code, aid);
                else
                    mismatch(c, "response column '%s' is not in the survey's field map", q->code);
            }
        }
    }
    json_decref(res);
    return 0;
}

/* ---------------------------------------------------------------- steps */

static bool status_is(json_t *res, const char *want)
{
    const char *st = collect_ls_status(res);
    return st && collect_ls_status_has(st, want);
}

static int step_error(struct collect_ls *ls, const char *method, long sid, json_t *res,
                      struct sv_error *err)
{
    const char *st = collect_ls_status(res);
    char *dump = st ? NULL : json_dumps(res, JSON_COMPACT | JSON_ENCODE_ANY);
    int rc = sv_error_set(err, SV_EEXTERNAL, collect_ls_source(ls), 0, 0, "%s: survey %ld: %s",
                          method, sid, st ? st : dump ? dump : "unexpected reply");
    free(dump);
    return rc;
}

static int import(struct collect_ls *ls, const struct sv_buf *lss, long *sid, struct sv_error *err)
{
    struct sv_buf b64 = SV_BUF_INIT;
    if (collect_base64_encode(&b64, lss->data, lss->len) != 0) {
        sv_buf_release(&b64);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "import_survey", json_pack("[ss]", b64.data, "lss"), &res, err);
    sv_buf_release(&b64);
    if (rc)
        return rc;
    *sid = jlong(res);
    if (*sid <= 0) {
        const char *st = collect_ls_status(res);
        rc = sv_error_set(err, SV_EEXTERNAL, collect_ls_source(ls), 0, 0, "import_survey: %s",
                          st ? st : "unexpected reply (no survey number)");
    }
    json_decref(res);
    return rc;
}

static int activate_tokens(struct collect_ls *ls, long sid, size_t nattr, struct sv_error *err)
{
    json_t *nums = json_array();
    for (size_t i = 0; nums && i < nattr; i++)
        json_array_append_new(nums, json_integer((json_int_t)i + 1));
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "activate_tokens", nums ? json_pack("[Io]", (json_int_t)sid, nums)
                                                         : NULL,
                             &res, err);
    /* a second call answers an SQL error in the JSON-RPC 'error' (recorded: .again) */
    if (rc && err && strstr(err->text, "already exists")) {
        sv_error_clear(err);
        return 0;
    }
    if (rc)
        return rc;
    if (!status_is(res, "OK"))
        rc = step_error(ls, "activate_tokens", sid, res, err);
    json_decref(res);
    return rc;
}

static int set_texts(struct collect_ls *ls, long sid, const char *lang, const char *is,
                     const char *ib, const char *rs, const char *rb, struct sv_error *err)
{
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "set_language_properties",
                             json_pack("[I{s:s, s:s, s:s, s:s}s]", (json_int_t)sid,
                                       "surveyls_email_invite_subj", is, "surveyls_email_invite",
                                       ib, "surveyls_email_remind_subj", rs,
                                       "surveyls_email_remind", rb, lang),
                             &res, err);
    if (rc)
        return rc;
    /* per-field booleans plus "status":"OK" (recorded) */
    bool ok = status_is(res, "OK") && json_is_object(res);
    const char *key;
    json_t *v;
    json_object_foreach(res, key, v)
    {
        if (json_is_false(v))
            ok = false;
    }
    if (!ok)
        rc = step_error(ls, "set_language_properties", sid, res, err);
    json_decref(res);
    return rc;
}

static int activate_survey(struct collect_ls *ls, long sid, struct sv_error *err)
{
    json_t *res = NULL;
    int rc = collect_ls_call(ls, "activate_survey", json_pack("[I]", (json_int_t)sid), &res, err);
    if (rc)
        return rc;
    if (!status_is(res, "OK") && !status_is(res, "already active"))
        rc = step_error(ls, "activate_survey", sid, res, err);
    json_decref(res);
    return rc;
}

/* The public survey address: the RemoteControl URL up to index.php, then /<sid>. */
static char *survey_link(const char *url, long sid)
{
    char *pub = collect_url_public(url);
    if (!pub)
        return NULL;
    char *ix = strstr(pub, "/index.php");
    if (ix)
        ix[strlen("/index.php")] = '\0';
    else {
        char *admin = strstr(pub, "/admin/remotecontrol");
        if (admin)
            *admin = '\0';
    }
    struct sv_buf b = SV_BUF_INIT;
    sv_buf_addf(&b, "%s/%ld?lang=fr", pub, sid);
    free(pub);
    return sv_buf_detach(&b, NULL);
}

static void plan(const struct collect_lss *m, const struct sv_survey *s, const char *lss_path)
{
    size_t nsub = 0, nans = 0;
    for (size_t i = 0; i < m->nq; i++) {
        nsub += m->q[i].nsubs;
        nans += m->q[i].nanswers;
    }
    printf("plan: launch '%s' version %s on LimeSurvey\n", s->id, s->version);
    printf("1. import_survey %s: %zu groups, %zu questions, %zu sub-questions, %zu answer "
           "options, languages fr (base) and en\n",
           lss_path, m->ngroups, m->nq, nsub, nans);
    printf("2. read the survey back (list_questions, get_fieldmap) and compare it with the "
           "definition; stop there on any difference\n");
    printf("3. activate_tokens: participant table with");
    for (size_t i = 0; i < m->nattributes; i++)
        printf("%s attribute_%zu (%s)", i ? "," : "", i + 1, m->attributes[i]);
    printf("\n4. set_language_properties fr, en: invitation and reminder texts\n");
    printf("5. activate_survey\n");
    printf("6. record the launch in the store; print the survey number and its link\n");
}

/* ---------------------------------------------------------------- ODK: the XForm only */

static int launch_odk_dry_run(struct launch_args *a)
{
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_buf x = SV_BUF_INIT;
    struct sv_atomic_file f;
    memset(&f, 0, sizeof f);
    int exit_code = SV_EXIT_OK, rc;
    if ((rc = sv_survey_load(&survey, a->l.survey, &err)) != 0)
        goto fail;
    long nbad = 0;
    rc = collect_xform_write(survey, &x, print_problem, NULL, &nbad);
    if (nbad > 0) {
        exit_code = sv_fail(SV_EXIT_DATA, "%s: %ld problem%s for ODK: no form written",
                            survey->file, nbad, nbad > 1 ? "s" : "");
        goto done;
    }
    if (rc || x.data == sv_buf_empty) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    char path[256];
    snprintf(path, sizeof path, "%s-%s.xml", survey->id, survey->version);
    const char *out = a->lss ? a->lss : path;
    if ((rc = sv_atomic_open(&f, out, &err)) != 0)
        goto fail;
    fwrite(x.data, 1, x.len, f.fp);
    if ((rc = sv_atomic_commit(&f, &err)) != 0)
        goto fail;
    printf("plan: '%s' version %s as an ODK XForm\n", survey->id, survey->version);
    printf("1. %s written (labels fr and en, %zu variables)\n", out, survey->nvariables);
    printf("2. not done by collect yet: publish it to an ODK Central project (or deploy it on "
           "KoboToolbox) by hand\n");
    goto done;
fail:
    if (err.code == 0)
        err.code = rc;
    exit_code = sv_fail_error(&err);
done:
    sv_atomic_abort(&f);
    sv_buf_release(&x);
    sv_survey_free(survey);
    return exit_code;
}

/* ---------------------------------------------------------------- command */

int collect_cmd_launch(int argc, char **argv)
{
    struct launch_args a;
    memset(&a, 0, sizeof a);
    collect_launch_init(&a.l);
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(
        argc, argv, options,
        "collect launch --survey S --platform limesurvey (--dry-run | --store FILE --url URL)",
        "Put the survey definition on LimeSurvey: a .lss written from the definition and\n"
        "checked against LimeSurvey's rules before anything is sent, imported, read back\n"
        "and compared with the definition, its participant table (member id and strata\n"
        "attributes), invitation and reminder texts, activated. Prints the survey number\n"
        "and its link. A second launch of the same definition version changes nothing.\n"
        "Credentials: VIGIE_LIMESURVEY_USER/VIGIE_LIMESURVEY_PASSWORD, --credentials FILE\n"
        "or ~/.netrc; never the command line.",
        on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.l.survey)
        return sv_usage_error("--survey is required");
    if (!a.l.platform)
        return sv_usage_error("--platform is required (limesurvey)");
    if (strcmp(a.l.platform, "odk") == 0) {
        if (!a.dry_run)
            return sv_usage_error("--platform odk: publishing to ODK Central is not done yet; "
                                  "--dry-run writes the XForm to publish by hand");
        return launch_odk_dry_run(&a);
    }
    if (strcmp(a.l.platform, "limesurvey") != 0)
        return sv_usage_error("--platform: '%s' cannot be launched on yet (limesurvey; odk "
                              "with --dry-run)",
                              a.l.platform);
    if (!a.dry_run) {
        if (!a.l.store)
            return sv_usage_error("--store is required (the launch is recorded there)");
        if (!a.l.url)
            return sv_usage_error("--url is required");
        if (collect_url_has_userinfo(a.l.url))
            return sv_usage_error("credentials in --url are refused (they would show in the "
                                  "process list): use environment variables, --credentials "
                                  "FILE or ~/.netrc");
        if (collect_url_is_file(a.l.url))
            return sv_usage_error("--url: give the server's .../index.php/admin/remotecontrol");
        if (a.l.http.insecure)
            sv_warn("--insecure: TLS certificates are not verified; the server may not be who "
                    "it claims");
    }

    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_schema *schema = NULL;
    struct sv_store *store = NULL;
    struct collect_lss m;
    memset(&m, 0, sizeof m);
    struct sv_buf lss = SV_BUF_INIT;
    struct sv_atomic_file f;
    memset(&f, 0, sizeof f);
    struct collect_launch_record rec;
    memset(&rec, 0, sizeof rec);
    char *texts[4] = {NULL, NULL, NULL, NULL};
    char *link = NULL, *pub = NULL;
    char lss_default[256];
    int exit_code = SV_EXIT_OK;
    long sid = -1;

    if ((rc = sv_survey_load(&survey, a.l.survey, &err)) != 0)
        goto fail;
    long nbad = 0;
    rc = collect_lss_from_survey(&m, survey, print_problem, NULL, &nbad, &err);
    if (nbad > 0) {
        exit_code = sv_fail(SV_EXIT_DATA,
                            "%s: %ld problem%s for LimeSurvey: nothing was sent (fix the "
                            "definition and run again)",
                            survey->file, nbad, nbad > 1 ? "s" : "");
        goto done;
    }
    if (rc || (rc = collect_lss_write(&m, &lss)) != 0)
        goto fail;
    if ((a.invitation && (rc = read_text(a.invitation, &texts[0], &texts[1], &err)) != 0) ||
        (a.reminder && (rc = read_text(a.reminder, &texts[2], &texts[3], &err)) != 0))
        goto fail;
    snprintf(lss_default, sizeof lss_default, "%s-%s.lss", survey->id, survey->version);
    const char *lss_path = a.lss ? a.lss : a.dry_run ? lss_default : NULL;
    if (lss_path) {
        if ((rc = sv_atomic_open(&f, lss_path, &err)) != 0)
            goto fail;
        fwrite(lss.data, 1, lss.len, f.fp);
        if ((rc = sv_atomic_commit(&f, &err)) != 0)
            goto fail;
    }
    if (a.dry_run) {
        plan(&m, survey, lss_path);
        goto done;
    }

    char fp[65];
    sv_hmac_sha256_hex("vigie definition", lss.data, fp);
    if (!(pub = collect_url_public(a.l.url))) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    if ((rc = sv_schema_new(&schema, survey, &err)) != 0 ||
        (rc = sv_store_open(&store, a.l.store, schema, &err)) != 0 ||
        (rc = collect_launches_get(a.l.store, survey->id, survey->version, "limesurvey", pub, &rec,
                                   &err)) != 0)
        goto fail;
    if (rec.found && rec.fingerprint && strcmp(rec.fingerprint, fp) != 0) {
        rc = sv_error_set(&err, SV_EDATA, survey->file, 0, 0,
                          "version %s was launched as survey %s on %s, from another text of "
                          "this definition: give the changed definition a new 'version'",
                          survey->version, rec.platform_id ? rec.platform_id : "?",
                          rec.launched_at ? rec.launched_at : "?");
        goto fail;
    }
    if (rec.found && rec.state && strcmp(rec.state, "active") == 0) {
        if (!sv_cli_quiet())
            fprintf(stderr,
                    "%s: '%s' version %s is already launched as survey %s (%s): nothing "
                    "changed\n",
                    sv_cli_progname(), survey->id, survey->version, rec.platform_id,
                    rec.launched_at);
        printf("%s\t%s\n", rec.platform_id, rec.link ? rec.link : "");
        goto done;
    }
    if ((rc = collect_launch_connect(&a.l, &err)) != 0)
        goto fail;
    char sidbuf[32];
    if (rec.found && rec.platform_id) {
        sid = strtol(rec.platform_id, NULL, 10);
        sv_note("'%s' version %s: going on with survey %ld, imported on %s", survey->id,
                survey->version, sid, rec.launched_at ? rec.launched_at : "?");
    } else {
        /* import is not safe to repeat: a lost reply may have created the survey */
        long retries = collect_http_set_retries(a.l.conn, 0);
        rc = import(a.l.ls, &lss, &sid, &err);
        collect_http_set_retries(a.l.conn, retries);
        if (rc)
            goto fail;
        snprintf(sidbuf, sizeof sidbuf, "%ld", sid);
        if ((rc = collect_launches_put(a.l.store, survey->id, survey->version, "limesurvey", pub,
                                       sidbuf, NULL, "imported", fp, &err)) != 0)
            goto fail;
        if (sid != m.sid)
            sv_note("LimeSurvey gave the survey number %ld (%ld was taken)", sid, m.sid);
    }
    snprintf(sidbuf, sizeof sidbuf, "%ld", sid);
    struct check c = {a.l.ls, sid, 0};
    if ((rc = check_questions(&c, &m, &err)) != 0)
        goto fail;
    if (c.problems == 0 && (rc = check_fieldmap(&c, &m, &err)) != 0)
        goto fail;
    if (c.problems > 0) {
        /* forget it: a run after the definition is fixed imports anew */
        collect_launches_put(a.l.store, survey->id, survey->version, "limesurvey", pub, NULL, NULL,
                             NULL, NULL, &err);
        exit_code = sv_fail(SV_EXIT_DATA,
                            "survey %ld on LimeSurvey differs from the definition in %ld "
                            "place%s: it was left inactive (delete it in LimeSurvey, fix the "
                            "definition and launch again)",
                            sid, c.problems, c.problems > 1 ? "s" : "");
        goto done;
    }
    if ((rc = activate_tokens(a.l.ls, sid, m.nattributes, &err)) != 0 ||
        (rc = set_texts(a.l.ls, sid, "fr", texts[0] ? texts[0] : invite_subj_fr,
                        texts[1] ? texts[1] : invite_fr, texts[2] ? texts[2] : remind_subj_fr,
                        texts[3] ? texts[3] : remind_fr, &err)) != 0 ||
        (rc = set_texts(a.l.ls, sid, "en", invite_subj_en, invite_en, remind_subj_en, remind_en,
                        &err)) != 0 ||
        (rc = activate_survey(a.l.ls, sid, &err)) != 0)
        goto fail;
    if (!(link = survey_link(a.l.url, sid))) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    if ((rc = collect_launches_put(a.l.store, survey->id, survey->version, "limesurvey", pub,
                                   sidbuf, link, "active", fp, &err)) != 0)
        goto fail;
    if (!sv_cli_quiet())
        fprintf(stderr,
                "%s: '%s' version %s launched as survey %ld (%zu questions checked on the "
                "platform); add the members with 'collect participants --survey-id %ld', then "
                "'collect invite'\n",
                sv_cli_progname(), survey->id, survey->version, sid, m.nq, sid);
    printf("%ld\t%s\n", sid, link);
    goto done;
fail:
    if (err.code == 0)
        err.code = rc;
    exit_code = sv_fail_error(&err);
done:
    for (int i = 0; i < 4; i++)
        free(texts[i]);
    free(link);
    free(pub);
    collect_launch_record_release(&rec);
    sv_atomic_abort(&f);
    sv_buf_release(&lss);
    collect_lss_release(&m);
    collect_launch_release(&a.l);
    sv_store_close(store);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}
