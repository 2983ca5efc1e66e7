/*
 * plot_opts: the options of one figure and the names of kinds, sizes and
 * formats.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "plot.h"

static const char *const kind_names[PLOT_KIND_COUNT] = {"bars", "grouped", "stacked", "dumbbell",
                                                        "box",  "lines",   "map",
                                                        "keyfigures"};

void plot_opts_init(struct plot_opts *o)
{
    memset(o, 0, sizeof *o);
    o->kind = PLOT_BARS;
    o->size = PLOT_SIZE_FULL;
    o->lang = SV_LANG_FR;
    o->format = PLOT_FMT_SVG;
    o->timeout = 60;
}

void plot_opts_release(struct plot_opts *o)
{
    char **slots[] = {&o->table, &o->indicator, &o->by,   &o->series, &o->series_codes, &o->groups,
                      &o->title, &o->subtitle,  &o->note, &o->source, &o->output};
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++) {
        free(*slots[i]);
        *slots[i] = NULL;
    }
    for (size_t i = 0; i < o->nmore; i++)
        free(o->more_tables[i]);
    o->nmore = 0;
    for (size_t i = 0; i < o->nrefs; i++)
        free(o->refs[i]);
    o->nrefs = 0;
}

int plot_ref_parse(const char *spec, double *value, const char **label)
{
    const char *colon = strchr(spec ? spec : "", ':');
    char num[64];
    size_t len = colon ? (size_t)(colon - spec) : strlen(spec ? spec : "");
    if (spec == NULL || len == 0 || len >= sizeof num)
        return SV_EUSAGE;
    memcpy(num, spec, len);
    num[len] = '\0';
    char *end = NULL;
    double v = strtod(num, &end);
    if (end == num || *end != '\0' || !isfinite(v) || fabs(v) > PLOT_VALUE_MAX)
        return SV_EUSAGE;
    *value = v;
    *label = colon ? colon + 1 : "";
    return 0;
}

int plot_opts_add_ref(struct plot_opts *o, const char *spec)
{
    double v;
    const char *label;
    if (o->nrefs >= PLOT_MAX_REFS || plot_ref_parse(spec, &v, &label) != 0)
        return SV_EUSAGE;
    char *copy = sv_strdup(spec);
    if (copy == NULL)
        return SV_ENOMEM;
    o->refs[o->nrefs++] = copy;
    return 0;
}

int plot_opts_add_table(struct plot_opts *o, const char *path)
{
    if (o->table == NULL)
        return plot_opts_set(&o->table, path);
    if (o->nmore + 1 >= PLOT_MAX_TABLES)
        return SV_EUSAGE;
    char *copy = sv_strdup(path);
    if (copy == NULL)
        return SV_ENOMEM;
    o->more_tables[o->nmore++] = copy;
    return 0;
}

int plot_opts_set(char **slot, const char *value)
{
    char *copy = sv_strdup(value);
    if (value != NULL && copy == NULL)
        return SV_ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

int plot_kind_parse(const char *s, enum plot_kind *out)
{
    for (int k = 0; k < PLOT_KIND_COUNT; k++) {
        if (s != NULL && strcmp(s, kind_names[k]) == 0) {
            *out = (enum plot_kind)k;
            return 0;
        }
    }
    return SV_EUSAGE;
}

const char *plot_kind_name(enum plot_kind k)
{
    return (k >= 0 && k < PLOT_KIND_COUNT) ? kind_names[k] : "?";
}

int plot_size_parse(const char *s, enum plot_size *out)
{
    if (s == NULL)
        return SV_EUSAGE;
    if (strcmp(s, "column") == 0)
        *out = PLOT_SIZE_COLUMN;
    else if (strcmp(s, "full") == 0)
        *out = PLOT_SIZE_FULL;
    else if (strcmp(s, "slide") == 0)
        *out = PLOT_SIZE_SLIDE;
    else
        return SV_EUSAGE;
    return 0;
}

const char *plot_size_name(enum plot_size s)
{
    switch (s) {
    case PLOT_SIZE_COLUMN:
        return "column";
    case PLOT_SIZE_FULL:
        return "full";
    case PLOT_SIZE_SLIDE:
        return "slide";
    }
    return "?";
}

int plot_format_from_path(const char *path, enum plot_format *out)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (dot == NULL || (slash != NULL && dot < slash))
        return SV_EUSAGE;
    if (strcasecmp(dot, ".svg") == 0)
        *out = PLOT_FMT_SVG;
    else if (strcasecmp(dot, ".pdf") == 0)
        *out = PLOT_FMT_PDF;
    else if (strcasecmp(dot, ".png") == 0)
        *out = PLOT_FMT_PNG;
    else
        return SV_EUSAGE;
    return 0;
}

const char *plot_format_ext(enum plot_format f)
{
    switch (f) {
    case PLOT_FMT_SVG:
        return "svg";
    case PLOT_FMT_PDF:
        return "pdf";
    case PLOT_FMT_PNG:
        return "png";
    }
    return "?";
}
