/*
 * collect_json: reply parsing and JSON record flattening for the platforms.
 */
#include "collect_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int collect_json_parse(json_t **out, const struct sv_buf *body, const char *source,
                       const char *what_if_not_json, struct sv_error *err)
{
    *out = NULL;
    size_t i = 0;
    while (i < body->len && (body->data[i] == ' ' || body->data[i] == '\n' ||
                             body->data[i] == '\r' || body->data[i] == '\t'))
        i++;
    if (what_if_not_json &&
        (i == body->len || (body->data[i] != '{' && body->data[i] != '[' && body->data[i] != '"')))
        return sv_error_set(err, SV_EEXTERNAL, source, 0, 0, "%s (%s)", what_if_not_json,
                            i == body->len ? "empty reply" : "reply is not JSON");
    json_error_t jerr;
    json_t *root = json_loadb(body->data, body->len, JSON_ALLOW_NUL, &jerr);
    if (!root) {
        if (what_if_not_json)
            return sv_error_set(err, SV_EEXTERNAL, source, jerr.line, jerr.column,
                                "invalid JSON in reply: %s", jerr.text);
        return sv_error_set(err, SV_EDATA, source, jerr.line, jerr.column, "invalid JSON: %s",
                            jerr.text);
    }
    *out = root;
    return 0;
}

json_t *collect_json_path(json_t *root, const char *path)
{
    if (!path || !*path)
        return root;
    json_t *cur = root;
    const char *p = path;
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        char key[256];
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        cur = json_is_object(cur) ? json_object_get(cur, key) : NULL;
        p += n;
        if (*p == '.')
            p++;
    }
    return cur;
}

int collect_json_scalar(char *buf, size_t size, const json_t *v, const char **out)
{
    *out = NULL;
    if (!v)
        return 0;
    switch (json_typeof(v)) {
    case JSON_STRING:
        *out = json_string_value(v);
        return 0;
    case JSON_INTEGER:
        snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = buf;
        return 0;
    case JSON_REAL: {
        double d = json_real_value(v);
        snprintf(buf, size, "%.15g", d);
        if (strtod(buf, NULL) != d)
            snprintf(buf, size, "%.17g", d);
        *out = buf;
        return 0;
    }
    case JSON_TRUE:
        *out = "true";
        return 0;
    case JSON_FALSE:
        *out = "false";
        return 0;
    case JSON_NULL:
        return 0;
    default:
        return SV_EDATA; /* objects and arrays are not scalars */
    }
}

struct flat {
    struct sv_raw_field *fields;
    size_t n, cap;
    struct sv_buf text; /* backing storage; offsets fixed up at the end */
    size_t *koff, *voff; /* offsets into text; (size_t)-1 = NULL value */
};

static int flat_add(struct flat *f, const char *key, const char *value)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        size_t *k = realloc(f->koff, cap * sizeof *k);
        if (!k)
            return SV_ENOMEM;
        f->koff = k;
        size_t *v = realloc(f->voff, cap * sizeof *v);
        if (!v)
            return SV_ENOMEM;
        f->voff = v;
        f->cap = cap;
    }
    f->koff[f->n] = f->text.len;
    if (sv_buf_add(&f->text, key, strlen(key) + 1) != 0)
        return SV_ENOMEM;
    if (value) {
        f->voff[f->n] = f->text.len;
        if (sv_buf_add(&f->text, value, strlen(value) + 1) != 0)
            return SV_ENOMEM;
    } else {
        f->voff[f->n] = (size_t)-1;
    }
    f->n++;
    return 0;
}

static bool skipped(const char *key, const char *const *skip)
{
    if (strstr(key, "@odata"))
        return true;
    for (; skip && *skip; skip++)
        if (strcmp(key, *skip) == 0)
            return true;
    return false;
}

static int flatten(struct flat *f, json_t *obj, const char *prefix, const char *const *skip)
{
    const char *key;
    json_t *v;
    char num[64];
    json_object_foreach(obj, key, v) {
        if (!prefix && skipped(key, skip))
            continue;
        struct sv_buf full = SV_BUF_INIT;
        int rc = prefix ? sv_buf_addf(&full, "%s/%s", prefix, key) : sv_buf_adds(&full, key);
        if (rc) {
            sv_buf_release(&full);
            return SV_ENOMEM;
        }
        if (json_is_object(v)) {
            rc = flatten(f, v, full.data, skip);
        } else if (!json_is_array(v)) {
            const char *s = NULL;
            collect_json_scalar(num, sizeof num, v, &s);
            rc = flat_add(f, full.data, s);
        }
        sv_buf_release(&full);
        if (rc)
            return rc;
    }
    return 0;
}

static void strip_personal(const struct collect_sink *s, json_t *obj, const char *prefix)
{
    const char *key;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(obj, tmp, key, v) {
        struct sv_buf full = SV_BUF_INIT;
        if ((prefix ? sv_buf_addf(&full, "%s/%s", prefix, key) : sv_buf_adds(&full, key)) != 0) {
            sv_buf_release(&full);
            continue;
        }
        if (collect_sink_drops(s, full.data))
            json_object_del(obj, key);
        else if (json_is_object(v))
            strip_personal(s, v, full.data);
        sv_buf_release(&full);
    }
}

int collect_json_record(struct collect_sink *s, json_t *obj, const char *id, const char *submitted,
                        const char *const *skip, struct sv_error *err)
{
    struct flat f = {0};
    sv_buf_init(&f.text);
    int rc = flatten(&f, obj, NULL, skip);
    char *raw = NULL;
    if (rc == 0) {
        f.fields = calloc(f.n ? f.n : 1, sizeof *f.fields);
        if (!f.fields)
            rc = SV_ENOMEM;
    }
    if (rc == 0) {
        for (size_t i = 0; i < f.n; i++) {
            f.fields[i].key = f.text.data + f.koff[i];
            f.fields[i].value = f.voff[i] == (size_t)-1 ? NULL : f.text.data + f.voff[i];
        }
        /*
         * personal variables and platform system fields never reach the store:
         * removed from `obj` itself (its values are copied in `f` already)
         */
        strip_personal(s, obj, NULL);
        raw = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
        if (!raw)
            rc = SV_ENOMEM;
    }
    if (rc)
        rc = sv_error_set(err, rc, NULL, 0, 0, "out of memory");
    else
        rc = collect_sink_record(s, id, submitted, f.fields, f.n, raw, err);
    free(raw);
    free(f.fields);
    free(f.koff);
    free(f.voff);
    sv_buf_release(&f.text);
    return rc;
}
