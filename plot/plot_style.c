/*
 * plot_style: the house style. One font (DejaVu Sans, installed by
 * fonts-dejavu-core: it has the French accents, U+202F and U+2026), three
 * page sizes, and colour-blind-safe palettes: Okabe-Ito for categories,
 * a single-hue blue ramp (ColorBrewer "Blues") for the map and a blue/orange
 * diverging scale (ColorBrewer "PuOr"-like) for Likert items.
 */
#include "plot.h"

void plot_style_get(struct plot_style *st, enum plot_size size)
{
    switch (size) {
    case PLOT_SIZE_COLUMN: /* A4 column: 8.5 cm */
        st->width = 241.0;
        st->height = 0;
        st->pad = 6.0;
        st->font = 7.0;
        st->headline = 9.0;
        st->small = 6.0;
        st->row = 14.0;
        st->line = 0.6;
        break;
    case PLOT_SIZE_FULL: /* A4 text width: 17 cm */
        st->width = 482.0;
        st->height = 0;
        st->pad = 8.0;
        st->font = 8.5;
        st->headline = 12.0;
        st->small = 7.0;
        st->row = 17.0;
        st->line = 0.75;
        break;
    case PLOT_SIZE_SLIDE: /* 16:9 slide, 10 in x 5.625 in */
    default:
        st->width = 720.0;
        st->height = 405.0;
        st->pad = 14.0;
        st->font = 12.0;
        st->headline = 18.0;
        st->small = 9.5;
        st->row = 24.0;
        st->line = 1.0;
        break;
    }
}

/* Okabe & Ito (2008), "Color Universal Design", without black and yellow first. */
static const uint32_t okabe_ito[] = {0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7,
                                     0x56b4e9, 0xd55e00, 0xf0e442, 0x000000};

uint32_t plot_palette(size_t i)
{
    return okabe_ito[i % (sizeof okabe_ito / sizeof okabe_ito[0])];
}

/* ColorBrewer Blues, 6 steps from light to dark. */
static const uint32_t blues[] = {0xdeebf7, 0xc6dbef, 0x9ecae1, 0x6baed6, 0x3182bd, 0x08519c};

uint32_t plot_palette_seq(size_t i, size_t n)
{
    if (n <= 1)
        return blues[3];
    if (n > 6)
        n = 6;
    if (i >= n)
        i = n - 1;
    /* spread n classes over the 6 steps, keeping the darkest */
    size_t idx = (i * 5 + (n - 1) / 2) / (n - 1);
    if (n < 6)
        idx = 6 - n + i;
    return blues[idx];
}

/* Orange (disagree) to blue (agree): distinguishable under all common CVDs. */
static const uint32_t div7[] = {0xb35806, 0xe08214, 0xfdb863, 0xd9d9d9,
                                0x9ecae1, 0x4292c6, 0x08519c};

uint32_t plot_palette_div(size_t i, size_t k)
{
    if (k == 0)
        return div7[3];
    if (k > 7)
        k = 7;
    if (i >= k)
        i = k - 1;
    /* pick k of the 7 steps symmetrically */
    static const int pick[8][7] = {{0},
                                   {3},
                                   {1, 5},
                                   {1, 3, 5},
                                   {0, 2, 4, 6},
                                   {0, 2, 3, 4, 6},
                                   {0, 1, 2, 4, 5, 6},
                                   {0, 1, 2, 3, 4, 5, 6}};
    return div7[pick[k][i]];
}

uint32_t plot_text_on(uint32_t fill)
{
    double r = (fill >> 16) & 0xff, g = (fill >> 8) & 0xff, b = fill & 0xff;
    double lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    return lum < 140 ? PLOT_C_WHITE : PLOT_C_TEXT;
}
