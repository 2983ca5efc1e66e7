/*
 * collect participants: put the federation's member list into a LimeSurvey
 * survey's participant table, once. The list is checked first (every bad row
 * reported, nothing sent while one is bad); the participants already there
 * are listed and matched (on the id attribute, else on e-mail), so that a
 * second run adds nobody; the mapping member id -> participant (tid, token fingerprint)
 * is kept in the survey's store for `collect status`.
 *
 * Also the options and session that participants, invite and remind share.
 */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sv_csv.h"

/* ---------------------------------------------------------------- shared */

void collect_launch_init(struct collect_launch *l)
{
    memset(l, 0, sizeof *l);
    l->page_size = 500;
    collect_http_opts_default(&l->http);
}

int collect_launch_option(struct collect_launch *l, int key, const char *v)
{
    switch (key) {
    case 's':
        l->survey = v;
        break;
    case COLLECT_OPT_STORE:
        l->store = v;
        break;
    case COLLECT_OPT_PLATFORM:
        l->platform = v;
        break;
    case COLLECT_OPT_URL:
        l->url = v;
        break;
    case COLLECT_OPT_SURVEY_ID:
        l->survey_id = v;
        break;
    case COLLECT_OPT_CREDENTIALS:
        l->credentials = v;
        break;
    case 'q':
        sv_cli_set_quiet(true);
        break;
    case COLLECT_OPT_ID_ATTRIBUTE: {
        if (strcmp(v, "none") == 0) {
            l->id_none = true;
            l->id_attr = NULL;
            break;
        }
        const char *p = v + strlen("attribute_");
        if (strncmp(v, "attribute_", strlen("attribute_")) == 0 &&
            (!*p || strspn(p, "0123456789") != strlen(p) || *p == '0'))
            return sv_usage_error("--id-attribute: expected attribute_N (N from 1), a "
                                  "description, or none, not '%s'",
                                  v);
        if (!*v)
            return sv_usage_error("--id-attribute: empty");
        l->id_none = false;
        l->id_attr = v;
        break;
    }
    case COLLECT_OPT_PAGE_SIZE:
        if (sv_parse_long(v, 1, 100000, &l->page_size) != 0)
            return sv_usage_error("--page-size: expected a whole number from 1 to 100000, not '%s'",
                                  v);
        break;
    default:
        return collect_http_opts_parse(&l->http, key, v);
    }
    return 0;
}

int collect_launch_check(struct collect_launch *l, bool need_store)
{
    if (!l->survey)
        return sv_usage_error("--survey is required");
    if (need_store && !l->store)
        return sv_usage_error("--store is required");
    if (!l->platform)
        return sv_usage_error("--platform is required (limesurvey)");
    if (strcmp(l->platform, "limesurvey") != 0)
        return sv_usage_error("--platform: '%s' cannot launch surveys yet (limesurvey only)",
                              l->platform);
    if (!l->url)
        return sv_usage_error("--url is required");
    if (collect_url_has_userinfo(l->url))
        return sv_usage_error("credentials in --url are refused (they would show in the process "
                              "list): use environment variables, --credentials FILE or ~/.netrc");
    if (collect_url_is_file(l->url))
        return sv_usage_error("--url: a file:// address cannot take participants; give the "
                              "server's .../index.php/admin/remotecontrol");
    if (!l->survey_id)
        return sv_usage_error("--survey-id is required (the LimeSurvey survey number)");
    if (sv_parse_long(l->survey_id, 1, 2147483647L, &l->sid) != 0)
        return sv_usage_error("--survey-id must be the LimeSurvey survey number (sid), not '%s'",
                              l->survey_id);
    snprintf(l->source, sizeof l->source, "limesurvey:%ld", l->sid);
    if (l->http.insecure)
        sv_warn(
            "--insecure: TLS certificates are not verified; the server may not be who it claims");
    return 0;
}

int collect_launch_connect(struct collect_launch *l, struct sv_error *err)
{
    int rc = collect_creds_load(&l->creds, SV_PLATFORM_LIMESURVEY, l->url, l->credentials, err);
    if (rc == 0)
        rc = collect_http_new(&l->conn, &l->http, err);
    if (rc == 0) {
        collect_interrupt_install();
        rc = collect_ls_open(&l->ls, l->conn, l->url, &l->creds, err);
    }
    return rc;
}

void collect_launch_release(struct collect_launch *l)
{
    collect_ls_close(l->ls);
    l->ls = NULL;
    collect_http_free(l->conn);
    l->conn = NULL;
    collect_creds_release(&l->creds);
}

/* ---------------------------------------------------------------- participants */

enum { OPT_MEMBERS = COLLECT_OPT_FIRST_OWN, OPT_DRY_RUN, OPT_BATCH };

static const struct sv_option options[] = {
    {"members", OPT_MEMBERS, "FILE", "member list CSV: id, name, email and the strata columns"},
    {"dry-run", OPT_DRY_RUN, NULL, "list who would be added (CSV on stdout); add nobody"},
    {"batch", OPT_BATCH, "N", "participants per add_participants call (default 100)"},
    COLLECT_LAUNCH_OPTIONS,
    {0, 0, NULL, NULL},
};

struct part_args {
    struct collect_launch l;
    const char *members;
    bool dry_run;
    long batch;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct part_args *a = ctx;
    int rc = collect_launch_option(&a->l, key, v);
    if (rc >= 0)
        return rc;
    switch (key) {
    case OPT_MEMBERS:
        a->members = v;
        break;
    case OPT_DRY_RUN:
        a->dry_run = true;
        break;
    case OPT_BATCH:
        if (sv_parse_long(v, 1, 10000, &a->batch) != 0)
            return sv_usage_error("--batch: expected a whole number from 1 to 10000, not '%s'", v);
        break;
    default:
        return SV_EXIT_USAGE;
    }
    return 0;
}

static void print_bad_row(const struct sv_error *e, void *ctx)
{
    (void)ctx;
    sv_fail_error(e);
}

/* The participant already standing for member `m`, or NULL. */
static const struct collect_ls_participant *match(const struct collect_ls_participants *p,
                                                  const struct collect_member *m)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->v[i].member_id && *p->v[i].member_id && strcmp(p->v[i].member_id, m->id) == 0)
            return &p->v[i];
    /* participants without the id (added by hand, or a table without the attribute) */
    for (size_t i = 0; i < p->n; i++)
        if ((!p->v[i].member_id || !*p->v[i].member_id) && p->v[i].email &&
            strcasecmp(p->v[i].email, m->email) == 0)
            return &p->v[i];
    return NULL;
}

static int cmp_email(const void *a, const void *b)
{
    const struct collect_member *x = *(const struct collect_member *const *)a;
    const struct collect_member *y = *(const struct collect_member *const *)b;
    return strcasecmp(x->email, y->email);
}

/* Members matched on e-mail must not share one: each such row is reported. */
static long shared_emails(const char *path, const struct collect_members *list)
{
    const struct collect_member **v = calloc(list->n ? list->n : 1, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < list->n; i++)
        v[i] = &list->v[i];
    qsort(v, list->n, sizeof *v, cmp_email);
    long bad = 0;
    for (size_t i = 1; i < list->n; i++)
        if (strcasecmp(v[i - 1]->email, v[i]->email) == 0) {
            bad++;
            sv_fail(SV_EXIT_DATA,
                    "%s:%ld: e-mail '%s' also on line %ld: the survey's participants have no "
                    "member id attribute, so members are matched on e-mail",
                    path, v[i]->line > v[i - 1]->line ? v[i]->line : v[i - 1]->line, v[i]->email,
                    v[i]->line > v[i - 1]->line ? v[i - 1]->line : v[i]->line);
        }
    free(v);
    return bad;
}

static int write_dry_run(const struct collect_members *list, struct collect_member *const *todo,
                         size_t n)
{
    struct sv_csv_writer w;
    sv_csv_writer_init(&w, stdout, SV_CSV_PLAIN);
    sv_csv_cell(&w, "id", SV_CELL_CODE);
    sv_csv_cell(&w, "name", SV_CELL_CODE);
    sv_csv_cell(&w, "email", SV_CELL_CODE);
    for (size_t v = 0; v < list->nvars; v++)
        sv_csv_cell(&w, list->vars[v], SV_CELL_CODE);
    sv_csv_end_record(&w);
    for (size_t i = 0; i < n; i++) {
        sv_csv_cell(&w, todo[i]->id, SV_CELL_TEXT);
        sv_csv_cell(&w, todo[i]->name, SV_CELL_TEXT);
        sv_csv_cell(&w, todo[i]->email, SV_CELL_TEXT);
        for (size_t v = 0; v < list->nvars; v++)
            sv_csv_cell(&w, todo[i]->strata[v], SV_CELL_CODE);
        sv_csv_end_record(&w);
    }
    return sv_csv_writer_status(&w);
}

int collect_cmd_participants(int argc, char **argv)
{
    struct part_args a;
    memset(&a, 0, sizeof a);
    collect_launch_init(&a.l);
    a.batch = 100;
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(
        argc, argv, options,
        "collect participants --survey S --store FILE --platform limesurvey --url URL "
        "--survey-id N --members FILE [--dry-run]",
        "Add the member establishments of FILE to the survey's participant table (created\n"
        "when absent), each once: those already there are matched on the id attribute or\n"
        "their e-mail and left alone. The list is checked first; a bad row stops everything.\n"
        "The mapping member -> participant is kept in the store for 'collect status'.\n"
        "Credentials: VIGIE_LIMESURVEY_USER/VIGIE_LIMESURVEY_PASSWORD, --credentials FILE\n"
        "or ~/.netrc; never the command line.",
        on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.members)
        return sv_usage_error("--members is required (the member list CSV)");
    if ((rc = collect_launch_check(&a.l, !a.dry_run)) != 0)
        return rc;

    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_schema *schema = NULL;
    struct sv_store *store = NULL;
    struct collect_roster *roster = NULL;
    struct collect_members list;
    memset(&list, 0, sizeof list);
    struct collect_ls_participants have, added;
    memset(&have, 0, sizeof have);
    memset(&added, 0, sizeof added);
    struct collect_member **todo = NULL;
    size_t ntodo = 0;
    struct collect_ls_attrs attrs;
    memset(&attrs, 0, sizeof attrs);
    long present = 0, nadded = 0, refused = 0;
    bool summary = false;
    int exit_code = SV_EXIT_OK;

    if ((rc = sv_survey_load(&survey, a.l.survey, &err)) != 0 ||
        (rc = sv_schema_new(&schema, survey, &err)) != 0)
        goto fail;
    long nbad = 0;
    rc = collect_members_read(&list, a.members, survey, a.l.id_none, print_bad_row, NULL,
                              &nbad, &err);
    if (nbad > 0) {
        exit_code = sv_fail(SV_EXIT_DATA,
                            "%s: %ld bad row%s: nobody was added (fix the list and "
                            "run again)",
                            a.members, nbad, nbad > 1 ? "s" : "");
        goto done;
    }
    if (rc)
        goto fail;
    if (list.n == 0) {
        rc = sv_error_set(&err, SV_EDATA, a.members, 0, 0, "no member in the list");
        goto fail;
    }
    if (!a.dry_run) {
        if ((rc = sv_store_open(&store, a.l.store, schema, &err)) != 0 ||
            (rc = collect_roster_open(&roster, a.l.store, true, &err)) != 0)
            goto fail;
    }
    if ((rc = collect_launch_connect(&a.l, &err)) != 0)
        goto fail;
    if ((rc = collect_ls_attrs_resolve(&attrs, a.l.ls, a.l.sid, a.l.id_attr, a.l.id_none, survey,
                                       &list, &err)) != 0)
        goto fail;
    if (!attrs.id && !a.l.id_none) {
        long shared = shared_emails(a.members, &list);
        if (shared != 0) {
            if (shared < 0) {
                rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                goto fail;
            }
            exit_code = sv_fail(SV_EXIT_DATA, "%s: %ld shared e-mail%s: nobody was added",
                                a.members, shared, shared > 1 ? "s" : "");
            goto done;
        }
        sv_note("survey %ld: no participant attribute is described as the member id "
                "(member_id): members are matched on e-mail",
                a.l.sid);
    }
    if ((rc = collect_ls_participants_list(a.l.ls, a.l.sid, attrs.id, a.l.page_size, false, &have,
                                           &err)) != 0)
        goto fail;
    if (have.no_table) {
        if (a.dry_run) {
            sv_note("survey %ld has no participant table: it would be created", a.l.sid);
        } else {
            if ((rc = collect_ls_attrs_new_table(&attrs, &list, &err)) != 0 ||
                (rc = collect_ls_create_table(a.l.ls, a.l.sid, &attrs, &err)) != 0)
                goto fail;
            char what[256] = "";
            size_t used = 0;
            for (size_t k = 0; k < 9; k++) {
                const char *nm = k == 0 ? attrs.id : (k - 1 < list.nvars ? attrs.strata[k - 1] : NULL);
                if (nm && used < sizeof what)
                    used += (size_t)snprintf(what + used, sizeof what - used, "%s%s (%s)",
                                             used ? ", " : " with ", nm,
                                             k == 0 ? "member id" : list.vars[k - 1]);
            }
            sv_note("survey %ld: participant table created%s", a.l.sid, what);
        }
    }
    if (!(todo = calloc(list.n, sizeof *todo))) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    /* members already there: recorded (again) in the store, not sent */
    if (roster && (rc = collect_roster_begin(roster, &err)) != 0)
        goto fail;
    for (size_t i = 0; i < list.n; i++) {
        const struct collect_ls_participant *p = match(&have, &list.v[i]);
        if (!p) {
            todo[ntodo++] = &list.v[i];
            continue;
        }
        present++;
        if (roster && (rc = collect_roster_put(roster, a.l.source, &list.v[i], &list, p->tid,
                                               p->token, p->completed, &err)) != 0) {
            collect_roster_rollback(roster);
            goto fail;
        }
    }
    if (roster && (rc = collect_roster_commit(roster, &err)) != 0)
        goto fail;

    if (a.dry_run) {
        if (write_dry_run(&list, todo, ntodo) != 0) {
            rc = sv_error_set(&err, SV_EIO, "stdout", 0, 0, "write failed");
            goto fail;
        }
        if (!sv_cli_quiet())
            fprintf(stderr, "%s: dry run: members %zu, would add %zu, already participants %ld\n",
                    sv_cli_progname(), list.n, ntodo, present);
        goto done;
    }

    /* add_participants is not safe to repeat blindly: a lost reply may have added them */
    collect_http_set_retries(a.l.conn, 0);
    summary = true;
    bool warned_attr = false;
    for (size_t off = 0; off < ntodo; off += (size_t)a.batch) {
        size_t n = ntodo - off < (size_t)a.batch ? ntodo - off : (size_t)a.batch;
        if (collect_interrupted()) {
            rc = sv_error_set(&err, SV_ERROR, NULL, 0, 0, "interrupted");
            goto fail;
        }
        rc = collect_ls_participants_add(a.l.ls, a.l.sid, &attrs, "fr",
                                         (const struct collect_member *const *)(todo + off), n,
                                         &list, &added, &err);
        if (rc)
            goto fail;
        if ((rc = collect_roster_begin(roster, &err)) != 0)
            goto fail;
        for (size_t i = 0; i < n; i++) {
            const struct collect_member *m = todo[off + i];
            const struct collect_ls_participant *p = &added.v[i];
            if (p->error) {
                refused++;
                if (!sv_cli_quiet())
                    fprintf(stderr, "%s: %s:%ld: member '%s' refused by the server: %s\n",
                            sv_cli_progname(), a.members, m->line, m->id, p->error);
                continue;
            }
            nadded++;
            if (attrs.id && !warned_attr &&
                (!p->member_id || strcmp(p->member_id, m->id) != 0)) {
                sv_warn("the participant table of survey %ld has no '%s' (LimeSurvey dropped "
                        "it): members are matched on e-mail (add the attribute in LimeSurvey, "
                        "or use --id-attribute none)",
                        a.l.sid, attrs.id);
                warned_attr = true;
            }
            if ((rc = collect_roster_put(roster, a.l.source, m, &list, p->tid, p->token,
                                         p->completed, &err)) != 0) {
                collect_roster_rollback(roster);
                goto fail;
            }
        }
        collect_ls_participants_release(&added);
        if ((rc = collect_roster_commit(roster, &err)) != 0)
            goto fail;
        if (!sv_cli_quiet())
            fprintf(stderr, "%s: batch %zu: added %ld of %zu\n", sv_cli_progname(),
                    off / (size_t)a.batch + 1, nadded, ntodo);
    }
    if (refused > 0)
        exit_code = sv_fail(SV_EXIT_EXTERNAL,
                            "survey %ld: the server refused %ld member%s (see "
                            "above); the others were added",
                            a.l.sid, refused, refused > 1 ? "s" : "");
    goto done;
fail:
    if (err.code == 0)
        err.code = rc;
    if (collect_interrupted()) {
        sv_error_clear(&err);
        sv_error_set(&err, SV_ERROR, NULL, 0, 0,
                     "interrupted: the participants already added are kept; run the same "
                     "command to go on");
    }
    exit_code = sv_fail_error(&err);
done:
    if (summary && (!sv_cli_quiet() || exit_code != 0))
        fprintf(stderr, "%s: members %zu, added %ld, already participants %ld, refused %ld\n",
                sv_cli_progname(), list.n, nadded, present, refused);
    collect_ls_participants_release(&added);
    collect_ls_participants_release(&have);
    collect_ls_attrs_release(&attrs);
    free(todo);
    collect_launch_release(&a.l);
    collect_roster_close(roster);
    sv_store_close(store);
    collect_members_release(&list);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}
