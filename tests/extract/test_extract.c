/* Extractor behaviour on synthetic prints with a known minutia, and the
 * specified results for images that are not fingerprints. */
#include <math.h>
#include <stdlib.h>

#include "biomatch/biomatch.h"
#include "synthetic.h"
#include "test_support.h"

enum { SIDE = 320 };

static double angle_difference(double a, double b) {
  double d = fmod(fabs(a - b), 360.0);
  return d > 180.0 ? 360.0 - d : d;
}

/* Extracts a synthetic ending image and returns the template. */
static bm_template *extract_synthetic(int side, double ppi, double period, double end_x, double end_y, int inverted) {
  uint8_t *pixels = malloc((size_t)side * side);
  ck_assert_ptr_nonnull(pixels);
  synthetic_ridge_ending(pixels, side, side, period, end_x, end_y, inverted);
  bm_image *image = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, side, side, side, ppi, &image), BM_OK);
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_extract(image, &tpl), BM_OK);
  bm_image_free(image);
  free(pixels);
  return tpl;
}

/* The minutia nearest (x, y), or NULL when none is within `radius`. */
static const bm_minutia *nearest(const bm_template *tpl, double x, double y, double radius) {
  const bm_minutia *best = NULL;
  double best_distance = radius;
  for (size_t i = 0; i < bm_template_minutia_count(tpl); ++i) {
    const bm_minutia *m = &bm_template_minutiae(tpl)[i];
    const double d = hypot(m->x - x, m->y - y);
    if (d <= best_distance) {
      best_distance = d;
      best = m;
    }
  }
  return best;
}

static void check_single_minutia(const bm_template *tpl, double x, double y, double tolerance, int type) {
  const bm_minutia *m = nearest(tpl, x, y, tolerance);
  ck_assert_msg(m != NULL, "no minutia within %.0f px of (%.0f, %.0f); %zu found", tolerance, x, y,
                bm_template_minutia_count(tpl));
  ck_assert_int_eq(m->type, type);
  ck_assert_msg(angle_difference(m->angle, 180.0) < 20.0, "direction %.1f, expected 180", m->angle);
  ck_assert_uint_ge(m->quality, 50);
  ck_assert_uint_le(m->quality, 100);
  /* Parallel ridges elsewhere must not produce minutiae. */
  ck_assert_uint_le(bm_template_minutia_count(tpl), 2);
}

START_TEST(ridge_ending_found_in_place_and_direction) {
  bm_template *tpl = extract_synthetic(SIDE, 500, 9.0, 160, 161, 0);
  check_single_minutia(tpl, 160, 161, 8, BM_MINUTIA_RIDGE_ENDING);
  unsigned width, height;
  double ppi_x, ppi_y;
  bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
  ck_assert_uint_eq(width, SIDE);
  ck_assert_uint_eq(height, SIDE);
  ck_assert_double_eq_tol(ppi_x, 500, 1e-9);
  unsigned quality;
  bm_template_get_finger(tpl, NULL, NULL, &quality);
  ck_assert_uint_ge(quality, 50);
  bm_template_free(tpl);
}
END_TEST

START_TEST(inverted_ending_is_bifurcation_with_same_direction) {
  bm_template *tpl = extract_synthetic(SIDE, 500, 9.0, 160, 161, 1);
  check_single_minutia(tpl, 160, 161, 8, BM_MINUTIA_BIFURCATION);
  bm_template_free(tpl);
}
END_TEST

/* The same physical pattern at 750 and 333 ppi: the minutia lands at the
 * scaled place, in the image's own pixel grid, with the image's ppi. */
START_TEST(other_resolutions_map_back_to_the_input_grid) {
  const double resolutions[] = {750.0, 333.0, 1000.0, 250.0};
  for (size_t i = 0; i < sizeof resolutions / sizeof resolutions[0]; ++i) {
    const double scale = resolutions[i] / 500.0;
    const int side = (int)lround(SIDE * scale);
    bm_template *tpl = extract_synthetic(side, resolutions[i], 9.0 * scale, 160 * scale, 161 * scale, 0);
    check_single_minutia(tpl, 160 * scale, 161 * scale, 8 * scale, BM_MINUTIA_RIDGE_ENDING);
    double ppi_x;
    bm_template_get_image(tpl, NULL, NULL, &ppi_x, NULL);
    ck_assert_double_eq_tol(ppi_x, resolutions[i], 1e-9);
    bm_template_free(tpl);
  }
}
END_TEST

/* Fine (children) and coarse ridges: the filter and the clean-up rules
 * follow the local ridge period, so the one ending is found alone. */
START_TEST(ending_found_at_fine_and_coarse_ridge_periods) {
  const double periods[] = {6.0, 7.0, 11.0, 13.0};
  for (size_t p = 0; p < sizeof periods / sizeof *periods; ++p) {
    for (int inverted = 0; inverted <= 1; ++inverted) {
      bm_template *tpl = extract_synthetic(SIDE, 500, periods[p], 160, 161, inverted);
      check_single_minutia(tpl, 160, 161, periods[p], inverted ? BM_MINUTIA_BIFURCATION : BM_MINUTIA_RIDGE_ENDING);
      bm_template_free(tpl);
    }
  }
}
END_TEST

/* A short dark connector across two neighbouring ridges (a bridge, as ink
 * or sweat makes them) is not two bifurcations. Ridges of several periods:
 * the rule is measured in local ridge periods. */
START_TEST(bridge_between_ridges_is_not_a_bifurcation) {
  const double periods[] = {7.0, 9.0, 12.0};
  uint8_t *pixels = malloc(SIDE * SIDE);
  ck_assert_ptr_nonnull(pixels);
  for (size_t p = 0; p < sizeof periods / sizeof *periods; ++p) {
    const double period = periods[p];
    for (int y = 0; y < SIDE; ++y)
      for (int x = 0; x < SIDE; ++x) pixels[y * SIDE + x] = (uint8_t)lround(128.0 - 100.0 * cos(2.0 * M_PI * y / period));
    /* Ridge centres (darkest rows) at multiples of the period: join the two
     * around the middle with a bar 0.6 period wide, which the filter keeps. */
    const int top = (int)lround(period * (int)(SIDE / 2 / period)), bottom = (int)lround(top + period);
    const int half_width = (int)lround(0.3 * period);
    for (int y = top; y <= bottom; ++y)
      for (int x = SIDE / 2 - half_width; x <= SIDE / 2 + half_width; ++x) pixels[y * SIDE + x] = 28;
    bm_image *image = NULL;
    ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE, 500, &image), BM_OK);
    bm_template *tpl = NULL;
    ck_assert_int_eq(bm_extract(image, &tpl), BM_OK);
    const bm_minutia *m = nearest(tpl, SIDE / 2, 0.5 * (top + bottom), 2.0 * period);
    ck_assert_msg(m == NULL, "period %.0f: minutia (type %u) at (%u, %u) on the bridge", period, m ? m->type : 0,
                  m ? m->x : 0, m ? m->y : 0);
    bm_template_free(tpl);
    bm_image_free(image);
  }
  free(pixels);
}
END_TEST

START_TEST(blank_image_is_not_a_fingerprint) {
  const uint8_t values[] = {0, 128, 255};
  uint8_t *pixels = malloc(SIDE * SIDE);
  for (size_t v = 0; v < sizeof values; ++v) {
    for (int i = 0; i < SIDE * SIDE; ++i) pixels[i] = values[v];
    bm_image *image = NULL;
    ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE, 500, &image), BM_OK);
    bm_template *tpl = (bm_template *)1;
    ck_assert_int_eq(bm_extract(image, &tpl), BM_ERR_NOT_A_FINGERPRINT);
    ck_assert_ptr_null(tpl);
    bm_image_free(image);
  }
  free(pixels);
}
END_TEST

START_TEST(noise_is_not_a_fingerprint) {
  uint8_t *pixels = malloc(SIDE * SIDE);
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    synthetic_noise(pixels, SIDE * SIDE, seed);
    bm_image *image = NULL;
    ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE, 500, &image), BM_OK);
    bm_template *tpl = NULL;
    ck_assert_int_eq(bm_extract(image, &tpl), BM_ERR_NOT_A_FINGERPRINT);
    bm_image_free(image);
  }
  free(pixels);
}
END_TEST

START_TEST(small_print_area_is_not_a_fingerprint) {
  /* 48 x 48 px at 500 ppi is 2.4 mm square: too little ridge area. */
  uint8_t pixels[48 * 48];
  synthetic_ridge_ending(pixels, 48, 48, 9.0, 24, 24, 0);
  bm_image *image = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, 48, 48, 48, 500, &image), BM_OK);
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_extract(image, &tpl), BM_ERR_NOT_A_FINGERPRINT);
  bm_image_free(image);
}
END_TEST

START_TEST(foreground_mask_covers_the_print_only) {
  /* Ridges on the left half, blank paper on the right. */
  uint8_t *pixels = malloc(SIDE * SIDE);
  synthetic_ridge_ending(pixels, SIDE, SIDE, 9.0, 80, 161, 0);
  for (int y = 0; y < SIDE; ++y)
    for (int x = SIDE / 2; x < SIDE; ++x) pixels[y * SIDE + x] = 230;
  bm_image *image = NULL, *foreground = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE, 500, &image), BM_OK);
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_extract_ex(image, &tpl, &foreground), BM_OK);
  ck_assert_uint_eq(bm_image_width(foreground), SIDE);
  const uint8_t *mask = bm_image_pixels(foreground);
  ck_assert_int_eq(mask[161 * SIDE + 60], 255);
  ck_assert_int_eq(mask[161 * SIDE + SIDE - 40], 0);
  for (size_t i = 0; i < bm_template_minutia_count(tpl); ++i)
    ck_assert_uint_lt(bm_template_minutiae(tpl)[i].x, SIDE / 2);
  bm_template_free(tpl);
  bm_image_free(foreground);
  bm_image_free(image);
  free(pixels);
}
END_TEST

/* Textured background beside the print (stripes along the ridges but at
 * random spacings, as sensor texture gives): contrast and direction pass
 * the segmentation, but the stripes are not periodic, so the margin they
 * form is trimmed. */
START_TEST(unclear_margin_is_trimmed) {
  uint8_t *pixels = malloc(SIDE * SIDE);
  ck_assert_ptr_nonnull(pixels);
  synthetic_ridge_ending(pixels, SIDE, SIDE, 9.0, 100, 161, 0);
  uint32_t state = 12345u;
  int next_edge = 0, dark = 0;
  for (int y = 0; y < SIDE; ++y) {
    if (y >= next_edge) {
      state ^= state << 13;
      state ^= state >> 17;
      state ^= state << 5;
      next_edge = y + 2 + (int)(state % 15u); /* 2..16 px stripes */
      dark = !dark;
    }
    for (int x = 200; x < SIDE; ++x) pixels[y * SIDE + x] = x < 224 ? (dark ? 60 : 200) : 230;
  }
  bm_image *image = NULL, *foreground = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE, 500, &image), BM_OK);
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_extract_ex(image, &tpl, &foreground), BM_OK);
  const uint8_t *mask = bm_image_pixels(foreground);
  ck_assert_int_eq(mask[161 * SIDE + 100], 255);
  int kept = 0;
  for (int y = 40; y < SIDE - 40; ++y) kept += mask[y * SIDE + 212] != 0;
  ck_assert_msg(kept < (SIDE - 80) / 4, "%d of %d rows keep the textured margin", kept, SIDE - 80);
  bm_template_free(tpl);
  bm_image_free(foreground);
  bm_image_free(image);
  free(pixels);
}
END_TEST

START_TEST(null_arguments_are_rejected) {
  bm_template *tpl = NULL;
  ck_assert_int_eq(bm_extract(NULL, &tpl), BM_ERR_INVALID_ARGUMENT);
  uint8_t pixels[64 * 64] = {0};
  bm_image *image = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, 64, 64, 64, 500, &image), BM_OK);
  ck_assert_int_eq(bm_extract(image, NULL), BM_ERR_INVALID_ARGUMENT);
  ck_assert_int_eq(bm_extract_ex(image, NULL, NULL), BM_ERR_INVALID_ARGUMENT);
  bm_image_free(image);
  bm_image_free(NULL);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("extract");
  TCase *tc = tcase_create("extract");
  tcase_add_test(tc, ridge_ending_found_in_place_and_direction);
  tcase_add_test(tc, inverted_ending_is_bifurcation_with_same_direction);
  tcase_add_test(tc, other_resolutions_map_back_to_the_input_grid);
  tcase_add_test(tc, ending_found_at_fine_and_coarse_ridge_periods);
  tcase_add_test(tc, bridge_between_ridges_is_not_a_bifurcation);
  tcase_add_test(tc, blank_image_is_not_a_fingerprint);
  tcase_add_test(tc, noise_is_not_a_fingerprint);
  tcase_add_test(tc, small_print_area_is_not_a_fingerprint);
  tcase_add_test(tc, foreground_mask_covers_the_print_only);
  tcase_add_test(tc, unclear_margin_is_trimmed);
  tcase_add_test(tc, null_arguments_are_rejected);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
