/* Face identification latency with one against three face embeddings per
 * record, each next to the bare SIMD scan of the same number of rows
 * measured in the same run (the machine is shared and noisy: ratios are
 * what count). Embeddings are SYNTHETIC (uniform random, normalised on
 * enrolment); records hold a face only, so the face path is all that is
 * timed. One thread per search (params.threads = 1), so wall and CPU time
 * describe one core.
 *
 *   identify/faces_1/STORAGE   face probe against N records of 1 embedding
 *   identify/faces_3/STORAGE   the same against N records of 3 embeddings
 *     counters: p50_ms, p95_ms, process_cpu_ms_per_search, rows
 *   raw/scan_rows_N/STORAGE    bm_dot_*_scan over N contiguous rows (one call)
 *   raw/scan_rows_3N/STORAGE   the same over 3N rows
 *
 *   BM_GALLERY_FACE_BENCH_RECORDS=100000 BM_GALLERY_FACE_BENCH_DIM=512 \
 *     build/bench/gallery/bench_gallery_faces --benchmark_repetitions=5 \
 *     --benchmark_out=faces.json --benchmark_out_format=json
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_shim.h"
#include "eval_clock.h" /* whole-process CPU time: Google Benchmark counts only its own thread */
#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"
#include "latency_log.h"

enum { PROBES = 16, MAX_FACES_BENCHED = 3 };

static size_t records = 100000, dimension = 512;

typedef struct storage_set {
  const char *name;
  bm_face_storage storage;
  bm_gallery *galleries[MAX_FACES_BENCHED + 1]; /* by faces per record: 1 and 3 */
  void *rows;                                   /* 3N rows in the storage's type, for the raw scans */
  float *row_scales;                            /* int8 only */
  int8_t *probe_i8[PROBES];
  float probe_scale[PROBES];
} storage_set;

static storage_set sets[2] = {{"f32", BM_FACE_F32, {0}, 0, 0, {0}, {0}}, {"int8", BM_FACE_INT8, {0}, 0, 0, {0}, {0}}};
static float *probe_faces[PROBES];
static bm_gallery_probe *probes[PROBES];
static float *scores;

static void fail(const char *what) {
  fprintf(stderr, "bench_gallery_faces: %s: %s\n", what, bm_last_error_message());
  exit(1);
}

/* Deterministic uniform values in [-1, 1): embedding k of record r. */
static void embedding(uint64_t seed, float *out) {
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (size_t i = 0; i < dimension; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    out[i] = (float)((double)(x >> 11) * 0x1.0p-52 - 1.0);
  }
}

static void normalise(float *v) {
  double norm = 0;
  for (size_t i = 0; i < dimension; ++i) norm += (double)v[i] * v[i];
  const float inverse = (float)(1.0 / sqrt(norm));
  for (size_t i = 0; i < dimension; ++i) v[i] *= inverse;
}

/* int8 codes of a normalised vector with one scale (max |v| / 127), as the gallery stores them. */
static float quantise(const float *v, int8_t *codes) {
  float top = 0;
  for (size_t i = 0; i < dimension; ++i) top = fabsf(v[i]) > top ? fabsf(v[i]) : top;
  const float scale = top > 0 ? top / 127.0f : 1.0f;
  for (size_t i = 0; i < dimension; ++i) codes[i] = (int8_t)lrintf(v[i] / scale);
  return scale;
}

typedef struct identify_case {
  storage_set *set;
  int faces;
} identify_case;

static void identify_run(bm_bench_state *state, void *context) {
  const identify_case *c = context;
  bm_gallery *gallery = c->set->galleries[c->faces];
  latency_log latencies = {0};
  int64_t iteration = 0;
  const double cpu0 = eval_cpu_seconds();
  while (bm_bench_keep_running(state)) {
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.threads = 1;
    bm_gallery_result *result = NULL;
    if (latency_log_identify(&latencies, gallery, probes[iteration % PROBES], &params, &result) != BM_OK)
      fail("identify");
    bm_gallery_result_free(result);
    ++iteration;
  }
  bm_bench_set_counter(state, "process_cpu_ms_per_search", 1e3 * (eval_cpu_seconds() - cpu0) / (double)iteration, 0);
  bm_bench_set_counter(state, "p50_ms", 1e3 * latency_log_percentile(&latencies, 0.50), 0);
  bm_bench_set_counter(state, "p95_ms", 1e3 * latency_log_percentile(&latencies, 0.95), 0);
  bm_bench_set_counter(state, "rows", (double)(records * (size_t)c->faces), 0);
  bm_bench_set_items_processed(state, iteration);
  latency_log_free(&latencies);
}

typedef struct raw_case {
  storage_set *set;
  size_t rows;
} raw_case;

/* The bare kernel over the rows, as the gallery calls it for its shard scan
 * (int8: dot products, then each row's scale). */
static void raw_run(bm_bench_state *state, void *context) {
  const raw_case *c = context;
  int64_t iteration = 0;
  int32_t *dots = c->set->storage == BM_FACE_INT8 ? malloc(c->rows * sizeof *dots) : NULL;
  const double cpu0 = eval_cpu_seconds();
  while (bm_bench_keep_running(state)) {
    const int p = (int)(iteration % PROBES);
    bm_status status;
    if (c->set->storage == BM_FACE_F32) {
      status = bm_dot_f32_scan(probe_faces[p], c->set->rows, dimension, dimension, c->rows, scores);
    } else {
      status = bm_dot_i8_scan(c->set->probe_i8[p], c->set->rows, dimension, dimension, c->rows, dots);
      for (size_t r = 0; r < c->rows; ++r) scores[r] = (float)dots[r] * c->set->probe_scale[p] * c->set->row_scales[r];
    }
    if (status != BM_OK) fail("scan");
    ++iteration;
  }
  bm_bench_set_counter(state, "process_cpu_ms_per_search", 1e3 * (eval_cpu_seconds() - cpu0) / (double)iteration, 0);
  bm_bench_set_counter(state, "rows", (double)c->rows, 0);
  bm_bench_set_bytes_processed(state, iteration * (int64_t)(c->rows * dimension * (c->set->storage == BM_FACE_F32 ? 4 : 1)));
  free(dots);
}

static void build(storage_set *set) {
  const size_t value_bytes = set->storage == BM_FACE_F32 ? 4 : 1;
  set->rows = malloc(MAX_FACES_BENCHED * records * dimension * value_bytes);
  set->row_scales = malloc(MAX_FACES_BENCHED * records * sizeof *set->row_scales);
  if (!set->rows || !set->row_scales) fail("rows");
  float *face = malloc(dimension * sizeof *face);
  for (int faces = 1; faces <= MAX_FACES_BENCHED; faces += 2) {
    bm_gallery_options options;
    bm_gallery_options_init(&options);
    options.shard_count = 8;
    options.face_dimension = (uint32_t)dimension;
    options.face_storage = set->storage;
    options.use_prefilter = 0;
    if (bm_gallery_create(&options, &set->galleries[faces]) != BM_OK) fail("create");
    for (size_t r = 0; r < records; ++r) {
      char id[32];
      snprintf(id, sizeof id, "rec-%08zu", r);
      bm_gallery_record *record = NULL;
      if (bm_gallery_record_create(id, &record) != BM_OK) fail("record");
      for (int k = 0; k < faces; ++k) {
        embedding((uint64_t)k * records + r, face);
        if (bm_gallery_record_add_face(record, face, dimension) != BM_OK) fail("add face");
        if (faces == MAX_FACES_BENCHED) { /* the raw rows: the same 3N embeddings */
          normalise(face);
          const size_t row = r * MAX_FACES_BENCHED + (size_t)k;
          if (set->storage == BM_FACE_F32) memcpy((float *)set->rows + row * dimension, face, dimension * sizeof *face);
          else set->row_scales[row] = quantise(face, (int8_t *)set->rows + row * dimension);
        }
      }
      if (bm_gallery_enroll(set->galleries[faces], record, BM_GALLERY_INSERT, NULL) != BM_OK) fail("enrol");
      bm_gallery_record_free(record);
    }
  }
  for (int p = 0; p < PROBES; ++p) {
    set->probe_i8[p] = malloc(dimension);
    set->probe_scale[p] = quantise(probe_faces[p], set->probe_i8[p]);
  }
  free(face);
}

int main(int argc, char **argv) {
  const char *n = getenv("BM_GALLERY_FACE_BENCH_RECORDS"), *d = getenv("BM_GALLERY_FACE_BENCH_DIM");
  if (n && *n) records = strtoull(n, NULL, 10);
  if (d && *d) dimension = strtoull(d, NULL, 10);
  if (records < 1 || dimension < BM_FACE_MIN_DIMENSION || dimension > BM_FACE_MAX_DIMENSION) {
    fprintf(stderr, "bench_gallery_faces: records >= 1, dimension %d..%d\n", BM_FACE_MIN_DIMENSION,
            BM_FACE_MAX_DIMENSION);
    return 2;
  }
  /* probes: a noisy copy of some record's second embedding (a mate), normalised */
  for (int p = 0; p < PROBES; ++p) {
    probe_faces[p] = malloc(dimension * sizeof(float));
    float *noise = malloc(dimension * sizeof(float));
    embedding(records + (uint64_t)p * 7919 % records, probe_faces[p]);
    embedding(1000003 + (uint64_t)p, noise);
    for (size_t i = 0; i < dimension; ++i) probe_faces[p][i] += 0.3f * noise[i];
    normalise(probe_faces[p]);
    free(noise);
    if (bm_gallery_probe_create(&probes[p]) != BM_OK ||
        bm_gallery_probe_set_face(probes[p], probe_faces[p], dimension) != BM_OK)
      fail("probe");
  }
  scores = malloc(MAX_FACES_BENCHED * records * sizeof *scores);
  static identify_case identify_cases[2][2];
  static raw_case raw_cases[2][2];
  for (int s = 0; s < 2; ++s) {
    build(&sets[s]);
    for (int k = 0; k < 2; ++k) {
      const int faces = k ? 3 : 1;
      char name[96];
      identify_cases[s][k] = (identify_case){&sets[s], faces};
      snprintf(name, sizeof name, "identify/faces_%d/%s", faces, sets[s].name);
      bm_bench_register(name, identify_run, &identify_cases[s][k], 0);
      raw_cases[s][k] = (raw_case){&sets[s], records * (size_t)faces};
      snprintf(name, sizeof name, "raw/scan_rows_%s/%s", faces == 1 ? "N" : "3N", sets[s].name);
      bm_bench_register(name, raw_run, &raw_cases[s][k], 0);
    }
  }
  fprintf(stderr, "bench_gallery_faces: %zu records, %zu-d SYNTHETIC embeddings, 1 and 3 per record\n", records,
          dimension);
  return bm_bench_run(argc, argv);
}
