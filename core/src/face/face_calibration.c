/* Face score calibration (see bm_face.h for the model). The curve keeps,
 * for FMR = 10^(-k/20), the score above which that share of the impostor
 * sample lies; evaluation interpolates log10 FMR linearly between those
 * knots, and beyond the last one follows a straight line in log10 FMR
 * (an exponential tail) fitted by least squares to the last measured
 * decade. The knots stop where fewer than 10 impostors remain above the
 * threshold: rarer rates have no support in the sample. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "face/face_calibration.h"
#include "util/fmr_floor.h"

enum { LEAST_SUPPORTED_IMPOSTORS = 10 };

static const bm_face_calibration *resolve(const bm_face_calibration *calibration) {
  return calibration ? calibration : &bm_face_calibration_builtin_;
}

/* Slope of log10 FMR against score over the knots [first, count). */
static double fit_tail_slope(const bm_face_calibration *c, size_t first) {
  const size_t n = c->knot_count - first;
  double mean_s = 0, mean_l = 0;
  for (size_t i = first; i < c->knot_count; ++i) mean_s += c->scores[i], mean_l += c->log10_fmr[i];
  mean_s /= (double)n, mean_l /= (double)n;
  double covariance = 0, variance = 0;
  for (size_t i = first; i < c->knot_count; ++i) {
    covariance += (c->scores[i] - mean_s) * (c->log10_fmr[i] - mean_l);
    variance += (c->scores[i] - mean_s) * (c->scores[i] - mean_s);
  }
  return variance > 0 ? covariance / variance : 0;
}

bm_status bm_face_calibration_build_(const float *sorted, size_t count, bm_face_calibration *c) {
  if (count < BM_FACE_MIN_IMPOSTORS)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "face calibration needs at least %d impostor scores, got %zu",
                    BM_FACE_MIN_IMPOSTORS, count);
  memset(c, 0, sizeof *c);
  c->impostor_count = count;
  for (size_t k = 0; k < BM_FACE_MAX_KNOTS; ++k) {
    const double fmr = pow(10.0, -(double)k / BM_FACE_KNOTS_PER_DECADE);
    const double above = round(fmr * (double)count); /* impostors at or above the knot's score */
    if (above < LEAST_SUPPORTED_IMPOSTORS) break;
    const float score = sorted[count - (size_t)above];
    /* Tied scores give one knot: keep the first (largest) rate, the share
     * of impostors at or above that score. */
    if (c->knot_count > 0 && score <= c->scores[c->knot_count - 1]) continue;
    c->scores[c->knot_count] = score;
    c->log10_fmr[c->knot_count] = (float)log10(above / (double)count);
    ++c->knot_count;
  }
  if (c->knot_count < 2)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "face calibration: the impostor scores are (almost) all equal");
  const size_t decade = BM_FACE_KNOTS_PER_DECADE + 1;
  c->tail_slope = fit_tail_slope(c, c->knot_count > decade ? c->knot_count - decade : 0);
  if (!(c->tail_slope < 0))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "face calibration: no decreasing tail in the impostor scores");
  return BM_OK;
}

static int compare_floats(const void *a, const void *b) {
  const float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}

bm_status bm_face_calibration_create(const float *impostor_scores, size_t count, bm_face_calibration **out) {
  if (out) *out = NULL;
  if (!impostor_scores || !out) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_calibration_create: NULL argument");
  for (size_t i = 0; i < count; ++i)
    if (!isfinite(impostor_scores[i]))
      return bm_fail_(BM_ERR_NON_FINITE, "face calibration: impostor score %zu is not finite", i);
  float *sorted = malloc((count ? count : 1) * sizeof *sorted);
  bm_face_calibration *calibration = malloc(sizeof *calibration);
  if (!sorted || !calibration) {
    free(sorted), free(calibration);
    return bm_fail_(BM_ERR_OUT_OF_MEMORY, "face calibration: out of memory for %zu scores", count);
  }
  memcpy(sorted, impostor_scores, count * sizeof *sorted);
  qsort(sorted, count, sizeof *sorted, compare_floats);
  const bm_status status = bm_face_calibration_build_(sorted, count, calibration);
  free(sorted);
  if (status != BM_OK) {
    free(calibration);
    return status;
  }
  *out = calibration;
  return BM_OK;
}

void bm_face_calibration_free(bm_face_calibration *calibration) { free(calibration); }

size_t bm_face_calibration_impostor_count(const bm_face_calibration *calibration) {
  return resolve(calibration)->impostor_count;
}

double bm_face_score_to_fmr(const bm_face_calibration *calibration, float score) {
  const bm_face_calibration *c = resolve(calibration);
  if (!(score > c->scores[0])) return 1.0; /* also NaN */
  const size_t last = c->knot_count - 1;
  double log10_fmr;
  if (score >= c->scores[last]) {
    log10_fmr = c->log10_fmr[last] + c->tail_slope * ((double)score - c->scores[last]);
  } else {
    size_t low = 0, high = last; /* scores[low] < score <= scores[high] */
    while (high - low > 1) {
      const size_t mid = low + (high - low) / 2;
      if (c->scores[mid] < score) low = mid;
      else high = mid;
    }
    const double t = ((double)score - c->scores[low]) / ((double)c->scores[high] - c->scores[low]);
    log10_fmr = c->log10_fmr[low] + t * ((double)c->log10_fmr[high] - c->log10_fmr[low]);
  }
  const double fmr = pow(10.0, log10_fmr);
  return fmr > BM_FMR_FLOOR_ ? fmr : BM_FMR_FLOOR_;
}

bm_status bm_face_fmr_to_threshold(const bm_face_calibration *calibration, double fmr, float *out_threshold) {
  if (!out_threshold) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_fmr_to_threshold: out_threshold is NULL");
  if (!(fmr >= 1e-12 && fmr <= 1))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_face_fmr_to_threshold: fmr %g outside [1e-12, 1]", fmr);
  const bm_face_calibration *c = resolve(calibration);
  const double target = log10(fmr);
  const size_t last = c->knot_count - 1;
  if (target >= c->log10_fmr[0]) {
    *out_threshold = c->scores[0];
  } else if (target <= c->log10_fmr[last]) {
    *out_threshold = (float)(c->scores[last] + (target - c->log10_fmr[last]) / c->tail_slope);
  } else {
    size_t k = 0;
    while (c->log10_fmr[k + 1] > target) ++k; /* log10_fmr[k] > target >= log10_fmr[k + 1] */
    const double t = (target - c->log10_fmr[k]) / ((double)c->log10_fmr[k + 1] - c->log10_fmr[k]);
    *out_threshold = (float)(c->scores[k] + t * ((double)c->scores[k + 1] - c->scores[k]));
  }
  return BM_OK;
}
