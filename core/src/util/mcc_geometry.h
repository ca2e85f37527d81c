/* Geometry of Minutia Cylinder-Code cylinders (Cappelli, Ferrara, Maltoni,
 * TPAMI 2010) that does not depend on how a cylinder is tuned: the convex
 * hull of the minutiae, which decides which cells the sensor saw, and the
 * direction weight of a layer. The matcher (core/src/match/prepare.c) and
 * the prefilter (core/src/prefilter/cylinder_words.c) both build cylinders
 * with them, each with its own radius, cell count and deviations: the
 * prefilter keeps its parameters fixed so that stored codes stay
 * comparable when the matcher is retuned. Every function here is pure
 * (thread-safe) and computes exactly what both callers computed before they
 * shared it, so prepared templates and prefilter codes keep their bits. */
#ifndef BIOMATCH_UTIL_MCC_GEOMETRY_H
#define BIOMATCH_UTIL_MCC_GEOMETRY_H

#include <stddef.h>

#include "biomatch/bm_template.h" /* BM_MAX_MINUTIAE */

typedef struct bm_point_ {
  double x, y;
} bm_point_;

/* Andrew's monotone chain: sorts `points` (by x, then y) and writes their
 * convex hull counter-clockwise to `hull` (room for count + 1 points);
 * returns the hull's size. Fewer than 3 points are copied as they are. */
size_t bm_convex_hull_(bm_point_ *points, size_t count, bm_point_ *hull);

/* 0 when `p` lies inside the hull of `size` points, otherwise the distance
 * to its boundary (to the point itself when size is 1). */
double bm_hull_distance_(bm_point_ p, const bm_point_ *hull, size_t size);

/* The MCC paper's G_D: the share of a Gaussian of deviation
 * `sigma_direction` (radians) that falls inside one of `layers` equal
 * direction layers when the layer centre is `difference` radians away. */
double bm_mcc_direction_weight_(double difference, unsigned layers, double sigma_direction);

enum { BM_MCC_MAX_LAYERS_ = 8 };

/* The minutiae around a cylinder's centre that can reach its cells, each
 * with the weight of its direction in every layer (bm_mcc_direction_weight_
 * of the layer centre minus its direction relative to the centre's). The
 * caller fills it once per cylinder, in minutia order, with its own angle
 * convention: the weights do not depend on the cell. */
typedef struct bm_mcc_neighbours_ {
  unsigned count;
  bm_point_ at[BM_MAX_MINUTIAE];
  double layer_weight[BM_MAX_MINUTIAE][BM_MCC_MAX_LAYERS_];
} bm_mcc_neighbours_;

/* The paper's cell values before their threshold: for k < layers,
 * sum[k] = sum of G_S(distance) * layer_weight[k] over the neighbours
 * within 3 sigma_spatial of `cell`, G_S the Gaussian of deviation
 * sigma_spatial (pixels). Squared distances exclude the far neighbours;
 * hypot() and exp() give the near ones the values the stored bits were
 * always made with. */
void bm_mcc_cell_sums_(bm_point_ cell, const bm_mcc_neighbours_ *neighbours, unsigned layers, double sigma_spatial,
                       double *sum);

#endif
