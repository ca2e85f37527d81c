/* Face score calibration: a false match rate curve of cosine scores,
 * measured from impostor comparisons of one face model. Internal layout,
 * shared by the evaluation (face_calibration.c) and the generated built-in
 * table (face_calibration_table.c, written by bench/face/
 * bm_make_face_calibration: do not edit it by hand). */
#ifndef BIOMATCH_FACE_CALIBRATION_H
#define BIOMATCH_FACE_CALIBRATION_H

#include <stddef.h>

#include "biomatch/bm_face.h"

/* Knots every 1/20 decade of FMR from 1 down to the lowest rate the
 * sample can measure (10 impostors above the threshold), so at most 20 per
 * decade over 12 decades. */
enum { BM_FACE_KNOTS_PER_DECADE = 20, BM_FACE_MAX_KNOTS = 12 * BM_FACE_KNOTS_PER_DECADE + 1 };
/* Fewest impostor scores a calibration accepts: one measured decade. */
enum { BM_FACE_MIN_IMPOSTORS = 100 };

struct bm_face_calibration_s {
  size_t impostor_count;               /* comparisons measured */
  size_t knot_count;                   /* >= 2 */
  float scores[BM_FACE_MAX_KNOTS];     /* strictly ascending */
  float log10_fmr[BM_FACE_MAX_KNOTS];  /* strictly descending; knot 0 is 0 (FMR 1) */
  double tail_slope;                   /* decades of FMR per unit of score beyond the last knot (< 0) */
};

/* Built from ascending, finite impostor scores (no allocation). */
bm_status bm_face_calibration_build_(const float *sorted_scores, size_t count, bm_face_calibration *calibration);

/* The curve shipped with the library (FaceNet-512 embeddings of LFW). */
extern const bm_face_calibration bm_face_calibration_builtin_;
extern const char bm_face_calibration_builtin_source_[];

#endif
