/* Hamming kernels for AVX-512 with VPOPCNTDQ (Ice Lake-class): eight 64-bit
 * popcounts per instruction; the tail of a row is read with a masked load,
 * which never touches memory past the row. */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX512 static inline __mmask8 tail_mask(size_t remaining_words) {
  return (__mmask8)((1u << remaining_words) - 1u);
}

BM_TARGET_AVX512 void bm_hamming_scan_avx512_(const uint64_t *probe, const uint64_t *rows, size_t words,
                                              size_t row_stride_words, size_t row_count, uint32_t *distances) {
  const size_t vector_words = words & ~(size_t)7;
  const __mmask8 last = tail_mask(words - vector_words);
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row = rows + r * row_stride_words;
    __m512i counters = _mm512_setzero_si512();
    for (size_t w = 0; w < vector_words; w += 8) {
      const __m512i x = _mm512_xor_si512(_mm512_loadu_si512(probe + w), _mm512_loadu_si512(row + w));
      counters = _mm512_add_epi64(counters, _mm512_popcnt_epi64(x));
    }
    if (last) {
      const __m512i x = _mm512_xor_si512(_mm512_maskz_loadu_epi64(last, probe + vector_words),
                                         _mm512_maskz_loadu_epi64(last, row + vector_words));
      counters = _mm512_add_epi64(counters, _mm512_popcnt_epi64(x));
    }
    distances[r] = (uint32_t)_mm512_reduce_add_epi64(counters);
  }
}

BM_TARGET_AVX512 void bm_hamming_masked_scan_avx512_(const uint64_t *probe_bits, const uint64_t *probe_mask,
                                                     const uint64_t *rows, size_t words, size_t row_stride_words,
                                                     size_t row_count, bm_masked_counts *counts) {
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row_bits = rows + r * row_stride_words, *row_mask = row_bits + words;
    __m512i differing = _mm512_setzero_si512(), probe_ones = differing, row_ones = differing;
    for (size_t w = 0; w < words; w += 8) {
      const __mmask8 lanes = words - w >= 8 ? (__mmask8)0xff : tail_mask(words - w);
      const __m512i mask = _mm512_and_si512(_mm512_maskz_loadu_epi64(lanes, probe_mask + w),
                                            _mm512_maskz_loadu_epi64(lanes, row_mask + w));
      const __m512i a = _mm512_and_si512(_mm512_maskz_loadu_epi64(lanes, probe_bits + w), mask);
      const __m512i b = _mm512_and_si512(_mm512_maskz_loadu_epi64(lanes, row_bits + w), mask);
      differing = _mm512_add_epi64(differing, _mm512_popcnt_epi64(_mm512_xor_si512(a, b)));
      probe_ones = _mm512_add_epi64(probe_ones, _mm512_popcnt_epi64(a));
      row_ones = _mm512_add_epi64(row_ones, _mm512_popcnt_epi64(b));
    }
    counts[r].differing = (uint32_t)_mm512_reduce_add_epi64(differing);
    counts[r].probe_ones = (uint32_t)_mm512_reduce_add_epi64(probe_ones);
    counts[r].row_ones = (uint32_t)_mm512_reduce_add_epi64(row_ones);
  }
}

#endif
