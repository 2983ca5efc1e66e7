/*
 * gensample: the deterministic sample-data generator (internal header of the
 * sample/ module; nothing outside sample/ and its tests includes it).
 *
 * A model (one per bundled survey) produces one response at a time as a
 * vector of values indexed like the definition's variables; a writer turns
 * each response into one platform's shape (LimeSurvey export JSON,
 * KoboToolbox or ODK Central pages, plain CSV) and streams it out, so that
 * millions of rows never sit in memory.
 */
#ifndef GENSAMPLE_H
#define GENSAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

#include "sv_error.h"
#include "sv_file.h"
#include "sv_survey.h"

/* ------------------------------------------------------------------ values */

enum gs_kind {
    GS_MISSING = 0, /* not answered: "" (LimeSurvey), absent (Kobo), null (ODK), empty (CSV) */
    GS_CODE,        /* single, likert, yesno ("1"/"0"): a canonical code of the definition */
    GS_NUM,         /* integer or number, written with `decimals` places, trailing zeros trimmed */
    GS_TEXT,        /* free text (UTF-8) */
    GS_MULTI,       /* multiple choice: bit i set = code i ticked */
    GS_RAW          /* --dirty only: a raw string written as is on every platform */
};

#define GS_TEXT_MAX 192

struct gs_value {
    enum gs_kind kind;
    int decimals;
    double num;
    const char *code;       /* GS_CODE: borrowed from the definition or a literal */
    unsigned long multi;    /* GS_MULTI */
    char text[GS_TEXT_MAX]; /* GS_TEXT, GS_RAW */
};

/* One generated response. */
struct gs_record {
    long id;              /* 1-based, in submission order */
    long long submitted;  /* seconds since the epoch (UTC) */
    int duration;         /* seconds between start and submission */
    bool incomplete;      /* --dirty: an abandoned LimeSurvey response */
    char uuid[40];        /* random v4 UUID (Kobo, ODK) */
    struct gs_value *v;   /* one per definition variable */
    size_t nv;
};

/* ------------------------------------------------------------------ models */

struct gs_options {
    long n;          /* responses (establishments or employees) */
    unsigned long seed;
    bool dirty;      /* add missing answers and invalid values */
    int wave;        /* survey wave (year); GS_WAVE_DEFAULT unless --wave */
};

/* The wave the models describe (the bundled definitions' "wave"); recrutement
   also has the earlier waves GS_WAVE_FIRST.. with shifted truth. */
#define GS_WAVE_DEFAULT 2026
#define GS_WAVE_FIRST 2024

struct gs_model;

/* Create the model that fits survey `s` (chosen by its id). SV_ENOTFOUND if none. */
int gs_model_new(struct gs_model **out, const struct sv_survey *s, const struct gs_options *opt,
                 gsl_rng *rng, struct sv_error *err);
/* Fill `rec` with response number rec->id (values reset by the caller). */
void gs_model_next(struct gs_model *m, struct gs_record *rec);
/* Write the ground truth (parameters, population values, realised sample figures) as JSON. */
int gs_model_truth(struct gs_model *m, FILE *fp);
void gs_model_free(struct gs_model *m);

/* The ids that have a model, for messages: "recrutement, numerique, remuneration". */
const char *gs_model_ids(void);
bool gs_model_known(const char *id);

/* Per-survey entry points (gs_recrutement.c, gs_numerique.c, gs_remuneration.c). */
struct gs_model_ops {
    void *(*create)(const struct sv_survey *s, const struct gs_options *opt, gsl_rng *rng,
                    struct sv_error *err);
    void (*next)(void *self, struct gs_record *rec);
    int (*truth)(void *self, FILE *fp);
    void (*destroy)(void *self);
};
extern const struct gs_model_ops gs_recrutement_ops;
extern const struct gs_model_ops gs_numerique_ops;
extern const struct gs_model_ops gs_remuneration_ops;

/* ------------------------------------------------------------------ helpers (gs_common.c) */

/* Index of the variable bound to `role` (survey role), or -1 (and an error) when absent. */
int gs_role_index(const struct sv_survey *s, const char *role, struct sv_error *err);
int gs_family_role_index(const struct sv_survey *s, const struct sv_family *f, const char *role,
                         struct sv_error *err);
/* Index of a variable by name, or -1. */
int gs_var_index(const struct sv_survey *s, const char *name);
/* Index of `code` among the codes of variable `vi`, or -1. */
int gs_code_index(const struct sv_survey *s, int vi, const char *code);

void gs_set_code(struct gs_record *r, int vi, const char *code);
void gs_set_num(struct gs_record *r, int vi, double x, int decimals);
void gs_set_text(struct gs_record *r, int vi, const char *text);
void gs_set_raw(struct gs_record *r, int vi, const char *text);
void gs_set_yesno(struct gs_record *r, int vi, bool yes);
void gs_set_multi(struct gs_record *r, int vi, unsigned long bits);

/* Draw an index from unnormalised weights w[0..n-1]. */
size_t gs_draw(gsl_rng *rng, const double *w, size_t n);
double gs_logistic(double x);
double gs_logit(double p);
double gs_round_to(double x, double step);

/*
 * Allocate `n` respondents to strata in proportion to weight[h] (largest
 * remainder), capped at cap[h] when the frame is large enough (cap may be
 * NULL). counts[] is filled. Deterministic.
 */
void gs_allocate(long *counts, const double *weight, const double *cap, size_t nstrata, long n);

/* A random version-4 UUID ("8-4-4-4-12" lower-case hex) into buf (>= 37 bytes). */
void gs_uuid(gsl_rng *rng, char *buf);
/* A synthetic FINESS-like identifier: département prefix + 7 digits. */
void gs_finess(gsl_rng *rng, const char *departement, char *buf, size_t size);
/* A synthetic full name (fictitious first and last name lists). */
void gs_person_name(gsl_rng *rng, char *buf, size_t size);

/* Submission times: fieldwork window of a wave, from 2 March of its year 09:00 UTC. */
#define GS_FIELD_START 1772442000LL /* 2026-03-02 09:00:00 UTC */
#define GS_FIELD_DAYS 40
long long gs_field_start(int wave);
long long gs_submit_time(gsl_rng *rng, int wave, long i, long n);

/* "YYYY-MM-DD HH:MM:SS" (sep ' ') or "YYYY-MM-DDTHH:MM:SS" (sep 'T'), UTC. */
void gs_format_time(long long t, char sep, char *buf, size_t size);

/*
 * Fast fixed-point formatting: x with `decimals` places (0..6), trailing
 * zeros and a trailing point trimmed ("6.5", "4", "-0.25"). Returns length.
 */
size_t gs_format_num(char *buf, double x, int decimals);

/* Truth JSON helpers: write `"key": value` pairs with a leading comma when !first. */
struct gs_json {
    FILE *fp;
    int depth;
    bool pending_key;
    bool first[16];
};
void gs_json_begin(struct gs_json *j, FILE *fp);
void gs_json_key(struct gs_json *j, const char *key); /* then one of the value calls */
void gs_json_object(struct gs_json *j);                /* opens { */
void gs_json_array(struct gs_json *j);                 /* opens [ */
void gs_json_close(struct gs_json *j, char c);         /* } or ] */
void gs_json_num(struct gs_json *j, double x);
void gs_json_int(struct gs_json *j, long long x);
void gs_json_str(struct gs_json *j, const char *s);
void gs_json_bool(struct gs_json *j, bool b);
void gs_json_end(struct gs_json *j);
/* Write s as a JSON string. ascii_only: \uXXXX for non-ASCII and "\/" (PHP json_encode style). */
void gs_json_write_string(FILE *fp, const char *s, bool ascii_only);

/* ------------------------------------------------------------------ writers (gs_out.c) */

enum gs_format { GS_FMT_LIMESURVEY, GS_FMT_KOBO, GS_FMT_ODK, GS_FMT_CSV };
int gs_format_parse(const char *s, enum gs_format *out);

struct gs_out_options {
    enum gs_format format;
    const char *output;   /* file, "-" for stdout, or a directory when paging */
    long page_size;       /* 0: one file */
    const char *base_url; /* required with page_size: next = base_url + "page-0002.json" */
    long total;           /* number of records to come (Kobo "count") */
};

/* An output file: atomic for regular files, written in place for devices and pipes. */
struct gs_file {
    FILE *fp;
    bool regular;
    FILE *direct;
    struct sv_atomic_file af;
};
int gs_file_open(struct gs_file *f, const char *path, struct sv_error *err);
int gs_file_commit(struct gs_file *f, struct sv_error *err);
void gs_file_abort(struct gs_file *f);

struct gs_writer;
int gs_writer_open(struct gs_writer **out, const struct sv_survey *s,
                   const struct gs_out_options *opt, struct sv_error *err);
int gs_writer_put(struct gs_writer *w, const struct gs_record *rec, struct sv_error *err);
/* Finish and commit the file(s). */
int gs_writer_close(struct gs_writer *w, struct sv_error *err);
/* Discard everything written (on error). Accepts NULL. */
void gs_writer_abort(struct gs_writer *w);

#endif
