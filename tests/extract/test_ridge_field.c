/* Ridge field (core/src/extract/ridge_field.c): the Gaussian low-pass its
 * gradients are taken on, against a direct 2-D convolution, and the ridge
 * orientation of faint ridges under pore-sized grain. */
#include <math.h>
#include <stdlib.h>

#include "biomatch/biomatch.h"
#include "extract/extract_internal.h"
#include "test_support.h"

/* The smoothed value at (x, y) by direct 2-D convolution in double with the
 * same taps (edges replicated), as the separable passes should give. */
static double direct_smooth(const uint8_t *pixels, int width, int height, double sigma, int x, int y) {
  const int radius = 3;
  double taps[7], total = 0;
  for (int k = -radius; k <= radius; ++k) total += taps[k + radius] = exp(-(double)(k * k) / (2 * sigma * sigma));
  double sum = 0;
  for (int dy = -radius; dy <= radius; ++dy)
    for (int dx = -radius; dx <= radius; ++dx) {
      int sx = x + dx, sy = y + dy;
      sx = sx < 0 ? 0 : (sx >= width ? width - 1 : sx);
      sy = sy < 0 ? 0 : (sy >= height ? height - 1 : sy);
      sum += taps[dx + radius] * taps[dy + radius] * pixels[(size_t)sy * width + sx];
    }
  return sum / (total * total);
}

START_TEST(smoothing_matches_direct_convolution) {
  const int sizes[][2] = {{1, 1}, {1, 9}, {7, 1}, {3, 5}, {8, 8}, {13, 29}, {64, 31}, {97, 101}};
  uint64_t state = 12345;
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; ++s) {
    const int width = sizes[s][0], height = sizes[s][1];
    work_image_ work = {0};
    work.pixels = malloc((size_t)width * height);
    float *out = malloc(sizeof(float) * ((size_t)width * height + width));
    ck_assert_ptr_nonnull(work.pixels);
    ck_assert_ptr_nonnull(out);
    work.width = work.padded_width = width;
    work.height = work.padded_height = height;
    for (int i = 0; i < width * height; ++i) work.pixels[i] = (uint8_t)(bm_test_random_u64(&state) >> 56);
    const float sigmas[] = {0.5f, bm_gradient_smoothing_sigma_(), 1.0f};
    for (size_t g = 0; g < sizeof sigmas / sizeof *sigmas; ++g) {
      bm_gaussian_smooth_(&work, sigmas[g], out, out + (size_t)width * height);
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
          const double expected = direct_smooth(work.pixels, width, height, sigmas[g], x, y);
          ck_assert_msg(fabs(out[(size_t)y * width + x] - expected) < 1e-3,
                        "%dx%d sigma %.2f at (%d, %d): %.5f, expected %.5f", width, height, sigmas[g], x, y,
                        out[(size_t)y * width + x], expected);
        }
    }
    free(out);
    free(work.pixels);
  }
}
END_TEST

/* The design rule: half amplitude at the finest ridge period read, most of
 * it at the mean adult period, little at the scale of pores. */
START_TEST(smoothing_halves_the_finest_ridge_period) {
  enum { SIDE = 80 };
  const double periods[] = {BM_MIN_RIDGE_PERIOD_, BM_RIDGE_PERIOD_, 3.0};
  const double low[] = {0.44, 0.75, 0.0}, high[] = {0.56, 0.85, 0.2};
  for (size_t p = 0; p < sizeof periods / sizeof *periods; ++p) {
    work_image_ work = {0};
    work.pixels = malloc(SIDE * SIDE);
    float *out = malloc(sizeof(float) * (SIDE * SIDE + SIDE));
    ck_assert_ptr_nonnull(work.pixels);
    ck_assert_ptr_nonnull(out);
    work.width = work.padded_width = work.height = work.padded_height = SIDE;
    /* Amplitude 100 across the columns; the gain is the amplitude of the
     * cosine fitted to the inner columns of one row. */
    for (int y = 0; y < SIDE; ++y)
      for (int x = 0; x < SIDE; ++x)
        work.pixels[y * SIDE + x] = (uint8_t)lround(128.0 + 100.0 * cos(2.0 * M_PI * x / periods[p]));
    bm_gaussian_smooth_(&work, bm_gradient_smoothing_sigma_(), out, out + SIDE * SIDE);
    double c = 0, s = 0, n = 0;
    for (int x = 10; x < SIDE - 10; ++x) {
      const double phase = 2.0 * M_PI * x / periods[p];
      c += (out[40 * SIDE + x] - 128.0) * cos(phase);
      s += (out[40 * SIDE + x] - 128.0) * sin(phase);
      n += 1;
    }
    const double gain = 2.0 * sqrt(c * c + s * s) / n / 100.0;
    ck_assert_msg(gain >= low[p] && gain <= high[p], "period %.1f px: gain %.3f, expected %.2f..%.2f", periods[p],
                  gain, low[p], high[p]);
    free(out);
    free(work.pixels);
  }
}
END_TEST

/* Faint straight ridges (amplitude 20 gray levels) under strong pixel grain
 * (pores, dots and sensor noise are all finer than ridges): the orientation
 * of the inner blocks must stay within 10 degrees of the truth. On the raw
 * Sobel gradients the grain's energy outweighs the ridges' and many blocks
 * point elsewhere. */
START_TEST(orientation_of_faint_ridges_under_grain) {
  enum { SIDE = 256 };
  const double directions[] = {0.0, 30.0, 75.0, 120.0};
  uint64_t state = 99;
  for (size_t d = 0; d < sizeof directions / sizeof *directions; ++d) {
    const double radians = directions[d] * M_PI / 180.0, nx = -sin(radians), ny = cos(radians);
    uint8_t *pixels = malloc(SIDE * SIDE);
    ck_assert_ptr_nonnull(pixels);
    for (int y = 0; y < SIDE; ++y)
      for (int x = 0; x < SIDE; ++x) {
        const double ridge = 20.0 * cos(2.0 * M_PI * (x * nx + y * ny) / BM_RIDGE_PERIOD_);
        const double grain = 70.0 * bm_test_random_float(&state);
        pixels[(size_t)y * SIDE + x] = (uint8_t)lround(128.0 + ridge + grain);
      }
    bm_image *image = NULL;
    ck_assert_int_eq(bm_image_from_gray8(pixels, SIDE, SIDE, SIDE, 500.0, &image), BM_OK);
    work_image_ work = {0};
    ridge_field_ field = {0};
    ck_assert_int_eq(bm_resample_to_work_(image, &work), BM_OK);
    ck_assert_int_eq(bm_ridge_field_compute_(&work, &field), BM_OK);
    int inner = 0, foreground = 0, within = 0;
    for (int by = 3; by < field.blocks_y - 3; ++by)
      for (int bx = 3; bx < field.blocks_x - 3; ++bx) {
        const int block = by * field.blocks_x + bx;
        ++inner;
        if (!field.foreground[block]) continue;
        ++foreground;
        double error = fmod(fabs(field.orientation[block] - radians), M_PI);
        if (error > M_PI / 2) error = M_PI - error;
        within += error * 180.0 / M_PI <= 10.0;
      }
    ck_assert_msg(foreground >= 0.9 * inner, "%.0f degrees: %d of %d inner blocks in the foreground",
                  directions[d], foreground, inner);
    ck_assert_msg(within >= 0.95 * foreground, "%.0f degrees: %d of %d blocks within 10 degrees", directions[d],
                  within, foreground);
    bm_ridge_field_free_(&field);
    bm_work_image_free_(&work);
    bm_image_free(image);
    free(pixels);
  }
}
END_TEST

int main(void) {
  Suite *suite = suite_create("ridge_field");
  TCase *tc = tcase_create("ridge_field");
  tcase_add_test(tc, smoothing_matches_direct_convolution);
  tcase_add_test(tc, smoothing_halves_the_finest_ridge_period);
  tcase_add_test(tc, orientation_of_faint_ridges_under_grain);
  suite_add_tcase(suite, tc);
  return bm_test_run_suite(suite);
}
