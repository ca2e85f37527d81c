/* Gallery throughput and latency, each next to a reference measured in the
 * same run (the machine is shared and noisy: ratios are what count).
 * Templates are SYNTHETIC (synthetic_minutiae.c), prepared before timing.
 *
 *   enrol/durable            one fdatasync per enrolment (1 writer)
 *   enrol/durable/threads:2  two writers sharing fdatasyncs (group commit)
 *   enrol/deferred_group64   64 enrolments, then one bm_gallery_sync
 *   enrol/memory             memory-only gallery
 *     reference raw/pwrite+fdatasync: the bare calls per record of the same size
 *   identify/exhaustive      one-finger probe against N records (latency
 *                            p50/p95/p99 counters in ms, per iteration)
 *   identify/cascade_0.05    same probes, penetration 5%
 *     reference raw/match_many: bm_match_many over the same N blobs packed in
 *     one array (the matcher alone, no gallery), one thread
 *   dedup/all_pairs          every pair of a 160-record gallery, pairs/s
 *     reference raw/match_one: the same number of bm_match_one calls
 *   load/reopen              bm_gallery_open of a checkpointed N-record gallery
 *     reference raw/store_open: the store's verified snapshot load alone
 *
 *   BM_BENCH_DIR=$PWD BM_GALLERY_BENCH_RECORDS=20000 build/bench/gallery/bench_gallery \
 *     --benchmark_repetitions=3 --benchmark_out=gallery.json --benchmark_out_format=json
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_shim.h"
#include "eval_clock.h" /* whole-process CPU time: Google Benchmark counts only its own thread */
#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"
#include "gallery/gallery_internal.h"
#include "gallery/store.h"
#include "latency_log.h"
#include "synthetic_minutiae.h"

enum { POOL = 512, PROBES = 16, DEDUP_RECORDS = 160 };

static char base_directory[4096];
static size_t gallery_records = 10000;
static bm_gallery_record *pool[POOL];       /* prepared records to enrol */
static bm_gallery *search_gallery;           /* N records, memory */
static bm_gallery_probe *probes[PROBES];
static bm_probe *raw_probes[PROBES];
static uint8_t *packed;                      /* the same N blobs in one array */
static size_t packed_size, *packed_offsets;
static float *packed_scores;
static bm_gallery *dedup_gallery;
static char snapshot_directory[4200];

static void fail(const char *what) {
  fprintf(stderr, "bench_gallery: %s: %s\n", what, bm_last_error_message());
  exit(1);
}

static void remove_directory(const char *path) {
  char command[4400];
  snprintf(command, sizeof command, "rm -rf '%s'", path);
  if (system(command) != 0) fprintf(stderr, "bench_gallery: could not remove %s\n", path);
}

static bm_gallery_record *synthetic_record(const char *id, uint64_t finger, uint32_t impression) {
  bm_template *tpl = NULL;
  bm_gallery_record *r = NULL;
  if (bm_synth_template(finger, impression, 1, &tpl) != BM_OK || bm_gallery_record_create(id, &r) != BM_OK ||
      bm_gallery_record_set_finger(r, 1, tpl) != BM_OK)
    fail("synthetic record");
  bm_template_free(tpl);
  return r;
}

/* ------------------------------------------------------------ enrolment */

typedef struct enrol_case {
  int durable, group, memory;
} enrol_case;

static bm_gallery *shared_enrol_gallery; /* the threads:2 case shares one */

static void enrol_case_run(bm_bench_state *state, void *context) {
  const enrol_case *c = context;
  char directory[4300];
  snprintf(directory, sizeof directory, "%s/bench-gallery-enrol", base_directory);
  const int threads = bm_bench_thread_count(state), me = bm_bench_thread_index(state);
  bm_gallery *g = NULL;
  if (me == 0) {
    remove_directory(directory);
    bm_gallery_options options;
    bm_gallery_options_init(&options);
    options.sync = c->durable ? BM_GALLERY_SYNC_DURABLE : BM_GALLERY_SYNC_DEFERRED;
    if (c->memory ? bm_gallery_create(&options, &g) : bm_gallery_open(directory, &options, &g)) fail("open");
    shared_enrol_gallery = g;
  }
  int64_t done = 0;
  while (bm_bench_keep_running(state)) {
    /* thread 0 set it before the first keep_running, which waits for every thread */
    g = shared_enrol_gallery;
    /* REPLACE: ids repeat over a pool, each write is a full record */
    if (bm_gallery_enroll(g, pool[(size_t)(done * threads + me) % POOL], BM_GALLERY_REPLACE, NULL) != BM_OK)
      fail("enrol");
    ++done;
    if (c->group && done % c->group == 0 && bm_gallery_sync(g) != BM_OK) fail("sync");
  }
  if (c->group && bm_gallery_sync(shared_enrol_gallery) != BM_OK) fail("sync");
  bm_bench_set_items_processed(state, done);
}

/* Closing is done at the start of the next case (the shim has no teardown hook
 * across threads); the last gallery is closed by main. */
static void close_enrol_gallery(void) {
  bm_gallery_close(shared_enrol_gallery);
  shared_enrol_gallery = NULL;
}

static void enrol_case_entry(bm_bench_state *state, void *context) {
  if (bm_bench_thread_index(state) == 0) close_enrol_gallery();
  enrol_case_run(state, context);
}

static void raw_write_case(bm_bench_state *state, void *context) {
  (void)context;
  char path[4300];
  snprintf(path, sizeof path, "%s/bench-gallery-raw", base_directory);
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("open raw file");
  size_t size = bm_gallery_record_serialized_size_(pool[0], bm_cascade_code_bytes_()) + 24;
  uint8_t *bytes = calloc(1, size);
  off_t offset = 0;
  int64_t written = 0;
  while (bm_bench_keep_running(state)) {
    if (pwrite(fd, bytes, size, offset) != (ssize_t)size || fdatasync(fd) != 0) fail("raw write");
    offset += (off_t)size;
    ++written;
  }
  bm_bench_set_items_processed(state, written);
  close(fd);
  unlink(path);
  free(bytes);
}

/* ------------------------------------------------------------ identification */

typedef struct identify_case {
  double penetration;
} identify_case;

static void identify_case_run(bm_bench_state *state, void *context) {
  const identify_case *c = context;
  latency_log latencies = {0};
  int64_t iteration = 0;
  uint64_t comparisons = 0;
  const double cpu0 = eval_cpu_seconds();
  while (bm_bench_keep_running(state)) {
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.penetration = c->penetration;
    params.threads = 2;
    bm_gallery_result *result = NULL;
    if (latency_log_identify(&latencies, search_gallery, probes[iteration % PROBES], &params, &result) != BM_OK)
      fail("identify");
    comparisons += bm_gallery_result_comparisons(result);
    bm_gallery_result_free(result);
    ++iteration;
  }
  bm_bench_set_counter(state, "process_cpu_ms_per_search", 1e3 * (eval_cpu_seconds() - cpu0) / (double)iteration, 0);
  bm_bench_set_counter(state, "p50_ms", 1e3 * latency_log_percentile(&latencies, 0.50), 0);
  bm_bench_set_counter(state, "p95_ms", 1e3 * latency_log_percentile(&latencies, 0.95), 0);
  bm_bench_set_counter(state, "p99_ms", 1e3 * latency_log_percentile(&latencies, 0.99), 0);
  bm_bench_set_counter(state, "comparisons_per_search", (double)comparisons / (double)iteration, 0);
  bm_gallery_stats stats;
  if (bm_gallery_get_stats(search_gallery, &stats) != BM_OK) fail("stats");
  bm_bench_set_counter(state, "bytes_per_template", (double)stats.total_bytes / (double)stats.fingers, 0);
  bm_bench_set_counter(state, "records", (double)stats.records, 0);
  bm_bench_set_items_processed(state, iteration);
  latency_log_free(&latencies);
}

static void raw_match_many_case(bm_bench_state *state, void *context) {
  (void)context;
  int64_t iteration = 0;
  while (bm_bench_keep_running(state)) {
    if (bm_match_many(raw_probes[iteration % PROBES], packed, packed_size, packed_offsets, gallery_records,
                      packed_scores) != BM_OK)
      fail("match_many");
    ++iteration;
  }
  bm_bench_set_items_processed(state, iteration);
}

/* ------------------------------------------------------------ deduplication */

static void dedup_case(bm_bench_state *state, void *context) {
  (void)context;
  uint64_t pairs = 0;
  const double cpu0 = eval_cpu_seconds();
  while (bm_bench_keep_running(state)) {
    bm_gallery_dedup_result *result = NULL;
    if (bm_gallery_dedup(dedup_gallery, NULL, 0, 1e-6, 2, NULL, NULL, &result) != BM_OK) fail("dedup");
    pairs += bm_gallery_dedup_pairs_compared(result);
    bm_gallery_dedup_free(result);
  }
  bm_bench_set_items_processed(state, (int64_t)pairs);
  bm_bench_set_counter(state, "pairs_per_process_cpu_second", (double)pairs / (eval_cpu_seconds() - cpu0), 0);
}

static void raw_match_one_case(bm_bench_state *state, void *context) {
  (void)context;
  /* the same pair count as one dedup pass, on one thread */
  const size_t pairs = DEDUP_RECORDS * (DEDUP_RECORDS - 1) / 2;
  int64_t done = 0;
  while (bm_bench_keep_running(state)) {
    for (size_t i = 0; i < pairs; ++i) {
      float score;
      const size_t j = (i * 7) % gallery_records;
      if (bm_match_one(raw_probes[i % PROBES], packed + packed_offsets[j], packed_offsets[j + 1] - packed_offsets[j],
                       &score) != BM_OK)
        fail("match_one");
    }
    done += (int64_t)pairs;
  }
  bm_bench_set_items_processed(state, done);
}

/* ------------------------------------------------------------ loading */

static void reopen_case(bm_bench_state *state, void *context) {
  (void)context;
  while (bm_bench_keep_running(state)) {
    bm_gallery *g = NULL;
    if (bm_gallery_open(snapshot_directory, NULL, &g) != BM_OK) fail("reopen");
    bm_gallery_close(g);
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)gallery_records);
}

static void raw_store_open_case(bm_bench_state *state, void *context) {
  (void)context;
  while (bm_bench_keep_running(state)) {
    bm_store_ *store = NULL;
    bm_store_callbacks_ none = {NULL, NULL, NULL};
    if (bm_store_open_(snapshot_directory, NULL, &none, &store) != BM_OK) fail("store open");
    bm_store_close_(store);
  }
  bm_bench_set_items_processed(state, bm_bench_iterations(state) * (int64_t)gallery_records);
}

int main(int argc, char **argv) {
  const char *dir = getenv("BM_BENCH_DIR");
  snprintf(base_directory, sizeof base_directory, "%s", dir && *dir ? dir : ".");
  const char *n = getenv("BM_GALLERY_BENCH_RECORDS");
  if (n && *n) gallery_records = strtoull(n, NULL, 10);
  if (gallery_records < DEDUP_RECORDS) gallery_records = DEDUP_RECORDS;

  for (int i = 0; i < POOL; ++i) {
    char id[32];
    snprintf(id, sizeof id, "pool-%04d", i);
    pool[i] = synthetic_record(id, (uint64_t)i, 0);
  }
  /* the search gallery: N records prepared once (prepared blobs reused from
   * the records built here) */
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = 8;
  if (bm_gallery_create(&options, &search_gallery) != BM_OK) fail("create");
  packed_offsets = malloc((gallery_records + 1) * sizeof *packed_offsets);
  size_t capacity = gallery_records * 4096;
  packed = malloc(capacity);
  for (size_t i = 0; i < gallery_records; ++i) {
    char id[32];
    snprintf(id, sizeof id, "rec-%08zu", i);
    bm_gallery_record *r = synthetic_record(id, 100000 + i, 0);
    if (bm_gallery_enroll(search_gallery, r, BM_GALLERY_INSERT, NULL) != BM_OK) fail("enrol");
    size_t size = 0;
    const void *blob = bm_gallery_record_prepared(r, 1, &size);
    if (packed_size + size > capacity) packed = realloc(packed, capacity *= 2);
    packed_offsets[i] = packed_size;
    memcpy(packed + packed_size, blob, size);
    packed_size += size;
    bm_gallery_record_free(r);
  }
  packed_offsets[gallery_records] = packed_size;
  packed_scores = malloc(gallery_records * sizeof *packed_scores);
  for (int p = 0; p < PROBES; ++p) {
    bm_template *tpl = NULL;
    if (bm_synth_template(100000 + (uint64_t)p * 97 % gallery_records, 1, 1, &tpl) != BM_OK ||
        bm_gallery_probe_create(&probes[p]) != BM_OK || bm_gallery_probe_add_finger(probes[p], 1, tpl) != BM_OK ||
        bm_probe_create(tpl, &raw_probes[p]) != BM_OK)
      fail("probe");
    bm_template_free(tpl);
  }
  /* dedup gallery: the first DEDUP_RECORDS pool records */
  if (bm_gallery_create(&options, &dedup_gallery) != BM_OK) fail("create");
  for (int i = 0; i < DEDUP_RECORDS; ++i)
    if (bm_gallery_enroll(dedup_gallery, pool[i], BM_GALLERY_INSERT, NULL) != BM_OK) fail("enrol");
  /* a checkpointed copy of the search gallery for the load cases */
  snprintf(snapshot_directory, sizeof snapshot_directory, "%s/bench-gallery-snapshot", base_directory);
  remove_directory(snapshot_directory);
  bm_gallery *disk = NULL;
  options.sync = BM_GALLERY_SYNC_DEFERRED;
  if (bm_gallery_open(snapshot_directory, &options, &disk) != BM_OK) fail("open snapshot gallery");
  for (size_t i = 0; i < gallery_records; ++i) {
    bm_gallery_record *r = NULL;
    char id[32];
    snprintf(id, sizeof id, "rec-%08zu", i);
    if (bm_gallery_get(search_gallery, id, &r) != BM_OK || bm_gallery_enroll(disk, r, BM_GALLERY_INSERT, NULL) != BM_OK)
      fail("copy");
    bm_gallery_record_free(r);
  }
  if (bm_gallery_checkpoint(disk) != BM_OK) fail("checkpoint");
  bm_gallery_close(disk);

  static enrol_case durable = {1, 0, 0}, group64 = {0, 64, 0}, memory = {0, 0, 1};
  static identify_case exhaustive = {1.0}, cascade = {0.05};
  bm_bench_register("enrol/durable", enrol_case_entry, &durable, 1);
  bm_bench_register("enrol/durable", enrol_case_entry, &durable, 2);
  bm_bench_register("enrol/deferred_group64", enrol_case_entry, &group64, 1);
  bm_bench_register("enrol/memory", enrol_case_entry, &memory, 1);
  bm_bench_register("raw/pwrite+fdatasync", raw_write_case, NULL, 1);
  bm_bench_register("identify/exhaustive", identify_case_run, &exhaustive, 1);
  bm_bench_register("identify/cascade_0.05", identify_case_run, &cascade, 1);
  bm_bench_register("raw/match_many", raw_match_many_case, NULL, 1);
  bm_bench_register("dedup/all_pairs", dedup_case, NULL, 1);
  bm_bench_register("raw/match_one", raw_match_one_case, NULL, 1);
  bm_bench_register("load/reopen", reopen_case, NULL, 1);
  bm_bench_register("raw/store_open", raw_store_open_case, NULL, 1);
  const int status = bm_bench_run(argc, argv);
  close_enrol_gallery();
  char enrol_directory[4300];
  snprintf(enrol_directory, sizeof enrol_directory, "%s/bench-gallery-enrol", base_directory);
  remove_directory(enrol_directory);
  remove_directory(snapshot_directory);
  bm_gallery_close(search_gallery);
  bm_gallery_close(dedup_gallery);
  for (int p = 0; p < PROBES; ++p) {
    bm_gallery_probe_free(probes[p]);
    bm_probe_free(raw_probes[p]);
  }
  for (int i = 0; i < POOL; ++i) bm_gallery_record_free(pool[i]);
  free(packed);
  free(packed_offsets);
  free(packed_scores);
  return status;
}
