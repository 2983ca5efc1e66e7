/*
 * plot_script_stacked: 100 % stacked horizontal bars (each category's
 * series sum to one), and diverging stacked bars for Likert items
 * (--diverging: the lower half of the levels to the left of zero, the
 * middle level split across it). A category with a suppressed part is drawn
 * hatched as a whole: partial bars would mislead.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

int plot_script_stacked(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    bool div = fig->opts->diverging;
    int rc = 0;
    if (m->nser < 2)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'stacked' needs several series: give --series VAR or a list "
                            "--indicator A,B");
    if (m->nser > 8)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "too many series (%zu, 8 at most)",
                            m->nser);
    size_t k = m->nser;
    for (size_t s = 0; s < k && rc == 0; s++)
        rc = plot_legend_add(fig, m->ser_label[s], div ? plot_palette_div(s, k) : plot_palette(s),
                             0);
    /* shares per category, normalised */
    double *share = calloc(m->ncat * k, sizeof *share);
    bool *bad = calloc(m->ncat ? m->ncat : 1, sizeof *bad);
    if (share == NULL || bad == NULL) {
        free(share);
        free(bad);
        return SV_ENOMEM;
    }
    /*
     * Parts of one whole: a negative part cannot be drawn, and shares adding
     * up to more than 100 % (answers that can be ticked together) would be
     * rescaled into a false picture. Counts are turned into shares.
     */
    bool fractions = m->unit && (strcmp(m->unit, "share") == 0 || strcmp(m->unit, "rate") == 0 ||
                                 strcmp(m->unit, "percent") == 0);
    double whole = m->unit && strcmp(m->unit, "percent") == 0 ? 100.0 : 1.0;
    for (size_t c = 0; c < m->ncat && rc == 0; c++) {
        double sum = 0;
        for (size_t s = 0; s < k && rc == 0; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            if (!cell->present || cell->suppressed)
                continue;
            if (cell->est < 0)
                rc = sv_error_set(err, SV_EDATA, fig->opts->table, 0, 0,
                                  "'stacked' shows parts of a whole: '%s' \xe2\x80\x93 '%s' is "
                                  "negative (%g); use 'grouped' or 'bars'",
                                  m->cat_label[c], m->ser_label[s], cell->est);
            sum += cell->est;
        }
        if (rc == 0 && fractions && sum > whole * 1.02)
            rc = sv_error_set(err, SV_EDATA, fig->opts->table, 0, 0,
                              "'stacked' shows parts of a whole: the shares of '%s' add up to "
                              "%.0f %%; answers that can be ticked together belong in 'grouped' "
                              "or 'bars'",
                              m->cat_label[c], sum / whole * 100.0);
    }
    if (rc != 0) {
        free(share);
        free(bad);
        return rc;
    }
    double left_max = 0, right_max = 0;
    for (size_t c = 0; c < m->ncat; c++) {
        double sum = 0;
        for (size_t s = 0; s < k; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            if (cell->present && cell->suppressed)
                bad[c] = true;
            else if (cell->present && cell->est > 0)
                sum += cell->est;
        }
        if (sum <= 0)
            bad[c] = true;
        if (bad[c])
            continue;
        double left = 0, right = 0;
        for (size_t s = 0; s < k; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            double v = cell->present && cell->est > 0 ? cell->est / sum : 0;
            share[c * k + s] = v;
            if (2 * s + 1 < k)
                left += v;
            else if (2 * s + 1 == k) {
                left += v / 2;
                right += v / 2;
            } else
                right += v;
        }
        left_max = fmax(left_max, left);
        right_max = fmax(right_max, right);
    }
    double v0 = 0, v1 = 1;
    double ticks[12];
    size_t nt;
    if (div) {
        double ext = fmax(left_max, right_max);
        nt = plot_nice_ticks(0, ext > 0 ? ext : 1, 3, ticks);
        double step = nt > 1 ? ticks[1] - ticks[0] : 0.5;
        ext = ticks[nt - 1];
        v0 = -ext;
        v1 = ext;
        /* The same ticks mirrored on both sides of zero, never beyond the axis. */
        size_t half = nt - 1;
        if (2 * half + 1 > sizeof(ticks) / sizeof(ticks[0]))
            half = (sizeof(ticks) / sizeof(ticks[0]) - 1) / 2;
        nt = 0;
        for (size_t i = half; i > 0; i--)
            ticks[nt++] = -(double)i * step;
        for (size_t i = 0; i <= half; i++)
            ticks[nt++] = (double)i * step;
    } else {
        nt = plot_nice_ticks(0, 1, 4, ticks);
    }
    /* reference lines are shares of the whole (0.5 = half), on the axis drawn */
    for (size_t i = 0; i < fig->opts->nrefs && rc == 0; i++) {
        double v;
        const char *label;
        if (plot_ref_parse(fig->opts->refs[i], &v, &label) == 0 && (v < v0 || v > v1))
            rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                              "--ref %g: 'stacked' shows shares of a whole, from %g to %g "
                              "(0.5 = 50 %%)",
                              v, v0, v1);
    }
    if (rc != 0)
        goto out;
    double labw = plot_label_column(fig, m->cat_label, m->ncat);
    double x0 = st->pad + labw + st->font * 0.5;
    double x1 = st->width - st->pad - st->font * 1.5;
    struct plot_top top;
    plot_top_collect(fig, &top, false, "share");
    plot_top_place(fig, &top, x0 - v0 * (x1 - x0) / (v1 - v0), (x1 - x0) / (v1 - v0), st->pad,
                   st->width - st->pad);
    double axis_h = st->small * 2.0;
    double top_h = top.nlanes ? plot_top_height(fig, &top) : st->font * 0.3;
    rc = plot_frame_begin(fig, sc,
                          m->ncat * plot_row_height(fig, m->cat_label, m->ncat) + axis_h + top_h);
    if (rc != 0)
        goto out;
    double row = (fig->cy1 - fig->cy0 - axis_h - top_h) / (double)(m->ncat ? m->ncat : 1);
    double ytop = fig->cy0 + top_h, ybot = ytop + row * m->ncat;
#define XV(v) (x0 + ((v)-v0) / (v1 - v0) * (x1 - x0))
    /* tick labels: absolute shares in percent */
    for (size_t i = 0; i < nt && rc == 0; i++) {
        double x = XV(ticks[i]);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, fabs(ticks[i]), "share", 0, fig->lang);
        rc = plot_scene_seg(sc, x, ytop - st->font * 0.3, x, ybot,
                            ticks[i] == 0 ? PLOT_C_AXIS : PLOT_C_GRID,
                            st->line * 0.7, false);
        if (rc == 0)
            rc = plot_scene_text(sc, x, ybot + st->small, buf, st->small, false, PLOT_CENTRE,
                                 PLOT_C_MUTED);
    }
    double bar = fmin(row * 0.7, st->row * 0.7);
    for (size_t c = 0; c < m->ncat && rc == 0; c++) {
        double y = ytop + row * (c + 0.5);
        rc = plot_draw_cat_label(fig, sc, x0 - st->font * 0.5, y, labw, m->cat_label[c]);
        if (rc != 0)
            break;
        if (bad[c]) {
            rc = plot_draw_suppressed(fig, sc, XV(div ? v0 : 0), y, bar, NULL);
            continue;
        }
        double pos = 0;
        if (div) {
            for (size_t s = 0; s < k; s++) {
                if (2 * s + 1 < k)
                    pos -= share[c * k + s];
                else if (2 * s + 1 == k)
                    pos -= share[c * k + s] / 2;
            }
        }
        for (size_t s = 0; s < k && rc == 0; s++) {
            double v = share[c * k + s];
            uint32_t col = div ? plot_palette_div(s, k) : plot_palette(s);
            if (v > 0)
                rc = plot_scene_rect(sc, XV(pos), y - bar / 2, XV(pos + v), y + bar / 2, col, 0);
            char buf[64];
            plot_fmt_value(buf, sizeof buf, v, "share", 0, fig->lang);
            bool caution = plot_cell_caution(plot_matrix_cell(m, c, s));
            if (caution)
                plot_star(buf, sizeof buf);
            double w = XV(pos + v) - XV(pos);
            if (rc == 0 && w > plot_text_width(buf, st->small, false) + st->small * 0.6) {
                rc = plot_scene_text(sc, (XV(pos) + XV(pos + v)) / 2, y, buf, st->small, false,
                                     PLOT_CENTRE, plot_text_on(col));
                fig->caution_marks += caution;
            }
            pos += v;
        }
    }
    if (rc == 0)
        rc = plot_top_draw(fig, sc, &top, ytop, ybot, true);
#undef XV
out:
    free(share);
    free(bad);
    return rc;
}
