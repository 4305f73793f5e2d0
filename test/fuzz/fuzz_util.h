/*
 * Helpers shared by the libFuzzer targets: libFuzzer hands over bytes that
 * are not NUL-terminated, and some targets need a scratch directory.
 */
#ifndef SLICENET_TEST_FUZZ_FUZZ_UTIL_H
#define SLICENET_TEST_FUZZ_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A malloc'd NUL-terminated copy of data (interior NULs kept); aborts on ENOMEM. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/* A private directory under $TMPDIR made once per process; its path. */
const char *fuzz_scratch_dir(void);

/* Remove every entry of dir (not recursive past one level of subdirs). */
void fuzz_empty_dir(const char *dir);

/* libFuzzer's entry point, declared for -Wmissing-prototypes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
