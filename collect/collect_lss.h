/*
 * collect_lss: a survey definition as a LimeSurvey survey structure, both ways.
 *
 *   definition --collect_lss_from_survey--> model --collect_lss_write--> .lss (XML)
 *   .lss --collect_lss_parse--> model --collect_lss_definition--> survey.json text
 *   live survey (list_questions, get_question_properties) --> model (cmd_definition.c)
 *
 * The model is LimeSurvey's: groups, questions (type letter, code, texts in
 * fr and en, mandatory, relevance, min/max), sub-questions and answer
 * options. A variable is a question, or a sub-question of one when its
 * platform name is `q[SQ]` (multiple numeric K, multiple short text Q, array
 * F for single/likert). A multiple-choice variable's codes are sub-questions.
 *
 * What LimeSurvey cannot hold by itself (the vigie variable name when it is
 * not the question code, the vigie code when it is not the answer code,
 * likert vs single choice, personal-data flags) travels in the question's
 * `cssclass` attribute as `vigie:...` words: LimeSurvey keeps it (a CSS
 * class on the question's container, seen by nobody), so that a definition
 * read back from the .lss or the live survey has the same names and codes.
 *
 * Only the files of collect include this header; jansson stays inside.
 */
#ifndef COLLECT_LSS_H
#define COLLECT_LSS_H

#include <stdbool.h>
#include <stddef.h>

#include "sv_buf.h"
#include "sv_error.h"
#include "sv_survey.h"

struct collect_lss_answer {
    char *code;  /* LimeSurvey's answer (or sub-question) code */
    char *vcode; /* the definition's code */
    struct sv_label text;
};

struct collect_lss_sub {
    char *code;  /* sub-question code: `SQ` of `q[SQ]` */
    char *vname; /* the variable it holds (K, Q, F); NULL for M (its codes) */
    char *vcode; /* M: the definition's code of this option */
    struct sv_label text;
    enum sv_personal personal;
};

struct collect_lss_question {
    char *code;
    char type; /* L list, M multiple, N numeric, K multiple numeric, Y yes/no, D date,
                  S short text, T long text, Q multiple short text, F array,
                  A 5-point array (likert 1..5) */
    char *vname; /* variable of a question without sub-question variables */
    struct sv_label text;
    bool mandatory, int_only, likert;
    enum sv_personal personal;
    char *relevance; /* LimeSurvey expression; NULL = always */
    char *relevant;  /* the definition's "var=code"; NULL when none or not understood */
    bool has_min, has_max;
    double min, max;
    size_t group;
    struct collect_lss_sub *subs;
    size_t nsubs;
    struct collect_lss_answer *answers; /* L, F; M's codes are in subs with vname NULL */
    size_t nanswers;
    long qid; /* when read back */
};

struct collect_lss_group {
    struct sv_label title;
};

struct collect_lss {
    const char *platform; /* names in the definition: "limesurvey" (NULL) or "odk" */
    char *id, *version;
    struct sv_label title;
    long sid;
    struct collect_lss_group *groups;
    size_t ngroups;
    struct collect_lss_question *q;
    size_t nq;
    char **attributes; /* descriptions of attribute_1.. (member_id, strata) */
    size_t nattributes;
};

void collect_lss_release(struct collect_lss *m);

/*
 * Map a definition onto LimeSurvey and check it against every rule that
 * LimeSurvey enforces by renaming or dropping without an error (question
 * codes with '_' or a leading digit, duplicate codes, answer codes over 5
 * characters, ...). Each problem is handed to `bad` (one per variable or
 * code, with the definition's file and the variable's path) and counted in
 * *nbad; the return is then SV_EDATA. Other failures return their code.
 */
int collect_lss_from_survey(struct collect_lss *m, const struct sv_survey *s,
                            void (*bad)(const struct sv_error *e, void *ctx), void *ctx,
                            long *nbad, struct sv_error *err);
/* The .lss text (DBVersion 366 layout, base language fr, additional en). */
int collect_lss_write(const struct collect_lss *m, struct sv_buf *out);
/* Read a .lss (DBVersion 366 or 6.x layout). `source` names it in errors. */
int collect_lss_parse(struct collect_lss *m, const char *xml, size_t len, const char *source,
                      struct sv_error *err);
/*
 * A starter survey.json for the model: variables with types, codes, labels in
 * fr and en, platform names; roles and frame left as suggestions.
 */
int collect_lss_definition(const struct collect_lss *m, struct sv_buf *out, struct sv_error *err);

/* Parse the `vigie:` words of a cssclass into the question (after its subs and answers). */
int collect_lss_apply_marks(struct collect_lss_question *q, const char *cssclass);
/* A 5-point array (type A) has no answer options: codes 1..5. */
int collect_lss_five_points(struct collect_lss_question *q);
/* Turn the relevance equations back into "var=code" where they have the generated shape. */
void collect_lss_relevance_back(struct collect_lss *m);

/* Read an ODK XForm (as collect_xform_write makes them, or any simple form) into the model. */
int collect_xform_parse(struct collect_lss *m, const char *xml, size_t len, const char *source,
                        struct sv_error *err);
/* True when `text` looks like an XForm (an <h:html> root). */
bool collect_xform_is(const char *text, size_t len);

/*
 * The definition as an ODK XForm (collect_xform.c): checked first (XML names,
 * choice values without spaces, one variable per path), each problem to `bad`,
 * counted in *nbad (then SV_EDATA and nothing written).
 */
int collect_xform_write(const struct sv_survey *s, struct sv_buf *o,
                        void (*bad)(const struct sv_error *e, void *ctx), void *ctx, long *nbad);

#endif
