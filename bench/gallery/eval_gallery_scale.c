/* Scale figure of the gallery (issue 6): a gallery of N one-finger records
 * of SYNTHETIC templates (bench/gallery/synthetic_minutiae.c) with the real
 * FVC2002 DB1/DB2 impressions planted as mates, held in memory and on disk.
 *
 *   bm_eval_gallery_scale DATA_DIR DIRECTORY [--records N] [--distinct D]
 *       [--shards S] [--threads T] [--exhaustive-probes P]
 *       [--penetrations 0.01,0.02,0.05,0.1,0.2] [--all-probes-up-to 0.05]
 *       [--enrol N] [--existing]
 *
 * DATA_DIR holds fvc2002_db1_b and fvc2002_db2_b; DIRECTORY receives the
 * gallery (log, snapshot), removed first. Preparing a template costs
 * milliseconds, so D distinct synthetic templates (default 100,000) are
 * prepared once and record i gets template i mod D: with N > D each
 * synthetic template appears N / D times under different ids (latency and
 * memory are those of N templates; impostor diversity is that of D).
 *
 * Steps and figures:
 *  1. enrol N + 20 records (deferred sync, one sync per 4,096 records):
 *     enrolments/s with the templates already prepared;
 *  2. memory per template (bm_gallery_get_stats total_bytes / fingers);
 *  3. checkpoint (snapshot of the whole gallery), close, reopen: load time;
 *  4. probes: impressions 2..8 of each planted FVC finger (140), each a
 *     one-finger probe at position 1; the first P (spread over both sets)
 *     are searched exhaustively and at each penetration, all 140 at the
 *     penetrations up to --all-probes-up-to (CPU time): rank-1
 *     hit rate, latency p50/p95/p99 (wall) and CPU seconds per search;
 *  5. enrolment into the full gallery: N (default 300) records with an
 *     fdatasync each, then 64 N with one sync per 64 (group commit).
 * With --existing, DIRECTORY is an earlier run's gallery, reopened as it
 * is for steps 3 (load time) and 5 only.
 */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "biomatch/biomatch.h"
#include "biomatch/bm_gallery.h"
#include "gallery/gallery_internal.h"
#include "eval_clock.h"
#include "latency_log.h"
#include "synthetic_minutiae.h"

static void must(bm_status status, const char *what) { eval_must("bm_eval_gallery_scale", status, what); }

typedef struct prepared_template {
  uint8_t *blob, *code;
  size_t size;
} prepared_template;

typedef struct probe_case {
  bm_gallery_probe *probe;
  char mate[32];
} probe_case;

/* Searches every probe in [0, count) at `penetration`; prints one line. */
static void run_searches(bm_gallery *g, probe_case *probes, size_t count, double penetration, unsigned threads) {
  latency_log latencies = {0};
  size_t hits = 0;
  double cpu = 0;
  uint64_t comparisons = 0;
  for (size_t i = 0; i < count; ++i) {
    bm_gallery_search_params params;
    bm_gallery_search_params_init(&params);
    params.penetration = penetration;
    params.threads = threads;
    params.top_k = 10;
    bm_gallery_result *result = NULL;
    const double c0 = eval_cpu_seconds();
    must(latency_log_identify(&latencies, g, probes[i].probe, &params, &result), "identify");
    cpu += eval_cpu_seconds() - c0;
    comparisons += bm_gallery_result_comparisons(result);
    hits += bm_gallery_result_count(result) && strcmp(bm_gallery_result_id(result, 0), probes[i].mate) == 0;
    bm_gallery_result_free(result);
  }
  printf("penetration %-6g probes %3zu  rank-1 %5.1f%% (%zu)  latency p50 %8.1f ms  p95 %8.1f ms  p99 %8.1f ms  "
         "CPU %8.1f ms/search  comparisons/search %.0f\n",
         penetration, count, 100.0 * (double)hits / (double)count, hits, 1e3 * latency_log_percentile(&latencies, 0.50),
         1e3 * latency_log_percentile(&latencies, 0.95), 1e3 * latency_log_percentile(&latencies, 0.99), 1e3 * cpu / (double)count,
         (double)comparisons / (double)count);
  fflush(stdout);
  latency_log_free(&latencies);
}

/* Enrols a one-finger record (position 1) of an already prepared template. */
static void enrol_prepared(bm_gallery *g, const char *id, const prepared_template *t) {
  bm_gallery_record *r = NULL;
  must(bm_gallery_record_create(id, &r), "record");
  must(bm_gallery_record_set_prepared_(r, 1, t->blob, t->size, t->code), "set prepared");
  must(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL), "enrol");
  bm_gallery_record_free(r);
}

/* Opens the gallery in `directory` and reports how long loading took. */
static bm_gallery *timed_reopen(const char *directory) {
  bm_gallery *g = NULL;
  const double w0 = eval_wall_seconds(), c0 = eval_cpu_seconds();
  must(bm_gallery_open(directory, NULL, &g), "reopen");
  const double load_wall = eval_wall_seconds() - w0, load_cpu = eval_cpu_seconds() - c0;
  bm_gallery_stats stats;
  must(bm_gallery_get_stats(g, &stats), "stats");
  char command[4200];
  snprintf(command, sizeof command, "du -sb '%s'", directory);
  printf("reopen (snapshot load by mmap with CRC check, records rebuilt into shards): %.1f s wall, %.1f s CPU for %llu "
         "records; directory size: ",
         load_wall, load_cpu, (unsigned long long)stats.records);
  fflush(stdout);
  if (system(command) != 0) printf("?\n");
  return g;
}

/* Enrolment into the full gallery (the registry's steady state): `count`
 * records acknowledged one by one with an fdatasync each (DURABLE), then
 * 64 times as many with one sync per 64 (group commit). */
static void measure_enrolment(const char *directory, unsigned shards, const prepared_template *pool, size_t distinct,
                              size_t count) {
  static const char *names[2] = {"fdatasync per record", "group commit, one sync per 64"};
  for (int group = 0; group < 2; ++group) {
    bm_gallery_options options;
    bm_gallery_options_init(&options);
    options.shard_count = shards;
    options.sync = group ? BM_GALLERY_SYNC_DEFERRED : BM_GALLERY_SYNC_DURABLE;
    bm_gallery *g = NULL;
    must(bm_gallery_open(directory, &options, &g), "open for enrolment");
    const size_t n = group ? 64 * count : count;
    const double w0 = eval_wall_seconds(), c0 = eval_cpu_seconds();
    for (size_t i = 0; i < n; ++i) {
      char id[48];
      snprintf(id, sizeof id, "enrol-%d-%08zu", group, i);
      enrol_prepared(g, id, &pool[i % distinct]);
      if (group && (i + 1) % 64 == 0) must(bm_gallery_sync(g), "sync");
    }
    must(bm_gallery_sync(g), "sync");
    const double wall = eval_wall_seconds() - w0;
    printf("enrolment into the %llu-record gallery, %s: %zu records in %.2f s wall (%.0f records/s), %.2f s CPU\n",
           (unsigned long long)bm_gallery_count(g) - n, names[group], n, wall, (double)n / wall,
           eval_cpu_seconds() - c0);
    bm_gallery_close(g);
  }
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s DATA_DIR DIRECTORY [--records N] [--distinct D] [--shards S] [--threads T] "
                    "[--exhaustive-probes P] [--penetrations a,b,...] [--all-probes-up-to p] [--enrol N] [--existing]\n",
            argv[0]);
    return 2;
  }
  const char *data = argv[1], *directory = argv[2];
  size_t records = 1000000, distinct = 100000, exhaustive_probes = 20;
  unsigned shards = 16, threads = 2;
  const char *penetrations = "0.01,0.02,0.05,0.1,0.2";
  double all_probes_up_to = 0.05; /* every probe only at penetrations up to this (CPU time) */
  size_t enrol_count = 300; /* durable enrolments measured at the end (64 x as many with group commit) */
  int existing = 0;         /* reopen DIRECTORY as it is and measure only reopen and enrolment */
  setvbuf(stdout, NULL, _IOLBF, 0);
  for (int i = 3; i < argc; i += 2) {
    if (!strcmp(argv[i], "--existing")) {
      existing = 1;
      --i;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "option %s needs a value\n", argv[i]);
      return 2;
    }
    if (!strcmp(argv[i], "--records")) records = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--distinct")) distinct = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--shards")) shards = (unsigned)strtoul(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--threads")) threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--exhaustive-probes")) exhaustive_probes = strtoull(argv[i + 1], NULL, 10);
    else if (!strcmp(argv[i], "--penetrations")) penetrations = argv[i + 1];
    else if (!strcmp(argv[i], "--all-probes-up-to")) all_probes_up_to = strtod(argv[i + 1], NULL);
    else if (!strcmp(argv[i], "--enrol")) enrol_count = strtoull(argv[i + 1], NULL, 10);
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (distinct > records) distinct = records;
  if (existing && distinct > 4096) distinct = 4096; /* templates for the enrolment measure only */
  printf("SYNTHETIC gallery: %zu one-finger records from %zu distinct synthetic templates, + 20 planted FVC2002 "
         "fingers; %u shards, %u threads, ISA %s\n",
         records, distinct, shards, threads, bm_isa_name(bm_active_isa()));

  /* 1. distinct synthetic templates, prepared in parallel */
  double w0 = eval_wall_seconds(), c0 = eval_cpu_seconds();
  prepared_template *pool = calloc(distinct, sizeof *pool);
  const size_t code_bytes = bm_cascade_code_bytes_();
  int failed = 0;
  size_t redrawn = 0;
  /* A generated finger the matcher or the prefilter refuses (too few
   * minutiae for a cylinder, say: rare, but a million draws meet it) is
   * drawn again under another finger number and counted. */
#pragma omp parallel for schedule(dynamic, 256) num_threads((int)threads) reduction(| : failed) reduction(+ : redrawn)
  for (size_t i = 0; i < distinct; ++i) {
    uint8_t buffer[BM_PREPARED_MAX_BYTES];
    int done = 0;
    for (uint64_t attempt = 0; attempt < 4 && !done; ++attempt) {
      bm_template *tpl = NULL;
      size_t size = 0;
      if (bm_synth_template(i + attempt * distinct, 0, 1, &tpl) == BM_OK &&
          bm_prepare_template(tpl, buffer, sizeof buffer, &size) == BM_OK &&
          (!code_bytes || (pool[i].code = malloc(code_bytes), bm_cascade_encode_(tpl, pool[i].code) == BM_OK))) {
        pool[i].blob = malloc(size);
        memcpy(pool[i].blob, buffer, size);
        pool[i].size = size;
        done = 1;
      } else {
        free(pool[i].code);
        pool[i].code = NULL;
      }
      redrawn += !done;
      bm_template_free(tpl);
    }
    failed |= !done;
  }
  if (failed) must(BM_ERR_INTERNAL, "preparing synthetic templates");
  size_t blob_total = 0;
  for (size_t i = 0; i < distinct; ++i) blob_total += pool[i].size;
  printf("prepared %zu synthetic templates in %.1f s wall, %.1f s CPU (%.2f ms CPU each), mean blob %.0f bytes; "
         "%zu draws refused and drawn again\n",
         distinct, eval_wall_seconds() - w0, eval_cpu_seconds() - c0, 1e3 * (eval_cpu_seconds() - c0) / (double)distinct,
         (double)blob_total / (double)distinct, redrawn);

  if (existing) {
    bm_gallery_close(timed_reopen(directory));
    measure_enrolment(directory, shards, pool, distinct, enrol_count);
    for (size_t i = 0; i < distinct; ++i) free(pool[i].blob), free(pool[i].code);
    free(pool);
    return 0;
  }

  /* 2. enrol into a persistent gallery */
  char command[4200];
  snprintf(command, sizeof command, "rm -rf '%s'", directory);
  if (system(command) != 0) return 1;
  bm_gallery_options options;
  bm_gallery_options_init(&options);
  options.shard_count = shards;
  options.sync = BM_GALLERY_SYNC_DEFERRED;
  bm_gallery *g = NULL;
  must(bm_gallery_open(directory, &options, &g), "open");
  w0 = eval_wall_seconds();
  c0 = eval_cpu_seconds();
  for (size_t i = 0; i < records; ++i) {
    char id[32];
    snprintf(id, sizeof id, "syn-%08zu", i);
    enrol_prepared(g, id, &pool[i % distinct]);
    if ((i + 1) % 4096 == 0) must(bm_gallery_sync(g), "sync");
  }
  must(bm_gallery_sync(g), "sync");
  const double enrol_wall = eval_wall_seconds() - w0, enrol_cpu = eval_cpu_seconds() - c0;
  printf("enrolled %zu prepared records in %.1f s wall (%.0f records/s), %.1f s CPU; log with one fdatasync per 4096\n",
         records, enrol_wall, (double)records / enrol_wall, enrol_cpu);

  /* planted FVC mates: impression 1 enrolled, 2..8 are probes */
  probe_case *probes = calloc(140, sizeof *probes);
  size_t probe_count = 0;
  const char *sets[2] = {"fvc2002_db1_b", "fvc2002_db2_b"};
  for (int s = 0; s < 2; ++s)
    for (int f = 101; f <= 110; ++f) {
      char path[4200], id[32];
      snprintf(path, sizeof path, "%s/%s/%d_1.iso", data, sets[s], f);
      bm_template *tpl = NULL;
      must(bm_template_read_file(path, &tpl), path);
      snprintf(id, sizeof id, "fvc-db%d-%d", s + 1, f);
      bm_gallery_record *r = NULL;
      must(bm_gallery_record_create(id, &r), "record");
      must(bm_gallery_record_set_finger(r, 1, tpl), "set finger");
      must(bm_gallery_enroll(g, r, BM_GALLERY_INSERT, NULL), "enrol FVC");
      bm_gallery_record_free(r);
      bm_template_free(tpl);
      for (int impression = 2; impression <= 8; ++impression) {
        snprintf(path, sizeof path, "%s/%s/%d_%d.iso", data, sets[s], f, impression);
        must(bm_template_read_file(path, &tpl), path);
        probe_case *p = &probes[probe_count++];
        snprintf(p->mate, sizeof p->mate, "%s", id);
        must(bm_gallery_probe_create(&p->probe), "probe");
        must(bm_gallery_probe_add_finger(p->probe, 1, tpl), "probe finger");
        bm_template_free(tpl);
      }
    }
  must(bm_gallery_sync(g), "sync");
  /* order probes so that any prefix mixes both sets and all impressions */
  for (size_t i = 0; i < probe_count; ++i) {
    const size_t j = (i * 53) % probe_count; /* 53 is prime to 140 */
    const probe_case swap = probes[i];
    probes[i] = probes[j];
    probes[j] = swap;
  }

  bm_gallery_stats stats;
  must(bm_gallery_get_stats(g, &stats), "stats");
  printf("memory: %llu fingers, %.0f bytes per template in total (%.0f prepared template, %.0f prefilter code, rest "
         "index and record tables); %.2f GB\n",
         (unsigned long long)stats.fingers, (double)stats.total_bytes / (double)stats.fingers,
         (double)stats.prepared_bytes / (double)stats.fingers, (double)stats.prefilter_bytes / (double)stats.fingers,
         (double)stats.total_bytes / 1e9);

  /* 3. snapshot, reopen */
  w0 = eval_wall_seconds();
  must(bm_gallery_checkpoint(g), "checkpoint");
  printf("checkpoint (snapshot of the whole gallery): %.1f s\n", eval_wall_seconds() - w0);
  bm_gallery_close(g);
  g = timed_reopen(directory);

  /* 4. searches */
  if (exhaustive_probes > probe_count) exhaustive_probes = probe_count;
  if (exhaustive_probes) run_searches(g, probes, exhaustive_probes, 1.0, threads);
  for (const char *p = penetrations; p && *p;) {
    const double penetration = strtod(p, NULL);
    run_searches(g, probes, exhaustive_probes, penetration, threads);
    if (exhaustive_probes < probe_count && penetration <= all_probes_up_to)
      run_searches(g, probes, probe_count, penetration, threads);
    p = strchr(p, ',');
    if (p) ++p;
  }
  for (size_t i = 0; i < probe_count; ++i) bm_gallery_probe_free(probes[i].probe);
  free(probes);
  bm_gallery_close(g);
  if (enrol_count) measure_enrolment(directory, shards, pool, distinct, enrol_count);
  for (size_t i = 0; i < distinct; ++i) {
    free(pool[i].blob);
    free(pool[i].code);
  }
  free(pool);
  return 0;
}
