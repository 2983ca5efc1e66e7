/*
 * analyse_input: survey records (from a store or a normalised CSV / JSON Lines
 * file) loaded into columns, only the columns an analysis asks for.
 *
 * A column is either numeric (number, integer, yes/no as 0/1, Likert as its
 * code, a multiple-choice "<var>.<code>" column as 0/1; NAN = missing) or a
 * code column (single choice: the index of the code in the variable's code
 * list, ANALYSE_NO_GROUP = missing). Columns are found by variable name; the
 * indicator commands get those names from the definition's roles only.
 */
#ifndef ANALYSE_INPUT_H
#define ANALYSE_INPUT_H

#include <stddef.h>
#include "sv_survey.h"
#include "sv_record.h"
#include "sv_error.h"
#include "sv_buf.h"
#include "analyse_design.h"

enum analyse_col_kind { ANALYSE_COL_NUMBER, ANALYSE_COL_CODE };

struct analyse_column {
    char *name;
    enum analyse_col_kind kind;
    long index;                         /* in the schema */
    const struct sv_variable *var;      /* borrowed from the survey */
    double *num;                        /* kind NUMBER: nrows values */
    size_t *code;                       /* kind CODE: nrows code indexes */
};

struct analyse_data {
    const struct sv_survey *survey; /* borrowed */
    struct sv_schema *schema;       /* owned */
    size_t nrows, cap;
    size_t *id_off;                 /* record ids (for messages): offsets into id_text */
    struct sv_buf id_text;
    struct analyse_column *cols;
    size_t ncols;
    char *source;                   /* the store or file read, for messages */
    unsigned include;               /* store: SV_STORE_WITH_* (set before loading) */
    long partial_left_out;          /* store: what the selection left out */
    long rejected_left_out;
};

int analyse_data_init(struct analyse_data *d, const struct sv_survey *s, struct sv_error *err);
void analyse_data_release(struct analyse_data *d);

/*
 * Ask for a column before loading. Asking twice is harmless. A name that is
 * not a column of the survey's records is SV_EDATA naming the survey file.
 */
int analyse_data_want(struct analyse_data *d, const char *name, enum analyse_col_kind kind,
                      struct sv_error *err);

/* Load every record from `store_path` (SQLite store) or `data_path` (CSV/JSONL). */
int analyse_data_load(struct analyse_data *d, const char *store_path, const char *data_path,
                      struct sv_error *err);

/* The id of record i (for messages). Borrowed. */
const char *analyse_data_id(const struct analyse_data *d, size_t i);

/* The column named `name`, NULL when it was not asked for. */
const struct analyse_column *analyse_data_col(const struct analyse_data *d, const char *name);

/*
 * The variable a role names: SV_EDATA "role 'x' is not defined" (with the
 * survey file) when the definition lacks it. *out borrowed.
 */
int analyse_role(const char **out, const struct sv_survey *s, const char *role,
                 struct sv_error *err);

/*
 * The default --by groupings of an indicator command: those of `defaults`
 * (role names) that the definition gives, in order, appended to by[*nby];
 * each one left out is said in one notice line.
 */
void analyse_default_by(const char **by, size_t *nby, const struct sv_survey *s,
                        const char *const *defaults, size_t ndefaults);

#endif
