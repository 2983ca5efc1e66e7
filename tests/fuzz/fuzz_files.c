/*
 * The files a user or another tool hands to vigie, each through the reader
 * the tools use, the input being the whole file: FUZZ_KIND (compiled in)
 * picks the parser.
 *   survey   a definition's survey.json (sv_survey_load; the frame of the
 *            test survey beside it)
 *   frame    a definition's frame.csv (the test survey's survey.json beside it)
 *   jsonl    normalised records in JSON Lines (sv_recio)
 *   itable   an indicator table as plot reads it (sv_itable_load)
 *   members  a member list (collect_members_read, survey recrutement)
 * Nothing is compared: a crash, a leak, undefined behaviour or a hang is
 * what these look for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sv_itable.h"
#include "sv_recio.h"
#include "sv_survey.h"
#ifdef FUZZ_MEMBERS
#include "collect.h"
#endif

#define MINI VIGIE_SOURCE_DIR "/tests/analyse/surveys/mini"

static struct sv_survey *survey;
static struct sv_schema *schema;

static void copy_file(const char *from, const char *to)
{
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    char buf[4096];
    size_t n;
    if (!in || !out)
        fuzz_fail("cannot copy %s", from);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        fwrite(buf, 1, n, out);
    fclose(in);
    fclose(out);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct sv_error err;
    const char *dir = fuzz_dir();
    char path[1024];
    if (!strcmp(FUZZ_KIND, "survey")) {
        snprintf(path, sizeof path, "%s/frame.csv", dir);
        copy_file(MINI "/frame.csv", path);
    } else if (!strcmp(FUZZ_KIND, "frame")) {
        snprintf(path, sizeof path, "%s/survey.json", dir);
        copy_file(MINI "/survey.json", path);
    } else if (!strcmp(FUZZ_KIND, "members")) {
        if (sv_survey_load(&survey, VIGIE_SOURCE_DIR "/surveys/recrutement", &err))
            fuzz_fail("survey: %s", err.text);
    } else if (!strcmp(FUZZ_KIND, "jsonl")) {
        if (sv_survey_load(&survey, MINI, &err) || sv_schema_new(&schema, survey, &err))
            fuzz_fail("survey: %s", err.text);
    }
    return 0;
}

#ifdef FUZZ_MEMBERS
static void bad_row(const struct sv_error *e, void *ctx)
{
    (void)e;
    (*(long *)ctx)++;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sv_error err;
    sv_error_clear(&err);
    if (!strcmp(FUZZ_KIND, "survey") || !strcmp(FUZZ_KIND, "frame")) {
        struct sv_survey *s = NULL;
        fuzz_file(data, size, !strcmp(FUZZ_KIND, "survey") ? "survey.json" : "frame.csv");
        if (sv_survey_load(&s, fuzz_dir(), &err) == 0)
            sv_survey_free(s);
    } else if (!strcmp(FUZZ_KIND, "jsonl")) {
        /* a JSON Lines file starts with '{' */
        uint8_t *d = malloc(size + 1);
        d[0] = '{';
        memcpy(d + 1, data, size);
        const char *path = fuzz_file(d, size + 1, "records.jsonl");
        free(d);
        struct sv_recio_reader *r = NULL;
        const struct sv_record *rec;
        if (sv_recio_reader_open(&r, path, schema, &err) == 0) {
            long n = 0;
            while (sv_recio_read(r, &rec, &err) == 1 && n++ < 100000) {
            }
        }
        sv_recio_reader_free(r);
    } else if (!strcmp(FUZZ_KIND, "itable")) {
        struct sv_itable t;
        sv_itable_init(&t);
        sv_itable_load(&t, fuzz_file(data, size, "table.csv"), &err);
        sv_itable_release(&t);
    }
#ifdef FUZZ_MEMBERS
    else if (!strcmp(FUZZ_KIND, "members")) {
        struct collect_members m;
        long nbad = 0, seen = 0;
        memset(&m, 0, sizeof m);
        collect_members_read(&m, fuzz_file(data, size, "members.csv"), survey, true, bad_row,
                             &seen, &nbad, &err);
        collect_members_release(&m);
    }
#endif
    return 0;
}
