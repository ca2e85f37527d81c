// The only C++ of the benchmarks: forwards the C interface of bench_shim.h
// to Google Benchmark.
#include "bench_shim.h"

#include <benchmark/benchmark.h>

#include <string>

struct bm_bench_state {
  benchmark::State *state;
};

extern "C" {

void bm_bench_register(const char *name, bm_bench_function function, void *context, int threads) {
  auto *registered = benchmark::RegisterBenchmark(std::string(name).c_str(), [function, context](benchmark::State &state) {
    bm_bench_state wrapper{&state};
    function(&wrapper, context);
  });
  registered->UseRealTime();
  if (threads > 1) registered->Threads(threads);
}

int bm_bench_keep_running(bm_bench_state *state) { return state->state->KeepRunning() ? 1 : 0; }
int64_t bm_bench_iterations(const bm_bench_state *state) { return static_cast<int64_t>(state->state->iterations()); }
int bm_bench_thread_index(const bm_bench_state *state) { return state->state->thread_index(); }
int bm_bench_thread_count(const bm_bench_state *state) { return state->state->threads(); }
void bm_bench_set_bytes_processed(bm_bench_state *state, int64_t bytes) { state->state->SetBytesProcessed(bytes); }
void bm_bench_set_items_processed(bm_bench_state *state, int64_t items) { state->state->SetItemsProcessed(items); }

void bm_bench_set_counter(bm_bench_state *state, const char *name, double value, int is_rate) {
  state->state->counters[name] =
      benchmark::Counter(value, is_rate ? benchmark::Counter::kIsRate : benchmark::Counter::kDefaults);
}

void bm_bench_set_label(bm_bench_state *state, const char *label) { state->state->SetLabel(label); }
void bm_bench_skip_with_error(bm_bench_state *state, const char *message) { state->state->SkipWithError(message); }
void bm_bench_pause_timing(bm_bench_state *state) { state->state->PauseTiming(); }
void bm_bench_resume_timing(bm_bench_state *state) { state->state->ResumeTiming(); }

int bm_bench_run(int argc, char **argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // extern "C"
