/* Every FVC2002 DB1/DB2 set-B image extracts a plausible number of minutiae
 * (needs the shared data; skipped without it). */
#include <stdio.h>

#include "biomatch/biomatch.h"
#include "test_support.h"

static void check_database(const char *folder) {
  const char *root = bm_test_require_data(folder);
  int images = 0;
  for (int finger = 101; finger <= 110; ++finger)
    for (int impression = 1; impression <= 8; ++impression) {
      char path[1024];
      snprintf(path, sizeof path, "%s/%d_%d.png", root, finger, impression);
      bm_image *image = NULL;
      ck_assert_msg(bm_image_load_file(path, 0, &image) == BM_OK, "%s: %s", path, bm_last_error_message());
      bm_template *tpl = NULL;
      ck_assert_msg(bm_extract(image, &tpl) == BM_OK, "%s: %s", path, bm_last_error_message());
      const size_t count = bm_template_minutia_count(tpl);
      ck_assert_msg(count >= 20 && count <= 120, "%s: %zu minutiae, expected 20..120", path, count);
      unsigned width;
      bm_template_get_image(tpl, &width, NULL, NULL, NULL);
      ck_assert_uint_eq(width, bm_image_width(image));
      bm_template_free(tpl);
      bm_image_free(image);
      ++images;
    }
  ck_assert_int_eq(images, 80);
}

START_TEST(fvc2002_db1_every_image_extracts) { check_database("fvc2002_db1_b/png"); }
END_TEST

START_TEST(fvc2002_db2_every_image_extracts) { check_database("fvc2002_db2_b/png"); }
END_TEST

int main(void) {
  bm_test_require_data("fvc2002_db1_b/png");
  Suite *suite = suite_create("extract_data");
  TCase *tc = tcase_create("fvc");
  tcase_add_test(tc, fvc2002_db1_every_image_extracts);
  tcase_add_test(tc, fvc2002_db2_every_image_extracts);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
