#include "minutia_pairing.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Tolerances after alignment: about one ridge period, and a generous angle (distortion bends ridges). */
static const double PAIR_DISTANCE_MM = 0.6, PAIR_ANGLE_DEG = 30.0;

typedef struct point {
  double x, y, angle; /* mm, mm, radians (ISO: counter-clockwise, y down) */
} point;

static point *to_mm(const bm_template *tpl, size_t *count) {
  unsigned width, height;
  double ppi_x, ppi_y;
  bm_template_get_image(tpl, &width, &height, &ppi_x, &ppi_y);
  *count = bm_template_minutia_count(tpl);
  const bm_minutia *m = bm_template_minutiae(tpl);
  point *p = malloc((*count ? *count : 1) * sizeof *p);
  for (size_t i = 0; p && i < *count; ++i)
    p[i] = (point){m[i].x * 25.4 / (ppi_x > 0 ? ppi_x : 500), m[i].y * 25.4 / (ppi_y > 0 ? ppi_y : 500),
                   m[i].angle * M_PI / 180};
  return p;
}

static double angle_difference(double a, double b) {
  double d = fmod(a - b, 2 * M_PI);
  if (d > M_PI) d -= 2 * M_PI;
  if (d < -M_PI) d += 2 * M_PI;
  return d;
}

/* Moves point p of A into B's frame: rotate by `rotation` (image y points down, angles
 * counter-clockwise, so a turn of r maps (x, y) to (x cos r + y sin r, -x sin r + y cos r)). */
static point transform(point p, double rotation, double tx, double ty) {
  const double c = cos(rotation), s = sin(rotation);
  return (point){c * p.x + s * p.y + tx, -s * p.x + c * p.y + ty, p.angle + rotation};
}

/* Minutiae of A that land within the tolerances of some minutia of B under (rotation, tx, ty). */
static size_t count_agreeing(const point *a, size_t na, const point *b, size_t nb, double rotation, double tx,
                             double ty) {
  size_t agreeing = 0;
  for (size_t i = 0; i < na; ++i) {
    const point moved = transform(a[i], rotation, tx, ty);
    for (size_t j = 0; j < nb; ++j)
      if (fabs(moved.x - b[j].x) < PAIR_DISTANCE_MM && fabs(moved.y - b[j].y) < PAIR_DISTANCE_MM &&
          fabs(angle_difference(moved.angle, b[j].angle)) < PAIR_ANGLE_DEG * M_PI / 180) {
        ++agreeing;
        break;
      }
  }
  return agreeing;
}

size_t pair_minutiae(const bm_template *ta, const bm_template *tb, minutia_pair *pairs, size_t capacity) {
  size_t na, nb, found = 0;
  point *a = to_mm(ta, &na), *b = to_mm(tb, &nb);
  unsigned char *used_b = calloc(nb ? nb : 1, 1);
  if (!a || !b || !used_b || na == 0 || nb == 0) goto done;
  /* Each (a_i, b_j) proposes the rigid motion mapping a_i onto b_j; keep the
   * one most minutiae agree with (a few ten thousand cheap checks). */
  size_t best_agreeing = 0;
  double rotation = 0, tx = 0, ty = 0;
  for (size_t i = 0; i < na; ++i)
    for (size_t j = 0; j < nb; ++j) {
      const double r = angle_difference(b[j].angle, a[i].angle);
      const point turned = transform(a[i], r, 0, 0);
      const double x = b[j].x - turned.x, y = b[j].y - turned.y;
      const size_t agreeing = count_agreeing(a, na, b, nb, r, x, y);
      if (agreeing > best_agreeing) {
        best_agreeing = agreeing;
        rotation = r;
        tx = x;
        ty = y;
      }
    }
  /* Greedy pairing after alignment: each minutia of A takes the closest free one of B. */
  for (size_t i = 0; i < na && found < capacity; ++i) {
    const point moved = transform(a[i], rotation, tx, ty);
    double best_distance = PAIR_DISTANCE_MM;
    size_t best_j = nb;
    for (size_t j = 0; j < nb; ++j) {
      if (used_b[j] || fabs(angle_difference(moved.angle, b[j].angle)) > PAIR_ANGLE_DEG * M_PI / 180) continue;
      const double distance = hypot(moved.x - b[j].x, moved.y - b[j].y);
      if (distance < best_distance) {
        best_distance = distance;
        best_j = j;
      }
    }
    if (best_j < nb) {
      used_b[best_j] = 1;
      pairs[found++] = (minutia_pair){i, best_j};
    }
  }
done:
  free(used_b);
  free(a);
  free(b);
  return found;
}
