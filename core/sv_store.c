/*
 * sv_store: one SQLite file per survey (see sv_store.h).
 *
 * Layout (format 1):
 *   meta(key PRIMARY KEY, value)            survey id, store format
 *   responses(source, id, submitted, data, raw, fetched_at, complete, review,
 *             PRIMARY KEY(source, id))      complete: 0 for a partial save; review:
 *                                           the platform's review state or NULL
 *                                           (both added to older stores when opened
 *                                           for writing; read as 1 and NULL otherwise)
 *   rejects(source, id, raw, reason, fetched_at, PRIMARY KEY(source, id))
 *   sync_state(source, key, value, PRIMARY KEY(source, key))
 *   participants(...)                       collect's member list -> platform participants,
 *                                           written by collect/collect_roster.c over its
 *                                           own connection (versioned by meta
 *                                           'participants_format'); not read here
 *   launches(...)                           collect launch: definition version -> platform
 *                                           survey (collect/collect_roster.c, versioned
 *                                           by meta 'launches_format'); not read here
 * `data` is a JSON object {column name: canonical value or null}, so a store
 * survives a new version of the definition that adds or removes columns: when
 * read back, columns are matched by name.
 */
#include "sv_store.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sv_buf.h"

#define STORE_FORMAT "1"

struct sv_store {
    sqlite3 *db;
    char *path;
    const struct sv_schema *schema;
    sqlite3_stmt *get;
    sqlite3_stmt *put;
    sqlite3_stmt *del_reject;
    sqlite3_stmt *reject;
    sqlite3_stmt *del_response;
    bool in_tx;
    bool readonly;
    bool has_flags; /* responses has the complete and review columns */
};

static int db_error(struct sv_store *st, struct sv_error *err, const char *what)
{
    return sv_error_set(err, SV_EIO, st->path, 0, 0, "%s: %s", what, sqlite3_errmsg(st->db));
}

static int exec_sql(struct sv_store *st, const char *sql, struct sv_error *err)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sv_error_set(err, SV_EIO, st->path, 0, 0, "store: %s", msg ? msg : "error");
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int prepare(struct sv_store *st, sqlite3_stmt **out, const char *sql,
                   struct sv_error *err)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK)
        return db_error(st, err, "store");
    return 0;
}

static void now_iso(char out[32])
{
    time_t t = time(NULL);
    struct tm tmv;
    gmtime_r(&t, &tmv);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tmv);
}

static int meta_check(struct sv_store *st, struct sv_error *err)
{
    const char *want = st->schema->survey ? st->schema->survey->id : NULL;
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q, "SELECT value FROM meta WHERE key='survey'", err);
    if (rc)
        return rc;
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const char *have = (const char *)sqlite3_column_text(q, 0);
        if (want && have && strcmp(want, have) != 0) {
            rc = sv_error_set(err, SV_EDATA, st->path, 0, 0,
                              "store holds survey '%s', not '%s'", have, want);
        }
        sqlite3_finalize(q);
        return rc;
    }
    sqlite3_finalize(q);
    if (step != SQLITE_DONE)
        return db_error(st, err, "store");
    if (!want || st->readonly)
        return 0;
    rc = prepare(st, &q, "INSERT INTO meta(key, value) VALUES('survey', ?1), ('format', '" STORE_FORMAT "')",
                 err);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, want, -1, SQLITE_TRANSIENT);
    step = sqlite3_step(q);
    sqlite3_finalize(q);
    return step == SQLITE_DONE ? 0 : db_error(st, err, "store");
}

/* True for SQLite's "another connection holds the lock" errors. */
static bool busy_error(const struct sv_error *err)
{
    return err && (strstr(err->text, "locked") || strstr(err->text, "busy"));
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int column_exists(struct sv_store *st, const char *table, const char *column, bool *out,
                         struct sv_error *err)
{
    *out = false;
    sqlite3_stmt *q = NULL;
    char sql[128];
    snprintf(sql, sizeof sql, "PRAGMA table_info(%s)", table);
    int rc = prepare(st, &q, sql, err);
    if (rc)
        return rc;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 1);
        if (name && strcmp(name, column) == 0)
            *out = true;
    }
    sqlite3_finalize(q);
    return step == SQLITE_DONE ? 0 : db_error(st, err, "store");
}

/* The schema, created or brought up to date; in one transaction so that two creators agree. */
static int setup_schema(struct sv_store *st, struct sv_error *err)
{
    int rc = exec_sql(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", err);
    if (rc)
        return rc;
    if ((rc = exec_sql(st, "BEGIN IMMEDIATE", err)) != 0)
        return rc;
    rc = exec_sql(st,
                  "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
                  "CREATE TABLE IF NOT EXISTS responses(source TEXT NOT NULL, id TEXT NOT NULL,"
                  " submitted TEXT, data TEXT NOT NULL, raw TEXT, fetched_at TEXT,"
                  " complete INTEGER NOT NULL DEFAULT 1, review TEXT,"
                  " PRIMARY KEY(source, id));"
                  "CREATE TABLE IF NOT EXISTS rejects(source TEXT NOT NULL, id TEXT NOT NULL,"
                  " raw TEXT, reason TEXT NOT NULL, fetched_at TEXT, PRIMARY KEY(source, id));"
                  "CREATE TABLE IF NOT EXISTS sync_state(source TEXT NOT NULL, key TEXT NOT NULL,"
                  " value TEXT, PRIMARY KEY(source, key));",
                  err);
    bool have = false;
    if (rc == 0)
        rc = column_exists(st, "responses", "complete", &have, err);
    if (rc == 0 && !have)
        rc = exec_sql(st,
                      "ALTER TABLE responses ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;"
                      "ALTER TABLE responses ADD COLUMN review TEXT;",
                      err);
    if (rc == 0)
        rc = meta_check(st, err);
    if (rc == 0)
        rc = exec_sql(st, "COMMIT", err);
    if (rc)
        exec_sql(st, "ROLLBACK", NULL);
    st->has_flags = true;
    return rc;
}

static int prepare_all(struct sv_store *st, struct sv_error *err)
{
    int rc;
    if ((rc = prepare(st, &st->get,
                      "SELECT submitted, data, raw, complete, review FROM responses"
                      " WHERE source=?1 AND id=?2",
                      err)) ||
        (rc = prepare(st, &st->put,
                      "INSERT OR REPLACE INTO responses(source, id, submitted, data, raw, fetched_at,"
                      " complete, review) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                      err)) ||
        (rc = prepare(st, &st->del_reject, "DELETE FROM rejects WHERE source=?1 AND id=?2",
                      err)) ||
        (rc = prepare(st, &st->reject,
                      "INSERT OR REPLACE INTO rejects(source, id, raw, reason, fetched_at)"
                      " VALUES(?1, ?2, ?3, ?4, ?5)",
                      err)) ||
        (rc = prepare(st, &st->del_response,
                      "DELETE FROM responses WHERE source=?1 AND id=?2", err)))
        return rc;
    return 0;
}

static struct sv_store *store_new(const char *path, const struct sv_schema *schema,
                                  struct sv_error *err)
{
    struct sv_store *st = calloc(1, sizeof *st);
    if (st && !(st->path = sv_strdup(path))) {
        free(st);
        st = NULL;
    }
    if (!st)
        sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
    else
        st->schema = schema;
    return st;
}

static int open_fail(struct sv_store *st, const char *path, struct sv_error *err)
{
    int rc = sv_error_set(err, SV_EIO, path, 0, 0, "cannot open store: %s",
                          st->db ? sqlite3_errmsg(st->db) : "out of memory");
    if (st->db && sqlite3_errcode(st->db) == SQLITE_NOTADB)
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "not a store (not an SQLite database)");
    return rc;
}

int sv_store_open(struct sv_store **out, const char *path, const struct sv_schema *schema,
                  struct sv_error *err)
{
    *out = NULL;
    /*
     * SQLite creates files 0644 & ~umask; a store holds answers and contacts:
     * create it 0600 first (its -wal and -shm files take the same mode).
     */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        fchmod(fd, 0600);
        close(fd);
    } else if (errno != EEXIST) {
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot create store: %s", strerror(errno));
    }
    struct sv_store *st = store_new(path, schema, err);
    if (!st)
        return SV_ENOMEM;
    int rc;
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = open_fail(st, path, err);
        goto fail;
    }
    sqlite3_busy_timeout(st->db, 5000);
    /*
     * WAL: readers (analyse, status) never block a running fetch. Two runs
     * creating the same store at once can meet SQLite's lock without its busy
     * handler (changing the journal mode, upgrading a read to a write): wait
     * and try again for up to 30 s, then say what to do.
     */
    for (int attempt = 0;; attempt++) {
        rc = setup_schema(st, err);
        if (rc == 0 || !busy_error(err) || attempt >= 300)
            break;
        sleep_ms(100);
    }
    if (rc) {
        if (err && strstr(err->text, "not a database"))
            sv_error_set(err, SV_EDATA, path, 0, 0, "not a store (not an SQLite database)");
        else if (busy_error(err))
            sv_error_set(err, SV_EIO, path, 0, 0,
                         "store locked by another run for 30 s: wait for it to end, then run "
                         "this command again");
        rc = err ? err->code : SV_EDATA;
        goto fail;
    }
    if ((rc = prepare_all(st, err)) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    sv_store_close(st);
    return rc;
}

int sv_store_open_read(struct sv_store **out, const char *path, const struct sv_schema *schema,
                       struct sv_error *err)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            errno == ENOENT ? "no such store (run 'collect fetch' first)"
                                            : "cannot open store: %s",
                            strerror(errno));
    struct sv_store *st = store_new(path, schema, err);
    if (!st)
        return SV_ENOMEM;
    st->readonly = true;
    int rc = 0;
    /*
     * A WAL store opened read-only needs its -shm file, which a reader may not
     * be allowed to create (another user's file, a read-only mount): then the
     * file is read as immutable (nobody can be writing it from here anyway).
     */
    for (int pass = 0; pass < 2; pass++) {
        if (st->db) {
            sqlite3_close(st->db);
            st->db = NULL;
        }
        struct sv_buf uri = SV_BUF_INIT;
        int flags = SQLITE_OPEN_READONLY;
        const char *name = path;
        if (pass == 1) {
            if (sv_buf_adds(&uri, "file:") != 0) {
                sv_buf_release(&uri);
                return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
            }
            for (const char *p = path; *p; p++) {
                int r = (*p == '?' || *p == '#' || *p == '%')
                            ? sv_buf_addf(&uri, "%%%02X", (unsigned char)*p)
                            : sv_buf_addc(&uri, *p);
                if (r != 0) {
                    sv_buf_release(&uri);
                    return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
                }
            }
            if (sv_buf_adds(&uri, "?immutable=1") != 0) {
                sv_buf_release(&uri);
                return sv_error_set(err, SV_ENOMEM, path, 0, 0, "out of memory");
            }
            flags |= SQLITE_OPEN_URI;
            name = uri.data;
        }
        int orc = sqlite3_open_v2(name, &st->db, flags, NULL);
        sv_buf_release(&uri);
        if (orc != SQLITE_OK) {
            rc = open_fail(st, path, err);
            continue;
        }
        sqlite3_busy_timeout(st->db, 5000);
        rc = column_exists(st, "responses", "complete", &st->has_flags, err);
        if (rc == 0)
            break;
    }
    if (rc) {
        if (err && strstr(err->text, "not a database"))
            sv_error_set(err, SV_EDATA, path, 0, 0, "not a store (not an SQLite database)");
        goto fail;
    }
    bool has_meta = false;
    if ((rc = column_exists(st, "meta", "key", &has_meta, err)) != 0)
        goto fail;
    if (!has_meta) {
        rc = sv_error_set(err, SV_EDATA, path, 0, 0, "not a store (no 'meta' table)");
        goto fail;
    }
    if ((rc = meta_check(st, err)) != 0)
        goto fail;
    *out = st;
    return 0;
fail:
    sv_store_close(st);
    return rc;
}

void sv_store_close(struct sv_store *st)
{
    if (!st)
        return;
    if (st->in_tx)
        sv_store_rollback(st);
    sqlite3_finalize(st->get);
    sqlite3_finalize(st->put);
    sqlite3_finalize(st->del_reject);
    sqlite3_finalize(st->reject);
    sqlite3_finalize(st->del_response);
    sqlite3_close(st->db);
    free(st->path);
    free(st);
}

int sv_store_begin(struct sv_store *st, struct sv_error *err)
{
    if (st->readonly)
        return sv_error_set(err, SV_EUSAGE, st->path, 0, 0, "store opened read-only");
    int rc = exec_sql(st, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        st->in_tx = true;
    return rc;
}

int sv_store_commit(struct sv_store *st, struct sv_error *err)
{
    int rc = exec_sql(st, "COMMIT", err);
    if (rc == 0)
        st->in_tx = false;
    return rc;
}

int sv_store_rollback(struct sv_store *st)
{
    st->in_tx = false;
    return exec_sql(st, "ROLLBACK", NULL);
}

/* The normalised values as a JSON object keyed by column name. Caller owns the string. */
static char *record_data(const struct sv_store *st, const struct sv_record *rec)
{
    json_t *o = json_object();
    if (!o)
        return NULL;
    for (size_t i = 0; i < st->schema->ncolumns && i < rec->nvalues; i++) {
        const char *v = rec->values[i];
        json_t *jv = v ? json_string(v) : json_null();
        if (!jv || json_object_set_new(o, st->schema->columns[i].name, jv) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

static bool same_text(const unsigned char *a, const char *b)
{
    if (!a || !b)
        return !a && !b;
    return strcmp((const char *)a, b) == 0;
}

int sv_store_put(struct sv_store *st, const struct sv_record *rec, const char *raw,
                 enum sv_store_put_result *result, struct sv_error *err)
{
    return sv_store_put_full(st, rec, raw, true, NULL, result, err);
}

int sv_store_put_full(struct sv_store *st, const struct sv_record *rec, const char *raw,
                      bool complete, const char *review, enum sv_store_put_result *result,
                      struct sv_error *err)
{
    if (st->readonly)
        return sv_error_set(err, SV_EUSAGE, st->path, 0, 0, "store opened read-only");
    if (!rec->source || !rec->id)
        return sv_error_set(err, SV_EUSAGE, st->path, 0, 0, "record without source or id");
    char *data = record_data(st, rec);
    if (!data)
        return sv_error_set(err, SV_ENOMEM, st->path, 0, 0, "out of memory");
    int rc = 0;
    enum sv_store_put_result res = SV_STORE_NEW;
    sqlite3_reset(st->get);
    sqlite3_bind_text(st->get, 1, rec->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st->get, 2, rec->id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st->get);
    if (step == SQLITE_ROW) {
        if (same_text(sqlite3_column_text(st->get, 0), rec->submitted) &&
            same_text(sqlite3_column_text(st->get, 1), data) &&
            same_text(sqlite3_column_text(st->get, 2), raw) &&
            sqlite3_column_int(st->get, 3) == (complete ? 1 : 0) &&
            same_text(sqlite3_column_text(st->get, 4), review))
            res = SV_STORE_UNCHANGED;
        else
            res = SV_STORE_UPDATED;
    } else if (step != SQLITE_DONE) {
        rc = db_error(st, err, "store");
    }
    sqlite3_reset(st->get);
    if (rc == 0 && res != SV_STORE_UNCHANGED) {
        char now[32];
        now_iso(now);
        sqlite3_reset(st->put);
        sqlite3_bind_text(st->put, 1, rec->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st->put, 2, rec->id, -1, SQLITE_STATIC);
        if (rec->submitted)
            sqlite3_bind_text(st->put, 3, rec->submitted, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st->put, 3);
        sqlite3_bind_text(st->put, 4, data, -1, SQLITE_STATIC);
        if (raw)
            sqlite3_bind_text(st->put, 5, raw, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st->put, 5);
        sqlite3_bind_text(st->put, 6, now, -1, SQLITE_STATIC);
        sqlite3_bind_int(st->put, 7, complete ? 1 : 0);
        if (review)
            sqlite3_bind_text(st->put, 8, review, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st->put, 8);
        if (sqlite3_step(st->put) != SQLITE_DONE)
            rc = db_error(st, err, "store");
        sqlite3_reset(st->put);
    }
    if (rc == 0) {
        /* A response that is now valid is no longer a reject. */
        sqlite3_reset(st->del_reject);
        sqlite3_bind_text(st->del_reject, 1, rec->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st->del_reject, 2, rec->id, -1, SQLITE_STATIC);
        if (sqlite3_step(st->del_reject) != SQLITE_DONE)
            rc = db_error(st, err, "store");
        sqlite3_reset(st->del_reject);
    }
    free(data);
    if (rc == 0 && result)
        *result = res;
    return rc;
}

int sv_store_reject(struct sv_store *st, const char *source, const char *id, const char *raw,
                    const char *reason, struct sv_error *err)
{
    char now[32];
    now_iso(now);
    int rc = 0;
    sqlite3_reset(st->reject);
    sqlite3_bind_text(st->reject, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st->reject, 2, id ? id : "", -1, SQLITE_STATIC);
    if (raw)
        sqlite3_bind_text(st->reject, 3, raw, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st->reject, 3);
    sqlite3_bind_text(st->reject, 4, reason ? reason : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st->reject, 5, now, -1, SQLITE_STATIC);
    if (sqlite3_step(st->reject) != SQLITE_DONE)
        rc = db_error(st, err, "store");
    sqlite3_reset(st->reject);
    if (rc == 0 && id) {
        /* The current version of this response is invalid: the stored one is stale. */
        sqlite3_reset(st->del_response);
        sqlite3_bind_text(st->del_response, 1, source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st->del_response, 2, id, -1, SQLITE_STATIC);
        if (sqlite3_step(st->del_response) != SQLITE_DONE)
            rc = db_error(st, err, "store");
        sqlite3_reset(st->del_response);
    }
    return rc;
}

int sv_store_state_get(struct sv_store *st, const char *source, const char *key, char **value_out,
                       struct sv_error *err)
{
    *value_out = NULL;
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q, "SELECT value FROM sync_state WHERE source=?1 AND key=?2", err);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(q);
    if (step == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(q, 0);
        if (v) {
            *value_out = sv_strdup((const char *)v);
            if (!*value_out)
                rc = sv_error_set(err, SV_ENOMEM, st->path, 0, 0, "out of memory");
        }
    } else if (step != SQLITE_DONE) {
        rc = db_error(st, err, "store");
    }
    sqlite3_finalize(q);
    return rc;
}

int sv_store_state_set(struct sv_store *st, const char *source, const char *key, const char *value,
                       struct sv_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q,
                     "INSERT OR REPLACE INTO sync_state(source, key, value) VALUES(?1, ?2, ?3)",
                     err);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, source, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, key, -1, SQLITE_STATIC);
    if (value)
        sqlite3_bind_text(q, 3, value, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(q, 3);
    if (sqlite3_step(q) != SQLITE_DONE)
        rc = db_error(st, err, "store");
    sqlite3_finalize(q);
    return rc;
}

int sv_store_foreach(struct sv_store *st,
                     int (*fn)(const struct sv_record *rec, void *ctx), void *ctx,
                     struct sv_error *err)
{
    return sv_store_foreach_where(st, 0, fn, ctx, err);
}

int sv_store_foreach_where(struct sv_store *st, unsigned include,
                           int (*fn)(const struct sv_record *rec, void *ctx), void *ctx,
                           struct sv_error *err)
{
    sqlite3_stmt *q = NULL;
    char sql[320];
    const char *partial = (include & SV_STORE_WITH_PARTIAL) ? "" : " AND complete = 1";
    const char *rejected =
        (include & SV_STORE_WITH_REJECTED) ? "" : " AND coalesce(review, '') <> 'rejected'";
    if (!st->has_flags)
        partial = rejected = "";
    /* Numeric ids in numeric order ("2" before "10"), others by text. */
    snprintf(sql, sizeof sql,
             "SELECT source, id, submitted, data FROM responses WHERE 1%s%s"
             " ORDER BY source, length(id), id",
             partial, rejected);
    int rc = prepare(st, &q, sql, err);
    if (rc)
        return rc;
    struct sv_record *rec = NULL;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        if ((rc = sv_record_new(&rec, st->schema)) != 0) {
            sv_error_set(err, rc, st->path, 0, 0, "out of memory");
            break;
        }
        const char *src = (const char *)sqlite3_column_text(q, 0);
        const char *id = (const char *)sqlite3_column_text(q, 1);
        const char *sub = (const char *)sqlite3_column_text(q, 2);
        const char *data = (const char *)sqlite3_column_text(q, 3);
        rec->source = sv_strdup(src);
        rec->id = sv_strdup(id);
        rec->submitted = sv_strdup(sub);
        if (!rec->source || !rec->id || (sub && !rec->submitted)) {
            rc = sv_error_set(err, SV_ENOMEM, st->path, 0, 0, "out of memory");
            break;
        }
        json_error_t jerr;
        json_t *o = json_loads(data ? data : "{}", 0, &jerr);
        if (!json_is_object(o)) {
            json_decref(o);
            rc = sv_error_set(err, SV_EDATA, st->path, 0, 0, "corrupt record '%s'", id);
            sv_error_set_path(err, "%s", id ? id : "");
            break;
        }
        for (size_t i = 0; i < st->schema->ncolumns; i++) {
            json_t *v = json_object_get(o, st->schema->columns[i].name);
            if (json_is_string(v) && sv_record_set(rec, i, json_string_value(v)) != 0) {
                rc = sv_error_set(err, SV_ENOMEM, st->path, 0, 0, "out of memory");
                break;
            }
        }
        json_decref(o);
        if (rc)
            break;
        int r = fn(rec, ctx);
        sv_record_free(rec);
        rec = NULL;
        if (r != 0) {
            rc = r;
            break;
        }
    }
    sv_record_free(rec);
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(st, err, "store");
    sqlite3_finalize(q);
    return rc;
}

int sv_store_left_out(struct sv_store *st, unsigned include, long *partial, long *rejected,
                      struct sv_error *err)
{
    *partial = *rejected = 0;
    if (!st->has_flags)
        return 0;
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q,
                     "SELECT (SELECT count(*) FROM responses WHERE complete = 0),"
                     " (SELECT count(*) FROM responses WHERE review = 'rejected'"
                     "  AND (complete = 1 OR ?1))",
                     err);
    if (rc)
        return rc;
    sqlite3_bind_int(q, 1, (include & SV_STORE_WITH_PARTIAL) ? 1 : 0);
    if (sqlite3_step(q) == SQLITE_ROW) {
        if (!(include & SV_STORE_WITH_PARTIAL))
            *partial = (long)sqlite3_column_int64(q, 0);
        if (!(include & SV_STORE_WITH_REJECTED))
            *rejected = (long)sqlite3_column_int64(q, 1);
    } else {
        rc = db_error(st, err, "store");
    }
    sqlite3_finalize(q);
    return rc;
}

int sv_store_tally(struct sv_store *st, struct sv_store_tally *t, struct sv_error *err)
{
    memset(t, 0, sizeof *t);
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q,
                     st->has_flags
                         ? "SELECT (SELECT count(*) FROM responses WHERE complete = 1),"
                           " (SELECT count(*) FROM responses WHERE complete = 0),"
                           " (SELECT count(*) FROM responses WHERE review = 'rejected'),"
                           " (SELECT count(*) FROM responses WHERE review IN ('hasissues', 'on_hold')),"
                           " (SELECT count(*) FROM rejects)"
                         : "SELECT (SELECT count(*) FROM responses), 0, 0, 0,"
                           " (SELECT count(*) FROM rejects)",
                     err);
    if (rc)
        return rc;
    if (sqlite3_step(q) == SQLITE_ROW) {
        t->complete = (long)sqlite3_column_int64(q, 0);
        t->partial = (long)sqlite3_column_int64(q, 1);
        t->review_rejected = (long)sqlite3_column_int64(q, 2);
        t->review_pending = (long)sqlite3_column_int64(q, 3);
        t->rejects = (long)sqlite3_column_int64(q, 4);
    } else {
        rc = db_error(st, err, "store");
    }
    sqlite3_finalize(q);
    return rc;
}

int sv_store_sources(struct sv_store *st, char ***names, size_t *n, struct sv_error *err)
{
    *names = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q,
                     "SELECT source FROM responses UNION SELECT source FROM rejects"
                     " UNION SELECT source FROM sync_state ORDER BY 1",
                     err);
    if (rc)
        return rc;
    size_t cap = 0;
    int step;
    while ((step = sqlite3_step(q)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        if (!name)
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 8;
            char **v = realloc(*names, nc * sizeof *v);
            if (!v) {
                rc = SV_ENOMEM;
                break;
            }
            *names = v;
            cap = nc;
        }
        if (!((*names)[*n] = sv_strdup(name))) {
            rc = SV_ENOMEM;
            break;
        }
        (*n)++;
    }
    if (rc == 0 && step != SQLITE_DONE)
        rc = db_error(st, err, "store");
    else if (rc)
        rc = sv_error_set(err, rc, st->path, 0, 0, "out of memory");
    sqlite3_finalize(q);
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            free((*names)[i]);
        free(*names);
        *names = NULL;
        *n = 0;
    }
    return rc;
}

int sv_store_counts(struct sv_store *st, long *responses, long *rejects, struct sv_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = prepare(st, &q,
                     "SELECT (SELECT count(*) FROM responses), (SELECT count(*) FROM rejects)",
                     err);
    if (rc)
        return rc;
    if (sqlite3_step(q) == SQLITE_ROW) {
        if (responses)
            *responses = (long)sqlite3_column_int64(q, 0);
        if (rejects)
            *rejects = (long)sqlite3_column_int64(q, 1);
    } else {
        rc = db_error(st, err, "store");
    }
    sqlite3_finalize(q);
    return rc;
}
