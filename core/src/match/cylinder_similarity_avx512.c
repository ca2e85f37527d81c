/* AVX-512 cylinder comparison: the 6 layers are three 512-bit registers; the
 * 256-bit validity mask is broadcast to both halves; VPOPCNTDQ counts bits
 * per 64-bit lane. */
#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX512_ __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq")))

TARGET_AVX512_ void bm_mcc_count_row_avx512_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                                             const uint8_t *indices, size_t index_count, unsigned minimum_common,
                                    bm_mcc_counts_ *out) {
  enum { PAIRS = BM_MCC_LAYERS / 2 };
  const __m256i mask_a = _mm256_loadu_si256((const __m256i *)probe_cylinder);
  __m512i layers_a[PAIRS];
  for (unsigned k = 0; k < PAIRS; ++k)
    layers_a[k] = _mm512_loadu_si512((const void *)(probe_cylinder + BM_MCC_LAYER_BYTES * (1 + 2 * k)));
  for (size_t i = 0; i < index_count; ++i) {
    const uint8_t *b = gallery_cylinders + (size_t)indices[i] * BM_MCC_CYLINDER_BYTES;
    const __m256i common = _mm256_and_si256(mask_a, _mm256_loadu_si256((const __m256i *)b));
    const __m256i common_counts = _mm256_popcnt_epi64(common);
    const __m128i common_pair =
        _mm_add_epi64(_mm256_castsi256_si128(common_counts), _mm256_extracti128_si256(common_counts, 1));
    const unsigned common_cells = (unsigned)(_mm_cvtsi128_si64(common_pair) + _mm_extract_epi64(common_pair, 1));
    if (common_cells < minimum_common) {
      out[i] = (bm_mcc_counts_){(uint16_t)common_cells, 0, 0, 0};
      continue;
    }
    const __m512i common_twice = _mm512_broadcast_i64x4(common);
    /* The three layer counts travel in one vector, 16 bits each (the
     * largest, 1536, fits), so one horizontal sum per pair instead of three. */
    __m512i packed = _mm512_setzero_si512();
    for (unsigned k = 0; k < PAIRS; ++k) {
      const __m512i x = _mm512_and_si512(layers_a[k], common_twice);
      const __m512i y =
          _mm512_and_si512(_mm512_loadu_si512((const void *)(b + BM_MCC_LAYER_BYTES * (1 + 2 * k))), common_twice);
      packed = _mm512_add_epi64(packed, _mm512_popcnt_epi64(x));
      packed = _mm512_add_epi64(packed, _mm512_slli_epi64(_mm512_popcnt_epi64(y), 16));
      packed = _mm512_add_epi64(packed, _mm512_slli_epi64(_mm512_popcnt_epi64(_mm512_xor_si512(x, y)), 32));
    }
    const uint64_t sums = (uint64_t)_mm512_reduce_add_epi64(packed);
    out[i].bits_a = (uint16_t)sums;
    out[i].bits_b = (uint16_t)(sums >> 16);
    out[i].bits_differ = (uint16_t)(sums >> 32);
    out[i].common_cells = (uint16_t)common_cells;
  }
}
#endif
