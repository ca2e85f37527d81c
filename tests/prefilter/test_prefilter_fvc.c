/* Prefilter on real templates (FVC2002 DB1 B and DB2 B, ISO): with one
 * impression per finger enrolled, a mate must be kept far more often than
 * chance at a moderate penetration. Bounds sit well below the measured
 * figures of docs/prefilter.md (so a regression fails, noise does not):
 * at 20% penetration (15 of 73) chance keeps 21%; measured 92-96%. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "biomatch/biomatch.h"
#include "prefilter/prefilter_internal.h"
#include "test_support.h"

static double hit_rate(const char *set, double penetration) {
  const char *dir = bm_test_require_data(set);
  const size_t bytes = bm_prefilter_code_bytes_();
  uint8_t *codes = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, 80 * bytes);
  ck_assert_ptr_nonnull(codes);
  int finger[80];
  for (int f = 0; f < 10; ++f)
    for (int i = 0; i < 8; ++i) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%d_%d.iso", dir, 101 + f, 1 + i);
      bm_template *tpl = NULL;
      ck_assert_msg(bm_template_read_file(path, &tpl) == BM_OK, "%s: %s", path, bm_last_error_message());
      ck_assert_int_eq(bm_prefilter_encode_(tpl, codes + (size_t)(f * 8 + i) * bytes), BM_OK);
      finger[f * 8 + i] = f;
      bm_template_free(tpl);
    }
  size_t hits = 0, searches = 0;
  const size_t keep = bm_prefilter_select_count_(73, penetration);
  for (int probe = 0; probe < 80; ++probe) {
    uint32_t scores[80];
    ck_assert_int_eq(bm_prefilter_scan_(codes + (size_t)probe * bytes, codes, 80, scores), BM_OK);
    for (int mate = 0; mate < 80; ++mate) {
      if (mate == probe || finger[mate] != finger[probe]) continue;
      size_t rank = 1;
      for (int other = 0; other < 80; ++other) rank += finger[other] != finger[probe] && scores[other] >= scores[mate];
      hits += rank <= keep;
      ++searches;
    }
  }
  free(codes);
  return (double)hits / searches;
}

START_TEST(test_fvc_db1) {
  ck_assert_double_gt(hit_rate("fvc2002_db1_b", 0.2), 0.85);
  ck_assert_double_gt(hit_rate("fvc2002_db1_b", 0.05), 0.7);
}
END_TEST

START_TEST(test_fvc_db2) {
  ck_assert_double_gt(hit_rate("fvc2002_db2_b", 0.2), 0.85);
  ck_assert_double_gt(hit_rate("fvc2002_db2_b", 0.05), 0.7);
}
END_TEST

int main(void) {
  bm_test_require_data("fvc2002_db1_b/101_1.iso");
  Suite *suite = suite_create("prefilter_fvc");
  TCase *tc = tcase_create("fvc");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_fvc_db1);
  tcase_add_test(tc, test_fvc_db2);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
