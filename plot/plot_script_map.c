/*
 * plot_script_map: a tile-grid map of the 18 French regions (INSEE codes
 * since 2016), metropolitan and overseas, each tile coloured by class of
 * value (ColorBrewer Blues) with its abbreviation and value; a legend with
 * the class bounds under it. No boundary data is needed and every region
 * stays readable at column width, including the small ones (Corse, overseas).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

struct tile {
    const char *code;
    const char *abbr;
    int col, row; /* grid position; row 4 is overseas */
};

/* A rough geography: north at the top, overseas regions on their own row. */
static const struct tile tiles[] = {
    {"28", "NOR", 1, 0}, {"32", "HDF", 2, 0}, {"53", "BRE", 0, 1}, {"52", "PDL", 1, 1},
    {"11", "IDF", 2, 1}, {"44", "GES", 3, 1}, {"75", "NAQ", 1, 2}, {"24", "CVL", 2, 2},
    {"27", "BFC", 3, 2}, {"76", "OCC", 1, 3}, {"84", "ARA", 2, 3}, {"93", "PACA", 3, 3},
    {"94", "COR", 4, 3}, {"01", "GUA", 0, 4}, {"02", "MTQ", 1, 4}, {"03", "GUY", 2, 4},
    {"04", "LRE", 3, 4}, {"06", "MAY", 4, 4},
};
#define NTILES (sizeof tiles / sizeof tiles[0])

int plot_script_map(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err)
{
    const struct plot_matrix *m = &fig->m;
    const struct plot_style *st = &fig->st;
    int rc = 0;
    if (m->nser != 1)
        return sv_error_set(err, SV_EUSAGE, NULL, 0, 0,
                            "'map' shows one series, the selection has %zu", m->nser);
    size_t matched = 0;
    for (size_t c = 0; c < m->ncat; c++)
        for (size_t t = 0; t < NTILES; t++)
            if (strcmp(m->cat_code[c], tiles[t].code) == 0)
                matched++;
    if (matched == 0)
        return sv_error_set(err, SV_EDATA, NULL, 0, 0,
                            "'map' needs rows grouped by region (INSEE codes such as '11', '84'), "
                            "none found");
    /* groups that are not one of the 18 tiles: not drawn, and said so */
    struct sv_buf off = SV_BUF_INIT;
    size_t noff = 0;
    for (size_t c = 0; c < m->ncat && rc == 0; c++) {
        bool on = false;
        for (size_t t = 0; t < NTILES && !on; t++)
            on = strcmp(m->cat_code[c], tiles[t].code) == 0;
        if (on)
            continue;
        if (noff < 8)
            rc = sv_buf_addf(&off, "%s'%s'", noff ? ", " : "", m->cat_code[c]);
        noff++;
    }
    if (rc == 0 && noff > 0)
        rc = plot_fig_notice(fig, "map: %zu group%s not among the 18 region codes, not drawn: %s%s",
                             noff, noff > 1 ? "s" : "", off.data, noff > 8 ? ", ..." : "");
    sv_buf_release(&off);
    if (rc != 0)
        return rc;
    double lo = INFINITY, hi = -INFINITY;
    bool any_suppressed = false, any_missing = false;
    for (size_t c = 0; c < m->ncat; c++) {
        const struct plot_cell *cell = plot_matrix_cell(m, c, 0);
        if (!cell->present || cell->suppressed)
            continue;
        lo = fmin(lo, cell->est);
        hi = fmax(hi, cell->est);
    }
    if (!isfinite(lo)) {
        lo = 0;
        hi = 1;
    }
    double bounds[12];
    size_t nb = plot_nice_ticks(lo, hi, 4, bounds);
    if (nb < 2) {
        bounds[0] = lo;
        bounds[1] = hi;
        nb = 2;
    }
    size_t ncls = nb - 1;
    /* cell lookup per tile */
    const struct plot_cell *cells[NTILES];
    for (size_t t = 0; t < NTILES; t++) {
        cells[t] = NULL;
        for (size_t c = 0; c < m->ncat; c++)
            if (strcmp(m->cat_code[c], tiles[t].code) == 0)
                cells[t] = plot_matrix_cell(m, c, 0);
        if (cells[t] == NULL || !cells[t]->present)
            any_missing = true;
        else if (cells[t]->suppressed)
            any_suppressed = true;
    }
    double cw = st->width - 2 * st->pad;
    double tile = fmin(cw / 5.0, st->row * 3.4);
    double legend_h = st->small * 4.2;
    double map_h = tile * 5.3;
    rc = plot_frame_begin(fig, sc, map_h + legend_h);
    if (rc != 0)
        return rc;
    if (fig->cy1 - fig->cy0 < map_h + legend_h) { /* fixed-height page: shrink the tiles */
        tile = (fig->cy1 - fig->cy0 - legend_h) / 5.3;
        map_h = tile * 5.3;
    }
    double gx = fig->cx0 + (cw - tile * 5) / 2, gy = fig->cy0;
    double gap = tile * 0.06;
    for (size_t t = 0; t < NTILES && rc == 0; t++) {
        double x = gx + tiles[t].col * tile;
        double y = gy + tiles[t].row * tile + (tiles[t].row >= 4 ? tile * 0.3 : 0);
        const struct plot_cell *cell = cells[t];
        uint32_t fill, ink;
        char val[64] = "";
        if (cell == NULL || !cell->present) {
            fill = 0xf2f2f2;
            ink = PLOT_C_MUTED;
            snprintf(val, sizeof val, "%s", fig->lang == SV_LANG_EN ? "n/a" : "n.d.");
            rc = plot_scene_rect(sc, x + gap, y + gap, x + tile - gap, y + tile - gap, fill, 0);
        } else if (cell->suppressed) {
            fill = 0xe6e6e6;
            ink = PLOT_C_TEXT;
            rc = plot_scene_rect(sc, x + gap, y + gap, x + tile - gap, y + tile - gap, fill, 0);
            if (rc == 0)
                rc = plot_scene_rect(sc, x + gap, y + gap, x + tile - gap, y + tile - gap,
                                     PLOT_C_SUPPRESSED, 4);
        } else {
            size_t k = 0;
            while (k + 1 < ncls && cell->est >= bounds[k + 1])
                k++;
            fill = plot_palette_seq(k, ncls);
            ink = plot_text_on(fill);
            plot_value_text(fig, cell, val, sizeof val);
            rc = plot_scene_rect(sc, x + gap, y + gap, x + tile - gap, y + tile - gap, fill, 0);
        }
        double fs = fmin(st->font, tile * 0.22);
        if (rc == 0)
            rc = plot_scene_text(sc, x + tile / 2, y + tile * (val[0] ? 0.36 : 0.5), tiles[t].abbr,
                                 fs, true, PLOT_CENTRE, ink);
        if (rc == 0 && val[0])
            rc = plot_scene_text(sc, x + tile / 2, y + tile * 0.66, val, fs, false, PLOT_CENTRE,
                                 ink);
    }
    /* legend: adjacent swatches with the class bounds under them */
    double ly = gy + map_h + st->small * 0.8;
    double sw = fmin(cw * 0.6 / (double)ncls, tile);
    double lx = fig->cx0;
    double sh = st->small * 1.1;
    for (size_t k = 0; k < ncls && rc == 0; k++)
        rc = plot_scene_rect(sc, lx + k * sw, ly, lx + (k + 1) * sw, ly + sh,
                             plot_palette_seq(k, ncls), 0);
    for (size_t k = 0; k < nb && rc == 0; k++) {
        char buf[64];
        plot_fmt_value(buf, sizeof buf, bounds[k], m->unit, fig->decimals, fig->lang);
        rc = plot_scene_seg(sc, lx + k * sw, ly, lx + k * sw, ly + sh + st->small * 0.3,
                            PLOT_C_AXIS, st->line * 0.6, false);
        if (rc == 0)
            rc = plot_scene_text(sc, lx + k * sw, ly + sh + st->small * 0.9, buf, st->small, false,
                                 k == 0        ? PLOT_LEFT
                                 : k == nb - 1 ? PLOT_RIGHT
                                               : PLOT_CENTRE,
                                 PLOT_C_MUTED);
    }
    /* extra entries beside the scale, or on a row under it when they do not fit */
    double ex = lx + ncls * sw + st->small * 1.5, ey = ly;
    const char *words[2] = {
        any_suppressed ? plot_suppressed_word(fig->lang, NULL) : NULL,
        any_missing ? (fig->lang == SV_LANG_EN ? "n/a: no data" : "n.d. : non disponible") : NULL};
    for (int e = 0; e < 2 && rc == 0; e++) {
        if (words[e] == NULL)
            continue;
        double need = sh + st->small * 0.4 + plot_text_width(words[e], st->small, false);
        if (ex + need > fig->cx1) {
            ex = lx;
            ey = ey == ly ? ly + sh + st->small * 2.0 : ey + sh + st->small * 0.6;
        }
        rc = plot_scene_rect(sc, ex, ey, ex + sh, ey + sh, e == 0 ? 0xe6e6e6 : 0xf2f2f2, 0);
        if (rc == 0 && e == 0)
            rc = plot_scene_rect(sc, ex, ey, ex + sh, ey + sh, PLOT_C_SUPPRESSED, 4);
        if (rc == 0)
            rc = plot_scene_text(sc, ex + sh + st->small * 0.4, ey + sh / 2, words[e], st->small,
                                 false, PLOT_LEFT, PLOT_C_MUTED);
        ex += need + st->small * 1.2;
    }
    if (ey > ly)
        fig->cy1 = fmax(fig->cy1, ey + sh + st->small * 0.4);
    fig->cy1 = fmax(fig->cy1, ly + sh + st->small * 1.6);
    return rc;
}
