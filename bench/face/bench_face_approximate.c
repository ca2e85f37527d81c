/* When does approximate search pay off? FAISS HNSW, IVF-Flat and IVF-PQ
 * against biomatch's exact int8 and f32 scans in the same run, on clustered
 * synthetic embeddings calibrated against real ones (face_synthetic.c:
 * people with 2-6 samples each, look-alike groups, LFW-like mate and
 * impostor score distributions). Queries are fresh samples of enrolled
 * people. Each benchmark reports the latency of one query on one thread
 * and, as counters measured over every query in an untimed pass:
 *   recall_at_10   share of the exact f32 top-10 found;
 *   mate_hit_rate  share of queries with at least one enrolled sample of
 *                  their person in the top 10 (what identification needs);
 *   build_seconds, build_cpu_seconds, index_MB (size of the index file, or
 *                  of the stored vectors for the exact scans).
 *
 *   BM_BENCH_FACE_VECTORS=1000000 BM_BENCH_FACE_INDEXES='HNSW16' \
 *   BM_BENCH_FACE_INDEX_DIR=/tmp/faces-ann BM_BENCH_BUILD_THREADS=2 \
 *   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
 *     build/bench/face/bench_face_approximate --benchmark_repetitions=3 \
 *     --benchmark_out=approx.json --benchmark_out_format=json
 *
 * BM_BENCH_FACE_INDEXES is a ';'-separated list of FAISS factory strings
 * (default: HNSW16, IVFn,Flat and IVFn,PQ64 with n the power of two nearest
 * 4 sqrt(N), FAISS's own rule of thumb for the number of lists). Indexes are
 * built through FAISS's C API directly rather than through
 * bm_face_index_build_approximate, for two reasons: the index is added in
 * chunks of 100,000 with the time of each logged (so a build too long to
 * finish still gives its rate), and with BM_BENCH_FACE_INDEX_DIR set it is
 * written to disk (complete, or partial every 15 minutes) and read back by
 * later runs, so a build of hours is made once and resumed after an
 * interruption. The searches go through FAISS's C API as
 * bm_face_index_search_approximate does, with the query already unit-length.
 * Builds use BM_BENCH_BUILD_THREADS OpenMP threads (default 1); every
 * search runs on one thread.
 */
#include <faiss/c_api/AutoTune_c.h>
#include <faiss/c_api/Index_c.h>
#include <faiss/c_api/error_c.h>
#include <faiss/c_api/index_factory_c.h>
#include <faiss/c_api/index_io_c.h>
#include <math.h>
#include <omp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bench_shim.h"
#include "biomatch/bm_face.h"
#include "face_synthetic.h"

enum { DIMENSION = FACE_SYNTHETIC_DIMENSION, K = 10, QUERIES = 500, CHUNK = 100000 };
enum { MAX_INDEXES = 8, MAX_CASES = 64, TRAINING_POINTS_PER_LIST = 64 };
static const double CHECKPOINT_SECONDS = 900;
static const uint64_t SEED = 20261127;
/* Query q is sample QUERY_SAMPLE_BASE + q of its person: never an enrolled one. */
static const uint64_t QUERY_SAMPLE_BASE = 1000;

static face_synthetic model;
static float *queries;
static size_t *query_person;
static uint64_t *truth; /* exact f32 top-K ids per query */
static bm_face_index *exact_f32, *exact_int8;
static int build_threads = 1;

typedef struct approximate_index {
  char factory[64];
  FaissIndex *index;
  double build_seconds, build_cpu_seconds, megabytes;
} approximate_index;

typedef struct search_case {
  approximate_index *source;
  const char *parameter; /* efSearch or nprobe */
  int value;
  char name[160];
  int scored; /* the quality pass below ran (once: Google Benchmark calls a case several times) */
  double recall, mate_hit_rate;
} search_case;

typedef struct exact_case {
  bm_face_index **index;
  double megabytes;
  int scored;
  double recall, mate_hit_rate;
} exact_case;

static approximate_index approximate[MAX_INDEXES];
static size_t approximate_count;
static search_case cases[MAX_CASES];
static size_t case_count;

static double wall_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A progress line on stderr with the UTC time and the machine's load. */
__attribute__((format(printf, 1, 2))) static void log_line(const char *format, ...) {
  char stamp[32];
  const time_t now = time(NULL);
  strftime(stamp, sizeof stamp, "%H:%M:%S", gmtime(&now));
  double load = 0;
  FILE *file = fopen("/proc/loadavg", "r");
  if (file) {
    if (fscanf(file, "%lf", &load) != 1) load = 0;
    fclose(file);
  }
  fprintf(stderr, "[%s UTC, load %.2f] ", stamp, load);
  va_list arguments;
  va_start(arguments, format);
  vfprintf(stderr, format, arguments);
  va_end(arguments);
  fputc('\n', stderr);
}

static void must(bm_status status, const char *what) {
  if (status != BM_OK) {
    fprintf(stderr, "bench_face_approximate: %s: %s\n", what, bm_last_error_message());
    exit(1);
  }
}

static void must_faiss(int code, const char *what) {
  if (code != 0) {
    fprintf(stderr, "bench_face_approximate: FAISS %s: %s\n", what, faiss_get_last_error());
    exit(1);
  }
}

static double file_megabytes(const char *path) {
  struct stat info;
  return stat(path, &info) == 0 ? (double)info.st_size / 1e6 : -1;
}

/* "<dir>/<factory with ',' as '_'>-<N>.faissindex" */
static void index_path(const char *directory, const char *factory, char *path, size_t size) {
  snprintf(path, size, "%s/%s-%zu.faissindex", directory, factory, model.vector_count);
  for (char *c = path + strlen(directory); *c; ++c)
    if (*c == ',') *c = '_';
}

static void write_times(const char *path, double wall, double cpu) {
  char name[1100];
  snprintf(name, sizeof name, "%s.times", path);
  FILE *file = fopen(name, "w");
  if (!file || fprintf(file, "%.3f %.3f\n", wall, cpu) < 0 || fclose(file) != 0) {
    fprintf(stderr, "bench_face_approximate: cannot write %s\n", name);
    exit(1);
  }
}

static int read_times(const char *path, double *wall, double *cpu) {
  char name[1100];
  snprintf(name, sizeof name, "%s.times", path);
  FILE *file = fopen(name, "r");
  if (!file) return 0;
  const int ok = fscanf(file, "%lf %lf", wall, cpu) == 2;
  fclose(file);
  return ok;
}

/* Builds (or reads back) one FAISS index over `vectors`. */
static void build(approximate_index *target, const float *vectors, const char *directory) {
  char path[1024] = "", partial[1040] = "";
  if (directory) {
    index_path(directory, target->factory, path, sizeof path);
    snprintf(partial, sizeof partial, "%s.partial", path);
    if (read_times(path, &target->build_seconds, &target->build_cpu_seconds) &&
        faiss_read_index_fname(path, 0, &target->index) == 0 &&
        faiss_Index_ntotal(target->index) == (idx_t)model.vector_count) {
      target->megabytes = file_megabytes(path);
      log_line("%s: read back from disk (built in %.0f s wall, %.0f s CPU)", target->factory, target->build_seconds,
               target->build_cpu_seconds);
      return;
    }
    if (target->index) faiss_Index_free(target->index), target->index = NULL;
  }
  double wall_spent = 0, cpu_spent = 0; /* by earlier, interrupted runs */
  if (directory && read_times(partial, &wall_spent, &cpu_spent) &&
      faiss_read_index_fname(partial, 0, &target->index) == 0) {
    log_line("%s: resuming a partial build (%.0f s wall, %.0f s CPU so far)", target->factory, wall_spent, cpu_spent);
  } else {
    if (target->index) faiss_Index_free(target->index), target->index = NULL;
    wall_spent = cpu_spent = 0;
    must_faiss(faiss_index_factory(&target->index, DIMENSION, target->factory, METRIC_INNER_PRODUCT), target->factory);
  }
  omp_set_num_threads(build_threads);
  const double wall_start = wall_now() - wall_spent, cpu_start = cpu_now() - cpu_spent;
  double last_checkpoint = wall_now();
  if (!faiss_Index_is_trained(target->index)) {
    /* IVF's k-means runs on TRAINING_POINTS_PER_LIST points per list (FAISS
     * itself would take up to 256 and warns below 39): centroids from 64
     * points are already stable, and training costs in proportion to the
     * points. The first rows are a random sample: people are independent. */
    const long lists = strncmp(target->factory, "IVF", 3) == 0 ? atol(target->factory + 3) : 0;
    size_t training = model.vector_count;
    if (lists > 0 && (size_t)lists * TRAINING_POINTS_PER_LIST < training)
      training = (size_t)lists * TRAINING_POINTS_PER_LIST;
    must_faiss(faiss_Index_train(target->index, (idx_t)training, vectors), "train");
    log_line("%s: trained after %.0f s wall, %.0f s CPU", target->factory, wall_now() - wall_start,
             cpu_now() - cpu_start);
  }
  for (size_t done = (size_t)faiss_Index_ntotal(target->index); done < model.vector_count;) {
    const size_t count = model.vector_count - done < CHUNK ? model.vector_count - done : CHUNK;
    must_faiss(faiss_Index_add(target->index, (idx_t)count, vectors + done * DIMENSION), "add");
    done += count;
    log_line("%s: %zu vectors added after %.0f s wall, %.0f s CPU", target->factory, done, wall_now() - wall_start,
             cpu_now() - cpu_start);
    if (directory && done < model.vector_count && wall_now() - last_checkpoint > CHECKPOINT_SECONDS) {
      must_faiss(faiss_write_index_fname(target->index, partial), "write partial index");
      write_times(partial, wall_now() - wall_start, cpu_now() - cpu_start);
      last_checkpoint = wall_now();
    }
  }
  target->build_seconds = wall_now() - wall_start;
  target->build_cpu_seconds = cpu_now() - cpu_start;
  omp_set_num_threads(1);
  target->megabytes = -1;
  if (directory) {
    must_faiss(faiss_write_index_fname(target->index, path), "write index");
    write_times(path, target->build_seconds, target->build_cpu_seconds);
    remove(partial);
    char times[1100];
    snprintf(times, sizeof times, "%s.times", partial);
    remove(times);
    target->megabytes = file_megabytes(path);
  }
  log_line("%s: built in %.0f s wall, %.0f s CPU", target->factory, target->build_seconds, target->build_cpu_seconds);
}

static void make_queries(void) {
  queries = malloc((size_t)QUERIES * DIMENSION * sizeof *queries);
  query_person = malloc(QUERIES * sizeof *query_person);
  if (!queries || !query_person) exit(1);
  float centre[DIMENSION];
  for (int q = 0; q < QUERIES; ++q) {
    /* Spread evenly over the registry; the person keeps all its enrolled samples. */
    const size_t person = (size_t)((double)(q + 0.5) / QUERIES * (double)model.person_count);
    query_person[q] = person;
    face_synthetic_person(&model, person, centre);
    face_synthetic_sample(&model, person, QUERY_SAMPLE_BASE + (uint64_t)q, centre, queries + (size_t)q * DIMENSION);
  }
}

static void prepare(size_t vector_count, char *factories, const char *directory) {
  if (face_synthetic_create(&model, vector_count, SEED) != 0) exit(1);
  log_line("synthetic registry: %zu vectors, %zu people, %zu look-alike groups", model.vector_count,
           model.person_count, model.group_count);
  float *vectors = malloc(model.vector_count * DIMENSION * sizeof *vectors);
  if (!vectors) exit(1);
  float centre[DIMENSION];
  for (size_t p = 0; p < model.person_count; ++p) {
    face_synthetic_person(&model, p, centre);
    for (size_t row = model.first_sample[p]; row < model.first_sample[p + 1]; ++row)
      face_synthetic_sample(&model, p, row - model.first_sample[p], centre, vectors + row * DIMENSION);
  }
  make_queries();
  must(bm_face_index_create(DIMENSION, BM_FACE_F32, 0, &exact_f32), "create");
  must(bm_face_index_create(DIMENSION, BM_FACE_INT8, 0, &exact_int8), "create");
  for (size_t row = 0; row < model.vector_count; ++row) {
    must(bm_face_index_add(exact_f32, row, vectors + row * DIMENSION, DIMENSION), "add");
    must(bm_face_index_add(exact_int8, row, vectors + row * DIMENSION, DIMENSION), "add");
  }
  truth = malloc((size_t)QUERIES * K * sizeof *truth);
  bm_scored_id *results = malloc((size_t)QUERIES * K * sizeof *results);
  size_t found[QUERIES];
  must(bm_face_index_search_batch(exact_f32, queries, QUERIES, DIMENSION, K, (unsigned)build_threads, results, found),
       "exact truth");
  for (size_t i = 0; i < (size_t)QUERIES * K; ++i) truth[i] = results[i].id;
  free(results);
  log_line("truth: exact f32 top-%d of %d queries", K, QUERIES);

  for (char *saved = NULL, *factory = strtok_r(factories, ";", &saved); factory && approximate_count < MAX_INDEXES;
       factory = strtok_r(NULL, ";", &saved)) {
    approximate_index *target = &approximate[approximate_count++];
    snprintf(target->factory, sizeof target->factory, "%s", factory);
    build(target, vectors, directory);
  }
  free(vectors);
  omp_set_num_threads(1);
}

/* Share of the exact top-10 found, and whether a mate was among the results. */
static void score_results(int q, const uint64_t *ids, size_t found, double *recall, double *mate_hits) {
  int hits = 0, mate = 0;
  const size_t person = query_person[q];
  for (size_t i = 0; i < found; ++i) {
    for (int k = 0; k < K; ++k) hits += ids[i] == truth[(size_t)q * K + k];
    mate |= ids[i] >= model.first_sample[person] && ids[i] < model.first_sample[person + 1];
  }
  *recall += (double)hits / K;
  *mate_hits += mate;
}

static void exact_search(bm_face_index *index, int q, uint64_t *ids, size_t *found) {
  bm_scored_id results[K];
  must(bm_face_index_search(index, queries + (size_t)q * DIMENSION, DIMENSION, K, 0, 1, results, found), "search");
  for (size_t i = 0; i < *found; ++i) ids[i] = results[i].id;
}

static void approximate_search(const FaissIndex *index, int q, uint64_t *ids, size_t *found) {
  float distances[K];
  idx_t labels[K];
  must_faiss(faiss_Index_search(index, 1, queries + (size_t)q * DIMENSION, K, distances, labels), "search");
  *found = 0;
  for (int i = 0; i < K; ++i)
    if (labels[i] >= 0) ids[(*found)++] = (uint64_t)labels[i]; /* -1: fewer than K reachable */
}

static void bench_exact(bm_bench_state *state, void *context) {
  exact_case *c = context;
  uint64_t ids[K];
  size_t found;
  if (!c->scored) {
    double recall = 0, mate_hits = 0;
    for (int q = 0; q < QUERIES; ++q) {
      exact_search(*c->index, q, ids, &found);
      score_results(q, ids, found, &recall, &mate_hits);
    }
    c->recall = recall / QUERIES, c->mate_hit_rate = mate_hits / QUERIES, c->scored = 1;
  }
  int q = 0;
  int64_t searches = 0;
  while (bm_bench_keep_running(state)) {
    exact_search(*c->index, q, ids, &found);
    ++searches;
    q = (q + 1) % QUERIES;
  }
  bm_bench_set_counter(state, "recall_at_10", c->recall, 0);
  bm_bench_set_counter(state, "mate_hit_rate", c->mate_hit_rate, 0);
  bm_bench_set_counter(state, "index_MB", c->megabytes, 0);
  bm_bench_set_items_processed(state, searches);
}

static void bench_approximate(bm_bench_state *state, void *context) {
  search_case *c = context;
  FaissParameterSpace *space = NULL;
  must_faiss(faiss_ParameterSpace_new(&space), "parameter space");
  must_faiss(faiss_ParameterSpace_set_index_parameter(space, c->source->index, c->parameter, c->value), c->name);
  faiss_ParameterSpace_free(space);
  uint64_t ids[K];
  size_t found;
  if (!c->scored) {
    double recall = 0, mate_hits = 0;
    for (int q = 0; q < QUERIES; ++q) {
      approximate_search(c->source->index, q, ids, &found);
      score_results(q, ids, found, &recall, &mate_hits);
    }
    c->recall = recall / QUERIES, c->mate_hit_rate = mate_hits / QUERIES, c->scored = 1;
  }
  int q = 0;
  int64_t searches = 0;
  while (bm_bench_keep_running(state)) {
    approximate_search(c->source->index, q, ids, &found);
    ++searches;
    q = (q + 1) % QUERIES;
  }
  bm_bench_set_counter(state, "recall_at_10", c->recall, 0);
  bm_bench_set_counter(state, "mate_hit_rate", c->mate_hit_rate, 0);
  bm_bench_set_counter(state, "build_seconds", c->source->build_seconds, 0);
  bm_bench_set_counter(state, "build_cpu_seconds", c->source->build_cpu_seconds, 0);
  bm_bench_set_counter(state, "index_MB", c->source->megabytes, 0);
  bm_bench_set_items_processed(state, searches);
}

/* Search-time sweeps: HNSW's candidate list efSearch, IVF's probed lists
 * nprobe (up to the number of lists), from fast and rough to slow and exact. */
static void add_cases(approximate_index *source) {
  static const int ef_search[] = {16, 32, 64, 128, 256, 512};
  static const int nprobe[] = {1, 4, 16, 64, 256};
  const int is_hnsw = strstr(source->factory, "HNSW") != NULL;
  const int lists = strncmp(source->factory, "IVF", 3) == 0 ? atoi(source->factory + 3) : 0;
  const int *values = is_hnsw ? ef_search : nprobe;
  const size_t count = is_hnsw ? sizeof ef_search / sizeof *ef_search : sizeof nprobe / sizeof *nprobe;
  if (!is_hnsw && lists == 0) return; /* no known search parameter: nothing to sweep */
  for (size_t i = 0; i < count && case_count < MAX_CASES; ++i) {
    if (!is_hnsw && values[i] > lists) break;
    search_case *c = &cases[case_count++];
    c->source = source;
    c->parameter = is_hnsw ? "efSearch" : "nprobe";
    c->value = values[i];
    snprintf(c->name, sizeof c->name, "faiss_%.63s/%s=%d", source->factory, c->parameter, c->value);
  }
}

int main(int argc, char **argv) {
  size_t vector_count = 1000000;
  const char *count = getenv("BM_BENCH_FACE_VECTORS");
  if (count) vector_count = strtoull(count, NULL, 10);
  if (vector_count < 10 * QUERIES) vector_count = 10 * QUERIES;
  const char *threads = getenv("BM_BENCH_BUILD_THREADS");
  if (threads && atoi(threads) > 0) build_threads = atoi(threads);
  /* Lists: the power of two nearest 4 sqrt(N). */
  const int lists = 1 << (int)lround(log2(4.0 * sqrt((double)vector_count)));
  char factories[256];
  const char *chosen = getenv("BM_BENCH_FACE_INDEXES");
  if (chosen) snprintf(factories, sizeof factories, "%s", chosen);
  else snprintf(factories, sizeof factories, "HNSW16;IVF%d,Flat;IVF%d,PQ64", lists, lists);
  prepare(vector_count, factories, getenv("BM_BENCH_FACE_INDEX_DIR"));

  static exact_case exact_int8_case, exact_f32_case;
  exact_int8_case.index = &exact_int8;
  exact_int8_case.megabytes = (double)model.vector_count * (DIMENSION + sizeof(float)) / 1e6;
  exact_f32_case.index = &exact_f32;
  exact_f32_case.megabytes = (double)model.vector_count * DIMENSION * sizeof(float) / 1e6;
  bm_bench_register("biomatch_exact/int8", bench_exact, &exact_int8_case, 0);
  bm_bench_register("biomatch_exact/f32", bench_exact, &exact_f32_case, 0);
  for (size_t a = 0; a < approximate_count; ++a) add_cases(&approximate[a]);
  for (size_t c = 0; c < case_count; ++c) bm_bench_register(cases[c].name, bench_approximate, &cases[c], 0);
  return bm_bench_run(argc, argv);
}
