/* Helpers shared by the Check test programs. */
#ifndef BIOMATCH_TEST_SUPPORT_H
#define BIOMATCH_TEST_SUPPORT_H

#include <check.h>
#include <stdint.h>

/* Runs every test of `suite` and returns the process exit status (0 = all passed). */
int bm_test_run_suite(Suite *suite);

/* Returns the path of `relative` under the shared data folder
 * (BM_TEST_DATA_DIR) in static storage. When that file or folder does not
 * exist, prints why and exits with 77, which ctest reports as Skipped. */
const char *bm_test_require_data(const char *relative);

/* Deterministic test data: xorshift64* over a caller-held state (never 0). */
uint64_t bm_test_random_u64(uint64_t *state);
/* Uniform in [-1, 1). */
float bm_test_random_float(uint64_t *state);

#endif
