/* The memory-read bandwidth reference of the benchmarks (bench_bandwidth.h). */
#include "bench_bandwidth.h"

#include <omp.h>

/* Four independent sums so the loop is bound by memory, not by one addition chain. */
static uint64_t read_words(const uint64_t *words, size_t count) {
  uint64_t sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
  for (size_t i = 0; i + 4 <= count; i += 4) sum0 += words[i], sum1 += words[i + 1], sum2 += words[i + 2], sum3 += words[i + 3];
  return sum0 + sum1 + sum2 + sum3;
}

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
