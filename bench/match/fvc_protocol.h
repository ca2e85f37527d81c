/* Shared by the evaluation programs: loading prepared FVC templates and
 * error-rate figures from genuine and impostor score lists. */
#ifndef BIOMATCH_BENCH_FVC_PROTOCOL_H
#define BIOMATCH_BENCH_FVC_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct fvc_set {
  size_t count;
  int finger[128], impression[128];
  uint8_t *blob[128];
  size_t size[128];
  size_t minutiae[128];
} fvc_set;

/* Loads DIR/FFF_I.iso for FFF 101..110, I 1..8; prints and returns 0 on failure. */
int fvc_load(const char *dir, fvc_set *set);
void fvc_free(fvc_set *set);

typedef struct error_rates {
  double eer, fnmr_at_fmr_1e2, fnmr_at_fmr_1e3, fnmr_at_zero_fmr;
  double genuine_mean, impostor_mean;
} error_rates;

void compute_error_rates(const float *genuine, size_t genuine_count, const float *impostor, size_t impostor_count,
                         error_rates *out);
/* Writes a DET curve (FNMR against FMR, log-log) as a PNG; returns 0 on failure. */
int write_det_png(const char *path, const float *genuine, size_t genuine_count, const float *impostor,
                  size_t impostor_count);

#endif
