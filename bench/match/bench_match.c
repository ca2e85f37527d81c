/* Matcher speed: prepared probe against a packed gallery of prepared FVC2002
 * DB1+DB2 templates (160 templates, 30-60 minutiae), through bm_match_many,
 * for each instruction-set tier and on 1 and 2 threads. Probes rotate over
 * 16 templates (two impressions of every finger of DB1 is not needed; one
 * per finger and set), so one figure covers several probes; run with
 * --benchmark_repetitions=N for medians. The scalar tier on one thread is the
 * reference measured in the same run (ratios: bench/match/match_ratios.py).
 *
 * usage: bm_bench_match [DATA_DIR] [Google Benchmark flags]
 * DATA_DIR defaults to ../shared/data relative to the working directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_shim.h"
#include "biomatch/biomatch.h"
#include "fvc_protocol.h"

enum { PROBES = 16 };

typedef struct gallery {
  uint8_t *packed;
  size_t packed_size, count;
  size_t offsets[256];
  bm_probe *probes[PROBES];
} gallery;

typedef struct tier_context {
  gallery *data;
  bm_isa isa;
} tier_context;

static void match_scan(bm_bench_state *state, void *context) {
  tier_context *tier = context;
  if (bm_force_isa(tier->isa) != BM_OK) {
    bm_bench_skip_with_error(state, "instruction set not supported here");
    return;
  }
  gallery *g = tier->data;
  float scores[256];
  size_t probe = (size_t)bm_bench_thread_index(state) * 7;
  while (bm_bench_keep_running(state)) {
    if (bm_match_many(g->probes[probe % PROBES], g->packed, g->packed_size, g->offsets, g->count, scores) != BM_OK) {
      bm_bench_skip_with_error(state, bm_last_error_message());
      return;
    }
    ++probe;
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)g->count);
  bm_bench_set_counter(state, "comparisons_per_s", (double)bm_bench_iterations(state) * (double)g->count, 1);
  /* Counters are summed over threads: divide so the figure stays per template. */
  bm_bench_set_counter(state, "bytes_per_template",
                       (double)g->packed_size / (double)g->count / bm_bench_thread_count(state), 0);
}

static int load(const char *data_dir, gallery *g) {
  static const char *sets[] = {"fvc2002_db1_b", "fvc2002_db2_b"};
  size_t capacity = 0;
  memset(g, 0, sizeof *g);
  for (int s = 0; s < 2; ++s) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", data_dir, sets[s]);
    static fvc_set set;
    if (!fvc_load(dir, &set)) return 0;
    for (size_t i = 0; i < set.count; ++i) {
      if (g->packed_size + set.size[i] > capacity) {
        capacity = 2 * capacity + set.size[i];
        g->packed = realloc(g->packed, capacity);
      }
      g->offsets[g->count++] = g->packed_size;
      memcpy(g->packed + g->packed_size, set.blob[i], set.size[i]);
      g->packed_size += set.size[i];
      /* Probe: impression 1 of each finger. */
      if (set.impression[i] == 1) {
        const size_t p = (size_t)s * 8 + (size_t)(set.finger[i] - 101) % 8;
        if (!g->probes[p] && bm_probe_create_from_prepared(set.blob[i], set.size[i], &g->probes[p]) != BM_OK) return 0;
      }
    }
    fvc_free(&set);
  }
  return 1;
}

int main(int argc, char **argv) {
  const char *data_dir = "../shared/data";
  if (argc > 1 && argv[1][0] != '-') {
    data_dir = argv[1];
    argv[1] = argv[0];
    ++argv;
    --argc;
  }
  static gallery g;
  if (!load(data_dir, &g)) {
    fprintf(stderr, "bm_bench_match: cannot load FVC2002 templates under %s\n", data_dir);
    return 1;
  }
  static tier_context tiers[3];
  const bm_isa isas[3] = {BM_ISA_SCALAR, BM_ISA_AVX2, BM_ISA_AVX512};
  for (int t = 0; t < 3; ++t) {
    tiers[t].data = &g;
    tiers[t].isa = isas[t];
    if (!bm_isa_is_supported(isas[t])) continue;
    char name[64];
    snprintf(name, sizeof name, "match_many/%s/threads:1", bm_isa_name(isas[t]));
    bm_bench_register(name, match_scan, &tiers[t], 1);
    snprintf(name, sizeof name, "match_many/%s/threads:2", bm_isa_name(isas[t]));
    bm_bench_register(name, match_scan, &tiers[t], 2);
  }
  return bm_bench_run(argc, argv);
}
