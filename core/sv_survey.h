/*
 * sv_survey: survey definitions ("codebooks") loaded from surveys/<id>/.
 *
 * A definition lists the survey's variables (type, French and English label,
 * answer codes, valid range, whether it is personal data, its name on each
 * platform), the roles the indicators need (which variable is the region, the
 * recruitment difficulty, each job family's budgeted and vacant FTE, ...) and
 * the population frame. The file format is documented in surveys/README.md.
 *
 * Loading validates everything; an error names the file, the JSON path
 * (e.g. "variables[4].codes[2].code") and the problem. jansson stays inside
 * sv_survey.c.
 */
#ifndef SV_SURVEY_H
#define SV_SURVEY_H

#include <stddef.h>
#include <stdbool.h>
#include "sv_error.h"

enum sv_lang { SV_LANG_FR = 0, SV_LANG_EN = 1 };
/* Parse "fr" or "en". Returns 0 or SV_EUSAGE. */
int sv_lang_parse(const char *s, enum sv_lang *out);

enum sv_var_type {
    SV_TYPE_SINGLE,   /* one code from `codes` */
    SV_TYPE_MULTIPLE, /* any subset of `codes`; one 0/1 column per code */
    SV_TYPE_INTEGER,
    SV_TYPE_NUMBER,
    SV_TYPE_LIKERT,   /* ordered codes 1..k */
    SV_TYPE_YESNO,    /* normalised to 1 (yes) / 0 (no) */
    SV_TYPE_DATE,     /* YYYY-MM-DD */
    SV_TYPE_TEXT
};
const char *sv_var_type_name(enum sv_var_type t);

enum sv_personal {
    SV_PERSONAL_NO = 0,
    SV_PERSONAL_DROP, /* never stored in the normalised record */
    SV_PERSONAL_HASH  /* replaced by a keyed hash (HMAC-SHA-256, hex) */
};

enum sv_platform {
    SV_PLATFORM_LIMESURVEY = 0,
    SV_PLATFORM_KOBO,
    SV_PLATFORM_ODK,
    SV_PLATFORM_CSV, /* plain JSON or CSV sources: the variable's own name unless mapped */
    SV_PLATFORM_COUNT
};
/* "limesurvey", "kobo", "odk", "csv". */
const char *sv_platform_name(enum sv_platform p);
int sv_platform_parse(const char *s, enum sv_platform *out);

struct sv_label {
    char *fr;
    char *en; /* may be NULL: falls back to fr */
};
/* The label in `lang`, falling back to French. Borrowed. */
const char *sv_label_get(const struct sv_label *l, enum sv_lang lang);

struct sv_code {
    char *code;
    struct sv_label label;
    char *parent; /* e.g. a département's region code; may be NULL */
    char *kind;   /* what the code stands for, for the indicators that need it (an employer
                     sector's "public", "for_profit", "non_profit"); may be NULL */
    char *platform[SV_PLATFORM_COUNT]; /* the platform's own code, NULL = same as code */
};

struct sv_variable {
    char *name;
    enum sv_var_type type;
    struct sv_label label;
    struct sv_label short_label; /* for chart axes; falls back to label */
    char *unit;                  /* e.g. "ETP", "EUR", "%"; may be NULL */
    struct sv_code *codes;
    size_t ncodes;
    bool has_min, has_max;
    double min, max;
    bool required;
    char *relevant; /* "var=code": asked only when that holds; may be NULL */
    char *within;   /* variable whose code each code's `parent` must equal (a département
                       within its region); may be NULL */
    enum sv_personal personal;
    char *platform[SV_PLATFORM_COUNT]; /* field name on each platform; NULL = name */
};

/* A named role -> variable name binding, e.g. "budgeted_fte" -> "etp_bud_as". */
struct sv_role {
    char *role;
    char *variable; /* a list role (JSON array) is stored ','-joined: "mat_1,mat_2" */
};

/* A job family of the recruitment survey, with its own roles. */
struct sv_family {
    char *code;
    struct sv_label label;
    struct sv_role *roles;
    size_t nroles;
};

/* The population frame: counts of member units per stratum. */
struct sv_frame_row {
    char **keys; /* one code per frame variable */
    double count;
};
struct sv_frame {
    char **vars; /* frame (stratification) variables, e.g. region, secteur */
    size_t nvars;
    struct sv_frame_row *rows;
    size_t nrows;
    char *unit_label_fr; /* e.g. "établissements" */
    char *unit_label_en;
};

struct sv_survey_index; /* private lookup table of sv_survey.c */

struct sv_survey {
    char *id;
    char *version;
    char *wave;       /* e.g. "2026" */
    char *unit;       /* "establishment" or "employee" */
    struct sv_label title;
    struct sv_label source; /* source line for figures, e.g. "Enquête recrutement, 2026" */
    struct sv_variable *variables;
    size_t nvariables;
    struct sv_role *roles;
    size_t nroles;
    struct sv_family *families;
    size_t nfamilies;
    struct sv_frame frame; /* nvars == 0 when the survey has none */
    char *dir;             /* directory it was loaded from */
    char *file;            /* path of survey.json */
    struct sv_survey_index *index; /* private: variables by name */
};

/*
 * Load and validate a definition. `path` is a directory holding survey.json
 * (and its frame file) or the JSON file itself; a bare id such as
 * "recrutement" is looked up under $VIGIE_SURVEYS and then under the
 * installed/bundled surveys directory.
 * Caller owns *out; free with sv_survey_free(). Returns 0 or SV_E*.
 */
int sv_survey_load(struct sv_survey **out, const char *path, struct sv_error *err);
void sv_survey_free(struct sv_survey *s);

/* Lookups: borrowed, NULL when absent. */
const struct sv_variable *sv_survey_variable(const struct sv_survey *s, const char *name);
const char *sv_survey_role(const struct sv_survey *s, const char *role);
const char *sv_family_role(const struct sv_family *f, const char *role);
const struct sv_code *sv_variable_code(const struct sv_variable *v, const char *code);
/* Label of a code of `var`, or the code itself when unknown. Borrowed. */
const char *sv_survey_code_label(const struct sv_survey *s, const char *var, const char *code,
                                 enum sv_lang lang);

/* The directory of bundled definitions (compile-time default, overridable by $VIGIE_SURVEYS). */
const char *sv_survey_default_dir(void);

#endif
