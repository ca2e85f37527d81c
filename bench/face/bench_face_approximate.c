/* When does approximate search pay off? FAISS HNSW, IVF-Flat and IVF-PQ
 * (through biomatch's FAISS layer) against biomatch's exact int8 and f32
 * scans, on clustered synthetic embeddings: people with several samples
 * each, as in a registry. Each benchmark reports per-query latency and, as
 * counters, recall@10 against the exact f32 result and the build time.
 *
 *   BM_BENCH_FACE_VECTORS=1000000 OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
 *     build/bench/face/bench_face_approximate --benchmark_out=approx.json --benchmark_out_format=json
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_shim.h"
#include "biomatch/bm_face.h"

enum { DIMENSION = 512, K = 10, QUERIES = 200, SAMPLES_PER_PERSON = 4 };
static size_t vector_count = 1000000;
static float *queries;
static uint64_t *truth; /* exact f32 top-K per query */
static bm_face_index *exact_f32, *exact_int8;

typedef struct approximate_index {
  const char *factory;
  bm_face_index *index;
  double build_seconds;
} approximate_index;

static approximate_index approximate[] = {{"HNSW32", NULL, 0}, {"IVF1024,Flat", NULL, 0}, {"IVF1024,PQ64", NULL, 0}};

typedef struct search_case {
  approximate_index *source;
  const char *parameters;
} search_case;

static search_case cases[] = {{&approximate[0], "efSearch=64"}, {&approximate[0], "efSearch=256"},
                              {&approximate[1], "nprobe=16"},   {&approximate[1], "nprobe=64"},
                              {&approximate[2], "nprobe=32"}};

static uint64_t rng = 0x2545F4914F6CDD1DULL;
static float gaussian(void) {
  double u[2];
  for (int i = 0; i < 2; ++i) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    u[i] = ((double)(rng >> 11) + 0.5) / 9007199254740992.0;
  }
  return (float)(sqrt(-2.0 * log(u[0])) * cos(6.283185307179586 * u[1]));
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void must(bm_status status, const char *what) {
  if (status != BM_OK) {
    fprintf(stderr, "bench_face_approximate: %s: %s\n", what, bm_last_error_message());
    exit(1);
  }
}

/* A person is a random direction; a sample adds noise of similar size, so
 * mates score ~0.6 and strangers ~0, much like a face model. A query is a
 * fresh sample of an enrolled person. */
static void prepare(void) {
  must(bm_face_index_create(DIMENSION, BM_FACE_F32, 0, &exact_f32), "create");
  must(bm_face_index_create(DIMENSION, BM_FACE_INT8, 0, &exact_int8), "create");
  for (size_t a = 0; a < sizeof approximate / sizeof approximate[0]; ++a)
    must(bm_face_index_create(DIMENSION, BM_FACE_F32, 0, &approximate[a].index), "create");
  float centre[DIMENSION], sample[DIMENSION];
  queries = malloc(QUERIES * DIMENSION * sizeof *queries);
  const size_t query_stride = vector_count / QUERIES;
  for (size_t i = 0; i < vector_count; ++i) {
    if (i % SAMPLES_PER_PERSON == 0)
      for (int d = 0; d < DIMENSION; ++d) centre[d] = gaussian();
    for (int d = 0; d < DIMENSION; ++d) sample[d] = centre[d] + 0.8f * gaussian();
    must(bm_face_index_add(exact_f32, i, sample, DIMENSION), "add");
    must(bm_face_index_add(exact_int8, i, sample, DIMENSION), "add");
    for (size_t a = 0; a < sizeof approximate / sizeof approximate[0]; ++a)
      must(bm_face_index_add(approximate[a].index, i, sample, DIMENSION), "add");
    if (i % query_stride == 0 && i / query_stride < QUERIES)
      for (int d = 0; d < DIMENSION; ++d) queries[(i / query_stride) * DIMENSION + d] = centre[d] + 0.8f * gaussian();
  }
  truth = malloc(QUERIES * K * sizeof *truth);
  bm_scored_id results[K];
  size_t found;
  for (int q = 0; q < QUERIES; ++q) {
    must(bm_face_index_search(exact_f32, queries + q * DIMENSION, DIMENSION, K, 0, 1, results, &found), "search");
    for (int k = 0; k < K; ++k) truth[q * K + k] = results[k].id;
  }
  for (size_t a = 0; a < sizeof approximate / sizeof approximate[0]; ++a) {
    fprintf(stderr, "building %s over %zu vectors\n", approximate[a].factory, vector_count);
    const double start = now();
    must(bm_face_index_build_approximate(approximate[a].index, approximate[a].factory, NULL), approximate[a].factory);
    approximate[a].build_seconds = now() - start;
  }
}

static double recall_of(const bm_scored_id *results, size_t found, int q) {
  int hits = 0;
  for (size_t i = 0; i < found; ++i)
    for (int k = 0; k < K; ++k) hits += results[i].id == truth[q * K + k];
  return (double)hits / K;
}

static void bench_exact(bm_bench_state *state, void *context) {
  bm_face_index *index = *(bm_face_index **)context;
  bm_scored_id results[K];
  size_t found;
  int q = 0;
  double recall = 0;
  int64_t searches = 0;
  while (bm_bench_keep_running(state)) {
    must(bm_face_index_search(index, queries + q * DIMENSION, DIMENSION, K, 0, 1, results, &found), "search");
    recall += recall_of(results, found, q);
    ++searches;
    q = (q + 1) % QUERIES;
  }
  bm_bench_set_counter(state, "recall_at_10", recall / (double)searches, 0);
  bm_bench_set_items_processed(state, searches);
}

static void bench_approximate(bm_bench_state *state, void *context) {
  const search_case *c = context;
  must(bm_face_index_tune_approximate(c->source->index, c->parameters), c->parameters);
  bm_scored_id results[K];
  size_t found;
  int q = 0;
  double recall = 0;
  int64_t searches = 0;
  while (bm_bench_keep_running(state)) {
    must(bm_face_index_search_approximate(c->source->index, queries + q * DIMENSION, DIMENSION, K, results, &found),
         "search");
    recall += recall_of(results, found, q);
    ++searches;
    q = (q + 1) % QUERIES;
  }
  bm_bench_set_counter(state, "recall_at_10", recall / (double)searches, 0);
  bm_bench_set_counter(state, "build_seconds", c->source->build_seconds, 0);
  bm_bench_set_items_processed(state, searches);
}

int main(int argc, char **argv) {
  const char *count = getenv("BM_BENCH_FACE_VECTORS");
  if (count) vector_count = strtoull(count, NULL, 10);
  if (vector_count < QUERIES * SAMPLES_PER_PERSON) vector_count = QUERIES * SAMPLES_PER_PERSON;
  prepare();
  bm_bench_register("biomatch_exact/int8", bench_exact, &exact_int8, 0);
  bm_bench_register("biomatch_exact/f32", bench_exact, &exact_f32, 0);
  static char names[sizeof cases / sizeof cases[0]][96];
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    snprintf(names[c], sizeof names[c], "faiss_%s/%s", cases[c].source->factory, cases[c].parameters);
    bm_bench_register(names[c], bench_approximate, &cases[c], 0);
  }
  return bm_bench_run(argc, argv);
}
