/*
 * plot_script_keyfigures: the 'chiffres clés' panel federations publish each
 * year: four to eight headline numbers (a share, a total with its interval,
 * a gap), each in a tile with its label and a detail line (interval, n).
 * The cells are the whole-population rows of the indicators named by
 * --indicator (several tables may be given: their rows are gathered).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sv_numfmt.h"

#define KEYFIG_MAX 8

int plot_keyfigures_select(struct plot_matrix *m, const struct sv_itable *t,
                           const struct plot_opts *o, const char *source, struct sv_error *err)
{
    memset(m, 0, sizeof *m);
    if (o->indicator == NULL || o->indicator[0] == '\0')
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'keyfigures' needs --indicator A,B,C,D (up to %d)", KEYFIG_MAX);
    if (o->groups != NULL && strchr(o->groups, ',') != NULL)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'keyfigures' takes one group in --groups (the figures of one region, "
                            "say), not a list");
    char *list = sv_strdup(o->indicator);
    if (list == NULL)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    const struct sv_irow *rows[KEYFIG_MAX];
    size_t n = 0;
    int rc = 0;
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok != NULL && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
        if (n == KEYFIG_MAX) {
            rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                              "'keyfigures' shows at most %d figures", KEYFIG_MAX);
            break;
        }
        const struct sv_irow *found = NULL;
        bool any = false;
        for (size_t i = 0; i < t->nrows && found == NULL; i++) {
            const struct sv_irow *r = &t->rows[i];
            if (strcmp(r->indicator, tok) != 0)
                continue;
            any = true;
            if (o->groups == NULL ? r->by[0] == '\0'
                                  : r->by[0] != '\0' && strcmp(r->group, o->groups) == 0)
                found = r;
        }
        if (!any)
            rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0, "unknown indicator '%s'", tok);
        else if (found == NULL && o->groups == NULL)
            rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                              "indicator '%s' has no whole-population row (key figures show "
                              "the overall value; --groups CODE picks one group)",
                              tok);
        else if (found == NULL)
            rc = sv_error_set(err, SV_ENOTFOUND, source, 0, 0,
                              "indicator '%s' has no row for the group '%s'", tok, o->groups);
        else
            rows[n++] = found;
    }
    free(list);
    if (rc != 0)
        return rc;
    m->ncat = n;
    m->nser = 1;
    m->cat_code = calloc(n, sizeof *m->cat_code);
    m->cat_label = calloc(n, sizeof *m->cat_label);
    m->ser_code = calloc(1, sizeof *m->ser_code);
    m->ser_label = calloc(1, sizeof *m->ser_label);
    m->cells = calloc(n, sizeof *m->cells);
    if (m->cat_code == NULL || m->cat_label == NULL || m->ser_code == NULL ||
        m->ser_label == NULL || m->cells == NULL) {
        plot_matrix_release(m);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    m->ser_code[0] = sv_strdup("");
    m->ser_label[0] = sv_strdup("");
    for (size_t i = 0; i < n; i++) {
        m->cat_code[i] = sv_strdup(rows[i]->indicator);
        m->cat_label[i] = sv_strdup(rows[i]->label[0] ? rows[i]->label : rows[i]->indicator);
        plot_cell_fill(&m->cells[i], rows[i]);
        if (m->cat_code[i] == NULL || m->cat_label[i] == NULL) {
            m->ncat = i + 1;
            plot_matrix_release(m);
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        if (m->cells[i].present && !m->cells[i].suppressed &&
            fabs(m->cells[i].est) > PLOT_VALUE_MAX) {
            plot_matrix_release(m);
            return sv_error_set(err, SV_EDATA, source, 0, 0,
                                "indicator '%s': value too large to show", rows[i]->indicator);
        }
    }
    if (m->ser_code[0] == NULL || m->ser_label[0] == NULL) {
        plot_matrix_release(m);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    m->unit = rows[0]->unit;
    m->label = rows[0]->label;
    m->by = "";
    return 0;
}

/* "Intervalle de confiance à 95 % : 75 % à 83 % · n = 412" */
static void detail_line(const struct plot_fig *fig, const struct plot_cell *c, double level,
                        int dec, char *out, size_t size)
{
    char lo[64], hi[64], pct[32], n[48];
    out[0] = '\0';
    bool en = fig->lang == SV_LANG_EN;
    size_t used = 0;
    if (isfinite(c->lo) && isfinite(c->hi)) {
        plot_fmt_value(lo, sizeof lo, c->lo, c->unit, dec, fig->lang);
        plot_fmt_value(hi, sizeof hi, c->hi, c->unit, dec, fig->lang);
        sv_fmt_percent(pct, sizeof pct, level, 0, fig->lang);
        snprintf(out, size, en ? "%s CI: %s to %s" : "IC à %s : %s à %s", pct, lo, hi);
        used = strlen(out);
    }
    if (c->n > 0 && used + 1 < size) {
        sv_fmt_number(n, sizeof n, (double)c->n, 0, fig->lang);
        snprintf(out + used, size - used, "%sn = %s", used ? " \xc2\xb7 " : "", n);
    }
}

int plot_script_keyfigures(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    (void)err;
    size_t cols = fig->opts->size == PLOT_SIZE_COLUMN ? 2 : m->ncat <= 4 ? m->ncat : 4;
    if (m->ncat > 4 && m->ncat <= 6 && fig->opts->size != PLOT_SIZE_COLUMN)
        cols = 3;
    if (cols == 0)
        cols = 1;
    size_t nrows = (m->ncat + cols - 1) / cols;
    double gap = st->font * 1.0;
    double cw = st->width - 2 * st->pad;
    double tw = (cw - gap * (double)(cols - 1)) / (double)cols;
    double inner = st->font * 0.8;
    double big = st->headline * (fig->opts->size == PLOT_SIZE_COLUMN ? 1.5 : 1.9);
    double lh = st->font * 1.25;
    /* every tile as tall as the tallest label needs */
    int most = 1;
    for (size_t i = 0; i < m->ncat; i++) {
        struct sv_buf clean = SV_BUF_INIT;
        char **lines = NULL;
        int k = plot_quote_clean(&clean, m->cat_label[i]) == 0
                    ? plot_text_wrap(&lines, clean.data, tw - 2 * inner, st->font, false, 4)
                    : 0;
        sv_buf_release(&clean);
        if (k > most)
            most = k;
        if (k > 0)
            plot_text_lines_free(lines, (size_t)k);
    }
    double th = inner + big * 1.25 + lh * most + st->small * 2.4 + inner;
    int rc = plot_frame_begin(fig, sc, th * (double)nrows + gap * (double)(nrows - 1));
    if (rc != 0)
        return rc;
    double level = NAN;
    for (size_t i = 0; i < fig->table->nrows && !isfinite(level); i++)
        level = fig->table->rows[i].ci_level;
    if (!isfinite(level) || level <= 0 || level >= 1)
        level = 0.95;
    uint32_t accent = plot_palette(0);
    for (size_t i = 0; i < m->ncat && rc == 0; i++) {
        const struct plot_cell *c = &m->cells[i];
        double x = fig->cx0 + (tw + gap) * (double)(i % cols);
        double y = fig->cy0 + (th + gap) * (double)(i / cols);
        rc = plot_scene_rect(sc, x, y, x + tw, y + th, 0xf0f4f8U, 0);
        if (rc == 0)
            rc = plot_scene_rect(sc, x, y, x + tw, y + st->line * 3, accent, 0);
        char value[96];
        bool shown = c->present && !c->suppressed;
        /* a small share gets a decimal: 4,1 % and 3,6 % must not both read 4 % */
        bool frac = c->unit && (!strcmp(c->unit, "share") || !strcmp(c->unit, "rate"));
        int dec = frac && fabs(c->est) < 0.2 ? 1 : 0;
        if (shown) {
            plot_fmt_value(value, sizeof value, c->est, c->unit, dec, fig->lang);
            if (plot_cell_caution(c)) {
                fig->caution_marks++;
                size_t vl = strlen(value);
                if (vl + 1 < sizeof value) {
                    value[vl] = '*';
                    value[vl + 1] = '\0';
                }
            }
        } else {
            snprintf(value, sizeof value, "%s", plot_suppressed_word(fig->lang, c->reason));
        }
        double vy = y + inner + big * 0.65;
        if (rc == 0)
            rc = plot_scene_text(sc, x + inner, vy, value, shown ? big : st->font, true,
                                 PLOT_LEFT, shown ? accent : PLOT_C_MUTED);
        struct sv_buf clean = SV_BUF_INIT;
        char **lines = NULL;
        int k = rc == 0 ? plot_quote_clean(&clean, m->cat_label[i]) : rc;
        if (k == 0)
            k = plot_text_wrap(&lines, clean.data, tw - 2 * inner, st->font, false, 4);
        sv_buf_release(&clean);
        if (k < 0)
            return k;
        double ly = y + inner + big * 1.25;
        for (int j = 0; j < k && rc == 0; j++)
            rc = plot_scene_text(sc, x + inner, ly + lh * (j + 0.5), lines[j], st->font, false,
                                 PLOT_LEFT, PLOT_C_TEXT);
        plot_text_lines_free(lines, (size_t)k);
        char detail[256];
        detail_line(fig, c, level, dec, detail, sizeof detail);
        if (rc == 0 && shown && detail[0])
            rc = plot_scene_text(sc, x + inner, y + th - inner - st->small * 0.6, detail,
                                 st->small, false, PLOT_LEFT, PLOT_C_MUTED);
    }
    return rc;
}
