/*
 * collect_lss_read: a LimeSurvey .lss (both layouts: DBVersion 366, one row
 * per language; 6.x, with *_l10ns tables) into the model of collect_lss.h,
 * and the model into a starter survey.json.
 *
 * The .lss is XML of a fixed shape: <document><table><rows><row><field>text
 * </field>...; the small reader below knows elements, attributes (skipped),
 * text, CDATA, character references and the five named entities, comments and
 * processing instructions. A file it cannot read is an error naming the byte
 * offset, never a partial definition.
 */
#include "collect_lss.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- XML */

struct xnode {
    char *name;
    struct sv_buf text;
    char **attrs; /* name, value, name, value, ... */
    size_t nattrs;
    struct xnode *kids;
    size_t nkids, cap;
};

static void xfree(struct xnode *n)
{
    for (size_t i = 0; i < n->nattrs; i++)
        free(n->attrs[i]);
    free(n->attrs);
    for (size_t i = 0; i < n->nkids; i++)
        xfree(&n->kids[i]);
    free(n->kids);
    free(n->name);
    sv_buf_release(&n->text);
}

struct xparser {
    const char *p, *end, *start;
    const char *source;
    struct sv_error *err;
    int depth;
};

static int xfail(struct xparser *x, const char *why)
{
    return sv_error_set(x->err, SV_EDATA, x->source, 0, 0,
                        "not a LimeSurvey survey file: %s at byte %ld", why,
                        (long)(x->p - x->start));
}

static void utf8(struct sv_buf *b, unsigned long c)
{
    if (c < 0x80) {
        sv_buf_addc(b, (char)c);
    } else if (c < 0x800) {
        sv_buf_addc(b, (char)(0xC0 | (c >> 6)));
        sv_buf_addc(b, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        sv_buf_addc(b, (char)(0xE0 | (c >> 12)));
        sv_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
        sv_buf_addc(b, (char)(0x80 | (c & 0x3F)));
    } else {
        sv_buf_addc(b, (char)(0xF0 | (c >> 18)));
        sv_buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3F)));
        sv_buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
        sv_buf_addc(b, (char)(0x80 | (c & 0x3F)));
    }
}

static int text_until_lt(struct xparser *x, struct sv_buf *b)
{
    while (x->p < x->end && *x->p != '<') {
        if (*x->p != '&') {
            sv_buf_addc(b, *x->p++);
            continue;
        }
        const char *semi = memchr(x->p, ';', (size_t)(x->end - x->p));
        if (!semi || semi - x->p > 12)
            return xfail(x, "a bad '&'");
        size_t n = (size_t)(semi - x->p - 1);
        const char *e = x->p + 1;
        if (n == 2 && strncmp(e, "lt", 2) == 0)
            sv_buf_addc(b, '<');
        else if (n == 2 && strncmp(e, "gt", 2) == 0)
            sv_buf_addc(b, '>');
        else if (n == 3 && strncmp(e, "amp", 3) == 0)
            sv_buf_addc(b, '&');
        else if (n == 4 && strncmp(e, "quot", 4) == 0)
            sv_buf_addc(b, '"');
        else if (n == 4 && strncmp(e, "apos", 4) == 0)
            sv_buf_addc(b, '\'');
        else if (n >= 2 && e[0] == '#') {
            char *stop = NULL;
            unsigned long c = e[1] == 'x' ? strtoul(e + 2, &stop, 16) : strtoul(e + 1, &stop, 10);
            if (stop != semi || c == 0 || c > 0x10FFFF)
                return xfail(x, "a bad character reference");
            utf8(b, c);
        } else
            return xfail(x, "an unknown entity");
        x->p = semi + 1;
    }
    return 0;
}

static bool skip_past(struct xparser *x, const char *end_mark)
{
    size_t n = strlen(end_mark);
    while (x->p + n <= x->end) {
        if (memcmp(x->p, end_mark, n) == 0) {
            x->p += n;
            return true;
        }
        x->p++;
    }
    return false;
}

/* Parse the content of element `n` up to its end tag. */
static int element(struct xparser *x, struct xnode *n)
{
    if (++x->depth > 64)
        return xfail(x, "elements nested too deep");
    for (;;) {
        int rc = text_until_lt(x, &n->text);
        if (rc)
            return rc;
        if (x->p >= x->end) {
            if (n->name && strcmp(n->name, "#doc") == 0)
                return 0;
            return xfail(x, "the file ends inside an element");
        }
        if (strncmp(x->p, "<![CDATA[", 9) == 0) {
            x->p += 9;
            const char *s = x->p;
            if (!skip_past(x, "]]>"))
                return xfail(x, "an unterminated CDATA");
            sv_buf_add(&n->text, s, (size_t)(x->p - 3 - s));
            continue;
        }
        if (strncmp(x->p, "<!--", 4) == 0) {
            if (!skip_past(x, "-->"))
                return xfail(x, "an unterminated comment");
            continue;
        }
        if (strncmp(x->p, "<?", 2) == 0) {
            if (!skip_past(x, "?>"))
                return xfail(x, "an unterminated processing instruction");
            continue;
        }
        if (x->p[1] == '/') {
            const char *s = x->p + 2;
            const char *gt = memchr(s, '>', (size_t)(x->end - s));
            if (!gt)
                return xfail(x, "an unterminated end tag");
            size_t len = (size_t)(gt - s);
            while (len > 0 && isspace((unsigned char)s[len - 1]))
                len--;
            if (!n->name || strlen(n->name) != len || strncmp(s, n->name, len) != 0)
                return xfail(x, "a mismatched end tag");
            x->p = gt + 1;
            x->depth--;
            return 0;
        }
        /* a child element */
        const char *s = ++x->p;
        while (x->p < x->end && !isspace((unsigned char)*x->p) && *x->p != '>' && *x->p != '/')
            x->p++;
        if (x->p == s)
            return xfail(x, "an empty tag name");
        if (n->nkids == n->cap) {
            size_t cap = n->cap ? n->cap * 2 : 8;
            struct xnode *k = realloc(n->kids, cap * sizeof *k);
            if (!k)
                return sv_error_set(x->err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            n->kids = k;
            n->cap = cap;
        }
        struct xnode *c = &n->kids[n->nkids++];
        memset(c, 0, sizeof *c);
        sv_buf_init(&c->text);
        if (!(c->name = strndup(s, (size_t)(x->p - s))))
            return sv_error_set(x->err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        /* attributes: name="value" (entities decoded) */
        bool empty = false;
        for (;;) {
            while (x->p < x->end && isspace((unsigned char)*x->p))
                x->p++;
            if (x->p >= x->end)
                return xfail(x, "an unterminated tag");
            if (*x->p == '>') {
                x->p++;
                break;
            }
            if (*x->p == '/' && x->p + 1 < x->end && x->p[1] == '>') {
                x->p += 2;
                empty = true;
                break;
            }
            const char *an = x->p;
            while (x->p < x->end && *x->p != '=' && !isspace((unsigned char)*x->p) &&
                   *x->p != '>')
                x->p++;
            size_t anl = (size_t)(x->p - an);
            while (x->p < x->end && isspace((unsigned char)*x->p))
                x->p++;
            if (x->p >= x->end || *x->p != '=' || anl == 0)
                return xfail(x, "a bad attribute");
            x->p++;
            while (x->p < x->end && isspace((unsigned char)*x->p))
                x->p++;
            if (x->p >= x->end || (*x->p != '"' && *x->p != '\''))
                return xfail(x, "an unquoted attribute");
            char q = *x->p++;
            const char *vs = x->p;
            const char *ve = memchr(vs, q, (size_t)(x->end - vs));
            if (!ve)
                return xfail(x, "an unterminated attribute");
            struct sv_buf val = SV_BUF_INIT;
            struct xparser sub = *x;
            sub.end = ve;
            int arc = text_until_lt(&sub, &val);
            if (arc == 0 && sub.p != ve) {
                sv_buf_release(&val);
                return xfail(x, "a '<' in an attribute");
            }
            if (arc) {
                sv_buf_release(&val);
                return arc;
            }
            x->p = ve + 1;
            char **na = realloc(c->attrs, (c->nattrs + 2) * sizeof *na);
            if (!na) {
                sv_buf_release(&val);
                return sv_error_set(x->err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            }
            c->attrs = na;
            c->attrs[c->nattrs++] = strndup(an, anl);
            c->attrs[c->nattrs++] = sv_buf_detach(&val, NULL);
            if (!c->attrs[c->nattrs - 2] || !c->attrs[c->nattrs - 1])
                return sv_error_set(x->err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (!empty && (rc = element(x, c)) != 0)
            return rc;
    }
}

static int xml_parse(struct xnode *root, const char *xml, size_t len, const char *source,
                     bool any, struct sv_error *err)
{
    memset(root, 0, sizeof *root);
    sv_buf_init(&root->text);
    struct xparser x = {xml, xml + len, xml, source, err, 0};
    /* the prolog, then <document> */
    for (;;) {
        while (x.p < x.end && isspace((unsigned char)*x.p))
            x.p++;
        if (x.p + 3 <= x.end && memcmp(x.p, "\xEF\xBB\xBF", 3) == 0) {
            x.p += 3;
            continue;
        }
        if (strncmp(x.p, "<?", 2) == 0 && x.p + 2 <= x.end) {
            if (!skip_past(&x, "?>"))
                return xfail(&x, "an unterminated declaration");
            continue;
        }
        if (x.p + 4 <= x.end && strncmp(x.p, "<!--", 4) == 0) {
            if (!skip_past(&x, "-->"))
                return xfail(&x, "an unterminated comment");
            continue;
        }
        break;
    }
    if (any) {
        if (!(root->name = sv_strdup("#doc")))
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        return element(&x, root);
    }
    if (x.end - x.p < 10 || strncmp(x.p, "<document>", 10) != 0)
        return xfail(&x, "no <document> element");
    x.p += 10;
    if (!(root->name = sv_strdup("document")))
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    return element(&x, root);
}

static const struct xnode *kid(const struct xnode *n, const char *name)
{
    for (size_t i = 0; n && i < n->nkids; i++)
        if (strcmp(n->kids[i].name, name) == 0)
            return &n->kids[i];
    return NULL;
}

/* The rows of table `name` (NULL when absent). */
static const struct xnode *rows_of(const struct xnode *doc, const char *name)
{
    return kid(kid(doc, name), "rows");
}

static const char *field(const struct xnode *row, const char *name)
{
    const struct xnode *f = kid(row, name);
    return f ? f->text.data : "";
}

static long field_long(const struct xnode *row, const char *name)
{
    char *end = NULL;
    const char *s = field(row, name);
    long v = strtol(s, &end, 10);
    return end != s ? v : -1;
}

/* ---------------------------------------------------------------- model */

static int oom(struct sv_error *err)
{
    return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
}

static void *grow(void **v, size_t *n, size_t size)
{
    if (*n == 0 || (*n & (*n - 1)) == 0) {
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

/* Set the fr (base language) or en text of `l`. */
static int set_text(struct sv_label *l, const char *lang, const char *base, const char *text)
{
    char **slot = strcmp(lang, base) == 0 ? &l->fr : strcmp(lang, "en") == 0 ? &l->en : NULL;
    if (!slot || *slot)
        return 0;
    return (*slot = sv_strdup(text)) ? 0 : SV_ENOMEM;
}

/* The 6.x layout's texts: table `l10n` rows (key, text field, language). */
static int l10n_text(const struct xnode *doc, const char *l10n, const char *key, long id,
                     const char *text_field, const char *base, struct sv_label *out)
{
    const struct xnode *rows = rows_of(doc, l10n);
    for (size_t i = 0; rows && i < rows->nkids; i++)
        if (field_long(&rows->kids[i], key) == id &&
            set_text(out, field(&rows->kids[i], "language"), base,
                     field(&rows->kids[i], text_field)) != 0)
            return SV_ENOMEM;
    return 0;
}

struct qrow {
    long qid, gid, order, group_order;
    const struct xnode *row;
};

static int cmp_qrow(const void *a, const void *b)
{
    const struct qrow *x = a, *y = b;
    if (x->group_order != y->group_order)
        return x->group_order < y->group_order ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->qid < y->qid ? -1 : x->qid > y->qid;
}

/* Rows of `table` for the base language (or language-free rows), sorted. */
static struct qrow *qrows(const struct xnode *doc, const char *table, const char *base,
                          const char *parent_field, long parent, size_t *n)
{
    const struct xnode *rows = rows_of(doc, table);
    const struct xnode *groups = rows_of(doc, "groups");
    struct qrow *v = calloc(rows && rows->nkids ? rows->nkids : 1, sizeof *v);
    *n = 0;
    if (!v)
        return NULL;
    for (size_t i = 0; rows && i < rows->nkids; i++) {
        const struct xnode *r = &rows->kids[i];
        const char *lang = field(r, "language");
        if ((*lang && strcmp(lang, base) != 0) ||
            (parent_field && field_long(r, parent_field) != parent))
            continue;
        struct qrow *q = &v[(*n)++];
        q->row = r;
        q->qid = field_long(r, "qid");
        q->gid = field_long(r, "gid");
        q->order = field_long(r, parent_field && strcmp(table, "answers") == 0 ? "sortorder"
                                                                               : "question_order");
        q->group_order = 0;
        for (size_t g = 0; !parent_field && groups && g < groups->nkids; g++)
            if (field_long(&groups->kids[g], "gid") == q->gid)
                q->group_order = field_long(&groups->kids[g], "group_order");
    }
    qsort(v, *n, sizeof *v, cmp_qrow);
    return v;
}

/* Texts of a question or sub-question `qid` in every language. */
static int q_texts(const struct xnode *doc, const char *table, long qid, const char *base,
                   struct sv_label *out)
{
    const struct xnode *rows = rows_of(doc, table);
    for (size_t i = 0; rows && i < rows->nkids; i++) {
        const struct xnode *r = &rows->kids[i];
        if (field_long(r, "qid") == qid && kid(r, "question") &&
            set_text(out, field(r, "language"), base, field(r, "question")) != 0)
            return SV_ENOMEM;
    }
    return l10n_text(doc, "question_l10ns", "qid", qid, "question", base, out);
}

static char *lower_dup(const char *s)
{
    char *d = sv_strdup(s);
    for (char *p = d; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return d;
}

static int read_answers(const struct xnode *doc, struct collect_lss_question *q, const char *base)
{
    const struct xnode *rows = rows_of(doc, "answers");
    /* base-language (or language-free) rows, scale 0, by sortorder */
    size_t n = 0;
    struct qrow *v = calloc(rows && rows->nkids ? rows->nkids : 1, sizeof *v);
    if (!v)
        return SV_ENOMEM;
    for (size_t i = 0; rows && i < rows->nkids; i++) {
        const struct xnode *r = &rows->kids[i];
        const char *lang = field(r, "language");
        if (field_long(r, "qid") != q->qid || field_long(r, "scale_id") > 0 ||
            (*lang && strcmp(lang, base) != 0))
            continue;
        v[n].row = r;
        v[n].order = field_long(r, "sortorder");
        v[n++].qid = field_long(r, "aid");
    }
    qsort(v, n, sizeof *v, cmp_qrow);
    for (size_t i = 0; i < n; i++) {
        struct collect_lss_answer *a = grow((void **)&q->answers, &q->nanswers, sizeof *a);
        const char *code = field(v[i].row, "code");
        if (!a || !(a->code = sv_strdup(code)) || !(a->vcode = sv_strdup(code))) {
            free(v);
            return SV_ENOMEM;
        }
        /* texts: the 366 layout repeats the row per language, 6.x has answer_l10ns */
        for (size_t j = 0; rows && j < rows->nkids; j++) {
            const struct xnode *r = &rows->kids[j];
            if (field_long(r, "qid") == q->qid && strcmp(field(r, "code"), code) == 0 &&
                field_long(r, "scale_id") <= 0 && kid(r, "answer") &&
                set_text(&a->text, field(r, "language"), base, field(r, "answer")) != 0) {
                free(v);
                return SV_ENOMEM;
            }
        }
        if (v[i].qid > 0 &&
            l10n_text(doc, "answer_l10ns", "aid", v[i].qid, "answer", base, &a->text) != 0) {
            free(v);
            return SV_ENOMEM;
        }
    }
    free(v);
    return 0;
}

int collect_lss_apply_marks(struct collect_lss_question *q, const char *css)
{
    const char *p = css ? css : "";
    while (*p) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len > 6 && strncmp(p, "vigie:", 6) == 0) {
            char w[256];
            snprintf(w, sizeof w, "%.*s", (int)(len - 6), p + 6);
            char *eq = strchr(w, '=');
            if (strcmp(w, "likert") == 0) {
                q->likert = true;
            } else if (!eq) {
                free(q->vname);
                if (!(q->vname = sv_strdup(w)))
                    return SV_ENOMEM;
            } else {
                *eq = '\0';
                const char *val = eq + 1;
                enum sv_personal pers = strcmp(val, "hash") == 0 ? SV_PERSONAL_HASH
                                                                 : SV_PERSONAL_DROP;
                if (strcmp(w, "personal") == 0) {
                    q->personal = pers;
                } else if (strncmp(w, "personal.", 9) == 0) {
                    for (size_t j = 0; j < q->nsubs; j++)
                        if (strcmp(q->subs[j].code, w + 9) == 0)
                            q->subs[j].personal = pers;
                } else if (strncmp(w, "code.", 5) == 0) {
                    for (size_t j = 0; j < q->nanswers; j++)
                        if (strcmp(q->answers[j].code, w + 5) == 0) {
                            free(q->answers[j].vcode);
                            if (!(q->answers[j].vcode = sv_strdup(val)))
                                return SV_ENOMEM;
                        }
                    for (size_t j = 0; j < q->nsubs; j++)
                        if (q->subs[j].vcode && strcmp(q->subs[j].code, w + 5) == 0) {
                            free(q->subs[j].vcode);
                            if (!(q->subs[j].vcode = sv_strdup(val)))
                                return SV_ENOMEM;
                        }
                } else {
                    for (size_t j = 0; j < q->nsubs; j++)
                        if (strcmp(q->subs[j].code, w) == 0 && !q->subs[j].vcode) {
                            free(q->subs[j].vname);
                            if (!(q->subs[j].vname = sv_strdup(val)))
                                return SV_ENOMEM;
                        }
                }
            }
        }
        p += len;
    }
    return 0;
}

/* The variable and code behind relevance field `f` = `value`; false when not one of ours. */
static bool relevant_back(const struct collect_lss *m, const char *f, const char *value,
                          char *out, size_t size)
{
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        size_t cl = strlen(q->code);
        if (strncmp(f, q->code, cl) != 0)
            continue;
        if (f[cl] == '\0' && q->vname) {
            if (q->type == 'Y') {
                snprintf(out, size, "%s=%s", q->vname, strcmp(value, "Y") == 0 ? "1" : "0");
                return true;
            }
            for (size_t j = 0; j < q->nanswers; j++)
                if (strcmp(q->answers[j].code, value) == 0) {
                    snprintf(out, size, "%s=%s", q->vname, q->answers[j].vcode);
                    return true;
                }
            return false;
        }
        if (f[cl] == '_')
            for (size_t j = 0; j < q->nsubs; j++)
                if (strcmp(f + cl + 1, q->subs[j].code) == 0) {
                    if (q->type == 'M' && q->vname && strcmp(value, "Y") == 0) {
                        snprintf(out, size, "%s=%s", q->vname, q->subs[j].vcode);
                        return true;
                    }
                    if (q->type == 'F' && q->subs[j].vname)
                        for (size_t k = 0; k < q->nanswers; k++)
                            if (strcmp(q->answers[k].code, value) == 0) {
                                snprintf(out, size, "%s=%s", q->subs[j].vname,
                                         q->answers[k].vcode);
                                return true;
                            }
                }
    }
    return false;
}

void collect_lss_relevance_back(struct collect_lss *m)
{
    for (size_t i = 0; i < m->nq; i++) {
        struct collect_lss_question *q = &m->q[i];
        free(q->relevant);
        q->relevant = NULL;
        const char *r = q->relevance;
        if (!r || strcmp(r, "1") == 0 || !*r)
            continue;
        char f[128], v[128];
        int used = 0;
        if (sscanf(r, " ((%127[A-Za-z0-9_].NAOK == \"%127[^\"]\")) %n", f, v, &used) == 2 &&
            r[used] == '\0') {
            char out[300];
            if (relevant_back(m, f, v, out, sizeof out))
                q->relevant = sv_strdup(out);
        }
    }
}

int collect_lss_parse(struct collect_lss *m, const char *xml, size_t len, const char *source,
                      struct sv_error *err)
{
    memset(m, 0, sizeof *m);
    struct xnode doc;
    int rc = xml_parse(&doc, xml, len, source, false, err);
    if (rc) {
        xfree(&doc);
        return rc;
    }
    const struct xnode *type = kid(&doc, "LimeSurveyDocType");
    const struct xnode *srows = rows_of(&doc, "surveys");
    if (!type || strcmp(type->text.data, "Survey") != 0 || !srows || srows->nkids == 0 ||
        !rows_of(&doc, "questions")) {
        xfree(&doc);
        return sv_error_set(err, SV_EDATA, source, 0, 0,
                            "not a LimeSurvey survey structure (no Survey document type, "
                            "surveys or questions)");
    }
    const struct xnode *srow = &srows->kids[0];
    char base[16];
    snprintf(base, sizeof base, "%s", *field(srow, "language") ? field(srow, "language") : "fr");
    m->sid = field_long(srow, "sid");
    /* title */
    const struct xnode *lrows = rows_of(&doc, "surveys_languagesettings");
    for (size_t i = 0; lrows && i < lrows->nkids; i++)
        if (set_text(&m->title, field(&lrows->kids[i], "surveyls_language"), base,
                     field(&lrows->kids[i], "surveyls_title")) != 0)
            goto nomem;
    /* participant attributes */
    const char *ad = field(srow, "attributedescriptions");
    json_t *desc = *ad ? json_loads(ad, 0, NULL) : NULL;
    for (long n = 1; json_is_object(desc) && n < 100; n++) {
        char key[32];
        snprintf(key, sizeof key, "attribute_%ld", n);
        json_t *d = json_object_get(desc, key);
        if (!d)
            break;
        json_t *t = json_is_object(d) ? json_object_get(d, "description") : d;
        char **slot = grow((void **)&m->attributes, &m->nattributes, sizeof *slot);
        if (!slot || !(*slot = sv_strdup(json_is_string(t) ? json_string_value(t) : ""))) {
            json_decref(desc);
            goto nomem;
        }
    }
    json_decref(desc);
    /* groups */
    size_t ng = 0;
    const struct xnode *grows = rows_of(&doc, "groups");
    long *gids = calloc(grows && grows->nkids ? grows->nkids : 1, sizeof *gids);
    if (!gids)
        goto nomem;
    for (size_t i = 0; grows && i < grows->nkids; i++) {
        const struct xnode *r = &grows->kids[i];
        const char *lang = field(r, "language");
        if (*lang && strcmp(lang, base) != 0)
            continue;
        struct collect_lss_group *g = grow((void **)&m->groups, &m->ngroups, sizeof *g);
        if (!g) {
            free(gids);
            goto nomem;
        }
        gids[ng++] = field_long(r, "gid");
        for (size_t j = 0; j < grows->nkids; j++)
            if (field_long(&grows->kids[j], "gid") == gids[ng - 1] &&
                kid(&grows->kids[j], "group_name") &&
                set_text(&g->title, field(&grows->kids[j], "language"), base,
                         field(&grows->kids[j], "group_name")) != 0) {
                free(gids);
                goto nomem;
            }
        if (l10n_text(&doc, "group_l10ns", "gid", gids[ng - 1], "group_name", base, &g->title) !=
            0) {
            free(gids);
            goto nomem;
        }
    }
    /* questions */
    size_t nqr = 0;
    struct qrow *qr = qrows(&doc, "questions", base, NULL, 0, &nqr);
    if (!qr) {
        free(gids);
        goto nomem;
    }
    for (size_t i = 0; i < nqr; i++) {
        const struct xnode *r = qr[i].row;
        if (field_long(r, "parent_qid") > 0)
            continue; /* a sub-question in the questions table (older exports) */
        struct collect_lss_question *q = grow((void **)&m->q, &m->nq, sizeof *q);
        if (!q || !(q->code = sv_strdup(field(r, "title"))))
            goto nomem_q;
        q->qid = qr[i].qid;
        q->type = field(r, "type")[0];
        q->mandatory = strcmp(field(r, "mandatory"), "Y") == 0;
        const char *rel = field(r, "relevance");
        if (*rel && strcmp(rel, "1") != 0 && !(q->relevance = sv_strdup(rel)))
            goto nomem_q;
        for (size_t g = 0; g < ng; g++)
            if (gids[g] == qr[i].gid)
                q->group = g;
        if (q_texts(&doc, "questions", q->qid, base, &q->text) != 0)
            goto nomem_q;
        /* sub-questions (scale 0), from the subquestions table or questions with a parent */
        for (int t = 0; t < 2; t++) {
            size_t ns = 0;
            struct qrow *sr =
                qrows(&doc, t == 0 ? "subquestions" : "questions", base, "parent_qid", q->qid, &ns);
            if (!sr)
                goto nomem_q;
            for (size_t j = 0; j < ns; j++) {
                if (field_long(sr[j].row, "scale_id") > 0)
                    continue;
                struct collect_lss_sub *s = grow((void **)&q->subs, &q->nsubs, sizeof *s);
                if (!s || !(s->code = sv_strdup(field(sr[j].row, "title"))) ||
                    q_texts(&doc, t == 0 ? "subquestions" : "questions", sr[j].qid, base,
                            &s->text) != 0) {
                    free(sr);
                    goto nomem_q;
                }
            }
            free(sr);
        }
        if (read_answers(&doc, q, base) != 0)
            goto nomem_q;
        /* attributes */
        const struct xnode *arows = rows_of(&doc, "question_attributes");
        const char *css = NULL;
        for (size_t j = 0; arows && j < arows->nkids; j++) {
            const struct xnode *a = &arows->kids[j];
            if (field_long(a, "qid") != q->qid)
                continue;
            const char *name = field(a, "attribute"), *val = field(a, "value");
            char *end = NULL;
            double d = strtod(val, &end);
            bool num = *val && end && *end == '\0' && isfinite(d);
            if (strcmp(name, "min_num_value_n") == 0 && num) {
                q->has_min = true;
                q->min = d;
            } else if (strcmp(name, "max_num_value_n") == 0 && num) {
                q->has_max = true;
                q->max = d;
            } else if (strcmp(name, "num_value_int_only") == 0) {
                q->int_only = strcmp(val, "1") == 0;
            } else if (strcmp(name, "cssclass") == 0) {
                css = val;
            }
        }
        /* default names: the question code in lower case (+ _sub-question) */
        if (q->type == 'M') {
            for (size_t j = 0; j < q->nsubs; j++)
                if (!(q->subs[j].vcode = sv_strdup(q->subs[j].code)))
                    goto nomem_q;
        }
        bool subvars = strchr("KQFABCE;:", q->type) != NULL;
        if (subvars) {
            for (size_t j = 0; j < q->nsubs; j++) {
                struct sv_buf nm = SV_BUF_INIT;
                sv_buf_addf(&nm, "%s_%s", q->code, q->subs[j].code);
                q->subs[j].vname = lower_dup(nm.data);
                sv_buf_release(&nm);
                if (!q->subs[j].vname)
                    goto nomem_q;
            }
        } else if (!(q->vname = lower_dup(q->code))) {
            goto nomem_q;
        }
        if (q->type == 'A' && collect_lss_five_points(q) != 0)
            goto nomem_q;
        if (collect_lss_apply_marks(q, css) != 0)
            goto nomem_q;
    }
    free(qr);
    free(gids);
    xfree(&doc);
    collect_lss_relevance_back(m);
    return 0;
nomem_q:
    free(qr);
    free(gids);
nomem:
    xfree(&doc);
    collect_lss_release(m);
    return oom(err);
}

int collect_lss_five_points(struct collect_lss_question *q)
{
    for (size_t i = q->nanswers; i < 5; i++) {
        struct collect_lss_answer *a = grow((void **)&q->answers, &q->nanswers, sizeof *a);
        char c[2] = {(char)('1' + i), '\0'};
        if (!a || !(a->code = sv_strdup(c)) || !(a->vcode = sv_strdup(c)) ||
            !(a->text.fr = sv_strdup(c)))
            return SV_ENOMEM;
    }
    return 0;
}

/* ---------------------------------------------------------------- model -> survey.json */

static json_t *label_json(const struct sv_label *l)
{
    json_t *o = json_object();
    json_object_set_new(o, "fr", json_string(l->fr ? l->fr : ""));
    if (l->en && *l->en && (!l->fr || strcmp(l->en, l->fr) != 0))
        json_object_set_new(o, "en", json_string(l->en));
    return o;
}

static json_t *number_json(double v)
{
    if (v == floor(v) && fabs(v) < 9e15)
        return json_integer((json_int_t)v);
    return json_real(v);
}

static const char *personal_name(enum sv_personal p)
{
    return p == SV_PERSONAL_HASH ? "hash" : "drop";
}

/* One variable object; codes from `answers` (L, F) or `subs` (M). */
static json_t *variable_json(const struct collect_lss_question *q, const char *pkey,
                             const char *name, const char *type, const char *platform,
                             const struct sv_label *label, enum sv_personal personal)
{
    json_t *v = json_object();
    json_object_set_new(v, "name", json_string(name));
    json_object_set_new(v, "type", json_string(type));
    json_object_set_new(v, "label", label_json(label));
    if (strcmp(type, "single") == 0 || strcmp(type, "likert") == 0 ||
        strcmp(type, "multiple") == 0) {
        json_t *codes = json_array();
        bool m = q->type == 'M';
        size_t n = m ? q->nsubs : q->nanswers;
        for (size_t i = 0; i < n; i++) {
            const char *pc = m ? q->subs[i].code : q->answers[i].code;
            const char *vc = m ? q->subs[i].vcode : q->answers[i].vcode;
            json_t *c = json_object();
            json_object_set_new(c, "code", json_string(vc));
            json_object_set_new(c, "label", label_json(m ? &q->subs[i].text : &q->answers[i].text));
            if (strcmp(pc, vc) != 0)
                json_object_set_new(c, "platform", json_pack("{s:s}", pkey, pc));
            json_array_append_new(codes, c);
        }
        json_object_set_new(v, "codes", codes);
    }
    if ((strcmp(type, "integer") == 0 || strcmp(type, "number") == 0)) {
        if (q->has_min)
            json_object_set_new(v, "min", number_json(q->min));
        if (q->has_max)
            json_object_set_new(v, "max", number_json(q->max));
    }
    if (q->mandatory)
        json_object_set_new(v, "required", json_true());
    if (q->relevant)
        json_object_set_new(v, "relevant", json_string(q->relevant));
    if (personal != SV_PERSONAL_NO)
        json_object_set_new(v, "personal", json_string(personal_name(personal)));
    if (strcmp(platform, name) != 0)
        json_object_set_new(v, "platform", json_pack("{s:s}", pkey, platform));
    return v;
}

/* The likert/single choice of a list: marked likert, or codes 1..k. */
static const char *list_type(const struct collect_lss_question *q)
{
    return q->likert ? "likert" : "single";
}

int collect_lss_definition(const struct collect_lss *m, struct sv_buf *out, struct sv_error *err)
{
    json_t *root = json_object();
    json_t *vars = json_array();
    json_t *notes = json_array();
    const char *pkey = m->platform ? m->platform : "limesurvey";
    if (!root || !vars || !notes) {
        json_decref(root);
        json_decref(vars);
        json_decref(notes);
        return oom(err);
    }
    json_object_set_new(root, "format", json_string("vigie-survey/1"));
    json_object_set_new(root, "id", json_string(m->id ? m->id : "survey"));
    json_object_set_new(root, "version", json_string(m->version ? m->version : "1"));
    json_object_set_new(root, "unit", json_string("establishment"));
    json_object_set_new(root, "title", label_json(&m->title));
    json_object_set_new(root, "source", label_json(&m->title));
    json_object_set_new(root, "_comment",
                        json_string("Starter definition made by 'collect definition' from a "
                                    "platform's survey. Check 'unit' (establishment or employee), "
                                    "'source', each variable's type and labels; then move the "
                                    "suggested roles and frame below into 'roles' and 'frame' "
                                    "(see surveys/README.md). Keys starting with '_' are ignored."));
    for (size_t i = 0; i < m->nq; i++) {
        const struct collect_lss_question *q = &m->q[i];
        const char *t = NULL;
        switch (q->type) {
        case 'L':
        case '!':
        case 'O':
            t = list_type(q);
            break;
        case 'M':
        case 'P':
            t = "multiple";
            break;
        case 'N':
            t = q->int_only ? "integer" : "number";
            break;
        case 'Y':
            t = "yesno";
            break;
        case 'D':
            t = "date";
            break;
        case 'S':
        case 'T':
        case 'U':
            t = "text";
            break;
        case 'K':
            t = q->int_only ? "integer" : "number";
            break;
        case 'Q':
            t = "text";
            break;
        case 'F':
            t = list_type(q);
            break;
        case 'A':
            t = "likert";
            break;
        default:
            break;
        }
        if (!t) {
            char note[256];
            snprintf(note, sizeof note,
                     "question '%s' of LimeSurvey type '%c' has no vigie variable type: left out",
                     q->code, q->type ? q->type : '?');
            json_array_append_new(notes, json_string(note));
            continue;
        }
        if (q->relevance && !q->relevant) {
            char note[512];
            snprintf(note, sizeof note,
                     "question '%s': relevance '%s' is not of the form ((q.NAOK == \"code\")): "
                     "left out",
                     q->code, q->relevance);
            json_array_append_new(notes, json_string(note));
        }
        if (strchr("KQFA", q->type)) {
            for (size_t j = 0; j < q->nsubs; j++) {
                struct sv_buf pn = SV_BUF_INIT;
                sv_buf_addf(&pn, "%s[%s]", q->code, q->subs[j].code);
                json_array_append_new(vars, variable_json(q, pkey, q->subs[j].vname, t, pn.data,
                                                          &q->subs[j].text, q->subs[j].personal));
                sv_buf_release(&pn);
            }
        } else {
            json_array_append_new(
                vars, variable_json(q, pkey, q->vname ? q->vname : q->code, t, q->code, &q->text,
                                    q->personal));
        }
    }
    json_object_set_new(root, "variables", vars);
    /* suggestions: a region variable, a sector variable, the participant attributes */
    json_t *roles = json_object();
    size_t nv = json_array_size(vars);
    for (size_t i = 0; i < nv; i++) {
        const char *n = json_string_value(json_object_get(json_array_get(vars, i), "name"));
        if (strcmp(n, "region") == 0)
            json_object_set_new(roles, "region", json_string(n));
        else if (strcmp(n, "secteur") == 0 || strcmp(n, "sector") == 0)
            json_object_set_new(roles, "sector", json_string(n));
        else if (strcmp(n, "taille") == 0 || strcmp(n, "size") == 0)
            json_object_set_new(roles, "size", json_string(n));
    }
    json_object_set_new(root, "_suggested_roles", roles);
    json_t *strata = json_array();
    for (size_t i = 0; i < m->nattributes; i++)
        if (strcmp(m->attributes[i], "member_id") != 0 && *m->attributes[i])
            json_array_append_new(strata, json_string(m->attributes[i]));
    if (json_array_size(strata) > 0)
        json_object_set_new(root, "_suggested_frame",
                            json_pack("{s:s, s:o, s:s}", "file", "frame.csv", "strata", strata,
                                      "count", "etablissements"));
    else
        json_decref(strata);
    if (json_array_size(notes) > 0)
        json_object_set_new(root, "_notes", notes);
    else
        json_decref(notes);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII * 0);
    json_decref(root);
    if (!text)
        return oom(err);
    sv_buf_adds(out, text);
    sv_buf_addc(out, '\n');
    free(text);
    return 0;
}

/* ---------------------------------------------------------------- XForm -> model */

static int label_set_pair(struct sv_label *l, const char *fr, const char *en)
{
    l->fr = sv_strdup(fr ? fr : "");
    l->en = en ? sv_strdup(en) : NULL;
    return l->fr && (!en || l->en) ? 0 : SV_ENOMEM;
}

static void label_free_(struct sv_label *l)
{
    free(l->fr);
    free(l->en);
    l->fr = l->en = NULL;
}

static const char *attr(const struct xnode *n, const char *name)
{
    for (size_t i = 0; n && i + 1 < n->nattrs; i += 2)
        if (strcmp(n->attrs[i], name) == 0)
            return n->attrs[i + 1];
    return NULL;
}

/* The local part of a qualified name ("h:head" -> "head"). */
static const char *local(const char *name)
{
    const char *c = strchr(name, ':');
    return c ? c + 1 : name;
}

static const struct xnode *lkid(const struct xnode *n, const char *name)
{
    for (size_t i = 0; n && i < n->nkids; i++)
        if (strcmp(local(n->kids[i].name), name) == 0)
            return &n->kids[i];
    return NULL;
}

bool collect_xform_is(const char *text, size_t len)
{
    size_t n = len < 4096 ? len : 4096;
    for (size_t i = 0; i + 7 <= n; i++)
        if (memcmp(text + i, "<h:html", 7) == 0)
            return true;
    return false;
}

/* The itext value of `id` in `lang` ("" when absent). */
static const char *itext(const struct xnode *model, const char *lang, const char *id)
{
    const struct xnode *it = lkid(model, "itext");
    for (size_t t = 0; it && t < it->nkids; t++) {
        const struct xnode *tr = &it->kids[t];
        const char *l = attr(tr, "lang");
        if (!l || strcmp(l, lang) != 0)
            continue;
        for (size_t i = 0; i < tr->nkids; i++)
            if (attr(&tr->kids[i], "id") && strcmp(attr(&tr->kids[i], "id"), id) == 0) {
                const struct xnode *v = lkid(&tr->kids[i], "value");
                return v ? v->text.data : "";
            }
    }
    return "";
}

/* A control's label: its itext id (jr:itext('...')) in fr and en, or its text. */
static int control_label(const struct xnode *model, const struct xnode *ctl, struct sv_label *out)
{
    const struct xnode *lab = lkid(ctl, "label");
    const char *ref = lab ? attr(lab, "ref") : NULL;
    char id[512] = "";
    if (ref && sscanf(ref, "jr:itext('%511[^']')", id) == 1) {
        const char *fr = itext(model, "fr", id), *en = itext(model, "en", id);
        return label_set_pair(out, fr, *en ? en : NULL);
    }
    return label_set_pair(out, lab ? lab->text.data : "", NULL);
}

static const struct xnode *find_control(const struct xnode *n, const char *ref)
{
    for (size_t i = 0; n && i < n->nkids; i++) {
        const struct xnode *k = &n->kids[i];
        const char *r = attr(k, "ref");
        const char *ln = local(k->name);
        if (r && strcmp(r, ref) == 0 && strcmp(ln, "group") != 0 && strcmp(ln, "repeat") != 0)
            return k;
        const struct xnode *in = find_control(k, ref);
        if (in)
            return in;
    }
    return NULL;
}

int collect_xform_parse(struct collect_lss *m, const char *xml, size_t len, const char *source,
                        struct sv_error *err)
{
    memset(m, 0, sizeof *m);
    m->platform = "odk";
    struct xnode doc;
    int rc = xml_parse(&doc, xml, len, source, true, err);
    if (rc) {
        xfree(&doc);
        return rc;
    }
    const struct xnode *html = lkid(&doc, "html");
    const struct xnode *head = lkid(html, "head");
    const struct xnode *model = lkid(head, "model");
    const struct xnode *inst = lkid(model, "instance");
    const struct xnode *data = inst && inst->nkids ? &inst->kids[0] : NULL;
    const struct xnode *body = lkid(html, "body");
    if (!model || !data || !body) {
        xfree(&doc);
        return sv_error_set(err, SV_EDATA, source, 0, 0,
                            "not an XForm (no h:html with a model, an instance and a body)");
    }
    const struct xnode *title = lkid(head, "title");
    if (label_set_pair(&m->title, title ? title->text.data : "", NULL) != 0)
        goto nomem;
    struct collect_lss_group *g = grow((void **)&m->groups, &m->ngroups, sizeof *g);
    if (!g || label_set_pair(&g->title, "", NULL) != 0)
        goto nomem;
    char prefix[256];
    snprintf(prefix, sizeof prefix, "/%s/", data->name);
    size_t plen = strlen(prefix);
    for (size_t b = 0; b < model->nkids; b++) {
        const struct xnode *bind = &model->kids[b];
        const char *ns = attr(bind, "nodeset");
        if (strcmp(local(bind->name), "bind") != 0 || !ns || strncmp(ns, prefix, plen) != 0 ||
            strncmp(ns + plen, "meta/", 5) == 0)
            continue;
        const struct xnode *ctl = find_control(body, ns);
        if (!ctl)
            continue; /* calculates and hidden fields: no question */
        const char *path = ns + plen;
        const char *vt = attr(bind, "vigie:type");
        const char *bt = attr(bind, "type") ? attr(bind, "type") : "string";
        const char *cl = local(ctl->name);
        struct collect_lss_question *q = grow((void **)&m->q, &m->nq, sizeof *q);
        if (!q || !(q->code = sv_strdup(path)))
            goto nomem;
        q->qid = -1;
        const char *slash = strrchr(path, '/');
        const char *vn = attr(bind, "vigie:name");
        if (!(q->vname = sv_strdup(vn ? vn : slash ? slash + 1 : path)))
            goto nomem;
        if (control_label(model, ctl, &q->text) != 0)
            goto nomem;
        /* items */
        for (size_t i = 0; i < ctl->nkids; i++) {
            const struct xnode *it = &ctl->kids[i];
            if (strcmp(local(it->name), "item") != 0)
                continue;
            const struct xnode *val = lkid(it, "value");
            const char *code = val ? val->text.data : "";
            const char *vc = attr(it, "vigie:code");
            struct collect_lss_answer *a = grow((void **)&q->answers, &q->nanswers, sizeof *a);
            if (!a || !(a->code = sv_strdup(code)) || !(a->vcode = sv_strdup(vc ? vc : code)) ||
                control_label(model, it, &a->text) != 0)
                goto nomem;
        }
        bool yes_no = q->nanswers == 2 && strcmp(q->answers[0].code, "1") == 0 &&
                      strcmp(q->answers[1].code, "0") == 0;
        if (vt) {
            q->type = strcmp(vt, "single") == 0     ? 'L'
                      : strcmp(vt, "likert") == 0   ? 'L'
                      : strcmp(vt, "multiple") == 0 ? 'M'
                      : strcmp(vt, "integer") == 0  ? 'N'
                      : strcmp(vt, "number") == 0   ? 'N'
                      : strcmp(vt, "yesno") == 0    ? 'Y'
                      : strcmp(vt, "date") == 0     ? 'D'
                                                    : 'S';
            q->likert = strcmp(vt, "likert") == 0;
            q->int_only = strcmp(vt, "integer") == 0;
        } else if (strcmp(cl, "select") == 0) {
            q->type = 'M';
        } else if (strcmp(cl, "select1") == 0) {
            q->type = yes_no ? 'Y' : 'L';
        } else {
            q->type = strcmp(bt, "int") == 0       ? 'N'
                      : strcmp(bt, "decimal") == 0 ? 'N'
                      : strcmp(bt, "date") == 0    ? 'D'
                                                   : 'S';
            q->int_only = strcmp(bt, "int") == 0;
        }
        if (q->type == 'M') {
            /* a multiple choice's codes are kept as sub-questions, as from LimeSurvey */
            q->subs = calloc(q->nanswers ? q->nanswers : 1, sizeof *q->subs);
            if (!q->subs)
                goto nomem;
            for (size_t i = 0; i < q->nanswers; i++) {
                q->subs[i].code = q->answers[i].code;
                q->subs[i].vcode = q->answers[i].vcode;
                q->subs[i].text = q->answers[i].text;
            }
            q->nsubs = q->nanswers;
            free(q->answers);
            q->answers = NULL;
            q->nanswers = 0;
        } else if (q->type == 'Y') {
            for (size_t i = 0; i < q->nanswers; i++) {
                free(q->answers[i].code);
                free(q->answers[i].vcode);
                label_free_(&q->answers[i].text);
            }
            free(q->answers);
            q->answers = NULL;
            q->nanswers = 0;
        }
        const char *req = attr(bind, "required");
        q->mandatory = req && strcmp(req, "true()") == 0;
        const char *pers = attr(bind, "vigie:personal");
        if (pers)
            q->personal = strcmp(pers, "hash") == 0 ? SV_PERSONAL_HASH : SV_PERSONAL_DROP;
        const char *con = attr(bind, "constraint");
        if (con) {
            const char *ge = strstr(con, ". >= "), *le = strstr(con, ". <= ");
            char *end = NULL;
            if (ge) {
                q->min = strtod(ge + 5, &end);
                q->has_min = end != ge + 5;
            }
            if (le) {
                q->max = strtod(le + 5, &end);
                q->has_max = end != le + 5;
            }
        }
        const char *rel = attr(bind, "relevant");
        if (rel && !(q->relevance = sv_strdup(rel)))
            goto nomem;
    }
    /* relevant back: "/data/p = 'v'" or "selected(/data/p, 'v')" */
    for (size_t i = 0; i < m->nq; i++) {
        struct collect_lss_question *q = &m->q[i];
        if (!q->relevance)
            continue;
        char p[256], v[128];
        int used = 0;
        bool sel = false;
        if (sscanf(q->relevance, " selected(%255[^,], '%127[^']') %n", p, v, &used) == 2)
            sel = true;
        else if (sscanf(q->relevance, " %255[^ =] = '%127[^']' %n", p, v, &used) != 2)
            continue;
        if (q->relevance[used] != '\0' || strncmp(p, prefix, plen) != 0)
            continue;
        for (size_t j = 0; j < m->nq; j++) {
            const struct collect_lss_question *t = &m->q[j];
            if (strcmp(t->code, p + plen) != 0)
                continue;
            const char *vc = NULL;
            if (t->type == 'Y' && !sel)
                vc = v;
            for (size_t k = 0; !vc && !sel && k < t->nanswers; k++)
                if (strcmp(t->answers[k].code, v) == 0)
                    vc = t->answers[k].vcode;
            for (size_t k = 0; !vc && sel && k < t->nsubs; k++)
                if (strcmp(t->subs[k].code, v) == 0)
                    vc = t->subs[k].vcode;
            if (vc) {
                struct sv_buf b = SV_BUF_INIT;
                sv_buf_addf(&b, "%s=%s", t->vname, vc);
                q->relevant = sv_buf_detach(&b, NULL);
            }
        }
    }
    xfree(&doc);
    return 0;
nomem:
    xfree(&doc);
    collect_lss_release(m);
    m->platform = NULL;
    return oom(err);
}
