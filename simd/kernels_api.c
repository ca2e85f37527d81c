/* Public kernel calls: argument checks here, once per call, then the active
 * tier's kernel. The hot loops themselves never validate. */
#include "error.h"
#include "kernels_internal.h"

#define BM_REQUIRE_(condition, function)                                                  \
  do {                                                                                    \
    if (!(condition)) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "%s: %s", function, #condition); \
  } while (0)

bm_status bm_hamming_scan(const uint64_t *probe, const uint64_t *rows, size_t words, size_t row_stride_words,
                          size_t row_count, uint32_t *distances) {
  if (row_count == 0) return BM_OK;
  BM_REQUIRE_(distances && (words == 0 || (probe && rows)), "bm_hamming_scan");
  BM_REQUIRE_(row_count == 1 || row_stride_words >= words, "bm_hamming_scan");
  bm_kernels_active_()->hamming_scan(probe, rows, words, row_stride_words, row_count, distances);
  return BM_OK;
}

bm_status bm_hamming_masked_scan(const uint64_t *probe_bits, const uint64_t *probe_mask, const uint64_t *rows,
                                 size_t words, size_t row_stride_words, size_t row_count,
                                 bm_masked_counts *counts) {
  if (row_count == 0) return BM_OK;
  BM_REQUIRE_(counts && (words == 0 || (probe_bits && probe_mask && rows)), "bm_hamming_masked_scan");
  BM_REQUIRE_(row_count == 1 || row_stride_words >= 2 * words, "bm_hamming_masked_scan");
  bm_kernels_active_()->hamming_masked_scan(probe_bits, probe_mask, rows, words, row_stride_words, row_count,
                                            counts);
  return BM_OK;
}

bm_status bm_dot_f32_scan(const float *query, const float *rows, size_t dimension, size_t row_stride,
                          size_t row_count, float *scores) {
  if (row_count == 0) return BM_OK;
  BM_REQUIRE_(scores && (dimension == 0 || (query && rows)), "bm_dot_f32_scan");
  BM_REQUIRE_(row_count == 1 || row_stride >= dimension, "bm_dot_f32_scan");
  bm_kernels_active_()->dot_f32_scan(query, rows, dimension, row_stride, row_count, scores);
  return BM_OK;
}

bm_status bm_dot_f16_scan(const float *query, const uint16_t *rows, size_t dimension, size_t row_stride,
                          size_t row_count, float *scores) {
  if (row_count == 0) return BM_OK;
  BM_REQUIRE_(scores && (dimension == 0 || (query && rows)), "bm_dot_f16_scan");
  BM_REQUIRE_(row_count == 1 || row_stride >= dimension, "bm_dot_f16_scan");
  bm_kernels_active_()->dot_f16_scan(query, rows, dimension, row_stride, row_count, scores);
  return BM_OK;
}

bm_status bm_dot_i8_scan(const int8_t *query, const int8_t *rows, size_t dimension, size_t row_stride,
                         size_t row_count, int32_t *scores) {
  if (row_count == 0) return BM_OK;
  BM_REQUIRE_(scores && (dimension == 0 || (query && rows)), "bm_dot_i8_scan");
  BM_REQUIRE_(row_count == 1 || row_stride >= dimension, "bm_dot_i8_scan");
  /* |result| <= dimension * 2^14 must fit in int32: 131071 * 16384 = 2^31 - 2^14. */
  BM_REQUIRE_(dimension <= BM_DOT_I8_MAX_DIMENSION, "bm_dot_i8_scan");
  bm_kernels_active_()->dot_i8_scan(query, rows, dimension, row_stride, row_count, scores);
  return BM_OK;
}

void bm_f32_to_f16(const float *input, uint16_t *output, size_t count) {
  if (!input || !output) return;
  for (size_t i = 0; i < count; ++i) output[i] = bm_f32_to_f16_scalar_(input[i]);
}

void bm_f16_to_f32(const uint16_t *input, float *output, size_t count) {
  if (!input || !output) return;
  for (size_t i = 0; i < count; ++i) output[i] = bm_f16_to_f32_scalar_(input[i]);
}
