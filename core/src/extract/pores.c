/* Sweat pores filled in the binarised ridges, before thinning.
 *
 * Pores open along the ridges every 0.2-0.7 mm and are 0.09-0.22 mm
 * across; on wet or high-resolution captures the contextual filter leaves
 * the larger ones as small valley holes inside a ridge. Thinning turns each
 * hole into a loop, whose two junctions and the ridge breaks beside it are
 * false minutiae that the clean-up rules then have to find again. A valley
 * region no larger than a pore and enclosed by ridge pixels cannot be a
 * valley, which is long by nature, so it becomes ridge. The limit is the
 * area of a disc 0.25 mm across (a large pore with a pixel of blur) at
 * 500 ppi: 19 pixels. */
#include <stdlib.h>

#include "error.h"
#include "extract/extract_internal.h"

/* pi * (0.125 mm * 500 / 25.4 px)^2 */
#define PORE_AREA_PX_ 19

bm_status bm_fill_pores_(uint8_t *ridges, int width, int height) {
  const size_t count = (size_t)width * height;
  int *stack = malloc(sizeof *stack * count);
  int *region = malloc(sizeof *region * (PORE_AREA_PX_ + 1));
  uint8_t *seen = calloc(count, 1);
  if (!stack || !region || !seen) {
    free(stack);
    free(region);
    free(seen);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "pore filling of %dx%d pixels", width, height);
  }
  for (size_t start = 0; start < count; ++start) {
    if (seen[start] || ridges[start]) continue;
    /* Flood the 4-connected valley region; remember its first pixels. */
    size_t top = 0, size = 0;
    int touches_edge = 0;
    stack[top++] = (int)start;
    seen[start] = 1;
    while (top > 0) {
      const int p = stack[--top], x = p % width, y = p / width;
      if (size <= PORE_AREA_PX_) region[size] = p;
      ++size;
      touches_edge |= x == 0 || y == 0 || x == width - 1 || y == height - 1;
      const int neighbours[4] = {x > 0 ? p - 1 : -1, x < width - 1 ? p + 1 : -1, y > 0 ? p - width : -1,
                                 y < height - 1 ? p + width : -1};
      for (int k = 0; k < 4; ++k) {
        const int n = neighbours[k];
        if (n >= 0 && !seen[n] && !ridges[n]) {
          seen[n] = 1;
          stack[top++] = n;
        }
      }
    }
    if (size <= PORE_AREA_PX_ && !touches_edge)
      for (size_t k = 0; k < size; ++k) ridges[region[k]] = 1;
  }
  free(stack);
  free(region);
  free(seen);
  return BM_OK;
}
