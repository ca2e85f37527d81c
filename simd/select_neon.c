/* Threshold filter for top-K on aarch64: four compares at a time, lanes
 * visited only when one of the four passes. */
#include "kernels_internal.h"

#if BM_ARCH_AARCH64
#  include <arm_neon.h>

size_t bm_select_at_least_neon_(const float *scores, size_t count, float threshold, uint32_t *indices) {
  const float32x4_t limit = vdupq_n_f32(threshold);
  size_t selected = 0, i = 0;
  for (; i + 4 <= count; i += 4) {
    const uint32x4_t passing = vcgeq_f32(vld1q_f32(scores + i), limit); /* false for NaN */
    if (vmaxvq_u32(passing) == 0) continue;
    for (size_t lane = 0; lane < 4; ++lane)
      if (scores[i + lane] >= threshold) indices[selected++] = (uint32_t)(i + lane);
  }
  for (; i < count; ++i)
    if (scores[i] >= threshold) indices[selected++] = (uint32_t)i;
  return selected;
}

#endif
