/* Prefilter scan rate against the machine's memory read bandwidth,
 * measured in the same run over the same array (the machine is shared and
 * noisy: the ratio is what counts), plus encoding rate.
 *
 * The gallery is 524,288 codes of 512 bytes (256 MB, far beyond the
 * caches): half of a one-million-finger shard. Code contents do not change the
 * work done (popcounts), so they are random at the density of real codes
 * (24% of the bits set). Every supported tier is registered; threads:2
 * splits the codes between two OpenMP threads, as a gallery splits a
 * shard. "scan_select" adds choosing the best 5%.
 *
 *   build/bench/prefilter/bm_bench_prefilter [DATA_DIR] --benchmark_repetitions=5 \
 *       --benchmark_out=prefilter.json --benchmark_out_format=json
 *   python3 bench/prefilter/prefilter_ratios.py prefilter.json   # wall and CPU ratios to the read
 *
 * With DATA_DIR (the shared data folder), encoding is timed on the
 * FVC2002 DB1 B ISO templates. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_bandwidth.h"
#include "bench_shim.h"
#include "biomatch/biomatch.h"
#include "prefilter/prefilter_internal.h"

#define GALLERY_CODES ((size_t)1 << 19)

typedef struct scan_case {
  bm_isa isa;
  int threads;
  int select;
} scan_case;

static struct {
  uint8_t *codes, *probe;
  size_t count, bytes;
  uint32_t *similarities, *selected;
  bm_template *templates[80];
  size_t template_count;
} data;

static uint64_t random_state = 0x9E3779B97F4A7C15ULL;
static uint64_t next_random(void) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return random_state;
}

/* A random code with about 24% of its feature bits set and a valid trailer. */
static void random_code(uint8_t *code) {
  memset(code, 0, data.bytes);
  uint32_t ones = 0;
  for (size_t w = 0; w < BM_PREFILTER_FEATURE_WORDS; ++w) {
    uint64_t word = 0;
    for (int bit = 0; bit < 64; ++bit)
      if (next_random() % 100 < 24) word |= (uint64_t)1 << bit;
    memcpy(code + 8 * w, &word, 8);
    ones += (uint32_t)__builtin_popcountll(word);
  }
  for (int i = 0; i < 4; ++i) code[BM_PREFILTER_FEATURE_BYTES + i] = (uint8_t)(ones >> (8 * i));
  code[BM_PREFILTER_FEATURE_BYTES + 4] = BM_PREFILTER_VERSION;
}

static void prepare_data(void) {
  data.bytes = bm_prefilter_code_bytes_();
  data.count = GALLERY_CODES;
  data.codes = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, data.count * data.bytes);
  data.probe = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, data.bytes);
  data.similarities = malloc(data.count * sizeof *data.similarities);
  data.selected = malloc(data.count * sizeof *data.selected);
  if (!data.codes || !data.probe || !data.similarities || !data.selected) {
    fprintf(stderr, "bm_bench_prefilter: out of memory\n");
    exit(1);
  }
  /* 4,096 distinct codes repeated: filling 256 MB bit by bit would take longer than the runs. */
  for (size_t i = 0; i < 4096; ++i) random_code(data.codes + i * data.bytes);
  for (size_t i = 4096; i < data.count; ++i) memcpy(data.codes + i * data.bytes, data.codes + (i % 4096) * data.bytes, data.bytes);
  random_code(data.probe);
}

/* The reference: a plain streaming read of the same code array. */
static void bench_read_bandwidth(bm_bench_state *state, void *context) {
  bm_bench_measure_read_bandwidth(state, (const uint64_t *)(const void *)data.codes, data.count * data.bytes / 8,
                                  *(const int *)context);
}

static void bench_scan(bm_bench_state *state, void *context) {
  const scan_case *scan = context;
  if (bm_force_isa(scan->isa) != BM_OK) {
    bm_bench_skip_with_error(state, "tier not supported");
    return;
  }
  bm_status status = BM_OK;
  size_t selected = 0;
  while (bm_bench_keep_running(state)) {
#pragma omp parallel num_threads(scan->threads)
    {
      const size_t per_thread = (data.count + (size_t)omp_get_num_threads() - 1) / (size_t)omp_get_num_threads();
      const size_t first = per_thread * (size_t)omp_get_thread_num();
      const size_t count = first >= data.count ? 0 : (data.count - first < per_thread ? data.count - first : per_thread);
      const bm_status thread_status =
          bm_prefilter_scan_(data.probe, data.codes + first * data.bytes, count, data.similarities + first);
      if (thread_status != BM_OK) {
#pragma omp critical
        status = thread_status;
      }
    }
    if (scan->select && status == BM_OK)
      status = bm_prefilter_select_(data.similarities, data.count, 0.05, data.selected, &selected);
  }
  if (status != BM_OK) bm_bench_skip_with_error(state, bm_last_error_message());
  bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * (int64_t)(data.count * data.bytes));
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)data.count);
}

static void bench_encode(bm_bench_state *state, void *context) {
  (void)context;
  size_t next = 0;
  uint8_t *code = aligned_alloc(BM_PREFILTER_CODE_ALIGNMENT, data.bytes);
  while (bm_bench_keep_running(state)) {
    if (bm_prefilter_encode_(data.templates[next], code) != BM_OK) {
      bm_bench_skip_with_error(state, bm_last_error_message());
      break;
    }
    next = (next + 1) % data.template_count;
  }
  free(code);
  bm_bench_set_items_processed(state, bm_bench_iterations(state));
}

static void load_templates(const char *data_dir) {
  for (int f = 101; f <= 110; ++f)
    for (int i = 1; i <= 8; ++i) {
      char path[4096];
      snprintf(path, sizeof path, "%s/fvc2002_db1_b/%d_%d.iso", data_dir, f, i);
      bm_template *tpl = NULL;
      if (bm_template_read_file(path, &tpl) == BM_OK) data.templates[data.template_count++] = tpl;
    }
}

int main(int argc, char **argv) {
  /* A leading argument that is not a flag names the data folder. */
  if (argc > 1 && argv[1][0] != '-') {
    load_templates(argv[1]);
    argv[1] = argv[0];
    ++argv;
    --argc;
  }
  prepare_data();
  static const int one = 1, two = 2;
  bm_bench_register("read_bandwidth/threads:1", bench_read_bandwidth, (void *)&one, 0);
  bm_bench_register("read_bandwidth/threads:2", bench_read_bandwidth, (void *)&two, 0);
  static const bm_isa isas[] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512, BM_ISA_NEON};
  static scan_case cases[16];
  size_t case_count = 0;
  const bm_isa best = bm_best_isa();
  for (size_t i = 0; i < sizeof isas / sizeof *isas; ++i) {
    if (!bm_isa_is_supported(isas[i])) continue;
    for (int threads = 1; threads <= 2; ++threads) {
      if (threads == 2 && isas[i] != best) continue; /* scaling is shown for the tier in use */
      scan_case *scan = &cases[case_count++];
      *scan = (scan_case){isas[i], threads, 0};
      char name[128];
      snprintf(name, sizeof name, "prefilter_scan/%s/threads:%d", bm_isa_name(isas[i]), threads);
      bm_bench_register(name, bench_scan, scan, 0);
    }
  }
  scan_case *select_case = &cases[case_count++];
  *select_case = (scan_case){best, 1, 1};
  char name[128];
  snprintf(name, sizeof name, "prefilter_scan_select/%s/threads:1", bm_isa_name(best));
  bm_bench_register(name, bench_scan, select_case, 0);
  if (data.template_count) bm_bench_register("prefilter_encode/fvc2002_db1_b", bench_encode, NULL, 0);
  const int status = bm_bench_run(argc, argv);
  for (size_t i = 0; i < data.template_count; ++i) bm_template_free(data.templates[i]);
  free(data.codes);
  free(data.probe);
  free(data.similarities);
  free(data.selected);
  return status;
}
