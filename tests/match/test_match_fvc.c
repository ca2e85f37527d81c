/* Matcher sanity on real templates: FVC2002 DB1, fingers 101-103,
 * impressions 1-4. Skipped (exit 77) when the shared data is absent. */
#include <check.h>
#include <stdio.h>

#include "biomatch/biomatch.h"
#include "test_support.h"

static float score_of(const bm_template *a, const bm_template *b) {
  float score = -1;
  ck_assert_int_eq(bm_match_templates(a, b, &score), BM_OK);
  return score;
}

START_TEST(fvc_sanity) {
  char path[4096];
  bm_template *tpl[3][4];
  for (int f = 0; f < 3; ++f)
    for (int i = 0; i < 4; ++i) {
      snprintf(path, sizeof path, "%s/fvc2002_db1_b/%d_%d.iso", BM_TEST_DATA_DIR, 101 + f, i + 1);
      ck_assert_int_eq(bm_template_read_file(path, &tpl[f][i]), BM_OK);
    }
  double genuine = 0, impostor = 0;
  int gn = 0, in = 0;
  for (int f = 0; f < 3; ++f)
    for (int i = 0; i < 4; ++i)
      for (int g = f; g < 3; ++g)
        for (int j = g == f ? i + 1 : 0; j < 4; ++j) {
          const float s = score_of(tpl[f][i], tpl[g][j]);
          if (f == g) genuine += s, ++gn;
          else impostor += s, ++in;
        }
  genuine /= gn;
  impostor /= in;
  ck_assert_msg(genuine > 3 * impostor, "genuine mean %f impostor mean %f", genuine, impostor);
  for (int f = 0; f < 3; ++f)
    for (int i = 0; i < 4; ++i) bm_template_free(tpl[f][i]);
}
END_TEST

int main(void) {
  bm_test_require_data("fvc2002_db1_b/101_1.iso");
  Suite *suite = suite_create("match_fvc");
  TCase *data = tcase_create("data");
  tcase_set_timeout(data, 120);
  tcase_add_test(data, fvc_sanity);
  suite_add_tcase(suite, data);
  return bm_test_run_suite(suite);
}
