/* AVX2 cylinder comparison: one 256-bit register per layer, popcount by
 * nibble lookup (vpshufb) accumulated as bytes and summed once with vpsadbw.
 * Per-byte counts stay below 256: at most 8 bits x 6 layers per byte. */
#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX2_ __attribute__((target("avx2,popcnt")))

TARGET_AVX2_ static inline __m256i byte_popcount(__m256i v) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                         2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
  const __m256i low = _mm256_and_si256(v, low_nibbles);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(table, high));
}

TARGET_AVX2_ static inline uint64_t horizontal_sum_u64(__m256i lanes_u64x4) {
  const __m128i pair = _mm_add_epi64(_mm256_castsi256_si128(lanes_u64x4), _mm256_extracti128_si256(lanes_u64x4, 1));
  return (uint64_t)_mm_cvtsi128_si64(pair) + (uint64_t)_mm_extract_epi64(pair, 1);
}

TARGET_AVX2_ void bm_mcc_count_row_avx2_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                                         const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out) {
  const __m256i mask_a = _mm256_loadu_si256((const __m256i *)probe_cylinder);
  __m256i layers_a[BM_MCC_LAYERS];
  for (unsigned k = 0; k < BM_MCC_LAYERS; ++k)
    layers_a[k] = _mm256_loadu_si256((const __m256i *)(probe_cylinder + BM_MCC_LAYER_BYTES * (1 + k)));
  for (size_t i = 0; i < index_count; ++i) {
    const uint8_t *b = gallery_cylinders + (size_t)indices[i] * BM_MCC_CYLINDER_BYTES;
    const __m256i common = _mm256_and_si256(mask_a, _mm256_loadu_si256((const __m256i *)b));
    const __m256i zero = _mm256_setzero_si256();
    const unsigned common_cells = (unsigned)horizontal_sum_u64(_mm256_sad_epu8(byte_popcount(common), zero));
    if (common_cells < minimum_common) {
      out[i] = (bm_mcc_counts_){(uint16_t)common_cells, 0, 0, 0};
      continue;
    }
    __m256i count_a = _mm256_setzero_si256(), count_b = count_a, count_differ = count_a;
    for (unsigned k = 0; k < BM_MCC_LAYERS; ++k) {
      const __m256i x = _mm256_and_si256(layers_a[k], common);
      const __m256i y =
          _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(b + BM_MCC_LAYER_BYTES * (1 + k))), common);
      count_a = _mm256_add_epi8(count_a, byte_popcount(x));
      count_b = _mm256_add_epi8(count_b, byte_popcount(y));
      count_differ = _mm256_add_epi8(count_differ, byte_popcount(_mm256_xor_si256(x, y)));
    }
    /* One horizontal sum for the three layer counts, 16 bits each per lane. */
    __m256i packed = _mm256_sad_epu8(count_a, zero);
    packed = _mm256_add_epi64(packed, _mm256_slli_epi64(_mm256_sad_epu8(count_b, zero), 16));
    packed = _mm256_add_epi64(packed, _mm256_slli_epi64(_mm256_sad_epu8(count_differ, zero), 32));
    const uint64_t sums = horizontal_sum_u64(packed);
    out[i].bits_a = (uint16_t)sums;
    out[i].bits_b = (uint16_t)(sums >> 16);
    out[i].bits_differ = (uint16_t)(sums >> 32);
    out[i].common_cells = (uint16_t)common_cells;
  }
}
#endif
