/* Resampling to the 500 ppi working grid. Bilinear interpolation is enough:
 * the later stages low-pass the image anyway, and ridge periods (>= 4.5 px
 * at 250 ppi) stay far above the interpolation's blur. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/extract_internal.h"

void bm_work_image_free_(work_image_ *work) {
  if (!work) return;
  free(work->pixels);
  work->pixels = NULL;
}

bm_status bm_resample_to_work_(const bm_image *image, work_image_ *out) {
  const unsigned in_width = bm_image_width(image), in_height = bm_image_height(image);
  const uint8_t *in = bm_image_pixels(image);
  const double ppi = bm_image_ppi(image);
  /* Within 1% of 500 ppi the image is used as is: the mm-based constants
   * tolerate that and the coordinates stay exact. */
  double scale = fabs(ppi - BM_WORK_PPI_) <= 0.01 * BM_WORK_PPI_ ? 1.0 : BM_WORK_PPI_ / ppi;
  int width = (int)lround(in_width * scale), height = (int)lround(in_height * scale);
  if (width < 1) width = 1;
  if (height < 1) height = 1;
  const int padded_width = (width + BM_BLOCK_ - 1) / BM_BLOCK_ * BM_BLOCK_;
  const int padded_height = (height + BM_BLOCK_ - 1) / BM_BLOCK_ * BM_BLOCK_;
  uint8_t *pixels = malloc((size_t)padded_width * padded_height);
  if (!pixels) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "working image %dx%d", padded_width, padded_height);

  if (scale == 1.0) {
    for (int y = 0; y < height; ++y) memcpy(pixels + (size_t)y * padded_width, in + (size_t)y * in_width, width);
  } else {
    /* Sample centres map as (x + 0.5) / scale - 0.5. */
    const double step_x = (double)in_width / width, step_y = (double)in_height / height;
    for (int y = 0; y < height; ++y) {
      double source_y = (y + 0.5) * step_y - 0.5;
      if (source_y < 0) source_y = 0;
      int y0 = (int)source_y;
      if (y0 > (int)in_height - 1) y0 = (int)in_height - 1;
      const int y1 = y0 + 1 < (int)in_height ? y0 + 1 : y0;
      const float fy = (float)(source_y - y0);
      const uint8_t *row0 = in + (size_t)y0 * in_width, *row1 = in + (size_t)y1 * in_width;
      uint8_t *dst = pixels + (size_t)y * padded_width;
      for (int x = 0; x < width; ++x) {
        double source_x = (x + 0.5) * step_x - 0.5;
        if (source_x < 0) source_x = 0;
        int x0 = (int)source_x;
        if (x0 > (int)in_width - 1) x0 = (int)in_width - 1;
        const int x1 = x0 + 1 < (int)in_width ? x0 + 1 : x0;
        const float fx = (float)(source_x - x0);
        const float top = row0[x0] + fx * (row0[x1] - row0[x0]);
        const float bottom = row1[x0] + fx * (row1[x1] - row1[x0]);
        dst[x] = (uint8_t)(top + fy * (bottom - top) + 0.5f);
      }
    }
  }
  /* Replicate the last column and row into the padding. */
  for (int y = 0; y < height; ++y) {
    uint8_t *row = pixels + (size_t)y * padded_width;
    memset(row + width, row[width - 1], (size_t)(padded_width - width));
  }
  for (int y = height; y < padded_height; ++y)
    memcpy(pixels + (size_t)y * padded_width, pixels + (size_t)(height - 1) * padded_width, padded_width);

  out->pixels = pixels;
  out->width = width;
  out->height = height;
  out->padded_width = padded_width;
  out->padded_height = padded_height;
  out->scale = (double)width / in_width;
  return BM_OK;
}
