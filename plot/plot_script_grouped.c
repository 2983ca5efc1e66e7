/*
 * plot_script_grouped: grouped horizontal bars, one colour per series
 * (Okabe-Ito), categories ranked by the first series, interval whiskers.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

int plot_script_grouped(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    int rc = 0;
    if (m->nser < 2)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'grouped' needs several series: give --series VAR or a list "
                            "--indicator A,B");
    if (m->nser > 8)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "too many series (%zu, 8 at most)",
                            m->nser);
    double v0 = 0, v1 = 0, maxlab = 0;
    for (size_t i = 0; i < m->ncat * m->nser; i++) {
        const struct plot_cell *cell = &m->cells[i];
        if (!cell->present || cell->suppressed)
            continue;
        v1 = fmax(v1, isfinite(cell->hi) ? fmax(cell->hi, cell->est) : cell->est);
        v0 = fmin(v0, isfinite(cell->lo) ? fmin(cell->lo, cell->est) : cell->est);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, cell->est, m->unit, fig->decimals, fig->lang);
        if (plot_cell_caution(cell))
            plot_star(buf, sizeof buf);
        maxlab = fmax(maxlab, plot_text_width(buf, st->small, false) + st->small * 0.6);
    }
    plot_refs_range(fig, &v0, &v1);
    for (size_t s = 0; s < m->nser && rc == 0; s++)
        rc = plot_legend_add(fig, m->ser_label[s], plot_palette(s), 0);
    double ticks[12];
    size_t nt = plot_nice_ticks(v0, v1 > v0 ? v1 : v0 + 1, 4, ticks);
    if (nt >= 2) {
        v0 = fmin(v0, ticks[0]);
        v1 = ticks[nt - 1];
    }
    double labw = plot_label_column(fig, m->cat_label, m->ncat);
    double x0 = st->pad + labw + st->font * 0.5;
    double x1 = st->width - st->pad - maxlab - st->font * 0.8;
    struct plot_top top;
    plot_top_collect(fig, &top, false, NULL);
    plot_top_place(fig, &top, x0 - v0 * (x1 - x0) / (v1 - v0), (x1 - x0) / (v1 - v0), st->pad,
                   st->width - st->pad);
    double top_extra = top.nlanes ? plot_top_height(fig, &top) : 0;
    double bar_h = fmax(st->small * 1.25, st->row * 0.42);
    double group_gap = st->row * 0.5;
    double label_h = plot_row_height(fig, m->cat_label, m->ncat) - st->font * 0.55;
    if (m->nser * bar_h < label_h)
        bar_h = label_h / (double)m->nser;
    double axis_h = st->small * 2.0;
    double needed = m->ncat * (m->nser * bar_h + group_gap) + axis_h;
    if (rc == 0)
        rc = plot_frame_begin(fig, sc, needed + top_extra);
    if (rc != 0)
        return rc;
    double scale = (fig->cy1 - fig->cy0 - top_extra) / needed;
    bar_h *= scale;
    group_gap *= scale;
    axis_h *= scale;
    double ytop = fig->cy0 + top_extra + group_gap * 0.3;
    double ybot = ytop + m->ncat * (m->nser * bar_h + group_gap) - group_gap * 0.3;
#define XV(v) (x0 + ((v)-v0) / (v1 - v0) * (x1 - x0))
    rc = plot_draw_value_axis(fig, sc, v0, v1, x0, x1, fig->cy0 + top_extra, ybot, ticks, nt);
    size_t *order = plot_rank_categories(m);
    if (order == NULL)
        return SV_ENOMEM;
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        size_t c = order[k];
        double gy = ytop + k * (m->nser * bar_h + group_gap);
        rc = plot_draw_cat_label(fig, sc, x0 - st->font * 0.5, gy + m->nser * bar_h / 2, labw,
                                 m->cat_label[c]);
        for (size_t s = 0; s < m->nser && rc == 0; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            double y = gy + bar_h * (s + 0.5), h = bar_h * 0.86;
            if (!cell->present) {
                /* no row for this cell: said so, not left blank (the note explains n.d.) */
                rc = plot_scene_text(sc, XV(fmax(v0, 0)) + st->font * 0.3, y,
                                     fig->lang == SV_LANG_EN ? "(n/a)" : "(n.d.)", st->small,
                                     false, PLOT_LEFT, PLOT_C_MUTED);
                continue;
            }
            if (cell->suppressed) {
                rc = plot_draw_suppressed(fig, sc, XV(fmax(v0, 0)), y, h, cell->reason);
                continue;
            }
            rc = plot_scene_rect(sc, XV(fmax(v0, 0)), y - h / 2, XV(cell->est), y + h / 2,
                                 plot_palette(s), 0);
            if (rc == 0 && isfinite(cell->lo) && isfinite(cell->hi)) {
                /* caps, as on bars: a bare line before a value reads as a minus sign */
                double cap = h * 0.3;
                rc = plot_scene_seg(sc, XV(cell->lo), y, XV(cell->hi), y, PLOT_C_WHISKER, st->line,
                                    false);
                if (rc == 0)
                    rc = plot_scene_seg(sc, XV(cell->lo), y - cap, XV(cell->lo), y + cap,
                                        PLOT_C_WHISKER, st->line, false);
                if (rc == 0)
                    rc = plot_scene_seg(sc, XV(cell->hi), y - cap, XV(cell->hi), y + cap,
                                        PLOT_C_WHISKER, st->line, false);
            }
        }
    }
    /* reference lines over the bars, then the values at the bar ends */
    if (rc == 0)
        rc = plot_top_draw(fig, sc, &top, fig->cy0 + top_extra, ybot, true);
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        size_t c = order[k];
        double gy = ytop + k * (m->nser * bar_h + group_gap);
        for (size_t s = 0; s < m->nser && rc == 0; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            if (!cell->present || cell->suppressed)
                continue;
            bool whisk = isfinite(cell->lo) && isfinite(cell->hi);
            rc = plot_draw_bar_value(fig, sc, cell, XV(fmax(v0, 0)), XV(cell->est),
                                     whisk ? XV(cell->hi) : NAN, gy + bar_h * (s + 0.5),
                                     st->small, false, plot_palette(s));
        }
    }
#undef XV
    free(order);
    return rc;
}
