/* CRC-32C: known answers (RFC 3720 appendix B.4), and every path against
 * the bitwise reference on random lengths and unaligned starts. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/crc32c.h"
#include "test_support.h"

START_TEST(test_known_answers) {
  unsigned char buffer[32];
  ck_assert_uint_eq(bm_crc32c_(0, "123456789", 9), 0xE3069283u);
  memset(buffer, 0, sizeof buffer);
  ck_assert_uint_eq(bm_crc32c_(0, buffer, sizeof buffer), 0x8A9136AAu);
  memset(buffer, 0xff, sizeof buffer);
  ck_assert_uint_eq(bm_crc32c_(0, buffer, sizeof buffer), 0x62A8AB43u);
  for (int i = 0; i < 32; ++i) buffer[i] = (unsigned char)i;
  ck_assert_uint_eq(bm_crc32c_(0, buffer, sizeof buffer), 0x46DD794Eu);
  ck_assert_uint_eq(bm_crc32c_(0, buffer, 0), 0u);
}
END_TEST

START_TEST(test_paths_agree_with_reference) {
  enum { CAPACITY = 4096 };
  unsigned char *buffer = malloc(CAPACITY + 8);
  srand(12345);
  for (size_t i = 0; i < CAPACITY + 8; ++i) buffer[i] = (unsigned char)rand();
  for (int trial = 0; trial < 500; ++trial) {
    size_t offset = (size_t)(rand() % 8), size = (size_t)(rand() % CAPACITY);
    uint32_t seed = trial % 3 ? 0 : (uint32_t)rand();
    uint32_t expected = bm_crc32c_reference_(seed, buffer + offset, size);
    ck_assert_uint_eq(bm_crc32c_(seed, buffer + offset, size), expected);
    ck_assert_uint_eq(bm_crc32c_portable_(seed, buffer + offset, size), expected);
  }
  free(buffer);
}
END_TEST

START_TEST(test_incremental_equals_whole) {
  const char *text = "The quick brown fox jumps over the lazy dog";
  size_t length = strlen(text);
  uint32_t whole = bm_crc32c_(0, text, length);
  for (size_t split = 0; split <= length; ++split)
    ck_assert_uint_eq(bm_crc32c_(bm_crc32c_(0, text, split), text + split, length - split), whole);
  ck_assert_uint_ne(bm_crc32c_mask_(whole), whole);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("crc32c");
  TCase *tcase = tcase_create("core");
  tcase_add_test(tcase, test_known_answers);
  tcase_add_test(tcase, test_paths_agree_with_reference);
  tcase_add_test(tcase, test_incremental_equals_whole);
  suite_add_tcase(suite, tcase);
  return bm_test_run_suite(suite);
}
