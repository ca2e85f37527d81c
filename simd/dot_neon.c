/* Dot-product kernels for aarch64 Advanced SIMD. f16 rows are widened with
 * vcvt_f32_f16 (baseline ARMv8); int8 products are formed in int16 (vmull,
 * exact: |q*g| <= 16384) and accumulated pairwise into int32 (vpadal). */
#include "kernels_internal.h"

#if BM_ARCH_AARCH64
#  include <arm_neon.h>

static inline float32x4_t load_halves(const uint16_t *halves) {
  return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(halves)));
}

/* Four row elements from element i, as floats: f32 rows as they are, f16
 * rows widened. `halves` is a constant in each caller, so the branch
 * disappears when this is inlined. */
static inline float32x4_t load_row(const void *row, size_t i, int halves) {
  return halves ? load_halves((const uint16_t *)row + i) : vld1q_f32((const float *)row + i);
}

static inline float row_element(const void *row, size_t i, int halves) {
  return halves ? bm_f16_to_f32_scalar_(((const uint16_t *)row)[i]) : ((const float *)row)[i];
}

/* The float scan of f32 and f16 rows. */
static inline __attribute__((always_inline)) void float_scan(const float *query, const void *rows, int halves,
                                                             size_t dimension, size_t row_stride, size_t row_count,
                                                             float *scores) {
  const size_t blocked = dimension & ~(size_t)15, vectorised = dimension & ~(size_t)3;
  const size_t element_bytes = halves ? sizeof(uint16_t) : sizeof(float);
  for (size_t r = 0; r < row_count; ++r) {
    const void *row = (const char *)rows + r * row_stride * element_bytes;
    float32x4_t sum0 = vdupq_n_f32(0), sum1 = sum0, sum2 = sum0, sum3 = sum0;
    size_t i = 0;
    for (; i < blocked; i += 16) {
      sum0 = vfmaq_f32(sum0, vld1q_f32(query + i), load_row(row, i, halves));
      sum1 = vfmaq_f32(sum1, vld1q_f32(query + i + 4), load_row(row, i + 4, halves));
      sum2 = vfmaq_f32(sum2, vld1q_f32(query + i + 8), load_row(row, i + 8, halves));
      sum3 = vfmaq_f32(sum3, vld1q_f32(query + i + 12), load_row(row, i + 12, halves));
    }
    for (; i < vectorised; i += 4) sum0 = vfmaq_f32(sum0, vld1q_f32(query + i), load_row(row, i, halves));
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(sum0, sum1), vaddq_f32(sum2, sum3)));
    for (; i < dimension; ++i) sum += query[i] * row_element(row, i, halves);
    scores[r] = sum;
  }
}

void bm_dot_f32_scan_neon_(const float *query, const float *rows, size_t dimension, size_t row_stride,
                           size_t row_count, float *scores) {
  float_scan(query, rows, 0, dimension, row_stride, row_count, scores);
}

void bm_dot_f16_scan_neon_(const float *query, const uint16_t *rows, size_t dimension, size_t row_stride,
                           size_t row_count, float *scores) {
  float_scan(query, rows, 1, dimension, row_stride, row_count, scores);
}

void bm_dot_i8_scan_neon_(const int8_t *query, const int8_t *rows, size_t dimension, size_t row_stride,
                          size_t row_count, int32_t *scores) {
  const size_t vectorised = dimension & ~(size_t)15;
  for (size_t r = 0; r < row_count; ++r) {
    const int8_t *row = rows + r * row_stride;
    int32x4_t sum = vdupq_n_s32(0);
    size_t i = 0;
    for (; i < vectorised; i += 16) {
      const int8x16_t q = vld1q_s8(query + i), g = vld1q_s8(row + i);
      sum = vpadalq_s16(sum, vmull_s8(vget_low_s8(q), vget_low_s8(g)));
      sum = vpadalq_s16(sum, vmull_high_s8(q, g));
    }
    int32_t total = vaddvq_s32(sum);
    for (; i < dimension; ++i) total += (int32_t)query[i] * (int32_t)row[i];
    scores[r] = total;
  }
}

#endif
