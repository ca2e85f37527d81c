/* Local ridge period and clarity (core/src/extract/ridge_frequency.c) on
 * synthetic ridges of known period and direction, at several resolutions. */
#include <math.h>
#include <stdlib.h>

#include "biomatch/biomatch.h"
#include "extract/extract_internal.h"
#include "synthetic.h"
#include "test_support.h"

enum { SIDE = 256 };

/* Straight sinusoidal ridges of `period` pixels running at `degrees` (image axes). */
static void straight_ridges(uint8_t *pixels, int side, double period, double degrees) {
  const double radians = degrees * M_PI / 180.0, nx = -sin(radians), ny = cos(radians);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x)
      pixels[(size_t)y * side + x] = (uint8_t)lround(128.0 - 90.0 * cos(2.0 * M_PI * (x * nx + y * ny) / period));
}

typedef struct period_stats {
  int inner_blocks;    /* foreground blocks at least 3 blocks from every edge */
  int within_tolerance;
  double mean_clarity;
} period_stats;

/* Runs resampling, ridge field and ridge frequency on the image and checks the
 * inner blocks against the expected period at 500 ppi. */
static period_stats measure(const uint8_t *pixels, int side, double ppi, double expected_period) {
  bm_image *image = NULL;
  ck_assert_int_eq(bm_image_from_gray8(pixels, side, side, side, ppi, &image), BM_OK);
  work_image_ work = {0};
  ridge_field_ field = {0};
  ck_assert_int_eq(bm_resample_to_work_(image, &work), BM_OK);
  ck_assert_int_eq(bm_ridge_field_compute_(&work, &field), BM_OK);
  float *normalised = malloc(sizeof(float) * (size_t)work.padded_width * work.padded_height);
  ck_assert_ptr_nonnull(normalised);
  ck_assert_int_eq(bm_normalise_contrast_(&work, normalised), BM_OK);
  ck_assert_int_eq(bm_ridge_frequency_compute_(&work, normalised, &field), BM_OK);
  free(normalised);
  period_stats stats = {0, 0, 0};
  for (int by = 3; by < field.blocks_y - 3; ++by)
    for (int bx = 3; bx < field.blocks_x - 3; ++bx) {
      const int block = by * field.blocks_x + bx;
      if (!field.foreground[block]) continue;
      ++stats.inner_blocks;
      stats.within_tolerance += fabs(field.period[block] - expected_period) <= 0.05 * expected_period;
      stats.mean_clarity += field.clarity[block];
    }
  if (stats.inner_blocks) stats.mean_clarity /= stats.inner_blocks;
  bm_ridge_field_free_(&field);
  bm_work_image_free_(&work);
  bm_image_free(image);
  return stats;
}

START_TEST(period_of_straight_ridges_in_every_direction) {
  const double periods[] = {6.0, 7.5, 9.0, 11.0, 13.0};
  const double directions[] = {0.0, 17.0, 45.0, 90.0, 128.0, 160.0};
  uint8_t *pixels = malloc(SIDE * SIDE);
  ck_assert_ptr_nonnull(pixels);
  for (size_t p = 0; p < sizeof periods / sizeof *periods; ++p)
    for (size_t d = 0; d < sizeof directions / sizeof *directions; ++d) {
      straight_ridges(pixels, SIDE, periods[p], directions[d]);
      const period_stats stats = measure(pixels, SIDE, 500.0, periods[p]);
      ck_assert_int_gt(stats.inner_blocks, 300);
      ck_assert_msg(stats.within_tolerance >= 0.95 * stats.inner_blocks,
                    "period %.1f at %.0f degrees: %d of %d blocks within 5%%", periods[p], directions[d],
                    stats.within_tolerance, stats.inner_blocks);
      ck_assert_msg(stats.mean_clarity > 0.8, "clarity %.2f on clean ridges of period %.1f at %.0f degrees",
                    stats.mean_clarity, periods[p], directions[d]);
    }
  free(pixels);
}
END_TEST

/* The period is read on the 500 ppi grid: 0.46 mm ridges give 9 px whatever
 * the input resolution. */
START_TEST(period_is_measured_in_millimetres_at_any_resolution) {
  const double resolutions[] = {250.0, 333.0, 569.0, 750.0, 1000.0};
  for (size_t r = 0; r < sizeof resolutions / sizeof *resolutions; ++r) {
    const double scale = resolutions[r] / 500.0;
    const int side = (int)lround(SIDE * scale);
    uint8_t *pixels = malloc((size_t)side * side);
    ck_assert_ptr_nonnull(pixels);
    straight_ridges(pixels, side, 9.0 * scale, 30.0);
    const period_stats stats = measure(pixels, side, resolutions[r], 9.0);
    ck_assert_int_gt(stats.inner_blocks, 300);
    ck_assert_msg(stats.within_tolerance >= 0.95 * stats.inner_blocks, "%.0f ppi: %d of %d blocks within 5%%",
                  resolutions[r], stats.within_tolerance, stats.inner_blocks);
    free(pixels);
  }
}
END_TEST

/* Ridges blurred into noise lose clarity: the measure follows the signal. */
START_TEST(clarity_falls_with_noise) {
  uint8_t *pixels = malloc(SIDE * SIDE), *noise = malloc(SIDE * SIDE);
  ck_assert_ptr_nonnull(pixels);
  ck_assert_ptr_nonnull(noise);
  synthetic_noise(noise, SIDE * SIDE, 7);
  double previous = 2.0;
  const double noise_share[] = {0.0, 0.3, 0.6};
  for (size_t k = 0; k < sizeof noise_share / sizeof *noise_share; ++k) {
    straight_ridges(pixels, SIDE, 9.0, 60.0);
    for (int i = 0; i < SIDE * SIDE; ++i)
      pixels[i] = (uint8_t)lround((1.0 - noise_share[k]) * pixels[i] + noise_share[k] * noise[i]);
    const period_stats stats = measure(pixels, SIDE, 500.0, 9.0);
    ck_assert_int_gt(stats.inner_blocks, 100);
    ck_assert_msg(stats.mean_clarity < previous, "clarity %.2f at noise %.1f, %.2f before", stats.mean_clarity,
                  noise_share[k], previous);
    previous = stats.mean_clarity;
  }
  free(pixels);
  free(noise);
}
END_TEST

int main(void) {
  Suite *suite = suite_create("ridge_frequency");
  TCase *tc = tcase_create("ridge_frequency");
  tcase_add_test(tc, period_of_straight_ridges_in_every_direction);
  tcase_add_test(tc, period_is_measured_in_millimetres_at_any_resolution);
  tcase_add_test(tc, clarity_falls_with_noise);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
