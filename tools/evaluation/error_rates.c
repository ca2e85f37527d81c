#include "error_rates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int compare_floats(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return x < y ? -1 : x > y;
}

/* Share of the ascending `sorted` values that are >= t (binary search). */
static double share_at_or_above(const float *sorted, size_t count, double t) {
  size_t low = 0, high = count;
  while (low < high) {
    const size_t mid = (low + high) / 2;
    if (sorted[mid] < t) low = mid + 1;
    else high = mid;
  }
  return (double)(count - low) / (double)count;
}

static float *sorted_copy(const float *values, size_t count) {
  float *copy = malloc(count * sizeof *copy);
  if (!copy) return NULL;
  memcpy(copy, values, count * sizeof *copy);
  qsort(copy, count, sizeof *copy, compare_floats);
  return copy;
}

static double mean(const float *values, size_t count) {
  double sum = 0;
  for (size_t i = 0; i < count; ++i) sum += values[i];
  return sum / (double)count;
}

int compute_error_rates(const float *genuine_in, size_t gn, const float *impostor_in, size_t in, error_rates *out) {
  if (gn == 0 || in == 0) return 0;
  float *genuine = sorted_copy(genuine_in, gn), *impostor = sorted_copy(impostor_in, in);
  if (!genuine || !impostor) {
    free(genuine);
    free(impostor);
    return 0;
  }
  /* Candidate thresholds: every observed score, plus one above the highest
   * impostor so that FMR = 0 is always reachable. A pair is accepted when
   * its score is >= the threshold. */
  double best_gap = 2, eer = 1, fnmr_1e2 = 1, fnmr_1e3 = 1, fnmr_zero = 1;
  const size_t total = gn + in + 1;
  for (size_t c = 0; c < total; ++c) {
    const double t = c < gn ? genuine[c] : c < gn + in ? impostor[c - gn] : nextafter((double)impostor[in - 1], 2.0);
    const double fmr = share_at_or_above(impostor, in, t), fnmr = 1.0 - share_at_or_above(genuine, gn, t);
    const double gap = fabs(fmr - fnmr);
    if (gap < best_gap || (gap == best_gap && (fmr + fnmr) / 2 < eer)) {
      best_gap = gap;
      eer = (fmr + fnmr) / 2;
    }
    if (fmr <= 1e-2 && fnmr < fnmr_1e2) fnmr_1e2 = fnmr;
    if (fmr <= 1e-3 && fnmr < fnmr_1e3) fnmr_1e3 = fnmr;
    if (fmr == 0 && fnmr < fnmr_zero) fnmr_zero = fnmr;
  }
  out->eer = eer;
  out->fnmr_at_fmr_1e2 = fnmr_1e2;
  out->fnmr_at_fmr_1e3 = fnmr_1e3;
  out->fnmr_at_zero_fmr = fnmr_zero;
  out->genuine_mean = mean(genuine, gn);
  out->impostor_mean = mean(impostor, in);
  free(genuine);
  free(impostor);
  return 1;
}
