/* Kernel throughput against the machine's memory read bandwidth, measured
 * in the same run (the machine is shared and noisy: ratios are what count).
 *
 * Galleries are far larger than the caches (512 MB int8/f16/Hamming, 256 MB
 * f32), 512-d embeddings and 512-bit codes, one query at a time: the shape
 * of a 1:N scan. Every supported tier is registered; "threads:2" variants
 * split the rows between two OpenMP threads.
 *
 *   build/bench/bench_kernels --benchmark_out=kernels.json --benchmark_out_format=json
 *   python3 bench/kernel_ratios.py kernels.json      # the ratio table
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_bandwidth.h"
#include "bench_shim.h"
#include "biomatch/bm_kernels.h"

enum { DIMENSION = 512, CODE_WORDS = 8 };
#define GALLERY_BYTES ((size_t)512 << 20)

typedef enum kernel_kind { KERNEL_F32, KERNEL_F16, KERNEL_I8, KERNEL_HAMMING } kernel_kind;

typedef struct scan_case {
  kernel_kind kind;
  bm_isa isa;
  int threads;
} scan_case;

static struct {
  float *query, *f32_rows;
  uint16_t *f16_rows;
  int8_t *i8_query, *i8_rows;
  uint64_t *code_probe, *code_rows;
  size_t f32_count, f16_count, i8_count, code_count;
  float *float_scores;
  int32_t *int_scores;
  uint32_t *distances;
  uint64_t *bandwidth_buffer;
  size_t bandwidth_words;
} data;

/* Every buffer with the reference's page policy (bench_bandwidth.h). */
static void *allocate(size_t bytes) { return bm_bench_allocate_pages(bytes); }

static uint64_t random_state = 0x12345678ULL;
static uint64_t next_random(void) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return random_state;
}

static void prepare_data(void) {
  data.f32_count = (GALLERY_BYTES / 2) / (DIMENSION * sizeof(float));
  data.f16_count = GALLERY_BYTES / (DIMENSION * sizeof(uint16_t));
  data.i8_count = GALLERY_BYTES / DIMENSION;
  data.code_count = GALLERY_BYTES / (CODE_WORDS * sizeof(uint64_t));
  data.query = allocate(DIMENSION * sizeof(float));
  data.i8_query = allocate(DIMENSION);
  data.code_probe = allocate(CODE_WORDS * sizeof(uint64_t));
  data.f32_rows = allocate(data.f32_count * DIMENSION * sizeof(float));
  data.f16_rows = allocate(data.f16_count * DIMENSION * sizeof(uint16_t));
  data.i8_rows = allocate(data.i8_count * DIMENSION);
  data.code_rows = allocate(data.code_count * CODE_WORDS * sizeof(uint64_t));
  data.float_scores = allocate(data.f16_count * sizeof(float));
  data.int_scores = allocate(data.i8_count * sizeof(int32_t));
  data.distances = allocate(data.code_count * sizeof(uint32_t));
  for (size_t i = 0; i < DIMENSION; ++i) {
    data.query[i] = (float)(next_random() % 2001) / 1000.0f - 1.0f;
    data.i8_query[i] = (int8_t)next_random();
  }
  for (size_t i = 0; i < CODE_WORDS; ++i) data.code_probe[i] = next_random();
  for (size_t i = 0; i < data.f32_count * DIMENSION; ++i) data.f32_rows[i] = (float)(next_random() % 2001) / 1000.0f - 1.0f;
  for (size_t i = 0; i < data.f16_count * DIMENSION; ++i) data.f16_rows[i] = (uint16_t)(0x3000 + next_random() % 0x0c00);
  for (size_t i = 0; i < data.i8_count * DIMENSION; ++i) data.i8_rows[i] = (int8_t)next_random();
  for (size_t i = 0; i < data.code_count * CODE_WORDS; ++i) data.code_rows[i] = next_random();
  data.bandwidth_words = GALLERY_BYTES * 2 / sizeof(uint64_t);
  data.bandwidth_buffer = allocate(data.bandwidth_words * sizeof(uint64_t));
  for (size_t i = 0; i < data.bandwidth_words; ++i) data.bandwidth_buffer[i] = i;
}

/* The reference: a plain streaming read of 1 GB. */
static void bench_read_bandwidth(bm_bench_state *state, void *context) {
  bm_bench_measure_read_bandwidth(state, data.bandwidth_buffer, data.bandwidth_words, *(const int *)context);
}

static size_t row_count_of(kernel_kind kind) {
  switch (kind) {
    case KERNEL_F32: return data.f32_count;
    case KERNEL_F16: return data.f16_count;
    case KERNEL_I8: return data.i8_count;
    case KERNEL_HAMMING: return data.code_count;
  }
  return 0;
}

static size_t row_bytes_of(kernel_kind kind) {
  switch (kind) {
    case KERNEL_F32: return DIMENSION * sizeof(float);
    case KERNEL_F16: return DIMENSION * sizeof(uint16_t);
    case KERNEL_I8: return DIMENSION;
    case KERNEL_HAMMING: return CODE_WORDS * sizeof(uint64_t);
  }
  return 0;
}

static bm_status scan_rows(kernel_kind kind, size_t first, size_t count) {
  switch (kind) {
    case KERNEL_F32:
      return bm_dot_f32_scan(data.query, data.f32_rows + first * DIMENSION, DIMENSION, DIMENSION, count, data.float_scores + first);
    case KERNEL_F16:
      return bm_dot_f16_scan(data.query, data.f16_rows + first * DIMENSION, DIMENSION, DIMENSION, count, data.float_scores + first);
    case KERNEL_I8:
      return bm_dot_i8_scan(data.i8_query, data.i8_rows + first * DIMENSION, DIMENSION, DIMENSION, count, data.int_scores + first);
    case KERNEL_HAMMING:
      return bm_hamming_scan(data.code_probe, data.code_rows + first * CODE_WORDS, CODE_WORDS, CODE_WORDS, count, data.distances + first);
  }
  return BM_ERR_INVALID_ARGUMENT;
}

static void bench_scan(bm_bench_state *state, void *context) {
  const scan_case *scan = context;
  if (bm_force_isa(scan->isa) != BM_OK) {
    bm_bench_skip_with_error(state, "instruction set not supported here");
    return;
  }
  const size_t rows = row_count_of(scan->kind);
  bm_status status = BM_OK;
  while (bm_bench_keep_running(state)) {
#pragma omp parallel num_threads(scan->threads)
    {
      const size_t per_thread = (rows + (size_t)omp_get_num_threads() - 1) / (size_t)omp_get_num_threads();
      const size_t first = per_thread * (size_t)omp_get_thread_num();
      const size_t count = first >= rows ? 0 : (rows - first < per_thread ? rows - first : per_thread);
      bm_status thread_status = scan_rows(scan->kind, first, count);
      if (thread_status != BM_OK) {
#pragma omp atomic write
        status = thread_status;
      }
    }
  }
  if (status != BM_OK) bm_bench_skip_with_error(state, bm_last_error_message());
  bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * (int64_t)(rows * row_bytes_of(scan->kind)));
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)rows);
}

int main(int argc, char **argv) {
  prepare_data();
  static const int one = 1, two = 2;
  bm_bench_register("read_bandwidth/threads:1", bench_read_bandwidth, (void *)&one, 0);
  bm_bench_register("read_bandwidth/threads:2", bench_read_bandwidth, (void *)&two, 0);
  static const char *kind_names[] = {"dot_f32_512d", "dot_f16_512d", "dot_i8_512d", "hamming_512bit"};
  static const bm_isa isas[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  static scan_case cases[4 * 4 * 2];
  size_t case_count = 0;
  for (int kind = 0; kind < 4; ++kind)
    for (int i = 0; i < 4; ++i) {
      if (!bm_isa_is_supported(isas[i])) continue;
      for (int threads = 1; threads <= 2; ++threads) {
        if (threads == 2 && isas[i] != bm_best_isa()) continue; /* scaling is shown for the tier in use */
        scan_case *scan = &cases[case_count++];
        *scan = (scan_case){(kernel_kind)kind, isas[i], threads};
        char name[96];
        snprintf(name, sizeof name, "%s/%s/threads:%d", kind_names[kind], bm_isa_name(isas[i]), threads);
        bm_bench_register(name, bench_scan, scan, 0);
      }
    }
  return bm_bench_run(argc, argv);
}
