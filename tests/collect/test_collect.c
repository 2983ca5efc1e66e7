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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_secret_file_mode),
        cmocka_unit_test(test_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
