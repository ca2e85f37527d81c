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

#endif
