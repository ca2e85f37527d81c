/* Latencies of repeated searches and their nearest-rank percentiles. */
#include "latency_log.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "eval_clock.h"

void latency_log_add(latency_log *log, double seconds) {
  if (log->count == log->capacity) {
    const size_t capacity = log->capacity ? 2 * log->capacity : 1024;
    double *grown = realloc(log->seconds, capacity * sizeof *grown);
    if (!grown) {
      fprintf(stderr, "latency_log: out of memory for %zu latencies\n", capacity);
      exit(1);
    }
    log->seconds = grown;
    log->capacity = capacity;
  }
  log->seconds[log->count++] = seconds;
}

bm_status latency_log_identify(latency_log *log, bm_gallery *gallery, const bm_gallery_probe *probe,
                               const bm_gallery_search_params *params, bm_gallery_result **out) {
  const double start = eval_wall_seconds();
  const bm_status status = bm_gallery_identify(gallery, probe, params, out);
  const double seconds = eval_wall_seconds() - start;
  if (status == BM_OK) latency_log_add(log, seconds);
  return status;
}

static int compare_double(const void *a, const void *b) {
  const double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

double latency_log_percentile(latency_log *log, double p) {
  if (!log->count) return NAN;
  qsort(log->seconds, log->count, sizeof *log->seconds, compare_double);
  size_t rank = (size_t)ceil(p * (double)log->count);
  if (rank < 1) rank = 1;
  if (rank > log->count) rank = log->count;
  return log->seconds[rank - 1];
}

void latency_log_free(latency_log *log) {
  free(log->seconds);
  *log = (latency_log){0};
}
