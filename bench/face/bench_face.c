/* Face search speed on 1,000,000 synthetic 512-d unit vectors, one core,
 * against two references measured in the same run: the memory read
 * bandwidth and Debian's FAISS (IndexFlatIP, IndexScalarQuantizer 8-bit),
 * called through its C API.
 *
 *   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 build/bench/face/bench_face \
 *     --benchmark_out=face.json --benchmark_out_format=json
 *   python3 bench/face/face_ratios.py face.json
 */
#include <faiss/c_api/IndexFlat_c.h>
#include <faiss/c_api/IndexScalarQuantizer_c.h>
#include <faiss/c_api/Index_c.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "bench_bandwidth.h"
#include "bench_shim.h"
#include "biomatch/bm_face.h"

enum { DIMENSION = 512, K = 10, BATCH = 100 };
static size_t vector_count = 1000000;

static float *vectors, *queries;
static bm_face_index *indexes[3];
static FaissIndex *faiss_flat, *faiss_sq8;
static uint64_t *bandwidth_buffer;
static size_t bandwidth_words;
static volatile uint64_t sink;

static uint64_t rng = 88172645463325252ULL;
static float gaussian(void) {
  double u[2];
  for (int i = 0; i < 2; ++i) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    u[i] = ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
  }
  return (float)(sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]));
}

static void make_unit(float *v) {
  double norm = 0;
  for (int d = 0; d < DIMENSION; ++d) v[d] = gaussian(), norm += (double)v[d] * v[d];
  for (int d = 0; d < DIMENSION; ++d) v[d] = (float)(v[d] / sqrt(norm));
}

static void check(int failed, const char *what) {
  if (failed) {
    fprintf(stderr, "bench_face: %s failed: %s\n", what, bm_last_error_message());
    exit(1);
  }
}

static void prepare(void) {
  vectors = malloc(vector_count * DIMENSION * sizeof *vectors);
  queries = malloc(BATCH * DIMENSION * sizeof *queries);
  check(!vectors || !queries, "allocation");
  for (size_t i = 0; i < vector_count; ++i) make_unit(vectors + i * DIMENSION);
  for (size_t i = 0; i < BATCH; ++i) make_unit(queries + i * DIMENSION);
  const bm_face_storage storages[] = {BM_FACE_F32, BM_FACE_F16, BM_FACE_INT8};
  for (int s = 0; s < 3; ++s) {
    check(bm_face_index_create(DIMENSION, storages[s], 0, &indexes[s]) != BM_OK, "create");
    for (size_t i = 0; i < vector_count; ++i)
      check(bm_face_index_add(indexes[s], i, vectors + i * DIMENSION, DIMENSION) != BM_OK, "add");
  }
  check(faiss_IndexFlatIP_new_with((FaissIndexFlatIP **)&faiss_flat, DIMENSION) != 0, "faiss flat");
  check(faiss_Index_add(faiss_flat, (idx_t)vector_count, vectors) != 0, "faiss add");
  check(faiss_IndexScalarQuantizer_new_with((FaissIndexScalarQuantizer **)&faiss_sq8, DIMENSION, QT_8bit,
                                            METRIC_INNER_PRODUCT) != 0, "faiss sq8");
  check(faiss_Index_train(faiss_sq8, (idx_t)(vector_count < 100000 ? vector_count : 100000), vectors) != 0,
        "faiss sq8 train");
  check(faiss_Index_add(faiss_sq8, (idx_t)vector_count, vectors) != 0, "faiss sq8 add");
  free(vectors); /* every index holds its own copy */
  bandwidth_words = ((size_t)1 << 30) / sizeof(uint64_t);
  bandwidth_buffer = bm_bench_allocate_pages(bandwidth_words * sizeof *bandwidth_buffer);
  check(!bandwidth_buffer, "allocation");
  for (size_t i = 0; i < bandwidth_words; ++i) bandwidth_buffer[i] = i;
}

/* The same-run reference shared by every benchmark (bench/bench_bandwidth.c), one thread. */
static void bench_read_bandwidth(bm_bench_state *state, void *context) {
  (void)context;
  bm_bench_measure_read_bandwidth(state, bandwidth_buffer, bandwidth_words, 1);
}

static void bench_exact_single(bm_bench_state *state, void *context) {
  const bm_face_index *index = *(bm_face_index *const *)context;
  bm_scored_id results[K];
  size_t found;
  size_t q = 0;
  while (bm_bench_keep_running(state)) {
    if (bm_face_index_search(index, queries + (q++ % BATCH) * DIMENSION, DIMENSION, K, 0, 1, results, &found) != BM_OK)
      bm_bench_skip_with_error(state, bm_last_error_message());
  }
  bm_bench_set_bytes_processed(state, bm_bench_iterations(state) * (int64_t)bm_face_index_storage_bytes(index));
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)vector_count);
}

static void bench_exact_batch(bm_bench_state *state, void *context) {
  const bm_face_index *index = *(bm_face_index *const *)context;
  static bm_scored_id results[BATCH * K];
  size_t counts[BATCH];
  while (bm_bench_keep_running(state))
    if (bm_face_index_search_batch(index, queries, BATCH, DIMENSION, K, 1, results, counts) != BM_OK)
      bm_bench_skip_with_error(state, bm_last_error_message());
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)(vector_count * BATCH));
}

static void bench_faiss(bm_bench_state *state, void *context, int batch) {
  FaissIndex *index = *(FaissIndex **)context;
  static float distances[BATCH * K];
  static idx_t labels[BATCH * K];
  size_t q = 0;
  const int n = batch ? BATCH : 1;
  while (bm_bench_keep_running(state)) {
    const float *query = batch ? queries : queries + (q++ % BATCH) * DIMENSION;
    if (faiss_Index_search(index, n, query, K, distances, labels) != 0) bm_bench_skip_with_error(state, "faiss search");
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)(vector_count * (size_t)n));
}
static void bench_faiss_single(bm_bench_state *state, void *context) { bench_faiss(state, context, 0); }
static void bench_faiss_batch(bm_bench_state *state, void *context) { bench_faiss(state, context, 1); }

int main(int argc, char **argv) {
  const char *count = getenv("BM_BENCH_FACE_VECTORS");
  if (count) vector_count = strtoull(count, NULL, 10);
  prepare();
  bm_bench_register("read_bandwidth", bench_read_bandwidth, NULL, 0);
  bm_bench_register("biomatch_exact/f32/single", bench_exact_single, &indexes[0], 0);
  bm_bench_register("biomatch_exact/f16/single", bench_exact_single, &indexes[1], 0);
  bm_bench_register("biomatch_exact/int8/single", bench_exact_single, &indexes[2], 0);
  bm_bench_register("faiss_IndexFlatIP/single", bench_faiss_single, &faiss_flat, 0);
  bm_bench_register("faiss_IndexScalarQuantizer8/single", bench_faiss_single, &faiss_sq8, 0);
  bm_bench_register("biomatch_exact/f32/batch100", bench_exact_batch, &indexes[0], 0);
  bm_bench_register("biomatch_exact/f16/batch100", bench_exact_batch, &indexes[1], 0);
  bm_bench_register("biomatch_exact/int8/batch100", bench_exact_batch, &indexes[2], 0);
  bm_bench_register("faiss_IndexFlatIP/batch100", bench_faiss_batch, &faiss_flat, 0);
  return bm_bench_run(argc, argv);
}
