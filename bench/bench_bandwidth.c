/* The memory-read bandwidth reference of the benchmarks (bench_bandwidth.h). */
#include "bench_bandwidth.h"

#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#if defined(__linux__)
#  include <sys/mman.h>
#endif

/* The reference is the fastest plain read this machine does: the widest
 * vector loads it has (a scalar loop issues eight times the load
 * instructions and, measured here, reads a quarter slower than AVX-512),
 * four independent sums so the loop is bound by memory, not by one
 * addition chain. A kernel's share of it is then a share of what the
 * memory can deliver to one core, not of what a weak loop fetches. */
static uint64_t read_words_portable(const uint64_t *words, size_t count) {
  uint64_t sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
  for (size_t i = 0; i + 4 <= count; i += 4) sum0 += words[i], sum1 += words[i + 1], sum2 += words[i + 2], sum3 += words[i + 3];
  return sum0 + sum1 + sum2 + sum3;
}

#if defined(__x86_64__) && defined(__GNUC__)
#  include <immintrin.h>

__attribute__((target("avx2"))) static uint64_t read_words_avx2(const uint64_t *words, size_t count) {
  __m256i sum0 = _mm256_setzero_si256(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
  size_t i = 0;
  for (; i + 16 <= count; i += 16) {
    sum0 = _mm256_add_epi64(sum0, _mm256_loadu_si256((const __m256i *)(const void *)(words + i)));
    sum1 = _mm256_add_epi64(sum1, _mm256_loadu_si256((const __m256i *)(const void *)(words + i + 4)));
    sum2 = _mm256_add_epi64(sum2, _mm256_loadu_si256((const __m256i *)(const void *)(words + i + 8)));
    sum3 = _mm256_add_epi64(sum3, _mm256_loadu_si256((const __m256i *)(const void *)(words + i + 12)));
  }
  uint64_t lanes[4];
  _mm256_storeu_si256((__m256i *)(void *)lanes, _mm256_add_epi64(_mm256_add_epi64(sum0, sum1), _mm256_add_epi64(sum2, sum3)));
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + read_words_portable(words + i, count - i);
}

__attribute__((target("avx512f"))) static uint64_t read_words_avx512(const uint64_t *words, size_t count) {
  __m512i sum0 = _mm512_setzero_si512(), sum1 = sum0, sum2 = sum0, sum3 = sum0;
  size_t i = 0;
  for (; i + 32 <= count; i += 32) {
    sum0 = _mm512_add_epi64(sum0, _mm512_loadu_si512(words + i));
    sum1 = _mm512_add_epi64(sum1, _mm512_loadu_si512(words + i + 8));
    sum2 = _mm512_add_epi64(sum2, _mm512_loadu_si512(words + i + 16));
    sum3 = _mm512_add_epi64(sum3, _mm512_loadu_si512(words + i + 24));
  }
  return (uint64_t)_mm512_reduce_add_epi64(_mm512_add_epi64(_mm512_add_epi64(sum0, sum1), _mm512_add_epi64(sum2, sum3))) +
         read_words_portable(words + i, count - i);
}

static uint64_t read_words(const uint64_t *words, size_t count) {
  if (__builtin_cpu_supports("avx512f")) return read_words_avx512(words, count);
  if (__builtin_cpu_supports("avx2")) return read_words_avx2(words, count);
  return read_words_portable(words, count);
}
#else
static uint64_t read_words(const uint64_t *words, size_t count) { return read_words_portable(words, count); }
#endif

static volatile uint64_t sink;

void bm_bench_measure_read_bandwidth(bm_bench_state *state, const uint64_t *words, size_t count, int threads) {
  while (bm_bench_keep_running(state)) {
    uint64_t total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    {
      const size_t per_thread = count / (size_t)omp_get_num_threads();
      const size_t start = per_thread * (size_t)omp_get_thread_num();
      total += read_words(words + start, per_thread);
    }
    sink = total;
  }
  bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * (int64_t)(count * sizeof(uint64_t)));
}

void *bm_bench_allocate_pages(size_t bytes) {
  const size_t huge = (size_t)2 << 20;
  const size_t rounded = (bytes + huge - 1) / huge * huge;
  void *memory = aligned_alloc(huge, rounded ? rounded : huge);
  if (!memory) {
    fprintf(stderr, "benchmark: cannot allocate %zu bytes\n", bytes);
    exit(1);
  }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  (void)madvise(memory, rounded, MADV_HUGEPAGE); /* advice: without it the buffer still works */
#endif
  return memory;
}
