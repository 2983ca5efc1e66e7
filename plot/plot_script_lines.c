/*
 * plot_script_lines: values across waves (or years), one line per series,
 * dots at each point, vertical interval whiskers when the table has them and
 * the last value written at the end of each line. A suppressed point breaks
 * the line and is listed in the note.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

static const struct plot_matrix *x_m;

/* Most lines of an x label (a longer one ends with '…'). */
#define LINES_X_LINES PLOT_CAT_LINES

struct end_label {
    double x, y;
    uint32_t colour;
    char text[64];
};

static int by_code(const void *pa, const void *pb)
{
    size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
    double a = strtod(x_m->cat_code[i], NULL), b = strtod(x_m->cat_code[j], NULL);
    if (a != b)
        return a < b ? -1 : 1;
    return i < j ? -1 : i > j ? 1 : 0;
}

static bool all_numeric(const struct plot_matrix *m)
{
    for (size_t i = 0; i < m->ncat; i++) {
        char *end;
        strtod(m->cat_code[i], &end);
        if (end == m->cat_code[i] || *end != '\0')
            return false;
    }
    return true;
}

int plot_script_lines(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    int rc = 0;
    if (m->ncat < 2)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'lines' needs at least 2 points (waves) on the x axis, got %zu",
                            m->ncat);
    if (m->nser > 8)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "too many series (%zu, 8 at most)",
                            m->nser);
    double lo = INFINITY, hi = -INFINITY, maxlab = 0;
    for (size_t i = 0; i < m->ncat * m->nser; i++) {
        const struct plot_cell *cell = &m->cells[i];
        if (!cell->present || cell->suppressed)
            continue;
        lo = fmin(lo, isfinite(cell->lo) ? fmin(cell->lo, cell->est) : cell->est);
        hi = fmax(hi, isfinite(cell->hi) ? fmax(cell->hi, cell->est) : cell->est);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, cell->est, m->unit, fig->decimals, fig->lang);
        if (plot_cell_caution(cell))
            plot_star(buf, sizeof buf);
        maxlab = fmax(maxlab, plot_text_width(buf, st->small, true));
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    plot_refs_range(fig, &lo, &hi);
    bool zero_based = m->unit && (strcmp(m->unit, "share") == 0 || strcmp(m->unit, "rate") == 0);
    if (zero_based)
        lo = fmin(lo, 0);
    double ticks[12];
    size_t nt = plot_nice_ticks(lo, hi, 4, ticks);
    double v0 = ticks[0], v1 = ticks[nt - 1];
    if (m->nser > 1)
        for (size_t s = 0; s < m->nser && rc == 0; s++)
            rc = plot_legend_add(fig, m->ser_label[s], plot_palette(s), 0);
    if (rc == 0)
        rc = plot_frame_begin(fig, sc, (st->width - 2 * st->pad) * 0.5);
    if (rc != 0)
        return rc;
    int tdec = plot_tick_decimals(ticks, nt, m->unit);
    double ticklab = 0;
    for (size_t i = 0; i < nt; i++) {
        char buf[64];
        plot_fmt_value(buf, sizeof buf, ticks[i], m->unit, tdec, fig->lang);
        ticklab = fmax(ticklab, plot_text_width(buf, st->small, false));
    }
    double x0 = fig->cx0 + ticklab + st->font * 0.8;
    double x1 = fig->cx1 - maxlab - st->font * 1.0;
    /* x labels wrap on up to LINES_X_LINES lines (not cut with '…'): room for the longest */
    int xl_lines = 1;
    {
        double w = fmax((x1 - x0) / (double)(m->ncat > 1 ? m->ncat - 1 : 1) - st->small,
                        st->small * 7);
        for (size_t c = 0; c < m->ncat && rc == 0; c++) {
            struct sv_buf clean = SV_BUF_INIT;
            char **lines = NULL;
            int n = plot_quote_clean(&clean, m->cat_label[c]) == 0
                        ? plot_text_wrap(&lines, clean.data, w, st->small, false, LINES_X_LINES)
                        : 0;
            sv_buf_release(&clean);
            if (n > xl_lines)
                xl_lines = n;
            if (n > 0)
                plot_text_lines_free(lines, (size_t)n);
        }
    }
    double y0 = fig->cy0 + st->font * 0.5, y1 = fig->cy1 - st->small * (1.4 + 1.2 * xl_lines);
#define YV(v) (y1 - ((v)-v0) / (v1 - v0) * (y1 - y0))
    for (size_t i = 0; i < nt && rc == 0; i++) {
        char buf[64];
        plot_fmt_value(buf, sizeof buf, ticks[i], m->unit, tdec, fig->lang);
        rc = plot_scene_seg(sc, x0, YV(ticks[i]), x1, YV(ticks[i]),
                            i == 0 ? PLOT_C_AXIS : PLOT_C_GRID, st->line * 0.7, false);
        if (rc == 0)
            rc = plot_scene_text(sc, x0 - st->font * 0.4, YV(ticks[i]), buf, st->small, false,
                                 PLOT_RIGHT, PLOT_C_MUTED);
    }
    /* v -> y is y1 + (v - v0) * (y0 - y1) / (v1 - v0) */
    if (rc == 0)
        rc = plot_refs_draw(fig, sc, false, y1 - v0 * (y0 - y1) / (v1 - v0), (y0 - y1) / (v1 - v0),
                            x0, 0, x1, 0);
    size_t *order = malloc(m->ncat * sizeof *order);
    if (order == NULL)
        return SV_ENOMEM;
    for (size_t i = 0; i < m->ncat; i++)
        order[i] = i;
    bool numeric = all_numeric(m);
    if (numeric) {
        x_m = m;
        qsort(order, m->ncat, sizeof *order, by_code);
        x_m = NULL;
    }
    double step = (x1 - x0) / (double)(m->ncat - 1);
    /* numeric waves (years) are placed proportionally: 2019, 2021, 2022 are not equidistant */
    double *xs = malloc(m->ncat * sizeof *xs);
    if (xs == NULL) {
        free(order);
        return SV_ENOMEM;
    }
    double first = numeric ? strtod(m->cat_code[order[0]], NULL) : 0;
    double last = numeric ? strtod(m->cat_code[order[m->ncat - 1]], NULL) : 0;
    for (size_t k = 0; k < m->ncat; k++)
        xs[k] = numeric && last > first ? x0 + (strtod(m->cat_code[order[k]], NULL) - first) /
                                                   (last - first) * (x1 - x0)
                                        : x0 + step * (double)k;
    double min_gap = x1 - x0;
    for (size_t k = 1; k < m->ncat; k++)
        min_gap = fmin(min_gap, xs[k] - xs[k - 1]);
    step = min_gap;
    /* x labels: wrapped on two lines */
    /* greedy: a label is written only when it clears the previous one */
    double labw = fmax(step - st->small, st->small * 7);
    double last_right = -1e9;
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        struct sv_buf clean = SV_BUF_INIT;
        char **lines = NULL;
        rc = plot_quote_clean(&clean, m->cat_label[order[k]]);
        int n = rc == 0 ? plot_text_wrap(&lines, clean.data, labw, st->small, false, LINES_X_LINES) : rc;
        sv_buf_release(&clean);
        if (n < 0) {
            rc = n;
            break;
        }
        double widest = 0;
        for (int i = 0; i < n; i++)
            widest = fmax(widest, plot_text_width(lines[i], st->small, false));
        enum plot_align al = PLOT_CENTRE;
        double x = xs[k], left = x - widest / 2;
        if (left < fig->cx0) {
            al = PLOT_LEFT;
            x = left = fig->cx0;
        } else if (x + widest / 2 > fig->cx1) {
            al = PLOT_RIGHT;
            x = fig->cx1;
            left = x - widest;
        }
        if (left >= last_right + st->small) {
            for (int i = 0; i < n && rc == 0; i++)
                rc = plot_scene_text(sc, x, y1 + st->small * (1.5 + 1.2 * i), lines[i], st->small,
                                     false, al, PLOT_C_MUTED);
            last_right = left + widest;
        }
        plot_text_lines_free(lines, (size_t)n);
    }
    double r = st->font * 0.28;
    struct end_label ends[8];
    size_t nends = 0;
    for (size_t s = 0; s < m->nser && rc == 0; s++) {
        uint32_t col = plot_palette(s);
        const struct plot_cell *prev = NULL;
        double px = 0;
        for (size_t k = 0; k < m->ncat && rc == 0; k++) {
            const struct plot_cell *cell = plot_matrix_cell(m, order[k], s);
            double x = xs[k];
            if (!cell->present || cell->suppressed) {
                prev = NULL;
                continue;
            }
            if (prev != NULL)
                rc = plot_scene_seg(sc, px, YV(prev->est), x, YV(cell->est), col, st->line * 2.0,
                                    false);
            if (rc == 0 && isfinite(cell->lo) && isfinite(cell->hi))
                rc = plot_scene_seg(sc, x, YV(cell->lo), x, YV(cell->hi), col, st->line * 0.8,
                                    false);
            prev = cell;
            px = x;
        }
        size_t lastk = m->ncat;
        for (size_t k = 0; k < m->ncat; k++) {
            const struct plot_cell *cell = plot_matrix_cell(m, order[k], s);
            if (cell->present && !cell->suppressed)
                lastk = k;
        }
        for (size_t k = 0; k < m->ncat && rc == 0; k++) {
            const struct plot_cell *cell = plot_matrix_cell(m, order[k], s);
            if (cell->present && !cell->suppressed)
                rc = plot_scene_dot(sc, xs[k], YV(cell->est), r, col);
            /* an imprecise point: '*' at its upper right (the last one has it in its label) */
            if (rc == 0 && k != lastk && plot_cell_caution(cell)) {
                rc = plot_scene_text(sc, xs[k] + r * 0.9, YV(cell->est) - r * 1.6, "*",
                                     st->small, true, PLOT_LEFT, PLOT_C_TEXT);
                fig->caution_marks++;
            }
        }
        /* last value at the end of the line (placed below, apart from the others) */
        for (size_t k = m->ncat; k-- > 0 && rc == 0;) {
            const struct plot_cell *cell = plot_matrix_cell(m, order[k], s);
            if (cell->present && !cell->suppressed) {
                ends[nends].x = xs[k] + r + st->small * 0.4;
                ends[nends].y = YV(cell->est);
                ends[nends].colour = col == 0xf0e442 ? PLOT_C_TEXT : col;
                plot_value_text(fig, cell, ends[nends].text, sizeof ends[nends].text);
                nends++;
                break;
            }
        }
    }
    /* end labels pushed apart so that none overlaps (stable order by height) */
    for (size_t i = 1; i < nends; i++)
        for (size_t j = i; j > 0 && ends[j].y < ends[j - 1].y; j--) {
            struct end_label tmp = ends[j];
            ends[j] = ends[j - 1];
            ends[j - 1] = tmp;
        }
    double gap = st->small * 1.15;
    for (size_t i = 1; i < nends; i++)
        if (ends[i].y < ends[i - 1].y + gap)
            ends[i].y = ends[i - 1].y + gap;
    if (nends > 0 && ends[nends - 1].y > y1) {
        double shift = ends[nends - 1].y - y1;
        for (size_t i = 0; i < nends; i++)
            ends[i].y -= shift;
    }
    for (size_t i = 0; i < nends && rc == 0; i++)
        rc = plot_scene_text(sc, ends[i].x, ends[i].y, ends[i].text, st->small, true, PLOT_LEFT,
                             ends[i].colour);
#undef YV
    free(xs);
    free(order);
    return rc;
}
