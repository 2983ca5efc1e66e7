/* One pass over a CSV file into per-slot moments: see analyse_stream.h. */
#include "analyse_stream.h"

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyse_scan.h"
#include "sv_buf.h"

/* A code column of the slot key. */
struct kcol {
    const char *name;
    long schema_index;
    const struct sv_variable *var;
    size_t field;      /* index into the scanner's fields */
    uint64_t mult;     /* place value in the key; the column's digit is in [0, ncodes] */
    size_t *codelen;   /* ncodes */
    /* open-addressing table of the short codes: packed value -> code index */
    struct codeslot {
        uint64_t v;
        uint32_t idx;
        uint32_t len; /* UINT32_MAX = empty */
    } *ctab;
    unsigned cbits;
};

/* Up to 8 bytes as an integer, for comparing short codes in one instruction. */
static inline uint64_t pack8(const char *p, size_t len)
{
    uint64_t v = 0;
    memcpy(&v, p, len);
    return v;
}

/*
 * A field of 8 bytes or less as pack8() packs it. On little-endian machines
 * one 8-byte load, masked: the scanner guarantees 16 readable bytes after a
 * field.
 */
static inline uint64_t load_code(const char *p, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t v;
    memcpy(&v, p, 8);
    return len == 8 ? v : v & (((uint64_t)1 << (8 * len)) - 1);
#else
    return pack8(p, len);
#endif
}

static inline size_t code_hash(uint64_t v, unsigned bits)
{
    return (size_t)((v * 0x9E3779B97F4A7C15ULL) >> (64 - bits));
}

enum nkind { NK_BINARY, NK_CODES, NK_NUMBER, NK_INTEGER };

/* A numeric column: y or x. */
struct ncol {
    const char *name;
    long schema_index;
    const struct sv_variable *var;
    enum nkind kind;
    size_t field;
};

/* What every worker shares (read-only while they run). */
struct plan {
    const struct analyse_stream_spec *spec;
    struct analyse_scan_header hdr;
    struct kcol *k;
    size_t nk;
    size_t frame_k[8];  /* kcol index of each frame variable */
    size_t nframe;
    size_t y_k;         /* y_single: kcol of y */
    size_t dim_k[16];
    struct ncol y, x;
    bool has_x;
    size_t *cols;       /* scanner fields: column index in the file */
    size_t ncols;
    long id_col;        /* scanner field of "id", or -1 */
    size_t *frame_lookup;
};

struct slot {
    uint64_t key;
    size_t cell;
    struct analyse_mom mom;
};

struct table {
    uint64_t *keys;     /* cap, UINT64_MAX = empty */
    uint32_t *idx;
    size_t cap;
    struct slot *slots;
    size_t n, scap;
};

struct worker {
    const struct plan *pl;
    off_t start, end;
    bool report_progress;
    struct table t;
    long rows, lines;
    bool at_cut;
    int rc;
    struct sv_error err;
    char val[256];
    char canon[64];
};

static int table_init(struct table *t)
{
    memset(t, 0, sizeof *t);
    t->cap = 1024;
    t->keys = malloc(t->cap * sizeof *t->keys);
    t->idx = malloc(t->cap * sizeof *t->idx);
    if (!t->keys || !t->idx)
        return SV_ENOMEM;
    memset(t->keys, 0xff, t->cap * sizeof *t->keys);
    return 0;
}

static void table_release(struct table *t)
{
    free(t->keys);
    free(t->idx);
    free(t->slots);
    memset(t, 0, sizeof *t);
}

static size_t hash_key(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k;
}

static int table_grow(struct table *t)
{
    size_t cap = t->cap * 2;
    uint64_t *keys = malloc(cap * sizeof *keys);
    uint32_t *idx = malloc(cap * sizeof *idx);
    if (!keys || !idx) {
        free(keys);
        free(idx);
        return SV_ENOMEM;
    }
    memset(keys, 0xff, cap * sizeof *keys);
    for (size_t s = 0; s < t->n; s++) {
        size_t h = hash_key(t->slots[s].key) & (cap - 1);
        while (keys[h] != UINT64_MAX)
            h = (h + 1) & (cap - 1);
        keys[h] = t->slots[s].key;
        idx[h] = (uint32_t)s;
    }
    free(t->keys);
    free(t->idx);
    t->keys = keys;
    t->idx = idx;
    t->cap = cap;
    return 0;
}

/* The slot of `key`: *created says whether it is new. NULL when out of memory. */
static struct slot *table_get(struct table *t, uint64_t key, bool *created)
{
    size_t h = hash_key(key) & (t->cap - 1);
    while (t->keys[h] != UINT64_MAX) {
        if (t->keys[h] == key) {
            *created = false;
            return &t->slots[t->idx[h]];
        }
        h = (h + 1) & (t->cap - 1);
    }
    if (t->n == t->scap) {
        size_t sc = t->scap ? t->scap * 2 : 256;
        struct slot *ns = realloc(t->slots, sc * sizeof *ns);
        if (!ns)
            return NULL;
        t->slots = ns;
        t->scap = sc;
    }
    if (t->n >= UINT32_MAX)
        return NULL;
    t->keys[h] = key;
    t->idx[h] = (uint32_t)t->n;
    struct slot *s = &t->slots[t->n++];
    memset(s, 0, sizeof *s);
    s->key = key;
    *created = true;
    if (2 * t->n > t->cap && table_grow(t) != 0)
        return NULL;
    return s;
}

/* ---- values -------------------------------------------------------------------- */

/* Record id of the current record, for messages. */
static void record_id(char *out, size_t size, const struct plan *pl,
                      const struct analyse_scan_field *f)
{
    snprintf(out, size, "?");
    if (pl->id_col >= 0 && f[pl->id_col].p) {
        size_t l = f[pl->id_col].len < size - 1 ? f[pl->id_col].len : size - 1;
        memcpy(out, f[pl->id_col].p, l);
        out[l] = '\0';
    }
}

/*
 * A value that is not plainly canonical, made canonical exactly as
 * analyse_input and collect --platform csv make it (sv_record_canonical:
 * the definition's csv code mappings, yes/no words, decimal commas,
 * blanks), or refused with the same message. *out is NULL for a blank
 * value, else points into wk->canon.
 */
static int canonical(struct worker *wk, const struct analyse_scan_field *f, long schema_index,
                     const char *value, long line, const char **out)
{
    const struct plan *pl = wk->pl;
    int crc = sv_record_canonical(pl->spec->schema, (size_t)schema_index, value, wk->canon,
                                  sizeof wk->canon, out, &wk->err);
    if (crc == 0)
        return 0;
    char vpath[SV_ERROR_PATH_MAX], text[SV_ERROR_TEXT_MAX], id[256];
    snprintf(vpath, sizeof vpath, "%s", wk->err.path);
    snprintf(text, sizeof text, "%s", wk->err.text);
    record_id(id, sizeof id, pl, f);
    sv_error_set(&wk->err, crc, pl->spec->path, line, 0, "%s", text);
    sv_error_set_path(&wk->err, "record '%s': %s", id, vpath);
    return crc;
}

/* Copy a field into the worker's buffer as a C string (NULL when too long). */
static const char *field_text(struct worker *wk, const struct analyse_scan_field *fld)
{
    if (fld->len >= sizeof wk->val)
        return NULL;
    memcpy(wk->val, fld->p, fld->len);
    wk->val[fld->len] = '\0';
    return wk->val;
}

/* The code index of a code field: ncodes when empty; an error when not a code. */
static int code_of(struct worker *wk, const struct kcol *kc, const struct analyse_scan_field *f,
                   size_t *out, long line)
{
    const struct analyse_scan_field *fld = &f[kc->field];
    size_t nc = kc->var->ncodes;
    if (!fld->p || fld->len == 0) {
        *out = nc;
        return 0;
    }
    if (fld->len <= 8) {
        uint64_t v = load_code(fld->p, fld->len);
        size_t mask = ((size_t)1 << kc->cbits) - 1;
        for (size_t h = code_hash(v, kc->cbits); kc->ctab[h].len != UINT32_MAX;
             h = (h + 1) & mask)
            if (kc->ctab[h].v == v && kc->ctab[h].len == fld->len) {
                *out = kc->ctab[h].idx;
                return 0;
            }
    } else {
        for (size_t j = 0; j < nc; j++)
            if (kc->codelen[j] == fld->len &&
                memcmp(kc->var->codes[j].code, fld->p, fld->len) == 0) {
                *out = j;
                return 0;
            }
    }
    char big[4096];
    const char *v = field_text(wk, fld);
    if (!v) {
        size_t l = fld->len < sizeof big - 1 ? fld->len : sizeof big - 1;
        memcpy(big, fld->p, l);
        big[l] = '\0';
        v = big;
    }
    const char *canon;
    int rc = canonical(wk, f, kc->schema_index, v, line, &canon);
    *out = nc; /* blank: missing, as the rows */
    for (size_t j = 0; rc == 0 && canon && j < nc; j++)
        if (strcmp(kc->var->codes[j].code, canon) == 0)
            *out = j;
    return rc;
}

/* A numeric field: NAN when empty; an error when the definition refuses it. */
static int number_of(struct worker *wk, const struct ncol *nc, const struct analyse_scan_field *f,
                     double *out, long line)
{
    const struct analyse_scan_field *fld = &f[nc->field];
    *out = NAN;
    if (!fld->p || fld->len == 0)
        return 0;
    const char *p = fld->p;
    size_t len = fld->len;
    const struct sv_variable *v = nc->var;
    switch (nc->kind) {
    case NK_BINARY:
        if (len == 1 && (p[0] == '0' || p[0] == '1')) {
            *out = p[0] - '0';
            return 0;
        }
        break;
    case NK_CODES:
        for (size_t j = 0; j < v->ncodes; j++)
            if (strlen(v->codes[j].code) == len && memcmp(v->codes[j].code, p, len) == 0) {
                *out = strtod(v->codes[j].code, NULL);
                return 0;
            }
        break;
    case NK_NUMBER:
    case NK_INTEGER: {
        double x;
        if ((nc->kind == NK_NUMBER || !memchr(p, '.', len)) &&
            analyse_scan_plain_number(p, len, &x) && isfinite(x) &&
            !(v->has_min && x < v->min) && !(v->has_max && x > v->max)) {
            *out = x;
            return 0;
        }
        break;
    }
    }
    /* not plainly valid: the decimal comma of excel-fr, or the definition decides */
    char big[4096];
    const char *t = field_text(wk, fld);
    if (!t) {
        size_t l = len < sizeof big - 1 ? len : sizeof big - 1;
        memcpy(big, p, l);
        big[l] = '\0';
        t = big;
    }
    const char *canon;
    int rc = canonical(wk, f, nc->schema_index, t, line, &canon);
    if (rc || !canon)
        return rc;
    char *end;
    double x = strtod(canon, &end);
    *out = *end ? NAN : x;
    return 0;
}

/* The frame cell of a new slot, or the row path's error for its record. */
static int check_cell(struct worker *wk, const size_t *codes, const struct analyse_scan_field *f,
                      size_t *cell, long line)
{
    const struct plan *pl = wk->pl;
    const struct sv_survey *s = pl->spec->survey;
    if (pl->nframe == 0) {
        *cell = 0;
        return 0;
    }
    char id[256];
    size_t key = 0;
    for (size_t k = 0; k < pl->nframe; k++) {
        const struct kcol *kc = &pl->k[pl->frame_k[k]];
        size_t c = codes[pl->frame_k[k]];
        if (c == kc->var->ncodes) {
            record_id(id, sizeof id, pl, f);
            return sv_error_set(&wk->err, SV_EDATA, pl->spec->path, line, 0,
                                "record '%s': '%s' is missing, so its stratum is unknown", id,
                                s->frame.vars[k]);
        }
        key = key * kc->var->ncodes + c;
    }
    *cell = pl->frame_lookup[key];
    if (*cell == ANALYSE_NO_GROUP || !(s->frame.rows[*cell].count > 0)) {
        struct sv_buf name = SV_BUF_INIT;
        for (size_t k = 0; k < pl->nframe; k++) {
            const struct kcol *kc = &pl->k[pl->frame_k[k]];
            sv_buf_addf(&name, "%s%s", k ? ";" : "", kc->var->codes[codes[pl->frame_k[k]]].code);
        }
        record_id(id, sizeof id, pl, f);
        int rc = sv_error_set(&wk->err, SV_EDATA, pl->spec->path, line, 0,
                              "record '%s': stratum '%s' is %s the frame of survey '%s'", id,
                              name.data, *cell == ANALYSE_NO_GROUP ? "missing from" : "empty in",
                              s->id);
        sv_buf_release(&name);
        return rc;
    }
    return 0;
}

/* ---- the workers ----------------------------------------------------------------- */

static void *work(void *arg)
{
    struct worker *wk = arg;
    const struct plan *pl = wk->pl;
    const struct analyse_stream_spec *spec = pl->spec;
    struct analyse_scan *sc = NULL;
    size_t codes[64];
    wk->rc = table_init(&wk->t);
    if (wk->rc) {
        wk->rc = sv_error_set(&wk->err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        return NULL;
    }
    wk->rc = analyse_scan_new(&sc, spec->path, &pl->hdr, wk->start, wk->end, pl->cols, pl->ncols,
                              &wk->err);
    if (wk->rc)
        return NULL;
    const struct analyse_scan_field *f;
    int rc;
    off_t span = (wk->end < 0 ? pl->hdr.size : wk->end) - wk->start;
    while ((rc = analyse_scan_next(sc, &f, &wk->err)) == 1) {
        long line = analyse_scan_line(sc);
        uint64_t key = 0;
        for (size_t k = 0; k < pl->nk && rc == 1; k++) {
            if (code_of(wk, &pl->k[k], f, &codes[k], line) != 0)
                rc = -1;
            key += codes[k] * pl->k[k].mult;
        }
        double y = 0, x = 1;
        if (rc == 1 && !spec->y_single && number_of(wk, &pl->y, f, &y, line) != 0)
            rc = -1;
        if (rc == 1 && pl->has_x && number_of(wk, &pl->x, f, &x, line) != 0)
            rc = -1;
        if (rc != 1) {
            rc = wk->err.code ? wk->err.code : SV_EDATA;
            break;
        }
        bool created;
        struct slot *s = table_get(&wk->t, key, &created);
        if (!s) {
            rc = sv_error_set(&wk->err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            break;
        }
        if (created && (rc = check_cell(wk, codes, f, &s->cell, line)) != 0)
            break;
        s->mom.n += 1;
        if (!spec->y_single && !isnan(y) && !isnan(x))
            analyse_mom_add(&s->mom, y, x);
        wk->rows++;
        if (wk->report_progress && spec->progress && (wk->rows & 0xffff) == 0 && span > 0)
            spec->progress(spec->progress_ctx,
                           (double)(analyse_scan_consumed(sc) - wk->start) / (double)span);
    }
    wk->lines = analyse_scan_lines_read(sc); /* the next range's lines start after these */
    wk->at_cut = rc == 0 && analyse_scan_ended_at_cut(sc);
    wk->rc = rc < 0 ? rc : 0;
    analyse_scan_free(sc);
    return NULL;
}

/* ---- setting up ------------------------------------------------------------------- */

static void plan_release(struct plan *pl)
{
    for (size_t k = 0; k < pl->nk; k++) {
        free(pl->k[k].codelen);
        free(pl->k[k].ctab);
    }
    free(pl->k);
    free(pl->cols);
    free(pl->frame_lookup);
    analyse_scan_header_release(&pl->hdr);
    memset(pl, 0, sizeof *pl);
}

/*
 * The file column of schema column `si`: its own name, else (a column that
 * is not a multiple-choice option) the variable's name on the csv platform,
 * as analyse_input and collect --platform csv read it; -1 when absent.
 */
static long file_column(const struct plan *pl, long si)
{
    const struct sv_column *c = &pl->spec->schema->columns[si];
    long fc = analyse_scan_column(&pl->hdr, c->name);
    if (fc < 0 && !c->code && c->variable->platform[SV_PLATFORM_CSV])
        fc = analyse_scan_column(&pl->hdr, c->variable->platform[SV_PLATFORM_CSV]);
    return fc;
}

/* Add a scanner field for file column `name` (may be absent: -1). */
static size_t add_field(struct plan *pl, long file_col)
{
    pl->cols[pl->ncols] = file_col < 0 ? (size_t)-1 : (size_t)file_col;
    return pl->ncols++;
}

/* A key column for variable `name` (once per name); returns its index or -1 (too wide). */
static long add_kcol(struct plan *pl, const char *name, uint64_t *mult, struct sv_error *err)
{
    for (size_t k = 0; k < pl->nk; k++)
        if (strcmp(pl->k[k].name, name) == 0)
            return (long)k;
    const struct analyse_stream_spec *spec = pl->spec;
    long si = sv_schema_index(spec->schema, name);
    const struct sv_variable *v = si >= 0 ? spec->schema->columns[si].variable : NULL;
    if (!v || v->type != SV_TYPE_SINGLE || spec->schema->columns[si].code)
        return sv_error_set(err, SV_EDATA, spec->survey->file, 0, 0,
                            "variable '%s' is not a single-choice variable", name);
    if (pl->nk == 64)
        return -1;
    uint64_t radix = (uint64_t)v->ncodes + 1;
    if (*mult > UINT64_MAX / 4 / radix)
        return -1;
    struct kcol *kc = &pl->k[pl->nk];
    kc->name = v->name;
    kc->schema_index = si;
    kc->var = v;
    kc->mult = *mult;
    *mult *= radix;
    kc->codelen = calloc(v->ncodes ? v->ncodes : 1, sizeof *kc->codelen);
    if (!kc->codelen)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    kc->cbits = 4;
    while (((size_t)1 << kc->cbits) < 4 * v->ncodes)
        kc->cbits++;
    size_t tsize = (size_t)1 << kc->cbits;
    kc->ctab = malloc(tsize * sizeof *kc->ctab);
    if (!kc->ctab)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t h = 0; h < tsize; h++)
        kc->ctab[h].len = UINT32_MAX;
    for (size_t j = 0; j < v->ncodes; j++) {
        kc->codelen[j] = strlen(v->codes[j].code);
        if (kc->codelen[j] > 8)
            continue; /* longer codes go through memcmp */
        uint64_t packed = pack8(v->codes[j].code, kc->codelen[j]);
        size_t h = code_hash(packed, kc->cbits);
        while (kc->ctab[h].len != UINT32_MAX &&
               !(kc->ctab[h].v == packed && kc->ctab[h].len == kc->codelen[j]))
            h = (h + 1) & (tsize - 1);
        if (kc->ctab[h].len == UINT32_MAX) { /* a repeated code keeps its first index */
            kc->ctab[h].v = packed;
            kc->ctab[h].len = (uint32_t)kc->codelen[j];
            kc->ctab[h].idx = (uint32_t)j;
        }
    }
    kc->field = add_field(pl, file_column(pl, si));
    return (long)pl->nk++;
}

/* add_kcol() as a return code: 0 (*index set), 1 when the key would be too wide, or an error. */
static int want_kcol(struct plan *pl, const char *name, uint64_t *mult, size_t *index,
                     struct sv_error *err)
{
    long r = add_kcol(pl, name, mult, err);
    if (r == -1)
        return 1;
    if (r < 0)
        return (int)r;
    *index = (size_t)r;
    return 0;
}

static int numeric_col(struct plan *pl, struct ncol *nc, const char *name, struct sv_error *err)
{
    const struct analyse_stream_spec *spec = pl->spec;
    long si = sv_schema_index(spec->schema, name);
    if (si < 0)
        return sv_error_set(err, SV_EDATA, spec->survey->file, 0, 0,
                            "survey '%s' has no variable '%s'", spec->survey->id, name);
    const struct sv_column *col = &spec->schema->columns[si];
    const struct sv_variable *v = col->variable;
    nc->name = name;
    nc->schema_index = si;
    nc->var = v;
    if (col->code || v->type == SV_TYPE_YESNO)
        nc->kind = NK_BINARY;
    else if (v->type == SV_TYPE_LIKERT)
        nc->kind = NK_CODES;
    else if (v->type == SV_TYPE_NUMBER)
        nc->kind = NK_NUMBER;
    else if (v->type == SV_TYPE_INTEGER)
        nc->kind = NK_INTEGER;
    else
        return sv_error_set(err, SV_EDATA, spec->survey->file, 0, 0,
                            "variable '%s' (%s) is not numeric", name, sv_var_type_name(v->type));
    nc->field = add_field(pl, file_column(pl, si));
    return 0;
}

void analyse_stream_release(struct analyse_stream *st)
{
    free(st->cell);
    free(st->dim_code);
    free(st->y_code);
    free(st->mom);
    analyse_cell_design_release(&st->design);
    analyse_cellplan_release(&st->plan);
    memset(st, 0, sizeof *st);
}

static int cmp_slot(const void *a, const void *b)
{
    uint64_t x = ((const struct slot *)a)->key, y = ((const struct slot *)b)->key;
    return x < y ? -1 : x > y;
}

/* Fields absent from the file read as empty: the scanner gets a column past the last. */
static void absent_fields(struct plan *pl)
{
    size_t past = pl->hdr.nnames + 1;
    for (size_t k = 0; k < pl->ncols; k++)
        if (pl->cols[k] == (size_t)-1)
            pl->cols[k] = past;
}

static int run_workers(struct worker *wk, int nw, struct plan *pl, off_t *cuts)
{
    pthread_t th[8];
    bool started[8] = {false};
    for (int k = 0; k < nw; k++) {
        memset(&wk[k], 0, sizeof wk[k]);
        wk[k].pl = pl;
        wk[k].start = cuts[k];
        wk[k].end = cuts[k + 1];
        wk[k].report_progress = k == 0;
        sv_error_clear(&wk[k].err);
    }
    for (int k = 1; k < nw; k++)
        started[k] = pthread_create(&th[k], NULL, work, &wk[k]) == 0;
    work(&wk[0]);
    for (int k = 1; k < nw; k++) {
        if (started[k])
            pthread_join(th[k], NULL);
        else
            work(&wk[k]);
    }
    return 0;
}

int analyse_stream_read(struct analyse_stream *st, const struct analyse_stream_spec *spec,
                        struct sv_error *err)
{
    memset(st, 0, sizeof *st);
    struct plan pl;
    memset(&pl, 0, sizeof pl);
    pl.spec = spec;
    struct worker wk[8];
    if (strcmp(spec->path, "-") == 0)
        return 1; /* standard input: the rows (they read it once, as it comes) */
    int nw = 0, rc = analyse_scan_header_read(&pl.hdr, spec->path, err);
    if (rc == 1 || rc == SV_EUSAGE) {
        sv_error_clear(err);
        return 1; /* JSON Lines or not a regular file: the rows */
    }
    if (rc)
        return rc;
    pl.k = calloc(64, sizeof *pl.k);
    pl.cols = calloc(64 + 3, sizeof *pl.cols); /* key columns (at most 64), y, x, id */
    if (!pl.k || !pl.cols) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    uint64_t mult = 1;
    const struct sv_frame *fr = &spec->survey->frame;
    if (spec->weighting != ANALYSE_W_NONE) {
        if (fr->nvars == 0 || fr->nrows == 0) {
            rc = sv_error_set(err, SV_EDATA, spec->survey->file, 0, 0,
                              "survey '%s' has no population frame: use --weights none",
                              spec->survey->id);
            goto out;
        }
        if (fr->nvars > 8) {
            rc = 1;
            goto out;
        }
        for (size_t k = 0; k < fr->nvars; k++) {
            if ((rc = want_kcol(&pl, fr->vars[k], &mult, &pl.frame_k[k], err)))
                goto out;
            pl.nframe++;
        }
        size_t span;
        if ((rc = analyse_frame_lookup(&pl.frame_lookup, &span, spec->survey, err)))
            goto out;
    }
    if (spec->ndims > 16) {
        rc = 1;
        goto out;
    }
    for (size_t k = 0; k < spec->ndims; k++)
        if ((rc = want_kcol(&pl, spec->dims[k], &mult, &pl.dim_k[k], err)))
            goto out;
    if (spec->y_single ? (rc = want_kcol(&pl, spec->y, &mult, &pl.y_k, err)) != 0
                       : (rc = numeric_col(&pl, &pl.y, spec->y, err)) != 0)
        goto out;
    if (spec->x) {
        pl.has_x = true;
        if ((rc = numeric_col(&pl, &pl.x, spec->x, err)))
            goto out;
    }
    long idc = analyse_scan_column(&pl.hdr, "id");
    pl.id_col = idc < 0 ? -1 : (long)add_field(&pl, idc);
    absent_fields(&pl);

    /* cut the file into ranges at line starts */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    nw = spec->threads > 0 ? spec->threads : (int)(ncpu > 0 ? ncpu : 1);
    if (nw > 8)
        nw = 8;
    off_t body = pl.hdr.size - pl.hdr.data_start;
    if (spec->threads <= 0 && body < ((off_t)8 << 20))
        nw = 1; /* threads only pay off on large files */
    if (body < nw)
        nw = 1;
    off_t cuts[9];
    cuts[0] = pl.hdr.data_start;
    for (int k = 1; k < nw; k++)
        if ((rc = analyse_scan_line_start(&cuts[k], spec->path, &pl.hdr,
                                          pl.hdr.data_start + body / nw * k, err)))
            goto out;
    cuts[nw] = -1;
    run_workers(wk, nw, &pl, cuts);
    /* a cut inside a quoted field: read again in one piece */
    for (int k = 0; k + 1 < nw; k++) {
        if (wk[k].rc != 0)
            break;
        if (!wk[k].at_cut) {
            for (int j = 0; j < nw; j++)
                table_release(&wk[j].t);
            nw = 1;
            cuts[1] = -1;
            run_workers(wk, nw, &pl, cuts);
            break;
        }
    }
    st->threads_used = nw;
    /* the first error in the file's order, with its line counted from the top */
    long base = pl.hdr.data_line - 1;
    for (int k = 0; k < nw; k++) {
        if (wk[k].rc) {
            if (err) {
                *err = wk[k].err;
                if (err->line > 0)
                    err->line += base;
            }
            rc = wk[k].rc;
            goto out;
        }
        base += wk[k].lines;
    }
    /* merge the workers' slots, in key order */
    struct table *t = &wk[0].t;
    for (int k = 1; k < nw; k++)
        for (size_t s = 0; s < wk[k].t.n; s++) {
            bool created;
            struct slot *into = table_get(t, wk[k].t.slots[s].key, &created);
            if (!into) {
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
                goto out;
            }
            if (created)
                into->cell = wk[k].t.slots[s].cell;
            analyse_mom_merge(&into->mom, &wk[k].t.slots[s].mom);
        }
    if (t->n > 1) /* a header-only file has no slots (and qsort no NULL) */
        qsort(t->slots, t->n, sizeof *t->slots, cmp_slot);
    size_t ns = t->n;
    st->nslots = ns;
    st->ndims = spec->ndims;
    st->cell = calloc(ns ? ns : 1, sizeof *st->cell);
    st->dim_code = calloc((ns ? ns : 1) * (spec->ndims ? spec->ndims : 1), sizeof *st->dim_code);
    st->y_code = calloc(ns ? ns : 1, sizeof *st->y_code);
    st->mom = calloc(ns ? ns : 1, sizeof *st->mom);
    size_t ncells = spec->weighting == ANALYSE_W_NONE ? 1 : fr->nrows;
    long *ncell = calloc(ncells, sizeof *ncell);
    if (!st->cell || !st->dim_code || !st->y_code || !st->mom || !ncell) {
        free(ncell);
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto out;
    }
    for (size_t s = 0; s < ns; s++) {
        struct slot *sl = &t->slots[s];
        analyse_mom_flush(&sl->mom);
        st->cell[s] = sl->cell;
        st->mom[s] = sl->mom;
        st->nrows += (long)sl->mom.n;
        ncell[sl->cell] += (long)sl->mom.n;
        for (size_t k = 0; k < spec->ndims; k++) {
            const struct kcol *kc = &pl.k[pl.dim_k[k]];
            size_t c = (size_t)(sl->key / kc->mult % (kc->var->ncodes + 1));
            st->dim_code[s * spec->ndims + k] = c == kc->var->ncodes ? ANALYSE_NO_GROUP : c;
        }
        if (spec->y_single) {
            const struct kcol *kc = &pl.k[pl.y_k];
            size_t c = (size_t)(sl->key / kc->mult % (kc->var->ncodes + 1));
            st->y_code[s] = c == kc->var->ncodes ? ANALYSE_NO_GROUP : c;
        } else {
            st->y_code[s] = ANALYSE_NO_GROUP;
        }
    }
    if (st->nrows == 0) {
        free(ncell);
        rc = sv_error_set(err, SV_EDATA, spec->path, 0, 0, "no responses to analyse");
        goto out;
    }
    rc = analyse_cellplan_make(&st->plan, spec->survey, spec->weighting, ncell, err);
    free(ncell);
    if (rc == 0)
        rc = analyse_cell_design_init(&st->design, &st->plan, err);
out:
    for (int k = 0; k < nw; k++)
        table_release(&wk[k].t);
    plan_release(&pl);
    if (rc < 0)
        analyse_stream_release(st);
    return rc;
}
