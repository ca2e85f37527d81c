/* Threshold filter for top-K on AVX2: eight compares per instruction, and
 * only the (rare, once the heap is full) passing lanes are visited. */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX2 size_t bm_select_at_least_avx2_(const float *scores, size_t count, float threshold,
                                               uint32_t *indices) {
  const __m256 limit = _mm256_set1_ps(threshold);
  size_t selected = 0, i = 0;
  for (; i + 8 <= count; i += 8) {
    /* _CMP_GE_OQ: ordered, so NaN scores (and a NaN threshold) never pass. */
    unsigned lanes = (unsigned)_mm256_movemask_ps(_mm256_cmp_ps(_mm256_loadu_ps(scores + i), limit, _CMP_GE_OQ));
    while (lanes) {
      indices[selected++] = (uint32_t)(i + (size_t)__builtin_ctz(lanes));
      lanes &= lanes - 1;
    }
  }
  for (; i < count; ++i)
    if (scores[i] >= threshold) indices[selected++] = (uint32_t)i;
  return selected;
}

#endif
