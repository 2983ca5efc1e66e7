/*
 * sv_record: the normalised response record.
 *
 * A schema is the list of columns a survey's normalised records have, derived
 * from its definition: one column per variable, except multiple-choice
 * variables, which get one 0/1 column per code named "<var>.<code>", and
 * personal variables marked "drop", which get none. Every record also has
 * three key columns: source, response id and submission time.
 *
 * Values are canonical strings: codes as in the definition, numbers in C
 * notation ("12.5"), yes/no as "1"/"0", dates as YYYY-MM-DD; NULL means
 * missing (not asked, not answered). Normalisation turns a platform's raw
 * key/value pairs into such a record and rejects what the definition forbids
 * (unknown code, out of range, missing required answer), with the reason.
 */
#ifndef SV_RECORD_H
#define SV_RECORD_H

#include <stddef.h>
#include "sv_survey.h"
#include "sv_error.h"

struct sv_column {
    char *name;                        /* "region", "causes.sal" */
    const struct sv_variable *variable; /* borrowed from the survey */
    const struct sv_code *code;         /* for multiple-choice columns, else NULL */
};

struct sv_schema_index; /* private lookup tables of sv_record.c */

struct sv_schema {
    const struct sv_survey *survey; /* borrowed; must outlive the schema */
    struct sv_column *columns;
    size_t ncolumns;
    struct sv_schema_index *index;  /* private */
};

/* Build the schema of `survey`. Caller owns; free with sv_schema_free(). */
int sv_schema_new(struct sv_schema **out, const struct sv_survey *survey, struct sv_error *err);
void sv_schema_free(struct sv_schema *schema);
/* Column index of `name`, or -1. */
long sv_schema_index(const struct sv_schema *schema, const char *name);

/*
 * The column a file header names by the variable's csv platform name
 * ("sexe_salarie" for a variable "sexe"), or -1: a variable that is not a
 * multiple choice, whose csv name is not its own. Readers use it for a
 * header name that is no column name, so that a file read by analyse --data
 * is read as collect --platform csv reads it.
 */
long sv_schema_csv_column(const struct sv_schema *schema, const char *name);

struct sv_record {
    char *source;    /* e.g. "limesurvey:364215" or the file URL */
    char *id;        /* response id on the source */
    char *submitted; /* ISO 8601 submission time, may be NULL */
    char **values;   /* ncolumns entries, NULL = missing; owned */
    size_t nvalues;
};

/* Allocate an empty record for `schema` (all values missing). Caller owns; sv_record_free(). */
int sv_record_new(struct sv_record **out, const struct sv_schema *schema);
void sv_record_free(struct sv_record *r);
/* Set value `i` to a copy of `value` (NULL = missing). */
int sv_record_set(struct sv_record *r, size_t i, const char *value);

/* One raw field as a platform delivered it. */
struct sv_raw_field {
    const char *key;
    const char *value; /* NULL or "" = no answer */
};

/*
 * Normalise `nfields` raw fields from `platform` into `rec` (created by
 * sv_record_new; its id/source are set by the caller). Field names are
 * matched to the definition's platform names; LimeSurvey multiple-choice
 * columns "var[CODE]" and "var[other]" and Kobo/ODK space-separated choice
 * lists are both understood. Unknown fields are ignored (platforms add
 * metadata such as _uuid or submitdate). Personal "hash" variables are
 * replaced by HMAC-SHA-256(hash_key, value) in hex; with hash_key NULL they
 * are dropped.
 *
 * Returns 0, or SV_EDATA with err->path = the variable and err->text = the
 * reason ("unknown code '7'", "value 1200 above maximum 1000", "required
 * answer missing").
 */
int sv_record_normalise(struct sv_record *rec, const struct sv_schema *schema,
                        enum sv_platform platform, const struct sv_raw_field *fields,
                        size_t nfields, const char *hash_key, struct sv_error *err);

/*
 * Check one canonical value of column `i` against the definition (used when
 * reading normalised CSV back). Returns 0 or SV_EDATA with the reason.
 */
int sv_record_check_value(const struct sv_schema *schema, size_t i, const char *value,
                          struct sv_error *err);

/*
 * The canonical value of column `i` made from `raw` exactly as
 * sv_record_normalise() makes it from a field of the "csv" platform: blanks
 * trimmed, the definition's csv code mappings ("F" -> "f"), yes/no words,
 * decimal commas, ranges checked; a "<var>.<code>" column takes a yes/no
 * word. *out is NULL for a blank value, else points at buf (or a constant).
 * Used by analyse --data so that a file read there and the same file
 * fetched by collect --platform csv give the same records.
 * Returns 0 or SV_EDATA with the reason.
 */
int sv_record_canonical(const struct sv_schema *schema, size_t i, const char *raw, char *buf,
                        size_t size, const char **out, struct sv_error *err);

/* Hex HMAC-SHA-256 of `msg` under `key` into out[65]. */
void sv_hmac_sha256_hex(const char *key, const char *msg, char out[65]);

#endif
