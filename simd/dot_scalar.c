/* Reference dot-product kernels: one sequential float (or exact int32)
 * sum per row. */
#include "kernels_internal.h"

void bm_dot_f32_scan_scalar_(const float *query, const float *rows, size_t dimension, size_t row_stride,
                             size_t row_count, float *scores) {
  for (size_t r = 0; r < row_count; ++r) {
    const float *row = rows + r * row_stride;
    float sum = 0.0f;
    for (size_t i = 0; i < dimension; ++i) sum += query[i] * row[i];
    scores[r] = sum;
  }
}

void bm_dot_f16_scan_scalar_(const float *query, const uint16_t *rows, size_t dimension, size_t row_stride,
                             size_t row_count, float *scores) {
  for (size_t r = 0; r < row_count; ++r) {
    const uint16_t *row = rows + r * row_stride;
    float sum = 0.0f;
    for (size_t i = 0; i < dimension; ++i) sum += query[i] * bm_f16_to_f32_scalar_(row[i]);
    scores[r] = sum;
  }
}

void bm_dot_i8_scan_scalar_(const int8_t *query, const int8_t *rows, size_t dimension, size_t row_stride,
                            size_t row_count, int32_t *scores) {
  for (size_t r = 0; r < row_count; ++r) {
    const int8_t *row = rows + r * row_stride;
    int32_t sum = 0;
    for (size_t i = 0; i < dimension; ++i) sum += (int32_t)query[i] * (int32_t)row[i];
    scores[r] = sum;
  }
}
