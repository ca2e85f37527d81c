/* Threshold filter for top-K on AVX-512: sixteen compares per instruction
 * and vpcompressd writes the passing indices without a branch per lane. */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX512 size_t bm_select_at_least_avx512_(const float *scores, size_t count, float threshold,
                                                   uint32_t *indices) {
  const __m512 limit = _mm512_set1_ps(threshold);
  const __m512i lane_offsets = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  size_t selected = 0;
  for (size_t i = 0; i < count; i += 16) {
    const __mmask16 valid = count - i >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (count - i)) - 1u);
    /* _CMP_GE_OQ is false for NaN. */
    const __mmask16 passing =
        _mm512_mask_cmp_ps_mask(valid, _mm512_maskz_loadu_ps(valid, scores + i), limit, _CMP_GE_OQ);
    if (passing) {
      const __m512i positions = _mm512_add_epi32(_mm512_set1_epi32((int)i), lane_offsets);
      _mm512_mask_compressstoreu_epi32(indices + selected, passing, positions);
      selected += (size_t)__builtin_popcount(passing);
    }
  }
  return selected;
}

#endif
