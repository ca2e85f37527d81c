/* Contrast normalisation with outlier clipping, before the contextual
 * filter.
 *
 * Each pixel becomes (gray - local mean) / local standard deviation, the
 * statistics taken over a square of NORMALISE_RADIUS_ pixels each side
 * (about five ridge periods: enough ridges and valleys that the statistics
 * describe the ridge pattern, local enough to follow uneven pressure), and
 * is clipped to +-CLIP_SIGMAS_. Every value of a ridge pattern lies within
 * about 1.4 standard deviations of its mean (a sinusoid reaches sqrt 2, a
 * square wave 1); what lies beyond 2 is something else: the dark sweat
 * dots and ink blots of dry or over-inked prints, bright dust. The Gabor
 * filter is linear, so one such dot, left at its full depth, would outweigh
 * the faint ridges around it and draw its own rings; clipped, it counts no
 * more than ridge pixels do. Dividing by the deviation also gives faint and
 * strong areas of one print the same weight where the filter's window
 * spans both.
 *
 * Box sums run in two separable passes of running sums in 32-bit integers:
 * a window holds at most (2 * 45 + 1)^2 = 8281 pixels, so the sum of
 * squares stays below 8281 * 255^2 < 2^30. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "error.h"
#include "extract/extract_internal.h"

/* Half-side of the statistics window: five mean ridge periods, pixels at
 * 500 ppi. */
#define NORMALISE_RADIUS_ 45
/* Values further than this many standard deviations from the local mean
 * are outliers of the ridge pattern. */
#define CLIP_SIGMAS_ 2.0f
/* Deviation floor, gray levels: flat areas are not amplified into noise. */
#define MIN_DEVIATION_ 1.0f

bm_status bm_normalise_contrast_(const work_image_ *work, float *out) {
  const int width = work->padded_width, height = work->padded_height, r = NORMALISE_RADIUS_;
  uint32_t *row_sum = malloc(sizeof(uint32_t) * 2 * (size_t)width * height);
  uint32_t *column_sum = malloc(sizeof(uint32_t) * 2 * (size_t)width);
  if (!row_sum || !column_sum) {
    free(row_sum);
    free(column_sum);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "contrast normalisation of %dx%d pixels", width, height);
  }
  uint32_t *row_squares = row_sum + (size_t)width * height;
  /* Horizontal pass: sums over [x - r, x + r] clipped to the row. */
  for (int y = 0; y < height; ++y) {
    const uint8_t *pixels = work->pixels + (size_t)y * width;
    uint32_t *sums = row_sum + (size_t)y * width, *squares = row_squares + (size_t)y * width;
    uint32_t sum = 0, square = 0;
    for (int x = 0; x < r && x < width; ++x) {
      sum += pixels[x];
      square += (uint32_t)pixels[x] * pixels[x];
    }
    for (int x = 0; x < width; ++x) {
      if (x + r < width) {
        sum += pixels[x + r];
        square += (uint32_t)pixels[x + r] * pixels[x + r];
      }
      if (x - r - 1 >= 0) {
        sum -= pixels[x - r - 1];
        square -= (uint32_t)pixels[x - r - 1] * pixels[x - r - 1];
      }
      sums[x] = sum;
      squares[x] = square;
    }
  }
  /* Vertical pass: running column sums of the row sums over [y - r, y + r]. */
  uint32_t *column_squares = column_sum + width;
  for (int x = 0; x < width; ++x) column_sum[x] = column_squares[x] = 0;
  for (int y = 0; y < r && y < height; ++y)
    for (int x = 0; x < width; ++x) {
      column_sum[x] += row_sum[(size_t)y * width + x];
      column_squares[x] += row_squares[(size_t)y * width + x];
    }
  for (int y = 0; y < height; ++y) {
    if (y + r < height)
      for (int x = 0; x < width; ++x) {
        column_sum[x] += row_sum[(size_t)(y + r) * width + x];
        column_squares[x] += row_squares[(size_t)(y + r) * width + x];
      }
    if (y - r - 1 >= 0)
      for (int x = 0; x < width; ++x) {
        column_sum[x] -= row_sum[(size_t)(y - r - 1) * width + x];
        column_squares[x] -= row_squares[(size_t)(y - r - 1) * width + x];
      }
    const int rows = (y + r < height ? y + r : height - 1) - (y - r > 0 ? y - r : 0) + 1;
    const uint8_t *pixels = work->pixels + (size_t)y * width;
    float *normalised = out + (size_t)y * width;
    for (int x = 0; x < width; ++x) {
      const int columns = (x + r < width ? x + r : width - 1) - (x - r > 0 ? x - r : 0) + 1;
      const float inverse_count = 1.0f / (float)(rows * columns);
      const float mean = (float)column_sum[x] * inverse_count;
      const float variance = (float)column_squares[x] * inverse_count - mean * mean;
      const float deviation = variance > MIN_DEVIATION_ * MIN_DEVIATION_ ? sqrtf(variance) : MIN_DEVIATION_;
      float value = ((float)pixels[x] - mean) / deviation;
      value = value > CLIP_SIGMAS_ ? CLIP_SIGMAS_ : value;
      value = value < -CLIP_SIGMAS_ ? -CLIP_SIGMAS_ : value;
      normalised[x] = value;
    }
  }
  free(row_sum);
  free(column_sum);
  return BM_OK;
}
