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

/* Open or create the store at `path` for `schema`. Caller owns; sv_store_close(). */
int sv_store_open(struct sv_store **out, const char *path, const struct sv_schema *schema,
                  struct sv_error *err);
void sv_store_close(struct sv_store *st);

int sv_store_begin(struct sv_store *st, struct sv_error *err);
int sv_store_commit(struct sv_store *st, struct sv_error *err);
int sv_store_rollback(struct sv_store *st);

/* Insert or replace a normalised record; *result tells which happened. */
int sv_store_put(struct sv_store *st, const struct sv_record *rec, const char *raw,
                 enum sv_store_put_result *result, struct sv_error *err);
/* Keep a rejected record with its reason (replaces an earlier reject of the same id). */
int sv_store_reject(struct sv_store *st, const char *source, const char *id, const char *raw,
                    const char *reason, struct sv_error *err);

/* Sync state per source: a small key/value map. *value_out caller-owned (free), NULL if unset. */
int sv_store_state_get(struct sv_store *st, const char *source, const char *key, char **value_out,
                       struct sv_error *err);
int sv_store_state_set(struct sv_store *st, const char *source, const char *key, const char *value,
                       struct sv_error *err);

/* Call `fn` for every stored record in (source, id) order; stops on a non-zero return. */
int sv_store_foreach(struct sv_store *st,
                     int (*fn)(const struct sv_record *rec, void *ctx), void *ctx,
                     struct sv_error *err);

/* Counts of stored and rejected records. */
int sv_store_counts(struct sv_store *st, long *responses, long *rejects, struct sv_error *err);

#endif
