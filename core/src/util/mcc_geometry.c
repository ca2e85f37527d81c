/* Parameter-independent cylinder geometry (mcc_geometry.h). */
#include "util/mcc_geometry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846

static double cross(bm_point_ o, bm_point_ a, bm_point_ b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

static int compare_points(const void *left, const void *right) {
  const bm_point_ *a = left, *b = right;
  if (a->x != b->x) return a->x < b->x ? -1 : 1;
  if (a->y != b->y) return a->y < b->y ? -1 : 1;
  return 0;
}

size_t bm_convex_hull_(bm_point_ *points, size_t count, bm_point_ *hull) {
  qsort(points, count, sizeof *points, compare_points);
  if (count < 3) {
    memcpy(hull, points, count * sizeof *points);
    return count;
  }
  size_t size = 0;
  for (size_t i = 0; i < count; ++i) {
    while (size >= 2 && cross(hull[size - 2], hull[size - 1], points[i]) <= 0) --size;
    hull[size++] = points[i];
  }
  for (size_t i = count - 1, lower = size + 1; i-- > 0;) {
    while (size >= lower && cross(hull[size - 2], hull[size - 1], points[i]) <= 0) --size;
    hull[size++] = points[i];
  }
  return size - 1; /* the last point repeats the first */
}

/* The point of segment ab nearest to p, as the offset p - nearest. */
static bm_point_ segment_offset(bm_point_ p, bm_point_ a, bm_point_ b) {
  const double dx = b.x - a.x, dy = b.y - a.y, length2 = dx * dx + dy * dy;
  double t = length2 > 0 ? ((p.x - a.x) * dx + (p.y - a.y) * dy) / length2 : 0;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  return (bm_point_){p.x - (a.x + t * dx), p.y - (a.y + t * dy)};
}

/* Cylinders ask this for every cell of every minutia, and most cells lie
 * inside the hull: the inside test (cross products only) comes first, and
 * outside the hull the nearest edge is found on squared distances. hypot()
 * (slow, but what the stored bits were made with) is evaluated only for
 * the edges within rounding of the nearest, so the result is exactly the
 * minimum of hypot() over all edges, as before. */
double bm_hull_distance_(bm_point_ p, const bm_point_ *hull, size_t size) {
  if (size == 1) return hypot(p.x - hull[0].x, p.y - hull[0].y);
  if (size >= 3) {
    int inside = 1;
    for (size_t i = 0; i < size && inside; ++i)
      if (cross(hull[i], hull[(i + 1) % size], p) < 0) inside = 0;
    if (inside) return 0;
  }
  double nearest2 = INFINITY;
  for (size_t i = 0; i < size; ++i) {
    const bm_point_ d = segment_offset(p, hull[i], hull[(i + 1) % size]);
    const double distance2 = d.x * d.x + d.y * d.y;
    if (distance2 < nearest2) nearest2 = distance2;
  }
  const double near_enough2 = nearest2 * (1 + 1e-9);
  double best = INFINITY;
  for (size_t i = 0; i < size; ++i) {
    const bm_point_ d = segment_offset(p, hull[i], hull[(i + 1) % size]);
    if (d.x * d.x + d.y * d.y > near_enough2) continue;
    const double distance = hypot(d.x, d.y);
    if (distance < best) best = distance;
  }
  return best;
}

double bm_mcc_direction_weight_(double difference, unsigned layers, double sigma_direction) {
  const double half_width = PI_ / layers, scale = 1.0 / (sigma_direction * sqrt(2.0));
  return 0.5 * (erf((difference + half_width) * scale) - erf((difference - half_width) * scale));
}

void bm_mcc_cell_sums_(bm_point_ cell, const bm_mcc_neighbours_ *neighbours, unsigned layers, double sigma_spatial,
                       double *sum) {
  const double reach = 3 * sigma_spatial;
  const double excluded2 = reach * reach * (1 + 1e-9); /* certainly beyond reach */
  for (unsigned k = 0; k < layers; ++k) sum[k] = 0;
  for (unsigned n = 0; n < neighbours->count; ++n) {
    const double dx = neighbours->at[n].x - cell.x, dy = neighbours->at[n].y - cell.y;
    if (dx * dx + dy * dy > excluded2) continue;
    const double distance = hypot(dx, dy);
    if (distance > reach) continue;
    const double weight = exp(-distance * distance / (2 * sigma_spatial * sigma_spatial)) / (sigma_spatial * sqrt(2 * PI_));
    for (unsigned k = 0; k < layers; ++k) sum[k] += weight * neighbours->layer_weight[n][k];
  }
}
