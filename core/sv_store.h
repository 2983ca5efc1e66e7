/*
 * sv_store: the local store of a survey's responses (one SQLite file per survey).
 *
 * Tables: responses (normalised values keyed by (source, response id), with
 * the raw payload kept for audit), rejects (raw payload and reason), and
 * sync_state (per source: what the next incremental fetch starts from).
 * Every write happens inside a transaction the caller opens per page, so an
 * interrupted fetch loses nothing already committed and never duplicates.
 * sqlite3 stays inside sv_store.c.
 *
 * (Implementation owned by the collect work; analyse only reads.)
 */
#ifndef SV_STORE_H
#define SV_STORE_H

#include "sv_record.h"
#include "sv_error.h"

struct sv_store;

enum sv_store_put_result { SV_STORE_NEW = 1, SV_STORE_UPDATED = 2, SV_STORE_UNCHANGED = 3 };

/*
 * Open or create the store at `path` for `schema`. Caller owns; sv_store_close().
 * A new store is created mode 0600 whatever the umask (it holds answers and
 * contacts); opening waits for a store another process is creating or writing.
 */
int sv_store_open(struct sv_store **out, const char *path, const struct sv_schema *schema,
                  struct sv_error *err);
/*
 * Open an existing store read-only (export, status, analyse): never creates
 * the file, never writes to it, works on a file the user may not write (on a
 * read-only mount too). A missing file is SV_ENOTFOUND.
 */
int sv_store_open_read(struct sv_store **out, const char *path, const struct sv_schema *schema,
                       struct sv_error *err);
void sv_store_close(struct sv_store *st);

int sv_store_begin(struct sv_store *st, struct sv_error *err);
int sv_store_commit(struct sv_store *st, struct sv_error *err);
int sv_store_rollback(struct sv_store *st);

/* Insert or replace a normalised, complete record without review state; *result tells which happened. */
int sv_store_put(struct sv_store *st, const struct sv_record *rec, const char *raw,
                 enum sv_store_put_result *result, struct sv_error *err);
/*
 * The same with what the platform says of the response: `complete` (false for
 * a partial save, LimeSurvey's null submitdate) and `review` (NULL, or the
 * platform's review state in lower case: "approved", "hasissues", "edited",
 * "rejected", "on_hold").
 */
int sv_store_put_full(struct sv_store *st, const struct sv_record *rec, const char *raw,
                      bool complete, const char *review, enum sv_store_put_result *result,
                      struct sv_error *err);
/* Keep a rejected record with its reason (replaces an earlier reject of the same id). */
int sv_store_reject(struct sv_store *st, const char *source, const char *id, const char *raw,
                    const char *reason, struct sv_error *err);

/* Sync state per source: a small key/value map. *value_out caller-owned (free), NULL if unset. */
int sv_store_state_get(struct sv_store *st, const char *source, const char *key, char **value_out,
                       struct sv_error *err);
int sv_store_state_set(struct sv_store *st, const char *source, const char *key, const char *value,
                       struct sv_error *err);

/*
 * Call `fn` for every stored record in (source, id) order; stops on a non-zero
 * return. Partial responses and those the platform's review rejected are left
 * out: what analyses and exports use by default.
 */
int sv_store_foreach(struct sv_store *st,
                     int (*fn)(const struct sv_record *rec, void *ctx), void *ctx,
                     struct sv_error *err);
/* Include flags of sv_store_foreach_where. */
enum { SV_STORE_WITH_PARTIAL = 1, SV_STORE_WITH_REJECTED = 2 };
int sv_store_foreach_where(struct sv_store *st, unsigned include,
                           int (*fn)(const struct sv_record *rec, void *ctx), void *ctx,
                           struct sv_error *err);

/*
 * What a selection of sv_store_foreach_where leaves out: `partial` partial
 * saves (when SV_STORE_WITH_PARTIAL is not in `include`) and `rejected`
 * review-rejected responses (complete ones, or any when partial saves are
 * included, when SV_STORE_WITH_REJECTED is not). Both 0 in a store made
 * before these columns existed.
 */
int sv_store_left_out(struct sv_store *st, unsigned include, long *partial, long *rejected,
                      struct sv_error *err);

/* Counts of stored and rejected records (every stored response, partial ones included). */
int sv_store_counts(struct sv_store *st, long *responses, long *rejects, struct sv_error *err);

struct sv_store_tally {
    long complete;       /* complete responses, review-rejected ones included */
    long partial;        /* partial saves (stored only with collect fetch --responses all) */
    long review_rejected; /* rejected by the platform's review (ODK, KoboToolbox) */
    long review_pending; /* hasissues, on_hold */
    long rejects;        /* records the definition refused (rejects table) */
};
int sv_store_tally(struct sv_store *st, struct sv_store_tally *t, struct sv_error *err);

/*
 * Every source name the store knows (responses, rejects, sync state), sorted.
 * Caller owns the array and its strings (free each, then the array).
 */
int sv_store_sources(struct sv_store *st, char ***names, size_t *n, struct sv_error *err);

#endif
