/* Cylinder words of the prefilter code: locality-sensitive hashing of
 * Minutia Cylinder-Code cylinders, after Cappelli, Ferrara and Maltoni,
 * "Fingerprint indexing based on Minutia Cylinder-Code" (TPAMI 33(5),
 * 2011).
 *
 * A cylinder is the neighbourhood of one minutia, rotated to its
 * direction: a disc of radius 70 px (3.6 mm at 500 ppi) cut into
 * sectors x sectors cells and 6 layers of relative direction; a cell's bit
 * in a layer is set when neighbouring minutiae of that relative direction
 * lie near the cell (Gaussian weights, the constants of the MCC paper, as
 * in the matcher). Cells outside the convex hull of the minutiae (plus a
 * margin) are invalid: the sensor saw nothing there.
 *
 * The prefilter computes its own cylinders instead of reusing the
 * matcher's prepared templates: stored codes must stay comparable with new
 * probe codes, so the feature definition is fixed by the code version and
 * must not move when the matcher's cylinders are retuned for speed or
 * accuracy.
 *
 * Each of `word_functions` hash functions reads a fixed sample of
 * `word_bits` (cell, layer) bits; the value read from a cylinder is a
 * word, and the pair (function, word) sets one bit of the code. Two
 * cylinders that agree on most bits (mated minutiae) give the same word
 * with a probability that falls quickly as they differ, which is what
 * locality-sensitive hashing needs. A word is kept only when all its cells
 * are valid: an invalid cell reads as empty, which would fake agreement.
 * The samples come from a fixed pseudo-random sequence (the same functions
 * for every code of a version); cells near the rim are left out because
 * they are often outside the print. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter/prefilter_internal.h"
#include "util/mcc_geometry.h"

#define PI_ 3.14159265358979323846

enum { CYLINDER_FAMILY = 2, MAX_WORD_BITS = 24, LAYERS = 6, MAX_SECTORS = 16 };

static const double cylinder_radius_px = 70.0;          /* 3.6 mm */
static const double sigma_spatial_px = 28.0 / 3.0;      /* MCC paper */
static const double sigma_direction = 2.0 * PI_ / 9.0;  /* 40 degrees, MCC paper */
static const double contribution_threshold = 0.01;      /* mu_psi, MCC paper */
static const double hull_margin_px = 50.0;              /* omega, MCC paper */
static const double min_valid_fraction = 0.75;          /* MCC paper */

static double wrap_angle(double angle) {
  angle = fmod(angle, 2 * PI_);
  if (angle >= PI_) angle -= 2 * PI_;
  if (angle < -PI_) angle += 2 * PI_;
  return angle;
}

/* Weight of a direction difference for one layer: the Gaussian integrated over the layer's width. */
static double direction_weight(double difference) {
  return bm_mcc_direction_weight_(difference, LAYERS, sigma_direction);
}

/* One cylinder as bits: valid[cell] and bits[layer][cell]. Returns 0 when it
 * describes too little (too few valid cells or neighbours). */
static int build_cylinder(const bm_prefilter_point_ *points, size_t count, size_t centre, const bm_point_ *hull,
                          size_t hull_size, unsigned sectors, uint8_t *valid, uint8_t bits[LAYERS][MAX_SECTORS * MAX_SECTORS]) {
  const bm_prefilter_point_ *m = &points[centre];
  const double reach = 3 * sigma_spatial_px, spacing = 2 * cylinder_radius_px / sectors;
  /* Neighbours out of reach of every cell left out, direction weights once
   * per neighbour (bm_mcc_neighbours_): the cell-by-cell bits, sooner. */
  bm_mcc_neighbours_ near;
  near.count = 0;
  for (size_t t = 0; t < count; ++t) {
    if (t == centre || hypot(points[t].x - m->x, points[t].y - m->y) > cylinder_radius_px + reach) continue;
    const double relative = wrap_angle(m->angle - points[t].angle);
    for (unsigned k = 0; k < LAYERS; ++k)
      near.layer_weight[near.count][k] = direction_weight(wrap_angle(-PI_ + (k + 0.5) * (2 * PI_ / LAYERS) - relative));
    near.at[near.count++] = (bm_point_){points[t].x, points[t].y};
  }
  if (near.count < 2) return 0;
  const double c = cos(m->angle), s = sin(m->angle);
  unsigned disc_cells = 0, valid_cells = 0;
  for (unsigned j = 0; j < sectors; ++j)
    for (unsigned i = 0; i < sectors; ++i) {
      const unsigned cell = j * sectors + i;
      valid[cell] = 0;
      for (unsigned k = 0; k < LAYERS; ++k) bits[k][cell] = 0;
      const double u = (i - (sectors - 1) / 2.0) * spacing, v = (j - (sectors - 1) / 2.0) * spacing;
      if (hypot(u, v) > cylinder_radius_px) continue;
      ++disc_cells;
      const bm_point_ p = {m->x + u * c - v * s, m->y + u * s + v * c};
      if (bm_hull_distance_(p, hull, hull_size) > hull_margin_px) continue;
      valid[cell] = 1;
      ++valid_cells;
      double sum[LAYERS];
      bm_mcc_cell_sums_(p, &near, LAYERS, sigma_spatial_px, sum);
      for (unsigned k = 0; k < LAYERS; ++k) bits[k][cell] = sum[k] > contribution_threshold;
    }
  return valid_cells >= min_valid_fraction * disc_cells;
}

/* xorshift32: a fixed, portable sequence for the bit samples. */
static uint32_t next_random(uint32_t *state) {
  uint32_t x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

void bm_prefilter_add_cylinder_words_(const bm_prefilter_point_ *points, size_t count,
                                      const bm_prefilter_params_ *params, uint8_t *code) {
  const unsigned sectors = params->sectors;
  bm_point_ sorted[BM_MAX_MINUTIAE], hull[BM_MAX_MINUTIAE + 1];
  for (size_t i = 0; i < count; ++i) sorted[i] = (bm_point_){points[i].x, points[i].y};
  const size_t hull_size = bm_convex_hull_(sorted, count, hull);

  /* The hash functions: bit samples among cells within selection_radius of the radius. */
  unsigned cells[MAX_SECTORS * MAX_SECTORS], cell_count = 0;
  const double spacing = 2 * cylinder_radius_px / sectors;
  for (unsigned j = 0; j < sectors; ++j)
    for (unsigned i = 0; i < sectors; ++i)
      if (hypot((i - (sectors - 1) / 2.0) * spacing, (j - (sectors - 1) / 2.0) * spacing) <=
          params->selection_radius * cylinder_radius_px)
        cells[cell_count++] = j * sectors + i;
  if (cell_count == 0) return;
  static const unsigned max_functions = 256;
  unsigned sample_cell[256][MAX_WORD_BITS], sample_layer[256][MAX_WORD_BITS];
  uint32_t state = 0x2545F491u;
  for (unsigned f = 0; f < params->word_functions && f < max_functions; ++f)
    for (unsigned b = 0; b < params->word_bits; ++b) {
      sample_cell[f][b] = cells[next_random(&state) % cell_count];
      sample_layer[f][b] = next_random(&state) % LAYERS;
    }

  for (size_t centre = 0; centre < count; ++centre) {
    uint8_t valid[MAX_SECTORS * MAX_SECTORS], bits[LAYERS][MAX_SECTORS * MAX_SECTORS];
    if (!build_cylinder(points, count, centre, hull, hull_size, sectors, valid, bits)) continue;
    for (unsigned f = 0; f < params->word_functions && f < max_functions; ++f) {
      uint32_t word = 0;
      unsigned b = 0;
      for (; b < params->word_bits && valid[sample_cell[f][b]]; ++b)
        word |= (uint32_t)bits[sample_layer[f][b]][sample_cell[f][b]] << b;
      if (b == params->word_bits) bm_prefilter_set_feature_(code, CYLINDER_FAMILY, f << MAX_WORD_BITS | word);
    }
  }
}
