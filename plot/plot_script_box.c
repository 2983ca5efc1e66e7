/*
 * plot_script_box: horizontal box plots from quantile rows: whiskers from
 * the 1st to the 9th decile, a box from the 1st to the 3rd quartile and a
 * median bar; categories ranked by median, the median written at the right.
 */
#include <math.h>
#include <stdlib.h>

#include "plot.h"

static const struct plot_matrix *med_m;

static int by_median(const void *pa, const void *pb)
{
    size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
    const struct plot_cell *a = &med_m->cells[i * 5 + 2], *b = &med_m->cells[j * 5 + 2];
    double ma = a->present && !a->suppressed ? a->est : -INFINITY;
    double mb = b->present && !b->suppressed ? b->est : -INFINITY;
    if (ma != mb)
        return ma > mb ? -1 : 1;
    return i < j ? -1 : i > j ? 1 : 0;
}

int plot_script_box(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    int rc = 0;
    if (m->nser != 5)
        return sv_error_set(err, SV_EDATA, NULL, 0, 0, "box plot needs 5 quantiles per group");
    double lo = INFINITY, hi = -INFINITY, maxlab = 0;
    bool *ok = calloc(m->ncat ? m->ncat : 1, sizeof *ok);
    if (ok == NULL)
        return SV_ENOMEM;
    for (size_t c = 0; c < m->ncat; c++) {
        ok[c] = true;
        for (size_t q = 0; q < 5; q++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, q);
            if (!cell->present || cell->suppressed)
                ok[c] = false;
        }
        if (!ok[c])
            continue;
        lo = fmin(lo, plot_matrix_cell(m, c, 0)->est);
        hi = fmax(hi, plot_matrix_cell(m, c, 4)->est);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, plot_matrix_cell(m, c, 2)->est, m->unit, fig->decimals,
                       fig->lang);
        if (plot_cell_caution(plot_matrix_cell(m, c, 2)))
            plot_star(buf, sizeof buf);
        maxlab = fmax(maxlab, plot_text_width(buf, st->small, true));
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    plot_refs_range(fig, &lo, &hi);
    double ticks[12];
    size_t nt = plot_nice_ticks(lo - (hi - lo) * 0.05, hi + (hi - lo) * 0.02, 4, ticks);
    double v0 = ticks[0], v1 = ticks[nt - 1];
    double axis_h = st->small * 2.0;
    double labw = plot_label_column(fig, m->cat_label, m->ncat);
    double x0 = st->pad + labw + st->font * 0.5;
    double x1 = st->width - st->pad - maxlab - st->font * 0.8;
    struct plot_top top;
    plot_top_collect(fig, &top, false, NULL);
    plot_top_place(fig, &top, x0 - v0 * (x1 - x0) / (v1 - v0), (x1 - x0) / (v1 - v0), st->pad,
                   st->width - st->pad);
    double top_h = top.nlanes ? plot_top_height(fig, &top) : st->font * 0.3;
    rc = plot_frame_begin(fig, sc,
                          m->ncat * plot_row_height(fig, m->cat_label, m->ncat) + axis_h + top_h);
    if (rc != 0) {
        free(ok);
        return rc;
    }
    double row = (fig->cy1 - fig->cy0 - axis_h - top_h) / (double)(m->ncat ? m->ncat : 1);
    double ytop = fig->cy0 + top_h, ybot = ytop + row * m->ncat;
#define XV(v) (x0 + ((v)-v0) / (v1 - v0) * (x1 - x0))
    rc = plot_draw_value_axis(fig, sc, v0, v1, x0, x1, ytop - st->font * 0.3, ybot, ticks, nt);
    size_t *order = malloc((m->ncat ? m->ncat : 1) * sizeof *order);
    if (order == NULL) {
        free(ok);
        return SV_ENOMEM;
    }
    for (size_t i = 0; i < m->ncat; i++)
        order[i] = i;
    med_m = m;
    qsort(order, m->ncat, sizeof *order, by_median);
    med_m = NULL;
    double h = fmin(row, st->row) * 0.6;
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        size_t c = order[k];
        double y = ytop + row * (k + 0.5);
        rc = plot_draw_cat_label(fig, sc, x0 - st->font * 0.5, y, labw, m->cat_label[c]);
        if (rc != 0)
            break;
        if (!ok[c]) {
            rc = plot_draw_suppressed(fig, sc, x0, y, h, NULL);
            continue;
        }
        double q[5];
        for (int i = 0; i < 5; i++)
            q[i] = plot_matrix_cell(m, c, (size_t)i)->est;
        rc = plot_scene_seg(sc, XV(q[0]), y, XV(q[4]), y, PLOT_C_WHISKER, st->line, false);
        if (rc == 0)
            rc = plot_scene_seg(sc, XV(q[0]), y - h * 0.25, XV(q[0]), y + h * 0.25, PLOT_C_WHISKER,
                                st->line, false);
        if (rc == 0)
            rc = plot_scene_seg(sc, XV(q[4]), y - h * 0.25, XV(q[4]), y + h * 0.25, PLOT_C_WHISKER,
                                st->line, false);
        if (rc == 0)
            rc = plot_scene_rect(sc, XV(q[1]), y - h / 2, XV(q[3]), y + h / 2, 0x56b4e9, 0);
        if (rc == 0)
            rc = plot_scene_seg(sc, XV(q[2]), y - h / 2, XV(q[2]), y + h / 2, PLOT_C_TEXT,
                                st->line * 2.2, false);
        char buf[64];
        plot_value_text(fig, plot_matrix_cell(m, c, 2), buf, sizeof buf);
        if (rc == 0)
            rc = plot_scene_text(sc, XV(q[4]) + st->font * 0.4, y, buf, st->small, true, PLOT_LEFT,
                                 PLOT_C_TEXT);
    }
    if (rc == 0)
        rc = plot_top_draw(fig, sc, &top, ytop, ybot, true);
#undef XV
    free(order);
    free(ok);
    return rc;
}
