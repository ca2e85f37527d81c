/* Every FVC2002 DB1/DB2 set-B image extracts, in the image's own grid, a
 * number of minutiae within a factor of two of the reference extractor's
 * (the ISO templates shipped beside the images, made by a commercial
 * extractor). A fixed count range does not fit: some impressions are small
 * partial prints on which the reference itself finds 13-16 minutiae.
 * Needs the shared data; skipped without it. */
#include <stdio.h>

#include "biomatch/biomatch.h"
#include "test_support.h"

static void check_database(const char *name) {
  char folder[1024];
  snprintf(folder, sizeof folder, "%s", bm_test_require_data(name));
  int images = 0;
  for (int finger = 101; finger <= 110; ++finger)
    for (int impression = 1; impression <= 8; ++impression) {
      char image_path[1200], reference_path[1200];
      snprintf(image_path, sizeof image_path, "%s/png/%d_%d.png", folder, finger, impression);
      snprintf(reference_path, sizeof reference_path, "%s/%d_%d.iso", folder, finger, impression);
      bm_image *image = NULL;
      ck_assert_msg(bm_image_load_file(image_path, 0, &image) == BM_OK, "%s: %s", image_path, bm_last_error_message());
      bm_template *tpl = NULL, *reference = NULL;
      ck_assert_msg(bm_extract(image, &tpl) == BM_OK, "%s: %s", image_path, bm_last_error_message());
      ck_assert_msg(bm_template_read_file(reference_path, &reference) == BM_OK, "%s: %s", reference_path,
                    bm_last_error_message());
      const size_t count = bm_template_minutia_count(tpl), expected = bm_template_minutia_count(reference);
      ck_assert_msg(2 * count >= expected && count <= 2 * expected, "%s: %zu minutiae, the reference %zu", image_path,
                    count, expected);
      unsigned width, height;
      double ppi;
      bm_template_get_image(tpl, &width, &height, &ppi, NULL);
      ck_assert_uint_eq(width, bm_image_width(image));
      ck_assert_uint_eq(height, bm_image_height(image));
      ck_assert_double_eq_tol(ppi, bm_image_ppi(image), 1e-9);
      for (size_t i = 0; i < count; ++i) {
        const bm_minutia *m = &bm_template_minutiae(tpl)[i];
        ck_assert_uint_lt(m->x, width);
        ck_assert_uint_lt(m->y, height);
        ck_assert_uint_ge(m->quality, 1);
        ck_assert_uint_le(m->quality, 100);
      }
      bm_template_free(reference);
      bm_template_free(tpl);
      bm_image_free(image);
      ++images;
    }
  ck_assert_int_eq(images, 80);
}

START_TEST(fvc2002_db1_every_image_extracts) { check_database("fvc2002_db1_b"); }
END_TEST

START_TEST(fvc2002_db2_every_image_extracts) { check_database("fvc2002_db2_b"); }
END_TEST

int main(void) {
  bm_test_require_data("fvc2002_db1_b/png");
  bm_test_require_data("fvc2002_db2_b/png");
  Suite *suite = suite_create("extract_data");
  TCase *tc = tcase_create("fvc");
  tcase_add_test(tc, fvc2002_db1_every_image_extracts);
  tcase_add_test(tc, fvc2002_db2_every_image_extracts);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
