#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int bm_test_run_suite(Suite *suite) {
  SRunner *runner = srunner_create(suite);
  srunner_run_all(runner, CK_NORMAL);
  const int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

const char *bm_test_require_data(const char *relative) {
  static char path[4096];
  snprintf(path, sizeof path, "%s/%s", BM_TEST_DATA_DIR, relative);
  struct stat info;
  if (stat(path, &info) != 0) {
    printf("skipped: %s is absent (the shared test data is not beside this checkout)\n", path);
    exit(77);
  }
  return path;
}

uint64_t bm_test_random_u64(uint64_t *state) {
  uint64_t x = *state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  *state = x;
  return x * 0x2545F4914F6CDD1DULL;
}

float bm_test_random_float(uint64_t *state) {
  return (float)((double)(bm_test_random_u64(state) >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}
