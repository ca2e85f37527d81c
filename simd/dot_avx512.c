/* Dot-product kernels for AVX-512 (Ice Lake-class). Tails use masked loads,
 * so no scalar loop and no read past a row.
 *
 * int8 uses VNNI's vpdpbusd, which multiplies *unsigned* by signed bytes.
 * The row byte g is made unsigned as g ^ 0x80 = g + 128, so each lane sums
 * (g + 128) * q = g * q + 128 * q; subtracting 128 * sum(q), a constant
 * computed once per query, leaves the exact int8 dot product with a single
 * vpdpbusd per 64 bytes. The lane total (up to dimension * 255 * 128) may
 * pass 2^31 before the correction brings it back into int32 range, so the
 * horizontal sum and the subtraction wrap in unsigned arithmetic. */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX512 static inline __mmask16 float_tail_mask(size_t remaining) {
  return (__mmask16)((1u << remaining) - 1u);
}

BM_TARGET_AVX512 void bm_dot_f32_scan_avx512_(const float *query, const float *rows, size_t dimension,
                                              size_t row_stride, size_t row_count, float *scores) {
  const size_t blocked = dimension & ~(size_t)63, vectorised = dimension & ~(size_t)15;
  const __mmask16 last = float_tail_mask(dimension - vectorised);
  for (size_t r = 0; r < row_count; ++r) {
    const float *row = rows + r * row_stride;
    __m512 sum0 = _mm512_setzero_ps(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    size_t i = 0;
    for (; i < blocked; i += 64) {
      sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), _mm512_loadu_ps(row + i), sum0);
      sum1 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 16), _mm512_loadu_ps(row + i + 16), sum1);
      sum2 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 32), _mm512_loadu_ps(row + i + 32), sum2);
      sum3 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 48), _mm512_loadu_ps(row + i + 48), sum3);
    }
    for (; i < vectorised; i += 16) sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), _mm512_loadu_ps(row + i), sum0);
    if (last) sum1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(last, query + i), _mm512_maskz_loadu_ps(last, row + i), sum1);
    scores[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(sum0, sum1), _mm512_add_ps(sum2, sum3)));
  }
}

BM_TARGET_AVX512 static inline __m512 load_halves(__mmask16 lanes, const uint16_t *halves) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(lanes, halves));
}

BM_TARGET_AVX512 void bm_dot_f16_scan_avx512_(const float *query, const uint16_t *rows, size_t dimension,
                                              size_t row_stride, size_t row_count, float *scores) {
  const size_t blocked = dimension & ~(size_t)63, vectorised = dimension & ~(size_t)15;
  const __mmask16 all = (__mmask16)0xffff, last = float_tail_mask(dimension - vectorised);
  for (size_t r = 0; r < row_count; ++r) {
    const uint16_t *row = rows + r * row_stride;
    __m512 sum0 = _mm512_setzero_ps(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    size_t i = 0;
    for (; i < blocked; i += 64) {
      sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), load_halves(all, row + i), sum0);
      sum1 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 16), load_halves(all, row + i + 16), sum1);
      sum2 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 32), load_halves(all, row + i + 32), sum2);
      sum3 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i + 48), load_halves(all, row + i + 48), sum3);
    }
    for (; i < vectorised; i += 16) sum0 = _mm512_fmadd_ps(_mm512_loadu_ps(query + i), load_halves(all, row + i), sum0);
    if (last) sum1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(last, query + i), load_halves(last, row + i), sum1);
    scores[r] = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(sum0, sum1), _mm512_add_ps(sum2, sum3)));
  }
}

/* Sum of the 16 lanes modulo 2^32: vector adds only, no signed C arithmetic. */
BM_TARGET_AVX512 static inline uint32_t sum_lanes_wrapping(__m512i lanes) {
  const __m256i eight = _mm256_add_epi32(_mm512_castsi512_si256(lanes), _mm512_extracti64x4_epi64(lanes, 1));
  __m128i four = _mm_add_epi32(_mm256_castsi256_si128(eight), _mm256_extracti128_si256(eight, 1));
  four = _mm_add_epi32(four, _mm_shuffle_epi32(four, _MM_SHUFFLE(1, 0, 3, 2)));
  four = _mm_add_epi32(four, _mm_shuffle_epi32(four, _MM_SHUFFLE(2, 3, 0, 1)));
  return (uint32_t)_mm_cvtsi128_si32(four);
}

BM_TARGET_AVX512 static inline __mmask64 byte_tail_mask(size_t remaining) {
  return remaining >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << remaining) - 1);
}

BM_TARGET_AVX512 void bm_dot_i8_scan_avx512_(const int8_t *query, const int8_t *rows, size_t dimension,
                                             size_t row_stride, size_t row_count, int32_t *scores) {
  int32_t query_sum = 0;
  for (size_t i = 0; i < dimension; ++i) query_sum += query[i];
  const uint32_t correction = 128u * (uint32_t)query_sum;
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const size_t blocked = dimension & ~(size_t)127, vectorised = dimension & ~(size_t)63;
  const __mmask64 last = byte_tail_mask(dimension - vectorised);
  for (size_t r = 0; r < row_count; ++r) {
    const int8_t *row = rows + r * row_stride;
    __m512i sum0 = _mm512_setzero_si512(), sum1 = sum0;
    size_t i = 0;
    for (; i < blocked; i += 128) {
      sum0 = _mm512_dpbusd_epi32(sum0, _mm512_xor_si512(_mm512_loadu_si512(row + i), flip),
                                 _mm512_loadu_si512(query + i));
      sum1 = _mm512_dpbusd_epi32(sum1, _mm512_xor_si512(_mm512_loadu_si512(row + i + 64), flip),
                                 _mm512_loadu_si512(query + i + 64));
    }
    for (; i < vectorised; i += 64)
      sum0 = _mm512_dpbusd_epi32(sum0, _mm512_xor_si512(_mm512_loadu_si512(row + i), flip),
                                 _mm512_loadu_si512(query + i));
    if (dimension > vectorised) /* masked-off query bytes are zero, so their lanes add nothing */
      sum1 = _mm512_dpbusd_epi32(sum1, _mm512_xor_si512(_mm512_maskz_loadu_epi8(last, row + i), flip),
                                 _mm512_maskz_loadu_epi8(last, query + i));
    scores[r] = (int32_t)(sum_lanes_wrapping(_mm512_add_epi32(sum0, sum1)) - correction);
  }
}

#endif
