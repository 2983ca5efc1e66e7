/* Helpers shared by the fuzz targets (tests/fuzz/README.md). */
#ifndef VIGIE_FUZZ_H
#define VIGIE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Write the input to this process's scratch file ending in `suffix` (in
 * $TMPDIR, else /tmp) and return its path (static storage, rewritten by the
 * next call with the same suffix).
 */
const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix);
/* A directory of this process for files a target needs side by side. */
const char *fuzz_dir(void);
/* Stop with a message: the fuzzer records the input as a crash. */
void fuzz_fail(const char *fmt, ...);

#endif
