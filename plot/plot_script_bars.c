/*
 * plot_script_bars: horizontal bars ranked by value with interval whiskers,
 * the default chart for shares and rates. A dashed line marks the
 * whole-population value when the table has it; suppressed cells get a
 * hatched mark and the words "secret statistique", never a zero bar.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

static const struct plot_matrix *sort_m;

static int by_value_desc(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const struct plot_cell *ci = &sort_m->cells[i * sort_m->nser];
    const struct plot_cell *cj = &sort_m->cells[j * sort_m->nser];
    bool oki = ci->present && !ci->suppressed, okj = cj->present && !cj->suppressed;
    if (oki != okj)
        return oki ? -1 : 1;
    if (oki && ci->est != cj->est)
        return ci->est > cj->est ? -1 : 1;
    return i < j ? -1 : i > j ? 1 : 0; /* stable: table order */
}

size_t *plot_rank_categories(const struct plot_matrix *m)
{
    size_t *order = malloc((m->ncat ? m->ncat : 1) * sizeof *order);
    if (order == NULL)
        return NULL;
    for (size_t i = 0; i < m->ncat; i++)
        order[i] = i;
    sort_m = m;
    qsort(order, m->ncat, sizeof *order, by_value_desc);
    sort_m = NULL;
    return order;
}

int plot_draw_suppressed(const struct plot_fig *fig, struct plot_scene *sc, double x, double y,
                         double h, const char *reason)
{
    double w = h * 1.2;
    int rc = plot_scene_rect(sc, x, y - h / 2, x + w, y + h / 2, 0xededed, 0);
    if (rc == 0)
        rc = plot_scene_rect(sc, x, y - h / 2, x + w, y + h / 2, PLOT_C_SUPPRESSED, 4);
    if (rc == 0)
        rc = plot_scene_text(sc, x + w + fig->st.font * 0.4, y, plot_suppressed_word(fig->lang, reason),
                             fig->st.font * 0.95, false, PLOT_LEFT, PLOT_C_MUTED);
    return rc;
}

int plot_script_bars(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    int rc;
    if (m->nser != 1)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'bars' shows one series, the selection has %zu: use 'grouped'",
                            m->nser);
    double v0 = 0, v1 = 0;
    double maxlab = 0;
    for (size_t c = 0; c < m->ncat; c++) {
        const struct plot_cell *cell = plot_matrix_cell(m, c, 0);
        if (!cell->present || cell->suppressed)
            continue;
        double hi = isfinite(cell->hi) ? fmax(cell->hi, cell->est) : cell->est;
        double lo = isfinite(cell->lo) ? fmin(cell->lo, cell->est) : cell->est;
        v1 = fmax(v1, hi);
        v0 = fmin(v0, lo);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, cell->est, m->unit, fig->decimals, fig->lang);
        if (plot_cell_caution(cell))
            plot_star(buf, sizeof buf);
        maxlab = fmax(maxlab, plot_text_width(buf, st->font, true) + st->font * 0.5);
    }
    if (m->has_overall && !m->overall.suppressed)
        v1 = fmax(v1, m->overall.est);
    plot_refs_range(fig, &v0, &v1);
    double ticks[12];
    size_t nt = plot_nice_ticks(v0, v1 > v0 ? v1 : v0 + 1, 4, ticks);
    if (nt >= 2) {
        v0 = fmin(v0, ticks[0]);
        v1 = ticks[nt - 1];
    }
    /* the value axis is known before the frame: the labels above the chart take lanes */
    double labw = plot_label_column(fig, m->cat_label, m->ncat);
    double x0 = st->pad + labw + st->font * 0.5;
    double x1 = st->width - st->pad - maxlab - st->font * 0.8;
    struct plot_top top;
    plot_top_collect(fig, &top, true, NULL);
    plot_top_place(fig, &top, x0 - v0 * (x1 - x0) / (v1 - v0), (x1 - x0) / (v1 - v0), st->pad,
                   st->width - st->pad);
    double top_extra = plot_top_height(fig, &top);
    double axis_h = st->small * 2.0;
    double rowh = plot_row_height(fig, m->cat_label, m->ncat);
    rc = plot_frame_begin(fig, sc, top_extra + m->ncat * rowh + axis_h);
    if (rc != 0)
        return rc;
    double row = (fig->cy1 - fig->cy0 - top_extra - axis_h) / (double)(m->ncat ? m->ncat : 1);
    double ytop = fig->cy0 + top_extra, ybot = ytop + row * m->ncat;
#define XV(v) (x0 + ((v)-v0) / (v1 - v0) * (x1 - x0))
    rc = plot_draw_value_axis(fig, sc, v0, v1, x0, x1, ytop - st->font * 0.2, ybot, ticks, nt);
    /* the whole-population line first: bars and labels are drawn over it */
    if (rc == 0)
        rc = plot_top_draw(fig, sc, &top, ytop, ybot, false);
    size_t *order = plot_rank_categories(m);
    if (order == NULL)
        return SV_ENOMEM;
    double bar = fmin(row * 0.64, st->row * 0.64);
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        size_t c = order[k];
        const struct plot_cell *cell = plot_matrix_cell(m, c, 0);
        double y = ytop + row * (k + 0.5);
        rc = plot_draw_cat_label(fig, sc, x0 - st->font * 0.5, y, labw, m->cat_label[c]);
        if (rc != 0)
            break;
        if (!cell->present || cell->suppressed) {
            rc = plot_draw_suppressed(fig, sc, XV(fmax(v0, 0)), y, bar,
                                      cell->present ? cell->reason : NULL);
            continue;
        }
        rc = plot_scene_rect(sc, XV(fmax(v0, 0)), y - bar / 2, XV(cell->est), y + bar / 2,
                             plot_palette(0), 0);
        bool whisk = isfinite(cell->lo) && isfinite(cell->hi);
        if (rc == 0 && whisk) {
            double cap = bar * 0.36;
            rc = plot_scene_seg(sc, XV(cell->lo), y, XV(cell->hi), y, PLOT_C_WHISKER,
                                st->line * 1.1, false);
            if (rc == 0)
                rc = plot_scene_seg(sc, XV(cell->lo), y - cap, XV(cell->lo), y + cap,
                                    PLOT_C_WHISKER, st->line * 1.1, false);
            if (rc == 0)
                rc = plot_scene_seg(sc, XV(cell->hi), y - cap, XV(cell->hi), y + cap,
                                    PLOT_C_WHISKER, st->line * 1.1, false);
        }
    }
    /* reference lines over the bars (a SMIC line hidden behind a bar is no line), values last */
    if (rc == 0)
        rc = plot_top_draw(fig, sc, &top, ytop, ybot, true);
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        const struct plot_cell *cell = plot_matrix_cell(m, order[k], 0);
        if (!cell->present || cell->suppressed)
            continue;
        bool whisk = isfinite(cell->lo) && isfinite(cell->hi);
        rc = plot_draw_bar_value(fig, sc, cell, XV(fmax(v0, 0)), XV(cell->est),
                                 whisk ? XV(cell->hi) : NAN, ytop + row * (k + 0.5), st->font,
                                 true, plot_palette(0));
    }
#undef XV
    free(order);
    return rc;
}
