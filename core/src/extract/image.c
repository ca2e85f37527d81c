/* The bm_image handle: owned 8-bit gray pixels and a resolution. */
#include "extract/image_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

bm_status bm_image_check_size_(unsigned width, unsigned height) {
  if (width < BM_IMAGE_MIN_SIDE_ || height < BM_IMAGE_MIN_SIDE_)
    return bm_fail_(BM_ERR_IMAGE_SIZE, "image %ux%u: each side must be at least %u pixels", width, height,
                    (unsigned)BM_IMAGE_MIN_SIDE_);
  if (width > BM_IMAGE_MAX_SIDE_ || height > BM_IMAGE_MAX_SIDE_ ||
      (uint64_t)width * height > BM_IMAGE_MAX_PIXELS_)
    return bm_fail_(BM_ERR_IMAGE_SIZE, "image %ux%u: larger than %u pixels a side or %u pixels in all", width,
                    height, (unsigned)BM_IMAGE_MAX_SIDE_, (unsigned)BM_IMAGE_MAX_PIXELS_);
  return BM_OK;
}

bm_status bm_image_check_ppi_(double ppi) {
  if (!isfinite(ppi) || ppi < BM_IMAGE_MIN_PPI_ || ppi > BM_IMAGE_MAX_PPI_)
    return bm_fail_(BM_ERR_IMAGE_RESOLUTION, "image resolution %g ppi: must be within %g..%g", ppi,
                    BM_IMAGE_MIN_PPI_, BM_IMAGE_MAX_PPI_);
  return BM_OK;
}

bm_status bm_image_adopt_(uint8_t *pixels, unsigned width, unsigned height, double ppi, bm_image **out_image) {
  bm_image *image = malloc(sizeof *image);
  if (!image) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "image handle");
  image->pixels = pixels;
  image->width = width;
  image->height = height;
  image->ppi = ppi;
  *out_image = image;
  return BM_OK;
}

bm_status bm_image_from_gray8(const uint8_t *pixels, unsigned width, unsigned height, size_t stride_in_bytes,
                              double ppi, bm_image **out_image) {
  if (!out_image) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "out_image is NULL");
  *out_image = NULL;
  if (!pixels) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "pixels is NULL");
  if (stride_in_bytes < width)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "stride_in_bytes %zu is less than width %u", stride_in_bytes, width);
  bm_status status = bm_image_check_size_(width, height);
  if (status != BM_OK) return status;
  status = bm_image_check_ppi_(ppi);
  if (status != BM_OK) return status;
  uint8_t *copy = malloc((size_t)width * height);
  if (!copy) return bm_fail_(BM_ERR_OUT_OF_MEMORY, "image of %ux%u pixels", width, height);
  for (unsigned y = 0; y < height; ++y) memcpy(copy + (size_t)y * width, pixels + y * stride_in_bytes, width);
  status = bm_image_adopt_(copy, width, height, ppi, out_image);
  if (status != BM_OK) free(copy);
  return status;
}

void bm_image_free(bm_image *image) {
  if (!image) return;
  free(image->pixels);
  free(image);
}

unsigned bm_image_width(const bm_image *image) { return image ? image->width : 0; }
unsigned bm_image_height(const bm_image *image) { return image ? image->height : 0; }
double bm_image_ppi(const bm_image *image) { return image ? image->ppi : 0.0; }
const uint8_t *bm_image_pixels(const bm_image *image) { return image ? image->pixels : NULL; }

bm_status bm_image_set_ppi(bm_image *image, double ppi) {
  if (!image) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "image is NULL");
  bm_status status = bm_image_check_ppi_(ppi);
  if (status != BM_OK) return status;
  image->ppi = ppi;
  return BM_OK;
}
