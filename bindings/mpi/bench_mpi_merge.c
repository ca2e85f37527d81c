/* Cost of the identification reduction's merge (mpi_candidates.h) per
 * query: one merge of two top-K blocks, as each step of MPI's reduction
 * tree does, against the same run's copy of one block (the bytes MPI moves
 * for that step anyway). R ranks cost R-1 merges per query in total.
 *
 *   bench_mpi_merge --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
 *       --benchmark_format=json */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_shim.h"
#include "mpi_candidates.h"

typedef struct merge_case {
  uint32_t top_k;
  bm_mpi_block_ *a, *b, *scratch;
  size_t bytes;
} merge_case;

static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

static int by_order(const void *x, const void *y) { return bm_mpi_candidate_order_(x, y); }

/* A full block of sorted random candidates with ids of one rank ("rR-..."). */
static bm_mpi_block_ *random_block(uint32_t top_k, int rank, uint64_t *state) {
  bm_mpi_block_ *block = malloc(bm_mpi_block_bytes_(top_k));
  bm_mpi_block_init_(block, top_k, BM_OK);
  bm_mpi_candidate_ *slots = bm_mpi_block_slots_(block);
  for (uint32_t i = 0; i < top_k; ++i) {
    snprintf(slots[i].id, sizeof slots[i].id, "r%d-person-%08llu", rank,
             (unsigned long long)(next_random(state) % 100000000));
    slots[i].score = (double)(next_random(state) % 4000) / 100.0;
    slots[i].finger_count = 2;
  }
  qsort(slots, top_k, sizeof *slots, by_order);
  block->count = top_k;
  return block;
}

static void merge(bm_bench_state *state, void *context) {
  merge_case *c = context;
  while (bm_bench_keep_running(state)) {
    memcpy(c->scratch, c->b, c->bytes); /* inout is overwritten: restore it, as the reference copies too */
    bm_mpi_block_merge_(c->a, c->scratch);
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state));
}

static void copy_only(bm_bench_state *state, void *context) {
  merge_case *c = context;
  while (bm_bench_keep_running(state)) {
    memcpy(c->scratch, c->b, c->bytes);
    memcpy((char *)c->scratch + c->bytes / 2, c->a, c->bytes / 2);
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state));
}

int main(int argc, char **argv) {
  static merge_case cases[3];
  const uint32_t ks[3] = {10, 100, 1000};
  uint64_t state = 42;
  char name[64];
  for (int i = 0; i < 3; ++i) {
    merge_case *c = &cases[i];
    c->top_k = ks[i];
    c->bytes = bm_mpi_block_bytes_(ks[i]);
    c->a = random_block(ks[i], 0, &state);
    c->b = random_block(ks[i], 1, &state);
    c->scratch = malloc(c->bytes);
    snprintf(name, sizeof name, "merge/top_k:%u", ks[i]);
    bm_bench_register(name, merge, c, 0);
    snprintf(name, sizeof name, "reference_copy/top_k:%u", ks[i]);
    bm_bench_register(name, copy_only, c, 0);
  }
  return bm_bench_run(argc, argv);
}
