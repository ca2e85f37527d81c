/* Error codes, names and the per-thread last-error message. */
#include <check.h>
#include <pthread.h>
#include <string.h>

#include "biomatch/bm_errors.h"
#include "biomatch/bm_version.h"
#include "error.h"
#include "test_support.h"

START_TEST(test_every_defined_code_has_its_own_name) {
  for (int code = 0; code < 1000; ++code) {
    const char *name = bm_error_name((bm_status)code);
    ck_assert_ptr_nonnull(name);
    if (strcmp(name, "BM_ERR_UNKNOWN_CODE") == 0) continue;
    ck_assert_msg(strncmp(name, "BM_", 3) == 0, "code %d named %s", code, name);
    for (int other = 0; other < code; ++other)
      ck_assert_str_ne(name, bm_error_name((bm_status)other));
  }
  ck_assert_str_eq(bm_error_name(BM_OK), "BM_OK");
  ck_assert_str_eq(bm_error_name(BM_ERR_TRUNCATED), "BM_ERR_TRUNCATED");
  ck_assert_str_eq(bm_error_name((bm_status)-5), "BM_ERR_UNKNOWN_CODE");
}
END_TEST

START_TEST(test_fail_records_status_and_message) {
  bm_clear_error();
  ck_assert_int_eq(bm_last_error(), BM_OK);
  ck_assert_str_eq(bm_last_error_message(), "");
  bm_status status = bm_fail_(BM_ERR_TRUNCATED, "record ends at byte %d", 42);
  ck_assert_int_eq(status, BM_ERR_TRUNCATED);
  ck_assert_int_eq(bm_last_error(), BM_ERR_TRUNCATED);
  ck_assert_str_eq(bm_last_error_message(), "record ends at byte 42");
}
END_TEST

START_TEST(test_long_message_is_truncated_not_overflowed) {
  char big[4096];
  memset(big, 'x', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  bm_fail_(BM_ERR_IO, "%s", big);
  ck_assert_uint_lt(strlen(bm_last_error_message()), sizeof big - 1);
  ck_assert_uint_gt(strlen(bm_last_error_message()), 100);
}
END_TEST

static void *fail_on_other_thread(void *unused) {
  (void)unused;
  bm_fail_(BM_ERR_OUT_OF_MEMORY, "other thread");
  return NULL;
}

START_TEST(test_message_is_per_thread) {
  bm_fail_(BM_ERR_BAD_MAGIC, "main thread");
  pthread_t thread;
  ck_assert_int_eq(pthread_create(&thread, NULL, fail_on_other_thread, NULL), 0);
  pthread_join(thread, NULL);
  ck_assert_int_eq(bm_last_error(), BM_ERR_BAD_MAGIC);
  ck_assert_str_eq(bm_last_error_message(), "main thread");
}
END_TEST

START_TEST(test_version_matches_header) {
  ck_assert_uint_eq(bm_version_number(), BM_VERSION_NUMBER);
  ck_assert_str_eq(bm_version_string(), BM_VERSION_STRING);
  ck_assert_uint_eq(bm_abi_version(), BM_ABI_VERSION);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("errors");
  TCase *tcase = tcase_create("core");
  tcase_add_test(tcase, test_every_defined_code_has_its_own_name);
  tcase_add_test(tcase, test_fail_records_status_and_message);
  tcase_add_test(tcase, test_long_message_is_truncated_not_overflowed);
  tcase_add_test(tcase, test_message_is_per_thread);
  tcase_add_test(tcase, test_version_matches_header);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
