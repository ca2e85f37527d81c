/* Local ridge period, per block of the ridge field.
 *
 * Ridge spacing varies by a factor of two between fingers (children,
 * elderly, large and small hands) and by about 30% within one print
 * (tighter near the tip and the flexion crease). A contextual filter tuned
 * to the wrong period merges neighbouring ridges or splits one ridge in
 * two, so the enhancement reads the period here instead of assuming the
 * adult mean.
 *
 * Method (the "oriented window" of Hong, Wan and Jain, IEEE TPAMI 20(8),
 * 1998, with an autocorrelation instead of peak counting): around each
 * foreground block, the gray levels (contrast-normalised, with sweat dots
 * and blots clipped: normalise.c) are averaged along the ridge direction
 * into a signature across the ridges, which is a noisy sinusoid of the
 * ridge period. Its normalised autocorrelation peaks at the period; the
 * first peak close to the highest one is taken (a sinusoid correlates at
 * twice its period too) and refined by a parabola. Blocks whose signature
 * is not periodic enough (scars, smudges, cores) get no reading; the map is
 * then averaged over neighbouring blocks weighted by how periodic each
 * reading was, which fills them from their surroundings. The clarity of a
 * block is the mean periodicity around it; it grades the minutiae and trims
 * the segmentation's margin. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/extract_internal.h"

/* Half-length of the signature across the ridges: 16 px, about 3.5
 * periods, enough for two full periods even at the longest period read. */
#define HALF_ACROSS_ 16
/* Half-length of the averaging along the ridges: 8 px (about one period):
 * longer windows blur curved ridges, shorter ones keep pores and gaps. */
#define HALF_ALONG_ 8
#define SIGNATURE_ (2 * HALF_ACROSS_ + 1)
/* Normalised autocorrelation below which a signature is not periodic. */
#define MIN_PERIODICITY_ 0.25f
/* Depth of unclear margin dropped from the segmentation, in blocks (24 px,
 * about 2.5 ridge periods). */
#define MARGIN_PEEL_ 3
/* Window of the smoothing, in blocks each side (5x5 blocks, 40 px). */
#define SMOOTH_RADIUS_ 2
/* Orientation steps of the sampling patterns (3.75 degrees): the largest
 * angle error, 1.9 degrees, moves the ends of the 17 px averaging line by
 * 0.3 px across the ridges. */
#define PATTERN_ORIENTATIONS_ 48
#define PATTERN_SAMPLES_ (SIGNATURE_ * (2 * HALF_ALONG_ + 1))

/* Pixel offsets (dx, dy) of the oriented window, by signature position then
 * position along the ridge, for one orientation step. Rounded once here,
 * symmetrically about the block centre pixel. */
static void build_pattern_(int orientation, int8_t *dx, int8_t *dy) {
  const float theta = (float)M_PI * orientation / PATTERN_ORIENTATIONS_;
  const float along_x = cosf(theta), along_y = sinf(theta), across_x = -along_y, across_y = along_x;
  int n = 0;
  for (int k = -HALF_ACROSS_; k <= HALF_ACROSS_; ++k)
    for (int j = -HALF_ALONG_; j <= HALF_ALONG_; ++j, ++n) {
      dx[n] = (int8_t)lroundf(k * across_x + j * along_x);
      dy[n] = (int8_t)lroundf(k * across_y + j * along_y);
    }
}

/* Period of one signature in pixels, 0 when it is not periodic; *strength
 * receives the normalised autocorrelation at the period. */
static float signature_period_(const float *signature, float *strength) {
  /* Remove the least-squares line: uneven pressure tilts the signature. */
  float centred[SIGNATURE_];
  float sum = 0, sum_xy = 0, sum_xx = 0;
  for (int k = 0; k < SIGNATURE_; ++k) {
    const float x = (float)(k - HALF_ACROSS_);
    sum += signature[k];
    sum_xy += x * signature[k];
    sum_xx += x * x;
  }
  const float mean = sum / SIGNATURE_, slope = sum_xy / sum_xx;
  float energy = 0;
  for (int k = 0; k < SIGNATURE_; ++k) {
    centred[k] = signature[k] - mean - slope * (float)(k - HALF_ACROSS_);
    energy += centred[k] * centred[k];
  }
  *strength = 0;
  if (energy <= 1e-3f) return 0;
  float correlation[BM_MAX_RIDGE_PERIOD_ + 2];
  const int first_lag = BM_MIN_RIDGE_PERIOD_ - 1, last_lag = BM_MAX_RIDGE_PERIOD_ + 1;
  for (int lag = first_lag; lag <= last_lag; ++lag) {
    float c = 0, e0 = 0, e1 = 0;
    for (int k = 0; k + lag < SIGNATURE_; ++k) {
      c += centred[k] * centred[k + lag];
      e0 += centred[k] * centred[k];
      e1 += centred[k + lag] * centred[k + lag];
    }
    correlation[lag] = e0 > 0 && e1 > 0 ? c / sqrtf(e0 * e1) : 0;
  }
  float highest = -1;
  for (int lag = BM_MIN_RIDGE_PERIOD_; lag <= BM_MAX_RIDGE_PERIOD_; ++lag)
    if (correlation[lag] > highest) highest = correlation[lag];
  if (highest < MIN_PERIODICITY_) return 0;
  for (int lag = BM_MIN_RIDGE_PERIOD_; lag <= BM_MAX_RIDGE_PERIOD_; ++lag) {
    const float c = correlation[lag];
    if (c < 0.85f * highest || c < correlation[lag - 1] || c < correlation[lag + 1]) continue;
    /* Parabola through the peak and its neighbours. */
    const float left = correlation[lag - 1], right = correlation[lag + 1];
    const float curvature = left - 2 * c + right;
    float offset = curvature < 0 ? 0.5f * (left - right) / curvature : 0;
    if (offset > 0.5f) offset = 0.5f;
    if (offset < -0.5f) offset = -0.5f;
    *strength = c;
    return (float)lag + offset;
  }
  return 0;
}

bm_status bm_ridge_frequency_compute_(const work_image_ *work, const float *normalised, ridge_field_ *field) {
  const int blocks_x = field->blocks_x, blocks_y = field->blocks_y, count = blocks_x * blocks_y;
  float *reading = malloc(sizeof(float) * 2 * (size_t)count);
  int8_t *patterns = malloc(2 * (size_t)PATTERN_ORIENTATIONS_ * PATTERN_SAMPLES_);
  if (!reading || !patterns) {
    free(reading);
    free(patterns);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "ridge period map of %d blocks", count);
  }
  uint8_t built[PATTERN_ORIENTATIONS_] = {0};
  /* The window reaches this far from the centre pixel in any direction. */
  const int reach = HALF_ACROSS_ + HALF_ALONG_;
  float *weight = reading + count;
  const int width = work->width, height = work->height, stride = work->padded_width;
  for (int by = 0; by < blocks_y; ++by)
    for (int bx = 0; bx < blocks_x; ++bx) {
      const int block = by * blocks_x + bx;
      reading[block] = 0;
      weight[block] = 0;
      if (!field->foreground[block]) continue;
      int o = (int)lroundf(field->orientation[block] * PATTERN_ORIENTATIONS_ / (float)M_PI);
      if (o >= PATTERN_ORIENTATIONS_) o -= PATTERN_ORIENTATIONS_;
      int8_t *dx = patterns + (size_t)o * 2 * PATTERN_SAMPLES_, *dy = dx + PATTERN_SAMPLES_;
      if (!built[o]) {
        build_pattern_(o, dx, dy);
        built[o] = 1;
      }
      const int cx = bx * BM_BLOCK_ + BM_BLOCK_ / 2, cy = by * BM_BLOCK_ + BM_BLOCK_ / 2;
      const int inside = cx - reach >= 0 && cy - reach >= 0 && cx + reach < width && cy + reach < height;
      float signature[SIGNATURE_];
      for (int k = 0, n = 0; k < SIGNATURE_; ++k) {
        float sum = 0;
        if (inside) {
          const float *centre = normalised + (size_t)cy * stride + cx;
          for (int j = 0; j <= 2 * HALF_ALONG_; ++j, ++n) sum += centre[dy[n] * stride + dx[n]];
        } else {
          /* Near the image edge the window is clamped to the valid pixels. */
          for (int j = 0; j <= 2 * HALF_ALONG_; ++j, ++n) {
            int x = cx + dx[n], y = cy + dy[n];
            x = x < 0 ? 0 : (x >= width ? width - 1 : x);
            y = y < 0 ? 0 : (y >= height ? height - 1 : y);
            sum += normalised[(size_t)y * stride + x];
          }
        }
        signature[k] = sum;
      }
      float strength;
      const float period = signature_period_(signature, &strength);
      if (period > 0) {
        reading[block] = period;
        weight[block] = strength;
      }
    }
  /* The print's typical period, for areas with no reading at all near them. */
  double total = 0, total_weight = 0;
  for (int i = 0; i < count; ++i) {
    total += (double)weight[i] * reading[i];
    total_weight += weight[i];
  }
  const float typical = total_weight > 0 ? (float)(total / total_weight) : BM_RIDGE_PERIOD_;
  for (int by = 0; by < blocks_y; ++by)
    for (int bx = 0; bx < blocks_x; ++bx) {
      float sum = 0, sum_weight = 0;
      for (int y = by - SMOOTH_RADIUS_; y <= by + SMOOTH_RADIUS_; ++y) {
        if (y < 0 || y >= blocks_y) continue;
        for (int x = bx - SMOOTH_RADIUS_; x <= bx + SMOOTH_RADIUS_; ++x) {
          if (x < 0 || x >= blocks_x) continue;
          sum += weight[y * blocks_x + x] * reading[y * blocks_x + x];
          sum_weight += weight[y * blocks_x + x];
        }
      }
      /* A few weak readings are pulled towards the print's typical period. */
      const float prior = 0.5f;
      field->period[by * blocks_x + bx] = (sum + prior * typical) / (sum_weight + prior);
    }
  /* Clarity: the periodicity over the 3x3 blocks around (24 px, between
   * two and three periods), 0 where a signature was not periodic. */
  for (int by = 0; by < blocks_y; ++by)
    for (int bx = 0; bx < blocks_x; ++bx) {
      float sum = 0;
      int n = 0;
      for (int y = by - 1; y <= by + 1; ++y)
        for (int x = bx - 1; x <= bx + 1; ++x)
          if (x >= 0 && y >= 0 && x < blocks_x && y < blocks_y && field->foreground[y * blocks_x + x]) {
            sum += weight[y * blocks_x + x];
            ++n;
          }
      field->clarity[by * blocks_x + bx] = n ? sum / n : 0.0f;
    }
  /* The segmentation's contrast rule lets in textured sensor background
   * next to faint prints, where the filter then draws ridges. Its outer
   * blocks whose ridges are not periodic are dropped, up to MARGIN_PEEL_
   * blocks deep: only the margin, never unclear areas inside the print. */
  for (int pass = 0; pass < MARGIN_PEEL_; ++pass) {
    for (int i = 0; i < count; ++i) {
      reading[i] = 0;
      if (!field->foreground[i] || field->clarity[i] >= MIN_PERIODICITY_) continue;
      const int bx = i % blocks_x, by = i / blocks_x;
      reading[i] = (float)(bx == 0 || by == 0 || bx == blocks_x - 1 || by == blocks_y - 1 || !field->foreground[i - 1] ||
                           !field->foreground[i + 1] || !field->foreground[i - blocks_x] ||
                           !field->foreground[i + blocks_x]);
    }
    for (int i = 0; i < count; ++i)
      if (reading[i] > 0) field->foreground[i] = 0;
  }
  free(reading);
  free(patterns);
  return BM_OK;
}
