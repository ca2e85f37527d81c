/* Dot-product kernels for AVX2 + FMA + F16C. Four independent accumulators
 * hide the FMA latency; f16 rows are widened with vcvtph2ps; int8 rows are
 * sign-extended to int16 and multiplied pairwise into int32 (vpmaddwd),
 * which is exact. Tails use the scalar formula. */
#include "kernels_internal.h"

#if BM_ARCH_X86_64
#  include <immintrin.h>

BM_TARGET_AVX2 static inline float sum_floats(__m256 v) {
  __m128 sum = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
  sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
  return _mm_cvtss_f32(sum);
}

BM_TARGET_AVX2 static inline int32_t sum_ints(__m256i v) {
  __m128i sum = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(1, 0, 3, 2)));
  sum = _mm_add_epi32(sum, _mm_shuffle_epi32(sum, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(sum);
}

BM_TARGET_AVX2 static inline __m256 load_halves(const uint16_t *halves) {
  return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)halves));
}

/* Eight row elements from element i, as floats: f32 rows as they are, f16
 * rows widened. `halves` is a constant in each caller, so the branch
 * disappears when this is inlined. */
BM_TARGET_AVX2 static inline __m256 load_row(const void *row, size_t i, int halves) {
  return halves ? load_halves((const uint16_t *)row + i) : _mm256_loadu_ps((const float *)row + i);
}

BM_TARGET_AVX2 static inline float row_element(const void *row, size_t i, int halves) {
  return halves ? bm_f16_to_f32_scalar_(((const uint16_t *)row)[i]) : ((const float *)row)[i];
}

/* The float scan of f32 and f16 rows. */
BM_TARGET_AVX2 static inline __attribute__((always_inline)) void float_scan(const float *query, const void *rows,
                                                                             int halves, size_t dimension,
                                                                             size_t row_stride, size_t row_count,
                                                                             float *scores) {
  const size_t blocked = dimension & ~(size_t)31, vectorised = dimension & ~(size_t)7;
  const size_t element_bytes = halves ? sizeof(uint16_t) : sizeof(float);
  for (size_t r = 0; r < row_count; ++r) {
    const void *row = (const char *)rows + r * row_stride * element_bytes;
    __m256 sum0 = _mm256_setzero_ps(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    size_t i = 0;
    for (; i < blocked; i += 32) {
      sum0 = _mm256_fmadd_ps(_mm256_loadu_ps(query + i), load_row(row, i, halves), sum0);
      sum1 = _mm256_fmadd_ps(_mm256_loadu_ps(query + i + 8), load_row(row, i + 8, halves), sum1);
      sum2 = _mm256_fmadd_ps(_mm256_loadu_ps(query + i + 16), load_row(row, i + 16, halves), sum2);
      sum3 = _mm256_fmadd_ps(_mm256_loadu_ps(query + i + 24), load_row(row, i + 24, halves), sum3);
    }
    for (; i < vectorised; i += 8) sum0 = _mm256_fmadd_ps(_mm256_loadu_ps(query + i), load_row(row, i, halves), sum0);
    float sum = sum_floats(_mm256_add_ps(_mm256_add_ps(sum0, sum1), _mm256_add_ps(sum2, sum3)));
    for (; i < dimension; ++i) sum += query[i] * row_element(row, i, halves);
    scores[r] = sum;
  }
}

BM_TARGET_AVX2 void bm_dot_f32_scan_avx2_(const float *query, const float *rows, size_t dimension,
                                          size_t row_stride, size_t row_count, float *scores) {
  float_scan(query, rows, 0, dimension, row_stride, row_count, scores);
}

BM_TARGET_AVX2 void bm_dot_f16_scan_avx2_(const float *query, const uint16_t *rows, size_t dimension,
                                          size_t row_stride, size_t row_count, float *scores) {
  float_scan(query, rows, 1, dimension, row_stride, row_count, scores);
}

/* int8 x int8 -> int32 for 32 bytes: widen each half to int16, vpmaddwd. */
BM_TARGET_AVX2 static inline __m256i dot_32_bytes(__m256i sum, const int8_t *query, const int8_t *row) {
  const __m256i q = _mm256_loadu_si256((const __m256i *)query), g = _mm256_loadu_si256((const __m256i *)row);
  const __m256i q_low = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(q));
  const __m256i q_high = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(q, 1));
  const __m256i g_low = _mm256_cvtepi8_epi16(_mm256_castsi256_si128(g));
  const __m256i g_high = _mm256_cvtepi8_epi16(_mm256_extracti128_si256(g, 1));
  sum = _mm256_add_epi32(sum, _mm256_madd_epi16(q_low, g_low));
  return _mm256_add_epi32(sum, _mm256_madd_epi16(q_high, g_high));
}

BM_TARGET_AVX2 void bm_dot_i8_scan_avx2_(const int8_t *query, const int8_t *rows, size_t dimension,
                                         size_t row_stride, size_t row_count, int32_t *scores) {
  const size_t blocked = dimension & ~(size_t)63, vectorised = dimension & ~(size_t)31;
  for (size_t r = 0; r < row_count; ++r) {
    const int8_t *row = rows + r * row_stride;
    __m256i sum0 = _mm256_setzero_si256(), sum1 = sum0;
    size_t i = 0;
    for (; i < blocked; i += 64) {
      sum0 = dot_32_bytes(sum0, query + i, row + i);
      sum1 = dot_32_bytes(sum1, query + i + 32, row + i + 32);
    }
    for (; i < vectorised; i += 32) sum0 = dot_32_bytes(sum0, query + i, row + i);
    int32_t sum = sum_ints(_mm256_add_epi32(sum0, sum1));
    for (; i < dimension; ++i) sum += (int32_t)query[i] * (int32_t)row[i];
    scores[r] = sum;
  }
}

#endif
