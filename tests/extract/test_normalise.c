/* Contrast normalisation with outlier clipping (core/src/extract/normalise.c):
 * against a direct computation of each window's statistics on random
 * images of odd sizes, on a ridge pattern (passes unclipped) with a dark
 * dot (clipped), and on a flat image (no amplified noise). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "biomatch/biomatch.h"
#include "extract/extract_internal.h"
#include "synthetic.h"
#include "test_support.h"

enum { RADIUS = 45 }; /* the window's half-side, normalise.c */

static void work_init(work_image_ *work, int width, int height) {
  memset(work, 0, sizeof *work);
  work->width = work->padded_width = width;
  work->height = work->padded_height = height;
  work->scale = 1.0;
  work->pixels = malloc((size_t)width * height);
  ck_assert_ptr_nonnull(work->pixels);
}

/* The normalised value of one pixel, from its window's pixels directly. */
static double reference_value(const work_image_ *work, int x, int y) {
  const int w = work->padded_width, h = work->padded_height;
  double sum = 0, squares = 0, n = 0;
  for (int v = y - RADIUS; v <= y + RADIUS; ++v)
    for (int u = x - RADIUS; u <= x + RADIUS; ++u)
      if (u >= 0 && v >= 0 && u < w && v < h) {
        const double p = work->pixels[(size_t)v * w + u];
        sum += p;
        squares += p * p;
        ++n;
      }
  const double mean = sum / n, variance = squares / n - mean * mean;
  const double deviation = variance > 1.0 ? sqrt(variance) : 1.0;
  const double value = (work->pixels[(size_t)y * w + x] - mean) / deviation;
  return value > 2.0 ? 2.0 : (value < -2.0 ? -2.0 : value);
}

START_TEST(matches_direct_window_statistics) {
  const int sizes[][2] = {{1, 1}, {7, 130}, {97, 33}, {123, 77}, {200, 211}};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; ++k) {
    work_image_ work;
    work_init(&work, sizes[k][0], sizes[k][1]);
    const int count = work.width * work.height;
    synthetic_noise(work.pixels, count, (uint32_t)(17 + k));
    /* Half the images get a bright stripe, so windows differ in contrast. */
    if (k % 2)
      for (int i = 0; i < count; i += 3) work.pixels[i] = (uint8_t)(work.pixels[i] / 4 + 190);
    float *out = malloc(sizeof(float) * count);
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(bm_normalise_contrast_(&work, out), BM_OK);
    for (int y = 0; y < work.height; ++y)
      for (int x = 0; x < work.width; ++x)
        ck_assert_msg(fabs(out[y * work.width + x] - reference_value(&work, x, y)) < 1e-3,
                      "%dx%d image, pixel (%d, %d): %f against %f", work.width, work.height, x, y,
                      out[y * work.width + x], reference_value(&work, x, y));
    free(out);
    bm_work_image_free_(&work);
  }
}
END_TEST

START_TEST(ridges_pass_and_a_dark_dot_is_clipped) {
  work_image_ work;
  work_init(&work, 160, 160);
  synthetic_ridge_ending(work.pixels, 160, 160, 9.0, 200.0, 80.0, 0); /* ending outside: plain ridges */
  /* Faint ridges (gray 180..220, a dry print) and a 4 px black sweat dot
   * at the centre. */
  for (int i = 0; i < 160 * 160; ++i) work.pixels[i] = (uint8_t)(200 + (work.pixels[i] - 128) / 5);
  for (int y = 78; y < 82; ++y)
    for (int x = 78; x < 82; ++x) work.pixels[y * 160 + x] = 0;
  float *out = malloc(sizeof(float) * 160 * 160);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(bm_normalise_contrast_(&work, out), BM_OK);
  ck_assert_float_eq_tol(out[80 * 160 + 80], -2.0f, 1e-6f);
  /* Away from the dot the ridge pattern keeps its shape: within 1.6
   * deviations, ridges and valleys on both sides of zero. */
  float lowest = 0, highest = 0;
  for (int y = 20; y < 60; ++y)
    for (int x = 20; x < 140; ++x) {
      const float v = out[y * 160 + x];
      lowest = v < lowest ? v : lowest;
      highest = v > highest ? v : highest;
    }
  ck_assert_float_gt(lowest, -1.6f);
  ck_assert_float_lt(highest, 1.6f);
  ck_assert_float_lt(lowest, -0.8f);
  ck_assert_float_gt(highest, 0.8f);
  free(out);
  bm_work_image_free_(&work);
}
END_TEST

START_TEST(flat_image_stays_flat) {
  work_image_ work;
  work_init(&work, 64, 48);
  memset(work.pixels, 128, 64 * 48);
  work.pixels[10 * 64 + 10] = 129; /* one gray level: below the deviation floor */
  float *out = malloc(sizeof(float) * 64 * 48);
  ck_assert_ptr_nonnull(out);
  ck_assert_int_eq(bm_normalise_contrast_(&work, out), BM_OK);
  for (int i = 0; i < 64 * 48; ++i) ck_assert_float_lt(fabsf(out[i]), 1.0f);
  free(out);
  bm_work_image_free_(&work);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("normalise");
  TCase *tc = tcase_create("normalise");
  tcase_add_test(tc, matches_direct_window_statistics);
  tcase_add_test(tc, ridges_pass_and_a_dark_dot_is_clipped);
  tcase_add_test(tc, flat_image_stays_flat);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
