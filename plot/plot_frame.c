/*
 * plot_frame: the anatomy shared by every figure (after Datawrapper): a
 * headline stating the finding, a subtitle, an optional legend, the chart, a
 * note line (intervals, suppressed cells and why) and a source line with n.
 * Also the helpers the chart kinds share, and plot_figure_build(), which
 * ties selection, drawing and emission together.
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sv_csv.h"
#include "sv_file.h"
#include "sv_numfmt.h"

const char *plot_suppressed_word(enum sv_lang lang, const char *reason)
{
    /* A cell analyse could not define (zero denominator) is not a secret. */
    if (reason && strcmp(reason, "undefined") == 0)
        return lang == SV_LANG_EN ? "not applicable" : "sans objet";
    return lang == SV_LANG_EN ? "suppressed" : "secret statistique";
}

static double line_h(double size)
{
    return size * 1.3;
}

/* Draw `text` wrapped at `width` from top y; returns the height used. */
static int draw_block(struct plot_scene *sc, double x, double y, double width, const char *text,
                      double size, bool bold, uint32_t colour, size_t max_lines, double *used)
{
    char **lines = NULL;
    *used = 0;
    if (text == NULL || text[0] == '\0')
        return 0;
    struct sv_buf clean = SV_BUF_INIT;
    int rc = plot_quote_clean(&clean, text);
    int n = rc == 0 ? plot_text_wrap(&lines, clean.data, width, size, bold, max_lines) : rc;
    sv_buf_release(&clean);
    if (n < 0)
        return n;
    for (int i = 0; i < n && rc == 0; i++)
        rc = plot_scene_text(sc, x, y + line_h(size) * (i + 0.5), lines[i], size, bold, PLOT_LEFT,
                             colour);
    *used = line_h(size) * n;
    plot_text_lines_free(lines, (size_t)n);
    return rc;
}

/* Height a block would take. */
static double block_height(double width, const char *text, double size, bool bold, size_t max_lines)
{
    char **lines = NULL;
    if (text == NULL || text[0] == '\0')
        return 0;
    struct sv_buf clean = SV_BUF_INIT;
    if (plot_quote_clean(&clean, text) != 0)
        return 0;
    int n = plot_text_wrap(&lines, clean.data, width, size, bold, max_lines);
    sv_buf_release(&clean);
    if (n < 0)
        return 0;
    plot_text_lines_free(lines, (size_t)n);
    return line_h(size) * n;
}

int plot_legend_add(struct plot_fig *fig, const char *label, uint32_t colour, int pattern)
{
    size_t n = fig->nlegend + 1;
    const char **l = realloc(fig->legend_label, n * sizeof *l);
    if (l == NULL)
        return SV_ENOMEM;
    fig->legend_label = l;
    uint32_t *c = realloc(fig->legend_colour, n * sizeof *c);
    if (c == NULL)
        return SV_ENOMEM;
    fig->legend_colour = c;
    int *p = realloc(fig->legend_pattern, n * sizeof *p);
    if (p == NULL)
        return SV_ENOMEM;
    fig->legend_pattern = p;
    l[fig->nlegend] = label;
    c[fig->nlegend] = colour;
    p[fig->nlegend] = pattern;
    fig->nlegend = n;
    return 0;
}

/* Lay out (draw=false: measure) the legend from y; returns its height. Long labels wrap. */
static double legend_layout(struct plot_fig *fig, struct plot_scene *sc, double y, bool draw)
{
    const struct plot_style *st = &fig->st;
    double x0 = st->pad, x1 = st->width - st->pad;
    double sw = st->font * 0.9, gap = st->font * 0.35, sep = st->font * 1.2;
    double lh = line_h(st->font);
    double x = x0, rowy = y, rowh = lh;
    if (fig->nlegend == 0)
        return 0;
    for (size_t i = 0; i < fig->nlegend; i++) {
        struct sv_buf clean = SV_BUF_INIT;
        plot_quote_clean(&clean, fig->legend_label[i]);
        /* an entry takes at most half the row when it wraps, the whole row for one word */
        double maxw = (x1 - x0) - sw - gap;
        char **lines = NULL;
        int n = plot_text_wrap(&lines, clean.data, maxw, st->font, false, 1);
        if (n > 0 && strstr(lines[0], "\xe2\x80\xa6") != NULL) {
            plot_text_lines_free(lines, (size_t)n);
            lines = NULL;
            n = plot_text_wrap(&lines, clean.data, maxw / 2, st->font, false, PLOT_CAT_LINES);
        }
        sv_buf_release(&clean);
        if (n <= 0)
            continue;
        double tw = 0;
        for (int k = 0; k < n; k++)
            tw = fmax(tw, plot_text_width(lines[k], st->font, false));
        double w = sw + gap + tw;
        if (x > x0 && x + w > x1) {
            x = x0;
            rowy += rowh;
            rowh = lh;
        }
        if (lh * n > rowh)
            rowh = lh * n;
        if (draw && sc != NULL) {
            double cy = rowy + lh / 2;
            if (fig->legend_pattern[i] == 0) {
                plot_scene_rect(sc, x, cy - sw / 2, x + sw, cy + sw / 2, fig->legend_colour[i], 0);
            } else {
                plot_scene_rect(sc, x, cy - sw / 2, x + sw, cy + sw / 2, 0xececec, 0);
                plot_scene_rect(sc, x, cy - sw / 2, x + sw, cy + sw / 2, fig->legend_colour[i],
                                fig->legend_pattern[i]);
            }
            for (int k = 0; k < n; k++)
                plot_scene_text(sc, x + sw + gap, cy + lh * k, lines[k], st->font, false,
                                PLOT_LEFT, PLOT_C_TEXT);
        }
        x += w + sep;
        plot_text_lines_free(lines, (size_t)n);
    }
    return rowy - y + rowh;
}

static double footer_height(const struct plot_fig *fig)
{
    const struct plot_style *st = &fig->st;
    double w = st->width - 2 * st->pad;
    return st->font * 0.9 + block_height(w, fig->note, st->small, false, 4) +
           block_height(w, fig->source, st->small, false, 2) + st->pad;
}

int plot_frame_begin(struct plot_fig *fig, struct plot_scene *sc, double chart_height)
{
    const struct plot_style *st = &fig->st;
    double w = st->width - 2 * st->pad, used;
    double y = st->pad;
    int rc =
        draw_block(sc, st->pad, y, w, fig->headline, st->headline, true, PLOT_C_TEXT, 3, &used);
    y += used;
    if (rc == 0 && fig->subtitle && fig->subtitle[0]) {
        y += st->font * 0.15;
        rc = draw_block(sc, st->pad, y, w, fig->subtitle, st->font, false, PLOT_C_MUTED, 3, &used);
        y += used;
    }
    y += st->font * 0.6;
    if (rc == 0 && fig->nlegend > 0) {
        y += legend_layout(fig, sc, y, true);
        y += st->font * 0.4;
    }
    fig->cx0 = st->pad;
    fig->cx1 = st->width - st->pad;
    fig->cy0 = y;
    if (st->height > 0) {
        double avail = st->height - y - footer_height(fig);
        chart_height = avail > st->height * 0.25 ? avail : st->height * 0.25;
    }
    fig->cy1 = y + chart_height;
    return rc;
}

int plot_frame_end(struct plot_fig *fig, struct plot_scene *sc)
{
    const struct plot_style *st = &fig->st;
    double w = st->width - 2 * st->pad, used;
    double y = fig->cy1 + st->font * 0.9;
    int rc = draw_block(sc, st->pad, y, w, fig->note, st->small, false, PLOT_C_MUTED, 4, &used);
    y += used;
    if (rc == 0)
        rc = draw_block(sc, st->pad, y, w, fig->source, st->small, false, PLOT_C_MUTED, 2, &used);
    y += used + st->pad;
    sc->height = st->height > 0 && st->height > y ? st->height : ceil(y);
    return rc;
}

double plot_label_column(const struct plot_fig *fig, const char **labels, size_t n)
{
    double w = 0, cw = fig->st.width - 2 * fig->st.pad;
    for (size_t i = 0; i < n; i++) {
        struct sv_buf clean = SV_BUF_INIT;
        plot_quote_clean(&clean, labels[i]);
        double lw = plot_text_width(clean.data, fig->st.font, false);
        sv_buf_release(&clean);
        if (lw > w)
            w = lw;
    }
    w += fig->st.font * 0.6;
    if (w > cw * 0.4) {
        /* two lines of about half the width */
        w = w / 2 + fig->st.font * 2;
        if (w > cw * 0.4)
            w = cw * 0.4;
    }
    if (w < cw * 0.12)
        w = cw * 0.12;
    return w;
}

double plot_row_height(const struct plot_fig *fig, const char **labels, size_t n)
{
    double labw = plot_label_column(fig, labels, n);
    int most = 1;
    for (size_t i = 0; i < n; i++) {
        char **lines = NULL;
        struct sv_buf clean = SV_BUF_INIT;
        if (plot_quote_clean(&clean, labels[i]) != 0)
            continue;
        int k = plot_text_wrap(&lines, clean.data, labw, fig->st.font, false, PLOT_CAT_LINES);
        sv_buf_release(&clean);
        if (k > most)
            most = k;
        if (k > 0)
            plot_text_lines_free(lines, (size_t)k);
    }
    double need = most * fig->st.font * 1.15 + fig->st.font * 0.55;
    return need > fig->st.row ? need : fig->st.row;
}

int plot_draw_cat_label(const struct plot_fig *fig, struct plot_scene *sc, double x, double y,
                        double width, const char *label)
{
    char **lines = NULL;
    struct sv_buf clean = SV_BUF_INIT;
    int rc = plot_quote_clean(&clean, label);
    int n = rc == 0 ? plot_text_wrap(&lines, clean.data, width, fig->st.font, false, PLOT_CAT_LINES)
                    : rc;
    sv_buf_release(&clean);
    if (n < 0)
        return n;
    double lh = fig->st.font * 1.15;
    double top = y - lh * (n - 1) / 2.0;
    for (int i = 0; i < n && rc == 0; i++)
        rc = plot_scene_text(sc, x, top + lh * i, lines[i], fig->st.font, false, PLOT_RIGHT,
                             PLOT_C_TEXT);
    plot_text_lines_free(lines, (size_t)n);
    return rc;
}

int plot_draw_value_axis(const struct plot_fig *fig, struct plot_scene *sc, double v0, double v1,
                         double x0, double x1, double y0, double y1, const double *ticks,
                         size_t nticks)
{
    int rc = 0;
    int dec = plot_tick_decimals(ticks, nticks, fig->m.unit);
    for (size_t i = 0; i < nticks && rc == 0; i++) {
        double x = x0 + (ticks[i] - v0) / (v1 - v0) * (x1 - x0);
        char buf[64];
        plot_fmt_value(buf, sizeof buf, ticks[i], fig->m.unit, dec, fig->lang);
        rc = plot_scene_seg(sc, x, y0, x, y1, ticks[i] == 0 ? PLOT_C_AXIS : PLOT_C_GRID,
                            fig->st.line * (ticks[i] == 0 ? 1.0 : 0.7), false);
        if (rc == 0)
            rc = plot_scene_text(sc, x, y1 + fig->st.small * 1.0, buf, fig->st.small, false,
                                 PLOT_CENTRE, PLOT_C_MUTED);
    }
    return rc;
}

/* ---- note and source lines ---- */

void plot_refs_range(const struct plot_fig *fig, double *lo, double *hi)
{
    for (size_t i = 0; i < fig->opts->nrefs; i++) {
        double v;
        const char *label;
        if (plot_ref_parse(fig->opts->refs[i], &v, &label) == 0) {
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    }
}

/* "LABEL : 1 801,80 €": the reference as given (not rounded to the axis' decimals). */
static void ref_text(const struct plot_fig *fig, double v, const char *label, const char *unit,
                     char *text, size_t size)
{
    char num[64];
    int dec = 0;
    double shown = unit && (strcmp(unit, "share") == 0 || strcmp(unit, "rate") == 0) ? v * 100 : v;
    while (dec < 2 && fabs(shown * pow(10, dec) - round(shown * pow(10, dec))) > 1e-9)
        dec++;
    if (dec > 0 && unit && strcmp(unit, "eur") == 0)
        dec = 2; /* cents */
    plot_fmt_value(num, sizeof num, v, unit, dec, fig->lang);
    if (label[0] != '\0')
        snprintf(text, size, "%s%s%s", label, fig->lang == SV_LANG_EN ? ": " : " : ", num);
    else
        snprintf(text, size, "%s", num);
}

#define REF_COLOUR 0xc0392bU /* a red the palettes do not use */

int plot_refs_draw(const struct plot_fig *fig, struct plot_scene *sc, bool vertical, double a,
                   double b, double x0, double y0, double x1, double y1)
{
    const struct plot_style *st = &fig->st;
    int rc = 0;
    double used[PLOT_MAX_REFS][3]; /* labels placed: left, right, y */
    size_t nused = 0;
    for (size_t i = 0; i < fig->opts->nrefs && rc == 0; i++) {
        double v;
        const char *label;
        if (plot_ref_parse(fig->opts->refs[i], &v, &label) != 0)
            continue;
        char text[512];
        ref_text(fig, v, label, fig->m.unit, text, sizeof text);
        double p = a + b * v;
        uint32_t col = REF_COLOUR;
        if (vertical) {
            rc = plot_scene_seg(sc, p, y0, p, y1, col, st->line * 1.2, true);
            double tw = plot_text_width(text, st->small, true);
            enum plot_align al = p + tw / 2 > fig->cx1 ? PLOT_RIGHT
                                 : p - tw / 2 < fig->cx0 ? PLOT_LEFT
                                                         : PLOT_CENTRE;
            if (rc == 0)
                rc = plot_scene_text(sc, p, y0 - st->small * 0.7, text, st->small, true, al, col);
        } else {
            rc = plot_scene_seg(sc, x0, p, x1, p, col, st->line * 1.2, true);
            /* above the line at the left; moved right of a reference label it would cover */
            double tw = plot_text_width(text, st->small, true);
            double lx = x0 + st->small * 0.3, ly = p - st->small * 0.75;
            for (size_t k = 0; k < nused; k++)
                if (fabs(used[k][2] - ly) < st->small * 1.2 && lx < used[k][1] + st->small &&
                    lx + tw > used[k][0] - st->small)
                    lx = used[k][1] + st->small;
            if (nused < PLOT_MAX_REFS) {
                used[nused][0] = lx;
                used[nused][1] = lx + tw;
                used[nused][2] = ly;
                nused++;
            }
            if (rc == 0)
                rc = plot_scene_text(sc, lx, ly, text, st->small, true, PLOT_LEFT, col);
        }
    }
    return rc;
}

/* ---- labels above a chart with a horizontal value axis ---- */

static double top_lane_h(const struct plot_fig *fig)
{
    return fig->st.small * 1.35;
}

int plot_top_collect(const struct plot_fig *fig, struct plot_top *top, bool with_overall,
                     const char *unit)
{
    const struct plot_matrix *m = &fig->m;
    memset(top, 0, sizeof *top);
    if (with_overall && m->has_overall && m->overall.present && !m->overall.suppressed &&
        isfinite(m->overall.est) && m->ncat > 0) {
        char buf[64];
        plot_fmt_value(buf, sizeof buf, m->overall.est, m->unit, fig->decimals, fig->lang);
        struct plot_top_item *it = &top->it[top->n++];
        it->v = m->overall.est;
        snprintf(it->text, sizeof it->text, "%s%s",
                 fig->lang == SV_LANG_EN ? "All: " : "Ensemble : ", buf);
        it->colour = PLOT_C_TEXT;
        it->bold = false;
    }
    for (size_t i = 0; i < fig->opts->nrefs && top->n < PLOT_MAX_TOP; i++) {
        double v;
        const char *label;
        if (plot_ref_parse(fig->opts->refs[i], &v, &label) != 0)
            continue;
        struct plot_top_item *it = &top->it[top->n++];
        it->v = v;
        ref_text(fig, v, label, unit ? unit : m->unit, it->text, sizeof it->text);
        it->colour = REF_COLOUR;
        it->bold = true;
        it->ref = true;
    }
    return 0;
}

/*
 * Each label goes on the lowest lane (0 = just above the chart) where it
 * overlaps no other label (with a gap) and where no line crosses it: a line
 * runs from its label down to the chart, through every lane under it. A
 * label is centred on its line, else set beside it (right, then left),
 * always inside [xmin, xmax]. First every other line is kept out of the
 * label (whatever lane it gets); when lines are too close for that, only
 * the lines that pass through the label's lane are.
 */
static bool top_fits(const struct plot_top *top, const bool *placed, size_t i, int lane,
                     double l, double w, double gap, bool strict)
{
    const struct plot_top_item *it = &top->it[i];
    for (size_t k = 0; k < top->n; k++) {
        if (k == i)
            continue;
        const struct plot_top_item *o = &top->it[k];
        bool line_inside = o->x > l - gap * 0.5 && o->x < l + w + gap * 0.5;
        if (placed[k] && o->lane == lane && l < o->right + gap && l + w > o->left - gap)
            return false; /* two labels on one lane */
        if (line_inside && (strict ? !placed[k] || o->lane > lane : placed[k] && o->lane > lane))
            return false; /* another line would cross this label */
        if (placed[k] && o->lane < lane && it->x > o->left - gap * 0.5 &&
            it->x < o->right + gap * 0.5)
            return false; /* this line would cross a label below */
    }
    return true;
}

/* Greedy placement in the order `order`; returns the number of labels that had no clean place. */
static size_t top_greedy(const struct plot_fig *fig, struct plot_top *top, const size_t *order,
                         double xmin, double xmax)
{
    double gap = fig->st.small * 0.8;
    bool placed[PLOT_MAX_TOP] = {false};
    size_t bad = 0;
    top->nlanes = 0;
    for (size_t j = 0; j < top->n; j++) {
        size_t i = order[j];
        struct plot_top_item *it = &top->it[i];
        double x = it->x;
        double w = plot_text_width(it->text, fig->st.small, it->bold);
        bool ok = false;
        for (int strict = 1; strict >= 0 && !ok; strict--) {
            for (int lane = 0; lane < (int)PLOT_MAX_TOP + 1 && !ok; lane++) {
                for (int how = 0; how < 3 && !ok; how++) {
                    double l = how == 0 ? x - w / 2 : how == 1 ? x + gap * 0.4 : x - gap * 0.4 - w;
                    if (l + w > xmax)
                        l = xmax - w;
                    if (l < xmin)
                        l = xmin;
                    if (top_fits(top, placed, i, lane, l, w, gap, strict)) {
                        it->lane = lane;
                        it->left = l;
                        it->right = l + w;
                        ok = true;
                    }
                }
            }
        }
        if (!ok) { /* lines too close to keep apart: a lane of its own above the others */
            it->lane = (int)top->nlanes;
            it->left = x - w / 2;
            it->right = x + w / 2;
            bad++;
        }
        placed[i] = true;
        if ((size_t)it->lane + 1 > top->nlanes)
            top->nlanes = (size_t)it->lane + 1;
    }
    return bad;
}

/* Next permutation of p[0..n) in lexicographic order; false after the last. */
static bool next_perm(size_t *p, size_t n)
{
    if (n < 2)
        return false;
    size_t i = n - 1;
    while (i > 0 && p[i - 1] >= p[i])
        i--;
    if (i == 0)
        return false;
    size_t j = n - 1;
    while (p[j] <= p[i - 1])
        j--;
    size_t t = p[i - 1];
    p[i - 1] = p[j];
    p[j] = t;
    for (size_t a = i, b = n - 1; a < b; a++, b--) {
        t = p[a];
        p[a] = p[b];
        p[b] = t;
    }
    return true;
}

void plot_top_place(const struct plot_fig *fig, struct plot_top *top, double a, double b,
                    double xmin, double xmax)
{
    for (size_t i = 0; i < top->n; i++)
        top->it[i].x = a + b * top->it[i].v;
    /*
     * At most 5 labels: every placement order is tried (120 at most) and the
     * best layout kept: fewest labels without a clean place, then fewest
     * lanes, then lowest lanes in total, then the first order (stable).
     */
    size_t order[PLOT_MAX_TOP], best_key[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX};
    struct plot_top best = *top;
    for (size_t i = 0; i < top->n; i++)
        order[i] = i;
    do {
        struct plot_top trial = *top;
        size_t bad = top_greedy(fig, &trial, order, xmin, xmax);
        size_t sum = 0;
        for (size_t i = 0; i < trial.n; i++)
            sum += (size_t)trial.it[i].lane;
        size_t key[3] = {bad, trial.nlanes, sum};
        if (key[0] < best_key[0] || (key[0] == best_key[0] && key[1] < best_key[1]) ||
            (key[0] == best_key[0] && key[1] == best_key[1] && key[2] < best_key[2])) {
            memcpy(best_key, key, sizeof key);
            best = trial;
        }
    } while (next_perm(order, top->n));
    *top = best;
    if (top->n == 0)
        top->nlanes = 0;
}

double plot_top_height(const struct plot_fig *fig, const struct plot_top *top)
{
    if (top->nlanes == 0)
        return fig->st.font * 0.3;
    return fig->st.small * 0.5 + top_lane_h(fig) * (double)top->nlanes;
}

int plot_top_draw(const struct plot_fig *fig, struct plot_scene *sc, const struct plot_top *top,
                  double ytop, double ybot, bool refs)
{
    const struct plot_style *st = &fig->st;
    int rc = 0;
    for (size_t i = 0; i < top->n && rc == 0; i++) {
        const struct plot_top_item *it = &top->it[i];
        if (it->ref != refs)
            continue;
        double ly = ytop - st->small * 0.3 - top_lane_h(fig) * (it->lane + 0.5);
        rc = plot_scene_seg(sc, it->x, ly + st->small * 0.55, it->x, ybot, it->colour,
                            st->line * (it->ref ? 1.2 : 1.0), true);
        if (rc == 0)
            rc = plot_scene_text(sc, it->left, ly, it->text, st->small, it->bold, PLOT_LEFT,
                                 it->colour);
    }
    return rc;
}

void plot_star(char *buf, size_t size)
{
    size_t bl = strlen(buf);
    if (bl + 1 < size) {
        buf[bl] = '*';
        buf[bl + 1] = '\0';
    }
}

int plot_value_text(struct plot_fig *fig, const struct plot_cell *cell, char *buf, size_t size)
{
    plot_fmt_value(buf, size, cell->est, fig->m.unit, fig->decimals, fig->lang);
    if (plot_cell_caution(cell)) { /* imprecise: the note explains the mark */
        plot_star(buf, size);
        fig->caution_marks++;
        return 1;
    }
    return 0;
}

int plot_draw_bar_value(struct plot_fig *fig, struct plot_scene *sc, const struct plot_cell *cell,
                        double xbase, double xbar, double xhi, double y, double size, bool bold,
                        uint32_t fill)
{
    const struct plot_style *st = &fig->st;
    char buf[72];
    plot_value_text(fig, cell, buf, sizeof buf);
    double tw = plot_text_width(buf, size, bold);
    /*
     * The value sits at the end of the bar, inside it when it fits (on a
     * knocked-out ground of the bar's colour, so the interval line passes
     * behind it), else after the whisker on a white ground, never where
     * '|- 87 %' reads as a minus.
     */
    bool inside = cell->est >= 0 && xbar - xbase >= tw + size * 1.4;
    int rc = 0;
    if (inside) {
        double xr = xbar - size * 0.45;
        rc = plot_scene_rect(sc, xr - tw - size * 0.45, y - size * 0.5, xr + size * 0.15,
                             y + size * 0.5, fill, 0);
        if (rc == 0)
            rc = plot_scene_text(sc, xr, y, buf, size, bold, PLOT_RIGHT, plot_text_on(fill));
    } else {
        double xend = isfinite(xhi) ? fmax(xbar, xhi) : xbar;
        rc = plot_scene_rect(sc, xend + size * 0.25, y - size * 0.55, xend + size * 0.55 + tw,
                             y + size * 0.55, PLOT_C_WHITE, 0);
        if (rc == 0)
            rc = plot_scene_text(sc, xend + size * 0.4, y, buf, size, bold, PLOT_LEFT,
                                 PLOT_C_TEXT);
    }
    (void)st;
    return rc;
}

bool plot_cell_caution(const struct plot_cell *c)
{
    if (c == NULL || !c->present || c->suppressed)
        return false;
    if (c->reason != NULL && strncmp(c->reason, "cv>", 3) == 0)
        return true;
    return isfinite(c->se) && c->se > 0 && isfinite(c->est) && fabs(c->est) > 0 &&
           c->se / fabs(c->est) > 0.2;
}

static const char *reason_text(const char *reason, enum sv_lang lang)
{
    if (reason == NULL || reason[0] == '\0')
        return lang == SV_LANG_EN ? "not available" : "non disponible";
    if (strncmp(reason, "n<", 2) == 0)
        return lang == SV_LANG_EN ? "too few responses" : "trop peu de réponses";
    if (strncmp(reason, "dominance", 9) == 0)
        return lang == SV_LANG_EN ? "one respondent dominates" : "un répondant prépondérant";
    if (strcmp(reason, "secondary") == 0)
        return lang == SV_LANG_EN ? "would reveal another cell" : "secret induit";
    return reason;
}

static int build_note(struct plot_fig *fig, bool whiskers, bool caution)
{
    struct sv_buf b = SV_BUF_INIT;
    const struct plot_matrix *m = &fig->m;
    enum sv_lang lang = fig->lang;
    int rc = 0;
    if (fig->opts->note && fig->opts->note[0]) {
        rc = sv_buf_adds(&b, fig->opts->note);
        if (rc == 0 && strchr(".!?", fig->opts->note[strlen(fig->opts->note) - 1]) == NULL)
            rc = sv_buf_adds(&b, ".");
    }
    if (rc == 0 && whiskers) {
        double level = NAN;
        for (size_t i = 0; i < fig->table->nrows && !isfinite(level); i++)
            level = fig->table->rows[i].ci_level;
        if (!isfinite(level) || level <= 0 || level >= 1)
            level = 0.95;
        char pct[64];
        sv_fmt_percent(pct, sizeof pct, level, 0, lang);
        rc =
            sv_buf_addf(&b, "%s%s", b.len ? " " : "", lang == SV_LANG_EN ? "Lines: " : "Traits : ");
        if (rc == 0)
            rc = sv_buf_addf(&b,
                             lang == SV_LANG_EN ? "%s confidence interval."
                                                : "intervalle de confiance à %s.",
                             pct);
    }
    if (rc == 0 && fig->opts->kind == PLOT_GROUPED) {
        size_t absent = 0;
        for (size_t i = 0; i < m->ncat * m->nser; i++)
            absent += !m->cells[i].present;
        if (absent > 0)
            rc = sv_buf_addf(&b, "%s%s", b.len ? " " : "",
                             lang == SV_LANG_EN
                                 ? "(n/a): no estimate in the table for that category."
                                 : "(n.d.) : non disponible, aucune estimation dans la table pour "
                                   "cette catégorie.");
    }
    if (rc == 0 && fig->opts->kind == PLOT_DUMBBELL && m->nser == 2)
        rc = sv_buf_addf(&b, "%s%s%s \xe2\x88\x92 %s.", b.len ? " " : "",
                         lang == SV_LANG_EN ? "Gap: " : "\xc3\x89" "cart : ", m->ser_label[1],
                         m->ser_label[0]);
    if (rc == 0 && fig->opts->kind == PLOT_BOX)
        rc = sv_buf_addf(&b, "%s%s", b.len ? " " : "",
                         lang == SV_LANG_EN
                             ? "Box: 1st to 3rd quartile; bar: median; lines: 1st to 9th decile."
                             : "Boîte : du 1er au 3e quartile ; trait : médiane ; "
                               "moustaches : du 1er au 9e décile.");
    if (rc == 0 && caution) {
        rc = sv_buf_addf(&b, "%s%s", b.len ? " " : "",
                             lang == SV_LANG_EN
                                 ? "* Coefficient of variation over 20%: to be read with caution."
                                 : "* Coefficient de variation supérieur à 20\xe2\x80\xaf% : "
                                   "estimation à interpréter avec prudence.");
    }
    /* suppressed cells, with their reason */
    size_t listed = 0, total = 0, undefined = 0;
    for (size_t c = 0; c < m->ncat && rc == 0; c++) {
        for (size_t s = 0; s < m->nser && rc == 0; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            if (!cell->present || !cell->suppressed)
                continue;
            if (cell->reason && strcmp(cell->reason, "undefined") == 0) {
                undefined++;
                continue;
            }
            total++;
            if (listed >= 6)
                continue;
            if (listed == 0)
                rc = sv_buf_addf(&b, "%s%s", b.len ? " " : "",
                                 lang == SV_LANG_EN ? "Suppressed: " : "Secret statistique : ");
            else
                rc = sv_buf_adds(&b, ", ");
            if (rc == 0)
                rc = sv_buf_adds(&b, m->cat_label[c]);
            if (rc == 0 && m->nser > 1 && fig->opts->kind != PLOT_BOX)
                rc = sv_buf_addf(&b, " \xe2\x80\x93 %s", m->ser_label[s]);
            if (rc == 0)
                rc = sv_buf_addf(&b, " (%s)", reason_text(cell->reason, lang));
            listed++;
            if (fig->opts->kind == PLOT_BOX)
                break; /* one mention per category */
        }
    }
    if (rc == 0 && total > listed)
        rc = sv_buf_addf(&b, lang == SV_LANG_EN ? " and %zu more" : " et %zu autres",
                         total - listed);
    if (rc == 0 && listed > 0)
        rc = sv_buf_adds(&b, ".");
    if (rc == 0 && undefined > 0)
        rc = sv_buf_addf(&b, "%s%s", b.len ? " " : "",
                         lang == SV_LANG_EN
                             ? "Not applicable: the indicator is not defined for that category "
                               "(nothing to divide by)."
                             : "Sans objet : l'indicateur n'est pas défini pour cette catégorie "
                               "(dénominateur nul).");
    if (rc != 0) {
        sv_buf_release(&b);
        return rc;
    }
    fig->note = sv_buf_detach(&b, NULL);
    return fig->note ? 0 : SV_ENOMEM;
}

/* The table's unit label (written in French by analyse) in the figure's language. */
static const char *unit_label(const char *label, enum sv_lang lang)
{
    static const char *const fr_en[][2] = {{"établissements", "establishments"},
                                           {"salariés", "employees"},
                                           {"réponses", "responses"},
                                           {"répondants", "respondents"}};
    if (lang == SV_LANG_EN)
        for (size_t i = 0; i < sizeof fr_en / sizeof fr_en[0]; i++)
            if (strcmp(label, fr_en[i][0]) == 0)
                return fr_en[i][1];
    return label;
}

static int build_source(struct plot_fig *fig)
{
    struct sv_buf b = SV_BUF_INIT;
    const struct sv_imeta *meta = &fig->table->meta;
    enum sv_lang lang = fig->lang;
    int rc = 0;
    const char *src = fig->opts->source ? fig->opts->source : meta->source;
    if (src && src[0]) {
        rc = sv_buf_adds(&b, src);
    } else {
        rc = sv_buf_addf(&b, lang == SV_LANG_EN ? "Source: survey %s" : "Source : enquête %s",
                         meta->survey ? meta->survey : "vigie");
        if (rc == 0 && meta->wave && meta->wave[0])
            rc = sv_buf_addf(&b, ", %s", meta->wave);
    }
    if (rc == 0 && meta->n_respondents > 0 && strstr(b.data, "n =") == NULL &&
        strstr(b.data, "n=") == NULL) {
        char num[64];
        sv_fmt_number(num, sizeof num, (double)meta->n_respondents, 0, lang);
        rc = sv_buf_addf(&b, ", n = %s", num);
        if (rc == 0 && meta->unit_label && meta->unit_label[0])
            rc = sv_buf_addf(&b, " %s", unit_label(meta->unit_label, lang));
    }
    if (rc != 0) {
        sv_buf_release(&b);
        return rc;
    }
    fig->source = sv_buf_detach(&b, NULL);
    return fig->source ? 0 : SV_ENOMEM;
}

int plot_fig_notice(struct plot_fig *fig, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    int rc = sv_buf_adds(&fig->notices, line);
    return rc == 0 ? sv_buf_addc(&fig->notices, '\n') : rc;
}

static void fig_release(struct plot_fig *fig)
{
    sv_buf_release(&fig->notices);
    plot_matrix_release(&fig->m);
    free(fig->note);
    free(fig->source);
    free(fig->legend_label);
    free(fig->legend_colour);
    free(fig->legend_pattern);
}

/* Append one line to the caption's notices. */
static int notice_add(struct plot_caption *c, const char *line)
{
    struct sv_buf b = SV_BUF_INIT;
    int rc = sv_buf_adds(&b, c->notices ? c->notices : "");
    if (rc == 0)
        rc = sv_buf_adds(&b, line);
    if (rc == 0)
        rc = sv_buf_addc(&b, '\n');
    if (rc != 0) {
        sv_buf_release(&b);
        return rc;
    }
    free(c->notices);
    c->notices = sv_buf_detach(&b, NULL);
    return c->notices ? 0 : SV_ENOMEM;
}

void plot_warn_lines(FILE *fp, const char *prefix, const char *lines)
{
    if (fp == NULL || lines == NULL)
        return;
    for (const char *p = lines; *p;) {
        size_t n = strcspn(p, "\n");
        if (n > 0) {
            char *line = strndup(p, n);
            struct sv_buf b = SV_BUF_INIT;
            if (line != NULL && plot_quote_message(&b, line) == 0 && b.data != NULL)
                fprintf(fp, "plot: warning: %s%s\n", prefix, b.data);
            sv_buf_release(&b);
            free(line);
        }
        p += n + (p[n] == '\n');
    }
}

void plot_error_quote(struct sv_error *err)
{
    if (err == NULL)
        return;
    char *fields[3] = {err->source, err->path, err->text};
    size_t sizes[3] = {sizeof err->source, sizeof err->path, sizeof err->text};
    for (int i = 0; i < 3; i++) {
        struct sv_buf b = SV_BUF_INIT;
        if (plot_quote_message(&b, fields[i]) == 0 && b.data != NULL) {
            /* cut on a character boundary */
            size_t n = b.len < sizes[i] ? b.len : sizes[i] - 1;
            while (n > 0 && n < b.len && ((unsigned char)b.data[n] & 0xc0) == 0x80)
                n--;
            memcpy(fields[i], b.data, n);
            fields[i][n] = '\0';
        }
        sv_buf_release(&b);
    }
}

static const char *kind_words(enum plot_kind k, enum sv_lang lang)
{
    static const char *const fr[] = {"Diagramme en barres",   "Barres groupées",
                                     "Barres empilées",       "Écarts entre deux séries",
                                     "Boîtes à moustaches",   "Courbes",
                                     "Carte des régions",     "Chiffres clés"};
    static const char *const en[] = {"Bar chart",       "Grouped bar chart", "Stacked bar chart",
                                     "Dumbbell chart",  "Box plot",          "Line chart",
                                     "Map of the regions", "Key figures"};
    size_t i = (size_t)k < sizeof fr / sizeof fr[0] ? (size_t)k : 0;
    return lang == SV_LANG_EN ? en[i] : fr[i];
}

/* "Bar chart: subtitle. Guyane: 81 %, Grand Est: 74 %, ..." (categories in drawing order). */
static char *build_alt(const struct plot_fig *fig)
{
    const struct plot_matrix *m = &fig->m;
    struct sv_buf b = SV_BUF_INIT;
    int rc = sv_buf_addf(&b, "%s", kind_words(fig->opts->kind, fig->lang));
    const char *what = fig->subtitle && fig->subtitle[0] ? fig->subtitle : fig->headline;
    if (rc == 0 && what && what[0])
        rc = sv_buf_addf(&b, " \xe2\x80\x93 %s", what);
    if (rc == 0)
        rc = sv_buf_adds(&b, fig->lang == SV_LANG_EN ? ". " : ". ");
    size_t *order = fig->opts->kind == PLOT_BARS ? plot_rank_categories(m) : NULL;
    size_t shown = 0;
    bool box = fig->opts->kind == PLOT_BOX;
    for (size_t k = 0; k < m->ncat && rc == 0; k++) {
        size_t c = order ? order[k] : k;
        if (shown >= 40) {
            rc = sv_buf_adds(&b, ", \xe2\x80\xa6");
            break;
        }
        rc = sv_buf_addf(&b, "%s%s :", k ? " ; " : "", m->cat_label[c]);
        for (size_t s = 0; s < m->nser && rc == 0; s++) {
            if (box && s != 2)
                continue; /* the median */
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            char num[64];
            if (!cell->present)
                snprintf(num, sizeof num, "%s", fig->lang == SV_LANG_EN ? "n/a" : "n.d.");
            else if (cell->suppressed)
                snprintf(num, sizeof num, "%s", plot_suppressed_word(fig->lang, cell->reason));
            else
                plot_fmt_value(num, sizeof num, cell->est, m->unit, fig->decimals, fig->lang);
            if (m->nser > 1 && !box)
                rc = sv_buf_addf(&b, "%s %s %s", s ? "," : "", m->ser_label[s], num);
            else
                rc = sv_buf_addf(&b, " %s%s", box ? (fig->lang == SV_LANG_EN ? "median " : "médiane ")
                                                  : "",
                                 num);
            shown++;
        }
    }
    free(order);
    if (rc == 0)
        rc = sv_buf_adds(&b, ".");
    if (rc != 0) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, NULL);
}

/* The cells drawn as CSV: category, series, estimate, interval, n, suppressed, reason. */
static char *build_csv(const struct plot_fig *fig)
{
    const struct plot_matrix *m = &fig->m;
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    if (fp == NULL)
        return NULL;
    struct sv_csv_writer w;
    sv_csv_writer_init(&w, fp, SV_CSV_PLAIN);
    static const char *const head[] = {"group",   "group_label", "series", "series_label",
                                       "estimate", "ci_low",     "ci_high", "n",
                                       "unit",    "suppressed",  "reason"};
    sv_csv_row(&w, head, sizeof head / sizeof head[0], SV_CELL_CODE);
    for (size_t c = 0; c < m->ncat; c++) {
        for (size_t s = 0; s < m->nser; s++) {
            const struct plot_cell *cell = plot_matrix_cell(m, c, s);
            char est[40] = "", lo[40] = "", hi[40] = "", n[32] = "";
            bool shown = cell->present && !cell->suppressed;
            if (shown && isfinite(cell->est))
                snprintf(est, sizeof est, "%.17g", cell->est);
            if (shown && isfinite(cell->lo))
                snprintf(lo, sizeof lo, "%.17g", cell->lo);
            if (shown && isfinite(cell->hi))
                snprintf(hi, sizeof hi, "%.17g", cell->hi);
            if (cell->present && cell->n > 0)
                snprintf(n, sizeof n, "%ld", cell->n);
            struct sv_buf t1 = SV_BUF_INIT, t2 = SV_BUF_INIT, t3 = SV_BUF_INIT, t4 = SV_BUF_INIT;
            plot_quote_clean(&t1, m->cat_code[c]);
            plot_quote_clean(&t2, m->cat_label[c]);
            plot_quote_clean(&t3, m->ser_code[s]);
            plot_quote_clean(&t4, m->ser_label[s]);
            sv_csv_cell(&w, t1.data ? t1.data : "", SV_CELL_TEXT);
            sv_csv_cell(&w, t2.data ? t2.data : "", SV_CELL_TEXT);
            sv_csv_cell(&w, t3.data ? t3.data : "", SV_CELL_TEXT);
            sv_csv_cell(&w, t4.data ? t4.data : "", SV_CELL_TEXT);
            sv_csv_cell(&w, est[0] ? est : NULL, SV_CELL_NUMBER);
            sv_csv_cell(&w, lo[0] ? lo : NULL, SV_CELL_NUMBER);
            sv_csv_cell(&w, hi[0] ? hi : NULL, SV_CELL_NUMBER);
            sv_csv_cell(&w, n[0] ? n : NULL, SV_CELL_NUMBER);
            sv_csv_cell(&w, m->unit ? m->unit : "", SV_CELL_TEXT);
            sv_csv_cell(&w, !cell->present ? "" : cell->suppressed ? "1" : "0", SV_CELL_CODE);
            struct sv_buf t5 = SV_BUF_INIT;
            plot_quote_clean(&t5, cell->present && cell->suppressed && cell->reason
                                      ? cell->reason
                                      : !cell->present ? "missing" : "");
            sv_csv_cell(&w, t5.data ? t5.data : "", SV_CELL_TEXT);
            sv_csv_end_record(&w);
            sv_buf_release(&t1);
            sv_buf_release(&t2);
            sv_buf_release(&t3);
            sv_buf_release(&t4);
            sv_buf_release(&t5);
        }
    }
    int status = sv_csv_writer_status(&w);
    if (fclose(fp) != 0 || status != 0) {
        free(text);
        return NULL;
    }
    return text;
}

void plot_caption_release(struct plot_caption *c)
{
    free(c->alt);
    free(c->csv);
    free(c->notices);
    free(c->headline);
    free(c->subtitle);
    free(c->note);
    free(c->source);
    free(c->warnings);
    memset(c, 0, sizeof *c);
}

int plot_figure_build(const struct plot_opts *o, const struct sv_itable *t, const char *source,
                      const char *out_name, const char *data_name, struct sv_buf *script,
                      struct sv_buf *data, struct plot_caption *caption, struct sv_error *err)
{
    struct plot_fig fig;
    struct plot_scene sc;
    int rc;
    memset(&fig, 0, sizeof fig);
    fig.opts = o;
    fig.table = t;
    plot_style_get(&fig.st, o->size);
    fig.lang = o->lang;
    if (!o->lang_given && t->meta.lang && strcmp(t->meta.lang, "en") == 0)
        fig.lang = SV_LANG_EN;
    if (o->nrefs > 0 && (o->kind == PLOT_MAP || o->kind == PLOT_KEYFIGURES))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'%s' has no value axis to draw a reference line on: --ref is for "
                            "bars, grouped, stacked, dumbbell, box and lines",
                            plot_kind_name(o->kind));
    rc = o->kind == PLOT_KEYFIGURES ? plot_keyfigures_select(&fig.m, t, o, source, err)
                                    : plot_data_select(&fig.m, t, o, source, err);
    if (rc != 0)
        return rc;
    /* nothing to draw: say so rather than draw empty axes */
    size_t drawable = 0;
    for (size_t i = 0; i < fig.m.ncat * fig.m.nser; i++)
        drawable += fig.m.cells[i].present && !fig.m.cells[i].suppressed;
    if (drawable == 0) {
        rc = sv_error_set(err, SV_EDATA, source, 0, 0,
                          "every cell of indicator '%s' in this selection is suppressed or "
                          "undefined (%zu cells): nothing to draw",
                          o->indicator ? o->indicator : t->rows[0].indicator,
                          fig.m.ncat * fig.m.nser);
        fig_release(&fig);
        return rc;
    }
    /* shares under 20 %: one decimal, so 5,4 % and 5,0 % do not look equal */
    if (fig.m.unit && (strcmp(fig.m.unit, "share") == 0 || strcmp(fig.m.unit, "rate") == 0 ||
                       strcmp(fig.m.unit, "percent") == 0)) {
        double mx = 0;
        for (size_t i = 0; i < fig.m.ncat * fig.m.nser; i++)
            if (fig.m.cells[i].present && !fig.m.cells[i].suppressed)
                mx = fmax(mx, fabs(fig.m.cells[i].est));
        if (strcmp(fig.m.unit, "percent") == 0)
            mx /= 100;
        fig.decimals = mx > 0 && mx < 0.2 && o->kind != PLOT_STACKED ? 1 : 0;
    }
    fig.headline = o->title                            ? o->title
                   : t->meta.title && t->meta.title[0] ? t->meta.title
                                                       : fig.m.label;
    fig.subtitle = o->subtitle;
    if (fig.subtitle == NULL && o->kind != PLOT_KEYFIGURES && fig.m.label && fig.headline != fig.m.label &&
        strcmp(fig.headline, fig.m.label) != 0)
        fig.subtitle = fig.m.label;
    bool whiskers = o->kind == PLOT_BARS || o->kind == PLOT_GROUPED || o->kind == PLOT_LINES;
    if (whiskers) {
        bool any = false;
        for (size_t i = 0; i < fig.m.ncat * fig.m.nser; i++)
            if (fig.m.cells[i].present && !fig.m.cells[i].suppressed &&
                isfinite(fig.m.cells[i].lo) && isfinite(fig.m.cells[i].hi))
                any = true;
        whiskers = any;
    }
    bool caution = false;
    for (size_t i = 0; i < fig.m.ncat * fig.m.nser; i++)
        caution = caution || plot_cell_caution(&fig.m.cells[i]);
    rc = build_note(&fig, whiskers, caution);
    if (rc == 0)
        rc = build_source(&fig);
    if (rc != 0) {
        fig_release(&fig);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    plot_scene_init(&sc, fig.st.width);
    switch (o->kind) {
    case PLOT_BARS:
        rc = plot_script_bars(&fig, &sc, err);
        break;
    case PLOT_GROUPED:
        rc = plot_script_grouped(&fig, &sc, err);
        break;
    case PLOT_STACKED:
        rc = plot_script_stacked(&fig, &sc, err);
        break;
    case PLOT_DUMBBELL:
        rc = plot_script_dumbbell(&fig, &sc, err);
        break;
    case PLOT_BOX:
        rc = plot_script_box(&fig, &sc, err);
        break;
    case PLOT_LINES:
        rc = plot_script_lines(&fig, &sc, err);
        break;
    case PLOT_MAP:
        rc = plot_script_map(&fig, &sc, err);
        break;
    case PLOT_KEYFIGURES:
        rc = plot_script_keyfigures(&fig, &sc, err);
        break;
    default:
        rc = sv_error_set(err, SV_EUSAGE, NULL, 0, 0, "unknown kind");
        break;
    }
    if (rc == 0 && caution && fig.caution_marks == 0) {
        /* no value drawn with '*' (labels that did not fit): no note about it */
        free(fig.note);
        fig.note = NULL;
        rc = build_note(&fig, whiskers, false);
    }
    if (rc == 0)
        rc = plot_frame_end(&fig, &sc);
    if (rc == 0 && caption != NULL && fig.notices.len > 0)
        rc = notice_add(caption, fig.notices.data);
    if (rc == 0 && caption != NULL) {
        /* characters the font cannot draw: replaced at emission; say so */
        size_t missing = 0;
        unsigned long first = 0;
        for (size_t i = 0; i < sc.n && rc == 0; i++) {
            if (sc.prims[i].type != PLOT_P_TEXT)
                continue;
            struct sv_buf tmp = SV_BUF_INIT, clean = SV_BUF_INIT;
            size_t before = missing;
            rc = plot_quote_clean(&clean, sc.prims[i].text);
            if (rc == 0)
                rc = plot_quote_glyphs(&tmp, clean.data ? clean.data : "", &missing);
            for (const char *q = clean.data; q && *q && before < missing && first == 0;) {
                unsigned long cp = 0;
                size_t len = plot_quote_utf8(q, &cp);
                if (len == 0)
                    break;
                if (!plot_glyph_covered(cp))
                    first = cp;
                q += len;
            }
            sv_buf_release(&tmp);
            sv_buf_release(&clean);
        }
        if (rc == 0 && missing > 0) {
            struct sv_buf nb = SV_BUF_INIT;
            rc = sv_buf_addf(&nb,
                             "%zu character%s the font (" PLOT_FONT
                             ") cannot draw, such as U+%04lX, shown as U+FFFD",
                             missing, missing > 1 ? "s" : "", first);
            if (rc == 0)
                rc = notice_add(caption, nb.data);
            sv_buf_release(&nb);
        }
    }
    if (rc == 0) {
        char comment[512];
        /* no table text in comments: a trailing backslash would continue the line */
        snprintf(comment, sizeof comment, "vigie plot %s, size %s", plot_kind_name(o->kind),
                 plot_size_name(o->size));
        rc = plot_scene_emit(&sc, o->format, out_name, data_name, comment, script, data, err);
    } else if (err != NULL && err->text[0] == '\0') {
        sv_error_set(err, rc, NULL, 0, 0, "out of memory");
    }
    if (rc == 0 && caption != NULL) {
        caption->headline = sv_strdup(fig.headline);
        caption->subtitle = sv_strdup(fig.subtitle);
        caption->note = sv_strdup(fig.note);
        caption->source = sv_strdup(fig.source);
        caption->alt = build_alt(&fig);
        caption->csv = build_csv(&fig);
        if (caption->alt == NULL || caption->csv == NULL)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    plot_scene_release(&sc);
    fig_release(&fig);
    return rc;
}

/* "dir/name.ext" -> "dir/name" + suffix. Caller frees. */
static char *with_suffix(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    struct sv_buf b = SV_BUF_INIT;
    if (sv_buf_add(&b, path, stem) != 0 || sv_buf_adds(&b, suffix) != 0) {
        sv_buf_release(&b);
        return NULL;
    }
    return sv_buf_detach(&b, NULL);
}

/* The file name the script uses: the output's, with unsafe characters replaced. */
static char *script_name_of(const char *path, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    char *base = with_suffix(slash ? slash + 1 : path, suffix);
    if (base == NULL)
        return NULL;
    for (char *p = base; *p; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            *p = '_';
    }
    if (base[0] == '.' || base[0] == '-')
        base[0] = '_';
    return base;
}

static int write_atomic(const char *path, const struct sv_buf *b, struct sv_error *err)
{
    struct sv_atomic_file af;
    memset(&af, 0, sizeof af);
    int rc = sv_atomic_open(&af, path, err);
    if (rc != 0)
        return rc;
    if (fwrite(b->data, 1, b->len, af.fp) != b->len) {
        sv_atomic_abort(&af);
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot write");
    }
    return sv_atomic_commit(&af, err);
}

/* "a – b" or just a. Caller frees. */
static char *join2(const char *a, const char *sep, const char *b)
{
    struct sv_buf x = SV_BUF_INIT;
    int rc = sv_buf_adds(&x, a);
    if (rc == 0 && b != NULL && b[0] != '\0') {
        rc = sv_buf_adds(&x, sep);
        if (rc == 0)
            rc = sv_buf_adds(&x, b);
    }
    if (rc != 0) {
        sv_buf_release(&x);
        return NULL;
    }
    return sv_buf_detach(&x, NULL);
}

int plot_tables_load(struct sv_itable *t, const struct plot_opts *o, struct sv_error *err)
{
    if (o->nmore == 0)
        return sv_itable_load(t, o->table, err);
    if (o->kind == PLOT_KEYFIGURES) {
        /* key figures gather indicators from several tables: rows as they are */
        int rc = sv_itable_load(t, o->table, err);
        for (size_t k = 0; k < o->nmore && rc == 0; k++) {
            struct sv_itable one;
            sv_itable_init(&one);
            rc = sv_itable_load(&one, o->more_tables[k], err);
            for (size_t i = 0; i < one.nrows && rc == 0; i++)
                if (sv_itable_add(t, &one.rows[i]) != 0)
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            /* the sources of every table, each once; n is per figure (in its tile) */
            const char *src = one.meta.source;
            static const char *const prefixes[] = {"Source : ", "Source\xc2\xa0: ", "Source: "};
            for (size_t q = 0; src && q < sizeof prefixes / sizeof prefixes[0]; q++)
                if (strncmp(src, prefixes[q], strlen(prefixes[q])) == 0)
                    src += strlen(prefixes[q]);
            if (rc == 0 && src && src[0] && (t->meta.source == NULL || !strstr(t->meta.source, src))) {
                const char *head = t->meta.source && t->meta.source[0] ? t->meta.source : NULL;
                char *joined = head ? join2(head, " ; ", src) : sv_strdup(src);
                if (joined != NULL && head != NULL && strncmp(joined, "Source : ", 9) == 0) {
                    struct sv_buf pb = SV_BUF_INIT; /* several sources */
                    if (sv_buf_adds(&pb, "Sources : ") == 0 && sv_buf_adds(&pb, joined + 9) == 0) {
                        free(joined);
                        joined = sv_buf_detach(&pb, NULL);
                    } else {
                        sv_buf_release(&pb);
                    }
                }
                if (joined == NULL) {
                    rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                } else {
                    free(t->meta.source);
                    t->meta.source = joined;
                }
            }
            t->meta.n_respondents = 0;
            sv_itable_release(&one);
        }
        return rc;
    }
    const char *paths[PLOT_MAX_TABLES];
    size_t n = 0;
    paths[n++] = o->table;
    for (size_t i = 0; i < o->nmore; i++)
        paths[n++] = o->more_tables[i];
    int rc = 0;
    for (size_t k = 0; k < n && rc == 0; k++) {
        struct sv_itable one;
        sv_itable_init(&one);
        rc = sv_itable_load(&one, paths[k], err);
        char wave[128];
        if (rc == 0) {
            if (one.meta.wave && one.meta.wave[0]) {
                snprintf(wave, sizeof wave, "%s", one.meta.wave);
            } else {
                const char *slash = strrchr(paths[k], '/');
                const char *base = slash ? slash + 1 : paths[k];
                size_t len = strlen(base);
                if (len > 4 && strcmp(base + len - 4, ".csv") == 0)
                    len -= 4;
                snprintf(wave, sizeof wave, "%.*s", (int)len, base);
            }
            wave[strcspn(wave, ";")] = '\0';
        }
        for (size_t i = 0; i < one.nrows && rc == 0; i++) {
            struct sv_irow r = one.rows[i];
            char *by = join2("wave", ";", r.by);
            char *group = join2(wave, ";", r.by[0] ? r.group : NULL);
            char *label = join2(wave, " \xe2\x80\x93 ", r.by[0] ? r.group_label : NULL);
            if (by == NULL || group == NULL || label == NULL)
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            r.by = by;
            r.group = group;
            r.group_label = label;
            if (rc == 0 && sv_itable_add(t, &r) != 0)
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            free(by);
            free(group);
            free(label);
        }
        if (rc == 0 && k + 1 == n) {
            /* the latest wave's metadata: title, source and n of the figure */
            struct sv_imeta tmp = t->meta;
            t->meta = one.meta;
            one.meta = tmp;
        }
        sv_itable_release(&one);
    }
    return rc;
}

int plot_figure_make(const struct plot_opts *o, struct plot_caption *caption, struct sv_error *err)
{
    struct plot_caption own;
    memset(&own, 0, sizeof own);
    bool owned = caption == NULL;
    if (owned)
        caption = &own;
    struct sv_itable t;
    struct sv_buf script = SV_BUF_INIT, data = SV_BUF_INIT;
    char *gp_path = NULL, *dat_path = NULL, *out_name = NULL, *gp_name = NULL, *dat_name = NULL;
    int rc;
    sv_itable_init(&t);
    rc = plot_tables_load(&t, o, err);
    if (rc == 0) {
        gp_path = with_suffix(o->output, ".gp");
        dat_path = with_suffix(o->output, ".dat");
        const char *ext = strrchr(o->output, '.');
        out_name = script_name_of(o->output, ext ? ext : "");
        gp_name = script_name_of(o->output, ".gp");
        dat_name = script_name_of(o->output, ".dat");
        if (!gp_path || !dat_path || !out_name || !gp_name || !dat_name)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (rc == 0)
        rc = plot_figure_build(o, &t, o->table, out_name, dat_name, &script, &data, caption, err);
    if (rc == 0)
        rc = write_atomic(gp_path, &script, err);
    if (rc == 0)
        rc = write_atomic(dat_path, &data, err);
    if (rc == 0 && !o->script_only) {
        struct plot_run run = {NULL, o->timeout, caption->headline, NULL};
        struct sv_buf desc = SV_BUF_INIT;
        const char *parts[3] = {caption->subtitle, caption->note, caption->source};
        for (int k = 0; k < 3; k++)
            if (parts[k] && parts[k][0])
                sv_buf_addf(&desc, "%s%s", desc.len ? " " : "", parts[k]);
        run.desc = desc.data;
        struct sv_buf warn = SV_BUF_INIT;
        rc = plot_run_render(&run, script.data, data.data, gp_name, dat_name, out_name, o->format,
                             o->output, &warn, err);
        if (warn.len > 0) {
            free(caption->warnings);
            caption->warnings = sv_buf_detach(&warn, NULL);
        }
        sv_buf_release(&warn);
        sv_buf_release(&desc);
    }
    free(gp_path);
    free(dat_path);
    free(out_name);
    free(gp_name);
    free(dat_name);
    sv_buf_release(&script);
    sv_buf_release(&data);
    sv_itable_release(&t);
    if (owned)
        plot_caption_release(&own);
    return rc;
}
