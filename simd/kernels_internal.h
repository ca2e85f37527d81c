/* Internal interface of the kernel layer: one table of function pointers
 * per instruction-set tier, filled from the per-ISA files, and the
 * per-function target attributes those files use.
 *
 * No file is compiled with a global -mavx2: each SIMD function carries a
 * target attribute, so the library still loads and runs on any x86-64 and
 * the dispatcher (compiled at baseline) picks the tier at run time. */
#ifndef BIOMATCH_SIMD_KERNELS_INTERNAL_H
#define BIOMATCH_SIMD_KERNELS_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "biomatch/bm_kernels.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#  define BM_ARCH_X86_64 1
/* Haswell-class: AVX2 with FMA, F16C and POPCNT. */
#  define BM_TARGET_AVX2 __attribute__((target("avx2,fma,f16c,popcnt,bmi,bmi2")))
/* Ice Lake-class: AVX-512 F/BW/VL/DQ with VPOPCNTDQ and VNNI. */
#  define BM_TARGET_AVX512                                                                        \
    __attribute__((target("avx2,fma,f16c,popcnt,bmi,bmi2,avx512f,avx512bw,avx512vl,avx512dq," \
                          "avx512vpopcntdq,avx512vnni")))
#endif
#if defined(__aarch64__)
#  define BM_ARCH_AARCH64 1
#endif

typedef void (*bm_hamming_scan_fn_)(const uint64_t *probe, const uint64_t *rows, size_t words,
                                    size_t row_stride_words, size_t row_count, uint32_t *distances);
typedef void (*bm_hamming_masked_scan_fn_)(const uint64_t *probe_bits, const uint64_t *probe_mask,
                                           const uint64_t *rows, size_t words, size_t row_stride_words,
                                           size_t row_count, bm_masked_counts *counts);
typedef void (*bm_dot_f32_scan_fn_)(const float *query, const float *rows, size_t dimension, size_t row_stride,
                                    size_t row_count, float *scores);
typedef void (*bm_dot_f16_scan_fn_)(const float *query, const uint16_t *rows, size_t dimension, size_t row_stride,
                                    size_t row_count, float *scores);
typedef void (*bm_dot_i8_scan_fn_)(const int8_t *query, const int8_t *rows, size_t dimension, size_t row_stride,
                                   size_t row_count, int32_t *scores);
/* Writes the indices i (ascending) with scores[i] >= threshold; NaN never
 * qualifies. Returns how many were written (indices holds `count` slots). */
/* Batches: scores[q * score_stride + r] for every query q and row r. */
typedef void (*bm_dot_f32_batch_fn_)(const float *queries, size_t query_count, size_t query_stride, const float *rows,
                                     size_t dimension, size_t row_stride, size_t row_count, float *scores,
                                     size_t score_stride);
typedef void (*bm_dot_f16_batch_fn_)(const float *queries, size_t query_count, size_t query_stride,
                                     const uint16_t *rows, size_t dimension, size_t row_stride, size_t row_count,
                                     float *scores, size_t score_stride);
typedef void (*bm_dot_i8_batch_fn_)(const int8_t *queries, size_t query_count, size_t query_stride,
                                    const int8_t *rows, size_t dimension, size_t row_stride, size_t row_count,
                                    int32_t *scores, size_t score_stride);
typedef size_t (*bm_select_at_least_fn_)(const float *scores, size_t count, float threshold, uint32_t *indices);

typedef struct bm_kernel_table_ {
  bm_isa isa;
  bm_hamming_scan_fn_ hamming_scan;
  bm_hamming_masked_scan_fn_ hamming_masked_scan;
  bm_dot_f32_scan_fn_ dot_f32_scan;
  bm_dot_f16_scan_fn_ dot_f16_scan;
  bm_dot_i8_scan_fn_ dot_i8_scan;
  bm_select_at_least_fn_ select_at_least;
  /* Register-blocked batch kernels; NULL where a tier has none, and the
   * batch calls then run the scan kernel once per query (same scores). */
  bm_dot_f32_batch_fn_ dot_f32_batch;
  bm_dot_f16_batch_fn_ dot_f16_batch;
  bm_dot_i8_batch_fn_ dot_i8_batch;
} bm_kernel_table_;

/* The kernels of one tier, or NULL when that tier is not compiled in or the
 * CPU/OS does not support it. Tests call each tier directly through this. */
const bm_kernel_table_ *bm_kernels_for_isa_(bm_isa isa);
/* The active tier's kernels (initialised once, thread-safely, on first use). */
const bm_kernel_table_ *bm_kernels_active_(void);

/* CPU feature detection (cpu_features.c). */
int bm_cpu_supports_avx2_(void);
int bm_cpu_supports_avx512_(void);
int bm_cpu_supports_neon_(void);

/* Scalar half-float conversion, shared by the reference and SIMD tails. */
float bm_f16_to_f32_scalar_(uint16_t half);
uint16_t bm_f32_to_f16_scalar_(float value);

#define BM_DECLARE_KERNELS_(suffix)                                                                           \
  void bm_hamming_scan_##suffix##_(const uint64_t *, const uint64_t *, size_t, size_t, size_t, uint32_t *);   \
  void bm_hamming_masked_scan_##suffix##_(const uint64_t *, const uint64_t *, const uint64_t *, size_t, size_t, \
                                          size_t, bm_masked_counts *);                                        \
  void bm_dot_f32_scan_##suffix##_(const float *, const float *, size_t, size_t, size_t, float *);            \
  void bm_dot_f16_scan_##suffix##_(const float *, const uint16_t *, size_t, size_t, size_t, float *);         \
  void bm_dot_i8_scan_##suffix##_(const int8_t *, const int8_t *, size_t, size_t, size_t, int32_t *);         \
  size_t bm_select_at_least_##suffix##_(const float *, size_t, float, uint32_t *);

BM_DECLARE_KERNELS_(scalar)
#if BM_ARCH_X86_64
BM_DECLARE_KERNELS_(avx2)
BM_DECLARE_KERNELS_(avx512)
void bm_dot_f32_batch_avx512_(const float *, size_t, size_t, const float *, size_t, size_t, size_t, float *, size_t);
void bm_dot_f16_batch_avx512_(const float *, size_t, size_t, const uint16_t *, size_t, size_t, size_t, float *,
                              size_t);
void bm_dot_i8_batch_avx512_(const int8_t *, size_t, size_t, const int8_t *, size_t, size_t, size_t, int32_t *,
                             size_t);
#endif
#if BM_ARCH_AARCH64
BM_DECLARE_KERNELS_(neon)
#endif

#endif
