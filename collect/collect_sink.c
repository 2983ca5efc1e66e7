/*
 * collect_sink: where every platform's records end: normalised against the
 * survey definition, then stored (or rejected with the reason), one
 * transaction per page so an interruption never loses a committed page.
 */
#include "collect.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/*
 * Platform system fields: who submitted, from where, with which key. They
 * never reach the store (raw payload included) unless the definition
 * declares them as variables (then their personal flag applies).
 */
static const char *const system_limesurvey[] = {"token", "ipaddr", "refurl", NULL};
static const char *const system_kobo[] = {"_submitted_by", "deviceid", "username", "phonenumber",
                                          "simserial", "subscriberid", "imei", "meta/deviceID",
                                          "_validation_status/by_whom", "_attachments", NULL};
static const char *const system_odk[] = {"__system/submitterName", "__system/submitterId",
                                         "__system/deviceId", "deviceid", "meta/deviceID",
                                         "meta/deviceid", "username", "phonenumber", NULL};
static const char *const system_plain[] = {"token", "ipaddr", "refurl", NULL};

static const char *var_key(const struct collect_sink *s, const struct sv_variable *v)
{
    return v->platform[s->platform] ? v->platform[s->platform] : v->name;
}

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
    s->system_keys = platform == SV_PLATFORM_LIMESURVEY ? system_limesurvey
                     : platform == SV_PLATFORM_KOBO     ? system_kobo
                     : platform == SV_PLATFORM_ODK      ? system_odk
                                                        : system_plain;
    sv_progress_init(&s->progress);
    const struct sv_survey *sv = s->survey;
    if (!sv)
        return 0;
    s->personal_keys = calloc(sv->nvariables ? sv->nvariables : 1, sizeof *s->personal_keys);
    s->var_seen = calloc(sv->nvariables + 1, 1);
    if (!s->personal_keys || !s->var_seen)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t i = 0; i < sv->nvariables; i++) {
        const struct sv_variable *v = &sv->variables[i];
        if (v->personal == SV_PERSONAL_NO)
            continue;
        if (!(s->personal_keys[s->npersonal++] = sv_strdup(var_key(s, v))))
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
    free(s->var_seen);
    s->var_seen = NULL;
    for (size_t i = 0; i < s->nfields_seen; i++)
        free(s->fields_seen[i]);
    free(s->fields_seen);
    s->fields_seen = NULL;
    s->nfields_seen = 0;
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

/* True when the definition declares `key` as a variable (keeps a system field). */
static bool declared(const struct collect_sink *s, const char *key)
{
    const struct sv_survey *sv = s->survey;
    for (size_t i = 0; sv && i < sv->nvariables; i++)
        if (strcmp(var_key(s, &sv->variables[i]), key) == 0)
            return true;
    return false;
}

bool collect_sink_drops(const struct collect_sink *s, const char *key)
{
    if (collect_sink_is_personal(s, key))
        return true;
    for (const char *const *k = s->system_keys; k && *k; k++) {
        size_t n = strlen(*k);
        if (strncmp(key, *k, n) == 0 && (key[n] == '\0' || key[n] == '/') && !declared(s, *k))
            return true;
    }
    return false;
}

/* ---------------------------------------------------------------- fields seen */

static int load_seen(struct collect_sink *s, struct sv_error *err)
{
    if (s->seen_loaded || !s->survey)
        return 0;
    s->seen_loaded = true;
    char *v = NULL;
    int rc = collect_sink_state_get(s, "variables_seen", &v, err);
    if (rc || !v)
        return rc;
    char *save = NULL;
    for (char *tok = strtok_r(v, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        for (size_t i = 0; i < s->survey->nvariables; i++)
            if (strcmp(s->survey->variables[i].name, tok) == 0)
                s->var_seen[i] = 1;
    free(v);
    return 0;
}

static int save_seen(struct collect_sink *s, struct sv_error *err)
{
    if (!s->seen_dirty || !s->survey)
        return 0;
    struct sv_buf b = SV_BUF_INIT;
    for (size_t i = 0; i < s->survey->nvariables; i++)
        if (s->var_seen[i] && ((b.len && sv_buf_addc(&b, ',')) ||
                               sv_buf_adds(&b, s->survey->variables[i].name))) {
            sv_buf_release(&b);
            return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
    int rc = collect_sink_state_set(s, "variables_seen", b.len ? b.data : "", err);
    sv_buf_release(&b);
    if (rc == 0)
        s->seen_dirty = false;
    return rc;
}

/* Remember a field name for suggestions (sorted, distinct, at most 2,000). */
static void note_field(struct collect_sink *s, const char *key)
{
    size_t lo = 0, hi = s->nfields_seen;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(s->fields_seen[mid], key);
        if (c == 0)
            return;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (s->nfields_seen >= 2000)
        return;
    if (s->nfields_seen == s->cap_fields_seen) {
        size_t cap = s->cap_fields_seen ? s->cap_fields_seen * 2 : 64;
        char **v = realloc(s->fields_seen, cap * sizeof *v);
        if (!v)
            return;
        s->fields_seen = v;
        s->cap_fields_seen = cap;
    }
    char *copy = sv_strdup(key);
    if (!copy)
        return;
    memmove(s->fields_seen + lo + 1, s->fields_seen + lo, (s->nfields_seen - lo) * sizeof *s->fields_seen);
    s->fields_seen[lo] = copy;
    s->nfields_seen++;
}

static void mark_seen(struct collect_sink *s, const struct sv_raw_field *fields, size_t n)
{
    const struct sv_survey *sv = s->survey;
    if (!sv)
        return;
    bool all = true;
    for (size_t i = 0; i < sv->nvariables && all; i++)
        all = s->var_seen[i];
    if (all)
        return;
    for (size_t f = 0; f < n; f++) {
        const char *key = fields[f].key;
        note_field(s, key);
        for (size_t i = 0; i < sv->nvariables; i++) {
            if (s->var_seen[i])
                continue;
            const char *k = var_key(s, &sv->variables[i]);
            size_t kl = strlen(k);
            if (strncmp(key, k, kl) == 0 &&
                (key[kl] == '\0' || key[kl] == '[' || key[kl] == '.' || key[kl] == '_')) {
                s->var_seen[i] = 1;
                s->seen_dirty = true;
            }
        }
    }
}

static size_t edit_distance(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na > 200 || nb > 200)
        return (size_t)-1;
    size_t row[201];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t cur = row[j];
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            size_t best = prev + (ca != cb);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[nb];
}

static const char *basename_of(const char *k)
{
    const char *slash = strrchr(k, '/');
    return slash ? slash + 1 : k;
}

long collect_sink_warn_absent(struct collect_sink *s, void (*warn)(const char *text))
{
    const struct sv_survey *sv = s->survey;
    long n = 0;
    if (!sv)
        return 0;
    for (size_t i = 0; i < sv->nvariables; i++) {
        if (s->var_seen[i])
            continue;
        const char *k = var_key(s, &sv->variables[i]);
        /* up to three closest names: same name but for case or group path, then small edits */
        const char *best[3] = {NULL, NULL, NULL};
        size_t bestd[3] = {(size_t)-1, (size_t)-1, (size_t)-1};
        size_t limit = strlen(k) / 3 + 1;
        for (size_t f = 0; f < s->nfields_seen; f++) {
            const char *name = s->fields_seen[f];
            size_t d = edit_distance(k, name);
            if (strcasecmp(basename_of(name), basename_of(k)) == 0)
                d = d < 1 ? d : 1;
            if (d > limit)
                continue;
            for (int j = 0; j < 3; j++) {
                if (d < bestd[j]) {
                    for (int m = 2; m > j; m--) {
                        best[m] = best[m - 1];
                        bestd[m] = bestd[m - 1];
                    }
                    best[j] = name;
                    bestd[j] = d;
                    break;
                }
            }
        }
        char like[600] = "";
        size_t used = 0;
        for (int j = 0; j < 3 && best[j] && used < sizeof like; j++) {
            int w = snprintf(like + used, sizeof like - used, "%s'%s'",
                             j ? ", " : "; closest fields seen: ", best[j]);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        char text[1024];
        snprintf(text, sizeof text,
                 "variable '%s': its field '%s' is in none of the responses of '%s'%s "
                 "(check the definition's platform name)",
                 sv->variables[i].name, k, s->source, best[0] ? like : "; no similar field");
        warn(text);
        n++;
    }
    return n;
}

/* ---------------------------------------------------------------- pages */

int collect_sink_begin_page(struct collect_sink *s, struct sv_error *err)
{
    int rc = 0;
    if (!s->store) {
        rc = sv_store_open(&s->store, s->store_path, s->schema, err);
        if (rc)
            return rc;
    }
    rc = sv_store_begin(s->store, err);
    memset(&s->page, 0, sizeof s->page);
    s->page_partial_left = 0;
    if (rc == 0)
        s->in_page = true;
    if (rc == 0 && s->identity && !s->identity_written)
        rc = sv_store_state_set(s->store, s->source, "identity", s->identity, err);
    if (rc == 0)
        rc = load_seen(s, err);
    if (rc && s->in_page)
        collect_sink_abort_page(s);
    return rc;
}

int collect_sink_end_page(struct collect_sink *s, struct sv_error *err)
{
    int rc = save_seen(s, err);
    if (rc) {
        collect_sink_abort_page(s);
        return rc;
    }
    rc = sv_store_commit(s->store, err);
    s->in_page = false;
    if (rc)
        return rc;
    if (s->identity)
        s->identity_written = true;
    s->counts.fetched += s->page.fetched;
    s->counts.new_ += s->page.new_;
    s->counts.updated += s->page.updated;
    s->counts.unchanged += s->page.unchanged;
    s->counts.rejected += s->page.rejected;
    s->partial_left += s->page_partial_left;
    memset(&s->page, 0, sizeof s->page);
    s->page_partial_left = 0;
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
    s->page_partial_left = 0;
    /* what this page marked as seen is forgotten with it (re-marked when read again) */
    if (s->seen_dirty) {
        s->seen_loaded = false;
        s->seen_dirty = false;
        if (s->var_seen && s->survey)
            memset(s->var_seen, 0, s->survey->nvariables);
    }
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
    bool partial = s->rec_partial;
    const char *review = s->rec_review;
    s->rec_partial = false;
    s->rec_review = NULL;
    mark_seen(s, fields, nfields);
    if (partial && !s->keep_partial) {
        /* a partial save: left out (--responses complete), looked at again next run */
        s->page_partial_left++;
        s->page.fetched++;
        return 0;
    }
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
        rc = sv_store_put_full(s->store, rec, raw, !partial, review, &res, err);
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
    if (!s->store) { /* a store not created yet has no state */
        *out = NULL;
        return 0;
    }
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
