/* Dot-product kernels for AVX-512 (Ice Lake-class). Tails use masked loads,
 * so no scalar loop and no read past a row.
 *
 * Every kernel works on tiles of up to 4 queries x 4 rows with one
 * accumulator per (query, row) pair: a single-query scan is a 1 x 4 tile
 * (four independent FMA chains hide the latency), a batch a 4 x 4 tile
 * (each row vector loaded once serves four queries, so the gallery is read
 * once per four queries and the loads per FMA halve). Each pair's sum is
 * formed by the same sequence of operations whatever the tile, so a batch
 * returns bit-for-bit the scores of single scans.
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

enum { TILE = 4 };

BM_TARGET_AVX512 static inline __mmask16 float_tail_mask(size_t remaining) {
  return (__mmask16)((1u << remaining) - 1u);
}

BM_TARGET_AVX512 static inline __m512 load_halves(__mmask16 lanes, const uint16_t *halves) {
  return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(lanes, halves));
}

/* Row loaders: f32 rows as they are, f16 rows widened. */
BM_TARGET_AVX512 static inline __m512 load_row_f32(__mmask16 lanes, const void *row, size_t i) {
  return _mm512_maskz_loadu_ps(lanes, (const float *)row + i);
}
BM_TARGET_AVX512 static inline __m512 load_row_f16(__mmask16 lanes, const void *row, size_t i) {
  return load_halves(lanes, (const uint16_t *)row + i);
}

/* One float tile: qn queries x rn rows (both <= TILE), scores[a * score_stride + b].
 * Inlined with constant qn and rn, the accumulators live in registers. */
#define BM_FLOAT_TILE_(name, row_type, load_row)                                                                \
  BM_TARGET_AVX512 static inline __attribute__((always_inline)) void name(                                    \
      const float *const *queries, const row_type *const *rows, int qn, int rn, size_t dimension,            \
      float *scores, size_t score_stride) {                                                                   \
    const size_t vectorised = dimension & ~(size_t)15;                                                       \
    const __mmask16 all = (__mmask16)0xffff, last = float_tail_mask(dimension - vectorised);                 \
    __m512 sum[TILE][TILE];                                                                                   \
    _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a)                                                      \
      _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) sum[a][b] = _mm512_setzero_ps();                  \
    for (size_t i = 0; i < vectorised; i += 16) {                                                             \
      __m512 row[TILE];                                                                                       \
      _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) row[b] = load_row(all, rows[b], i);               \
      _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a) {                                                  \
        const __m512 query = _mm512_loadu_ps(queries[a] + i);                                                 \
        _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) sum[a][b] = _mm512_fmadd_ps(query, row[b], sum[a][b]); \
      }                                                                                                       \
    }                                                                                                         \
    if (last) {                                                                                               \
      __m512 row[TILE];                                                                                       \
      _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) row[b] = load_row(last, rows[b], vectorised);     \
      _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a) {                                                  \
        const __m512 query = _mm512_maskz_loadu_ps(last, queries[a] + vectorised);                            \
        _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) sum[a][b] = _mm512_fmadd_ps(query, row[b], sum[a][b]); \
      }                                                                                                       \
    }                                                                                                         \
    _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a)                                                      \
      _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) scores[(size_t)a * score_stride + (size_t)b] =    \
          _mm512_reduce_add_ps(sum[a][b]);                                                                    \
  }

BM_FLOAT_TILE_(f32_tile, float, load_row_f32)
BM_FLOAT_TILE_(f16_tile, uint16_t, load_row_f16)

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

static uint32_t i8_correction(const int8_t *query, size_t dimension) {
  int32_t query_sum = 0;
  for (size_t i = 0; i < dimension; ++i) query_sum += query[i];
  return 128u * (uint32_t)query_sum;
}

/* One int8 tile; `corrections[a]` is 128 * sum(query a). */
BM_TARGET_AVX512 static inline __attribute__((always_inline)) void i8_tile(
    const int8_t *const *queries, const uint32_t *corrections, const int8_t *const *rows, int qn, int rn,
    size_t dimension, int32_t *scores, size_t score_stride) {
  const __m512i flip = _mm512_set1_epi8((char)0x80);
  const size_t vectorised = dimension & ~(size_t)63;
  __m512i sum[TILE][TILE];
  _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a)
    _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) sum[a][b] = _mm512_setzero_si512();
  for (size_t i = 0; i < vectorised; i += 64) {
    __m512i row[TILE];
    _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) row[b] = _mm512_xor_si512(_mm512_loadu_si512(rows[b] + i), flip);
    _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a) {
      const __m512i query = _mm512_loadu_si512(queries[a] + i);
      _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) sum[a][b] = _mm512_dpbusd_epi32(sum[a][b], row[b], query);
    }
  }
  if (dimension > vectorised) { /* masked-off query bytes are zero, so their lanes add nothing */
    const __mmask64 last = byte_tail_mask(dimension - vectorised);
    __m512i row[TILE];
    _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b)
      row[b] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(last, rows[b] + vectorised), flip);
    _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a) {
      const __m512i query = _mm512_maskz_loadu_epi8(last, queries[a] + vectorised);
      _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b) sum[a][b] = _mm512_dpbusd_epi32(sum[a][b], row[b], query);
    }
  }
  _Pragma("GCC unroll 4") for (int a = 0; a < qn; ++a)
    _Pragma("GCC unroll 4") for (int b = 0; b < rn; ++b)
      scores[(size_t)a * score_stride + (size_t)b] = (int32_t)(sum_lanes_wrapping(sum[a][b]) - corrections[a]);
}

/* Tiles over a query block of qn (<= TILE) queries: 4 rows at a time, then
 * the remaining rows one by one. The switch gives the inlined tiles
 * constant sizes. */
#define BM_FLOAT_BLOCK_(name, tile, row_type)                                                                  \
  BM_TARGET_AVX512 static void name(const float *const *queries, int qn, const row_type *rows, size_t dimension, \
                                    size_t row_stride, size_t row_count, float *scores, size_t score_stride) {  \
    size_t r = 0;                                                                                              \
    for (; r + TILE <= row_count; r += TILE) {                                                                 \
      const row_type *tile_rows[TILE] = {rows + r * row_stride, rows + (r + 1) * row_stride,                   \
                                         rows + (r + 2) * row_stride, rows + (r + 3) * row_stride};           \
      switch (qn) {                                                                                            \
        case 1: tile(queries, tile_rows, 1, TILE, dimension, scores + r, score_stride); break;                \
        case 2: tile(queries, tile_rows, 2, TILE, dimension, scores + r, score_stride); break;                \
        case 3: tile(queries, tile_rows, 3, TILE, dimension, scores + r, score_stride); break;                \
        default: tile(queries, tile_rows, TILE, TILE, dimension, scores + r, score_stride); break;            \
      }                                                                                                        \
    }                                                                                                          \
    for (; r < row_count; ++r) {                                                                               \
      const row_type *tile_rows[1] = {rows + r * row_stride};                                                  \
      for (int a = 0; a < qn; ++a) tile(queries + a, tile_rows, 1, 1, dimension, scores + (size_t)a * score_stride + r, 0); \
    }                                                                                                          \
  }

BM_FLOAT_BLOCK_(f32_block, f32_tile, float)
BM_FLOAT_BLOCK_(f16_block, f16_tile, uint16_t)

BM_TARGET_AVX512 static void i8_block(const int8_t *const *queries, const uint32_t *corrections, int qn,
                                      const int8_t *rows, size_t dimension, size_t row_stride, size_t row_count,
                                      int32_t *scores, size_t score_stride) {
  size_t r = 0;
  for (; r + TILE <= row_count; r += TILE) {
    const int8_t *tile_rows[TILE] = {rows + r * row_stride, rows + (r + 1) * row_stride, rows + (r + 2) * row_stride,
                                     rows + (r + 3) * row_stride};
    switch (qn) {
      case 1: i8_tile(queries, corrections, tile_rows, 1, TILE, dimension, scores + r, score_stride); break;
      case 2: i8_tile(queries, corrections, tile_rows, 2, TILE, dimension, scores + r, score_stride); break;
      case 3: i8_tile(queries, corrections, tile_rows, 3, TILE, dimension, scores + r, score_stride); break;
      default: i8_tile(queries, corrections, tile_rows, TILE, TILE, dimension, scores + r, score_stride); break;
    }
  }
  for (; r < row_count; ++r) {
    const int8_t *tile_rows[1] = {rows + r * row_stride};
    for (int a = 0; a < qn; ++a)
      i8_tile(queries + a, corrections + a, tile_rows, 1, 1, dimension, scores + (size_t)a * score_stride + r, 0);
  }
}

BM_TARGET_AVX512 void bm_dot_f32_scan_avx512_(const float *query, const float *rows, size_t dimension,
                                              size_t row_stride, size_t row_count, float *scores) {
  f32_block(&query, 1, rows, dimension, row_stride, row_count, scores, 0);
}

BM_TARGET_AVX512 void bm_dot_f16_scan_avx512_(const float *query, const uint16_t *rows, size_t dimension,
                                              size_t row_stride, size_t row_count, float *scores) {
  f16_block(&query, 1, rows, dimension, row_stride, row_count, scores, 0);
}

BM_TARGET_AVX512 void bm_dot_i8_scan_avx512_(const int8_t *query, const int8_t *rows, size_t dimension,
                                             size_t row_stride, size_t row_count, int32_t *scores) {
  const uint32_t correction = i8_correction(query, dimension);
  i8_block(&query, &correction, 1, rows, dimension, row_stride, row_count, scores, 0);
}

/* Batches: blocks of TILE queries, each block scanning every row. */
#define BM_FLOAT_BATCH_(name, block_function, row_type)                                                         \
  BM_TARGET_AVX512 void name(const float *queries, size_t query_count, size_t query_stride, const row_type *rows, \
                             size_t dimension, size_t row_stride, size_t row_count, float *scores,              \
                             size_t score_stride) {                                                             \
    for (size_t q = 0; q < query_count; q += TILE) {                                                            \
      const int qn = query_count - q < TILE ? (int)(query_count - q) : TILE;                                    \
      const float *block[TILE];                                                                                 \
      for (int a = 0; a < qn; ++a) block[a] = queries + (q + (size_t)a) * query_stride;                         \
      block_function(block, qn, rows, dimension, row_stride, row_count, scores + q * score_stride, score_stride); \
    }                                                                                                           \
  }

BM_FLOAT_BATCH_(bm_dot_f32_batch_avx512_, f32_block, float)
BM_FLOAT_BATCH_(bm_dot_f16_batch_avx512_, f16_block, uint16_t)

BM_TARGET_AVX512 void bm_dot_i8_batch_avx512_(const int8_t *queries, size_t query_count, size_t query_stride,
                                              const int8_t *rows, size_t dimension, size_t row_stride,
                                              size_t row_count, int32_t *scores, size_t score_stride) {
  for (size_t q = 0; q < query_count; q += TILE) {
    const int qn = query_count - q < TILE ? (int)(query_count - q) : TILE;
    const int8_t *block[TILE];
    uint32_t corrections[TILE];
    for (int a = 0; a < qn; ++a) {
      block[a] = queries + (q + (size_t)a) * query_stride;
      corrections[a] = i8_correction(block[a], dimension);
    }
    i8_block(block, corrections, qn, rows, dimension, row_stride, row_count, scores + q * score_stride, score_stride);
  }
}

#endif
