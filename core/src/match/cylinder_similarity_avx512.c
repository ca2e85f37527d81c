/* AVX-512 cylinder comparison (VPOPCNTDQ). A cylinder's 7 words fill one
 * register (lane 0 the validity mask, lanes 1-6 the layers, lane 7 zero).
 * For one pair:
 *   X = probe & broadcast(valid_b)    lanes 1-6: a inside b's cells
 *   Y = gallery & broadcast(valid_a)  lanes 1-6: b inside a's cells
 *   D = X ^ Y
 * (lane 0 of X and Y is the common mask, counted once in each and taken off
 * afterwards; the common count itself comes from a scalar POPCNT, on ports
 * the vector code leaves idle). The three popcounts travel packed in 16-bit
 * fields of each 64-bit lane; eight pairs are reduced together by a
 * transposing add tree, then their similarities are computed eight at a
 * time in single precision (IEEE sqrt and division: the same bits as the
 * scalar reference). */
#include <string.h>

#include "match/match_internal.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define TARGET_AVX512_ __attribute__((target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,popcnt")))

TARGET_AVX512_ static inline __m512i pair_fields(__m512i probe, __m512i probe_valid, const uint8_t *b) {
  const __m512i gallery = _mm512_maskz_loadu_epi64(0x7F, b);
  const __m512i x = _mm512_and_si512(probe, _mm512_set1_epi64((long long)bm_load_u64le_(b)));
  const __m512i y = _mm512_and_si512(gallery, probe_valid);
  /* Lane 0 of x and y both hold valid_a & valid_b, so lane 0 of x ^ y is 0. */
  const __m512i d = _mm512_xor_si512(x, y);
  const __m512i fields = _mm512_add_epi64(_mm512_popcnt_epi64(x), _mm512_slli_epi64(_mm512_popcnt_epi64(y), 16));
  return _mm512_add_epi64(fields, _mm512_slli_epi64(_mm512_popcnt_epi64(d), 32));
}

/* Lane r of the result = sum of the 8 lanes of v[r]. */
TARGET_AVX512_ static inline __m512i transposed_sums(const __m512i v[8]) {
  __m512i pairs[4];
  for (int p = 0; p < 4; ++p)
    pairs[p] = _mm512_add_epi64(_mm512_unpacklo_epi64(v[2 * p], v[2 * p + 1]),
                                _mm512_unpackhi_epi64(v[2 * p], v[2 * p + 1]));
  __m512i quads[2];
  for (int q = 0; q < 2; ++q)
    quads[q] = _mm512_add_epi64(_mm512_shuffle_i64x2(pairs[2 * q], pairs[2 * q + 1], _MM_SHUFFLE(2, 0, 2, 0)),
                                _mm512_shuffle_i64x2(pairs[2 * q], pairs[2 * q + 1], _MM_SHUFFLE(3, 1, 3, 1)));
  return _mm512_add_epi64(_mm512_shuffle_i64x2(quads[0], quads[1], _MM_SHUFFLE(2, 0, 2, 0)),
                          _mm512_shuffle_i64x2(quads[0], quads[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

TARGET_AVX512_ static inline __m256 field_as_float(__m512i sums, int shift) {
  const __m512i field = _mm512_and_si512(_mm512_srli_epi64(sums, (unsigned)shift), _mm512_set1_epi64(0xFFFF));
  return _mm256_cvtepi32_ps(_mm512_cvtepi64_epi32(field));
}

TARGET_AVX512_ size_t bm_mcc_similarity_row_avx512_(const uint8_t *probe_cylinder, const uint8_t *gallery_cylinders,
                                                  size_t gallery_count, unsigned minimum_common, float *similarity) {
  const __m512i probe = _mm512_maskz_loadu_epi64(0x7F, probe_cylinder);
  uint64_t valid_a;
  memcpy(&valid_a, probe_cylinder, sizeof valid_a);
  const __m512i probe_valid = _mm512_set1_epi64((long long)valid_a);
  const __m256i minimum = _mm256_set1_epi32((int)minimum_common);
  __m256 lane_best = _mm256_setzero_ps();
  __m256i lane_index = _mm256_setzero_si256();
  const __m256i lane_offsets = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  for (size_t j = 0; j < gallery_count; j += 8) {
    const size_t block = gallery_count - j < 8 ? gallery_count - j : 8;
    __m512i fields[8];
    uint32_t common_cells[8] = {0};
    for (size_t r = 0; r < 8; ++r) {
      const uint8_t *b = gallery_cylinders + (j + r) * BM_MCC_CYLINDER_BYTES;
      fields[r] = r < block ? pair_fields(probe, probe_valid, b) : _mm512_setzero_si512();
      /* The common cells on the scalar ports, which the vector code leaves idle. */
      if (r < block) common_cells[r] = (uint32_t)__builtin_popcountll(valid_a & bm_load_u64le_(b));
    }
    const __m512i sums = transposed_sums(fields);
    const __m256i common = _mm256_loadu_si256((const __m256i *)common_cells);
    /* Fields 0 and 1 also counted lane 0 (the common cells) once each. */
    const __m512i common_wide = _mm512_cvtepu32_epi64(common);
    const __m512i counts = _mm512_sub_epi64(sums, _mm512_add_epi64(common_wide, _mm512_slli_epi64(common_wide, 16)));
    const __m256 norms =
        _mm256_add_ps(_mm256_sqrt_ps(field_as_float(counts, 0)), _mm256_sqrt_ps(field_as_float(counts, 16)));
    const __m256 value =
        _mm256_sub_ps(_mm256_set1_ps(1.0f), _mm256_div_ps(_mm256_sqrt_ps(field_as_float(counts, 32)), norms));
    const __mmask8 keep = (__mmask8)(_mm256_cmpge_epu32_mask(common, minimum) &
                                     _mm256_cmp_ps_mask(norms, _mm256_setzero_ps(), _CMP_NEQ_OQ) &
                                     _mm256_cmp_ps_mask(value, _mm256_setzero_ps(), _CMP_GT_OQ));
    const __m256 result = _mm256_maskz_mov_ps(keep, value);
    _mm256_mask_storeu_ps(similarity + j, (__mmask8)((1u << block) - 1), result);
    const __mmask8 better = _mm256_cmp_ps_mask(result, lane_best, _CMP_GT_OQ);
    lane_best = _mm256_mask_mov_ps(lane_best, better, result);
    lane_index = _mm256_mask_mov_epi32(lane_index, better,
                                       _mm256_add_epi32(_mm256_set1_epi32((int)j), lane_offsets));
  }
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
