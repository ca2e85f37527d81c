/* Minutia-pair features of the prefilter code.
 *
 * Each minutia i and each of its nearest partners j (distance d within a
 * band) give the feature (d, alpha_i, alpha_j): alpha_i and alpha_j are the
 * directions of minutiae i and j measured from the direction of the
 * segment i -> j. All three are unchanged by rotation and translation, and
 * a pair needs only its two minutiae. The feature is quantised (d on a log
 * scale, because elastic distortion grows with distance) and the cell is
 * hashed to one bit. Minutia type is not used: endings and bifurcations
 * swap with finger pressure and from one extractor to another. */
#include <math.h>

#include "prefilter/prefilter_internal.h"

#define PI_ 3.14159265358979323846

enum { PAIR_FAMILY = 1 };

/* Angle in [0, 2 pi). */
static double wrap_turn(double angle) {
  angle = fmod(angle, 2 * PI_);
  return angle < 0 ? angle + 2 * PI_ : angle;
}

/* Quantises a position on a bin axis: the bin and, with `soft`, the
 * neighbouring bin it lies closest to (the same bin otherwise). Cyclic when
 * `period` > 0. */
static void quantise(double position, int period, unsigned soft, int bins[2]) {
  const double floor_position = floor(position);
  int bin = (int)floor_position, other = bin;
  if (soft) other = position - floor_position < 0.5 ? bin - 1 : bin + 1;
  if (period > 0) {
    bin = ((bin % period) + period) % period;
    other = ((other % period) + period) % period;
  } else if (other < 0) {
    other = bin;
  }
  bins[0] = bin;
  bins[1] = other;
}

static void add_pair(uint8_t *code, const bm_prefilter_params_ *params, const bm_prefilter_point_ *a,
                     const bm_prefilter_point_ *b, double distance) {
  const double direction = atan2(b->y - a->y, b->x - a->x);
  const double turns_to_bins = params->angle_bins / (2 * PI_);
  int d_bins[2], a_bins[2], b_bins[2];
  quantise(log1p(distance / params->distance_scale_px) / params->distance_bin, 0, params->soft, d_bins);
  quantise(wrap_turn(a->angle - direction) * turns_to_bins, (int)params->angle_bins, params->soft, a_bins);
  quantise(wrap_turn(b->angle - direction) * turns_to_bins, (int)params->angle_bins, params->soft, b_bins);
  const int variants = params->soft ? 2 : 1;
  for (int i = 0; i < variants; ++i)
    for (int j = 0; j < variants; ++j)
      for (int k = 0; k < variants; ++k) {
        const uint32_t cell = ((uint32_t)d_bins[i] * params->angle_bins + (uint32_t)a_bins[j]) * params->angle_bins +
                              (uint32_t)b_bins[k];
        bm_prefilter_set_feature_(code, PAIR_FAMILY, cell);
      }
}

/* Whether partner a (at distance da) sorts after partner b. */
static int farther(double da, const bm_prefilter_point_ *a, double db, const bm_prefilter_point_ *b) {
  if (da != db) return da > db;
  if (a->x != b->x) return a->x > b->x;
  return a->y > b->y;
}

void bm_prefilter_add_pairs_(const bm_prefilter_point_ *points, size_t count, const bm_prefilter_params_ *params,
                             uint8_t *code) {
  for (size_t i = 0; i < count; ++i) {
    /* Partners in the distance band, nearest first; ties by position, not
     * by index, so the code does not depend on the order of the record. */
    size_t partners[BM_MAX_MINUTIAE];
    double distances[BM_MAX_MINUTIAE];
    size_t partner_count = 0;
    for (size_t j = 0; j < count; ++j) {
      if (j == i) continue;
      const double distance = hypot(points[j].x - points[i].x, points[j].y - points[i].y);
      if (distance < params->min_distance_px || distance > params->max_distance_px) continue;
      size_t at = partner_count++;
      for (; at > 0 && farther(distances[at - 1], &points[partners[at - 1]], distance, &points[j]); --at) {
        partners[at] = partners[at - 1];
        distances[at] = distances[at - 1];
      }
      partners[at] = j;
      distances[at] = distance;
    }
    if (params->max_neighbours && partner_count > params->max_neighbours) partner_count = params->max_neighbours;
    for (size_t p = 0; p < partner_count; ++p) add_pair(code, params, &points[i], &points[partners[p]], distances[p]);
  }
}
