/* Helpers shared by the fuzz targets: scratch files. */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[512];
static char paths[4][600];
static char suffixes[4][64];

/* The scratch files go when the process ends (libFuzzer and the driver exit normally). */
static void clean(void)
{
    for (size_t k = 0; k < 4; k++)
        if (paths[k][0])
            unlink(paths[k]);
    rmdir(dir);
}

const char *fuzz_dir(void)
{
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/vigie-fuzz-%ld", t && *t ? t : "/tmp", (long)getpid());
        mkdir(dir, 0700);
        atexit(clean);
    }
    return dir;
}

const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
    size_t k = 0;
    while (k < 4 && suffixes[k][0] && strcmp(suffixes[k], suffix) != 0)
        k++;
    if (k == 4)
        k = 0;
    snprintf(suffixes[k], sizeof suffixes[k], "%s", suffix);
    snprintf(paths[k], sizeof paths[k], "%s/%s", fuzz_dir(), suffix);
    FILE *fp = fopen(paths[k], "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0)
        fuzz_fail("cannot write %s", paths[k]);
    return paths[k];
}

void fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}
