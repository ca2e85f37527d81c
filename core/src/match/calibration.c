/* Score calibration: empirical false match rate from the shipped impostor
 * scores, with an exponential tail fitted to their upper part for rates
 * below 1 / (number of impostor comparisons), where the table alone says
 * nothing (every such estimate is an extrapolation, docs/matcher.md). */
#include <math.h>

#include "error.h"
#include "match/calibration.h"
#include "match/match_internal.h"
#include "util/fmr_floor.h"

static const bm_impostor_table_ *table_(void) { return &bm_impostor_table_fvc2002_; }

/* Share of impostor scores >= score. */
static double empirical_fmr(const bm_impostor_table_ *t, double score) {
  size_t low = 0, high = t->count; /* first index with scores[i] >= score */
  while (low < high) {
    const size_t mid = low + (high - low) / 2;
    if (t->scores[mid] < score) low = mid + 1;
    else high = mid;
  }
  return (double)(t->count - low) / (double)t->count;
}

static double tail_fmr(const bm_impostor_table_ *t, double score) {
  return t->tail_fraction * exp(-(score - t->tail_start) / t->tail_scale);
}

double bm_match_score_to_fmr(float score) {
  const bm_impostor_table_ *t = table_();
  if (t->count == 0) return 1.0;
  if (score <= 0) return 1.0;
  if (score < t->tail_start) return empirical_fmr(t, score);
  const double fmr = tail_fmr(t, score);
  return fmr > BM_FMR_FLOOR_ ? fmr : BM_FMR_FLOOR_;
}

bm_status bm_match_fmr_to_threshold(double fmr, float *out_threshold) {
  if (!out_threshold) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_match_fmr_to_threshold: out_threshold is NULL");
  if (!(fmr >= 1e-6 && fmr < 1))
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_match_fmr_to_threshold: fmr %g outside [1e-6, 1)", fmr);
  const bm_impostor_table_ *t = table_();
  if (t->count == 0) return bm_fail_(BM_ERR_INTERNAL, "bm_match_fmr_to_threshold: no impostor table built in");
  if (fmr >= t->tail_fraction) {
    /* Smallest table score whose empirical rate is <= fmr: scores above the
     * (1 - fmr) quantile. */
    size_t allowed = (size_t)floor(fmr * (double)t->count);
    const size_t index = t->count - allowed; /* allowed impostors at or above the threshold */
    double threshold = index < t->count ? t->scores[index] : t->scores[t->count - 1];
    /* Move just above the score below so that ties do not exceed the rate. */
    if (index > 0 && t->scores[index - 1] == (float)threshold) threshold = nextafterf((float)threshold, 2.0f);
    *out_threshold = (float)threshold;
    return BM_OK;
  }
  *out_threshold = (float)(t->tail_start + t->tail_scale * log(t->tail_fraction / fmr));
  return BM_OK;
}
