/* A thin C interface to Google Benchmark, so benchmarks are written in C
 * over the public biomatch API. Usage:
 *
 *   static void scan(bm_bench_state *state, void *context) {
 *     while (bm_bench_keep_running(state)) { ...work... }
 *     bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * bytes_per_iteration);
 *   }
 *   int main(int argc, char **argv) {
 *     bm_bench_register("scan/avx2", scan, context, 0);
 *     return bm_bench_run(argc, argv);   // --benchmark_format=json etc. work
 *   }
 */
#ifndef BIOMATCH_BENCH_SHIM_H
#define BIOMATCH_BENCH_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bm_bench_state bm_bench_state;
typedef void (*bm_bench_function)(bm_bench_state *state, void *context);

/* Registers `function` under `name`. threads > 1 runs it on that many
 * threads at once (Google Benchmark's ->Threads(n)); 0 or 1 means one.
 * Real (wall-clock) time is used, so multi-threaded runs report throughput. */
void bm_bench_register(const char *name, bm_bench_function function, void *context, int threads);

/* Loop condition of the timed region. */
int bm_bench_keep_running(bm_bench_state *state);
int64_t bm_bench_iterations(const bm_bench_state *state);
int bm_bench_thread_index(const bm_bench_state *state);
int bm_bench_thread_count(const bm_bench_state *state);
void bm_bench_set_bytes_processed(bm_bench_state *state, int64_t bytes);
void bm_bench_set_items_processed(bm_bench_state *state, int64_t items);
/* A named counter; is_rate != 0 divides it by the elapsed time. */
void bm_bench_set_counter(bm_bench_state *state, const char *name, double value, int is_rate);
void bm_bench_set_label(bm_bench_state *state, const char *label);
void bm_bench_skip_with_error(bm_bench_state *state, const char *message);
/* Pauses/resumes timing (for per-iteration set-up). */
void bm_bench_pause_timing(bm_bench_state *state);
void bm_bench_resume_timing(bm_bench_state *state);

/* Parses Google Benchmark's flags, runs what was registered, returns 0 on success. */
int bm_bench_run(int argc, char **argv);

#ifdef __cplusplus
}
#endif

#endif
