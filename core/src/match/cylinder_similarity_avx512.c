/* AVX-512 cylinder comparison (VPOPCNTDQ) over gallery word planes: one
 * gallery cylinder per 64-bit lane, eight pairs at a time, so no reduction
 * across lanes is needed. For each layer w:
 *   x = a_w & valid_b, y = b_w & valid_a, counts += popcount(x, y, x ^ y)
 * then the eight similarities in single precision (IEEE sqrt and division:
 * the same bits as the scalar reference) and a branch-free running
 * maximum for the row's first best column. */
#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX512_ __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq")))

TARGET_AVX512_ static inline __m256 as_float(__m512i counts) { return _mm256_cvtepi32_ps(_mm512_cvtepi64_epi32(counts)); }

TARGET_AVX512_ size_t bm_mcc_similarity_row_avx512_(const uint8_t *probe_cylinder, const uint64_t *gallery_planes,
                                                    size_t gallery_count, unsigned minimum_common, float *similarity) {
  const size_t stride = bm_mcc_plane_stride_(gallery_count);
  __m512i probe[BM_MCC_WORDS];
  for (unsigned w = 0; w < BM_MCC_WORDS; ++w)
    probe[w] = _mm512_set1_epi64((long long)bm_load_u64le_(probe_cylinder + 8 * w));
  const __m256i minimum = _mm256_set1_epi32((int)minimum_common);
  const __m256i lane_offsets = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  __m256 lane_best = _mm256_setzero_ps();
  __m256i lane_index = _mm256_setzero_si256();
  for (size_t j = 0; j < gallery_count; j += 8) {
    const __m512i valid_b = _mm512_loadu_si512((const void *)(gallery_planes + j));
    const __m256i common = _mm512_cvtepi64_epi32(_mm512_popcnt_epi64(_mm512_and_si512(valid_b, probe[0])));
    __m512i bits_a = _mm512_setzero_si512(), bits_b = _mm512_setzero_si512(), bits_differ = _mm512_setzero_si512();
    for (unsigned w = 1; w < BM_MCC_WORDS; ++w) {
      const __m512i x = _mm512_and_si512(probe[w], valid_b);
      const __m512i y = _mm512_and_si512(_mm512_loadu_si512((const void *)(gallery_planes + w * stride + j)), probe[0]);
      bits_a = _mm512_add_epi64(bits_a, _mm512_popcnt_epi64(x));
      bits_b = _mm512_add_epi64(bits_b, _mm512_popcnt_epi64(y));
      bits_differ = _mm512_add_epi64(bits_differ, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
    }
    const __m256 norms = _mm256_add_ps(_mm256_sqrt_ps(as_float(bits_a)), _mm256_sqrt_ps(as_float(bits_b)));
    const __m256 value = _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_sqrt_ps(as_float(bits_differ)), norms));
    /* common >= minimum, norms != 0 (else value is NaN: fails the > 0 test too) and value > 0. */
    const __mmask8 keep = (__mmask8)(_mm256_cmpge_epu32_mask(common, minimum) &
                                     _mm256_cmp_ps_mask(norms, _mm256_setzero_ps(), _CMP_NEQ_OQ) &
                                     _mm256_cmp_ps_mask(value, _mm256_setzero_ps(), _CMP_GT_OQ));
    const __m256 result = _mm256_maskz_mov_ps(keep, value);
    const size_t block = gallery_count - j < 8 ? gallery_count - j : 8;
    _mm256_mask_storeu_ps(similarity + j, (__mmask8)((1u << block) - 1), result);
    /* Padding lanes have no valid cells: 0, which never beats the initial 0. */
    const __mmask8 better = _mm256_cmp_ps_mask(result, lane_best, _CMP_GT_OQ);
    lane_best = _mm256_mask_mov_ps(lane_best, better, result);
    lane_index = _mm256_mask_mov_epi32(lane_index, better, _mm256_add_epi32(_mm256_set1_epi32((int)j), lane_offsets));
  }
  /* The first largest: among the lanes holding the maximum, the lowest index. */
  float values[8];
  int32_t indices[8];
  _mm256_storeu_ps(values, lane_best);
  _mm256_storeu_si256((__m256i *)indices, lane_index);
  size_t best = gallery_count;
  float best_value = 0.0f;
  for (int lane = 0; lane < 8; ++lane)
    if (values[lane] > best_value || (values[lane] == best_value && values[lane] > 0.0f && (size_t)indices[lane] < best)) {
      best_value = values[lane];
      best = (size_t)indices[lane];
    }
  return best;
}
#endif
