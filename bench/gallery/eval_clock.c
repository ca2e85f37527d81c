/* Clocks and error exit shared by the gallery evaluation programs. */
#include "eval_clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double seconds_of(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

double eval_wall_seconds(void) { return seconds_of(CLOCK_MONOTONIC); }
double eval_cpu_seconds(void) { return seconds_of(CLOCK_PROCESS_CPUTIME_ID); }

void eval_must(const char *program, bm_status status, const char *what) {
  if (status != BM_OK) {
    fprintf(stderr, "%s: %s: %s %s\n", program, what, bm_error_name(status), bm_last_error_message());
    exit(1);
  }
}
