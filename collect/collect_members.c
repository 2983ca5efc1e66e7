/*
 * collect_members: the federation's member list, read and checked before
 * anybody is added to a survey's participants. Every bad row is reported (one
 * line each) so that a list is fixed in one pass, and nothing is sent while
 * one row is bad.
 */
#include "collect.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sv_csv.h"

size_t collect_members_strata(const struct sv_survey *survey, const char *vars[8])
{
    size_t n = 0;
    for (size_t i = 0; i < survey->frame.nvars && n < 8; i++)
        vars[n++] = survey->frame.vars[i];
    if (n)
        return n;
    static const char *const roles[] = {"region", "sector"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = sv_survey_role(survey, roles[i]);
        if (v && !strchr(v, ',') && sv_survey_variable(survey, v))
            vars[n++] = v;
    }
    return n;
}

bool collect_email_valid(const char *s)
{
    const char *at = strchr(s, '@');
    size_t len = strlen(s);
    if (!at || at == s || strchr(at + 1, '@') || len > 254 || (size_t)(at - s) > 64)
        return false;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>' || c == '"' ||
            c == '(' || c == ')' || c == '[' || c == ']' || c == '\\')
            return false;
    }
    const char *dom = at + 1;
    const char *dot = strrchr(dom, '.');
    if (!dot || dot == dom || dot[1] == '\0' || strlen(dot + 1) < 2)
        return false;
    if (s[0] == '.' || at[-1] == '.' || dom[0] == '.' || dom[0] == '-' || strstr(s, ".."))
        return false;
    return true;
}

/* Well-formed UTF-8 (what a "CSV UTF-8" export from a spreadsheet gives). */
static bool utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n = *p < 0x80             ? 0
                : (*p & 0xE0) == 0xC0 ? 1
                : (*p & 0xF0) == 0xE0 ? 2
                : (*p & 0xF8) == 0xF0 ? 3
                                      : -1;
        if (n < 0 || (n == 1 && *p < 0xC2))
            return false;
        p++;
        for (int i = 0; i < n; i++, p++)
            if ((*p & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* Trim spaces and tabs in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static bool name_is(const char *h, const char *const *names)
{
    for (; *names; names++)
        if (strcasecmp(h, *names) == 0)
            return true;
    return false;
}

/* The definition's code for `text`: the code itself (any case), or its French or English label. */
static const char *find_code(const struct sv_variable *v, const char *text)
{
    for (size_t i = 0; i < v->ncodes; i++)
        if (strcasecmp(v->codes[i].code, text) == 0)
            return v->codes[i].code;
    for (size_t i = 0; i < v->ncodes; i++) {
        const struct sv_label *l = &v->codes[i].label;
        if ((l->fr && strcasecmp(l->fr, text) == 0) || (l->en && strcasecmp(l->en, text) == 0))
            return v->codes[i].code;
    }
    return NULL;
}

static void member_free(struct collect_member *m, size_t nvars)
{
    free(m->id);
    free(m->name);
    free(m->email);
    if (m->strata)
        for (size_t i = 0; i < nvars; i++)
            free(m->strata[i]);
    free(m->strata);
}

void collect_members_release(struct collect_members *m)
{
    for (size_t i = 0; i < m->n; i++)
        member_free(&m->v[i], m->nvars);
    free(m->v);
    m->v = NULL;
    m->n = m->cap = 0;
}

static const char *const ID_NAMES[] = {"id", "finess", "identifiant", "code", NULL};
static const char *const NAME_NAMES[] = {"name",          "nom",           "raison_sociale",
                                         "etablissement", "établissement", NULL};
static const char *const EMAIL_NAMES[] = {"email", "e-mail", "courriel", "mail", NULL};

/* Index of the member (before `upto`) with this id or e-mail, or -1. */
static long find_member(const struct collect_members *m, size_t upto, const char *id,
                        const char *email)
{
    for (size_t i = 0; i < upto; i++) {
        if (id && strcmp(m->v[i].id, id) == 0)
            return (long)i;
        if (email && strcasecmp(m->v[i].email, email) == 0)
            return (long)i;
    }
    return -1;
}

int collect_members_read(struct collect_members *m, const char *path,
                         const struct sv_survey *survey, bool email_unique,
                         void (*bad_row)(const struct sv_error *e, void *ctx), void *ctx,
                         long *nbad, struct sv_error *err)
{
    memset(m, 0, sizeof *m);
    *nbad = 0;
    m->nvars = collect_members_strata(survey, m->vars);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open member list: %s", strerror(errno));
    struct sv_csv_reader r;
    int rc = sv_csv_reader_init(&r, fp, path, 0, err);
    if (rc) {
        fclose(fp);
        return rc;
    }
    long col_id = -1, col_name = -1, col_email = -1, col_var[8];
    for (size_t i = 0; i < 8; i++)
        col_var[i] = -1;
    size_t ncols = 0;
    rc = sv_csv_read(&r, err);
    if (rc == 0) {
        rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty member list (a header row is needed)");
        goto out;
    }
    if (rc < 0)
        goto out;
    ncols = r.nfields;
    for (size_t c = 0; c < r.nfields; c++) {
        char *h = trim(r.fields[c]);
        long *slot = NULL;
        if (name_is(h, ID_NAMES))
            slot = &col_id;
        else if (name_is(h, NAME_NAMES))
            slot = &col_name;
        else if (name_is(h, EMAIL_NAMES))
            slot = &col_email;
        for (size_t v = 0; !slot && v < m->nvars; v++) {
            const char *role = NULL;
            for (size_t k = 0; k < survey->nroles; k++)
                if (strcmp(survey->roles[k].variable, m->vars[v]) == 0)
                    role = survey->roles[k].role;
            const struct sv_variable *var = sv_survey_variable(survey, m->vars[v]);
            if (strcasecmp(h, m->vars[v]) == 0 || (role && strcasecmp(h, role) == 0) ||
                (var && var->label.fr && strcasecmp(h, var->label.fr) == 0) ||
                (var && var->label.en && strcasecmp(h, var->label.en) == 0))
                slot = &col_var[v];
        }
        if (slot && *slot >= 0) {
            rc =
                sv_error_set(err, SV_EDATA, path, r.record_line, 0, "column '%s' appears twice", h);
            goto out;
        }
        if (slot)
            *slot = (long)c;
    }
    if (col_id < 0 || col_email < 0) {
        rc = sv_error_set(err, SV_EDATA, path, r.record_line, 0,
                          "missing column '%s' (the header needs id, email%s%s%s%s)",
                          col_id < 0 ? "id" : "email", m->nvars ? ", " : "",
                          m->nvars ? m->vars[0] : "", m->nvars > 1 ? ", " : "",
                          m->nvars > 1 ? m->vars[1] : "");
        goto out;
    }
    for (size_t v = 0; v < m->nvars; v++)
        if (col_var[v] < 0) {
            rc = sv_error_set(err, SV_EDATA, path, r.record_line, 0,
                              "missing column '%s' (the strata of survey '%s')", m->vars[v],
                              survey->id);
            goto out;
        }

    struct sv_error e;
    while ((rc = sv_csv_read(&r, err)) == 1) {
        long line = r.record_line;
        if (r.nfields == 1 && trim(r.fields[0])[0] == '\0')
            continue; /* blank line */
        sv_error_clear(&e);
        const char *why = NULL;
        char whybuf[600];
        if (r.nfields != ncols) {
            snprintf(whybuf, sizeof whybuf, "%zu fields, the header has %zu", r.nfields, ncols);
            why = whybuf;
        }
        for (size_t c = 0; !why && c < r.nfields; c++)
            if (!utf8_valid(r.fields[c]))
                why = "not UTF-8 text (save the sheet as 'CSV UTF-8')";
        const char *id = why ? "" : trim(r.fields[col_id]);
        const char *email = why ? "" : trim(r.fields[col_email]);
        const char *name = (why || col_name < 0) ? "" : trim(r.fields[col_name]);
        const char *codes[8] = {0};
        if (!why && !*id)
            why = "missing id";
        if (!why && (strlen(id) > 64 || strpbrk(id, "\t\n\r")))
            why = "malformed id (at most 64 characters on one line)";
        if (!why && !*email)
            why = "missing e-mail";
        if (!why && !collect_email_valid(email)) {
            snprintf(whybuf, sizeof whybuf, "malformed e-mail '%.200s'", email);
            why = whybuf;
        }
        for (size_t v = 0; !why && v < m->nvars; v++) {
            const char *text = trim(r.fields[col_var[v]]);
            const struct sv_variable *var = sv_survey_variable(survey, m->vars[v]);
            if (!*text) {
                snprintf(whybuf, sizeof whybuf, "missing %s", m->vars[v]);
                why = whybuf;
            } else if (var && var->ncodes && !(codes[v] = find_code(var, text))) {
                snprintf(whybuf, sizeof whybuf, "unknown %s code '%.100s' (not in survey '%s')",
                         m->vars[v], text, survey->id);
                why = whybuf;
            } else if (!codes[v]) {
                codes[v] = text;
            }
        }
        if (!why) {
            long dup = find_member(m, m->n, id, NULL);
            if (dup >= 0) {
                snprintf(whybuf, sizeof whybuf, "duplicate id '%.100s' (first on line %ld)", id,
                         m->v[dup].line);
                why = whybuf;
            } else if (email_unique && (dup = find_member(m, m->n, NULL, email)) >= 0) {
                snprintf(whybuf, sizeof whybuf,
                         "e-mail '%.200s' already used on line %ld (members are matched on "
                         "e-mail: give each its own, or use --id-attribute)",
                         email, m->v[dup].line);
                why = whybuf;
            }
        }
        if (why) {
            sv_error_set(&e, SV_EDATA, path, line, 0, "%s", why);
            (*nbad)++;
            if (bad_row)
                bad_row(&e, ctx);
            continue;
        }
        if (m->n == m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 64;
            struct collect_member *nv = realloc(m->v, cap * sizeof *nv);
            if (!nv) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                goto out;
            }
            m->v = nv;
            m->cap = cap;
        }
        struct collect_member *mm = &m->v[m->n];
        memset(mm, 0, sizeof *mm);
        mm->line = line;
        mm->id = sv_strdup(id);
        mm->name = sv_strdup(name);
        mm->email = sv_strdup(email);
        mm->strata = calloc(m->nvars ? m->nvars : 1, sizeof *mm->strata);
        bool ok = mm->id && mm->name && mm->email && mm->strata;
        for (size_t v = 0; ok && v < m->nvars; v++)
            ok = (mm->strata[v] = sv_strdup(codes[v])) != NULL;
        if (!ok) {
            member_free(mm, m->nvars);
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto out;
        }
        m->n++;
    }
    if (rc == 0 && *nbad > 0)
        rc = SV_EDATA;
out:
    sv_csv_reader_release(&r);
    fclose(fp);
    return rc;
}
