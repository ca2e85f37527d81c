/**
 * @file bm_kernels.h
 * @brief SIMD kernels chosen at run time: bit-vector popcount similarity,
 *        embedding dot products (f32, f16, int8) and top-K selection.
 *
 * The library picks, once and thread-safely at first use, the best kernel
 * set the CPU and the operating system support:
 *
 * | tier          | requires                                                  |
 * |---------------|-----------------------------------------------------------|
 * | BM_ISA_SCALAR | nothing (portable C; the reference the others are tested against) |
 * | BM_ISA_AVX2   | x86-64 AVX2 + FMA + F16C + POPCNT, OS saves YMM state (Haswell, Zen 1) |
 * | BM_ISA_AVX512 | AVX-512 F/BW/VL + VPOPCNTDQ + VNNI, OS saves ZMM/opmask state (Ice Lake, Zen 4) |
 * | BM_ISA_NEON   | aarch64 Advanced SIMD (every aarch64 Linux CPU)           |
 *
 * The environment variable BM_FORCE_ISA=scalar|avx2|avx512|neon, read at
 * that first use, or bm_force_isa() selects a lower tier (tests, benchmarks,
 * working around a suspect path). Every tier gives bit-identical integer
 * results; float results differ only by summation order (see each call).
 *
 * All calls are thread-safe. Pointers need no particular alignment.
 */
#ifndef BIOMATCH_BM_KERNELS_H
#define BIOMATCH_BM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "bm_errors.h"
#include "bm_export.h"

BM_EXTERN_C_BEGIN

/** Instruction-set tiers. Values are stable. */
typedef enum bm_isa {
  BM_ISA_SCALAR = 0,
  BM_ISA_AVX2 = 1,
  BM_ISA_AVX512 = 2,
  BM_ISA_NEON = 3
} bm_isa;

/** @return the tier whose kernels the calls below use now. */
BM_API bm_isa bm_active_isa(void);
/** @return the best tier this CPU and OS support (what is used unless forced lower). */
BM_API bm_isa bm_best_isa(void);
/** @return non-zero when `isa` was compiled in and this CPU and OS support it. */
BM_API int bm_isa_is_supported(bm_isa isa);
/** @return "scalar", "avx2", "avx512", "neon", or "unknown". Static storage. */
BM_API const char *bm_isa_name(bm_isa isa);
/** Parses a name as accepted by BM_FORCE_ISA. @return BM_ERR_INVALID_ARGUMENT for an unknown name. */
BM_API BM_NODISCARD bm_status bm_isa_from_name(const char *name, bm_isa *out_isa);
/**
 * Makes `isa` the active tier for the whole process. Fails with
 * BM_ERR_UNSUPPORTED (nothing changes) when the CPU or build lacks it.
 * Meant for start-up, tests and benchmarks: calls already running in other
 * threads finish with the tier they started with.
 */
BM_API BM_NODISCARD bm_status bm_force_isa(bm_isa isa);

/**
 * Hamming distance of one probe bit vector against `row_count` rows.
 * Row r starts at rows + r * row_stride_words and holds `words` 64-bit
 * words (row_stride_words >= words). Writes popcount(probe ^ row) to
 * distances[r]. Exact on every tier.
 */
BM_API BM_NODISCARD bm_status bm_hamming_scan(const uint64_t *probe, const uint64_t *rows, size_t words,
                                              size_t row_stride_words, size_t row_count, uint32_t *distances);

/** Counts written per row by bm_hamming_masked_scan(). */
typedef struct bm_masked_counts {
  uint32_t differing;  /**< popcount((probe ^ row) & mask) */
  uint32_t probe_ones; /**< popcount(probe & mask) */
  uint32_t row_ones;   /**< popcount(row & mask) */
} bm_masked_counts;

/**
 * Masked bit-vector comparison as used by Minutia Cylinder-Code: only bits
 * valid in both vectors count, mask = probe_mask & row_mask. Row r holds
 * `words` words of bits followed by `words` words of its validity mask,
 * at rows + r * row_stride_words (row_stride_words >= 2 * words). A
 * similarity is 1 - differing / (probe_ones + row_ones). Exact on every tier.
 */
BM_API BM_NODISCARD bm_status bm_hamming_masked_scan(const uint64_t *probe_bits, const uint64_t *probe_mask,
                                                     const uint64_t *rows, size_t words, size_t row_stride_words,
                                                     size_t row_count, bm_masked_counts *counts);

/**
 * Dot product of a float query with `row_count` float rows of `dimension`
 * values (row r at rows + r * row_stride). Tiers differ only in summation
 * order: |result - exact| <= dimension * 2^-22 * sum|query_i * row_i|.
 */
BM_API BM_NODISCARD bm_status bm_dot_f32_scan(const float *query, const float *rows, size_t dimension,
                                              size_t row_stride, size_t row_count, float *scores);

/** As bm_dot_f32_scan() with rows stored as IEEE-754 half floats (binary16). */
BM_API BM_NODISCARD bm_status bm_dot_f16_scan(const float *query, const uint16_t *rows, size_t dimension,
                                              size_t row_stride, size_t row_count, float *scores);

/** Longest int8 vector bm_dot_i8_scan() accepts: 131071 * 128 * 128 < 2^31. */
#define BM_DOT_I8_MAX_DIMENSION 131071u

/**
 * Exact int32 dot products of an int8 query with int8 rows (any values
 * -128..127; |result| <= dimension * 2^14, so dimension <= BM_DOT_I8_MAX_DIMENSION,
 * otherwise BM_ERR_INVALID_ARGUMENT).
 */
BM_API BM_NODISCARD bm_status bm_dot_i8_scan(const int8_t *query, const int8_t *rows, size_t dimension,
                                             size_t row_stride, size_t row_count, int32_t *scores);

/**
 * Batches: the dot products of `query_count` queries (query q at queries +
 * q * query_stride) with `row_count` rows, written to scores[q *
 * score_stride + r] (score_stride >= row_count). The rows are read once per
 * block of queries instead of once per query, so call it with rows that fit
 * the cache (e.g. 1 MB at a time) and as many queries as you have. Each
 * score is bit-for-bit what the scan call above gives on the same tier.
 */
BM_API BM_NODISCARD bm_status bm_dot_f32_scan_batch(const float *queries, size_t query_count, size_t query_stride,
                                                    const float *rows, size_t dimension, size_t row_stride,
                                                    size_t row_count, float *scores, size_t score_stride);
/** Batch form of bm_dot_f16_scan() (see bm_dot_f32_scan_batch()). */
BM_API BM_NODISCARD bm_status bm_dot_f16_scan_batch(const float *queries, size_t query_count, size_t query_stride,
                                                    const uint16_t *rows, size_t dimension, size_t row_stride,
                                                    size_t row_count, float *scores, size_t score_stride);
/** Batch form of bm_dot_i8_scan() (see bm_dot_f32_scan_batch()). */
BM_API BM_NODISCARD bm_status bm_dot_i8_scan_batch(const int8_t *queries, size_t query_count, size_t query_stride,
                                                   const int8_t *rows, size_t dimension, size_t row_stride,
                                                   size_t row_count, int32_t *scores, size_t score_stride);

/** Converts floats to IEEE half (round to nearest even; overflow to infinity; NaN kept). */
BM_API void bm_f32_to_f16(const float *input, uint16_t *output, size_t count);
/** Converts IEEE halves to floats (exact). */
BM_API void bm_f16_to_f32(const uint16_t *input, float *output, size_t count);

/** One entry of a top-K result. */
typedef struct bm_scored_id {
  float score;       /**< higher is better; NaN ranks last */
  uint32_t reserved; /**< zero */
  uint64_t id;       /**< caller's identifier; ties are ordered by ascending id */
} bm_scored_id;

/**
 * Selects the `k` best of `count` scores. Entry i has id first_id + i.
 * Writes min(k, number of non-NaN scores) entries to `best`, ordered by
 * score descending, then id ascending, so the result never depends on how
 * a search was split between threads or shards. NaN scores are never
 * selected. *out_count receives the number written.
 */
BM_API BM_NODISCARD bm_status bm_top_k(const float *scores, size_t count, uint64_t first_id, size_t k,
                                       bm_scored_id *best, size_t *out_count);

/**
 * Merges several top-K lists (each ordered as bm_top_k() writes them) into
 * the k best overall, in the same order. Used to combine shards.
 */
BM_API BM_NODISCARD bm_status bm_top_k_merge(const bm_scored_id *const *lists, const size_t *list_counts,
                                             size_t list_total, size_t k, bm_scored_id *best, size_t *out_count);

/**
 * Runs every supported tier against the scalar reference on a fixed
 * pseudo-random input. @return BM_OK, or BM_ERR_INTERNAL with a message
 * naming the kernel and tier that disagree.
 */
BM_API BM_NODISCARD bm_status bm_kernels_self_check(void);

BM_EXTERN_C_END

#endif /* BIOMATCH_BM_KERNELS_H */
