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

/* Shared checks of the batch calls. */
#define BM_REQUIRE_BATCH_(function)                                                                      \
  do {                                                                                                   \
    BM_REQUIRE_(scores && (dimension == 0 || (queries && rows)), function);                              \
    BM_REQUIRE_(query_count == 1 || query_stride >= dimension, function);                                \
    BM_REQUIRE_(row_count == 1 || row_stride >= dimension, function);                                    \
    BM_REQUIRE_(query_count == 1 || score_stride >= row_count, function);                                \
  } while (0)

/* The three batch calls differ only in their element types and kernels. */
#define BM_DOT_BATCH_CALL_(name, query_type, row_type, score_type, batch_kernel, scan_kernel, extra_check)      \
  bm_status name(const query_type *queries, size_t query_count, size_t query_stride, const row_type *rows,     \
                 size_t dimension, size_t row_stride, size_t row_count, score_type *scores,                  \
                 size_t score_stride) {                                                                      \
    if (row_count == 0 || query_count == 0) return BM_OK;                                                    \
    BM_REQUIRE_BATCH_(#name);                                                                                \
    BM_REQUIRE_(extra_check, #name);                                                                         \
    const bm_kernel_table_ *kernels = bm_kernels_active_();                                                  \
    if (kernels->batch_kernel) {                                                                             \
      kernels->batch_kernel(queries, query_count, query_stride, rows, dimension, row_stride, row_count, scores, \
                            score_stride);                                                                   \
    } else {                                                                                                 \
      for (size_t q = 0; q < query_count; ++q)                                                               \
        kernels->scan_kernel(queries + q * query_stride, rows, dimension, row_stride, row_count,             \
                             scores + q * score_stride);                                                     \
    }                                                                                                        \
    return BM_OK;                                                                                            \
  }

BM_DOT_BATCH_CALL_(bm_dot_f32_scan_batch, float, float, float, dot_f32_batch, dot_f32_scan, 1)
BM_DOT_BATCH_CALL_(bm_dot_f16_scan_batch, float, uint16_t, float, dot_f16_batch, dot_f16_scan, 1)
/* Same int32 range limit as bm_dot_i8_scan(). */
BM_DOT_BATCH_CALL_(bm_dot_i8_scan_batch, int8_t, int8_t, int32_t, dot_i8_batch, dot_i8_scan,
                   dimension <= BM_DOT_I8_MAX_DIMENSION)

void bm_f32_to_f16(const float *input, uint16_t *output, size_t count) {
  if (!input || !output) return;
  for (size_t i = 0; i < count; ++i) output[i] = bm_f32_to_f16_scalar_(input[i]);
}

void bm_f16_to_f32(const uint16_t *input, float *output, size_t count) {
  if (!input || !output) return;
  for (size_t i = 0; i < count; ++i) output[i] = bm_f16_to_f32_scalar_(input[i]);
}
