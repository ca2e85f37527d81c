/* Preparation of a template for matching: every minutia becomes a Minutia
 * Cylinder-Code bit cylinder (Cappelli, Ferrara, Maltoni, TPAMI 2010).
 *
 * A cylinder is a 16 x 16 grid of cells laid over a disc of radius 70 px
 * (at 500 ppi) centred on the minutia and rotated to its direction, with 6
 * layers of relative direction. A cell's bit in layer k is set when nearby
 * minutiae (Gaussian weight of their distance to the cell centre) whose
 * direction relative to the centre minutia falls near layer k contribute
 * more than a small threshold. Because everything is expressed relative to
 * the centre minutia, cylinders are invariant to rotation and translation.
 * Cells outside the disc or far outside the convex hull of all minutiae are
 * marked invalid (the finger was not seen there, so "no minutia" means
 * nothing) in a per-cylinder validity mask. Cylinders with too few valid
 * cells or neighbours describe nothing and are dropped. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "match/match_internal.h"
#include "template/template_internal.h"
#include "util/crc32c.h"
#include "util/mcc_geometry.h"

#define PI_ 3.14159265358979323846

typedef struct minutia_500_ {
  double x, y;     /* pixels at 500 ppi, y up */
  double angle;    /* radians, counter-clockwise */
  unsigned type, quality;
} minutia_500_;

static double wrap_angle(double angle) {
  while (angle < -PI_) angle += 2 * PI_;
  while (angle >= PI_) angle -= 2 * PI_;
  return angle;
}

/* Share of a Gaussian of deviation sigma_d falling inside a layer's width
 * around `difference` (the paper's G_D). */
static double direction_weight(double difference) {
  return bm_mcc_direction_weight_(difference, BM_MCC_LAYERS, BM_MCC_SIGMA_DIRECTION_RAD);
}

static double cell_spacing(void) { return 2.0 * BM_MCC_RADIUS_PX / BM_MCC_SECTORS; }

static double cell_offset(unsigned index) { return ((double)index - (BM_MCC_SECTORS - 1) / 2.0) * cell_spacing(); }

unsigned bm_mcc_disc_cells_(void) {
  unsigned count = 0;
  for (unsigned j = 0; j < BM_MCC_SECTORS; ++j)
    for (unsigned i = 0; i < BM_MCC_SECTORS; ++i)
      if (hypot(cell_offset(i), cell_offset(j)) <= BM_MCC_RADIUS_PX) ++count;
  return count;
}

/* Builds the cylinder of minutiae[centre]; returns 0 when it is not valid.
 * Neighbours that cannot reach any cell are left out and their direction
 * weights computed once (bm_mcc_neighbours_): the bits are those of the
 * paper's cell-by-cell definition, only sooner. */
static int build_cylinder(const minutia_500_ *minutiae, size_t count, size_t centre, const bm_point_ *hull,
                          size_t hull_size, uint8_t *cylinder) {
  const minutia_500_ *m = &minutiae[centre];
  const double reach = 3 * BM_MCC_SIGMA_SPATIAL_PX;
  bm_mcc_neighbours_ near;
  near.count = 0;
  for (size_t t = 0; t < count; ++t) {
    if (t == centre || hypot(minutiae[t].x - m->x, minutiae[t].y - m->y) > BM_MCC_RADIUS_PX + reach) continue;
    const double relative = wrap_angle(m->angle - minutiae[t].angle);
    for (unsigned k = 0; k < BM_MCC_LAYERS; ++k) {
      const double layer_centre = -PI_ + (k + 0.5) * (2 * PI_ / BM_MCC_LAYERS);
      near.layer_weight[near.count][k] = direction_weight(wrap_angle(layer_centre - relative));
    }
    near.at[near.count++] = (bm_point_){minutiae[t].x, minutiae[t].y};
  }
  if (near.count < BM_MCC_MIN_NEIGHBOURS) return 0;

  memset(cylinder, 0, BM_MCC_CYLINDER_BYTES);
  const double c = cos(m->angle), s = sin(m->angle);
  unsigned valid_cells = 0;
  for (unsigned j = 0; j < BM_MCC_SECTORS; ++j) {
    for (unsigned i = 0; i < BM_MCC_SECTORS; ++i) {
      const double u = cell_offset(i), v = cell_offset(j);
      if (hypot(u, v) > BM_MCC_RADIUS_PX) continue;
      const bm_point_ p = {m->x + u * c - v * s, m->y + u * s + v * c};
      if (bm_hull_distance_(p, hull, hull_size) > BM_MCC_HULL_MARGIN_PX) continue;
      const unsigned cell = j * BM_MCC_SECTORS + i;
      cylinder[cell / 8] |= (uint8_t)(1u << (cell % 8));
      ++valid_cells;
      double sum[BM_MCC_LAYERS];
      bm_mcc_cell_sums_(p, &near, BM_MCC_LAYERS, BM_MCC_SIGMA_SPATIAL_PX, sum);
      for (unsigned k = 0; k < BM_MCC_LAYERS; ++k)
        if (sum[k] > BM_MCC_CONTRIBUTION_THRESHOLD)
          cylinder[BM_MCC_LAYER_BYTES * (1 + k) + cell / 8] |= (uint8_t)(1u << (cell % 8));
    }
  }
  return valid_cells >= BM_MCC_MIN_VALID_CELL_FRACTION * bm_mcc_disc_cells_();
}

size_t bm_prepared_size(size_t cylinder_count) {
  return BM_PREPARED_HEADER_BYTES + BM_PREPARED_BYTES_PER_MINUTIA * cylinder_count;
}

static void store_u16le(uint8_t *p, unsigned value) {
  p[0] = (uint8_t)value;
  p[1] = (uint8_t)(value >> 8);
}

static void store_u32le(uint8_t *p, uint32_t value) {
  for (int i = 0; i < 4; ++i) p[i] = (uint8_t)(value >> (8 * i));
}

uint32_t bm_prepared_checksum_(const uint8_t *blob, size_t size);
uint32_t bm_prepared_checksum_(const uint8_t *blob, size_t size) {
  /* Everything but the checksum field itself. */
  uint32_t crc = bm_crc32c_(0, blob, 12);
  return bm_crc32c_(crc, blob + BM_PREPARED_HEADER_BYTES, size - BM_PREPARED_HEADER_BYTES);
}

bm_status bm_prepare_template(const bm_template *tpl, void *buffer, size_t capacity, size_t *out_size) {
  if (!tpl || !out_size) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prepare_template: %s is NULL", tpl ? "out_size" : "tpl");
  if (!buffer && capacity) return bm_fail_(BM_ERR_INVALID_ARGUMENT, "bm_prepare_template: buffer is NULL with capacity %zu", capacity);
  const size_t count = tpl->minutia_count;
  if (count == 0) return bm_fail_(BM_ERR_NO_MINUTIAE, "bm_prepare_template: the template holds no minutiae");
  if (!(tpl->ppi_x > 0) || !(tpl->ppi_y > 0))
    return bm_fail_(BM_ERR_ZERO_RESOLUTION, "bm_prepare_template: resolution %g x %g ppi", tpl->ppi_x, tpl->ppi_y);

  minutia_500_ minutiae[BM_MAX_MINUTIAE];
  bm_point_ points[BM_MAX_MINUTIAE], hull[BM_MAX_MINUTIAE + 1];
  const double scale_x = 500.0 / tpl->ppi_x, scale_y = 500.0 / tpl->ppi_y;
  for (size_t i = 0; i < count; ++i) {
    const bm_minutia *source = &tpl->minutiae[i];
    minutiae[i].x = source->x * scale_x;
    minutiae[i].y = -(double)source->y * scale_y; /* y up, so angles turn the usual way */
    minutiae[i].angle = wrap_angle(source->angle * (PI_ / 180.0));
    minutiae[i].type = source->type;
    minutiae[i].quality = source->quality;
    if (minutiae[i].x > INT16_MAX || -minutiae[i].y > INT16_MAX)
      return bm_fail_(BM_ERR_COORDINATE_OUT_OF_RANGE,
                      "bm_prepare_template: minutia %zu at (%u,%u) lies beyond 32767 px once scaled to 500 ppi", i,
                      source->x, source->y);
    points[i].x = minutiae[i].x;
    points[i].y = minutiae[i].y;
  }
  const size_t hull_size = bm_convex_hull_(points, count, hull);

  uint8_t cylinders[BM_MAX_MINUTIAE][BM_MCC_CYLINDER_BYTES];
  size_t kept[BM_MAX_MINUTIAE], kept_count = 0;
  for (size_t i = 0; i < count; ++i)
    if (build_cylinder(minutiae, count, i, hull, hull_size, cylinders[kept_count])) kept[kept_count++] = i;

  const size_t size = bm_prepared_size(kept_count);
  *out_size = size;
  if (!buffer) return BM_OK;
  if (capacity < size)
    return bm_fail_(BM_ERR_BUFFER_TOO_SMALL, "bm_prepare_template: needs %zu bytes, buffer holds %zu", size, capacity);

  uint8_t *blob = buffer;
  blob[0] = BM_PREPARED_MAGIC_0;
  blob[1] = BM_PREPARED_MAGIC_1;
  blob[2] = BM_PREPARED_MAGIC_2;
  blob[3] = BM_PREPARED_MAGIC_3;
  store_u16le(blob + 4, BM_PREPARED_VERSION);
  store_u16le(blob + 6, (unsigned)kept_count);
  store_u32le(blob + 8, (uint32_t)size);
  uint8_t *geometry = blob + BM_PREPARED_HEADER_BYTES;
  uint8_t *cylinder_area = geometry + BM_MCC_GEOMETRY_BYTES * kept_count;
  for (size_t k = 0; k < kept_count; ++k) {
    const minutia_500_ *m = &minutiae[kept[k]];
    uint8_t *g = geometry + BM_MCC_GEOMETRY_BYTES * k;
    store_u16le(g, (uint16_t)(int16_t)lround(m->x));
    store_u16le(g + 2, (uint16_t)(int16_t)lround(m->y));
    const double turn = m->angle < 0 ? m->angle + 2 * PI_ : m->angle;
    store_u16le(g + 4, (unsigned)lround(turn * (65536.0 / (2 * PI_))) & 0xFFFFu);
    g[6] = (uint8_t)m->type;
    g[7] = (uint8_t)m->quality;
    memcpy(cylinder_area + BM_MCC_CYLINDER_BYTES * k, cylinders[k], BM_MCC_CYLINDER_BYTES);
  }
  store_u32le(blob + 12, bm_prepared_checksum_(blob, size));
  return BM_OK;
}
