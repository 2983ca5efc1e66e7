/* Helpers shared by the sample models: role lookups, values, draws, formatting. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_randist.h>

#include "gensample.h"

int gs_var_index(const struct sv_survey *s, const char *name)
{
    if (!name)
        return -1;
    for (size_t i = 0; i < s->nvariables; i++)
        if (strcmp(s->variables[i].name, name) == 0)
            return (int)i;
    return -1;
}

int gs_role_index(const struct sv_survey *s, const char *role, struct sv_error *err)
{
    const char *name = sv_survey_role(s, role);
    int i = gs_var_index(s, name);
    if (i < 0)
        sv_error_set(err, SV_EDATA, s->file, 0, 0, "the sample model needs role '%s'", role);
    return i;
}

int gs_family_role_index(const struct sv_survey *s, const struct sv_family *f, const char *role,
                         struct sv_error *err)
{
    const char *name = sv_family_role(f, role);
    int i = gs_var_index(s, name);
    if (i < 0)
        sv_error_set(err, SV_EDATA, s->file, 0, 0,
                     "the sample model needs role '%s' in family '%s'", role, f->code);
    return i;
}

int gs_code_index(const struct sv_survey *s, int vi, const char *code)
{
    if (vi < 0)
        return -1;
    const struct sv_variable *v = &s->variables[vi];
    for (size_t i = 0; i < v->ncodes; i++)
        if (strcmp(v->codes[i].code, code) == 0)
            return (int)i;
    return -1;
}

void gs_set_code(struct gs_record *r, int vi, const char *code)
{
    if (vi < 0)
        return;
    r->v[vi].kind = GS_CODE;
    r->v[vi].code = code;
}

void gs_set_num(struct gs_record *r, int vi, double x, int decimals)
{
    if (vi < 0)
        return;
    r->v[vi].kind = GS_NUM;
    r->v[vi].num = x;
    r->v[vi].decimals = decimals;
}

static void set_string(struct gs_record *r, int vi, const char *text, enum gs_kind kind)
{
    if (vi < 0)
        return;
    size_t len = strlen(text);
    if (len >= GS_TEXT_MAX)
        len = GS_TEXT_MAX - 1;
    memcpy(r->v[vi].text, text, len);
    r->v[vi].text[len] = '\0';
    r->v[vi].kind = kind;
}

void gs_set_text(struct gs_record *r, int vi, const char *text)
{
    set_string(r, vi, text, GS_TEXT);
}

void gs_set_raw(struct gs_record *r, int vi, const char *text)
{
    set_string(r, vi, text, GS_RAW);
}

void gs_set_yesno(struct gs_record *r, int vi, bool yes)
{
    gs_set_code(r, vi, yes ? "1" : "0");
}

void gs_set_multi(struct gs_record *r, int vi, unsigned long bits)
{
    if (vi < 0)
        return;
    r->v[vi].kind = GS_MULTI;
    r->v[vi].multi = bits;
}

size_t gs_draw(gsl_rng *rng, const double *w, size_t n)
{
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += w[i];
    double u = gsl_rng_uniform(rng) * total;
    for (size_t i = 0; i < n; i++) {
        if (u < w[i])
            return i;
        u -= w[i];
    }
    /* rounding: the last category with a positive weight */
    for (size_t i = n; i-- > 0;)
        if (w[i] > 0)
            return i;
    return 0;
}

double gs_logistic(double x)
{
    return 1.0 / (1.0 + exp(-x));
}

double gs_logit(double p)
{
    return log(p / (1.0 - p));
}

double gs_round_to(double x, double step)
{
    return round(x / step) * step;
}

void gs_allocate(long *counts, const double *weight, const double *cap, size_t nstrata, long n)
{
    double total = 0, captotal = 0;
    for (size_t h = 0; h < nstrata; h++) {
        total += weight[h];
        captotal += cap ? cap[h] : 0;
    }
    /* The cap only applies when the frame can hold the sample. */
    bool capped = cap && captotal >= (double)n;
    bool *done = calloc(nstrata ? nstrata : 1, sizeof *done);
    double *rem = calloc(nstrata ? nstrata : 1, sizeof *rem);
    if (!done || !rem) {
        free(done);
        free(rem);
        for (size_t h = 0; h < nstrata; h++)
            counts[h] = 0;
        return;
    }
    for (size_t h = 0; h < nstrata; h++)
        counts[h] = 0;
    long left = n;
    /* Repeat: proportional share of what is left among strata not yet full. */
    for (int round_ = 0; round_ < 64 && left > 0; round_++) {
        double w = 0;
        for (size_t h = 0; h < nstrata; h++)
            if (!done[h])
                w += weight[h];
        if (w <= 0)
            break;
        long given = 0;
        for (size_t h = 0; h < nstrata; h++) {
            if (done[h])
                continue;
            double share = (double)left * weight[h] / w;
            long k = (long)floor(share);
            rem[h] = share - (double)k;
            if (capped && (double)(counts[h] + k) >= cap[h]) {
                k = (long)cap[h] - counts[h];
                done[h] = true;
                rem[h] = -1;
            }
            counts[h] += k;
            given += k;
        }
        left -= given;
        /* Largest remainders get one more each, while the cap allows. */
        while (left > 0) {
            long best = -1;
            for (size_t h = 0; h < nstrata; h++)
                if (!done[h] && rem[h] >= 0 && (best < 0 || rem[h] > rem[best]))
                    best = (long)h;
            if (best < 0)
                break;
            counts[best]++;
            left--;
            rem[best] = -1;
            if (capped && (double)counts[best] >= cap[best])
                done[best] = true;
        }
    }
    free(done);
    free(rem);
    (void)total;
}

void gs_uuid(gsl_rng *rng, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char b[16];
    for (int i = 0; i < 16; i++)
        b[i] = (unsigned char)gsl_rng_uniform_int(rng, 256);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *p = buf;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = hex[b[i] >> 4];
        *p++ = hex[b[i] & 15];
    }
    *p = '\0';
}

void gs_finess(gsl_rng *rng, const char *departement, char *buf, size_t size)
{
    char prefix[3] = {'0', '0', '\0'};
    if (departement && departement[0] && departement[1]) {
        prefix[0] = departement[0];
        prefix[1] = departement[1];
    }
    unsigned long digits = gsl_rng_uniform_int(rng, 10000000UL);
    snprintf(buf, size, "%s%07lu", prefix, digits);
}

/* Fictitious names: common French first and last names, combined at random. */
static const char *const first_names[] = {
    "Camille", "Nadia",  "Julien",  "Sophie", "Karim",   "Élodie", "Thomas", "Inès",
    "Mathieu", "Chloé",  "Yannick", "Aurore", "Mehdi",   "Hélène", "Loïc",   "Fatou",
    "Céline",  "Olivier", "Sandrine", "Rémi", "Amandine", "Bruno", "Léa",    "François"};
static const char *const last_names[] = {
    "Martin", "Bernard", "Dubois",  "Lefèvre", "Moreau", "Laurent", "Garnier", "Roux",
    "Fontaine", "Chevalier", "Perrin", "Benali", "Gauthier", "Mercier", "Boyer", "N'Diaye",
    "Lemoine", "Dupont",  "Le Gall", "Hoarau", "Marchand", "Caron", "Bonnet", "Rolland"};

void gs_person_name(gsl_rng *rng, char *buf, size_t size)
{
    size_t nf = sizeof first_names / sizeof *first_names;
    size_t nl = sizeof last_names / sizeof *last_names;
    const char *f = first_names[gsl_rng_uniform_int(rng, nf)];
    const char *l = last_names[gsl_rng_uniform_int(rng, nl)];
    snprintf(buf, size, "%s %s", f, l);
}

long long gs_field_start(int wave)
{
    /* 2 March 09:00 UTC of year `wave`: days from 2026-03-02 (no 29 February lies between
       2 March of one year and 2 March of the next unless the later year is a leap year). */
    long long t = GS_FIELD_START;
    for (int y = GS_WAVE_DEFAULT; y > wave; y--)
        t -= (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 366 : 365) * 86400LL;
    for (int y = GS_WAVE_DEFAULT + 1; y <= wave; y++)
        t += (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) ? 366 : 365) * 86400LL;
    return t;
}

long long gs_submit_time(gsl_rng *rng, int wave, long i, long n)
{
    /* Responses spread over the fieldwork window in id order, during office hours
       (9:00-18:00 UTC), with up to a minute of jitter. */
    double pos = n > 1 ? (double)i / (double)n * GS_FIELD_DAYS : 0.0;
    long long day = (long long)pos;
    long long within = (long long)((pos - (double)day) * 9 * 3600);
    return gs_field_start(wave) + day * 86400LL + within + (long long)gsl_rng_uniform_int(rng, 60);
}

void gs_format_time(long long t, char sep, char *buf, size_t size)
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(buf, size, "%04d-%02d-%02d%c%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, sep, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

size_t gs_format_num(char *buf, double x, int decimals)
{
    static const unsigned long long pow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    if (decimals < 0)
        decimals = 0;
    if (decimals > 6)
        decimals = 6;
    if (!isfinite(x) || fabs(x) > 9e15 / (double)pow10[decimals]) {
        int len = snprintf(buf, 32, "%.*f", decimals, x);
        return len > 0 ? (size_t)len : 0;
    }
    long long scaled = llround(x * (double)pow10[decimals]);
    bool neg = scaled < 0;
    unsigned long long u = neg ? (unsigned long long)(-scaled) : (unsigned long long)scaled;
    unsigned long long ip = u / pow10[decimals], fp = u % pow10[decimals];
    char tmp[24];
    size_t n = 0, len = 0;
    if (neg && u != 0)
        buf[len++] = '-';
    do {
        tmp[n++] = (char)('0' + (int)(ip % 10));
        ip /= 10;
    } while (ip > 0);
    while (n > 0)
        buf[len++] = tmp[--n];
    if (fp > 0) {
        int d = decimals;
        while (fp % 10 == 0) {
            fp /= 10;
            d--;
        }
        buf[len++] = '.';
        for (int i = d - 1; i >= 0; i--) {
            buf[len + (size_t)i] = (char)('0' + (int)(fp % 10));
            fp /= 10;
        }
        len += (size_t)d;
    }
    buf[len] = '\0';
    return len;
}

/* ------------------------------------------------------------------ truth JSON */

static void json_indent(struct gs_json *j)
{
    fputc('\n', j->fp);
    for (int i = 0; i < j->depth; i++)
        fputs("  ", j->fp);
}

static void json_sep(struct gs_json *j)
{
    if (!j->first[j->depth])
        fputc(',', j->fp);
    j->first[j->depth] = false;
}

void gs_json_begin(struct gs_json *j, FILE *fp)
{
    j->fp = fp;
    j->depth = 0;
    j->pending_key = false;
    j->first[0] = true;
    fputc('{', fp);
    j->depth = 1;
    j->first[1] = true;
}

void gs_json_key(struct gs_json *j, const char *key)
{
    json_sep(j);
    json_indent(j);
    gs_json_write_string(j->fp, key, false);
    fputs(": ", j->fp);
    j->pending_key = true;
}

static void json_value_prefix(struct gs_json *j)
{
    if (j->pending_key) {
        j->pending_key = false;
        return;
    }
    json_sep(j);
    json_indent(j);
}

void gs_json_object(struct gs_json *j)
{
    json_value_prefix(j);
    fputc('{', j->fp);
    if (j->depth < 15)
        j->depth++;
    j->first[j->depth] = true;
}

void gs_json_array(struct gs_json *j)
{
    json_value_prefix(j);
    fputc('[', j->fp);
    if (j->depth < 15)
        j->depth++;
    j->first[j->depth] = true;
}

void gs_json_close(struct gs_json *j, char c)
{
    bool empty = j->first[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (!empty)
        json_indent(j);
    fputc(c, j->fp);
}

void gs_json_num(struct gs_json *j, double x)
{
    json_value_prefix(j);
    if (!isfinite(x)) {
        fputs("null", j->fp);
        return;
    }
    char buf[40];
    /* 6 significant digits is plenty for a ground truth and keeps the file stable */
    snprintf(buf, sizeof buf, "%.6g", x);
    fputs(buf, j->fp);
}

void gs_json_int(struct gs_json *j, long long x)
{
    json_value_prefix(j);
    fprintf(j->fp, "%lld", x);
}

void gs_json_str(struct gs_json *j, const char *s)
{
    json_value_prefix(j);
    gs_json_write_string(j->fp, s, false);
}

void gs_json_bool(struct gs_json *j, bool b)
{
    json_value_prefix(j);
    fputs(b ? "true" : "false", j->fp);
}

void gs_json_end(struct gs_json *j)
{
    j->depth = 1;
    gs_json_close(j, '}');
    fputc('\n', j->fp);
}

/* Decode one UTF-8 sequence; returns its length (1 for an invalid byte, taken as is). */
static size_t utf8_decode(const unsigned char *s, unsigned long *cp)
{
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xe0) == 0xc0 && (s[1] & 0xc0) == 0x80) {
        *cp = ((unsigned long)(s[0] & 0x1f) << 6) | (s[1] & 0x3f);
        return 2;
    }
    if ((s[0] & 0xf0) == 0xe0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80) {
        *cp = ((unsigned long)(s[0] & 0x0f) << 12) | ((unsigned long)(s[1] & 0x3f) << 6) |
              (s[2] & 0x3f);
        return 3;
    }
    if ((s[0] & 0xf8) == 0xf0 && (s[1] & 0xc0) == 0x80 && (s[2] & 0xc0) == 0x80 &&
        (s[3] & 0xc0) == 0x80) {
        *cp = ((unsigned long)(s[0] & 0x07) << 18) | ((unsigned long)(s[1] & 0x3f) << 12) |
              ((unsigned long)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
        return 4;
    }
    *cp = 0xfffd;
    return 1;
}

void gs_json_write_string(FILE *fp, const char *str, bool ascii_only)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', fp);
    while (*s) {
        unsigned char c = *s;
        switch (c) {
        case '"': fputs("\\\"", fp); s++; continue;
        case '\\': fputs("\\\\", fp); s++; continue;
        case '\n': fputs("\\n", fp); s++; continue;
        case '\r': fputs("\\r", fp); s++; continue;
        case '\t': fputs("\\t", fp); s++; continue;
        case '/':
            fputs(ascii_only ? "\\/" : "/", fp);
            s++;
            continue;
        default:
            break;
        }
        if (c < 0x20) {
            fprintf(fp, "\\u%04x", c);
            s++;
        } else if (c < 0x80 || !ascii_only) {
            fputc(c, fp);
            s++;
        } else {
            unsigned long cp;
            s += utf8_decode(s, &cp);
            if (cp >= 0x10000) {
                cp -= 0x10000;
                fprintf(fp, "\\u%04lx\\u%04lx", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
            } else {
                fprintf(fp, "\\u%04lx", cp);
            }
        }
    }
    fputc('"', fp);
}

/* ------------------------------------------------------------------ model dispatch */

struct gs_model {
    const struct gs_model_ops *ops;
    void *self;
};

static const struct {
    const char *id;
    const struct gs_model_ops *ops;
} models[] = {
    {"recrutement", &gs_recrutement_ops},
    {"numerique", &gs_numerique_ops},
    {"remuneration", &gs_remuneration_ops},
};

const char *gs_model_ids(void)
{
    return "recrutement, numerique, remuneration";
}

bool gs_model_known(const char *id)
{
    for (size_t i = 0; i < sizeof models / sizeof *models; i++)
        if (strcmp(models[i].id, id) == 0)
            return true;
    return false;
}

int gs_model_new(struct gs_model **out, const struct sv_survey *s, const struct gs_options *opt,
                 gsl_rng *rng, struct sv_error *err)
{
    *out = NULL;
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        if (strcmp(models[i].id, s->id) != 0)
            continue;
        struct gs_model *m = calloc(1, sizeof *m);
        if (!m)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        m->ops = models[i].ops;
        sv_error_clear(err);
        m->self = m->ops->create(s, opt, rng, err);
        if (!m->self) {
            free(m);
            return err && err->code ? err->code : SV_ENOMEM;
        }
        *out = m;
        return 0;
    }
    return sv_error_set(err, SV_ENOTFOUND, s->file, 0, 0,
                        "no sample model for survey '%s' (models: %s)", s->id, gs_model_ids());
}

void gs_model_next(struct gs_model *m, struct gs_record *rec)
{
    m->ops->next(m->self, rec);
}

int gs_model_truth(struct gs_model *m, FILE *fp)
{
    return m->ops->truth(m->self, fp);
}

void gs_model_free(struct gs_model *m)
{
    if (!m)
        return;
    m->ops->destroy(m->self);
    free(m);
}
