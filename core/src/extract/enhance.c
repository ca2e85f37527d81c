/* Contextual enhancement and binarisation.
 *
 * Each foreground block is filtered with an even Gabor kernel tuned to the
 * block's ridge orientation and local ridge frequency: a cosine across the
 * ridges under a Gaussian that is longer along them, so broken ridges are
 * bridged, pores and scratches smoothed, and neighbouring ridges kept
 * apart. The kernel has zero mean, so brightness and contrast do not
 * matter: the sign of the response alone separates ridges (dark, negative)
 * from valleys. Orientations are quantised to ORIENTATIONS_ steps (7.5
 * degrees, well under the field's own error).
 *
 * Frequencies are quantised in steps of half the filter's own bandwidth
 * around the adult mean (1 / 9 px): the Gaussian across the ridges
 * (sigma 3.2 px) passes frequencies within 1 / (2 pi sigma) = 0.05
 * cycles/px of its tuning, so a finer bank would only add kernels that
 * give the same sign, while a coarser one would let a 6 px or a 13 px
 * ridge pattern (children, elderly) fall outside the pass band. Adult
 * ridges of 8.1..10.3 px use the mean kernel; the neighbouring steps are
 * 7.3 and 11.6 px. Kernels are built on first use. The inner loop runs over
 * the 8 pixels of a block row with one kernel tap at a time, which the
 * compiler vectorises. The filter reads the contrast-normalised image
 * (normalise.c), in which sweat dots and blots are clipped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/extract_internal.h"

#define ORIENTATIONS_ 24
#define RADIUS_ 6
#define SIDE_ (2 * RADIUS_ + 1)
#define KERNEL_TAPS_ (SIDE_ * SIDE_)
/* Gaussian widths, pixels at 500 ppi: across ridges about a third of the
 * mean period (one cosine lobe each side), along ridges half a period more. */
#define SIGMA_ACROSS_ 3.2f
#define SIGMA_ALONG_ 4.2f
/* Frequency steps below and above the mean: 16.3 and 11.6 px; 7.3, 6.2 and
 * 5.4 px, which covers BM_MIN_RIDGE_PERIOD_..BM_MAX_RIDGE_PERIOD_. */
#define LOWER_STEPS_ 2
#define UPPER_STEPS_ 3
#define FREQUENCIES_ (LOWER_STEPS_ + 1 + UPPER_STEPS_)

static float frequency_step_(void) { return 0.5f / (2.0f * (float)M_PI * SIGMA_ACROSS_); }

/* Index 0..FREQUENCIES_-1 of the kernel frequency nearest 1 / period. */
static int frequency_index_(float period) {
  const float steps = (1.0f / period - 1.0f / BM_RIDGE_PERIOD_) / frequency_step_();
  int k = (int)lroundf(steps);
  if (k < -LOWER_STEPS_) k = -LOWER_STEPS_;
  if (k > UPPER_STEPS_) k = UPPER_STEPS_;
  return k + LOWER_STEPS_;
}

/* Builds the kernel of one orientation step and one frequency step. */
static void build_kernel_(int orientation, int frequency_index, float *kernel) {
  const float frequency = 1.0f / BM_RIDGE_PERIOD_ + (float)(frequency_index - LOWER_STEPS_) * frequency_step_();
  const float theta = (float)M_PI * orientation / ORIENTATIONS_; /* ridge direction */
  const float c = cosf(theta), s = sinf(theta);
  float envelope[KERNEL_TAPS_];
  float sum = 0, envelope_sum = 0;
  for (int dy = -RADIUS_; dy <= RADIUS_; ++dy)
    for (int dx = -RADIUS_; dx <= RADIUS_; ++dx) {
      const int tap = (dy + RADIUS_) * SIDE_ + dx + RADIUS_;
      const float along = dx * c + dy * s, across = -dx * s + dy * c;
      envelope[tap] = expf(-0.5f * (along * along / (SIGMA_ALONG_ * SIGMA_ALONG_) +
                                    across * across / (SIGMA_ACROSS_ * SIGMA_ACROSS_)));
      kernel[tap] = envelope[tap] * cosf(2.0f * (float)M_PI * frequency * across);
      sum += kernel[tap];
      envelope_sum += envelope[tap];
    }
  /* Remove the DC response in proportion to the envelope. */
  for (int tap = 0; tap < KERNEL_TAPS_; ++tap) kernel[tap] -= sum * envelope[tap] / envelope_sum;
}

bm_status bm_enhance_binarise_(const work_image_ *work, const float *normalised, const ridge_field_ *field,
                               uint8_t *ridges) {
  const int width = work->padded_width, height = work->padded_height;
  const int margin_width = width + 2 * RADIUS_;
  /* Kernels are built on first use: a print needs a fraction of the
   * orientation x period combinations. */
  float *kernels = malloc(sizeof(float) * ORIENTATIONS_ * FREQUENCIES_ * KERNEL_TAPS_);
  uint8_t built[ORIENTATIONS_ * FREQUENCIES_] = {0};
  float *input = malloc(sizeof(float) * (size_t)margin_width * (height + 2 * RADIUS_));
  if (!kernels || !input) {
    free(kernels);
    free(input);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "enhancement buffers for %dx%d pixels", width, height);
  }
  /* The filter reads RADIUS_ pixels past the image: edges replicated. */
  for (int y = -RADIUS_; y < height + RADIUS_; ++y) {
    const int source_y = y < 0 ? 0 : (y >= height ? height - 1 : y);
    const float *source = normalised + (size_t)source_y * width;
    float *row = input + (size_t)(y + RADIUS_) * margin_width;
    for (int x = -RADIUS_; x < width + RADIUS_; ++x) {
      const int source_x = x < 0 ? 0 : (x >= width ? width - 1 : x);
      row[x + RADIUS_] = source[source_x];
    }
  }
  memset(ridges, 0, (size_t)width * height);
  for (int by = 0; by < field->blocks_y; ++by)
    for (int bx = 0; bx < field->blocks_x; ++bx) {
      const int block = by * field->blocks_x + bx;
      if (!field->foreground[block]) continue;
      int o = (int)lroundf(field->orientation[block] * ORIENTATIONS_ / (float)M_PI);
      if (o >= ORIENTATIONS_) o -= ORIENTATIONS_;
      const int f = frequency_index_(field->period[block]);
      const int bank = o * FREQUENCIES_ + f;
      float *kernel = kernels + (size_t)bank * KERNEL_TAPS_;
      if (!built[bank]) {
        build_kernel_(o, f, kernel);
        built[bank] = 1;
      }
      for (int row_in_block = 0; row_in_block < BM_BLOCK_; ++row_in_block) {
        const int y = by * BM_BLOCK_ + row_in_block, x0 = bx * BM_BLOCK_;
        float response[BM_BLOCK_] = {0};
        for (int ky = 0; ky < SIDE_; ++ky) {
          const float *source = input + (size_t)(y + ky) * margin_width + x0;
          const float *taps = kernel + ky * SIDE_;
          for (int kx = 0; kx < SIDE_; ++kx) {
            const float tap = taps[kx];
            for (int i = 0; i < BM_BLOCK_; ++i) response[i] += tap * source[kx + i];
          }
        }
        uint8_t *out = ridges + (size_t)y * width + x0;
        for (int i = 0; i < BM_BLOCK_; ++i) out[i] = (uint8_t)(response[i] < 0.0f);
      }
    }
  free(kernels);
  free(input);
  return BM_OK;
}
