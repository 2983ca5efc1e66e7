/*
 * plot: internal interfaces of the plot tool (plot_lib).
 *
 * The pipeline is: options (plot_opts) -> indicator table (core sv_itable)
 * -> a matrix of cells selected for the chart (plot_data) -> a scene of
 * primitives in page coordinates (points, y down) drawn by one chart kind
 * (plot_script_<kind>.c) inside a frame (headline, subtitle, note, source;
 * plot_frame.c) -> gnuplot script and data file text (plot_scene.c) ->
 * gnuplot run in a clean directory (plot_run.c).
 *
 * Everything up to the script text is pure and deterministic. Untrusted text
 * (labels, titles, notes) reaches the script only through plot_quote.c, as
 * single-quoted 'noenhanced' literals; the data file holds numbers only.
 */
#ifndef PLOT_H
#define PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "sv_buf.h"
#include "sv_error.h"
#include "sv_itable.h"
#include "sv_survey.h"

/* ---- options (plot_opts.c) ---- */

enum plot_kind {
    PLOT_BARS = 0,
    PLOT_GROUPED,
    PLOT_STACKED,
    PLOT_DUMBBELL,
    PLOT_BOX,
    PLOT_LINES,
    PLOT_MAP,
    PLOT_KEYFIGURES,
    PLOT_KIND_COUNT
};
enum plot_size { PLOT_SIZE_COLUMN = 0, PLOT_SIZE_FULL, PLOT_SIZE_SLIDE };
enum plot_format { PLOT_FMT_SVG = 0, PLOT_FMT_PDF, PLOT_FMT_PNG };

#define PLOT_MAX_TABLES 12
#define PLOT_MAX_REFS 4

/* Strings are owned (plot_opts_release frees them). NULL = not given. */
struct plot_opts {
    enum plot_kind kind;
    char *table;
    /* --table given again: earlier waves; all the tables are merged with a
       grouping variable "wave" (from each table's metadata) */
    char *more_tables[PLOT_MAX_TABLES - 1];
    size_t nmore;
    char *indicator; /* one name, or a ','-list whose items become the series */
    char *by;
    char *series;
    char *series_codes; /* ','-list: keep only these series, in this order */
    char *groups;       /* ','-list: keep only these categories (codes, "a;b" for pairs) */
    char *title;
    char *subtitle;
    char *note;
    char *source;
    enum plot_size size;
    enum sv_lang lang;
    bool lang_given;
    bool script_only;
    bool diverging;
    char *output;
    enum plot_format format;
    long timeout; /* seconds for gnuplot */
    /* reference lines "VALUE:LABEL" (--ref), e.g. "1801.80:SMIC" */
    char *refs[PLOT_MAX_REFS];
    size_t nrefs;
};

void plot_opts_init(struct plot_opts *o);
void plot_opts_release(struct plot_opts *o);
/* Replace *slot by a copy of value. Returns 0 or SV_ENOMEM. */
int plot_opts_set(char **slot, const char *value);
/* Add a table: the first goes to o->table, the next ones to more_tables. 0, SV_EUSAGE or SV_ENOMEM.
 */
int plot_opts_add_table(struct plot_opts *o, const char *path);
/* Add a reference line "VALUE:LABEL" (checked). 0, SV_EUSAGE (bad or too many) or SV_ENOMEM. */
int plot_opts_add_ref(struct plot_opts *o, const char *spec);
/* Split "VALUE:LABEL": value in C notation, finite; *label points into spec ("" if none). */
int plot_ref_parse(const char *spec, double *value, const char **label);
int plot_kind_parse(const char *s, enum plot_kind *out);
const char *plot_kind_name(enum plot_kind k);
int plot_size_parse(const char *s, enum plot_size *out);
const char *plot_size_name(enum plot_size s);
/* Format from the output file's extension (.svg, .pdf, .png; case-insensitive). */
int plot_format_from_path(const char *path, enum plot_format *out);
const char *plot_format_ext(enum plot_format f);

/* ---- house style (plot_style.c) ---- */

struct plot_style {
    double width;    /* page width, pt */
    double height;   /* fixed page height, pt; 0 = grows with the content */
    double pad;      /* outer padding, pt */
    double font;     /* body text, pt */
    double headline; /* headline text, pt */
    double small;    /* notes and source, pt */
    double row;      /* height of one bar row, pt */
    double line;     /* standard line width, pt */
};

#define PLOT_FONT "DejaVu Sans"
#define PLOT_FONT_BOLD "DejaVu Sans:Bold"

/* Colours as 0xRRGGBB. */
#define PLOT_C_TEXT 0x1a1a1aU
#define PLOT_C_MUTED 0x595959U
#define PLOT_C_GRID 0xdcdcdcU
#define PLOT_C_AXIS 0x8c8c8cU
#define PLOT_C_SUPPRESSED 0x9e9e9eU
#define PLOT_C_WHISKER 0x333333U
#define PLOT_C_WHITE 0xffffffU

void plot_style_get(struct plot_style *st, enum plot_size size);
/* Okabe-Ito categorical colour i (cycles). */
uint32_t plot_palette(size_t i);
/* The sequential palette of the map, class i of n (n <= 6), light to dark. */
uint32_t plot_palette_seq(size_t i, size_t n);
/* The diverging palette for k ordered levels (k <= 7), level i. */
uint32_t plot_palette_div(size_t i, size_t k);
/* Text colour readable on `fill` (black or white). */
uint32_t plot_text_on(uint32_t fill);

/* ---- quoting of untrusted text (plot_quote.c): the only place that does it ---- */

/*
 * Clean `s` for display: invalid UTF-8 bytes become U+FFFD, control
 * characters (C0 incl. TAB/CR/LF, DEL, C1, U+2028/U+2029) become a space,
 * noncharacters (U+FFFE, U+FFFF, U+FDD0..) become U+FFFD, bidirectional
 * controls (U+202A..E, U+2066..9, LRM, RLM, ALM) are dropped.
 * Appends to `out`. Returns 0 or SV_ENOMEM.
 */
int plot_quote_clean(struct sv_buf *out, const char *s);
/*
 * Append `s` as a gnuplot string expression made of single-quoted literals:
 * cleaned as above, each ' written as "\047" joined with '.' ('it'."\047".'s').
 * Inside single quotes gnuplot performs no backquote substitution, no @macro
 * expansion and no backslash processing. The caller must also mark the
 * element 'noenhanced'.
 */
int plot_quote_literal(struct sv_buf *out, const char *s);
/* Append `s` cleaned as above and XML/HTML-escaped (& < > " '). */
int plot_quote_xml(struct sv_buf *out, const char *s);
/*
 * Append cleaned `s` with every character DejaVu Sans (regular and bold)
 * cannot draw replaced by U+FFFD (emoji joiners and variation selectors
 * dropped); *missing (may be NULL) is increased by their number.
 */
int plot_quote_glyphs(struct sv_buf *out, const char *s, size_t *missing);
/* Append cleaned `s` with French typography: a straight apostrophe between letters becomes ’. */
int plot_quote_typography(struct sv_buf *out, const char *s);
/*
 * Append `s` for a one-line terminal message: C0 controls, DEL and invalid
 * bytes as \xHH, C1 controls, line separators, bidi controls and
 * noncharacters as \uHHHH, a backslash doubled. Nothing reaches the terminal raw.
 */
int plot_quote_message(struct sv_buf *out, const char *s);
/* Bidirectional control (embedding, override, isolate, mark). */
bool plot_quote_is_bidi(unsigned long cp);
/* Length of the valid UTF-8 sequence at s and its code point, or 0 when invalid. */
size_t plot_quote_utf8(const char *s, unsigned long *cp);
/* True if DejaVu Sans, regular and bold, draws `cp` (plot_glyphs.c, generated). */
bool plot_glyph_covered(unsigned long cp);
/* True if `name` is a plain file name safe to embed in a script: [A-Za-z0-9._-]+, no leading '.' or
 * '-'. */
bool plot_quote_safe_name(const char *name);

/* ---- text measurement and wrapping (plot_text.c) ---- */

/* Estimated advance width of UTF-8 `s` in DejaVu Sans at `size` pt. */
double plot_text_width(const char *s, double size, bool bold);
/*
 * Break `s` into at most `max_lines` lines no wider than `width`; a longer
 * text ends with "…". Returns the number of lines, or a negative SV_E*.
 * Caller frees lines[i] and *lines.
 */
int plot_text_wrap(char ***lines, const char *s, double width, double size, bool bold,
                   size_t max_lines);
void plot_text_lines_free(char **lines, size_t n);

/* ---- scene (plot_scene.c) ---- */

enum plot_align { PLOT_LEFT = 0, PLOT_CENTRE, PLOT_RIGHT };

enum plot_prim_type { PLOT_P_RECT, PLOT_P_SEG, PLOT_P_DOT, PLOT_P_TEXT };

struct plot_prim {
    enum plot_prim_type type;
    double x0, y0, x1, y1; /* rect corners / segment ends / dot centre (x0,y0) and radius x1 */
    uint32_t colour;
    int pattern;           /* rect: 0 solid, else a gnuplot fill pattern number */
    double width;          /* seg: line width pt; text: font size pt */
    bool dashed;           /* seg */
    bool bold;             /* text */
    enum plot_align align; /* text */
    char *text;            /* text: owned, uncleaned (quoted at emission) */
};

struct plot_scene {
    double width, height; /* pt; y grows downwards */
    struct plot_prim *prims;
    size_t n, cap;
};

void plot_scene_init(struct plot_scene *sc, double width);
void plot_scene_release(struct plot_scene *sc);
int plot_scene_rect(struct plot_scene *sc, double x0, double y0, double x1, double y1,
                    uint32_t fill, int pattern);
int plot_scene_seg(struct plot_scene *sc, double x0, double y0, double x1, double y1,
                   uint32_t colour, double width, bool dashed);
int plot_scene_dot(struct plot_scene *sc, double x, double y, double radius, uint32_t colour);
/* y is the vertical centre of the text line. */
int plot_scene_text(struct plot_scene *sc, double x, double y, const char *text, double size,
                    bool bold, enum plot_align align, uint32_t colour);

/*
 * Emit the gnuplot script and the data file for `sc`. `out_name` and
 * `data_name` are the file names the script refers to (plain names, checked
 * with plot_quote_safe_name). Returns 0 or SV_E*.
 */
int plot_scene_emit(const struct plot_scene *sc, enum plot_format fmt, const char *out_name,
                    const char *data_name, const char *comment, struct sv_buf *script,
                    struct sv_buf *data, struct sv_error *err);

/* ---- data selection (plot_data.c) ---- */

struct plot_cell {
    bool present;    /* a row exists for this cell */
    bool suppressed; /* the row is suppressed: draw as such, never as zero */
    double est, lo, hi, se;
    long n;
    const char *reason; /* borrowed from the table */
    const char *unit;   /* borrowed from the table (key figures mix units) */
};

/* Categories x series of one chart, in drawing order. Labels are borrowed from the table. */
struct plot_matrix {
    size_t ncat, nser;
    const char **cat_code, **cat_label;
    const char **ser_code, **ser_label;
    struct plot_cell *cells; /* ncat * nser, row-major by category */
    const char *unit;        /* of the indicator */
    const char *label;       /* indicator label */
    const char *by;          /* category variable */
    const char *series_var;  /* series variable, NULL when single series */
    bool has_overall;
    struct plot_cell overall; /* the whole-population row, when present (single series) */
    /* box plots: p10 p25 p50 p75 p90 per category, in cells[cat*5 + q] */
};

void plot_matrix_release(struct plot_matrix *m);
/* Largest magnitude a chart draws (estimates and bounds); beyond it the table is refused. */
#define PLOT_VALUE_MAX 1e15
/* Most categories one chart draws (more are refused with a message, not drawn illegibly). */
#define PLOT_MAX_CATEGORIES 300

/* Fill a cell from a table row (intervals of non-negative units start at zero). */
void plot_cell_fill(struct plot_cell *c, const struct sv_irow *r);
struct plot_cell *plot_matrix_cell(const struct plot_matrix *m, size_t cat, size_t ser);

/*
 * Select the cells of `t` for a chart of `kind` with the options' indicator,
 * by and series. Errors: unknown indicator / variable (SV_EDATA, naming it),
 * no rows. `source` names the table in messages.
 */
int plot_data_select(struct plot_matrix *m, const struct sv_itable *t, const struct plot_opts *o,
                     const char *source, struct sv_error *err);

/* ---- number formatting for labels (plot_data.c) ---- */

/* How values of `unit` are shown: decimals, percent or euro. */
void plot_fmt_value(char *out, size_t size, double x, const char *unit, int extra_decimals,
                    enum sv_lang lang);
/* Extra decimals tick labels need so that every tick reads differently. */
int plot_tick_decimals(const double *ticks, size_t n, const char *unit);
/* Nice axis: ticks from lo to hi; returns the number of ticks (<= 12). */
size_t plot_nice_ticks(double lo, double hi, size_t target, double *ticks);

/* ---- frame and chart kinds (plot_frame.c, plot_script_<kind>.c) ---- */

struct plot_fig {
    const struct plot_opts *opts;
    const struct sv_itable *table;
    struct plot_matrix m;
    struct plot_style st;
    enum sv_lang lang;
    int decimals; /* extra decimals of value labels (1 for small shares) */
    /* frame texts, resolved */
    const char *headline, *subtitle;
    char *note;   /* owned: built note line */
    char *source; /* owned: built source line */
    /* the chart box the kind draws into (set by plot_frame_begin) */
    double cx0, cy0, cx1, cy1;
    /* legend entries (series) drawn by the frame above the chart */
    size_t nlegend;
    const char **legend_label;
    uint32_t *legend_colour;
    int *legend_pattern;
    /* warnings of the kind (codes left out, ...), one a line; owned */
    struct sv_buf notices;
    /* values drawn with the '*' of an imprecise estimate (the note explains it when > 0) */
    size_t caution_marks;
};

/* Add one line to the figure's notices (printed as warnings). Returns 0 or SV_ENOMEM. */
int plot_fig_notice(struct plot_fig *fig, const char *fmt, ...) SV_PRINTF(2, 3);

/*
 * Lay out the headline, subtitle and legend; reserve a chart of
 * `chart_height` pt (ignored when the style has a fixed page height: the
 * chart then gets what is left). Sets fig->cx0..cy1.
 */
int plot_frame_begin(struct plot_fig *fig, struct plot_scene *sc, double chart_height);
/* Draw the note and source lines under the chart and fix the page height. */
int plot_frame_end(struct plot_fig *fig, struct plot_scene *sc);
int plot_legend_add(struct plot_fig *fig, const char *label, uint32_t colour, int pattern);

int plot_script_bars(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_grouped(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_stacked(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_dumbbell(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_box(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_lines(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_map(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
int plot_script_keyfigures(struct plot_fig *fig, struct plot_scene *sc, struct sv_error *err);
/*
 * Key figures: one cell per indicator of the ','-list (4 to 8), its
 * whole-population row (or the row of --groups' single code). Categories are
 * the indicators, one series.
 */
int plot_keyfigures_select(struct plot_matrix *m, const struct sv_itable *t,
                           const struct plot_opts *o, const char *source, struct sv_error *err);

/* Shared helpers of the kinds (plot_frame.c). */
/* Widen [*lo, *hi] to hold the reference lines. */
void plot_refs_range(const struct plot_fig *fig, double *lo, double *hi);
/*
 * Draw the reference lines across the value axis: vertical at x(v) from y0
 * to y1 when `vertical`, else horizontal at y(v) from x0 to x1; v -> page by
 * a + b * v. Labelled "LABEL : value". (Charts with a vertical value axis;
 * horizontal axes use plot_top_*.)
 */
int plot_refs_draw(const struct plot_fig *fig, struct plot_scene *sc, bool vertical, double a,
                   double b, double x0, double y0, double x1, double y1);

/*
 * Labels written above a chart with a horizontal value axis, each with a
 * dashed line down the chart: the whole-population value ("Ensemble : 66 %")
 * and the reference lines ("SMIC : 1 801,80 €"). They are placed on lanes so
 * that no two overlap and no line crosses another's label; the chart's rows
 * (and so the value labels of bars) start under the lowest lane.
 */
#define PLOT_MAX_TOP (PLOT_MAX_REFS + 1)
struct plot_top_item {
    double v;           /* value on the axis */
    double x;           /* page x of the line (set by plot_top_place) */
    double left, right; /* the label's extent */
    int lane;           /* 0 = nearest the chart */
    bool bold, ref;
    uint32_t colour;
    char text[200];
};
struct plot_top {
    size_t n, nlanes;
    struct plot_top_item it[PLOT_MAX_TOP];
};
/* The overall row (when `with_overall` and present) and the references; `unit` formats the
 * references (NULL: the indicator's). */
int plot_top_collect(const struct plot_fig *fig, struct plot_top *top, bool with_overall,
                     const char *unit);
/* Place the labels for the axis v -> a + b * v, inside [xmin, xmax]. */
void plot_top_place(const struct plot_fig *fig, struct plot_top *top, double a, double b,
                    double xmin, double xmax);
/* Room the lanes need above the chart's first row. */
double plot_top_height(const struct plot_fig *fig, const struct plot_top *top);
/* Draw the lines and labels of the references (`refs`) or of the overall value (!refs), the
 * chart's rows starting at ytop and ending at ybot. */
int plot_top_draw(const struct plot_fig *fig, struct plot_scene *sc, const struct plot_top *top,
                  double ytop, double ybot, bool refs);
/* A cell's value as drawn: formatted, with '*' when imprecise (counted in fig->caution_marks).
 * Returns 1 when marked. */
int plot_value_text(struct plot_fig *fig, const struct plot_cell *cell, char *buf, size_t size);
/*
 * A bar's value label at the bar end: inside the bar (x from xbase to xbar,
 * filled `fill`) when it fits, else after the whisker end xhi (NAN: none) on
 * a white ground.
 */
int plot_draw_bar_value(struct plot_fig *fig, struct plot_scene *sc, const struct plot_cell *cell,
                        double xbase, double xbar, double xhi, double y, double size, bool bold,
                        uint32_t fill);
/* Append the '*' of an imprecise value to buf (when it fits). */
void plot_star(char *buf, size_t size);
/* Most lines of a wrapped category label (a longer one ends with '…'). */
#define PLOT_CAT_LINES 8
/* Left label column: width needed for category labels (clamped to 40 % of the chart). */
double plot_label_column(const struct plot_fig *fig, const char **labels, size_t n);
/* Height of one category row: the style's, or more when labels take two lines. */
double plot_row_height(const struct plot_fig *fig, const char **labels, size_t n);
/* Draw a category label right-aligned at (x, y), wrapped to `width` (PLOT_CAT_LINES max). */
int plot_draw_cat_label(const struct plot_fig *fig, struct plot_scene *sc, double x, double y,
                        double width, const char *label);
/* Value axis: gridlines and tick labels from v0 to v1 mapped on x0..x1, labels under y1. */
int plot_draw_value_axis(const struct plot_fig *fig, struct plot_scene *sc, double v0, double v1,
                         double x0, double x1, double y0, double y1, const double *ticks,
                         size_t nticks);
/* Categories ordered by the first series' value, largest first (suppressed last). Caller frees. */
size_t *plot_rank_categories(const struct plot_matrix *m);
/* A hatched mark of height h at (x, y) followed by "secret statistique". */
int plot_draw_suppressed(const struct plot_fig *fig, struct plot_scene *sc, double x, double y,
                         double h, const char *reason);
/* An imprecise cell: analyse flagged it ("cv>20%") or its coefficient of variation is over 20 %. */
bool plot_cell_caution(const struct plot_cell *c);
/* "secret statistique" / "suppressed". */
const char *plot_suppressed_word(enum sv_lang lang, const char *reason);

/*
 * Build the whole figure: select data, draw the kind in its frame, emit the
 * script and data text. `out_name`/`data_name` as in plot_scene_emit.
 */
/* What a figure shows, for captions and alt text (owned strings, may be NULL). */
struct plot_caption {
    char *headline, *subtitle, *note, *source;
    char *warnings; /* gnuplot's stderr of a successful run, or NULL */
    char *notices;  /* plot's own warnings (glyphs replaced, codes left out), one a line */
    char *alt;      /* alternative text: what the chart shows, in words and numbers */
    char *csv;      /* the cells drawn, as CSV (text cells neutralised against formulas) */
};

/* `caption` (may be NULL) receives the figure's texts. */
int plot_figure_build(const struct plot_opts *o, const struct sv_itable *t, const char *source,
                      const char *out_name, const char *data_name, struct sv_buf *script,
                      struct sv_buf *data, struct plot_caption *caption, struct sv_error *err);
void plot_caption_release(struct plot_caption *c);

/*
 * Load o->table, or merge o->table and o->more_tables into one table where
 * every row gains the grouping variable "wave" (its table's meta "wave", else
 * the file name without .csv), e.g. by "wave;region", group "2024;11". The
 * metadata is the last table's. Returns 0 or SV_E*.
 */
int plot_tables_load(struct sv_itable *t, const struct plot_opts *o, struct sv_error *err);

/*
 * Make one figure: load the table, build the script, write "<stem>.gp" and
 * "<stem>.dat" beside o->output and (unless o->script_only) render it.
 * `caption` (may be NULL) receives the figure's texts. Prints nothing.
 */
int plot_figure_make(const struct plot_opts *o, struct plot_caption *caption, struct sv_error *err);

/* Write each line of `lines` (may be NULL) to `fp` as "plot: <prefix><line>", quoted. */
void plot_warn_lines(FILE *fp, const char *prefix, const char *lines);
/* Make every control character of err's source, path and text printable (plot_quote_message). */
void plot_error_quote(struct sv_error *err);

/* ---- running gnuplot (plot_run.c) ---- */

struct plot_run {
    const char *gnuplot; /* program path; NULL: $VIGIE_GNUPLOT or "gnuplot" on a fixed PATH */
    long timeout;        /* seconds; 0 = default (60) */
    const char *title;   /* SVG <title> (the headline); NULL keeps gnuplot's */
    const char *desc;    /* SVG <desc> (subtitle, note and source) */
};

/*
 * Render: write script and data under a fresh temporary directory as
 * `script_name`/`data_name`, run gnuplot there (fixed argv, no shell, clean
 * environment, stdin /dev/null, stderr captured), then move the produced
 * `out_name` to `out_path` atomically (PDF dates are neutralised). What
 * gnuplot wrote on stderr although it succeeded goes to `warnings` (may be
 * NULL), one cleaned line per warning. Errors:
 * SV_EEXTERNAL with gnuplot's first stderr line, time-out, or exit status.
 */
int plot_run_render(const struct plot_run *r, const char *script, const char *data,
                    const char *script_name, const char *data_name, const char *out_name,
                    enum plot_format fmt, const char *out_path, struct sv_buf *warnings,
                    struct sv_error *err);
/* Replace the PDF /CreationDate value by a fixed one of the same length. */
void plot_run_fix_pdf(char *pdf, size_t len);

/* ---- the command layer (plot_cmd.c, plot_brief.c) ---- */

int plot_cmd_main(int argc, char **argv);
/*
 * `plot brief FILE -o DIR`: make every figure the brief describes and
 * DIR/index.html. Relative table paths are resolved against `tables_dir`
 * (NULL: the brief's directory). Prints one line per artefact on `log`
 * (may be NULL), and each figure's warnings and notices, quoted, on `warn`
 * (may be NULL; the caller's stream, e.g. stderr). Returns 0 or SV_E*.
 */
int plot_brief_run(const char *brief_path, const char *out_dir, const char *tables_dir,
                   bool script_only, FILE *log, FILE *warn, struct sv_error *err);
/* Append `s` HTML-escaped (& < > " '). */
int plot_html_escape(struct sv_buf *out, const char *s);

#endif
