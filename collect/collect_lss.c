/*
 * collect_lss: definition <-> LimeSurvey survey structure (.lss). See collect_lss.h.
 *
 * LimeSurvey's rules checked before anything is sent (each one seen on a real
 * LimeSurvey 6.4.2, ../shared/fixtures/limesurvey-launch, unless said):
 *   - a question code is letters and digits, starting with a letter: '_' is
 *     removed (nb_ETP -> nbETP) and a leading digit gets a 'q' (2nbETP ->
 *     q2nbETP), silently (import_survey.question_code_underscore/_leading_digit);
 *   - two questions with one code: the second is renamed (r31q0), silently
 *     (import_survey.duplicate_question_code);
 *   - answer codes of more than 5 characters are cut or dropped (the answers
 *     table's code column holds 5; from the issue, not recorded);
 *   - codes are 20 characters at most (the title column; not recorded);
 *   - a sub-question may not be called 'other' (LimeSurvey's own 'other' column);
 *   - question codes that are response columns (id, token, submitdate, ...)
 *     would clash with them in exports (not recorded).
 */
#include "collect_lss.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int oom(struct sv_error *err)
{
    return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
}

static void label_free(struct sv_label *l)
{
    free(l->fr);
    free(l->en);
    l->fr = l->en = NULL;
}

static int label_copy(struct sv_label *to, const struct sv_label *from)
{
    to->fr = sv_strdup(from->fr ? from->fr : "");
    to->en = from->en ? sv_strdup(from->en) : NULL;
    return to->fr && (!from->en || to->en) ? 0 : SV_ENOMEM;
}

static int label_set(struct sv_label *to, const char *fr, const char *en)
{
    to->fr = sv_strdup(fr ? fr : "");
    to->en = en ? sv_strdup(en) : NULL;
    return to->fr && (!en || to->en) ? 0 : SV_ENOMEM;
}

void collect_lss_release(struct collect_lss *m)
{
    for (size_t i = 0; i < m->nq; i++) {
        struct collect_lss_question *q = &m->q[i];
        free(q->code);
        free(q->vname);
        label_free(&q->text);
        free(q->relevance);
        free(q->relevant);
        for (size_t j = 0; j < q->nsubs; j++) {
            free(q->subs[j].code);
            free(q->subs[j].vname);
            free(q->subs[j].vcode);
            label_free(&q->subs[j].text);
        }
        free(q->subs);
        for (size_t j = 0; j < q->nanswers; j++) {
            free(q->answers[j].code);
            free(q->answers[j].vcode);
            label_free(&q->answers[j].text);
        }
        free(q->answers);
    }
    free(m->q);
    for (size_t i = 0; i < m->ngroups; i++)
        label_free(&m->groups[i].title);
    free(m->groups);
    for (size_t i = 0; i < m->nattributes; i++)
        free(m->attributes[i]);
    free(m->attributes);
    free(m->id);
    free(m->version);
    label_free(&m->title);
    memset(m, 0, sizeof *m);
}

/* Grow an array of `size`-byte elements by one zeroed element; NULL on OOM. */
static void *grow(void **v, size_t *n, size_t size)
{
    if ((*n & (*n - 1)) == 0 || *n == 0) {
        size_t cap = *n ? *n * 2 : 4;
        void *p = realloc(*v, cap * size);
        if (!p)
            return NULL;
        *v = p;
    }
    void *el = (char *)*v + *n * size;
    memset(el, 0, size);
    (*n)++;
    return el;
}

/* ---------------------------------------------------------------- definition -> model */

struct build {
    struct collect_lss *m;
    const struct sv_survey *s;
    void (*bad)(const struct sv_error *e, void *ctx);
    void *ctx;
    long nbad;
};

static void problem(struct build *b, size_t var, const char *fmt, ...) SV_PRINTF(3, 4);
static void problem(struct build *b, size_t var, const char *fmt, ...)
{
    struct sv_error e;
    sv_error_clear(&e);
    char text[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sv_error_set(&e, SV_EDATA, b->s->file, 0, 0, "%s", text);
    sv_error_set_path(&e, "variables[%zu] '%s'", var, b->s->variables[var].name);
    b->nbad++;
    if (b->bad)
        b->bad(&e, b->ctx);
}

static const char *ls_name(const struct sv_variable *v)
{
    return v->platform[SV_PLATFORM_LIMESURVEY] ? v->platform[SV_PLATFORM_LIMESURVEY] : v->name;
}

static const char *ls_code(const struct sv_code *c)
{
    return c->platform[SV_PLATFORM_LIMESURVEY] ? c->platform[SV_PLATFORM_LIMESURVEY] : c->code;
}

static const char *const response_columns[] = {"id",        "token",     "submitdate", "lastpage",
                                               "startlanguage", "seed", "startdate", "datestamp",
                                               "ipaddr",    "refurl",    NULL};

/* What LimeSurvey would make of question code `c` ("" when it keeps it). */
static void check_question_code(struct build *b, size_t var, const char *c, const char *what)
{
    size_t n = strlen(c);
    if (n == 0) {
        problem(b, var, "LimeSurvey %s is empty", what);
        return;
    }
    if (n > 20)
        problem(b, var, "LimeSurvey %s '%s' is longer than 20 characters", what, c);
    if (isdigit((unsigned char)c[0]))
        problem(b, var,
                "LimeSurvey %s '%s' starts with a digit: LimeSurvey would rename it 'q%s' "
                "without an error; set platform.limesurvey to a code starting with a letter",
                what, c, c);
    bool underscore = strchr(c, '_') != NULL;
    bool other = false;
    for (const char *p = c; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            other = true;
    if (underscore || other) {
        /* what LimeSurvey makes of it, and a suggestion in camel case */
        char fixed[64], camel[64];
        size_t k = 0, j = 0;
        bool up = false;
        for (const char *p = c; *p && k + 1 < sizeof fixed; p++) {
            if (isalnum((unsigned char)*p)) {
                fixed[k++] = *p;
                camel[j++] = up ? (char)toupper((unsigned char)*p) : *p;
                up = false;
            } else {
                up = j > 0;
            }
        }
        fixed[k] = camel[j] = '\0';
        if (underscore && !other)
            problem(b, var,
                    "LimeSurvey %s '%s' contains '_': LimeSurvey removes it without an error "
                    "(it would become '%s'); set platform.limesurvey, e.g. '%s'",
                    what, c, fixed, camel);
        else
            problem(b, var,
                    "LimeSurvey %s '%s' has characters other than letters and digits: LimeSurvey "
                    "would not keep it as it is; set platform.limesurvey, e.g. '%s'",
                    what, c, camel);
    }
    for (size_t i = 0; response_columns[i]; i++)
        if (strcasecmp(c, response_columns[i]) == 0)
            problem(b, var, "LimeSurvey %s '%s' is also a column of LimeSurvey's responses", what,
                    c);
}

static void check_code(struct build *b, size_t var, const char *c, const char *vcode,
                       const char *what, size_t maxlen)
{
    bool bad_chars = !*c;
    for (const char *p = c; *p; p++)
        if (!isalnum((unsigned char)*p))
            bad_chars = true;
    if (bad_chars)
        problem(b, var,
                "code '%s': LimeSurvey %s '%s' must be letters and digits only; set the "
                "code's platform.limesurvey",
                vcode, what, c);
    else if (strlen(c) > maxlen)
        problem(b, var,
                "code '%s': LimeSurvey %s '%s' is longer than %zu characters (LimeSurvey cuts "
                "or drops it); set the code's platform.limesurvey",
                vcode, what, c, maxlen);
}

static struct collect_lss_question *find_question(struct collect_lss *m, const char *code)
{
    for (size_t i = 0; i < m->nq; i++)
        if (strcmp(m->q[i].code, code) == 0)
            return &m->q[i];
    return NULL;
}

/* The group of a variable: its ODK (else Kobo) path before the last '/'. */
static int group_of(struct collect_lss *m, const struct sv_variable *v, size_t *out)
{
    const char *p = v->platform[SV_PLATFORM_ODK] ? v->platform[SV_PLATFORM_ODK]
                                                 : v->platform[SV_PLATFORM_KOBO];
    const char *slash = p ? strrchr(p, '/') : NULL;
    char name[128];
    if (slash && (size_t)(slash - p) < sizeof name)
        snprintf(name, sizeof name, "%.*s", (int)(slash - p), p);
    else if (m->ngroups > 0) {
        *out = m->ngroups - 1; /* stays in the current group */
        return 0;
    } else
        snprintf(name, sizeof name, "%s", m->title.fr ? m->title.fr : "Questions");
    if (m->ngroups > 0 && strcmp(m->groups[m->ngroups - 1].title.fr, name) == 0) {
        *out = m->ngroups - 1;
        return 0;
    }
    for (size_t i = 0; i < m->ngroups; i++)
        if (strcmp(m->groups[i].title.fr, name) == 0) {
            *out = i;
            return 0;
        }
    struct collect_lss_group *g = grow((void **)&m->groups, &m->ngroups, sizeof *g);
    if (!g || label_set(&g->title, name, NULL) != 0)
        return SV_ENOMEM;
    *out = m->ngroups - 1;
    return 0;
}

static int add_answers(struct collect_lss_question *q, const struct sv_variable *v)
{
    for (size_t i = 0; i < v->ncodes; i++) {
        struct collect_lss_answer *a = grow((void **)&q->answers, &q->nanswers, sizeof *a);
        if (!a || !(a->code = sv_strdup(ls_code(&v->codes[i]))) ||
            !(a->vcode = sv_strdup(v->codes[i].code)) ||
            label_copy(&a->text, &v->codes[i].label) != 0)
            return SV_ENOMEM;
    }
    return 0;
}

static char type_letter(const struct sv_variable *v, bool sub)
{
    switch (v->type) {
    case SV_TYPE_SINGLE:
    case SV_TYPE_LIKERT:
        return sub ? 'F' : 'L';
    case SV_TYPE_MULTIPLE:
        return sub ? '\0' : 'M';
    case SV_TYPE_INTEGER:
    case SV_TYPE_NUMBER:
        return sub ? 'K' : 'N';
    case SV_TYPE_YESNO:
        return sub ? '\0' : 'Y';
    case SV_TYPE_DATE:
        return sub ? '\0' : 'D';
    case SV_TYPE_TEXT:
        return sub ? 'Q' : 'S';
    }
    return '\0';
}

/* Likert codes exactly 1..5, labelled 1..5, on LimeSurvey too: its 5-point array (type A) fits. */
static bool likert5(const struct sv_variable *v)
{
    if (v->type != SV_TYPE_LIKERT || v->ncodes != 5)
        return false;
    for (size_t i = 0; i < 5; i++) {
        char want[2] = {(char)('1' + i), '\0'};
        /* labels other than the digit itself would be lost: type A shows 1..5 only */
        if (strcmp(v->codes[i].code, want) != 0 || strcmp(ls_code(&v->codes[i]), want) != 0 ||
            strcmp(v->codes[i].label.fr, want) != 0)
            return false;
    }
    return true;
}

static bool same_codes(const struct sv_variable *a, const struct sv_variable *b)
{
    if (a->ncodes != b->ncodes)
        return false;
    for (size_t i = 0; i < a->ncodes; i++)
        if (strcmp(a->codes[i].code, b->codes[i].code) != 0 ||
            strcmp(ls_code(&a->codes[i]), ls_code(&b->codes[i])) != 0)
            return false;
    return true;
}

/* The relevance equation of "var=code", or NULL (with a problem reported). */
static char *relevance_of(struct build *b, size_t var, const char *relevant)
{
    const char *eq = strchr(relevant, '=');
    if (!eq)
        return NULL;
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - relevant), relevant);
    const struct sv_variable *t = sv_survey_variable(b->s, name);
    if (!t)
        return NULL;
    const char *code = eq + 1;
    char field[128], value[64];
    const char *ln = ls_name(t);
    const char *br = strchr(ln, '[');
    if (br)
        snprintf(field, sizeof field, "%.*s_%.*s", (int)(br - ln), ln,
                 (int)(strlen(br + 1) ? strlen(br + 1) - 1 : 0), br + 1);
    else
        snprintf(field, sizeof field, "%s", ln);
    if (t->type == SV_TYPE_YESNO) {
        snprintf(value, sizeof value, "%s", strcmp(code, "1") == 0 ? "Y" : "N");
    } else if (t->type == SV_TYPE_MULTIPLE) {
        const struct sv_code *c = sv_variable_code(t, code);
        char f2[160];
        snprintf(f2, sizeof f2, "%s_%s", field, c ? ls_code(c) : code);
        snprintf(field, sizeof field, "%s", f2);
        snprintf(value, sizeof value, "Y");
    } else {
        const struct sv_code *c = sv_variable_code(t, code);
        snprintf(value, sizeof value, "%s", c ? ls_code(c) : code);
    }
    (void)var;
    struct sv_buf out = SV_BUF_INIT;
    sv_buf_addf(&out, "((%s.NAOK == \"%s\"))", field, value);
    return sv_buf_detach(&out, NULL);
}

int collect_lss_from_survey(struct collect_lss *m, const struct sv_survey *s,
                            void (*bad)(const struct sv_error *e, void *ctx), void *ctx,
                            long *nbad, struct sv_error *err)
{
    memset(m, 0, sizeof *m);
    struct build b = {m, s, bad, ctx, 0};
    if (!(m->id = sv_strdup(s->id)) || !(m->version = sv_strdup(s->version)) ||
        label_copy(&m->title, &s->title) != 0)
        goto nomem;
    /* a stable survey number from id and version; LimeSurvey takes another when it is used */
    unsigned long h = 2166136261u;
    for (const char *p = s->id; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    for (const char *p = s->version; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    m->sid = 100000 + (long)(h % 900000);

    for (size_t i = 0; i < s->nvariables; i++) {
        const struct sv_variable *v = &s->variables[i];
        const char *ln = ls_name(v);
        const char *br = strchr(ln, '[');
        char base[128], sub[64] = "";
        if (br) {
            size_t blen = (size_t)(br - ln);
            size_t slen = strlen(br + 1);
            if (slen < 2 || br[slen] != ']' || strchr(br + 1, '[') || blen >= sizeof base ||
                slen >= sizeof sub) {
                problem(&b, i, "LimeSurvey name '%s' is not 'question[subquestion]'", ln);
                continue;
            }
            snprintf(base, sizeof base, "%.*s", (int)blen, ln);
            snprintf(sub, sizeof sub, "%.*s", (int)(slen - 1), br + 1);
        } else {
            snprintf(base, sizeof base, "%s", ln);
        }
        check_question_code(&b, i, base, "question code");
        char t = type_letter(v, br != NULL);
        if (t == 'F' && likert5(v))
            t = 'A';
        if (!t) {
            problem(&b, i,
                    "a %s variable cannot be a LimeSurvey sub-question ('%s'): give it a question "
                    "of its own",
                    sv_var_type_name(v->type), ln);
            continue;
        }
        struct collect_lss_question *q = find_question(m, base);
        if (q && (!br || q->nsubs == 0 || q->vname)) {
            problem(&b, i,
                    "LimeSurvey question code '%s' is used twice: LimeSurvey would rename the "
                    "second question without an error; give each its own platform.limesurvey",
                    base);
            continue;
        }
        if (q && q->type != t) {
            problem(&b, i, "'%s' joins question '%s' of another type", ln, base);
            continue;
        }
        if (!q) {
            size_t g;
            if (group_of(m, v, &g) != 0 ||
                !(q = grow((void **)&m->q, &m->nq, sizeof *q)) || !(q->code = sv_strdup(base)))
                goto nomem;
            q->type = t;
            q->group = g;
            q->qid = -1;
            q->likert = v->type == SV_TYPE_LIKERT;
            q->int_only = v->type == SV_TYPE_INTEGER;
            q->personal = br ? SV_PERSONAL_NO : v->personal;
            q->mandatory = v->required;
            q->has_min = v->has_min;
            q->has_max = v->has_max;
            q->min = v->min;
            q->max = v->max;
            if (label_copy(&q->text, &v->label) != 0)
                goto nomem;
            if (!br && !(q->vname = sv_strdup(v->name)))
                goto nomem;
            if (v->relevant) {
                q->relevance = relevance_of(&b, i, v->relevant);
                q->relevant = sv_strdup(v->relevant);
                if (!q->relevance || !q->relevant)
                    goto nomem;
            }
            if ((t == 'L' || t == 'F') && add_answers(q, v) != 0)
                goto nomem;
            for (size_t k = 0; (t == 'L' || t == 'F') && k < v->ncodes; k++) {
                check_code(&b, i, ls_code(&v->codes[k]), v->codes[k].code, "answer code", 5);
                for (size_t j = 0; j < k; j++)
                    if (strcmp(ls_code(&v->codes[j]), ls_code(&v->codes[k])) == 0)
                        problem(&b, i, "code '%s': LimeSurvey answer code '%s' is used twice",
                                v->codes[k].code, ls_code(&v->codes[k]));
            }
            if (t == 'M')
                for (size_t k = 0; k < v->ncodes; k++) {
                    struct collect_lss_sub *sq = grow((void **)&q->subs, &q->nsubs, sizeof *sq);
                    if (!sq || !(sq->code = sv_strdup(ls_code(&v->codes[k]))) ||
                        !(sq->vcode = sv_strdup(v->codes[k].code)) ||
                        label_copy(&sq->text, &v->codes[k].label) != 0)
                        goto nomem;
                    check_code(&b, i, sq->code, v->codes[k].code, "sub-question code", 20);
                    if (strcasecmp(sq->code, "other") == 0)
                        problem(&b, i,
                                "code '%s': 'other' is LimeSurvey's own column of a multiple "
                                "choice; set the code's platform.limesurvey",
                                v->codes[k].code);
                    for (size_t j = 0; j < k; j++)
                        if (strcmp(q->subs[j].code, sq->code) == 0)
                            problem(&b, i,
                                    "code '%s': LimeSurvey sub-question code '%s' is used twice",
                                    v->codes[k].code, sq->code);
                }
        } else {
            /* one more sub-question variable of an existing question */
            const struct sv_variable *first = sv_survey_variable(s, q->subs[0].vname);
            if ((t == 'F' || t == 'A') && first && !same_codes(first, v))
                problem(&b, i,
                        "'%s' joins array question '%s' whose codes differ (an array has one "
                        "list of answers)",
                        ln, base);
            if (t == 'K' && q->int_only != (v->type == SV_TYPE_INTEGER))
                problem(&b, i, "'%s' joins question '%s': integers and numbers cannot share one",
                        ln, base);
            if (q->mandatory != v->required || (q->relevant == NULL) != (v->relevant == NULL) ||
                (q->relevant && strcmp(q->relevant, v->relevant) != 0))
                problem(&b, i,
                        "'%s' joins question '%s' with another 'required' or 'relevant' (one "
                        "LimeSurvey question has one of each)",
                        ln, base);
            if (v->has_min != q->has_min || v->has_max != q->has_max ||
                (v->has_min && v->min != q->min) || (v->has_max && v->max != q->max))
                problem(&b, i,
                        "'%s' joins question '%s' with another min/max (LimeSurvey has one per "
                        "question)",
                        ln, base);
        }
        if (br) {
            for (size_t j = 0; j < q->nsubs; j++)
                if (strcmp(q->subs[j].code, sub) == 0)
                    problem(&b, i, "LimeSurvey sub-question '%s' of '%s' is used twice", sub,
                            base);
            check_code(&b, i, sub, sub, "sub-question code", 20);
            struct collect_lss_sub *sq = grow((void **)&q->subs, &q->nsubs, sizeof *sq);
            if (!sq || !(sq->code = sv_strdup(sub)) || !(sq->vname = sv_strdup(v->name)) ||
                label_copy(&sq->text, v->short_label.fr ? &v->short_label : &v->label) != 0)
                goto nomem;
            sq->personal = v->personal;
        }
    }
    /* participant attributes: the member id, then the strata */
    const char *strata[8];
    size_t ns = 0;
    for (size_t i = 0; i < s->frame.nvars && ns < 8; i++)
        strata[ns++] = s->frame.vars[i];
    if (ns == 0) {
        const char *r = sv_survey_role(s, "region"), *sec = sv_survey_role(s, "sector");
        if (r)
            strata[ns++] = r;
        if (sec)
            strata[ns++] = sec;
    }
    if (!(m->attributes = calloc(ns + 1, sizeof *m->attributes)))
        goto nomem;
    if (!(m->attributes[m->nattributes++] = sv_strdup("member_id")))
        goto nomem;
    for (size_t i = 0; i < ns; i++)
        if (!(m->attributes[m->nattributes++] = sv_strdup(strata[i])))
            goto nomem;
    *nbad = b.nbad;
    return b.nbad ? SV_EDATA : 0;
nomem:
    *nbad = b.nbad;
    return oom(err);
}

/* ---------------------------------------------------------------- model -> .lss */

static void cdata(struct sv_buf *o, const char *tag, const char *text)
{
    if (!text || !*text) {
        sv_buf_addf(o, "    <%s/>\n", tag);
        return;
    }
    sv_buf_addf(o, "    <%s><![CDATA[", tag);
    for (const char *p = text; *p; p++) {
        if (strncmp(p, "]]>", 3) == 0) {
            sv_buf_adds(o, "]]]]><![CDATA[>");
            p += 2;
        } else {
            sv_buf_addc(o, *p);
        }
    }
    sv_buf_addf(o, "]]></%s>\n", tag);
}

static void cdata_long(struct sv_buf *o, const char *tag, long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%ld", v);
    cdata(o, tag, buf);
}

static void fields(struct sv_buf *o, const char *table, const char *const *names)
{
    sv_buf_addf(o, " <%s>\n  <fields>\n", table);
    for (size_t i = 0; names[i]; i++)
        sv_buf_addf(o, "   <fieldname>%s</fieldname>\n", names[i]);
    sv_buf_adds(o, "  </fields>\n  <rows>\n");
}

static const char *lang_text(const struct sv_label *l, int lang)
{
    return lang == 0 || !l->en ? (l->fr ? l->fr : "") : l->en;
}

static const char *const langs[] = {"fr", "en"};

/* The `vigie:` words of question `q`: what LimeSurvey's structure does not say. */
static void marks(struct sv_buf *o, const struct collect_lss_question *q)
{
    size_t start = o->len;
    if (q->vname && strcmp(q->vname, q->code) != 0)
        sv_buf_addf(o, " vigie:%s", q->vname);
    if (q->likert)
        sv_buf_adds(o, " vigie:likert");
    if (q->personal != SV_PERSONAL_NO)
        sv_buf_addf(o, " vigie:personal=%s", q->personal == SV_PERSONAL_HASH ? "hash" : "drop");
    for (size_t j = 0; j < q->nsubs; j++) {
        const struct collect_lss_sub *s = &q->subs[j];
        if (s->vname)
            sv_buf_addf(o, " vigie:%s=%s", s->code, s->vname);
        if (s->personal != SV_PERSONAL_NO)
            sv_buf_addf(o, " vigie:personal.%s=%s", s->code,
                        s->personal == SV_PERSONAL_HASH ? "hash" : "drop");
    }
    for (size_t j = 0; j < q->nanswers; j++)
        if (strcmp(q->answers[j].code, q->answers[j].vcode) != 0)
            sv_buf_addf(o, " vigie:code.%s=%s", q->answers[j].code, q->answers[j].vcode);
    /* a multiple choice's codes are its sub-questions */
    for (size_t j = 0; j < q->nsubs; j++)
        if (q->subs[j].vcode && strcmp(q->subs[j].code, q->subs[j].vcode) != 0)
            sv_buf_addf(o, " vigie:code.%s=%s", q->subs[j].code, q->subs[j].vcode);
    if (o->len > start) {
        /* drop the leading space */
        memmove(o->data + start, o->data + start + 1, o->len - start);
        o->len--;
    }
}

static void fmt_num(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.15g", v);
}

int collect_lss_write(const struct collect_lss *m, struct sv_buf *o)
{
    sv_buf_adds(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document>\n"
                   " <LimeSurveyDocType>Survey</LimeSurveyDocType>\n <DBVersion>366</DBVersion>\n"
                   " <languages>\n  <language>fr</language>\n  <language>en</language>\n"
                   " </languages>\n");
    /* qids: questions 1..nq, then sub-questions */
    static const char *const answer_f[] = {"qid",      "code",     "answer", "sortorder",
                                          "assessment_value", "language", "scale_id", NULL};
    fields(o, "answers", answer_f);
    for (size_t i = 0; i < m->nq; i++)
        for (int l = 0; l < 2; l++)
            for (size_t j = 0; j < m->q[i].nanswers; j++) {
                const struct collect_lss_answer *a = &m->q[i].answers[j];
                sv_buf_adds(o, "   <row>\n");
                cdata_long(o, "qid", (long)i + 1);
                cdata(o, "code", a->code);
                cdata(o, "answer", lang_text(&a->text, l));
                cdata_long(o, "sortorder", (long)j + 1);
                cdata(o, "assessment_value", "0");
                cdata(o, "language", langs[l]);
                cdata(o, "scale_id", "0");
                sv_buf_adds(o, "   </row>\n");
            }
    sv_buf_adds(o, "  </rows>\n </answers>\n");
    static const char *const group_f[] = {"gid",      "sid",      "group_name",         "group_order",
                                         "description", "language", "randomization_group", "grelevance",
                                         NULL};
    fields(o, "groups", group_f);
    for (size_t g = 0; g < m->ngroups; g++)
        for (int l = 0; l < 2; l++) {
            sv_buf_adds(o, "   <row>\n");
            cdata_long(o, "gid", (long)g + 1);
            cdata_long(o, "sid", m->sid);
            cdata(o, "group_name", lang_text(&m->groups[g].title, l));
            cdata_long(o, "group_order", (long)g);
            cdata(o, "description", "");
            cdata(o, "language", langs[l]);
            cdata(o, "randomization_group", "");
            cdata(o, "grelevance", "");
            sv_buf_adds(o, "   </row>\n");
        }
    sv_buf_adds(o, "  </rows>\n </groups>\n");
    static const char *const q_f[] = {"qid",      "parent_qid", "sid",       "gid",
                                     "type",     "title",      "question",  "preg",
                                     "help",     "other",      "mandatory", "question_order",
                                     "language", "scale_id",   "same_default", "relevance",
                                     "modulename", NULL};
    fields(o, "questions", q_f);
    size_t order_in_group[256] = {0};
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        size_t order = q->group < 256 ? ++order_in_group[q->group] : i + 1;
        for (int l = 0; l < 2; l++) {
            char type[2] = {q->type, '\0'};
            sv_buf_adds(o, "   <row>\n");
            cdata_long(o, "qid", (long)i + 1);
            cdata(o, "parent_qid", "0");
            cdata_long(o, "sid", m->sid);
            cdata_long(o, "gid", (long)q->group + 1);
            cdata(o, "type", type);
            cdata(o, "title", q->code);
            cdata(o, "question", lang_text(&q->text, l));
            cdata(o, "preg", "");
            cdata(o, "help", "");
            cdata(o, "other", "N");
            cdata(o, "mandatory", q->mandatory ? "Y" : "N");
            cdata_long(o, "question_order", (long)order);
            cdata(o, "language", langs[l]);
            cdata(o, "scale_id", "0");
            cdata(o, "same_default", "0");
            cdata(o, "relevance", q->relevance ? q->relevance : "1");
            cdata(o, "modulename", "");
            sv_buf_adds(o, "   </row>\n");
        }
    }
    sv_buf_adds(o, "  </rows>\n </questions>\n");
    fields(o, "subquestions", q_f);
    long sqid = (long)m->nq;
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        for (size_t j = 0; j < q->nsubs; j++) {
            sqid++;
            for (int l = 0; l < 2; l++) {
                sv_buf_adds(o, "   <row>\n");
                cdata_long(o, "qid", sqid);
                cdata_long(o, "parent_qid", (long)i + 1);
                cdata_long(o, "sid", m->sid);
                cdata_long(o, "gid", (long)q->group + 1);
                cdata(o, "type", "T");
                cdata(o, "title", q->subs[j].code);
                cdata(o, "question", lang_text(&q->subs[j].text, l));
                cdata(o, "preg", "");
                cdata(o, "help", "");
                cdata(o, "other", "N");
                cdata(o, "mandatory", "N");
                cdata_long(o, "question_order", (long)j + 1);
                cdata(o, "language", langs[l]);
                cdata(o, "scale_id", "0");
                cdata(o, "same_default", "0");
                cdata(o, "relevance", "1");
                cdata(o, "modulename", "");
                sv_buf_adds(o, "   </row>\n");
            }
        }
    }
    sv_buf_adds(o, "  </rows>\n </subquestions>\n");
    static const char *const qa_f[] = {"qid", "attribute", "value", "language", NULL};
    fields(o, "question_attributes", qa_f);
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        struct sv_buf css = SV_BUF_INIT;
        marks(&css, q);
        struct {
            const char *name;
            const char *value;
        } at[4];
        size_t na = 0;
        char minb[64] = "", maxb[64] = "";
        if (q->has_min && (q->type == 'N' || q->type == 'K')) {
            fmt_num(minb, sizeof minb, q->min);
            at[na].name = "min_num_value_n";
            at[na++].value = minb;
        }
        if (q->has_max && (q->type == 'N' || q->type == 'K')) {
            fmt_num(maxb, sizeof maxb, q->max);
            at[na].name = "max_num_value_n";
            at[na++].value = maxb;
        }
        if (q->int_only) {
            at[na].name = "num_value_int_only";
            at[na++].value = "1";
        }
        if (css.len) {
            at[na].name = "cssclass";
            at[na++].value = css.data;
        }
        for (size_t k = 0; k < na; k++) {
            sv_buf_adds(o, "   <row>\n");
            cdata_long(o, "qid", (long)i + 1);
            cdata(o, "attribute", at[k].name);
            cdata(o, "value", at[k].value);
            cdata(o, "language", "");
            sv_buf_adds(o, "   </row>\n");
        }
        sv_buf_release(&css);
    }
    sv_buf_adds(o, "  </rows>\n </question_attributes>\n");
    static const char *const s_f[] = {"sid",      "admin",     "adminemail", "anonymized",
                                     "format",   "language",  "additional_languages", "datestamp",
                                     "allowsave", "allowprev", "htmlemail",  "usetokens",
                                     "attributedescriptions",  "tokenlength", "showwelcome",
                                     "showprogress", "active", NULL};
    fields(o, "surveys", s_f);
    json_t *desc = json_object();
    for (size_t i = 0; desc && i < m->nattributes; i++) {
        char key[32];
        snprintf(key, sizeof key, "attribute_%zu", i + 1);
        json_object_set_new(desc, key,
                            json_pack("{s:s, s:s, s:s, s:s}", "description", m->attributes[i],
                                      "mandatory", "N", "show_register", "N", "cpdbmap", ""));
    }
    char *desc_s = desc ? json_dumps(desc, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(desc);
    if (!desc_s)
        return SV_ENOMEM;
    sv_buf_adds(o, "   <row>\n");
    cdata_long(o, "sid", m->sid);
    cdata(o, "admin", "");
    cdata(o, "adminemail", "");
    cdata(o, "anonymized", "N"); /* responses keep their token: completion by token */
    cdata(o, "format", "G");
    cdata(o, "language", "fr");
    cdata(o, "additional_languages", "en");
    cdata(o, "datestamp", "Y");
    cdata(o, "allowsave", "Y");
    cdata(o, "allowprev", "Y");
    cdata(o, "htmlemail", "Y");
    cdata(o, "usetokens", "N");
    cdata(o, "attributedescriptions", desc_s);
    cdata(o, "tokenlength", "15");
    cdata(o, "showwelcome", "Y");
    cdata(o, "showprogress", "Y");
    cdata(o, "active", "N");
    sv_buf_adds(o, "   </row>\n  </rows>\n </surveys>\n");
    free(desc_s);
    static const char *const sl_f[] = {"surveyls_survey_id", "surveyls_language", "surveyls_title",
                                      "surveyls_description", "surveyls_welcometext",
                                      "surveyls_endtext", "surveyls_dateformat",
                                      "surveyls_numberformat", NULL};
    fields(o, "surveys_languagesettings", sl_f);
    for (int l = 0; l < 2; l++) {
        sv_buf_adds(o, "   <row>\n");
        cdata_long(o, "surveyls_survey_id", m->sid);
        cdata(o, "surveyls_language", langs[l]);
        cdata(o, "surveyls_title", lang_text(&m->title, l));
        cdata(o, "surveyls_description", "");
        cdata(o, "surveyls_welcometext", "");
        cdata(o, "surveyls_endtext", l == 0 ? "Merci de votre participation." : "Thank you.");
        cdata(o, "surveyls_dateformat", l == 0 ? "5" : "6");
        cdata(o, "surveyls_numberformat", l == 0 ? "1" : "0");
        sv_buf_adds(o, "   </row>\n");
    }
    sv_buf_adds(o, "  </rows>\n </surveys_languagesettings>\n</document>\n");
    return o->data == sv_buf_empty ? SV_ENOMEM : 0;
}
