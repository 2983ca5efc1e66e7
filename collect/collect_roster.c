/*
 * collect_roster: the participants table of a survey's store (see collect.h).
 *
 * participants(source, member_id, name, email, strata, tid, token_sha256, sent,
 *              reminders, completed, added_at, updated_at,
 *              PRIMARY KEY(source, member_id))
 * `strata` is a JSON object {variable: code} of the member list's strata, so
 * that `collect status` can count invited, reminded and responding members
 * per stratum. The table's layout is versioned by meta 'participants_format'
 * (1); a store without it is migrated by adding the table, nothing else
 * changes, so older stores keep working with every command.
 *
 * The store is the same SQLite file sv_store opens; a second connection is
 * fine in WAL mode. sqlite3 and jansson stay in this file.
 */
#include "collect.h"
#include "sv_record.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROSTER_FORMAT 1

struct collect_roster {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *put;
    sqlite3_stmt *mail;
};

static int db_error(struct collect_roster *r, struct sv_error *err, const char *what)
{
    return sv_error_set(err, SV_EIO, r->path, 0, 0, "store: %s: %s", what, sqlite3_errmsg(r->db));
}

static int exec_sql(struct collect_roster *r, const char *sql, struct sv_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sv_error_set(err, SV_EIO, r->path, 0, 0, "store: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

/* meta 'participants_format' as a number: 0 when absent, -1 on error. */
static long format_of(struct collect_roster *r)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db, "SELECT value FROM meta WHERE key='participants_format'", -1, &q,
                           NULL) != SQLITE_OK)
        return -1;
    long v = 0;
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW)
        v = sqlite3_column_int64(q, 0);
    else if (step != SQLITE_DONE)
        v = -1;
    sqlite3_finalize(q);
    return v;
}

void collect_roster_close(struct collect_roster *r)
{
    if (!r)
        return;
    sqlite3_finalize(r->put);
    sqlite3_finalize(r->mail);
    sqlite3_close(r->db);
    free(r->path);
    free(r);
}

int collect_roster_open(struct collect_roster **out, const char *path, bool create,
                        struct sv_error *err)
{
    *out = NULL;
    struct collect_roster *r = calloc(1, sizeof *r);
    if (!r || !(r->path = sv_strdup(path))) {
        free(r);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = 0;
    /* readers (status) never write: read-only unless the table may be added */
    if (sqlite3_open_v2(path, &r->db, create ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY,
                        NULL) != SQLITE_OK) {
        rc = sv_error_set(err, SV_EIO, path, 0, 0, "cannot open store: %s",
                          r->db ? sqlite3_errmsg(r->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(r->db, 5000);
    long fmt = format_of(r);
    if (fmt < 0 && !create) {
        /*
         * A reader that may not create the WAL's -shm file (another user's
         * store, a read-only mount) reads the file as immutable, as sv_store does.
         */
        sqlite3_close(r->db);
        r->db = NULL;
        struct sv_buf uri = SV_BUF_INIT;
        int bad = sv_buf_adds(&uri, "file:");
        for (const char *p = path; !bad && *p; p++)
            bad = (*p == '?' || *p == '#' || *p == '%') ? sv_buf_addf(&uri, "%%%02X", (unsigned char)*p)
                                                        : sv_buf_addc(&uri, *p);
        if (bad || sv_buf_adds(&uri, "?immutable=1") ||
            sqlite3_open_v2(uri.data, &r->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) !=
                SQLITE_OK) {
            sv_buf_release(&uri);
            rc = sv_error_set(err, SV_EIO, path, 0, 0, "cannot open store: %s",
                              r->db ? sqlite3_errmsg(r->db) : "out of memory");
            goto fail;
        }
        sv_buf_release(&uri);
        fmt = format_of(r);
    }
    if (fmt < 0) {
        rc = db_error(r, err, "reading meta");
        goto fail;
    }
    if (fmt > ROSTER_FORMAT) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0,
                          "participants table format %ld is newer than this collect's (%d)", fmt,
                          ROSTER_FORMAT);
        goto fail;
    }
    if (fmt == 0) {
        if (!create) {
            collect_roster_close(r);
            return 0;
        }
        /* migration: stores made before participants gain the table, nothing else */
        rc = exec_sql(r,
                      "BEGIN IMMEDIATE;"
                      "CREATE TABLE IF NOT EXISTS participants(source TEXT NOT NULL,"
                      " member_id TEXT NOT NULL, name TEXT, email TEXT, strata TEXT,"
                      " tid INTEGER, token_sha256 TEXT, sent TEXT, reminders INTEGER, completed TEXT,"
                      " added_at TEXT, updated_at TEXT, PRIMARY KEY(source, member_id));"
                      "CREATE INDEX IF NOT EXISTS participants_tid ON participants(source, tid);"
                      "INSERT OR REPLACE INTO meta(key, value) VALUES('participants_format', '1');"
                      "COMMIT;",
                      err);
        if (rc) {
            sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
            goto fail;
        }
    }
    if (sqlite3_prepare_v2(
            r->db,
            "INSERT INTO participants(source, member_id, name, email, strata, tid, token_sha256,"
            " completed, added_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)"
            " ON CONFLICT(source, member_id) DO UPDATE SET name=excluded.name,"
            " email=excluded.email, strata=excluded.strata, tid=excluded.tid,"
            " token_sha256=excluded.token_sha256,"
            " completed=coalesce(excluded.completed, completed),"
            " updated_at=excluded.updated_at",
            -1, &r->put, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(r->db,
                           "UPDATE participants SET sent=coalesce(?3, sent),"
                           " reminders=coalesce(?4, reminders), completed=coalesce(?5, completed),"
                           " updated_at=?6 WHERE source=?1 AND tid=?2",
                           -1, &r->mail, NULL) != SQLITE_OK) {
        rc = db_error(r, err, "participants");
        goto fail;
    }
    *out = r;
    return 0;
fail:
    collect_roster_close(r);
    return rc;
}

int collect_roster_begin(struct collect_roster *r, struct sv_error *err)
{
    return exec_sql(r, "BEGIN IMMEDIATE", err);
}

int collect_roster_commit(struct collect_roster *r, struct sv_error *err)
{
    return exec_sql(r, "COMMIT", err);
}

void collect_roster_rollback(struct collect_roster *r)
{
    sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

int collect_roster_put(struct collect_roster *r, const char *source, const struct collect_member *m,
                       const struct collect_members *list, long tid, const char *token,
                       const char *completed, struct sv_error *err)
{
    json_t *strata = json_object();
    for (size_t i = 0; strata && i < list->nvars; i++)
        if (json_object_set_new(strata, list->vars[i], json_string(m->strata[i])) != 0) {
            json_decref(strata);
            strata = NULL;
        }
    char *js = strata ? json_dumps(strata, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(strata);
    if (!js)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    char now[32];
    now_iso(now);
    sqlite3_stmt *q = r->put;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, m->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, m->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, m->email, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, js, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 6, tid);
    /*
     * The access token is a credential (anyone holding it answers as the
     * member): the store keeps only its fingerprint, enough to recognise the
     * token on a response later. Tokens are long random strings, so the hash
     * cannot be turned back into one.
     */
    char hex[65];
    if (token && *token) {
        sv_hmac_sha256_hex("vigie participant token", token, hex);
        sqlite3_bind_text(q, 7, hex, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_null(q, 7);
    }
    if (completed)
        sqlite3_bind_text(q, 8, completed, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 8);
    sqlite3_bind_text(q, 9, now, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(q);
    sqlite3_reset(q);
    free(js);
    return step == SQLITE_DONE ? 0 : db_error(r, err, "saving a participant");
}

int collect_roster_mail_state(struct collect_roster *r, const char *source, long tid,
                              const char *sent, long reminders, const char *completed,
                              struct sv_error *err)
{
    char now[32];
    now_iso(now);
    sqlite3_stmt *q = r->mail;
    sqlite3_reset(q);
    sqlite3_bind_text(q, 1, source, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 2, tid);
    if (sent)
        sqlite3_bind_text(q, 3, sent, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 3);
    if (reminders >= 0)
        sqlite3_bind_int64(q, 4, reminders);
    else
        sqlite3_bind_null(q, 4);
    if (completed)
        sqlite3_bind_text(q, 5, completed, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q, 5);
    sqlite3_bind_text(q, 6, now, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(q);
    sqlite3_reset(q);
    return step == SQLITE_DONE ? 0 : db_error(r, err, "saving the mail state");
}

/* LimeSurvey's "N" means not yet; a date (or "Y") means done. */
static bool done(const unsigned char *v)
{
    return v && *v && strcmp((const char *)v, "N") != 0;
}

int collect_roster_foreach(struct collect_roster *r, const char *const *vars, size_t nvars,
                           int (*fn)(const char *const *codes, bool invited, bool reminded,
                                     bool completed, void *ctx),
                           void *ctx, struct sv_error *err)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(r->db,
                           "SELECT strata, sent, reminders, completed FROM participants"
                           " ORDER BY source, member_id",
                           -1, &q, NULL) != SQLITE_OK)
        return db_error(r, err, "reading participants");
    int rc = 0, step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *js = (const char *)sqlite3_column_text(q, 0);
        json_t *strata = js ? json_loads(js, 0, NULL) : NULL;
        const char *codes[8] = {0};
        for (size_t i = 0; i < nvars && i < 8; i++) {
            json_t *c = json_is_object(strata) ? json_object_get(strata, vars[i]) : NULL;
            codes[i] = json_is_string(c) ? json_string_value(c) : NULL;
        }
        long reminders = sqlite3_column_type(q, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(q, 2);
        rc = fn(codes, done(sqlite3_column_text(q, 1)), reminders > 0,
                done(sqlite3_column_text(q, 3)), ctx);
        json_decref(strata);
        if (rc)
            break;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(r, err, "reading participants");
    sqlite3_finalize(q);
    return rc;
}

/* ---------------------------------------------------------------- launches */

/*
 * launches(survey, version, platform, url, platform_id, link, state,
 *          fingerprint, launched_at, PRIMARY KEY(survey, version, platform, url))
 * One row per definition version put on a platform by `collect launch`
 * (state 'imported' while the launch is under way, 'active' once done), so
 * that a second launch of the same version changes nothing. Versioned by meta
 * 'launches_format' (1); older stores gain the table when a launch first
 * writes to them. No credential or access code is kept.
 */
#define LAUNCHES_FORMAT "1"

static int launches_db(sqlite3 **db, const char *path, bool create, struct sv_error *err)
{
    if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        int rc = sv_error_set(err, SV_EIO, path, 0, 0, "cannot open store: %s",
                              *db ? sqlite3_errmsg(*db) : "out of memory");
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    sqlite3_busy_timeout(*db, 5000);
    if (!create)
        return 0;
    char *msg = NULL;
    if (sqlite3_exec(*db,
                     "CREATE TABLE IF NOT EXISTS launches(survey TEXT NOT NULL, version TEXT NOT "
                     "NULL, platform TEXT NOT NULL, url TEXT NOT NULL, platform_id TEXT, link TEXT,"
                     " state TEXT, fingerprint TEXT, launched_at TEXT,"
                     " PRIMARY KEY(survey, version, platform, url));"
                     "INSERT OR IGNORE INTO meta(key, value) VALUES('launches_format', '" LAUNCHES_FORMAT
                     "');",
                     NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sv_error_set(err, SV_EIO, path, 0, 0, "store: launches: %s", msg ? msg : "error");
        sqlite3_free(msg);
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    return 0;
}

static char *col_dup(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? sv_strdup((const char *)t) : NULL;
}

void collect_launch_record_release(struct collect_launch_record *r)
{
    free(r->platform_id);
    free(r->link);
    free(r->state);
    free(r->fingerprint);
    free(r->launched_at);
    memset(r, 0, sizeof *r);
}

int collect_launches_get(const char *path, const char *survey, const char *version,
                         const char *platform, const char *url, struct collect_launch_record *out,
                         struct sv_error *err)
{
    memset(out, 0, sizeof *out);
    sqlite3 *db = NULL;
    int rc = launches_db(&db, path, false, err);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    /* a store without the table has no launch */
    if (sqlite3_prepare_v2(db,
                           "SELECT platform_id, link, state, fingerprint, launched_at FROM launches"
                           " WHERE survey=?1 AND version=?2 AND platform=?3 AND url=?4",
                           -1, &q, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return 0;
    }
    sqlite3_bind_text(q, 1, survey, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, platform, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, url, -1, SQLITE_TRANSIENT);
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        out->found = true;
        out->platform_id = col_dup(q, 0);
        out->link = col_dup(q, 1);
        out->state = col_dup(q, 2);
        out->fingerprint = col_dup(q, 3);
        out->launched_at = col_dup(q, 4);
    } else if (step != SQLITE_DONE) {
        rc = sv_error_set(err, SV_EIO, path, 0, 0, "store: reading launches: %s",
                          sqlite3_errmsg(db));
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}

int collect_launches_put(const char *path, const char *survey, const char *version,
                         const char *platform, const char *url, const char *platform_id,
                         const char *link, const char *state, const char *fingerprint,
                         struct sv_error *err)
{
    sqlite3 *db = NULL;
    int rc = launches_db(&db, path, true, err);
    if (rc)
        return rc;
    sqlite3_stmt *q = NULL;
    char now[32];
    now_iso(now);
    if (sqlite3_prepare_v2(db,
                           state ? "INSERT INTO launches(survey, version, platform, url, "
                                   "platform_id, link, state, fingerprint, launched_at)"
                                   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
                                   " ON CONFLICT(survey, version, platform, url) DO UPDATE SET"
                                   " platform_id=excluded.platform_id, link=excluded.link,"
                                   " state=excluded.state, fingerprint=excluded.fingerprint,"
                                   " launched_at=excluded.launched_at"
                                 : "DELETE FROM launches WHERE survey=?1 AND version=?2 AND "
                                   "platform=?3 AND url=?4",
                           -1, &q, NULL) != SQLITE_OK) {
        rc = sv_error_set(err, SV_EIO, path, 0, 0, "store: launches: %s", sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    sqlite3_bind_text(q, 1, survey, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, platform, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, url, -1, SQLITE_TRANSIENT);
    if (state) {
        sqlite3_bind_text(q, 5, platform_id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 6, link, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 7, state, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 8, fingerprint, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(q, 9, now, -1, SQLITE_TRANSIENT);
    }
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = sv_error_set(err, SV_EIO, path, 0, 0, "store: saving the launch: %s",
                          sqlite3_errmsg(db));
    sqlite3_finalize(q);
    sqlite3_close(db);
    return rc;
}
