/*
 * Unit tests of core/sv_file.c: atomic output keeps the previous file on
 * abort, replaces it on commit, and never replaces a device.
 */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include "harness.h"
#include "sv_file.h"

static char *slurp(const char *path)
{
    char *s = NULL;
    size_t n;
    assert_int_equal(sv_file_read_all(&s, &n, path, NULL), 0);
    return s;
}

static void test_commit_and_abort(void **state)
{
    char dir[] = "/tmp/vigie-file-XXXXXX", path[128];
    struct sv_atomic_file f;
    char *s;
    FILE *fp;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.csv", dir);
    fp = fopen(path, "w");
    fputs("old\n", fp);
    fclose(fp);

    /* An aborted write leaves the old content and no temporary file. */
    assert_int_equal(sv_atomic_open(&f, path, NULL), 0);
    fputs("half", f.fp);
    sv_atomic_abort(&f);
    s = slurp(path);
    assert_string_equal(s, "old\n");
    free(s);

    assert_int_equal(sv_atomic_open(&f, path, NULL), 0);
    fputs("new\n", f.fp);
    assert_int_equal(sv_atomic_commit(&f, NULL), 0);
    s = slurp(path);
    assert_string_equal(s, "new\n");
    free(s);
    {
        char cmd[160];
        snprintf(cmd, sizeof cmd, "test $(ls '%s' | wc -l) = 1", dir);
        assert_int_equal(system(cmd), 0);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
    }
}

static void test_device_written_in_place(void **state)
{
    struct sv_atomic_file f;
    struct stat st;
    (void)state;
    assert_int_equal(sv_atomic_open(&f, "/dev/null", NULL), 0);
    fputs("discarded\n", f.fp);
    assert_int_equal(sv_atomic_commit(&f, NULL), 0);
    assert_int_equal(stat("/dev/null", &st), 0);
    if (!S_ISCHR(st.st_mode)) {
        /* Undo the damage before failing, so the machine stays usable. */
        unlink("/dev/null");
        mknod("/dev/null", S_IFCHR | 0666, makedev(1, 3));
        fail_msg("/dev/null was replaced by a regular file");
    }
}

static void test_missing_directory(void **state)
{
    struct sv_atomic_file f;
    struct sv_error err = {0};
    (void)state;
    assert_int_equal(sv_atomic_open(&f, "/nonexistent-dir/t.csv", &err), SV_EIO);
    assert_string_equal(err.source, "/nonexistent-dir/t.csv");
    assert_string_equal(err.text, "cannot create file: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_and_abort),
        cmocka_unit_test(test_device_written_in_place),
        cmocka_unit_test(test_missing_directory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
