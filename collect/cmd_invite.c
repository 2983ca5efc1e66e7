/*
 * collect invite / collect remind: have LimeSurvey mail the survey's
 * participants, batch after batch (the server sends at most its `maxemails`
 * per call and says "<N> left to send") until nothing is left or it answers
 * "No candidate tokens".
 *
 * Nobody is mailed twice by one run: invitations go only to participants not
 * yet invited (unless --resend, which mails an explicit list once, without
 * retries), reminders only to those not reminded for --min-days; a server
 * that offers the same participant twice in a run, or makes no progress,
 * stops the run. The store's participants table then gets the mail state.
 */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_RESEND = COLLECT_OPT_FIRST_OWN, OPT_MIN_DAYS, OPT_MAX_REMINDERS, OPT_BATCH };

static const struct sv_option invite_options[] = {
    {"resend", OPT_RESEND, NULL, "invite again those already invited who have not answered"},
    {"batch", OPT_BATCH, "N",
     "--resend: participants per call (default 50, at most the server's maxemails)"},
    COLLECT_LAUNCH_OPTIONS,
    {0, 0, NULL, NULL},
};

static const struct sv_option remind_options[] = {
    {"min-days", OPT_MIN_DAYS, "N",
     "only those invited or reminded at least N days ago (default 7)"},
    {"max-reminders", OPT_MAX_REMINDERS, "N",
     "only those reminded fewer than N times (default: no limit)"},
    COLLECT_LAUNCH_OPTIONS,
    {0, 0, NULL, NULL},
};

struct mail_args {
    struct collect_launch l;
    bool remind;
    bool resend;
    long min_days, max_reminders, batch;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct mail_args *a = ctx;
    int rc = collect_launch_option(&a->l, key, v);
    if (rc >= 0)
        return rc;
    switch (key) {
    case OPT_RESEND:
        a->resend = true;
        break;
    case OPT_MIN_DAYS:
        if (sv_parse_long(v, 1, 3650, &a->min_days) != 0)
            return sv_usage_error(
                "--min-days: expected a whole number of days from 1 to 3650, not '%s'", v);
        break;
    case OPT_MAX_REMINDERS:
        if (sv_parse_long(v, 1, 1000, &a->max_reminders) != 0)
            return sv_usage_error(
                "--max-reminders: expected a whole number from 1 to 1000, not '%s'", v);
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

struct tidset {
    long *v;
    size_t n, cap;
};

static bool tidset_has(const struct tidset *t, long tid)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i] == tid)
            return true;
    return false;
}

static int tidset_add(struct tidset *t, long tid)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        long *v = realloc(t->v, cap * sizeof *v);
        if (!v)
            return SV_ENOMEM;
        t->v = v;
        t->cap = cap;
    }
    t->v[t->n++] = tid;
    return 0;
}

struct run {
    long sent, failed, left, batches;
    struct tidset mailed;  /* participants mailed in this run */
    struct tidset failing; /* participants whose mail failed in this run */
};

/*
 * Count one batch, report it, and check that the server is making progress.
 * Returns 0 to go on, 1 when only participants whose mail already failed are
 * left (LimeSurvey offers them again each time), or SV_E*.
 */
static int take_batch(struct mail_args *a, struct run *r, const struct collect_ls_mail *m,
                      long prev_left, struct sv_error *err)
{
    r->batches++;
    long fresh = 0;
    for (size_t i = 0; i < m->ntids; i++) {
        long tid = m->tids[i];
        if (tid < 0) {
            fresh++;
            if (m->ok[i])
                r->sent++;
            else
                r->failed++;
            continue;
        }
        if (m->ok[i]) {
            if (tidset_has(&r->mailed, tid))
                return sv_error_set(err, SV_EEXTERNAL, collect_ls_source(a->l.ls), 0, 0,
                                    "the server mailed participant %ld a second time in this "
                                    "run; stopped so that nobody gets more mails",
                                    tid);
            if (tidset_add(&r->mailed, tid) != 0)
                return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            r->sent++;
            fresh++;
        } else if (!tidset_has(&r->failing, tid)) {
            if (tidset_add(&r->failing, tid) != 0)
                return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            r->failed++;
            fresh++;
        }
    }
    r->left = m->left;
    if (!sv_cli_quiet()) {
        fprintf(stderr, "%s: batch %ld: sent %ld, failed %ld, %ld left to send\n",
                sv_cli_progname(), r->batches, m->sent, m->failed, m->left);
        if (m->failed)
            fprintf(stderr, "%s: warning: batch %ld: %ld not sent (participant %ld: %s)\n",
                    sv_cli_progname(), r->batches, m->failed, m->failure_tid, m->failure);
    }
    if (m->left > 0 && m->ntids == 0)
        return sv_error_set(err, SV_EEXTERNAL, collect_ls_source(a->l.ls), 0, 0,
                            "the server mailed nobody but says %ld left to send; stopped", m->left);
    if (m->left > 0 && fresh == 0)
        return 1; /* only the failing ones again */
    if (m->left > 0 && m->sent == 0 && prev_left >= 0 && m->left > prev_left)
        return sv_error_set(err, SV_EEXTERNAL, collect_ls_source(a->l.ls), 0, 0,
                            "no mail went out and %ld are left, more than before; stopped",
                            m->left);
    return 0;
}

/* What the platform says of each participant after (or before) the mails. */
struct state {
    struct collect_ls_participants p;
    char **answered; /* answered[i]: submit date of a complete response by p.v[i]'s token */
};

static void state_release(struct state *st)
{
    if (st->answered)
        for (size_t i = 0; i < st->p.n; i++)
            free(st->answered[i]);
    free(st->answered);
    collect_ls_participants_release(&st->p);
    memset(st, 0, sizeof *st);
}

static bool flag_set(const char *v)
{
    return v && *v && strcmp(v, "N") != 0;
}

/* Completed: the participant flag, or a complete response under its token. */
static const char *completed_at(const struct state *st, size_t i)
{
    if (flag_set(st->p.v[i].completed))
        return st->p.v[i].completed;
    return st->answered ? st->answered[i] : NULL;
}

/*
 * List the participants with their mail state, and read completion from the
 * responses by token: LimeSurvey's `completed` flag is not set by add_response
 * or an import (recorded: list_participants.after_responses), and one token
 * may have an abandoned and a completed response.
 */
static int state_read(struct mail_args *a, struct state *st, struct sv_error *err)
{
    memset(st, 0, sizeof *st);
    int rc = collect_ls_participants_list(a->l.ls, a->l.sid, NULL, a->l.page_size, true, &st->p,
                                          err);
    if (rc || st->p.no_table || st->p.n == 0)
        return rc;
    const char **tokens = calloc(st->p.n, sizeof *tokens);
    size_t *at = calloc(st->p.n, sizeof *at);
    char **done = calloc(st->p.n, sizeof *done);
    st->answered = calloc(st->p.n, sizeof *st->answered);
    if (!tokens || !at || !done || !st->answered) {
        free(tokens);
        free(at);
        free(done);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    size_t n = 0;
    for (size_t i = 0; i < st->p.n; i++)
        if (st->p.v[i].token && *st->p.v[i].token && !flag_set(st->p.v[i].completed)) {
            tokens[n] = st->p.v[i].token;
            at[n++] = i;
        }
    if (n > 0)
        rc = collect_ls_completed_by_token(a->l.ls, a->l.sid, tokens, n, done, err);
    for (size_t k = 0; k < n; k++) {
        if (rc == 0)
            st->answered[at[k]] = done[k];
        else
            free(done[k]);
    }
    free(tokens);
    free(at);
    free(done);
    return rc;
}

/* Refresh the store's mail state from what the platform says (sent, reminders, completed). */
static int refresh_store(struct mail_args *a, struct collect_roster *roster, const struct state *st,
                         struct sv_error *err)
{
    int rc = collect_roster_begin(roster, err);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < st->p.n; i++)
        rc = collect_roster_mail_state(roster, a->l.source, st->p.v[i].tid, st->p.v[i].sent,
                                       st->p.v[i].reminders, completed_at(st, i), err);
    if (rc == 0)
        rc = collect_roster_commit(roster, err);
    else
        collect_roster_rollback(roster);
    return rc;
}

/*
 * After the invitations: who is still not invited although the server could
 * mail them (an access code, e-mail status OK, not completed). This, not the
 * server's "0 left to send" (which counts failed sends as done), is what is
 * left. Reports each of them once.
 */
static long still_uninvited(const struct state *st, const struct run *r)
{
    long left = 0;
    for (size_t i = 0; i < st->p.n; i++) {
        const struct collect_ls_participant *x = &st->p.v[i];
        if (!x->token || !*x->token || flag_set(x->sent) || completed_at(st, i) ||
            (x->emailstatus && strcmp(x->emailstatus, "OK") != 0))
            continue;
        left++;
        if (left <= 20 && !sv_cli_quiet())
            fprintf(stderr, "%s: warning: participant %ld (%s) is still not invited%s\n",
                    sv_cli_progname(), x->tid, x->email ? x->email : "no e-mail",
                    tidset_has(&r->failing, x->tid) ? ": its mail failed in this run" : "");
    }
    if (left > 20 && !sv_cli_quiet())
        fprintf(stderr, "%s: warning: and %ld more participants not invited\n", sv_cli_progname(),
                left - 20);
    return left;
}

/* --resend: the invited who have not answered, by explicit lists, each list once. */
static int resend(struct mail_args *a, struct run *r, const struct state *st, struct sv_error *err)
{
    int rc = 0;
    long *tids = calloc(st->p.n ? st->p.n : 1, sizeof *tids);
    size_t n = 0;
    if (!tids)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < st->p.n; i++)
        if (flag_set(st->p.v[i].sent) && !completed_at(st, i))
            tids[n++] = st->p.v[i].tid;
    /* an explicit list must never be mailed twice: no retry after a lost reply */
    collect_http_set_retries(a->l.conn, 0);
    long kept_total = 0; /* kept back by the server: reported as left, never asked again */
    r->left = (long)n;
    for (size_t off = 0; rc == 0 && off < n; off += (size_t)a->batch) {
        size_t k = n - off < (size_t)a->batch ? n - off : (size_t)a->batch;
        struct collect_ls_mail m;
        if (collect_interrupted()) {
            rc = sv_error_set(err, SV_ERROR, NULL, 0, 0, "interrupted");
            break;
        }
        rc = collect_ls_mail_batch(a->l.ls, false, a->l.sid, true, 0, 0, tids + off, k, &m, err);
        if (rc == 0) {
            /* asking again for what the server kept back of this list would mail the
               others of the list a second time. Kept back: the tids of the list absent
               from the reply (its "N left to send" is of no use here: re-sending, it
               says "-2 left to send", recorded) */
            long kept = 0;
            for (size_t i = 0; !m.none && i < k; i++) {
                bool in = false;
                for (size_t j = 0; j < m.ntids && !in; j++)
                    in = m.tids[j] == tids[off + i];
                kept += !in;
            }
            kept_total += kept;
            m.left = (long)(n - off - k) + kept_total;
            rc = take_batch(a, r, &m, -1, err);
            if (rc > 0)
                rc = 0;
            if (kept > 0 && rc == 0)
                sv_warn("batch %ld: the server kept back %ld of %zu: give a --batch no larger "
                        "than its maxemails",
                        r->batches, kept, k);
        }
        collect_ls_mail_release(&m);
    }
    free(tids);
    return rc;
}

/*
 * Reminders by an explicit list: used when some participants answered
 * (a complete response under their token) but LimeSurvey's flag still says
 * not completed, so that its own choice would remind them. Each call mails at
 * most the server's maxemails of the list; those it mailed or tried leave the
 * list, and the loop ends when the server takes nobody more from it (the
 * others are not due: --min-days, --max-reminders).
 */
static int remind_list(struct mail_args *a, struct run *r, const struct state *st,
                       struct sv_error *err)
{
    long *tids = calloc(st->p.n ? st->p.n : 1, sizeof *tids);
    size_t n = 0;
    if (!tids)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < st->p.n; i++) {
        const struct collect_ls_participant *x = &st->p.v[i];
        if (x->token && *x->token && flag_set(x->sent) && !completed_at(st, i) &&
            (!x->emailstatus || strcmp(x->emailstatus, "OK") == 0) &&
            (a->max_reminders <= 0 || x->reminders < a->max_reminders))
            tids[n++] = x->tid;
    }
    collect_http_set_retries(a->l.conn, 0);
    int rc = 0;
    while (rc == 0 && n > 0) {
        struct collect_ls_mail m;
        if (collect_interrupted()) {
            rc = sv_error_set(err, SV_ERROR, NULL, 0, 0, "interrupted");
            break;
        }
        rc = collect_ls_mail_batch(a->l.ls, true, a->l.sid, false, a->min_days, a->max_reminders,
                                   tids, n, &m, err);
        if (rc)
            break;
        size_t kept = 0;
        for (size_t i = 0; i < n; i++) {
            bool taken = false;
            for (size_t j = 0; j < m.ntids && !taken; j++)
                taken = m.tids[j] == tids[i];
            if (!taken)
                tids[kept++] = tids[i];
        }
        bool progress = !m.none && kept < n;
        n = kept;
        if (!m.none) {
            m.left = (long)n; /* the server's count is of all its candidates, not of the list */
            rc = take_batch(a, r, &m, -1, err);
            if (rc > 0)
                rc = 0;
        }
        collect_ls_mail_release(&m);
        if (!progress) {
            r->left = 0; /* the rest of the list is not due yet */
            break;
        }
    }
    if (rc == 0 && n == 0)
        r->left = 0;
    free(tids);
    return rc;
}

static int cmd_mail(int argc, char **argv, bool remind)
{
    struct mail_args a;
    memset(&a, 0, sizeof a);
    collect_launch_init(&a.l);
    a.remind = remind;
    a.min_days = 7;
    a.batch = 50;
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(
        argc, argv, remind ? remind_options : invite_options,
        remind ? "collect remind --survey S --platform limesurvey --url URL --survey-id N "
                 "[--store FILE] [--min-days N] [--max-reminders N]"
               : "collect invite --survey S --platform limesurvey --url URL --survey-id N "
                 "[--store FILE] [--resend]",
        remind ? "Have LimeSurvey send its reminder to the participants who have not answered,\n"
                 "were invited and were not reminded for --min-days days, batch after batch.\n"
                 "With --store, the store's participants table gets the mail state."
               : "Have LimeSurvey send its invitation to the participants not yet invited, batch\n"
                 "after batch, until none is left. Nobody is invited twice unless --resend.\n"
                 "With --store, the store's participants table gets the mail state.",
        on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if ((rc = collect_launch_check(&a.l, false)) != 0)
        return rc;

    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_schema *schema = NULL;
    struct sv_store *store = NULL;
    struct collect_roster *roster = NULL;
    struct run r;
    memset(&r, 0, sizeof r);
    struct state st;
    memset(&st, 0, sizeof st);
    long answered_unflagged = 0;
    r.left = -1;
    bool summary = false;
    int exit_code = SV_EXIT_OK;
    const char *what = remind ? "reminders" : "invitations";

    if ((rc = sv_survey_load(&survey, a.l.survey, &err)) != 0 ||
        (rc = sv_schema_new(&schema, survey, &err)) != 0)
        goto fail;
    if (a.l.store && ((rc = sv_store_open(&store, a.l.store, schema, &err)) != 0 ||
                      (rc = collect_roster_open(&roster, a.l.store, true, &err)) != 0))
        goto fail;
    if ((rc = collect_launch_connect(&a.l, &err)) != 0)
        goto fail;
    summary = true;
    if (a.resend || remind) {
        if ((rc = state_read(&a, &st, &err)) != 0)
            goto fail;
        if (st.p.no_table) {
            rc = sv_error_set(&err, SV_EEXTERNAL, collect_ls_source(a.l.ls), 0, 0,
                              "survey %ld has no participant table (run 'collect participants' "
                              "first)",
                              a.l.sid);
            goto fail;
        }
        for (size_t i = 0; i < st.p.n; i++)
            if (!flag_set(st.p.v[i].completed) && st.answered && st.answered[i])
                answered_unflagged++;
    }
    if (a.resend) {
        if ((rc = resend(&a, &r, &st, &err)) != 0)
            goto fail;
    } else if (remind && answered_unflagged > 0) {
        sv_note("%ld participant%s answered (a complete response under their access code) but "
                "LimeSurvey does not mark them completed: they are left out of the reminders",
                answered_unflagged, answered_unflagged > 1 ? "s" : "");
        if ((rc = remind_list(&a, &r, &st, &err)) != 0)
            goto fail;
    } else {
        long prev_left = -1;
        for (;;) {
            struct collect_ls_mail m;
            if (collect_interrupted()) {
                rc = sv_error_set(&err, SV_ERROR, NULL, 0, 0, "interrupted");
                goto fail;
            }
            rc = collect_ls_mail_batch(a.l.ls, remind, a.l.sid, false, a.min_days, a.max_reminders,
                                       NULL, 0, &m, &err);
            if (rc)
                goto fail;
            if (m.none) {
                if (r.batches == 0)
                    sv_note(remind ? "nobody to remind: every participant has answered, was "
                                     "reminded or invited less than %ld days ago, or is at "
                                     "--max-reminders"
                                   : "nobody to invite: every participant with a valid e-mail "
                                     "was invited already (--resend invites them again)",
                            a.min_days);
                r.left = 0;
                collect_ls_mail_release(&m);
                break;
            }
            rc = take_batch(&a, &r, &m, prev_left, &err);
            collect_ls_mail_release(&m);
            if (rc < 0)
                goto fail;
            if (rc > 0) {
                rc = 0;
                break; /* what is left failed already in this run */
            }
            if (r.left == 0)
                break;
            prev_left = r.left;
        }
    }
    /* what the platform now says, not its "N left to send" */
    state_release(&st);
    if ((rc = state_read(&a, &st, &err)) != 0)
        goto fail;
    if (!remind && !a.resend) {
        long left = still_uninvited(&st, &r);
        if (left != r.left && !sv_cli_quiet())
            fprintf(stderr,
                    "%s: warning: the server said %ld left to send; %ld participants are "
                    "still not invited\n",
                    sv_cli_progname(), r.left, left);
        r.left = left;
    }
    if (roster && (rc = refresh_store(&a, roster, &st, &err)) != 0)
        goto fail;
    if (r.failed > 0)
        exit_code = sv_fail(SV_EXIT_EXTERNAL,
                            "survey %ld: %ld %s could not be sent (see the "
                            "warnings above)",
                            a.l.sid, r.failed, what);
    else if (r.left > 0)
        exit_code = sv_fail(SV_EXIT_EXTERNAL,
                            "survey %ld: %ld %s left unsent (see the warnings "
                            "above)",
                            a.l.sid, r.left, what);
    goto done;
fail:
    if (err.code == 0)
        err.code = rc;
    if (collect_interrupted()) {
        sv_error_clear(&err);
        sv_error_set(&err, SV_ERROR, NULL, 0, 0,
                     "interrupted: the mails already sent are recorded by the server; run the "
                     "same command to go on");
    }
    /* what went out before the failure is still worth recording */
    if (roster && summary && a.l.ls && !collect_interrupted()) {
        struct sv_error ignore;
        /* one try: the server may be the reason of the failure */
        collect_http_set_retries(a.l.conn, 0);
        state_release(&st);
        if (state_read(&a, &st, &ignore) == 0)
            refresh_store(&a, roster, &st, &ignore);
    }
    exit_code = sv_fail_error(&err);
done:
    if (summary && (!sv_cli_quiet() || exit_code != 0)) {
        if (r.left >= 0)
            fprintf(stderr, "%s: %s: sent %ld, failed %ld, left %ld\n", sv_cli_progname(), what,
                    r.sent, r.failed, r.left);
        else
            fprintf(stderr, "%s: %s: sent %ld, failed %ld\n", sv_cli_progname(), what, r.sent,
                    r.failed);
    }
    free(r.mailed.v);
    free(r.failing.v);
    state_release(&st);
    collect_launch_release(&a.l);
    collect_roster_close(roster);
    sv_store_close(store);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}

int collect_cmd_invite(int argc, char **argv)
{
    return cmd_mail(argc, argv, false);
}

int collect_cmd_remind(int argc, char **argv)
{
    return cmd_mail(argc, argv, true);
}
