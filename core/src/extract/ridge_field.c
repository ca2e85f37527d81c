/* Ridge field: per-block contrast, foreground segmentation and ridge
 * orientation with its coherence.
 *
 * Orientation is the classic gradient structure tensor: per block, the sums
 * of (gx^2 - gy^2, 2 gx gy, gx^2 + gy^2) over Sobel gradients, averaged over
 * neighbouring blocks (doubled angles, so opposite gradients of the two
 * ridge flanks add up instead of cancelling). The ridge runs perpendicular
 * to the dominant gradient. Coherence, |tensor| / energy, says how clearly
 * one direction dominates: near 1 on clean parallel ridges, near 0 on noise
 * and blank areas.
 *
 * The gradients are taken on the image low-passed at the scale of the finest
 * ridges the extractor reads: the Sobel operator alone responds most to
 * periods of about 4 px, the scale of sweat pores, dots and sensor grain,
 * whose gradients point every way and outweigh faint ridges. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/extract_internal.h"

/* Coherence of pure noise over a 24x24 window is about 0.05; fingerprint
 * ridges give 0.4..0.95. */
#define MIN_FINGERPRINT_COHERENCE_ 0.2f
/* Smallest usable print area: 4 x 4 mm. */
#define MIN_FINGERPRINT_AREA_MM2_ 16.0
/* Taps each side of the gradient low-pass: 3 sigma. */
#define SMOOTHING_RADIUS_ 3

/* Sigma (pixels at 500 ppi) of the Gaussian low-pass before the gradients:
 * its amplitude response exp(-2 pi^2 sigma^2 / P^2) is one half at the finest
 * ridge period read, P = BM_MIN_RIDGE_PERIOD_ (0.25 mm; 0.94 px). Ridges of
 * the mean period (9 px) keep 80% of their amplitude, detail of 4 px and
 * finer (pores, dots, grain: 0.09-0.2 mm) keeps at most a third. */
float bm_gradient_smoothing_sigma_(void) {
  return (float)(BM_MIN_RIDGE_PERIOD_ * sqrt(log(2.0)) / (M_PI * sqrt(2.0)));
}

/* out = the padded work image convolved with a normalised Gaussian of
 * `sigma` pixels (separable, edges replicated); row is scratch of
 * padded_width floats. */
void bm_gaussian_smooth_(const work_image_ *work, float sigma, float *out, float *row) {
  const int width = work->padded_width, height = work->padded_height;
  float taps[2 * SMOOTHING_RADIUS_ + 1], total = 0;
  for (int k = -SMOOTHING_RADIUS_; k <= SMOOTHING_RADIUS_; ++k)
    total += taps[k + SMOOTHING_RADIUS_] = expf(-(float)(k * k) / (2.0f * sigma * sigma));
  for (int k = 0; k <= 2 * SMOOTHING_RADIUS_; ++k) taps[k] /= total;
  /* Vertical pass straight from the 8-bit rows into out. */
  for (int y = 0; y < height; ++y) {
    float *destination = out + (size_t)y * width;
    for (int x = 0; x < width; ++x) destination[x] = 0.0f;
    for (int k = -SMOOTHING_RADIUS_; k <= SMOOTHING_RADIUS_; ++k) {
      const int source_y = y + k < 0 ? 0 : (y + k >= height ? height - 1 : y + k);
      const uint8_t *source = work->pixels + (size_t)source_y * width;
      const float tap = taps[k + SMOOTHING_RADIUS_];
      for (int x = 0; x < width; ++x) destination[x] += tap * (float)source[x];
    }
  }
  /* Horizontal pass in place, through a copy of the row. */
  for (int y = 0; y < height; ++y) {
    float *line = out + (size_t)y * width;
    for (int x = 0; x < width; ++x) row[x] = line[x];
    for (int x = 0; x < width; ++x) {
      float sum = 0.0f;
      if (x >= SMOOTHING_RADIUS_ && x + SMOOTHING_RADIUS_ < width) {
        for (int k = -SMOOTHING_RADIUS_; k <= SMOOTHING_RADIUS_; ++k) sum += taps[k + SMOOTHING_RADIUS_] * row[x + k];
      } else {
        for (int k = -SMOOTHING_RADIUS_; k <= SMOOTHING_RADIUS_; ++k) {
          const int source_x = x + k < 0 ? 0 : (x + k >= width ? width - 1 : x + k);
          sum += taps[k + SMOOTHING_RADIUS_] * row[source_x];
        }
      }
      line[x] = sum;
    }
  }
}

void bm_ridge_field_free_(ridge_field_ *field) {
  if (!field) return;
  free(field->foreground);
  free(field->orientation);
  free(field->coherence);
  free(field->contrast);
  free(field->period);
  free(field->clarity);
  memset(field, 0, sizeof *field);
}

static int compare_float_(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

/* Sum of `values` over the (2r+1)^2 block window around (bx, by), clipped to the grid, with weights. */
static void window_sum_(const float *values, const float *weights, int blocks_x, int blocks_y, int bx, int by,
                        int radius, float *sum, float *weight_sum) {
  float s = 0, w = 0;
  for (int y = by - radius; y <= by + radius; ++y) {
    if (y < 0 || y >= blocks_y) continue;
    for (int x = bx - radius; x <= bx + radius; ++x) {
      if (x < 0 || x >= blocks_x) continue;
      const float weight = weights ? weights[y * blocks_x + x] : 1.0f;
      s += weight * values[y * blocks_x + x];
      w += weight;
    }
  }
  *sum = s;
  *weight_sum = w;
}

/* Blocks mostly past the valid image (padding) are never foreground. */
static void clear_padding_(const work_image_ *work, ridge_field_ *field) {
  for (int by = 0; by < field->blocks_y; ++by)
    for (int bx = 0; bx < field->blocks_x; ++bx)
      if ((bx + 1) * BM_BLOCK_ > work->width + BM_BLOCK_ / 2 || (by + 1) * BM_BLOCK_ > work->height + BM_BLOCK_ / 2)
        field->foreground[by * field->blocks_x + bx] = 0;
}

/* Foreground blocks among the 3x3 around block i (itself included). */
static int foreground_neighbours_(const uint8_t *mask, int blocks_x, int blocks_y, int i) {
  const int bx = i % blocks_x, by = i / blocks_x;
  int neighbours = 0;
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      const int x = bx + dx, y = by + dy;
      if (x >= 0 && y >= 0 && x < blocks_x && y < blocks_y) neighbours += mask[y * blocks_x + x];
    }
  return neighbours;
}

/* Fills enclosed background holes and keeps the largest foreground component. */
static bm_status clean_mask_(uint8_t *mask, int blocks_x, int blocks_y) {
  const int count = blocks_x * blocks_y;
  int *label = malloc(sizeof *label * count), *stack = malloc(sizeof *stack * count);
  if (!label || !stack) {
    free(label);
    free(stack);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "segmentation labels");
  }
  /* Background connected to the image border stays background; the rest are holes. */
  for (int i = 0; i < count; ++i) label[i] = 0;
  int top = 0;
  for (int i = 0; i < count; ++i) {
    const int x = i % blocks_x, y = i / blocks_x;
    if (!mask[i] && (x == 0 || y == 0 || x == blocks_x - 1 || y == blocks_y - 1)) {
      label[i] = 1;
      stack[top++] = i;
    }
  }
  while (top > 0) {
    const int i = stack[--top], x = i % blocks_x, y = i / blocks_x;
    const int neighbours[4] = {x > 0 ? i - 1 : -1, x < blocks_x - 1 ? i + 1 : -1, y > 0 ? i - blocks_x : -1,
                               y < blocks_y - 1 ? i + blocks_x : -1};
    for (int k = 0; k < 4; ++k) {
      const int n = neighbours[k];
      if (n >= 0 && !mask[n] && !label[n]) {
        label[n] = 1;
        stack[top++] = n;
      }
    }
  }
  for (int i = 0; i < count; ++i)
    if (!mask[i] && !label[i]) mask[i] = 1;

  /* Largest 4-connected foreground component. */
  for (int i = 0; i < count; ++i) label[i] = 0;
  int best_label = 0, best_size = 0, next_label = 1;
  for (int seed = 0; seed < count; ++seed) {
    if (!mask[seed] || label[seed]) continue;
    const int current = ++next_label;
    int size = 0;
    label[seed] = current;
    stack[top++] = seed;
    while (top > 0) {
      const int i = stack[--top], x = i % blocks_x, y = i / blocks_x;
      ++size;
      const int neighbours[4] = {x > 0 ? i - 1 : -1, x < blocks_x - 1 ? i + 1 : -1, y > 0 ? i - blocks_x : -1,
                                 y < blocks_y - 1 ? i + blocks_x : -1};
      for (int k = 0; k < 4; ++k) {
        const int n = neighbours[k];
        if (n >= 0 && mask[n] && !label[n]) {
          label[n] = current;
          stack[top++] = n;
        }
      }
    }
    if (size > best_size) {
      best_size = size;
      best_label = current;
    }
  }
  for (int i = 0; i < count; ++i) mask[i] = (uint8_t)(mask[i] && label[i] == best_label);
  free(label);
  free(stack);
  return BM_OK;
}

bm_status bm_ridge_field_compute_(const work_image_ *work, ridge_field_ *field) {
  memset(field, 0, sizeof *field);
  const int blocks_x = work->padded_width / BM_BLOCK_, blocks_y = work->padded_height / BM_BLOCK_;
  const int count = blocks_x * blocks_y;
  const int stride = work->padded_width;
  field->blocks_x = blocks_x;
  field->blocks_y = blocks_y;
  field->foreground = calloc(count, 1);
  field->orientation = calloc(count, sizeof(float));
  field->coherence = calloc(count, sizeof(float));
  field->contrast = calloc(count, sizeof(float));
  field->period = calloc(count, sizeof(float));
  field->clarity = calloc(count, sizeof(float));
  /* Per-block sums: tensor xx, xy, energy, gray sum, gray square sum; then scratch. */
  float *sums = calloc((size_t)count * 8, sizeof(float));
  if (!field->foreground || !field->orientation || !field->coherence || !field->contrast || !field->period ||
      !field->clarity || !sums) {
    free(sums);
    bm_ridge_field_free_(field);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "ridge field of %dx%d blocks", blocks_x, blocks_y);
  }
  float *txx = sums, *txy = sums + count, *energy = sums + 2 * count, *gray = sums + 3 * count,
        *gray2 = sums + 4 * count, *scratch = sums + 5 * count, *scratch2 = sums + 6 * count,
        *weights = sums + 7 * count;

  /* Structure tensor from the low-passed image, gray-level statistics from
   * the image itself. */
  float *smooth = malloc(sizeof(float) * ((size_t)work->padded_width * work->padded_height + work->padded_width));
  if (!smooth) {
    free(sums);
    bm_ridge_field_free_(field);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "low-passed image of %dx%d", work->padded_width, work->padded_height);
  }
  bm_gaussian_smooth_(work, bm_gradient_smoothing_sigma_(), smooth,
                      smooth + (size_t)work->padded_width * work->padded_height);
  const uint8_t *pixels = work->pixels;
  for (int y = 0; y < work->padded_height; ++y) {
    const int ym = y > 0 ? y - 1 : 0, yp = y + 1 < work->padded_height ? y + 1 : y;
    const float *r0 = smooth + (size_t)ym * stride, *r1 = smooth + (size_t)y * stride, *r2 = smooth + (size_t)yp * stride;
    const uint8_t *gray_row = pixels + (size_t)y * stride;
    float *row_txx = txx + (y / BM_BLOCK_) * blocks_x, *row_txy = txy + (y / BM_BLOCK_) * blocks_x,
          *row_energy = energy + (y / BM_BLOCK_) * blocks_x, *row_gray = gray + (y / BM_BLOCK_) * blocks_x,
          *row_gray2 = gray2 + (y / BM_BLOCK_) * blocks_x;
    for (int bx = 0; bx < blocks_x; ++bx) {
      float sxx = 0, sxy = 0, see = 0;
      int sg = 0, sg2 = 0;
      for (int k = 0; k < BM_BLOCK_; ++k) {
        const int x = bx * BM_BLOCK_ + k;
        const int xm = x > 0 ? x - 1 : 0, xp = x + 1 < stride ? x + 1 : x;
        const float gx = (r0[xp] + 2 * r1[xp] + r2[xp]) - (r0[xm] + 2 * r1[xm] + r2[xm]);
        const float gy = (r2[xm] + 2 * r2[x] + r2[xp]) - (r0[xm] + 2 * r0[x] + r0[xp]);
        sxx += gx * gx - gy * gy;
        sxy += 2 * gx * gy;
        see += gx * gx + gy * gy;
        sg += gray_row[x];
        sg2 += gray_row[x] * gray_row[x];
      }
      row_txx[bx] += sxx;
      row_txy[bx] += sxy;
      row_energy[bx] += see;
      row_gray[bx] += (float)sg;
      row_gray2[bx] += (float)sg2;
    }
  }
  free(smooth);

  /* Contrast over the 3x3 block window (24 x 24 px, ~2.6 ridge periods). */
  const float block_area = BM_BLOCK_ * BM_BLOCK_;
  for (int by = 0; by < blocks_y; ++by)
    for (int bx = 0; bx < blocks_x; ++bx) {
      float s, s2, n;
      window_sum_(gray, NULL, blocks_x, blocks_y, bx, by, 1, &s, &n);
      window_sum_(gray2, NULL, blocks_x, blocks_y, bx, by, 1, &s2, &n);
      const float mean = s / (n * block_area);
      const float variance = s2 / (n * block_area) - mean * mean;
      field->contrast[by * blocks_x + bx] = variance > 0 ? sqrtf(variance) : 0.0f;
    }
  /* Coherence over the 3x3 window. */
  for (int by = 0; by < blocks_y; ++by)
    for (int bx = 0; bx < blocks_x; ++bx) {
      float a, b, e, n;
      window_sum_(txx, NULL, blocks_x, blocks_y, bx, by, 1, &a, &n);
      window_sum_(txy, NULL, blocks_x, blocks_y, bx, by, 1, &b, &n);
      window_sum_(energy, NULL, blocks_x, blocks_y, bx, by, 1, &e, &n);
      field->coherence[by * blocks_x + bx] = e > 0 ? sqrtf(a * a + b * b) / e : 0.0f;
    }

  /* Foreground: contrast well above the blank background and a clear
   * direction. The contrast threshold is relative to the print's own
   * strong blocks, so dry or light prints are kept. */
  memcpy(scratch, field->contrast, sizeof(float) * count);
  qsort(scratch, count, sizeof(float), compare_float_);
  const float strong_contrast = scratch[(int)(0.9f * (count - 1))];
  float contrast_threshold = 0.25f * strong_contrast;
  if (contrast_threshold < 5.0f) contrast_threshold = 5.0f;
  for (int i = 0; i < count; ++i)
    field->foreground[i] = (uint8_t)(field->contrast[i] > contrast_threshold &&
                                     field->coherence[i] > MIN_FINGERPRINT_COHERENCE_ * 0.5f);
  clear_padding_(work, field);
  /* Opening by one block removes isolated specks before the component step. */
  for (int i = 0; i < count; ++i) scratch2[i] = (float)foreground_neighbours_(field->foreground, blocks_x, blocks_y, i);
  for (int i = 0; i < count; ++i)
    if (field->foreground[i] && scratch2[i] < 4) field->foreground[i] = 0;
  /* Notches of one block in the outline (a faint block among clear ones)
   * are filled: a background block with at least 5 foreground neighbours of
   * 8. Left open, each notch cuts the ridges around it, and the border rule
   * then drops the true minutiae within a ridge period of it. */
  for (int i = 0; i < count; ++i) scratch2[i] = (float)foreground_neighbours_(field->foreground, blocks_x, blocks_y, i);
  for (int i = 0; i < count; ++i)
    if (!field->foreground[i] && scratch2[i] >= 5) field->foreground[i] = 1;
  clear_padding_(work, field);
  bm_status status = clean_mask_(field->foreground, blocks_x, blocks_y);
  if (status != BM_OK) {
    free(sums);
    bm_ridge_field_free_(field);
    return status;
  }

  /* Orientation: tensor averaged over a 5x5 block window (40 px, about
   * four ridge periods) with foreground-only, energy-normalised weights, so
   * that one high-contrast block does not dominate. */
  for (int i = 0; i < count; ++i) {
    weights[i] = field->foreground[i] && energy[i] > 0 ? 1.0f / energy[i] : 0.0f;
  }
  for (int by = 0; by < blocks_y; ++by)
    for (int bx = 0; bx < blocks_x; ++bx) {
      float a, b, n;
      window_sum_(txx, weights, blocks_x, blocks_y, bx, by, 2, &a, &n);
      window_sum_(txy, weights, blocks_x, blocks_y, bx, by, 2, &b, &n);
      scratch[by * blocks_x + bx] = a;
      scratch2[by * blocks_x + bx] = b;
    }
  for (int i = 0; i < count; ++i) {
    const float gradient = 0.5f * atan2f(scratch2[i], scratch[i]);
    float ridge = gradient + (float)M_PI / 2;
    if (ridge >= (float)M_PI) ridge -= (float)M_PI;
    if (ridge < 0) ridge += (float)M_PI;
    field->orientation[i] = ridge;
  }
  free(sums);
  return BM_OK;
}

bm_status bm_ridge_field_check_fingerprint_(const ridge_field_ *field) {
  const int count = field->blocks_x * field->blocks_y;
  int foreground = 0;
  double coherence = 0;
  for (int i = 0; i < count; ++i)
    if (field->foreground[i]) {
      ++foreground;
      coherence += field->coherence[i];
    }
  const double mm_per_block = BM_BLOCK_ * 25.4 / BM_WORK_PPI_;
  const double area_mm2 = foreground * mm_per_block * mm_per_block;
  if (area_mm2 < MIN_FINGERPRINT_AREA_MM2_)
    return bm_fail_(BM_ERR_NOT_A_FINGERPRINT, "ridge area %.1f mm^2: below %.0f mm^2", area_mm2,
                    MIN_FINGERPRINT_AREA_MM2_);
  if (coherence / foreground < MIN_FINGERPRINT_COHERENCE_)
    return bm_fail_(BM_ERR_NOT_A_FINGERPRINT, "mean ridge coherence %.2f: below %.2f (no ridge pattern)",
                    coherence / foreground, MIN_FINGERPRINT_COHERENCE_);
  return BM_OK;
}
