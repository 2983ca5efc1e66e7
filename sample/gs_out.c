/*
 * Writers: one generated response at a time, in the shape each platform
 * really returns.
 *
 *  - limesurvey: the decoded `export_responses` JSON of LimeSurvey 6 with
 *    code headings and short answers: {"responses": [{...},...]}; `id` and
 *    `lastpage` are integers, everything else a string, non-ASCII escaped as
 *    \uXXXX and '/' as "\/" (PHP json_encode); multiple choice one column
 *    per option, `causes[SAL]` = "Y" or ""; yes/no "Y"/"N"; unanswered "".
 *  - kobo: KoboToolbox API v2 data pages {"count","next","previous",
 *    "results"}; group paths as keys, every answer a string, select_multiple
 *    space-separated, unanswered questions absent.
 *  - odk: ODK Central OData pages {"@odata.context","value",
 *    "@odata.nextLink"?}; groups as nested objects, numbers as JSON numbers,
 *    unanswered null.
 *  - csv: plain CSV (',' and LF): a first column `id` (the response number,
 *    which collect and sv_recio take as the record id), then the
 *    definition's names, canonical codes, yes/no as 1/0, multiple choice
 *    space-separated codes, unanswered empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gensample.h"
#include "sv_buf.h"
#include "sv_file.h"

#define GS_IOBUF (1u << 20)

struct odk_node {
    char *name;
    int var; /* leaf: variable index; group: -1 */
    struct odk_node *children;
    size_t nchildren;
};

struct gs_writer {
    const struct sv_survey *s;
    struct gs_out_options opt;
    struct gs_file file;
    bool open;
    FILE *fp;
    char *iobuf;
    long page;      /* 1-based number of the open page */
    long in_page;   /* records in the open page */
    long written;
    char asset_uid[24];
    char formhub_uuid[33];
    struct odk_node root;
};

int gs_format_parse(const char *s, enum gs_format *out)
{
    static const char *const names[] = {"limesurvey", "kobo", "odk", "csv"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (enum gs_format)i;
            return 0;
        }
    return SV_EUSAGE;
}

static const char *pname(const struct sv_variable *v, enum sv_platform p)
{
    return v->platform[p] ? v->platform[p] : v->name;
}

static const char *pcode(const struct sv_code *c, enum sv_platform p)
{
    return c->platform[p] ? c->platform[p] : c->code;
}

/* The platform's code for canonical `code` of variable v (the code itself if unknown). */
static const char *map_code(const struct sv_variable *v, const char *code, enum sv_platform p)
{
    for (size_t i = 0; i < v->ncodes; i++)
        if (strcmp(v->codes[i].code, code) == 0)
            return pcode(&v->codes[i], p);
    return code;
}

/* ------------------------------------------------------------------ ODK group tree */

static void odk_free(struct odk_node *n)
{
    for (size_t i = 0; i < n->nchildren; i++)
        odk_free(&n->children[i]);
    free(n->children);
    free(n->name);
    n->children = NULL;
    n->nchildren = 0;
    n->name = NULL;
}

static struct odk_node *odk_child(struct odk_node *n, const char *name, size_t len, int var)
{
    if (var < 0)
        for (size_t i = 0; i < n->nchildren; i++)
            if (n->children[i].var < 0 && strlen(n->children[i].name) == len &&
                memcmp(n->children[i].name, name, len) == 0)
                return &n->children[i];
    struct odk_node *c = realloc(n->children, (n->nchildren + 1) * sizeof *c);
    if (!c)
        return NULL;
    n->children = c;
    struct odk_node *k = &c[n->nchildren];
    memset(k, 0, sizeof *k);
    k->var = var;
    k->name = malloc(len + 1);
    if (!k->name)
        return NULL;
    memcpy(k->name, name, len);
    k->name[len] = '\0';
    n->nchildren++;
    return k;
}

static int odk_build(struct gs_writer *w)
{
    w->root.var = -1;
    for (size_t i = 0; i < w->s->nvariables; i++) {
        const char *path = pname(&w->s->variables[i], SV_PLATFORM_ODK);
        struct odk_node *n = &w->root;
        const char *p = path;
        const char *slash;
        while ((slash = strchr(p, '/')) != NULL) {
            n = odk_child(n, p, (size_t)(slash - p), -1);
            if (!n)
                return SV_ENOMEM;
            p = slash + 1;
        }
        if (!odk_child(n, p, strlen(p), (int)i))
            return SV_ENOMEM;
    }
    return 0;
}

/* ------------------------------------------------------------------ files and pages */

int gs_file_open(struct gs_file *f, const char *path, struct sv_error *err)
{
    struct stat st;
    memset(f, 0, sizeof *f);
    /* An existing device or pipe (/dev/null, a FIFO) is written in place: renaming a
       temporary file over it would replace the device itself. */
    if (path && strcmp(path, "-") != 0 && stat(path, &st) == 0 && !S_ISREG(st.st_mode) &&
        !S_ISDIR(st.st_mode)) {
        f->direct = fopen(path, "w");
        if (!f->direct)
            return sv_error_set(err, SV_EIO, path, 0, 0, "cannot open: %s", strerror(errno));
        f->fp = f->direct;
        f->regular = false;
        return 0;
    }
    int rc = sv_atomic_open(&f->af, path, err);
    if (rc < 0)
        return rc;
    f->fp = f->af.fp;
    f->regular = f->af.target != NULL;
    return 0;
}

int gs_file_commit(struct gs_file *f, struct sv_error *err)
{
    if (f->direct) {
        bool bad = ferror(f->direct) != 0;
        bad = (fclose(f->direct) != 0) || bad;
        f->direct = NULL;
        f->fp = NULL;
        if (bad)
            return sv_error_set(err, SV_EIO, NULL, 0, 0, "write failed: %s", strerror(errno));
        return 0;
    }
    int rc = sv_atomic_commit(&f->af, err);
    memset(&f->af, 0, sizeof f->af);
    f->fp = NULL;
    return rc;
}

void gs_file_abort(struct gs_file *f)
{
    if (f->direct) {
        fclose(f->direct);
        f->direct = NULL;
    } else if (f->fp) {
        sv_atomic_abort(&f->af);
    }
    f->fp = NULL;
}

static int open_file(struct gs_writer *w, const char *path, struct sv_error *err)
{
    int rc = gs_file_open(&w->file, path, err);
    if (rc < 0)
        return rc;
    w->open = true;
    w->fp = w->file.fp;
    if (w->file.regular) /* a regular file: big buffer for speed; stdout keeps its own */
        setvbuf(w->fp, w->iobuf, _IOFBF, GS_IOBUF);
    return 0;
}

static int commit_file(struct gs_writer *w, struct sv_error *err)
{
    w->open = false;
    return gs_file_commit(&w->file, err);
}

static void page_url(const struct gs_writer *w, long page, struct sv_buf *b)
{
    sv_buf_reset(b);
    sv_buf_addf(b, "%spage-%04ld.json", w->opt.base_url ? w->opt.base_url : "", page);
}

static long npages(const struct gs_writer *w)
{
    if (w->opt.page_size <= 0)
        return 1;
    long n = (w->opt.total + w->opt.page_size - 1) / w->opt.page_size;
    return n > 0 ? n : 1;
}

static void write_odk_context(struct gs_writer *w)
{
    fputs("{\"@odata.context\":", w->fp);
    struct sv_buf b = SV_BUF_INIT;
    if (w->opt.base_url && w->opt.base_url[0])
        sv_buf_addf(&b, "%s$metadata#Submissions", w->opt.base_url);
    else
        sv_buf_addf(&b, "https://odk.example.org/v1/projects/1/forms/%s.svc/$metadata#Submissions",
                    w->s->id);
    gs_json_write_string(w->fp, b.data, false);
    sv_buf_release(&b);
    fputs(",\"value\":[", w->fp);
}

static int begin_page(struct gs_writer *w, struct sv_error *err)
{
    w->page++;
    w->in_page = 0;
    if (w->opt.page_size > 0) {
        struct sv_buf path = SV_BUF_INIT;
        if (sv_buf_addf(&path, "%s/page-%04ld.json", w->opt.output, w->page) < 0)
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        int rc = open_file(w, path.data, err);
        sv_buf_release(&path);
        if (rc < 0)
            return rc;
    } else {
        int rc = open_file(w, w->opt.output, err);
        if (rc < 0)
            return rc;
    }
    struct sv_buf url = SV_BUF_INIT;
    switch (w->opt.format) {
    case GS_FMT_LIMESURVEY:
        fputs("{\"responses\": [", w->fp);
        break;
    case GS_FMT_KOBO:
        fprintf(w->fp, "{\"count\":%ld,\"next\":", w->opt.total);
        if (w->page < npages(w)) {
            page_url(w, w->page + 1, &url);
            gs_json_write_string(w->fp, url.data, false);
        } else {
            fputs("null", w->fp);
        }
        fputs(",\"previous\":", w->fp);
        if (w->page > 1) {
            page_url(w, w->page - 1, &url);
            gs_json_write_string(w->fp, url.data, false);
        } else {
            fputs("null", w->fp);
        }
        fputs(",\"results\":[", w->fp);
        break;
    case GS_FMT_ODK:
        write_odk_context(w);
        break;
    case GS_FMT_CSV: {
        fputs("id", w->fp);
        for (size_t i = 0; i < w->s->nvariables; i++) {
            fputc(',', w->fp);
            fputs(pname(&w->s->variables[i], SV_PLATFORM_CSV), w->fp);
        }
        fputc('\n', w->fp);
        break;
    }
    }
    sv_buf_release(&url);
    return 0;
}

static int end_page(struct gs_writer *w, struct sv_error *err)
{
    switch (w->opt.format) {
    case GS_FMT_LIMESURVEY:
        fputs("]}", w->fp);
        break;
    case GS_FMT_KOBO:
        fputs("]}\n", w->fp);
        break;
    case GS_FMT_ODK:
        fputc(']', w->fp);
        if (w->page < npages(w)) {
            struct sv_buf url = SV_BUF_INIT;
            page_url(w, w->page + 1, &url);
            fputs(",\"@odata.nextLink\":", w->fp);
            gs_json_write_string(w->fp, url.data, false);
            sv_buf_release(&url);
        }
        fputs("}\n", w->fp);
        break;
    case GS_FMT_CSV:
        break;
    }
    return commit_file(w, err);
}

int gs_writer_open(struct gs_writer **out, const struct sv_survey *s,
                   const struct gs_out_options *opt, struct sv_error *err)
{
    *out = NULL;
    struct gs_writer *w = calloc(1, sizeof *w);
    if (!w)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    w->s = s;
    w->opt = *opt;
    w->iobuf = malloc(GS_IOBUF);
    if (!w->iobuf) {
        free(w);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    /* Stable platform identifiers derived from the survey id. */
    unsigned long h = 5381;
    for (const char *p = s->id; *p; p++)
        h = h * 33 + (unsigned char)*p;
    snprintf(w->asset_uid, sizeof w->asset_uid, "aVg%08lx%010lu", h & 0xffffffffUL,
             (h >> 7) % 10000000000UL);
    snprintf(w->formhub_uuid, sizeof w->formhub_uuid, "%08lx%08lx%08lx%08lx", h & 0xffffffffUL,
             (h * 31) & 0xffffffffUL, (h * 131) & 0xffffffffUL, (h * 1031) & 0xffffffffUL);
    if (opt->format == GS_FMT_ODK && odk_build(w) < 0) {
        gs_writer_abort(w);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (opt->page_size > 0) {
        int rc = sv_mkdir_p(opt->output, err);
        if (rc < 0) {
            gs_writer_abort(w);
            return rc;
        }
    }
    int rc = begin_page(w, err);
    if (rc < 0) {
        gs_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

/* ------------------------------------------------------------------ values */

static void put_str(FILE *fp, const char *s, bool ascii)
{
    gs_json_write_string(fp, s, ascii);
}

static void put_num(FILE *fp, const struct gs_value *v)
{
    char buf[48];
    gs_format_num(buf, v->num, v->decimals);
    fputs(buf, fp);
}

/* Space-separated platform codes of a multiple-choice value into b. */
static void multi_codes(const struct sv_variable *var, unsigned long bits, enum sv_platform p,
                        struct sv_buf *b)
{
    sv_buf_reset(b);
    for (size_t i = 0; i < var->ncodes && i < 8 * sizeof bits; i++) {
        if (!(bits & (1UL << i)))
            continue;
        if (b->len)
            sv_buf_addc(b, ' ');
        sv_buf_adds(b, pcode(&var->codes[i], p));
    }
}

static void put_limesurvey(struct gs_writer *w, const struct gs_record *r)
{
    FILE *fp = w->fp;
    char start[24], submit[24], stamp[24];
    gs_format_time(r->submitted - r->duration, ' ', start, sizeof start);
    gs_format_time(r->submitted, ' ', submit, sizeof submit);
    gs_format_time(r->incomplete ? r->submitted - r->duration / 2 : r->submitted, ' ', stamp,
                   sizeof stamp);
    /* LimeSurvey's seed is a random integer drawn when the response starts. */
    unsigned long seed = 0;
    for (const char *p = r->uuid; *p; p++)
        seed = (seed * 131 + (unsigned char)*p) % 2147483647UL;
    fprintf(fp,
            "{\"id\":%ld,\"submitdate\":\"%s\",\"lastpage\":%d,\"startlanguage\":\"fr\","
            "\"seed\":\"%lu\",\"startdate\":\"%s\",\"datestamp\":\"%s\"",
            r->id, r->incomplete ? "" : submit, r->incomplete ? 0 : 4, seed, start, stamp);
    for (size_t i = 0; i < w->s->nvariables; i++) {
        const struct sv_variable *var = &w->s->variables[i];
        const struct gs_value *v = &r->v[i];
        const char *name = pname(var, SV_PLATFORM_LIMESURVEY);
        if (var->type == SV_TYPE_MULTIPLE) {
            for (size_t c = 0; c < var->ncodes; c++) {
                fputc(',', fp);
                struct sv_buf key = SV_BUF_INIT;
                sv_buf_addf(&key, "%s[%s]", name, pcode(&var->codes[c], SV_PLATFORM_LIMESURVEY));
                put_str(fp, key.data, true);
                sv_buf_release(&key);
                fputc(':', fp);
                if (v->kind == GS_RAW && c == 0)
                    put_str(fp, v->text, true);
                else
                    fputs(v->kind == GS_MULTI && c < 8 * sizeof v->multi &&
                                  (v->multi & (1UL << c))
                              ? "\"Y\""
                              : "\"\"",
                          fp);
            }
            continue;
        }
        fputc(',', fp);
        put_str(fp, name, true);
        fputc(':', fp);
        switch (v->kind) {
        case GS_MISSING:
        case GS_MULTI:
            fputs("\"\"", fp);
            break;
        case GS_CODE:
            if (var->type == SV_TYPE_YESNO)
                fputs(strcmp(v->code, "1") == 0 ? "\"Y\"" : "\"N\"", fp);
            else
                put_str(fp, map_code(var, v->code, SV_PLATFORM_LIMESURVEY), true);
            break;
        case GS_NUM:
            fputc('"', fp);
            put_num(fp, v);
            fputc('"', fp);
            break;
        case GS_TEXT:
        case GS_RAW:
            put_str(fp, v->text, true);
            break;
        }
    }
    fputc('}', fp);
}

static void put_kobo(struct gs_writer *w, const struct gs_record *r)
{
    FILE *fp = w->fp;
    char start[40], end[40], sub[24];
    /* start and end are the device's local time (Paris, UTC+1 in March) */
    gs_format_time(r->submitted - r->duration + 3600, 'T', start, sizeof start);
    gs_format_time(r->submitted - 5 + 3600, 'T', end, sizeof end);
    gs_format_time(r->submitted, 'T', sub, sizeof sub);
    fprintf(fp,
            "{\"_id\":%ld,\"formhub/uuid\":\"%s\",\"start\":\"%s.000+01:00\","
            "\"end\":\"%s.000+01:00\",\"__version__\":\"vVigie2026a\"",
            410000000L + r->id, w->formhub_uuid, start, end);
    struct sv_buf b = SV_BUF_INIT;
    for (size_t i = 0; i < w->s->nvariables; i++) {
        const struct sv_variable *var = &w->s->variables[i];
        const struct gs_value *v = &r->v[i];
        if (v->kind == GS_MISSING)
            continue;
        fputc(',', fp);
        put_str(fp, pname(var, SV_PLATFORM_KOBO), false);
        fputc(':', fp);
        switch (v->kind) {
        case GS_MISSING:
            break;
        case GS_CODE:
            if (var->type == SV_TYPE_YESNO)
                fputs(strcmp(v->code, "1") == 0 ? "\"oui\"" : "\"non\"", fp);
            else
                put_str(fp, map_code(var, v->code, SV_PLATFORM_KOBO), false);
            break;
        case GS_NUM:
            fputc('"', fp);
            put_num(fp, v);
            fputc('"', fp);
            break;
        case GS_MULTI:
            multi_codes(var, v->multi, SV_PLATFORM_KOBO, &b);
            put_str(fp, b.data, false);
            break;
        case GS_TEXT:
        case GS_RAW:
            put_str(fp, v->text, false);
            break;
        }
    }
    sv_buf_release(&b);
    fprintf(fp,
            ",\"meta/instanceID\":\"uuid:%s\",\"_xform_id_string\":\"%s\",\"_uuid\":\"%s\","
            "\"_attachments\":[],\"_status\":\"submitted_via_web\",\"_geolocation\":[null,null],"
            "\"_submission_time\":\"%s\",\"_tags\":[],\"_notes\":[],\"_validation_status\":{},"
            "\"_submitted_by\":null}",
            r->uuid, w->asset_uid, r->uuid, sub);
}

static void put_odk(struct gs_writer *w, const struct gs_record *r)
{
    FILE *fp = w->fp;
    char sub[24];
    gs_format_time(r->submitted, 'T', sub, sizeof sub);
    fprintf(fp,
            "{\"__id\":\"uuid:%s\",\"__system\":{\"submissionDate\":\"%s.000Z\","
            "\"updatedAt\":null,\"submitterId\":\"7\",\"submitterName\":\"Formulaire web\","
            "\"attachmentsPresent\":0,\"attachmentsExpected\":0,\"status\":null,"
            "\"reviewState\":null,\"deviceId\":null,\"edits\":0,\"formVersion\":\"%s\","
            "\"deletedAt\":null}",
            r->uuid, sub, w->s->version ? w->s->version : "1");
    struct sv_buf b = SV_BUF_INIT;
    /* Depth-first over the group tree: groups become nested objects. */
    struct {
        const struct odk_node *n;
        size_t k;
    } stack[16];
    int top = 0;
    stack[0].n = &w->root;
    stack[0].k = 0;
    bool first_in_group = false;
    while (top >= 0) {
        const struct odk_node *n = stack[top].n;
        if (stack[top].k >= n->nchildren) {
            if (top > 0)
                fputc('}', fp);
            top--;
            first_in_group = false;
            continue;
        }
        const struct odk_node *c = &n->children[stack[top].k++];
        if (!first_in_group)
            fputc(',', fp);
        first_in_group = false;
        put_str(fp, c->name, false);
        fputc(':', fp);
        if (c->var < 0) {
            fputc('{', fp);
            if (top < 15) {
                top++;
                stack[top].n = c;
                stack[top].k = 0;
                first_in_group = true;
            }
            continue;
        }
        const struct sv_variable *var = &w->s->variables[c->var];
        const struct gs_value *v = &r->v[c->var];
        switch (v->kind) {
        case GS_MISSING:
            fputs("null", fp);
            break;
        case GS_CODE:
            if (var->type == SV_TYPE_YESNO)
                fputs(strcmp(v->code, "1") == 0 ? "\"oui\"" : "\"non\"", fp);
            else
                put_str(fp, map_code(var, v->code, SV_PLATFORM_ODK), false);
            break;
        case GS_NUM:
            put_num(fp, v);
            break;
        case GS_MULTI:
            multi_codes(var, v->multi, SV_PLATFORM_ODK, &b);
            put_str(fp, b.data, false);
            break;
        case GS_TEXT:
        case GS_RAW:
            put_str(fp, v->text, false);
            break;
        }
    }
    sv_buf_release(&b);
    fprintf(fp, ",\"meta\":{\"instanceID\":\"uuid:%s\"}}", r->uuid);
}

static void csv_text(FILE *fp, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

static void put_csv(struct gs_writer *w, const struct gs_record *r)
{
    FILE *fp = w->fp;
    struct sv_buf b = SV_BUF_INIT;
    fprintf(fp, "%ld", r->id);
    for (size_t i = 0; i < w->s->nvariables; i++) {
        const struct sv_variable *var = &w->s->variables[i];
        const struct gs_value *v = &r->v[i];
        fputc(',', fp);
        switch (v->kind) {
        case GS_MISSING:
            break;
        case GS_CODE:
            fputs(v->code, fp);
            break;
        case GS_NUM:
            put_num(fp, v);
            break;
        case GS_MULTI:
            multi_codes(var, v->multi, SV_PLATFORM_CSV, &b);
            fputs(b.data, fp);
            break;
        case GS_TEXT:
        case GS_RAW:
            csv_text(fp, v->text);
            break;
        }
    }
    fputc('\n', fp);
    sv_buf_release(&b);
}

int gs_writer_put(struct gs_writer *w, const struct gs_record *rec, struct sv_error *err)
{
    if (w->opt.page_size > 0 && w->in_page == w->opt.page_size) {
        int rc = end_page(w, err);
        if (rc < 0)
            return rc;
        rc = begin_page(w, err);
        if (rc < 0)
            return rc;
    }
    if (w->in_page > 0 && w->opt.format != GS_FMT_CSV)
        fputc(',', w->fp);
    switch (w->opt.format) {
    case GS_FMT_LIMESURVEY:
        put_limesurvey(w, rec);
        break;
    case GS_FMT_KOBO:
        put_kobo(w, rec);
        break;
    case GS_FMT_ODK:
        put_odk(w, rec);
        break;
    case GS_FMT_CSV:
        put_csv(w, rec);
        break;
    }
    w->in_page++;
    w->written++;
    if (ferror(w->fp))
        return sv_error_set(err, SV_EIO, w->opt.output, 0, 0, "write failed: %s",
                            strerror(errno));
    return 0;
}

int gs_writer_close(struct gs_writer *w, struct sv_error *err)
{
    int rc = end_page(w, err);
    if (w->opt.format == GS_FMT_ODK)
        odk_free(&w->root);
    free(w->iobuf);
    free(w);
    return rc;
}

void gs_writer_abort(struct gs_writer *w)
{
    if (!w)
        return;
    if (w->open)
        gs_file_abort(&w->file);
    odk_free(&w->root);
    free(w->iobuf);
    free(w);
}
