/* Shared plumbing of the indicator commands: see analyse_common.h. */
#include "analyse_common.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_cli.h"
#include "sv_numfmt.h"
#include "sv_store.h"

static int on_option(int key, const char *v, void *ctx)
{
    struct analyse_cmdopts *o = ctx;
    switch (key) {
    case OPT_SURVEY: o->survey = v; break;
    case OPT_STORE: o->store = v; break;
    case OPT_DATA: o->data = v; break;
    case 'o': o->output = v; break;
    case OPT_BY:
        if (o->nby == ANALYSE_MAX_BY)
            return sv_usage_error("too many --by options (at most %d)", ANALYSE_MAX_BY);
        o->by[o->nby++] = v;
        break;
    case OPT_WEIGHTS:
        if (analyse_weighting_parse(v, &o->weighting))
            return sv_usage_error("--weights: '%s' is not cells, frame, rake, post or none", v);
        break;
    case OPT_MARGINS: o->margins = v; break;
    case OPT_CALIBRATE:
        if (analyse_calibration_parse(v, &o->calib.method))
            return sv_usage_error("--calibrate: '%s' is not rake, post, linear or raking", v);
        o->calib_set = true;
        break;
    case OPT_BOUNDS: {
        char *end;
        errno = 0;
        double lo = strtod(v, &end), hi = NAN;
        if (!errno && end != v && *end == ',') {
            const char *q = end + 1;
            hi = strtod(q, &end);
            if (errno || end == q || *end)
                hi = NAN;
        }
        if (!(isfinite(lo) && isfinite(hi) && lo >= 0 && lo < 1 && hi > 1))
            return sv_usage_error("--bounds: '%s' is not L,U with 0 <= L < 1 < U", v);
        o->calib.lower = lo;
        o->calib.upper = hi;
        o->bounds_set = true;
        break;
    }
    case OPT_MIN_CELL:
        if (sv_parse_long(v, 1, 1000000, &o->min_cell))
            return sv_usage_error("--min-cell: '%s' is not a whole number from 1", v);
        break;
    case OPT_DOMINANCE:
        if (sv_parse_double(v, 0.01, 1, &o->dominance))
            return sv_usage_error("--dominance: '%s' is not a fraction in (0, 1]", v);
        break;
    case OPT_LEVEL:
        if (sv_parse_double(v, 0.5, 0.9999, &o->level))
            return sv_usage_error("--level: '%s' is not in [0.5, 0.9999]", v);
        break;
    case OPT_CI: {
        enum analyse_ci_method m;
        if (analyse_ci_method_parse(v, &m) || m == ANALYSE_CI_T || m == ANALYSE_CI_NORMAL ||
            m == ANALYSE_CI_WOODRUFF || m == ANALYSE_CI_DEFAULT || m >= ANALYSE_CI_BINOM_WILSON)
            return sv_usage_error("--ci: '%s' is not logit, wilson, exact, agresti-coull, "
                                  "jeffreys, likelihood, asin, wald or none", v);
        o->ci = m;
        break;
    }
    case OPT_DF:
        if (strcmp(v, "inf") == 0 || strcmp(v, "Inf") == 0)
            o->df = INFINITY;
        else if (sv_parse_double(v, 0.5, 1e9, &o->df))
            return sv_usage_error("--df: '%s' is not 'inf' or a number of degrees of freedom", v);
        break;
    case OPT_QRULE:
        if (analyse_qrule_parse(v, &o->qrule))
            return sv_usage_error("--qrule: '%s' is not math, school, shahvaish or hf1 ... hf9", v);
        o->quantile_opts_given = true;
        break;
    case OPT_QCI:
        if (analyse_qci_parse(v, &o->qci))
            return sv_usage_error("--quantile-ci: '%s' is not mean, beta, xlogit, asin, score or "
                                  "none", v);
        o->quantile_opts_given = true;
        break;
    case OPT_FORMAT:
        if (analyse_format_parse(v, &o->format))
            return sv_usage_error("--format: '%s' is not csv, excel-fr or jsonl", v);
        break;
    case OPT_MARKDOWN: o->markdown = true; break;
    case OPT_LANG:
        if (sv_lang_parse(v, &o->lang))
            return sv_usage_error("--lang: '%s' is not fr or en", v);
        break;
    case 'q':
    case OPT_QUIET: sv_cli_set_quiet(true); break;
    case OPT_VAR: o->var = v; break;
    case OPT_STAT: o->stat = v; break;
    case OPT_DENOM: o->denominator = v; break;
    case OPT_CODE: o->code = v; break;
    case OPT_TEST: o->test = true; break;
    case OPT_ROWS: o->rows = true; break;
    case OPT_VERSUS: o->versus = v; break;
    case OPT_RESPONSES:
        if (analyse_responses_parse(v, &o->include))
            return sv_usage_error("--responses: '%s' is not complete or all", v);
        o->include_given = true;
        break;
    case OPT_INCLUDE_REJECTED:
        o->include |= SV_STORE_WITH_REJECTED;
        o->include_given = true;
        break;
    case OPT_P:
        if (sv_parse_double(v, 0.0001, 0.9999, &o->p))
            return sv_usage_error("--p: '%s' is not in (0, 1)", v);
        break;
    default:
        return sv_usage_error("unexpected option");
    }
    return 0;
}

int analyse_cmd_parse(struct analyse_cmdopts *o, int argc, char **argv,
                      const struct sv_option *options, const char *usage,
                      const char *description)
{
    memset(o, 0, sizeof *o);
    o->weighting = ANALYSE_W_CELLS;
    o->min_cell = 3;
    o->dominance = 0.85;
    o->level = 0.95;
    o->ci = ANALYSE_CI_LOGIT;
    o->format = ANALYSE_FMT_CSV;
    o->lang = SV_LANG_FR;
    o->p = NAN;
    o->df = NAN;
    o->calib.method = ANALYSE_CALIB_RAKE;
    o->calib.lower = -INFINITY;
    o->calib.upper = INFINITY;
    int first;
    bool stop;
    int rc = sv_cli_parse(argc, argv, options, usage, description, on_option, o, &first, &stop);
    if (rc)
        return rc;
    if (stop)
        return sv_cli_finish(0);
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!o->survey)
        return sv_usage_error("--survey is required");
    if (!o->store == !o->data)
        return sv_usage_error("give exactly one of --store and --data");
    if (o->include_given && !o->store)
        return sv_usage_error("--responses and --include-rejected select responses in a store "
                              "(--store); a --data file holds what was exported");
    if (!o->output)
        return sv_usage_error("-o is required (use '-o -' for stdout)");
    if ((o->calib_set || o->bounds_set) && !o->margins)
        return sv_usage_error("--calibrate and --bounds need --margins");
    if (o->bounds_set && o->calib.method != ANALYSE_CALIB_LINEAR &&
        o->calib.method != ANALYSE_CALIB_RAKING)
        return sv_usage_error("--bounds applies to --calibrate linear or raking, not %s",
                              analyse_calibration_name(o->calib.method));
    return -1;
}

int analyse_responses_parse(const char *v, unsigned *include)
{
    if (strcmp(v, "all") == 0)
        *include |= SV_STORE_WITH_PARTIAL;
    else if (strcmp(v, "complete") == 0)
        *include &= ~(unsigned)SV_STORE_WITH_PARTIAL;
    else
        return -1;
    return 0;
}

void analyse_note_selection(unsigned include, long nread, long partial_left_out,
                            long rejected_left_out)
{
    bool partial = include & SV_STORE_WITH_PARTIAL, rejected = include & SV_STORE_WITH_REJECTED;
    if (partial || rejected)
        sv_note("responses read from the store: complete%s%s (%ld records)",
                partial ? ", partial saves" : "",
                rejected ? ", those the platform's review rejected" : "", nread);
    if (partial_left_out > 0 || rejected_left_out > 0) {
        char a[96] = "", b[96] = "";
        if (partial_left_out > 0)
            snprintf(a, sizeof a, "%ld partial save%s", partial_left_out,
                     partial_left_out > 1 ? "s" : "");
        if (rejected_left_out > 0)
            snprintf(b, sizeof b, "%ld response%s the platform's review rejected",
                     rejected_left_out, rejected_left_out > 1 ? "s" : "");
        sv_note("left out: %s%s%s (%s%s%s include%s them)", a, *a && *b ? " and " : "", b,
                *a ? "--responses all" : "", *a && *b ? ", " : "",
                *b ? "--include-rejected" : "", *a && *b ? "" : "s");
    }
}

int analyse_meta_selection(struct sv_imeta *m, unsigned include, long partial_left_out,
                           long rejected_left_out)
{
    free(m->responses);
    free(m->review_rejected);
    m->responses = sv_strdup(include & SV_STORE_WITH_PARTIAL ? "all" : "complete");
    m->review_rejected = sv_strdup(include & SV_STORE_WITH_REJECTED ? "included" : "excluded");
    m->partial_left_out = partial_left_out;
    m->rejected_left_out = rejected_left_out;
    return m->responses && m->review_rejected ? 0 : -1;
}

int analyse_run_fail(const struct sv_error *err) { return sv_fail_error(err); }

void analyse_grouping_release(struct analyse_grouping *g)
{
    for (size_t k = 0; k < g->ngroups && g->codes; k++) {
        free(g->codes[k]);
        free(g->labels[k]);
    }
    free(g->codes);
    free(g->labels);
    free(g->gidx);
    memset(g, 0, sizeof *g);
}

const char *analyse_dim_var(const struct sv_survey *s, const char *dim)
{
    const char *v = sv_survey_role(s, dim);
    if (v && *v)
        return v;
    return sv_survey_variable(s, dim) ? dim : NULL;
}

int analyse_run_open(struct analyse_run *run, struct analyse_cmdopts *opt, struct sv_error *err)
{
    memset(run, 0, sizeof *run);
    run->opt = opt;
    run->est.level = opt->level;
    run->est.ci = opt->ci;
    run->est.df = opt->df;
    run->est.binomial = opt->weighting == ANALYSE_W_NONE;
    run->est.qrule = opt->qrule;
    run->est.qci = opt->qci;
    int rc = sv_survey_load(&run->survey, opt->survey, err);
    if (rc)
        return rc;
    rc = analyse_data_init(&run->data, run->survey, err);
    if (rc)
        return rc;
    analyse_out_init(&run->out, run->survey, opt->lang, opt->min_cell, opt->dominance);
    if (opt->weighting != ANALYSE_W_NONE)
        rc = analyse_frame_want(&run->data, err);
    if (rc == 0 && opt->margins) {
        rc = analyse_margins_load(&run->margins, run->survey, opt->margins, err);
        if (rc == 0)
            rc = analyse_margins_want(&run->data, &run->margins, err);
    }
    return rc;
}

/* Split a --by value into its dimensions and check them. */
static int by_dims(const struct analyse_run *run, const char *by, char dims[][64], size_t *nd,
                   struct sv_error *err)
{
    *nd = 0;
    const char *p = by;
    while (*p) {
        size_t len = strcspn(p, ";,");
        if (len == 0 || len >= 64 || *nd == 4)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--by: bad grouping '%s'", by);
        memcpy(dims[*nd], p, len);
        dims[*nd][len] = '\0';
        (*nd)++;
        p += len;
        if (*p)
            p++;
    }
    if (*nd == 0)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "--by: empty grouping");
    for (size_t k = 0; k < *nd; k++) {
        if (strcmp(dims[k], "family") == 0)
            continue;
        const char *v = analyse_dim_var(run->survey, dims[k]);
        if (!v)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                                "--by: survey '%s' has no role or variable '%s'",
                                run->survey->id, dims[k]);
    }
    return 0;
}

int analyse_run_want_by(struct analyse_run *run, struct sv_error *err)
{
    for (size_t b = 0; b < run->opt->nby; b++) {
        char dims[4][64];
        size_t nd;
        int rc = by_dims(run, run->opt->by[b], dims, &nd, err);
        if (rc)
            return rc;
        for (size_t k = 0; k < nd; k++) {
            if (strcmp(dims[k], "family") == 0)
                continue;
            rc = analyse_data_want(&run->data, analyse_dim_var(run->survey, dims[k]),
                                   ANALYSE_COL_CODE, err);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/*
 * The groups of `nunits` units (rows, or the slots of a stream): the code of
 * unit i in dimension k is base[k][i * stride] (ANALYSE_NO_GROUP = missing,
 * the unit is then in no group). Groups are those with units, numbered in
 * code-list order as svyby orders them, with their codes and labels.
 */
static int group_units(struct analyse_grouping *g, const struct sv_variable *const *vars,
                       size_t nc, const size_t *const *base, size_t stride, size_t nunits,
                       enum sv_lang lang, struct sv_error *err)
{
    size_t span = 1;
    for (size_t k = 0; k < nc; k++)
        span *= vars[k]->ncodes ? vars[k]->ncodes : 1;
    g->gidx = calloc(nunits ? nunits : 1, sizeof *g->gidx);
    size_t *dense = malloc((span ? span : 1) * sizeof *dense);
    if (!g->gidx || !dense) {
        free(dense);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t j = 0; j < span; j++)
        dense[j] = ANALYSE_NO_GROUP;
    for (size_t i = 0; i < nunits; i++) {
        size_t key = 0;
        bool ok = true;
        for (size_t k = 0; k < nc && ok; k++) {
            size_t c = base[k][i * stride];
            ok = c != ANALYSE_NO_GROUP;
            key = key * vars[k]->ncodes + (ok ? c : 0);
        }
        g->gidx[i] = ok ? key : ANALYSE_NO_GROUP;
        if (ok)
            dense[key] = 0;
    }
    size_t ng = 0;
    for (size_t j = 0; j < span; j++)
        if (dense[j] != ANALYSE_NO_GROUP)
            dense[j] = ng++;
    g->ngroups = ng;
    g->codes = calloc(ng ? ng : 1, sizeof *g->codes);
    g->labels = calloc(ng ? ng : 1, sizeof *g->labels);
    if (!g->codes || !g->labels) {
        free(dense);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t j = 0; j < span; j++) {
        if (dense[j] == ANALYSE_NO_GROUP)
            continue;
        struct sv_buf c = SV_BUF_INIT, l = SV_BUF_INIT;
        size_t rem = j;
        size_t idx[4];
        for (size_t k = nc; k-- > 0;) {
            idx[k] = rem % vars[k]->ncodes;
            rem /= vars[k]->ncodes;
        }
        for (size_t k = 0; k < nc; k++) {
            const struct sv_code *code = &vars[k]->codes[idx[k]];
            sv_buf_addf(&c, "%s%s", k ? ";" : "", code->code);
            sv_buf_addf(&l, "%s%s", k ? " – " : "", sv_label_get(&code->label, lang));
        }
        g->codes[dense[j]] = sv_buf_detach(&c, NULL);
        g->labels[dense[j]] = sv_buf_detach(&l, NULL);
    }
    for (size_t i = 0; i < nunits; i++)
        if (g->gidx[i] != ANALYSE_NO_GROUP)
            g->gidx[i] = dense[g->gidx[i]];
    free(dense);
    return 0;
}

/*
 * The variables of the dimensions of `by` other than "family" (at most 4)
 * and the grouping's name.
 */
static int grouping_vars(struct analyse_grouping *g, const struct sv_variable **vars,
                         size_t *nc, const struct analyse_run *run, const char *by,
                         struct sv_error *err)
{
    char dims[4][64];
    size_t nd;
    int rc = by_dims(run, by, dims, &nd, err);
    if (rc)
        return rc;
    struct sv_buf byname = SV_BUF_INIT;
    *nc = 0;
    for (size_t k = 0; k < nd; k++) {
        if (strcmp(dims[k], "family") == 0)
            continue;
        vars[*nc] = sv_survey_variable(run->survey, analyse_dim_var(run->survey, dims[k]));
        sv_buf_addf(&byname, "%s%s", *nc ? ";" : "", dims[k]);
        (*nc)++;
    }
    snprintf(g->by, sizeof g->by, "%s", byname.data ? byname.data : "");
    sv_buf_release(&byname);
    return 0;
}

/* Build the grouping of `by` over the rows. */
static int build_grouping(struct analyse_grouping *g, const struct analyse_run *run,
                          const char *by, struct sv_error *err)
{
    memset(g, 0, sizeof *g);
    const struct sv_variable *vars[4];
    const size_t *base[4];
    size_t nc;
    int rc = grouping_vars(g, vars, &nc, run, by, err);
    if (rc)
        return rc;
    for (size_t k = 0; k < nc; k++) {
        const struct analyse_column *col = analyse_data_col(&run->data, vars[k]->name);
        if (!col)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "grouping '%s' not loaded",
                                vars[k]->name);
        base[k] = col->code;
    }
    return group_units(g, vars, nc, base, 1, run->data.nrows, run->opt->lang, err);
}

int analyse_by_vars(const char **vars, size_t *nvars, const struct analyse_run *run,
                    const char *by, struct sv_error *err)
{
    char dims[4][64];
    size_t nd;
    int rc = by_dims(run, by, dims, &nd, err);
    if (rc)
        return rc;
    *nvars = 0;
    for (size_t k = 0; k < nd; k++)
        vars[(*nvars)++] = strcmp(dims[k], "family") == 0
                               ? NULL
                               : sv_survey_variable(run->survey,
                                                    analyse_dim_var(run->survey, dims[k]))
                                     ->name;
    return 0;
}

int analyse_grouping_of_slots(struct analyse_grouping *g, const struct analyse_run *run,
                              const char *by, const size_t *dim_code, size_t ndims,
                              const char *const *dims, size_t nslots, struct sv_error *err)
{
    memset(g, 0, sizeof *g);
    const struct sv_variable *vars[4];
    const size_t *base[4];
    size_t nc;
    int rc = grouping_vars(g, vars, &nc, run, by, err);
    if (rc)
        return rc;
    for (size_t k = 0; k < nc; k++) {
        size_t j = 0;
        while (j < ndims && strcmp(dims[j], vars[k]->name) != 0)
            j++;
        if (j == ndims)
            return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "grouping '%s' not read",
                                vars[k]->name);
        base[k] = dim_code + j;
    }
    return group_units(g, vars, nc, base, ndims, nslots, run->opt->lang, err);
}

void analyse_diff_result(struct analyse_result *r, const struct analyse_diff *d)
{
    *r = d->a;
    r->estimate = d->estimate;
    r->se = d->se;
    r->var = d->se * d->se;
    r->df = d->df;
    r->ci_low = d->ci_low;
    r->ci_high = d->ci_high;
    r->ci = isinf(d->df) ? ANALYSE_CI_NORMAL : ANALYSE_CI_T;
    r->n = d->a.n + d->b.n;
    r->n_missing = d->a.n_missing + d->b.n_missing;
    r->population = d->a.population + d->b.population;
    r->max_share = NAN;
}

void analyse_run_warn_setup(const struct analyse_run *run)
{
    if (run->setup.calibrated)
        sv_note("weighting '%s', calibrated by '%s': %s",
                analyse_weighting_name(run->opt->weighting),
                analyse_calibration_name(run->opt->calib.method), run->setup.design_text);
    else
        sv_note("weighting '%s': %s", analyse_weighting_name(run->opt->weighting),
                run->setup.design_text);
    for (const char *l = run->setup.notes; l && *l;) {
        size_t len = strcspn(l, "\n");
        sv_warn("%.*s", (int)len, l);
        l += len + (l[len] == '\n');
    }
    if (run->setup.empty_cells > 0 && run->opt->weighting != ANALYSE_W_CELLS &&
        run->setup.calibrated)
        sv_warn("%ld frame cells without respondent (%.0f %s): only the calibration to the "
                "margins accounts for them", run->setup.empty_cells,
                run->setup.empty_population,
                run->survey->frame.unit_label_en ? run->survey->frame.unit_label_en : "units");
    else if (run->setup.empty_cells > 0 && run->opt->weighting != ANALYSE_W_CELLS)
        sv_warn("%ld frame cells without respondent: their %.0f %s are not represented",
                run->setup.empty_cells, run->setup.empty_population,
                run->survey->frame.unit_label_en ? run->survey->frame.unit_label_en : "units");
    if (run->setup.raked && !run->setup.rake.converged)
        sv_warn("raking did not converge after %d sweeps (largest misfit %.3g)",
                run->setup.rake.iterations, run->setup.rake.max_change);
}

int analyse_run_load(struct analyse_run *run, struct sv_error *err)
{
    run->data.include = run->opt->include;
    int rc = analyse_data_load(&run->data, run->opt->store, run->opt->data, err);
    if (rc)
        return rc;
    if (run->opt->store)
        analyse_note_selection(run->data.include, (long)run->data.nrows,
                               run->data.partial_left_out, run->data.rejected_left_out);
    rc = analyse_setup_design(&run->setup, &run->data, run->opt->weighting, err);
    if (rc == 0 && run->opt->margins)
        rc = analyse_calibrate(&run->setup, &run->data, &run->margins, &run->opt->calib, err);
    if (rc)
        return rc;
    analyse_run_warn_setup(run);
    run->groupings = calloc(run->opt->nby ? run->opt->nby : 1, sizeof *run->groupings);
    if (!run->groupings)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t b = 0; b < run->opt->nby; b++) {
        rc = build_grouping(&run->groupings[b], run, run->opt->by[b], err);
        run->ngroupings = b + 1;
        if (rc)
            return rc;
    }
    return 0;
}

void analyse_run_release(struct analyse_run *run)
{
    for (size_t b = 0; b < run->ngroupings; b++)
        analyse_grouping_release(&run->groupings[b]);
    free(run->groupings);
    analyse_out_release(&run->out);
    analyse_setup_release(&run->setup);
    analyse_margins_release(&run->margins);
    if (run->survey)
        analyse_data_release(&run->data);
    sv_survey_free(run->survey);
    memset(run, 0, sizeof *run);
}

static char *join3(const char *a, const char *sep, const char *b)
{
    struct sv_buf x = SV_BUF_INIT;
    if (a && *a && b && *b)
        sv_buf_addf(&x, "%s%s%s", a, sep, b);
    else
        sv_buf_addf(&x, "%s", (a && *a) ? a : (b ? b : ""));
    return sv_buf_detach(&x, NULL);
}

int analyse_emit_result(struct analyse_run *run, const char *indicator, const char *label,
                        const char *unit, const struct analyse_grouping *g, size_t k,
                        const char *pre_by, const char *pre_group, const char *pre_label,
                        const struct analyse_result *res, unsigned flags, struct sv_error *err)
{
    if (res->n + res->n_missing == 0)
        return 0;
    if (res->quantile && res->n > 0 && isnan(res->estimate))
        sv_warn("%s%s%s: no quantile with rule '%s' on %ld value%s: left empty", indicator,
                g ? " " : "", g ? g->codes[k] : "", analyse_qrule_name(res->qrule), res->n,
                res->n == 1 ? "" : "s");
    if (!g)
        return analyse_out_row(&run->out, indicator, label, pre_by, pre_group, pre_label, unit,
                               res, flags, err);
    char *by = join3(pre_by, ";", g->by);
    char *grp = join3(pre_group, ";", g->codes[k]);
    char *lab = join3(pre_label, " – ", g->labels[k]);
    int rc;
    if (!by || !grp || !lab)
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    else
        rc = analyse_out_row(&run->out, indicator, label, by, grp, lab, unit, res, flags, err);
    free(by);
    free(grp);
    free(lab);
    return rc;
}

int analyse_emit(struct analyse_run *run, const char *indicator, const char *label,
                 const char *unit, enum analyse_stat stat, const double *y, const double *x,
                 double p, const unsigned char *domain, const struct analyse_grouping *g,
                 const char *pre_by, const char *pre_group, const char *pre_label,
                 unsigned flags, struct sv_error *err)
{
    const struct analyse_design *d = run->setup.design;
    size_t n = run->data.nrows;
    struct analyse_result res;
    int rc = 0;
    if (!g) {
        rc = analyse_estimate(&res, d, stat, y, x, p, domain, &run->est, err);
        if (rc)
            return rc;
        return analyse_emit_result(run, indicator, label, unit, NULL, 0, pre_by, pre_group,
                                   pre_label, &res, flags, err);
    }
    unsigned char *mask = malloc(n ? n : 1);
    if (!mask)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t k = 0; k < g->ngroups && rc == 0; k++) {
        for (size_t i = 0; i < n; i++)
            mask[i] = g->gidx[i] == k && (!domain || domain[i]);
        rc = analyse_estimate(&res, d, stat, y, x, p, mask, &run->est, err);
        if (rc == 0)
            rc = analyse_emit_result(run, indicator, label, unit, g, k, pre_by, pre_group,
                                     pre_label, &res, flags, err);
    }
    free(mask);
    return rc;
}

int analyse_run_finish(struct analyse_run *run, const char *title_fr, const char *title_en)
{
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_imeta *m = &run->out.table.meta;
    const struct sv_survey *s = run->survey;
    enum sv_lang lang = run->opt->lang;
    const char *ul = lang == SV_LANG_EN && s->frame.unit_label_en ? s->frame.unit_label_en
                                                                  : s->frame.unit_label_fr;
    if (!ul)
        ul = lang == SV_LANG_EN ? "respondents" : "répondants";
    char nbuf[64];
    sv_fmt_number(nbuf, sizeof nbuf, (double)run->data.nrows, 0, lang);
    struct sv_buf src = SV_BUF_INIT;
    sv_buf_addf(&src, "%s%s, n = %s %s", lang == SV_LANG_EN ? "Source: " : "Source : ",
                sv_label_get(&s->source, lang), nbuf, ul);
    m->survey = sv_strdup(s->id);
    m->survey_version = sv_strdup(s->version);
    m->wave = sv_strdup(s->wave);
    m->title = sv_strdup(lang == SV_LANG_EN ? title_en : title_fr);
    m->source = sv_buf_detach(&src, NULL);
    m->design = sv_strdup(run->setup.design_text);
    m->weighting = sv_strdup(analyse_weighting_name(run->opt->weighting));
    if (run->setup.calib_json)
        m->calibration = sv_strdup(run->setup.calib_json);
    m->lang = sv_strdup(lang == SV_LANG_EN ? "en" : "fr");
    m->n_respondents = (long)run->data.nrows;
    m->unit_label = sv_strdup(ul);
    m->min_cell = run->opt->min_cell;
    m->dominance = run->opt->dominance;
    if (run->out.quantiles) {
        m->quantile_rule = sv_strdup(analyse_qrule_name(run->out.qrule));
        m->quantile_interval = sv_strdup(analyse_qci_name(run->out.qci));
    }
    if (run->opt->store &&
        analyse_meta_selection(m, run->data.include, run->data.partial_left_out,
                               run->data.rejected_left_out) != 0)
        return sv_fail(SV_EXIT_RUNTIME, "out of memory");
    analyse_out_secondary(&run->out);
    int rc = analyse_out_write(&run->out, run->opt->output, run->opt->format, run->opt->markdown,
                               &err);
    if (rc)
        return sv_fail_error(&err);
    return sv_cli_finish(0);
}

/* Shares of a multiple-choice variable's options, ranked by the national share. */
int analyse_emit_multiple(struct analyse_run *run, const char *var, const char *indicator,
                         const char *label, const char *dim,
                         const struct analyse_grouping *g, struct sv_error *err)
{
    const struct sv_variable *v = sv_survey_variable(run->survey, var);
    size_t k = v->ncodes;
    struct rank {
        double share;
        size_t code;
    } *rk = calloc(k ? k : 1, sizeof *rk);
    if (!rk)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    int rc = 0;
    for (size_t j = 0; j < k && rc == 0; j++) {
        char col[256];
        snprintf(col, sizeof col, "%s.%s", var, v->codes[j].code);
        struct analyse_result r;
        rc = analyse_proportion(&r, run->setup.design, analyse_data_col(&run->data, col)->num, NULL, &run->est, err);
        rk[j].share = isnan(r.estimate) ? -1 : r.estimate;
        rk[j].code = j;
    }
    /* rank: insertion sort, stable */
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && rk[b].share > rk[b - 1].share; b--) {
            struct rank t = rk[b];
            rk[b] = rk[b - 1];
            rk[b - 1] = t;
        }
    for (size_t j = 0; j < k && rc == 0; j++) {
        const struct sv_code *c = &v->codes[rk[j].code];
        char col[256];
        snprintf(col, sizeof col, "%s.%s", var, c->code);
        rc = analyse_emit(run, indicator, label, "share", ANALYSE_PROPORTION, analyse_data_col(&run->data, col)->num, NULL,
                          0, NULL, g, dim, c->code, sv_label_get(&c->label, run->opt->lang),
                          ANALYSE_ROW_NO_CV, err);
    }
    free(rk);
    return rc;
}

