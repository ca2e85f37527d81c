/* Verification error rates from genuine and impostor score lists (higher
 * score = more similar), as reported by the FVC competitions. */
#ifndef BIOMATCH_TOOLS_ERROR_RATES_H
#define BIOMATCH_TOOLS_ERROR_RATES_H

#include <stddef.h>

typedef struct error_rates {
  double eer;              /* equal error rate: mean of FMR and FNMR where they are closest */
  double fnmr_at_fmr_1e2;  /* lowest FNMR among thresholds with FMR <= 1% */
  double fnmr_at_fmr_1e3;  /* ... FMR <= 0.1% */
  double fnmr_at_zero_fmr; /* ... FMR = 0 */
  double genuine_mean, impostor_mean;
} error_rates;

/* Fills *out. Both lists must be non-empty; returns 0 (and leaves *out
 * untouched) when one is empty or memory runs out, 1 otherwise. */
int compute_error_rates(const float *genuine, size_t genuine_count, const float *impostor, size_t impostor_count,
                        error_rates *out);

#endif
