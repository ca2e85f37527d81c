/* Latencies of repeated gallery searches and their nearest-rank
 * percentiles, shared by the gallery benchmarks and the scale evaluation so
 * that every program times a search and reports p50/p95/p99 the same way. */
#ifndef BIOMATCH_BENCH_GALLERY_LATENCY_LOG_H
#define BIOMATCH_BENCH_GALLERY_LATENCY_LOG_H

#include <stddef.h>

#include "biomatch/bm_gallery.h"

typedef struct latency_log {
  double *seconds;
  size_t count, capacity;
} latency_log;

/* Appends one latency; exits with status 1 if memory runs out. */
void latency_log_add(latency_log *log, double seconds);
/* bm_gallery_identify, timed by the monotonic clock (eval_wall_seconds);
 * when it succeeds its wall time is appended to the log. Returns its status. */
bm_status latency_log_identify(latency_log *log, bm_gallery *gallery, const bm_gallery_probe *probe,
                               const bm_gallery_search_params *params, bm_gallery_result **out);
/* Nearest-rank percentile (p in (0, 1]) of the latencies so far: the
 * ceil(p * count)-th smallest, so p = 0.5 is the lower median. Sorts the log
 * in place; NAN when it is empty. */
double latency_log_percentile(latency_log *log, double p);
/* Releases the latencies and empties the log. */
void latency_log_free(latency_log *log);

#endif
