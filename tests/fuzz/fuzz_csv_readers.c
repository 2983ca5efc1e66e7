/*
 * Every CSV reader against the core one (issue 11): the input, as a file of
 * the test survey tests/analyse/surveys/mini, read by sv_recio (the core),
 * analyse's row reader, its streamed reader (one and two ranges) and the pay
 * reader. When the core reads it, or refuses it for a reason of the CSV layer
 * (a malformation, a field count), every reader must give the same records
 * or the same error; a value the definition refuses is checked by the fast
 * readers only in the columns they use, so those inputs are not compared.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "readers_diff.h"

static struct sv_survey *survey;
static struct sv_schema *schema;
static struct sv_buf core, other, agg;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct sv_error err;
    if (sv_survey_load(&survey, VIGIE_SOURCE_DIR "/tests/analyse/surveys/mini", &err) ||
        sv_schema_new(&schema, survey, &err))
        fuzz_fail("cannot load the test survey: %s", err.text);
    return 0;
}

static void same(const char *who, const struct sv_buf *got, const char *want, const char *path)
{
    const char *g = got->data ? got->data : "";
    if (strcmp(g, want) != 0)
        fuzz_fail("%s: %s reads\n%s\nwhere the core reader gives\n%s", path, who, g, want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, "data.csv");
    readers_core(&core, path, schema);
    const char *want = core.data ? core.data : "";
    if (strncmp(want, "error", 5) == 0 && !readers_csv_error(want))
        return 0; /* a value refused: the fast readers check only the columns they use */
    readers_rows(&other, path, survey);
    same("analyse rows", &other, want, path);
    if (readers_pay(&other, path))
        same("the pay reader", &other, want, path);
    readers_aggregate(&agg, want);
    for (int threads = 1; threads <= 2; threads++)
        if (readers_stream(&other, path, survey, schema, threads))
            same(threads == 1 ? "analyse streamed" : "analyse streamed in 2 ranges", &other,
                 agg.data ? agg.data : "", path);
    return 0;
}
