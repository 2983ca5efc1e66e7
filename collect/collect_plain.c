/*
 * collect_plain: plain JSON or CSV sources over http(s) or file://.
 *
 * JSON: the records are the top-level array, or the array at --records PATH
 * (dotted, e.g. "data.items"), or else the first of "responses", "results",
 * "records", "value", "data" that is an array; the next page's URL is read at
 * --next PATH when given. CSV: a header row, then one response per row (','
 * or ';' separated, BOM and CRLF accepted). The response id is the field
 * named by --id-field ("id" by default; "_id" and "__id" are tried too) or,
 * when a source has none, the record's position ("#1", "#2", ...).
 * Field names are the definition's variable names unless it maps them for
 * the "csv" platform.
 */
#include "collect_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sv_csv.h"

static json_t *find_records(json_t *doc, const char *path)
{
    if (path && *path)
        return collect_json_path(doc, path);
    if (json_is_array(doc))
        return doc;
    static const char *const names[] = {"responses", "results", "records", "value", "data"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        json_t *a = json_object_get(doc, names[i]);
        if (json_is_array(a))
            return a;
    }
    return NULL;
}

static const char *json_field(json_t *obj, const char *want, const char *const *fallback,
                              char *buf, size_t size)
{
    const char *s = NULL;
    if (want) {
        collect_json_scalar(buf, size, json_object_get(obj, want), &s);
        return s;
    }
    for (; *fallback; fallback++) {
        if (collect_json_scalar(buf, size, json_object_get(obj, *fallback), &s) == 0 && s && *s)
            return s;
    }
    return NULL;
}

static int fetch_json(struct collect_sink *sink, struct collect_http *http,
                      const struct collect_fetch_opts *o, struct sv_error *err)
{
    char *url = sv_strdup(o->url);
    if (!url)
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    long position = 0;
    static const char *const id_names[] = {"id", "_id", "__id", NULL};
    static const char *const sub_names[] = {"submitted", "submitdate", "_submission_time", NULL};
    struct collect_links links;
    int rc = collect_links_init(&links, o->url, err);
    if (rc == 0) /* the first page counts as followed: a link back to it loops */
        rc = collect_links_check(&links, url, err);
    while (rc == 0 && url) {
        char *pub = collect_url_public(url);
        bool file = collect_url_is_file(url);
        struct collect_http_reply r;
        collect_http_reply_init(&r);
        json_t *doc = NULL;
        rc = collect_http_get(http, url, &r, err);
        if (rc == 0)
            rc = collect_json_parse(&doc, &r.body, pub, file ? NULL : "reply is not JSON", err);
        collect_http_reply_release(&r);
        json_t *records = rc == 0 ? find_records(doc, o->records_path) : NULL;
        if (rc == 0 && !json_is_array(records))
            rc = sv_error_set(err, file ? SV_EDATA : SV_EEXTERNAL, pub, 0, 0,
                              o->records_path ? "no array of records at '%s'"
                                              : "no array of records found%s (use --records PATH)",
                              o->records_path ? o->records_path : "");
        if (rc == 0)
            rc = collect_sink_begin_page(sink, err);
        if (rc == 0) {
            size_t i;
            json_t *rec;
            json_array_foreach(records, i, rec) {
                position++;
                if (!json_is_object(rec)) {
                    rc = sv_error_set(err, SV_EDATA, pub, 0, 0, "record %zu is not an object", i);
                    break;
                }
                char idbuf[64], pos[32], subbuf[64];
                const char *id = json_field(rec, o->id_field, id_names, idbuf, sizeof idbuf);
                if (!id || !*id) {
                    snprintf(pos, sizeof pos, "#%ld", position);
                    id = pos;
                }
                const char *sub =
                    json_field(rec, o->submitted_field, sub_names, subbuf, sizeof subbuf);
                rc = collect_json_record(sink, rec, id, sub, NULL, err);
                if (rc) {
                    sv_error_set_path(err, "record %s", id);
                    break;
                }
            }
            rc = collect_sink_finish_page(sink, rc, err);
        }
        free(url);
        url = NULL;
        json_t *next = rc == 0 && o->next_path ? collect_json_path(doc, o->next_path) : NULL;
        if (json_is_string(next) && json_string_length(next) > 0) {
            rc = collect_links_check(&links, json_string_value(next), err);
            if (rc == 0 && !(url = sv_strdup(json_string_value(next))))
                rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        }
        json_decref(doc);
        free(pub);
    }
    collect_links_release(&links);
    free(url);
    return rc;
}

static int fetch_csv(struct collect_sink *sink, struct collect_http *http,
                     const struct collect_fetch_opts *o, struct sv_error *err)
{
    char *pub = collect_url_public(o->url);
    struct collect_http_reply r;
    collect_http_reply_init(&r);
    int rc = collect_http_get(http, o->url, &r, err);
    if (rc) {
        free(pub);
        collect_http_reply_release(&r);
        return rc;
    }
    if (r.body.len == 0) {
        collect_http_reply_release(&r);
        rc = sv_error_set(err, SV_EDATA, pub, 1, 0, "empty CSV: no header row");
        free(pub);
        return rc;
    }
    FILE *fp = fmemopen(r.body.data, r.body.len, "r");
    if (!fp) {
        collect_http_reply_release(&r);
        free(pub);
        return sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
    }
    struct sv_csv_reader cr;
    char **header = NULL;
    size_t nheader = 0;
    struct sv_raw_field *fields = NULL;
    struct sv_buf raw = SV_BUF_INIT;
    rc = sv_csv_reader_init(&cr, fp, pub, 0, err);
    if (rc)
        goto done;
    rc = sv_csv_read(&cr, err);
    if (rc <= 0) {
        if (rc == 0)
            rc = sv_error_set(err, SV_EDATA, pub, 1, 0, "empty CSV: no header row");
        goto done_reader;
    }
    nheader = cr.nfields;
    header = calloc(nheader, sizeof *header);
    fields = calloc(nheader, sizeof *fields);
    if (!header || !fields) {
        rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        goto done_reader;
    }
    long id_col = -1, sub_col = -1;
    for (size_t i = 0; i < nheader; i++) {
        if (!(header[i] = sv_strdup(cr.fields[i]))) {
            rc = sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
            goto done_reader;
        }
        const char *want_id = o->id_field ? o->id_field : "id";
        if (strcmp(header[i], want_id) == 0)
            id_col = (long)i;
        if (o->submitted_field ? strcmp(header[i], o->submitted_field) == 0
                               : (strcmp(header[i], "submitted") == 0 ||
                                  strcmp(header[i], "submitdate") == 0))
            sub_col = (long)i;
    }
    if (o->id_field && id_col < 0) {
        rc = sv_error_set(err, SV_EDATA, pub, 1, 0, "no column '%s' (--id-field)", o->id_field);
        goto done_reader;
    }
    long row = 0, in_page = 0;
    bool open = false;
    for (;;) {
        rc = sv_csv_read(&cr, err);
        if (rc < 0)
            break;
        if (rc == 0)
            break;
        if (cr.nfields == 1 && cr.fields[0][0] == '\0')
            continue; /* blank line */
        row++;
        if (cr.nfields != nheader) {
            rc = sv_error_set(err, SV_EDATA, pub, cr.record_line, 0,
                              "%zu fields where the header has %zu", cr.nfields, nheader);
            break;
        }
        if (!open) {
            if ((rc = collect_sink_begin_page(sink, err)) != 0)
                break;
            open = true;
        }
        /* the raw payload: the row as a JSON object, personal columns left out */
        json_t *obj = json_object();
        for (size_t i = 0; i < nheader; i++) {
            fields[i].key = header[i];
            fields[i].value = cr.fields[i];
            if (obj && !collect_sink_drops(sink, header[i]))
                json_object_set_new(obj, header[i], json_string(cr.fields[i]));
        }
        char *rawtext = obj ? json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(obj);
        char pos[32];
        const char *id = id_col >= 0 ? cr.fields[id_col] : NULL;
        if (!id || !*id) {
            snprintf(pos, sizeof pos, "#%ld", row);
            id = pos;
        }
        rc = rawtext ? collect_sink_record(sink, id, sub_col >= 0 ? cr.fields[sub_col] : NULL,
                                           fields, nheader, rawtext, err)
                     : sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        free(rawtext);
        if (rc) {
            sv_error_set_path(err, "row %ld", row);
            break;
        }
        if (++in_page >= o->page_size) {
            if ((rc = collect_sink_end_page(sink, err)) != 0)
                break;
            open = false;
            in_page = 0;
        }
    }
    if (open) {
        rc = collect_sink_finish_page(sink, rc, err);
    }
done_reader:
    sv_csv_reader_release(&cr);
done:
    fclose(fp);
    if (header)
        for (size_t i = 0; i < nheader; i++)
            free(header[i]);
    free(header);
    free(fields);
    sv_buf_release(&raw);
    collect_http_reply_release(&r);
    free(pub);
    return rc;
}

int collect_plain_fetch(struct collect_sink *sink, struct collect_http *http,
                        const struct collect_fetch_opts *o, struct sv_error *err)
{
    if (!collect_url_is_file(o->url) && o->creds && o->creds->token) {
        struct sv_buf auth = SV_BUF_INIT;
        int rc = sv_buf_addf(&auth, "Bearer %s", o->creds->token) == 0
                     ? collect_http_set_auth(http, o->url, auth.data, err)
                     : sv_error_set(err, SV_ENOMEM, NULL, 0, 0, "out of memory");
        if (auth.len)
            memset(auth.data, 0, auth.len);
        sv_buf_release(&auth);
        if (rc)
            return rc;
    }
    return o->plain_csv ? fetch_csv(sink, http, o, err) : fetch_json(sink, http, o, err);
}
