/* Fuzz target: the image path. The input is tried as PNG bytes (decode,
 * then extract what decodes) and as a raw 8-bit buffer whose geometry comes
 * from its first 4 bytes. Invariants: every call returns a status; a
 * successful extraction yields minutiae inside the image with valid
 * angles, types and qualities. */
#include <stdint.h>
#include <stdlib.h>

#include "biomatch/biomatch.h"

static void check_template_(const bm_template *tpl, const bm_image *image) {
  const bm_minutia *minutiae = bm_template_minutiae(tpl);
  for (size_t i = 0; i < bm_template_minutia_count(tpl); ++i) {
    const bm_minutia *m = &minutiae[i];
    if (m->x >= bm_image_width(image) || m->y >= bm_image_height(image) || !(m->angle >= 0.0f) ||
        !(m->angle < 360.0f) || m->type > BM_MINUTIA_BIFURCATION || m->quality > 100)
      abort();
  }
}

static void extract_(const bm_image *image) {
  bm_template *tpl = NULL;
  bm_image *foreground = NULL;
  if (bm_extract_ex(image, &tpl, &foreground) == BM_OK) {
    check_template_(tpl, image);
    if (bm_image_width(foreground) != bm_image_width(image)) abort();
  } else if (tpl || foreground) {
    abort();
  }
  bm_template_free(tpl);
  bm_image_free(foreground);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  bm_image *image = NULL;
  if (bm_image_load_memory(data, size, 0, &image) == BM_OK) {
    /* Keep the fuzzer fast: extract only modest decoded images. */
    if ((size_t)bm_image_width(image) * bm_image_height(image) <= 1u << 20) extract_(image);
    bm_image_free(image);
  } else if (image) {
    abort();
  }
  if (size >= 4) {
    /* Raw: width 16..271, ppi 250..1000 from the header bytes, rows from the rest. */
    const unsigned width = 16u + data[0];
    const double ppi = 250.0 + (data[1] | data[2] << 8) % 751;
    const size_t pixels = size - 4;
    const unsigned height = (unsigned)(pixels / width);
    if (bm_image_from_gray8(data + 4, width, height, width, ppi, &image) == BM_OK) {
      extract_(image);
      bm_image_free(image);
    }
  }
  return 0;
}
