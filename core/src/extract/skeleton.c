/* Thinning of the binary ridge image to one-pixel-wide ridge lines
 * (Zhang & Suen, CACM 27(3), 1984), driven by two 256-entry tables over
 * the 8-neighbourhood so each pixel test is one lookup. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "extract/extract_internal.h"

/* Neighbour bit order: N, NE, E, SE, S, SW, W, NW (P2..P9 of the paper). */
static unsigned neighbourhood_(const uint8_t *p, int stride) {
  return (unsigned)p[-stride] | (unsigned)p[-stride + 1] << 1 | (unsigned)p[1] << 2 |
         (unsigned)p[stride + 1] << 3 | (unsigned)p[stride] << 4 | (unsigned)p[stride - 1] << 5 |
         (unsigned)p[-1] << 6 | (unsigned)p[-stride - 1] << 7;
}

static void build_tables_(uint8_t deletable[2][256]) {
  for (unsigned code = 0; code < 256; ++code) {
    int count = 0, transitions = 0;
    for (int i = 0; i < 8; ++i) {
      const unsigned here = code >> i & 1u, next = code >> ((i + 1) & 7) & 1u;
      count += (int)here;
      transitions += !here && next;
    }
    const unsigned n = code & 1u, e = code >> 2 & 1u, s = code >> 4 & 1u, w = code >> 6 & 1u;
    const int common = count >= 2 && count <= 6 && transitions == 1;
    deletable[0][code] = (uint8_t)(common && !(n && e && s) && !(e && s && w));
    deletable[1][code] = (uint8_t)(common && !(n && e && w) && !(n && s && w));
  }
}

bm_status bm_thin_(uint8_t *image, int width, int height) {
  uint8_t deletable[2][256];
  build_tables_(deletable);
  /* Candidate list: ridge pixels only, rebuilt as pixels are deleted. */
  size_t capacity = 0;
  for (int y = 1; y < height - 1; ++y)
    for (int x = 1; x < width - 1; ++x) capacity += image[(size_t)y * width + x];
  int *candidates = malloc(sizeof *candidates * (capacity + 1));
  int *doomed = malloc(sizeof *doomed * (capacity + 1));
  if (!candidates || !doomed) {
    free(candidates);
    free(doomed);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "thinning lists for %zu pixels", capacity);
  }
  size_t count = 0;
  for (int y = 1; y < height - 1; ++y)
    for (int x = 1; x < width - 1; ++x)
      if (image[(size_t)y * width + x]) candidates[count++] = y * width + x;
  for (int changed = 1; changed;) {
    changed = 0;
    for (int pass = 0; pass < 2; ++pass) {
      size_t doomed_count = 0;
      for (size_t i = 0; i < count; ++i) {
        const int p = candidates[i];
        if (image[p] && deletable[pass][neighbourhood_(image + p, width)]) doomed[doomed_count++] = p;
      }
      for (size_t i = 0; i < doomed_count; ++i) image[doomed[i]] = 0;
      changed |= doomed_count > 0;
      size_t kept = 0;
      for (size_t i = 0; i < count; ++i)
        if (image[candidates[i]]) candidates[kept++] = candidates[i];
      count = kept;
    }
  }
  free(candidates);
  free(doomed);
  return BM_OK;
}
