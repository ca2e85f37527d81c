/* biomatch demo: the main job on embedded defaults. It reports the library,
 * the instruction set in use and the kernel self-check, then runs a short
 * timing of the kernels on this machine. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static uint64_t next_random(uint64_t *state) { /* xorshift64 */
  *state ^= *state << 13;
  *state ^= *state >> 7;
  *state ^= *state << 17;
  return *state >> 24;
}

/* Times one int8 512-d scan over a gallery of `rows` random vectors. */
static int time_int8_scan(size_t rows) {
  enum { DIMENSION = 512 };
  int8_t *gallery = malloc(rows * DIMENSION), query[DIMENSION];
  int32_t *scores = malloc(rows * sizeof *scores);
  if (!gallery || !scores) {
    free(gallery);
    free(scores);
    fprintf(stderr, "biomatch: demo: out of memory\n");
    return CLI_EXIT_FAILURE;
  }
  uint64_t state = 0x9E3779B97F4A7C15ULL;
  for (size_t i = 0; i < rows * DIMENSION; ++i) gallery[i] = (int8_t)next_random(&state);
  for (size_t i = 0; i < DIMENSION; ++i) query[i] = (int8_t)next_random(&state);
  double best = 1e9;
  for (int repeat = 0; repeat < 5; ++repeat) {
    double start = seconds_now();
    bm_status status = bm_dot_i8_scan(query, gallery, DIMENSION, DIMENSION, rows, scores);
    double elapsed = seconds_now() - start;
    if (status != BM_OK) {
      free(gallery);
      free(scores);
      return cli_report_error("demo", status);
    }
    if (elapsed < best) best = elapsed;
  }
  bm_scored_id top[5];
  size_t found = 0;
  float *as_float = malloc(rows * sizeof *as_float);
  if (as_float) {
    for (size_t i = 0; i < rows; ++i) as_float[i] = (float)scores[i];
    if (bm_top_k(as_float, rows, 0, 5, top, &found) != BM_OK) found = 0;
    free(as_float);
  }
  printf("face scan    %zu int8 512-d vectors in %.1f ms: %.1f M vectors/s on one core (%.1f GB/s)\n", rows,
         best * 1e3, (double)rows / best / 1e6, (double)rows * DIMENSION / best / 1e9);
  if (found) printf("top-5 ids    %llu %llu %llu %llu %llu\n", (unsigned long long)top[0].id,
                    (unsigned long long)top[1].id, (unsigned long long)top[2].id, (unsigned long long)top[3].id,
                    (unsigned long long)top[4].id);
  free(gallery);
  free(scores);
  return CLI_EXIT_OK;
}

int cmd_demo(int argc, char **argv) {
  if (cli_wants_help(argc, argv)) {
    printf("usage: biomatch demo\nRuns the main job on built-in data and prints a summary.\n");
    return CLI_EXIT_OK;
  }
  printf("biomatch %s (ABI %u)\n", bm_version_string(), bm_abi_version());
  printf("instruction set  %s (best supported: %s)\n", bm_isa_name(bm_active_isa()), bm_isa_name(bm_best_isa()));
  bm_status status = bm_kernels_self_check();
  if (status != BM_OK) return cli_report_error("kernel self-check", status);
  printf("kernel self-check  every supported tier agrees with the scalar reference\n");
  return time_int8_scan((size_t)1 << 20);
}
