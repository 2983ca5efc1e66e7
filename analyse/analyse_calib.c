/* Calibration to a margins file: see analyse_calib.h. */
#include "analyse_calib.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_buf.h"
#include "sv_csv.h"
#include "sv_json.h"

int analyse_calibration_parse(const char *s, enum analyse_calibration *out)
{
    static const char *const names[] = {"rake", "post", "linear", "raking"};
    for (size_t k = 0; k < 4; k++)
        if (strcmp(s, names[k]) == 0) {
            *out = (enum analyse_calibration)k;
            return 0;
        }
    return SV_EUSAGE;
}

const char *analyse_calibration_name(enum analyse_calibration c)
{
    switch (c) {
    case ANALYSE_CALIB_RAKE: return "rake";
    case ANALYSE_CALIB_POST: return "post";
    case ANALYSE_CALIB_LINEAR: return "linear";
    case ANALYSE_CALIB_RAKING: return "raking";
    }
    return "?";
}

void analyse_margins_release(struct analyse_margins *ms)
{
    for (size_t k = 0; k < ms->n; k++) {
        free(ms->m[k].name);
        free(ms->m[k].total);
        free(ms->m[k].line);
    }
    free(ms->m);
    free(ms->path);
    memset(ms, 0, sizeof *ms);
}

/* The variable a margins file names: a variable of the survey, or a role's. */
static const struct sv_variable *margin_var(const struct sv_survey *s, const char *name)
{
    const struct sv_variable *v = sv_survey_variable(s, name);
    if (!v) {
        const char *r = sv_survey_role(s, name);
        if (r && *r)
            v = sv_survey_variable(s, r);
    }
    return v;
}

/* The margin named `name` (created on first use), or an error naming the line. */
static int margin_of(struct analyse_margin_def **out, struct analyse_margins *ms,
                     const struct sv_survey *s, const char *name, long line,
                     struct sv_error *err)
{
    for (size_t k = 0; k < ms->n; k++)
        if (strcmp(ms->m[k].name, name) == 0) {
            *out = &ms->m[k];
            return 0;
        }
    struct analyse_margin_def def;
    memset(&def, 0, sizeof def);
    const char *p = name;
    def.ncells = 1;
    for (;;) {
        size_t len = strcspn(p, ";");
        char part[256];
        if (len == 0 || len >= sizeof part || def.nvars == ANALYSE_MARGIN_MAXVARS)
            return sv_error_set(err, SV_EDATA, ms->path, line, 0,
                                "'%s' is not a variable or a crossing of at most %d "
                                "variables ('a;b')", name, ANALYSE_MARGIN_MAXVARS);
        memcpy(part, p, len);
        part[len] = '\0';
        const struct sv_variable *v = margin_var(s, part);
        if (!v)
            return sv_error_set(err, SV_EDATA, ms->path, line, 0,
                                "'%s' is not a variable of survey '%s'", part, s->id);
        if (v->type != SV_TYPE_SINGLE || v->ncodes == 0)
            return sv_error_set(err, SV_EDATA, ms->path, line, 0,
                                "'%s' is not a single-choice variable: margins need codes", part);
        for (size_t k = 0; k < def.nvars; k++)
            if (def.vars[k] == v)
                return sv_error_set(err, SV_EDATA, ms->path, line, 0,
                                    "'%s' appears twice in the crossing '%s'", part, name);
        if (def.ncells > ((size_t)1 << 24) / v->ncodes)
            return sv_error_set(err, SV_EDATA, ms->path, line, 0,
                                "the crossing '%s' has too many cells", name);
        def.vars[def.nvars++] = v;
        def.ncells *= v->ncodes;
        p += len;
        if (!*p)
            break;
        p++;
    }
    struct analyse_margin_def *nm = realloc(ms->m, (ms->n + 1) * sizeof *nm);
    if (!nm)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    ms->m = nm;
    def.name = sv_strdup(name);
    def.total = calloc(def.ncells, sizeof *def.total);
    def.line = calloc(def.ncells, sizeof *def.line);
    def.first_line = line;
    if (!def.name || !def.total || !def.line) {
        free(def.name);
        free(def.total);
        free(def.line);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    ms->m[ms->n] = def;
    *out = &ms->m[ms->n++];
    return 0;
}

/* The cell of `code` ("t1" or "t1;pub") in margin m, or an error naming the line. */
static int cell_of(size_t *cell, const struct analyse_margin_def *m, const char *code,
                   const char *path, long line, struct sv_error *err)
{
    const char *p = code;
    size_t key = 0;
    for (size_t k = 0; k < m->nvars; k++) {
        size_t len = strcspn(p, ";");
        size_t j = 0;
        for (; j < m->vars[k]->ncodes; j++)
            if (strlen(m->vars[k]->codes[j].code) == len &&
                memcmp(m->vars[k]->codes[j].code, p, len) == 0)
                break;
        if (j == m->vars[k]->ncodes || (k + 1 < m->nvars && p[len] != ';') ||
            (k + 1 == m->nvars && p[len] != '\0'))
            return sv_error_set(err, SV_EDATA, path, line, 0, "'%s' is not a code of '%s'",
                                code, m->name);
        key = key * m->vars[k]->ncodes + j;
        p += len + (p[len] == ';');
    }
    *cell = key;
    return 0;
}

/* A count: a finite, non-negative decimal number (as the frame's counts). */
static int parse_count(double *out, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < 0 ||
        s[strspn(s, "0123456789.eE+-")])
        return -1;
    *out = v;
    return 0;
}

int analyse_margins_load(struct analyse_margins *ms, const struct sv_survey *s, const char *path,
                         struct sv_error *err)
{
    memset(ms, 0, sizeof *ms);
    ms->path = sv_strdup(path);
    if (!ms->path)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return sv_error_set(err, errno == ENOENT ? SV_ENOTFOUND : SV_EIO, path, 0, 0,
                            "cannot open the margins file: %s", strerror(errno));
    struct sv_csv_reader rd;
    int rc = sv_csv_reader_init(&rd, fp, path, 0, err);
    if (rc) {
        fclose(fp);
        return rc;
    }
    long cv = -1, cc = -1, cn = -1;
    rc = sv_csv_read(&rd, err);
    if (rc == 0)
        rc = sv_error_set(err, SV_EDATA, path, 1, 0, "empty margins file");
    if (rc < 0)
        goto out;
    for (size_t i = 0; i < rd.nfields; i++) {
        if (strcmp(rd.fields[i], "variable") == 0)
            cv = (long)i;
        else if (strcmp(rd.fields[i], "code") == 0)
            cc = (long)i;
        else if (strcmp(rd.fields[i], "count") == 0)
            cn = (long)i;
    }
    if (cv < 0 || cc < 0 || cn < 0) {
        rc = sv_error_set(err, SV_EDATA, path, rd.record_line, 0,
                          "missing column '%s' (the header names variable, code, count)",
                          cv < 0 ? "variable" : cc < 0 ? "code" : "count");
        goto out;
    }
    size_t need = (size_t)(cv > cc ? (cv > cn ? cv : cn) : (cc > cn ? cc : cn)) + 1;
    while ((rc = sv_csv_read(&rd, err)) == 1) {
        long line = rd.record_line;
        if (rd.nfields == 1 && !rd.fields[0][0])
            continue;
        if (rd.nfields < need) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0, "too few fields (%zu, need %zu)",
                              rd.nfields, need);
            break;
        }
        struct analyse_margin_def *m = NULL;
        size_t cell = 0;
        double count = 0;
        if ((rc = margin_of(&m, ms, s, rd.fields[cv], line, err)) ||
            (rc = cell_of(&cell, m, rd.fields[cc], path, line, err)))
            break;
        if (parse_count(&count, rd.fields[cn]) != 0) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0,
                              "count '%s' is not a finite non-negative number", rd.fields[cn]);
            break;
        }
        if (m->line[cell]) {
            rc = sv_error_set(err, SV_EDATA, path, line, 0,
                              "code '%s' of '%s' is repeated (first on line %ld)", rd.fields[cc],
                              m->name, m->line[cell]);
            break;
        }
        m->line[cell] = line;
        m->total[cell] = count;
        m->sum += count;
    }
    if (rc < 0)
        goto out;
    rc = 0;
    if (ms->n == 0) {
        rc = sv_error_set(err, SV_EDATA, path, rd.record_line, 0, "no margins in the file");
        goto out;
    }
    for (size_t k = 1; k < ms->n; k++) {
        double a = ms->m[0].sum, b = ms->m[k].sum;
        if (fabs(a - b) > 1e-9 * (a > b ? a : b)) {
            rc = sv_error_set(err, SV_EDATA, path, ms->m[k].first_line, 0,
                              "margin '%s' counts %.15g in all but margin '%s' (line %ld) "
                              "counts %.15g: the margins must count the same population",
                              ms->m[k].name, b, ms->m[0].name, ms->m[0].first_line, a);
            goto out;
        }
    }
out:
    sv_csv_reader_release(&rd);
    fclose(fp);
    if (rc)
        analyse_margins_release(ms);
    return rc;
}

int analyse_margins_want(struct analyse_data *d, const struct analyse_margins *ms,
                         struct sv_error *err)
{
    for (size_t k = 0; k < ms->n; k++)
        for (size_t j = 0; j < ms->m[k].nvars; j++) {
            int rc = analyse_data_want(d, ms->m[k].vars[j]->name, ANALYSE_COL_CODE, err);
            if (rc)
                return rc;
        }
    return 0;
}

/* The name of cell c of margin m ("t1" or "t1;pub") into b. */
static void cell_name(struct sv_buf *b, const struct analyse_margin_def *m, size_t c)
{
    size_t idx[ANALYSE_MARGIN_MAXVARS];
    for (size_t k = m->nvars; k-- > 0;) {
        idx[k] = c % m->vars[k]->ncodes;
        c /= m->vars[k]->ncodes;
    }
    for (size_t k = 0; k < m->nvars; k++)
        sv_buf_addf(b, "%s%s", k ? ";" : "", m->vars[k]->codes[idx[k]].code);
}

/* The R call a method equals, for the metadata and the README. */
static void r_call(struct sv_buf *b, const struct analyse_margins *ms,
                   const struct analyse_calib_opts *o)
{
    struct sv_buf f = SV_BUF_INIT;
    for (size_t k = 0; k < ms->n; k++) {
        sv_buf_addf(&f, "%s~", k ? ", " : "");
        for (size_t j = 0; j < ms->m[k].nvars; j++)
            sv_buf_addf(&f, "%s%s", j ? "+" : "", ms->m[k].vars[j]->name);
    }
    const char *fs = f.data ? f.data : "";
    switch (o->method) {
    case ANALYSE_CALIB_RAKE:
        sv_buf_addf(b, "rake(design, list(%s), <margins>, control = list(maxit = 200, "
                       "epsilon = 1e-12))", fs);
        break;
    case ANALYSE_CALIB_POST:
        sv_buf_addf(b, "postStratify(design, %s, <margin>)", fs);
        break;
    case ANALYSE_CALIB_LINEAR:
    case ANALYSE_CALIB_RAKING:
        sv_buf_addf(b, "calibrate(design, list(%s), <margins>, calfun = \"%s\"", fs,
                    o->method == ANALYSE_CALIB_LINEAR ? "linear" : "raking");
        if (!isinf(o->lower) || !isinf(o->upper))
            sv_buf_addf(b, ", bounds = c(%.15g, %.15g)", o->lower, o->upper);
        sv_buf_addf(b, ", epsilon = 1e-12)");
        break;
    }
    sv_buf_release(&f);
}

int analyse_calibrate(struct analyse_setup *setup, const struct analyse_data *d,
                      const struct analyse_margins *ms, const struct analyse_calib_opts *o,
                      struct sv_error *err)
{
    size_t n = d->nrows, M = ms->n;
    if (o->method == ANALYSE_CALIB_POST && M != 1)
        return sv_error_set(err, SV_EUSAGE, ms->path, 0, 0,
                            "--calibrate post takes one margin (a variable or a crossing "
                            "'a;b'), the file has %zu", M);
    if (n == 0)
        return sv_error_set(err, SV_EDATA, d->source, 0, 0, "no responses to calibrate");
    size_t **cells = calloc(M, sizeof *cells);
    long **resp = calloc(M, sizeof *resp);
    long double **ach = calloc(M, sizeof *ach);
    struct analyse_margin *am = calloc(M, sizeof *am);
    double *w0 = calloc(n, sizeof *w0);
    struct sv_buf b = SV_BUF_INIT, notes = SV_BUF_INIT, js = SV_BUF_INIT;
    int rc = 0;
    if (!cells || !resp || !ach || !am || !w0) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    long double wsum0 = 0;
    for (size_t i = 0; i < n; i++) {
        w0[i] = analyse_design_weight(setup->design, i);
        wsum0 += w0[i];
    }
    /* each row's cell in each margin, and what the data can meet */
    for (size_t k = 0; k < M && rc == 0; k++) {
        const struct analyse_margin_def *m = &ms->m[k];
        cells[k] = calloc(n, sizeof **cells);
        resp[k] = calloc(m->ncells, sizeof **resp);
        ach[k] = calloc(m->ncells, sizeof **ach);
        if (!cells[k] || !resp[k] || !ach[k]) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        const struct analyse_column *col[ANALYSE_MARGIN_MAXVARS];
        for (size_t j = 0; j < m->nvars; j++)
            col[j] = analyse_data_col(d, m->vars[j]->name);
        for (size_t i = 0; i < n && rc == 0; i++) {
            size_t key = 0;
            for (size_t j = 0; j < m->nvars; j++) {
                size_t c = col[j] ? col[j]->code[i] : ANALYSE_NO_GROUP;
                if (c == ANALYSE_NO_GROUP) {
                    rc = sv_error_set(err, SV_EDATA, d->source, 0, 0,
                                      "record '%s': '%s' is missing, so it cannot be "
                                      "calibrated to the margins of %s",
                                      analyse_data_id(d, i), m->vars[j]->name, ms->path);
                    break;
                }
                key = key * m->vars[j]->ncodes + c;
            }
            cells[k][i] = key;
            if (rc == 0)
                resp[k][key]++;
        }
        for (size_t c = 0; c < m->ncells && rc == 0; c++) {
            struct sv_buf cn = SV_BUF_INIT;
            cell_name(&cn, m, c);
            if (m->total[c] > 0 && resp[k][c] == 0)
                rc = sv_error_set(err, SV_EDATA, ms->path, m->line[c], 0,
                                  "code '%s' of '%s' counts %.15g but has no respondent: it "
                                  "cannot be met (merge it with another code)", cn.data,
                                  m->name, m->total[c]);
            else if (resp[k][c] > 0 && !(m->total[c] > 0))
                rc = sv_error_set(err, SV_EDATA, ms->path, m->line[c], 0,
                                  "code '%s' of '%s' has %ld respondent%s but %s", cn.data,
                                  m->name, resp[k][c], resp[k][c] > 1 ? "s" : "",
                                  m->line[c] ? "a count of 0" : "no count in the file");
            sv_buf_release(&cn);
        }
        am[k].cell = cells[k];
        am[k].ncells = m->ncells;
        am[k].total = m->total;
    }
    if (rc)
        goto out;
    struct analyse_rake_report rep;
    memset(&rep, 0, sizeof rep);
    switch (o->method) {
    case ANALYSE_CALIB_POST:
        rc = analyse_design_poststratify(setup->design, &am[0], err);
        rep.iterations = 1;
        rep.converged = true;
        break;
    case ANALYSE_CALIB_RAKE:
        rc = analyse_design_rake(setup->design, am, M, 1e-12, 200, &rep, err);
        if (rc == 0 && !rep.converged)
            rc = sv_error_set(err, SV_EDATA, ms->path, 0, 0,
                              "raking did not converge in %d sweeps (largest relative misfit "
                              "%.3g): the margins cannot be met together", rep.iterations,
                              rep.max_change);
        break;
    case ANALYSE_CALIB_LINEAR:
    case ANALYSE_CALIB_RAKING: {
        struct analyse_calib_spec spec = {o->method == ANALYSE_CALIB_LINEAR
                                              ? ANALYSE_CALFUN_LINEAR
                                              : ANALYSE_CALFUN_RAKING,
                                          o->lower, o->upper, 50, 1e-12};
        rc = analyse_design_calibrate(setup->design, am, M, &spec, &rep, err);
        break;
    }
    }
    if (rc && err && !err->source[0]) {
        /* the engine's message, with the margins file named */
        char text[SV_ERROR_TEXT_MAX];
        snprintf(text, sizeof text, "%s", err->text);
        sv_error_set(err, rc, ms->path, 0, 0, "%s", text);
    }
    if (rc)
        goto out;
    /* what was done: the weights, their ratios, the margins achieved */
    double gmin = INFINITY, gmax = -INFINITY, wmin = INFINITY, wmax = -INFINITY;
    long double wsum = 0;
    for (size_t i = 0; i < n; i++) {
        double w = analyse_design_weight(setup->design, i), g = w / w0[i];
        wsum += w;
        if (g < gmin)
            gmin = g;
        if (g > gmax)
            gmax = g;
        if (w < wmin)
            wmin = w;
        if (w > wmax)
            wmax = w;
        for (size_t k = 0; k < M; k++)
            ach[k][cells[k][i]] += w;
    }
    double worst = 0;
    for (size_t k = 0; k < M; k++)
        for (size_t c = 0; c < ms->m[k].ncells; c++)
            if (ms->m[k].total[c] > 0) {
                double e = fabs((double)ach[k][c] - ms->m[k].total[c]) / ms->m[k].total[c];
                if (e > worst)
                    worst = e;
            }
    double mtot = ms->m[0].sum, before = (double)wsum0;
    double frame_total = 0;
    for (size_t r = 0; r < d->survey->frame.nrows; r++)
        frame_total += d->survey->frame.rows[r].count;
    bool differs = fabs(mtot - before) > 1e-9 * (mtot > before ? mtot : before);
    const char *how = o->method == ANALYSE_CALIB_POST   ? "post-stratified"
                      : o->method == ANALYSE_CALIB_RAKE ? "raked (iterative proportional fitting)"
                      : o->method == ANALYSE_CALIB_LINEAR ? "calibrated (linear, GREG)"
                                                          : "calibrated (raking function)";
    sv_buf_addf(&b, "%s; %s to the margins ", setup->design_text, how);
    for (size_t k = 0; k < M; k++)
        sv_buf_addf(&b, "%s%s", k ? ", " : "", ms->m[k].name);
    sv_buf_addf(&b, " of %s", ms->path);
    if (!isinf(o->lower) || !isinf(o->upper))
        sv_buf_addf(&b, ", ratios bounded to [%g, %g]", o->lower, o->upper);
    if (o->method == ANALYSE_CALIB_RAKE)
        sv_buf_addf(&b, ": converged after %d sweeps", rep.iterations);
    else if (o->method != ANALYSE_CALIB_POST)
        sv_buf_addf(&b, ": converged after %d step%s", rep.iterations,
                    rep.iterations > 1 ? "s" : "");
    sv_buf_addf(&b, ", weights %.4g to %.4g (ratios %.4g to %.4g)", wmin, wmax, gmin, gmax);
    snprintf(setup->design_text, sizeof setup->design_text, "%s", b.data);
    if (differs)
        sv_buf_addf(&notes, "the margins of %s count %.15g units, the weights before "
                            "calibration %.15g (%+.2f %%): estimated totals refer to the "
                            "margins' population; strata and fpc stay the frame's\n",
                    ms->path, mtot, before, 100 * (mtot - before) / before);
    /* the metadata object */
    sv_buf_addf(&js, "{\"method\": ");
    sv_json_add_string(&js, analyse_calibration_name(o->method));
    struct sv_buf rc_ = SV_BUF_INIT;
    r_call(&rc_, ms, o);
    sv_buf_addf(&js, ", \"r_call\": ");
    sv_json_add_string(&js, rc_.data);
    sv_buf_release(&rc_);
    sv_buf_addf(&js, ", \"margins_file\": ");
    sv_json_add_string(&js, ms->path);
    sv_buf_addf(&js, ", \"bounds\": ");
    if (!isinf(o->lower) || !isinf(o->upper)) {
        sv_buf_addf(&js, "[");
        sv_json_add_number(&js, o->lower);
        sv_buf_addf(&js, ", ");
        sv_json_add_number(&js, o->upper);
        sv_buf_addf(&js, "]");
    } else {
        sv_buf_addf(&js, "null");
    }
    sv_buf_addf(&js, ", \"converged\": %s, \"iterations\": %d, \"max_relative_misfit\": ",
                rep.converged ? "true" : "false", rep.iterations);
    sv_json_add_number(&js, worst);
    sv_buf_addf(&js, ", \"margins_total\": ");
    sv_json_add_number(&js, mtot);
    sv_buf_addf(&js, ", \"weights_total_before\": ");
    sv_json_add_number(&js, before);
    sv_buf_addf(&js, ", \"frame_total\": ");
    sv_json_add_number(&js, d->survey->frame.nrows ? frame_total : NAN);
    sv_buf_addf(&js, ", \"population_differs\": %s", differs ? "true" : "false");
    sv_buf_addf(&js, ", \"weight_min\": ");
    sv_json_add_number(&js, wmin);
    sv_buf_addf(&js, ", \"weight_max\": ");
    sv_json_add_number(&js, wmax);
    sv_buf_addf(&js, ", \"ratio_min\": ");
    sv_json_add_number(&js, gmin);
    sv_buf_addf(&js, ", \"ratio_max\": ");
    sv_json_add_number(&js, gmax);
    sv_buf_addf(&js, ", \"margins\": [");
    bool firstm = true;
    for (size_t k = 0; k < M; k++)
        for (size_t c = 0; c < ms->m[k].ncells; c++) {
            if (!(ms->m[k].total[c] > 0) && resp[k][c] == 0 && !ms->m[k].line[c])
                continue;
            struct sv_buf cn = SV_BUF_INIT;
            cell_name(&cn, &ms->m[k], c);
            sv_buf_addf(&js, "%s{\"variable\": ", firstm ? "" : ", ");
            sv_json_add_string(&js, ms->m[k].name);
            sv_buf_addf(&js, ", \"code\": ");
            sv_json_add_string(&js, cn.data);
            sv_buf_addf(&js, ", \"target\": ");
            sv_json_add_number(&js, ms->m[k].total[c]);
            sv_buf_addf(&js, ", \"achieved\": ");
            sv_json_add_number(&js, (double)ach[k][c]);
            sv_buf_addf(&js, ", \"respondents\": %ld}", resp[k][c]);
            sv_buf_release(&cn);
            firstm = false;
        }
    sv_buf_addf(&js, "]}");
    if (!js.data || !b.data) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    free(setup->calib_json);
    setup->calib_json = sv_buf_detach(&js, NULL);
    setup->calibrated = true;
    if (notes.data) {
        struct sv_buf all = SV_BUF_INIT;
        sv_buf_addf(&all, "%s%s", setup->notes ? setup->notes : "", notes.data);
        free(setup->notes);
        setup->notes = sv_buf_detach(&all, NULL);
    }
out:
    for (size_t k = 0; k < M; k++) {
        if (cells)
            free(cells[k]);
        if (resp)
            free(resp[k]);
        if (ach)
            free(ach[k]);
    }
    free(cells);
    free(resp);
    free(ach);
    free(am);
    free(w0);
    sv_buf_release(&b);
    sv_buf_release(&notes);
    sv_buf_release(&js);
    return rc;
}
