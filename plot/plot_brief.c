/*
 * plot_brief: regenerate every figure of a brief, and an index page.
 *
 * A brief is a small JSON file:
 *   {"title": "...", "lang": "fr",
 *    "figures": [{"name": "difficulty_region", "kind": "bars",
 *                 "table": "shortage.csv", "indicator": "difficulty_share",
 *                 "by": "region", "series": null, "series_codes": "a,b",
 *                 "diverging": false,
 *                 "title": "...", "subtitle": "...", "note": "...", "source": "...",
 *                 "size": "full", "lang": "fr", "formats": ["svg", "png"],
 *                 "caption": "..."}]}
 * "name", "kind" and "table" are required. Each figure is written as
 * DIR/<name>.<format> with its .gp and .dat; DIR/index.html shows them all
 * with their captions (everything HTML-escaped). jansson stays in this file.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "sv_file.h"

int plot_html_escape(struct sv_buf *out, const char *s)
{
    /* cleaned as the figures' texts are: no raw control, noncharacter or bidi override */
    return plot_quote_xml(out, s);
}

static const char *const known_keys[] = {"name",     "kind",         "table",  "indicator", "by",
                                         "series",   "series_codes", "groups", "diverging", "title",
                                         "subtitle", "note",         "source", "size",      "lang",
                                         "formats",  "caption",      "ref",    NULL};

static int get_str(json_t *obj, const char *key, const char **out, const char *path, long i,
                   struct sv_error *err)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v)) {
        sv_error_set(err, SV_EDATA, path, 0, 0, "must be a string");
        sv_error_set_path(err, "figures[%ld].%s", i, key);
        return SV_EDATA;
    }
    *out = json_string_value(v);
    return 0;
}

static int figure_opts(struct plot_opts *o, json_t *f, const char *path, long i,
                       const char *tables_dir, const char *brief_lang, struct sv_error *err)
{
    const char *name, *kind, *table, *s;
    int rc = 0;
#define FAIL(code, ...)                                                                            \
    do {                                                                                           \
        sv_error_set(err, code, path, 0, 0, __VA_ARGS__);                                          \
        return code;                                                                               \
    } while (0)
    if (!json_is_object(f)) {
        sv_error_set(err, SV_EDATA, path, 0, 0, "a figure must be an object");
        sv_error_set_path(err, "figures[%ld]", i);
        return SV_EDATA;
    }
    const char *key;
    json_t *val;
    json_object_foreach(f, key, val)
    {
        bool ok = false;
        for (size_t k = 0; known_keys[k]; k++)
            ok = ok || strcmp(key, known_keys[k]) == 0;
        if (!ok) {
            sv_error_set(err, SV_EDATA, path, 0, 0, "unknown key '%s'", key);
            sv_error_set_path(err, "figures[%ld]", i);
            return SV_EDATA;
        }
    }
    json_t *tv = json_object_get(f, "table");
    if ((rc = get_str(f, "name", &name, path, i, err)) != 0 ||
        (rc = get_str(f, "kind", &kind, path, i, err)) != 0)
        return rc;
    sv_error_set_path(err, "figures[%ld]", i);
    if (name == NULL || !plot_quote_safe_name(name))
        FAIL(SV_EDATA, "'name' is required: letters, digits, '.', '_' or '-'");
    if (kind == NULL || plot_kind_parse(kind, &o->kind) != 0)
        FAIL(SV_EDATA, "unknown or missing 'kind' '%s'", kind ? kind : "");
    /* "table": one file, or an array of files (waves, oldest first) */
    size_t ntab = json_is_array(tv) ? json_array_size(tv) : json_is_string(tv) ? 1 : 0;
    if (ntab == 0 || ntab > PLOT_MAX_TABLES)
        FAIL(SV_EDATA, "'table' is required: a file name or an array of up to %d", PLOT_MAX_TABLES);
    for (size_t k = 0; k < ntab && rc == 0; k++) {
        table =
            json_is_array(tv) ? json_string_value(json_array_get(tv, k)) : json_string_value(tv);
        if (table == NULL)
            FAIL(SV_EDATA, "'table' must hold file names");
        struct sv_buf b = SV_BUF_INIT;
        if (table[0] == '/' || tables_dir == NULL)
            rc = sv_buf_adds(&b, table);
        else
            rc = sv_buf_addf(&b, "%s/%s", tables_dir, table);
        if (rc == 0)
            rc = plot_opts_add_table(o, b.data);
        sv_buf_release(&b);
    }
    static const struct {
        const char *key;
        size_t off;
    } strs[] = {{"indicator", offsetof(struct plot_opts, indicator)},
                {"by", offsetof(struct plot_opts, by)},
                {"series", offsetof(struct plot_opts, series)},
                {"series_codes", offsetof(struct plot_opts, series_codes)},
                {"groups", offsetof(struct plot_opts, groups)},
                {"title", offsetof(struct plot_opts, title)},
                {"subtitle", offsetof(struct plot_opts, subtitle)},
                {"note", offsetof(struct plot_opts, note)},
                {"source", offsetof(struct plot_opts, source)}};
    for (size_t k = 0; k < sizeof strs / sizeof strs[0] && rc == 0; k++) {
        if ((rc = get_str(f, strs[k].key, &s, path, i, err)) != 0)
            return rc;
        if (s != NULL)
            rc = plot_opts_set((char **)((char *)o + strs[k].off), s);
    }
    if (rc != 0)
        FAIL(SV_ENOMEM, "out of memory");
    if ((rc = get_str(f, "size", &s, path, i, err)) != 0)
        return rc;
    sv_error_set_path(err, "figures[%ld].size", i);
    if (s != NULL && plot_size_parse(s, &o->size) != 0)
        FAIL(SV_EDATA, "unknown size '%s' (column, full or slide)", s);
    if ((rc = get_str(f, "lang", &s, path, i, err)) != 0)
        return rc;
    if (s == NULL)
        s = brief_lang;
    sv_error_set_path(err, "figures[%ld].lang", i);
    if (s != NULL) {
        if (sv_lang_parse(s, &o->lang) != 0)
            FAIL(SV_EDATA, "unknown language '%s' (fr or en)", s);
        o->lang_given = true;
    }
    /* "ref": "1801.80:SMIC" or an array of them */
    json_t *rv = json_object_get(f, "ref");
    if (rv != NULL && !json_is_null(rv)) {
        size_t nr = json_is_array(rv) ? json_array_size(rv) : 1;
        for (size_t k = 0; k < nr; k++) {
            const char *spec = json_string_value(json_is_array(rv) ? json_array_get(rv, k) : rv);
            sv_error_set_path(err, "figures[%ld].ref", i);
            int r = spec ? plot_opts_add_ref(o, spec) : SV_EUSAGE;
            if (r == SV_ENOMEM)
                FAIL(SV_ENOMEM, "out of memory");
            if (r != 0)
                FAIL(SV_EDATA, "'%s': \"VALUE:LABEL\" with VALUE a number, %d at most",
                     spec ? spec : "", PLOT_MAX_REFS);
        }
    }
    json_t *d = json_object_get(f, "diverging");
    if (d != NULL && !json_is_boolean(d)) {
        sv_error_set_path(err, "figures[%ld].diverging", i);
        FAIL(SV_EDATA, "must be true or false");
    }
    o->diverging = d != NULL && json_is_true(d);
#undef FAIL
    return 0;
}

static int write_text(const char *path, const char *text, size_t len, struct sv_error *err)
{
    struct sv_atomic_file af;
    memset(&af, 0, sizeof af);
    int rc = sv_atomic_open(&af, path, err);
    if (rc != 0)
        return rc;
    if (fwrite(text, 1, len, af.fp) != len) {
        sv_atomic_abort(&af);
        return sv_error_set(err, SV_EIO, path, 0, 0, "cannot write");
    }
    return sv_atomic_commit(&af, err);
}

/*
 * The index page: well-formed XML as well as HTML (it must pass xmllint),
 * readable on a phone (viewport, images scale, no fixed widths), each figure
 * with its alt text, caption, note, source and links to every file,
 * including its data as CSV.
 */
static int write_index(const char *out_dir, const char *title, const char *lang,
                       struct sv_buf *body, struct sv_error *err)
{
    struct sv_buf page = SV_BUF_INIT;
    struct sv_buf path = SV_BUF_INIT;
    int rc = sv_buf_addf(&page,
                         "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                         "lang=\"%s\" xml:lang=\"%s\">\n<head>\n<meta charset=\"utf-8\" />\n"
                         "<meta name=\"viewport\" content=\"width=device-width, "
                         "initial-scale=1\" />\n<title>",
                         lang, lang);
    if (rc == 0)
        rc = plot_html_escape(&page, title);
    if (rc == 0)
        rc = sv_buf_adds(
            &page, "</title>\n<style>\n"
                   "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:60rem;"
                   "margin:1rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}\n"
                   "h1{font-size:1.5rem;line-height:1.25}\n"
                   "figure{margin:0 0 2.5rem 0;border-top:1px solid #ddd;padding-top:1rem}\n"
                   "img{display:block;max-width:100%;height:auto;border:1px solid #eee}\n"
                   "figcaption{margin-top:.5rem;font-size:.95rem;color:#333}\n"
                   "figcaption p{margin:.3rem 0}\n.source{color:#555;font-size:.85rem}\n"
                   ".files{font-size:.85rem}\n.files a{display:inline-block;padding:.3rem 0}\n"
                   "details{font-size:.85rem;color:#444}\n"
                   "</style>\n</head>\n<body>\n<h1>");
    if (rc == 0)
        rc = plot_html_escape(&page, title);
    if (rc == 0)
        rc = sv_buf_adds(&page, "</h1>\n");
    if (rc == 0)
        rc = sv_buf_add(&page, body->data, body->len);
    if (rc == 0)
        rc = sv_buf_adds(&page, "</body>\n</html>\n");
    if (rc == 0)
        rc = sv_buf_addf(&path, "%s/index.html", out_dir);
    if (rc != 0) {
        sv_buf_release(&page);
        sv_buf_release(&path);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    rc = write_text(path.data, page.data, page.len, err);
    sv_buf_release(&page);
    sv_buf_release(&path);
    return rc;
}

/* The image the page shows: the PNG (fonts embedded), else the SVG; a PDF only is linked. */
static int add_caption(struct sv_buf *b, const char *name, const char *image,
                       const struct plot_caption *cap, const char *caption, json_t *formats,
                       bool en)
{
    int rc = sv_buf_adds(b, "<figure id=\"");
    if (rc == 0)
        rc = plot_html_escape(b, name);
    if (rc == 0)
        rc = sv_buf_adds(b, "\">\n");
    if (rc == 0 && image[0] != '\0') {
        rc = sv_buf_adds(b, "<img src=\"");
        if (rc == 0)
            rc = plot_html_escape(b, image);
        if (rc == 0)
            rc = sv_buf_adds(b, "\" alt=\"");
        if (rc == 0)
            rc = plot_html_escape(b, cap->alt ? cap->alt : cap->headline);
        if (rc == 0)
            rc = sv_buf_adds(b, "\" />\n");
    }
    if (rc == 0)
        rc = sv_buf_adds(b, "<figcaption>\n<p><strong>");
    if (rc == 0)
        rc = plot_html_escape(b, cap->headline);
    if (rc == 0)
        rc = sv_buf_adds(b, "</strong></p>\n");
    const char *parts[3] = {caption, cap->subtitle, cap->note};
    for (int k = 0; k < 3 && rc == 0; k++) {
        if (parts[k] == NULL || parts[k][0] == '\0')
            continue;
        rc = sv_buf_adds(b, "<p>");
        if (rc == 0)
            rc = plot_html_escape(b, parts[k]);
        if (rc == 0)
            rc = sv_buf_adds(b, "</p>\n");
    }
    if (rc == 0 && cap->source && cap->source[0]) {
        rc = sv_buf_adds(b, "<p class=\"source\">");
        if (rc == 0)
            rc = plot_html_escape(b, cap->source);
        if (rc == 0)
            rc = sv_buf_adds(b, "</p>\n");
    }
    if (rc == 0 && cap->alt) {
        rc = sv_buf_addf(b, "<details><summary>%s</summary><p>",
                         en ? "Text description" : "Description textuelle");
        if (rc == 0)
            rc = plot_html_escape(b, cap->alt);
        if (rc == 0)
            rc = sv_buf_adds(b, "</p></details>\n");
    }
    if (rc == 0)
        rc = sv_buf_adds(b, "<p class=\"files\">");
    size_t i;
    json_t *fmt;
    json_array_foreach(formats, i, fmt)
    {
        if (rc != 0)
            break;
        rc = sv_buf_addf(b, "%s<a href=\"", i ? " · " : "");
        if (rc == 0)
            rc = plot_html_escape(b, name);
        if (rc == 0)
            rc = sv_buf_addc(b, '.');
        if (rc == 0)
            rc = plot_html_escape(b, json_string_value(fmt));
        if (rc == 0)
            rc = sv_buf_adds(b, "\">");
        if (rc == 0)
            rc = plot_html_escape(b, json_string_value(fmt));
        if (rc == 0)
            rc = sv_buf_adds(b, "</a>");
    }
    if (rc == 0 && cap->csv) {
        rc = sv_buf_adds(b, " · <a href=\"");
        if (rc == 0)
            rc = plot_html_escape(b, name);
        if (rc == 0)
            rc = sv_buf_addf(b, ".csv\">%s</a>", en ? "data (CSV)" : "données (CSV)");
    }
    if (rc == 0)
        rc = sv_buf_adds(b, " · <a href=\"");
    if (rc == 0)
        rc = plot_html_escape(b, name);
    if (rc == 0)
        rc = sv_buf_adds(b, ".gp\">gnuplot</a></p>\n</figcaption>\n</figure>\n");
    return rc;
}

int plot_brief_run(const char *brief_path, const char *out_dir, const char *tables_dir,
                   bool script_only, FILE *log, FILE *warn, struct sv_error *err)
{
    json_error_t jerr;
    char *dir_of_brief = NULL;
    struct sv_buf body = SV_BUF_INIT;
    int rc = 0;
    json_t *root = json_load_file(brief_path, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        FILE *probe = fopen(brief_path, "r");
        if (probe == NULL)
            return sv_error_set(err, SV_ENOTFOUND, brief_path, 0, 0, "cannot open the brief");
        fclose(probe);
        return sv_error_set(err, SV_EDATA, brief_path, jerr.line, jerr.column, "invalid JSON: %s",
                            jerr.text);
    }
    json_t *figs = json_object_get(root, "figures");
    const char *title = json_string_value(json_object_get(root, "title"));
    const char *brief_lang = json_string_value(json_object_get(root, "lang"));
    if (!json_is_object(root) || !json_is_array(figs) || json_array_size(figs) == 0) {
        json_decref(root);
        rc = sv_error_set(err, SV_EDATA, brief_path, 0, 0, "needs a non-empty 'figures' array");
        sv_error_set_path(err, "figures");
        return rc;
    }
    bool index_en = brief_lang != NULL && strcmp(brief_lang, "en") == 0;
    if (tables_dir == NULL) {
        const char *slash = strrchr(brief_path, '/');
        dir_of_brief = slash ? strndup(brief_path, (size_t)(slash - brief_path)) : strdup(".");
        tables_dir = dir_of_brief;
    }
    rc = sv_mkdir_p(out_dir, err);
    size_t i;
    json_t *f;
    json_array_foreach(figs, i, f)
    {
        if (rc != 0)
            break;
        struct plot_opts o;
        plot_opts_init(&o);
        rc = figure_opts(&o, f, brief_path, (long)i, tables_dir, brief_lang, err);
        json_t *formats = json_object_get(f, "formats");
        json_t *deflt = NULL;
        if (rc == 0 && formats == NULL) {
            deflt = json_pack("[ss]", "svg", "png");
            formats = deflt;
        }
        if (rc == 0 && (!json_is_array(formats) || json_array_size(formats) == 0)) {
            rc = sv_error_set(err, SV_EDATA, brief_path, 0, 0,
                              "must be a non-empty array of \"svg\", \"pdf\", \"png\"");
            sv_error_set_path(err, "figures[%zu].formats", i);
        }
        struct plot_caption cap;
        memset(&cap, 0, sizeof cap);
        const char *name = json_string_value(json_object_get(f, "name"));
        size_t k;
        json_t *fmt;
        char first_file[512] = "";
        json_array_foreach(formats, k, fmt)
        {
            if (rc != 0)
                break;
            const char *ext = json_string_value(fmt);
            char out[4096];
            snprintf(out, sizeof out, "%s/%s.%s", out_dir, name, ext ? ext : "");
            /* exactly one of the known extensions: "d/../../x.svg" would leave -o */
            if (ext == NULL ||
                (strcmp(ext, "svg") != 0 && strcmp(ext, "pdf") != 0 && strcmp(ext, "png") != 0) ||
                plot_format_from_path(out, &o.format) != 0) {
                rc = sv_error_set(err, SV_EDATA, brief_path, 0, 0,
                                  "unknown format '%s' (svg, pdf or png)", ext ? ext : "");
                sv_error_set_path(err, "figures[%zu].formats[%zu]", i, k);
                break;
            }
            if (plot_opts_set(&o.output, out) != 0) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            o.script_only = script_only;
            plot_caption_release(&cap);
            sv_error_set_path(err, "figures[%zu]", i);
            rc = plot_figure_make(&o, &cap, err);
            if (rc == 0 && log != NULL)
                fprintf(log, "%s\n", out);
            if (rc == 0 && k == 0) {
                /* once per figure: the texts are the same in every format */
                struct sv_buf pre = SV_BUF_INIT;
                sv_buf_addf(&pre, "%s: ", name);
                plot_warn_lines(warn, pre.data ? pre.data : "", cap.notices);
                sv_buf_release(&pre);
            }
            if (rc == 0 && cap.warnings != NULL) {
                struct sv_buf pre = SV_BUF_INIT;
                sv_buf_addf(&pre, "%s.%s: gnuplot: ", name, ext);
                plot_warn_lines(warn, pre.data ? pre.data : "", cap.warnings);
                sv_buf_release(&pre);
            }
            if (strcmp(ext, "png") == 0 || (first_file[0] == '\0' && strcmp(ext, "svg") == 0))
                snprintf(first_file, sizeof first_file, "%s.%s", name, ext);
        }
        const char *caption = json_string_value(json_object_get(f, "caption"));
        if (rc == 0 && cap.csv != NULL) {
            /* the rows drawn, beside the figure */
            char csv_path[4096];
            snprintf(csv_path, sizeof csv_path, "%s/%s.csv", out_dir, name);
            rc = write_text(csv_path, cap.csv, strlen(cap.csv), err);
            if (rc == 0 && log != NULL)
                fprintf(log, "%s\n", csv_path);
        }
        if (rc == 0 && add_caption(&body, name, first_file, &cap, caption, formats,
                                   index_en) != 0)
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        plot_caption_release(&cap);
        json_decref(deflt);
        plot_opts_release(&o);
    }
    if (rc == 0) {
        rc = write_index(out_dir, title ? title : "Figures", index_en ? "en" : "fr", &body, err);
        if (rc == 0 && log != NULL)
            fprintf(log, "%s/index.html\n", out_dir);
    }
    sv_buf_release(&body);
    free(dir_of_brief);
    json_decref(root);
    return rc;
}
