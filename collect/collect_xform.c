/*
 * collect_xform: a survey definition as an ODK XForm (ODK Central, KoboToolbox
 * deploy the same format): groups from the variables' ODK paths
 * (`etablissement/region`), select_one / select_multiple with the codes,
 * int / decimal / date / string, `relevant` and min/max constraints as XPath,
 * labels in fr (default) and en through itext, a meta/instanceID.
 *
 * Checked first, one problem per variable or code: node names must be XML names
 * (letters, digits, '_', '-', '.'; not starting with a digit), choice values of
 * a select_multiple may not contain spaces (the answer is a space-separated
 * list), and a path may not be used twice.
 */
#include "collect_lss.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *odk_name(const struct sv_variable *v)
{
    return v->platform[SV_PLATFORM_ODK] ? v->platform[SV_PLATFORM_ODK] : v->name;
}

static const char *odk_code(const struct sv_code *c)
{
    return c->platform[SV_PLATFORM_ODK] ? c->platform[SV_PLATFORM_ODK] : c->code;
}

static void xml_text(struct sv_buf *o, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            sv_buf_adds(o, "&lt;");
            break;
        case '>':
            sv_buf_adds(o, "&gt;");
            break;
        case '&':
            sv_buf_adds(o, "&amp;");
            break;
        case '"':
            sv_buf_adds(o, "&quot;");
            break;
        case '\'':
            sv_buf_adds(o, "&apos;");
            break;
        default:
            sv_buf_addc(o, *s);
        }
    }
}

static bool xml_name(const char *s, size_t len)
{
    if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.')
            return false;
    return true;
}

struct xcheck {
    const struct sv_survey *s;
    void (*bad)(const struct sv_error *e, void *ctx);
    void *ctx;
    long n;
};

static void xproblem(struct xcheck *c, size_t var, const char *fmt, ...) SV_PRINTF(3, 4);
static void xproblem(struct xcheck *c, size_t var, const char *fmt, ...)
{
    struct sv_error e;
    sv_error_clear(&e);
    char text[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    sv_error_set(&e, SV_EDATA, c->s->file, 0, 0, "%s", text);
    sv_error_set_path(&e, "variables[%zu] '%s'", var, c->s->variables[var].name);
    c->n++;
    if (c->bad)
        c->bad(&e, c->ctx);
}

/* The XPath comparison of "var=code", or NULL when it cannot be written. */
static void relevant_xpath(struct sv_buf *o, const struct sv_survey *s, const char *relevant)
{
    const char *eq = strchr(relevant, '=');
    char name[128];
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - relevant) : 0, relevant);
    const struct sv_variable *t = eq ? sv_survey_variable(s, name) : NULL;
    if (!t)
        return;
    const struct sv_code *c = sv_variable_code(t, eq + 1);
    const char *val = c ? odk_code(c) : eq + 1;
    if (t->type == SV_TYPE_MULTIPLE) {
        sv_buf_addf(o, "selected(/data/%s, '", odk_name(t));
        xml_text(o, val);
        sv_buf_adds(o, "')");
    } else {
        sv_buf_addf(o, "/data/%s = '", odk_name(t));
        xml_text(o, val);
        sv_buf_adds(o, "'");
    }
}

static void label_ref(struct sv_buf *o, const char *id)
{
    sv_buf_addf(o, "<label ref=\"jr:itext('%s')\"/>", id);
}

int collect_xform_write(const struct sv_survey *s, struct sv_buf *o,
                        void (*bad)(const struct sv_error *e, void *ctx), void *ctx, long *nbad)
{
    struct xcheck c = {s, bad, ctx, 0};
    for (size_t i = 0; i < s->nvariables; i++) {
        const struct sv_variable *v = &s->variables[i];
        const char *p = odk_name(v);
        for (const char *seg = p; *seg;) {
            size_t len = strcspn(seg, "/");
            if (!xml_name(seg, len))
                xproblem(&c, i,
                         "ODK name '%s': '%.*s' is not an XML name (letters, digits, '_', '-', "
                         "'.', not starting with a digit); set platform.odk",
                         p, (int)len, seg);
            seg += len;
            if (*seg == '/')
                seg++;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(odk_name(&s->variables[j]), p) == 0)
                xproblem(&c, i, "ODK name '%s' is also variable '%s''s", p,
                         s->variables[j].name);
        for (size_t k = 0; k < v->ncodes; k++) {
            const char *cv = odk_code(&v->codes[k]);
            if (!*cv || strpbrk(cv, " \t\r\n"))
                xproblem(&c, i,
                         "code '%s': ODK choice value '%s' may not be empty or hold spaces "
                         "(a multiple choice is a space-separated list); set the code's "
                         "platform.odk",
                         v->codes[k].code, cv);
        }
    }
    *nbad = c.n;
    if (c.n)
        return SV_EDATA;

    sv_buf_adds(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<h:html xmlns=\"http://www.w3.org/2002/xforms\" "
                   "xmlns:h=\"http://www.w3.org/1999/xhtml\" "
                   "xmlns:jr=\"http://openrosa.org/javarosa\" "
                   "xmlns:orx=\"http://openrosa.org/xforms\" "
                   "xmlns:vigie=\"urn:vigie:survey\">\n <h:head>\n  <h:title>");
    xml_text(o, s->title.fr);
    sv_buf_adds(o, "</h:title>\n  <model>\n   <itext>\n");
    static const char *const langs[] = {"fr", "en"};
    for (int l = 0; l < 2; l++) {
        sv_buf_addf(o, "    <translation lang=\"%s\"%s>\n", langs[l],
                    l == 0 ? " default=\"true()\"" : "");
        for (size_t i = 0; i < s->nvariables; i++) {
            const struct sv_variable *v = &s->variables[i];
            sv_buf_addf(o, "     <text id=\"/data/%s:label\"><value>", odk_name(v));
            xml_text(o, sv_label_get(&v->label, (enum sv_lang)l));
            sv_buf_adds(o, "</value></text>\n");
            for (size_t k = 0; k < v->ncodes; k++) {
                sv_buf_addf(o, "     <text id=\"/data/%s/", odk_name(v));
                xml_text(o, odk_code(&v->codes[k]));
                sv_buf_adds(o, ":label\"><value>");
                xml_text(o, sv_label_get(&v->codes[k].label, (enum sv_lang)l));
                sv_buf_adds(o, "</value></text>\n");
            }
            if (v->type == SV_TYPE_YESNO)
                sv_buf_addf(o,
                            "     <text id=\"/data/%s/1:label\"><value>%s</value></text>\n"
                            "     <text id=\"/data/%s/0:label\"><value>%s</value></text>\n",
                            odk_name(v), l ? "Yes" : "Oui", odk_name(v), l ? "No" : "Non");
        }
        sv_buf_adds(o, "    </translation>\n");
    }
    sv_buf_adds(o, "   </itext>\n   <instance>\n    <data id=\"");
    xml_text(o, s->id);
    sv_buf_adds(o, "\" version=\"");
    xml_text(o, s->version);
    sv_buf_adds(o, "\">\n");
    /* the instance: nested groups in the order of first appearance */
    char open[8][128];
    size_t depth = 0;
    for (size_t i = 0; i <= s->nvariables; i++) {
        const char *p = i < s->nvariables ? odk_name(&s->variables[i]) : "";
        /* its groups */
        char segs[8][128];
        size_t n = 0;
        const char *seg = p;
        while (*seg && n < 8) {
            size_t len = strcspn(seg, "/");
            if (seg[len] != '/')
                break;
            snprintf(segs[n++], sizeof segs[0], "%.*s", (int)len, seg);
            seg += len + 1;
        }
        size_t keep = 0;
        while (keep < depth && keep < n && strcmp(open[keep], segs[keep]) == 0)
            keep++;
        while (depth > keep) {
            depth--;
            sv_buf_addf(o, "%*s</%s>\n", (int)(5 + depth), "", open[depth]);
        }
        if (i == s->nvariables)
            break;
        while (depth < n) {
            snprintf(open[depth], sizeof open[0], "%s", segs[depth]);
            sv_buf_addf(o, "%*s<%s>\n", (int)(5 + depth), "", open[depth]);
            depth++;
        }
        sv_buf_addf(o, "%*s<%s/>\n", (int)(5 + depth), "", seg);
    }
    sv_buf_adds(o, "     <meta><instanceID/></meta>\n    </data>\n   </instance>\n");
    for (size_t i = 0; i < s->nvariables; i++) {
        const struct sv_variable *v = &s->variables[i];
        /* choices are strings in the instance (as XLSForm conversions write them) */
        const char *t = v->type == SV_TYPE_INTEGER  ? "int"
                        : v->type == SV_TYPE_NUMBER ? "decimal"
                        : v->type == SV_TYPE_DATE   ? "date"
                                                    : "string";
        sv_buf_addf(o, "   <bind nodeset=\"/data/%s\" type=\"%s\"", odk_name(v), t);
        /* what the form does not say by itself, for `collect definition` */
        const char *last = strrchr(odk_name(v), '/');
        last = last ? last + 1 : odk_name(v);
        sv_buf_addf(o, " vigie:type=\"%s\"", sv_var_type_name(v->type));
        if (strcmp(last, v->name) != 0)
            sv_buf_addf(o, " vigie:name=\"%s\"", v->name);
        if (v->personal != SV_PERSONAL_NO)
            sv_buf_addf(o, " vigie:personal=\"%s\"",
                        v->personal == SV_PERSONAL_HASH ? "hash" : "drop");
        if (v->required)
            sv_buf_adds(o, " required=\"true()\"");
        if (v->relevant) {
            sv_buf_adds(o, " relevant=\"");
            relevant_xpath(o, s, v->relevant);
            sv_buf_adds(o, "\"");
        }
        if (v->has_min || v->has_max) {
            sv_buf_adds(o, " constraint=\"");
            if (v->has_min)
                sv_buf_addf(o, ". &gt;= %.15g", v->min);
            if (v->has_min && v->has_max)
                sv_buf_adds(o, " and ");
            if (v->has_max)
                sv_buf_addf(o, ". &lt;= %.15g", v->max);
            sv_buf_adds(o, "\"");
        }
        sv_buf_adds(o, "/>\n");
    }
    sv_buf_adds(o, "   <bind nodeset=\"/data/meta/instanceID\" type=\"string\" readonly=\"true()\" "
                   "jr:preload=\"uid\"/>\n  </model>\n </h:head>\n <h:body>\n");
    depth = 0;
    for (size_t i = 0; i <= s->nvariables; i++) {
        const struct sv_variable *v = i < s->nvariables ? &s->variables[i] : NULL;
        const char *p = v ? odk_name(v) : "";
        char segs[8][128];
        size_t n = 0;
        const char *seg = p;
        while (*seg && n < 8) {
            size_t len = strcspn(seg, "/");
            if (seg[len] != '/')
                break;
            snprintf(segs[n++], sizeof segs[0], "%.*s", (int)len, seg);
            seg += len + 1;
        }
        size_t keep = 0;
        while (keep < depth && keep < n && strcmp(open[keep], segs[keep]) == 0)
            keep++;
        while (depth > keep) {
            depth--;
            sv_buf_addf(o, "%*s</group>\n", (int)(2 + depth), "");
        }
        if (!v)
            break;
        while (depth < n) {
            snprintf(open[depth], sizeof open[0], "%s", segs[depth]);
            sv_buf_addf(o, "%*s<group ref=\"/data", (int)(2 + depth), "");
            for (size_t k = 0; k <= depth; k++)
                sv_buf_addf(o, "/%s", open[k]);
            sv_buf_addf(o, "\"><label>%s</label>\n", open[depth]);
            depth++;
        }
        const char *el = v->type == SV_TYPE_MULTIPLE ? "select"
                         : (v->type == SV_TYPE_SINGLE || v->type == SV_TYPE_LIKERT ||
                            v->type == SV_TYPE_YESNO)
                             ? "select1"
                             : "input";
        char id[300];
        snprintf(id, sizeof id, "/data/%s:label", p);
        sv_buf_addf(o, "%*s<%s ref=\"/data/%s\">", (int)(2 + depth), "", el, p);
        label_ref(o, id);
        for (size_t k = 0; k < v->ncodes; k++) {
            sv_buf_adds(o, "<item");
            if (strcmp(odk_code(&v->codes[k]), v->codes[k].code) != 0) {
                sv_buf_adds(o, " vigie:code=\"");
                xml_text(o, v->codes[k].code);
                sv_buf_adds(o, "\"");
            }
            sv_buf_addf(o, "><label ref=\"jr:itext('/data/%s/", p);
            xml_text(o, odk_code(&v->codes[k]));
            sv_buf_adds(o, ":label')\"/><value>");
            xml_text(o, odk_code(&v->codes[k]));
            sv_buf_adds(o, "</value></item>");
        }
        if (v->type == SV_TYPE_YESNO)
            sv_buf_addf(o,
                        "<item><label ref=\"jr:itext('/data/%s/1:label')\"/><value>1</value>"
                        "</item><item><label ref=\"jr:itext('/data/%s/0:label')\"/><value>0"
                        "</value></item>",
                        p, p);
        sv_buf_addf(o, "</%s>\n", el);
    }
    sv_buf_adds(o, " </h:body>\n</h:html>\n");
    return 0;
}
