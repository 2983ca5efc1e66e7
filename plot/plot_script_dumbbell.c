/*
 * plot_script_dumbbell: the gap between two series per category (e.g.
 * non-profit vs public pay by job, women vs men): a grey bar joins two dots,
 * each value written on its outer side; categories ranked by the gap.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sv_numfmt.h"

static const struct plot_matrix *gap_m;

static double gap_of(size_t c)
{
    const struct plot_cell *a = &gap_m->cells[c * 2], *b = &gap_m->cells[c * 2 + 1];
    if (!a->present || !b->present || a->suppressed || b->suppressed)
        return -INFINITY;
    return b->est - a->est;
}

static int by_gap(const void *pa, const void *pb)
{
    size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
    double gi = gap_of(i), gj = gap_of(j);
    if (gi != gj)
        return gi > gj ? -1 : 1;
    return i < j ? -1 : i > j ? 1 : 0;
}

/* "+173 €": the second series minus the first, with its sign. */
static void gap_text(const struct plot_fig *fig, double gap, char *out, size_t size)
{
    char num[64];
    bool frac = fig->m.unit && (strcmp(fig->m.unit, "share") == 0 ||
                                strcmp(fig->m.unit, "rate") == 0);
    if (frac) /* a gap between shares is in points, not per cent */
        sv_fmt_number(num, sizeof num, fabs(gap) * 100, 0, fig->lang);
    else
        plot_fmt_value(num, sizeof num, fabs(gap), fig->m.unit, fig->decimals, fig->lang);
    snprintf(out, size, "%s%s%s", gap > 0 ? "+" : gap < 0 ? "\xe2\x88\x92" : "", num,
             frac ? (fig->lang == SV_LANG_EN ? " pts" : "\xc2\xa0pts") : "");
}

int plot_script_dumbbell(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    int rc = 0;
    if (m->nser != 2)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'dumbbell' needs exactly 2 series, the selection has %zu", m->nser);
    rc = plot_legend_add(fig, m->ser_label[0], plot_palette(1), 0);
    if (rc == 0)
        rc = plot_legend_add(fig, m->ser_label[1], plot_palette(0), 0);
    double lo = INFINITY, hi = -INFINITY, maxlab = 0;
    for (size_t i = 0; i < m->ncat * 2; i++) {
        const struct plot_cell *cell = &m->cells[i];
        if (!cell->present || cell->suppressed)
            continue;
        lo = fmin(lo, cell->est);
        hi = fmax(hi, cell->est);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, cell->est, m->unit, fig->decimals, fig->lang);
        if (plot_cell_caution(cell))
            plot_star(buf, sizeof buf);
        maxlab = fmax(maxlab, plot_text_width(buf, st->small, false));
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    plot_refs_range(fig, &lo, &hi);
    double pad = (hi - lo) * 0.08 + (hi == lo ? fabs(hi) * 0.1 + 1e-9 : 0);
    double ticks[12];
    size_t nt = plot_nice_ticks(lo - pad, hi + pad, 4, ticks);
    double v0 = ticks[0], v1 = ticks[nt - 1];
    double axis_h = st->small * 2.0;
    double labw = plot_label_column(fig, m->cat_label, m->ncat);
    double x0 = st->pad + labw + st->font * 0.8 + maxlab;
    /* the gap of each row, signed, in a column at the right (what the chart is about) */
    double gapw = 0;
    for (size_t c = 0; c < m->ncat; c++) {
        const struct plot_cell *a = plot_matrix_cell(m, c, 0), *b = plot_matrix_cell(m, c, 1);
        if (!(a->present && !a->suppressed && b->present && !b->suppressed))
            continue;
        char buf[80];
        gap_text(fig, b->est - a->est, buf, sizeof buf);
        gapw = fmax(gapw, plot_text_width(buf, st->small, true));
    }
    if (gapw > 0)
        gapw += st->font * 1.2;
    double x1 = st->width - st->pad - maxlab - st->font * 0.8 - gapw;
    struct plot_top top;
    plot_top_collect(fig, &top, false, NULL);
    plot_top_place(fig, &top, x0 - v0 * (x1 - x0) / (v1 - v0), (x1 - x0) / (v1 - v0), st->pad,
                   x1 + maxlab + st->font * 0.8);
    double top_h = top.nlanes ? plot_top_height(fig, &top) : st->font * 0.3;
    if (rc == 0)
        rc = plot_frame_begin(fig, sc,
                              m->ncat * plot_row_height(fig, m->cat_label, m->ncat) + axis_h +
                                  top_h);
    if (rc != 0)
        return rc;
    double row = (fig->cy1 - fig->cy0 - axis_h - top_h) / (double)(m->ncat ? m->ncat : 1);
    double ytop = fig->cy0 + top_h, ybot = ytop + row * m->ncat;
#define XV(v) (x0 + ((v)-v0) / (v1 - v0) * (x1 - x0))
    rc = plot_draw_value_axis(fig, sc, v0, v1, x0, x1, ytop - st->font * 0.3, ybot, ticks, nt);
    if (rc == 0)
        rc = plot_top_draw(fig, sc, &top, ytop, ybot, true);
    size_t *order = malloc((m->ncat ? m->ncat : 1) * sizeof *order);
    if (order == NULL)
        return SV_ENOMEM;
    for (size_t i = 0; i < m->ncat; i++)
        order[i] = i;
    gap_m = m;
    qsort(order, m->ncat, sizeof *order, by_gap);
    gap_m = NULL;
    double r = fmin(row, st->row) * 0.22;
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        size_t c = order[k];
        double y = ytop + row * (k + 0.5);
        const struct plot_cell *a = plot_matrix_cell(m, c, 0), *b = plot_matrix_cell(m, c, 1);
        rc = plot_draw_cat_label(fig, sc, fig->cx0 + labw, y, labw, m->cat_label[c]);
        if (rc != 0)
            break;
        bool oka = a->present && !a->suppressed, okb = b->present && !b->suppressed;
        if (!oka && !okb) {
            rc = plot_draw_suppressed(fig, sc, x0, y, r * 2, a->present ? a->reason : NULL);
            continue;
        }
        if (oka && okb)
            rc = plot_scene_seg(sc, XV(a->est), y, XV(b->est), y, 0xbdbdbd, r * 0.9, false);
        const struct plot_cell *cells[2] = {a, b};
        uint32_t cols[2] = {plot_palette(1), plot_palette(0)};
        for (int s = 0; s < 2 && rc == 0; s++) {
            const struct plot_cell *cell = cells[s];
            if (!(cell->present && !cell->suppressed))
                continue;
            const struct plot_cell *other = cells[1 - s];
            bool other_ok = other->present && !other->suppressed;
            bool left =
                other_ok ? cell->est < other->est || (cell->est == other->est && s == 0) : false;
            rc = plot_scene_dot(sc, XV(cell->est), y, r, cols[s]);
            char buf[64];
            plot_value_text(fig, cell, buf, sizeof buf);
            if (rc == 0)
                rc = plot_scene_text(sc, XV(cell->est) + (left ? -1 : 1) * (r + st->small * 0.4), y,
                                     buf, st->small, false, left ? PLOT_RIGHT : PLOT_LEFT,
                                     PLOT_C_TEXT);
        }
        if (rc == 0 && oka && okb) {
            char buf[80];
            gap_text(fig, b->est - a->est, buf, sizeof buf);
            rc = plot_scene_text(sc, fig->cx1, y, buf, st->small, true, PLOT_RIGHT, PLOT_C_TEXT);
        }
        if (rc == 0 && oka != okb)
            rc = plot_scene_text(sc, x1, y, plot_suppressed_word(fig->lang, NULL), st->small, false,
                                 PLOT_RIGHT, PLOT_C_MUTED);
    }
#undef XV
    free(order);
    return rc;
}
