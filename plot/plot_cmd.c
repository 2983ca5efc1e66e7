/*
 * plot_cmd: the command line of plot. The only file (with main.c) that
 * prints: errors once, via sv_cli.
 */
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sv_cli.h"

enum {
    OPT_TABLE = 256,
    OPT_INDICATOR,
    OPT_BY,
    OPT_SERIES,
    OPT_SERIES_CODES,
    OPT_GROUPS,
    OPT_TITLE,
    OPT_SUBTITLE,
    OPT_NOTE,
    OPT_SOURCE,
    OPT_SIZE,
    OPT_LANG,
    OPT_SCRIPT_ONLY,
    OPT_DIVERGING,
    OPT_TIMEOUT,
    OPT_TABLES,
    OPT_REF,
    OPT_QUIET
};

static const struct sv_option top_options[] = {{"help", 'h', NULL, "show this help and exit"},
                                               {"version", 'V', NULL, "show the version and exit"},
                                               {NULL, 0, NULL, NULL}};

static const char top_usage[] = "plot <kind> --table T.csv [options] -o FIGURE.svg|.pdf|.png\n"
                                "       plot brief BRIEF.json [--tables DIR] -o DIR";
static const char top_description[] =
    "Draw print-ready figures from indicator tables with gnuplot.\n"
    "Kinds: bars (ranked, with intervals), grouped, stacked (100 %, --diverging for Likert\n"
    "items), dumbbell (gap between 2 series), box (from <stem>.p10..p90 rows), lines\n"
    "(across waves), map (tile grid of the 18 regions), keyfigures (4 to 8 headline\n"
    "numbers in tiles; --table may be repeated to gather them). 'plot <kind> --help' lists\n"
    "the options. Exit status: 0 ok, 1 runtime, 2 usage, 3 invalid data, 4 gnuplot failed.";

static const struct sv_option fig_options[] = {
    {"table", OPT_TABLE, "T.csv", "indicator table (sv_itable CSV + T.meta.json); again: waves"},
    {"indicator", OPT_INDICATOR, "NAME", "indicator to draw (a ','-list makes each one a series)"},
    {"by", OPT_BY, "VAR", "grouping variable of the categories"},
    {"series", OPT_SERIES, "VAR", "grouping variable of the series (grouped, stacked, ...)"},
    {"series-codes", OPT_SERIES_CODES, "A,B", "keep only these series codes, in this order"},
    {"groups", OPT_GROUPS, "A,B", "keep only these categories (codes; 'a;b' for pairs)"},
    {"title", OPT_TITLE, "TEXT", "headline stating the finding (default: table title)"},
    {"subtitle", OPT_SUBTITLE, "TEXT", "subtitle (default: indicator label)"},
    {"note", OPT_NOTE, "TEXT", "note put before the automatic note line"},
    {"source", OPT_SOURCE, "TEXT", "source line (default: from the table metadata)"},
    {"ref", OPT_REF, "VALUE:LABEL",
     "reference line at VALUE (C notation) labelled LABEL, e.g. 1801.80:SMIC (4 at most; not on "
     "map, keyfigures)"},
    {"size", OPT_SIZE, "SIZE", "column (8.5 cm), full (17 cm, default) or slide (16:9)"},
    {"lang", OPT_LANG, "fr|en", "language of numbers and words (default: the table's)"},
    {"diverging", OPT_DIVERGING, NULL, "stacked: diverging bars for ordered (Likert) levels"},
    {"script-only", OPT_SCRIPT_ONLY, NULL,
     "write the .gp script and .dat data, do not run gnuplot"},
    {"timeout", OPT_TIMEOUT, "SECONDS", "kill gnuplot after this long (default 60)"},
    {"output", 'o', "FILE", "the figure; its extension gives the format"},
    {"help", 'h', NULL, "show this help and exit"},
    {NULL, 0, NULL, NULL}};

static const char fig_usage[] = "plot <kind> --table T.csv [options] -o FIGURE";
static const char fig_description[] =
    "Write FIGURE (.svg, .pdf or .png at 300 dpi) and, beside it, the gnuplot script\n"
    "(.gp) and its data (.dat). The same inputs give the same bytes.";

static const struct sv_option brief_options[] = {
    {"tables", OPT_TABLES, "DIR", "where the brief's tables are (default: beside the brief)"},
    {"script-only", OPT_SCRIPT_ONLY, NULL, "write scripts and data only"},
    {"output", 'o', "DIR", "output directory (figures and index.html)"},
    {"help", 'h', NULL, "show this help and exit"},
    {NULL, 0, NULL, NULL}};

static const char brief_usage[] = "plot brief BRIEF.json [--tables DIR] -o DIR";
static const char brief_description[] =
    "Make every figure of a brief (a small JSON description: which table, which chart,\n"
    "which options) and DIR/index.html showing them with their captions.";

static int on_top(int key, const char *value, void *ctx)
{
    (void)key;
    (void)value;
    (void)ctx;
    return 0;
}

static int set_str(char **slot, const char *value)
{
    return plot_opts_set(slot, value) == 0 ? 0 : sv_fail(SV_EXIT_RUNTIME, "out of memory");
}

static int on_fig(int key, const char *value, void *ctx)
{
    struct plot_opts *o = ctx;
    switch (key) {
    case OPT_TABLE:
        switch (plot_opts_add_table(o, value)) {
        case 0:
            return 0;
        case SV_EUSAGE:
            return sv_usage_error("too many --table (%d at most)", PLOT_MAX_TABLES);
        default:
            return sv_fail(SV_EXIT_RUNTIME, "out of memory");
        }
    case OPT_INDICATOR:
        return set_str(&o->indicator, value);
    case OPT_BY:
        return set_str(&o->by, value);
    case OPT_SERIES:
        return set_str(&o->series, value);
    case OPT_SERIES_CODES:
        return set_str(&o->series_codes, value);
    case OPT_GROUPS:
        return set_str(&o->groups, value);
    case OPT_TITLE:
        return set_str(&o->title, value);
    case OPT_SUBTITLE:
        return set_str(&o->subtitle, value);
    case OPT_NOTE:
        return set_str(&o->note, value);
    case OPT_SOURCE:
        return set_str(&o->source, value);
    case 'o':
        return set_str(&o->output, value);
    case OPT_REF:
        switch (plot_opts_add_ref(o, value)) {
        case 0:
            return 0;
        case SV_EUSAGE:
            return sv_usage_error("--ref '%s': VALUE:LABEL with VALUE a number such as 1801.80, "
                                  "%d at most",
                                  value, PLOT_MAX_REFS);
        default:
            return sv_fail(SV_EXIT_RUNTIME, "out of memory");
        }
    case OPT_SIZE:
        if (plot_size_parse(value, &o->size) != 0)
            return sv_usage_error("unknown size '%s' (column, full or slide)", value);
        return 0;
    case OPT_LANG:
        if (sv_lang_parse(value, &o->lang) != 0)
            return sv_usage_error("unknown language '%s' (fr or en)", value);
        o->lang_given = true;
        return 0;
    case OPT_DIVERGING:
        o->diverging = true;
        return 0;
    case OPT_SCRIPT_ONLY:
        o->script_only = true;
        return 0;
    case OPT_TIMEOUT:
        if (sv_parse_long(value, 1, 3600, &o->timeout) != 0)
            return sv_usage_error("--timeout must be a number of seconds from 1 to 3600");
        return 0;
    default:
        return sv_usage_error("unexpected option");
    }
}

struct brief_ctx {
    const char *tables;
    const char *output;
    bool script_only;
};

static int on_brief(int key, const char *value, void *ctx)
{
    struct brief_ctx *b = ctx;
    switch (key) {
    case OPT_TABLES:
        b->tables = value;
        return 0;
    case OPT_SCRIPT_ONLY:
        b->script_only = true;
        return 0;
    case 'o':
        b->output = value;
        return 0;
    default:
        return sv_usage_error("unexpected option");
    }
}

static int cmd_figure(enum plot_kind kind, int argc, char **argv)
{
    struct plot_opts o;
    struct sv_error err;
    bool stop = false;
    int first = 0;
    plot_opts_init(&o);
    o.kind = kind;
    int rc = sv_cli_parse(argc, argv, fig_options, fig_usage, fig_description, on_fig, &o, &first,
                          &stop);
    if (rc == 0 && !stop) {
        if (first < argc)
            rc = sv_usage_error("unexpected argument '%s'", argv[first]);
        else if (o.table == NULL)
            rc = sv_usage_error("missing --table");
        else if (o.output == NULL)
            rc = sv_usage_error("missing -o FIGURE");
        else if (plot_format_from_path(o.output, &o.format) != 0)
            rc = sv_usage_error("cannot tell the format of '%s': use .svg, .pdf or .png", o.output);
    }
    if (rc == 0 && !stop) {
        struct plot_caption cap;
        memset(&cap, 0, sizeof cap);
        sv_error_clear(&err);
        if (plot_figure_make(&o, &cap, &err) != 0) {
            plot_error_quote(&err);
            rc = sv_fail_error(&err);
        }
        plot_warn_lines(stderr, "gnuplot: ", cap.warnings);
        plot_warn_lines(stderr, "", cap.notices);
        plot_caption_release(&cap);
    }
    plot_opts_release(&o);
    return rc;
}

static int cmd_brief(int argc, char **argv)
{
    struct brief_ctx b = {NULL, NULL, false};
    struct sv_error err;
    bool stop = false;
    int first = 0;
    const char *file = NULL;
    /* options may come before or after the brief file (getopt stops at an operand) */
    while (argc > 0) {
        int rc = sv_cli_parse(argc, argv, brief_options, brief_usage, brief_description, on_brief,
                              &b, &first, &stop);
        if (rc != 0 || stop)
            return rc;
        if (first >= argc)
            break;
        if (file != NULL)
            return sv_usage_error("unexpected argument '%s'", argv[first]);
        file = argv[first];
        argc -= first;
        argv += first;
    }
    if (file == NULL)
        return sv_usage_error("missing the brief file");
    if (b.output == NULL)
        return sv_usage_error("missing -o DIR");
    sv_error_clear(&err);
    if (plot_brief_run(file, b.output, b.tables, b.script_only, stdout, stderr, &err) != 0) {
        plot_error_quote(&err);
        return sv_fail_error(&err);
    }
    return 0;
}

int plot_cmd_main(int argc, char **argv)
{
    bool stop = false;
    int first = 0;
    sv_cli_set_progname("plot");
    int rc = sv_cli_parse(argc, argv, top_options, top_usage, top_description, on_top, NULL, &first,
                          &stop);
    if (rc != 0 || stop)
        return sv_cli_finish(rc);
    if (first >= argc)
        return sv_cli_finish(sv_usage_error("missing the chart kind (bars, grouped, stacked, "
                                            "dumbbell, box, lines, map, keyfigures) or 'brief'"));
    const char *what = argv[first];
    if (strcmp(what, "brief") == 0)
        return sv_cli_finish(cmd_brief(argc - first, argv + first));
    enum plot_kind kind;
    if (plot_kind_parse(what, &kind) != 0)
        return sv_cli_finish(sv_usage_error("unknown chart kind '%s' (bars, grouped, stacked, "
                                            "dumbbell, box, lines, map, keyfigures, or brief)",
                                            what));
    return sv_cli_finish(cmd_figure(kind, argc - first, argv + first));
}
