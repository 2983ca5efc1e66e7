/*
 * pay_out: indicator tables of the pay commands.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_file.h"
#include "pay_out.h"

void pay_cell_init(struct pay_cell *c)
{
    memset(c, 0, sizeof *c);
    c->estimate = c->se = c->lo = c->hi = c->df = c->population = NAN;
    c->ci_method = "none";
    c->reason = "";
}

void pay_out_init(struct pay_out *o, const struct sv_survey *survey, const char *title,
                  enum sv_lang lang)
{
    memset(o, 0, sizeof *o);
    sv_itable_init(&o->t);
    o->lang = lang;
    struct sv_imeta *m = &o->t.meta;
    m->title = sv_strdup(title);
    m->lang = sv_strdup(lang == SV_LANG_EN ? "en" : "fr");
    m->min_cell = PAY_MIN_PER_SEX;
    m->dominance = 0.85;
    m->weighting = sv_strdup("none");
    if (survey) {
        m->survey = sv_strdup(survey->id);
        m->survey_version = sv_strdup(survey->version);
        m->wave = sv_strdup(survey->wave);
        struct sv_buf b = SV_BUF_INIT;
        sv_buf_addf(&b, "%s%s", PAY_TR(lang, "Source : ", "Source: "),
                    sv_label_get(&survey->source, lang));
        m->source = sv_buf_detach(&b, NULL);
        m->design = sv_strdup(PAY_TR(lang, "employés, pondération égale (pas de base de sondage)",
                                     "employees, equal weights (no sampling frame)"));
        m->unit_label = sv_strdup(PAY_TR(lang, "salariés", "employees"));
    }
}

void pay_out_add(struct pay_out *o, const struct pay_cell *c)
{
    struct sv_irow r;
    memset(&r, 0, sizeof r);
    r.indicator = (char *)c->indicator;
    r.label = (char *)c->label;
    r.by = (char *)(c->by ? c->by : "");
    r.group = (char *)(c->group ? c->group : "");
    r.group_label = (char *)(c->group_label ? c->group_label : "");
    r.estimate = c->estimate;
    r.se = c->se;
    r.ci_low = c->lo;
    r.ci_high = c->hi;
    r.ci_level = isnan(c->lo) && isnan(c->hi) ? NAN : 0.95;
    r.ci_method = (char *)c->ci_method;
    r.df = c->df;
    r.n = c->n;
    r.n_missing = c->n_missing;
    r.population = c->population;
    r.unit = (char *)c->unit;
    r.suppressed = c->suppressed;
    r.reason = (char *)c->reason;
    if (!o->status)
        o->status = sv_itable_add(&o->t, &r);
}

int pay_out_write(struct pay_out *o, const char *path, struct sv_error *err)
{
    if (o->status)
        return sv_error_set(err, o->status, NULL, 0, 0, "out of memory building the table");
    if (o->t.meta.n_respondents == 0) {
        /* commands that know the number of records set it; else the largest n */
        long nmax = 0;
        for (size_t i = 0; i < o->t.nrows; i++)
            if (o->t.rows[i].n > nmax)
                nmax = o->t.rows[i].n;
        o->t.meta.n_respondents = nmax;
    }
    /* the same files as the other analyse commands: lend the table to
     * analyse's writer (formats, atomic files, the .meta.json beside) */
    struct analyse_out ao;
    analyse_out_init(&ao, NULL, o->lang, PAY_MIN_PER_SEX, 1.0);
    struct sv_itable empty = ao.table;
    ao.table = o->t;
    int rc = analyse_out_write(&ao, path, o->format, false, err);
    o->t = ao.table;
    ao.table = empty;
    analyse_out_release(&ao);
    return rc;
}

void pay_out_release(struct pay_out *o)
{
    sv_itable_release(&o->t);
}
