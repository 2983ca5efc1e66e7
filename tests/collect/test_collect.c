/* Unit tests of collect's helpers and of the store (core sv_store.c, owned by collect). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collect.h"

static void test_base64(void **state)
{
    (void)state;
    const char *msg = "{\"responses\": [{\"id\":1,\"q\":\"é\"}]}";
    struct sv_buf enc = SV_BUF_INIT, dec = SV_BUF_INIT;
    assert_int_equal(collect_base64_encode(&enc, msg, strlen(msg)), 0);
    assert_int_equal(collect_base64_decode(&dec, enc.data, enc.len), 0);
    assert_string_equal(dec.data, msg);
    sv_buf_reset(&dec);
    assert_int_equal(collect_base64_decode(&dec, "eyJh\nIjox\r\nfQ==", 15), 0);
    assert_string_equal(dec.data, "{\"a\":1}");
    sv_buf_reset(&dec);
    assert_int_equal(collect_base64_decode(&dec, "<html>", 6), SV_EDATA);
    sv_buf_release(&enc);
    sv_buf_release(&dec);
}

static void test_urls(void **state)
{
    (void)state;
    char *p = collect_url_public("https://user:secret@example.org:8443/index.php?x=1");
    assert_non_null(p);
    assert_null(strstr(p, "secret"));
    assert_null(strstr(p, "user"));
    assert_non_null(strstr(p, "example.org:8443/index.php?x=1"));
    free(p);
    char *e = collect_url_escape("{\"_submission_time\":{\"$gte\":\"2026-01-01T10:00:00\"}}");
    assert_string_equal(e, "%7B%22_submission_time%22%3A%7B%22%24gte%22%3A%222026-01-01T10%3A00%3A00%22%7D%7D");
    free(e);
    e = collect_url_escape("");
    assert_string_equal(e, "");
    free(e);
    assert_true(collect_url_is_file("FILE:///tmp/x"));
    assert_false(collect_url_is_file("https://x"));
}

static void test_secret_file_mode(void **state)
{
    (void)state;
    char path[] = "/tmp/vigie-collect-keyXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "  k3y \n", 7), 7);
    close(fd);
    chmod(path, 0644);
    char *key = NULL;
    struct sv_error err;
    sv_error_clear(&err);
    assert_int_equal(collect_secret_file_read(&key, path, &err), SV_EUSAGE);
    assert_null(key);
    assert_non_null(strstr(err.text, "readable by others"));
    chmod(path, 0600);
    assert_int_equal(collect_secret_file_read(&key, path, &err), 0);
    assert_string_equal(key, "k3y");
    collect_secret_free(key);

    /* credentials file: keys per platform, environment first */
    FILE *fp = fopen(path, "w");
    fputs("# test\nkobo_token = tok-1\nodk_email=a@b.c\nodk_password = pw\n", fp);
    fclose(fp);
    chmod(path, 0600);
    struct collect_creds c;
    unsetenv("VIGIE_KOBO_TOKEN");
    assert_int_equal(collect_creds_load(&c, SV_PLATFORM_KOBO, "https://kf.example.org", path, &err), 0);
    assert_string_equal(c.token, "tok-1");
    collect_creds_release(&c);
    setenv("VIGIE_KOBO_TOKEN", "from-env", 1);
    assert_int_equal(collect_creds_load(&c, SV_PLATFORM_KOBO, "https://kf.example.org", path, &err), 0);
    assert_string_equal(c.token, "from-env");
    collect_creds_release(&c);
    unsetenv("VIGIE_KOBO_TOKEN");
    assert_int_equal(collect_creds_load(&c, SV_PLATFORM_ODK, "https://odk.example.org", path, &err), 0);
    assert_string_equal(c.user, "a@b.c");
    assert_string_equal(c.password, "pw");
    collect_creds_release(&c);
    chmod(path, 0640);
    assert_int_equal(collect_creds_load(&c, SV_PLATFORM_ODK, "https://odk.example.org", path, &err),
                     SV_EUSAGE);
    collect_creds_release(&c);
    unlink(path);
}

static int count_cb(const struct sv_record *rec, void *ctx)
{
    long *n = ctx;
    (void)rec;
    (*n)++;
    return 0;
}

static void test_store(void **state)
{
    (void)state;
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *sv = NULL;
    struct sv_schema *schema = NULL;
    assert_int_equal(sv_survey_load(&sv, VIGIE_SOURCE_DIR "/tests/collect/surveys/mini", &err), 0);
    assert_int_equal(sv_schema_new(&schema, sv, &err), 0);
    char path[] = "/tmp/vigie-store-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    struct sv_store *st = NULL;
    assert_int_equal(sv_store_open(&st, path, schema, &err), 0);

    struct sv_record *r = NULL;
    assert_int_equal(sv_record_new(&r, schema), 0);
    r->source = sv_strdup("kobo:a1");
    r->id = sv_strdup("1");
    long region = sv_schema_index(schema, "region");
    assert_true(region >= 0);
    sv_record_set(r, (size_t)region, "11");
    enum sv_store_put_result res = 0;
    assert_int_equal(sv_store_begin(st, &err), 0);
    assert_int_equal(sv_store_put(st, r, "{\"raw\":1}", &res, &err), 0);
    assert_int_equal(res, SV_STORE_NEW);
    assert_int_equal(sv_store_put(st, r, "{\"raw\":1}", &res, &err), 0);
    assert_int_equal(res, SV_STORE_UNCHANGED);
    sv_record_set(r, (size_t)region, "84");
    assert_int_equal(sv_store_put(st, r, "{\"raw\":2}", &res, &err), 0);
    assert_int_equal(res, SV_STORE_UPDATED);
    assert_int_equal(sv_store_reject(st, "kobo:a1", "2", "{}", "region: unknown code '99'", &err), 0);
    assert_int_equal(sv_store_state_set(st, "kobo:a1", "last", "2026", &err), 0);
    assert_int_equal(sv_store_commit(st, &err), 0);

    /* a rolled-back page leaves nothing */
    assert_int_equal(sv_store_begin(st, &err), 0);
    free(r->id);
    r->id = sv_strdup("3");
    assert_int_equal(sv_store_put(st, r, NULL, &res, &err), 0);
    sv_store_rollback(st);

    long n = 0, rej = 0;
    assert_int_equal(sv_store_counts(st, &n, &rej, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rej, 1);
    char *v = NULL;
    assert_int_equal(sv_store_state_get(st, "kobo:a1", "last", &v, &err), 0);
    assert_string_equal(v, "2026");
    free(v);
    assert_int_equal(sv_store_state_get(st, "kobo:a1", "none", &v, &err), 0);
    assert_null(v);
    long seen = 0;
    assert_int_equal(sv_store_foreach(st, count_cb, &seen, &err), 0);
    assert_int_equal(seen, 1);
    sv_store_close(st);
    sv_record_free(r);

    /* a store of another survey is refused */
    struct sv_survey *other = NULL;
    struct sv_schema *oschema = NULL;
    assert_int_equal(sv_survey_load(&other, VIGIE_SOURCE_DIR "/tests/collect/surveys/lsfix", &err), 0);
    assert_int_equal(sv_schema_new(&oschema, other, &err), 0);
    assert_int_equal(sv_store_open(&st, path, oschema, &err), SV_EDATA);
    assert_non_null(strstr(err.text, "holds survey 'mini'"));
    sv_schema_free(oschema);
    sv_survey_free(other);

    sv_schema_free(schema);
    sv_survey_free(sv);
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static void test_email(void **state)
{
    (void)state;
    assert_true(collect_email_valid("direction@ehpad-tilleuls.example.org"));
    assert_true(collect_email_valid("a.b+c@x.fr"));
    assert_false(collect_email_valid(""));
    assert_false(collect_email_valid("direction"));
    assert_false(collect_email_valid("a@@x.fr"));
    assert_false(collect_email_valid("a@x"));
    assert_false(collect_email_valid("a@x.f"));
    assert_false(collect_email_valid("@x.fr"));
    assert_false(collect_email_valid("a b@x.fr"));
    assert_false(collect_email_valid("a@x..fr"));
    assert_false(collect_email_valid("a.@x.fr"));
    assert_false(collect_email_valid("a@.x.fr"));
    assert_false(collect_email_valid("a@x.fr;b@y.fr"));
    assert_false(collect_email_valid("Jean <a@x.fr>"));
}

struct bad_rows {
    long lines[16];
    char texts[16][256];
    size_t n;
};

static void keep_bad_row(const struct sv_error *e, void *ctx)
{
    struct bad_rows *b = ctx;
    if (b->n < 16) {
        b->lines[b->n] = e->line;
        snprintf(b->texts[b->n], sizeof b->texts[0], "%s", e->text);
        b->n++;
    }
}

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static void test_members(void **state)
{
    (void)state;
    struct sv_error err;
    sv_error_clear(&err);
    struct sv_survey *sv = NULL;
    assert_int_equal(sv_survey_load(&sv, VIGIE_SOURCE_DIR "/tests/collect/surveys/mini", &err), 0);
    char path[] = "/tmp/vigie-members-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);

    /* Excel-France: BOM, ';', CRLF, French column names, codes by label or in capitals */
    write_file(path, "\xef\xbb\xbf" "FINESS;Nom;Courriel;Zone;Secteur\r\n"
                     "750000001;EHPAD;dir@ehpad.example.org;11;PA\r\n"
                     "\r\n"
                     "750000002; IME ; ime@example.org ;Île-de-France;ph\r\n");
    struct collect_members m;
    struct bad_rows b = {0};
    long nbad = -1;
    /* no column for the region (its name, role or label) */
    assert_int_equal(collect_members_read(&m, path, sv, false, keep_bad_row, &b, &nbad, &err), SV_EDATA);
    assert_string_equal(err.text, "missing column 'region' (the strata of survey 'mini')");
    assert_int_equal(err.line, 1);
    collect_members_release(&m);

    write_file(path, "\xef\xbb\xbf" "FINESS;Nom;Courriel;Région;Secteur\r\n"
                     "750000001;EHPAD;dir@ehpad.example.org;11;PA\r\n"
                     "\r\n"
                     "750000002; IME ; ime@example.org ;Île-de-France;ph\r\n");
    assert_int_equal(collect_members_read(&m, path, sv, true, keep_bad_row, &b, &nbad, &err), 0);
    assert_int_equal(nbad, 0);
    assert_int_equal(m.nvars, 2);
    assert_string_equal(m.vars[0], "region");
    assert_string_equal(m.vars[1], "secteur");
    assert_int_equal(m.n, 2);
    assert_string_equal(m.v[0].strata[1], "pa");
    assert_string_equal(m.v[1].id, "750000002");
    assert_string_equal(m.v[1].name, "IME");
    assert_string_equal(m.v[1].email, "ime@example.org");
    assert_string_equal(m.v[1].strata[0], "11");
    assert_int_equal(m.v[1].line, 4);
    collect_members_release(&m);

    /* every bad row reported, reading goes on; a shared e-mail is bad only when matching on it */
    write_file(path, "id,name,email,region,secteur\n"
                     "a1,A,a@example.org,11,pa\n"
                     "a2,B,A@example.org,84,ph\n"
                     "a1,C,c@example.org,84,ph\n"
                     "a4,D,\"d@example.org\n\",84,ph\n"
                     "a5,E,\xe9@example.org,84,ph\n");
    memset(&b, 0, sizeof b);
    /* the bad rows before it reported, then the CSV reader stops at bytes that are not UTF-8
       (every reader refuses them the same way: core/sv_csv.h) */
    assert_int_equal(collect_members_read(&m, path, sv, true, keep_bad_row, &b, &nbad, &err), SV_EDATA);
    assert_int_equal(nbad, 3);
    assert_int_equal(b.lines[0], 3);
    assert_string_equal(b.texts[0], "e-mail 'A@example.org' already used on line 2 (members are "
                                    "matched on e-mail: give each its own, or use --id-attribute)");
    assert_int_equal(b.lines[1], 4);
    assert_string_equal(b.texts[1], "duplicate id 'a1' (first on line 2)");
    assert_int_equal(b.lines[2], 5);
    assert_string_equal(b.texts[2], "malformed e-mail 'd@example.org\n'");
    assert_int_equal(err.line, 7);
    assert_non_null(strstr(err.text, "field 3 is not UTF-8 text"));
    collect_members_release(&m);
    memset(&b, 0, sizeof b);
    assert_int_equal(collect_members_read(&m, path, sv, false, keep_bad_row, &b, &nbad, &err), SV_EDATA);
    assert_int_equal(nbad, 2);
    assert_int_equal(b.lines[0], 4);
    collect_members_release(&m);

    unlink(path);
    sv_survey_free(sv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_secret_file_mode),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_email),
        cmocka_unit_test(test_members),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
