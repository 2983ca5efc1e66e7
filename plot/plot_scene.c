/*
 * plot_scene: a list of drawing primitives in page coordinates (points,
 * y downwards), and their translation into a gnuplot script plus a data file.
 *
 * The script draws on one plot whose axes span the page exactly (x 0..width,
 * y 0..height), so every position is decided in C and the output does not
 * depend on gnuplot's autoscaling. Rectangles, segments and dots go to the
 * data file (numbers only), grouped in index blocks by style; texts become
 * 'set label' commands with single-quoted noenhanced literals (plot_quote).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

void plot_scene_init(struct plot_scene *sc, double width)
{
    memset(sc, 0, sizeof *sc);
    sc->width = width;
}

void plot_scene_release(struct plot_scene *sc)
{
    for (size_t i = 0; i < sc->n; i++)
        free(sc->prims[i].text);
    free(sc->prims);
    memset(sc, 0, sizeof *sc);
}

static struct plot_prim *push(struct plot_scene *sc)
{
    if (sc->n == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 64;
        struct plot_prim *p = realloc(sc->prims, cap * sizeof *p);
        if (p == NULL)
            return NULL;
        sc->prims = p;
        sc->cap = cap;
    }
    struct plot_prim *p = &sc->prims[sc->n++];
    memset(p, 0, sizeof *p);
    return p;
}

int plot_scene_rect(struct plot_scene *sc, double x0, double y0, double x1, double y1,
                    uint32_t fill, int pattern)
{
    struct plot_prim *p = push(sc);
    if (p == NULL)
        return SV_ENOMEM;
    p->type = PLOT_P_RECT;
    p->x0 = fmin(x0, x1);
    p->x1 = fmax(x0, x1);
    p->y0 = fmin(y0, y1);
    p->y1 = fmax(y0, y1);
    p->colour = fill;
    p->pattern = pattern;
    return 0;
}

int plot_scene_seg(struct plot_scene *sc, double x0, double y0, double x1, double y1,
                   uint32_t colour, double width, bool dashed)
{
    struct plot_prim *p = push(sc);
    if (p == NULL)
        return SV_ENOMEM;
    p->type = PLOT_P_SEG;
    p->x0 = x0;
    p->y0 = y0;
    p->x1 = x1;
    p->y1 = y1;
    p->colour = colour;
    p->width = width;
    p->dashed = dashed;
    return 0;
}

int plot_scene_dot(struct plot_scene *sc, double x, double y, double radius, uint32_t colour)
{
    struct plot_prim *p = push(sc);
    if (p == NULL)
        return SV_ENOMEM;
    p->type = PLOT_P_DOT;
    p->x0 = x;
    p->y0 = y;
    p->x1 = radius;
    p->colour = colour;
    return 0;
}

int plot_scene_text(struct plot_scene *sc, double x, double y, const char *text, double size,
                    bool bold, enum plot_align align, uint32_t colour)
{
    char *copy = sv_strdup(text ? text : "");
    if (copy == NULL)
        return SV_ENOMEM;
    struct plot_prim *p = push(sc);
    if (p == NULL) {
        free(copy);
        return SV_ENOMEM;
    }
    p->type = PLOT_P_TEXT;
    p->x0 = x;
    p->y0 = y;
    p->width = size;
    p->bold = bold;
    p->align = align;
    p->colour = colour;
    p->text = copy;
    return 0;
}

/* Two primitives share a data block when they are drawn with the same plot element. */
static bool same_layer(const struct plot_prim *a, const struct plot_prim *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case PLOT_P_RECT:
        return a->pattern == b->pattern;
    case PLOT_P_SEG:
        return a->width == b->width && a->dashed == b->dashed;
    case PLOT_P_DOT:
        return true;
    case PLOT_P_TEXT:
        return true;
    }
    return false;
}

/* Multipliers from points to the terminal's units for line widths and fonts. */
struct term_scale {
    double lw; /* gnuplot lw per pt */
};

static int emit_terminal(struct sv_buf *s, const struct plot_scene *sc, enum plot_format fmt,
                         struct term_scale *ts)
{
    int rc = 0;
    double w = ceil(sc->width), h = ceil(sc->height);
    switch (fmt) {
    case PLOT_FMT_SVG:
        /* 1 unit = 1 pt; plot_run adds the 'pt' unit to width/height */
        ts->lw = 1.0;
        rc = sv_buf_addf(s,
                         "set terminal svg size %.0f,%.0f fixed font '" PLOT_FONT
                         ",9' fontscale 1 linewidth 1 butt noenhanced background '#ffffff'\n",
                         w, h);
        break;
    case PLOT_FMT_PDF:
        /*
         * pdfcairo draws lw 1 as 0.5 pt, and its text 4/3 larger than the
         * nominal size (measured): fontscale 0.75 gives true points
         */
        ts->lw = 2.0;
        rc = sv_buf_addf(s,
                         "set terminal pdfcairo size %.4fin,%.4fin font '" PLOT_FONT
                         ",9' fontscale 0.75 linewidth 1 butt noenhanced background '#ffffff'\n",
                         w / 72.0, h / 72.0);
        break;
    case PLOT_FMT_PNG:
        /*
         * 300 dpi: pixels computed here. pngcairo draws lw 1 as 1 px and
         * text 4/3 larger than nominal at 72 dpi (measured): scale both
         */
        ts->lw = 300.0 / 72.0;
        rc = sv_buf_addf(s,
                         "set terminal pngcairo size %.0f,%.0f font '" PLOT_FONT
                         ",9' fontscale %.6f linewidth 1 butt noenhanced background '#ffffff'\n",
                         ceil(w * 300.0 / 72.0), ceil(h * 300.0 / 72.0), 0.75 * 300.0 / 72.0);
        break;
    }
    return rc;
}

static int emit_label(struct sv_buf *s, const struct plot_prim *p, double height, long id)
{
    static const char *const just[] = {"left", "center", "right"};
    /* cleaned, French apostrophes, glyphs the font lacks replaced; then quoted */
    struct sv_buf clean = SV_BUF_INIT, typo = SV_BUF_INIT, drawn = SV_BUF_INIT;
    int rc = plot_quote_clean(&clean, p->text);
    if (rc == 0)
        rc = plot_quote_typography(&typo, clean.data ? clean.data : "");
    if (rc == 0)
        rc = plot_quote_glyphs(&drawn, typo.data ? typo.data : "", NULL);
    if (rc == 0)
        rc = sv_buf_addf(s, "set label %ld ", id);
    if (rc == 0)
        rc = plot_quote_literal(s, drawn.data ? drawn.data : "");
    sv_buf_release(&clean);
    sv_buf_release(&typo);
    sv_buf_release(&drawn);
    if (rc == 0)
        rc =
            sv_buf_addf(s,
                        " at %.2f,%.2f %s font '%s,%.2f' textcolor rgb '#%06x' noenhanced "
                        "front\n",
                        p->x0, height - p->y0, just[p->align], p->bold ? PLOT_FONT_BOLD : PLOT_FONT,
                        p->width, (unsigned)(p->colour & 0xffffffU));
    return rc;
}

static int emit_data_row(struct sv_buf *d, const struct plot_prim *p, double height)
{
    unsigned c = (unsigned)(p->colour & 0xffffffU);
    switch (p->type) {
    case PLOT_P_RECT: {
        double cx = (p->x0 + p->x1) / 2, cy = height - (p->y0 + p->y1) / 2;
        return sv_buf_addf(d, "%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%u\n", cx, cy, p->x0, p->x1,
                           height - p->y1, height - p->y0, c);
    }
    case PLOT_P_SEG:
        return sv_buf_addf(d, "%.2f\t%.2f\t%.2f\t%.2f\t%u\n", p->x0, height - p->y0, p->x1 - p->x0,
                           -(p->y1 - p->y0), c);
    case PLOT_P_DOT:
        return sv_buf_addf(d, "%.2f\t%.2f\t%.2f\t%u\n", p->x0, height - p->y0, p->x1, c);
    case PLOT_P_TEXT:
        break;
    }
    return 0;
}

static int emit_element(struct sv_buf *s, const struct plot_prim *p, const char *data_name,
                        long index, const struct term_scale *ts, bool first)
{
    int rc = sv_buf_adds(s, first ? "plot " : ", \\\n     ");
    if (rc == 0)
        rc = sv_buf_addf(s, "'%s' index %ld ", data_name, index);
    if (rc != 0)
        return rc;
    switch (p->type) {
    case PLOT_P_RECT:
        if (p->pattern == 0)
            return sv_buf_adds(s, "using 1:2:3:4:5:6:7 with boxxyerror fs solid 1.0 noborder "
                                  "lc rgb variable notitle");
        return sv_buf_addf(s,
                           "using 1:2:3:4:5:6:7 with boxxyerror fs transparent pattern %d "
                           "noborder lc rgb variable notitle",
                           p->pattern);
    case PLOT_P_SEG:
        return sv_buf_addf(s,
                           "using 1:2:3:4:5 with vectors nohead lw %.3f dt %d lc rgb variable "
                           "notitle",
                           p->width * ts->lw, p->dashed ? 2 : 1);
    case PLOT_P_DOT:
        return sv_buf_adds(s, "using 1:2:3:4 with circles fs solid 1.0 noborder lc rgb variable "
                              "notitle");
    case PLOT_P_TEXT:
        break;
    }
    return 0;
}

int plot_scene_emit(const struct plot_scene *sc, enum plot_format fmt, const char *out_name,
                    const char *data_name, const char *comment, struct sv_buf *script,
                    struct sv_buf *data, struct sv_error *err)
{
    struct term_scale ts = {1.0};
    int rc;
    if (!plot_quote_safe_name(out_name) || !plot_quote_safe_name(data_name))
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "output file name must be plain letters, digits, '.', '_' or '-'");
    /* a value too large for the layout would write 'nan' into the script */
    if (!isfinite(sc->width) || !isfinite(sc->height))
        return sv_error_set(err, SV_EDATA, NULL, 0, 0, "the figure has no finite size");
    for (size_t i = 0; i < sc->n; i++) {
        const struct plot_prim *p = &sc->prims[i];
        if (!isfinite(p->x0) || !isfinite(p->y0) || !isfinite(p->x1) || !isfinite(p->y1) ||
            !isfinite(p->width))
            return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                                "a value cannot be placed on the chart (too large or not a "
                                "number)");
    }
    rc = sv_buf_adds(script, "# ");
    if (rc == 0)
        rc = plot_quote_clean(script, comment ? comment : "figure");
    if (rc == 0)
        rc = sv_buf_adds(script, "\n# Generated by vigie plot; the data file holds numbers only.\n"
                                 "set encoding utf8\n");
    if (rc == 0)
        rc = emit_terminal(script, sc, fmt, &ts);
    if (rc == 0)
        rc = sv_buf_addf(script,
                         "set output '%s'\n"
                         "set datafile separator \"\\t\"\n"
                         "set termoption noenhanced\n"
                         "unset border\nunset tics\nunset key\nunset title\n"
                         "set lmargin at screen 0\nset rmargin at screen 1\n"
                         "set tmargin at screen 1\nset bmargin at screen 0\n"
                         "set xrange [0:%.2f]\nset yrange [0:%.2f]\n",
                         out_name, sc->width, sc->height);
    long label_id = 0;
    for (size_t i = 0; i < sc->n && rc == 0; i++)
        if (sc->prims[i].type == PLOT_P_TEXT)
            rc = emit_label(script, &sc->prims[i], sc->height, ++label_id);

    /* data blocks, in drawing order */
    long index = 0;
    bool first = true;
    size_t i = 0;
    while (i < sc->n && rc == 0) {
        const struct plot_prim *p = &sc->prims[i];
        if (p->type == PLOT_P_TEXT) {
            i++;
            continue;
        }
        if (index > 0)
            rc = sv_buf_adds(data, "\n\n");
        size_t j = i;
        while (rc == 0 && j < sc->n &&
               (sc->prims[j].type == PLOT_P_TEXT || same_layer(&sc->prims[j], p))) {
            rc = emit_data_row(data, &sc->prims[j], sc->height);
            j++;
        }
        if (rc == 0)
            rc = emit_element(script, p, data_name, index, &ts, first);
        first = false;
        index++;
        i = j;
    }
    if (rc == 0)
        rc = sv_buf_adds(script, first ? "plot NaN notitle\n" : "\n");
    if (rc == 0)
        rc = sv_buf_adds(script, "unset output\n");
    if (rc != 0)
        return sv_error_set(err, rc, NULL, 0, 0, "out of memory");
    return 0;
}
