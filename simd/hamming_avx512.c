/* Hamming kernels for AVX-512 with VPOPCNTDQ (Ice Lake-class): eight 64-bit
 * popcounts per instruction; the tail of a row is read with a masked load,
 * which never touches memory past the row. */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX512 static inline __mmask8 tail_mask(size_t remaining_words) {
  return (__mmask8)((1u << remaining_words) - 1u);
}

/* popcount(probe ^ row) per 64-bit lane, over a whole row. */
BM_TARGET_AVX512 static inline __m512i row_lane_counts(const uint64_t *probe, const uint64_t *row, size_t vector_words,
                                                       __mmask8 last) {
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
  return counters;
}

/* Adds 128-bit lanes pairwise: [a0+a1, a2+a3, b0+b1, b2+b3]. */
BM_TARGET_AVX512 static inline __m512i add_lane_pairs(__m512i a, __m512i b) {
  return _mm512_add_epi64(_mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                          _mm512_shuffle_i64x2(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
}

/* Eight rows' lane counts to their eight totals (qword j = row j): a
 * transposing add tree of 21 instructions instead of eight full horizontal
 * reductions. Short codes (512 bits = one vector per row) would otherwise
 * spend more instructions reducing than counting. */
BM_TARGET_AVX512 static inline __m512i sum_eight_rows(const __m512i c[8]) {
  const __m512i t01 = _mm512_add_epi64(_mm512_unpacklo_epi64(c[0], c[1]), _mm512_unpackhi_epi64(c[0], c[1]));
  const __m512i t23 = _mm512_add_epi64(_mm512_unpacklo_epi64(c[2], c[3]), _mm512_unpackhi_epi64(c[2], c[3]));
  const __m512i t45 = _mm512_add_epi64(_mm512_unpacklo_epi64(c[4], c[5]), _mm512_unpackhi_epi64(c[4], c[5]));
  const __m512i t67 = _mm512_add_epi64(_mm512_unpacklo_epi64(c[6], c[7]), _mm512_unpackhi_epi64(c[6], c[7]));
  return add_lane_pairs(add_lane_pairs(t01, t23), add_lane_pairs(t45, t67));
}

BM_TARGET_AVX512 void bm_hamming_scan_avx512_(const uint64_t *probe, const uint64_t *rows, size_t words,
                                              size_t row_stride_words, size_t row_count, uint32_t *distances) {
  const size_t vector_words = words & ~(size_t)7;
  const __mmask8 last = tail_mask(words - vector_words);
  size_t r = 0;
  for (; r + 8 <= row_count; r += 8) {
    __m512i counts[8];
    for (size_t j = 0; j < 8; ++j)
      counts[j] = row_lane_counts(probe, rows + (r + j) * row_stride_words, vector_words, last);
    _mm256_storeu_si256((__m256i *)(distances + r), _mm512_cvtepi64_epi32(sum_eight_rows(counts)));
  }
  for (; r < row_count; ++r)
    distances[r] = (uint32_t)_mm512_reduce_add_epi64(
        row_lane_counts(probe, rows + r * row_stride_words, vector_words, last));
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
