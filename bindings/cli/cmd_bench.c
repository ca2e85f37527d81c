/* biomatch bench: the integrator benchmark on a SYNTHETIC gallery (minutiae
 * from bench/gallery/synthetic_minutiae.c, face embeddings drawn around
 * per-person centres), deterministic for a given --seed:
 *   enrol rate, 1:N latency p50/p95/p99 and throughput (mated and
 *   non-mated probes), finger comparisons per second per core, dedup record
 *   pair rate, memory per record, the active instruction set and the
 *   machine's read bandwidth measured in the same run. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "biomatch/bm_gallery.h"
#include "cli.h"
#include "cli_parallel.h"
#include "cli_progress.h"
#include "synthetic_faces.h"
#include "synthetic_minutiae.h"

typedef struct bench_config {
  size_t gallery, probes, dedup_batch;
  unsigned fingers, face_dimension, threads, shards;
  uint64_t seed;
  double penetration;
  int json;
} bench_config;

void cmd_bench_usage(FILE *out) {
  fprintf(out,
          "usage: biomatch bench [--gallery N] [--fingers F] [--face DIM] [--threads T] [--json]\n"
          "                      [--probes P] [--seed S] [--shards S] [--penetration X] [--dedup-batch B]\n"
          "Builds a SYNTHETIC gallery of N person records (F fingers each at positions 1..F, and a\n"
          "DIM-dimensional face embedding when DIM > 0) in memory and measures:\n"
          "  enrolment rate (records/s, templates prepared on the way, T threads),\n"
          "  1:N identification of P probes (half mated, half not; all F fingers and the face):\n"
          "    latency p50/p95/p99, throughput, rank-1 hit rate of the mated ones,\n"
          "  finger comparisons per second per core (CPU time),\n"
          "  deduplication of B records against the gallery (record pairs per second),\n"
          "  memory per record, the active instruction set and the read bandwidth of this machine.\n"
          "Same --seed, same gallery and probes. Defaults: N 2000, F 2, DIM 0, T 0 (one per CPU),\n"
          "P 100, S 1, shards 8, X 1 (exhaustive), B 20.\n"
          "Exit status: 0 done, 1 a library call failed, 2 usage.\n");
}

static double now_seconds(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Synthetic finger ids: person p, finger position f -> a finger number of this seed. */
static uint64_t finger_id(const bench_config *c, uint64_t person, unsigned position) {
  return (c->seed * 1000003ull + person) * 16 + position;
}

static void record_id(char *out, size_t size, uint64_t person) { snprintf(out, size, "person-%08llu", (unsigned long long)person); }

typedef struct enrol_work {
  const bench_config *config;
  bm_gallery *gallery;
  atomic_int status; /* a failure of any worker (written by several threads) */
} enrol_work;

static void enrol_person(void *context, size_t person) {
  enrol_work *w = context;
  const bench_config *c = w->config;
  char id[32];
  record_id(id, sizeof id, person);
  bm_gallery_record *record = NULL;
  bm_status status = bm_gallery_record_create(id, &record);
  for (unsigned p = 1; p <= c->fingers && status == BM_OK; ++p) {
    bm_template *tpl = NULL;
    status = bm_synth_template(finger_id(c, person, p), 0, p, &tpl);
    if (status == BM_OK) status = bm_gallery_record_set_finger(record, p, tpl);
    bm_template_free(tpl);
  }
  if (status == BM_OK && c->face_dimension) {
    float face[2048];
    synthetic_face(c->seed, person, 0, face, c->face_dimension);
    status = bm_gallery_record_set_face(record, face, c->face_dimension);
  }
  if (status == BM_OK) status = bm_gallery_enroll(w->gallery, record, BM_GALLERY_INSERT, NULL);
  if (status != BM_OK) atomic_store(&w->status, (int)status);
  bm_gallery_record_free(record);
}

/* Probe k: even k mated with person (k/2 * stride) of the gallery; odd k a
 * person never enrolled. */
static bm_status make_probe(const bench_config *c, size_t k, uint64_t *person, bm_gallery_probe **out) {
  const size_t mated_count = (c->probes + 1) / 2;
  *person = k % 2 == 0 ? (uint64_t)(k / 2) * (c->gallery / (mated_count ? mated_count : 1)) % c->gallery
                       : (uint64_t)c->gallery + k;
  bm_status status = bm_gallery_probe_create(out);
  for (unsigned p = 1; p <= c->fingers && status == BM_OK; ++p) {
    bm_template *tpl = NULL;
    status = bm_synth_template(finger_id(c, *person, p), 1, p, &tpl);
    if (status == BM_OK) status = bm_gallery_probe_add_finger(*out, p, tpl);
    bm_template_free(tpl);
  }
  if (status == BM_OK && c->face_dimension) {
    float face[2048];
    synthetic_face(c->seed, *person, 1, face, c->face_dimension);
    status = bm_gallery_probe_set_face(*out, face, c->face_dimension);
  }
  return status;
}

static int compare_doubles(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double percentile(const double *sorted, size_t count, double q) {
  if (count == 0) return 0;
  size_t index = (size_t)ceil(q * (double)count) - 1;
  return sorted[index < count ? index : count - 1];
}

/* Read bandwidth: `threads` threads each summing its part of a 256 MB buffer; best of 3 passes. */
typedef struct bandwidth_work {
  const uint64_t *data;
  size_t words, parts;
  uint64_t sums[CLI_MAX_THREADS];
} bandwidth_work;

static void sum_part(void *context, size_t part) {
  bandwidth_work *w = context;
  const size_t begin = w->words * part / w->parts, end = w->words * (part + 1) / w->parts;
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (size_t i = begin; i + 4 <= end; i += 4) {
    a += w->data[i];
    b += w->data[i + 1];
    c += w->data[i + 2];
    d += w->data[i + 3];
  }
  w->sums[part] = a + b + c + d;
}

static double measure_bandwidth(unsigned threads) {
  const size_t bytes = (size_t)256 << 20;
  uint64_t *data = malloc(bytes);
  if (!data) return 0;
  for (size_t i = 0; i < bytes / 8; ++i) data[i] = i;
  bandwidth_work w = {data, bytes / 8, threads, {0}};
  double best = 0;
  for (int pass = 0; pass < 3; ++pass) {
    const double start = now_seconds(CLOCK_MONOTONIC);
    cli_parallel_for(threads, threads, sum_part, &w, NULL);
    const double rate = (double)bytes / (now_seconds(CLOCK_MONOTONIC) - start);
    best = rate > best ? rate : best;
  }
  volatile uint64_t keep = w.sums[0]; /* the sums must be computed */
  (void)keep;
  free(data);
  return best / 1e9;
}

static int parse_count(const char *text, unsigned long long low, unsigned long long high, unsigned long long *out) {
  char *end;
  *out = strtoull(text, &end, 10);
  return *text && *text != '-' && !*end && *out >= low && *out <= high;
}

int cmd_bench(int argc, char **argv) {
  bench_config c = {2000, 100, 20, 2, 0, 0, 8, 1, 1.0, 0};
  for (int i = 1; i < argc; ++i) {
    unsigned long long value = 0;
    const char *name = argv[i], *text = i + 1 < argc ? argv[i + 1] : "";
    int ok = 1;
    if (strcmp(name, "--json") == 0) {
      c.json = 1;
      continue;
    }
    if (strcmp(name, "--gallery") == 0 && (ok = parse_count(text, 1, 100000000, &value))) c.gallery = value;
    else if (strcmp(name, "--fingers") == 0 && (ok = parse_count(text, 1, 10, &value))) c.fingers = (unsigned)value;
    else if (strcmp(name, "--face") == 0 && (ok = parse_count(text, 0, 2048, &value)) && (value == 0 || value >= 64))
      c.face_dimension = (unsigned)value;
    else if (strcmp(name, "--threads") == 0) ok = cli_parse_threads("bench", text, &c.threads);
    else if (strcmp(name, "--probes") == 0 && (ok = parse_count(text, 2, 1000000, &value))) c.probes = value;
    else if (strcmp(name, "--seed") == 0 && (ok = parse_count(text, 0, 1000000000, &value))) c.seed = value;
    else if (strcmp(name, "--shards") == 0 && (ok = parse_count(text, 1, 1024, &value))) c.shards = (unsigned)value;
    else if (strcmp(name, "--dedup-batch") == 0 && (ok = parse_count(text, 0, 1000000, &value))) c.dedup_batch = value;
    else if (strcmp(name, "--penetration") == 0) {
      char *end;
      c.penetration = strtod(text, &end);
      ok = *text && !*end && c.penetration > 0 && c.penetration <= 1;
    } else ok = 0;
    if (!ok) {
      fprintf(stderr, "biomatch bench: unknown option or bad value: %s %s\n", name, text);
      cmd_bench_usage(stderr);
      return CLI_EXIT_USAGE;
    }
    ++i;
  }
  if (c.threads == 0 && !cli_parse_threads("bench", "0", &c.threads)) c.threads = 1;
  if (c.dedup_batch > c.gallery) c.dedup_batch = c.gallery;

  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = c.shards;
  options.face_dimension = c.face_dimension;
  options.use_prefilter = c.penetration < 1;
  bm_gallery *gallery = NULL;
  bm_status status = bm_gallery_create(&options, &gallery);
  if (status != BM_OK) return cli_report_error("bench", status);

  /* Enrolment: synthesis + preparation + insertion, on T threads. */
  cli_progress progress;
  cli_progress_start(&progress, "enrolling", c.gallery);
  enrol_work enrol = {&c, gallery, BM_OK};  /* status: atomic_int initialised to BM_OK */
  double start = now_seconds(CLOCK_MONOTONIC), cpu_start = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
  cli_parallel_for(c.gallery, c.threads, enrol_person, &enrol, &progress);
  const double enrol_seconds = now_seconds(CLOCK_MONOTONIC) - start;
  const double enrol_cpu = now_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
  cli_progress_finish(&progress);
  if (atomic_load(&enrol.status) != BM_OK) {
    bm_gallery_close(gallery);
    return cli_report_error("bench: enrolment", (bm_status)atomic_load(&enrol.status));
  }
  bm_gallery_stats stats;
  status = bm_gallery_get_stats(gallery, &stats);

  /* 1:N: probes one after another, each searched on T threads over the shards. */
  bm_gallery_search_params params;
  bm_gallery_search_params_init(&params);
  params.top_k = 10;
  params.threads = c.threads;
  params.penetration = c.penetration;
  double *latency = calloc(c.probes, sizeof *latency);
  size_t mated = 0, mated_hits = 0, nonmated = 0, nonmated_false = 0;
  uint64_t comparisons = 0;
  double search_seconds = 0, search_cpu = 0;
  const double fmr_threshold = 1e-4; /* a hit: the mate is rank 1 with estimated FMR <= this */
  cli_progress_start(&progress, "searching", c.probes);
  for (size_t k = 0; k < c.probes && status == BM_OK && latency; ++k) {
    uint64_t person;
    bm_gallery_probe *probe = NULL;
    status = make_probe(&c, k, &person, &probe);
    bm_gallery_result *result = NULL;
    start = now_seconds(CLOCK_MONOTONIC);
    cpu_start = now_seconds(CLOCK_PROCESS_CPUTIME_ID);
    if (status == BM_OK) status = bm_gallery_identify(gallery, probe, &params, &result);
    latency[k] = now_seconds(CLOCK_MONOTONIC) - start;
    search_cpu += now_seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    search_seconds += latency[k];
    if (status == BM_OK) {
      comparisons += bm_gallery_result_comparisons(result);
      char id[32];
      record_id(id, sizeof id, person);
      const int top_is_mate = bm_gallery_result_count(result) > 0 && strcmp(bm_gallery_result_id(result, 0), id) == 0;
      const int accepted = bm_gallery_result_count(result) > 0 && bm_gallery_result_fmr(result, 0) <= fmr_threshold;
      if (person < c.gallery) {
        ++mated;
        mated_hits += top_is_mate && accepted;
      } else {
        ++nonmated;
        nonmated_false += accepted;
      }
    }
    bm_gallery_result_free(result);
    bm_gallery_probe_free(probe);
    cli_progress_advance(&progress, 1);
  }
  cli_progress_finish(&progress);
  if (status != BM_OK || !latency) {
    free(latency);
    bm_gallery_close(gallery);
    return cli_report_error("bench: identification", status != BM_OK ? status : BM_ERR_OUT_OF_MEMORY);
  }
  qsort(latency, c.probes, sizeof *latency, compare_doubles);

  /* Deduplication: a batch of records against the whole gallery. */
  double dedup_seconds = 0, dedup_pairs = 0;
  if (c.dedup_batch) {
    char (*ids)[32] = calloc(c.dedup_batch, sizeof *ids);
    const char **batch = calloc(c.dedup_batch, sizeof *batch);
    for (size_t b = 0; ids && batch && b < c.dedup_batch; ++b) {
      record_id(ids[b], sizeof ids[b], b * (c.gallery / c.dedup_batch));
      batch[b] = ids[b];
    }
    bm_gallery_dedup_result *dedup = NULL;
    start = now_seconds(CLOCK_MONOTONIC);
    status = ids && batch ? bm_gallery_dedup(gallery, batch, c.dedup_batch, 1e-6, c.threads, NULL, NULL, &dedup)
                          : BM_ERR_OUT_OF_MEMORY;
    dedup_seconds = now_seconds(CLOCK_MONOTONIC) - start;
    if (status == BM_OK) dedup_pairs = (double)bm_gallery_dedup_pairs_compared(dedup);
    bm_gallery_dedup_free(dedup);
    free(ids);
    free(batch);
    if (status != BM_OK) {
      free(latency);
      bm_gallery_close(gallery);
      return cli_report_error("bench: deduplication", status);
    }
  }
  bm_gallery_close(gallery);
  const double bandwidth_1 = measure_bandwidth(1), bandwidth_t = measure_bandwidth(c.threads);

  const double enrol_rate = (double)c.gallery / enrol_seconds;
  const double p50 = 1e3 * percentile(latency, c.probes, 0.50), p95 = 1e3 * percentile(latency, c.probes, 0.95),
               p99 = 1e3 * percentile(latency, c.probes, 0.99);
  const double throughput = (double)c.probes / search_seconds;
  const double per_core = search_cpu > 0 ? (double)comparisons / search_cpu : 0;
  const double bytes_per_record = (double)stats.total_bytes / (double)(stats.records ? stats.records : 1);
  const double dedup_rate = dedup_seconds > 0 ? dedup_pairs / dedup_seconds : 0;
  const char *isa = bm_isa_name(bm_active_isa());
  if (c.json) {
    printf("{\"synthetic\": true, \"seed\": %llu, \"gallery\": %zu, \"fingers\": %u, \"face_dimension\": %u, "
           "\"threads\": %u, \"shards\": %u, \"penetration\": %g, \"isa\": \"%s\",\n"
           " \"enrol\": {\"records_per_second\": %.1f, \"seconds\": %.3f, \"cpu_seconds\": %.3f},\n"
           " \"identify\": {\"probes\": %zu, \"latency_ms\": {\"p50\": %.3f, \"p95\": %.3f, \"p99\": %.3f}, "
           "\"probes_per_second\": %.2f, \"finger_comparisons\": %llu, \"comparisons_per_second_per_core\": %.0f, "
           "\"cpu_seconds\": %.3f, \"mated\": %zu, \"rank1_hits_at_fmr_1e-4\": %zu, \"nonmated\": %zu, "
           "\"false_accepts_at_fmr_1e-4\": %zu},\n"
           " \"dedup\": {\"batch\": %zu, \"record_pairs\": %.0f, \"seconds\": %.3f, \"record_pairs_per_second\": %.0f},\n"
           " \"memory\": {\"bytes_per_record\": %.0f, \"total_bytes\": %llu},\n"
           " \"bandwidth_gb_per_s\": {\"one_thread\": %.2f, \"all_threads\": %.2f}}\n",
           (unsigned long long)c.seed, c.gallery, c.fingers, c.face_dimension, c.threads, c.shards, c.penetration,
           isa, enrol_rate, enrol_seconds, enrol_cpu, c.probes, p50, p95, p99, throughput,
           (unsigned long long)comparisons, per_core, search_cpu, mated, mated_hits, nonmated, nonmated_false,
           c.dedup_batch, dedup_pairs, dedup_seconds, dedup_rate, bytes_per_record,
           (unsigned long long)stats.total_bytes, bandwidth_1, bandwidth_t);
  } else {
    printf("SYNTHETIC gallery: %zu records x %u fingers%s, seed %llu, %u threads, %u shards, %s, penetration %g\n",
           c.gallery, c.fingers, c.face_dimension ? " + face" : "", (unsigned long long)c.seed, c.threads, c.shards,
           isa, c.penetration);
    printf("  enrol        %10.0f records/s   (%.2f s wall, %.2f s CPU)\n", enrol_rate, enrol_seconds, enrol_cpu);
    printf("  1:N latency  p50 %.2f ms  p95 %.2f ms  p99 %.2f ms  (%zu probes)\n", p50, p95, p99, c.probes);
    printf("  throughput   %10.1f probes/s\n", throughput);
    printf("  comparisons  %10.0f finger comparisons/s per core (%llu in %.2f s CPU)\n", per_core,
           (unsigned long long)comparisons, search_cpu);
    printf("  accuracy     %zu/%zu mated probes found at rank 1 (FMR <= 1e-4), %zu/%zu non-mated accepted\n",
           mated_hits, mated, nonmated_false, nonmated);
    printf("  dedup        %10.0f record pairs/s (%zu records against the gallery, %.2f s)\n", dedup_rate,
           c.dedup_batch, dedup_seconds);
    printf("  memory       %10.0f bytes per record (%.1f MB)\n", bytes_per_record, (double)stats.total_bytes / 1e6);
    printf("  bandwidth    %.2f GB/s read on 1 thread, %.2f GB/s on %u\n", bandwidth_1, bandwidth_t, c.threads);
  }
  free(latency);
  return CLI_EXIT_OK;
}
