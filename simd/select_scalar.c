/* Reference threshold filter for top-K selection. */
#include "kernels_internal.h"

size_t bm_select_at_least_scalar_(const float *scores, size_t count, float threshold, uint32_t *indices) {
  size_t selected = 0;
  for (size_t i = 0; i < count; ++i)
    if (scores[i] >= threshold) indices[selected++] = (uint32_t)i; /* false for NaN */
  return selected;
}
