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
