/*
 * analyse estimate: one statistic of one variable of any survey, nationally
 * and by the --by groupings. Here the user names the variable (a variable of
 * the definition, or a role name).
 *
 *   number, integer, likert: --stat mean (default), total, quantile (--p),
 *                            ratio (--denominator)
 *   yesno, "<multiple>.<code>": --stat proportion (default), total (a count)
 *   multiple choice:         the share of each option, ranked
 *   single choice:           the share of --code, or of every code
 *
 * Indicator names: "<var>_mean", "<var>_total", "<var>_share",
 * "<var>_per_<denominator>", quantiles "<var>.p50" (p in hundredths).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "analyse_cmds.h"
#include "analyse_common.h"
#include "analyse_stream.h"

static const struct sv_option options[] = {
    {"survey", OPT_SURVEY, "ID|DIR", "survey definition"},
    ANALYSE_OPTIONS_SOURCE,
    {"var", OPT_VAR, "NAME", "the variable (or role); a multiple choice gives each option's "
                             "share, ranked ('<var>.<code>': one option)"},
    {"stat", OPT_STAT, "S", "mean, total, proportion, ratio or quantile"},
    {"denominator", OPT_DENOM, "NAME", "ratio: the denominator variable (or role)"},
    {"p", OPT_P, "P", "quantile: the probability (default 0.5)"},
    {"code", OPT_CODE, "CODE", "single choice: the code whose share is wanted (default all)"},
    {"by", OPT_BY, "DIMS", "grouping: roles or variables, ';' crosses (repeatable)"},
    {"test", OPT_TEST, NULL, "also test independence of the variable and each grouping"},
    {"versus", OPT_VERSUS, "CODE", "also each group minus the group CODE, with its SE, interval "
                                   "and t-test, in the one-variable groupings that have CODE"},
    ANALYSE_OPTIONS_DESIGN,
    ANALYSE_OPTIONS_QUANTILE,
    {"rows", OPT_ROWS, NULL, "keep every record in memory (the reference path; by default "
                             "totals, means, shares and ratios of a CSV file are streamed)"},
    ANALYSE_OPTIONS_OUTPUT};

/* A variable name from a name that may be a role; multiple-choice columns kept as is. */
static const char *resolve(const struct sv_survey *s, const char *name)
{
    const char *r = sv_survey_role(s, name);
    return r && *r && !strchr(r, ',') ? r : name;
}

/*
 * Independence of the variable and a grouping: first-order Rao-Scott
 * chi-square (svychisq(statistic = "Chisq")); the row's estimate is the
 * p-value, df the test's degrees of freedom.
 */
static int emit_test(struct analyse_run *run, const char *var, bool single,
                     const struct analyse_grouping *g, struct sv_error *err)
{
    size_t n = run->data.nrows, levels;
    const struct analyse_column *c = analyse_data_col(&run->data, var);
    size_t *row = calloc(n ? n : 1, sizeof *row);
    if (!row)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    if (single) {
        memcpy(row, c->code, n * sizeof *row);
        levels = c->var->ncodes;
    } else {
        for (size_t i = 0; i < n; i++)
            row[i] = isnan(c->num[i]) ? ANALYSE_NO_GROUP : (size_t)(c->num[i] != 0);
        levels = 2;
    }
    struct analyse_chisq cs;
    int rc = analyse_chisq_test(&cs, run->setup.design, row, levels, g->gidx, g->ngroups, NULL,
                                err);
    free(row);
    if (rc)
        return rc;
    struct analyse_result r;
    memset(&r, 0, sizeof r);
    r.estimate = cs.p_value;
    r.se = r.var = r.ci_low = r.ci_high = r.max_share = NAN;
    r.df = cs.df;
    r.level = run->opt->level;
    r.ci = ANALYSE_CI_NONE;
    r.n = cs.n;
    r.n_missing = (long)n - cs.n;
    r.population = NAN;
    char ind[256];
    snprintf(ind, sizeof ind, "%s_independence_p", var);
    return analyse_out_row(&run->out, ind,
                           run->opt->lang == SV_LANG_EN
                               ? "Independence test (Rao-Scott first-order chi-square): p-value"
                               : "Test d'indépendance (chi-deux de Rao-Scott, 1er ordre) : "
                                 "p-value",
                           g->by, "", "", "p_value", &r, ANALYSE_ROW_NO_CV, err);
}

/* --progress of the streaming read: on a terminal only (sv_progress decides). */
static void stream_progress(void *ctx, double fraction)
{
    sv_progress_update(ctx, "reading %.0f %%", fraction * 100);
}

/*
 * The same rows as the row path below, from one pass over the file into
 * per-slot moments (analyse_stream.h). Returns 1 when the file cannot be
 * streamed (the caller then loads the rows).
 */
static int stream_estimate(struct analyse_run *run, const char *var, const char *den,
                           enum analyse_stat st, bool single, const char *ind, const char *label,
                           const char *unit, unsigned flags, struct sv_error *err)
{
    const struct analyse_cmdopts *o = run->opt;
    const char *dims[ANALYSE_MAX_BY * 4];
    size_t ndims = 0;
    for (size_t b = 0; b < o->nby; b++) {
        const char *vars[4];
        size_t nv;
        int rc = analyse_by_vars(vars, &nv, run, o->by[b], err);
        if (rc)
            return rc;
        for (size_t k = 0; k < nv; k++) {
            if (!vars[k])
                return 1; /* "family" is the shortage command's */
            size_t j = 0;
            while (j < ndims && strcmp(dims[j], vars[k]) != 0)
                j++;
            if (j == ndims)
                dims[ndims++] = vars[k];
        }
    }
    struct sv_progress prog;
    sv_progress_init(&prog);
    struct analyse_stream_spec spec = {run->survey, run->data.schema, o->data, o->weighting, var,
                                       single, st == ANALYSE_RATIO ? den : NULL, dims, ndims, 0,
                                       stream_progress, &prog};
    struct analyse_stream sm;
    int rc = analyse_stream_read(&sm, &spec, err);
    sv_progress_done(&prog);
    if (rc)
        return rc;
    /* what the row path's setup would say */
    run->data.nrows = (size_t)sm.nrows;
    analyse_setup_describe(&run->setup, &sm.plan, &sm.design.rake);
    analyse_run_warn_setup(run);
    run->groupings = calloc(o->nby ? o->nby : 1, sizeof *run->groupings);
    unsigned char *in = malloc(sm.nslots ? sm.nslots : 1);
    struct analyse_mom *codemom = single ? calloc(sm.nslots ? sm.nslots : 1, sizeof *codemom)
                                         : NULL;
    if (!run->groupings || !in || (single && !codemom)) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t b = 0; b < o->nby && rc == 0; b++) {
        rc = analyse_grouping_of_slots(&run->groupings[b], run, o->by[b], sm.dim_code, ndims,
                                       dims, sm.nslots, err);
        run->ngroupings = b + 1;
    }
    const struct sv_variable *v = sv_survey_variable(run->survey, var);
    size_t ncodes = single ? v->ncodes : 1;
    for (size_t c = 0; c < ncodes && rc == 0; c++) {
        const struct analyse_mom *mom = sm.mom;
        if (single) {
            if (o->code && strcmp(o->code, v->codes[c].code) != 0)
                continue;
            /* y = 1 when the slot's answer is code c: constant within the slot */
            for (size_t s = 0; s < sm.nslots; s++) {
                struct analyse_mom *m = &codemom[s];
                memset(m, 0, sizeof *m);
                m->n = sm.mom[s].n;
                if (sm.y_code[s] == ANALYSE_NO_GROUP)
                    continue;
                m->m = m->n;
                m->y0 = sm.y_code[s] == c;
                m->x0 = 1;
                m->sabs = m->m * m->y0;
                m->maxabs = m->y0;
            }
            mom = codemom;
        }
        for (size_t pass = 0; pass <= run->ngroupings && rc == 0; pass++) {
            const struct analyse_grouping *g = pass ? &run->groupings[pass - 1] : NULL;
            size_t ng = g ? g->ngroups : 1;
            for (size_t k = 0; k < ng && rc == 0; k++) {
                for (size_t s = 0; s < sm.nslots; s++)
                    in[s] = !g || g->gidx[s] == k;
                struct analyse_result res;
                rc = analyse_moments_estimate(&res, &sm.design, st, mom, sm.cell, sm.nslots, in,
                                              &run->est, err);
                if (rc)
                    break;
                if (single)
                    rc = analyse_emit_result(
                        run, ind, label, st == ANALYSE_TOTAL ? "count" : "share", g, k, var,
                        v->codes[c].code, sv_label_get(&v->codes[c].label, o->lang), &res,
                        st == ANALYSE_TOTAL ? ANALYSE_ROW_ADDITIVE : ANALYSE_ROW_NO_CV, err);
                else
                    rc = analyse_emit_result(run, ind, label, unit, g, k, NULL, NULL, NULL, &res,
                                             flags, err);
            }
        }
    }
out:
    free(in);
    free(codemom);
    analyse_stream_release(&sm);
    return rc;
}

/*
 * --versus: in every one-variable grouping whose variable has the code, each
 * other group minus that group (svycontrast of the two domain estimates,
 * with their design covariance), then the two-sided p-value of the t test
 * in a row of its own.
 */
static int emit_versus(struct analyse_run *run, const char *ind, const char *label,
                       enum analyse_stat st, const double *y, const double *x,
                       const char *unit, const char *pre_by, const char *pre_group,
                       const char *pre_label, struct sv_error *err)
{
    const struct analyse_cmdopts *o = run->opt;
    size_t n = run->data.nrows;
    unsigned char *ma = malloc(n ? n : 1), *mb = malloc(n ? n : 1);
    if (!ma || !mb) {
        free(ma);
        free(mb);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int rc = 0;
    bool any = false;
    for (size_t b = 0; b < run->ngroupings && rc == 0; b++) {
        const struct analyse_grouping *g = &run->groupings[b];
        size_t ref = g->ngroups;
        for (size_t k = 0; k < g->ngroups; k++)
            if (strcmp(g->codes[k], o->versus) == 0)
                ref = k;
        if (ref == g->ngroups || strchr(g->by, ';'))
            continue;
        any = true;
        for (size_t i = 0; i < n; i++)
            mb[i] = g->gidx[i] == ref;
        char dind[300], pind[300], dlabel[1024], glabel[1024];
        snprintf(dind, sizeof dind, "%s_diff", ind);
        snprintf(pind, sizeof pind, "%s_diff_p", ind);
        snprintf(dlabel, sizeof dlabel, "%s%s", label,
                 o->lang == SV_LANG_EN ? ": difference" : " : écart");
        for (size_t k = 0; k < g->ngroups && rc == 0; k++) {
            if (k == ref)
                continue;
            for (size_t i = 0; i < n; i++)
                ma[i] = g->gidx[i] == k;
            struct analyse_diff d;
            rc = analyse_difference(&d, run->setup.design, st, y, x, ma, mb, &run->est, err);
            if (rc)
                break;
            struct analyse_result r;
            analyse_diff_result(&r, &d);
            unsigned flags = ANALYSE_ROW_NO_CV;
            if (d.a.n < o->min_cell || d.b.n < o->min_cell)
                flags |= ANALYSE_ROW_SMALL;
            char grp[512];
            snprintf(grp, sizeof grp, "%s-%s", g->codes[k], g->codes[ref]);
            snprintf(glabel, sizeof glabel, "%s − %s", g->labels[k], g->labels[ref]);
            struct analyse_grouping one = *g;
            char *codes[1] = {grp}, *labels[1] = {glabel};
            one.codes = codes;
            one.labels = labels;
            rc = analyse_emit_result(run, dind, dlabel, unit, &one, 0, pre_by, pre_group,
                                     pre_label, &r, flags, err);
            if (rc)
                break;
            struct analyse_result pr = r;
            pr.estimate = d.p_value;
            pr.se = pr.var = pr.ci_low = pr.ci_high = NAN;
            pr.ci = ANALYSE_CI_NONE;
            rc = analyse_emit_result(run, pind,
                                     o->lang == SV_LANG_EN
                                         ? "Difference: p-value of the t test (two-sided)"
                                         : "Écart : p-value du test t (bilatéral)",
                                     "p_value", &one, 0, pre_by, pre_group, pre_label, &pr,
                                     flags, err);
        }
    }
    free(ma);
    free(mb);
    if (rc == 0 && !any)
        rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                          "--versus: no one-variable --by grouping has a group '%s'", o->versus);
    return rc;
}

/*
 * A multiple-choice variable as a whole: the share of respondents ticking
 * each option, ranked by the national share (as the shortage command's
 * causes), nationally and by each grouping. Row engine.
 */
static int run_multiple(struct analyse_run *run, const struct sv_variable *mv,
                        struct sv_error *err)
{
    const struct analyse_cmdopts *o = run->opt;
    if ((o->stat && strcmp(o->stat, "proportion") != 0) || o->denominator || o->code ||
        o->test || o->versus || !isnan(o->p))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--var: '%s' is a multiple choice: its options' shares are estimated "
                            "(for another statistic, or --code/--test/--versus, name one option "
                            "as '%s.%s')",
                            mv->name, mv->name, mv->ncodes ? mv->codes[0].code : "code");
    int rc = 0;
    for (size_t c = 0; c < mv->ncodes && rc == 0; c++) {
        char col[256];
        snprintf(col, sizeof col, "%s.%s", mv->name, mv->codes[c].code);
        rc = analyse_data_want(&run->data, col, ANALYSE_COL_NUMBER, err);
    }
    if (rc || (rc = analyse_run_want_by(run, err)) || (rc = analyse_run_load(run, err)))
        return rc;
    char ind[256], label[512];
    snprintf(ind, sizeof ind, "%s_share", mv->name);
    snprintf(label, sizeof label, "%s (%s)", sv_label_get(&mv->label, o->lang),
             o->lang == SV_LANG_EN ? "share ticking each option" : "part cochant chaque option");
    for (size_t pass = 0; pass <= run->ngroupings && rc == 0; pass++)
        rc = analyse_emit_multiple(run, mv->name, ind, label, mv->name,
                                   pass ? &run->groupings[pass - 1] : NULL, err);
    return rc;
}

static int run_estimate(struct analyse_run *run, struct sv_error *err)
{
    const struct sv_survey *s = run->survey;
    struct analyse_cmdopts *o = run->opt;
    enum sv_lang lang = o->lang;
    const char *var = resolve(s, o->var);
    long idx = sv_schema_index(run->data.schema, var);
    const struct sv_variable *mv = sv_survey_variable(s, var);
    if (idx < 0 && mv && mv->type == SV_TYPE_MULTIPLE)
        return run_multiple(run, mv, err);
    if (idx < 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--var: survey '%s' has no variable '%s'",
                            s->id, o->var);
    const struct sv_column *col = &run->data.schema->columns[idx];
    const struct sv_variable *v = col->variable;
    bool binary = col->code || v->type == SV_TYPE_YESNO;
    bool single = !col->code && v->type == SV_TYPE_SINGLE;
    if (!col->code && (v->type == SV_TYPE_TEXT || v->type == SV_TYPE_DATE ||
                       v->type == SV_TYPE_MULTIPLE))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--var: '%s' (%s) cannot be estimated%s", var,
                            sv_var_type_name(v->type),
                            v->type == SV_TYPE_MULTIPLE ? "; use '<var>.<code>'" : "");
    const char *stat = o->stat ? o->stat : (binary || single ? "proportion" : "mean");
    enum analyse_stat st;
    if (strcmp(stat, "mean") == 0)
        st = ANALYSE_MEAN;
    else if (strcmp(stat, "total") == 0)
        st = ANALYSE_TOTAL;
    else if (strcmp(stat, "proportion") == 0)
        st = ANALYSE_PROPORTION;
    else if (strcmp(stat, "ratio") == 0)
        st = ANALYSE_RATIO;
    else if (strcmp(stat, "quantile") == 0)
        st = ANALYSE_QUANTILE;
    else
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--stat: '%s' is not mean, total, proportion, ratio or quantile",
                            stat);
    if (st == ANALYSE_PROPORTION && !binary && !single)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--stat proportion needs a yes/no, single-choice or '<var>.<code>' "
                            "variable; '%s' is %s", var, sv_var_type_name(v->type));
    if (single && st != ANALYSE_PROPORTION && st != ANALYSE_TOTAL)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--stat %s: '%s' is a single-choice variable", stat, var);
    if ((st == ANALYSE_RATIO) != (o->denominator != NULL))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            st == ANALYSE_RATIO ? "--stat ratio needs --denominator"
                                                : "--denominator goes with --stat ratio");
    if (o->code && !single)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--code goes with a single-choice "
                                                        "variable");
    const char *den = o->denominator ? resolve(s, o->denominator) : NULL;
    int rc = analyse_data_want(&run->data, var, single ? ANALYSE_COL_CODE : ANALYSE_COL_NUMBER,
                               err);
    if (rc == 0 && den)
        rc = analyse_data_want(&run->data, den, ANALYSE_COL_NUMBER, err);
    if (rc == 0 && single && o->code && !sv_variable_code(v, o->code))
        rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--code: '%s' is not a code of '%s'",
                          o->code, var);
    if (rc)
        return rc;
    const char *vlabel = sv_label_get(&v->label, lang);
    if (col->code) {
        static char buf[512];
        snprintf(buf, sizeof buf, "%s : %s", vlabel, sv_label_get(&col->code->label, lang));
        vlabel = buf;
    }
    double p = isnan(o->p) ? 0.5 : o->p;
    const char *unit = st == ANALYSE_PROPORTION ? "share"
                       : st == ANALYSE_RATIO    ? "ratio"
                       : (v->unit && strcmp(v->unit, "EUR") == 0) ? "eur"
                       : (v->unit && strcmp(v->unit, "ETP") == 0) ? "fte"
                       : st == ANALYSE_TOTAL                      ? "count"
                                                                  : "ratio";
    unsigned flags = (st == ANALYSE_TOTAL ? ANALYSE_ROW_DOMINANCE | ANALYSE_ROW_ADDITIVE : 0) |
                     (st == ANALYSE_RATIO ? ANALYSE_ROW_DOMINANCE : 0) |
                     (st == ANALYSE_PROPORTION || st == ANALYSE_QUANTILE ? ANALYSE_ROW_NO_CV : 0);
    char ind[256], label[768];
    if (st == ANALYSE_QUANTILE)
        snprintf(ind, sizeof ind, "%s.p%02.0f", var, p * 100);
    else if (st == ANALYSE_RATIO)
        snprintf(ind, sizeof ind, "%s_per_%s", var, den);
    else
        snprintf(ind, sizeof ind, "%s_%s", var, st == ANALYSE_PROPORTION ? "share" : stat);
    static const char *const statfr[] = {"total", "moyenne", "part", "ratio", "quantile"};
    static const char *const staten[] = {"total", "mean", "share", "ratio", "quantile"};
    if (st == ANALYSE_RATIO) {
        const struct sv_variable *dv = sv_survey_variable(s, den);
        snprintf(label, sizeof label, "%s / %s", vlabel,
                 dv ? sv_label_get(&dv->label, lang) : den);
    } else {
        snprintf(label, sizeof label, "%s (%s)", vlabel,
                 lang == SV_LANG_EN ? staten[st] : statfr[st]);
    }
    if (o->test && !(single || binary))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--test needs a yes/no or single-choice variable");
    if (o->test && o->nby == 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--test needs a --by grouping");
    if (o->versus && st == ANALYSE_QUANTILE)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "--versus: differences of quantiles are not available");
    if (o->versus && o->nby == 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--versus needs a --by grouping");
    bool streamable = o->data && !o->rows && !o->test && !o->versus && st != ANALYSE_QUANTILE;
    if (streamable && o->margins) {
        /* the moments keep one weight per frame cell: calibration cells are not slots */
        sv_note("--margins: the calibrated design is estimated by the row engine, not streamed");
        streamable = false;
    }
    if (streamable) {
        rc = stream_estimate(run, var, den, st, single, ind, label, unit, flags, err);
        if (rc <= 0)
            return rc;
        /* 1: this file is not streamed (JSON Lines, ...): the rows */
        rc = 0;
    }
    if ((rc = analyse_run_want_by(run, err)) || (rc = analyse_run_load(run, err)))
        return rc;
    if (st == ANALYSE_QUANTILE)
        sv_note("quantiles: rule '%s', interval '%s'%s", analyse_qrule_name(o->qrule),
                analyse_qci_name(o->qci),
                o->quantile_opts_given ? "" : " (R svyquantile's defaults; --qrule, --quantile-ci)");
    size_t n = run->data.nrows;
    for (size_t b = 0; o->test && b < run->ngroupings && rc == 0; b++)
        rc = emit_test(run, var, single, &run->groupings[b], err);
    if (!single) {
        const double *y = analyse_data_col(&run->data, var)->num;
        const double *x = den ? analyse_data_col(&run->data, den)->num : NULL;
        for (size_t pass = 0; pass <= run->ngroupings && rc == 0; pass++)
            rc = analyse_emit(run, ind, label, unit, st, y, x, p, NULL,
                              pass ? &run->groupings[pass - 1] : NULL, NULL, NULL, NULL, flags,
                              err);
        if (rc == 0 && o->versus)
            rc = emit_versus(run, ind, label, st, y, x,
                             st == ANALYSE_PROPORTION ? "points" : unit, NULL, NULL, NULL, err);
        return rc;
    }
    /* single choice: one 0/1 column per code */
    const struct analyse_column *cc = analyse_data_col(&run->data, var);
    double *y = calloc(n ? n : 1, sizeof *y);
    if (!y)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    char dim[256];
    snprintf(dim, sizeof dim, "%s", var);
    for (size_t c = 0; c < v->ncodes && rc == 0; c++) {
        if (o->code && strcmp(o->code, v->codes[c].code) != 0)
            continue;
        for (size_t i = 0; i < n; i++)
            y[i] = cc->code[i] == ANALYSE_NO_GROUP ? NAN : (cc->code[i] == c);
        for (size_t pass = 0; pass <= run->ngroupings && rc == 0; pass++)
            rc = analyse_emit(run, ind, label, st == ANALYSE_TOTAL ? "count" : "share", st, y,
                              NULL, 0, NULL, pass ? &run->groupings[pass - 1] : NULL, dim,
                              v->codes[c].code, sv_label_get(&v->codes[c].label, lang),
                              st == ANALYSE_TOTAL ? ANALYSE_ROW_ADDITIVE : ANALYSE_ROW_NO_CV,
                              err);
        if (rc == 0 && o->versus)
            rc = emit_versus(run, ind, label, st, y, NULL,
                             st == ANALYSE_TOTAL ? "count" : "points", dim, v->codes[c].code,
                             sv_label_get(&v->codes[c].label, lang), err);
    }
    free(y);
    return rc;
}

int analyse_cmd_estimate(int argc, char **argv)
{
    struct analyse_cmdopts opt;
    int code = analyse_cmd_parse(
        &opt, argc, argv, options,
        "analyse estimate --survey S (--store F | --data F) --var V [--stat S] [options] -o FILE",
        "One design-based statistic (mean, total, proportion, ratio, quantile) of one variable,\n"
        "nationally and by the --by groupings, with standard errors, intervals and suppression.");
    if (code >= 0)
        return code;
    if (!opt.var)
        return sv_usage_error("--var is required");
    struct analyse_run run;
    struct sv_error err;
    sv_error_clear(&err);
    int rc = analyse_run_open(&run, &opt, &err);
    if (rc == 0)
        rc = run_estimate(&run, &err);
    if (rc)
        code = sv_fail_error(&err);
    else
        code = analyse_run_finish(&run, "Estimation", "Estimate");
    analyse_run_release(&run);
    return code;
}
