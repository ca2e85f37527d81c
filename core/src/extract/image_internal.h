/* Internal layout of bm_image and the limits shared by its constructors. */
#ifndef BIOMATCH_EXTRACT_IMAGE_INTERNAL_H
#define BIOMATCH_EXTRACT_IMAGE_INTERNAL_H

#include <stdint.h>

#include "biomatch/bm_image.h"

#define BM_IMAGE_MIN_SIDE_ 16u
#define BM_IMAGE_MAX_SIDE_ 16384u
#define BM_IMAGE_MAX_PIXELS_ (64u * 1024u * 1024u)
#define BM_IMAGE_MIN_PPI_ 250.0
#define BM_IMAGE_MAX_PPI_ 1000.0

struct bm_image_s {
  uint8_t *pixels; /* width * height bytes, row-major */
  unsigned width;
  unsigned height;
  double ppi;
};

bm_status bm_image_check_size_(unsigned width, unsigned height);
bm_status bm_image_check_ppi_(double ppi);
/* Wraps `pixels` (malloc'd, ownership passes on success) in a new handle. */
bm_status bm_image_adopt_(uint8_t *pixels, unsigned width, unsigned height, double ppi, bm_image **out_image);

#endif
