/* The fusion rule (docs/gallery.md). Each comparison, finger or face, is
 * turned into its estimated false match rate p (the share of impostor
 * comparisons scoring at least as high: bm_match_score_to_fmr(),
 * bm_face_score_to_fmr()), and contributes -log10 p. Under the impostor
 * hypothesis a calibrated p is uniform on (0, 1], so the sum over k
 * independent comparisons is a Fisher combination: the rate of an impostor
 * record reaching a fused score S = -log10 P is
 *   P * sum_{j<k} (ln 1/P)^j / j!
 * (the tail of a Gamma(k, 1) variable at ln 1/P). Terms are capped at 12
 * (p = 1e-12): the calibrations are measured only down to ~1e-4 (fingers)
 * and ~1e-5 (faces), and one extrapolated comparison must not outweigh
 * every other. */
#include <math.h>

#include "biomatch/bm_face.h"
#include "biomatch/bm_match.h"
#include "gallery/gallery_internal.h"

static double term_of(double p, double *out_fmr) {
  if (!(p > 0.0)) p = 0.0;
  if (p > 1.0 || isnan(p)) p = 1.0;
  const double floor_p = 1e-12;
  if (p < floor_p) p = floor_p;
  if (out_fmr) *out_fmr = p;
  const double term = -log10(p);
  return term > 0.0 ? term : 0.0;
}

double bm_fusion_finger_term_(float score, double *out_fmr) {
  return term_of(score > 0.0f ? bm_match_score_to_fmr(score) : 1.0, out_fmr);
}

double bm_fusion_face_term_(float cosine, double *out_fmr) {
  return term_of(isnan(cosine) ? 1.0 : bm_face_score_to_fmr(NULL, cosine), out_fmr);
}

double bm_fusion_fmr_(double fused, unsigned terms) {
  if (!(fused > 0.0) || terms == 0) return 1.0;
  const double ln_inverse = fused * log(10.0); /* ln 1/P */
  double sum = 0.0, power = 1.0;
  for (unsigned j = 0; j < terms; ++j) {
    if (j) power *= ln_inverse / j;
    sum += power;
  }
  const double fmr = exp(-ln_inverse) * sum;
  return fmr < 1.0 ? fmr : 1.0;
}

double bm_fusion_best_of_(double p, size_t m) {
  if (m <= 1) return p;
  /* 1 - (1 - p)^m without cancellation for small p */
  const double fmr = -expm1((double)m * log1p(-p));
  return fmr < 1.0 ? fmr : 1.0;
}

/* A record enrolled with several photos is scored on its best-agreeing
 * embedding: the person matches on the photo closest in pose, age and
 * lighting to the probe, and a poor old photo must not drag the record
 * down. But the best of m impostor cosines exceeds a threshold m times as
 * often as one does, so the calibrated FMR p of the best cosine is
 * corrected to 1-(1-p)^m (about m*p): without it a record with 16 photos
 * would be 16 times likelier to pass the fused threshold by chance than a
 * record with one, and the fused FMR would no longer mean what it says.
 * For m = 1 this is exactly the single-face term. */
double bm_fusion_face_best_term_(float best_cosine, size_t m, double *out_fmr) {
  double p = 1.0;
  bm_fusion_face_term_(best_cosine, &p);
  const double corrected = bm_fusion_best_of_(p, m ? m : 1);
  if (out_fmr) *out_fmr = corrected;
  return corrected < 1.0 ? -log10(corrected) : 0.0;
}
