/* Hamming kernels for AVX2 (Haswell-class). AVX2 has no vector popcount:
 * each byte's count comes from two 16-entry nibble lookups (vpshufb), and
 * vpsadbw sums bytes into 64-bit lanes (the Mula-Kurz-Lemire method). */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX2 static inline __m256i popcount_bytes(__m256i v) {
  const __m256i lookup = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1,
                                          2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0f);
  const __m256i low = _mm256_and_si256(v, low_nibbles);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(lookup, low), _mm256_shuffle_epi8(lookup, high));
}

/* Adds the popcount of v to four 64-bit lane counters. */
BM_TARGET_AVX2 static inline __m256i accumulate_popcount(__m256i counters, __m256i v) {
  return _mm256_add_epi64(counters, _mm256_sad_epu8(popcount_bytes(v), _mm256_setzero_si256()));
}

BM_TARGET_AVX2 static inline uint32_t sum_lanes(__m256i counters) {
  const __m128i sum = _mm_add_epi64(_mm256_castsi256_si128(counters), _mm256_extracti128_si256(counters, 1));
  return (uint32_t)(_mm_cvtsi128_si64(sum) + _mm_extract_epi64(sum, 1));
}

BM_TARGET_AVX2 void bm_hamming_scan_avx2_(const uint64_t *probe, const uint64_t *rows, size_t words,
                                          size_t row_stride_words, size_t row_count, uint32_t *distances) {
  const size_t vector_words = words & ~(size_t)3;
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row = rows + r * row_stride_words;
    __m256i counters = _mm256_setzero_si256();
    for (size_t w = 0; w < vector_words; w += 4) {
      const __m256i a = _mm256_loadu_si256((const __m256i *)(probe + w));
      const __m256i b = _mm256_loadu_si256((const __m256i *)(row + w));
      counters = accumulate_popcount(counters, _mm256_xor_si256(a, b));
    }
    uint32_t distance = sum_lanes(counters);
    for (size_t w = vector_words; w < words; ++w) distance += (uint32_t)_mm_popcnt_u64(probe[w] ^ row[w]);
    distances[r] = distance;
  }
}

BM_TARGET_AVX2 void bm_hamming_masked_scan_avx2_(const uint64_t *probe_bits, const uint64_t *probe_mask,
                                                 const uint64_t *rows, size_t words, size_t row_stride_words,
                                                 size_t row_count, bm_masked_counts *counts) {
  const size_t vector_words = words & ~(size_t)3;
  for (size_t r = 0; r < row_count; ++r) {
    const uint64_t *row_bits = rows + r * row_stride_words, *row_mask = row_bits + words;
    __m256i differing = _mm256_setzero_si256(), probe_ones = differing, row_ones = differing;
    for (size_t w = 0; w < vector_words; w += 4) {
      const __m256i mask = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(probe_mask + w)),
                                            _mm256_loadu_si256((const __m256i *)(row_mask + w)));
      const __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(probe_bits + w)), mask);
      const __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(row_bits + w)), mask);
      differing = accumulate_popcount(differing, _mm256_xor_si256(a, b));
      probe_ones = accumulate_popcount(probe_ones, a);
      row_ones = accumulate_popcount(row_ones, b);
    }
    bm_masked_counts count = {sum_lanes(differing), sum_lanes(probe_ones), sum_lanes(row_ones)};
    for (size_t w = vector_words; w < words; ++w) {
      const uint64_t mask = probe_mask[w] & row_mask[w];
      count.differing += (uint32_t)_mm_popcnt_u64((probe_bits[w] ^ row_bits[w]) & mask);
      count.probe_ones += (uint32_t)_mm_popcnt_u64(probe_bits[w] & mask);
      count.row_ones += (uint32_t)_mm_popcnt_u64(row_bits[w] & mask);
    }
    counts[r] = count;
  }
}

#endif
