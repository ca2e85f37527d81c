/* Clocks and error exit shared by the gallery evaluation programs. */
#ifndef BIOMATCH_BENCH_GALLERY_EVAL_CLOCK_H
#define BIOMATCH_BENCH_GALLERY_EVAL_CLOCK_H

#include "biomatch/bm_errors.h"

/* Seconds of the monotonic clock. */
double eval_wall_seconds(void);
/* Seconds of CPU used by the whole process (every thread). */
double eval_cpu_seconds(void);
/* Exits with status 1 and a message naming `program` and `what` unless status is BM_OK. */
void eval_must(const char *program, bm_status status, const char *what);

#endif
