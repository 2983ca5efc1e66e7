/*
 * collect_sink: where every platform's records end: normalised against the
 * survey definition, then stored (or rejected with the reason), one
 * transaction per page so an interruption never loses a committed page.
 */
#include "collect.h"

#include <stdlib.h>
#include <string.h>

int collect_sink_init(struct collect_sink *s, struct sv_store *store, const struct sv_schema *schema,
                      enum sv_platform platform, const char *source, const char *hash_key,
                      struct sv_error *err)
{
    memset(s, 0, sizeof *s);
    s->store = store;
    s->schema = schema;
    s->survey = schema->survey;
    s->platform = platform;
    s->source = source;
    s->hash_key = hash_key;
    sv_progress_init(&s->progress);
    const struct sv_survey *sv = s->survey;
    if (!sv)
        return 0;
    s->personal_keys = calloc(sv->nvariables ? sv->nvariables : 1, sizeof *s->personal_keys);
    if (!s->personal_keys)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < sv->nvariables; i++) {
        const struct sv_variable *v = &sv->variables[i];
        if (v->personal == SV_PERSONAL_NO)
            continue;
        const char *k = v->platform[platform] ? v->platform[platform] : v->name;
        if (!(s->personal_keys[s->npersonal++] = sv_strdup(k)))
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    return 0;
}

void collect_sink_release(struct collect_sink *s)
{
    if (s->in_page)
        collect_sink_abort_page(s);
    sv_progress_done(&s->progress);
    for (size_t i = 0; i < s->npersonal; i++)
        free(s->personal_keys[i]);
    free(s->personal_keys);
    s->personal_keys = NULL;
    s->npersonal = 0;
}

bool collect_sink_is_personal(const struct collect_sink *s, const char *key)
{
    for (size_t i = 0; i < s->npersonal; i++) {
        size_t n = strlen(s->personal_keys[i]);
        if (strncmp(key, s->personal_keys[i], n) == 0 &&
            (key[n] == '\0' || key[n] == '[' || key[n] == '/'))
            return true;
    }
    return false;
}

int collect_sink_begin_page(struct collect_sink *s, struct sv_error *err)
{
    int rc = sv_store_begin(s->store, err);
    memset(&s->page, 0, sizeof s->page);
    if (rc == 0)
        s->in_page = true;
    return rc;
}

int collect_sink_end_page(struct collect_sink *s, struct sv_error *err)
{
    int rc = sv_store_commit(s->store, err);
    s->in_page = false;
    if (rc)
        return rc;
    s->counts.fetched += s->page.fetched;
    s->counts.new_ += s->page.new_;
    s->counts.updated += s->page.updated;
    s->counts.unchanged += s->page.unchanged;
    s->counts.rejected += s->page.rejected;
    memset(&s->page, 0, sizeof s->page);
    s->pages++;
    if (collect_interrupted())
        return sv_error_set(err, SV_ERROR, NULL, 0, 0, "interrupted");
    double t = sv_progress_elapsed(&s->progress);
    sv_progress_update(&s->progress, "%ld pages, %ld responses, %.0f responses/s", s->pages,
                       s->counts.fetched, t > 0 ? (double)s->counts.fetched / t : 0.0);
    return 0;
}

void collect_sink_abort_page(struct collect_sink *s)
{
    if (s->in_page)
        sv_store_rollback(s->store);
    s->in_page = false;
    memset(&s->page, 0, sizeof s->page);
}

int collect_sink_finish_page(struct collect_sink *s, int rc, struct sv_error *err)
{
    if (rc == 0)
        return collect_sink_end_page(s, err);
    collect_sink_abort_page(s);
    return rc;
}

int collect_keep_latest(char **latest, const char *when)
{
    char *copy;

    if (!when || (*latest && strcmp(when, *latest) <= 0))
        return 0;
    if (!(copy = sv_strdup(when)))
        return SV_ENOMEM;
    free(*latest);
    *latest = copy;
    return 0;
}

int collect_sink_record(struct collect_sink *s, const char *id, const char *submitted,
                        const struct sv_raw_field *fields, size_t nfields, const char *raw,
                        struct sv_error *err)
{
    struct sv_record *rec = NULL;
    int rc = sv_record_new(&rec, s->schema);
    if (rc)
        return sv_error_set(err, rc, NULL, 0, 0, "out of memory");
    rec->source = sv_strdup(s->source);
    rec->id = sv_strdup(id);
    rec->submitted = (submitted && *submitted) ? sv_strdup(submitted) : NULL;
    if (!rec->source || !rec->id || (submitted && *submitted && !rec->submitted)) {
        sv_record_free(rec);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    s->page.fetched++;
    struct sv_error nerr;
    sv_error_clear(&nerr);
    rc = sv_record_normalise(rec, s->schema, s->platform, fields, nfields, s->hash_key, &nerr);
    if (rc == SV_EDATA) {
        char reason[SV_ERROR_PATH_MAX + SV_ERROR_TEXT_MAX + 4];
        if (nerr.path[0])
            snprintf(reason, sizeof reason, "%s: %s", nerr.path, nerr.text);
        else
            snprintf(reason, sizeof reason, "%s", nerr.text);
        rc = sv_store_reject(s->store, s->source, id, raw, reason, err);
        if (rc == 0)
            s->page.rejected++;
    } else if (rc != 0) {
        *err = nerr;
    } else {
        enum sv_store_put_result res = SV_STORE_NEW;
        rc = sv_store_put(s->store, rec, raw, &res, err);
        if (rc == 0) {
            if (res == SV_STORE_NEW)
                s->page.new_++;
            else if (res == SV_STORE_UPDATED)
                s->page.updated++;
            else
                s->page.unchanged++;
        }
    }
    sv_record_free(rec);
    return rc;
}

int collect_sink_state_get(struct collect_sink *s, const char *key, char **out,
                           struct sv_error *err)
{
    return sv_store_state_get(s->store, s->source, key, out, err);
}

int collect_sink_state_set(struct collect_sink *s, const char *key, const char *value,
                           struct sv_error *err)
{
    return sv_store_state_set(s->store, s->source, key, value, err);
}

/* ---------------------------------------------------------------- base64 */

static int b64val(int c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int collect_base64_decode(struct sv_buf *out, const char *in, size_t len)
{
    if (sv_buf_grow(out, len / 4 * 3 + 3) != 0)
        return SV_ENOMEM;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)in[i];
        if (c == '=' )
            break;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        int v = b64val(c);
        if (v < 0)
            return SV_EDATA;
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (sv_buf_addc(out, (char)((acc >> bits) & 0xff)) != 0)
                return SV_ENOMEM;
        }
    }
    return 0;
}

int collect_base64_encode(struct sv_buf *out, const void *in, size_t len)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = in;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)p[i + 1] << 8;
        if (i + 2 < len)
            v |= p[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63],
                     i + 1 < len ? tab[(v >> 6) & 63] : '=', i + 2 < len ? tab[v & 63] : '='};
        if (sv_buf_add(out, q, 4) != 0)
            return SV_ENOMEM;
    }
    return 0;
}
