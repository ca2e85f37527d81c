/* Prefilter code of one finger: a bit vector of hashed, quantised
 * minutia-pair features.
 *
 * Every ordered pair (i, j) of minutiae whose distance d lies in a band
 * gives the feature (d, alpha_i, alpha_j): alpha_i and alpha_j are the
 * directions of minutiae i and j measured from the direction of the segment
 * i -> j. All three are unchanged by rotation and translation of the print,
 * and a pair needs only its two minutiae, so a partial print keeps the
 * features of the region it shows. The feature is quantised (d on a log
 * scale, because elastic distortion grows with distance) and the cell is
 * hashed to one bit of a fixed-length vector. With `soft`, each feature also
 * sets the neighbouring cell it lies closest to in each dimension, so a
 * feature moved by noise across a cell border still meets its mate.
 * Minutia type is not used: endings and bifurcations swap with pressure and
 * extractor. docs/prefilter.md gives the reasons for each constant. */
#include <math.h>
#include <string.h>

#include "error.h"
#include "prefilter/prefilter_internal.h"
#include "template/template_internal.h"

#define PI_ 3.14159265358979323846

typedef struct point_500_ {
  double x, y;  /* pixels at 500 ppi, y up */
  double angle; /* radians, counter-clockwise */
} point_500_;

void bm_prefilter_default_params_(bm_prefilter_params_ *params) {
  params->min_distance_px = 10.0;   /* about one ridge period: closer pairs are mostly extraction noise */
  params->max_distance_px = 150.0;  /* 7.6 mm: local enough for partial prints and modest distortion */
  params->distance_scale_px = 50.0; /* bins: ~6 px wide near 0, ~12 px at 50 px, ~24 px at 150 px */
  params->distance_bin = 0.12;
  params->angle_bins = 12; /* 30 degrees: about twice the typical minutia direction error */
  params->max_neighbours = 0;
  params->soft = 1;
}

size_t bm_prefilter_code_bytes_(void) { return BM_PREFILTER_CODE_WORDS * 8; }

uint32_t bm_prefilter_code_version_(void) { return BM_PREFILTER_VERSION; }

static uint32_t load_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_u32le(uint8_t *p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(value >> (8 * i));
}

uint32_t bm_prefilter_code_ones_(const uint8_t *code) { return load_u32le(code + BM_PREFILTER_FEATURE_WORDS * 8); }

/* Murmur3's finaliser: spreads cell numbers evenly over the bits. */
static uint32_t mix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  h ^= h >> 16;
  return h;
}

static void set_cell_bit(uint8_t *code, uint32_t cell) {
  const uint32_t bit = (uint32_t)(((uint64_t)mix32(cell ^ 0x9e3779b9u) * BM_PREFILTER_FEATURE_BITS) >> 32);
  code[bit >> 3] |= (uint8_t)(1u << (bit & 7));
}

/* Angle in [0, 2 pi). */
static double wrap_turn(double angle) {
  angle = fmod(angle, 2 * PI_);
  return angle < 0 ? angle + 2 * PI_ : angle;
}

/* Quantises a position on a bin axis: the bin and, with `soft`, the
 * neighbouring bin it lies closest to (the same bin otherwise). Cyclic when
 * `period` > 0. */
static void quantise(double position, int period, int soft, int bins[2]) {
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

static void add_pair(uint8_t *code, const bm_prefilter_params_ *params, const point_500_ *a, const point_500_ *b,
                     double distance) {
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
        set_cell_bit(code, cell);
      }
}

bm_status bm_prefilter_encode_with_(const bm_template *tpl, const bm_prefilter_params_ *params, uint8_t *code) {
  if (!tpl || !params || !code) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_encode_: NULL argument");
  if (!(params->min_distance_px >= 0) || !(params->max_distance_px > params->min_distance_px) ||
      !(params->distance_scale_px > 0) || !(params->distance_bin > 0) || params->angle_bins < 1 ||
      params->angle_bins > 360)
    return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prefilter_encode_: invalid feature parameters");
  if (tpl->minutia_count == 0) return bm_fail_(BM_ERR_NO_MINUTIAE, "bm_prefilter_encode_: template has no minutiae");
  if (!(tpl->ppi_x > 0) || !(tpl->ppi_y > 0))
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "bm_prefilter_encode_: resolution %g x %g ppi", tpl->ppi_x, tpl->ppi_y);

  /* Same normalisation as the matcher: 500 ppi, y up so angles turn the usual way. */
  point_500_ points[BM_MAX_MINUTIAE];
  const size_t count = tpl->minutia_count;
  const double scale_x = 500.0 / tpl->ppi_x, scale_y = 500.0 / tpl->ppi_y;
  for (size_t i = 0; i < count; ++i) {
    points[i].x = tpl->minutiae[i].x * scale_x;
    points[i].y = -(double)tpl->minutiae[i].y * scale_y;
    points[i].angle = tpl->minutiae[i].angle * (PI_ / 180.0);
  }

  memset(code, 0, bm_prefilter_code_bytes_());
  for (size_t i = 0; i < count; ++i) {
    /* Partners in the distance band, nearest first when capped (ties by index). */
    size_t partners[BM_MAX_MINUTIAE];
    double distances[BM_MAX_MINUTIAE];
    size_t partner_count = 0;
    for (size_t j = 0; j < count; ++j) {
      if (j == i) continue;
      const double distance = hypot(points[j].x - points[i].x, points[j].y - points[i].y);
      if (distance < params->min_distance_px || distance > params->max_distance_px) continue;
      size_t at = partner_count++;
      if (params->max_neighbours)
        for (; at > 0 && distances[at - 1] > distance; --at) {
          partners[at] = partners[at - 1];
          distances[at] = distances[at - 1];
        }
      partners[at] = j;
      distances[at] = distance;
    }
    if (params->max_neighbours && partner_count > params->max_neighbours) partner_count = params->max_neighbours;
    for (size_t p = 0; p < partner_count; ++p) add_pair(code, params, &points[i], &points[partners[p]], distances[p]);
  }

  uint32_t ones = 0;
  for (size_t byte = 0; byte < BM_PREFILTER_FEATURE_WORDS * 8; ++byte) ones += (uint32_t)__builtin_popcount(code[byte]);
  store_u32le(code + BM_PREFILTER_FEATURE_WORDS * 8, ones);
  store_u32le(code + BM_PREFILTER_FEATURE_WORDS * 8 + 4, BM_PREFILTER_VERSION);
  return BM_OK;
}

bm_status bm_prefilter_encode_(const bm_template *tpl, uint8_t *code) {
  bm_prefilter_params_ params;
  bm_prefilter_default_params_(&params);
  return bm_prefilter_encode_with_(tpl, &params, code);
}
