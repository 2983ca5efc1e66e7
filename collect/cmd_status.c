/*
 * collect status: how far a live survey has got. Response counts per
 * stratum (region x sector by default: the frame's variables) against the
 * population frame, with the response rate, as aligned text or CSV.
 */
#include "collect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_csv.h"

enum { OPT_STORE = 256, OPT_BY, OPT_FORMAT, OPT_LANG };

static const struct sv_option options[] = {
    {"survey", 's', "ID|DIR", "survey definition (id in $VIGIE_SURVEYS, or a directory)"},
    {"store", OPT_STORE, "FILE", "the survey's SQLite store"},
    {"by", OPT_BY, "LIST", "strata: roles or variables, comma-separated (default: the frame's)"},
    {"format", OPT_FORMAT, "F", "text (default) or csv"},
    {"lang", OPT_LANG, "L", "labels in fr (default) or en"},
    {"quiet", 'q', NULL, "no notes or warnings"},
    {"help", 'h', NULL, "show this help"},
    {0, 0, NULL, NULL},
};

struct status_args {
    const char *survey, *store, *by, *format, *lang;
};

static int on_option(int key, const char *v, void *ctx)
{
    struct status_args *a = ctx;
    switch (key) {
    case 's': a->survey = v; break;
    case OPT_STORE: a->store = v; break;
    case OPT_BY: a->by = v; break;
    case OPT_FORMAT: a->format = v; break;
    case OPT_LANG: a->lang = v; break;
    case 'q': sv_cli_set_quiet(true); break;
    default: return SV_EXIT_USAGE;
    }
    return 0;
}

struct cell {
    char *key; /* codes joined by '\x1f' */
    long responses;
    double frame;
    bool in_frame;
    long participants, invited, reminded, completed; /* the store's participants table */
};

struct tally {
    struct cell *cells;
    size_t n, cap;
    long cols[8];     /* schema column of each stratum variable */
    long framecol[8]; /* frame variable index, -1 if not a frame variable */
    size_t nby;
    long total;
};

static struct cell *cell_get(struct tally *t, const char *key)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->cells[i].key, key) == 0)
            return &t->cells[i];
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        struct cell *c = realloc(t->cells, cap * sizeof *c);
        if (!c)
            return NULL;
        t->cells = c;
        t->cap = cap;
    }
    struct cell *c = &t->cells[t->n];
    memset(c, 0, sizeof *c);
    if (!(c->key = sv_strdup(key)))
        return NULL;
    t->n++;
    return c;
}

static int count_one(const struct sv_record *rec, void *ctx)
{
    struct tally *t = ctx;
    struct sv_buf k = SV_BUF_INIT;
    for (size_t i = 0; i < t->nby; i++) {
        const char *v = rec->values[t->cols[i]];
        if ((i && sv_buf_addc(&k, '\x1f')) || sv_buf_adds(&k, v ? v : "")) {
            sv_buf_release(&k);
            return SV_ENOMEM;
        }
    }
    struct cell *c = cell_get(t, k.data);
    sv_buf_release(&k);
    if (!c)
        return SV_ENOMEM;
    c->responses++;
    t->total++;
    return 0;
}

static int count_participant(const char *const *codes, bool invited, bool reminded,
                             bool completed, void *ctx)
{
    struct tally *t = ctx;
    struct sv_buf k = SV_BUF_INIT;
    for (size_t i = 0; i < t->nby; i++) {
        if ((i && sv_buf_addc(&k, '\x1f')) || sv_buf_adds(&k, codes[i] ? codes[i] : "")) {
            sv_buf_release(&k);
            return SV_ENOMEM;
        }
    }
    struct cell *c = cell_get(t, k.data);
    sv_buf_release(&k);
    if (!c)
        return SV_ENOMEM;
    c->participants++;
    c->invited += invited;
    c->reminded += reminded;
    c->completed += completed;
    return 0;
}

static int cmp_cell(const void *a, const void *b)
{
    return strcmp(((const struct cell *)a)->key, ((const struct cell *)b)->key);
}

/* Display width of UTF-8 text (continuation bytes take no column). */
static int width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

static void fmt_rate(char *buf, size_t n, double rate, bool fr, bool csv)
{
    if (rate < 0) {
        buf[0] = '\0';
        return;
    }
    if (csv) {
        snprintf(buf, n, "%.4f", rate);
        return;
    }
    snprintf(buf, n, "%.1f %%", rate * 100);
    if (fr)
        for (char *p = buf; *p; p++)
            if (*p == '.')
                *p = ',';
}

int collect_cmd_status(int argc, char **argv)
{
    struct status_args a = {0};
    int first = 0;
    bool stop = false;
    int rc = sv_cli_parse(argc, argv, options, "collect status --survey S --store FILE [--by LIST]",
                          "Show response counts and response rates per stratum against the survey's\n"
                          "population frame, to follow a survey while it runs.",
                          on_option, &a, &first, &stop);
    if (rc || stop)
        return rc;
    if (first < argc)
        return sv_usage_error("unexpected argument '%s'", argv[first]);
    if (!a.survey)
        return sv_usage_error("--survey is required");
    if (!a.store)
        return sv_usage_error("--store is required");
    bool csv = false;
    if (a.format && strcmp(a.format, "csv") == 0)
        csv = true;
    else if (a.format && strcmp(a.format, "text") != 0)
        return sv_usage_error("--format: unknown format '%s' (text, csv)", a.format);
    enum sv_lang lang = SV_LANG_FR;
    if (a.lang && sv_lang_parse(a.lang, &lang) != 0)
        return sv_usage_error("--lang: unknown language '%s' (fr, en)", a.lang);
    bool fr = lang == SV_LANG_FR;

    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *survey = NULL;
    struct sv_schema *schema = NULL;
    struct sv_store *store = NULL;
    struct collect_roster *roster = NULL;
    struct tally t = {0};
    const char *names[8];
    char *bycopy = NULL;
    int exit_code = SV_EXIT_OK;

    if ((rc = sv_survey_load(&survey, a.survey, &err)) != 0 ||
        (rc = sv_schema_new(&schema, survey, &err)) != 0)
        goto fail;
    if (a.by) {
        bycopy = sv_strdup(a.by);
        char *save = NULL;
        for (char *tok = strtok_r(bycopy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (t.nby == 8) {
                exit_code = sv_usage_error("--by: at most 8 strata variables");
                goto done;
            }
            const char *var = sv_survey_role(survey, tok);
            if (!var || strchr(var, ','))
                var = tok;
            if (!sv_survey_variable(survey, var) || sv_schema_index(schema, var) < 0) {
                exit_code = sv_usage_error("--by: '%s' is neither a role nor a variable of survey '%s'",
                                           tok, survey->id);
                goto done;
            }
            names[t.nby++] = var;
        }
    } else {
        for (size_t i = 0; i < survey->frame.nvars && t.nby < 8; i++)
            names[t.nby++] = survey->frame.vars[i];
    }
    for (size_t i = 0; i < t.nby; i++) {
        t.cols[i] = sv_schema_index(schema, names[i]);
        if (t.cols[i] < 0) {
            rc = sv_error_set(&err, SV_EDATA, survey->file, 0, 0,
                              "frame variable '%s' is not a column of the survey", names[i]);
            goto fail;
        }
        t.framecol[i] = -1;
        for (size_t j = 0; j < survey->frame.nvars; j++)
            if (strcmp(survey->frame.vars[j], names[i]) == 0)
                t.framecol[i] = (long)j;
    }
    bool rates = survey->frame.nrows > 0;
    for (size_t i = 0; i < t.nby; i++)
        if (t.framecol[i] < 0)
            rates = false;

    if ((rc = sv_store_open_read(&store, a.store, schema, &err)) != 0)
        goto fail;
    struct sv_store_tally tally;
    if ((rc = sv_store_tally(store, &tally, &err)) != 0)
        goto fail;
    if ((rc = sv_store_foreach(store, count_one, &t, &err)) != 0) {
        if (rc == SV_ENOMEM)
            sv_error_set(&err, rc, NULL, 0, 0, "out of memory");
        goto fail;
    }
    /* participants added by 'collect participants': invited, reminded, completed */
    if ((rc = collect_roster_open(&roster, a.store, false, &err)) != 0)
        goto fail;
    if (roster && (rc = collect_roster_foreach(roster, names, t.nby, count_participant, &t, &err)) != 0) {
        if (rc == SV_ENOMEM)
            sv_error_set(&err, rc, NULL, 0, 0, "out of memory");
        goto fail;
    }
    long tot[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < t.n; i++) {
        tot[0] += t.cells[i].participants;
        tot[1] += t.cells[i].invited;
        tot[2] += t.cells[i].reminded;
        tot[3] += t.cells[i].completed;
    }
    bool parts = tot[0] > 0;
    double frame_total = 0;
    if (rates) {
        for (size_t r = 0; r < survey->frame.nrows; r++) {
            struct sv_buf k = SV_BUF_INIT;
            for (size_t i = 0; i < t.nby; i++) {
                if (i)
                    sv_buf_addc(&k, '\x1f');
                sv_buf_adds(&k, survey->frame.rows[r].keys[t.framecol[i]]);
            }
            struct cell *c = cell_get(&t, k.data);
            sv_buf_release(&k);
            if (!c) {
                rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                goto fail;
            }
            c->frame += survey->frame.rows[r].count;
            c->in_frame = true;
            frame_total += survey->frame.rows[r].count;
        }
    }
    qsort(t.cells, t.n, sizeof *t.cells, cmp_cell);

    /* Build the table as strings, then print it. */
    size_t ncol = t.nby + 3 + (parts ? 4 : 0);
    size_t nrow = t.n + 2; /* header, cells, total */
    char ***tab = calloc(nrow, sizeof *tab);
    if (!tab) {
        rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    for (size_t r = 0; r < nrow; r++) {
        tab[r] = calloc(ncol, sizeof **tab);
        if (!tab[r]) {
            rc = sv_error_set(&err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            for (size_t q = 0; q < r; q++)
                free(tab[q]);
            free(tab);
            goto fail;
        }
    }
    for (size_t i = 0; i < t.nby; i++) {
        const struct sv_variable *v = sv_survey_variable(survey, names[i]);
        tab[0][i] = sv_strdup(csv || !v ? names[i] : sv_label_get(&v->label, lang));
    }
    if (csv) {
        tab[0][t.nby] = sv_strdup(fr ? "reponses" : "responses");
        tab[0][t.nby + 1] = sv_strdup("population");
        tab[0][t.nby + 2] = sv_strdup(fr ? "taux_reponse" : "response_rate");
        if (parts) {
            tab[0][t.nby + 3] = sv_strdup("participants");
            tab[0][t.nby + 4] = sv_strdup(fr ? "invites" : "invited");
            tab[0][t.nby + 5] = sv_strdup(fr ? "relances" : "reminded");
            tab[0][t.nby + 6] = sv_strdup(fr ? "termine" : "completed");
        }
    } else {
        tab[0][t.nby] = sv_strdup(fr ? "Réponses" : "Responses");
        tab[0][t.nby + 1] = sv_strdup("Population");
        tab[0][t.nby + 2] = sv_strdup(fr ? "Taux de réponse" : "Response rate");
        if (parts) {
            tab[0][t.nby + 3] = sv_strdup("Participants");
            tab[0][t.nby + 4] = sv_strdup(fr ? "Invités" : "Invited");
            tab[0][t.nby + 5] = sv_strdup(fr ? "Relancés" : "Reminded");
            tab[0][t.nby + 6] = sv_strdup(fr ? "Terminé" : "Completed");
        }
    }
    char num[64];
    for (size_t r = 0; r < t.n; r++) {
        struct cell *c = &t.cells[r];
        char *kc = sv_strdup(c->key);
        char *p = kc;
        for (size_t i = 0; i < t.nby; i++) {
            char *sep = p ? strchr(p, '\x1f') : NULL;
            if (sep)
                *sep = '\0';
            const char *code = p ? p : "";
            if (!csv && *code) {
                struct sv_buf lb = SV_BUF_INIT;
                const char *label = sv_survey_code_label(survey, names[i], code, lang);
                if (label && strcmp(label, code) != 0)
                    sv_buf_addf(&lb, "%s %s", code, label);
                else
                    sv_buf_adds(&lb, code);
                tab[r + 1][i] = sv_buf_detach(&lb, NULL);
            } else {
                tab[r + 1][i] = sv_strdup(*code ? code : (csv ? "" : "-"));
            }
            p = sep ? sep + 1 : NULL;
        }
        free(kc);
        snprintf(num, sizeof num, "%ld", c->responses);
        tab[r + 1][t.nby] = sv_strdup(num);
        if (c->in_frame)
            snprintf(num, sizeof num, "%.0f", c->frame);
        else
            num[0] = '\0';
        tab[r + 1][t.nby + 1] = sv_strdup(num);
        fmt_rate(num, sizeof num, c->in_frame && c->frame > 0 ? c->responses / c->frame : -1, fr, csv);
        tab[r + 1][t.nby + 2] = sv_strdup(num);
        if (parts) {
            long v[4] = {c->participants, c->invited, c->reminded, c->completed};
            for (size_t k = 0; k < 4; k++) {
                snprintf(num, sizeof num, "%ld", v[k]);
                tab[r + 1][t.nby + 3 + k] = sv_strdup(num);
            }
        }
    }
    tab[nrow - 1][0] = sv_strdup(csv ? "total" : (fr ? "Total" : "Total"));
    for (size_t i = 1; i < t.nby; i++)
        tab[nrow - 1][i] = sv_strdup("");
    snprintf(num, sizeof num, "%ld", t.total);
    tab[nrow - 1][t.nby] = sv_strdup(num);
    if (rates)
        snprintf(num, sizeof num, "%.0f", frame_total);
    else
        num[0] = '\0';
    tab[nrow - 1][t.nby + 1] = sv_strdup(num);
    fmt_rate(num, sizeof num, rates && frame_total > 0 ? t.total / frame_total : -1, fr, csv);
    tab[nrow - 1][t.nby + 2] = sv_strdup(num);
    for (size_t k = 0; parts && k < 4; k++) {
        snprintf(num, sizeof num, "%ld", tot[k]);
        tab[nrow - 1][t.nby + 3 + k] = sv_strdup(num);
    }

    if (csv) {
        struct sv_csv_writer w;
        sv_csv_writer_init(&w, stdout, SV_CSV_PLAIN);
        for (size_t r = 0; r < nrow; r++) {
            for (size_t cidx = 0; cidx < ncol; cidx++)
                sv_csv_cell(&w, tab[r][cidx] ? tab[r][cidx] : "",
                            (r > 0 && cidx >= t.nby) ? SV_CELL_NUMBER : SV_CELL_CODE);
            sv_csv_end_record(&w);
        }
    } else {
        int *wd = calloc(ncol, sizeof *wd);
        for (size_t r = 0; wd && r < nrow; r++)
            for (size_t cidx = 0; cidx < ncol; cidx++) {
                int x = tab[r][cidx] ? width(tab[r][cidx]) : 0;
                if (x > wd[cidx])
                    wd[cidx] = x;
            }
        for (size_t r = 0; wd && r < nrow; r++) {
            for (size_t cidx = 0; cidx < ncol; cidx++) {
                const char *s = tab[r][cidx] ? tab[r][cidx] : "";
                int pad = wd[cidx] - width(s);
                bool right = cidx >= t.nby;
                if (right)
                    printf("%*s%s", pad, "", s);
                else
                    printf("%s%*s", s, cidx + 1 < ncol ? pad : 0, "");
                if (cidx + 1 < ncol)
                    fputs("  ", stdout);
            }
            putchar('\n');
        }
        free(wd);
    }
    for (size_t r = 0; r < nrow; r++) {
        for (size_t cidx = 0; cidx < ncol; cidx++)
            free(tab[r][cidx]);
        free(tab[r]);
    }
    free(tab);
    /*
     * What the table leaves out: partial saves (stored with fetch --responses
     * all), responses the platform's review rejected, records the definition
     * refused.
     */
    if (csv)
        sv_note(fr ? "réponses complètes %ld (dont rejetées à la relecture %ld, à revoir %ld), "
                     "partielles %ld, refusées par la définition %ld"
                   : "complete responses %ld (review: rejected %ld, to check %ld), partial %ld, "
                     "refused by the definition %ld",
                tally.complete, tally.review_rejected, tally.review_pending, tally.partial,
                tally.rejects);
    else
        printf(fr ? "\nRéponses complètes %ld (dont rejetées à la relecture %ld, à revoir %ld), "
                    "partielles %ld, refusées par la définition %ld\n"
                  : "\nComplete responses %ld (review: rejected %ld, to check %ld), partial %ld, "
                    "refused by the definition %ld\n",
               tally.complete, tally.review_rejected, tally.review_pending, tally.partial,
               tally.rejects);
    goto done;
fail:
    if (err.code == 0)
        err.code = rc;
    exit_code = sv_fail_error(&err);
done:
    for (size_t i = 0; i < t.n; i++)
        free(t.cells[i].key);
    free(t.cells);
    free(bycopy);
    collect_roster_close(roster);
    sv_store_close(store);
    sv_schema_free(schema);
    sv_survey_free(survey);
    return exit_code;
}
