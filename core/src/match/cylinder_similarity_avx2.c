/* AVX2 cylinder comparison over gallery word planes: one gallery cylinder
 * per 64-bit lane, four pairs at a time. AVX2 has no vector popcount: bits
 * are counted per byte with the nibble table of PSHUFB (Mula), the byte
 * counts of the 6 layers are summed (at most 48 per byte) and one PSADBW
 * per quantity gives the lane totals. The four similarities are then
 * computed in single precision with IEEE sqrt and division, like every
 * tier (same bits), and the row's first best column is tracked without
 * branches. */
#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX2_ __attribute__((target("avx2")))

TARGET_AVX2_ static inline __m256i byte_counts(__m256i v, __m256i table, __m256i low_nibbles) {
  const __m256i low = _mm256_and_si256(v, low_nibbles);
  const __m256i high = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, low), _mm256_shuffle_epi8(table, high));
}

TARGET_AVX2_ size_t bm_mcc_similarity_row_avx2_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                                size_t gallery_count, unsigned minimum_common, float *similarity) {
  const size_t stride = bm_mcc_plane_stride_(gallery_count);
  __m256i probe[BM_MCC_WORDS];
  for (unsigned w = 0; w < BM_MCC_WORDS; ++w)
    probe[w] = _mm256_set1_epi64x((long long)bm_load_u64le_(probe_cylinder + 8 * w));
  const __m256i table =
      _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i low_nibbles = _mm256_set1_epi8(0x0F), zero = _mm256_setzero_si256();
  const __m256i low_halves = _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6);
  const __m128i minimum_less_one = _mm_set1_epi32((int)minimum_common - 1);
  const __m128i lane_offsets = _mm_setr_epi32(0, 1, 2, 3);
  __m128 lane_best = _mm_setzero_ps();
  __m128i lane_index = _mm_setzero_si128();
  for (size_t j = 0; j < gallery_count; j += 4) {
    const __m256i valid_b = _mm256_loadu_si256((const __m256i *)(gallery_planes + j));
    __m256i bytes_a = zero, bytes_b = zero, bytes_differ = zero;
    for (unsigned w = 1; w < BM_MCC_WORDS; ++w) {
      const __m256i x = _mm256_and_si256(probe[w], valid_b);
      const __m256i y = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(gallery_planes + w * stride + j)), probe[0]);
      bytes_a = _mm256_add_epi8(bytes_a, byte_counts(x, table, low_nibbles));
      bytes_b = _mm256_add_epi8(bytes_b, byte_counts(y, table, low_nibbles));
      bytes_differ = _mm256_add_epi8(bytes_differ, byte_counts(_mm256_xor_si256(x, y), table, low_nibbles));
    }
    /* Lane totals (< 2^16) to four 32-bit integers each. */
    const __m128i common = _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(
        _mm256_sad_epu8(byte_counts(_mm256_and_si256(valid_b, probe[0]), table, low_nibbles), zero), low_halves));
    const __m128 bits_a =
        _mm_cvtepi32_ps(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_sad_epu8(bytes_a, zero), low_halves)));
    const __m128 bits_b =
        _mm_cvtepi32_ps(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_sad_epu8(bytes_b, zero), low_halves)));
    const __m128 bits_differ = _mm_cvtepi32_ps(
        _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_sad_epu8(bytes_differ, zero), low_halves)));
    const __m128 norms = _mm_add_ps(_mm_sqrt_ps(bits_a), _mm_sqrt_ps(bits_b));
    const __m128 value = _mm_sub_ps(_mm_set1_ps(1.0f), _mm_div_ps(_mm_sqrt_ps(bits_differ), norms));
    /* common >= minimum, norms != 0 (else value is NaN) and value > 0 (false for NaN). */
    const __m128 keep = _mm_and_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(common, minimum_less_one)),
                                   _mm_and_ps(_mm_cmpneq_ps(norms, _mm_setzero_ps()), _mm_cmpgt_ps(value, _mm_setzero_ps())));
    const __m128 result = _mm_and_ps(value, keep);
    const size_t block = gallery_count - j < 4 ? gallery_count - j : 4;
    if (block == 4) {
      _mm_storeu_ps(similarity + j, result);
    } else {
      float last[4];
      _mm_storeu_ps(last, result);
      for (size_t r = 0; r < block; ++r) similarity[j + r] = last[r];
    }
    /* Padding lanes have no valid cells: 0, which never beats the initial 0. */
    const __m128 better = _mm_cmpgt_ps(result, lane_best);
    lane_best = _mm_blendv_ps(lane_best, result, better);
    lane_index = _mm_castps_si128(_mm_blendv_ps(
        _mm_castsi128_ps(lane_index), _mm_castsi128_ps(_mm_add_epi32(_mm_set1_epi32((int)j), lane_offsets)), better));
  }
  /* The first largest: among the lanes holding the maximum, the lowest index. */
  float values[4];
  int32_t indices[4];
  _mm_storeu_ps(values, lane_best);
  _mm_storeu_si128((__m128i *)indices, lane_index);
  size_t best = gallery_count;
  float best_value = 0.0f;
  for (int lane = 0; lane < 4; ++lane)
    if (values[lane] > best_value || (values[lane] == best_value && values[lane] > 0.0f && (size_t)indices[lane] < best)) {
      best_value = values[lane];
      best = (size_t)indices[lane];
    }
  return best;
}
#endif
